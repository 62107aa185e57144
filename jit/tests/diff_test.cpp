// Differential tests: every export of each test module under the interpreter and the JIT,
// with the same inputs, must give the same results or the same trap.
#include "jit/tests/jit_harness.hpp"

using namespace wsvm;
using namespace wsvm::jit_test;

TEST_CASE("jit vs interp: integer and float arithmetic conversions select") {
  CHECK(run_differential("arith") > 500);
}

TEST_CASE("jit vs interp: control flow calls multi-value") {
  CHECK(run_differential("control", {"deep", "infinite", "fac", "fac_loop", "fib", "sum_loop", "loop_params"}) > 30);
}

TEST_CASE("jit vs interp: memory and bulk memory") {
  CHECK(run_differential("memory") > 50);
}

TEST_CASE("jit vs interp: host calls call_indirect globals tables") {
  CHECK(run_differential("calls") > 50);
}

TEST_CASE("jit vs interp: loops with block parameters") {
  Harness in(false), jt(true);
  in.load("control");
  jt.load("control");
  for (uint32_t n : {1u, 2u, 10u, 1000u}) {
    INFO(n);
    CHECK(in.num("loop_params", {i32(n)}) == jt.num("loop_params", {i32(n)}));
    CHECK(in.num("fib", {i32(n % 25)}) == jt.num("fib", {i32(n % 25)}));
    CHECK(in.num("sum_loop", {i32(n)}) == jt.num("sum_loop", {i32(n)}));
  }
}

TEST_CASE("jit vs interp: v128 data movement and SIMD helpers") {
  CHECK(run_differential("simd", {"loop_sum"}) > 100);
  Harness in(false), jt(true);
  in.load("simd");
  jt.load("simd");
  for (uint32_t n : {0u, 1u, 5u}) {
    std::vector<Value> args = {samples(ValType::V128)[2], i32(n)};
    CHECK(same(in.call("loop_sum", args), jt.call("loop_sum", args)));
  }
}

TEST_CASE("jit vs interp: fuzz_diff regressions (select with a constant condition)") {
  CHECK(run_differential("fuzz_regress") > 10);
  Harness jt(true);
  jt.load("fuzz_regress");
  CHECK(jt.num("select_const_mem") == 0xffffffebu);
  CHECK(jt.num("select_const_mem_i64", {i64(9)}) == static_cast<uint64_t>(-21));
  CHECK(jt.num("select_const_mem_keep_a") == 7);
  CHECK(jt.num("select_const_mem_if", {i32(0)}) == 200);
  CHECK(jt.num("select_const_mem_if", {i32(5)}) == 100);
  auto f = jt.call("select_const_mem_f64");
  REQUIRE(f.has_value());
  CHECK((*f)[0].f64 == -2.5);
  auto v = jt.call("select_const_mem_v128");
  REQUIRE(v.has_value());
  uint64_t s[2] = {0, 0};
  (*v)[0].to_slots(s);
  CHECK(s[0] == 0x0000000600000005ull);
  CHECK(s[1] == 0x0000000800000007ull);
}
