// The script parser: commands, argument values and result patterns.
#include <catch2/catch.hpp>

#include "text/script.hpp"

using namespace wsvm::text;

namespace {
Script parse(std::string_view s) {
  auto r = parse_script(s);
  if (!r) FAIL(r.error().to_string());
  return std::move(*r);
}
}  // namespace

TEST_CASE("modules, register, actions", "[script]") {
  Script s = parse(R"W(
    (module $M (func (export "f") (param i32) (result i32) local.get 0))
    (register "m" $M)
    (invoke $M "f" (i32.const -1))
    (get "g")
    (module definition $D (func))
    (module instance $I $D)
    (module binary "\00asm\01\00\00\00")
  )W");
  REQUIRE(s.commands.size() == 7);
  CHECK(s.commands[0].kind == CommandKind::Module);
  CHECK(s.commands[0].module->id == "$M");
  CHECK(s.commands[0].module->binary.has_value());
  CHECK(s.commands[0].line == 2);
  CHECK(s.commands[1].kind == CommandKind::Register);
  CHECK(s.commands[1].name == "m");
  CHECK(s.commands[1].module_ref == "$M");
  CHECK(s.commands[2].kind == CommandKind::Action);
  CHECK(s.commands[2].action->module == "$M");
  CHECK(s.commands[2].action->args[0].bits == 0xFFFFFFFF);
  CHECK(s.commands[3].action->kind == Action::Kind::Get);
  CHECK(s.commands[4].module->definition);
  CHECK(s.commands[4].module->id == "$D");
  CHECK(s.commands[5].kind == CommandKind::ModuleInstance);
  CHECK(s.commands[5].instance == "$I");
  CHECK(s.commands[5].module_ref == "$D");
  CHECK(s.commands[6].module->form == ScriptModule::Form::Binary);
  CHECK(s.commands[6].module->binary->size() == 8);
}

TEST_CASE("assert_return values and patterns", "[script]") {
  Script s = parse(R"W(
    (assert_return (invoke "f" (f32.const 1.5) (v128.const i32x4 1 2 3 4) (ref.null extern) (ref.extern 7))
      (f64.const nan:canonical) (v128.const f32x4 nan:arithmetic 1 -0 inf) (ref.null) (ref.extern)
      (ref.func) (ref.i31) (either (i32.const 1) (i32.const 2)))
  )W");
  const Command& c = s.commands.at(0);
  CHECK(c.kind == CommandKind::AssertReturn);
  const auto& args = c.action->args;
  REQUIRE(args.size() == 4);
  CHECK(args[0].kind == Const::Kind::F32);
  CHECK(args[0].bits == 0x3FC00000);
  CHECK(args[1].kind == Const::Kind::V128);
  CHECK(args[1].bits == 0x0000000200000001ull);
  CHECK(args[1].high == 0x0000000400000003ull);
  CHECK(args[2].kind == Const::Kind::RefNull);
  CHECK(args[2].heap == 0x6F - 0x80);
  CHECK(args[3].kind == Const::Kind::RefExtern);
  CHECK(args[3].bits == 7);
  const auto& r = c.results;
  REQUIRE(r.size() == 7);
  CHECK(r[0].kind == ResultPattern::Kind::F64);
  CHECK(r[0].scalar.nan == NanKind::Canonical);
  CHECK(r[1].shape == Shape::F32x4);
  CHECK(r[1].lanes.at(0).nan == NanKind::Arithmetic);
  CHECK(r[1].lanes.at(2).bits == 0x80000000);
  CHECK(r[1].lanes.at(3).bits == 0x7F800000);
  CHECK(r[2].kind == ResultPattern::Kind::RefNull);
  CHECK_FALSE(r[2].has_heap);
  CHECK(r[3].kind == ResultPattern::Kind::RefExtern);
  CHECK_FALSE(r[3].value.has_value());
  CHECK(r[4].kind == ResultPattern::Kind::RefFunc);
  CHECK(r[5].kind == ResultPattern::Kind::RefI31);
  CHECK(r[6].kind == ResultPattern::Kind::Either);
  CHECK(r[6].alternatives.size() == 2);
}

TEST_CASE("assertions on modules keep the text format's error", "[script]") {
  Script s = parse(R"W(
    (assert_malformed (module quote "(func (i32.const 1x))") "unknown operator")
    (assert_invalid (module (func (result i32))) "type mismatch")
    (assert_trap (module (func $s unreachable) (start $s)) "unreachable")
    (assert_trap (invoke "t") "unreachable")
    (assert_exhaustion (invoke "r") "call stack exhausted")
    (assert_exception (invoke "x"))
    (assert_unlinkable (module (import "a" "b" (func))) "unknown import")
  )W");
  REQUIRE(s.commands.size() == 7);
  CHECK(s.commands[0].kind == CommandKind::AssertMalformed);
  CHECK(s.commands[0].message == "unknown operator");
  REQUIRE_FALSE(s.commands[0].module->binary.has_value());
  CHECK(s.commands[0].module->binary.error().message.find("unknown operator") != std::string::npos);
  CHECK(s.commands[1].module->binary.has_value());  // invalid, not malformed: the validator's job
  CHECK(s.commands[2].kind == CommandKind::AssertTrap);
  CHECK(s.commands[2].module.has_value());
  CHECK(s.commands[3].action.has_value());
  CHECK(s.commands[4].kind == CommandKind::AssertExhaustion);
  CHECK(s.commands[5].kind == CommandKind::AssertException);
  CHECK(s.commands[6].kind == CommandKind::AssertUnlinkable);
}

TEST_CASE("a broken script is an error with its position", "[script]") {
  auto r = parse_script("(module)\n(assert_return (invoke \"f\") (i32.const nope))");
  REQUIRE_FALSE(r);
  CHECK(r.error().line == 2);
  CHECK_FALSE(parse_script("(frobnicate)"));
  CHECK_FALSE(parse_script("(module"));
}

TEST_CASE("deeply nested either is an error", "[script]") {
  std::string s = "(assert_return (invoke \"f\")";
  for (int i = 0; i < 100000; ++i) s += " (either";
  s += std::string(100001, ')');
  auto r = parse_script(s);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "nesting too deep");
}
