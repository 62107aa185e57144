// The engine registry: names, "auto", errors, and that every built engine runs code.
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "engines/registry.hpp"
#include "runtime/linker.hpp"
#include "runtime/store.hpp"

using namespace wsvm;

namespace {

// (module (func (export "add") (param i32 i32) (result i32)
//   local.get 0 local.get 1 i32.add))
const std::vector<uint8_t> kAddModule = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,              // header
    0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f,        // type (i32 i32) -> i32
    0x03, 0x02, 0x01, 0x00,                                      // func 0: type 0
    0x07, 0x07, 0x01, 0x03, 'a', 'd', 'd', 0x00, 0x00,           // export "add"
    0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b,  // body
};

std::vector<std::string> built_names() {
  std::vector<std::string> out;
  for (std::string_view n : built_engine_names()) out.emplace_back(n);
  return out;
}

}  // namespace

TEST_CASE("engines: the interpreter is always built; every built name is a known one") {
  CHECK(engine_is_built("interp"));
  CHECK(built_engine_names().front() == "interp");
  for (std::string_view n : built_engine_names()) CHECK(is_engine_name(n));
  CHECK(is_engine_name("auto"));
  CHECK_FALSE(is_engine_name("fast"));
  CHECK_FALSE(engine_is_built("auto"));
}

TEST_CASE("engines: auto is the JIT where it is built, else the interpreter") {
  CHECK(auto_engine_name() == (engine_is_built("jit") ? "jit" : "interp"));
  auto e = make_engine("auto");
  REQUIRE(e.has_value());
  CHECK(std::string((*e)->name()) == auto_engine_name());
}

TEST_CASE("engines: an unknown name and an engine not built here are one-line errors") {
  auto unknown = make_engine("fast");
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error() == "unknown engine 'fast' (expected interp, jit or auto)");
  if (!engine_is_built("jit")) {
    auto jit = make_engine("jit");
    REQUIRE_FALSE(jit.has_value());
    CHECK(jit.error() ==
          "the jit engine is not built here (it needs x86-64 and libasmjit; use --engine interp)");
  }
}

TEST_CASE("engines: jit compile modes by name") {
  CHECK(parse_jit_compile("eager") == JitCompile::Eager);
  CHECK(parse_jit_compile("parallel") == JitCompile::Parallel);
  CHECK(parse_jit_compile("lazy") == JitCompile::Lazy);
  CHECK_FALSE(parse_jit_compile("default").has_value());
  CHECK_FALSE(parse_jit_compile("").has_value());
}

TEST_CASE("engines: every built engine compiles and runs a module, with and without fuel") {
  const std::string name = GENERATE(from_range(built_names()));
  const bool fuel = GENERATE(false, true);
  INFO(name << (fuel ? " with fuel" : ""));
  auto engine = make_engine(name, EngineConfig{.fuel = fuel});
  REQUIRE(engine.has_value());
  CHECK(std::string((*engine)->name()) == name);
  auto compiled = compile_module(**engine, kAddModule);
  REQUIRE(compiled.has_value());
  Store store(**engine);
  if (fuel) store.set_fuel(1000);
  Linker linker;
  auto inst = linker.instantiate(store, *compiled);
  REQUIRE(inst.has_value());
  auto add = (*inst)->find_export("add");
  REQUIRE(add.has_value());
  const Value args[] = {Value::from_i32(40), Value::from_i32(2)};
  auto results = store.invoke(add->func, args);
  REQUIRE(results.has_value());
  REQUIRE(results->size() == 1);
  CHECK((*results)[0].i32 == 42);
  if (fuel) CHECK(store.fuel_consumed() > 0);
}
