#include "memory/trap_handler.hpp"

#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>

#include "memory/reservation_registry.hpp"

namespace wsvm::memory {
namespace {

struct RecoveryScope {
  sigjmp_buf env;
  RecoveryScope* prev = nullptr;
  TrapInfo info;
  const LandingPad* pad = nullptr;  // generated code that unwinds by itself (or null)
};

// Innermost active scope of this thread. initial-exec TLS: reading it in a signal handler
// never allocates.
thread_local RecoveryScope* t_current __attribute__((tls_model("initial-exec"))) = nullptr;

struct sigaction g_prev_segv;
struct sigaction g_prev_bus;
std::once_flag g_install_once;
std::atomic<bool> g_installed{false};

// Gives the previous disposition the fault: chain to a previous handler, else restore the
// default action so the fault kills the process.
void forward_fault(int sig, siginfo_t* info, void* ctx) {
  const struct sigaction& prev = sig == SIGBUS ? g_prev_bus : g_prev_segv;
  if ((prev.sa_flags & SA_SIGINFO) && prev.sa_sigaction) {
    prev.sa_sigaction(sig, info, ctx);
    return;
  }
  if (!(prev.sa_flags & SA_SIGINFO) && prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN) {
    prev.sa_handler(sig);
    return;
  }
  // SIG_DFL (or SIG_IGN, which for a real fault would loop forever): die of the signal.
  signal(sig, SIG_DFL);
  // A hardware fault re-executes the instruction on return and faults again, now fatally;
  // a signal sent by kill()/raise() (si_code <= 0) would not, so send it again.
  if (info == nullptr || info->si_code <= 0) raise(sig);
}

// The interrupted context's pc and frame pointer, and the landing pad's rewrite of it
// (LandingPad: x86-64 r11, AArch64 x16 = the faulting pc).
#if defined(__linux__) && defined(__x86_64__)
uint64_t context_pc(const ucontext_t& uc) { return static_cast<uint64_t>(uc.uc_mcontext.gregs[REG_RIP]); }
uint64_t context_fp(const ucontext_t& uc) { return static_cast<uint64_t>(uc.uc_mcontext.gregs[REG_RBP]); }
void resume_at_landing(ucontext_t& uc, uintptr_t pc, uintptr_t landing) {
  uc.uc_mcontext.gregs[REG_R11] = static_cast<greg_t>(pc);
  uc.uc_mcontext.gregs[REG_RIP] = static_cast<greg_t>(landing);
}
#elif defined(__linux__) && defined(__aarch64__)
uint64_t context_pc(const ucontext_t& uc) { return uc.uc_mcontext.pc; }
uint64_t context_fp(const ucontext_t& uc) { return uc.uc_mcontext.regs[29]; }
void resume_at_landing(ucontext_t& uc, uintptr_t pc, uintptr_t landing) {
  uc.uc_mcontext.regs[16] = pc;
  uc.uc_mcontext.pc = landing;
}
#endif

void handle_fault(int sig, siginfo_t* info, void* ctx) {
  RecoveryScope* scope = t_current;
  if (scope != nullptr && info != nullptr && info->si_code > 0 &&
      address_in_any_reservation(info->si_addr)) {
    scope->info.fault_address = info->si_addr;
    scope->info.signal = sig;
#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
    if (ctx != nullptr) {
      auto* uc = static_cast<ucontext_t*>(ctx);
      const auto pc = static_cast<uintptr_t>(context_pc(*uc));
      scope->info.pc = reinterpret_cast<const void*>(pc);
      scope->info.frame_pointer = reinterpret_cast<const void*>(context_fp(*uc));
      // A fault inside the scope's generated code resumes at its landing pad (no jump: the
      // code's frames stay live for it): pc = landing, the faulting pc in the pad's register.
      const LandingPad* pad = scope->pad;
      if (pad != nullptr && pc >= pad->begin && pc < pad->end) {
        resume_at_landing(*uc, pc, pad->landing);
        return;
      }
    }
#endif
    // SA_NODEFER keeps the signal unblocked while we run, so leaving by a jump that does not
    // restore the mask (cheap: no syscall at scope entry) leaves the thread's mask intact.
    siglongjmp(scope->env, 1);
  }
  forward_fault(sig, info, ctx);
}

// Per-thread alternate stack, freed when the thread ends.
struct ThreadSignalStack {
  void* mem = nullptr;
  size_t size = 0;
  bool ready = false;
  ~ThreadSignalStack() {
    if (!mem) return;
    stack_t disable{};
    disable.ss_flags = SS_DISABLE;
    stack_t cur{};
    // Only disable it if it is still ours (someone may have installed another since).
    if (sigaltstack(nullptr, &cur) == 0 && cur.ss_sp == mem) sigaltstack(&disable, nullptr);
    munmap(mem, size);
  }
};
thread_local ThreadSignalStack t_stack;

}  // namespace

void ensure_thread_signal_stack() {
  if (t_stack.ready) return;
  t_stack.ready = true;
  stack_t cur{};
  // Keep an existing alternate stack if it is big enough (e.g. a sanitizer's).
  size_t want = 64 * 1024;
  if (sigaltstack(nullptr, &cur) == 0 && !(cur.ss_flags & SS_DISABLE) && cur.ss_size >= want)
    return;
  void* mem = mmap(nullptr, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return;
  stack_t ss{};
  ss.ss_sp = mem;
  ss.ss_size = want;
  if (sigaltstack(&ss, nullptr) != 0) {
    munmap(mem, want);
    return;
  }
  t_stack.mem = mem;
  t_stack.size = want;
}

bool install_trap_handler() {
  std::call_once(g_install_once, [] {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handle_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    bool ok = sigaction(SIGSEGV, &sa, &g_prev_segv) == 0;
    ok = ok && sigaction(SIGBUS, &sa, &g_prev_bus) == 0;
    g_installed.store(ok, std::memory_order_release);
  });
  ensure_thread_signal_stack();
  return g_installed.load(std::memory_order_acquire);
}

bool run_with_trap_recovery(void (*fn)(void*), void* arg, TrapInfo* out) {
  return run_with_trap_recovery(fn, arg, out, nullptr);
}

bool run_with_trap_recovery(void (*fn)(void*), void* arg, TrapInfo* out, const LandingPad* pad) {
  ensure_thread_signal_stack();
  RecoveryScope scope;
  scope.prev = t_current;
  scope.pad = pad;
  // savemask = 0: see handle_fault (SA_NODEFER) for why the mask needs no restoring.
  if (sigsetjmp(scope.env, 0) == 0) {
    t_current = &scope;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    fn(arg);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    t_current = scope.prev;
    return true;
  }
  t_current = scope.prev;
  if (out) *out = scope.info;
  return false;
}

}  // namespace wsvm::memory
