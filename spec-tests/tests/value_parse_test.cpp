// Value parsing and result matching of the spec runner: the NaN patterns, exact bit
// comparison, reference encodings and v128 lanes.
#include <catch2/catch.hpp>

#include "spec-tests/value_parse.hpp"

using namespace wsvm;
using namespace wsvm::spec;
using nlohmann::json;

namespace {

Value arg(const char* text) {
  auto v = parse_value(json::parse(text));
  REQUIRE(v.has_value());
  return *v;
}

ExpectedValue expect(const char* text) {
  auto e = parse_expected(json::parse(text));
  REQUIRE(e.has_value());
  return *e;
}

Value v128_from_u32(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  V128 v;
  const uint32_t lanes[4] = {a, b, c, d};
  std::memcpy(v.bytes, lanes, 16);
  return Value::from_v128(v);
}

}  // namespace

TEST_CASE("integers parse as unsigned bit patterns with range checks") {
  CHECK(arg(R"({"type":"i32","value":"4294967295"})").i32 == 0xffffffffu);
  CHECK(arg(R"({"type":"i32","value":"-1"})").i32 == 0xffffffffu);
  CHECK(arg(R"({"type":"i32","value":"-2147483648"})").i32 == 0x80000000u);
  CHECK(arg(R"({"type":"i64","value":"18446744073709551615"})").i64 == ~uint64_t{0});
  CHECK(arg(R"({"type":"i64","value":"-9223372036854775808"})").i64 == 0x8000000000000000ull);
  CHECK_FALSE(parse_value(json::parse(R"({"type":"i32","value":"4294967296"})")).has_value());
  CHECK_FALSE(parse_value(json::parse(R"({"type":"i32","value":"-2147483649"})")).has_value());
  CHECK_FALSE(parse_value(json::parse(R"({"type":"i32","value":"12x"})")).has_value());
  CHECK_FALSE(parse_value(json::parse(R"({"type":"i32","value":""})")).has_value());
  CHECK_FALSE(parse_value(json::parse(R"({"type":"i32"})")).has_value());
  CHECK_FALSE(parse_value(json::parse(R"({"type":"i31","value":"1"})")).has_value());
  CHECK_FALSE(parse_value(json::parse(R"([1,2])")).has_value());
}

TEST_CASE("NaN patterns are not accepted as arguments") {
  CHECK_FALSE(parse_value(json::parse(R"({"type":"f32","value":"nan:canonical"})")).has_value());
  CHECK_FALSE(parse_expected(json::parse(R"({"type":"i32","value":"nan:canonical"})")).has_value());
}

TEST_CASE("floats compare by exact bits") {
  const auto pos_zero = expect(R"({"type":"f32","value":"0"})");
  CHECK(matches(pos_zero, Value::from_f32_bits(0)));
  CHECK_FALSE(matches(pos_zero, Value::from_f32_bits(0x80000000u)));  // -0 is not +0
  const auto nan_bits = expect(R"({"type":"f64","value":"9221120237041090561"})");  // 0x7ff8000000000001
  CHECK(matches(nan_bits, Value::from_f64_bits(0x7ff8000000000001ull)));
  CHECK_FALSE(matches(nan_bits, Value::from_f64_bits(0x7ff8000000000000ull)));
  // Same bits, other type: no match.
  CHECK_FALSE(matches(expect(R"({"type":"i32","value":"0"})"), Value::from_f32_bits(0)));
}

TEST_CASE("nan:canonical accepts only the canonical NaN of either sign") {
  const auto f32 = expect(R"({"type":"f32","value":"nan:canonical"})");
  CHECK(matches(f32, Value::from_f32_bits(0x7fc00000u)));
  CHECK(matches(f32, Value::from_f32_bits(0xffc00000u)));
  CHECK_FALSE(matches(f32, Value::from_f32_bits(0x7fc00001u)));
  CHECK_FALSE(matches(f32, Value::from_f32_bits(0x7f800001u)));
  CHECK_FALSE(matches(f32, Value::from_f32_bits(0x7f800000u)));  // infinity
  const auto f64 = expect(R"({"type":"f64","value":"nan:canonical"})");
  CHECK(matches(f64, Value::from_f64_bits(0x7ff8000000000000ull)));
  CHECK(matches(f64, Value::from_f64_bits(0xfff8000000000000ull)));
  CHECK_FALSE(matches(f64, Value::from_f64_bits(0x7ff8000000000001ull)));
  CHECK_FALSE(matches(f64, Value::from_f32_bits(0x7fc00000u)));  // f32 where f64 expected
}

TEST_CASE("nan:arithmetic accepts any quiet NaN") {
  const auto f32 = expect(R"({"type":"f32","value":"nan:arithmetic"})");
  CHECK(matches(f32, Value::from_f32_bits(0x7fc00000u)));
  CHECK(matches(f32, Value::from_f32_bits(0xffffffffu)));
  CHECK(matches(f32, Value::from_f32_bits(0x7fc12345u)));
  CHECK_FALSE(matches(f32, Value::from_f32_bits(0x7f800001u)));  // signalling
  CHECK_FALSE(matches(f32, Value::from_f32_bits(0x7f800000u)));
  CHECK_FALSE(matches(f32, Value::from_f32_bits(0x3f800000u)));  // 1.0
  const auto f64 = expect(R"({"type":"f64","value":"nan:arithmetic"})");
  CHECK(matches(f64, Value::from_f64_bits(0x7ffc000000000001ull)));
  CHECK(matches(f64, Value::from_f64_bits(0xfff8000000000000ull)));
  CHECK_FALSE(matches(f64, Value::from_f64_bits(0x7ff0000000000001ull)));
  CHECK_FALSE(matches(f64, Value::from_f64_bits(0x7ff0000000000000ull)));
}

TEST_CASE("references: externref N is word N+1, null is 0") {
  CHECK(arg(R"({"type":"externref","value":"0"})").ref == 1);
  CHECK(arg(R"({"type":"externref","value":"null"})").ref == kNullRef);
  CHECK(arg(R"({"type":"funcref","value":"null"})").type == ValType::FuncRef);
  CHECK_FALSE(parse_value(json::parse(R"({"type":"externref"})")).has_value());

  const auto ext0 = expect(R"({"type":"externref","value":"0"})");
  CHECK(matches(ext0, Value::from_ref(ValType::ExternRef, 1)));
  CHECK_FALSE(matches(ext0, Value::from_ref(ValType::ExternRef, 0)));
  CHECK_FALSE(matches(ext0, Value::from_ref(ValType::FuncRef, 1)));
  const auto null_func = expect(R"({"type":"funcref","value":"null"})");
  CHECK(matches(null_func, Value::from_ref(ValType::FuncRef, 0)));
  CHECK_FALSE(matches(null_func, Value::from_ref(ValType::FuncRef, 0x1000)));
  const auto any_func = expect(R"({"type":"funcref"})");
  CHECK(matches(any_func, Value::from_ref(ValType::FuncRef, 0x1000)));
  CHECK_FALSE(matches(any_func, Value::from_ref(ValType::FuncRef, 0)));
  CHECK(format_value(Value::from_ref(ValType::ExternRef, 1)) == "externref:0");
  CHECK(format_expected(null_func) == "funcref:null");
}

TEST_CASE("v128 values are little-endian lanes") {
  const Value v = arg(R"({"type":"v128","lane_type":"i8","value":
      ["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","255"]})");
  CHECK(v.v128.bytes[0] == 1);
  CHECK(v.v128.bytes[15] == 255);
  const Value w = arg(R"({"type":"v128","lane_type":"i16","value":["-1","2","3","4","5","6","7","8"]})");
  CHECK(w.v128.bytes[0] == 0xff);
  CHECK(w.v128.bytes[1] == 0xff);
  CHECK(w.v128.bytes[2] == 2);
  CHECK_FALSE(parse_value(json::parse(R"({"type":"v128","lane_type":"i32","value":["1","2","3"]})")).has_value());
  CHECK_FALSE(parse_value(json::parse(R"({"type":"v128","lane_type":"i8","value":["256","0","0","0","0","0","0","0","0","0","0","0","0","0","0","0"]})")).has_value());
  CHECK_FALSE(parse_value(json::parse(R"({"type":"v128","value":["1","2","3","4"]})")).has_value());
}

TEST_CASE("v128 expectations match lane by lane, with NaN patterns per lane") {
  const auto e = expect(R"({"type":"v128","lane_type":"f32","value":
      ["nan:canonical","nan:arithmetic","1065353216","0"]})");
  CHECK(matches(e, v128_from_u32(0xffc00000u, 0x7fc00001u, 0x3f800000u, 0)));
  CHECK_FALSE(matches(e, v128_from_u32(0x7fc00001u, 0x7fc00001u, 0x3f800000u, 0)));
  CHECK_FALSE(matches(e, v128_from_u32(0x7fc00000u, 0x7f800001u, 0x3f800000u, 0)));
  CHECK_FALSE(matches(e, v128_from_u32(0x7fc00000u, 0x7fc00000u, 0x3f800000u, 0x80000000u)));
  CHECK_FALSE(matches(e, Value::from_i32(0)));
  const auto d = expect(R"({"type":"v128","lane_type":"f64","value":["nan:arithmetic","0"]})");
  CHECK(matches(d, v128_from_u32(0, 0x7ff80000u, 0, 0)));
  CHECK_FALSE(matches(d, v128_from_u32(0, 0x7ff00000u, 0, 0)));
  CHECK(format_expected(e).starts_with("v128:f32x4[nan:canonical nan:arithmetic 0x3f800000"));
}

TEST_CASE("formatting shows bits and value") {
  CHECK(format_value(Value::from_i32(42)) == "i32:42");
  CHECK(format_value(Value::from_f32_bits(0x3f800000u)) == "f32:0x3f800000 (1)");
  CHECK(format_expected(expect(R"({"type":"f64","value":"nan:canonical"})")) == "f64:nan:canonical");
  CHECK(format_value(v128_from_u32(1, 2, 3, 4), LaneType::I64) ==
        "v128:i64x2[8589934593 17179869187]");
}
