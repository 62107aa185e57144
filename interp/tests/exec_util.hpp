// Helpers for execution tests: load a .wasm built from tests/wat/, instantiate it in a Store
// running the interpreter, and call exports with typed values.
#pragma once

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "interp/interp_engine.hpp"
#include "runtime/engine.hpp"
#include "runtime/linker.hpp"
#include "runtime/store.hpp"

namespace wsvm::test {

inline std::vector<uint8_t> read_wasm(const std::string& name) {
  std::string path = std::string(WSVM_INTERP_WASM_DIR) + "/" + name + ".wasm";
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Harness {
  explicit Harness(EngineConfig config = {}, StoreLimits limits = {})
      : engine(make_interp_engine(config)), store(*engine, limits) {}
  std::unique_ptr<Engine> engine;
  Store store;
  Linker linker;
  Instance* inst = nullptr;

  void load(const std::string& name) {
    auto bytes = read_wasm(name);
    auto compiled = compile_module(*engine, bytes);
    if (!compiled) FAIL(compiled.error().to_string());
    auto i = linker.instantiate(store, *compiled);
    if (!i) FAIL(i.error().to_string());
    inst = *i;
  }
  void host(const std::string& name, FuncType type, HostFunc fn) {
    Extern e;
    e.kind = ExternKind::Func;
    e.func = store.create_host_func(std::move(type), std::move(fn));
    linker.define("host", name, e);
  }
  std::expected<std::vector<Value>, Trap> call(const std::string& name, std::vector<Value> args = {}) {
    FuncInstance* f = inst->find_func(name);
    REQUIRE(f != nullptr);
    return store.invoke(f, args);
  }
  // Single i32/i64 result, or REQUIRE failure.
  uint64_t num(const std::string& name, std::vector<Value> args = {}) {
    auto r = call(name, std::move(args));
    if (!r) FAIL("trap: " << r.error().message);
    REQUIRE(r->size() == 1);
    return (*r)[0].type == ValType::I32 ? (*r)[0].i32 : (*r)[0].i64;
  }
  std::string trap(const std::string& name, std::vector<Value> args = {}) {
    auto r = call(name, std::move(args));
    if (r) return "no trap";
    return r.error().message;
  }
};

inline Value i32(uint32_t v) { return Value::from_i32(v); }
inline Value i64(uint64_t v) { return Value::from_i64(v); }
inline Value f32(float v) { return Value::from_f32(v); }
inline Value f64(double v) { return Value::from_f64(v); }

}  // namespace wsvm::test
