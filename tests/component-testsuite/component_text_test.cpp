// The component text format (text/component_text.hpp) and component scripts: what they write
// decodes with component/, and hostile text (truncations, mutations, deep nesting) is one
// error, never a crash or unbounded recursion.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>

#include "component/ir.hpp"
#include "text/component_script.hpp"
#include "text/component_text.hpp"

using namespace wsvm;

namespace {

const char* kSample = R"((component $C
  (type $r (record (field "a" u32) (field "b" (list string))))
  (type $v (variant (case "x" u8) (case "y")))
  (import "host" (instance $h
    (export "t" (type (sub resource)))
    (export "f" (func (param "x" (option u32)) (result (result string (error u8)))))))
  (alias export $h "f" (func $hf))
  (core module $M
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 8)
    (func (export "run") (param i32) (result i32) local.get 0))
  (core instance $m (instantiate $M))
  (core func $lowered (canon lower (func $hf) (memory (core memory $m "mem")) (realloc (core func $m "realloc"))))
  (func $run (export "run") (param "x" u32) (result u32) (canon lift (core func $m "run")))
  (component $Inner
    (import "f" (func $f (param "x" u32) (result u32)))
    (export "g" (func $f)))
  (instance $i (instantiate $Inner (with "f" (func $run))))
  (export "again" (func $i "g"))
  (type $res (resource (rep i32)))
  (core func $new (canon resource.new $res))
  (core type $ft (func (param i32) (result i32)))
  (core type $mt (module (import "a" "b" (func (type 0))) (export "c" (memory 1))))
))";

}  // namespace

TEST_CASE("component text: a component with every common form decodes") {
  auto bytes = text::component_wat_to_wasm(kSample);
  if (!bytes) FAIL(bytes.error().to_string());
  auto c = component::decode_component(*bytes);
  if (!c) FAIL(c.error().to_string());
  CHECK((*c)->components.size() == 1);
  CHECK((*c)->core_modules.size() == 1);
  CHECK((*c)->imports.size() == 1);
  CHECK((*c)->exports.size() == 2);
  CHECK((*c)->space(component::Sort::Func).size() >= 3);
}

TEST_CASE("component text: errors are positioned and worded") {
  auto r = text::component_wat_to_wasm("(component (func $f (canon lift (core func $nope))))");
  REQUIRE_FALSE(r);
  CHECK(r.error().to_string().find("unknown identifier $nope") != std::string::npos);
  CHECK(r.error().line == 1);
  auto dup = text::component_wat_to_wasm("(component (type $t u8) (type $t u8))");
  REQUIRE_FALSE(dup);
  CHECK(dup.error().message.find("duplicate identifier") != std::string::npos);
  CHECK_FALSE(text::component_wat_to_wasm("(module)"));
  CHECK_FALSE(text::component_wat_to_wasm("(component) (component)"));
}

TEST_CASE("component text: every truncation and single-byte mutation is an error or a component") {
  std::string s = kSample;
  for (size_t n = 0; n < s.size(); ++n) {
    auto r = text::component_wat_to_wasm(s.substr(0, n));
    CHECK_FALSE(r);  // a prefix never closes the component
  }
  std::mt19937 rng(7);
  const char pool[] = "()$\"0aZ; \n\x80\xff";
  for (int i = 0; i < 3000; ++i) {
    std::string m = s;
    m[rng() % m.size()] = pool[rng() % (sizeof pool - 1)];
    auto r = text::component_wat_to_wasm(m);
    if (r) (void)component::decode_component(*r);  // whatever it wrote must decode or fail cleanly
  }
}

TEST_CASE("component text: deep nesting is an error, not a stack overflow") {
  auto deep = [](const std::string& head, const std::string& step, const std::string& tail, int n) {
    std::string out = head;
    for (int i = 0; i < n; ++i) out += step;
    out += tail;
    size_t closes = size_t(n) * size_t(std::count(step.begin(), step.end(), '('));
    return out + std::string(closes + 2, ')');
  };
  for (auto r : {text::component_wat_to_wasm(deep("(component (type ", "(list ", "u8", 200000)),
                 text::component_wat_to_wasm(deep("(component (type ", "(instance (export \"a\" ", "(func)", 200000))}) {
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("nesting too deep") != std::string::npos);
  }
  std::string nested = "(component ";
  for (int i = 0; i < 200000; ++i) nested += "(component ";
  for (int i = 0; i < 200001; ++i) nested += ")";
  auto r = text::component_wat_to_wasm(nested);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("nesting too deep") != std::string::npos);
  std::string value = "(invoke \"f\" ";
  for (int i = 0; i < 200000; ++i) value += "(list.const ";
  for (int i = 0; i < 200001; ++i) value += ")";
  auto sr = text::parse_component_script(value);
  REQUIRE_FALSE(sr);
  CHECK(sr.error().message.find("nesting too deep") != std::string::npos);
}

TEST_CASE("component scripts: commands and values") {
  auto s = text::parse_component_script(R"wast(
    (component definition $D (core module $M))
    (component instance $i $D)
    (component (import "x" (func)))
    (assert_return (invoke "f" (u32.const 1) (str.const "a"))
      (record.const (field "k" str.const "v") (field "n" (u8.const 2))))
    (assert_trap (invoke "g") "unreachable")
    (assert_invalid (component (type (own 0))) "not a resource")
    (assert_malformed (component quote "(component (bogus))") "unexpected")
    (assert_return (invoke "h") (option.some (variant.const "x" (list.const (bool.const true)))))
  )wast");
  if (!s) FAIL(s.error().to_string());
  using K = text::ComponentCommand::Kind;
  REQUIRE(s->commands.size() == 8);
  CHECK(s->commands[0].kind == K::Definition);
  CHECK(*s->commands[0].id == "$D");
  CHECK(s->commands[1].kind == K::Instance);
  CHECK(*s->commands[1].of == "$D");
  CHECK(s->commands[2].kind == K::Component);
  CHECK(s->commands[2].component.has_value());
  const auto& ret = s->commands[3];
  CHECK(ret.args.size() == 2);
  CHECK(ret.args[1].text == "a");
  REQUIRE(ret.results.size() == 1);
  CHECK(ret.results[0].labels == std::vector<std::string>{"k", "n"});
  CHECK(ret.results[0].items[1].number == "2");
  CHECK(s->commands[4].message == "unreachable");
  CHECK(s->commands[5].component.has_value());
  CHECK_FALSE(s->commands[6].component.has_value());
  CHECK(s->commands[7].results[0].items[0].items[0].kind == "list");
}
