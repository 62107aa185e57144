// Exception handling in the JIT (jit/exceptions.hpp), against the interpreter, in every compile
// mode: what the spec scripts do not reach. A catch to a loop header whose locals live in
// registers (the catch stub), a local set right before the throw, values under the try, a catch
// to the function's own label, the call depth after unwinding 15,000 frames, exceptions thrown
// by a host function and through a host function re-entering the module, a foreign tail call
// inside a try (the throw is the caller's), a helper's trap flag after a caught exception,
// payloads of every type, nested legacy rethrow, and the traps.
#include "jit/tests/jit_harness.hpp"
#include "text/text.hpp"

using namespace wsvm;
using namespace wsvm::jit_test;

namespace {

constexpr const char* kModule = R"((module
  (import "host" "throw_e" (func $host_throw (param i32)))
  (import "host" "reenter" (func $reenter (param i32) (result i32)))
  (tag $e (export "e") (param i32))
  (tag $wide (param i64 f64 v128 f32))
  (tag $none)
  (table $t 2 funcref)
  (func $maybe (param i32)
    (if (i32.lt_u (local.get 0) (i32.const 5)) (then (throw $e (local.get 0)))))
  ;; a catch to a loop header: the loop keeps $acc and $i in registers
  (func (export "loop_retry") (result i32) (local $i i32) (local $acc i32)
    (local.set $acc (i32.const 1000))
    (i32.const 0)
    (loop $l (param i32)
      (local.set $acc (i32.add (local.get $acc)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (try_table (catch $e $l) (call $maybe (local.get $i))))
    (i32.add (local.get $acc) (local.get $i)))
  (func (export "dirty") (result i32) (local $x i32)
    (block $h
      (try_table (catch_all $h)
        (local.set $x (i32.const 7))
        (throw $e (i32.const 1))))
    (local.get $x))
  ;; 100 stays under the try; the handler is in the throwing frame
  (func (export "under") (param $v i32) (result i32)
    (i32.const 100)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (throw $e (i32.mul (local.get $v) (i32.const 3)))))
    (i32.add))
  ;; a catch to the function's label: the payload is the result
  (func (export "to_results") (param $v i32) (result i32)
    (try_table (catch $e 0) (call $maybe (local.get $v)))
    (i32.const -1))
  (func $deep (param $n i32)
    (if (i32.eqz (local.get $n)) (then (throw $e (i32.const 9))))
    (call $deep (i32.sub (local.get $n) (i32.const 1))))
  ;; five unwinds of 15,000 frames each under a depth limit of 20,000
  (func (export "depth") (result i32) (local $k i32) (local $sum i32)
    (loop $again
      (block $h (result i32)
        (try_table (catch $e $h) (call $deep (i32.const 15000)))
        (i32.const 0))
      (local.set $sum (i32.add (local.get $sum)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $k) (i32.const 5))))
    (local.get $sum))
  (func (export "from_host") (param $v i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $host_throw (local.get $v)))
      (i32.const -1)))
  (func (export "thrower") (param $v i32) (result i32)
    (throw $e (i32.add (local.get $v) (i32.const 1))))
  (func (export "through_host") (param $v i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (drop (call $reenter (local.get $v))))
      (i32.const -1)))
  ;; the tail call has left this function's try: the caller's handler takes the exception
  (func $tail_host (param $v i32)
    (block $h
      (try_table (catch_all $h) (return_call $host_throw (local.get $v))))
    (unreachable))
  (func (export "tail_outside") (param $v i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $tail_host (local.get $v)))
      (i32.const -1)))
  ;; a caught exception leaves no trap behind for the next helper that checks
  (func (export "then_table") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $host_throw (i32.const 4)))
      (i32.const -1))
    (drop)
    (ref.is_null (table.get $t (i32.const 1))))
  (func (export "wide") (result i64)
    (local $a i64) (local $b f64) (local $v v128) (local $c f32)
    (block $h (result i64 f64 v128 f32)
      (try_table (catch $wide $h)
        (throw $wide (i64.const 5) (f64.const 2.5) (v128.const i32x4 1 2 3 4) (f32.const 0.5)))
      (unreachable))
    (local.set $c) (local.set $v) (local.set $b) (local.set $a)
    (i64.add (i64.add (local.get $a) (i64.trunc_f64_s (f64.mul (local.get $b) (f64.const 4))))
             (i64.add (i64.extend_i32_u (i32x4.extract_lane 3 (local.get $v)))
                      (i64.trunc_f32_s (f32.mul (local.get $c) (f32.const 8))))))
  ;; catch_ref keeps the exception; throw_ref throws it again
  (func (export "ref_again") (param $v i32) (result i32)
    (block $outer (result i32)
      (try_table (result i32) (catch $e $outer)
        (block $h (result i32 exnref)
          (try_table (catch_ref $e $h) (call $maybe (local.get $v)))
          (return (i32.const -1)))
        (throw_ref)
        (unreachable))))
  ;; nested legacy arms: rethrow 1 names the outer arm (the second hidden word)
  (func (export "rethrow_outer") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (throw $e (i32.const 21)))
          (catch $e
            (drop)
            (try (result i32)
              (do (throw $none))
              (catch_all (rethrow 1))))))
      (catch $e (i32.mul (i32.const 2)))))
  (func (export "uncaught") (throw $none))
  (func (export "null_ref") (throw_ref (ref.null exn)))
))";

}  // namespace

TEST_CASE("jit exception handling against the interpreter") {
  auto bytes = text::wat_to_wasm(kModule);
  if (!bytes) FAIL(bytes.error().message);
  const JitCompile mode = GENERATE(JitCompile::Eager, JitCompile::Parallel, JitCompile::Lazy);
  INFO("mode " << static_cast<int>(mode));
  Harness in(false), jt(true, EngineConfig{.jit_compile = mode});
  for (Harness* h : {&in, &jt}) {
    h->host("throw_e", FuncType{{ValType::I32}, {}},
            [h](HostContext& hc, uint64_t* s) -> std::optional<Trap> {
              uint64_t payload[1] = {s[0] * 10};
              Trap t = Trap::make(TrapKind::UncaughtException);
              t.exception = reinterpret_cast<uint64_t>(hc.store.new_exception(h->inst->tags[0], payload));
              return t;
            });
    h->host("reenter", FuncType{{ValType::I32}, {ValType::I32}},
            [h](HostContext& hc, uint64_t* s) -> std::optional<Trap> {
              uint64_t slots[1] = {s[0]};
              if (auto t = hc.store.call_slots(h->inst->find_func("thrower"), slots, nullptr)) return t;
              s[0] = slots[0];
              return std::nullopt;
            });
    h->load_bytes(*bytes);
  }
  for (Harness* h : {&in, &jt}) {
    INFO((h == &in ? "interp" : "jit"));
    CHECK(h->num("loop_retry") == 1015);
    CHECK(h->num("dirty") == 7);
    CHECK(h->num("under", {i32(5)}) == 115);
    CHECK(h->num("to_results", {i32(3)}) == 3);
    CHECK(h->num("to_results", {i32(8)}) == 0xffffffffu);
    CHECK(h->num("depth") == 45);
    CHECK(h->num("from_host", {i32(4)}) == 40);
    CHECK(h->num("through_host", {i32(4)}) == 5);
    CHECK(h->num("tail_outside", {i32(2)}) == 20);
    CHECK(h->num("then_table") == 1);
    CHECK(h->num("wide") == 23);
    CHECK(h->num("ref_again", {i32(2)}) == 2);
    CHECK(h->num("ref_again", {i32(7)}) == 0xffffffffu);
    CHECK(h->num("rethrow_outer") == 42);
    CHECK(h->trap("uncaught") == "uncaught exception");
    CHECK(h->trap("null_ref") == "null exception reference");
    CHECK(h->num("depth") == 45);  // the call depth is back where it was
  }
}
