// Wall-clock limits for embedders (the CLI's --timeout uses the same class): a timer thread
// stores 1 into an interrupt flag (normally Store::exec().interrupt) at a deadline, and the
// engines' checks at function entries and loop headers turn it into TrapKind::Interrupted
// (the limits contract above ExecContext in runtime/store.hpp; wasmtime's epoch
// interruption is the model).
//
// The flag cannot stop a host function that blocks (a WASI poll_oneoff sleep, an fd_read on
// an idle pipe): the wasm code notices it only when the host call returns. For that case an
// optional `on_overrun` callback runs on the timer thread if the Deadline is still armed
// `grace` after it fired; the CLI uses it to end the process with the timeout status.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace wsvm {

class Store;

// What to do when the run is still going `grace` after the deadline fired.
struct DeadlineOverrun {
  std::chrono::steady_clock::duration grace = std::chrono::milliseconds(100);
  std::function<void()> callback;  // runs on the timer thread, holding the Deadline's lock
};

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;
  using Overrun = DeadlineOverrun;

  // Arms the timer now: at now + timeout, store.interrupt() (resp. flag = 1).
  Deadline(Store& store, Clock::duration timeout, Overrun overrun = {});
  Deadline(std::atomic<uint32_t>& flag, Clock::duration timeout, Overrun overrun = {});
  ~Deadline() { cancel(); }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  // Disarms the timer and joins its thread (idempotent). It does not clear the flag if the
  // deadline already fired: that is the embedder's call (Store::clear_interrupt).
  void cancel();

  bool fired() const { return m_fired.load(std::memory_order_acquire); }
  Clock::time_point deadline() const { return m_deadline; }
  // When the timer stored into the flag (valid once fired()): fired_at() - deadline() is the
  // timer's own latency; the engine's reaction comes on top.
  Clock::time_point fired_at() const { return m_fired_at; }

 private:
  void run();

  std::atomic<uint32_t>* m_flag;
  Clock::time_point m_deadline;
  Overrun m_overrun;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_cancelled = false;  // guarded by m_mutex
  std::atomic<bool> m_fired{false};
  Clock::time_point m_fired_at{};
  std::thread m_thread;  // last: started once every other member is ready
};

}  // namespace wsvm
