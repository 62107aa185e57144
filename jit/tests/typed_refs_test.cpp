// Typed function references (Wasm 3.0) in the JIT, against the interpreter: call_ref and
// return_call_ref (this instance's code, a null reference), ref.as_non_null, br_on_null and
// br_on_non_null on both of their paths, in every compile mode. The module is text, read by
// wsvm's own parser (text/).
#include "jit/tests/jit_harness.hpp"
#include "text/text.hpp"

using namespace wsvm;
using namespace wsvm::jit_test;

namespace {

constexpr const char* kModule = R"((module
  (type $ii (func (param i64) (result i64)))
  (type $ii2 (func (param i64 i64) (result i64)))
  (import "host" "add" (func $add (param i32 i32) (result i32)))
  (type $add_t (func (param i32 i32) (result i32)))
  (func $inc (type $ii) (i64.add (local.get 0) (i64.const 1)))
  (func $dbl (type $ii) (i64.mul (local.get 0) (i64.const 2)))
  (elem declare func $inc $dbl $count $add)
  (func $pick (param $which i32) (result (ref null $ii))
    (if (result (ref null $ii)) (i32.eqz (local.get $which))
      (then (ref.null $ii))
      (else (select (result (ref $ii)) (ref.func $inc) (ref.func $dbl)
                    (i32.eq (local.get $which) (i32.const 1))))))
  ;; which: 0 = null, 1 = inc, 2 = dbl
  (func (export "apply") (param $which i32) (param $x i64) (result i64)
    (call_ref $ii (local.get $x) (call $pick (local.get $which))))
  (func (export "tail_apply") (param $which i32) (param $x i64) (result i64)
    (return_call_ref $ii (local.get $x) (call $pick (local.get $which))))
  (func (export "import_ref") (param i32 i32) (result i32)
    (call_ref $add_t (local.get 0) (local.get 1) (ref.func $add)))
  (func (export "tail_import_ref") (param i32 i32) (result i32)
    (return_call_ref $add_t (local.get 0) (local.get 1) (ref.func $add)))
  (func (export "non_null") (param $which i32) (result i32)
    (ref.is_null (ref.as_non_null (call $pick (local.get $which)))))
  (func (export "on_null") (param $which i32) (param $x i64) (result i64)
    (local $keep i64)
    (local.set $keep (i64.const 100))
    (block $null
      (return (i64.add (local.get $keep)
        (call_ref $ii (local.get $x) (br_on_null $null (call $pick (local.get $which)))))))
    (i64.const -1))
  (func (export "on_non_null") (param $which i32) (param $x i64) (result i64)
    (call_ref $ii (local.get $x)
      (block $nn (result (ref $ii))
        (br_on_non_null $nn (call $pick (local.get $which)))
        (ref.func $dbl))))
  (func $count (type $ii2)
    (if (i64.eqz (local.get 0)) (then (return (local.get 1))))
    (return_call_ref $ii2 (i64.sub (local.get 0) (i64.const 1))
                          (i64.add (local.get 1) (local.get 0)) (ref.func $count)))
  (func (export "count") (param i64) (result i64) (call $count (local.get 0) (i64.const 0)))
))";

}  // namespace

TEST_CASE("jit typed function references: call_ref, null checks, br_on_null/non_null") {
  auto bytes = text::wat_to_wasm(kModule);
  if (!bytes) FAIL(bytes.error().message);
  const JitCompile mode = GENERATE(JitCompile::Eager, JitCompile::Parallel, JitCompile::Lazy);
  INFO("mode " << static_cast<int>(mode));
  Harness in(false), jt(true, EngineConfig{.jit_compile = mode});
  in.load_bytes(*bytes);
  jt.load_bytes(*bytes);
  for (Harness* h : {&in, &jt}) {
    CHECK(h->num("apply", {i32(1), i64(41)}) == 42);
    CHECK(h->num("apply", {i32(2), i64(21)}) == 42);
    CHECK(h->trap("apply", {i32(0), i64(1)}) == "null function reference");
    CHECK(h->num("tail_apply", {i32(2), i64(8)}) == 16);
    CHECK(h->trap("tail_apply", {i32(0), i64(8)}) == "null function reference");
    CHECK(h->num("import_ref", {i32(40), i32(2)}) == 42);
    CHECK(h->num("tail_import_ref", {i32(40), i32(2)}) == 42);
    CHECK(h->num("non_null", {i32(1)}) == 0);
    CHECK(h->trap("non_null", {i32(0)}) == "null reference");
    CHECK(h->num("on_null", {i32(0), i64(5)}) == ~uint64_t{0});
    CHECK(h->num("on_null", {i32(1), i64(5)}) == 106);
    CHECK(h->num("on_non_null", {i32(0), i64(5)}) == 10);  // null: falls through to $dbl
    CHECK(h->num("on_non_null", {i32(1), i64(5)}) == 6);
    CHECK(h->num("count", {i64(1000000)}) == 500000500000ull);  // constant depth
    CHECK(h->store.exec().call_depth == 0);
  }
}
