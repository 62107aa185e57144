// main_thread_stack() against glibc's answer, which reads /proc/self/maps.
#include <catch2/catch.hpp>
#include <pthread.h>
#include <sys/resource.h>

#include <algorithm>
#include <optional>
#include <thread>

#include "runtime/native_stack.hpp"

namespace {

uintptr_t glibc_stack_bottom() {
  pthread_attr_t attr;
  void* addr = nullptr;
  size_t size = 0;
  REQUIRE(pthread_getattr_np(pthread_self(), &attr) == 0);
  pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  return reinterpret_cast<uintptr_t>(addr);
}

}  // namespace

TEST_CASE("main_thread_stack finds the bottom glibc finds", "[native_stack]") {
  rlimit rl{};
  REQUIRE(getrlimit(RLIMIT_STACK, &rl) == 0);
  if (rl.rlim_cur > (rlim_t{128} << 20)) {
    CHECK_FALSE(wsvm::main_thread_stack());  // above what the kernel keeps free: left to glibc
    return;
  }
  std::optional<wsvm::StackRange> s = wsvm::main_thread_stack();
  REQUIRE(s);
  CHECK(s->bottom == glibc_stack_bottom());
  CHECK(s->top - s->bottom == rl.rlim_cur);
  const uintptr_t sp = wsvm::current_stack_pointer();
  CHECK(s->bottom < sp);
  CHECK(sp < s->top);

  SECTION("a lower soft limit moves the bottom up, as in glibc") {
    rlimit lower = rl;
    lower.rlim_cur = std::min<rlim_t>(rl.rlim_cur, rlim_t{4} << 20);
    REQUIRE(setrlimit(RLIMIT_STACK, &lower) == 0);
    std::optional<wsvm::StackRange> t = wsvm::main_thread_stack();
    const uintptr_t glibc = glibc_stack_bottom();
    REQUIRE(setrlimit(RLIMIT_STACK, &rl) == 0);
    REQUIRE(t);
    CHECK(t->top == s->top);
    CHECK(t->bottom == glibc);
  }
}

TEST_CASE("main_thread_stack is nullopt on other threads", "[native_stack]") {
  std::optional<wsvm::StackRange> on_thread{wsvm::StackRange{1, 2}};
  uintptr_t limit = 0, sp = 0;
  std::thread([&] {
    on_thread = wsvm::main_thread_stack();
    limit = wsvm::native_stack_limit_for_this_thread();
    sp = wsvm::current_stack_pointer();
  }).join();
  CHECK_FALSE(on_thread);
  CHECK(limit != 0);
  CHECK(limit < sp);
}

TEST_CASE("native_stack_limit_for_this_thread leaves the reserve below the frame", "[native_stack]") {
  const uintptr_t limit = wsvm::native_stack_limit_for_this_thread();
  const uintptr_t sp = wsvm::current_stack_pointer();
  REQUIRE(limit < sp);
  if (std::optional<wsvm::StackRange> s = wsvm::main_thread_stack())
    CHECK(limit == s->bottom + wsvm::kNativeStackReserve);
}
