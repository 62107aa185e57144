// The async canonical ABI beyond the reference scripts, in every engine: an async task runs on
// its own fiber, whose stack has the same limits as the main one (deep recursion traps, never
// crashes); a blocked task gives its caller control back; hostile handle indices and callback
// codes trap with one message; an instance dropped while its tasks are suspended stops them.
#include <catch2/catch.hpp>

#include <string>

#include "component/instance.hpp"
#include "engines/registry.hpp"
#include "text/component_text.hpp"

using namespace wsvm;
using namespace wsvm::component;

namespace {

// $C.wait blocks on a waitable set until $C.go (a separate call) writes a future it joined;
// $C.deep recurses without end inside an async task; $C.bad waits on a hostile index.
const char* kComponent = R"((component
  (core module $Memory (memory (export "mem") 1))
  (core instance $memory (instantiate $Memory))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "waitable-set.new" (func $ws.new (result i32)))
    (import "" "waitable-set.wait" (func $ws.wait (param i32 i32) (result i32)))
    (import "" "waitable.join" (func $join (param i32 i32)))
    (import "" "future.new" (func $future.new (result i64)))
    (import "" "future.write" (func $future.write (param i32 i32) (result i32)))
    (import "" "future.read" (func $future.read (param i32 i32) (result i32)))
    (import "" "thread.new-indirect" (func $thread.new (param i32 i32) (result i32)))
    (import "" "thread.resume-later" (func $resume-later (param i32)))
    (global $rx (mut i32) (i32.const 0))
    (global $tx (mut i32) (i32.const 0))
    (func $deep (export "deep") (param i32) (result i32)
      (i32.add (call $deep (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
    (func (export "wait") (result i32)
      (local $ws i32) (local $f i64)
      (local.set $f (call $future.new))
      (global.set $rx (i32.wrap_i64 (local.get $f)))
      (global.set $tx (i32.wrap_i64 (i64.shr_u (local.get $f) (i64.const 32))))
      (if (i32.ne (call $future.read (global.get $rx) (i32.const 0)) (i32.const -1)) (then unreachable))
      (local.set $ws (call $ws.new))
      (call $join (global.get $rx) (local.get $ws))
      (drop (call $ws.wait (local.get $ws) (i32.const 16)))
      (i32.load8_u (i32.const 0)))
    (func (export "go") (result i32)
      (i32.store8 (i32.const 8) (i32.const 42))
      (call $future.write (global.get $tx) (i32.const 8)))
    (func (export "bad") (result i32)
      (call $ws.wait (i32.const 0x7fffffff) (i32.const 0)))
    (func (export "bad-thread") (result i32)
      (call $thread.new (i32.const 5) (i32.const 0)))
    (func (export "bad-resume") (result i32)
      (call $resume-later (i32.const 99)) (i32.const 0)))
  (type $FT (future u8))
  (canon waitable-set.new (core func $ws.new))
  (canon waitable-set.wait (memory (core memory $memory "mem")) (core func $ws.wait))
  (canon waitable.join (core func $join))
  (canon future.new $FT (core func $future.new))
  (canon future.write $FT async (memory (core memory $memory "mem")) (core func $future.write))
  (canon future.read $FT async (memory (core memory $memory "mem")) (core func $future.read))
  (core type $start (func (param i32)))
  (core module $Tbl (table (export "t") 1 funcref))
  (core instance $tbl (instantiate $Tbl))
  (alias core export $tbl "t" (core table $t))
  (canon thread.new-indirect $start (core table $t) (core func $thread.new))
  (canon thread.resume-later (core func $resume-later))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $memory "mem"))
    (export "waitable-set.new" (func $ws.new))
    (export "waitable-set.wait" (func $ws.wait))
    (export "waitable.join" (func $join))
    (export "future.new" (func $future.new))
    (export "future.write" (func $future.write))
    (export "future.read" (func $future.read))
    (export "thread.new-indirect" (func $thread.new))
    (export "thread.resume-later" (func $resume-later))))))
  (func (export "deep") async (param "n" u32) (result u32) (canon lift (core func $m "deep")))
  (func (export "wait") async (result u8) (canon lift (core func $m "wait")))
  (func (export "go") async (result u32) (canon lift (core func $m "go")))
  (func (export "bad") async (result u32) (canon lift (core func $m "bad")))
  (func (export "bad-thread") async (result u32) (canon lift (core func $m "bad-thread")))
  (func (export "bad-resume") async (result u32) (canon lift (core func $m "bad-resume")))
))";

std::unique_ptr<ComponentInstance> make(Store& store) {
  auto bytes = text::component_wat_to_wasm(kComponent);
  if (!bytes) FAIL(bytes.error().to_string());
  auto c = decode_component(*bytes);
  REQUIRE(c);
  auto inst = instantiate(store, *c, ComponentLinker{});
  if (!inst) FAIL(inst.error().to_string());
  return std::move(*inst);
}

}  // namespace

TEST_CASE("async tasks on fibers: stack limits, blocking, hostile indices, teardown") {
  for (std::string_view engine_name : built_engine_names()) {
    INFO("engine " << engine_name);
    auto engine = make_engine(engine_name);
    REQUIRE(engine);
    {
      Store store(**engine);
      auto inst = make(store);
      // Unbounded recursion on a fiber's stack: the engines' stack limit, not a crash.
      auto deep = inst->call("deep", std::vector<Val>{Val::u32(0)});
      REQUIRE_FALSE(deep);
      CHECK(deep.error().message.find("call stack exhausted") != std::string::npos);
    }
    {
      Store store(**engine);
      auto inst = make(store);
      // A waiting task with nothing to wake it: the host's event loop says so.
      auto w = inst->call("wait", {});
      REQUIRE_FALSE(w);
      CHECK(w.error().message == "deadlock detected: event loop cannot make further progress");
      // The instance goes with its task suspended on its fiber: stopped, no hang.
    }
    {
      Store store(**engine);
      auto inst = make(store);
      auto bad = inst->call("bad", {});
      REQUIRE_FALSE(bad);
      CHECK(bad.error().message == "unknown handle index 2147483647");
    }
    for (auto [name, message] : {std::pair{"bad-thread", "thread.new-indirect: table index 5 out of bounds"},
                                 std::pair{"bad-resume", "unknown thread index 99"}}) {
      Store store(**engine);
      auto inst = make(store);
      auto r = inst->call(name, {});
      REQUIRE_FALSE(r);
      CHECK(r.error().message == message);
    }
  }
}
