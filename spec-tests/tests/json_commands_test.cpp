// Parsing of wast2json scripts into commands: every command kind, and bad commands that
// must become failures rather than stop the file.
#include <catch2/catch.hpp>

#include "spec-tests/json_commands.hpp"

using namespace wsvm;
using namespace wsvm::spec;

TEST_CASE("a wast2json script parses into commands in order") {
  const char* text = R"({"source_filename": "/x/y/linking.wast", "commands": [
    {"type": "module", "line": 3, "name": "$Mf", "filename": "linking.0.wasm"},
    {"type": "register", "line": 7, "name": "$Mf", "as": "Mf"},
    {"type": "assert_return", "line": 17, "action": {"type": "invoke", "module": "$Mf",
      "field": "call", "args": [{"type": "i32", "value": "7"}]},
      "expected": [{"type": "f32", "value": "nan:arithmetic"}]},
    {"type": "assert_return", "line": 18, "action": {"type": "get", "field": "g"},
      "expected": [{"type": "i64", "value": "1"}]},
    {"type": "assert_trap", "line": 20, "action": {"type": "invoke", "field": "f", "args": []},
      "text": "unreachable", "expected": [{"type": "i32"}]},
    {"type": "assert_malformed", "line": 30, "filename": "linking.1.wat",
      "text": "unknown operator", "module_type": "text"},
    {"type": "assert_invalid", "line": 31, "filename": "linking.2.wasm",
      "text": "type mismatch", "module_type": "binary"}
  ]})";
  auto s = parse_script(text, "fallback.wast");
  REQUIRE(s.has_value());
  CHECK(s->name == "linking.wast");
  REQUIRE(s->commands.size() == 7);
  for (const auto& c : s->commands) CHECK(c.parse_error.empty());

  const Command& m = s->commands[0];
  CHECK(m.type == CommandType::Module);
  CHECK(m.line == 3);
  CHECK(m.name == "$Mf");
  CHECK(m.filename == "linking.0.wasm");
  CHECK_FALSE(m.is_assertion());

  CHECK(s->commands[1].type == CommandType::Register);
  CHECK(s->commands[1].as == "Mf");

  const Command& r = s->commands[2];
  REQUIRE(r.action.has_value());
  CHECK(r.action->kind == Action::Kind::Invoke);
  CHECK(r.action->module == "$Mf");
  CHECK(r.action->field == "call");
  REQUIRE(r.action->args.size() == 1);
  CHECK(r.action->args[0].i32 == 7);
  REQUIRE(r.expected.size() == 1);
  CHECK(r.expected[0].lanes[0].pattern == Pattern::NanArithmetic);
  CHECK(r.is_assertion());

  CHECK(s->commands[3].action->kind == Action::Kind::Get);
  CHECK_FALSE(s->commands[3].action->module.has_value());
  CHECK(s->commands[4].type == CommandType::AssertTrap);
  CHECK(s->commands[4].text == "unreachable");
  CHECK(s->commands[5].text_module);
  CHECK_FALSE(s->commands[6].text_module);
  CHECK(s->commands[6].type == CommandType::AssertInvalid);
}

TEST_CASE("bad commands keep their line and carry an error") {
  const char* text = R"({"commands": [
    {"type": "assert_frobnicate", "line": 1},
    {"type": "assert_return", "line": 2, "action": {"type": "invoke", "field": "f",
      "args": [{"type": "i32", "value": "nope"}]}, "expected": []},
    {"type": "assert_return", "line": 3, "action": {"type": "call", "field": "f"}, "expected": []},
    {"type": "module", "line": 4},
    {"type": "register", "line": 5},
    42
  ]})";
  auto s = parse_script(text, "bad.wast");
  REQUIRE(s.has_value());
  CHECK(s->name == "bad.wast");
  REQUIRE(s->commands.size() == 6);
  CHECK(s->commands[0].type == CommandType::Unknown);
  for (const auto& c : s->commands) CHECK_FALSE(c.parse_error.empty());
  CHECK(s->commands[1].line == 2);
}

TEST_CASE("text that is not a script is an error") {
  CHECK_FALSE(parse_script("{", "x.wast").has_value());
  CHECK_FALSE(parse_script("[]", "x.wast").has_value());
  CHECK_FALSE(parse_script(R"({"commands": 3})", "x.wast").has_value());
  CHECK_FALSE(load_script("/nonexistent/file.json").has_value());
}
