// The limits contract (above ExecContext in runtime/store.hpp) through the embedding API, on
// every engine of limit_engine_names(): interruption by a Deadline, exact fuel, the wasm stack
// limit, host <-> wasm re-entry, memory limits.
#include <chrono>
#include <thread>

#include "runtime/deadline.hpp"
#include "runtime/linker.hpp"
#include "runtime/tests/limits_support.hpp"
#include "runtime/tests/test_engine.hpp"

using namespace wsvm;
using namespace wsvm::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Fixture {
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Store> store;
  Instance* inst = nullptr;

  Fixture(const std::string& engine_name, EngineConfig config, StoreLimits limits = {},
          const char* fixture = "limits") {
    engine = make_engine_named(engine_name, config);
    REQUIRE(engine);
    store = std::make_unique<Store>(*engine, limits);
    Linker linker;
    auto r = linker.instantiate(*store, compile_fixture(*engine, fixture));
    if (!r) FAIL(r.error().to_string());
    inst = *r;
  }

  std::expected<std::vector<Value>, Trap> call(const char* name, std::vector<Value> args) {
    FuncInstance* f = inst->find_func(name);
    REQUIRE(f);
    return store->invoke(f, args);
  }
};

Value i32(uint32_t v) { return Value::from_i32(v); }

}  // namespace

TEST_CASE("interrupt: a Deadline stops an infinite loop", "[limits]") {
  auto name = GENERATE(from_range(limit_engine_names()));
  INFO("engine " << name);
  Fixture fx(name, EngineConfig{.fuel = false, .interruptible = true});
  auto start = Clock::now();
  Deadline d(*fx.store, 100ms);
  auto r = fx.call("spin", {});
  auto end = Clock::now();
  d.cancel();
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TrapKind::Interrupted);
  CHECK(r.error().message == "interrupted");
  CHECK(end - start >= 100ms);
  CHECK(end - start < 2s);
  CHECK(fx.store->exec().call_depth == 0);
  // The request stays: the next call traps at its first check. Cleared, calls work again.
  auto again = fx.call("count", {i32(3)});
  REQUIRE_FALSE(again);
  CHECK(again.error().kind == TrapKind::Interrupted);
  fx.store->clear_interrupt();
  auto ok = fx.call("count", {i32(3)});
  REQUIRE(ok);
  CHECK((*ok)[0].i32 == 3);
}

TEST_CASE("interrupt: function entries are checked (a call tree without loops)", "[limits]") {
  auto name = GENERATE(from_range(limit_engine_names()));
  INFO("engine " << name);
  Fixture fx(name, EngineConfig{.fuel = false, .interruptible = true});
  Deadline d(*fx.store, 50ms);
  auto r = fx.call("tree", {i32(60)});
  d.cancel();
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TrapKind::Interrupted);
}

TEST_CASE("interrupt: a start function is interruptible; the Linker keeps the trap", "[limits]") {
  auto name = GENERATE(from_range(limit_engine_names()));
  INFO("engine " << name);
  auto engine = make_engine_named(name, EngineConfig{.fuel = false, .interruptible = true});
  Store store(*engine);
  Linker linker;
  Deadline d(store, 50ms);
  auto r = linker.instantiate(store, compile_fixture(*engine, "start_spin"));
  d.cancel();
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Uninstantiable);
  REQUIRE(linker.last_trap());
  CHECK(linker.last_trap()->kind == TrapKind::Interrupted);
}

TEST_CASE("fuel: exact counts from the contract; out of fuel leaves the rest", "[limits]") {
  auto name = GENERATE(from_range(limit_engine_names()));
  INFO("engine " << name);
  Fixture fx(name, EngineConfig{.fuel = true, .interruptible = true});
  // count(n) costs 8n + 1 (tests/limits/fuel.wat has the hand count).
  for (uint32_t n : {1u, 2u, 10u, 1000u}) {
    fx.store->set_fuel(1000000);
    auto r = fx.call("count", {i32(n)});
    REQUIRE(r);
    CHECK((*r)[0].i32 == n);
    CHECK(fx.store->fuel_consumed() == 8 * n + 1);
  }
  fx.store->set_fuel(80);  // count(10) needs 81: the last region (1 unit) cannot start
  auto r = fx.call("count", {i32(10)});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TrapKind::OutOfFuel);
  CHECK(r.error().message == "out of fuel");
  CHECK(fx.store->fuel_remaining() == 0);
  CHECK(fx.store->fuel_consumed() == 80);
  fx.store->set_fuel(83);  // 81 used, 2 left
  REQUIRE(fx.call("count", {i32(10)}));
  CHECK(fx.store->fuel_remaining() == 2);
  // A region of 8 with 2 left: not started, the 2 stay.
  auto short_of = fx.call("count", {i32(10)});
  REQUIRE_FALSE(short_of);
  CHECK(short_of.error().kind == TrapKind::OutOfFuel);
  CHECK(fx.store->fuel_remaining() == 2);
  fx.store->add_fuel(79);
  REQUIRE(fx.call("count", {i32(10)}));
  CHECK(fx.store->fuel_remaining() == 0);
  // An infinite loop runs out too.
  fx.store->set_fuel(12345);
  auto spin = fx.call("spin", {});
  REQUIRE_FALSE(spin);
  CHECK(spin.error().kind == TrapKind::OutOfFuel);
}

TEST_CASE("fuel: the same count on every run", "[limits]") {
  auto name = GENERATE(from_range(limit_engine_names()));
  INFO("engine " << name);
  uint64_t counts[2] = {};
  for (uint64_t& c : counts) {
    Fixture fx(name, EngineConfig{.fuel = true, .interruptible = true});
    fx.store->set_fuel(UINT64_MAX);
    auto r = fx.call("tree", {i32(12)});
    REQUIRE(r);
    c = fx.store->fuel_consumed();
  }
  CHECK(counts[0] > 4096);
  CHECK(counts[0] == counts[1]);
}

TEST_CASE("stack: max_stack_bytes decides how deep wasm may recurse", "[limits]") {
  auto name = GENERATE(from_range(limit_engine_names()));
  INFO("engine " << name);
  auto run_depth = [&](uint64_t stack_bytes, uint32_t depth) {
    StoreLimits limits;
    limits.max_stack_bytes = stack_bytes;
    limits.max_call_depth = 1u << 30;  // the byte limit must be what stops it
    Fixture fx(name, EngineConfig{}, limits);
    auto r = fx.call("depth", {i32(depth)});
    CHECK(fx.store->exec().call_depth == 0);
    return r;
  };
  auto deep = run_depth(4 << 20, 5000);
  REQUIRE(deep);
  CHECK((*deep)[0].i32 == 5000);
  auto shallow = run_depth(16 << 10, 5000);
  REQUIRE_FALSE(shallow);
  CHECK(shallow.error().kind == TrapKind::CallStackExhausted);
  CHECK(shallow.error().message == "call stack exhausted");
  // Deeper than the default 20000 frames. 100000 frames also fit the 8 MiB machine stack of
  // this thread, which is what a JIT recurses on.
  auto huge = run_depth(64 << 20, 100000);
  REQUIRE(huge);
  CHECK((*huge)[0].i32 == 100000);
}

TEST_CASE("stack: unbounded host <-> wasm re-entry traps instead of crashing", "[limits]") {
  auto name = GENERATE(from_range(limit_engine_names()));
  INFO("engine " << name);
  auto engine = make_engine_named(name, EngineConfig{});
  StoreLimits limits;
  limits.max_call_depth = 1u << 30;  // only the native stack check is left to stop it
  Store store(*engine, limits);
  Linker linker;
  FuncInstance* enter = nullptr;
  uint32_t deepest = 0;
  linker.define("env", "reenter",
                extern_of(store.create_host_func(
                    FuncType{{ValType::I32}, {ValType::I32}},
                    [&](HostContext& ctx, uint64_t* s) -> std::optional<Trap> {
                      deepest = std::max(deepest, static_cast<uint32_t>(s[0]));
                      Value arg = Value::from_i32(static_cast<uint32_t>(s[0]));
                      auto r = ctx.store.invoke(enter, std::span<const Value>(&arg, 1));
                      if (!r) return r.error();
                      s[0] = static_cast<uint32_t>((*r)[0].i32);
                      return std::nullopt;
                    })));
  auto inst = linker.instantiate(store, compile_fixture(*engine, "reenter"));
  if (!inst) FAIL(inst.error().to_string());
  enter = (*inst)->find_func("enter");
  // On a thread with a known 8 MiB stack (std::thread's default on Linux).
  std::optional<std::expected<std::vector<Value>, Trap>> result;
  std::thread t([&] {
    Value arg = Value::from_i32(0);
    result = store.invoke(enter, std::span<const Value>(&arg, 1));
  });
  t.join();
  REQUIRE(result.has_value());
  REQUIRE_FALSE(*result);
  CHECK(result->error().kind == TrapKind::CallStackExhausted);
  CHECK(deepest > 100);  // it did recurse for a while
  CHECK(store.exec().call_depth == 0);
}

TEST_CASE("memory: the store's page limit bounds instantiation and memory.grow", "[limits]") {
  auto name = GENERATE(from_range(limit_engine_names()));
  INFO("engine " << name);
  auto engine = make_engine_named(name, EngineConfig{});
  StoreLimits limits;
  limits.max_memory_pages = 4;
  Store store(*engine, limits);
  Linker linker;
  auto r = linker.instantiate(store, compile_fixture(*engine, "limits"));
  if (!r) FAIL(r.error().to_string());
  Instance* inst = *r;
  auto grow = [&](uint32_t delta) {
    Value arg = Value::from_i32(delta);
    auto g = store.invoke(inst->find_func("grow"), std::span<const Value>(&arg, 1));
    REQUIRE(g);
    return static_cast<int32_t>((*g)[0].i32);
  };
  CHECK(grow(3) == 1);   // to the limit
  CHECK(grow(1) == -1);  // past it: -1, as the spec allows for any failure to grow
  CHECK(grow(0) == 4);
  CHECK(inst->find_export("mem")->memory->mem->pages() == 4);

  StoreLimits zero;
  zero.max_memory_pages = 0;
  Store small(*engine, zero);
  Linker l2;
  auto too_big = l2.instantiate(small, compile_fixture(*engine, "limits"));
  REQUIRE_FALSE(too_big);
  CHECK(too_big.error().kind == ErrorKind::Uninstantiable);
  CHECK(too_big.error().message ==
        "memory 0 (\"mem\") needs at least 1 page (64 KiB), over the memory limit of 0 pages (0 B)");
  CHECK_FALSE(l2.last_trap());
}
