// Numeric, memory, global, reference, table and bulk-memory instructions of the baseline
// compiler. Hot integer and float operations are inline; the rest call the shared numeric
// slow paths (semantics/numerics.hpp via jit_abi.hpp helpers) or the runtime's bulk operations.
#include <fmt/format.h>

#include "jit/x64/compiler.hpp"
#include "jit/jit_abi.hpp"
#include "semantics/fold.hpp"

namespace wsvm::jit::x64 {

using asmjit::imm;
using namespace asmjit::x86;

namespace {
constexpr uint32_t kRax = 0, kRcx = 1, kRdx = 2;
}

// ---- integers ------------------------------------------------------------------------------

void Compiler::emit_int_binop(const Instr& ins, bool wide) {
  Val b = pop();
  Val a = pop();
  ValType t = wide ? ValType::I64 : ValType::I32;
  if (a.kind == Kind::Const && b.kind == Kind::Const) {  // constant folding
    // add/sub/mul/and/or/xor never trap, so the fold always has a value.
    const uint64_t r = *num::fold(ins.op, a.c, b.c);
    return push_const(t, wide ? r : static_cast<uint32_t>(r));
  }
  bool commutative = is_commutative(ins.op);
  if (commutative && ((a.kind == Kind::Const && b.kind != Kind::Const) ||
                      (b.kind == Kind::Reg && !b.borrowed && !(a.kind == Kind::Reg && !a.borrowed))))
    std::swap(a, b);  // an immediate on the right; compute into the owned register
  bool is_add = ins.op == Op::i32_add || ins.op == Op::i64_add;
  bool is_sub = ins.op == Op::i32_sub || ins.op == Op::i64_sub;
  if ((is_add || is_sub) && a.kind == Kind::Reg && a.borrowed && fits_imm32(b)) {
    // d = a +- c without copying a first: lea (32-bit: the low half, zero-extended).
    int64_t c = wide ? static_cast<int64_t>(b.c) : static_cast<int32_t>(b.c);
    if (is_sub) c = -c;
    if (c >= INT32_MIN && c <= INT32_MAX) {
      Gp d = alloc();
      Mem m = ptr(gpq(a.reg), static_cast<int32_t>(c));
      if (wide) m_a.lea(d, m);
      else m_a.lea(d.r32(), m);
      release(a);
      return push_reg(t, d);
    }
  }
  Gp d = to_reg(a);
  Gp dw = wide ? d : d.r32();
  asmjit::Operand src;
  if (b.kind == Kind::Reg) {
    src = wide ? Gp(gpq(b.reg)) : Gp(gpd(b.reg));
  } else if (fits_imm32(b)) {
    src = imm(static_cast<int32_t>(b.c));
  } else if (b.kind == Kind::Const) {
    m_a.mov(r11, imm(b.c));
    src = r11;
  } else {
    src = home_of(b, wide);
  }
  asmjit::InstId id = Inst::kIdAdd;
  switch (ins.op) {
    case Op::i32_add: case Op::i64_add: id = Inst::kIdAdd; break;
    case Op::i32_sub: case Op::i64_sub: id = Inst::kIdSub; break;
    case Op::i32_mul: case Op::i64_mul: id = Inst::kIdImul; break;
    case Op::i32_and: case Op::i64_and: id = Inst::kIdAnd; break;
    case Op::i32_or: case Op::i64_or: id = Inst::kIdOr; break;
    default: id = Inst::kIdXor; break;
  }
  if (id == Inst::kIdImul && src.isImm()) m_a.emit(id, dw, dw, src);
  else m_a.op2(id, dw, src);
  release(b);
  push_reg(t, d);
}

namespace {
CondCode int_cond(Op op) {  // in IntCmp's order
  constexpr CondCode kCond[] = {CondCode::kE, CondCode::kNE, CondCode::kL, CondCode::kB,
                                CondCode::kG, CondCode::kA, CondCode::kLE, CondCode::kBE,
                                CondCode::kGE, CondCode::kAE};
  return kCond[static_cast<int>(int_compare(op))];
}
}  // namespace

void Compiler::emit_compare(Op op, bool wide) {
  Val b = pop();
  Val a = pop();
  CondCode cc = int_cond(op);
  if (a.kind == Kind::Const && b.kind != Kind::Const) {
    std::swap(a, b);
    cc = reverseCond(cc);
  }
  Gp ra = read_reg(a);
  Gp raw = wide ? ra : ra.r32();
  if (b.kind == Kind::Reg) m_a.cmp(raw, wide ? Gp(gpq(b.reg)) : Gp(gpd(b.reg)));
  else if (fits_imm32(b)) m_a.cmp(raw, imm(static_cast<int32_t>(b.c)));
  else if (b.kind == Kind::Const) { m_a.mov(r11, imm(b.c)); m_a.cmp(raw, r11); }
  else m_a.cmp(raw, home_of(b, wide));
  release(a);
  release(b);
  push_flags(cc);
}

void Compiler::emit_divrem(Op op, bool wide) {
  Val b = pop();
  Val a = pop();
  bool is_signed = op == Op::i32_div_s || op == Op::i64_div_s || op == Op::i32_rem_s ||
                   op == Op::i64_rem_s;
  bool is_rem = op == Op::i32_rem_s || op == Op::i64_rem_s || op == Op::i32_rem_u ||
                op == Op::i64_rem_u;
  spill_reg(kRax, holds(a, kRax) + holds(b, kRax));
  spill_reg(kRdx, holds(a, kRdx) + holds(b, kRdx));
  touch_gp((1u << kRax) | (1u << kRdx));
  Gp div = wide ? Gp(r11) : Gp(r11d);
  Gp acc = wide ? Gp(rax) : Gp(eax);
  switch (b.kind) {
    case Kind::Reg: m_a.mov(r11, gpq(b.reg)); break;
    case Kind::Const: m_a.mov(r11, imm(b.c)); break;
    default: m_a.mov(r11, home(b.slot)); break;
  }
  switch (a.kind) {
    case Kind::Reg: if (a.reg != kRax) m_a.mov(rax, gpq(a.reg)); break;
    case Kind::Const: m_a.mov(rax, imm(a.c)); break;
    default: m_a.mov(rax, home(a.slot)); break;
  }
  release(a);
  release(b);
  m_free &= ~((1u << kRax) | (1u << kRdx));
  m_a.test(div, div);
  trap_if(CondCode::kZ, TrapKind::IntegerDivideByZero);
  asmjit::Label done = m_a.new_local_label();
  if (is_signed) {
    asmjit::Label ok = m_a.new_local_label();
    m_a.cmp(div, -1);
    m_a.jne(ok);
    if (is_rem) {
      m_a.xor_(edx, edx);
      m_a.jmp(done);
    } else {
      if (wide) {
        m_a.mov(rdx, imm(INT64_MIN));
        m_a.cmp(rax, rdx);
      } else {
        m_a.cmp(eax, imm(INT32_MIN));
      }
      trap_if(CondCode::kE, TrapKind::IntegerOverflow);
    }
    m_a.bind(ok);
    if (wide) m_a.cqo(); else m_a.cdq();
    m_a.idiv(div);
  } else {
    m_a.xor_(edx, edx);
    m_a.div(div);
  }
  m_a.bind(done);
  (void)acc;
  uint32_t result = is_rem ? kRdx : kRax;
  m_free |= 1u << (is_rem ? kRax : kRdx);
  push_reg(wide ? ValType::I64 : ValType::I32, gpq(result));
}

void Compiler::emit_shift(Op op, bool wide) {
  Val b = pop();
  Val a = pop();
  asmjit::InstId id;
  switch (op) {
    case Op::i32_shl: case Op::i64_shl: id = Inst::kIdShl; break;
    case Op::i32_shr_s: case Op::i64_shr_s: id = Inst::kIdSar; break;
    case Op::i32_shr_u: case Op::i64_shr_u: id = Inst::kIdShr; break;
    case Op::i32_rotl: case Op::i64_rotl: id = Inst::kIdRol; break;
    default: id = Inst::kIdRor; break;
  }
  ValType t = wide ? ValType::I64 : ValType::I32;
  if (b.kind == Kind::Const) {
    Gp d = to_reg(a);
    m_a.op2(id, wide ? d : d.r32(), imm(static_cast<uint32_t>(b.c) & (wide ? 63 : 31)));
    return push_reg(t, d);
  }
  bool b_in_rcx = b.kind == Kind::Reg && b.reg == kRcx;
  if (!b_in_rcx) {
    spill_reg(kRcx, holds(a, kRcx));
    if (a.kind == Kind::Reg && a.reg == kRcx) {
      Gp moved = alloc();
      m_a.mov(moved, rcx);
      release(a);  // its owner's or borrower's hold on rcx
      a.reg = static_cast<uint8_t>(moved.id());
      a.borrowed = false;
    }
    m_free &= ~(1u << kRcx);
    touch_gp(1u << kRcx);
    uncache_gp(kRcx);
    if (b.kind == Kind::Reg) m_a.mov(ecx, gpd(b.reg));
    else m_a.mov(ecx, home32(b.slot));
    release(b);
  }
  Gp d = to_reg(a);
  m_a.emit(id, wide ? d : d.r32(), cl);
  if (b_in_rcx) release(b);
  else m_free |= 1u << kRcx;
  push_reg(t, d);
}

// ---- floats (f32/f64 live in xmm0-13: Kind::Fp; xmm14/xmm15 are scratch) ---------------

bool Compiler::take_fold(const Val& v, bool f64) {
  if (!m_fold.valid || m_fold.end != m_a.offset() || v.kind != Kind::Fp || v.borrowed ||
      v.reg != m_fold.reg || m_fold.f64 != f64)
    return false;
  m_a.setOffset(m_fold.start);
  m_fold.valid = false;
  release(v);
  return true;
}

void Compiler::emit_float_binop(Op op, bool f64) {
  Val b = pop();
  Val a = pop();
  bool commutative = is_commutative(op);
  // A load just emitted for an operand becomes the instruction's memory operand; else a
  // commutative op computes into the operand that owns its register (no copy).
  bool fold = take_fold(b, f64);
  if (!fold && commutative && take_fold(a, f64)) {
    std::swap(a, b);
    fold = true;
  }
  if (!fold && commutative && b.kind == Kind::Fp && !b.borrowed &&
      !(a.kind == Kind::Fp && !a.borrowed))
    std::swap(a, b);
  Xmm d = to_fp(a);
  asmjit::Operand src = fold ? asmjit::Operand(m_fold.mem) : float_src(b, f64);
  asmjit::InstId id;
  switch (op) {
    case Op::f32_add: id = Inst::kIdAddss; break;
    case Op::f64_add: id = Inst::kIdAddsd; break;
    case Op::f32_sub: id = Inst::kIdSubss; break;
    case Op::f64_sub: id = Inst::kIdSubsd; break;
    case Op::f32_mul: id = Inst::kIdMulss; break;
    case Op::f64_mul: id = Inst::kIdMulsd; break;
    case Op::f32_div: id = Inst::kIdDivss; break;
    default: id = Inst::kIdDivsd; break;
  }
  m_a.op2(id, d, src);
  if (!fold) release(b);
  push_fp(f64 ? ValType::F64 : ValType::F32, d);
}

void Compiler::emit_float_compare(Op op, bool f64) {
  Val b = pop();
  Val a = pop();
  if (op == Op::f32_eq || op == Op::f64_eq || op == Op::f32_ne || op == Op::f64_ne) {
    // Equality needs ZF and PF (unordered): cmpsd/cmpss (predicate 0 eq, 4 neq; only neq is
    // true for NaN operands, as the spec requires), then the mask's low bit.
    int pred = (op == Op::f32_eq || op == Op::f64_eq) ? 0 : 4;
    Xmm x = read_fp(a);
    asmjit::Operand src = float_src(b, f64);
    m_a.movaps(xmm14, x);
    m_a.emit(f64 ? Inst::kIdCmpsd : Inst::kIdCmpss, xmm14, src, imm(pred));
    release(a);
    release(b);
    Gp d = alloc();
    m_a.movd(d.r32(), xmm14);
    m_a.and_(d.r32(), 1);
    return push_reg(ValType::I32, d);
  }
  // ucomis[sd] x, y sets CF/ZF like an unsigned compare and all of ZF, PF, CF when unordered:
  // "above" (CF=0, ZF=0) and "above or equal" (CF=0) are false for NaN. lt/le swap.
  bool swap = op == Op::f32_lt || op == Op::f64_lt || op == Op::f32_le || op == Op::f64_le;
  bool strict = op == Op::f32_lt || op == Op::f64_lt || op == Op::f32_gt || op == Op::f64_gt;
  Val& x = swap ? b : a;
  Val& y = swap ? a : b;
  Xmm xr = read_fp(x);
  asmjit::Operand src = float_src(y, f64);
  m_a.op2(f64 ? Inst::kIdUcomisd : Inst::kIdUcomiss, xr, src);
  release(a);
  release(b);
  push_flags(strict ? CondCode::kA : CondCode::kAE);
}

void Compiler::emit_float_unop(Op op, ValType rt) {
  Val a = pop();
  bool w = rt == ValType::F64;
  switch (op) {
    case Op::f32_abs: case Op::f64_abs: case Op::f32_neg: case Op::f64_neg: {
      bool f64 = op == Op::f64_abs || op == Op::f64_neg;
      bool abs = op == Op::f32_abs || op == Op::f64_abs;
      uint64_t sign = f64 ? uint64_t{1} << 63 : uint64_t{1} << 31;
      if (a.kind == Kind::Const) return push_const(rt, abs ? (a.c & ~sign) : (a.c ^ sign));
      if (a.kind == Kind::Reg && !a.borrowed) {  // bits in a GP register: flip/clear there
        Gp r = gpq(a.reg);
        if (abs) m_a.btr(f64 ? r : r.r32(), f64 ? 63 : 31);
        else m_a.btc(f64 ? r : r.r32(), f64 ? 63 : 31);
        return push_reg(rt, r);
      }
      Xmm x = to_fp(a);
      m_a.mov(r11, imm(abs ? ~sign & (f64 ? ~uint64_t{0} : 0xffffffffu) : sign));
      m_a.movq(xmm15, r11);
      if (abs) m_a.andps(x, xmm15);
      else m_a.xorps(x, xmm15);
      return push_fp(rt, x);
    }
    case Op::f32_sqrt: case Op::f64_sqrt: {
      Xmm x = to_fp(a);
      if (w) m_a.sqrtsd(x, x);
      else m_a.sqrtss(x, x);
      return push_fp(rt, x);
    }
    case Op::f32_ceil: case Op::f32_floor: case Op::f32_trunc: case Op::f32_nearest:
    case Op::f64_ceil: case Op::f64_floor: case Op::f64_trunc: case Op::f64_nearest: {
      // roundss/roundsd (SSE4.1) modes: 0 nearest-even, 1 floor, 2 ceil, 3 trunc; 8 = no
      // precision exception.
      int mode = 8;
      if (op == Op::f32_floor || op == Op::f64_floor) mode |= 1;
      if (op == Op::f32_ceil || op == Op::f64_ceil) mode |= 2;
      if (op == Op::f32_trunc || op == Op::f64_trunc) mode |= 3;
      Xmm x = to_fp(a);
      if (w) m_a.roundsd(x, x, imm(mode));
      else m_a.roundss(x, x, imm(mode));
      return push_fp(rt, x);
    }
    case Op::f64_convert_i32_s: case Op::f64_convert_i32_u: case Op::f64_convert_i64_s:
    case Op::f32_convert_i32_s: case Op::f32_convert_i32_u: case Op::f32_convert_i64_s: {
      Gp r = to_reg(a);
      Xmm d = alloc_fp();
      // The full-width convert of a zero-extended i32 is the unsigned conversion.
      Gp src = (op == Op::f64_convert_i32_s || op == Op::f32_convert_i32_s) ? r.r32() : r;
      m_a.xorps(d, d);  // f32: bits 32-63 stay zero; and no false dependency
      if (w) m_a.cvtsi2sd(d, src);
      else m_a.cvtsi2ss(d, src);
      release(a);
      return push_fp(rt, d);
    }
    case Op::f32_demote_f64: {
      Xmm x = to_fp(a);
      Xmm d = alloc_fp();
      m_a.xorps(d, d);
      m_a.cvtsd2ss(d, x);
      release(a);
      return push_fp(rt, d);
    }
    case Op::f64_promote_f32: {
      Xmm x = to_fp(a);
      m_a.cvtss2sd(x, x);
      return push_fp(rt, x);
    }
    default:
      break;
  }
}

// A numeric op through its slow path (u64 f(u64, u64), or with ji first when it may trap).
// ---- unary -----------------------------------------------------------------------------------

void Compiler::emit_unop(const Instr& ins) {
  Op op = ins.op;
  const OpInfo& info = op_info(op);
  auto result_type = [&]() -> ValType {
    switch (info.sig) {
      case Sig::i32_i32: case Sig::i32_i64: case Sig::i32_f32: case Sig::i32_f64: return ValType::I32;
      case Sig::i64_i32: case Sig::i64_i64: case Sig::i64_f32: case Sig::i64_f64: return ValType::I64;
      case Sig::f32_i32: case Sig::f32_i64: case Sig::f32_f32: case Sig::f32_f64: return ValType::F32;
      default: return ValType::F64;
    }
  };
  ValType rt = result_type();
  switch (op) {
    // Reinterpretations and zero extension: the bits are already right.
    case Op::i32_reinterpret_f32: case Op::i64_reinterpret_f64:
      if (m_vs.back().kind == Kind::Fp) to_reg(m_vs.back());  // integers never live in xmm
      m_vs.back().type = rt;
      return;
    case Op::f32_reinterpret_i32: case Op::f64_reinterpret_i64:
    case Op::i64_extend_i32_u:
      m_vs.back().type = rt;
      return;
    default:
      break;
  }
  if (op == Op::i32_eqz || op == Op::i64_eqz) {
    Val a = pop();
    if (a.kind == Kind::Flags) return push_flags(negateCond(static_cast<CondCode>(a.cond)));
    if (a.kind == Kind::Const) return push_const(ValType::I32, a.c == 0);
    bool wide = op == Op::i64_eqz;
    if (a.kind == Kind::Reg) {
      Gp r = wide ? Gp(gpq(a.reg)) : Gp(gpd(a.reg));
      m_a.test(r, r);
    } else {
      m_a.cmp(home_of(a, wide), 0);
    }
    release(a);
    return push_flags(CondCode::kE);
  }
  bool inline_ok = true;
  switch (op) {
    case Op::i32_clz: case Op::i64_clz: case Op::i32_ctz: case Op::i64_ctz:
    case Op::i32_popcnt: case Op::i64_popcnt:
    case Op::i32_wrap_i64: case Op::i64_extend_i32_s:
    case Op::i32_extend8_s: case Op::i32_extend16_s:
    case Op::i64_extend8_s: case Op::i64_extend16_s: case Op::i64_extend32_s:
    case Op::f32_abs: case Op::f64_abs: case Op::f32_neg: case Op::f64_neg:
    case Op::f32_sqrt: case Op::f64_sqrt:
    case Op::f32_ceil: case Op::f64_ceil: case Op::f32_floor: case Op::f64_floor:
    case Op::f32_trunc: case Op::f64_trunc: case Op::f32_nearest: case Op::f64_nearest:
    case Op::f64_convert_i32_s: case Op::f64_convert_i32_u: case Op::f64_convert_i64_s:
    case Op::f32_convert_i32_s: case Op::f32_convert_i32_u: case Op::f32_convert_i64_s:
    case Op::f32_demote_f64: case Op::f64_promote_f32:
      break;
    default:
      inline_ok = false;
  }
  if (!inline_ok) return emit_numeric_helper(op, 1, rt);
  if (rt == ValType::F32 || rt == ValType::F64) return emit_float_unop(op, rt);
  Val a = pop();
  Gp d = to_reg(a);
  switch (op) {
    case Op::i32_clz:
    case Op::i64_clz: {
      bool w = op == Op::i64_clz;
      Gp x = w ? d : d.r32();
      if (m_lzcnt) {
        m_a.lzcnt(x, x);
      } else {
        m_a.bsr(x, x);
        m_a.mov(r11d, imm(w ? 127 : 63));
        m_a.cmovz(x, w ? Gp(r11) : Gp(r11d));
        m_a.xor_(x, imm(w ? 63 : 31));
      }
      break;
    }
    case Op::i32_ctz: m_a.tzcnt(d.r32(), d.r32()); break;
    case Op::i64_ctz: m_a.tzcnt(d, d); break;
    case Op::i32_popcnt: m_a.popcnt(d.r32(), d.r32()); break;
    case Op::i64_popcnt: m_a.popcnt(d, d); break;
    case Op::i32_wrap_i64: m_a.mov(d.r32(), d.r32()); break;
    case Op::i64_extend_i32_s: m_a.movsxd(d, d.r32()); break;
    case Op::i32_extend8_s: m_a.movsx(d.r32(), gpb_lo(d.id())); break;
    case Op::i32_extend16_s: m_a.movsx(d.r32(), x86::gpw(d.id())); break;
    case Op::i64_extend8_s: m_a.movsx(d, gpb_lo(d.id())); break;
    case Op::i64_extend16_s: m_a.movsx(d, x86::gpw(d.id())); break;
    case Op::i64_extend32_s: m_a.movsxd(d, d.r32()); break;
    default: break;
  }
  push_reg(rt, d);
}

// ---- memory ----------------------------------------------------------------------------------

// The address of a memory access. No bounds check: memory 0 sits in an 8 GiB guard
// reservation (DESIGN principle 7), so base + u32 index + u32 offset faults when out of
// bounds and the trap handler turns the fault into "out of bounds memory access".
Mem Compiler::mem_operand(Val& addr, uint64_t offset, uint32_t size) {
  if (addr.kind == Kind::Const) {
    uint64_t ea = static_cast<uint32_t>(addr.c) + offset;
    if (ea <= INT32_MAX) return ptr(r14, static_cast<int32_t>(ea), size);
    m_a.mov(r11, imm(ea));
    return ptr(r14, r11, 0, 0, size);
  }
  Gp r = read_reg(addr);  // a borrowed local register is read in place
  if (offset <= INT32_MAX) return ptr(r14, r, 0, static_cast<int32_t>(offset), size);
  m_a.mov(r11d, imm(static_cast<uint32_t>(offset)));
  m_a.add(r11, r);
  return ptr(r14, r11, 0, 0, size);
}

void Compiler::emit_load(const Instr& ins) {
  Val addr = pop();
  uint32_t size = op_info(ins.op).mem;
  Mem m = mem_operand(addr, ins.imm, size);
  if (ins.op == Op::f32_load || ins.op == Op::f64_load) {
    Xmm x = alloc_fp();
    size_t start = m_a.offset();
    if (ins.op == Op::f64_load) m_a.movsd(x, m);
    else m_a.movss(x, m);
    release(addr);
    // Foldable unless the address is in r11 (scratch: the consumer may reuse it).
    bool r11_used = (m.hasBase() && m.baseId() == r11.id()) || (m.hasIndex() && m.indexId() == r11.id());
    m_fold = FoldableLoad{start, m_a.offset(), m, static_cast<uint8_t>(x.id()),
                          ins.op == Op::f64_load, !r11_used};
    return push_fp(ins.op == Op::f64_load ? ValType::F64 : ValType::F32, x);
  }
  bool reuse = addr.kind == Kind::Reg && !addr.borrowed;
  Gp d = reuse ? gpq(addr.reg) : alloc();
  ValType t = ValType::I32;
  switch (ins.op) {
    case Op::i32_load: m_a.mov(d.r32(), m); break;
    case Op::f32_load: m_a.mov(d.r32(), m); t = ValType::F32; break;
    case Op::i64_load: m_a.mov(d, m); t = ValType::I64; break;
    case Op::f64_load: m_a.mov(d, m); t = ValType::F64; break;
    case Op::i32_load8_s: m_a.movsx(d.r32(), m); break;
    case Op::i32_load8_u: m_a.movzx(d.r32(), m); break;
    case Op::i32_load16_s: m_a.movsx(d.r32(), m); break;
    case Op::i32_load16_u: m_a.movzx(d.r32(), m); break;
    case Op::i64_load8_s: m_a.movsx(d, m); t = ValType::I64; break;
    case Op::i64_load8_u: m_a.movzx(d.r32(), m); t = ValType::I64; break;
    case Op::i64_load16_s: m_a.movsx(d, m); t = ValType::I64; break;
    case Op::i64_load16_u: m_a.movzx(d.r32(), m); t = ValType::I64; break;
    case Op::i64_load32_s: m_a.movsxd(d, m); t = ValType::I64; break;
    case Op::i64_load32_u: m_a.mov(d.r32(), m); t = ValType::I64; break;
    default: break;
  }
  if (!reuse) release(addr);
  push_reg(t, d);
}

void Compiler::emit_store(const Instr& ins) {
  Val v = pop();
  Val addr = pop();
  uint32_t size = op_info(ins.op).mem;
  bool imm_ok = v.kind == Kind::Const &&
                (size < 8 || static_cast<int64_t>(v.c) == static_cast<int32_t>(v.c));
  if (!imm_ok && v.kind != Kind::Reg && v.kind != Kind::Fp) to_reg(v);
  Mem m = mem_operand(addr, ins.imm, size);
  if (v.kind == Kind::Fp) {
    if (size == 8) m_a.movsd(m, xmm(v.reg));
    else m_a.movss(m, xmm(v.reg));
  } else if (imm_ok) {
    uint64_t c = v.c;
    if (size == 1) m_a.mov(m, imm(static_cast<int8_t>(c)));
    else if (size == 2) m_a.mov(m, imm(static_cast<int16_t>(c)));
    else m_a.mov(m, imm(static_cast<int32_t>(c)));
  } else {
    uint32_t id = v.reg;
    switch (size) {
      case 1: m_a.mov(m, gpb_lo(id)); break;
      case 2: m_a.mov(m, x86::gpw(id)); break;
      case 4: m_a.mov(m, gpd(id)); break;
      default: m_a.mov(m, gpq(id)); break;
    }
  }
  release(v);
  release(addr);
}

// ---- select, globals, references, helpers ------------------------------------------------

void Compiler::emit_select(const Instr& ins) {
  (void)ins;
  Val cond = pop();
  Val b = pop();
  Val a = pop();
  bool wide = is64(a.type);
  if (cond.kind == Kind::Const) {
    bool pick_a = static_cast<uint32_t>(cond.c) != 0;
    Val keep = pick_a ? a : b;
    release(pick_a ? b : a);
    uint32_t slot = next_slot();
    if (keep.kind == Kind::Mem && keep.slot != slot) {
      // b in its own home (e.g. a block's result): the value moves down to the result's home.
      if (keep.type == ValType::V128) {
        copy_v128(home128(slot), home128(keep.slot));
      } else {
        m_a.mov(r11, home(keep.slot));
        m_a.mov(home(slot), r11);
      }
    }
    keep.slot = slot;
    m_vs.push_back(keep);
    return;
  }
  if (a.type == ValType::V128) {  // a in a register it owns; b moves in unless cond
    Xmm d = to_fp(a);            // (moves and loads leave the flags alone)
    Xmm s = v128_src(b, xmm15);
    asmjit::Label keep = m_a.new_local_label();
    jump_if_true(cond, keep);
    m_a.movaps(d, s);
    m_a.bind(keep);
    release(b);
    release(cond);
    return push_fp(ValType::V128, d);
  }
  Gp d = to_reg(a);
  if (b.kind == Kind::Fp) to_reg(b);
  asmjit::Operand src;
  if (b.kind == Kind::Reg) src = wide ? Gp(gpq(b.reg)) : Gp(gpd(b.reg));
  else if (b.kind == Kind::Const) { m_a.mov(r11, imm(b.c)); src = wide ? Gp(r11) : Gp(r11d); }
  else src = home_of(b, wide);
  CondCode pick_b;
  if (cond.kind == Kind::Flags) {
    pick_b = negateCond(static_cast<CondCode>(cond.cond));
  } else {
    if (cond.kind == Kind::Reg) m_a.test(gpd(cond.reg), gpd(cond.reg));
    else m_a.cmp(home32(cond.slot), 0);
    pick_b = CondCode::kE;
  }
  Gp dw = wide ? d : d.r32();
  if (src.isReg()) m_a.cmov(pick_b, dw, src.as<Gp>());
  else m_a.cmov(pick_b, dw, src.as<Mem>());
  release(b);
  release(cond);
  push_reg(a.type, d);
}

void Compiler::emit_global(const Instr& ins) {
  const GlobalType& gt = m_module->globals[ins.a];
  bool wide = is64(gt.type);
  int32_t off = global_slots_offset();
  if (gt.type == ValType::V128) {
    if (ins.op == Op::global_get) {
      Xmm x = alloc_fp();
      m_a.mov(r11, qword_ptr(r13, kJiGlobals));
      m_a.mov(r11, qword_ptr(r11, static_cast<int32_t>(8 * ins.a)));
      m_a.movups(x, ptr(r11, off, 16));
      return push_fp(ValType::V128, x);
    }
    Val v = pop();
    Xmm s = v128_src(v, xmm15);
    m_a.mov(r11, qword_ptr(r13, kJiGlobals));
    m_a.mov(r11, qword_ptr(r11, static_cast<int32_t>(8 * ins.a)));
    m_a.movups(ptr(r11, off, 16), s);
    release(v);
    return;
  }
  if (ins.op == Op::global_get) {
    Gp d = alloc();
    m_a.mov(r11, qword_ptr(r13, kJiGlobals));
    m_a.mov(r11, qword_ptr(r11, static_cast<int32_t>(8 * ins.a)));
    if (wide) m_a.mov(d, qword_ptr(r11, off));
    else m_a.mov(d.r32(), dword_ptr(r11, off));
    return push_reg(gt.type, d);
  }
  Val v = pop();
  if (!fits_imm32(v) || (v.kind == Kind::Const && static_cast<int64_t>(v.c) != static_cast<int32_t>(v.c)))
    to_reg(v);
  m_a.mov(r11, qword_ptr(r13, kJiGlobals));
  m_a.mov(r11, qword_ptr(r11, static_cast<int32_t>(8 * ins.a)));
  if (v.kind == Kind::Const) m_a.mov(qword_ptr(r11, off), imm(static_cast<int32_t>(v.c)));
  else m_a.mov(qword_ptr(r11, off), gpq(v.reg));
  release(v);
}

void Compiler::on_simple(const Instr& ins, const WalkState& st) {
  (void)st;
  Op op = ins.op;
  if (is_simd(op)) return emit_simd(ins);
  const OpInfo& info = op_info(op);
  if (info.mem != 0) {
    if (info.imm != Imm::MemArg) return unsupported(ins);
    if (info.sig == Sig::v_i32i32 || info.sig == Sig::v_i32i64 || info.sig == Sig::v_i32f32 ||
        info.sig == Sig::v_i32f64)
      return emit_store(ins);
    return emit_load(ins);
  }
  switch (op) {
    case Op::select:
    case Op::select_t:
      return emit_select(ins);
    case Op::global_get:
    case Op::global_set:
      return emit_global(ins);
    case Op::i32_const:
      return push_const(ValType::I32, static_cast<uint32_t>(ins.imm));
    case Op::i64_const:
      return push_const(ValType::I64, ins.imm);
    case Op::f32_const:
      return push_const(ValType::F32, static_cast<uint32_t>(ins.imm));
    case Op::f64_const:
      return push_const(ValType::F64, ins.imm);
    case Op::ref_null:
      return push_const(ins.type, 0);
    case Op::ref_is_null: {
      Val a = pop();
      if (a.kind == Kind::Const) return push_const(ValType::I32, a.c == 0);
      if (a.kind == Kind::Reg) m_a.test(gpq(a.reg), gpq(a.reg));
      else m_a.cmp(home(a.slot), 0);
      release(a);
      return push_flags(CondCode::kE);
    }
    case Op::ref_func: {
      Gp d = alloc();
      m_a.mov(r11, qword_ptr(r13, kJiFuncs));
      m_a.mov(d, qword_ptr(r11, static_cast<int32_t>(8 * ins.a)));
      return push_reg(ValType::FuncRef, d);
    }
    case Op::i32_add: case Op::i32_sub: case Op::i32_mul:
    case Op::i32_and: case Op::i32_or: case Op::i32_xor:
      return emit_int_binop(ins, false);
    case Op::i64_add: case Op::i64_sub: case Op::i64_mul:
    case Op::i64_and: case Op::i64_or: case Op::i64_xor:
      return emit_int_binop(ins, true);
    case Op::i32_eq: case Op::i32_ne: case Op::i32_lt_s: case Op::i32_lt_u:
    case Op::i32_gt_s: case Op::i32_gt_u: case Op::i32_le_s: case Op::i32_le_u:
    case Op::i32_ge_s: case Op::i32_ge_u:
      return emit_compare(op, false);
    case Op::i64_eq: case Op::i64_ne: case Op::i64_lt_s: case Op::i64_lt_u:
    case Op::i64_gt_s: case Op::i64_gt_u: case Op::i64_le_s: case Op::i64_le_u:
    case Op::i64_ge_s: case Op::i64_ge_u:
      return emit_compare(op, true);
    case Op::i32_div_s: case Op::i32_div_u: case Op::i32_rem_s: case Op::i32_rem_u:
      return emit_divrem(op, false);
    case Op::i64_div_s: case Op::i64_div_u: case Op::i64_rem_s: case Op::i64_rem_u:
      return emit_divrem(op, true);
    case Op::i32_shl: case Op::i32_shr_s: case Op::i32_shr_u: case Op::i32_rotl: case Op::i32_rotr:
      return emit_shift(op, false);
    case Op::i64_shl: case Op::i64_shr_s: case Op::i64_shr_u: case Op::i64_rotl: case Op::i64_rotr:
      return emit_shift(op, true);
    case Op::f32_add: case Op::f32_sub: case Op::f32_mul: case Op::f32_div:
      return emit_float_binop(op, false);
    case Op::f64_add: case Op::f64_sub: case Op::f64_mul: case Op::f64_div:
      return emit_float_binop(op, true);
    case Op::f32_eq: case Op::f32_ne: case Op::f32_lt: case Op::f32_gt: case Op::f32_le:
    case Op::f32_ge:
      return emit_float_compare(op, false);
    case Op::f64_eq: case Op::f64_ne: case Op::f64_lt: case Op::f64_gt: case Op::f64_le:
    case Op::f64_ge:
      return emit_float_compare(op, true);
    case Op::f32_min: case Op::f32_max: case Op::f32_copysign:
      return emit_numeric_helper(op, 2, ValType::F32);
    case Op::f64_min: case Op::f64_max: case Op::f64_copysign:
      return emit_numeric_helper(op, 2, ValType::F64);
    default:
      break;
  }
  if (op == Op::memory_grow) return emit_misc_helper(ins);
  switch (info.sig) {
    case Sig::i32_i32: case Sig::i32_i64: case Sig::i32_f32: case Sig::i32_f64:
    case Sig::i64_i32: case Sig::i64_i64: case Sig::i64_f32: case Sig::i64_f64:
    case Sig::f32_i32: case Sig::f32_i64: case Sig::f32_f32: case Sig::f32_f64:
    case Sig::f64_i32: case Sig::f64_i64: case Sig::f64_f32: case Sig::f64_f64:
      return emit_unop(ins);
    default:
      return emit_misc_helper(ins);
  }
}

}  // namespace wsvm::jit::x64
