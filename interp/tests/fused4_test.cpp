// Superinstructions of the fourth round (interp/fused_ops.def, nbody's advance loop): emitted,
// against C++ references (NaNs, infinities, signed zeros), out-of-bounds traps in a later
// component, 32-bit wrap of `p - 48`, interrupts on the fused back-edge, the plain form.
#include <bit>
#include <cmath>
#include <cstring>

#include "interp/tests/fused_harness.hpp"

using namespace wsvm;
using namespace wsvm::test;

namespace {

struct Fused4Harness : TickHarness {
  explicit Fused4Harness(EngineConfig c = {}) : TickHarness("fused4", c) {}
};


const double kF64[] = {0.0, -0.0, 1.5, -2.25, 1e308, std::nan(""), -INFINITY, 5e-324};

}  // namespace

TEST_CASE("fused round 4: every sequence is emitted", "[interp][fused]") {
  Fused4Harness h;
  check_ops(h, {
      // Specialised where the plan holds (spec_ops.def; spec_test.cpp has the generic forms).
      {"dist_sq", "spec_sub_imm_load_sub_mul_mul"},
      {"dist_m", "spec_sub_imm_load_sub_mul"},
      {"count2", "fuse_i32_add_imm__i32_sub_imm__br_if_back"},
      {"pos", "spec_load_mul_imm_add_store"},
      {"pos_swapped", "fuse_f64_load__f64_mul_imm__f64_add__f64_store"},
      {"tok2", "fuse_i32_load8_u__i32_add_imm__i32_sub_imm__i32_and_imm__i32_lt_u_imm"},
      {"tok2", "fuse_select__i32_sub_imm__i32_and_imm__br_i32_gt_u_imm"},
      {"tok2", "fuse_br_i32_gt_u_imm__i32_sub_imm__i32_add__i32_store8__i32_add_imm"},
  });
  Fused4Harness plain(EngineConfig{.fuel = false, .interruptible = false});
  CHECK(plain.code("count2").find("fuse_i32_add_imm__i32_sub_imm__br_if ") != std::string::npos);
}

TEST_CASE("fused round 4: nbody chains against the reference, traps", "[interp][fused]") {
  Fused4Harness h;
  uint8_t* m = h.mem();
  for (double a : kF64) {
    for (double b : kF64) {
      INFO(a << " " << b);
      put_f64(m, 16, b);
      const double dx = a - b;
      CHECK(same(h.f64_result("dist_sq", {i32(64), f64(a), f64(b)}), dx * dx + b * b));
      CHECK(same(h.f64_result("dist_m", {i32(64), f64(a), f64(b)}), b * dx));
      put_f64(m, 1024, b);
      put_f64(m, 1032, 7.0);
      CHECK(same(h.f64_result("pos", {i32(1024), f64(a)}), b * 0.01 + a));
      CHECK(same(get_f64(m, 1032), b * 0.01 + a));
      CHECK(same(h.f64_result("pos_swapped", {i32(1024), f64(a)}), a + b * 0.01));
      CHECK(same(get_f64(m, 1032), a + b * 0.01));
    }
  }
  // p - 48 wraps in 32 bits: p = 16 is address 2^32 - 32, out of bounds.
  CHECK(h.trap("dist_sq", {i32(16), f64(1), f64(1)}) == "out of bounds memory access");
  CHECK(h.trap("dist_m", {i32(16), f64(1), f64(1)}) == "out of bounds memory access");
  CHECK(h.trap("dist_m", {i32(65536 + 48 - 7), f64(1), f64(1)}) == "out of bounds memory access");
  // p - 48 wrapping to an in-bounds address: p = 48 + 2^32 is not representable, p = 56 is 8.
  put_f64(m, 8, 2.0);
  CHECK(h.f64_result("dist_m", {i32(56), f64(5.0), f64(3.0)}) == 9.0);
  // pos: the load is in bounds, the store (offset 8) is not: nothing written, trap.
  put_f64(m, 65528, 4.0);
  CHECK(h.trap("pos", {i32(65528), f64(1)}) == "out of bounds memory access");
  CHECK(get_f64(m, 65528) == 4.0);
  CHECK(h.trap("pos", {i32(0xfffffff8u), f64(1)}) == "out of bounds memory access");
  CHECK(h.trap("pos_swapped", {i32(65528), f64(1)}) == "out of bounds memory access");
  CHECK(get_f64(m, 65528) == 4.0);
}

TEST_CASE("fused round 4: counter back-edge, interrupts, plain form", "[interp][fused]") {
  Fused4Harness h;
  CHECK(h.num("count2", {i32(1)}) == 56u);
  CHECK(h.num("count2", {i32(1000)}) == 56000u);
  Fused4Harness t;
  t.interrupt_at = 96;
  auto r = t.call("count2", {i32(100)});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TrapKind::Interrupted);
  CHECK(r.error().backtrace.size() == 1);
  Fused4Harness plain(EngineConfig{.fuel = false, .interruptible = false});
  plain.interrupt_at = 96;
  CHECK(plain.num("count2", {i32(100)}) == 5600u);
}

TEST_CASE("fused round 4: wordfreq tokenizer step against the reference, traps", "[interp][fused]") {
  Fused4Harness h;
  uint8_t* m = h.mem();
  for (uint32_t c = 0; c < 256; ++c) {
    for (uint32_t n : {0u, 5u, 31u, 32u}) {
      INFO(c << " " << n);
      m[100] = static_cast<uint8_t>(c);
      m[1000 + 64 + n] = 0xee;
      const uint32_t l = ((c - 65) & 255) < 26 ? c + 32 : c;
      uint32_t want;
      if (((l - 97) & 255) > 25) want = 0xffffffffu;
      else if (n > 31) want = 0xfffffffeu;
      else want = n + 1;
      CHECK(h.num("tok2", {i32(100), i32(1000), i32(n)}) == want);
      CHECK(m[1000 + 64 + n] == (want == n + 1 ? static_cast<uint8_t>(l) : 0xee));
    }
  }
  // The load out of bounds; the store out of bounds (w - -64 + n past the end) after the
  // letter tests; w - -64 wrapping in 32 bits to an in-bounds address.
  CHECK(h.trap("tok2", {i32(65536), i32(0), i32(0)}) == "out of bounds memory access");
  m[100] = 'Q';
  CHECK(h.trap("tok2", {i32(100), i32(65536 - 64), i32(0)}) == "out of bounds memory access");
  CHECK(h.num("tok2", {i32(100), i32(0xffffffe0u), i32(3)}) == 4u);  // 2^32 - 32 + 64 + 3 = 35
  CHECK(m[35] == 'q');
}
