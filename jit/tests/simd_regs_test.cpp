// v128 register allocation in the JIT (compiler_simd.cpp): more live v128 values than xmm
// registers, v128 values across calls, block results and branches carrying v128 values,
// select of v128 and v128 locals cached across loop back edges, against the interpreter.
#include "jit/tests/jit_harness.hpp"

using namespace wsvm;
using namespace wsvm::jit_test;

TEST_CASE("jit vs interp: v128 register allocation edge cases") {
  CHECK(run_differential("simd_regs", {"loop_locals"}) > 150);
}

TEST_CASE("jit vs interp: v128 locals cached across loop back edges") {
  Harness in(false), jt(true);
  in.load("simd_regs");
  jt.load("simd_regs");
  for (Value a : samples(ValType::V128)) {
    for (uint32_t n : {0u, 1u, 2u, 7u, 100u}) {
      INFO("n " << n);
      auto x = in.call("loop_locals", {a, i32(n)});
      auto y = jt.call("loop_locals", {a, i32(n)});
      INFO("interp " << show(x) << " jit " << show(y));
      CHECK(same(x, y));
    }
  }
}

TEST_CASE("jit: v128 pressure result is the lane-wise sum") {
  // Independent of the interpreter: all-zero input, n = 0 gives a known vector.
  Harness jt(true);
  jt.load("simd_regs");
  V128 zero{};
  auto r = jt.call("pressure", {Value::from_v128(zero), i32(0)});
  REQUIRE(r.has_value());
  uint64_t s[2] = {0, 0};
  (*r)[0].to_slots(s);
  // Every term is 0 except v128.const (1 2 3 4), v128.not 0 (-1 x4) and the swizzle of
  // zeros (0): lanes 1+(-1)=0, 2-1=1, 3-1=2, 4-1=3.
  CHECK(s[0] == (uint64_t{1} << 32));
  CHECK(s[1] == (uint64_t{3} << 32 | 2));
}
