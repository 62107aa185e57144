// Table and reference instructions.
#include "interp/tests/exec_util.hpp"

using namespace wsvm;
using namespace wsvm::test;

TEST_CASE("table operations", "[interp][exec][table]") {
  Harness h;
  h.load("tables");
  CHECK(h.num("size") == 2);
  CHECK(h.trap("call", {i32(0)}) == "uninitialized element");
  REQUIRE(h.call("init", {i32(0), i32(0), i32(2)}));
  CHECK(h.num("call", {i32(0)}) == 1);
  CHECK(h.num("call", {i32(1)}) == 2);
  CHECK(h.trap("init", {i32(1), i32(0), i32(2)}) == "out of bounds table access");
  CHECK(h.num("grow", {i32(3)}) == 2);
  CHECK(h.num("size") == 5);
  CHECK(h.num("call", {i32(4)}) == 3);
  CHECK(h.num("grow", {i32(6)}) == 0xffffffffu);  // max 10
  REQUIRE(h.call("copy", {i32(3), i32(0), i32(2)}));
  CHECK(h.num("call", {i32(3)}) == 1);
  CHECK(h.num("call", {i32(4)}) == 2);
  CHECK(h.trap("copy", {i32(4), i32(0), i32(2)}) == "out of bounds table access");
  REQUIRE(h.call("fill", {i32(0), i32(2)}));
  CHECK(h.num("call", {i32(1)}) == 3);
  CHECK(h.trap("fill", {i32(4), i32(2)}) == "out of bounds table access");
  CHECK(h.num("is_null", {i32(0)}) == 0);
  REQUIRE(h.call("set_null", {i32(0)}));
  CHECK(h.num("is_null", {i32(0)}) == 1);
  CHECK(h.trap("is_null", {i32(5)}) == "out of bounds table access");
  CHECK(h.trap("set_null", {i32(5)}) == "out of bounds table access");
  REQUIRE(h.call("drop"));
  CHECK(h.trap("init", {i32(0), i32(0), i32(1)}) == "out of bounds table access");
  REQUIRE(h.call("init", {i32(0), i32(0), i32(0)}));
}

TEST_CASE("externref round trip", "[interp][exec][table]") {
  Harness h;
  h.load("tables");
  REQUIRE(h.call("set_ext", {i32(2), Value::from_ref(ValType::ExternRef, 0x1234)}));
  auto r = h.call("get_ext", {i32(2)});
  REQUIRE(r);
  CHECK((*r)[0].ref == 0x1234);
  r = h.call("get_ext", {i32(1)});
  REQUIRE(r);
  CHECK((*r)[0].ref == kNullRef);
  CHECK(h.num("null_ext") == 1);
}
