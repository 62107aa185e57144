#include "runtime/compile_limit.hpp"

#include <fmt/format.h>

namespace wsvm {

namespace {
constexpr const char* kStopped = "compilation stopped: ";

std::string duration_text(CompileStop::Clock::duration d) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  if (us % 1000 == 0) return fmt::format("{}ms", us / 1000);
  return fmt::format("{}us", us);
}
}  // namespace

CompileStop::CompileStop(const EngineConfig& config, const std::atomic<uint32_t>* interrupt)
    : m_budget(config.compile_budget), m_interrupt(interrupt) {
  if (config.compile_budget) m_stop_at = Clock::now() + *config.compile_budget;
  if (config.compile_deadline && (!m_stop_at || *config.compile_deadline < *m_stop_at)) {
    m_stop_at = config.compile_deadline;
    m_budget.reset();  // the deadline comes first
  }
  m_unlimited = !m_stop_at && m_interrupt == nullptr;
}

bool CompileStop::slow_poll() {
  if (m_unlimited) {
    m_countdown = UINT32_MAX;  // nothing to check: poll() stays on its fast path
    return false;
  }
  if (check()) {
    m_countdown = 1;
    return true;
  }
  m_countdown = kPollEvery;
  return false;
}

bool CompileStop::check() {
  if (m_stopped) return true;
  if (m_interrupt && m_interrupt->load(std::memory_order_relaxed) != 0) {
    m_interrupted = true;
  } else if (!m_stop_at || Clock::now() < *m_stop_at) {
    return false;
  }
  m_stopped = true;
  return true;
}

Error CompileStop::error() const {
  std::string why;
  if (m_interrupted) why = "interrupted";
  else if (m_budget) why = "its time budget (" + duration_text(*m_budget) + ") ran out";
  else why = "the deadline passed";
  return Error{ErrorKind::Invalid, kNoOffset, kStopped + why};
}

bool compile_stopped(const Error& e) { return e.message.starts_with(kStopped); }

}  // namespace wsvm
