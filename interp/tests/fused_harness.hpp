// The harness of the superinstruction tests (fused_test.cpp, fused_seq_test.cpp, spec_test.cpp,
// fused4_test.cpp): a module whose loops call host `tick(i)`, which raises the interrupt flag
// at a chosen i, plus the disassembly of a function's translated code and access to memory 0.
#pragma once

#include <bit>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interp/disasm.hpp"
#include "interp/tests/exec_util.hpp"

namespace wsvm::test {

struct TickHarness : Harness {
  TickHarness(const char* module, EngineConfig c) : Harness(c) {
    host("tick", FuncType{{ValType::I32}, {}}, [this](HostContext&, uint64_t* s) -> std::optional<Trap> {
      if (interrupt_at >= 0 && static_cast<int64_t>(static_cast<uint32_t>(s[0])) == interrupt_at)
        store.exec().interrupt.store(1);
      return std::nullopt;
    });
    load(module);
  }
  int64_t interrupt_at = -1;  // tick(i) with this i sets the interrupt flag
  std::string code(const std::string& name) {
    FuncInstance* f = inst->find_func(name);
    REQUIRE(f != nullptr);
    return interp::disassemble(*static_cast<const interp::FuncCode*>(f->code));
  }
  uint8_t* mem() { return inst->memories[0]->mem->base(); }
  double f64_result(const std::string& name, std::vector<Value> args) {
    auto r = call(name, std::move(args));
    if (!r) FAIL("trap: " << r.error().message);
    REQUIRE(r->size() == 1);
    return (*r)[0].f64;
  }
};

// Checks that each function's translated code holds its op (printing the code on failure).
// A function named `*_tee` keeps a value in a local, which must keep the generic fused form:
// its code holds no specialised (`spec_`) op.
using WantedOps = std::initializer_list<std::pair<const char*, const char*>>;
inline void check_ops(TickHarness& h, WantedOps want) {
  for (auto [fn, op] : want) {
    const std::string code = h.code(fn);
    INFO(fn << ":\n" << code);
    CHECK(code.find(op) != std::string::npos);
    if (std::string_view(fn).ends_with("_tee")) CHECK(code.find("spec_") == std::string::npos);
  }
}

inline void put_u32(uint8_t* m, uint32_t at, uint32_t v) { std::memcpy(m + at, &v, 4); }
inline void put_f64(uint8_t* m, uint32_t at, double v) { std::memcpy(m + at, &v, 8); }
inline double get_f64(const uint8_t* m, uint32_t at) {
  double v;
  std::memcpy(&v, m + at, 8);
  return v;
}
// The same double bit for bit, or both NaN (NaN payloads may differ between evaluation orders).
inline bool same(double x, double y) {
  return std::isnan(x) ? std::isnan(y) : std::bit_cast<uint64_t>(x) == std::bit_cast<uint64_t>(y);
}

}  // namespace wsvm::test
