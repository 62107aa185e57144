// WAVE values (cli/wave.hpp): parsing by type, printing with labels, and bad input.
#include <catch2/catch.hpp>

#include "cli/wave.hpp"

using namespace wsvm::component;
using wsvm::cli::format_wave;
using wsvm::cli::parse_wave;
using wsvm::cli::split_invocation;

namespace {

std::string round_trip(const VTypeP& t, std::string_view text) {
  auto v = parse_wave(*t, text);
  if (!v) return "error: " + v.error();
  return format_wave(*t, *v);
}

}  // namespace

TEST_CASE("wave: scalars") {
  CHECK(round_trip(t_prim(VKind::Bool), " true ") == "true");
  CHECK(round_trip(t_prim(VKind::S8), "-128") == "-128");
  CHECK(round_trip(t_prim(VKind::S8), "128").starts_with("error: at 3: expected a s8"));
  CHECK(round_trip(t_prim(VKind::U64), "18446744073709551615") == "18446744073709551615");
  CHECK(round_trip(t_prim(VKind::U32), "-1").starts_with("error:"));
  CHECK(round_trip(t_prim(VKind::F64), "2.5") == "2.5");
  CHECK(round_trip(t_prim(VKind::F32), "-inf") == "-inf");
  CHECK(round_trip(t_prim(VKind::F64), "nan") == "nan");
  CHECK(round_trip(t_prim(VKind::Char), "'\\u{1f600}'") == "'\xF0\x9F\x98\x80'");
  CHECK(round_trip(t_prim(VKind::Char), "'\\u{d800}'").starts_with("error:"));
  CHECK(round_trip(t_prim(VKind::String), "\"a \\\"b\\\"\\n\"") == "\"a \\\"b\\\"\\n\"");
  CHECK(round_trip(t_prim(VKind::String), "\"open").starts_with("error:"));
}

TEST_CASE("wave: compound values with labels") {
  auto point = t_record({{"x", t_prim(VKind::S32)}, {"y", t_prim(VKind::S32)}});
  CHECK(round_trip(point, "{y: 2, x: 1}") == "{x: 1, y: 2}");
  CHECK(round_trip(point, "{x: 1}") == "error: at 6: field 'y' missing");
  CHECK(round_trip(point, "{x: 1, x: 2, y: 3}").starts_with("error:"));
  auto opt_field = t_record({{"a", t_option(t_prim(VKind::U8))}});
  CHECK(round_trip(opt_field, "{}") == "{a: none}");
  CHECK(round_trip(t_list(t_prim(VKind::U8)), "[1, 2, 3,]") == "[1, 2, 3]");
  CHECK(round_trip(t_tuple({t_prim(VKind::U8), t_prim(VKind::String)}), "(1, \"x\")") == "(1, \"x\")");
  CHECK(round_trip(t_enum({"red", "green"}), "green") == "green");
  CHECK(round_trip(t_enum({"red", "green"}), "blue") == "error: at 4: no case 'blue'");
  auto shape = t_variant({{"none", nullptr}, {"circle", t_prim(VKind::F64)}});
  CHECK(round_trip(shape, "circle(1.5)") == "circle(1.5)");
  CHECK(round_trip(shape, "none") == "none");
  CHECK(round_trip(t_flags({"read", "write", "exec"}), "{exec, read}") == "{read, exec}");
  CHECK(round_trip(t_result(t_prim(VKind::U8), t_prim(VKind::String)), "err(\"no\")") == "err(\"no\")");
  CHECK(round_trip(t_result(nullptr, nullptr), "ok") == "ok");
  CHECK(round_trip(t_option(t_prim(VKind::U8)), "some(3)") == "some(3)");
  CHECK(round_trip(t_prim(VKind::U8), "1 2") == "error: at 2: unexpected text after the value");
}

TEST_CASE("wave: hostile nesting is an error, not a stack overflow") {
  VTypeP t = t_prim(VKind::U8);
  for (int i = 0; i < 200; ++i) t = t_list(t);
  CHECK(round_trip(t, std::string(200, '[') + "1" + std::string(200, ']')).starts_with("error:"));
}

TEST_CASE("wave: NAME(ARGS) splits on top-level commas") {
  auto inv = split_invocation("wasi:demo/api@0.1.0#f({a: 1, b: [2, 3]}, \"x,y\", 'c')");
  REQUIRE(inv);
  CHECK(inv->name == "wasi:demo/api@0.1.0#f");
  REQUIRE(inv->args);
  CHECK(*inv->args == std::vector<std::string>{"{a: 1, b: [2, 3]}", "\"x,y\"", "'c'"});
  auto none = split_invocation("f()");
  REQUIRE(none);
  CHECK(none->args->empty());
  CHECK_FALSE(split_invocation("f").value().args);
  CHECK_FALSE(split_invocation("f(1"));
  CHECK_FALSE(split_invocation("f([1)"));
}
