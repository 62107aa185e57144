// The AArch64 per-module code (module_code.hpp).
#include "jit/a64/module_code.hpp"

#include <cstring>

#include "jit/jit_abi.hpp"

namespace wsvm::jit::a64 {

using namespace asmjit::a64;
using asmjit::imm;

bool host_has_lzcnt() { return false; }

namespace {

void mov_imm64(Assembler& a, const Gp& r, uint64_t c) {
  a.movz(r, imm(c & 0xffff), imm(0));
  for (int i = 1; i < 4; ++i)
    if ((c >> (16 * i)) & 0xffff) a.movk(r, imm((c >> (16 * i)) & 0xffff), imm(16 * i));
}

}  // namespace

// entry(ji = x0, mem_base = x1, slots = x2, code = x3, ctx = x4): saves x19-x28 and d8-d15
// (callee-saved in AAPCS64; JIT code clobbers them), pins x19-x21, records sp for unwinding
// and calls `code` with x1 = x2 = slots. Returns 0, or 1 when the unwind code (a trap) returned
// through `exit` with sp = entry sp.
void emit_trampoline(Assembler& a, ModuleLabels& labels) {
  a.stp(x29, x30, ptr_pre(sp, -160));
  a.mov(x29, sp);
  a.stp(x19, x20, ptr(sp, 16));
  a.stp(x21, x22, ptr(sp, 32));
  a.stp(x23, x24, ptr(sp, 48));
  a.stp(x25, x26, ptr(sp, 64));
  a.stp(x27, x28, ptr(sp, 80));
  a.stp(d8, d9, ptr(sp, 96));
  a.stp(d10, d11, ptr(sp, 112));
  a.stp(d12, d13, ptr(sp, 128));
  a.stp(d14, d15, ptr(sp, 144));
  a.mov(x19, x0);
  a.mov(x20, x1);
  a.mov(x21, x4);
  a.mov(x16, sp);
  a.str(x16, ptr(x19, kJiEntryRsp));
  a.mov(x1, x2);  // arguments and results (jit_abi.hpp)
  a.blr(x3);
  a.mov(w0, wzr);
  a.bind(labels.exit);
  a.ldp(d14, d15, ptr(sp, 144));
  a.ldp(d12, d13, ptr(sp, 128));
  a.ldp(d10, d11, ptr(sp, 112));
  a.ldp(d8, d9, ptr(sp, 96));
  a.ldp(x27, x28, ptr(sp, 80));
  a.ldp(x25, x26, ptr(sp, 64));
  a.ldp(x23, x24, ptr(sp, 48));
  a.ldp(x21, x22, ptr(sp, 32));
  a.ldp(x19, x20, ptr(sp, 16));
  a.ldp(x29, x30, ptr_post(sp, 160));
  a.ret(x30);
}

// The trap stubs jump here: record_trap runs on the stack below the trapping frame's x29
// (its frame record and its callers' stay intact for the backtrace walk); then sp goes back
// to the entry's and the trampoline returns 1. An exception (throw_pc set) is searched for
// first by catch_exception below the throwing frame's sp, which a handler in that frame
// needs intact; a handler found is resumed at with its frame's sp and x29.
void emit_unwind(Assembler& a, ModuleLabels& labels, const void* record_trap,
                 const void* catch_exception) {
  Label trap = a.newLabel(), done = a.newLabel();
  a.bind(labels.unwind);
  a.ldr(x16, ptr(x19, kJiThrowPc));
  a.cbz(x16, trap);
  a.mov(x0, x19);
  mov_imm64(a, x16, reinterpret_cast<uint64_t>(catch_exception));
  a.blr(x16);
  a.cbz(x0, done);  // uncaught in this entry: recorded as a trap
  a.ldr(x16, ptr(x19, kJiResumeSp));
  a.mov(sp, x16);
  a.ldr(x29, ptr(x19, kJiResumeFp));
  a.br(x0);
  a.bind(trap);
  a.mov(sp, x29);
  a.mov(x0, x19);
  mov_imm64(a, x16, reinterpret_cast<uint64_t>(record_trap));
  a.blr(x16);
  a.bind(done);
  a.ldr(x16, ptr(x19, kJiEntryRsp));
  a.mov(sp, x16);
  a.mov(w0, 1);
  a.b(labels.exit);
}

// memory/trap_handler resumes a guard-page fault here with x16 = the faulting pc and every
// other register as at the fault (x19 = JitInstance*, x29 = the faulting function's frame).
void emit_landing(Assembler& a, ModuleLabels& labels, Label landing) {
  a.bind(landing);
  a.mov(w17, static_cast<uint32_t>(TrapKind::MemoryOutOfBounds));
  a.str(w17, ptr(x19, kJiTrapKind));
  a.str(x16, ptr(x19, kJiTrapPc));
  a.str(x29, ptr(x19, kJiTrapRbp));
  a.b(labels.unwind);
}

namespace {

// ldr x17, literal; br x17; literal: 8 bytes (returned: its offset).
uint32_t far_jump_via_x17(Assembler& a) {
  a.embedUInt32(0x58000051);  // ldr x17, #8
  a.embedUInt32(0xd61f0220);  // br x17
  const auto field = static_cast<uint32_t>(a.offset());
  a.embedUInt64(0);
  return field;
}

}  // namespace


// Reached from a stub or thunk with the callee's defined index in w16, x30 = the caller's
// return address, x1/x2 = the arguments/results pointers.
void emit_lazy_entry(Assembler& a, ModuleLabels& labels, Label entry, const void* lazy_compile) {
  Label fail = a.newLabel();
  a.bind(entry);
  a.stp(x29, x30, ptr_pre(sp, -32));
  a.mov(x29, sp);
  a.stp(x1, x2, ptr(sp, 16));  // the callee's arguments and results pointers
  a.mov(x0, x19);
  a.mov(w1, w16);
  mov_imm64(a, x16, reinterpret_cast<uint64_t>(lazy_compile));
  a.blr(x16);
  a.ldp(x1, x2, ptr(sp, 16));
  a.ldp(x29, x30, ptr_post(sp, 32));
  a.cbz(x0, fail);
  a.br(x0);
  a.bind(fail);
  a.stp(x29, x30, ptr_pre(sp, -16));  // a frame record for the unwind code
  a.mov(x29, sp);
  a.ldr(x16, ptr(x29, 8));
  a.str(x16, ptr(x19, kJiTrapPc));
  a.ldr(x16, ptr(x29));
  a.str(x16, ptr(x19, kJiTrapRbp));
  a.b(labels.unwind);
}

uint32_t emit_far_jump(Assembler& a) { return far_jump_via_x17(a); }

// Lazy: movz/movk w16 = d, then x17 = the table entry's address (literal), its content, br.
uint32_t emit_thunk(Assembler& a, uint32_t defined, bool lazy) {
  if (!lazy) return far_jump_via_x17(a);
  a.movz(w16, imm(defined & 0xffff), imm(0));
  a.movk(w16, imm(defined >> 16), imm(16));
  a.embedUInt32(0x58000071);  // ldr x17, #12
  a.embedUInt32(0xf9400231);  // ldr x17, [x17]
  a.embedUInt32(0xd61f0220);  // br x17
  const auto field = static_cast<uint32_t>(a.offset());
  a.embedUInt64(0);
  return field;
}

// Every field is an absolute 8-byte address.
void patch_jump(uint8_t* dst, uintptr_t, uint32_t field, uintptr_t target) {
  const uint64_t t = target;
  std::memcpy(dst + field, &t, 8);
}

void emit_lazy_stub(Assembler& a, uint32_t defined, uintptr_t, uintptr_t entry) {
  a.movz(w16, imm(defined & 0xffff), imm(0));
  a.movk(w16, imm(defined >> 16), imm(16));
  a.embedUInt32(0x58000091);  // ldr x17, #16 (the literal, after the nop)
  a.embedUInt32(0xf9400231);  // ldr x17, [x17]
  a.embedUInt32(0xd61f0220);  // br x17
  a.embedUInt32(0xd503201f);  // nop: the stub is kLazyStubBytes
  a.embedUInt64(entry);
}

}  // namespace wsvm::jit::a64
