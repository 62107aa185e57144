// The script executor in every built engine: every command kind, the counts, and that a
// failure is counted (never a pass by default).
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "engines/registry.hpp"
#include "text/script.hpp"
#include "wast/script_runner.hpp"

using namespace wsvm;
using namespace wsvm::wast;

namespace {

FileResult run_text(std::string_view engine_name, const char* source, const SkipList* skips = nullptr) {
  auto engine = make_engine(engine_name);
  REQUIRE(engine.has_value());
  auto script = text::parse_script(source);
  REQUIRE(script.has_value());
  RunOptions options;
  options.skips = skips;
  return run_script(**engine, "t.wast", *script, options);
}

constexpr const char* kPassing = R"wast(
(module $A
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
  (func $loop (export "loop") (call $loop))
  (func (export "id") (param externref) (result externref) (local.get 0))
  (func (export "nan") (result f64) (f64.div (f64.const 0) (f64.const 0)))
  (global (export "g") (mut i64) (i64.const -2)))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (either (i32.const 4) (i32.const 3)))
(assert_return (invoke "id" (ref.extern 5)) (ref.extern 5))
(assert_return (invoke "id" (ref.null extern)) (ref.null extern))
(assert_return (invoke "nan") (f64.const nan:arithmetic))
(assert_return (get "g") (i64.const -2))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_exhaustion (invoke "loop") "call stack exhausted")
(register "a" $A)
(module definition $D (import "a" "add" (func $add (param i32 i32) (result i32)))
  (func (export "inc") (param i32) (result i32) (call $add (local.get 0) (i32.const 1))))
(module instance $I1 $D)
(module instance $I2 $D)
(assert_return (invoke $I1 "inc" (i32.const 41)) (i32.const 42))
(assert_return (invoke $I2 "inc" (i32.const 0)) (i32.const 1))
(assert_malformed (module quote "(func (i32.const 0x))") "unknown operator")
(assert_malformed (module binary "\00asm\01\00\00\00\01") "unexpected end")
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_unlinkable (module (import "a" "nosuch" (func))) "unknown import")
(assert_uninstantiable (module (func $s unreachable) (start $s)) "unreachable")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
)wast";

}  // namespace

TEST_CASE("every command kind of a passing script passes in every engine") {
  for (std::string_view name : built_engine_names()) {
    INFO("engine " << name);
    FileResult r = run_text(name, kPassing);
    CHECK(r.failed == 0);
    CHECK(r.passed == 16);
    CHECK(r.skipped == 0);
    CHECK(r.assertions_done == 16);
  }
}

TEST_CASE("wrong assertions fail, and a module that did not load fails what uses it") {
  for (std::string_view name : built_engine_names()) {
    INFO("engine " << name);
    FileResult r = run_text(name, R"wast(
(module (func (export "one") (result i32) (i32.const 1)))
(assert_return (invoke "one") (i32.const 2))
(assert_return (invoke "one") (f32.const 1))
(assert_trap (invoke "one") "unreachable")
(assert_exception (invoke "one"))
(assert_malformed (module (func)) "unexpected token")
(assert_invalid (module quote "(func (i32.const))") "type mismatch")
(assert_return (invoke "nosuch"))
(assert_return (invoke "one" (i32.const 0)) (i32.const 1))
(module (func (export "bad") (result i32) (i64.const 0)))
(assert_return (invoke "bad") (i32.const 0))
(assert_return (invoke "one") (i32.const 1))
(module instance $X $Nope)
)wast");
    CHECK(r.passed == 0);
    CHECK(r.failed == 12);  // 8 assertions, the invalid module and the 2 it fails, the instance
  }
}

TEST_CASE("skip list entries skip with their reason, by file or line") {
  auto skips = SkipList::parse("t.wast:3 the reason\n");
  REQUIRE(skips.has_value());
  FileResult r = run_text("interp", R"wast((module (func (export "f")))
(assert_return (invoke "f"))
(assert_return (invoke "g"))
)wast", &*skips);
  CHECK(r.passed == 1);
  CHECK(r.skipped == 1);
  CHECK(r.skip_reasons["the reason"] == 1);
  CHECK(summary_line("t.wast", r) == "t.wast: 1 passed, 0 failed, 1 skipped (1 the reason)");
}
