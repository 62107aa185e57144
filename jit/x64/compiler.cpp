// The x86-64 primitives the front end emits through (frontend.hpp, "Backend contract"), and
// the front end's instantiation for this backend.
#include "jit/x64/compiler.hpp"

#include <cstring>

#include "jit/frontend_impl.hpp"
#include "jit/jit_abi.hpp"

namespace wsvm::jit {
template class FrontEnd<x64::Compiler, x64::Regs>;
}

namespace wsvm::jit::x64 {

using asmjit::imm;
using namespace asmjit::x86;

namespace {
constexpr int32_t kPlaceholder = 0x7fffffff;  // forces an imm32 encoding; patched later
constexpr uint32_t kPadSlotBytes = 10;  // the longest home load (movsd xmm8, [rsp+d32])

// The n bytes of code at pos, or nullptr when they were never written: code assembled in a
// fixed buffer that overflowed (compile_eager's direct layout) lost instructions, and the
// positions recorded for patching may lie past its end (the group is assembled again).
uint8_t* code_at(Assembler& a, size_t pos, size_t n) {
  asmjit::CodeBuffer& buf = a.code()->textSection()->_buffer;
  return pos + n <= buf.size() ? buf.data() + pos : nullptr;
}

void patch32(Assembler& a, size_t pos, uint32_t v) {
  if (uint8_t* p = code_at(a, pos, 4)) std::memcpy(p, &v, 4);
}

// NOPs of 0-10 bytes (the recommended 0F 1F /0 forms; 66 and 2E prefixes lengthen them).
constexpr uint8_t kNopBytes[11][10] = {
    {}, {0x90}, {0x66, 0x90}, {0x0f, 0x1f, 0x00}, {0x0f, 0x1f, 0x40, 0x00},
    {0x0f, 0x1f, 0x44, 0x00, 0x00}, {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
    {0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00}, {0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00}};
}  // namespace

// ---- moves -----------------------------------------------------------------------------------

void Compiler::load_fp(Xmm x, uint32_t slot, ValType t) {
  if (t == ValType::F64) m_a.movsd(x, home(slot));
  else if (t == ValType::F32) m_a.movss(x, home32(slot));
  else m_a.movups(x, home128(slot));
}

void Compiler::store_fp(uint32_t slot, Xmm x, ValType t) {
  if (t == ValType::V128) m_a.movups(home128(slot), x);
  else m_a.movq(home(slot), x);
}

void Compiler::gp_const(Gp r, uint64_t c) {
  if (c == static_cast<uint32_t>(c)) m_a.mov(r.r32(), imm(static_cast<uint32_t>(c)));
  else m_a.mov(r, imm(c));
}

void Compiler::fp_const(Xmm x, uint64_t c, bool f64) {
  if (c == 0) {
    m_a.xorps(x, x);
  } else if (f64) {
    m_a.mov(r11, imm(c));
    m_a.movq(x, r11);
  } else {
    m_a.mov(r11d, imm(static_cast<uint32_t>(c)));
    m_a.movd(x, r11d);
  }
}

void Compiler::flag_to_gp(Gp r, uint8_t cond) {
  m_a.set(static_cast<CondCode>(cond), gpb_lo(r.id()));
  m_a.movzx(r.r32(), gpb_lo(r.id()));
}

bool Compiler::fits_imm32(const Val& v) const {
  if (v.kind != Kind::Const) return false;
  if (!is64(v.type)) return true;
  return static_cast<int64_t>(v.c) == static_cast<int32_t>(v.c);
}

void Compiler::store_to(const Mem& dst, const Val& v) {
  if (v.type == ValType::V128) {
    Mem d = dst;
    d.setSize(16);
    switch (v.kind) {
      case Kind::Fp: m_a.movups(d, xmm(v.reg)); return;
      case Kind::Const:
        load_v128_const(xmm15, v.c, v.c_hi);
        m_a.movups(d, xmm15);
        return;
      default: return copy_v128(dst, home(v.slot));
    }
  }
  switch (v.kind) {
    case Kind::Reg:
      m_a.mov(dst, gpq(v.reg));
      return;
    case Kind::Fp:
      m_a.movq(dst, xmm(v.reg));
      return;
    case Kind::Const:
      if (static_cast<int64_t>(v.c) == static_cast<int32_t>(v.c)) {
        m_a.mov(dst, imm(static_cast<int32_t>(v.c)));
      } else {
        m_a.mov(r11, imm(v.c));
        m_a.mov(dst, r11);
      }
      return;
    case Kind::Mem:
      m_a.mov(r11, home(v.slot));
      m_a.mov(dst, r11);
      return;
    case Kind::Flags:
      m_a.set(static_cast<CondCode>(v.cond), r11b);
      m_a.movzx(r11d, r11b);
      m_a.mov(dst, r11);
      return;
  }
}

// Results go to the caller's slot area (r11, begin_results). Later results may still be in
// registers (no spill before a return): copies go through xmm15, never a GP register.
void Compiler::store_result(uint32_t index, const Val& v) {
  Mem d = qword_ptr(r11, static_cast<int32_t>(8 * index));
  if (v.type == ValType::V128) return store_to(d, v);  // xmm15 only
  switch (v.kind) {
    case Kind::Reg: m_a.mov(d, gpq(v.reg)); break;
    case Kind::Fp: m_a.movq(d, xmm(v.reg)); break;
    case Kind::Mem: m_a.movq(xmm15, home(v.slot)); m_a.movq(d, xmm15); break;
    case Kind::Const:
      if (static_cast<int64_t>(v.c) == static_cast<int32_t>(v.c)) {
        m_a.mov(d, imm(static_cast<int32_t>(v.c)));
      } else {
        m_a.mov(dword_ptr(r11, static_cast<int32_t>(8 * index)), imm(static_cast<uint32_t>(v.c)));
        m_a.mov(dword_ptr(r11, static_cast<int32_t>(8 * index + 4)), imm(static_cast<uint32_t>(v.c >> 32)));
      }
      break;
    case Kind::Flags:
      m_a.set(static_cast<CondCode>(v.cond), al);
      m_a.movzx(eax, al);
      m_a.mov(d, rax);
      break;
  }
}

asmjit::Operand Compiler::float_src(Val& v, bool f64) {
  switch (v.kind) {
    case Kind::Fp:
      return xmm(v.reg);
    case Kind::Mem:
      return f64 ? home(v.slot) : home32(v.slot);
    case Kind::Reg:
      if (f64) m_a.movq(xmm15, gpq(v.reg));
      else m_a.movd(xmm15, gpd(v.reg));
      return xmm15;
    default:
      if (f64) {
        m_a.mov(r11, imm(v.c));
        m_a.movq(xmm15, r11);
      } else {
        m_a.mov(r11d, imm(static_cast<uint32_t>(v.c)));
        m_a.movd(xmm15, r11d);
      }
      return xmm15;
  }
}

// ---- control ---------------------------------------------------------------------------------

void Compiler::branch_reg(Gp r, Label l, bool nonzero) {
  m_a.test(r.r32(), r.r32());
  if (nonzero) m_a.jnz(l);
  else m_a.jz(l);
}

void Compiler::branch_home(uint32_t slot, Label l, bool nonzero) {
  m_a.cmp(home32(slot), 0);
  if (nonzero) m_a.jne(l);
  else m_a.je(l);
}

void Compiler::jump_table(Gp r, const std::vector<Label>& entries, Label dflt) {
  Label table = m_a.new_local_label();
  m_a.cmp(r.r32(), imm(static_cast<uint32_t>(entries.size())));
  m_a.jae(dflt);
  m_a.lea(r11, ptr(table));
  m_a.movsxd(r, dword_ptr(r11, r, 2));
  m_a.add(r, r11);
  m_a.jmp(r);
  m_a.bind(table);
  for (const Label& l : entries) m_a.embedLabelDelta(l, table, 4);
}

// ---- loop preheader pads ---------------------------------------------------------------------

void Compiler::pad() {
  for (uint8_t k = 0; k < Regs::kPadSlots; ++k) m_a.embed(kNopBytes[kPadSlotBytes], kPadSlotBytes);
}

bool Compiler::pad_load(size_t pos, uint32_t index, int r, bool x, ValType t, uint32_t slot) {
  // Encoded by hand into the slot (the rest stays NOPs): [prefix] [REX] 0F 10 / 8B,
  // ModRM mod=10 rm=100 (SIB: base rsp), disp32.
  uint8_t code[kPadSlotBytes];
  uint32_t n = 0;
  uint32_t disp = slot * 8;
  bool hi = r >= 8;
  if (x) {
    if (t == ValType::F32) code[n++] = 0xf3;
    else if (t == ValType::F64) code[n++] = 0xf2;
    if (hi) code[n++] = 0x44;
    code[n++] = 0x0f;
    code[n++] = 0x10;
  } else {
    uint8_t rex = static_cast<uint8_t>((t == ValType::I64 ? 0x48 : 0x40) | (hi ? 0x04 : 0));
    if (rex != 0x40) code[n++] = rex;
    code[n++] = 0x8b;
  }
  code[n++] = static_cast<uint8_t>(0x80 | ((r & 7) << 3) | 4);
  code[n++] = 0x24;
  std::memcpy(code + n, &disp, 4);
  n += 4;
  uint8_t* buf = code_at(m_a, pos + size_t{kPadSlotBytes} * index, kPadSlotBytes);
  if (buf == nullptr) return false;
  std::memcpy(buf, code, n);
  // The slot's tail: one NOP of the remaining length (0F 1F /0 forms, 66 for the odd ones).
  std::memcpy(buf + n, kNopBytes[kPadSlotBytes - n], kPadSlotBytes - n);
  return true;
}

void Compiler::pad_skip(size_t pos, uint32_t used) {
  if (uint8_t* buf = code_at(m_a, pos + size_t{kPadSlotBytes} * used, 2)) {
    buf[0] = 0xeb;  // jmp rel8
    buf[1] = static_cast<uint8_t>(kPadSlotBytes * (Regs::kPadSlots - used) - 2);
  }
}

// ---- traps, calls, limits --------------------------------------------------------------------

void Compiler::trap_stub(Label at, TrapKind kind, Label unwind) {
  m_a.bind(at);
  m_a.mov(dword_ptr(r13, kJiTrapKind), imm(static_cast<uint32_t>(kind)));
  m_a.jmp(unwind);
}

void Compiler::stack_trap_stub(Label at) {
  m_a.bind(at);
  m_a.mov(dword_ptr(r13, kJiTrapKind), imm(static_cast<uint32_t>(TrapKind::CallStackExhausted)));
  m_a.mov(r11, qword_ptr(rbp, 8));
  m_a.mov(qword_ptr(r13, kJiTrapPc), r11);
  m_a.mov(r11, qword_ptr(rbp));
  m_a.mov(qword_ptr(r13, kJiTrapRbp), r11);
  m_a.jmp(m_labels.unwind);
}

void Compiler::unwind_stub(Label at) {
  m_a.bind(at);
  m_a.lea(r11, ptr(at));
  m_a.mov(qword_ptr(r13, kJiTrapPc), r11);
  m_a.mov(qword_ptr(r13, kJiTrapRbp), rbp);
  m_a.jmp(m_labels.unwind);
}

void Compiler::branch_if_trapped(Label unwind) {
  m_a.cmp(dword_ptr(r13, kJiTrapped), 0);
  m_a.jne(unwind);
}

void Compiler::call_raw(const void* fn) {
  m_a.mov(rax, imm(reinterpret_cast<uint64_t>(fn)));
  m_a.call(rax);
  m_last_call = static_cast<uint32_t>(m_a.offset());
}

void Compiler::call_import(uint32_t func_index, uint32_t arg_slot, Label unwind) {
  m_a.mov(rdi, r13);
  m_a.mov(esi, imm(func_index));
  m_a.lea(rdx, home(arg_slot));
  call_raw(reinterpret_cast<const void*>(&helpers::call_import));
  m_a.test(eax, eax);
  m_a.jnz(unwind);
}

void Compiler::call_direct(Label fn, uint32_t arg_slot) {
  m_a.lea(rsi, home(arg_slot));
  m_a.mov(rdi, rsi);
  m_a.call(fn);
}

// A tail call's hand-over (jit_abi.hpp): the n argument slots at arg_slot go to
// JitInstance::tail_args (rsi), this function's results pointer to rdi; then this frame is
// left as the epilogue leaves it, and the caller's jump enters the callee with the return
// address of this function's caller on top. rax is kept (an indirect callee's code).
void Compiler::leave_for_tail_call(uint32_t arg_slot, uint32_t n) {
  m_a.mov(rdi, qword_ptr(r13, kJiTailArgs));
  if (n <= 16) {
    for (uint32_t k = 0; k < n; ++k) {
      m_a.mov(r11, home(arg_slot + k));
      m_a.mov(qword_ptr(rdi, static_cast<int32_t>(8 * k)), r11);
    }
  } else {
    m_a.lea(rsi, home(arg_slot));
    m_a.mov(ecx, imm(n));
    m_a.rep().movsq();
    m_a.mov(rdi, qword_ptr(r13, kJiTailArgs));
  }
  m_a.mov(rsi, rdi);
  m_a.mov(rdi, qword_ptr(rbp, -8));
  m_a.dec(dword_ptr(r15, ctx_call_depth_offset()));
  m_a.leave();
}

void Compiler::tail_call_direct(Label fn, uint32_t arg_slot, uint32_t n) {
  leave_for_tail_call(arg_slot, n);
  m_a.jmp(fn);
}

// helper(ji, a, b, callee, slots): helpers::call_indirect (a = table, b = type index, callee =
// the element) or helpers::call_ref (callee = the reference). rax = code to call natively, 0
// when the helper made the call, 1 on a trap (jumps to unwind). Returns the label the "call
// was made" case jumps to.
//
// Inline first (every value is in its home here, so rax/rcx/r11 are free): a callee of this
// instance whose type is the module's type b (call_indirect) is resolved without the helper;
// anything else (out of bounds, null, another instance, a type equal only structurally, a
// trap to raise) takes the helper, which decides.
Label Compiler::resolve_callee(const void* helper, uint32_t a, uint32_t b, const Val& elem,
                               uint32_t arg_slot, Label unwind) {
  const CalleeLayout& l = callee_layout();
  const bool by_ref = helper == reinterpret_cast<const void*>(&helpers::call_ref);
  Label slow = m_a.new_local_label(), resolved = m_a.new_local_label();
  if (l.ok) {
    if (by_ref) {  // the reference
      if (elem.kind == Kind::Const) m_a.mov(rax, imm(elem.c));
      else m_a.mov(rax, home(elem.slot));
    } else {  // the element index (an i32: its home's low half), then the element
      if (elem.kind == Kind::Const) m_a.mov(eax, imm(static_cast<uint32_t>(elem.c)));
      else m_a.mov(eax, dword_ptr(rsp, static_cast<int32_t>(elem.slot * 8)));
      m_a.mov(r11, qword_ptr(r13, kJiTables));
      m_a.mov(r11, qword_ptr(r11, static_cast<int32_t>(8 * a)));
      m_a.mov(rcx, qword_ptr(r11, l.table_elems_end));
      m_a.mov(r11, qword_ptr(r11, l.table_elems_begin));
      m_a.sub(rcx, r11);
      m_a.shr(rcx, imm(3));
      m_a.cmp(rax, rcx);
      m_a.jae(slow);
      m_a.mov(rax, qword_ptr(r11, rax, 3));
    }
    m_a.test(rax, rax);
    m_a.jz(slow);
    m_a.mov(r11, qword_ptr(r13, kJiInst));
    m_a.cmp(qword_ptr(rax, l.func_instance), r11);
    m_a.jne(slow);
    if (!by_ref) {
      m_a.mov(r11, qword_ptr(r13, kJiTypes));
      m_a.mov(rcx, imm(uint64_t{b} * static_cast<uint32_t>(l.func_type_size)));
      m_a.add(r11, rcx);
      m_a.cmp(qword_ptr(rax, l.func_type), r11);
      m_a.jne(slow);
    }
    m_a.mov(rax, qword_ptr(rax, l.func_code));
    m_a.jmp(resolved);
    m_a.bind(slow);
  }
  m_a.mov(rdi, r13);
  m_a.mov(esi, imm(a));
  m_a.mov(edx, imm(b));
  if (elem.kind == Kind::Const) m_a.mov(rcx, imm(elem.c));
  else m_a.mov(rcx, home(elem.slot));
  m_a.lea(r8, home(arg_slot));
  call_raw(helper);
  Label done = m_a.new_local_label();
  m_a.cmp(rax, 1);
  m_a.je(unwind);
  m_a.jb(done);
  m_a.bind(resolved);
  return done;
}

void Compiler::call_resolved(Label done, uint32_t arg_slot) {
  m_a.lea(rsi, home(arg_slot));
  m_a.mov(rdi, rsi);
  m_a.call(rax);
  m_a.bind(done);
}

// Falls through when the callee was not this instance's JIT code: the helper called it and
// its results are in the argument area.
void Compiler::tail_call_resolved(Label done, uint32_t arg_slot, uint32_t n) {
  leave_for_tail_call(arg_slot, n);
  m_a.jmp(rax);
  m_a.bind(done);
}

void Compiler::branch_if_interrupted(Label trap) {
  m_a.cmp(dword_ptr(r15, ctx_interrupt_offset()), 0);
  m_a.jne(trap);
}

void Compiler::fuel_charge(Label out_of_fuel, size_t patch[2]) {
  m_a.cmp(qword_ptr(r15, ctx_fuel_offset()), imm(kPlaceholder));
  patch[0] = m_a.offset() - 4;
  m_a.jl(out_of_fuel);
  m_a.sub(qword_ptr(r15, ctx_fuel_offset()), imm(kPlaceholder));
  patch[1] = m_a.offset() - 4;
}

void Compiler::fuel_patch(const size_t patch[2], uint32_t cost) {
  patch32(m_a, patch[0], cost);
  patch32(m_a, patch[1], cost);
}

// ---- function frame --------------------------------------------------------------------------

void Compiler::begin_function_data() {
  m_fold.valid = false;
  m_pool.clear();
  // a fresh map: clear() costs the bucket count, which a huge earlier function set
  if (!m_pool_index.empty()) m_pool_index = {};
}

void Compiler::prologue(Label entry, Label stack_trap) {
  m_a.bind(entry);
  m_a.push(rbp);
  m_a.mov(rbp, rsp);
  m_a.sub(rsp, imm(kPlaceholder));
  m_frame_patch = m_a.offset() - 4;
  m_a.cmp(rsp, qword_ptr(r13, kJiStackLimit));
  m_a.jb(stack_trap);
  m_a.mov(qword_ptr(rbp, -8), rdi);  // the results pointer
  m_a.mov(eax, dword_ptr(r15, ctx_call_depth_offset()));
  m_a.cmp(eax, dword_ptr(r13, kJiMaxDepth));
  m_a.jae(stack_trap);
  m_a.inc(eax);
  m_a.mov(dword_ptr(r15, ctx_call_depth_offset()), eax);
}

void Compiler::init_locals(uint32_t param_slots, uint32_t local_slots) {
  for (uint32_t k = 0; k < param_slots; ++k) {
    m_a.mov(r11, qword_ptr(rsi, static_cast<int32_t>(8 * k)));
    m_a.mov(home(k), r11);
  }
  if (local_slots > param_slots) {
    uint32_t n = local_slots - param_slots;
    if (n <= 16) {
      m_a.xor_(r11d, r11d);
      for (uint32_t k = param_slots; k < local_slots; ++k) m_a.mov(home(k), r11);
    } else {
      m_a.lea(rdi, home(param_slots));
      m_a.mov(ecx, imm(n));
      m_a.xor_(eax, eax);
      m_a.rep().stosq();
    }
  }
}

void Compiler::epilogue(Label label) {
  if (label.isValid()) m_a.bind(label);
  m_a.dec(dword_ptr(r15, ctx_call_depth_offset()));
  m_a.leave();
  m_a.ret();
}

bool Compiler::set_frame(uint64_t frame) {
  if (frame > 0x7fff0000) return false;
  patch32(m_a, m_frame_patch, static_cast<uint32_t>(frame));
  return true;
}

}  // namespace wsvm::jit::x64
