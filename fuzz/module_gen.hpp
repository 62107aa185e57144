// Random *valid* modules for differential testing of the engines (issue 7: "random valid
// modules under both engines"). Every choice the generator makes is drawn from a Choices
// source: a seeded PRNG for the meson test, or a fuzzer's input bytes (AFL then steers the
// generator structurally, like wasm-smith does for wasmtime).
//
// A generated module has only defined functions (no imports), one memory (1..4 pages), a
// funcref table holding every function, mutable globals of each value type, every function
// exported as "f<index>" and a data segment. Code draws its instructions from the opcode
// table (decoder/opcodes.def: every simple numeric, memory and SIMD instruction) plus
// blocks, loops, ifs, br/br_if/br_table, calls, call_indirect, select, locals and globals,
// and (GenOptions::wasm3) the tail calls return_call, return_call_indirect and return_call_ref
// and the typed function references ref.func, ref.null, call_ref, ref.as_non_null,
// br_on_null and br_on_non_null.
//
// Determinism across engines: the only nondeterminism wasm allows in these instructions is
// the bit pattern of a NaN produced by float arithmetic, so the generator canonicalizes the
// result of every float-producing instruction (scalar and f32x4/f64x2) with a select /
// bitselect against the canonical NaN. Recursion is impossible: a function calls only
// functions of lower index (call_indirect takes its table index modulo the caller's index),
// so a run ends by returning, trapping, or exhausting its fuel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wsvm::fuzz {

class Choices {
 public:
  explicit Choices(uint64_t seed) : m_state(seed), m_prng(true) {}
  // Fuzzer input: each choice consumes bytes; once they run out every choice is 0, which
  // the generator maps to its shortest option, so any input yields a small valid module.
  Choices(const uint8_t* data, size_t size) : m_data(data), m_size(size), m_prng(false) {}

  uint64_t bits();                              // 64 bits
  uint32_t below(uint32_t n);                   // uniform-ish in [0, n); 0 when n == 0
  bool percent(uint32_t p) { return below(100) < p; }
  bool exhausted() const { return !m_prng && m_pos >= m_size; }

 private:
  uint64_t m_state = 0;
  const uint8_t* m_data = nullptr;
  size_t m_size = 0;
  size_t m_pos = 0;
  bool m_prng;
};

struct GenOptions {
  bool simd = true;
  bool wasm3 = true;  // tail calls and typed function references (issue 22)
  uint32_t max_funcs = 6;
  uint32_t max_instructions = 400;  // per function body (approximate)
};

// A valid module (it must pass the validator; failing to is a generator bug).
std::vector<uint8_t> generate_module(Choices& c, const GenOptions& options = {});

}  // namespace wsvm::fuzz
