// The host's event loop over epoll (see event_loop.hpp).
#include "component/event_loop.hpp"

#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

namespace wsvm::component {

EventLoop::EventLoop() = default;

EventLoop::~EventLoop() { close_epoll_if_unused(); }

// The epoll fd exists only while something is watched: a loop that only ever had timers (or
// nothing) holds no fd, and none outlives the watches (an embedder checking that a finished
// instance left no fd open sees none).
void EventLoop::close_epoll_if_unused() {
  if (m_epoll >= 0 && m_watches.empty()) {
    ::close(m_epoll);
    m_epoll = -1;
  }
}

uint64_t EventLoop::now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

uint64_t EventLoop::add_timer(uint64_t deadline_ns, Callback fn) {
  uint64_t id = m_next_id++;
  m_timers.emplace(deadline_ns, std::pair{id, std::move(fn)});
  return id;
}

uint64_t EventLoop::watch_fd(int fd, uint32_t events, Callback fn) {
  uint64_t id = m_next_id++;
  epoll_event ev{};
  ev.events = events | EPOLLONESHOT;
  ev.data.u64 = id;
  if (m_epoll < 0) m_epoll = epoll_create1(EPOLL_CLOEXEC);
  if (m_epoll < 0 || m_fd_watch.count(fd) ||
      (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) != 0 &&
       (errno != EEXIST || epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev) != 0))) {
    // Regular files (EPERM) are always ready; a second watch of one fd, or a closed fd, is
    // told at the next turn too, so its owner finds out by trying.
    close_epoll_if_unused();
    post(std::move(fn));
    return 0;
  }
  m_watches[id] = Watch{fd, std::move(fn)};
  m_fd_watch[fd] = id;
  return id;
}

void EventLoop::post(Callback fn) { m_posted.push_back(std::move(fn)); }

void EventLoop::cancel(uint64_t id) {
  if (id == 0) return;
  if (auto w = m_watches.find(id); w != m_watches.end()) {
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, w->second.fd, nullptr);
    m_fd_watch.erase(w->second.fd);
    m_watches.erase(w);
    close_epoll_if_unused();
    return;
  }
  for (auto it = m_timers.begin(); it != m_timers.end(); ++it)
    if (it->second.first == id) {
      m_timers.erase(it);
      return;
    }
}

bool EventLoop::idle() const { return m_posted.empty() && m_timers.empty() && m_watches.empty(); }

bool EventLoop::run_once(const uint64_t* max_wait_ns) {
  if (idle()) return false;
  // Posted callbacks first (they may post more: those wait for the next turn).
  std::vector<Callback> posted = std::move(m_posted);
  m_posted.clear();
  for (auto& fn : posted) fn();

  // How long to wait: not at all if something ran or is posted (its effects come first),
  // else until the nearest timer, capped by the caller.
  int64_t timeout_ms = -1;
  if (!posted.empty() || !m_posted.empty()) timeout_ms = 0;
  uint64_t now = now_ns();
  if (timeout_ms != 0 && !m_timers.empty()) {
    uint64_t first = m_timers.begin()->first;
    timeout_ms = int64_t(first > now ? (first - now + 999999) / 1000000 : 0);
  }
  if (max_wait_ns) {
    int64_t cap = int64_t(std::min<uint64_t>((*max_wait_ns + 999999) / 1000000, INT_MAX));
    timeout_ms = timeout_ms < 0 ? cap : std::min(timeout_ms, cap);
  }
  if (m_watches.empty()) {
    if (timeout_ms > 0) {
      timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000};
      nanosleep(&ts, nullptr);
    }
  } else {
    epoll_event evs[64];
    int n = epoll_wait(m_epoll, evs, 64, int(std::min<int64_t>(timeout_ms, INT_MAX)));
    for (int i = 0; i < n; ++i) {
      auto w = m_watches.find(evs[i].data.u64);
      if (w == m_watches.end()) continue;
      Callback fn = std::move(w->second.fn);
      epoll_ctl(m_epoll, EPOLL_CTL_DEL, w->second.fd, nullptr);
      m_fd_watch.erase(w->second.fd);
      m_watches.erase(w);
      fn();
    }
    close_epoll_if_unused();
  }
  // Timers that are due.
  now = now_ns();
  std::vector<Callback> due;
  while (!m_timers.empty() && m_timers.begin()->first <= now) {
    due.push_back(std::move(m_timers.begin()->second.second));
    m_timers.erase(m_timers.begin());
  }
  for (auto& fn : due) fn();
  return true;
}

}  // namespace wsvm::component
