// Instantiation and calls through the real engines, every built one (engines/).
#include <cstring>
#include <string>
#include <vector>

#include "engines/registry.hpp"
#include "runtime/linker.hpp"
#include "runtime/tests/test_engine.hpp"

using namespace wsvm;
using namespace wsvm::test;

namespace {

// One section per built engine (GENERATE), so each test case runs in every tier.
std::unique_ptr<Engine> each_engine() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (std::string_view n : built_engine_names()) v.emplace_back(n);
    return v;
  }();
  const std::string name = GENERATE(from_range(names));
  auto engine = make_engine(name);
  REQUIRE(engine.has_value());
  return std::move(*engine);
}

}  // namespace

TEST_CASE("engines: the start function runs during instantiation") {
  auto engine = each_engine();
  Store store(*engine);
  Linker linker;
  auto r = linker.instantiate(store, compile_fixture(*engine, "start"));
  if (!r) FAIL(r.error().to_string());
  Instance* inst = *r;
  MemoryInstance* mem = inst->find_export("mem")->memory;
  CHECK(mem->mem->base()[8] == 0x2a);
  CHECK(inst->find_export("g")->global->get().i32 == 7);
}

TEST_CASE("engines: a trapping start function is uninstantiable; its writes stay") {
  auto engine = each_engine();
  Store store(*engine);
  Linker linker;
  MemoryInstance* mem = *store.create_memory(MemoryType{Limits{1, {}}});
  linker.define("env", "mem", extern_of(mem));
  auto r = linker.instantiate(store, compile_fixture(*engine, "start_trap"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::Uninstantiable);
  CHECK(r.error().message.rfind("unreachable", 0) == 0);
  CHECK(mem->mem->base()[0] == 99);
  CHECK(store.exec().call_depth == 0);
}

TEST_CASE("engines: wasm calls a host function; table.init at run time") {
  auto engine = each_engine();
  StoreLimits limits;
  limits.max_call_depth = 500;
  Store store(*engine, limits);
  Linker linker;
  Instance* seen_caller = nullptr;
  linker.define("env", "twice",
                extern_of(store.create_host_func(FuncType{{ValType::I32}, {ValType::I32}},
                                                 [&](HostContext& ctx, uint64_t* s) {
                                                   seen_caller = ctx.caller;
                                                   s[0] = static_cast<uint32_t>(s[0]) * 2;
                                                   return std::optional<Trap>{};
                                                 })));
  auto r = linker.instantiate(store, compile_fixture(*engine, "calls"));
  if (!r) FAIL(r.error().to_string());
  Instance* inst = *r;

  Value args[] = {Value::from_i32(3), Value::from_i32(4)};
  auto sum = store.invoke(inst->find_func("add"), args);
  if (!sum) FAIL(sum.error().message);
  CHECK((*sum)[0].i32 == 14);
  CHECK(seen_caller == inst);

  Value bad[] = {Value::from_i32(3), Value::from_i64(4)};
  auto mismatch = store.invoke(inst->find_func("add"), bad);
  REQUIRE_FALSE(mismatch.has_value());
  CHECK(mismatch.error().kind == TrapKind::Host);

  Value one[] = {Value::from_i32(1)};
  CHECK((*store.invoke(inst->find_func("is_null"), one))[0].i32 == 1);
  CHECK(store.invoke(inst->find_func("init"), one).has_value());
  CHECK((*store.invoke(inst->find_func("is_null"), one))[0].i32 == 0);
  Value two[] = {Value::from_i32(2)};
  auto oob = store.invoke(inst->find_func("init"), two);
  REQUIRE_FALSE(oob.has_value());
  CHECK(oob.error().message == "out of bounds table access");

  auto deep = store.invoke(inst->find_func("rec"), {});
  REQUIRE_FALSE(deep.has_value());
  CHECK(deep.error().message == "call stack exhausted");
  CHECK(store.exec().call_depth == 0);
}
