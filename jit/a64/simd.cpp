// SIMD (v128) with NEON: the value model and the arithmetic, compare, bitwise, shift and
// shuffle instructions (simd_lanes.cpp: splat, lanes, memory, conversions). v128 values are
// first-class in the value stack as on x86-64: in a vector register (Kind::Fp, v0-v29, the
// class f32/f64 use), a constant (c, c_hi) or their 16-byte home. v30/v31 are scratch: the
// operands living in a home or a constant are loaded there (a first, b second).
//
// NEON has three-operand forms, so the result gets its own register, allocated while the
// operands still hold theirs (a sequence may read an operand after writing the result).
// Every Wasm 2.0 SIMD instruction is inline; the helper call (simd_helpers.cpp) stays the
// fallback for what this file does not know. Where NEON and Wasm could differ:
// - float arithmetic, min/max, rounding, sqrt, demote/promote: a NaN result is the default
//   NaN or a quieted input NaN, which Wasm's NaN rules allow (canonical or arithmetic);
//   fmin/fmax propagate NaN and order -0 below +0 as Wasm's min/max do.
// - fabs/fneg only touch the sign bit, NaNs included (Wasm's abs/neg are bitwise).
// - fcvtz[su] saturate and map NaN to 0: exactly trunc_sat.
// - tbl gives 0 for an index >= 16 (or >= 32 with two table registers): swizzle's rule.
// - sqrdmulh is q15mulr_sat_s (the rounding doubling high half, saturated).
// - integer abs/neg wrap (abs, not sqabs), as Wasm's do.
#include <cstring>

#include "jit/a64/compiler.hpp"
#include "jit/jit_abi.hpp"

namespace wsvm::jit::a64 {

using namespace asmjit::a64;
using asmjit::imm;
using CC = asmjit::arm::CondCode;

Compiler::Vec Compiler::arr(Vec r, A a) {
  const aj::Vec v = aj::v(r.id());
  switch (a) {
    case A::B8: return v.b8();
    case A::H4: return v.h4();
    case A::S2: return v.s2();
    case A::B16: return v.b16();
    case A::H8: return v.h8();
    case A::S4: return v.s4();
    default: return v.d2();
  }
}

Compiler::Vec Compiler::vsrc(Val& v, Vec scratch) {
  switch (v.kind) {
    case Kind::Fp: return Regs::fp(v.reg);
    case Kind::Const: v128_const(scratch, v.c, v.c_hi); return scratch;
    default: load_v128(scratch, sp, uint64_t{v.slot} * 8); return scratch;
  }
}

// The top n (1 or 2) v128 operands in registers (a home or a constant in v30, v31) and a
// result register distinct from both.
Compiler::SimdArgs Compiler::simd_args(int n) {
  SimdArgs s;
  s.n = n;
  for (int i = n - 1; i >= 0; --i) s.v[i] = pop();
  const Vec scratch[2] = {v30, v31};
  for (int i = 0; i < n; ++i) s.r[i] = vsrc(s.v[i], scratch[i]);
  s.d = alloc_fp();
  return s;
}

void Compiler::simd_done(const SimdArgs& s) {
  for (int i = 0; i < s.n; ++i) release(s.v[i]);
  push_fp(ValType::V128, s.d);
}

namespace {
using A = Compiler::A;

// d = op(a, b) in one instruction (swap: op(b, a)), then optionally not.
struct BinForm {
  uint32_t id = Inst::kIdNone;
  A d = A::B16, s = A::B16;  // result and operand arrangements
  bool swap = false;
  bool negate = false;
};

BinForm bin_form(Op op) {
  switch (op) {
    case Op::v128_and: return {Inst::kIdAnd_v};
    case Op::v128_or: return {Inst::kIdOrr_v};
    case Op::v128_xor: return {Inst::kIdEor_v};
    case Op::v128_andnot: return {Inst::kIdBic_v};  // a & ~b
    case Op::i8x16_swizzle: return {Inst::kIdTbl_v};
    case Op::i8x16_add: return {Inst::kIdAdd_v};
    case Op::i16x8_add: return {Inst::kIdAdd_v, A::H8, A::H8};
    case Op::i32x4_add: return {Inst::kIdAdd_v, A::S4, A::S4};
    case Op::i64x2_add: return {Inst::kIdAdd_v, A::D2, A::D2};
    case Op::i8x16_sub: return {Inst::kIdSub_v};
    case Op::i16x8_sub: return {Inst::kIdSub_v, A::H8, A::H8};
    case Op::i32x4_sub: return {Inst::kIdSub_v, A::S4, A::S4};
    case Op::i64x2_sub: return {Inst::kIdSub_v, A::D2, A::D2};
    case Op::i16x8_mul: return {Inst::kIdMul_v, A::H8, A::H8};
    case Op::i32x4_mul: return {Inst::kIdMul_v, A::S4, A::S4};
    case Op::i8x16_add_sat_s: return {Inst::kIdSqadd_v};
    case Op::i8x16_add_sat_u: return {Inst::kIdUqadd_v};
    case Op::i16x8_add_sat_s: return {Inst::kIdSqadd_v, A::H8, A::H8};
    case Op::i16x8_add_sat_u: return {Inst::kIdUqadd_v, A::H8, A::H8};
    case Op::i8x16_sub_sat_s: return {Inst::kIdSqsub_v};
    case Op::i8x16_sub_sat_u: return {Inst::kIdUqsub_v};
    case Op::i16x8_sub_sat_s: return {Inst::kIdSqsub_v, A::H8, A::H8};
    case Op::i16x8_sub_sat_u: return {Inst::kIdUqsub_v, A::H8, A::H8};
    case Op::i8x16_min_s: return {Inst::kIdSmin_v};
    case Op::i8x16_min_u: return {Inst::kIdUmin_v};
    case Op::i8x16_max_s: return {Inst::kIdSmax_v};
    case Op::i8x16_max_u: return {Inst::kIdUmax_v};
    case Op::i16x8_min_s: return {Inst::kIdSmin_v, A::H8, A::H8};
    case Op::i16x8_min_u: return {Inst::kIdUmin_v, A::H8, A::H8};
    case Op::i16x8_max_s: return {Inst::kIdSmax_v, A::H8, A::H8};
    case Op::i16x8_max_u: return {Inst::kIdUmax_v, A::H8, A::H8};
    case Op::i32x4_min_s: return {Inst::kIdSmin_v, A::S4, A::S4};
    case Op::i32x4_min_u: return {Inst::kIdUmin_v, A::S4, A::S4};
    case Op::i32x4_max_s: return {Inst::kIdSmax_v, A::S4, A::S4};
    case Op::i32x4_max_u: return {Inst::kIdUmax_v, A::S4, A::S4};
    case Op::i8x16_avgr_u: return {Inst::kIdUrhadd_v};
    case Op::i16x8_avgr_u: return {Inst::kIdUrhadd_v, A::H8, A::H8};
    case Op::i16x8_q15mulr_sat_s: return {Inst::kIdSqrdmulh_v, A::H8, A::H8};
    // Extended multiplies: the low halves (64-bit forms) or the high halves ("2" forms).
    case Op::i16x8_extmul_low_i8x16_s: return {Inst::kIdSmull_v, A::H8, A::B8};
    case Op::i16x8_extmul_high_i8x16_s: return {Inst::kIdSmull2_v, A::H8, A::B16};
    case Op::i16x8_extmul_low_i8x16_u: return {Inst::kIdUmull_v, A::H8, A::B8};
    case Op::i16x8_extmul_high_i8x16_u: return {Inst::kIdUmull2_v, A::H8, A::B16};
    case Op::i32x4_extmul_low_i16x8_s: return {Inst::kIdSmull_v, A::S4, A::H4};
    case Op::i32x4_extmul_high_i16x8_s: return {Inst::kIdSmull2_v, A::S4, A::H8};
    case Op::i32x4_extmul_low_i16x8_u: return {Inst::kIdUmull_v, A::S4, A::H4};
    case Op::i32x4_extmul_high_i16x8_u: return {Inst::kIdUmull2_v, A::S4, A::H8};
    case Op::i64x2_extmul_low_i32x4_s: return {Inst::kIdSmull_v, A::D2, A::S2};
    case Op::i64x2_extmul_high_i32x4_s: return {Inst::kIdSmull2_v, A::D2, A::S4};
    case Op::i64x2_extmul_low_i32x4_u: return {Inst::kIdUmull_v, A::D2, A::S2};
    case Op::i64x2_extmul_high_i32x4_u: return {Inst::kIdUmull2_v, A::D2, A::S4};
    // Integer compares: eq, gt/ge signed (cmgt/cmge), unsigned (cmhi/cmhs); lt/le swap;
    // ne = not eq.
    case Op::i8x16_eq: return {Inst::kIdCmeq_v};
    case Op::i8x16_ne: return {Inst::kIdCmeq_v, A::B16, A::B16, false, true};
    case Op::i8x16_gt_s: return {Inst::kIdCmgt_v};
    case Op::i8x16_lt_s: return {Inst::kIdCmgt_v, A::B16, A::B16, true};
    case Op::i8x16_ge_s: return {Inst::kIdCmge_v};
    case Op::i8x16_le_s: return {Inst::kIdCmge_v, A::B16, A::B16, true};
    case Op::i8x16_gt_u: return {Inst::kIdCmhi_v};
    case Op::i8x16_lt_u: return {Inst::kIdCmhi_v, A::B16, A::B16, true};
    case Op::i8x16_ge_u: return {Inst::kIdCmhs_v};
    case Op::i8x16_le_u: return {Inst::kIdCmhs_v, A::B16, A::B16, true};
    case Op::i16x8_eq: return {Inst::kIdCmeq_v, A::H8, A::H8};
    case Op::i16x8_ne: return {Inst::kIdCmeq_v, A::H8, A::H8, false, true};
    case Op::i16x8_gt_s: return {Inst::kIdCmgt_v, A::H8, A::H8};
    case Op::i16x8_lt_s: return {Inst::kIdCmgt_v, A::H8, A::H8, true};
    case Op::i16x8_ge_s: return {Inst::kIdCmge_v, A::H8, A::H8};
    case Op::i16x8_le_s: return {Inst::kIdCmge_v, A::H8, A::H8, true};
    case Op::i16x8_gt_u: return {Inst::kIdCmhi_v, A::H8, A::H8};
    case Op::i16x8_lt_u: return {Inst::kIdCmhi_v, A::H8, A::H8, true};
    case Op::i16x8_ge_u: return {Inst::kIdCmhs_v, A::H8, A::H8};
    case Op::i16x8_le_u: return {Inst::kIdCmhs_v, A::H8, A::H8, true};
    case Op::i32x4_eq: return {Inst::kIdCmeq_v, A::S4, A::S4};
    case Op::i32x4_ne: return {Inst::kIdCmeq_v, A::S4, A::S4, false, true};
    case Op::i32x4_gt_s: return {Inst::kIdCmgt_v, A::S4, A::S4};
    case Op::i32x4_lt_s: return {Inst::kIdCmgt_v, A::S4, A::S4, true};
    case Op::i32x4_ge_s: return {Inst::kIdCmge_v, A::S4, A::S4};
    case Op::i32x4_le_s: return {Inst::kIdCmge_v, A::S4, A::S4, true};
    case Op::i32x4_gt_u: return {Inst::kIdCmhi_v, A::S4, A::S4};
    case Op::i32x4_lt_u: return {Inst::kIdCmhi_v, A::S4, A::S4, true};
    case Op::i32x4_ge_u: return {Inst::kIdCmhs_v, A::S4, A::S4};
    case Op::i32x4_le_u: return {Inst::kIdCmhs_v, A::S4, A::S4, true};
    case Op::i64x2_eq: return {Inst::kIdCmeq_v, A::D2, A::D2};
    case Op::i64x2_ne: return {Inst::kIdCmeq_v, A::D2, A::D2, false, true};
    case Op::i64x2_gt_s: return {Inst::kIdCmgt_v, A::D2, A::D2};
    case Op::i64x2_lt_s: return {Inst::kIdCmgt_v, A::D2, A::D2, true};
    case Op::i64x2_ge_s: return {Inst::kIdCmge_v, A::D2, A::D2};
    case Op::i64x2_le_s: return {Inst::kIdCmge_v, A::D2, A::D2, true};
    // Float compares are false on NaN (fcm*), ne = not eq is true on NaN.
    case Op::f32x4_eq: return {Inst::kIdFcmeq_v, A::S4, A::S4};
    case Op::f32x4_ne: return {Inst::kIdFcmeq_v, A::S4, A::S4, false, true};
    case Op::f32x4_gt: return {Inst::kIdFcmgt_v, A::S4, A::S4};
    case Op::f32x4_lt: return {Inst::kIdFcmgt_v, A::S4, A::S4, true};
    case Op::f32x4_ge: return {Inst::kIdFcmge_v, A::S4, A::S4};
    case Op::f32x4_le: return {Inst::kIdFcmge_v, A::S4, A::S4, true};
    case Op::f64x2_eq: return {Inst::kIdFcmeq_v, A::D2, A::D2};
    case Op::f64x2_ne: return {Inst::kIdFcmeq_v, A::D2, A::D2, false, true};
    case Op::f64x2_gt: return {Inst::kIdFcmgt_v, A::D2, A::D2};
    case Op::f64x2_lt: return {Inst::kIdFcmgt_v, A::D2, A::D2, true};
    case Op::f64x2_ge: return {Inst::kIdFcmge_v, A::D2, A::D2};
    case Op::f64x2_le: return {Inst::kIdFcmge_v, A::D2, A::D2, true};
    case Op::f32x4_add: return {Inst::kIdFadd_v, A::S4, A::S4};
    case Op::f32x4_sub: return {Inst::kIdFsub_v, A::S4, A::S4};
    case Op::f32x4_mul: return {Inst::kIdFmul_v, A::S4, A::S4};
    case Op::f32x4_div: return {Inst::kIdFdiv_v, A::S4, A::S4};
    case Op::f32x4_min: return {Inst::kIdFmin_v, A::S4, A::S4};
    case Op::f32x4_max: return {Inst::kIdFmax_v, A::S4, A::S4};
    case Op::f64x2_add: return {Inst::kIdFadd_v, A::D2, A::D2};
    case Op::f64x2_sub: return {Inst::kIdFsub_v, A::D2, A::D2};
    case Op::f64x2_mul: return {Inst::kIdFmul_v, A::D2, A::D2};
    case Op::f64x2_div: return {Inst::kIdFdiv_v, A::D2, A::D2};
    case Op::f64x2_min: return {Inst::kIdFmin_v, A::D2, A::D2};
    case Op::f64x2_max: return {Inst::kIdFmax_v, A::D2, A::D2};
    default: return {};
  }
}

// d = op(a) in one instruction.
struct UnForm {
  uint32_t id = Inst::kIdNone;
  A d = A::B16, s = A::B16;
};

UnForm un_form(Op op) {
  switch (op) {
    case Op::v128_not: return {Inst::kIdNot_v};
    case Op::i8x16_abs: return {Inst::kIdAbs_v};
    case Op::i16x8_abs: return {Inst::kIdAbs_v, A::H8, A::H8};
    case Op::i32x4_abs: return {Inst::kIdAbs_v, A::S4, A::S4};
    case Op::i64x2_abs: return {Inst::kIdAbs_v, A::D2, A::D2};
    case Op::i8x16_neg: return {Inst::kIdNeg_v};
    case Op::i16x8_neg: return {Inst::kIdNeg_v, A::H8, A::H8};
    case Op::i32x4_neg: return {Inst::kIdNeg_v, A::S4, A::S4};
    case Op::i64x2_neg: return {Inst::kIdNeg_v, A::D2, A::D2};
    case Op::i8x16_popcnt: return {Inst::kIdCnt_v};
    case Op::f32x4_abs: return {Inst::kIdFabs_v, A::S4, A::S4};
    case Op::f32x4_neg: return {Inst::kIdFneg_v, A::S4, A::S4};
    case Op::f32x4_sqrt: return {Inst::kIdFsqrt_v, A::S4, A::S4};
    case Op::f32x4_ceil: return {Inst::kIdFrintp_v, A::S4, A::S4};
    case Op::f32x4_floor: return {Inst::kIdFrintm_v, A::S4, A::S4};
    case Op::f32x4_trunc: return {Inst::kIdFrintz_v, A::S4, A::S4};
    case Op::f32x4_nearest: return {Inst::kIdFrintn_v, A::S4, A::S4};
    case Op::f64x2_abs: return {Inst::kIdFabs_v, A::D2, A::D2};
    case Op::f64x2_neg: return {Inst::kIdFneg_v, A::D2, A::D2};
    case Op::f64x2_sqrt: return {Inst::kIdFsqrt_v, A::D2, A::D2};
    case Op::f64x2_ceil: return {Inst::kIdFrintp_v, A::D2, A::D2};
    case Op::f64x2_floor: return {Inst::kIdFrintm_v, A::D2, A::D2};
    case Op::f64x2_trunc: return {Inst::kIdFrintz_v, A::D2, A::D2};
    case Op::f64x2_nearest: return {Inst::kIdFrintn_v, A::D2, A::D2};
    // Widening: the low half (sxtl/uxtl read the 64-bit form) or the high half ("2").
    case Op::i16x8_extend_low_i8x16_s: return {Inst::kIdSxtl_v, A::H8, A::B8};
    case Op::i16x8_extend_high_i8x16_s: return {Inst::kIdSxtl2_v, A::H8, A::B16};
    case Op::i16x8_extend_low_i8x16_u: return {Inst::kIdUxtl_v, A::H8, A::B8};
    case Op::i16x8_extend_high_i8x16_u: return {Inst::kIdUxtl2_v, A::H8, A::B16};
    case Op::i32x4_extend_low_i16x8_s: return {Inst::kIdSxtl_v, A::S4, A::H4};
    case Op::i32x4_extend_high_i16x8_s: return {Inst::kIdSxtl2_v, A::S4, A::H8};
    case Op::i32x4_extend_low_i16x8_u: return {Inst::kIdUxtl_v, A::S4, A::H4};
    case Op::i32x4_extend_high_i16x8_u: return {Inst::kIdUxtl2_v, A::S4, A::H8};
    case Op::i64x2_extend_low_i32x4_s: return {Inst::kIdSxtl_v, A::D2, A::S2};
    case Op::i64x2_extend_high_i32x4_s: return {Inst::kIdSxtl2_v, A::D2, A::S4};
    case Op::i64x2_extend_low_i32x4_u: return {Inst::kIdUxtl_v, A::D2, A::S2};
    case Op::i64x2_extend_high_i32x4_u: return {Inst::kIdUxtl2_v, A::D2, A::S4};
    case Op::i16x8_extadd_pairwise_i8x16_s: return {Inst::kIdSaddlp_v, A::H8, A::B16};
    case Op::i16x8_extadd_pairwise_i8x16_u: return {Inst::kIdUaddlp_v, A::H8, A::B16};
    case Op::i32x4_extadd_pairwise_i16x8_s: return {Inst::kIdSaddlp_v, A::S4, A::H8};
    case Op::i32x4_extadd_pairwise_i16x8_u: return {Inst::kIdUaddlp_v, A::S4, A::H8};
    case Op::f32x4_convert_i32x4_s: return {Inst::kIdScvtf_v, A::S4, A::S4};
    case Op::f32x4_convert_i32x4_u: return {Inst::kIdUcvtf_v, A::S4, A::S4};
    case Op::i32x4_trunc_sat_f32x4_s: return {Inst::kIdFcvtzs_v, A::S4, A::S4};
    case Op::i32x4_trunc_sat_f32x4_u: return {Inst::kIdFcvtzu_v, A::S4, A::S4};
    // The 64-bit form of the result clears lanes 2-3 (the "_zero" of demote).
    case Op::f32x4_demote_f64x2_zero: return {Inst::kIdFcvtn_v, A::S2, A::D2};
    case Op::f64x2_promote_low_f32x4: return {Inst::kIdFcvtl_v, A::D2, A::S2};
    default: return {};
  }
}

// Shifts: the lane arrangement and the count mask (the count is taken modulo the lane width).
struct ShiftForm {
  A a = A::B16;
  uint32_t mask = 0;  // 0: not a shift
  enum { Shl, ShrS, ShrU } kind = Shl;
};

ShiftForm shift_form(Op op) {
  switch (op) {
    case Op::i8x16_shl: return {A::B16, 7, ShiftForm::Shl};
    case Op::i8x16_shr_s: return {A::B16, 7, ShiftForm::ShrS};
    case Op::i8x16_shr_u: return {A::B16, 7, ShiftForm::ShrU};
    case Op::i16x8_shl: return {A::H8, 15, ShiftForm::Shl};
    case Op::i16x8_shr_s: return {A::H8, 15, ShiftForm::ShrS};
    case Op::i16x8_shr_u: return {A::H8, 15, ShiftForm::ShrU};
    case Op::i32x4_shl: return {A::S4, 31, ShiftForm::Shl};
    case Op::i32x4_shr_s: return {A::S4, 31, ShiftForm::ShrS};
    case Op::i32x4_shr_u: return {A::S4, 31, ShiftForm::ShrU};
    case Op::i64x2_shl: return {A::D2, 63, ShiftForm::Shl};
    case Op::i64x2_shr_s: return {A::D2, 63, ShiftForm::ShrS};
    case Op::i64x2_shr_u: return {A::D2, 63, ShiftForm::ShrU};
    default: return {};
  }
}
}  // namespace

void Compiler::emit_simd(const Instr& ins) {
  if (const Op same = relaxed_simd_equivalent(ins.op); same != ins.op) {
    Instr equivalent = ins;  // the relaxed op in the deterministic profile (decoder/opcodes.hpp)
    equivalent.op = same;
    return emit_simd(equivalent);
  }
  if (!emit_simd_inline(ins) && !emit_simd_lanes(ins)) emit_simd_helper(ins);
}

bool Compiler::emit_simd_inline(const Instr& ins) {
  const Op op = ins.op;
  if (op == Op::v128_const) {
    uint64_t lo, hi;
    std::memcpy(&lo, ins.v128.data(), 8);
    std::memcpy(&hi, ins.v128.data() + 8, 8);
    push_v128_const(lo, hi);
    return true;
  }
  if (BinForm f = bin_form(op); f.id != Inst::kIdNone) {
    SimdArgs s = simd_args(2);
    const Vec x = s.r[f.swap ? 1 : 0], y = s.r[f.swap ? 0 : 1];
    m_a.emit(f.id, arr(s.d, f.d), arr(x, f.s), arr(y, f.s));
    if (f.negate) m_a.not_(arr(s.d, A::B16), arr(s.d, A::B16));
    simd_done(s);
    return true;
  }
  if (UnForm f = un_form(op); f.id != Inst::kIdNone) {
    SimdArgs s = simd_args(1);
    m_a.emit(f.id, arr(s.d, f.d), arr(s.r[0], f.s));
    simd_done(s);
    return true;
  }
  if (ShiftForm f = shift_form(op); f.mask != 0) {
    emit_simd_shift(f.a, f.mask, f.kind == ShiftForm::Shl, f.kind == ShiftForm::ShrS);
    return true;
  }
  switch (op) {
    case Op::v128_bitselect: {  // (a & c) | (b & ~c): bsl with the mask c in the result
      Val c = pop();
      SimdArgs s = simd_args(2);
      if (c.kind == Kind::Fp) m_a.mov(arr(s.d, A::B16), arr(Regs::fp(c.reg), A::B16));
      else vsrc_into(c, s.d);
      m_a.bsl(arr(s.d, A::B16), arr(s.r[0], A::B16), arr(s.r[1], A::B16));
      release(c);
      simd_done(s);
      return true;
    }
    case Op::f32x4_pmin: case Op::f32x4_pmax: case Op::f64x2_pmin: case Op::f64x2_pmax: {
      // pmin(a, b) = b < a ? b : a; pmax(a, b) = a < b ? b : a (a when either is NaN): the
      // mask of the compare selects b.
      const A la = op == Op::f32x4_pmin || op == Op::f32x4_pmax ? A::S4 : A::D2;
      const bool is_min = op == Op::f32x4_pmin || op == Op::f64x2_pmin;
      SimdArgs s = simd_args(2);
      const Vec a = s.r[0], b = s.r[1];
      if (is_min) m_a.fcmgt(arr(s.d, la), arr(a, la), arr(b, la));
      else m_a.fcmgt(arr(s.d, la), arr(b, la), arr(a, la));
      m_a.bsl(arr(s.d, A::B16), arr(b, A::B16), arr(a, A::B16));
      simd_done(s);
      return true;
    }
    case Op::i64x2_mul: {  // no 64-bit lane multiply in NEON: each lane through x16/x17
      SimdArgs s = simd_args(2);
      for (uint32_t i = 0; i < 2; ++i) {
        m_a.umov(x16, aj::v(s.r[0].id()).d(i));
        m_a.umov(x17, aj::v(s.r[1].id()).d(i));
        m_a.mul(x16, x16, x17);
        m_a.mov(aj::v(s.d.id()).d(i), x16);
      }
      simd_done(s);
      return true;
    }
    case Op::f32x4_relaxed_madd: case Op::f32x4_relaxed_nmadd:
    case Op::f64x2_relaxed_madd: case Op::f64x2_relaxed_nmadd: {
      // Unfused (the deterministic profile), not fmla: the product rounded, then c + it or
      // c - it (the product of -a and b is exactly the negated product).
      const A la = op == Op::f32x4_relaxed_madd || op == Op::f32x4_relaxed_nmadd ? A::S4 : A::D2;
      const bool negate = op == Op::f32x4_relaxed_nmadd || op == Op::f64x2_relaxed_nmadd;
      Val c = pop();
      SimdArgs s = simd_args(2);
      m_a.fmul(arr(s.d, la), arr(s.r[0], la), arr(s.r[1], la));
      const Vec rc = vsrc(c, v30);  // a and b are read: their scratch is free
      if (negate) m_a.fsub(arr(s.d, la), arr(rc, la), arr(s.d, la));
      else m_a.fadd(arr(s.d, la), arr(s.d, la), arr(rc, la));
      release(c);
      simd_done(s);
      return true;
    }
    case Op::i16x8_relaxed_dot_i8x16_i7x16_s: case Op::i32x4_relaxed_dot_i8x16_i7x16_add_s: {
      // Both operands signed (the deterministic profile): the 16 products as words, the even
      // and odd ones unzipped and added with signed saturation (semantics/simd.hpp); dot_add
      // then adds word pairs into c.
      const bool add = op == Op::i32x4_relaxed_dot_i8x16_i7x16_add_s;
      Val c{};
      if (add) c = pop();
      SimdArgs s = simd_args(2);
      Vec t = alloc_fp();
      m_a.smull(arr(s.d, A::H8), arr(s.r[0], A::B8), arr(s.r[1], A::B8));
      m_a.smull2(arr(t, A::H8), arr(s.r[0], A::B16), arr(s.r[1], A::B16));
      m_a.uzp1(arr(v31, A::H8), arr(s.d, A::H8), arr(t, A::H8));  // b is read: v31 is free
      m_a.uzp2(arr(s.d, A::H8), arr(s.d, A::H8), arr(t, A::H8));
      m_a.sqadd(arr(s.d, A::H8), arr(s.d, A::H8), arr(v31, A::H8));
      m_free_fp |= 1u << t.id();
      if (add) {
        m_a.saddlp(arr(s.d, A::S4), arr(s.d, A::H8));
        const Vec rc = vsrc(c, v30);
        m_a.add(arr(s.d, A::S4), arr(s.d, A::S4), arr(rc, A::S4));
        release(c);
      }
      simd_done(s);
      return true;
    }
    case Op::i32x4_dot_i16x8_s: {  // products of the low and high halves, added pairwise
      SimdArgs s = simd_args(2);
      m_a.smull(arr(s.d, A::S4), arr(s.r[0], A::H4), arr(s.r[1], A::H4));
      Vec t = alloc_fp();
      m_a.smull2(arr(t, A::S4), arr(s.r[0], A::H8), arr(s.r[1], A::H8));
      m_a.addp(arr(s.d, A::S4), arr(s.d, A::S4), arr(t, A::S4));
      m_free_fp |= 1u << t.id();
      simd_done(s);
      return true;
    }
    case Op::i8x16_narrow_i16x8_s: case Op::i8x16_narrow_i16x8_u:
    case Op::i16x8_narrow_i32x4_s: case Op::i16x8_narrow_i32x4_u: {
      // a into the low half, b into the high half; the inputs are signed either way.
      const bool to8 = op == Op::i8x16_narrow_i16x8_s || op == Op::i8x16_narrow_i16x8_u;
      const bool sign = op == Op::i8x16_narrow_i16x8_s || op == Op::i16x8_narrow_i32x4_s;
      const A lo = to8 ? A::B8 : A::H4, full = to8 ? A::B16 : A::H8, src = to8 ? A::H8 : A::S4;
      SimdArgs s = simd_args(2);
      if (sign) {
        m_a.sqxtn(arr(s.d, lo), arr(s.r[0], src));
        m_a.sqxtn2(arr(s.d, full), arr(s.r[1], src));
      } else {
        m_a.sqxtun(arr(s.d, lo), arr(s.r[0], src));
        m_a.sqxtun2(arr(s.d, full), arr(s.r[1], src));
      }
      simd_done(s);
      return true;
    }
    case Op::i8x16_shuffle: {
      // tbl with the indexes as a constant in the result register: a table of a alone, b
      // alone (indexes - 16) or both (two consecutive registers: v30, v31).
      bool any_a = false, any_b = false;
      uint8_t idx[16];
      for (int i = 0; i < 16; ++i) {
        any_a |= ins.v128[i] < 16;
        any_b |= ins.v128[i] >= 16;
      }
      for (int i = 0; i < 16; ++i) idx[i] = static_cast<uint8_t>(any_a ? ins.v128[i] : ins.v128[i] - 16);
      uint64_t lo, hi;
      std::memcpy(&lo, idx, 8);
      std::memcpy(&hi, idx + 8, 8);
      SimdArgs s = simd_args(2);
      Vec t = s.r[any_a ? 0 : 1];
      if (any_a && any_b) {
        if (s.r[0].id() != 30) m_a.mov(v30.b16(), arr(s.r[0], A::B16));
        if (s.r[1].id() != 31) m_a.mov(v31.b16(), arr(s.r[1], A::B16));
      }
      v128_const(s.d, lo, hi);
      if (any_a && any_b) m_a.tbl(arr(s.d, A::B16), v30.b16(), v31.b16(), arr(s.d, A::B16));
      else m_a.tbl(arr(s.d, A::B16), arr(t, A::B16), arr(s.d, A::B16));
      simd_done(s);
      return true;
    }
    case Op::v128_any_true: case Op::i8x16_all_true: case Op::i16x8_all_true:
    case Op::i32x4_all_true: case Op::i64x2_all_true: {
      // any: the largest 32-bit piece is not 0; all: no lane compares equal to 0.
      Val a = pop();
      Vec r = vsrc(a, v30);
      CC cc = CC::kNE;
      if (op == Op::v128_any_true) {
        m_a.umaxv(s30, r.s4());
      } else {
        const A la = op == Op::i8x16_all_true ? A::B16 : op == Op::i16x8_all_true ? A::H8
                     : op == Op::i32x4_all_true ? A::S4 : A::D2;
        m_a.cmeq(arr(v30, la), arr(r, la), imm(0));
        m_a.umaxv(s30, v30.s4());
        cc = CC::kEQ;
      }
      m_a.fmov(w16, s30);
      m_a.cmp(w16, imm(0));
      release(a);
      push_flags(cc);
      return true;
    }
    case Op::i8x16_bitmask: case Op::i16x8_bitmask: case Op::i32x4_bitmask:
    case Op::i64x2_bitmask:
      emit_simd_bitmask(op);
      return true;
    default:
      return false;
  }
}

// A v128 operand that is not in a register, into `x`.
void Compiler::vsrc_into(Val& v, Vec x) {
  if (v.kind == Kind::Const) v128_const(x, v.c, v.c_hi);
  else load_v128(x, sp, uint64_t{v.slot} * 8);
}

// Shifts by a constant: shl/sshr/ushr immediates (a right shift by 0 is a copy); by a
// register: the count, masked, negated for right shifts, in every lane of v31 for
// sshl/ushl (they shift left by the signed low byte of each lane).
void Compiler::emit_simd_shift(A la, uint32_t mask, bool left, bool is_signed) {
  Val n = pop();
  Val a = pop();
  if (n.kind == Kind::Const) {
    const uint32_t k = static_cast<uint32_t>(n.c) & mask;
    Vec r = vsrc(a, v30);
    Vec d = alloc_fp();
    if (left) m_a.shl(arr(d, la), arr(r, la), imm(k));
    else if (k == 0) m_a.mov(arr(d, A::B16), arr(r, A::B16));
    else if (is_signed) m_a.sshr(arr(d, la), arr(r, la), imm(k));
    else m_a.ushr(arr(d, la), arr(r, la), imm(k));
    release(a);
    return push_fp(ValType::V128, d);
  }
  Gp c = read_reg(n);
  Vec r = vsrc(a, v30);
  Vec d = alloc_fp();
  m_a.and_(w16, c.w(), imm(mask));
  if (!left) m_a.neg(w16, w16);
  if (la == A::D2) m_a.dup(v31.d2(), x16);  // (only the low byte counts)
  else m_a.dup(arr(v31, la), w16);
  if (is_signed) m_a.sshl(arr(d, la), arr(r, la), arr(v31, la));
  else m_a.ushl(arr(d, la), arr(r, la), arr(v31, la));
  release(a);
  release(n);
  push_fp(ValType::V128, d);
}

// Each lane's sign bit: an arithmetic shift makes lanes 0 or all ones, an and keeps bit i
// in lane i (within 8 lanes: i8x16's two halves are zipped into 16-bit lanes first), and
// an add across the lanes gathers the bits. i64x2: the two sign bits through x16/x17.
void Compiler::emit_simd_bitmask(Op op) {
  Val a = pop();
  Vec r = vsrc(a, v30);
  Gp d = alloc();
  switch (op) {
    case Op::i8x16_bitmask:
      m_a.sshr(v30.b16(), arr(r, A::B16), imm(7));
      v128_const(v31, 0x8040201008040201ull, 0x8040201008040201ull);
      m_a.and_(v30.b16(), v30.b16(), v31.b16());
      m_a.ext(v31.b16(), v30.b16(), v30.b16(), imm(8));
      m_a.zip1(v30.b16(), v30.b16(), v31.b16());
      m_a.addv(h30, v30.h8());
      m_a.umov(d.w(), v30.h(0));
      break;
    case Op::i16x8_bitmask:
      m_a.sshr(v30.h8(), arr(r, A::H8), imm(15));
      v128_const(v31, 0x0008000400020001ull, 0x0080004000200010ull);
      m_a.and_(v30.b16(), v30.b16(), v31.b16());
      m_a.addv(h30, v30.h8());
      m_a.umov(d.w(), v30.h(0));
      break;
    case Op::i32x4_bitmask:
      m_a.sshr(v30.s4(), arr(r, A::S4), imm(31));
      v128_const(v31, 0x0000000200000001ull, 0x0000000800000004ull);
      m_a.and_(v30.b16(), v30.b16(), v31.b16());
      m_a.addv(s30, v30.s4());
      m_a.fmov(d.w(), s30);
      break;
    default:
      m_a.ushr(v30.d2(), arr(r, A::D2), imm(63));
      m_a.umov(x16, v30.d(0));
      m_a.umov(x17, v30.d(1));
      m_a.lsl(w17, w17, imm(1));
      m_a.orr(d.w(), w16, w17);
      break;
  }
  release(a);
  push_reg(ValType::I32, d);
}

void Compiler::push_v128_const(uint64_t lo, uint64_t hi) {
  Val v{ValType::V128, Kind::Const, 0, 0, next_slot(), lo};
  v.c_hi = hi;
  m_vs.push_back(v);
}

}  // namespace wsvm::jit::a64
