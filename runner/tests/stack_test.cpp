// run_on_sized_stack: the calling (main) thread when its stack limit suffices, else a thread
// with a stack of the size asked for.
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <thread>

#include <catch2/catch.hpp>

#include "runner/stack.hpp"

using namespace wsvm::runner;

namespace {

size_t this_thread_stack_size() {
  pthread_attr_t attr;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    pthread_attr_getstacksize(&attr, &size);
    pthread_attr_destroy(&attr);
  }
  return size;
}

}  // namespace

TEST_CASE("runner: the stack a run needs grows with its wasm stack limit") {
  CHECK(stack_bytes_needed(1 << 20) > (1u << 20));
  CHECK(stack_bytes_needed(uint64_t{1} << 30) - stack_bytes_needed(1 << 20) ==
        (uint64_t{1} << 30) - (1u << 20));
}

TEST_CASE("runner: a stack larger than the main thread's limit runs on a sized thread") {
  rlimit rl{};
  REQUIRE(getrlimit(RLIMIT_STACK, &rl) == 0);
  const size_t want = size_t{512} << 20;  // above any usual RLIMIT_STACK
  const pid_t caller = gettid();
  pid_t ran_on = 0;
  size_t stack = 0;
  const int status = run_on_sized_stack(want, [&] {
    ran_on = gettid();
    stack = this_thread_stack_size();
    return 42;
  });
  CHECK(status == 42);
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
    CHECK(ran_on != caller);
    CHECK(stack >= want);
  }
}

TEST_CASE("runner: a small stack runs on the main thread when its limit suffices") {
  rlimit rl{};
  REQUIRE(getrlimit(RLIMIT_STACK, &rl) == 0);
  const size_t want = size_t{1} << 20;
  pid_t ran_on = 0;
  CHECK(run_on_sized_stack(want, [&] { ran_on = gettid(); return 7; }) == 7);
  // Catch2 runs test cases on the main thread.
  if (gettid() == getpid() && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= want + (512u << 10))
    CHECK(ran_on == gettid());
}

TEST_CASE("runner: off the main thread, a run always gets a thread of its own size") {
  pid_t worker = 0, ran_on = 0;
  std::thread t([&] {
    worker = gettid();
    run_on_sized_stack(size_t{1} << 20, [&] { ran_on = gettid(); return 0; });
  });
  t.join();
  CHECK(ran_on != worker);
}
