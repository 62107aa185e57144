// Numeric semantics against hand-computed edge cases (spec test suite values where possible).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

#include "semantics/numerics.hpp"

using namespace wsvm;
using namespace wsvm::num;

namespace {
float f32b(uint32_t b) { return from_bits<float>(b); }
double f64b(uint64_t b) { return from_bits<double>(b); }
constexpr uint32_t kI32Min = 0x80000000u;
constexpr uint64_t kI64Min = 0x8000000000000000ull;
}  // namespace

TEST_CASE("integer wrapping arithmetic", "[numerics]") {
  CHECK(add<uint32_t>(0x7fffffff, 1) == kI32Min);
  CHECK(sub<uint32_t>(0, 1) == 0xffffffffu);
  CHECK(mul<uint32_t>(0x10000, 0x10000) == 0);
  CHECK(mul<uint64_t>(0x0123456789abcdefull, 0xfedcba9876543210ull) == 0x2236d88fe5618cf0ull);
  CHECK(mul<uint32_t>(0x80000000u, 0xffffffffu) == 0x80000000u);
}

TEST_CASE("division traps and INT_MIN/-1", "[numerics]") {
  uint32_t r = 7;
  NumTrap t = NumTrap::None;
  CHECK_FALSE(div_s<uint32_t>(1, 0, r, t));
  CHECK(t == NumTrap::IntegerDivideByZero);
  CHECK_FALSE(div_s<uint32_t>(kI32Min, 0xffffffffu, r, t));
  CHECK(t == NumTrap::IntegerOverflow);
  CHECK(rem_s<uint32_t>(kI32Min, 0xffffffffu, r, t));
  CHECK(r == 0);
  CHECK_FALSE(rem_s<uint32_t>(1, 0, r, t));
  CHECK_FALSE(div_u<uint32_t>(1, 0, r, t));
  CHECK_FALSE(rem_u<uint32_t>(1, 0, r, t));
  CHECK(div_s<uint32_t>(static_cast<uint32_t>(-7), 2, r, t));
  CHECK(r == static_cast<uint32_t>(-3));  // truncates toward zero
  CHECK(rem_s<uint32_t>(static_cast<uint32_t>(-7), 2, r, t));
  CHECK(r == static_cast<uint32_t>(-1));  // sign of the dividend
  CHECK(div_u<uint32_t>(kI32Min, 2, r, t));
  CHECK(r == 0x40000000u);
  uint64_t q = 0;
  CHECK_FALSE(div_s<uint64_t>(kI64Min, ~0ull, q, t));
  CHECK(t == NumTrap::IntegerOverflow);
  CHECK(rem_s<uint64_t>(kI64Min, ~0ull, q, t));
  CHECK(q == 0);
  CHECK(div_u<uint64_t>(~0ull, 2, q, t));
  CHECK(q == 0x7fffffffffffffffull);
}

TEST_CASE("shifts and rotates take the count modulo the width", "[numerics]") {
  CHECK(shl<uint32_t>(1, 32) == 1);
  CHECK(shl<uint32_t>(1, 33) == 2);
  CHECK(shr_s<uint32_t>(kI32Min, 31) == 0xffffffffu);
  CHECK(shr_s<uint32_t>(kI32Min, 63) == 0xffffffffu);
  CHECK(shr_u<uint32_t>(kI32Min, 31) == 1);
  CHECK(shl<uint64_t>(1, 64) == 1);
  CHECK(shr_s<uint64_t>(kI64Min, 127) == ~0ull);
  CHECK(rotl<uint32_t>(0x80000001u, 1) == 3);
  CHECK(rotl<uint32_t>(0x80000001u, 33) == 3);
  CHECK(rotr<uint32_t>(3, 1) == 0x80000001u);
  CHECK(rotr<uint64_t>(1, 0xffffffffffffffffull) == 2);
  CHECK(rotl<uint64_t>(0xabcd987602468aceull, 1) == 0x579b30ec048d159dull);
}

TEST_CASE("bit counting", "[numerics]") {
  CHECK(clz<uint32_t>(0) == 32);
  CHECK(clz<uint32_t>(1) == 31);
  CHECK(clz<uint64_t>(0) == 64);
  CHECK(ctz<uint32_t>(0) == 32);
  CHECK(ctz<uint64_t>(kI64Min) == 63);
  CHECK(popcnt<uint32_t>(0xffffffffu) == 32);
  CHECK(popcnt<uint64_t>(0xaaaaaaaa55555555ull) == 32);
  CHECK(extend_s<uint32_t, int8_t>(0x80) == 0xffffff80u);
  CHECK(extend_s<uint32_t, int16_t>(0x12347fff) == 0x7fffu);
  CHECK(extend_s<uint64_t, int32_t>(0x80000000ull) == 0xffffffff80000000ull);
  CHECK(extend_i32_s(0xffffffffu) == ~0ull);
  CHECK(extend_i32_u(0xffffffffu) == 0xffffffffull);
}

TEST_CASE("min/max: NaN propagation and signed zeros", "[numerics]") {
  CHECK(bits(float_min(-0.0f, 0.0f)) == 0x80000000u);
  CHECK(bits(float_min(0.0f, -0.0f)) == 0x80000000u);
  CHECK(bits(float_max(-0.0f, 0.0f)) == 0u);
  CHECK(bits(float_max(0.0, -0.0)) == 0ull);
  CHECK(bits(float_min(-0.0, 0.0)) == 0x8000000000000000ull);
  // Canonical NaN stays canonical, signalling becomes quiet (arithmetic).
  CHECK(bits(float_min(f32b(0x7fc00000), 1.0f)) == 0x7fc00000u);
  CHECK(bits(float_max(1.0f, f32b(0x7fa00000))) == 0x7fe00000u);
  CHECK(bits(float_min(f64b(0xfff0000000000001ull), 0.0)) == 0xfff8000000000001ull);
  CHECK(float_min(1.0f, 2.0f) == 1.0f);
  CHECK(float_max(1.0, 2.0) == 2.0);
  CHECK(float_min(-INFINITY, 0.0f) == -INFINITY);
}

TEST_CASE("sign operations do not touch NaN payloads", "[numerics]") {
  CHECK(bits(float_neg(f32b(0x7fa00001))) == 0xffa00001u);
  CHECK(bits(float_abs(f32b(0xffa00001))) == 0x7fa00001u);
  CHECK(bits(float_copysign(f32b(0x7fa00001), -1.0f)) == 0xffa00001u);
  CHECK(bits(float_copysign(-2.0, 0.0)) == bits(2.0));
  CHECK(bits(float_neg(0.0)) == 0x8000000000000000ull);
}

TEST_CASE("rounding functions", "[numerics]") {
  CHECK(float_nearest(0.5f) == 0.0f);
  CHECK(float_nearest(1.5f) == 2.0f);
  CHECK(float_nearest(2.5) == 2.0);
  CHECK(float_nearest(-3.5) == -4.0);
  CHECK(bits(float_nearest(-0.5)) == 0x8000000000000000ull);  // keeps the sign of zero
  CHECK(bits(float_nearest(-0.0f)) == 0x80000000u);
  CHECK(float_nearest(4503599627370495.5) == 4503599627370496.0);
  CHECK(float_nearest(8388609.0f) == 8388609.0f);
  CHECK(bits(float_ceil(-0.5f)) == 0x80000000u);
  CHECK(float_floor(-0.5) == -1.0);
  CHECK(bits(float_trunc(-0.9)) == 0x8000000000000000ull);
  CHECK(bits(float_ceil(f32b(0x7fa00000))) == 0x7fe00000u);  // sNaN in, quiet NaN out
  CHECK(bits(float_nearest(f64b(0x7ff0000000000001ull))) == 0x7ff8000000000001ull);
  CHECK(is_nan(float_sqrt(-1.0f)));
  CHECK(float_sqrt(4.0) == 2.0);
  CHECK(bits(float_sqrt(-0.0)) == 0x8000000000000000ull);
}

TEST_CASE("trapping truncation at every boundary", "[numerics]") {
  uint32_t r32 = 0;
  uint64_t r64 = 0;
  NumTrap t = NumTrap::None;
  // i32.trunc_f32_s
  CHECK(trunc_checked<uint32_t, true>(-2147483648.0f, r32, t));
  CHECK(r32 == kI32Min);
  CHECK_FALSE(trunc_checked<uint32_t, true>(2147483648.0f, r32, t));
  CHECK(t == NumTrap::IntegerOverflow);
  CHECK_FALSE(trunc_checked<uint32_t, true>(-2147483904.0f, r32, t));
  CHECK(trunc_checked<uint32_t, true>(2147483520.0f, r32, t));
  CHECK(r32 == 2147483520u);
  CHECK_FALSE(trunc_checked<uint32_t, true>(std::numeric_limits<float>::quiet_NaN(), r32, t));
  CHECK(t == NumTrap::InvalidConversion);
  // i32.trunc_f64_s
  CHECK(trunc_checked<uint32_t, true>(-2147483648.9, r32, t));
  CHECK(r32 == kI32Min);
  CHECK_FALSE(trunc_checked<uint32_t, true>(-2147483649.0, r32, t));
  CHECK(trunc_checked<uint32_t, true>(2147483647.9, r32, t));
  CHECK(r32 == 0x7fffffffu);
  CHECK_FALSE(trunc_checked<uint32_t, true>(2147483648.0, r32, t));
  // i32.trunc_f32_u / f64_u
  CHECK(trunc_checked<uint32_t, false>(-0.9f, r32, t));
  CHECK(r32 == 0);
  CHECK_FALSE(trunc_checked<uint32_t, false>(-1.0f, r32, t));
  CHECK(trunc_checked<uint32_t, false>(4294967040.0f, r32, t));
  CHECK(r32 == 4294967040u);
  CHECK_FALSE(trunc_checked<uint32_t, false>(4294967296.0f, r32, t));
  CHECK(trunc_checked<uint32_t, false>(4294967295.9, r32, t));
  CHECK(r32 == 0xffffffffu);
  CHECK_FALSE(trunc_checked<uint32_t, false>(4294967296.0, r32, t));
  CHECK_FALSE(trunc_checked<uint32_t, false>(-1.0, r32, t));
  CHECK_FALSE(trunc_checked<uint32_t, false>(INFINITY, r32, t));
  // i64.trunc_*
  CHECK(trunc_checked<uint64_t, true>(-9223372036854775808.0, r64, t));
  CHECK(r64 == kI64Min);
  CHECK_FALSE(trunc_checked<uint64_t, true>(9223372036854775808.0, r64, t));
  CHECK(trunc_checked<uint64_t, true>(9223371487098961920.0f, r64, t));
  CHECK(r64 == 9223371487098961920ull);
  CHECK_FALSE(trunc_checked<uint64_t, true>(-9223373136366403584.0f, r64, t));
  CHECK(trunc_checked<uint64_t, false>(18446742974197923840.0f, r64, t));
  CHECK(r64 == 18446742974197923840ull);
  CHECK_FALSE(trunc_checked<uint64_t, false>(18446744073709551616.0, r64, t));
  CHECK(trunc_checked<uint64_t, false>(18446744073709549568.0, r64, t));
  CHECK(r64 == 18446744073709549568ull);
  CHECK(trunc_checked<uint64_t, false>(-0.99999, r64, t));
  CHECK(r64 == 0);
  CHECK_FALSE(trunc_checked<uint64_t, false>(-1.0, r64, t));
  CHECK_FALSE(trunc_checked<uint64_t, true>(-INFINITY, r64, t));
  CHECK(t == NumTrap::IntegerOverflow);
}

TEST_CASE("saturating truncation", "[numerics]") {
  CHECK(trunc_sat<uint32_t, true>(std::numeric_limits<float>::quiet_NaN()) == 0);
  CHECK(trunc_sat<uint32_t, true>(2147483648.0f) == 0x7fffffffu);
  CHECK(trunc_sat<uint32_t, true>(-2147483904.0f) == kI32Min);
  CHECK(trunc_sat<uint32_t, true>(-1.5) == static_cast<uint32_t>(-1));
  CHECK(trunc_sat<uint32_t, false>(-1.0f) == 0);
  CHECK(trunc_sat<uint32_t, false>(4294967296.0) == 0xffffffffu);
  CHECK(trunc_sat<uint64_t, true>(INFINITY) == 0x7fffffffffffffffull);
  CHECK(trunc_sat<uint64_t, true>(-INFINITY) == kI64Min);
  CHECK(trunc_sat<uint64_t, false>(1e30) == ~0ull);
  CHECK(trunc_sat<uint64_t, false>(-1e30f) == 0);
  CHECK(trunc_sat<uint64_t, false>(std::numeric_limits<double>::quiet_NaN()) == 0);
}

TEST_CASE("integer to float conversion rounds once", "[numerics]") {
  // Values from the spec suite's conversions.wast.
  CHECK(bits(convert_u64<float>(0x0020000020000001ull)) == bits(0x1.000002p+53f));
  CHECK(bits(convert_s64<float>(0x0020000020000001ull)) == bits(0x1.000002p+53f));
  CHECK(bits(convert_s64<float>(static_cast<uint64_t>(-0x0020000020000001ll))) == bits(-0x1.000002p+53f));
  CHECK(bits(convert_u64<float>(0xffffffffffffffffull)) == bits(0x1p+64f));
  CHECK(bits(convert_u64<float>(0x8000008000000001ull)) == bits(0x1.000002p+63f));
  CHECK(bits(convert_u64<float>(0xfffffe8000000001ull)) == bits(0x1.fffffep+63f));
  CHECK(bits(convert_u64<float>(0x8000008000000000ull)) == bits(0x1p+63f));  // tie to even
  CHECK(bits(convert_u32<float>(0xffffffffu)) == bits(4294967296.0f));
  CHECK(bits(convert_u32<float>(0x1000001u)) == bits(16777216.0f));
  CHECK(bits(convert_u32<float>(0x1000003u)) == bits(16777220.0f));
  CHECK(bits(convert_s32<float>(kI32Min)) == bits(-2147483648.0f));
  CHECK(bits(convert_u64<double>(0x8000000000000401ull)) == bits(0x1.0000000000001p+63));
  CHECK(bits(convert_u64<double>(0xfffffffffffffbffull)) == bits(0x1.fffffffffffffp+63));
  CHECK(bits(convert_s64<double>(0x0020000000000001ull)) == bits(9007199254740992.0));
  CHECK(bits(convert_u32<double>(0xffffffffu)) == bits(4294967295.0));
}

TEST_CASE("demote and promote", "[numerics]") {
  CHECK(bits(demote(f64b(0x7ff8000000000000ull))) == 0x7fc00000u);  // canonical stays canonical
  CHECK(bits(demote(f64b(0xfff8000000000000ull))) == 0xffc00000u);
  uint32_t d = bits(demote(f64b(0x7ff4000000000000ull)));  // arithmetic/signalling -> quiet
  CHECK((d & 0x7fc00000u) == 0x7fc00000u);
  CHECK(bits(promote(f32b(0x7fc00000))) == 0x7ff8000000000000ull);
  uint64_t p = bits(promote(f32b(0x7fa00000)));
  CHECK((p & 0x7ff8000000000000ull) == 0x7ff8000000000000ull);
  CHECK(demote(0x1.fffffefffffffp+127) == 0x1.fffffep+127f);
  CHECK(std::isinf(demote(0x1.ffffffp+127)));
  CHECK(bits(demote(-0.0)) == 0x80000000u);
  CHECK(demote(0x1.0000010000001p+0) == 0x1.000002p+0f);
  CHECK(demote(0x1.000001p+0) == 1.0f);  // tie to even
  CHECK(promote(0x1p-149f) == 0x1p-149);
}

TEST_CASE("comparisons: signed/unsigned and NaN", "[numerics]") {
  CHECK(lt_s<uint32_t>(kI32Min, 0) == 1);
  CHECK(lt_u<uint32_t>(kI32Min, 0) == 0);
  CHECK(ge_s<uint64_t>(0, kI64Min) == 1);
  float nan = std::numeric_limits<float>::quiet_NaN();
  CHECK(float_eq(nan, nan) == 0);
  CHECK(float_ne(nan, nan) == 1);
  CHECK(float_lt(nan, 1.0f) == 0);
  CHECK(float_ge(nan, 1.0f) == 0);
  CHECK(float_eq(0.0, -0.0) == 1);
}
