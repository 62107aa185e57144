// Lane semantics of every WebAssembly 2.0 SIMD (v128) instruction, in ONE place: the
// interpreter runs these, the JIT tests its machine code against them.
//
// Written with GCC vector extensions (vector_size(16), element-wise operators, comparisons
// giving -1/0 lane masks, __builtin_shuffle/__builtin_shufflevector/__builtin_convertvector),
// so g++ emits SSE2 on x86-64 and NEON on AArch64 without per-lane loops. A handful of
// operations with no generic vector form (sqrt, bitmask) use SSE2/NEON intrinsics with a
// portable fallback (forced with -DWSVM_SIMD_PORTABLE, which the lane tests also build).
//
// Every helper takes and returns the shape-less `Vec` (16 bytes; lanes are little-endian,
// lane 0 at the lowest address on both targets) and reinterprets it as its lane shape.
// Integer arithmetic is done on unsigned lanes (wrapping, no UB); signed views only where
// the sign matters (comparisons, shr_s, min/max, saturation, extension).
// Spec: https://webassembly.github.io/spec/core/exec/numerics.html (vector sections)
//
// simd.hpp: types, bitwise, integer ops, lane access, loads.   simd_float.hpp: floats and
// conversions.   simd_ops.def: the op list (wasm name -> helper) both tiers are built from.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#if defined(__SSE2__) && !defined(WSVM_SIMD_PORTABLE)
#include <emmintrin.h>
#elif defined(__aarch64__) && !defined(WSVM_SIMD_PORTABLE)
#include <arm_neon.h>
#endif

namespace wsvm::simd {

// 128-bit shapes.
typedef int8_t i8x16 __attribute__((vector_size(16)));
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef int16_t i16x8 __attribute__((vector_size(16)));
typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef int64_t i64x2 __attribute__((vector_size(16)));
typedef uint64_t u64x2 __attribute__((vector_size(16)));
typedef float f32x4 __attribute__((vector_size(16)));
typedef double f64x2 __attribute__((vector_size(16)));
// 64-bit halves (extend, narrow, convert_low, demote).
typedef int8_t i8x8 __attribute__((vector_size(8)));
typedef uint8_t u8x8 __attribute__((vector_size(8)));
typedef int16_t i16x4 __attribute__((vector_size(8)));
typedef uint16_t u16x4 __attribute__((vector_size(8)));
typedef int32_t i32x2 __attribute__((vector_size(8)));
typedef uint32_t u32x2 __attribute__((vector_size(8)));
typedef float f32x2 __attribute__((vector_size(8)));

using Vec = u64x2;

// Bit reinterpretation between same-sized vector types (free: no instruction).
template <class T, class V> inline T as(V v) {
  static_assert(sizeof(T) == sizeof(V));
  return (T)v;
}

inline Vec load(const void* p) {
  Vec v;
  std::memcpy(&v, p, 16);
  return v;
}
inline void store(void* p, Vec v) { std::memcpy(p, &v, 16); }
inline Vec make(uint64_t lo, uint64_t hi) { return Vec{lo, hi}; }

// Lane select: mask lanes are -1 (take x) or 0 (take y); M is any same-sized mask vector.
template <class V, class M> inline V blend(M m, V x, V y) {
  Vec mb = as<Vec>(m);
  return as<V>((as<Vec>(x) & mb) | (as<Vec>(y) & ~mb));
}

// Per shape: signed/unsigned lane vectors and lane facts.
template <class S> struct Shape;
template <> struct Shape<i8x16> { using U = u8x16; using E = int8_t; using UE = uint8_t; static constexpr int kBits = 8; };
template <> struct Shape<i16x8> { using U = u16x8; using E = int16_t; using UE = uint16_t; static constexpr int kBits = 16; };
template <> struct Shape<i32x4> { using U = u32x4; using E = int32_t; using UE = uint32_t; static constexpr int kBits = 32; };
template <> struct Shape<i64x2> { using U = u64x2; using E = int64_t; using UE = uint64_t; static constexpr int kBits = 64; };
template <class S> using UOf = typename Shape<S>::U;

// ---------------------------------------------------------------------------------------
// Bitwise.
inline Vec v128_not(Vec a) { return ~a; }
inline Vec v128_and(Vec a, Vec b) { return a & b; }
inline Vec v128_andnot(Vec a, Vec b) { return a & ~b; }
inline Vec v128_or(Vec a, Vec b) { return a | b; }
inline Vec v128_xor(Vec a, Vec b) { return a ^ b; }
// Bits of c select a (1) or b (0).
inline Vec v128_bitselect(Vec a, Vec b, Vec c) { return (a & c) | (b & ~c); }
inline uint32_t v128_any_true(Vec a) { return (a[0] | a[1]) != 0; }

// ---------------------------------------------------------------------------------------
// Splat, lane access. Lane indices are validated (< lane count) before they get here.
template <class S> inline Vec splat(typename Shape<S>::UE x) {
  using U = UOf<S>;
  return as<Vec>(U{} + x);
}
template <class S> inline typename Shape<S>::E lane(Vec a, uint32_t i) { return as<S>(a)[i]; }
template <class S> inline Vec replace(Vec a, uint32_t i, typename Shape<S>::UE x) {
  UOf<S> v = as<UOf<S>>(a);
  v[i] = x;
  return as<Vec>(v);
}

// ---------------------------------------------------------------------------------------
// Shuffles.
// swizzle: indices >= 16 give 0. __builtin_shuffle takes indices mod 16, the mask clears
// the out-of-range lanes.
inline Vec i8x16_swizzle(Vec a, Vec s) {
  u8x16 idx = as<u8x16>(s);
  u8x16 r = __builtin_shuffle(as<u8x16>(a), idx);
  return as<Vec>(r & as<u8x16>(idx < 16));
}
// shuffle: mask lanes index the 32 bytes of a:b (validated < 32).
inline Vec i8x16_shuffle(Vec a, Vec b, Vec mask) {
  return as<Vec>(__builtin_shuffle(as<u8x16>(a), as<u8x16>(b), as<u8x16>(mask)));
}

// ---------------------------------------------------------------------------------------
// Integer arithmetic (S = the signed shape).
template <class S> inline Vec iadd(Vec a, Vec b) { return as<Vec>(as<UOf<S>>(a) + as<UOf<S>>(b)); }
template <class S> inline Vec isub(Vec a, Vec b) { return as<Vec>(as<UOf<S>>(a) - as<UOf<S>>(b)); }
template <class S> inline Vec imul(Vec a, Vec b) { return as<Vec>(as<UOf<S>>(a) * as<UOf<S>>(b)); }
template <class S> inline Vec ineg(Vec a) { return as<Vec>(UOf<S>{} - as<UOf<S>>(a)); }
// abs(INT_MIN) wraps to INT_MIN (unsigned negation).
template <class S> inline Vec iabs(Vec a) {
  return as<Vec>(blend(as<S>(a) < 0, UOf<S>{} - as<UOf<S>>(a), as<UOf<S>>(a)));
}
template <class S> inline Vec imin_s(Vec a, Vec b) { return blend(as<S>(a) < as<S>(b), a, b); }
template <class S> inline Vec imax_s(Vec a, Vec b) { return blend(as<S>(a) > as<S>(b), a, b); }
template <class S> inline Vec imin_u(Vec a, Vec b) { return blend(as<UOf<S>>(a) < as<UOf<S>>(b), a, b); }
template <class S> inline Vec imax_u(Vec a, Vec b) { return blend(as<UOf<S>>(a) > as<UOf<S>>(b), a, b); }
// (a + b + 1) >> 1 without the wider type: a|b - (a^b)>>1.
template <class S> inline Vec iavgr_u(Vec a, Vec b) {
  using U = UOf<S>;
  U x = as<U>(a), y = as<U>(b);
  return as<Vec>((x | y) - ((x ^ y) >> 1));
}

// Saturating add/sub. Signed overflow happened iff the result's sign differs from both
// addends' (add) / from a's and equals b's (sub); the saturated value is MAX for a >= 0,
// MIN for a < 0, i.e. (a >> (N-1)) ^ MAX.
template <class S> inline Vec iadd_sat_s(Vec a, Vec b) {
  using U = UOf<S>;
  constexpr int n = Shape<S>::kBits;
  U x = as<U>(a), y = as<U>(b), r = x + y;
  S ovf = as<S>((x ^ r) & (y ^ r)) < 0;
  U sat = as<U>(as<S>(a) >> (n - 1)) ^ (U{} + static_cast<typename Shape<S>::UE>(std::numeric_limits<typename Shape<S>::E>::max()));
  return as<Vec>(blend(ovf, sat, r));
}
template <class S> inline Vec isub_sat_s(Vec a, Vec b) {
  using U = UOf<S>;
  constexpr int n = Shape<S>::kBits;
  U x = as<U>(a), y = as<U>(b), r = x - y;
  S ovf = as<S>((x ^ y) & (x ^ r)) < 0;
  U sat = as<U>(as<S>(a) >> (n - 1)) ^ (U{} + static_cast<typename Shape<S>::UE>(std::numeric_limits<typename Shape<S>::E>::max()));
  return as<Vec>(blend(ovf, sat, r));
}
template <class S> inline Vec iadd_sat_u(Vec a, Vec b) {
  using U = UOf<S>;
  U x = as<U>(a), r = x + as<U>(b);
  return as<Vec>(r | as<U>(r < x));  // wrapped -> all ones
}
template <class S> inline Vec isub_sat_u(Vec a, Vec b) {
  using U = UOf<S>;
  U x = as<U>(a), y = as<U>(b);
  return as<Vec>((x - y) & as<U>(x >= y));  // would go below 0 -> 0
}

// Shifts: the count is taken modulo the lane width.
template <class S> inline Vec ishl(Vec a, uint32_t n) {
  return as<Vec>(as<UOf<S>>(a) << static_cast<int>(n & (Shape<S>::kBits - 1)));
}
template <class S> inline Vec ishr_s(Vec a, uint32_t n) {
  return as<Vec>(as<S>(a) >> static_cast<int>(n & (Shape<S>::kBits - 1)));
}
template <class S> inline Vec ishr_u(Vec a, uint32_t n) {
  return as<Vec>(as<UOf<S>>(a) >> static_cast<int>(n & (Shape<S>::kBits - 1)));
}

// Comparisons: all-ones lanes for true.
template <class S> inline Vec ieq(Vec a, Vec b) { return as<Vec>(as<S>(a) == as<S>(b)); }
template <class S> inline Vec ine(Vec a, Vec b) { return as<Vec>(as<S>(a) != as<S>(b)); }
template <class S> inline Vec ilt_s(Vec a, Vec b) { return as<Vec>(as<S>(a) < as<S>(b)); }
template <class S> inline Vec igt_s(Vec a, Vec b) { return as<Vec>(as<S>(a) > as<S>(b)); }
template <class S> inline Vec ile_s(Vec a, Vec b) { return as<Vec>(as<S>(a) <= as<S>(b)); }
template <class S> inline Vec ige_s(Vec a, Vec b) { return as<Vec>(as<S>(a) >= as<S>(b)); }
template <class S> inline Vec ilt_u(Vec a, Vec b) { return as<Vec>(as<UOf<S>>(a) < as<UOf<S>>(b)); }
template <class S> inline Vec igt_u(Vec a, Vec b) { return as<Vec>(as<UOf<S>>(a) > as<UOf<S>>(b)); }
template <class S> inline Vec ile_u(Vec a, Vec b) { return as<Vec>(as<UOf<S>>(a) <= as<UOf<S>>(b)); }
template <class S> inline Vec ige_u(Vec a, Vec b) { return as<Vec>(as<UOf<S>>(a) >= as<UOf<S>>(b)); }

template <class S> inline uint32_t iall_true(Vec a) { return !v128_any_true(as<Vec>(as<S>(a) == 0)); }

// bitmask: bit i = sign of lane i. The sign bytes are gathered into the low bytes first
// (for the wider shapes: the top byte of each lane), then collected in one step.
namespace detail {
// Bit i of the result = top bit of byte i, for the 16 bytes of v.
inline uint32_t byte_signs(u8x16 v) {
#if defined(__SSE2__) && !defined(WSVM_SIMD_PORTABLE)
  return static_cast<uint32_t>(_mm_movemask_epi8(as<__m128i>(v)));
#else
  // Bytes of 0/1 at bits 8i; one multiply moves bit 8i to bit 56+i (no carries: the
  // partial products land on distinct bits), see the derivation in semantics/tests.
  u64x2 q = as<u64x2>(v >> 7);
  constexpr uint64_t kGather = 0x0102040810204080ull;
  return static_cast<uint32_t>((q[0] * kGather) >> 56) | static_cast<uint32_t>((q[1] * kGather) >> 56) << 8;
#endif
}
}  // namespace detail
inline uint32_t i8x16_bitmask(Vec a) { return detail::byte_signs(as<u8x16>(a)); }
inline uint32_t i16x8_bitmask(Vec a) {
  u8x16 b = as<u8x16>(a);
  return detail::byte_signs(__builtin_shufflevector(b, u8x16{}, 1, 3, 5, 7, 9, 11, 13, 15, 16, 16,
                                                    16, 16, 16, 16, 16, 16));
}
inline uint32_t i32x4_bitmask(Vec a) {
  u8x16 b = as<u8x16>(a);
  return detail::byte_signs(__builtin_shufflevector(b, u8x16{}, 3, 7, 11, 15, 16, 16, 16, 16, 16,
                                                    16, 16, 16, 16, 16, 16, 16));
}
inline uint32_t i64x2_bitmask(Vec a) {
  u8x16 b = as<u8x16>(a);
  return detail::byte_signs(__builtin_shufflevector(b, u8x16{}, 7, 15, 16, 16, 16, 16, 16, 16, 16,
                                                    16, 16, 16, 16, 16, 16, 16));
}

// popcnt per byte: the classic SWAR steps, lane-parallel.
inline Vec i8x16_popcnt(Vec a) {
  u8x16 x = as<u8x16>(a);
  x = x - ((x >> 1) & 0x55);
  x = (x & 0x33) + ((x >> 2) & 0x33);
  return as<Vec>((x + (x >> 4)) & 0x0f);
}

// ---------------------------------------------------------------------------------------
// Widening and narrowing.
namespace detail {
template <class V> inline auto low8(V v) { return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7); }
template <class V> inline auto high8(V v) { return __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15); }
template <class V> inline auto low4(V v) { return __builtin_shufflevector(v, v, 0, 1, 2, 3); }
template <class V> inline auto high4(V v) { return __builtin_shufflevector(v, v, 4, 5, 6, 7); }
template <class V> inline auto low2(V v) { return __builtin_shufflevector(v, v, 0, 1); }
template <class V> inline auto high2(V v) { return __builtin_shufflevector(v, v, 2, 3); }
}  // namespace detail

// extend_{low,high}: lanes of the narrow shape S (signed) or its unsigned twin, widened.
inline Vec i16x8_extend_low_i8x16_s(Vec a) { return as<Vec>(__builtin_convertvector(detail::low8(as<i8x16>(a)), i16x8)); }
inline Vec i16x8_extend_high_i8x16_s(Vec a) { return as<Vec>(__builtin_convertvector(detail::high8(as<i8x16>(a)), i16x8)); }
inline Vec i16x8_extend_low_i8x16_u(Vec a) { return as<Vec>(__builtin_convertvector(detail::low8(as<u8x16>(a)), u16x8)); }
inline Vec i16x8_extend_high_i8x16_u(Vec a) { return as<Vec>(__builtin_convertvector(detail::high8(as<u8x16>(a)), u16x8)); }
inline Vec i32x4_extend_low_i16x8_s(Vec a) { return as<Vec>(__builtin_convertvector(detail::low4(as<i16x8>(a)), i32x4)); }
inline Vec i32x4_extend_high_i16x8_s(Vec a) { return as<Vec>(__builtin_convertvector(detail::high4(as<i16x8>(a)), i32x4)); }
inline Vec i32x4_extend_low_i16x8_u(Vec a) { return as<Vec>(__builtin_convertvector(detail::low4(as<u16x8>(a)), u32x4)); }
inline Vec i32x4_extend_high_i16x8_u(Vec a) { return as<Vec>(__builtin_convertvector(detail::high4(as<u16x8>(a)), u32x4)); }
inline Vec i64x2_extend_low_i32x4_s(Vec a) { return as<Vec>(__builtin_convertvector(detail::low2(as<i32x4>(a)), i64x2)); }
inline Vec i64x2_extend_high_i32x4_s(Vec a) { return as<Vec>(__builtin_convertvector(detail::high2(as<i32x4>(a)), i64x2)); }
inline Vec i64x2_extend_low_i32x4_u(Vec a) { return as<Vec>(__builtin_convertvector(detail::low2(as<u32x4>(a)), u64x2)); }
inline Vec i64x2_extend_high_i32x4_u(Vec a) { return as<Vec>(__builtin_convertvector(detail::high2(as<u32x4>(a)), u64x2)); }

// extmul: the product of the extended lanes, exact in the wide lane ((-2^(N-1))^2 = 2^(2N-2)
// fits; unsigned products fit in 2N bits).
namespace detail {
inline Vec mul16(Vec x, Vec y) { return imul<i16x8>(x, y); }
inline Vec mul32(Vec x, Vec y) { return imul<i32x4>(x, y); }
inline Vec mul64(Vec x, Vec y) { return imul<i64x2>(x, y); }
}  // namespace detail
inline Vec i16x8_extmul_low_i8x16_s(Vec a, Vec b) { return detail::mul16(i16x8_extend_low_i8x16_s(a), i16x8_extend_low_i8x16_s(b)); }
inline Vec i16x8_extmul_high_i8x16_s(Vec a, Vec b) { return detail::mul16(i16x8_extend_high_i8x16_s(a), i16x8_extend_high_i8x16_s(b)); }
inline Vec i16x8_extmul_low_i8x16_u(Vec a, Vec b) { return detail::mul16(i16x8_extend_low_i8x16_u(a), i16x8_extend_low_i8x16_u(b)); }
inline Vec i16x8_extmul_high_i8x16_u(Vec a, Vec b) { return detail::mul16(i16x8_extend_high_i8x16_u(a), i16x8_extend_high_i8x16_u(b)); }
inline Vec i32x4_extmul_low_i16x8_s(Vec a, Vec b) { return detail::mul32(i32x4_extend_low_i16x8_s(a), i32x4_extend_low_i16x8_s(b)); }
inline Vec i32x4_extmul_high_i16x8_s(Vec a, Vec b) { return detail::mul32(i32x4_extend_high_i16x8_s(a), i32x4_extend_high_i16x8_s(b)); }
inline Vec i32x4_extmul_low_i16x8_u(Vec a, Vec b) { return detail::mul32(i32x4_extend_low_i16x8_u(a), i32x4_extend_low_i16x8_u(b)); }
inline Vec i32x4_extmul_high_i16x8_u(Vec a, Vec b) { return detail::mul32(i32x4_extend_high_i16x8_u(a), i32x4_extend_high_i16x8_u(b)); }
inline Vec i64x2_extmul_low_i32x4_s(Vec a, Vec b) { return detail::mul64(i64x2_extend_low_i32x4_s(a), i64x2_extend_low_i32x4_s(b)); }
inline Vec i64x2_extmul_high_i32x4_s(Vec a, Vec b) { return detail::mul64(i64x2_extend_high_i32x4_s(a), i64x2_extend_high_i32x4_s(b)); }
inline Vec i64x2_extmul_low_i32x4_u(Vec a, Vec b) { return detail::mul64(i64x2_extend_low_i32x4_u(a), i64x2_extend_low_i32x4_u(b)); }
inline Vec i64x2_extmul_high_i32x4_u(Vec a, Vec b) { return detail::mul64(i64x2_extend_high_i32x4_u(a), i64x2_extend_high_i32x4_u(b)); }

// extadd_pairwise: lane i = ext(a[2i]) + ext(a[2i+1]) (cannot overflow the wide lane).
inline Vec i16x8_extadd_pairwise_i8x16_s(Vec a) {
  i8x16 v = as<i8x16>(a);
  auto ev = __builtin_shufflevector(v, v, 0, 2, 4, 6, 8, 10, 12, 14);
  auto od = __builtin_shufflevector(v, v, 1, 3, 5, 7, 9, 11, 13, 15);
  return as<Vec>(__builtin_convertvector(ev, i16x8) + __builtin_convertvector(od, i16x8));
}
inline Vec i16x8_extadd_pairwise_i8x16_u(Vec a) {
  u8x16 v = as<u8x16>(a);
  auto ev = __builtin_shufflevector(v, v, 0, 2, 4, 6, 8, 10, 12, 14);
  auto od = __builtin_shufflevector(v, v, 1, 3, 5, 7, 9, 11, 13, 15);
  return as<Vec>(__builtin_convertvector(ev, u16x8) + __builtin_convertvector(od, u16x8));
}
inline Vec i32x4_extadd_pairwise_i16x8_s(Vec a) {
  i16x8 v = as<i16x8>(a);
  auto ev = __builtin_shufflevector(v, v, 0, 2, 4, 6);
  auto od = __builtin_shufflevector(v, v, 1, 3, 5, 7);
  return as<Vec>(__builtin_convertvector(ev, i32x4) + __builtin_convertvector(od, i32x4));
}
inline Vec i32x4_extadd_pairwise_i16x8_u(Vec a) {
  u16x8 v = as<u16x8>(a);
  auto ev = __builtin_shufflevector(v, v, 0, 2, 4, 6);
  auto od = __builtin_shufflevector(v, v, 1, 3, 5, 7);
  return as<Vec>(__builtin_convertvector(ev, u32x4) + __builtin_convertvector(od, u32x4));
}

// dot: lane i = a[2i]*b[2i] + a[2i+1]*b[2i+1] in 32 bits; only (-2^15)^2 * 2 = 2^31 wraps.
inline Vec i32x4_dot_i16x8_s(Vec a, Vec b) {
  i16x8 x = as<i16x8>(a), y = as<i16x8>(b);
  u32x4 xe = as<u32x4>(__builtin_convertvector(__builtin_shufflevector(x, x, 0, 2, 4, 6), i32x4));
  u32x4 xo = as<u32x4>(__builtin_convertvector(__builtin_shufflevector(x, x, 1, 3, 5, 7), i32x4));
  u32x4 ye = as<u32x4>(__builtin_convertvector(__builtin_shufflevector(y, y, 0, 2, 4, 6), i32x4));
  u32x4 yo = as<u32x4>(__builtin_convertvector(__builtin_shufflevector(y, y, 1, 3, 5, 7), i32x4));
  return as<Vec>(xe * ye + xo * yo);
}

// q15mulr_sat_s: (a*b + 2^14) >> 15, saturated; only -2^15 * -2^15 leaves the range.
inline Vec i16x8_q15mulr_sat_s(Vec a, Vec b) {
  i16x8 x = as<i16x8>(a), y = as<i16x8>(b);
  auto half = [](i32x4 p, i32x4 q) {
    i32x4 r = as<i32x4>(as<u32x4>(p) * as<u32x4>(q) + 0x4000) >> 15;
    return blend(r > 0x7fff, i32x4{} + 0x7fff, r);
  };
  i32x4 lo = half(__builtin_convertvector(detail::low4(x), i32x4), __builtin_convertvector(detail::low4(y), i32x4));
  i32x4 hi = half(__builtin_convertvector(detail::high4(x), i32x4), __builtin_convertvector(detail::high4(y), i32x4));
  i16x4 l = __builtin_convertvector(lo, i16x4), h = __builtin_convertvector(hi, i16x4);
  return as<Vec>(__builtin_shufflevector(l, h, 0, 1, 2, 3, 4, 5, 6, 7));
}

// narrow: signed wide lanes of a then b, saturated to the narrow signed / unsigned range.
namespace detail {
template <class W, class Half> inline Vec narrow16(Vec a, Vec b, int lo, int hi) {
  using E = std::remove_cvref_t<decltype(W{}[0])>;
  W x = as<W>(a), y = as<W>(b);
  const W l = W{} + static_cast<E>(lo), h = W{} + static_cast<E>(hi);
  x = blend(x < l, l, x);
  x = blend(x > h, h, x);
  y = blend(y < l, l, y);
  y = blend(y > h, h, y);
  Half nx = __builtin_convertvector(x, Half), ny = __builtin_convertvector(y, Half);
  return as<Vec>(__builtin_shufflevector(nx, ny, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}
template <class W, class Half> inline Vec narrow8(Vec a, Vec b, int lo, int hi) {
  using E = std::remove_cvref_t<decltype(W{}[0])>;
  W x = as<W>(a), y = as<W>(b);
  const W l = W{} + static_cast<E>(lo), h = W{} + static_cast<E>(hi);
  x = blend(x < l, l, x);
  x = blend(x > h, h, x);
  y = blend(y < l, l, y);
  y = blend(y > h, h, y);
  Half nx = __builtin_convertvector(x, Half), ny = __builtin_convertvector(y, Half);
  return as<Vec>(__builtin_shufflevector(nx, ny, 0, 1, 2, 3, 4, 5, 6, 7));
}
}  // namespace detail
inline Vec i8x16_narrow_i16x8_s(Vec a, Vec b) { return detail::narrow16<i16x8, i8x8>(a, b, -128, 127); }
inline Vec i8x16_narrow_i16x8_u(Vec a, Vec b) { return detail::narrow16<i16x8, u8x8>(a, b, 0, 255); }
inline Vec i16x8_narrow_i32x4_s(Vec a, Vec b) { return detail::narrow8<i32x4, i16x4>(a, b, -32768, 32767); }
inline Vec i16x8_narrow_i32x4_u(Vec a, Vec b) { return detail::narrow8<i32x4, u16x4>(a, b, 0, 65535); }

// ---------------------------------------------------------------------------------------
// Loads (p points at the bytes, already bounds-checked).
template <class T> inline T read(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
inline Vec v128_load(const uint8_t* p) { return load(p); }
inline Vec v128_load8x8_s(const uint8_t* p) { return as<Vec>(__builtin_convertvector(read<i8x8>(p), i16x8)); }
inline Vec v128_load8x8_u(const uint8_t* p) { return as<Vec>(__builtin_convertvector(read<u8x8>(p), u16x8)); }
inline Vec v128_load16x4_s(const uint8_t* p) { return as<Vec>(__builtin_convertvector(read<i16x4>(p), i32x4)); }
inline Vec v128_load16x4_u(const uint8_t* p) { return as<Vec>(__builtin_convertvector(read<u16x4>(p), u32x4)); }
inline Vec v128_load32x2_s(const uint8_t* p) { return as<Vec>(__builtin_convertvector(read<i32x2>(p), i64x2)); }
inline Vec v128_load32x2_u(const uint8_t* p) { return as<Vec>(__builtin_convertvector(read<u32x2>(p), u64x2)); }
inline Vec v128_load8_splat(const uint8_t* p) { return splat<i8x16>(read<uint8_t>(p)); }
inline Vec v128_load16_splat(const uint8_t* p) { return splat<i16x8>(read<uint16_t>(p)); }
inline Vec v128_load32_splat(const uint8_t* p) { return splat<i32x4>(read<uint32_t>(p)); }
inline Vec v128_load64_splat(const uint8_t* p) { return splat<i64x2>(read<uint64_t>(p)); }
// Relaxed SIMD's i7 dot products in the deterministic profile (both operands signed):
// lane i = a[2i]*b[2i] + a[2i+1]*b[2i+1] with signed saturation. Each product fits 16 bits
// and the sum lies in [-32512, 32768]: only 32768 ((-128)^2 * 2) leaves the range, wrapping
// to 0x8000, which no in-range sum gives; it saturates to 0x7fff.
inline Vec i16x8_relaxed_dot_i8x16_i7x16_s(Vec a, Vec b) {
  i8x16 x = as<i8x16>(a), y = as<i8x16>(b);
  auto wide = [](i8x8 v) { return as<u16x8>(__builtin_convertvector(v, i16x8)); };
  u16x8 e = wide(__builtin_shufflevector(x, x, 0, 2, 4, 6, 8, 10, 12, 14)) *
            wide(__builtin_shufflevector(y, y, 0, 2, 4, 6, 8, 10, 12, 14));
  u16x8 o = wide(__builtin_shufflevector(x, x, 1, 3, 5, 7, 9, 11, 13, 15)) *
            wide(__builtin_shufflevector(y, y, 1, 3, 5, 7, 9, 11, 13, 15));
  u16x8 s = e + o;
  return as<Vec>(blend(s == 0x8000, u16x8{} + 0x7fff, s));
}
// ... then the pairs of those 16-bit sums added into 32 bits, plus c (wrapping).
inline Vec i32x4_relaxed_dot_i8x16_i7x16_add_s(Vec a, Vec b, Vec c) {
  return as<Vec>(as<u32x4>(i32x4_extadd_pairwise_i16x8_s(i16x8_relaxed_dot_i8x16_i7x16_s(a, b))) +
                 as<u32x4>(c));
}

inline Vec v128_load32_zero(const uint8_t* p) { return as<Vec>(u32x4{read<uint32_t>(p), 0, 0, 0}); }
inline Vec v128_load64_zero(const uint8_t* p) { return Vec{read<uint64_t>(p), 0}; }
template <class S> inline Vec load_lane(Vec a, const uint8_t* p, uint32_t i) {
  return replace<S>(a, i, read<typename Shape<S>::UE>(p));
}
template <class S> inline void store_lane(uint8_t* p, Vec a, uint32_t i) {
  typename Shape<S>::UE x = as<UOf<S>>(a)[i];
  std::memcpy(p, &x, sizeof(x));
}

}  // namespace wsvm::simd

#include "semantics/simd_float.hpp"
