// Exact semantics of every WebAssembly numeric instruction, as pure functions over the bit
// patterns the engines keep in slots (i32/i64 as uint32_t/uint64_t, f32/f64 as float/double).
// Shared by the interpreter, the JIT's slow paths and constant folding (fold.hpp), so nothing
// here knows about an engine. Trapping operations return false and set the caller's trap kind
// instead of throwing.
// Spec: https://webassembly.github.io/spec/core/exec/numerics.html
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace wsvm::num {

// The traps a numeric instruction can raise. A trapping operation writes one of these names
// into the caller's own trap-kind enum (the runtime's TrapKind has them all), so the engines
// keep their trap variable and this part needs no runtime header. NumTrap is that enum for
// callers without one (tests).
template <class K>
concept NumericTrapKind = requires {
  K::IntegerDivideByZero;
  K::IntegerOverflow;
  K::InvalidConversion;
};
enum class NumTrap : uint8_t { None, IntegerDivideByZero, IntegerOverflow, InvalidConversion };

// ---------------------------------------------------------------------------------------
// Integer arithmetic: unsigned types wrap by definition; signed views only for comparisons,
// division and shifts.

template <class U> using Signed = std::make_signed_t<U>;
template <class U> inline constexpr unsigned kBits = sizeof(U) * 8;

template <class U> constexpr U add(U a, U b) { return static_cast<U>(a + b); }
template <class U> constexpr U sub(U a, U b) { return static_cast<U>(a - b); }
template <class U> constexpr U mul(U a, U b) {
  // uint32_t * uint32_t stays unsigned; no promotion to (signed) int for these widths.
  return static_cast<U>(a * b);
}
template <class U> constexpr U band(U a, U b) { return a & b; }
template <class U> constexpr U bor(U a, U b) { return a | b; }
template <class U> constexpr U bxor(U a, U b) { return a ^ b; }

// Shift counts are taken modulo the bit width (spec: ishl(i1, i2) uses i2 mod N).
template <class U> constexpr U shl(U a, U b) { return static_cast<U>(a << (b & (kBits<U> - 1))); }
template <class U> constexpr U shr_u(U a, U b) { return static_cast<U>(a >> (b & (kBits<U> - 1))); }
template <class U> constexpr U shr_s(U a, U b) {
  // Arithmetic right shift of a negative signed value is defined since C++20.
  return static_cast<U>(static_cast<Signed<U>>(a) >> (b & (kBits<U> - 1)));
}
template <class U> constexpr U rotl(U a, U b) { return std::rotl(a, static_cast<int>(b & (kBits<U> - 1))); }
template <class U> constexpr U rotr(U a, U b) { return std::rotr(a, static_cast<int>(b & (kBits<U> - 1))); }
template <class U> constexpr U clz(U a) { return static_cast<U>(std::countl_zero(a)); }
template <class U> constexpr U ctz(U a) { return static_cast<U>(std::countr_zero(a)); }
template <class U> constexpr U popcnt(U a) { return static_cast<U>(std::popcount(a)); }
template <class U> constexpr uint32_t eqz(U a) { return a == 0; }

template <class U> constexpr uint32_t eq(U a, U b) { return a == b; }
template <class U> constexpr uint32_t ne(U a, U b) { return a != b; }
template <class U> constexpr uint32_t lt_u(U a, U b) { return a < b; }
template <class U> constexpr uint32_t gt_u(U a, U b) { return a > b; }
template <class U> constexpr uint32_t le_u(U a, U b) { return a <= b; }
template <class U> constexpr uint32_t ge_u(U a, U b) { return a >= b; }
template <class U> constexpr uint32_t lt_s(U a, U b) { return static_cast<Signed<U>>(a) < static_cast<Signed<U>>(b); }
template <class U> constexpr uint32_t gt_s(U a, U b) { return static_cast<Signed<U>>(a) > static_cast<Signed<U>>(b); }
template <class U> constexpr uint32_t le_s(U a, U b) { return static_cast<Signed<U>>(a) <= static_cast<Signed<U>>(b); }
template <class U> constexpr uint32_t ge_s(U a, U b) { return static_cast<Signed<U>>(a) >= static_cast<Signed<U>>(b); }

// Division: false + trap kind when the spec says the result is undefined (trap).
template <class U, NumericTrapKind K> constexpr bool div_u(U a, U b, U& out, K& trap) {
  if (b == 0) { trap = K::IntegerDivideByZero; return false; }
  out = a / b;
  return true;
}
template <class U, NumericTrapKind K> constexpr bool rem_u(U a, U b, U& out, K& trap) {
  if (b == 0) { trap = K::IntegerDivideByZero; return false; }
  out = a % b;
  return true;
}
template <class U, NumericTrapKind K> constexpr bool div_s(U a, U b, U& out, K& trap) {
  using S = Signed<U>;
  if (b == 0) { trap = K::IntegerDivideByZero; return false; }
  // INT_MIN / -1 = 2^(N-1) is not representable.
  if (a == (U{1} << (kBits<U> - 1)) && b == static_cast<U>(-1)) {
    trap = K::IntegerOverflow;
    return false;
  }
  out = static_cast<U>(static_cast<S>(a) / static_cast<S>(b));
  return true;
}
template <class U, NumericTrapKind K> constexpr bool rem_s(U a, U b, U& out, K& trap) {
  using S = Signed<U>;
  if (b == 0) { trap = K::IntegerDivideByZero; return false; }
  // INT_MIN % -1 is 0 in wasm, but undefined behaviour (and a #DE on x86) in C++.
  if (b == static_cast<U>(-1)) { out = 0; return true; }
  out = static_cast<U>(static_cast<S>(a) % static_cast<S>(b));
  return true;
}

// Sign extension (extendN_s) of the low `From` bits.
template <class U, class From> constexpr U extend_s(U a) {
  return static_cast<U>(static_cast<Signed<U>>(static_cast<std::make_signed_t<From>>(a)));
}
constexpr uint32_t wrap_i64(uint64_t a) { return static_cast<uint32_t>(a); }
constexpr uint64_t extend_i32_s(uint32_t a) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(a))); }
constexpr uint64_t extend_i32_u(uint32_t a) { return a; }

// ---------------------------------------------------------------------------------------
// Floating point. Bit-level facts per width.

template <class F> struct FloatBits;
template <> struct FloatBits<float> {
  using U = uint32_t;
  static constexpr U kSign = 0x80000000u;
  static constexpr U kExp = 0x7f800000u;
  static constexpr U kQuiet = 0x00400000u;  // top mantissa bit
  static constexpr U kMantissa = 0x007fffffu;
};
template <> struct FloatBits<double> {
  using U = uint64_t;
  static constexpr U kSign = 0x8000000000000000ull;
  static constexpr U kExp = 0x7ff0000000000000ull;
  static constexpr U kQuiet = 0x0008000000000000ull;
  static constexpr U kMantissa = 0x000fffffffffffffull;
};
template <class F> using FBits = typename FloatBits<F>::U;

template <class F> constexpr FBits<F> bits(F f) { return std::bit_cast<FBits<F>>(f); }
template <class F> constexpr F from_bits(FBits<F> b) { return std::bit_cast<F>(b); }

template <class F> constexpr bool is_nan(F f) {
  using B = FloatBits<F>;
  FBits<F> b = bits(f);
  return (b & B::kExp) == B::kExp && (b & B::kMantissa) != 0;
}
// The positive canonical NaN (quiet bit only).
template <class F> constexpr F canonical_nan() { return from_bits<F>(FloatBits<F>::kExp | FloatBits<F>::kQuiet); }
// A NaN with its quiet bit set: canonical stays canonical, any other NaN becomes an
// arithmetic NaN (spec: results of arithmetic on NaNs must be arithmetic NaNs).
template <class F> constexpr F quiet(F f) { return from_bits<F>(bits(f) | FloatBits<F>::kQuiet); }

// Sign manipulation is pure bit work, so NaN payloads pass through untouched.
template <class F> constexpr F float_abs(F a) { return from_bits<F>(bits(a) & ~FloatBits<F>::kSign); }
template <class F> constexpr F float_neg(F a) { return from_bits<F>(bits(a) ^ FloatBits<F>::kSign); }
template <class F> constexpr F float_copysign(F a, F b) {
  using B = FloatBits<F>;
  return from_bits<F>((bits(a) & ~B::kSign) | (bits(b) & B::kSign));
}

// IEEE arithmetic of the host (x86-64 SSE, AArch64) already rounds to nearest and returns
// quiet NaNs for add/sub/mul/div/sqrt; the spec allows any arithmetic NaN there.
template <class F> constexpr F float_add(F a, F b) { return a + b; }
template <class F> constexpr F float_sub(F a, F b) { return a - b; }
template <class F> constexpr F float_mul(F a, F b) { return a * b; }
template <class F> constexpr F float_div(F a, F b) { return a / b; }
template <class F> inline F float_sqrt(F a) { return is_nan(a) ? quiet(a) : std::sqrt(a); }
// libm rounding functions may hand a signalling NaN back unchanged: quiet it ourselves.
template <class F> inline F float_ceil(F a) { return is_nan(a) ? quiet(a) : std::ceil(a); }
template <class F> inline F float_floor(F a) { return is_nan(a) ? quiet(a) : std::floor(a); }
template <class F> inline F float_trunc(F a) { return is_nan(a) ? quiet(a) : std::trunc(a); }
// nearbyint uses the current rounding mode, which wasm code never changes: ties to even.
// It keeps the sign of zero (nearest(-0.4) = -0.0), as the spec requires.
template <class F> inline F float_nearest(F a) { return is_nan(a) ? quiet(a) : std::nearbyint(a); }

// min/max: any NaN operand gives a NaN (quieted, so canonical inputs give canonical
// results); -0 < +0, which the comparison operators cannot see.
template <class F> constexpr F float_min(F a, F b) {
  if (is_nan(a)) return quiet(a);
  if (is_nan(b)) return quiet(b);
  if (a == b) return from_bits<F>(bits(a) | bits(b));  // min(-0, +0) = -0
  return a < b ? a : b;
}
template <class F> constexpr F float_max(F a, F b) {
  if (is_nan(a)) return quiet(a);
  if (is_nan(b)) return quiet(b);
  if (a == b) return from_bits<F>(bits(a) & bits(b));  // max(-0, +0) = +0
  return a > b ? a : b;
}

template <class F> constexpr uint32_t float_eq(F a, F b) { return a == b; }
template <class F> constexpr uint32_t float_ne(F a, F b) { return a != b; }
template <class F> constexpr uint32_t float_lt(F a, F b) { return a < b; }
template <class F> constexpr uint32_t float_gt(F a, F b) { return a > b; }
template <class F> constexpr uint32_t float_le(F a, F b) { return a <= b; }
template <class F> constexpr uint32_t float_ge(F a, F b) { return a >= b; }

// ---------------------------------------------------------------------------------------
// Float -> integer truncation. With t = trunc(x) the range test is exact: -2^(N-1) and 2^N
// (or 2^(N-1)) are powers of two, representable in every float format.

template <class U, bool kSigned, class F> constexpr bool trunc_in_range(F t) {
  constexpr unsigned n = kBits<U>;
  if constexpr (kSigned) {
    constexpr F lo = -static_cast<F>(U{1} << (n - 1));  // -2^(N-1)
    return t >= lo && t < -lo;
  } else {
    constexpr F hi = static_cast<F>(U{1} << (n - 1)) * F(2);  // 2^N
    return t > F(-1) && t < hi;
  }
}

// iN.trunc_fM_{s,u}: NaN -> "invalid conversion to integer", out of range -> "integer overflow".
template <class U, bool kSigned, class F, NumericTrapKind K>
inline bool trunc_checked(F x, U& out, K& trap) {
  if (is_nan(x)) { trap = K::InvalidConversion; return false; }
  F t = std::trunc(x);
  if (!trunc_in_range<U, kSigned>(t)) { trap = K::IntegerOverflow; return false; }
  if constexpr (kSigned) out = static_cast<U>(static_cast<Signed<U>>(t));
  else out = static_cast<U>(t);
  return true;
}

// iN.trunc_sat_fM_{s,u}: NaN -> 0, out of range clamps.
template <class U, bool kSigned, class F> inline U trunc_sat(F x) {
  if (is_nan(x)) return 0;
  F t = std::trunc(x);
  if (trunc_in_range<U, kSigned>(t)) {
    if constexpr (kSigned) return static_cast<U>(static_cast<Signed<U>>(t));
    else return static_cast<U>(t);
  }
  if constexpr (kSigned) {
    return t < 0 ? static_cast<U>(std::numeric_limits<Signed<U>>::min())
                 : static_cast<U>(std::numeric_limits<Signed<U>>::max());
  } else {
    return t < 0 ? U{0} : std::numeric_limits<U>::max();
  }
}

// ---------------------------------------------------------------------------------------
// Integer -> float conversion, rounding to nearest, ties to even, in ONE rounding step.
// (Going u64 -> f64 -> f32 would round twice and be wrong for e.g. 0x0020000020000001.)
// g++ emits single-rounding sequences for these casts on x86-64 and AArch64 (including
// u64 -> f32 via the halve-with-sticky-bit trick); semantics/tests check the hard cases.
template <class F> constexpr F convert_s32(uint32_t a) { return static_cast<F>(static_cast<int32_t>(a)); }
template <class F> constexpr F convert_u32(uint32_t a) { return static_cast<F>(a); }
template <class F> constexpr F convert_s64(uint64_t a) { return static_cast<F>(static_cast<int64_t>(a)); }
template <class F> constexpr F convert_u64(uint64_t a) { return static_cast<F>(a); }

// demote/promote: the hardware would keep NaN payload bits; the spec wants a canonical NaN
// from a canonical one and an arithmetic NaN otherwise, so NaNs are built by hand.
constexpr float demote(double d) {
  if (is_nan(d)) {
    uint64_t b = bits(d);
    uint32_t sign = static_cast<uint32_t>(b >> 63) << 31;
    uint32_t payload = static_cast<uint32_t>((b & FloatBits<double>::kMantissa) >> 29);
    return from_bits<float>(sign | FloatBits<float>::kExp | FloatBits<float>::kQuiet | payload);
  }
  return static_cast<float>(d);
}
constexpr double promote(float f) {
  if (is_nan(f)) {
    uint32_t b = bits(f);
    uint64_t sign = static_cast<uint64_t>(b >> 31) << 63;
    uint64_t payload = static_cast<uint64_t>(b & FloatBits<float>::kMantissa) << 29;
    return from_bits<double>(sign | FloatBits<double>::kExp | FloatBits<double>::kQuiet | payload);
  }
  return static_cast<double>(f);
}

}  // namespace wsvm::num
