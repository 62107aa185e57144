// Signals done right (issue 5 part 2): the handler runs on the alternate stack, host faults
// on any thread still kill the process, and repeated traps leak nothing.
#include <catch2/catch.hpp>

#include <alloca.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "memory/linear_memory.hpp"
#include "memory/trap_handler.hpp"

using wsvm::memory::kWasmPageSize;
using wsvm::memory::LinearMemory;
using wsvm::memory::TrapInfo;

namespace {

std::unique_ptr<LinearMemory> make_memory(uint64_t pages) {
  std::string err;
  return LinearMemory::create(pages, std::nullopt, 65536, &err);
}

// The low-stack test below computes how much machine stack it leaves; AddressSanitizer's
// redzones around the alloca and its checks would overflow that budget by themselves, so
// the two functions on that path are never instrumented.
#define WSVM_NO_SANITIZE __attribute__((no_sanitize("address", "undefined")))

__attribute__((noinline)) WSVM_NO_SANITIZE void poke(void* p) {
  *static_cast<volatile uint8_t*>(p) = 1;
}

// Under AddressSanitizer freed memory sits in its quarantine (up to 256 MiB) and stays
// resident, so RSS growth is no leak signal there: LeakSanitizer is (detect_leaks=1).
#if defined(__SANITIZE_ADDRESS__)
constexpr long kTrapRssGrowthBoundKiB = 256 * 1024;
#else
constexpr long kTrapRssGrowthBoundKiB = 512;
#endif

template <class F>
int in_child(F body) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

long rss_kib() {
  std::ifstream in("/proc/self/statm");
  long size = 0, resident = 0;
  in >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

long mapping_count() {
  std::ifstream in("/proc/self/maps");
  long n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

// A fault taken with almost no machine stack left: the kernel can deliver the signal only on
// the alternate stack (a signal frame with the FPU state needs a few KiB).
struct LowStackRun {
  uint8_t* target = nullptr;
  bool disable_altstack = false;  // the control: no alternate stack, so the process dies
  bool recovered = false;
};

__attribute__((noinline)) WSVM_NO_SANITIZE void fault_with_little_stack(uintptr_t stack_low,
                                                                        uint8_t* target) {
  constexpr uintptr_t kLeave = 768;  // bytes left: far less than a signal frame
  auto sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  size_t n = sp - stack_low - kLeave;
  auto* pad = static_cast<volatile uint8_t*>(alloca(n));
  pad[0] = 0;  // the pad is real stack in use
  poke(target);
  pad[1] = 0;
}

void* low_stack_thread(void* arg) {
  auto* run = static_cast<LowStackRun*>(arg);
  pthread_attr_t attr;
  void* low = nullptr;
  size_t size = 0;
  pthread_getattr_np(pthread_self(), &attr);
  pthread_attr_getstack(&attr, &low, &size);
  pthread_attr_destroy(&attr);
  TrapInfo info;
  wsvm::memory::with_trap_recovery([] {}, &info);  // sets up this thread's alternate stack
  if (run->disable_altstack) {
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
  }
  auto stack_low = reinterpret_cast<uintptr_t>(low);
  uint8_t* target = run->target;
  run->recovered = !wsvm::memory::with_trap_recovery(
                       [&] { fault_with_little_stack(stack_low, target); }, &info) &&
                   info.fault_address == target;
  return nullptr;
}

// Runs LowStackRun on a thread with a 64 KiB stack inside a child; the child exits 0 when
// the fault was recovered, 1 when not, or dies of the signal.
int low_stack_fault_in_child(bool disable_altstack) {
  return in_child([&] {
    wsvm::memory::install_trap_handler();
    auto m = make_memory(1);
    LowStackRun run;
    run.target = m->base() + 3 * kWasmPageSize;
    run.disable_altstack = disable_altstack;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_t t;
    if (pthread_create(&t, &attr, low_stack_thread, &run) != 0) _exit(3);
    pthread_join(t, nullptr);
    _exit(run.recovered ? 0 : 1);
  });
}

}  // namespace

TEST_CASE("the handler is installed for the alternate stack", "[trap][signals]") {
  REQUIRE(wsvm::memory::install_trap_handler());
  struct sigaction sa {};
  REQUIRE(sigaction(SIGSEGV, nullptr, &sa) == 0);
  CHECK((sa.sa_flags & SA_ONSTACK) != 0);
  CHECK((sa.sa_flags & SA_SIGINFO) != 0);
  REQUIRE(sigaction(SIGBUS, nullptr, &sa) == 0);
  CHECK((sa.sa_flags & SA_ONSTACK) != 0);
  // Every thread that enters a recovery scope has an alternate stack of its own.
  bool enabled = false;
  size_t size = 0;
  std::thread([&] {
    TrapInfo info;
    wsvm::memory::with_trap_recovery([] {}, &info);
    stack_t cur{};
    sigaltstack(nullptr, &cur);
    enabled = !(cur.ss_flags & SS_DISABLE) && cur.ss_sp != nullptr;
    size = cur.ss_size;
  }).join();
  CHECK(enabled);
  CHECK(size >= 16 * 1024);
}

TEST_CASE("a trap with the machine stack nearly exhausted is recovered (alternate stack)",
          "[trap][signals]") {
  int status = low_stack_fault_in_child(false);
  INFO("wait status " << status);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("control: without the alternate stack the same fault kills the process",
          "[trap][signals]") {
  // Shows that the test above really needs the alternate stack.
  int status = low_stack_fault_in_child(true);
  INFO("wait status " << status);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGSEGV);
}

TEST_CASE("a host fault on another thread, inside a recovery scope, kills the process",
          "[trap][signals]") {
  int status = in_child([] {
    wsvm::memory::install_trap_handler();
    auto m = make_memory(1);  // a live reservation elsewhere does not make this a wasm fault
    std::thread([] {
      TrapInfo info;
      wsvm::memory::with_trap_recovery([] { poke(reinterpret_cast<void*>(64)); }, &info);
    }).join();
    _exit(0);  // reaching here would mean the fault was swallowed
  });
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGSEGV);
}

TEST_CASE("a fault in PROT_NONE memory that is no reservation kills the process",
          "[trap][signals]") {
  // Only registered reservations count, not any inaccessible page (e.g. a host guard page).
  int status = in_child([] {
    wsvm::memory::install_trap_handler();
    auto m = make_memory(1);
    void* guard = mmap(nullptr, 65536, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (guard == MAP_FAILED) _exit(3);
    TrapInfo info;
    wsvm::memory::with_trap_recovery([&] { poke(static_cast<uint8_t*>(guard) + 100); }, &info);
    _exit(0);
  });
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGSEGV);
}

TEST_CASE("10,000 traps leak no memory and no mappings", "[trap][signals]") {
  REQUIRE(wsvm::memory::install_trap_handler());
  auto m = make_memory(1);
  REQUIRE(m);
  auto trap_once = [&](uint64_t i) {
    TrapInfo info;
    uint8_t* p = m->base() + kWasmPageSize + (i * 40961) % (uint64_t{4} << 30);
    return !wsvm::memory::run_with_trap_recovery(poke, p, &info) && info.fault_address == p;
  };
  int recovered = 0;
  for (uint64_t i = 0; i < 100; ++i) recovered += trap_once(i);
  const long rss0 = rss_kib(), maps0 = mapping_count();
  for (uint64_t i = 0; i < 10000; ++i) {
    // Nested: a trap inside a scope whose outer scope then traps too.
    if (i % 10 == 0) {
      TrapInfo outer;
      bool inner_ok = false;
      bool outer_returned = wsvm::memory::with_trap_recovery(
          [&] {
            inner_ok = trap_once(i);
            poke(m->base() + 2 * kWasmPageSize);
          },
          &outer);
      recovered += inner_ok && !outer_returned;
    } else {
      recovered += trap_once(i);
    }
  }
  const long rss1 = rss_kib(), maps1 = mapping_count();
  std::fprintf(stderr, "10000 traps: RSS %ld -> %ld KiB, mappings %ld -> %ld\n", rss0, rss1,
               maps0, maps1);
  CHECK(recovered == 10100);
  CHECK(maps1 == maps0);
  CHECK(rss1 - rss0 < kTrapRssGrowthBoundKiB);
  // Neither signal is left blocked.
  sigset_t mask;
  sigprocmask(SIG_BLOCK, nullptr, &mask);
  CHECK_FALSE(sigismember(&mask, SIGSEGV));
  CHECK_FALSE(sigismember(&mask, SIGBUS));
}
