// The AArch64 primitives the front end emits through (frontend.hpp, "Backend contract"), and
// the front end's instantiation for this backend.
#include "jit/a64/compiler.hpp"

#include <cstring>

#include "jit/frontend_impl.hpp"
#include "jit/jit_abi.hpp"

namespace wsvm::jit {
template class FrontEnd<a64::Compiler, a64::Regs>;
}

namespace wsvm::jit::a64 {

using namespace asmjit::a64;
using asmjit::imm;
using CC = asmjit::arm::CondCode;

namespace {
// The n bytes of code at pos, or nullptr when they were never written (a fixed buffer that
// overflowed: the group is assembled again).
uint8_t* code_at(aj::Assembler& a, size_t pos, size_t n) {
  asmjit::CodeBuffer& buf = a.code()->textSection()->_buffer;
  return pos + n <= buf.size() ? buf.data() + pos : nullptr;
}
// Homes reachable with a scaled unsigned 12-bit offset for every access size up to 8 bytes.
constexpr uint32_t kHomeReach = 4095 * 4;
}  // namespace

// ---- immediates and addresses ----------------------------------------------------------------

void Compiler::mov_imm(Gp r, uint64_t c) {
  const bool wide = r.isGpX();
  if (!wide) c = static_cast<uint32_t>(c);
  const int parts = wide ? 4 : 2;
  bool first = true;
  for (int i = 0; i < parts; ++i) {
    const uint32_t part = static_cast<uint32_t>(c >> (16 * i)) & 0xffff;
    if (part == 0 && !(first && i == parts - 1)) continue;
    if (first) m_a.movz(r, imm(part), imm(16 * i));
    else m_a.movk(r, imm(part), imm(16 * i));
    first = false;
  }
  if (first) m_a.movz(r, imm(0), imm(0));
}

void Compiler::mov_imm32_fixed(Gp r, uint32_t c) {
  m_a.movz(r, imm(c & 0xffff), imm(0));
  m_a.movk(r, imm(c >> 16), imm(16));
}

// movz/movk keep their 16-bit immediate in bits 5-20.
void Compiler::patch_imm32_fixed(size_t pos, uint32_t c) {
  uint8_t* p = code_at(m_a, pos, 8);
  if (p == nullptr) return;
  for (int i = 0; i < 2; ++i) {
    uint32_t insn;
    std::memcpy(&insn, p + 4 * i, 4);
    insn = (insn & ~(0xffffu << 5)) | (((c >> (16 * i)) & 0xffff) << 5);
    std::memcpy(p + 4 * i, &insn, 4);
  }
}

void Compiler::add_imm(Gp d, Gp s, uint64_t c) {
  if (c < 4096) {
    m_a.add(d, s, imm(c));
  } else {
    const Gp t = d.id() == 16 ? x17 : x16;
    mov_imm(t, c);
    m_a.add(d, s, t);
  }
}

Compiler::Mem Compiler::home(uint32_t slot, uint32_t size) {
  const uint64_t off = uint64_t{slot} * 8;
  if (off <= kHomeReach && off % size == 0) return ptr(sp, static_cast<int32_t>(off));
  if (off >= (uint64_t{1} << 24)) {  // beyond any frame set_frame accepts: the code is dropped
    m_frame_ok = false;
    return ptr(sp);
  }
  m_a.add(x17, sp, imm(off & ~uint64_t{0xfff}));
  return ptr(x17, static_cast<int32_t>(off & 0xfff));
}

void Compiler::home_addr(Gp r, uint32_t slot) {
  const uint64_t off = uint64_t{slot} * 8;
  if (off >= (uint64_t{1} << 24)) m_frame_ok = false;  // set_frame refuses such frames
  if (off < 4096) {
    m_a.add(r, sp, imm(off));
  } else {
    m_a.add(r, sp, imm(off & ~uint64_t{0xfff}));
    if (off & 0xfff) m_a.add(r, r, imm(off & 0xfff));
  }
}

// ---- moves -----------------------------------------------------------------------------------

void Compiler::load_gp(Gp r, uint32_t slot, bool wide) {
  if (wide) m_a.ldr(r.x(), home(slot, 8));
  else m_a.ldr(r.w(), home(slot, 4));
}

void Compiler::store_gp(uint32_t slot, Gp r) { m_a.str(r.x(), home(slot, 8)); }

// A 16-byte operand at base + off: a scaled offset when aligned and in reach, else x17.
Compiler::Mem Compiler::v128_at(Gp base, uint64_t off) {
  if (off % 16 == 0 && off < 65536) return ptr(base, static_cast<int32_t>(off));
  add_imm(x17, base, off);
  return ptr(x17);
}

void Compiler::load_v128(Vec x, Gp base, uint64_t off) { m_a.ldr(aj::v(x.id()), v128_at(base, off)); }
void Compiler::store_v128(Gp base, uint64_t off, Vec x) { m_a.str(aj::v(x.id()), v128_at(base, off)); }

void Compiler::load_fp(Vec x, uint32_t slot, ValType t) {
  if (t == ValType::F64) m_a.ldr(aj::d(x.id()), home(slot, 8));
  else if (t == ValType::F32) m_a.ldr(aj::s(x.id()), home(slot, 4));
  else load_v128(x, sp, uint64_t{slot} * 8);
}

void Compiler::store_fp(uint32_t slot, Vec x, ValType t) {
  if (t == ValType::V128) store_v128(sp, uint64_t{slot} * 8, x);
  else m_a.str(aj::d(x.id()), home(slot, 8));  // an f32 keeps bits 32-63 zero
}

void Compiler::gp_const(Gp r, uint64_t c) {
  if (c == static_cast<uint32_t>(c)) mov_imm(r.w(), c);
  else mov_imm(r.x(), c);
}

void Compiler::fp_const(Vec x, uint64_t c, bool f64) {
  if (c == 0) {
    m_a.fmov(aj::d(x.id()), xzr);
    return;
  }
  gp_const(x16, c);
  fp_from_gp(x, x16, f64);
}

void Compiler::v128_const(Vec x, uint64_t lo, uint64_t hi) {
  const aj::Vec v = aj::v(x.id());
  if (lo == hi && (lo == 0 || lo == ~uint64_t{0})) {
    m_a.eor(v.b16(), v.b16(), v.b16());
    if (lo != 0) m_a.not_(v.b16(), v.b16());
    return;
  }
  if (lo == hi) {
    mov_imm(x16, lo);
    m_a.dup(v.d2(), x16);
    return;
  }
  mov_imm(x16, lo);
  m_a.fmov(aj::d(x.id()), x16);
  mov_imm(x16, hi);
  m_a.mov(aj::v(x.id()).d(1), x16);
}

void Compiler::flag_to_gp(Gp r, uint8_t cond) { m_a.cset(r.w(), imm(cond)); }

void Compiler::store_val(uint32_t slot, const Val& v) {
  if (v.type == ValType::V128) {
    switch (v.kind) {
      case Kind::Fp: return store_v128(sp, uint64_t{slot} * 8, Regs::fp(v.reg));
      case Kind::Const:
        mov_imm(x16, v.c);
        m_a.str(x16, home(slot, 8));
        mov_imm(x16, v.c_hi);
        m_a.str(x16, home(slot + 1, 8));
        return;
      default:
        load_v128(v31, sp, uint64_t{v.slot} * 8);
        return store_v128(sp, uint64_t{slot} * 8, v31);
    }
  }
  switch (v.kind) {
    case Kind::Reg: m_a.str(Regs::gp(v.reg), home(slot, 8)); return;
    case Kind::Fp: m_a.str(aj::d(v.reg), home(slot, 8)); return;
    case Kind::Const: gp_const(x16, v.c); break;
    case Kind::Mem: m_a.ldr(x16, home(v.slot, 8)); break;
    case Kind::Flags: m_a.cset(w16, imm(v.cond)); break;
  }
  m_a.str(x16, home(slot, 8));
}

// Results go to the caller's slot area (x18, begin_results).
void Compiler::store_result(uint32_t index, const Val& v) {
  const int32_t off = static_cast<int32_t>(8 * index);
  if (v.type == ValType::V128) {
    Vec x = v31;
    if (v.kind == Kind::Fp) x = Regs::fp(v.reg);
    else if (v.kind == Kind::Const) v128_const(v31, v.c, v.c_hi);
    else load_v128(v31, sp, uint64_t{v.slot} * 8);
    return store_v128(x18, static_cast<uint64_t>(off), x);
  }
  Gp src = x16;
  switch (v.kind) {
    case Kind::Reg: src = Regs::gp(v.reg); break;
    case Kind::Fp: m_a.str(aj::d(v.reg), ptr(x18, off)); return;
    case Kind::Const: gp_const(x16, v.c); break;
    case Kind::Mem: m_a.ldr(x16, home(v.slot, 8)); break;
    case Kind::Flags: m_a.cset(w16, imm(v.cond)); break;
  }
  if (off < 32768) {
    m_a.str(src, ptr(x18, off));
  } else {
    add_imm(x17, x18, static_cast<uint64_t>(off));
    m_a.str(src, ptr(x17));
  }
}

// ---- control ---------------------------------------------------------------------------------

// A table of 32-bit offsets from its start: ldrsw, add, br.
void Compiler::jump_table(Gp r, const std::vector<Label>& entries, Label dflt) {
  Label table = m_a.newLabel();
  mov_imm(w16, static_cast<uint32_t>(entries.size()));
  m_a.cmp(r.w(), w16);
  m_a.b(CC::kHS, dflt);
  m_a.adr(x17, table);
  m_a.ldrsw(x16, ptr(x17, r.x(), asmjit::arm::lsl(2)));
  m_a.add(x16, x16, x17);
  m_a.br(x16);
  m_a.bind(table);
  for (const Label& l : entries) m_a.embedLabelDelta(l, table, 4);
}

// ---- traps, calls, limits --------------------------------------------------------------------

void Compiler::trap_stub(Label at, TrapKind kind, Label unwind) {
  m_a.bind(at);
  mov_imm(w16, static_cast<uint32_t>(kind));
  m_a.str(w16, ptr(x19, kJiTrapKind));
  m_a.b(unwind);
}

void Compiler::stack_trap_stub(Label at) {
  m_a.bind(at);
  mov_imm(w16, static_cast<uint32_t>(TrapKind::CallStackExhausted));
  m_a.str(w16, ptr(x19, kJiTrapKind));
  m_a.ldr(x16, ptr(x29, 8));
  m_a.str(x16, ptr(x19, kJiTrapPc));
  m_a.ldr(x16, ptr(x29));
  m_a.str(x16, ptr(x19, kJiTrapRbp));
  m_a.b(m_labels.unwind);
}

void Compiler::unwind_stub(Label at) {
  m_a.bind(at);
  m_a.adr(x16, at);
  m_a.str(x16, ptr(x19, kJiTrapPc));
  m_a.str(x29, ptr(x19, kJiTrapRbp));
  m_a.b(m_labels.unwind);
}

void Compiler::branch_if_trapped(Label unwind) {
  m_a.ldr(w16, ptr(x19, kJiTrapped));
  m_a.cbnz(w16, unwind);
}

void Compiler::call_raw(const void* fn) {
  mov_imm(x16, reinterpret_cast<uint64_t>(fn));
  m_a.blr(x16);
  m_last_call = static_cast<uint32_t>(m_a.offset());
}

void Compiler::helper_arg_exn_word(int k, uint32_t i) {
  const int32_t off = exn_word_offset(i);
  if (off >= -256) {
    m_a.ldur(aj::x(k), ptr(x29, off));
  } else {
    mov_imm(x16, static_cast<uint64_t>(-static_cast<int64_t>(off)));
    m_a.sub(x16, x29, x16);
    m_a.ldr(aj::x(k), ptr(x16));
  }
}

void Compiler::call_import(uint32_t func_index, uint32_t arg_slot, Label unwind) {
  m_a.mov(x0, x19);
  mov_imm(w1, func_index);
  home_addr(x2, arg_slot);
  call_raw(reinterpret_cast<const void*>(&helpers::call_import));
  m_a.cbnz(w0, unwind);
}

void Compiler::call_direct(Label fn, uint32_t arg_slot) {
  home_addr(x1, arg_slot);
  m_a.mov(x2, x1);
  m_a.bl(fn);
}

// A tail call's hand-over (jit_abi.hpp): the n argument slots at arg_slot go to
// JitInstance::tail_args (x1), this function's results pointer to x2; then this frame is left
// as the epilogue leaves it (x30 = this function's return address) for the caller's jump.
// x0 is kept (an indirect callee's code).
void Compiler::leave_for_tail_call(uint32_t arg_slot, uint32_t n) {
  m_a.ldr(x1, ptr(x19, kJiTailArgs));
  for (uint32_t k = 0; k < n; ++k) {
    m_a.ldr(x16, home(arg_slot + k, 8));
    if (8 * k < 32768) {
      m_a.str(x16, ptr(x1, static_cast<int32_t>(8 * k)));
    } else {
      add_imm(x17, x1, 8 * uint64_t{k});
      m_a.str(x16, ptr(x17));
    }
  }
  m_a.ldur(x2, ptr(x29, -8));
  m_a.ldr(w16, ptr(x21, ctx_call_depth_offset()));
  m_a.sub(w16, w16, imm(1));
  m_a.str(w16, ptr(x21, ctx_call_depth_offset()));
  m_a.mov(sp, x29);
  m_a.ldp(x29, x30, ptr_post(sp, 16));
}

void Compiler::tail_call_direct(Label fn, uint32_t arg_slot, uint32_t n) {
  leave_for_tail_call(arg_slot, n);
  m_a.b(fn);
}

// helper(ji, a, b, callee, slots): helpers::call_indirect (a = table, b = type index, callee =
// the element) or helpers::call_ref (callee = the reference). x0 = code to call natively, 0
// when the helper made the call, 1 on a trap (jumps to unwind). Returns the label the "call
// was made" case jumps to.
// Inline first, as on x86-64 (x64/compiler.cpp): every value is in its home here, so x0-x3
// are free; a callee of this instance whose type is the module's type b is resolved without
// the helper, anything else takes it. x0 = the code to call.
Label Compiler::resolve_callee(const void* helper, uint32_t a, uint32_t b, const Val& elem,
                               uint32_t arg_slot, Label unwind) {
  const CalleeLayout& l = callee_layout();
  const bool by_ref = helper == reinterpret_cast<const void*>(&helpers::call_ref);
  Label slow = m_a.newLabel(), resolved = m_a.newLabel();
  if (l.ok) {
    if (elem.kind == Kind::Const) mov_imm(x16, by_ref ? elem.c : static_cast<uint32_t>(elem.c));
    else load_gp(x16, elem.slot, by_ref);  // (an index: the home's low half, zero-extended)
    if (!by_ref) {
      m_a.ldr(x17, ptr(x19, kJiTables));
      mov_imm(x0, 8 * uint64_t{a});
      m_a.ldr(x17, ptr(x17, x0));
      m_a.ldr(x0, ptr(x17, l.table_elems_begin));
      m_a.ldr(x1, ptr(x17, l.table_elems_end));
      m_a.sub(x1, x1, x0);
      m_a.lsr(x1, x1, imm(3));
      m_a.cmp(x16, x1);
      m_a.b(CC::kHS, slow);
      m_a.lsl(x16, x16, imm(3));
      m_a.ldr(x16, ptr(x0, x16));
    }
    m_a.cbz(x16, slow);
    m_a.ldr(x1, ptr(x19, kJiInst));
    m_a.ldr(x0, ptr(x16, l.func_instance));
    m_a.cmp(x0, x1);
    m_a.b(CC::kNE, slow);
    if (!by_ref) {
      m_a.ldr(x1, ptr(x19, kJiTypes));
      mov_imm(x2, uint64_t{b} * static_cast<uint32_t>(l.func_type_size));
      m_a.add(x1, x1, x2);
      m_a.ldr(x0, ptr(x16, l.func_type));
      m_a.cmp(x0, x1);
      m_a.b(CC::kNE, slow);
    }
    m_a.ldr(x0, ptr(x16, l.func_code));
    m_a.b(resolved);
    m_a.bind(slow);
  }
  m_a.mov(x0, x19);
  mov_imm(w1, a);
  mov_imm(w2, b);
  if (elem.kind == Kind::Const) mov_imm(x3, elem.c);
  else load_gp(x3, elem.slot, true);
  home_addr(x4, arg_slot);
  call_raw(helper);
  Label done = m_a.newLabel();
  m_a.cmp(x0, imm(1));
  m_a.b(CC::kEQ, unwind);
  m_a.b(CC::kLO, done);
  m_a.bind(resolved);
  return done;
}

void Compiler::call_resolved(Label done, uint32_t arg_slot) {
  m_a.mov(x16, x0);
  home_addr(x1, arg_slot);
  m_a.mov(x2, x1);
  m_a.blr(x16);
  m_a.bind(done);
}

// Falls through when the callee was not this instance's JIT code: the helper called it and
// its results are in the argument area.
void Compiler::tail_call_resolved(Label done, uint32_t arg_slot, uint32_t n) {
  leave_for_tail_call(arg_slot, n);
  m_a.br(x0);
  m_a.bind(done);
}

void Compiler::branch_if_interrupted(Label trap) {
  m_a.ldr(w16, ptr(x21, ctx_interrupt_offset()));
  m_a.cbnz(w16, trap);
}

// fuel -= cost, trapping first when fuel < cost (the cost's movz/movk patched at the end).
void Compiler::fuel_charge(Label out_of_fuel, size_t patch[2]) {
  m_a.ldr(x16, ptr(x21, ctx_fuel_offset()));
  patch[0] = patch[1] = m_a.offset();
  mov_imm32_fixed(x17, 0);
  m_a.cmp(x16, x17);
  m_a.b(CC::kLT, out_of_fuel);
  m_a.sub(x16, x16, x17);
  m_a.str(x16, ptr(x21, ctx_fuel_offset()));
}

void Compiler::fuel_patch(const size_t patch[2], uint32_t cost) { patch_imm32_fixed(patch[0], cost); }

// ---- function frame --------------------------------------------------------------------------

void Compiler::prologue(Label entry, Label stack_trap) {
  m_a.bind(entry);
  m_a.stp(x29, x30, ptr_pre(sp, -16));
  m_a.mov(x29, sp);
  m_frame_patch = m_a.offset();
  mov_imm32_fixed(x16, 0);
  m_a.sub(x17, x29, x16);
  m_a.mov(sp, x17);
  m_a.ldr(x16, ptr(x19, kJiStackLimit));
  m_a.cmp(x17, x16);
  m_a.b(CC::kLO, stack_trap);
  m_a.stur(x2, ptr(x29, -8));  // the results pointer
  m_a.ldr(w16, ptr(x21, ctx_call_depth_offset()));
  m_a.ldr(w17, ptr(x19, kJiMaxDepth));
  m_a.cmp(w16, w17);
  m_a.b(CC::kHS, stack_trap);
  m_a.add(w16, w16, imm(1));
  m_a.str(w16, ptr(x21, ctx_call_depth_offset()));
}

void Compiler::init_locals(uint32_t param_slots, uint32_t local_slots) {
  for (uint32_t k = 0; k < param_slots; ++k) {
    if (8 * k < 32768) {
      m_a.ldr(x16, ptr(x1, static_cast<int32_t>(8 * k)));
    } else {
      add_imm(x17, x1, 8 * uint64_t{k});
      m_a.ldr(x16, ptr(x17));
    }
    m_a.str(x16, home(k, 8));
  }
  for (uint32_t k = param_slots; k < local_slots; ++k) m_a.str(xzr, home(k, 8));
}

void Compiler::epilogue(Label label) {
  if (label.isValid()) m_a.bind(label);
  m_a.ldr(w16, ptr(x21, ctx_call_depth_offset()));
  m_a.sub(w16, w16, imm(1));
  m_a.str(w16, ptr(x21, ctx_call_depth_offset()));
  m_a.mov(sp, x29);
  m_a.ldp(x29, x30, ptr_post(sp, 16));
  m_a.ret(x30);
}

bool Compiler::set_frame(uint64_t frame) {
  if (frame >= (uint64_t{1} << 24) || !m_frame_ok) return false;
  patch_imm32_fixed(m_frame_patch, static_cast<uint32_t>(frame));
  return true;
}

}  // namespace wsvm::jit::a64
