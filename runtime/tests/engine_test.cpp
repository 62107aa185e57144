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

// Exceptions cross host calls (runtime/README.md, "Exceptions"): thrown in wasm under a host
// function, or by the host function itself, caught at the import's call site; uncaught, the
// caller gets Trap{UncaughtException} with the exnref. An engine without exception handling
// declines the module with a declared bailout (validator/walk_state.hpp, "Capabilities").
TEST_CASE("engines: an exception crosses a host function both ways") {
  auto engine = each_engine();
  Store store(*engine);
  Linker linker;
  FuncInstance* thrower = nullptr;
  TagInstance* tag = nullptr;
  linker.define("env", "call_back",
                extern_of(store.create_host_func(
                    FuncType{{ValType::I32}, {ValType::I32}},
                    [&](HostContext& ctx, uint64_t* s) -> std::optional<Trap> {
                      const auto v = static_cast<int32_t>(s[0]);
                      if (v < 0) {  // the host throws an exception of its own
                        const uint64_t payload = static_cast<uint32_t>(-v);
                        Trap t = Trap::make(TrapKind::UncaughtException);
                        t.exception =
                            reinterpret_cast<uint64_t>(ctx.store.new_exception(tag, &payload));
                        return t;
                      }
                      Value arg = Value::from_i32(v);
                      auto r = ctx.store.invoke(thrower, std::span<const Value>(&arg, 1));
                      if (!r) return r.error();  // the exception goes on to the caller
                      s[0] = static_cast<uint32_t>((*r)[0].i32);
                      return std::nullopt;
                    })));
  const std::vector<uint8_t> bytes = read_fixture("exceptions_host");
  auto compiled = compile_module(*engine, bytes);
  if (!compiled) {  // only as a declared bailout
    INFO(compiled.error().to_string());
    CHECK(compiled.error().message.find("(declared bailout") != std::string::npos);
    return;
  }
  auto r = linker.instantiate(store, *compiled);
  if (!r) FAIL(r.error().to_string());
  Instance* inst = *r;
  thrower = inst->find_func("thrower");
  tag = inst->find_export("e")->tag;

  Value five = Value::from_i32(5);
  auto caught = store.invoke(inst->find_func("catcher"), std::span<const Value>(&five, 1));
  if (!caught) FAIL(caught.error().message);
  CHECK((*caught)[0].i32 == 1005);
  Value minus = Value::from_i32(-7);
  auto host_thrown = store.invoke(inst->find_func("catcher"), std::span<const Value>(&minus, 1));
  if (!host_thrown) FAIL(host_thrown.error().message);
  CHECK((*host_thrown)[0].i32 == 1007);

  auto uncaught = store.invoke(inst->find_func("through"), std::span<const Value>(&five, 1));
  REQUIRE_FALSE(uncaught.has_value());
  CHECK(uncaught.error().kind == TrapKind::UncaughtException);
  const auto* e = reinterpret_cast<const Exception*>(uncaught.error().exception);
  REQUIRE(e != nullptr);
  CHECK(e->tag == tag);
  REQUIRE(e->payload.size() == 1);
  CHECK(e->payload[0] == 5);
  auto tail = store.invoke(inst->find_func("tail_in_try"), std::span<const Value>(&five, 1));
  REQUIRE_FALSE(tail.has_value());
  CHECK(tail.error().kind == TrapKind::UncaughtException);
  CHECK(store.exec().call_depth == 0);
}
