// AArch64 instruction emitters: integer and float arithmetic, compares, conversions and
// extensions inline; loads and stores against the guard-page reservation (no bounds checks:
// base x20 + zero-extended index + offset stays inside the 8 GiB reservation, and a fault
// takes the landing pad); globals, select, references; SIMD in simd.cpp (NEON). Everything
// else goes through the front end's helper calls: the numeric slow paths and
// table/bulk-memory/memory.size/grow.
#include <cstring>
#include <tuple>

#include "jit/a64/compiler.hpp"
#include "jit/jit_abi.hpp"
#include "semantics/fold.hpp"

namespace wsvm::jit::a64 {

using namespace asmjit::a64;
using asmjit::imm;
using CC = asmjit::arm::CondCode;

bool Compiler::bails_out(Op) { return false; }

// The registers of two integer operands and a result register, allocated before any
// constant is put in a scratch register (an allocation may store through x17).
// b_imm: b is a constant the instruction encodes, not needed in a register.
std::tuple<Compiler::Gp, Compiler::Gp, Compiler::Gp> Compiler::operands_then_alloc(Val& a, Val& b,
                                                                                   bool b_imm) {
  Gp ra = a.kind == Kind::Const ? Gp(x16) : read_reg(a);
  Gp rb = b.kind == Kind::Const ? Gp(x17) : read_reg(b);
  release(a);
  release(b);
  Gp d = alloc();
  if (a.kind == Kind::Const) gp_const(x16, a.c);
  if (b.kind == Kind::Const && !b_imm) gp_const(x17, b.c);
  return {ra, rb, d};
}

Compiler::Gp Compiler::int_src(Val& v, Gp scratch) {
  if (v.kind == Kind::Const) {
    gp_const(scratch, v.c);
    return scratch;
  }
  return read_reg(v);
}

// ---- integers ------------------------------------------------------------------------------

void Compiler::emit_int_binop(Op op, bool wide) {
  Val b = pop();
  Val a = pop();
  ValType t = wide ? ValType::I64 : ValType::I32;
  if (a.kind == Kind::Const && b.kind == Kind::Const) {  // constant folding (never traps)
    const uint64_t r = *num::fold(op, a.c, b.c);
    return push_const(t, wide ? r : static_cast<uint32_t>(r));
  }
  const bool small = b.kind == Kind::Const && b.c < 4096 &&
                     (op == Op::i32_add || op == Op::i64_add || op == Op::i32_sub || op == Op::i64_sub);
  auto [ra, rb, d] = operands_then_alloc(a, b, small);
  Gp dw = w_or_x(d, wide), aw = w_or_x(ra, wide), bw = w_or_x(rb, wide);
  switch (op) {
    case Op::i32_add: case Op::i64_add:
      if (small) m_a.add(dw, aw, imm(b.c));
      else m_a.add(dw, aw, bw);
      break;
    case Op::i32_sub: case Op::i64_sub:
      if (small) m_a.sub(dw, aw, imm(b.c));
      else m_a.sub(dw, aw, bw);
      break;
    case Op::i32_mul: case Op::i64_mul: m_a.mul(dw, aw, bw); break;
    case Op::i32_and: case Op::i64_and: m_a.and_(dw, aw, bw); break;
    case Op::i32_or: case Op::i64_or: m_a.orr(dw, aw, bw); break;
    case Op::i32_xor: case Op::i64_xor: m_a.eor(dw, aw, bw); break;
    case Op::i32_shl: case Op::i64_shl: m_a.lsl(dw, aw, bw); break;
    case Op::i32_shr_s: case Op::i64_shr_s: m_a.asr(dw, aw, bw); break;
    case Op::i32_shr_u: case Op::i64_shr_u: m_a.lsr(dw, aw, bw); break;
    case Op::i32_rotr: case Op::i64_rotr: m_a.ror(dw, aw, bw); break;
    case Op::i32_rotl: case Op::i64_rotl:  // rotl by n = rotr by -n (the count is taken mod width)
      m_a.neg(w_or_x(x17, wide), bw);
      m_a.ror(dw, aw, w_or_x(x17, wide));
      break;
    default: break;
  }
  push_reg(t, d);
}

namespace {
CC int_cond(Op op) {  // in IntCmp's order
  constexpr CC kCond[] = {CC::kEQ, CC::kNE, CC::kLT, CC::kLO, CC::kGT,
                          CC::kHI, CC::kLE, CC::kLS, CC::kGE, CC::kHS};
  return kCond[static_cast<int>(int_compare(op))];
}
}  // namespace

void Compiler::emit_compare(Op op, bool wide) {
  Val b = pop();
  Val a = pop();
  Gp ra = int_src(a, x16);
  if (b.kind == Kind::Const && b.c < 4096) {
    m_a.cmp(w_or_x(ra, wide), imm(b.c));
  } else {
    Gp rb = int_src(b, x17);
    m_a.cmp(w_or_x(ra, wide), w_or_x(rb, wide));
  }
  release(a);
  release(b);
  push_flags(int_cond(op));
}

void Compiler::emit_divrem(Op op, bool wide) {
  Val b = pop();
  Val a = pop();
  const bool is_signed = op == Op::i32_div_s || op == Op::i64_div_s || op == Op::i32_rem_s ||
                         op == Op::i64_rem_s;
  const bool is_rem = op == Op::i32_rem_s || op == Op::i64_rem_s || op == Op::i32_rem_u ||
                      op == Op::i64_rem_u;
  auto [ra, rb, d] = operands_then_alloc(a, b);
  Gp dw = w_or_x(d, wide), aw = w_or_x(ra, wide), bw = w_or_x(rb, wide);
  m_a.cbz(bw, trap_label(TrapKind::IntegerDivideByZero));
  if (is_signed && !is_rem) {  // INT_MIN / -1 overflows (sdiv would give INT_MIN)
    Label ok = m_a.newLabel();
    m_a.cmn(bw, imm(1));
    m_a.b(CC::kNE, ok);
    m_a.cmp(aw, imm(1));       // a - 1 overflows only for INT_MIN
    trap_if(CC::kVS, TrapKind::IntegerOverflow);
    m_a.bind(ok);
  }
  // rem: a - (a / b) * b; INT_MIN rem -1 is 0 that way (sdiv does not trap).
  Gp q = dw;  // rem: the quotient in a register that is neither operand (msub reads both)
  if (is_rem) {
    for (Gp c : {Gp(x16), Gp(x17), d}) {
      if (c.id() != ra.id() && c.id() != rb.id()) {
        q = w_or_x(c, wide);
        break;
      }
    }
  }
  if (is_signed) m_a.sdiv(q, aw, bw);
  else m_a.udiv(q, aw, bw);
  if (is_rem) m_a.msub(dw, q, bw, aw);
  push_reg(wide ? ValType::I64 : ValType::I32, d);
}

void Compiler::emit_int_unop(Op op) {
  Val a = pop();
  if (op == Op::i32_eqz || op == Op::i64_eqz) {
    if (a.kind == Kind::Flags) return push_flags(static_cast<CC>(negate(a.cond)));
    if (a.kind == Kind::Const) return push_const(ValType::I32, (op == Op::i32_eqz ? static_cast<uint32_t>(a.c) : a.c) == 0);
    Gp r = read_reg(a);
    m_a.cmp(w_or_x(r, op == Op::i64_eqz), imm(0));
    release(a);
    return push_flags(CC::kEQ);
  }
  Gp ra = int_src(a, x16);
  release(a);
  Gp d = alloc();
  switch (op) {
    case Op::i32_clz: m_a.clz(d.w(), ra.w()); break;
    case Op::i64_clz: m_a.clz(d.x(), ra.x()); break;
    case Op::i32_ctz: m_a.rbit(w17, ra.w()); m_a.clz(d.w(), w17); break;
    case Op::i64_ctz: m_a.rbit(x17, ra.x()); m_a.clz(d.x(), x17); break;
    case Op::i32_wrap_i64: m_a.mov(d.w(), ra.w()); break;
    case Op::i64_extend_i32_u: m_a.mov(d.w(), ra.w()); break;
    case Op::i64_extend_i32_s: m_a.sxtw(d.x(), ra.w()); break;
    case Op::i32_extend8_s: m_a.sxtb(d.w(), ra.w()); break;
    case Op::i32_extend16_s: m_a.sxth(d.w(), ra.w()); break;
    case Op::i64_extend8_s: m_a.sxtb(d.x(), ra.w()); break;
    case Op::i64_extend16_s: m_a.sxth(d.x(), ra.w()); break;
    case Op::i64_extend32_s: m_a.sxtw(d.x(), ra.w()); break;
    default: break;
  }
  const OpInfo& info = op_info(op);
  const bool wide = info.sig == Sig::i64_i32 || info.sig == Sig::i64_i64;
  push_reg(wide ? ValType::I64 : ValType::I32, d);
}

// ---- floats (f32/f64 live in v0-v29 as s/d registers: Kind::Fp) -------------------------

void Compiler::emit_float_binop(Op op, bool f64) {
  Val b = pop();
  Val a = pop();
  Vec va = read_fp(a);
  Vec vb = read_fp(b);
  release(a);
  release(b);
  Vec d = alloc_fp();
  Vec dv = s_or_d(d, f64), av = s_or_d(va, f64), bv = s_or_d(vb, f64);
  switch (op) {
    case Op::f32_add: case Op::f64_add: m_a.fadd(dv, av, bv); break;
    case Op::f32_sub: case Op::f64_sub: m_a.fsub(dv, av, bv); break;
    case Op::f32_mul: case Op::f64_mul: m_a.fmul(dv, av, bv); break;
    case Op::f32_div: case Op::f64_div: m_a.fdiv(dv, av, bv); break;
    // fmin/fmax: NaN if either is (quieted), -0 below +0: the wasm rules.
    case Op::f32_min: case Op::f64_min: m_a.fmin(dv, av, bv); break;
    case Op::f32_max: case Op::f64_max: m_a.fmax(dv, av, bv); break;
    default: break;
  }
  push_fp(f64 ? ValType::F64 : ValType::F32, d);
}

// fcmp: unordered sets C and V. lt = MI, le = LS and gt/ge (GT/GE) are false on NaN; ne (NE)
// is true on NaN.
void Compiler::emit_float_compare(Op op, bool f64) {
  Val b = pop();
  Val a = pop();
  Vec va = read_fp(a);
  Vec vb = read_fp(b);
  m_a.fcmp(s_or_d(va, f64), s_or_d(vb, f64));
  release(a);
  release(b);
  CC cc = CC::kEQ;
  switch (op) {
    case Op::f32_eq: case Op::f64_eq: cc = CC::kEQ; break;
    case Op::f32_ne: case Op::f64_ne: cc = CC::kNE; break;
    case Op::f32_lt: case Op::f64_lt: cc = CC::kMI; break;
    case Op::f32_le: case Op::f64_le: cc = CC::kLS; break;
    case Op::f32_gt: case Op::f64_gt: cc = CC::kGT; break;
    default: cc = CC::kGE; break;
  }
  push_flags(cc);
}

// Unary float operations and the conversions with an exact AArch64 instruction; the rest
// (trapping truncations, unsigned 64-bit conversions' rounding is exact too) are inline or
// helpers (on_simple).
void Compiler::emit_float_unop(Op op) {
  const OpInfo& info = op_info(op);
  Val a = pop();
  auto fres = [&](bool f64) {
    Vec d = alloc_fp();
    return std::pair<Vec, Vec>(d, s_or_d(d, f64));
  };
  switch (info.sig) {
    case Sig::f32_f32: case Sig::f64_f64: {
      const bool f64 = info.sig == Sig::f64_f64;
      Vec va = read_fp(a);
      release(a);
      auto [d, dv] = fres(f64);
      Vec av = s_or_d(va, f64);
      switch (op) {
        case Op::f32_abs: case Op::f64_abs: m_a.fabs(dv, av); break;
        case Op::f32_neg: case Op::f64_neg: m_a.fneg(dv, av); break;
        case Op::f32_sqrt: case Op::f64_sqrt: m_a.fsqrt(dv, av); break;
        case Op::f32_ceil: case Op::f64_ceil: m_a.frintp(dv, av); break;
        case Op::f32_floor: case Op::f64_floor: m_a.frintm(dv, av); break;
        case Op::f32_trunc: case Op::f64_trunc: m_a.frintz(dv, av); break;
        default: m_a.frintn(dv, av); break;  // nearest: ties to even
      }
      return push_fp(f64 ? ValType::F64 : ValType::F32, d);
    }
    case Sig::f32_f64: case Sig::f64_f32: {  // demote / promote
      const bool to64 = info.sig == Sig::f64_f32;
      Vec va = read_fp(a);
      release(a);
      auto [d, dv] = fres(to64);
      m_a.fcvt(dv, s_or_d(va, !to64));
      return push_fp(to64 ? ValType::F64 : ValType::F32, d);
    }
    case Sig::f32_i32: case Sig::f32_i64: case Sig::f64_i32: case Sig::f64_i64: {
      const bool to64 = info.sig == Sig::f64_i32 || info.sig == Sig::f64_i64;
      const bool from64 = info.sig == Sig::f32_i64 || info.sig == Sig::f64_i64;
      Gp ra = int_src(a, x16);
      release(a);
      auto [d, dv] = fres(to64);
      const bool is_unsigned = op == Op::f32_convert_i32_u || op == Op::f32_convert_i64_u ||
                               op == Op::f64_convert_i32_u || op == Op::f64_convert_i64_u;
      if (is_unsigned) m_a.ucvtf(dv, w_or_x(ra, from64));
      else m_a.scvtf(dv, w_or_x(ra, from64));
      return push_fp(to64 ? ValType::F64 : ValType::F32, d);
    }
    default: {  // trunc_sat: fcvtz[su] saturates and maps NaN to 0, as wasm does
      const bool from64 = info.sig == Sig::i32_f64 || info.sig == Sig::i64_f64;
      const bool to64 = info.sig == Sig::i64_f32 || info.sig == Sig::i64_f64;
      Vec va = read_fp(a);
      release(a);
      Gp d = alloc();
      const bool is_unsigned = op == Op::i32_trunc_sat_f32_u || op == Op::i32_trunc_sat_f64_u ||
                               op == Op::i64_trunc_sat_f32_u || op == Op::i64_trunc_sat_f64_u;
      if (is_unsigned) m_a.fcvtzu(w_or_x(d, to64), s_or_d(va, from64));
      else m_a.fcvtzs(w_or_x(d, to64), s_or_d(va, from64));
      return push_reg(to64 ? ValType::I64 : ValType::I32, d);
    }
  }
}

// ---- memory --------------------------------------------------------------------------------

// The access at zero-extended index + offset (at most 2^33: inside the reservation or its
// guard): [x20, index register] when there is no offset (an i32 in a register has bits 32-63
// zero), else [x20, x17].
Compiler::Mem Compiler::mem_address(Val& addr, uint64_t offset) {
  if (addr.kind == Kind::Const) {
    mov_imm(x17, static_cast<uint32_t>(addr.c) + offset);
    return ptr(x20, x17);
  }
  Gp r = read_reg(addr);
  if (offset == 0) return ptr(x20, r.x());
  if (offset < 4096) {
    m_a.add(x17, r.x(), imm(offset));
  } else {
    mov_imm(x17, offset);
    m_a.add(x17, x17, r.x());
  }
  return ptr(x20, x17);
}

void Compiler::emit_load(const Instr& ins) {
  Val addr = pop();
  if (addr.kind != Kind::Const) read_reg(addr);  // registers first: an allocation may use x17
  release(addr);
  if (ins.op == Op::f32_load || ins.op == Op::f64_load) {
    Vec d = alloc_fp();
    const Mem m = mem_address(addr, ins.imm);
    const bool f64 = ins.op == Op::f64_load;
    m_a.ldr(s_or_d(d, f64), m);
    return push_fp(f64 ? ValType::F64 : ValType::F32, d);
  }
  Gp d = alloc();
  const Mem m = mem_address(addr, ins.imm);  // (d may be addr's register: read first)
  ValType t = ValType::I32;
  switch (ins.op) {
    case Op::i32_load: m_a.ldr(d.w(), m); break;
    case Op::i64_load: m_a.ldr(d.x(), m); t = ValType::I64; break;
    case Op::i32_load8_s: m_a.ldrsb(d.w(), m); break;
    case Op::i32_load8_u: m_a.ldrb(d.w(), m); break;
    case Op::i32_load16_s: m_a.ldrsh(d.w(), m); break;
    case Op::i32_load16_u: m_a.ldrh(d.w(), m); break;
    case Op::i64_load8_s: m_a.ldrsb(d.x(), m); t = ValType::I64; break;
    case Op::i64_load8_u: m_a.ldrb(d.w(), m); t = ValType::I64; break;
    case Op::i64_load16_s: m_a.ldrsh(d.x(), m); t = ValType::I64; break;
    case Op::i64_load16_u: m_a.ldrh(d.w(), m); t = ValType::I64; break;
    case Op::i64_load32_s: m_a.ldrsw(d.x(), m); t = ValType::I64; break;
    case Op::i64_load32_u: m_a.ldr(d.w(), m); t = ValType::I64; break;
    default: unsupported(ins); break;
  }
  push_reg(t, d);
}

void Compiler::emit_store(const Instr& ins) {
  Val v = pop();
  Val addr = pop();
  // Registers first (an allocation may store through x17), then the address, then constants.
  if (v.kind != Kind::Const && v.kind != Kind::Fp) read_reg(v);
  if (addr.kind != Kind::Const) read_reg(addr);
  const Mem m = mem_address(addr, ins.imm);
  if (ins.op == Op::f32_store || ins.op == Op::f64_store) {
    const bool f64 = ins.op == Op::f64_store;
    if (v.kind == Kind::Fp) {
      m_a.str(s_or_d(Regs::fp(v.reg), f64), m);
    } else {  // bits in a GP register or a constant: store them as integers
      Gp r = int_src(v, x16);
      m_a.str(w_or_x(r, f64), m);
    }
  } else {
    Gp r = int_src(v, x16);
    switch (ins.op) {
      case Op::i32_store: case Op::i64_store32: m_a.str(r.w(), m); break;
      case Op::i64_store: m_a.str(r.x(), m); break;
      case Op::i32_store8: case Op::i64_store8: m_a.strb(r.w(), m); break;
      case Op::i32_store16: case Op::i64_store16: m_a.strh(r.w(), m); break;
      default: unsupported(ins); break;
    }
  }
  release(v);
  release(addr);
}

// ---- select, globals -----------------------------------------------------------------------

void Compiler::emit_select(const Instr&) {
  Val c = pop();
  Val b = pop();
  Val a = pop();
  if (a.type == ValType::V128) {
    if (c.kind == Kind::Const) {  // the one kept
      release(c);
      release(static_cast<uint32_t>(c.c) != 0 ? b : a);
      m_vs.push_back(static_cast<uint32_t>(c.c) != 0 ? a : b);
      m_vs.back().slot = a.slot;
      if (m_vs.back().kind == Kind::Mem) {  // b's home is not a's: load it
        Val& v = m_vs.back();
        v.slot = b.slot;
        to_fp(v);
        v.slot = a.slot;
      }
      return;
    }
    // A mask of all ones when c holds, bsl picks a's bits there and b's elsewhere.
    Gp rc = read_reg(c);  // (a condition in the flags: materialized before anything sets them)
    m_vs.push_back(a);  // back on the stack for simd_args, their registers still held
    m_vs.push_back(b);
    SimdArgs s = simd_args(2);
    m_a.cmp(rc.w(), imm(0));
    m_a.csetm(x16, imm(static_cast<uint32_t>(CC::kNE)));
    m_a.dup(arr(s.d, A::D2), x16);
    m_a.bsl(arr(s.d, A::B16), arr(s.r[0], A::B16), arr(s.r[1], A::B16));
    release(c);
    return simd_done(s);
  }
  CC cc = CC::kNE;
  if (c.kind == Kind::Flags) {
    cc = static_cast<CC>(c.cond);
  } else {
    Gp rc = int_src(c, x16);
    m_a.cmp(rc.w(), imm(0));
  }
  if (is_float(a.type)) {
    Vec va = read_fp(a);
    Vec vb = read_fp(b);
    release(a);
    release(b);
    release(c);
    Vec d = alloc_fp();
    const bool f64 = a.type == ValType::F64;
    m_a.fcsel(s_or_d(d, f64), s_or_d(va, f64), s_or_d(vb, f64), imm(static_cast<uint32_t>(cc)));
    return push_fp(a.type, d);
  }
  release(c);
  auto [ra, rb, d] = operands_then_alloc(a, b);
  m_a.csel(d.x(), ra.x(), rb.x(), imm(static_cast<uint32_t>(cc)));
  push_reg(a.type, d);
}

void Compiler::emit_global(const Instr& ins) {
  const GlobalType& gt = m_module->globals[ins.a];
  const int32_t off = global_slots_offset();
  auto global_base = [&] {
    m_a.ldr(x17, ptr(x19, kJiGlobals));
    const uint32_t at = 8 * ins.a;  // (x17 only: x16 may hold the value being stored)
    if (at >= 32768) m_a.add(x17, x17, imm(at & ~0xfffu));
    m_a.ldr(x17, ptr(x17, static_cast<int32_t>(at >= 32768 ? at & 0xfff : at)));
  };
  if (gt.type == ValType::V128) {
    if (ins.op == Op::global_get) {
      Vec x = alloc_fp();
      global_base();
      load_v128(x, x17, static_cast<uint64_t>(off));
      return push_fp(ValType::V128, x);
    }
    Val v = pop();
    Vec s = read_fp(v);
    global_base();
    store_v128(x17, static_cast<uint64_t>(off), s);
    release(v);
    return;
  }
  const bool wide = is64(gt.type);
  if (ins.op == Op::global_get) {
    Gp d = alloc();
    global_base();
    if (wide) m_a.ldr(d.x(), ptr(x17, off));
    else m_a.ldr(d.w(), ptr(x17, off));
    return push_reg(gt.type, d);
  }
  Val v = pop();
  Gp r;
  if (v.kind == Kind::Fp) {
    gp_from_fp(x16, Regs::fp(v.reg), gt.type == ValType::F64);
    r = x16;
  } else {
    r = int_src(v, x16);
  }
  global_base();
  m_a.str(r.x(), ptr(x17, off));
  release(v);
}

// ---- dispatch ------------------------------------------------------------------------------

void Compiler::on_simple(const Instr& ins, const WalkState&) {
  const Op op = ins.op;
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
    case Op::select: case Op::select_t: return emit_select(ins);
    case Op::global_get: case Op::global_set: return emit_global(ins);
    case Op::i32_const: return push_const(ValType::I32, static_cast<uint32_t>(ins.imm));
    case Op::i64_const: return push_const(ValType::I64, ins.imm);
    case Op::f32_const: return push_const(ValType::F32, static_cast<uint32_t>(ins.imm));
    case Op::f64_const: return push_const(ValType::F64, ins.imm);
    case Op::ref_null: return push_const(ins.type, 0);
    case Op::ref_is_null: {
      Val a = pop();
      if (a.kind == Kind::Const) return push_const(ValType::I32, a.c == 0);
      Gp r = read_reg(a);
      m_a.cmp(r.x(), imm(0));
      release(a);
      return push_flags(CC::kEQ);
    }
    case Op::ref_func: {
      Gp d = alloc();
      m_a.ldr(x17, ptr(x19, kJiFuncs));
      mov_imm(x16, 8 * uint64_t{ins.a});
      m_a.ldr(d.x(), ptr(x17, x16));
      return push_reg(ValType::FuncRef, d);
    }
    case Op::i32_add: case Op::i32_sub: case Op::i32_mul: case Op::i32_and: case Op::i32_or:
    case Op::i32_xor: case Op::i32_shl: case Op::i32_shr_s: case Op::i32_shr_u:
    case Op::i32_rotl: case Op::i32_rotr:
      return emit_int_binop(op, false);
    case Op::i64_add: case Op::i64_sub: case Op::i64_mul: case Op::i64_and: case Op::i64_or:
    case Op::i64_xor: case Op::i64_shl: case Op::i64_shr_s: case Op::i64_shr_u:
    case Op::i64_rotl: case Op::i64_rotr:
      return emit_int_binop(op, true);
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
    case Op::i32_eqz: case Op::i64_eqz: case Op::i32_clz: case Op::i64_clz:
    case Op::i32_ctz: case Op::i64_ctz: case Op::i32_wrap_i64: case Op::i64_extend_i32_u:
    case Op::i64_extend_i32_s: case Op::i32_extend8_s: case Op::i32_extend16_s:
    case Op::i64_extend8_s: case Op::i64_extend16_s: case Op::i64_extend32_s:
      return emit_int_unop(op);
    case Op::f32_add: case Op::f32_sub: case Op::f32_mul: case Op::f32_div:
    case Op::f32_min: case Op::f32_max:
      return emit_float_binop(op, false);
    case Op::f64_add: case Op::f64_sub: case Op::f64_mul: case Op::f64_div:
    case Op::f64_min: case Op::f64_max:
      return emit_float_binop(op, true);
    case Op::f32_eq: case Op::f32_ne: case Op::f32_lt: case Op::f32_gt: case Op::f32_le:
    case Op::f32_ge:
      return emit_float_compare(op, false);
    case Op::f64_eq: case Op::f64_ne: case Op::f64_lt: case Op::f64_gt: case Op::f64_le:
    case Op::f64_ge:
      return emit_float_compare(op, true);
    case Op::f32_abs: case Op::f64_abs: case Op::f32_neg: case Op::f64_neg:
    case Op::f32_sqrt: case Op::f64_sqrt: case Op::f32_ceil: case Op::f64_ceil:
    case Op::f32_floor: case Op::f64_floor: case Op::f32_trunc: case Op::f64_trunc:
    case Op::f32_nearest: case Op::f64_nearest: case Op::f32_demote_f64: case Op::f64_promote_f32:
    case Op::f32_convert_i32_s: case Op::f32_convert_i32_u: case Op::f32_convert_i64_s:
    case Op::f32_convert_i64_u: case Op::f64_convert_i32_s: case Op::f64_convert_i32_u:
    case Op::f64_convert_i64_s: case Op::f64_convert_i64_u:
    case Op::i32_trunc_sat_f32_s: case Op::i32_trunc_sat_f32_u: case Op::i32_trunc_sat_f64_s:
    case Op::i32_trunc_sat_f64_u: case Op::i64_trunc_sat_f32_s: case Op::i64_trunc_sat_f32_u:
    case Op::i64_trunc_sat_f64_s: case Op::i64_trunc_sat_f64_u:
      return emit_float_unop(op);
    // Reinterpretations: the bits are already right (an integer is never in an fp register).
    case Op::i32_reinterpret_f32: case Op::i64_reinterpret_f64:
      if (m_vs.back().kind == Kind::Fp) to_reg(m_vs.back());
      m_vs.back().type = op == Op::i32_reinterpret_f32 ? ValType::I32 : ValType::I64;
      return;
    case Op::f32_reinterpret_i32: case Op::f64_reinterpret_i64:
      m_vs.back().type = op == Op::f32_reinterpret_i32 ? ValType::F32 : ValType::F64;
      return;
    default:
      break;
  }
  if (op == Op::memory_grow) return emit_misc_helper(ins);  // (its signature is i32 -> i32)
  switch (info.sig) {  // the rest of the numeric instructions: their slow paths
    case Sig::i32_i32: case Sig::i32_i64: case Sig::i32_f32: case Sig::i32_f64:
      return emit_numeric_helper(op, 1, ValType::I32);
    case Sig::i64_i32: case Sig::i64_i64: case Sig::i64_f32: case Sig::i64_f64:
      return emit_numeric_helper(op, 1, ValType::I64);
    case Sig::f32_i32: case Sig::f32_i64: case Sig::f32_f32: case Sig::f32_f64:
      return emit_numeric_helper(op, 1, ValType::F32);
    case Sig::f64_i32: case Sig::f64_i64: case Sig::f64_f32: case Sig::f64_f64:
      return emit_numeric_helper(op, 1, ValType::F64);
    case Sig::f32_f32f32: return emit_numeric_helper(op, 2, ValType::F32);
    case Sig::f64_f64f64: return emit_numeric_helper(op, 2, ValType::F64);
    default:
      return emit_misc_helper(ins);
  }
}

}  // namespace wsvm::jit::a64
