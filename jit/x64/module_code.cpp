// The x86-64 per-module code (module_code.hpp): trampoline, unwind, landing pad, lazy entry,
// thunks and stubs.
#include "jit/x64/module_code.hpp"

#include <cstring>

#include "jit/jit_abi.hpp"

namespace wsvm::jit::x64 {

using asmjit::imm;
using namespace asmjit::x86;

bool host_has_lzcnt() { return asmjit::CpuInfo::host().hasFeature(asmjit::CpuFeatures::X86::kLZCNT); }

// entry(ji, mem_base, slots, code, ctx): saves the callee-saved registers, pins r13-r15,
// records rsp for unwinding and calls `code` with rsi = rdi = slots. Returns 0, or 1 when the
// unwind code (a trap) returned through `exit` with rsp = entry_rsp.
void emit_trampoline(Assembler& a, ModuleLabels& labels) {
  a.push(rbp);
  a.push(rbx);
  a.push(r12);
  a.push(r13);
  a.push(r14);
  a.push(r15);
  a.sub(rsp, 8);  // 6 pushes + return address: realign to 16 for the call
  a.mov(r13, rdi);
  a.mov(r14, rsi);
  a.mov(r15, r8);
  a.mov(qword_ptr(r13, kJiEntryRsp), rsp);
  a.mov(rsi, rdx);  // arguments and results (jit_abi.hpp)
  a.mov(rdi, rdx);
  a.call(rcx);
  a.xor_(eax, eax);
  a.bind(labels.exit);
  a.add(rsp, 8);
  a.pop(r15);
  a.pop(r14);
  a.pop(r13);
  a.pop(r12);
  a.pop(rbx);
  a.pop(rbp);
  a.ret();
}

// Each function's trap stubs (compiler.cpp) record where the trap happened and jump here.
// The backtrace is walked first, while the JIT frames are live: record_trap runs on the
// stack below the trapping function's frame pointer (a stack-overflow trap's rsp may be far
// below the limit, its rbp is not: the caller passed the check), realigned for the call.
// Only then does rsp go back to entry_rsp and the trampoline return 1. rbp is always a JIT
// frame here (the lazy entry makes one for its own trap).
// An exception (throw_pc set by the helper that threw; jit/exceptions.hpp) is searched for
// first, by catch_exception on the stack below the throwing frame's rsp (a throw comes right
// after a helper call: rsp is the frame's own, 16-byte aligned), since a handler in that very
// frame needs its slots intact; a handler found is resumed at with its frame's rsp and rbp.
void emit_unwind(Assembler& a, ModuleLabels& labels, const void* record_trap,
                 const void* catch_exception) {
  Label trap = a.newLabel(), done = a.newLabel();
  a.bind(labels.unwind);
  a.cmp(qword_ptr(r13, kJiThrowPc), 0);
  a.je(trap);
  a.mov(rdi, r13);
  a.mov(rax, imm(reinterpret_cast<uint64_t>(catch_exception)));
  a.call(rax);
  a.test(rax, rax);
  a.jz(done);  // uncaught in this entry: recorded as a trap
  a.mov(rsp, qword_ptr(r13, kJiResumeSp));
  a.mov(rbp, qword_ptr(r13, kJiResumeFp));
  a.jmp(rax);
  a.bind(trap);
  a.mov(rsp, rbp);
  a.and_(rsp, imm(-16));
  a.mov(rdi, r13);
  a.mov(rax, imm(reinterpret_cast<uint64_t>(record_trap)));
  a.call(rax);
  a.bind(done);
  a.mov(rsp, qword_ptr(r13, kJiEntryRsp));
  a.mov(eax, 1);
  a.jmp(labels.exit);
}

// Where memory/trap_handler resumes a guard-page fault in this module's code (LandingPad):
// r11 = the faulting pc, every other register as at the fault (r13 = JitInstance*, rbp =
// the faulting function's frame).
void emit_landing(Assembler& a, ModuleLabels& labels, Label landing) {
  a.bind(landing);
  a.mov(dword_ptr(r13, kJiTrapKind), imm(static_cast<uint32_t>(TrapKind::MemoryOutOfBounds)));
  a.mov(qword_ptr(r13, kJiTrapPc), r11);
  a.mov(qword_ptr(r13, kJiTrapRbp), rbp);
  a.jmp(labels.unwind);
}

namespace {
void embed_u32(Assembler& a, uint32_t v) { a.embedUInt32(v); }
}  // namespace


void emit_lazy_entry(Assembler& a, ModuleLabels& labels, Label entry, const void* lazy_compile) {
  Label fail = a.newLabel();
  a.bind(entry);
  a.push(rbp);
  a.mov(rbp, rsp);
  a.push(rsi);  // the callee's arguments and results pointers (jit_abi.hpp)
  a.push(rdi);
  a.mov(rdi, r13);
  a.mov(esi, r11d);
  a.mov(rax, imm(reinterpret_cast<uint64_t>(lazy_compile)));
  a.call(rax);
  a.pop(rdi);
  a.pop(rsi);
  a.pop(rbp);
  a.test(rax, rax);
  a.jz(fail);
  a.jmp(rax);
  a.bind(fail);
  a.push(rbp);  // a frame for the unwind code: [rbp + 8] = the caller's return address
  a.mov(rbp, rsp);
  a.mov(r11, qword_ptr(rbp, 8));
  a.mov(qword_ptr(r13, kJiTrapPc), r11);
  a.mov(r11, qword_ptr(rbp));
  a.mov(qword_ptr(r13, kJiTrapRbp), r11);
  a.jmp(labels.unwind);
}

uint32_t emit_far_jump(Assembler& a) {
  a.embedUInt8(0xE9);  // jmp rel32
  const auto field = static_cast<uint32_t>(a.offset());
  embed_u32(a, 0);
  return field;
}

uint32_t emit_thunk(Assembler& a, uint32_t defined, bool lazy) {
  if (!lazy) return emit_far_jump(a);
  a.embedUInt8(0x41);  // mov r11d, imm32
  a.embedUInt8(0xBB);
  embed_u32(a, defined);
  a.embedUInt8(0xFF);  // jmp [rip + disp32]
  a.embedUInt8(0x25);
  const auto field = static_cast<uint32_t>(a.offset());
  embed_u32(a, 0);
  return field;
}

// rel32 and rip-relative disp32 fields alike count from the end of the field.
void patch_jump(uint8_t* dst, uintptr_t addr, uint32_t field, uintptr_t target) {
  auto rel = static_cast<int32_t>(static_cast<int64_t>(target) - static_cast<int64_t>(addr + field + 4));
  std::memcpy(dst + field, &rel, 4);
}

void emit_lazy_stub(Assembler& a, uint32_t defined, uintptr_t at, uintptr_t entry) {
  a.embedUInt8(0x41);  // mov r11d, d
  a.embedUInt8(0xBB);
  embed_u32(a, defined);
  a.embedUInt8(0xFF);  // jmp [rip + disp32] (the table entry)
  a.embedUInt8(0x25);
  embed_u32(a, static_cast<uint32_t>(static_cast<int32_t>(
                   static_cast<int64_t>(entry) - static_cast<int64_t>(at + kLazyStubBytes))));
}

}  // namespace wsvm::jit::x64
