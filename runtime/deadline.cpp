#include "runtime/deadline.hpp"

#include "runtime/store.hpp"

namespace wsvm {

Deadline::Deadline(Store& store, Clock::duration timeout, Overrun overrun)
    : Deadline(store.exec().interrupt, timeout, std::move(overrun)) {}

Deadline::Deadline(std::atomic<uint32_t>& flag, Clock::duration timeout, Overrun overrun)
    : m_flag(&flag), m_deadline(Clock::now() + timeout), m_overrun(std::move(overrun)) {
  m_thread = std::thread([this] { run(); });
}

void Deadline::run() {
  std::unique_lock lock(m_mutex);
  // steady_clock deadlines wait on CLOCK_MONOTONIC with an absolute timeout: no drift from
  // spurious wake-ups, and typically well under a millisecond late.
  if (m_cv.wait_until(lock, m_deadline, [this] { return m_cancelled; })) return;
  m_flag->store(1, std::memory_order_relaxed);
  m_fired_at = Clock::now();
  m_fired.store(true, std::memory_order_release);
  if (!m_overrun.callback) return;
  if (m_cv.wait_for(lock, m_overrun.grace, [this] { return m_cancelled; })) return;
  m_overrun.callback();
}

void Deadline::cancel() {
  {
    std::lock_guard lock(m_mutex);
    m_cancelled = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

}  // namespace wsvm
