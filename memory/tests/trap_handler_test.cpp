#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "memory/linear_memory.hpp"
#include "memory/trap_handler.hpp"

using wsvm::memory::kWasmPageSize;
using wsvm::memory::LinearMemory;
using wsvm::memory::TrapInfo;

namespace {

std::unique_ptr<LinearMemory> make(uint64_t pages) {
  std::string err;
  return LinearMemory::create(pages, std::nullopt, 65536, &err);
}

// volatile so the compiler keeps the faulting access.
void touch(void* p) { *static_cast<volatile uint8_t*>(p) = 1; }

// A host fault that is not a wasm trap: an inaccessible page outside every reservation. (Not
// a null pointer: dereferencing null is undefined behaviour, which UBSan reports and exits
// on before any signal, so the test would check the sanitizer instead of the handler.)
void* host_fault_address() {
  void* p = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(p != MAP_FAILED);
  return p;
}
uint8_t read_byte(const void* p) { return *static_cast<const volatile uint8_t*>(p); }

// Runs `body` in a forked child and returns its wait status.
template <class F>
int in_child(F body) {
  pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

}  // namespace

TEST_CASE("install_trap_handler is idempotent", "[trap]") {
  CHECK(wsvm::memory::install_trap_handler());
  CHECK(wsvm::memory::install_trap_handler());
}

TEST_CASE("a normal return reports true", "[trap]") {
  REQUIRE(wsvm::memory::install_trap_handler());
  int x = 0;
  TrapInfo info;
  CHECK(wsvm::memory::with_trap_recovery([&] { x = 42; }, &info));
  CHECK(x == 42);
}

TEST_CASE("a fault in a reservation's guard region is recovered", "[trap]") {
  REQUIRE(wsvm::memory::install_trap_handler());
  auto m = make(1);
  REQUIRE(m);
  uint8_t* guard = m->base() + kWasmPageSize + 17;
  TrapInfo info;
  CHECK_FALSE(wsvm::memory::run_with_trap_recovery(touch, guard, &info));
  CHECK(info.fault_address == guard);
  CHECK(info.signal == SIGSEGV);
  // Far end of the 8 GiB reservation (base + u32 index + u32 offset).
  uint8_t* far = m->base() + wsvm::memory::kReservationBytes - 1;
  CHECK_FALSE(wsvm::memory::run_with_trap_recovery(touch, far, &info));
  CHECK(info.fault_address == far);
  // Committed memory still works afterwards.
  CHECK(wsvm::memory::run_with_trap_recovery(touch, m->base(), &info));
  CHECK(m->base()[0] == 1);
}

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
// The signal context is decoded (a JIT names the faulting function from it): the pc lies in
// the faulting function's code, a few instructions from its start.
TEST_CASE("a recovered fault reports the faulting pc", "[trap]") {
  REQUIRE(wsvm::memory::install_trap_handler());
  auto m = make(1);
  REQUIRE(m);
  TrapInfo info;
  CHECK_FALSE(wsvm::memory::run_with_trap_recovery(touch, m->base() + kWasmPageSize, &info));
  const auto pc = reinterpret_cast<uintptr_t>(info.pc);
  const auto fn = reinterpret_cast<uintptr_t>(&touch);
  CHECK(pc >= fn);
  CHECK(pc < fn + 256);
}
#endif

TEST_CASE("recovery works 10,000 times in a row", "[trap]") {
  REQUIRE(wsvm::memory::install_trap_handler());
  auto m = make(0);
  REQUIRE(m);
  int recovered = 0;
  for (int i = 0; i < 10000; ++i) {
    TrapInfo info;
    uint8_t* p = m->base() + (static_cast<uint64_t>(i) * 4093) % (uint64_t{1} << 32);
    if (!wsvm::memory::run_with_trap_recovery(touch, p, &info) && info.fault_address == p)
      ++recovered;
  }
  CHECK(recovered == 10000);
  // The signal stays unblocked: a later recovery still works.
  sigset_t mask;
  sigprocmask(SIG_BLOCK, nullptr, &mask);
  CHECK_FALSE(sigismember(&mask, SIGSEGV));
}

TEST_CASE("nested scopes: the innermost receives the fault", "[trap]") {
  REQUIRE(wsvm::memory::install_trap_handler());
  auto m = make(0);
  REQUIRE(m);
  uint8_t* p = m->base() + 5;
  bool inner_result = true;
  TrapInfo inner, outer;
  bool outer_result = wsvm::memory::with_trap_recovery(
      [&] {
        inner_result = wsvm::memory::run_with_trap_recovery(touch, p, &inner);
        // After the inner scope, a fault goes to the outer one.
        touch(p + 1);
      },
      &outer);
  CHECK_FALSE(inner_result);
  CHECK(inner.fault_address == p);
  CHECK_FALSE(outer_result);
  CHECK(outer.fault_address == p + 1);
}

TEST_CASE("recovery works on other threads", "[trap]") {
  REQUIRE(wsvm::memory::install_trap_handler());
  auto m = make(1);
  REQUIRE(m);
  int ok[4] = {};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        TrapInfo info;
        uint8_t* p = m->base() + kWasmPageSize * (2 + t) + i;
        if (!wsvm::memory::run_with_trap_recovery(touch, p, &info) && info.fault_address == p)
          ++ok[t];
      }
    });
  }
  for (auto& t : ts) t.join();
  for (int t = 0; t < 4; ++t) CHECK(ok[t] == 500);
}

TEST_CASE("a host fault inside a recovery scope is not swallowed", "[trap]") {
  void* host = host_fault_address();
  int status = in_child([host] {
    wsvm::memory::install_trap_handler();
    TrapInfo info;
    wsvm::memory::run_with_trap_recovery(touch, host, &info);
    _exit(0);  // reaching here would mean the fault was swallowed
  });
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGSEGV);
}

TEST_CASE("a reservation fault outside any recovery scope is not swallowed", "[trap]") {
  int status = in_child([] {
    wsvm::memory::install_trap_handler();
    auto m = make(0);
    read_byte(m->base());
    _exit(0);
  });
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGSEGV);
}

TEST_CASE("a fault in a freed reservation is not swallowed", "[trap]") {
  int status = in_child([] {
    wsvm::memory::install_trap_handler();
    uint8_t* p;
    {
      auto m = make(0);
      p = m->base();
    }
    TrapInfo info;
    wsvm::memory::run_with_trap_recovery(touch, p, &info);
    _exit(0);
  });
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGSEGV);
}

namespace {
volatile sig_atomic_t g_prev_called = 0;
void previous_handler(int) {
  g_prev_called = 1;
  _exit(77);
}
}  // namespace

TEST_CASE("a fault outside wasm is forwarded to a previously installed handler", "[trap]") {
  void* host = host_fault_address();
  int status = in_child([host] {
    signal(SIGSEGV, previous_handler);
    wsvm::memory::install_trap_handler();
    touch(host);
    _exit(0);
  });
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 77);
}
