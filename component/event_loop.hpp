// The host's event loop (issue 23 item 2): what the async canonical ABI's scheduler waits on
// when no guest task is ready. Host code registers timers (CLOCK_MONOTONIC deadlines), fd
// watches (one-shot, epoll) and posted callbacks; `run_once` runs the posted callbacks, then
// waits (epoll_wait, up to the nearest deadline) for a watched fd or a timer and runs what
// fired. One loop per scheduler (per OS thread that drives components): many tasks wait in
// it at once without a thread each. The callbacks typically complete a host stream/future
// copy or resolve a host subtask, which makes a guest waiter ready (async.cpp's run_until).
//
// Why epoll: the host's I/O is readiness-shaped already (non-blocking sockets and pipes in
// wasi/p2, files read and written synchronously), it needs no dependency, and a loop per
// scheduler thread is a few system calls; io_uring would pay off for file I/O at depth,
// which WASI's stream copies do not have yet (see component/README.md).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace wsvm::component {

class EventLoop {
 public:
  using Callback = std::function<void()>;
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Nanoseconds of CLOCK_MONOTONIC (the clock wasi:clocks/monotonic-clock reads).
  static uint64_t now_ns();

  // `fn` runs once when CLOCK_MONOTONIC reaches `deadline_ns`. Returns an id for cancel().
  uint64_t add_timer(uint64_t deadline_ns, Callback fn);
  // `fn` runs once when `fd` is ready for `events` (EPOLLIN/EPOLLOUT), or has an error or
  // hang-up. A file epoll cannot watch (a regular file, always ready) runs `fn` at the next
  // turn. At most one watch per fd.
  uint64_t watch_fd(int fd, uint32_t events, Callback fn);
  // `fn` runs at the next turn of the loop (never from inside post()).
  void post(Callback fn);
  // Forgets a timer or a watch that has not fired (no-op otherwise).
  void cancel(uint64_t id);

  // True when nothing is posted, timed or watched: waiting would never end.
  bool idle() const;
  // Runs posted callbacks, then waits for fds and timers (no longer than `max_wait_ns`, or
  // not at all when 0, or as long as needed when null) and runs what fired. False when the
  // loop was idle (nothing to wait for).
  bool run_once(const uint64_t* max_wait_ns = nullptr);

 private:
  struct Watch {
    int fd;
    Callback fn;
  };
  void close_epoll_if_unused();
  int m_epoll = -1;
  uint64_t m_next_id = 1;
  std::multimap<uint64_t, std::pair<uint64_t, Callback>> m_timers;  // deadline -> (id, fn)
  std::map<uint64_t, Watch> m_watches;                               // id -> watch
  std::map<int, uint64_t> m_fd_watch;                                // fd -> id
  std::vector<Callback> m_posted;
};

}  // namespace wsvm::component
