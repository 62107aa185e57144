// Compile-time limits (issue 17): a module whose bodies are cheap to send but costly to
// translate must not hold a host thread past its caller's deadline. EngineConfig names them
// (compile_deadline: an instant, e.g. the start of a `--timeout` run plus its duration;
// compile_budget: a duration per compile() call and per lazily compiled function); a lazily
// compiled function also stops when the run's interrupt flag is set (the run's timer).
//
// The engines wrap their body-walk listener in StoppableListener: it polls the clock every
// kPollEvery instructions and function starts (a clock read costs ~20 ns: well under 0.1% of
// translation), and once a limit is reached emits nothing more; the walk only validates the
// rest of the function (linear), and compile() returns the error (ErrorKind::Invalid, with
// compile_stopped() true for it). Front doors tell a deadline from a budget by the clock:
// a compile that failed after its deadline timed out (runner/).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>

#include "decoder/error.hpp"
#include "runtime/engine.hpp"
#include "validator/walk_state.hpp"

namespace wsvm {

class CompileStop {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr uint32_t kPollEvery = 1024;

  // The budget counts from now. `interrupt`: a flag to watch as well (may be null).
  explicit CompileStop(const EngineConfig& config,
                       const std::atomic<uint32_t>* interrupt = nullptr);

  // True once a limit is reached (then always); reads the clock every kPollEvery calls. The
  // common path is one decrement and branch (it runs per instruction translated).
  [[gnu::always_inline]] bool poll() {
    if (--m_countdown != 0) [[likely]] return false;
    return slow_poll();
  }
  bool check();  // reads the clock now
  bool stopped() const { return m_stopped; }
  bool interrupted() const { return m_interrupted; }  // by the flag
  Error error() const;  // what stopped it

 private:
  std::optional<Clock::time_point> m_stop_at;
  std::optional<Clock::duration> m_budget;  // set when the budget ends first
  const std::atomic<uint32_t>* m_interrupt;
  bool m_unlimited;
  bool m_stopped = false;
  bool m_interrupted = false;
  uint32_t m_countdown = 1;  // the first poll checks; 1 once stopped (every poll says so)
  bool slow_poll();
};

// True for the error of a compilation that a CompileStop ended.
bool compile_stopped(const Error& e);

// A body-walk listener that forwards to `inner` until `stop` says a limit is reached; the
// function being translated then fails with stop.error() (inner's end_function is not
// called: its half-made function is dropped with the compilation).
template <class Listener>
class StoppableListener {
 public:
  static constexpr bool kExceptions = listens_to_exceptions<Listener>();  // walk_state.hpp
  static constexpr bool kMultiMemory = listens_to_multi_memory<Listener>();
  static constexpr bool kMemory64 = listens_to_memory64<Listener>();

  StoppableListener(Listener& inner, CompileStop& stop) : m_inner(inner), m_stop(stop) {}
  template <class Locals>
  void begin_function(const Module& m, uint32_t func_index, Locals locals) {
    m_stop.poll();
    m_inner.begin_function(m, func_index, locals);
  }
  [[gnu::always_inline]] void on_instr(const Instr& ins, const WalkState& st) {
    if (m_stop.poll()) return;
    m_inner.on_instr(ins, st);
  }
  Result<void> end_function(const WalkState& st) {
    if (m_stop.stopped()) return std::unexpected(m_stop.error());
    if constexpr (std::is_void_v<decltype(m_inner.end_function(st))>) {
      m_inner.end_function(st);
      return {};
    } else {
      return m_inner.end_function(st);
    }
  }

 private:
  Listener& m_inner;
  CompileStop& m_stop;
};

}  // namespace wsvm
