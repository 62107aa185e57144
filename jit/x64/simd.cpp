// SIMD instructions and v128 data movement. v128 values are first-class in the value stack:
// in an xmm register (Kind::Fp, the class f32/f64 use: xmm0-13), a constant (Kind::Const,
// bytes 0-7 in c and 8-15 in c_hi, materialized by its consumer) or their 16-byte home (two
// frame slots). The common instructions are inline SSE2-SSE4.1 (this file and
// compiler_simd_lanes.cpp); the rare ones call their helper (simd_helpers.cpp) with every
// value spilled to its home. xmm14/xmm15 are scratch; constants come from a per-function
// pool after the code (16-byte aligned, so legacy SSE may use them as memory operands).
#include <cstring>

#include "jit/x64/compiler.hpp"
#include "jit/jit_abi.hpp"

namespace wsvm::jit::x64 {

using asmjit::imm;
using namespace asmjit::x86;

void Compiler::copy_v128(const Mem& dst, const Mem& src) {
  Mem d = dst, s = src;
  d.setSize(16);
  s.setSize(16);
  m_a.movups(xmm15, s);
  m_a.movups(d, xmm15);
}

Mem Compiler::home128(uint32_t slot) {
  return ptr(rsp, static_cast<int32_t>(slot * 8), 16);
}

void Compiler::push_v128_const(uint64_t lo, uint64_t hi) {
  Val v{ValType::V128, Kind::Const, 0, 0, next_slot(), lo};
  v.c_hi = hi;
  m_vs.push_back(v);
}

// One pool entry per distinct constant, found by hash: a body of many distinct constants
// made a scan of the pool per use quadratic.
Mem Compiler::const128(uint64_t lo, uint64_t hi) {
  auto [it, fresh] = m_pool_index.try_emplace(Const128{lo, hi}, static_cast<uint32_t>(m_pool.size()));
  if (fresh) m_pool.push_back(PoolEntry{lo, hi, m_a.new_local_label()});
  return ptr(m_pool[it->second].label, 0, 16);
}

void Compiler::load_v128_const(Xmm x, uint64_t lo, uint64_t hi) {
  if (lo == 0 && hi == 0) m_a.xorps(x, x);
  else if (lo == ~uint64_t{0} && hi == ~uint64_t{0}) m_a.pcmpeqd(x, x);
  else m_a.movaps(x, const128(lo, hi));
}

void Compiler::emit_constant_pool() {
  if (m_pool.empty()) return;
  m_a.align(asmjit::AlignMode::kData, 16);
  for (const PoolEntry& e : m_pool) {
    m_a.bind(e.label);
    m_a.embed(&e.lo, 8);
    m_a.embed(&e.hi, 8);
  }
}

Xmm Compiler::v128_src(Val& v, Xmm scratch) {
  switch (v.kind) {
    case Kind::Fp:
      return xmm(v.reg);
    case Kind::Const:
      load_v128_const(scratch, v.c, v.c_hi);
      return scratch;
    default:
      m_a.movups(scratch, home128(v.slot));
      return scratch;
  }
}

namespace {
constexpr uint64_t splat8(uint8_t b) { return 0x0101010101010101ull * b; }
constexpr uint64_t splat16(uint16_t w) { return 0x0001000100010001ull * w; }
constexpr uint64_t splat32v(uint32_t d) { return d | uint64_t{d} << 32; }

// Binary forms: op d, s (swap: d = b, s = a), optional predicate immediate (cmpps/cmppd)
// and a final not (pcmpeqd all-ones + pxor).
struct BinForm {
  asmjit::InstId id = Inst::kIdNone;
  bool swap = false;
  int pred = -1;
  bool negate = false;
};

BinForm bin_form(Op op) {
  switch (op) {
    case Op::v128_and: return {Inst::kIdPand};
    case Op::v128_or: return {Inst::kIdPor};
    case Op::v128_xor: return {Inst::kIdPxor};
    case Op::v128_andnot: return {Inst::kIdPandn, true};  // pandn d, s = ~d & s
    case Op::i8x16_add: return {Inst::kIdPaddb};
    case Op::i16x8_add: return {Inst::kIdPaddw};
    case Op::i32x4_add: return {Inst::kIdPaddd};
    case Op::i64x2_add: return {Inst::kIdPaddq};
    case Op::i8x16_sub: return {Inst::kIdPsubb};
    case Op::i16x8_sub: return {Inst::kIdPsubw};
    case Op::i32x4_sub: return {Inst::kIdPsubd};
    case Op::i64x2_sub: return {Inst::kIdPsubq};
    case Op::i16x8_mul: return {Inst::kIdPmullw};
    case Op::i32x4_mul: return {Inst::kIdPmulld};
    case Op::i8x16_add_sat_s: return {Inst::kIdPaddsb};
    case Op::i8x16_add_sat_u: return {Inst::kIdPaddusb};
    case Op::i16x8_add_sat_s: return {Inst::kIdPaddsw};
    case Op::i16x8_add_sat_u: return {Inst::kIdPaddusw};
    case Op::i8x16_sub_sat_s: return {Inst::kIdPsubsb};
    case Op::i8x16_sub_sat_u: return {Inst::kIdPsubusb};
    case Op::i16x8_sub_sat_s: return {Inst::kIdPsubsw};
    case Op::i16x8_sub_sat_u: return {Inst::kIdPsubusw};
    case Op::i8x16_min_s: return {Inst::kIdPminsb};
    case Op::i8x16_min_u: return {Inst::kIdPminub};
    case Op::i8x16_max_s: return {Inst::kIdPmaxsb};
    case Op::i8x16_max_u: return {Inst::kIdPmaxub};
    case Op::i16x8_min_s: return {Inst::kIdPminsw};
    case Op::i16x8_min_u: return {Inst::kIdPminuw};
    case Op::i16x8_max_s: return {Inst::kIdPmaxsw};
    case Op::i16x8_max_u: return {Inst::kIdPmaxuw};
    case Op::i32x4_min_s: return {Inst::kIdPminsd};
    case Op::i32x4_min_u: return {Inst::kIdPminud};
    case Op::i32x4_max_s: return {Inst::kIdPmaxsd};
    case Op::i32x4_max_u: return {Inst::kIdPmaxud};
    case Op::i8x16_avgr_u: return {Inst::kIdPavgb};
    case Op::i16x8_avgr_u: return {Inst::kIdPavgw};
    case Op::i32x4_dot_i16x8_s: return {Inst::kIdPmaddwd};
    case Op::i8x16_narrow_i16x8_s: return {Inst::kIdPacksswb};
    case Op::i8x16_narrow_i16x8_u: return {Inst::kIdPackuswb};
    case Op::i16x8_narrow_i32x4_s: return {Inst::kIdPackssdw};
    case Op::i16x8_narrow_i32x4_u: return {Inst::kIdPackusdw};
    // Signed integer compares: eq, gt directly; lt swaps; le = not gt; ge = not lt.
    case Op::i8x16_eq: return {Inst::kIdPcmpeqb};
    case Op::i16x8_eq: return {Inst::kIdPcmpeqw};
    case Op::i32x4_eq: return {Inst::kIdPcmpeqd};
    case Op::i64x2_eq: return {Inst::kIdPcmpeqq};
    case Op::i8x16_ne: return {Inst::kIdPcmpeqb, false, -1, true};
    case Op::i16x8_ne: return {Inst::kIdPcmpeqw, false, -1, true};
    case Op::i32x4_ne: return {Inst::kIdPcmpeqd, false, -1, true};
    case Op::i64x2_ne: return {Inst::kIdPcmpeqq, false, -1, true};
    case Op::i8x16_gt_s: return {Inst::kIdPcmpgtb};
    case Op::i16x8_gt_s: return {Inst::kIdPcmpgtw};
    case Op::i32x4_gt_s: return {Inst::kIdPcmpgtd};
    case Op::i64x2_gt_s: return {Inst::kIdPcmpgtq};
    case Op::i8x16_lt_s: return {Inst::kIdPcmpgtb, true};
    case Op::i16x8_lt_s: return {Inst::kIdPcmpgtw, true};
    case Op::i32x4_lt_s: return {Inst::kIdPcmpgtd, true};
    case Op::i64x2_lt_s: return {Inst::kIdPcmpgtq, true};
    case Op::i8x16_le_s: return {Inst::kIdPcmpgtb, false, -1, true};
    case Op::i16x8_le_s: return {Inst::kIdPcmpgtw, false, -1, true};
    case Op::i32x4_le_s: return {Inst::kIdPcmpgtd, false, -1, true};
    case Op::i64x2_le_s: return {Inst::kIdPcmpgtq, false, -1, true};
    case Op::i8x16_ge_s: return {Inst::kIdPcmpgtb, true, -1, true};
    case Op::i16x8_ge_s: return {Inst::kIdPcmpgtw, true, -1, true};
    case Op::i32x4_ge_s: return {Inst::kIdPcmpgtd, true, -1, true};
    case Op::i64x2_ge_s: return {Inst::kIdPcmpgtq, true, -1, true};
    // Float compares: cmpps predicates 0 eq, 1 lt, 2 le, 4 neq (true on NaN, as ne must be).
    case Op::f32x4_eq: return {Inst::kIdCmpps, false, 0};
    case Op::f32x4_ne: return {Inst::kIdCmpps, false, 4};
    case Op::f32x4_lt: return {Inst::kIdCmpps, false, 1};
    case Op::f32x4_le: return {Inst::kIdCmpps, false, 2};
    case Op::f32x4_gt: return {Inst::kIdCmpps, true, 1};
    case Op::f32x4_ge: return {Inst::kIdCmpps, true, 2};
    case Op::f64x2_eq: return {Inst::kIdCmppd, false, 0};
    case Op::f64x2_ne: return {Inst::kIdCmppd, false, 4};
    case Op::f64x2_lt: return {Inst::kIdCmppd, false, 1};
    case Op::f64x2_le: return {Inst::kIdCmppd, false, 2};
    case Op::f64x2_gt: return {Inst::kIdCmppd, true, 1};
    case Op::f64x2_ge: return {Inst::kIdCmppd, true, 2};
    // Float arithmetic: NaN results are quiet NaNs, which the spec allows.
    case Op::f32x4_add: return {Inst::kIdAddps};
    case Op::f32x4_sub: return {Inst::kIdSubps};
    case Op::f32x4_mul: return {Inst::kIdMulps};
    case Op::f32x4_div: return {Inst::kIdDivps};
    case Op::f64x2_add: return {Inst::kIdAddpd};
    case Op::f64x2_sub: return {Inst::kIdSubpd};
    case Op::f64x2_mul: return {Inst::kIdMulpd};
    case Op::f64x2_div: return {Inst::kIdDivpd};
    // pmin(a, b) = b < a ? b : a = minps(b, a) (minps d, s = d < s ? d : s); pmax alike.
    case Op::f32x4_pmin: return {Inst::kIdMinps, true};
    case Op::f32x4_pmax: return {Inst::kIdMaxps, true};
    case Op::f64x2_pmin: return {Inst::kIdMinpd, true};
    case Op::f64x2_pmax: return {Inst::kIdMaxpd, true};
    default: return {};
  }
}

// Unsigned compares: ge_u(a, b) = max_u(a, b) == a; le_u = min_u(a, b) == a; gt_u = not le_u;
// lt_u = not ge_u.
struct UCmp {
  asmjit::InstId minmax = Inst::kIdNone;
  asmjit::InstId eq = Inst::kIdNone;
  bool negate = false;
};
UCmp ucmp_form(Op op) {
  switch (op) {
    case Op::i8x16_ge_u: return {Inst::kIdPmaxub, Inst::kIdPcmpeqb, false};
    case Op::i8x16_le_u: return {Inst::kIdPminub, Inst::kIdPcmpeqb, false};
    case Op::i8x16_gt_u: return {Inst::kIdPminub, Inst::kIdPcmpeqb, true};
    case Op::i8x16_lt_u: return {Inst::kIdPmaxub, Inst::kIdPcmpeqb, true};
    case Op::i16x8_ge_u: return {Inst::kIdPmaxuw, Inst::kIdPcmpeqw, false};
    case Op::i16x8_le_u: return {Inst::kIdPminuw, Inst::kIdPcmpeqw, false};
    case Op::i16x8_gt_u: return {Inst::kIdPminuw, Inst::kIdPcmpeqw, true};
    case Op::i16x8_lt_u: return {Inst::kIdPmaxuw, Inst::kIdPcmpeqw, true};
    case Op::i32x4_ge_u: return {Inst::kIdPmaxud, Inst::kIdPcmpeqd, false};
    case Op::i32x4_le_u: return {Inst::kIdPminud, Inst::kIdPcmpeqd, false};
    case Op::i32x4_gt_u: return {Inst::kIdPminud, Inst::kIdPcmpeqd, true};
    case Op::i32x4_lt_u: return {Inst::kIdPmaxud, Inst::kIdPcmpeqd, true};
    default: return {};
  }
}

struct ShiftForm {
  asmjit::InstId id;
  uint32_t mask;
};
ShiftForm inline_shift(Op op) {
  switch (op) {
    case Op::i16x8_shl: return {Inst::kIdPsllw, 15};
    case Op::i16x8_shr_s: return {Inst::kIdPsraw, 15};
    case Op::i16x8_shr_u: return {Inst::kIdPsrlw, 15};
    case Op::i32x4_shl: return {Inst::kIdPslld, 31};
    case Op::i32x4_shr_s: return {Inst::kIdPsrad, 31};
    case Op::i32x4_shr_u: return {Inst::kIdPsrld, 31};
    case Op::i64x2_shl: return {Inst::kIdPsllq, 63};
    case Op::i64x2_shr_u: return {Inst::kIdPsrlq, 63};
    default: return {Inst::kIdNone, 0};
  }
}
}  // namespace

// The common SIMD forms inline; false when `ins` needs its helper.
bool Compiler::emit_simd_inline(const Instr& ins) {
  Op op = ins.op;
  constexpr ValType V = ValType::V128;
  if (op == Op::v128_const) {
    uint64_t lo, hi;
    std::memcpy(&lo, ins.v128.data(), 8);
    std::memcpy(&hi, ins.v128.data() + 8, 8);
    push_v128_const(lo, hi);
    return true;
  }
  if (BinForm f = bin_form(op); f.id != Inst::kIdNone) {
    Val b = pop();
    Val a = pop();
    Val& x = f.swap ? b : a;
    Val& y = f.swap ? a : b;
    Xmm d = to_fp(x);
    Xmm s = v128_src(y, xmm15);
    if (f.pred >= 0) m_a.emit(f.id, d, s, imm(f.pred));
    else m_a.emit(f.id, d, s);
    if (f.negate) {
      m_a.pcmpeqd(xmm14, xmm14);
      m_a.pxor(d, xmm14);
    }
    release(y);
    push_fp(V, d);
    return true;
  }
  if (UCmp f = ucmp_form(op); f.eq != Inst::kIdNone) {
    Val b = pop();
    Val a = pop();
    Xmm d = to_fp(a);
    Xmm s = v128_src(b, xmm15);
    m_a.movaps(xmm14, d);
    m_a.emit(f.minmax, xmm14, s);
    m_a.emit(f.eq, d, xmm14);
    if (f.negate) {
      m_a.pcmpeqd(xmm14, xmm14);
      m_a.pxor(d, xmm14);
    }
    release(b);
    push_fp(V, d);
    return true;
  }
  if (ShiftForm sf = inline_shift(op); sf.id != Inst::kIdNone) {
    Val n = pop();
    Val a = pop();
    if (n.kind == Kind::Const) {
      Xmm d = to_fp(a);
      m_a.emit(sf.id, d, imm(static_cast<uint32_t>(n.c) & sf.mask));
      push_fp(V, d);
      return true;
    }
    Gp r = read_reg(n);
    m_a.mov(r11d, r.r32());
    m_a.and_(r11d, imm(sf.mask));
    release(n);
    Xmm d = to_fp(a);
    m_a.movd(xmm14, r11d);
    m_a.emit(sf.id, d, xmm14);
    push_fp(V, d);
    return true;
  }
  switch (op) {
    case Op::i8x16_shl: case Op::i8x16_shr_u: case Op::i8x16_shr_s: case Op::i64x2_shr_s: {
      if (top().kind != Kind::Const) return false;  // variable counts: the helper
      Val n = pop();
      Val a = pop();
      Xmm d = to_fp(a);
      if (op == Op::i64x2_shr_s) {
        // Logical shift, then sign-extend from bit 63-k: (x ^ m) - m with m = 1 << (63 - k).
        uint32_t k = static_cast<uint32_t>(n.c) & 63;
        uint64_t m = uint64_t{1} << (63 - k);
        m_a.psrlq(d, imm(k));
        m_a.movaps(xmm14, const128(m, m));
        m_a.pxor(d, xmm14);
        m_a.psubq(d, xmm14);
      } else {
        uint32_t k = static_cast<uint32_t>(n.c) & 7;
        if (op == Op::i8x16_shl) {
          m_a.psllw(d, imm(k));
          m_a.pand(d, const128(splat8(static_cast<uint8_t>(0xff << k)), splat8(static_cast<uint8_t>(0xff << k))));
        } else if (op == Op::i8x16_shr_u) {
          m_a.psrlw(d, imm(k));
          m_a.pand(d, const128(splat8(static_cast<uint8_t>(0xff >> k)), splat8(static_cast<uint8_t>(0xff >> k))));
        } else {
          // Each byte doubled into a word (b << 8 | b), shifted arithmetically by 8 + k, packed.
          m_a.movaps(xmm14, d);
          m_a.punpcklbw(d, d);
          m_a.punpckhbw(xmm14, xmm14);
          m_a.psraw(d, imm(8 + k));
          m_a.psraw(xmm14, imm(8 + k));
          m_a.packsswb(d, xmm14);
        }
      }
      push_fp(V, d);
      return true;
    }
    case Op::v128_not: {
      Val a = pop();
      Xmm d = to_fp(a);
      m_a.pcmpeqd(xmm14, xmm14);
      m_a.pxor(d, xmm14);
      push_fp(V, d);
      return true;
    }
    case Op::v128_bitselect: {  // ((a ^ b) & c) ^ b
      Val c = pop();
      Val b = pop();
      Val a = pop();
      Xmm d = to_fp(a);
      Xmm sb = v128_src(b, xmm15);
      Xmm sc = v128_src(c, xmm14);
      m_a.pxor(d, sb);
      m_a.pand(d, sc);
      m_a.pxor(d, sb);
      release(b);
      release(c);
      push_fp(V, d);
      return true;
    }
    case Op::v128_any_true: case Op::i8x16_all_true: case Op::i16x8_all_true:
    case Op::i32x4_all_true: case Op::i64x2_all_true: {
      Val a = pop();
      Xmm s = v128_src(a, xmm15);
      CondCode cc = CondCode::kNE;
      if (op == Op::v128_any_true) {
        m_a.ptest(s, s);
      } else {
        asmjit::InstId eq = op == Op::i8x16_all_true   ? Inst::kIdPcmpeqb
                            : op == Op::i16x8_all_true ? Inst::kIdPcmpeqw
                            : op == Op::i32x4_all_true ? Inst::kIdPcmpeqd
                                                       : Inst::kIdPcmpeqq;
        m_a.pxor(xmm14, xmm14);
        m_a.emit(eq, xmm14, s);  // a zero lane sets its mask
        m_a.ptest(xmm14, xmm14);
        cc = CondCode::kE;
      }
      release(a);
      push_flags(cc);
      return true;
    }
    case Op::i8x16_bitmask: case Op::i16x8_bitmask: case Op::i32x4_bitmask:
    case Op::i64x2_bitmask: {
      Val a = pop();
      Gp r = alloc();
      Xmm s = v128_src(a, xmm15);
      switch (op) {
        case Op::i8x16_bitmask: m_a.pmovmskb(r.r32(), s); break;
        case Op::i32x4_bitmask: m_a.movmskps(r.r32(), s); break;
        case Op::i64x2_bitmask: m_a.movmskpd(r.r32(), s); break;
        default:
          m_a.movaps(xmm14, s);
          m_a.packsswb(xmm14, xmm14);  // signed saturation keeps each lane's sign
          m_a.pmovmskb(r.r32(), xmm14);
          m_a.movzx(r.r32(), gpb_lo(r.id()));
          break;
      }
      release(a);
      push_reg(ValType::I32, r);
      return true;
    }
    case Op::i8x16_abs: case Op::i16x8_abs: case Op::i32x4_abs: {
      Val a = pop();
      Xmm d = to_fp(a);
      m_a.emit(op == Op::i8x16_abs ? Inst::kIdPabsb : op == Op::i16x8_abs ? Inst::kIdPabsw : Inst::kIdPabsd, d, d);
      push_fp(V, d);
      return true;
    }
    case Op::i64x2_abs: {
      Val a = pop();
      Xmm d = to_fp(a);
      m_a.pxor(xmm14, xmm14);
      m_a.pcmpgtq(xmm14, d);  // sign mask
      m_a.pxor(d, xmm14);
      m_a.psubq(d, xmm14);
      push_fp(V, d);
      return true;
    }
    case Op::i8x16_neg: case Op::i16x8_neg: case Op::i32x4_neg: case Op::i64x2_neg: {
      Val a = pop();
      Xmm d = to_fp(a);
      m_a.movaps(xmm14, d);
      m_a.pxor(d, d);
      m_a.emit(op == Op::i8x16_neg ? Inst::kIdPsubb : op == Op::i16x8_neg ? Inst::kIdPsubw
               : op == Op::i32x4_neg ? Inst::kIdPsubd : Inst::kIdPsubq, d, xmm14);
      push_fp(V, d);
      return true;
    }
    case Op::f32x4_abs: case Op::f32x4_neg: case Op::f64x2_abs: case Op::f64x2_neg: {
      Val a = pop();
      Xmm d = to_fp(a);
      uint64_t m = op == Op::f32x4_abs   ? splat32v(0x7fffffffu)
                   : op == Op::f32x4_neg ? splat32v(0x80000000u)
                   : op == Op::f64x2_abs ? 0x7fffffffffffffffull
                                         : 0x8000000000000000ull;
      bool abs = op == Op::f32x4_abs || op == Op::f64x2_abs;
      if (abs) m_a.andps(d, const128(m, m));
      else m_a.xorps(d, const128(m, m));
      push_fp(V, d);
      return true;
    }
    case Op::f32x4_sqrt: case Op::f64x2_sqrt: {
      Val a = pop();
      Xmm d = to_fp(a);
      if (op == Op::f32x4_sqrt) m_a.sqrtps(d, d);
      else m_a.sqrtpd(d, d);
      push_fp(V, d);
      return true;
    }
    case Op::f32x4_ceil: case Op::f32x4_floor: case Op::f32x4_trunc: case Op::f32x4_nearest:
    case Op::f64x2_ceil: case Op::f64x2_floor: case Op::f64x2_trunc: case Op::f64x2_nearest: {
      int mode = 8;  // no precision exception; 0 nearest-even, 1 floor, 2 ceil, 3 trunc
      if (op == Op::f32x4_floor || op == Op::f64x2_floor) mode |= 1;
      if (op == Op::f32x4_ceil || op == Op::f64x2_ceil) mode |= 2;
      if (op == Op::f32x4_trunc || op == Op::f64x2_trunc) mode |= 3;
      bool f32 = op == Op::f32x4_ceil || op == Op::f32x4_floor || op == Op::f32x4_trunc ||
                 op == Op::f32x4_nearest;
      Val a = pop();
      Xmm d = to_fp(a);
      if (f32) m_a.roundps(d, d, imm(mode));
      else m_a.roundpd(d, d, imm(mode));
      push_fp(V, d);
      return true;
    }
    case Op::f32x4_min: case Op::f64x2_min: case Op::f32x4_max: case Op::f64x2_max: {
      // minps/maxps return their second operand when either is NaN or both are zeros: do
      // both orders and merge (or: -0 wins for min; max: xor finds the discrepancy, sub
      // propagates it), then turn NaN lanes into canonical quiet NaNs (V8's sequences).
      bool f64 = op == Op::f64x2_min || op == Op::f64x2_max;
      bool is_min = op == Op::f32x4_min || op == Op::f64x2_min;
      Val b = pop();
      Val a = pop();
      Xmm d = to_fp(a);
      Xmm s = v128_src(b, xmm15);
      asmjit::InstId mm = is_min ? (f64 ? Inst::kIdMinpd : Inst::kIdMinps)
                                 : (f64 ? Inst::kIdMaxpd : Inst::kIdMaxps);
      m_a.movaps(xmm14, s);
      m_a.emit(mm, xmm14, d);  // xmm14 = op(b, a)
      m_a.emit(mm, d, s);      // d = op(a, b)
      if (is_min) {
        m_a.orps(xmm14, d);
      } else {
        m_a.xorps(d, xmm14);
        m_a.orps(xmm14, d);
        m_a.emit(f64 ? Inst::kIdSubpd : Inst::kIdSubps, xmm14, d);
      }
      m_a.emit(f64 ? Inst::kIdCmppd : Inst::kIdCmpps, d, xmm14, imm(3));  // unordered
      if (is_min) m_a.orps(xmm14, d);
      if (f64) m_a.psrlq(d, imm(13));
      else m_a.psrld(d, imm(10));
      m_a.andnps(d, xmm14);
      release(b);
      push_fp(V, d);
      return true;
    }
    case Op::i64x2_mul: {
      // lo(a) * lo(b) + ((hi(a) * lo(b) + lo(a) * hi(b)) << 32), with pmuludq.
      Val b = pop();
      Val a = pop();
      Xmm d = to_fp(a);
      Xmm t = tmp_xmm();
      Xmm s = v128_src(b, xmm15);
      m_a.movaps(xmm14, d);
      m_a.psrlq(xmm14, imm(32));
      m_a.pmuludq(xmm14, s);  // hi(a) * lo(b)
      m_a.movaps(t, s);
      m_a.psrlq(t, imm(32));
      m_a.pmuludq(t, d);      // hi(b) * lo(a)
      m_a.paddq(xmm14, t);
      m_a.psllq(xmm14, imm(32));
      m_a.pmuludq(d, s);
      m_a.paddq(d, xmm14);
      free_tmp(t);
      release(b);
      push_fp(V, d);
      return true;
    }
    case Op::f32x4_relaxed_madd: case Op::f32x4_relaxed_nmadd:
    case Op::f64x2_relaxed_madd: case Op::f64x2_relaxed_nmadd: {
      // Unfused (the deterministic profile): the product rounded, negated for nmadd (the
      // product of -a and b is exactly the negated product), then the sum rounded.
      const bool f32 = op == Op::f32x4_relaxed_madd || op == Op::f32x4_relaxed_nmadd;
      const bool negate = op == Op::f32x4_relaxed_nmadd || op == Op::f64x2_relaxed_nmadd;
      Val c = pop();
      Val b = pop();
      Val a = pop();
      Xmm d = to_fp(a);
      Xmm sb = v128_src(b, xmm15);
      m_a.emit(f32 ? Inst::kIdMulps : Inst::kIdMulpd, d, sb);
      if (negate) {
        const uint64_t sign = f32 ? 0x8000000080000000ull : 0x8000000000000000ull;
        m_a.xorps(d, const128(sign, sign));
      }
      Xmm sc = v128_src(c, xmm14);
      m_a.emit(f32 ? Inst::kIdAddps : Inst::kIdAddpd, d, sc);
      release(b);
      release(c);
      push_fp(V, d);
      return true;
    }
    case Op::i16x8_relaxed_dot_i8x16_i7x16_s: case Op::i32x4_relaxed_dot_i8x16_i7x16_add_s: {
      // Both operands signed (the deterministic profile): the even and odd bytes of each
      // operand sign-extended to words by shifts, multiplied, the two products added with
      // signed saturation (semantics/simd.hpp); dot_add then adds word pairs into c.
      const bool add = op == Op::i32x4_relaxed_dot_i8x16_i7x16_add_s;
      Val c{};
      if (add) c = pop();
      Val b = pop();
      Val a = pop();
      Xmm d = to_fp(a);
      Xmm t = tmp_xmm();
      Xmm sb = v128_src(b, xmm15);
      if (sb != xmm15) m_a.movaps(xmm15, sb);
      m_a.movaps(xmm14, d);
      m_a.psllw(xmm14, imm(8));
      m_a.psraw(xmm14, imm(8));   // a's even bytes
      m_a.psraw(d, imm(8));       // a's odd bytes
      m_a.movaps(t, xmm15);
      m_a.psllw(t, imm(8));
      m_a.psraw(t, imm(8));       // b's even bytes
      m_a.psraw(xmm15, imm(8));   // b's odd bytes
      m_a.pmullw(d, xmm15);
      m_a.pmullw(xmm14, t);
      m_a.paddsw(d, xmm14);
      free_tmp(t);
      release(b);
      if (add) {
        m_a.pmaddwd(d, const128(splat16(1), splat16(1)));
        Xmm sc = v128_src(c, xmm14);
        m_a.paddd(d, sc);
        release(c);
      }
      push_fp(V, d);
      return true;
    }
    case Op::i16x8_q15mulr_sat_s: {
      // pmulhrsw is the rounding Q15 multiply except 0x8000 * 0x8000 (0x8000, must be 0x7fff).
      Val b = pop();
      Val a = pop();
      Xmm d = to_fp(a);
      Xmm s = v128_src(b, xmm15);
      m_a.pmulhrsw(d, s);
      m_a.movaps(xmm14, const128(splat16(0x8000), splat16(0x8000)));
      m_a.pcmpeqw(xmm14, d);
      m_a.pxor(d, xmm14);
      release(b);
      push_fp(V, d);
      return true;
    }
    case Op::i8x16_swizzle: {
      // pshufb zeroes a lane when its index byte has bit 7 set: saturating + 0x70 sets it for
      // every index >= 16 and keeps the low 4 bits of the others.
      Val b = pop();
      Val a = pop();
      Xmm d = to_fp(a);
      Xmm s = v128_src(b, xmm15);
      m_a.movaps(xmm14, s);
      m_a.paddusb(xmm14, const128(splat8(0x70), splat8(0x70)));
      m_a.pshufb(d, xmm14);
      release(b);
      push_fp(V, d);
      return true;
    }
    case Op::i8x16_shuffle: {
      uint8_t ma[16], mb[16];
      bool any_a = false, any_b = false;
      for (int i = 0; i < 16; ++i) {
        uint8_t k = ins.v128[i];
        ma[i] = k < 16 ? k : 0x80;
        mb[i] = k >= 16 ? static_cast<uint8_t>(k - 16) : 0x80;
        any_a |= k < 16;
        any_b |= k >= 16;
      }
      uint64_t alo, ahi, blo, bhi;
      std::memcpy(&alo, ma, 8);
      std::memcpy(&ahi, ma + 8, 8);
      std::memcpy(&blo, mb, 8);
      std::memcpy(&bhi, mb + 8, 8);
      Val b = pop();
      Val a = pop();
      Xmm d = to_fp(a);
      Xmm s = v128_src(b, xmm15);
      if (!any_b) {
        m_a.pshufb(d, const128(alo, ahi));
      } else if (!any_a) {
        m_a.movaps(d, s);
        m_a.pshufb(d, const128(blo, bhi));
      } else {
        m_a.movaps(xmm14, s);
        m_a.pshufb(xmm14, const128(blo, bhi));
        m_a.pshufb(d, const128(alo, ahi));
        m_a.por(d, xmm14);
      }
      release(b);
      push_fp(V, d);
      return true;
    }
    default:
      break;
  }
  if (emit_simd_lanes(ins)) return true;
  return emit_simd_convert(ins);
}

void Compiler::emit_simd(const Instr& ins) {
  if (const Op same = relaxed_simd_equivalent(ins.op); same != ins.op) {
    Instr equivalent = ins;  // the relaxed op in the deterministic profile (decoder/opcodes.hpp)
    equivalent.op = same;
    return emit_simd(equivalent);
  }
  if (!emit_simd_inline(ins)) emit_simd_helper(ins);
}

}  // namespace wsvm::jit::x64
