// The threads that run guests for `wsvm serve`: made once with a machine stack sized for the
// limits and kept between requests, instead of a thread created and joined per request (a
// thread start here is ~15 system calls: clone, the stack's mapping, the trap handler's
// alternate signal stack, the stack bounds the engines read once per thread).
//
// Not a fixed-size pool on purpose: a request's guest starts when its headers are in and may
// wait for a slow client's body (up to --body-timeout) or for a slow reader of its response,
// so a fixed number of workers would let a few stalled clients hold every one. `keep`
// workers stay; when all are busy a task gets a new thread, which stays too if fewer than
// `keep` are idle when it finishes, else ends. How many run at once is bounded by
// --max-instances (InstanceGate) and the connection cap, not here.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace wsvm::serve {

class WorkerPool {
 public:
  WorkerPool(size_t stack_bytes, unsigned keep);
  ~WorkerPool();  // waits for the running tasks, then ends every thread
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `task` on an idle worker or a new one. False when no thread could be started.
  bool run(std::function<void()> task);
  unsigned threads() const;  // alive now (idle or busy)

  struct State;

 private:
  std::shared_ptr<State> m_state;
};

// The resident workers when nothing else says: a few per core (requests in flight wait for
// their clients as often as they compute).
unsigned default_worker_count();

}  // namespace wsvm::serve
