// Script values against runtime values: arguments, NaN patterns, lanes, references, either.
#include <cstring>

#include <catch2/catch.hpp>

#include "text/script.hpp"
#include "wast/values.hpp"

using namespace wsvm;
using namespace wsvm::wast;

namespace {

// The first command's action arguments and results, from script text.
text::Command first_command(const char* source) {
  auto script = text::parse_script(source);
  REQUIRE(script.has_value());
  REQUIRE(!script->commands.empty());
  return script->commands[0];
}

}  // namespace

TEST_CASE("arguments become values of the parameter's type") {
  auto c = first_command(
      "(invoke \"f\" (i32.const -1) (i64.const 5) (f32.const 1.5) (f64.const -0) "
      "(v128.const i32x4 1 2 3 4) (ref.null func) (ref.null nofunc) (ref.extern 7) (ref.null any))");
  const auto& a = c.action->args;
  CHECK(to_value(a[0], ValType::I32)->i32 == 0xffffffffu);
  CHECK(to_value(a[1], ValType::I64)->i64 == 5);
  CHECK(to_value(a[2], ValType::F32)->f32 == 1.5f);
  CHECK(to_value(a[3], ValType::F64)->i64 == 0x8000000000000000ull);
  auto v = to_value(a[4], ValType::V128);
  REQUIRE(v.has_value());
  CHECK(v->v128.bytes[0] == 1);
  CHECK(v->v128.bytes[12] == 4);
  CHECK(to_value(a[5], ValType::FuncRef)->ref == kNullRef);
  CHECK(to_value(a[6], ValType::FuncRef)->ref == kNullRef);
  CHECK(to_value(a[7], ValType::ExternRef)->ref == extern_ref_word(7));
  // Wrong types are errors naming both, never a silent conversion.
  auto bad = to_value(a[0], ValType::I64);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().find("i64 parameter") != std::string::npos);
  CHECK_FALSE(to_value(a[5], ValType::ExternRef).has_value());
  CHECK_FALSE(to_value(a[8], ValType::FuncRef).has_value());  // wsvm has no anyref
}

TEST_CASE("NaN patterns match by class, either sign") {
  auto c = first_command(
      "(assert_return (invoke \"f\") (f32.const nan:canonical) (f64.const nan:arithmetic) "
      "(f32.const nan:0x200000) (f32.const 1))");
  const auto& r = c.results;
  CHECK(matches(r[0], Value::from_f32_bits(0x7fc00000)));
  CHECK(matches(r[0], Value::from_f32_bits(0xffc00000)));
  CHECK_FALSE(matches(r[0], Value::from_f32_bits(0x7fc00001)));
  CHECK(matches(r[1], Value::from_f64_bits(0xfff8000000000001ull)));
  CHECK_FALSE(matches(r[1], Value::from_f64_bits(0x7ff4000000000000ull)));  // signalling
  CHECK(matches(r[2], Value::from_f32_bits(0x7fa00000)));
  CHECK_FALSE(matches(r[2], Value::from_f32_bits(0x7fc00000)));
  CHECK(matches(r[3], Value::from_f32(1.0f)));
  CHECK_FALSE(matches(r[3], Value::from_i32(0x3f800000)));  // the type matters, not only bits
}

TEST_CASE("v128 results match lane by lane in their shape") {
  auto c = first_command(
      "(assert_return (invoke \"f\") (v128.const f32x4 nan:canonical 1 -0 nan:arithmetic) "
      "(v128.const i16x8 1 2 3 4 5 6 7 -1))");
  V128 v;
  const uint32_t lanes[4] = {0xffc00000u, 0x3f800000u, 0x80000000u, 0x7fc01234u};
  std::memcpy(v.bytes, lanes, 16);
  CHECK(matches(c.results[0], Value::from_v128(v)));
  v.bytes[4] ^= 1;
  CHECK_FALSE(matches(c.results[0], Value::from_v128(v)));
  V128 w;
  const uint16_t halves[8] = {1, 2, 3, 4, 5, 6, 7, 0xffff};
  std::memcpy(w.bytes, halves, 16);
  CHECK(matches(c.results[1], Value::from_v128(w)));
  CHECK(format_value(Value::from_v128(w), &c.results[1]) == "v128:i16x8[1 2 3 4 5 6 7 65535]");
}

TEST_CASE("reference patterns and either") {
  auto c = first_command(
      "(assert_return (invoke \"f\") (ref.null func) (ref.null) (ref.func) (ref.extern 3) (ref.extern) "
      "(either (i32.const 1) (i32.const 2)) (ref.struct) (ref.i31))");
  const auto& r = c.results;
  const Value null_func = Value::from_ref(ValType::FuncRef, kNullRef);
  const Value null_extern = Value::from_ref(ValType::ExternRef, kNullRef);
  CHECK(matches(r[0], null_func));
  CHECK_FALSE(matches(r[0], null_extern));
  CHECK(matches(r[1], null_extern));
  CHECK(matches(r[2], Value::from_ref(ValType::FuncRef, 0x1000)));
  CHECK_FALSE(matches(r[2], null_func));
  CHECK(matches(r[3], Value::from_ref(ValType::ExternRef, extern_ref_word(3))));
  CHECK_FALSE(matches(r[3], Value::from_ref(ValType::ExternRef, extern_ref_word(4))));
  CHECK(matches(r[4], Value::from_ref(ValType::ExternRef, extern_ref_word(9))));
  CHECK_FALSE(matches(r[4], null_extern));
  CHECK(matches(r[5], Value::from_i32(2)));
  CHECK_FALSE(matches(r[5], Value::from_i32(3)));
  CHECK(format_pattern(r[5]) == "(either i32:1 i32:2)");
  // No GC objects exist in wsvm yet: these never match anything.
  CHECK_FALSE(matches(r[6], Value::from_ref(ValType::FuncRef, 0x1000)));
  CHECK_FALSE(matches(r[7], Value::from_ref(ValType::ExternRef, extern_ref_word(1))));
}
