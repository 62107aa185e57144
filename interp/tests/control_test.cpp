// Control flow: blocks with multi-value params/results, branches carrying values, br_table,
// loops, if/else (with and without else), unreachable code, select, return.
#include "interp/tests/exec_util.hpp"

using namespace wsvm;
using namespace wsvm::test;

TEST_CASE("control flow", "[interp][exec]") {
  Harness h;
  h.load("control");
  auto sw = h.call("swap", {i32(1), i32(2)});
  REQUIRE(sw);
  CHECK((*sw)[0].i32 == 2);
  CHECK((*sw)[1].i32 == 1);
  CHECK(h.num("block_params", {i32(10), i32(3)}) == 7);

  auto nb = h.call("nested_br", {i32(1)});
  REQUIRE(nb);
  CHECK((*nb)[0].i32 == 100);
  CHECK((*nb)[1].i32 == 7);
  nb = h.call("nested_br", {i32(0)});
  REQUIRE(nb);
  CHECK((*nb)[0].i32 == 1);
  CHECK((*nb)[1].i32 == 2);

  CHECK(h.num("br_carry", {i32(1)}) == 16);
  CHECK(h.num("br_carry", {i32(0)}) == 17);

  CHECK(h.num("br_table", {i32(0)}) == 14);
  CHECK(h.num("br_table", {i32(1)}) == 15);
  CHECK(h.num("br_table", {i32(2)}) == 13);
  CHECK(h.num("br_table", {i32(3)}) == 10);
  CHECK(h.num("br_table", {i32(0xffffffff)}) == 10);
  CHECK(h.num("br_table_dflt", {i32(0)}) == 2);
  CHECK(h.num("br_table_dflt", {i32(1)}) == 1);
  CHECK(h.num("br_table_dflt", {i32(2)}) == 0);
  CHECK(h.num("br_table_dflt", {i32(12345)}) == 0);

  CHECK(h.num("loop_sum", {i32(100)}) == 5050);
  CHECK(h.num("loop_params", {i32(4)}) == 10);
  CHECK(h.num("loop_params", {i32(0)}) == 0);
  CHECK(h.num("if_no_else", {i32(1)}) == 50);
  CHECK(h.num("if_no_else", {i32(0)}) == 5);
  auto ie = h.call("if_else", {i32(0)});
  REQUIRE(ie);
  CHECK((*ie)[0].i32 == 3);
  CHECK((*ie)[1].i64 == 4);
  ie = h.call("if_else", {i32(9)});
  REQUIRE(ie);
  CHECK((*ie)[0].i32 == 1);
  CHECK((*ie)[1].i64 == 2);
  CHECK(h.num("dead_code", {i32(31)}) == 31);
  CHECK(h.trap("unreach") == "unreachable");
  auto s = h.call("select", {i32(1)});
  REQUIRE(s);
  CHECK((*s)[0].i64 == 1);
  CHECK((*s)[1].f32 == 1.5f);
  s = h.call("select", {i32(0)});
  REQUIRE(s);
  CHECK((*s)[0].i64 == 2);
  CHECK((*s)[1].f32 == -2.5f);
  CHECK(h.num("return_mid", {i32(1)}) == 42);
  CHECK(h.num("return_mid", {i32(0)}) == 24);
}
