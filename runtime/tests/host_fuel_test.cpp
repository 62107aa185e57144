// Host fuel (runtime/host_fuel.hpp) on every engine: a host function's charge for its bytes
// comes on top of the wasm code's own cost, exactly and in the same amount in every engine;
// without enough fuel the call traps OutOfFuel with the fuel left unchanged and the work not
// done; a Store whose fuel is not metered is never charged.
#include "runtime/host_fuel.hpp"
#include "runtime/linker.hpp"
#include "runtime/tests/limits_support.hpp"
#include "runtime/tests/test_engine.hpp"

using namespace wsvm;
using namespace wsvm::test;

namespace {

struct HostFuelFixture {
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Store> store;
  Instance* inst = nullptr;
  uint64_t work_done = 0;  // bytes the host function went on to "process"

  HostFuelFixture(const std::string& engine_name, bool fuel) {
    engine = make_engine_named(engine_name, EngineConfig{.fuel = fuel, .interruptible = true});
    REQUIRE(engine);
    store = std::make_unique<Store>(*engine);
    FuncType type{{ValType::I32}, {}};
    FuncInstance* work = store->create_host_func(
        type, [this](HostContext& hc, uint64_t* slots) -> std::optional<Trap> {
          auto bytes = static_cast<uint32_t>(slots[0]);
          if (auto trap = charge_host_bytes(hc.exec, bytes)) return trap;
          work_done += bytes;
          return std::nullopt;
        });
    Linker linker;
    Extern ext;
    ext.kind = ExternKind::Func;
    ext.func = work;
    linker.define("env", "work", ext);
    auto r = linker.instantiate(*store, compile_fixture(*engine, "host_fuel"));
    if (!r) FAIL(r.error().to_string());
    inst = *r;
  }

  std::expected<std::vector<Value>, Trap> run(uint32_t bytes) {
    return store->invoke(inst->find_func("run"), std::vector<Value>{Value::from_i32(bytes)});
  }
};

}  // namespace

TEST_CASE("host fuel: a unit per 64 bytes, rounded up", "[limits][host-fuel]") {
  CHECK(host_fuel_for_bytes(0) == 0);
  CHECK(host_fuel_for_bytes(1) == 1);
  CHECK(host_fuel_for_bytes(64) == 1);
  CHECK(host_fuel_for_bytes(65) == 2);
  CHECK(host_fuel_for_bytes(UINT64_MAX) == UINT64_MAX / 64 + 1);
}

TEST_CASE("host fuel: charged on top of the code's cost, the same in every engine",
          "[limits][host-fuel]") {
  auto name = GENERATE(from_range(limit_engine_names()));
  INFO("engine " << name);
  HostFuelFixture fx(name, true);
  fx.store->set_fuel(1000);
  REQUIRE(fx.run(640));  // 2 for the code, 10 for 640 bytes
  CHECK(fx.store->fuel_consumed() == 12);
  REQUIRE(fx.run(65));  // 2 + 2
  CHECK(fx.store->fuel_consumed() == 16);
  REQUIRE(fx.run(0));  // the code only
  CHECK(fx.store->fuel_consumed() == 18);
  CHECK(fx.work_done == 705);
}

TEST_CASE("host fuel: without enough, the call traps and does nothing", "[limits][host-fuel]") {
  auto name = GENERATE(from_range(limit_engine_names()));
  INFO("engine " << name);
  HostFuelFixture fx(name, true);
  fx.store->set_fuel(12);  // 2 for the code leaves 10: 641 bytes need 11
  auto r = fx.run(641);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TrapKind::OutOfFuel);
  CHECK(fx.store->fuel_remaining() == 10);
  CHECK(fx.work_done == 0);
  REQUIRE(fx.run(512));  // 2 + 8: exactly the 10 left
  CHECK(fx.store->fuel_remaining() == 0);
  CHECK(fx.work_done == 512);
}

TEST_CASE("host fuel: a Store without metered fuel is never charged", "[limits][host-fuel]") {
  auto name = GENERATE(from_range(limit_engine_names()));
  INFO("engine " << name);
  HostFuelFixture fx(name, false);
  REQUIRE(fx.run(1u << 30));
  CHECK(fx.work_done == 1u << 30);
  CHECK(fx.store->fuel_consumed() == 0);
}
