// Test support: an Engine that validates bodies but cannot run code, and fixture loading.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "runtime/engine.hpp"
#include "validator/validate.hpp"

namespace wsvm::test {

// compile() only validates each body (the NullListener path); call() traps, so tests can
// link and instantiate modules whose code never runs.
class TestEngine : public Engine {
 public:
  const char* name() const override { return "test"; }
  Result<std::shared_ptr<const void>> compile(const Module& m) override {
    for (uint32_t i = m.imported_funcs; i < m.funcs.size(); ++i) {
      if (auto ok = validate_function(m, i); !ok) {
        return std::unexpected(prefer_malformed(m, ok.error()));
      }
    }
    return std::shared_ptr<const void>(std::make_shared<int>(0));
  }
  // The module code itself, so tests can see that the Linker passed it through.
  const void* function_code(const void* module_code, uint32_t) const override {
    return module_code;
  }
  std::optional<Trap> call(ExecContext&, const FuncInstance&, uint64_t*) override {
    ++calls;
    Trap t = Trap::make(TrapKind::Host);
    t.message = "test engine cannot run code";
    return t;
  }
  int calls = 0;
};

inline std::vector<uint8_t> read_fixture(const std::string& name) {
  std::ifstream in(std::string(WSVM_RUNTIME_FIXTURES) + "/" + name + ".wasm", std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::shared_ptr<const CompiledModule> compile_fixture(Engine& engine,
                                                             const std::string& name) {
  auto bytes = read_fixture(name);
  auto compiled = compile_module(engine, bytes);
  if (!compiled) FAIL(name << ": " << compiled.error().to_string());
  return *compiled;
}

inline Extern extern_of(FuncInstance* f) { Extern e; e.kind = ExternKind::Func; e.func = f; return e; }
inline Extern extern_of(TableInstance* t) { Extern e; e.kind = ExternKind::Table; e.table = t; return e; }
inline Extern extern_of(MemoryInstance* m) { Extern e; e.kind = ExternKind::Memory; e.memory = m; return e; }
inline Extern extern_of(GlobalInstance* g) { Extern e; e.kind = ExternKind::Global; e.global = g; return e; }

}  // namespace wsvm::test
