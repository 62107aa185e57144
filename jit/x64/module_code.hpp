// The x86-64 backend's per-module code, which the engine (jit_engine.cpp) lays out around
// the functions: the entry trampoline, the unwind path, the guard-fault landing pad, the
// lazy entry and the jumps that leave a group of functions (patched once it is placed).
#pragma once

#include <cstdint>

#include "jit/frontend.hpp"
#include "jit/x64/compiler.hpp"
#include "jit/x64/fast_assembler.hpp"

namespace wsvm::jit::x64 {

using Assembler = FastAssembler;  // every holder's assembler

// Jumps to labels never bound (a compiler bug: compile() fails, "jit: unbound label").
inline size_t unbound_jumps(Assembler& a) { return a.pending_jumps(); }

// Host CPU features the instruction emitters use (lzcnt/tzcnt).
bool host_has_lzcnt();

// Every module's own code, ahead of its functions (jit_engine.cpp lays it out): the entry
// trampoline (offset 0, an EntryFn; returns through labels.exit), the unwind path at
// labels.unwind (calls record_trap(JitInstance*) on the live stack, then returns 1 from the
// trampoline; an exception first goes to catch_exception(JitInstance*), which returns the
// handler's code or 0) and the landing pad for guard-page faults.
void emit_trampoline(Assembler& a, ModuleLabels& labels);
void emit_unwind(Assembler& a, ModuleLabels& labels, const void* record_trap,
                 const void* catch_exception);
void emit_landing(Assembler& a, ModuleLabels& labels, Label landing);

// The lazy entry, reached from a stub or thunk with the callee's defined index in r11d:
// calls lazy_compile(JitInstance*, index) -> code (0: failed, *pending set) and jumps to it
// as if called, or traps with the caller innermost.
void emit_lazy_entry(Assembler& a, ModuleLabels& labels, Label entry, const void* lazy_compile);

// A jump to an address known only when the group is placed: returns the offset of the field
// patch_jump fills. Unwind: `jmp rel32`. Thunk to defined function d: eager `jmp rel32` to
// it; lazy `mov r11d, d; jmp [rip + disp32]` through its dispatch table entry.
uint32_t emit_far_jump(Assembler& a);
uint32_t emit_thunk(Assembler& a, uint32_t defined, bool lazy);
void patch_jump(uint8_t* dst, uintptr_t addr, uint32_t field, uintptr_t target);

// A lazy module's stub for defined function d, at address `at` once placed: jumps through the
// dispatch table entry `entry` with d in r11d (the lazy entry's argument).
void emit_lazy_stub(Assembler& a, uint32_t defined, uintptr_t at, uintptr_t entry);
inline constexpr size_t kLazyStubBytes = 12;

}  // namespace wsvm::jit::x64
