// fd_write to a pipe whose reader has gone: the guest gets EPIPE; the process neither dies of
// SIGPIPE nor has its signal state changed (an embedder's mask and pending signals stay).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>

#include "wasi/preview1/call.hpp"

using namespace wsvm::wasi;

namespace {

bool sigpipe_pending() {
  sigset_t s;
  sigpending(&s);
  return sigismember(&s, SIGPIPE) == 1;
}

bool sigpipe_blocked() {
  sigset_t s;
  pthread_sigmask(SIG_BLOCK, nullptr, &s);
  return sigismember(&s, SIGPIPE) == 1;
}

void take_pending_sigpipe() {
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, SIGPIPE);
  const timespec zero{0, 0};
  sigtimedwait(&only, nullptr, &zero);
}

// fd_write(1, one iovec of 4 bytes) with stdout a pipe whose reading end is closed.
Errno write_to_broken_pipe() {
  int p[2];
  REQUIRE(pipe2(p, O_CLOEXEC) == 0);
  close(p[0]);
  WasiConfig config;
  config.stdout_fd = p[1];
  auto ctx = WasiContext::create(config);
  REQUIRE(ctx);
  alignas(8) uint8_t memory[64] = {};
  uint32_t iov[2] = {16, 4};  // buf, buf_len
  std::memcpy(memory, iov, sizeof iov);
  Call call{**ctx, GuestMemory(memory, sizeof memory), std::nullopt};
  const uint64_t args[4] = {1, 0, 1, 8};  // fd, iovs, iovs_len, nwritten
  Errno e = fd_write(call, args);
  close(p[1]);
  return e;
}

}  // namespace

TEST_CASE("fd_write to a pipe without a reader is EPIPE, never SIGPIPE", "[sigpipe]") {
  struct sigaction dfl {}, old {};
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGPIPE, &dfl, &old);  // the default action would end this test program
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, SIGPIPE);

  SECTION("unblocked: EPIPE, nothing left pending, mask unchanged") {
    REQUIRE_FALSE(sigpipe_blocked());
    CHECK(write_to_broken_pipe() == Errno::Pipe);
    CHECK_FALSE(sigpipe_pending());
    CHECK_FALSE(sigpipe_blocked());
  }
  SECTION("blocked by the embedder: ours is taken off, the mask stays") {
    pthread_sigmask(SIG_BLOCK, &only, nullptr);
    CHECK(write_to_broken_pipe() == Errno::Pipe);
    CHECK_FALSE(sigpipe_pending());
    CHECK(sigpipe_blocked());
    pthread_sigmask(SIG_UNBLOCK, &only, nullptr);
  }
  SECTION("blocked with the embedder's own SIGPIPE pending: it stays pending") {
    pthread_sigmask(SIG_BLOCK, &only, nullptr);
    raise(SIGPIPE);
    REQUIRE(sigpipe_pending());
    CHECK(write_to_broken_pipe() == Errno::Pipe);
    CHECK(sigpipe_pending());
    CHECK(sigpipe_blocked());
    take_pending_sigpipe();
    pthread_sigmask(SIG_UNBLOCK, &only, nullptr);
  }
  sigaction(SIGPIPE, &old, nullptr);
}
