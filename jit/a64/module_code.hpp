// The AArch64 backend's per-module code (x64/module_code.hpp is the contract): entry
// trampoline, unwind path, guard-fault landing pad, lazy entry, far jumps, thunks and lazy
// stubs. Far jumps and thunks load their target from an 8-byte literal (patched once the
// group is placed) and branch through x17: any distance, no veneers.
#pragma once

#include <cstdint>

#include "jit/a64/compiler.hpp"
#include "jit/frontend.hpp"

namespace wsvm::jit::a64 {

using Assembler = aj::Assembler;

bool host_has_lzcnt();
inline size_t unbound_jumps(Assembler& a) { return a.code()->hasUnresolvedLinks() ? 1 : 0; }  // (x86-64's question; clz is always there)

void emit_trampoline(Assembler& a, ModuleLabels& labels);
// (An exception first goes to catch_exception, on the stack below the throwing frame's sp:
// x64/module_code.cpp.)
void emit_unwind(Assembler& a, ModuleLabels& labels, const void* record_trap,
                 const void* catch_exception);
void emit_landing(Assembler& a, ModuleLabels& labels, Label landing);
void emit_lazy_entry(Assembler& a, ModuleLabels& labels, Label entry, const void* lazy_compile);
uint32_t emit_far_jump(Assembler& a);
uint32_t emit_thunk(Assembler& a, uint32_t defined, bool lazy);
void patch_jump(uint8_t* dst, uintptr_t addr, uint32_t field, uintptr_t target);
void emit_lazy_stub(Assembler& a, uint32_t defined, uintptr_t at, uintptr_t entry);
inline constexpr size_t kLazyStubBytes = 32;

}  // namespace wsvm::jit::a64
