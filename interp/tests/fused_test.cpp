// Superinstructions (interp/fused_ops.def, Translator::fuse_ops): every fused pair appears
// in the translated code (checked on the disassembly) and computes what the two ops compute
// on their own: dependencies between the halves (B reads A's result, B overwrites A's
// source), 32-bit wrap-around of address arithmetic before the offset, out-of-bounds traps
// in the second half (guard pages) with the backtrace, a branch landing on the second op,
// and loop back-edges that still see the interrupt flag.
#include <bit>
#include <cmath>
#include <cstring>

#include "interp/tests/fused_harness.hpp"

using namespace wsvm;
using namespace wsvm::test;

namespace {

struct FusedHarness : TickHarness {
  explicit FusedHarness(EngineConfig c = {}) : TickHarness("fused", c) {}
};

}  // namespace

TEST_CASE("fused: every pair is emitted", "[interp][fused]") {
  FusedHarness h;
  check_ops(h, {
      {"add_add", "fuse_i32_add_imm__i32_add_imm"},   {"add_add_src", "fuse_i32_add_imm__i32_add_imm"},
      {"add_add_target", "fuse_i32_add_imm__i32_add_imm"}, {"copy_copy", "fuse_copy__copy"},
      {"add_load", "fuse_i32_add_imm__i32_load"},     {"add_load8", "fuse_i32_add_imm__i32_load8_u"},
      {"add_load_f64", "fuse_i32_add_imm__f64_load"}, {"add_and", "fuse_i32_add_imm__i32_and_imm"},
      {"add3", "spec_add_add_a"},              {"add2_imm", "fuse_i32_add__i32_add_imm"},
      {"rotl_xor", "fuse_i32_rotl_imm__i32_xor"},     {"load_mul", "fuse_f64_load__f64_mul"},
      {"load_add", "fuse_f64_load__f64_add"},         {"mul_mul", "fuse_f64_mul__f64_mul"},
      {"add_store", "fuse_f64_add__f64_store"},       {"count_ne", "fuse_i32_add_imm__br_i32_ne_back"},
      {"count_down", "fuse_i32_add_imm__br_if_back"},
      {"add_copy", "fuse_i32_add_imm__copy"},       {"add_store32", "fuse_i32_add_imm__i32_store"},
      {"shl_add", "fuse_i32_shl_imm__i32_add"},     {"shr_xor", "fuse_i32_shr_u_imm__i32_xor"},
      {"and_unless", "fuse_i32_and_imm__br_unless"}, {"copy_gt", "fuse_copy__br_i32_gt_s_back"},
      {"load_lt", "fuse_i32_load__br_i32_lt_s_back"}, {"add_le", "fuse_i32_add__br_i32_le_s_back"},
      {"store8_add", "fuse_i32_store8__i32_add"},   {"const_store8", "fuse_const64__i32_store8"},
      {"const_lt_u", "fuse_const64__br_i32_lt_u_imm"}, {"mul_sub", "fuse_f64_mul__f64_sub"},
      {"sub_mul", "fuse_f64_sub__f64_mul"},         {"sub_store", "fuse_f64_sub__f64_store"},
      {"load_load", "fuse_f64_load__f64_load"},
  });
  // Greedy pairing: the store pairs with the add before it, so the add after it stays alone.
  CHECK(h.code("add_store").find("fuse_f64_store__i32_add_imm") == std::string::npos);
}

TEST_CASE("fused: integer pairs against the reference", "[interp][fused]") {
  FusedHarness h;
  const uint32_t vals[] = {0, 1, 2, 0x7fffffffu, 0x80000000u, 0xfffffffbu, 0xfffffffdu, 0xffffffffu, 12345};
  for (uint32_t a : vals) {
    INFO("a = " << a);
    const uint32_t l1 = a + 5, l2 = l1 - 3;
    CHECK(h.num("add_add", {i32(a)}) == (l2 ^ (l1 << 8)));
    CHECK(h.num("add_add_src", {i32(a)}) == static_cast<uint32_t>((a + 100) - (a + 1)));
    CHECK(h.num("add_add_target", {i32(a), i32(0)}) == a + 1 + 10);
    CHECK(h.num("add_add_target", {i32(a), i32(1)}) == 10u);  // lands on B: A skipped
    CHECK(h.num("add_and", {i32(a)}) == ((a + 3) & 0xff0u));
    CHECK(h.num("rotl_xor", {i32(a), i32(0x5a5a5a5au)}) == (std::rotl(a, 7) ^ 0x5a5a5a5au));
    for (uint32_t b : vals) {
      CHECK(h.num("copy_copy", {i32(a), i32(b)}) == ((a << 16) | b));
      CHECK(h.num("add3", {i32(a), i32(b), i32(0x9e3779b9u)}) == a + b + 0x9e3779b9u);
      CHECK(h.num("add2_imm", {i32(a), i32(b)}) == a + b + 0x7fffffffu);
    }
  }
}

TEST_CASE("fused: address arithmetic + load wraps in 32 bits, traps out of bounds", "[interp][fused]") {
  FusedHarness h;
  uint8_t* m = h.mem();
  for (uint32_t at = 0; at < 64; ++at) m[at] = static_cast<uint8_t>(at * 7 + 1);
  uint32_t expect;
  std::memcpy(&expect, m + 12, 4);
  CHECK(h.num("add_load", {i32(0)}) == expect);            // 0 + 8, offset 4
  CHECK(h.num("add_load", {i32(0xfffffffcu)}) == [&] {     // wraps to 4, offset 4
    uint32_t v;
    std::memcpy(&v, m + 8, 4);
    return v;
  }());
  CHECK(h.num("add_load8", {i32(0xffffffffu)}) == m[2]);   // wraps to 1, offset 1
  put_f64(m, 40, 3.5);
  CHECK(h.f64_result("add_load_f64", {i32(16)}) == 3.5);                 // 16 + 16 + 8
  put_f64(m, 8, -7.25);
  CHECK(h.f64_result("add_load_f64", {i32(0xfffffff0u)}) == -7.25);  // wraps to 0, offset 8
  // Last bytes of the page: in bounds; one further: out of bounds, in the fused op's load.
  put_u32(m, 65532, 0xdeadbeefu);
  CHECK(h.num("add_load", {i32(65532 - 12)}) == 0xdeadbeefu);
  auto r = h.call("add_load", {i32(65532 - 11)});
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "out of bounds memory access");
  REQUIRE(r.error().backtrace.size() == 1);
  CHECK(h.trap("add_load8", {i32(65536 - 3)}) == "out of bounds memory access");
  CHECK(h.trap("add_load8", {i32(0x7fffffffu)}) == "out of bounds memory access");
  CHECK(h.trap("add_load_f64", {i32(65536 - 24 - 7)}) == "out of bounds memory access");
  // The instance still works after a trap.
  std::memcpy(&expect, m + 12, 4);
  CHECK(h.num("add_load", {i32(0)}) == expect);
}

TEST_CASE("fused: f64 pairs against the reference", "[interp][fused]") {
  FusedHarness h;
  uint8_t* m = h.mem();
  const double vals[] = {0.0, -0.0, 1.5, -2.25, 1e308, std::nan(""), INFINITY, 5e-324};
  for (double a : vals) {
    for (double b : vals) {
      INFO(a << " " << b);
      put_f64(m, 64, a);
      put_f64(m, 72, a);
      const double mul = h.f64_result("load_mul", {i32(64), f64(b)});
      const double add = h.f64_result("load_add", {i32(64), f64(b)});
      if (std::isnan(a * b)) CHECK(std::isnan(mul));
      else CHECK(std::bit_cast<uint64_t>(mul) == std::bit_cast<uint64_t>(a * b));
      if (std::isnan(a + b)) CHECK(std::isnan(add));
      else CHECK(std::bit_cast<uint64_t>(add) == std::bit_cast<uint64_t>(a + b));
      const double mm = h.f64_result("mul_mul", {f64(a), f64(b), f64(-3.0)});
      if (std::isnan((a * b) * -3.0)) CHECK(std::isnan(mm));
      else CHECK(std::bit_cast<uint64_t>(mm) == std::bit_cast<uint64_t>((a * b) * -3.0));
      CHECK(h.num("add_store", {i32(128), f64(a), f64(b)}) == 136u);
      double stored;
      std::memcpy(&stored, m + 128, 8);
      if (std::isnan(a + b)) CHECK(std::isnan(stored));
      else CHECK(std::bit_cast<uint64_t>(stored) == std::bit_cast<uint64_t>(a + b));
    }
  }
  CHECK(h.trap("add_store", {i32(65536 - 7), f64(1), f64(2)}) == "out of bounds memory access");
  CHECK(h.trap("load_mul", {i32(0xfffffff9u), f64(1)}) == "out of bounds memory access");
}

TEST_CASE("fused: loop back-edges count and see the interrupt flag", "[interp][fused]") {
  FusedHarness h;
  CHECK(h.num("count_ne", {i32(1)}) == 1u);
  CHECK(h.num("count_ne", {i32(1000)}) == 1000u);
  CHECK(h.num("count_down", {i32(1)}) == 0u);
  CHECK(h.num("count_down", {i32(777)}) == 0u);
  // The flag is set during iteration 5 (by the host call); the next back-edge (a fused op:
  // back-edges skip the loop header's check_interrupt) must trap.
  for (const char* fn : {"count_ne", "count_down"}) {
    FusedHarness t;
    t.interrupt_at = fn == std::string("count_ne") ? 5 : 995;
    auto r = t.call(fn, {i32(1000)});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == TrapKind::Interrupted);
    CHECK(r.error().backtrace.size() == 1);
  }
  // Without interrupt checks the same loops run to the end.
  FusedHarness plain(EngineConfig{.fuel = false, .interruptible = false});
  plain.interrupt_at = 5;
  CHECK(plain.num("count_ne", {i32(1000)}) == 1000u);
  plain.interrupt_at = 995;
  CHECK(plain.num("count_down", {i32(1000)}) == 0u);
}

TEST_CASE("fused: second-round pairs against the reference", "[interp][fused]") {
  FusedHarness h;
  uint8_t* m = h.mem();
  const uint32_t vals[] = {0, 1, 3, 4, 7, 0x7fffffffu, 0x80000000u, 0xfffffffcu, 0xffffffffu};
  for (uint32_t a : vals) {
    INFO("a = " << a);
    const uint32_t l1 = a + 4;
    CHECK(h.num("add_copy", {i32(a)}) == (l1 ^ (l1 << 1)));
    CHECK(h.num("and_unless", {i32(a)}) == ((a & 4) != 0 ? 1u : 0u));
    CHECK(h.num("const_lt_u", {i32(a)}) == (a < 2 ? 7u : 9u));
    for (uint32_t b : {0u, 5u, 0xffffffffu}) {
      CHECK(h.num("shl_add", {i32(a), i32(b)}) == (a << 2) + b);
      CHECK(h.num("shr_xor", {i32(a), i32(b)}) == ((a >> 3) ^ b));
    }
  }
  // add_imm + store: address wraps before the offset; the value lands at a + 4 + 2.
  REQUIRE(h.call("add_store32", {i32(100), i32(0xa1b2c3d4u)}));
  uint32_t v;
  std::memcpy(&v, m + 106, 4);
  CHECK(v == 0xa1b2c3d4u);
  REQUIRE(h.call("add_store32", {i32(0xfffffffcu), i32(0x01020304u)}));  // wraps to 0, + 2
  std::memcpy(&v, m + 2, 4);
  CHECK(v == 0x01020304u);
  CHECK(h.trap("add_store32", {i32(65536 - 9), i32(1)}) == "out of bounds memory access");
  // store8 + add: the byte is the low 8 bits; the add runs after the store.
  CHECK(h.num("store8_add", {i32(200), i32(0x1234), i32(0xffffffffu)}) == 199u);
  CHECK(m[200] == 0x34);
  CHECK(h.trap("store8_add", {i32(65536), i32(1), i32(1)}) == "out of bounds memory access");
  REQUIRE(h.call("const_store8", {i32(300)}));
  CHECK(m[300] == 0xff);
  CHECK(h.trap("const_store8", {i32(0xffffffffu)}) == "out of bounds memory access");
  // Compare + back-edge loops (signed compares).
  CHECK(static_cast<int32_t>(h.num("copy_gt", {i32(5)})) == 0);
  CHECK(static_cast<int32_t>(h.num("copy_gt", {i32(0)})) == -1);
  CHECK(static_cast<int32_t>(h.num("copy_gt", {i32(static_cast<uint32_t>(-5))})) == -6);
  CHECK(h.num("add_le", {i32(10), i32(3)}) == 12u);
  CHECK(h.num("add_le", {i32(static_cast<uint32_t>(-1)), i32(1)}) == 1u);  // signed: 1 > -1
  // load + lt_s: p starts at 0 and steps by 4; values 10, 20, ... at 4, 8, ...
  for (uint32_t k = 1; k <= 8; ++k) put_u32(m, 4 * k, k * 10);
  CHECK(h.num("load_lt", {i32(35)}) == 16u);
  CHECK(h.num("load_lt", {i32(0)}) == 4u);
  // f64 chains.
  const double fv[] = {0.0, -0.0, 1.5, -2.25, 1e308, std::nan(""), INFINITY};
  auto same = [](double x, double y) {
    return std::isnan(x) ? std::isnan(y) : std::bit_cast<uint64_t>(x) == std::bit_cast<uint64_t>(y);
  };
  for (double a : fv) {
    for (double b : fv) {
      INFO(a << " " << b);
      CHECK(same(a * b - 0.5, h.f64_result("mul_sub", {f64(a), f64(b), f64(0.5)})));
      CHECK(same((a - b) * 3.0, h.f64_result("sub_mul", {f64(a), f64(b), f64(3.0)})));
      REQUIRE(h.call("sub_store", {i32(512), f64(a), f64(b)}));
      double d;
      std::memcpy(&d, m + 512, 8);
      CHECK(same(a - b, d));
      put_f64(m, 600, a);
      put_f64(m, 608, b);
      CHECK(same(a / b, h.f64_result("load_load", {i32(600)})));
    }
  }
  CHECK(h.trap("sub_store", {i32(65536 - 4), f64(1), f64(2)}) == "out of bounds memory access");
  CHECK(h.trap("load_load", {i32(65536 - 12)}) == "out of bounds memory access");
}

TEST_CASE("v128 operands read in place keep their values across writes", "[interp][fused][simd]") {
  FusedHarness h;
  for (uint32_t a : {0u, 5u, 0xffffffffu}) {
    for (uint32_t b : {0u, 3u, 0x80000000u}) {
      INFO(a << " " << b);
      CHECK(h.num("v128_alias", {i32(a), i32(b)}) == a - b);
      CHECK(h.num("v128_alias_producer", {i32(a), i32(b)}) == a - (b + b));
    }
  }
  // No copy into a stack slot: the store reads the local.
  CHECK(h.code("v128_store_local").find("copy2") == std::string::npos);
  REQUIRE(h.call("v128_store_local", {i32(32), i32(0x11223344u)}));
  uint32_t v;
  std::memcpy(&v, h.mem() + 36 + 12, 4);
  CHECK(v == 0x11223344u);
  CHECK(h.trap("v128_store_local", {i32(65536 - 19), i32(1)}) == "out of bounds memory access");
}

TEST_CASE("v128 local.tee: the producer writes the local, the stack reads it", "[interp][fused][simd]") {
  FusedHarness h;
  for (uint32_t a : {0u, 5u, 0xffffffffu}) {
    for (uint32_t b : {0u, 3u, 0x80000000u}) {
      INFO(a << " " << b);
      CHECK(h.num("v128_tee_alias", {i32(a), i32(b)}) == a - b);
      CHECK(h.num("v128_tee_keep", {i32(a)}) == a * a);
      CHECK(h.num("v128_tee_store", {i32(64), i32(b)}) == b);
      uint32_t v;
      std::memcpy(&v, h.mem() + 64 + 16 + 8, 4);
      CHECK(v == b);
    }
  }
  // No copy2: the splat writes the local, the mul and the store read it in place.
  CHECK(h.code("v128_tee_keep").find("copy2") == std::string::npos);
  CHECK(h.code("v128_tee_store").find("copy2") == std::string::npos);
  // Out of bounds in the store after a tee: trap, the local was written before.
  CHECK(h.trap("v128_tee_store", {i32(65536 - 20), i32(1)}) == "out of bounds memory access");
}
