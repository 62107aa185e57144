// Test helpers: one module instantiated under an engine (interp or jit), with the host
// imports the test modules use, and a differential runner comparing both engines.
#pragma once

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "engines/registry.hpp"
#include "jit/jit_engine.hpp"
#include "runtime/engine.hpp"
#include "runtime/linker.hpp"
#include "runtime/store.hpp"

namespace wsvm::jit_test {

inline std::vector<uint8_t> read_wasm(const std::string& name) {
  std::string path = std::string(WSVM_JIT_WASM_DIR) + "/" + name + ".wasm";
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Harness {
  Harness(bool jit, EngineConfig config = {}, StoreLimits limits = {})
      : engine(std::move(*make_engine(jit ? "jit" : "interp", config))), store(*engine, limits) {
    host("add", FuncType{{ValType::I32, ValType::I32}, {ValType::I32}},
         [](HostContext&, uint64_t* s) -> std::optional<Trap> {
           s[0] = static_cast<uint32_t>(s[0] + s[1]);
           return std::nullopt;
         });
    host("trap", FuncType{{}, {}}, [](HostContext&, uint64_t*) -> std::optional<Trap> {
      Trap t = Trap::make(TrapKind::Host);
      t.message = "host says no";
      return t;
    });
  }
  std::unique_ptr<Engine> engine;
  Store store;
  Linker linker;
  Instance* inst = nullptr;

  void host(const std::string& name, FuncType type, HostFunc fn) {
    Extern e;
    e.kind = ExternKind::Func;
    e.func = store.create_host_func(std::move(type), std::move(fn));
    linker.define("host", name, e);
  }
  void load(const std::string& name) { load_bytes(read_wasm(name)); }
  void load_bytes(const std::vector<uint8_t>& bytes) {
    auto compiled = compile_module(*engine, bytes);
    if (!compiled) FAIL(compiled.error().to_string());
    auto i = linker.instantiate(store, *compiled);
    if (!i) FAIL(i.error().to_string());
    inst = *i;
  }
  std::expected<std::vector<Value>, Trap> call(const std::string& name, std::vector<Value> args = {}) {
    FuncInstance* f = inst->find_func(name);
    REQUIRE(f != nullptr);
    return store.invoke(f, args);
  }
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

// Host `reenter(i32) -> i32` (for backtrace tests): calls the module's export "leaf_div"
// from the host, so a trap there unwinds through a nested entry.
inline void add_reenter(Harness& h) {
  h.host("reenter", FuncType{{ValType::I32}, {ValType::I32}},
         [&h](HostContext& hc, uint64_t* s) -> std::optional<Trap> {
           FuncInstance* leaf = h.inst->find_func("leaf_div");
           uint64_t slots[1] = {s[0]};
           if (auto t = hc.store.call_slots(leaf, slots, nullptr)) return t;
           s[0] = slots[0];
           return std::nullopt;
         });
}

inline Value i32(uint32_t v) { return Value::from_i32(v); }
inline Value i64(uint64_t v) { return Value::from_i64(v); }
inline Value f32(float v) { return Value::from_f32(v); }
inline Value f64(double v) { return Value::from_f64(v); }

// Interesting inputs per type.
inline std::vector<Value> samples(ValType t) {
  switch (t) {
    case ValType::I32:
      return {i32(0), i32(1), i32(0xffffffff), i32(0x80000000), i32(0x7fffffff), i32(7), i32(33),
              i32(0x12345678)};
    case ValType::I64:
      return {i64(0), i64(1), i64(~0ull), i64(1ull << 63), i64(0x7fffffffffffffffull), i64(13),
              i64(65), i64(0x123456789abcdef0ull)};
    case ValType::F32:
      return {f32(0.0f), f32(-0.0f), f32(1.5f), f32(-2.5f), f32(3e9f), f32(INFINITY), f32(NAN),
              f32(0.49999997f)};
    case ValType::F64:
      return {f64(0.0), f64(-0.0), f64(1.5), f64(-2.5), f64(3e9), f64(-1e19), f64(INFINITY),
              f64(NAN), f64(4.5), f64(1e300)};
    case ValType::V128: {
      std::vector<Value> out;
      for (uint8_t seed : {0, 1, 0x80, 0xff, 0x37}) {
        V128 v;
        for (int k = 0; k < 16; ++k) v.bytes[k] = static_cast<uint8_t>(seed * (k + 1) + k);
        out.push_back(Value::from_v128(v));
      }
      return out;
    }
    default:
      return {Value::zero(t)};
  }
}

inline std::string show(const std::expected<std::vector<Value>, Trap>& r) {
  if (!r) return "trap: " + r.error().message;
  std::string s;
  for (const Value& v : *r) {
    uint64_t slots[2] = {0, 0};
    v.to_slots(slots);
    s += std::to_string(slots[0]) + " ";
  }
  return s;
}

inline bool same(const std::expected<std::vector<Value>, Trap>& a,
                 const std::expected<std::vector<Value>, Trap>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return a.error().kind == b.error().kind && a.error().message == b.error().message;
  if (a->size() != b->size()) return false;
  for (size_t i = 0; i < a->size(); ++i) {
    const Value &x = (*a)[i], &y = (*b)[i];
    if (x.type != y.type) return false;
    if (x.type == ValType::F32 && std::isnan(x.f32) && std::isnan(y.f32)) continue;
    if (x.type == ValType::F64 && std::isnan(x.f64) && std::isnan(y.f64)) continue;
    uint64_t sx[2] = {0, 0}, sy[2] = {0, 0};
    x.to_slots(sx);
    y.to_slots(sy);
    if (sx[0] != sy[0] || sx[1] != sy[1]) return false;
  }
  return true;
}

// Calls every exported function of `module` with combinations of sample inputs under both
// engines (same call order, so memory and global state evolve alike); returns the number of
// calls compared. `skip` lists exports not to call.
inline size_t run_differential(const std::string& module, const std::vector<std::string>& skip = {}) {
  Harness in(false), jt(true);
  in.load(module);
  jt.load(module);
  size_t calls = 0;
  for (const Export& e : in.inst->module().exports) {
    if (e.kind != ExternKind::Func) continue;
    if (std::find(skip.begin(), skip.end(), e.name) != skip.end()) continue;
    const FuncType& ft = in.inst->module().func_type(e.index);
    std::vector<std::vector<Value>> pools;
    for (ValType t : ft.params) pools.push_back(samples(t));
    std::vector<size_t> idx(pools.size(), 0);
    for (size_t combo = 0; combo < 100; ++combo) {
      std::vector<Value> args;
      for (size_t p = 0; p < pools.size(); ++p) args.push_back(pools[p][idx[p]]);
      auto a = in.call(e.name, args);
      auto b = jt.call(e.name, args);
      INFO(e.name << " combo " << combo << ": interp " << show(a) << " jit " << show(b));
      CHECK(same(a, b));
      CHECK(jt.store.exec().call_depth == 0);
      ++calls;
      // next combination (odometer); stop after the last
      size_t p = 0;
      for (; p < pools.size(); ++p) {
        if (++idx[p] < pools[p].size()) break;
        idx[p] = 0;
      }
      if (p == pools.size()) break;
    }
  }
  return calls;
}

}  // namespace wsvm::jit_test
