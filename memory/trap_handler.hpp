// Signal-based trap recovery (DESIGN principle 7): an out-of-bounds access to a linear memory
// lands in its PROT_NONE reservation and raises SIGSEGV/SIGBUS; the handler jumps back to the
// innermost recovery scope on the faulting thread, which reports the fault as a value.
//
// Only faults whose address lies in a live reservation (reservation_registry.hpp) and that
// happen inside a recovery scope are recovered. Every other fault (a bug in wsvm, a null
// pointer, a stack overflow) is handed to the previous handler, or to the default action,
// so the process still crashes loudly.
#pragma once

#include <cstdint>

namespace wsvm::memory {

struct TrapInfo {
  const void* fault_address = nullptr;
  int signal = 0;  // SIGSEGV or SIGBUS
  // The faulting instruction and its frame pointer (x86-64 and AArch64 Linux; null
  // elsewhere): a JIT maps them to wasm functions for the trap's backtrace.
  const void* pc = nullptr;
  const void* frame_pointer = nullptr;
};

// Installs the SIGSEGV/SIGBUS handlers once per process (later calls do nothing) and an
// alternate signal stack for the calling thread. Returns false if sigaction failed.
bool install_trap_handler();

// Ensures the calling thread has an alternate signal stack (the handler must run even when
// the fault is a native stack overflow). run_with_trap_recovery calls it; cheap after once.
void ensure_thread_signal_stack();

// Runs fn(arg). Returns true when it returned normally; false when it faulted inside a wasm
// reservation, with the fault in *out (if non-null). Scopes nest: the innermost one on the
// faulting thread receives the fault. Code run by fn must tolerate being abandoned by a
// non-local jump (no destructors run between the fault and this scope), so engines keep
// owned resources outside the scope. install_trap_handler() must have been called.
bool run_with_trap_recovery(void (*fn)(void*), void* arg, TrapInfo* out);

// Convenience for lambdas: run_with_trap_recovery over any callable.
template <class F>
bool with_trap_recovery(F&& f, TrapInfo* out) {
  return run_with_trap_recovery([](void* p) { (*static_cast<F*>(p))(); },
                                const_cast<void*>(static_cast<const void*>(&f)), out);
}

// A landing pad for generated code (V8's trap-handler design): when a recovered fault's pc
// lies in [begin, end), the handler does not jump back to the scope. It rewrites the
// interrupted context instead, so that the thread resumes at `landing` with the faulting pc
// in r11 on x86-64, x16 on AArch64 (every other register, the stack and frame pointers
// included, as they were at the fault) and returns from the signal. Code at `landing` can
// thus inspect the live stack (a JIT's backtrace walk) before unwinding by itself. x86-64
// and AArch64 Linux; elsewhere the pad is ignored and the scope's jump is taken. Faults
// with a pc outside the range still jump.
struct LandingPad {
  uintptr_t begin = 0;
  uintptr_t end = 0;
  uintptr_t landing = 0;
};

// run_with_trap_recovery with a landing pad (nullptr: none). The pad must stay valid for the
// whole call.
bool run_with_trap_recovery(void (*fn)(void*), void* arg, TrapInfo* out, const LandingPad* pad);

template <class F>
bool with_trap_recovery(F&& f, TrapInfo* out, const LandingPad& pad) {
  return run_with_trap_recovery([](void* p) { (*static_cast<F*>(p))(); },
                                const_cast<void*>(static_cast<const void*>(&f)), out, &pad);
}

}  // namespace wsvm::memory
