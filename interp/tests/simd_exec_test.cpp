// v128 through the interpreter's structure (tests/wat/simd.wat): zeroed v128 locals, v128
// globals, select, block params/results, br/br_if/br_table carrying v128, calls mixing v128
// and scalar arguments/results, and the bounds checks of SIMD loads and stores.
#include <cstring>

#include "interp/tests/exec_util.hpp"

using namespace wsvm;
using namespace wsvm::test;

namespace {
constexpr uint32_t kMem = 65536;
const char* const kOob = "out of bounds memory access";
}  // namespace

TEST_CASE("v128 locals, calls, globals, select", "[interp][exec][simd]") {
  Harness h;
  h.load("simd");
  CHECK(h.num("locals_zeroed") == 0);
  CHECK(h.num("call_mix", {i32(5)}) == 432);
  CHECK(h.num("global_rt", {i32(1)}) == 8743);
  CHECK(h.num("global_rt", {i32(1)}) == 8744);
  CHECK(h.num("select_v", {i32(1)}) == 2);
  CHECK(h.num("select_v", {i32(0)}) == 4);
  CHECK(h.num("select_t_v", {i32(1)}) == 5);
  CHECK(h.num("select_t_v", {i32(0)}) == 7);
  V128 v;
  for (int i = 0; i < 16; ++i) v.bytes[i] = static_cast<uint8_t>(0xa0 + i);
  auto r = h.call("identity", {Value::from_v128(v)});
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].type == ValType::V128);
  CHECK((*r)[0].v128 == v);
}

TEST_CASE("v128 across blocks and branches", "[interp][exec][simd]") {
  Harness h;
  h.load("simd");
  CHECK(h.num("block_br", {i32(1)}) == 1006);
  CHECK(h.num("block_br", {i32(0)}) == 1106);
  CHECK(h.num("table_br", {i32(0)}) == 15);
  CHECK(h.num("table_br", {i32(1)}) == 25);
  CHECK(h.num("table_br", {i32(2)}) == 5);
  CHECK(h.num("table_br", {i32(99)}) == 5);
  CHECK(h.num("loop_sum", {i32(100)}) == 10100);
}

TEST_CASE("SIMD memory accesses are bounds-checked", "[interp][exec][simd]") {
  Harness h;
  h.load("simd");
  CHECK(h.num("load_at", {i32(kMem - 16)}) == 0);
  CHECK(h.trap("load_at", {i32(kMem - 15)}) == kOob);
  CHECK(h.trap("load_at", {i32(0xffffffffu)}) == kOob);
  CHECK(h.num("load_lane_at", {i32(kMem - 8)}) == 0);
  CHECK(h.trap("load_lane_at", {i32(kMem - 7)}) == kOob);
  CHECK(h.num("splat_at", {i32(kMem - 4)}) == 0);
  CHECK(h.trap("splat_at", {i32(kMem - 3)}) == kOob);
  CHECK(h.trap("store_at", {i32(kMem - 16)}) == kOob);
  CHECK(h.trap("store_lane_at", {i32(kMem - 7)}) == kOob);
  // In-bounds stores land where expected (and the trapping ones wrote nothing).
  auto ok = h.call("store_at", {i32(kMem - 17)});
  REQUIRE(ok);
  CHECK(h.num("load_at", {i32(kMem - 16)}) == 0xffffffffffffffffull);
  auto ok2 = h.call("store_lane_at", {i32(0)});
  REQUIRE(ok2);
  CHECK(h.num("splat_at", {i32(4)}) == 4);
}
