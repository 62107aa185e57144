// proc_exit, proc_raise, sched_yield.
#include <sched.h>
#include <signal.h>

#include <string>

#include "wasi/preview1/call.hpp"

namespace wsvm::wasi {

constexpr uint32_t kMaxExitCode = 125;

// Unwinds the whole run with TrapKind::Exit; the embedder turns exit_code into the process
// exit status. Never returns to the guest. A code outside 0..125 is a trap, as in wasmtime:
// a process status holds only 8 bits (256 would read as 0, success) and 126 and above are
// the shell's and wsvm's own statuses, so such a code could only mislead the caller.
Errno proc_exit(Call& c, const uint64_t* a) {
  uint32_t code = arg32(a, 0);
  if (code > kMaxExitCode) {
    Trap t = Trap::make(TrapKind::Host);
    t.message = "proc_exit(" + std::to_string(code) + "): exit status outside 0..125";
    c.trap = std::move(t);
    return Errno::Success;
  }
  Trap t = Trap::make(TrapKind::Exit);
  t.exit_code = static_cast<int>(code);
  c.trap = std::move(t);
  return Errno::Success;
}

// Acts out the signal's default disposition without involving the host's signal state:
// signals whose default is to ignore or to stop/continue return success; every other signal
// ends the run like a process killed by it: exit status 128 + the host signal number.
Errno proc_raise(Call& c, const uint64_t* a) {
  uint32_t sig = arg32(a, 0);
  if (sig > kSignalMax) return Errno::Inval;
  // WASI signal numbers 1..30 in order (hup, int, quit, ill, trap, abrt, bus, fpe, kill,
  // usr1, segv, usr2, pipe, alrm, term, chld, cont, stop, tstp, ttin, ttou, urg, xcpu, xfsz,
  // vtalrm, prof, winch, poll, pwr, sys).
  static constexpr int kHost[] = {0, SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS,
                                  SIGFPE, SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM,
                                  SIGTERM, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU,
                                  SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH,
                                  SIGPOLL, SIGPWR, SIGSYS};
  int host = kHost[sig];
  switch (host) {
    case 0: case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
      return Errno::Success;
    default: break;
  }
  Trap t = Trap::make(TrapKind::Exit);
  t.exit_code = 128 + host;
  c.trap = std::move(t);
  return Errno::Success;
}

Errno sched_yield(Call&, const uint64_t*) {
  ::sched_yield();
  return Errno::Success;
}

}  // namespace wsvm::wasi
