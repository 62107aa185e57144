// Writing to host pipes without SIGPIPE (host_write.hpp); shared by preview 1 and 0.2.
#include "wasi/preview1/host_write.hpp"

#include <pthread.h>
#include <signal.h>

#include <cerrno>

namespace wsvm::wasi {

// A write to a pipe whose reader has gone raises SIGPIPE, whose default action would end the
// whole process (the CLI, or the program embedding wsvm); the guest must get EPIPE instead,
// as under wasmtime. A library must not change the process's signal dispositions, so the
// write runs with SIGPIPE blocked in this thread (SIGPIPE goes to the writing thread), and a
// SIGPIPE this write raised is taken off again with sigtimedwait. Only pipes pay for it (two
// sigprocmask calls per write): sockets use MSG_NOSIGNAL, files and terminals never raise it.
ssize_t writev_without_sigpipe(int fd, const iovec* v, int n) {
  sigset_t pipe_only, old;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  // Unblocked before, it cannot be pending now (it would have been delivered or ignored). If
  // the embedder had it blocked, a SIGPIPE pending already is the embedder's, not ours.
  bool blocked_before = sigismember(&old, SIGPIPE) == 1;
  sigset_t pending;
  bool was_pending = blocked_before && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
  ssize_t r = writev(fd, v, n);
  int saved = errno;
  if (r < 0 && saved == EPIPE && !was_pending) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  if (!blocked_before) pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return r;
}

}  // namespace wsvm::wasi
