// Number literals: integers with their ranges, floats with correct rounding, NaN payloads.
#include <catch2/catch.hpp>

#include <bit>
#include <cstring>

#include "text/numbers.hpp"

using namespace wsvm::text;

namespace {
uint64_t i(std::string_view s, unsigned bits) {
  uint64_t v = 0;
  REQUIRE(parse_int(s, bits, v) == NumStatus::Ok);
  return v;
}
uint32_t f32(std::string_view s) {
  uint32_t v = 0;
  REQUIRE(parse_f32(s, v) == NumStatus::Ok);
  return v;
}
uint64_t f64(std::string_view s) {
  uint64_t v = 0;
  REQUIRE(parse_f64(s, v) == NumStatus::Ok);
  return v;
}
}  // namespace

TEST_CASE("integers: decimal, hex, underscores, signs, two's complement", "[numbers]") {
  CHECK(i("0", 32) == 0);
  CHECK(i("1_000", 32) == 1000);
  CHECK(i("0xFF_ff", 32) == 0xFFFF);
  CHECK(i("-1", 32) == 0xFFFFFFFF);
  CHECK(i("4294967295", 32) == 0xFFFFFFFF);
  CHECK(i("-2147483648", 32) == 0x80000000);
  CHECK(i("+2147483647", 32) == 0x7FFFFFFF);
  CHECK(i("18446744073709551615", 64) == UINT64_MAX);
  CHECK(i("-0x8000000000000000", 64) == 0x8000000000000000);
  CHECK(i("-128", 8) == 0x80);
  uint64_t v;
  CHECK(parse_int("4294967296", 32, v) == NumStatus::OutOfRange);
  CHECK(parse_int("-2147483649", 32, v) == NumStatus::OutOfRange);
  CHECK(parse_int("+2147483648", 32, v) == NumStatus::OutOfRange);
  CHECK(parse_int("18446744073709551616", 64, v) == NumStatus::OutOfRange);
  CHECK(parse_int("256", 8, v) == NumStatus::OutOfRange);
  for (const char* bad : {"", "-", "0x", "1_", "_1", "1__0", "0x_1", "1x", "0xg", "1.0", "+-1"})
    CHECK(parse_int(bad, 32, v) == NumStatus::Syntax);
  CHECK(parse_nat("-1", 10, v) == NumStatus::Syntax);
  CHECK(parse_nat("11", 10, v) == NumStatus::OutOfRange);
}

TEST_CASE("floats: decimal and hex, rounded to nearest even", "[numbers]") {
  CHECK(f32("1") == std::bit_cast<uint32_t>(1.0f));
  CHECK(f32("-0.5e1") == std::bit_cast<uint32_t>(-5.0f));
  CHECK(f32("0x1p-1") == std::bit_cast<uint32_t>(0.5f));
  CHECK(f32("0x1.") == std::bit_cast<uint32_t>(1.0f));
  CHECK(f32("1_000.000_1") == std::bit_cast<uint32_t>(1000.0001f));
  CHECK(f32("-0") == 0x80000000);
  // Ties: 1 + 2^-24 is halfway between 1 and the next f32 and rounds to even (1).
  CHECK(f32("0x1.000001p0") == 0x3F800000);
  CHECK(f32("0x1.000003p0") == 0x3F800002);
  CHECK(f64("0x1.fffffffffffffp1023") == 0x7FEFFFFFFFFFFFFF);
  CHECK(f64("1e-400") == 0);  // underflow to zero is not an error
  uint32_t v;
  CHECK(parse_f32("1e39", v) == NumStatus::OutOfRange);
  CHECK(parse_f32("0x1p128", v) == NumStatus::OutOfRange);
  CHECK(f32("0x1.fffffefp127") == 0x7F7FFFFF);  // below the halfway point: finite
  CHECK(parse_f32("0x1.ffffffp127", v) == NumStatus::OutOfRange);  // rounds to infinity
  for (const char* bad : {".0", "0e", "0e+", "0x", "0x.p1", "1.e", "nan:1", "nan:0x", "infinity", "1__0.0"})
    CHECK(parse_f32(bad, v) == NumStatus::Syntax);
}

TEST_CASE("inf and nan with payloads", "[numbers]") {
  CHECK(f32("inf") == 0x7F800000);
  CHECK(f32("-inf") == 0xFF800000);
  CHECK(f32("nan") == 0x7FC00000);
  CHECK(f32("-nan") == 0xFFC00000);
  CHECK(f32("nan:0x200000") == 0x7FA00000);
  CHECK(f32("+nan:0x1") == 0x7F800001);
  CHECK(f64("nan:0xf_ffff_ffff_ffff") == 0x7FFFFFFFFFFFFFFF);
  uint32_t v;
  CHECK(parse_f32("nan:0x0", v) == NumStatus::OutOfRange);
  CHECK(parse_f32("nan:0x800000", v) == NumStatus::OutOfRange);
}
