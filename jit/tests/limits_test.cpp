// Fuel and stack limits under the JIT: counts must equal the interpreter's exactly (limits
// contract in runtime/store.hpp).
#include "jit/tests/jit_harness.hpp"
#include "text/text.hpp"

using namespace wsvm;
using namespace wsvm::jit_test;

namespace {
struct FuelRun {
  std::string outcome;
  int64_t remaining;
};
FuelRun run_with_fuel(Harness& h, const std::string& fn, std::vector<Value> args, int64_t fuel) {
  h.store.exec().fuel_remaining = fuel;
  auto r = h.call(fn, std::move(args));
  return {show(r), h.store.exec().fuel_remaining};
}
}  // namespace

TEST_CASE("jit: fuel consumption equals the interpreter's") {
  EngineConfig cfg;
  cfg.fuel = true;
  Harness in(false, cfg), jt(true, cfg);
  in.load("control");
  jt.load("control");
  struct Case { const char* fn; std::vector<Value> args; };
  std::vector<Case> cases = {
      {"fac", {i64(10)}},          {"fac_loop", {i64(10)}},     {"fib", {i32(12)}},
      {"br_table", {i32(2)}},      {"br_table", {i32(9)}},      {"br_table_value", {i32(1)}},
      {"br_if_value", {i32(0)}},   {"br_if_value", {i32(1)}},   {"multi_block", {i32(0)}},
      {"loop_params", {i32(7)}},   {"nested_if", {i32(1), i32(0)}}, {"if_no_else", {i32(0)}},
      {"early_return", {i32(2)}},  {"early_return", {i32(5)}},  {"sum_loop", {i32(50)}},
      {"unreachable_after_br", {i32(3)}}, {"trap_unreachable", {}},
  };
  for (const Case& c : cases) {
    INFO(c.fn);
    FuelRun a = run_with_fuel(in, c.fn, c.args, 1'000'000);
    FuelRun b = run_with_fuel(jt, c.fn, c.args, 1'000'000);
    CHECK(a.outcome == b.outcome);
    CHECK(a.remaining == b.remaining);
    CHECK(a.remaining < 1'000'000);
    // Every budget below the total: both run out at the same point with the same leftover.
    int64_t used = 1'000'000 - a.remaining;
    for (int64_t budget = 0; budget <= used; budget += std::max<int64_t>(1, used / 40)) {
      INFO("budget " << budget);
      FuelRun x = run_with_fuel(in, c.fn, c.args, budget);
      FuelRun y = run_with_fuel(jt, c.fn, c.args, budget);
      CHECK(x.outcome == y.outcome);
      CHECK(x.remaining == y.remaining);
    }
  }
  CHECK(jt.store.exec().call_depth == 0);
}

TEST_CASE("jit: fuel in arithmetic and memory code") {
  EngineConfig cfg;
  cfg.fuel = true;
  for (const char* module : {"arith", "memory", "calls"}) {
    Harness in(false, cfg), jt(true, cfg);
    in.load(module);
    jt.load(module);
    for (const Export& e : in.inst->module().exports) {
      if (e.kind != ExternKind::Func) continue;
      const FuncType& ft = in.inst->module().func_type(e.index);
      std::vector<Value> args;
      for (ValType t : ft.params) args.push_back(samples(t)[1]);
      INFO(module << " " << e.name);
      FuelRun a = run_with_fuel(in, e.name, args, 100000);
      FuelRun b = run_with_fuel(jt, e.name, args, 100000);
      CHECK(a.outcome == b.outcome);
      CHECK(a.remaining == b.remaining);
    }
  }
}

TEST_CASE("jit: --max-stack bounds the machine stack") {
  StoreLimits small;
  small.max_stack_bytes = 64 << 10;
  small.max_call_depth = 1000000;
  Harness h(true, {}, small);
  h.load("control");
  CHECK(h.trap("deep", {i32(100000)}) == "call stack exhausted");
  CHECK(h.num("deep", {i32(100)}) == 100);
  StoreLimits depth;
  depth.max_call_depth = 50;
  Harness d(true, {}, depth);
  d.load("control");
  CHECK(d.trap("deep", {i32(60)}) == "call stack exhausted");
  CHECK(d.num("deep", {i32(40)}) == 40);
  CHECK(d.store.exec().call_depth == 0);
}

// Bulk memory and table operations cost their length on a metered Store (runtime/bulk_ops.hpp:
// one unit per 64 bytes, per 8 elements, rounded up), the same in both engines; without the
// fuel for it the operation traps and does nothing.
TEST_CASE("jit vs interp: bulk operations charge fuel by length") {
  auto bytes = text::wat_to_wasm(R"((module
    (memory 2) (table $t 64 200 funcref) (func $f)
    (data $d "0123456789012345678901234567890123456789012345678901234567890123456789")
    (elem $e func $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f)
    (func (export "fill") (param i32) (memory.fill (i32.const 0) (i32.const 7) (local.get 0)))
    (func (export "copy") (param i32) (memory.copy (i32.const 100) (i32.const 0) (local.get 0)))
    (func (export "init") (param i32) (memory.init $d (i32.const 0) (i32.const 0) (local.get 0)))
    (func (export "tfill") (param i32) (table.fill $t (i32.const 0) (ref.null func) (local.get 0)))
    (func (export "tcopy") (param i32) (table.copy $t $t (i32.const 1) (i32.const 0) (local.get 0)))
    (func (export "tinit") (param i32) (table.init $t $e (i32.const 0) (i32.const 0) (local.get 0)))
    (func (export "tgrow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
    (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0))))
  )");
  REQUIRE(bytes.has_value());
  EngineConfig cfg;
  cfg.fuel = true;
  struct Case { const char* fn; uint32_t n; uint64_t extra; };
  const Case cases[] = {
      {"fill", 1, 1},   {"fill", 64, 1},  {"fill", 65, 2},  {"fill", 131072, 2048},
      {"copy", 128, 2}, {"init", 70, 2},  {"init", 63, 1},  {"tfill", 8, 1},
      {"tfill", 9, 2},  {"tcopy", 63, 8}, {"tinit", 20, 3}, {"tgrow", 17, 3},
  };
  for (bool jit : {false, true}) {
    INFO((jit ? "jit" : "interp"));
    for (const Case& c : cases) {
      INFO(c.fn << " " << c.n);
      auto used = [&](uint32_t n) {
        Harness h(jit, cfg);
        h.load_bytes(*bytes);
        h.store.set_fuel(1'000'000);
        auto r = h.call(c.fn, {i32(n)});
        REQUIRE(r.has_value());
        return h.store.fuel_consumed();
      };
      CHECK(used(c.n) - used(0) == c.extra);
    }
    // Not enough fuel for the fill: OutOfFuel, nothing written, fuel as before the fill.
    Harness h(jit, cfg);
    h.load_bytes(*bytes);
    h.store.set_fuel(100);
    auto r = h.call("fill", {i32(65536)});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == TrapKind::OutOfFuel);
    h.store.set_fuel(1000);
    CHECK(h.num("byte", {i32(0)}) == 0);
    // A table.grow past the maximum returns -1 and costs nothing extra.
    h.store.set_fuel(1000);
    CHECK(h.num("tgrow", {i32(1000)}) == 0xffffffffu);
    const uint64_t failed = h.store.fuel_consumed();
    h.store.set_fuel(1000);
    CHECK(h.num("tgrow", {i32(0)}) == 64u);
    CHECK(h.store.fuel_consumed() == failed);
  }
}
