// Lane semantics of the f32x4 / f64x2 instructions and the vector conversions (included by
// semantics/simd.hpp; see there for the conventions).
//
// NaNs: add/sub/mul/div/sqrt use the hardware, which returns quiet NaNs (canonical from
// canonical inputs), as the spec allows. min/max and the roundings build their NaN results
// by hand so they agree bit for bit with the scalar helpers of semantics/numerics.hpp
// (quiet(a) if a is NaN, else quiet(b)); pmin/pmax are plain selects and pass NaNs through.
#pragma once

#include <cstdint>

#include "semantics/simd.hpp"

namespace wsvm::simd {

template <class FV> struct FShape;
template <> struct FShape<f32x4> {
  using I = i32x4;
  using U = u32x4;
  using F = float;
  static constexpr uint32_t kSign = 0x80000000u;
  static constexpr uint32_t kQuiet = 0x00400000u;
  static constexpr float kBig = 8388608.0f;  // 2^23: from here on every float is an integer
};
template <> struct FShape<f64x2> {
  using I = i64x2;
  using U = u64x2;
  using F = double;
  static constexpr uint64_t kSign = 0x8000000000000000ull;
  static constexpr uint64_t kQuiet = 0x0008000000000000ull;
  static constexpr double kBig = 4503599627370496.0;  // 2^52
};

namespace detail {
template <class FV> inline FV fabs_v(FV x) {
  using U = typename FShape<FV>::U;
  return as<FV>(as<U>(x) & ~FShape<FV>::kSign);
}
template <class FV> inline FV copysign_v(FV mag, FV sign) {
  using U = typename FShape<FV>::U;
  constexpr auto s = FShape<FV>::kSign;
  return as<FV>((as<U>(mag) & ~s) | (as<U>(sign) & s));
}
template <class FV> inline FV quiet_v(FV x) {
  using U = typename FShape<FV>::U;
  return as<FV>(as<U>(x) | FShape<FV>::kQuiet);
}
// NaN lanes of x become quiet(x), the others take r.
template <class FV> inline FV nan_quiet(FV x, FV r) { return blend(x != x, quiet_v(x), r); }

// nearest of |x| for |x| < 2^M (M = mantissa bits): adding and subtracting 2^M rounds to an
// integer in the current rounding mode, which wasm never changes (ties to even). Larger
// magnitudes (and NaN, whose compare is false) keep their value.
template <class FV> inline FV round_abs(FV ax) {
  constexpr auto big = FShape<FV>::kBig;
  FV r = (ax + big) - big;
  return blend(ax < big, r, ax);
}
}  // namespace detail

// ---------------------------------------------------------------------------------------
// Sign bits: pure bit operations, NaN payloads untouched.
template <class FV> inline Vec fabs(Vec a) { return as<Vec>(detail::fabs_v(as<FV>(a))); }
template <class FV> inline Vec fneg(Vec a) {
  return as<Vec>(as<typename FShape<FV>::U>(a) ^ FShape<FV>::kSign);
}

// Arithmetic.
template <class FV> inline Vec fadd(Vec a, Vec b) { return as<Vec>(as<FV>(a) + as<FV>(b)); }
template <class FV> inline Vec fsub(Vec a, Vec b) { return as<Vec>(as<FV>(a) - as<FV>(b)); }
template <class FV> inline Vec fmul(Vec a, Vec b) { return as<Vec>(as<FV>(a) * as<FV>(b)); }
template <class FV> inline Vec fdiv(Vec a, Vec b) { return as<Vec>(as<FV>(a) / as<FV>(b)); }

// Relaxed multiply-add in the deterministic profile: unfused, the product rounded before the
// sum (the project builds with -ffp-contract=off, so the compiler does not fuse it either).
// nmadd is madd with a negated first operand.
template <class FV> inline Vec frelaxed_madd(Vec a, Vec b, Vec c) { return fadd<FV>(fmul<FV>(a, b), c); }
template <class FV> inline Vec frelaxed_nmadd(Vec a, Vec b, Vec c) {
  return fadd<FV>(fmul<FV>(fneg<FV>(a), b), c);
}

inline Vec f32x4_sqrt(Vec a) {
#if defined(__SSE2__) && !defined(WSVM_SIMD_PORTABLE)
  return as<Vec>(_mm_sqrt_ps(as<__m128>(a)));
#elif defined(__aarch64__) && !defined(WSVM_SIMD_PORTABLE)
  return as<Vec>(vsqrtq_f32(as<float32x4_t>(a)));
#else
  f32x4 x = as<f32x4>(a);
  for (int i = 0; i < 4; ++i) x[i] = __builtin_sqrtf(x[i]);
  return as<Vec>(detail::nan_quiet(as<f32x4>(a), x));
#endif
}
inline Vec f64x2_sqrt(Vec a) {
#if defined(__SSE2__) && !defined(WSVM_SIMD_PORTABLE)
  return as<Vec>(_mm_sqrt_pd(as<__m128d>(a)));
#elif defined(__aarch64__) && !defined(WSVM_SIMD_PORTABLE)
  return as<Vec>(vsqrtq_f64(as<float64x2_t>(a)));
#else
  f64x2 x = as<f64x2>(a);
  for (int i = 0; i < 2; ++i) x[i] = __builtin_sqrt(x[i]);
  return as<Vec>(detail::nan_quiet(as<f64x2>(a), x));
#endif
}

// min/max: NaN if either is NaN (quiet(a) first, then quiet(b)); -0 < +0: on equal lanes
// OR (min) / AND (max) the bits, which picks -0 for min and +0 for max.
template <class FV> inline Vec fmin(Vec av, Vec bv) {
  FV a = as<FV>(av), b = as<FV>(bv);
  FV r = blend(a < b, a, b);
  r = blend(a == b, as<FV>(av | bv), r);
  r = blend(b != b, detail::quiet_v(b), r);
  return as<Vec>(blend(a != a, detail::quiet_v(a), r));
}
template <class FV> inline Vec fmax(Vec av, Vec bv) {
  FV a = as<FV>(av), b = as<FV>(bv);
  FV r = blend(a > b, a, b);
  r = blend(a == b, as<FV>(av & bv), r);
  r = blend(b != b, detail::quiet_v(b), r);
  return as<Vec>(blend(a != a, detail::quiet_v(a), r));
}
// pmin = b < a ? b : a,  pmax = a < b ? b : a (the C++ std::min/max shapes; NaN -> a).
template <class FV> inline Vec fpmin(Vec a, Vec b) { return blend(as<FV>(b) < as<FV>(a), b, a); }
template <class FV> inline Vec fpmax(Vec a, Vec b) { return blend(as<FV>(a) < as<FV>(b), b, a); }

// Rounding, all from one vector round-to-nearest of |x|. The result has the sign of x in
// every case (ceil(-0.5) = -0, floor(0.5) = +0, trunc(-0.7) = -0), so the sign is put back
// at the end; NaN lanes become quiet(x) like the scalar helpers.
template <class FV> inline Vec fnearest(Vec av) {
  FV x = as<FV>(av);
  FV r = detail::copysign_v(detail::round_abs(detail::fabs_v(x)), x);
  return as<Vec>(detail::nan_quiet(x, r));
}
template <class FV> inline Vec ftrunc(Vec av) {
  FV x = as<FV>(av);
  FV ax = detail::fabs_v(x);
  FV n = detail::round_abs(ax);
  n = blend(n > ax, n - 1, n);  // rounded up: floor of |x| instead
  return as<Vec>(detail::nan_quiet(x, detail::copysign_v(n, x)));
}
template <class FV> inline Vec ffloor(Vec av) {
  FV x = as<FV>(av);
  FV n = detail::copysign_v(detail::round_abs(detail::fabs_v(x)), x);
  n = blend(n > x, n - 1, n);
  return as<Vec>(detail::nan_quiet(x, detail::copysign_v(n, x)));
}
template <class FV> inline Vec fceil(Vec av) {
  FV x = as<FV>(av);
  FV n = detail::copysign_v(detail::round_abs(detail::fabs_v(x)), x);
  n = blend(n < x, n + 1, n);
  return as<Vec>(detail::nan_quiet(x, detail::copysign_v(n, x)));
}

// Comparisons: all-ones lanes for true; every comparison with a NaN is false except ne.
template <class FV> inline Vec feq(Vec a, Vec b) { return as<Vec>(as<FV>(a) == as<FV>(b)); }
template <class FV> inline Vec fne(Vec a, Vec b) { return as<Vec>(as<FV>(a) != as<FV>(b)); }
template <class FV> inline Vec flt(Vec a, Vec b) { return as<Vec>(as<FV>(a) < as<FV>(b)); }
template <class FV> inline Vec fgt(Vec a, Vec b) { return as<Vec>(as<FV>(a) > as<FV>(b)); }
template <class FV> inline Vec fle(Vec a, Vec b) { return as<Vec>(as<FV>(a) <= as<FV>(b)); }
template <class FV> inline Vec fge(Vec a, Vec b) { return as<Vec>(as<FV>(a) >= as<FV>(b)); }

// ---------------------------------------------------------------------------------------
// Conversions.

// i32x4.trunc_sat_f32x4_s: NaN -> 0, below -2^31 -> INT_MIN, from 2^31 on -> INT_MAX. The
// clamped lanes convert exactly (C's truncating float -> int conversion).
inline Vec i32x4_trunc_sat_f32x4_s(Vec a) {
  f32x4 x = as<f32x4>(a);
  constexpr float lo = -2147483648.0f, hi = 2147483648.0f;
  f32x4 c = blend(x < lo, f32x4{} + lo, x);
  c = blend(c >= hi, f32x4{}, c);
  c = blend(x != x, f32x4{}, c);
  i32x4 r = __builtin_convertvector(c, i32x4);
  return as<Vec>(blend(x >= hi, i32x4{} + INT32_MAX, r));
}
// ..._u: NaN and x <= -1 -> 0, from 2^32 on -> UINT_MAX. Lanes in [2^31, 2^32) convert as
// x - 2^31 (exact) plus the top bit, since the signed conversion is the vector one.
inline Vec i32x4_trunc_sat_f32x4_u(Vec a) {
  f32x4 x = as<f32x4>(a);
  constexpr float two31 = 2147483648.0f, two32 = 4294967296.0f;
  f32x4 c = blend(x > 0, x, f32x4{});  // NaN and negatives -> 0
  i32x4 high = c >= two31;
  c = blend(high, c - two31, c);
  c = blend(c >= two31, f32x4{}, c);  // >= 2^32 before the subtraction: fixed below
  u32x4 r = as<u32x4>(__builtin_convertvector(c, i32x4)) + (as<u32x4>(high) & 0x80000000u);
  return as<Vec>(blend(x >= two32, u32x4{} + UINT32_MAX, r));
}
// f64x2 -> i32x4 with zeroed high lanes: clamp to the i32 range (exact in f64), convert.
inline Vec i32x4_trunc_sat_f64x2_s_zero(Vec a) {
  f64x2 x = as<f64x2>(a);
  f64x2 c = blend(x < -2147483648.0, f64x2{} - 2147483648.0, x);
  c = blend(c > 2147483647.0, f64x2{} + 2147483647.0, c);
  c = blend(x != x, f64x2{}, c);
  i32x2 r = __builtin_convertvector(c, i32x2);
  return as<Vec>(__builtin_shufflevector(r, i32x2{}, 0, 1, 2, 3));
}
inline Vec i32x4_trunc_sat_f64x2_u_zero(Vec a) {
  f64x2 x = as<f64x2>(a);
  f64x2 c = blend(x > 0, x, f64x2{});  // NaN and negatives -> 0
  c = blend(c > 4294967295.0, f64x2{} + 4294967295.0, c);
  u32x2 r = as<u32x2>(__builtin_convertvector(__builtin_convertvector(c, i64x2), i32x2));
  return as<Vec>(__builtin_shufflevector(r, u32x2{}, 0, 1, 2, 3));
}

// int -> float: round to nearest even in one step (the compiler's conversions are exact C
// conversions, also for unsigned).
inline Vec f32x4_convert_i32x4_s(Vec a) { return as<Vec>(__builtin_convertvector(as<i32x4>(a), f32x4)); }
inline Vec f32x4_convert_i32x4_u(Vec a) { return as<Vec>(__builtin_convertvector(as<u32x4>(a), f32x4)); }
inline Vec f64x2_convert_low_i32x4_s(Vec a) {
  return as<Vec>(__builtin_convertvector(detail::low2(as<i32x4>(a)), f64x2));
}
inline Vec f64x2_convert_low_i32x4_u(Vec a) {
  return as<Vec>(__builtin_convertvector(detail::low2(as<u32x4>(a)), f64x2));
}

// demote/promote: the hardware conversions quiet a NaN and keep the top payload bits, which
// is exactly num::demote / num::promote (the tests check it); demote zeroes lanes 2 and 3.
inline Vec f32x4_demote_f64x2_zero(Vec a) {
  f32x2 r = __builtin_convertvector(as<f64x2>(a), f32x2);
  return as<Vec>(__builtin_shufflevector(r, f32x2{}, 0, 1, 2, 3));
}
inline Vec f64x2_promote_low_f32x4(Vec a) {
  return as<Vec>(__builtin_convertvector(detail::low2(as<f32x4>(a)), f64x2));
}

}  // namespace wsvm::simd
