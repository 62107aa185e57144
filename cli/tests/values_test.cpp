#include <catch2/catch.hpp>

#include <cmath>

#include "cli/values.hpp"

using namespace wsvm;
using namespace wsvm::cli;

namespace {
uint64_t i(ValType t, const char* s) {
  auto v = parse_value(t, s);
  REQUIRE(v);
  return t == ValType::I32 ? v->i32 : v->i64;
}
bool ok(ValType t, const char* s) { return parse_value(t, s).has_value(); }
std::string round(ValType t, const char* s) {
  auto v = parse_value(t, s);
  REQUIRE(v);
  return format_value(*v);
}
}  // namespace

TEST_CASE("i32 arguments", "[values]") {
  CHECK(i(ValType::I32, "0") == 0);
  CHECK(i(ValType::I32, "20") == 20);
  CHECK(i(ValType::I32, "-1") == 0xffffffffu);
  CHECK(i(ValType::I32, "4294967295") == 0xffffffffu);
  CHECK(i(ValType::I32, "-2147483648") == 0x80000000u);
  CHECK(i(ValType::I32, "0x7fffffff") == 0x7fffffffu);
  CHECK(i(ValType::I32, "0XFFFFFFFF") == 0xffffffffu);
  CHECK(i(ValType::I32, "+5") == 5);
  CHECK_FALSE(ok(ValType::I32, "4294967296"));
  CHECK_FALSE(ok(ValType::I32, "-2147483649"));
  CHECK_FALSE(ok(ValType::I32, "0x100000000"));
  CHECK_FALSE(ok(ValType::I32, ""));
  CHECK_FALSE(ok(ValType::I32, "-"));
  CHECK_FALSE(ok(ValType::I32, "0x"));
  CHECK_FALSE(ok(ValType::I32, "12abc"));
  CHECK_FALSE(ok(ValType::I32, "1.5"));
  CHECK_FALSE(ok(ValType::I32, " 1"));
}

TEST_CASE("i64 arguments", "[values]") {
  CHECK(i(ValType::I64, "20") == 20);
  CHECK(i(ValType::I64, "-1") == ~uint64_t{0});
  CHECK(i(ValType::I64, "18446744073709551615") == ~uint64_t{0});
  CHECK(i(ValType::I64, "-9223372036854775808") == uint64_t{1} << 63);
  CHECK(i(ValType::I64, "0x8000000000000000") == uint64_t{1} << 63);
  CHECK_FALSE(ok(ValType::I64, "18446744073709551616"));
  CHECK_FALSE(ok(ValType::I64, "-9223372036854775809"));
}

TEST_CASE("float arguments", "[values]") {
  CHECK(parse_value(ValType::F32, "2.5")->f32 == 2.5f);
  CHECK(parse_value(ValType::F64, "-0.125")->f64 == -0.125);
  CHECK(parse_value(ValType::F64, "0x1.8p1")->f64 == 3.0);
  CHECK(std::isinf(parse_value(ValType::F64, "inf")->f64));
  CHECK(std::isinf(parse_value(ValType::F32, "-inf")->f32));
  CHECK(std::isnan(parse_value(ValType::F64, "nan")->f64));
  CHECK(parse_value(ValType::F32, "0.1")->f32 == 0.1f);  // no double rounding via double
  CHECK(parse_value(ValType::F32, "nan:0x1")->i32 == 0x7f800001u);
  CHECK(parse_value(ValType::F64, "-nan:0x8000000000000")->i64 == 0xfff8000000000000ull);
  CHECK_FALSE(ok(ValType::F32, "nan:0x800000"));  // payload too wide
  CHECK_FALSE(ok(ValType::F32, "nan:0x0"));
  CHECK_FALSE(ok(ValType::F64, "1.5x"));
  CHECK_FALSE(ok(ValType::F64, ""));
}

TEST_CASE("reference and v128 arguments", "[values]") {
  CHECK(parse_value(ValType::FuncRef, "null")->ref == kNullRef);
  CHECK(parse_value(ValType::ExternRef, "null")->ref == kNullRef);
  CHECK_FALSE(ok(ValType::ExternRef, "0"));
  auto v = parse_value(ValType::V128, "0x0102");
  REQUIRE(v);
  CHECK(v->v128.bytes[0] == 0x02);
  CHECK(v->v128.bytes[1] == 0x01);
  CHECK(v->v128.bytes[2] == 0);
  CHECK_FALSE(ok(ValType::V128, "0x123456789012345678901234567890123"));  // 33 digits
  CHECK_FALSE(ok(ValType::V128, "0x12g4"));
}

TEST_CASE("results print as plain numbers", "[values]") {
  CHECK(format_value(Value::from_i32(0xffffffffu)) == "-1");
  CHECK(format_value(Value::from_i32(7)) == "7");
  CHECK(format_value(Value::from_i64(2432902008176640000ull)) == "2432902008176640000");
  CHECK(format_value(Value::from_i64(uint64_t{1} << 63)) == "-9223372036854775808");
  CHECK(format_value(Value::from_f64(2.5)) == "2.5");
  CHECK(format_value(Value::from_f32(0.1f)) == "0.1");
  CHECK(format_value(Value::from_f64(0.1)) == "0.1");
  CHECK(format_value(Value::from_f64(INFINITY)) == "inf");
  CHECK(format_value(Value::from_f64(-INFINITY)) == "-inf");
  CHECK(format_value(Value::from_f64_bits(0x7ff8000000000000ull)) == "nan");
  CHECK(format_value(Value::from_f32_bits(0xffc00000u)) == "-nan");
  CHECK(format_value(Value::from_f32_bits(0x7f800001u)) == "nan:0x1");
  CHECK(format_value(Value::from_ref(ValType::FuncRef, kNullRef)) == "null");
}

TEST_CASE("v128 results print as one 128-bit little-endian hex integer", "[values][simd]") {
  V128 v;
  for (int i = 0; i < 16; ++i) v.bytes[i] = static_cast<uint8_t>(i);  // lane 0 = byte 0
  CHECK(format_value(Value::from_v128(v)) == "0x0f0e0d0c0b0a09080706050403020100");
  // i32x4 1 2 3 4: lane 3 is the most significant word; always 32 digits.
  V128 w;
  w.bytes[0] = 1, w.bytes[4] = 2, w.bytes[8] = 3, w.bytes[12] = 4;
  CHECK(format_value(Value::from_v128(w)) == "0x00000004000000030000000200000001");
  CHECK(format_value(Value::from_v128(V128{})) == "0x00000000000000000000000000000000");
  // Parsing is the inverse.
  auto back = parse_value(ValType::V128, "0x00000004000000030000000200000001");
  REQUIRE(back);
  CHECK(back->v128 == w);
  CHECK(format_value(*parse_value(ValType::V128, "0xFF")) == "0x000000000000000000000000000000ff");
}

TEST_CASE("arguments round-trip through printing", "[values]") {
  CHECK(round(ValType::I32, "4294967295") == "-1");
  CHECK(round(ValType::F64, "0x1p-1074") == "5e-324");
  CHECK(round(ValType::F32, "3.4028235e38") == "3.4028235e+38");
  CHECK(round(ValType::F64, "-0") == "-0");
  CHECK(round(ValType::F32, "nan:0x200000") == "nan:0x200000");
}
