// Fuel and stack limits under the JIT: counts must equal the interpreter's exactly (limits
// contract in runtime/store.hpp).
#include "jit/tests/jit_harness.hpp"

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
