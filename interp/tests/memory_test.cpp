// Memory: every load/store width with sign extension, out-of-bounds traps at the exact
// boundary (including offsets), memory.size/grow, and the bulk ops.
#include "interp/tests/exec_util.hpp"

using namespace wsvm;
using namespace wsvm::test;

TEST_CASE("loads of every width", "[interp][exec][memory]") {
  Harness h;
  h.load("memory");
  // bytes: 01 02 03 04 05 06 07 08 80 ff 7f fe
  CHECK(h.num("i32.load", {i32(0)}) == 0x04030201u);
  CHECK(h.num("i64.load", {i32(0)}) == 0x0807060504030201ull);
  CHECK(h.num("i32.load8_s", {i32(8)}) == 0xffffff80u);
  CHECK(h.num("i32.load8_u", {i32(8)}) == 0x80u);
  CHECK(h.num("i32.load16_s", {i32(8)}) == 0xffffff80u);
  CHECK(h.num("i32.load16_s", {i32(9)}) == 0x7fffu);
  CHECK(h.num("i32.load16_u", {i32(10)}) == 0xfe7fu);
  CHECK(h.num("i64.load8_s", {i32(9)}) == ~0ull);
  CHECK(h.num("i64.load8_u", {i32(9)}) == 0xffull);
  CHECK(h.num("i64.load16_s", {i32(10)}) == 0xfffffffffffffe7full);
  CHECK(h.num("i64.load16_u", {i32(10)}) == 0xfe7full);
  CHECK(h.num("i64.load32_s", {i32(8)}) == 0xfffffffffe7fff80ull);
  CHECK(h.num("i64.load32_u", {i32(8)}) == 0xfe7fff80ull);
  auto f = h.call("f32.load", {i32(0)});
  REQUIRE(f);
  CHECK(std::bit_cast<uint32_t>((*f)[0].f32) == 0x04030201u);
}

TEST_CASE("stores of every width", "[interp][exec][memory]") {
  Harness h;
  h.load("memory");
  REQUIRE(h.call("i64.store", {i32(100), i64(0x1122334455667788ull)}));
  CHECK(h.num("i64.load", {i32(100)}) == 0x1122334455667788ull);
  REQUIRE(h.call("i32.store8", {i32(100), i32(0xabcdefff)}));
  CHECK(h.num("i64.load", {i32(100)}) == 0x11223344556677ffull);
  REQUIRE(h.call("i32.store16", {i32(101), i32(0xabcd1234)}));
  CHECK(h.num("i64.load", {i32(100)}) == 0x11223344551234ffull);
  REQUIRE(h.call("i64.store8", {i32(107), i64(0x99)}));
  REQUIRE(h.call("i64.store16", {i32(105), i64(0xaabb)}));
  REQUIRE(h.call("i64.store32", {i32(102), i64(0xffffffff01020304ull)}));
  CHECK(h.num("i64.load", {i32(100)}) == 0x99aa0102030434ffull);  // store32 overwrote byte 5
  REQUIRE(h.call("i32.store", {i32(200), i32(0xdeadbeef)}));
  CHECK(h.num("i32.load", {i32(200)}) == 0xdeadbeefu);
  REQUIRE(h.call("f32.store", {i32(300), f32(-1.5f)}));
  CHECK(h.num("i32.load", {i32(300)}) == std::bit_cast<uint32_t>(-1.5f));
  REQUIRE(h.call("f64.store", {i32(300), f64(2.25)}));
  auto d = h.call("f64.load", {i32(300)});
  REQUIRE(d);
  CHECK((*d)[0].f64 == 2.25);
}

TEST_CASE("out of bounds at the exact boundary", "[interp][exec][memory]") {
  Harness h;
  h.load("memory");
  const std::string oob = "out of bounds memory access";
  CHECK(h.num("i32.load", {i32(65532)}) == 0);
  CHECK(h.trap("i32.load", {i32(65533)}) == oob);
  CHECK(h.num("i64.load", {i32(65528)}) == 0);
  CHECK(h.trap("i64.load", {i32(65529)}) == oob);
  CHECK(h.num("i32.load8_u", {i32(65535)}) == 0);
  CHECK(h.trap("i32.load8_u", {i32(65536)}) == oob);
  CHECK(h.trap("i32.load16_s", {i32(65535)}) == oob);
  CHECK(h.trap("i64.load32_u", {i32(0xffffffff)}) == oob);
  CHECK(h.num("i32.load_off", {i32(0)}) == 0);
  CHECK(h.trap("i32.load_off", {i32(1)}) == oob);
  CHECK(h.trap("i32.load_off", {i32(0xfffffffc)}) == oob);  // index + offset does not wrap
  CHECK(h.trap("i32.store", {i32(65533), i32(1)}) == oob);
  CHECK(h.trap("i64.store16", {i32(65535), i64(1)}) == oob);
  REQUIRE(h.call("i64.store16", {i32(65534), i64(0xffff)}));
  CHECK(h.num("i32.load16_u", {i32(65534)}) == 0xffff);
}

TEST_CASE("memory.size and memory.grow", "[interp][exec][memory]") {
  Harness h;
  h.load("memory");
  CHECK(h.num("size") == 1);
  CHECK(h.num("grow", {i32(1)}) == 1);
  CHECK(h.num("size") == 2);
  // The grown page is accessible at once (cached bounds reloaded after grow and calls).
  CHECK(h.num("i32.load", {i32(131068)}) == 0);
  CHECK(h.trap("i32.load", {i32(131069)}) == "out of bounds memory access");
  CHECK(h.num("grow", {i32(2)}) == 0xffffffffu);  // past the maximum of 3
  CHECK(h.num("grow", {i32(0)}) == 2);
  CHECK(h.num("grow", {i32(1)}) == 2);
  CHECK(h.num("size") == 3);
}

TEST_CASE("bulk memory operations", "[interp][exec][memory]") {
  Harness h;
  h.load("memory");
  REQUIRE(h.call("fill", {i32(1000), i32(0x1ab), i32(4)}));
  CHECK(h.num("i32.load", {i32(1000)}) == 0xababababu);
  REQUIRE(h.call("copy", {i32(1), i32(0), i32(4)}));  // overlapping, forward
  CHECK(h.num("i32.load", {i32(0)}) == 0x03020101u);
  REQUIRE(h.call("init", {i32(2000), i32(1), i32(4)}));
  CHECK(h.num("i32.load", {i32(2000)}) == 0x6f6c6c65u);  // "ello"
  CHECK(h.trap("init", {i32(2000), i32(2), i32(4)}) == "out of bounds memory access");
  CHECK(h.trap("fill", {i32(65535), i32(0), i32(2)}) == "out of bounds memory access");
  CHECK(h.trap("copy", {i32(65535), i32(0), i32(2)}) == "out of bounds memory access");
  REQUIRE(h.call("fill", {i32(65536), i32(0), i32(0)}));  // n = 0 at the end is fine
  REQUIRE(h.call("drop"));
  CHECK(h.trap("init", {i32(0), i32(0), i32(1)}) == "out of bounds memory access");
  REQUIRE(h.call("init", {i32(0), i32(0), i32(0)}));
}
