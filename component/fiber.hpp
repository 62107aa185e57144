// A fiber for an async task: its own machine stack, to which control passes and from which it
// returns when the task blocks, so a blocked task gives its caller control back (definitions.py
// runs every thread on a Python thread the same way). Backed by an OS thread that runs only
// while it holds control: exactly one of the fibers of a scheduler and the thread that drives
// them runs at any time. The engines need no change: on every switch the Store's
// ExecContext gets the fiber's own machine-stack limit, call depth and engine state (the
// interpreter's value stack) and gets the previous ones back when control leaves; the JIT's
// stack limit is per OS thread already, and each fiber thread's stack has a guard page below
// it (pthread's default), with --max-stack applied from the fiber stack's top as on the main
// stack.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <optional>
#include <thread>

#include "runtime/trap.hpp"

namespace wsvm {
class Store;
struct EngineThreadState;
}  // namespace wsvm

namespace wsvm::component {

class Fiber : public std::enable_shared_from_this<Fiber> {
 public:
  // `body` runs on the fiber; its trap (if any) is what the fiber ends with.
  Fiber(Store& store, std::function<std::optional<Trap>()> body);
  // A suspended fiber is killed first (its suspend() returns false, so it unwinds), then joined.
  ~Fiber();
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  // Gives control to the fiber (starting it the first time) until it suspends or finishes.
  void resume();
  // Kills a suspended fiber (its suspend() returns false, so it unwinds) and waits for its end.
  void stop();
  // How it ended (taken once).
  std::optional<Trap> take_trap() { return std::exchange(m_trap, std::nullopt); }
  // From inside the fiber: gives control back to whoever resumed it. False when the fiber was
  // killed instead of resumed (the caller must unwind).
  bool suspend();
  bool finished() const { return m_finished; }
  bool failed() const { return m_failed; }  // its thread could not be created
  // Leaves a suspended fiber suspended for good (its thread detached, this object leaked):
  // for when its Store may already be gone and it cannot unwind.
  void abandon() {
    if (m_thread.joinable()) m_thread.detach();
  }
  // The fiber running on this OS thread (null outside fibers).
  static Fiber* current();

 private:
  void run();
  void enter_context();  // ExecContext: the fiber's stack limit, depth and engine state in
  void leave_context();  // ... and the resumer's back

  Store& m_store;
  std::function<std::optional<Trap>()> m_body;
  std::optional<Trap> m_trap;
  std::thread m_thread;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_fiber_turn = false;
  bool m_finished = false;
  bool m_killed = false;
  bool m_failed = false;
  void* m_scheduler = nullptr;  // the resumer's scheduler, inherited by the fiber thread
  // The fiber's execution state while it does not run, and the resumer's while it does.
  uintptr_t m_stack_limit = 0, m_saved_stack_limit = 0;
  uint32_t m_depth = 0, m_saved_depth = 0;
  std::unique_ptr<EngineThreadState> m_engine_state;
};

// The scheduler pointer each OS thread uses (fibers inherit their resumer's); async.cpp owns
// what it points to.
void*& current_scheduler_slot();

}  // namespace wsvm::component
