// Superinstruction sequences of 3-5 ops (interp/fused_ops.def, FUSE3..FUSE5): every sequence
// appears in the translated code and computes what its ops compute one by one: against C++
// references, out-of-bounds traps in a later component (with the memory writes of the
// earlier ones done and the backtrace), a branch landing in the middle of a sequence, 32-bit
// wrap-around of address arithmetic, a return from inside a fused op, the plain (not `_back`)
// branch forms without interrupt checks, and interrupts on fused back-edges.
#include <bit>
#include <cmath>
#include <cstring>

#include "interp/tests/fused_harness.hpp"

using namespace wsvm;
using namespace wsvm::test;

namespace {

struct SeqHarness : TickHarness {
  explicit SeqHarness(EngineConfig c = {}) : TickHarness("fused_seq", c) {}
};


const double kF64[] = {0.0, -0.0, 1.5, -2.25, 1e308, std::nan(""), INFINITY, 5e-324};

}  // namespace

TEST_CASE("fused sequences: every sequence is emitted", "[interp][fused]") {
  SeqHarness h;
  check_ops(h, {
      {"mac_loop", "spec_f64_load_mul_load_add_store"},  // spec_test.cpp: the generic forms
      {"mac_loop", "spec_add_imm_add_imm_load"},
      {"mac_loop", "spec_f64_mul_load_add_store"},
      {"mac_loop", "fuse_i32_add_imm__i32_add_imm__i32_add_imm__br_i32_ne_back"},
      {"dist", "fuse_i32_add_imm__f64_load__f64_sub__f64_mul"},
      {"mag", "fuse_f64_add__f64_add__f64_sqrt__f64_mul__const64"},
      {"mag", "spec_div_mul_sub_store"},
      {"vel_pos", "spec_load_mul_mul_sub_store"},
      {"vel_pos", "spec_mul_mul_load_add_store"},
      {"countdown", "fuse_i32_add_imm__i32_add_imm__br_if_back"},
      {"xor_and", "fuse_i32_xor__i32_and__i32_and__i32_xor"},
      {"big_sigma", "spec_rotl_rotl_xor_rotl_xor"},
      {"small_sigma", "spec_rotl_rotl_xor_shr_xor"},
      {"and_add_add", "fuse_i32_and__i32_add__i32_add"},
      {"land_mid", "fuse_i32_xor_imm__i32_and__i32_add"},
      {"load_add3", "fuse_i32_add_imm__i32_load__i32_add__i32_add__i32_add"},
      {"add_eq", "fuse_i32_add__br_i32_eq_imm"},
      {"add_addi_load", "fuse_i32_add__i32_add_imm__i32_load"},
      {"add_load", "fuse_i32_add__i32_load"},
      {"rotate6", "fuse_copy__copy__copy__copy__copy"},
      {"rotate6", "fuse_copy__br_back"},
      {"rotate8", "fuse_copy__copy__copy"},
      {"add_ret", "fuse_i32_add__ret1"},
      {"axpy_dot", "fuse_i32_add_imm__i32_add_imm__v128_load"},
      {"axpy_dot", "fuse_f32x4_mul__v128_load__v128_const"},
      {"axpy_dot", "spec_fmul_fadd_store"},
      {"axpy_dot", "fuse_f32x4_mul__v128_load__f32x4_mul__f32x4_add__v128_store"},
      {"axpy_dot", "spec_fmul_fadd_fmul_fadd"},
      {"axpy_dot", "fuse_i32_add_imm__i32_add_imm__br_i32_lt_u_imm_back"},
      {"sieve_cross", "fuse_i32_add__const64__i32_store8__i32_add__br_i32_le_s_back"},
      {"count_sel", "fuse_i32_add_imm__i32_add_imm__i32_load8_u__select"},
      {"eqz_add2", "fuse_i32_eqz__i32_add__i32_eqz__i32_add"},
      {"scan_lt", "fuse_i32_add_imm__i32_add_imm__i32_load__br_i32_lt_s_back"},
      {"scan_gt", "fuse_i32_add_imm__i32_load__i32_add_imm__copy__br_i32_gt_s_back"},
      {"tok", "fuse_i32_load8_u__i32_add_imm__i32_add_imm__i32_and_imm__i32_lt_u_imm"},
      {"tok", "fuse_select__i32_add_imm__i32_and_imm__br_i32_gt_u_imm"},
      {"mxs", "spec_v128_load_shr_xor"},
      {"mxs", "fuse_v128_const__i32x4_mul__v128_const__i32x4_mul__v128_xor"},
      {"mxs", "fuse_v128_const__i32x4_add__v128_store"},
      {"mxs", "spec_add_imm_v128_load_shr_xor"},
      {"mxs", "fuse_i32x4_mul__i32x4_mul__v128_xor__i32x4_add__v128_store"},
      {"mxs", "fuse_i32x4_add__i32x4_add__i32_add_imm__i32_add_imm__br_i32_lt_u_imm_back"},
      {"fibr", "fuse_i32_add_imm__call_local"},
      {"down", "fuse_i32_add_imm__call_local"},
      {"rotate7", "fuse_copy__copy__br_back"},
  });
  // Without interrupt checks the loops end in the plain branch forms.
  SeqHarness plain(EngineConfig{.fuel = false, .interruptible = false});
  CHECK(plain.code("mac_loop").find("fuse_i32_add_imm__i32_add_imm__i32_add_imm__br_i32_ne ") !=
        std::string::npos);
  CHECK(plain.code("countdown").find("fuse_i32_add_imm__i32_add_imm__br_if ") != std::string::npos);
  CHECK(plain.code("sieve_cross").find("fuse_i32_add__const64__i32_store8__i32_add__br_i32_le_s ") !=
        std::string::npos);
}

TEST_CASE("fused sequences: matmul loop against the reference, traps mid-loop", "[interp][fused]") {
  for (bool interruptible : {true, false}) {
    SeqHarness h(EngineConfig{.fuel = false, .interruptible = interruptible});
    uint8_t* m = h.mem();
    for (double k : kF64) {
      INFO("k = " << k);
      for (uint32_t j = 0; j < 8; ++j) {
        put_f64(m, 1024 + 8 * j, kF64[j]);        // c
        put_f64(m, 2048 + 8 * j, kF64[7 - j] - 1);  // b
      }
      REQUIRE(h.call("mac_loop", {i32(1024), i32(2048), f64(k), i32(8)}));
      for (uint32_t j = 0; j < 8; ++j) {
        INFO("j = " << j);
        CHECK(same(get_f64(m, 1024 + 8 * j), kF64[j] + k * (kF64[7 - j] - 1)));
      }
    }
    // c runs off the end of memory in the second iteration's five-op sequence (its load of
    // c[j], the third component): the first iteration's results are in memory, then the trap.
    put_f64(m, 65536 - 32, 1.0);
    put_f64(m, 65536 - 24, 2.0);
    put_f64(m, 65536 - 16, 3.0);
    put_f64(m, 65536 - 8, 4.0);
    for (uint32_t j = 0; j < 4; ++j) put_f64(m, 4096 + 8 * j, 10.0);
    auto r = h.call("mac_loop", {i32(65536 - 16), i32(4096), f64(2.0), i32(4)});
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "out of bounds memory access");
    CHECK(r.error().backtrace.size() == 1);
    CHECK(get_f64(m, 65536 - 16) == 23.0);
    CHECK(get_f64(m, 65536 - 8) == 24.0);
    // The second store (the four-op sequence) out of bounds: c2 = c + 8 is past the end.
    put_f64(m, 65536 - 8, 1.0);
    r = h.call("mac_loop", {i32(65536 - 8), i32(4096), f64(2.0), i32(2)});
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "out of bounds memory access");
    CHECK(get_f64(m, 65536 - 8) == 21.0);
  }
}

TEST_CASE("fused sequences: nbody f64 chains against the reference", "[interp][fused]") {
  SeqHarness h;
  uint8_t* m = h.mem();
  for (double a : kF64) {
    for (double b : kF64) {
      INFO(a << " " << b);
      put_f64(m, 8, b);
      CHECK(same(h.f64_result("dist", {i32(40), f64(a), f64(1.25)}), 1.25 * (a - b)));
      // -32 wraps: 8 + 2^32 - 32 is an out-of-bounds address, not 8 - 32 + 2^32 in 64 bits.
      const double d2 = a + (b + 0.5);
      const double mag = 0.01 / (d2 * std::sqrt(d2));
      const double got = h.f64_result("mag", {i32(256), f64(a), f64(b), f64(0.5), f64(3.0), f64(-a)});
      CHECK(same(got, mag));
      CHECK(same(get_f64(m, 256), 3.0 - (-a) * mag));
      put_f64(m, 512, a);
      put_f64(m, 520, b);
      REQUIRE(h.call("vel_pos", {i32(512), i32(520), f64(2.0), f64(b), f64(a)}));
      CHECK(same(get_f64(m, 512), a - (2.0 * b) * a));
      CHECK(same(get_f64(m, 520), (2.0 * b) * a + b));
    }
  }
  CHECK(h.trap("dist", {i32(8), f64(1), f64(1)}) == "out of bounds memory access");
  CHECK(h.trap("dist", {i32(65536 + 32 - 7), f64(1), f64(1)}) == "out of bounds memory access");
  CHECK(h.trap("mag", {i32(65536 - 7), f64(1), f64(1), f64(1), f64(1), f64(1)}) ==
        "out of bounds memory access");
  // vel_pos: q out of bounds traps in the second sequence after p was written.
  put_f64(m, 512, 1.0);
  CHECK(h.trap("vel_pos", {i32(512), i32(65536 - 4), f64(1), f64(1), f64(1)}) ==
        "out of bounds memory access");
  CHECK(get_f64(m, 512) == 0.0);
  CHECK(h.trap("vel_pos", {i32(0xfffffff8u), i32(0), f64(1), f64(1), f64(1)}) ==
        "out of bounds memory access");
}

TEST_CASE("fused sequences: sha256 integer chains against the reference", "[interp][fused]") {
  SeqHarness h;
  uint8_t* m = h.mem();
  const uint32_t vals[] = {0, 1, 3, 0x7fffffffu, 0x80000000u, 0xdeadbeefu, 0xffffffffu};
  for (uint32_t a : vals) {
    INFO("a = " << a);
    CHECK(h.num("big_sigma", {i32(a)}) == (std::rotl(a, 26) ^ std::rotl(a, 21) ^ std::rotl(a, 7)));
    CHECK(h.num("small_sigma", {i32(a)}) == (std::rotl(a, 25) ^ std::rotl(a, 14) ^ (a >> 3)));
    for (uint32_t b : vals) {
      const uint32_t c = 0x0f0f0f0fu, d = 0x12345678u;
      CHECK(h.num("xor_and", {i32(a), i32(b), i32(c), i32(d)}) == ((((a ^ b) & c) & d) ^ b));
      CHECK(h.num("and_add_add", {i32(a), i32(b), i32(c), i32(d)}) == (a & b) + c + d);
      CHECK(h.num("land_mid", {i32(a), i32(b), i32(0)}) == ((~a) & b));
      CHECK(h.num("land_mid", {i32(a), i32(b), i32(c)}) == (a & b) + c);  // lands on i32_and
      CHECK(h.num("add_eq", {i32(a), i32(b)}) == (a + b == 64 ? 2u : 1u));
    }
  }
  CHECK(h.num("add_eq", {i32(60), i32(4)}) == 2u);
  CHECK(h.num("add_eq", {i32(0xffffffffu), i32(65)}) == 2u);  // wraps to 64
  for (uint32_t k = 0; k < 16; ++k) put_u32(m, 4 * k, 0x01010101u * (k + 1));
  CHECK(h.num("load_add3", {i32(0), i32(1), i32(2), i32(3)}) == 0x02020202u + 6);
  CHECK(h.num("load_add3", {i32(0xfffffffcu), i32(0), i32(0), i32(0)}) == 0x01010101u);  // wraps to 0
  CHECK(h.trap("load_add3", {i32(65536 - 7), i32(0), i32(0), i32(0)}) == "out of bounds memory access");
  CHECK(h.num("add_addi_load", {i32(4), i32(4)}) == 0x05050505u);
  CHECK(h.num("add_addi_load", {i32(0xfffffff8u), i32(4)}) == 0x02020202u);  // (a + b + 8) wraps to 4
  CHECK(h.trap("add_addi_load", {i32(65536 - 11), i32(0)}) == "out of bounds memory access");
  CHECK(h.num("add_load", {i32(0xfffffffcu), i32(4)}) == 0x02020202u);  // wraps to 0, offset 4
  CHECK(h.trap("add_load", {i32(65536 - 8), i32(1)}) == "out of bounds memory access");
}

TEST_CASE("fused sequences: copy chains, back-edges, returns, interrupts", "[interp][fused]") {
  auto rotate_ref = [](uint32_t n, int vars) {
    uint32_t v[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    while (n != 0) {
      --n;
      uint32_t t = v[vars - 1] + n;
      for (int k = vars - 1; k > 0; --k) v[k] = v[k - 1];
      v[0] = t;
    }
    uint32_t r = 0;
    for (int k = 0; k < vars; ++k) r ^= v[k] << (4 * k);
    return r;
  };
  SeqHarness h;
  for (uint32_t n : {0u, 1u, 5u, 6u, 7u, 100u}) {
    INFO("n = " << n);
    CHECK(h.num("rotate6", {i32(n)}) == rotate_ref(n, 6));
    CHECK(h.num("rotate8", {i32(n)}) == rotate_ref(n, 8));
    CHECK(h.num("rotate7", {i32(n)}) == rotate_ref(n, 7));
  }
  CHECK(h.num("countdown", {i32(1)}) == 56u);
  CHECK(h.num("countdown", {i32(1000)}) == 56000u);
  CHECK(h.num("add_ret", {i32(0xffffffffu), i32(2)}) == 1u);
  CHECK(h.num("call_add_ret", {i32(5), i32(9)}) == 42u);  // the fused return lands in the caller
  // Interrupt set during an iteration: the next fused back-edge traps.
  for (const char* fn : {"mac_loop", "countdown", "rotate6"}) {
    INFO(fn);
    SeqHarness t;
    t.interrupt_at = 4;
    auto r = std::string(fn) == "mac_loop" ? t.call(fn, {i32(1024), i32(2048), f64(1), i32(100)})
                                           : t.call(fn, {i32(100)});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == TrapKind::Interrupted);
    CHECK(r.error().backtrace.size() == 1);
  }
  // Without interrupt checks the same loops run to the end.
  SeqHarness plain(EngineConfig{.fuel = false, .interruptible = false});
  plain.interrupt_at = 4;
  CHECK(plain.num("countdown", {i32(100)}) == 5600u);
  CHECK(plain.num("rotate6", {i32(100)}) == rotate_ref(100, 6));
  REQUIRE(plain.call("mac_loop", {i32(1024), i32(2048), f64(1), i32(100)}));
}

TEST_CASE("fused sequences: SIMD axpy + dot loop against the reference", "[interp][fused][simd]") {
  auto get_f32 = [](const uint8_t* m, uint32_t at) {
    float v;
    std::memcpy(&v, m + at, 4);
    return v;
  };
  auto put_f32 = [](uint8_t* m, uint32_t at, float v) { std::memcpy(m + at, &v, 4); };
  for (bool interruptible : {true, false}) {
    SeqHarness h(EngineConfig{.fuel = false, .interruptible = interruptible});
    uint8_t* m = h.mem();
    const float fv[] = {0.0f, -0.0f, 1.5f, -2.25f, 3e38f, std::nanf(""), INFINITY, 1e-45f};
    for (uint32_t base : {0u, 4u}) {
      INFO("base = " << base);
      float x[32], y[32];
      for (uint32_t k = 0; k < 32; ++k) {
        x[k] = fv[k % 8] * static_cast<float>(k + 1);
        y[k] = fv[(k * 3) % 8] - static_cast<float>(k);
        put_f32(m, base + 512 + 4 * k, x[k]);
        put_f32(m, base + 1024 + 4 * k, y[k]);
      }
      const float s = -1.75f;
      REQUIRE(h.call("axpy_dot", {f32(s), i32(base)}));
      float acc[4] = {0, 0, 0, 0};
      for (uint32_t it = 0; it < 4; ++it) {
        float r[2][4];
        for (uint32_t half = 0; half < 2; ++half) {
          for (uint32_t l = 0; l < 4; ++l) {
            const uint32_t k = it * 8 + half * 4 + l;
            r[half][l] = s * x[k] + y[k] * 0.5f;
            INFO("k = " << k);
            const float got = get_f32(m, base + 1024 + 4 * k);
            CHECK((std::isnan(r[half][l]) ? std::isnan(got)
                                          : std::bit_cast<uint32_t>(got) == std::bit_cast<uint32_t>(r[half][l])));
          }
        }
        for (uint32_t l = 0; l < 4; ++l)
          acc[l] = (acc[l] + x[it * 8 + l] * r[0][l]) + x[it * 8 + 4 + l] * r[1][l];
      }
      for (uint32_t l = 0; l < 4; ++l) {
        const float got = get_f32(m, 4 * l);
        CHECK((std::isnan(acc[l]) ? std::isnan(got) : std::bit_cast<uint32_t>(got) == std::bit_cast<uint32_t>(acc[l])));
      }
    }
    // The second vector's load of y runs off the end (the five-op sequence's second
    // component): the first vector's store is done, then the trap.
    const uint32_t base = 65536 - 1048;
    for (uint32_t k = 0; k < 4; ++k) put_f32(m, base + 1024 + 4 * k, 2.0f);
    auto r = h.call("axpy_dot", {f32(0.0f), i32(base)});
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "out of bounds memory access");
    CHECK(r.error().backtrace.size() == 1);
    CHECK(get_f32(m, base + 1024) == 1.0f);
  }
  SeqHarness t;
  t.interrupt_at = 8;  // set in the second iteration; its fused back-edge traps
  auto r = t.call("axpy_dot", {f32(1.0f), i32(0)});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == TrapKind::Interrupted);
}

TEST_CASE("fused sequences: sieve, qsort, wordfreq loops against the reference", "[interp][fused]") {
  for (bool interruptible : {true, false}) {
    SeqHarness h(EngineConfig{.fuel = false, .interruptible = interruptible});
    uint8_t* m = h.mem();
    // Crossing off: j = 3, 8, 13, ... <= 40 (signed), bytes at 100 + j.
    std::memset(m + 100, 1, 64);
    REQUIRE(h.call("sieve_cross", {i32(100), i32(3), i32(5), i32(40)}));
    for (uint32_t j = 0; j < 64; ++j) {
      INFO("j = " << j);
      CHECK(m[100 + j] == ((j >= 3 && j <= 40 && (j - 3) % 5 == 0) ? 0 : 1));
    }
    // Signed bound: n = -1 still runs the body once (do-while), then stops.
    m[100] = 1;
    REQUIRE(h.call("sieve_cross", {i32(100), i32(0), i32(1), i32(0xffffffffu)}));
    CHECK(m[100] == 0);
    CHECK(m[101] == 1);
    // The store runs off the end (third component) after earlier stores landed.
    m[65534] = 1;
    CHECK(h.trap("sieve_cross", {i32(65534), i32(0), i32(2), i32(100)}) == "out of bounds memory access");
    CHECK(m[65534] == 0);
    for (uint32_t c : {0u, 1u, 255u}) {
      m[702] = static_cast<uint8_t>(c);
      CHECK(h.num("count_sel", {i32(700), i32(11), i32(22)}) == (c != 0 ? 11u : 22u) + 701u);
    }
    CHECK(h.num("count_sel", {i32(0xffffffffu), i32(11), i32(22)}) == (m[1] != 0 ? 11u : 22u) + 0u);
    CHECK(h.trap("count_sel", {i32(65534), i32(1), i32(2)}) == "out of bounds memory access");
    for (uint32_t a : {0u, 1u, 0x80000000u})
      for (uint32_t b : {0u, 7u})
        CHECK(h.num("eqz_add2", {i32(a), i32(b), i32(100)}) == 100u + (a == 0) + (b == 0));
    // Partition scans over ints at 1000..: 5, 9, -3, 12, 40, 2
    const int32_t arr[] = {5, 9, -3, 12, 40, 2};
    for (uint32_t k = 0; k < 6; ++k) put_u32(m, 1000 + 4 * k, static_cast<uint32_t>(arr[k]));
    CHECK(h.num("scan_lt", {i32(996), i32(12)}) == 4u);   // 5, 9, -3 < 12; stops at 12
    CHECK(h.num("scan_lt", {i32(996), i32(-100)}) == 1u);  // 5 >= -100 at once
    CHECK(h.num("scan_gt", {i32(1020), i32(10)}) == 1008u);  // 40, 12 > 10; -3 is not
    CHECK(h.num("scan_gt", {i32(1024), i32(10)}) == 1020u);  // 2 at once
    CHECK(h.trap("scan_lt", {i32(65536 - 8), i32(0x7fffffff)}) == "out of bounds memory access");
    // Tokenizer: upper case maps to `lo`, then a letter check.
    for (uint32_t c : {0u, 65u, 90u, 64u, 91u, 97u, 122u, 123u, 200u, 0xc1u}) {  // A Z @ [ a z {
      INFO("c = " << c);
      m[3000] = static_cast<uint8_t>(c);
      for (uint32_t lo : {113u, 0x161u}) {  // 'q', and one that is no letter
        uint32_t cc = ((c - 65) & 255) < 26 ? lo : c;
        uint32_t want = ((cc - 97) & 255) > 25 ? 0u - cc : cc + 3001u * 1000u;
        CHECK(h.num("tok", {i32(3000), i32(lo)}) == want);
      }
    }
    CHECK(h.trap("tok", {i32(65536), i32(0)}) == "out of bounds memory access");
  }
}

TEST_CASE("fused sequences: SIMD multiply-xorshift loop against the reference", "[interp][fused][simd]") {
  for (bool interruptible : {true, false}) {
    SeqHarness h(EngineConfig{.fuel = false, .interruptible = interruptible});
    uint8_t* m = h.mem();
    for (uint32_t base : {0u, 8u}) {
      uint32_t in[64];
      for (uint32_t k = 0; k < 64; ++k) {
        in[k] = 0x9e3779b9u * (k + 1) ^ (k << 20);
        put_u32(m, base + 4 * k, in[k]);
      }
      REQUIRE(h.call("mxs", {i32(base)}));
      uint32_t acc[4] = {0, 0, 0, 0};
      for (uint32_t k = 0; k < 64; ++k) {
        uint32_t x = in[k] ^ (in[k] >> 15);
        uint32_t y = (x * 0x1bbcd7a5u) ^ (x * 0x9e3779b1u);
        uint32_t got;
        std::memcpy(&got, m + base + 4096 + 4 * k, 4);
        INFO("k = " << k);
        CHECK(got == y + 7);
        acc[k % 4] += y;
      }
      for (uint32_t l = 0; l < 4; ++l) {
        uint32_t got;
        std::memcpy(&got, m + 4 * l, 4);
        CHECK(got == acc[l]);
      }
    }
    CHECK(h.trap("mxs", {i32(65536 - 40)}) == "out of bounds memory access");
  }
}

TEST_CASE("fused sequences: a call as the last component", "[interp][fused]") {
  SeqHarness h;
  CHECK(h.num("fibr", {i32(0)}) == 0u);
  CHECK(h.num("fibr", {i32(1)}) == 1u);
  CHECK(h.num("fibr", {i32(20)}) == 6765u);
  // Exhaustion in the fused call: trap, backtrace of many frames, and the instance still works.
  auto r = h.call("down", {i32(0)});
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "call stack exhausted");
  CHECK(r.error().backtrace.size() > 100);
  CHECK(h.num("fibr", {i32(10)}) == 55u);
  SeqHarness plain(EngineConfig{.fuel = false, .interruptible = false});
  CHECK(plain.num("fibr", {i32(15)}) == 610u);
}
