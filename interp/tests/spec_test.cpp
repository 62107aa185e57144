// Specialised superinstructions (interp/spec_ops.def, interpreter_spec.inc): which sequences
// get them (only when the values between the components are stack temporaries), and that
// they compute what the generic fused ops and the plain ops compute: C++ references, NaNs,
// out-of-bounds traps after the earlier components' memory effects, large offsets.
#include <bit>
#include <cmath>
#include <cstring>

#include "interp/tests/fused_harness.hpp"

using namespace wsvm;
using namespace wsvm::test;

namespace {

struct SpecHarness : TickHarness {
  explicit SpecHarness(EngineConfig c = {}) : TickHarness("spec", c) {}
};

bool has(const std::string& code, const char* op) { return code.find(op) != std::string::npos; }

const double kF64[] = {0.0, -0.0, 1.5, -2.25, 1e308, std::nan(""), -INFINITY, 5e-324};

}  // namespace

TEST_CASE("specialised ops: chosen only for stack temporaries", "[interp][spec]") {
  SpecHarness h;
  const std::string mac2 = h.code("mac2");
  INFO(mac2);
  CHECK(has(mac2, "spec_f64_load_mul_load_add_store"));
  CHECK(has(mac2, "spec_f64_mul_load_add_store"));
  const std::string tee = h.code("mac2_tee");
  INFO(tee);
  CHECK_FALSE(has(tee, "spec_"));
  CHECK(has(tee, "fuse_f64_load__f64_mul__f64_load__f64_add__f64_store"));
  CHECK(has(h.code("mac_off"), "spec_f64_load_mul_load_add_store"));
  CHECK_FALSE(has(h.code("mac_swapped"), "spec_"));
}

TEST_CASE("specialised ops: matmul forms against the reference and the generic form",
          "[interp][spec]") {
  SpecHarness h;
  uint8_t* m = h.mem();
  for (double k : kF64) {
    for (double b : kF64) {
      for (double c : kF64) {
        INFO(k << " " << b << " " << c);
        put_f64(m, 0, c);
        put_f64(m, 8, c);
        put_f64(m, 64, b);
        put_f64(m, 72, -b);
        put_f64(m, 128, c);
        put_f64(m, 136, c);
        REQUIRE(h.call("mac2", {i32(0), i32(64), f64(k)}));
        const double t = h.f64_result("mac2_tee", {i32(128), i32(64), f64(k)});
        CHECK(same(get_f64(m, 0), c + k * b));
        CHECK(same(get_f64(m, 8), c + k * -b));
        CHECK(same(get_f64(m, 128), get_f64(m, 0)));
        CHECK(same(get_f64(m, 136), get_f64(m, 8)));
        CHECK(same(t, k * -b));
        put_f64(m, 0, c);
        REQUIRE(h.call("mac_swapped", {i32(0), i32(64), f64(k)}));
        CHECK(same(get_f64(m, 0), c + b * k));
      }
    }
  }
  // Destination = source: c and b the same array (c[j] += k * c[j]).
  put_f64(m, 256, 3.0);
  put_f64(m, 264, 5.0);
  REQUIRE(h.call("mac2", {i32(256), i32(256), f64(2.0)}));
  CHECK(get_f64(m, 256) == 9.0);
  CHECK(get_f64(m, 264) == 15.0);
}

TEST_CASE("specialised ops: traps at the memory bound and with large offsets", "[interp][spec]") {
  SpecHarness h;
  uint8_t* m = h.mem();
  // The second element's store is the first out-of-bounds access: the first element is done.
  put_f64(m, 65528, 1.0);
  put_f64(m, 64, 2.0);
  put_f64(m, 72, 2.0);
  auto r = h.call("mac2", {i32(65528), i32(64), f64(3.0)});
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "out of bounds memory access");
  CHECK(r.error().backtrace.size() == 1);
  CHECK(get_f64(m, 65528) == 7.0);
  // b's first load out of bounds: nothing is written.
  put_f64(m, 0, 1.0);
  r = h.call("mac2", {i32(0), i32(65532), f64(3.0)});
  REQUIRE_FALSE(r);
  CHECK(get_f64(m, 0) == 1.0);
  // Index near 4 GiB: no 32-bit wrap of index + offset.
  r = h.call("mac2", {i32(0), i32(0xFFFFFFF8u), f64(3.0)});
  REQUIRE_FALSE(r);
  CHECK(get_f64(m, 0) == 1.0);
  // Loads in bounds (b at offset 65528), the store at offset 2^32 - 8 is not: no write.
  put_f64(m, 65528, 4.0);
  put_f64(m, 0, 1.0);
  r = h.call("mac_off", {i32(0), i32(0), f64(3.0)});
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "out of bounds memory access");
  CHECK(get_f64(m, 0) == 1.0);
  CHECK(get_f64(m, 65528) == 4.0);
  r = h.call("mac_off", {i32(0), i32(16), f64(3.0)});  // b + 65528 past the end
  REQUIRE_FALSE(r);
  CHECK(get_f64(m, 0) == 1.0);
}

TEST_CASE("specialised ops: nbody forms, generic when a value is a local", "[interp][spec]") {
  SpecHarness h;
  check_ops(h, {
      {"dist_m_tee", "fuse_i32_sub_imm__f64_load__f64_sub__f64_mul"},
      {"dist_sq_tee", "fuse_i32_sub_imm__f64_load__f64_sub__f64_mul__f64_mul"},
      {"mag2_tee", "fuse_f64_div__f64_mul__f64_sub__f64_store"},
      {"vel_tee", "fuse_f64_load__f64_mul__f64_mul__f64_sub__f64_store"},
      {"pos_tee", "fuse_f64_mul__f64_mul__f64_load__f64_add__f64_store"},
      {"step_tee", "fuse_f64_load__f64_mul_imm__f64_add__f64_store"},
  });
  CHECK(has(h.code("mag2"), "spec_div_mul_sub_store"));
  uint8_t* m = h.mem();
  for (double a : kF64) {
    for (double b : kF64) {
      INFO(a << " " << b);
      put_f64(m, 16, b);
      const double dx = a - b;
      CHECK(same(h.f64_result("dist_m_tee", {i32(64), f64(a), f64(1.5)}), 1.5 * dx + b));
      CHECK(same(h.f64_result("dist_sq_tee", {i32(64), f64(a), f64(a)}), (dx * dx + a * a) + b));
      const double q = a / b;
      CHECK(same(h.f64_result("mag2", {i32(256), f64(a), f64(b), f64(0.5), f64(3.0)}), q));
      CHECK(same(get_f64(m, 256), 3.0 - 0.5 * q));
      CHECK(same(h.f64_result("mag2_tee", {i32(264), f64(a), f64(b), f64(0.5), f64(3.0)}), q + 0.5 * q));
      CHECK(same(get_f64(m, 264), 3.0 - 0.5 * q));
      put_f64(m, 512, a);
      const double t = (2.0 * b) * a;
      CHECK(same(h.f64_result("vel_tee", {i32(512), f64(2.0), f64(b), f64(a)}), t));
      CHECK(same(get_f64(m, 512), a - t));
      put_f64(m, 520, b);
      CHECK(same(h.f64_result("pos_tee", {i32(520), f64(2.0), f64(b), f64(a)}), t));
      CHECK(same(get_f64(m, 520), t + b));
      put_f64(m, 1024, b);
      const double x = b * 0.01 + a;
      CHECK(same(h.f64_result("step_tee", {i32(1024), f64(a)}), x + b * 0.01));
      CHECK(same(get_f64(m, 1032), x));
    }
  }
  // Traps in the generic forms' later components, with the kept results' effects.
  CHECK(h.trap("mag2", {i32(65532), f64(1), f64(1), f64(1), f64(1)}) == "out of bounds memory access");
  CHECK(h.trap("mag2_tee", {i32(65532), f64(1), f64(1), f64(1), f64(1)}) == "out of bounds memory access");
  CHECK(h.trap("dist_m_tee", {i32(16), f64(1), f64(1)}) == "out of bounds memory access");
  CHECK(h.trap("step_tee", {i32(65528), f64(1)}) == "out of bounds memory access");
}

TEST_CASE("specialised ops: simd kernels against the reference, generic forms, traps",
          "[interp][spec][simd]") {
  SpecHarness h;
  check_ops(h, {
      {"mxs_t", "spec_v128_load_shr_xor"},       {"mxs_t", "spec_const_mul_const_mul_xor"},
      {"mxs_t", "spec_const_add_store"},         {"axpy_t", "spec_fmul_fadd_store"},
      {"axpy_t", "spec_fmul_fadd_fmul_fadd"},
      {"mxs_tee", "fuse_v128_load__const64__i32x4_shr_u__v128_xor"},
      {"mxs_tee", "fuse_v128_const__i32x4_mul__v128_const__i32x4_mul__v128_xor"},
      {"mxs_tee", "fuse_v128_const__i32x4_add__v128_store"},
      {"axpy_tee", "fuse_f32x4_mul__f32x4_add__v128_store"},
      {"axpy_tee", "fuse_f32x4_mul__f32x4_add__f32x4_mul__f32x4_add"},
  });
  uint8_t* m = h.mem();
  const uint32_t c1[4] = {0x9e3779b1u, 0x85ebca6bu, 3, 5}, c2[4] = {0xc2b2ae35u, 7, 0x27d4eb2fu, 1};
  const uint32_t c3[4] = {0x165667b1u, 2, 0x7fffffffu, 0x80000000u};
  const uint32_t ins[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xdeadbeefu, 0xffffffffu, 12345, 0x8000u};
  for (uint32_t k = 0; k < 8; k += 4) {
    for (const char* fn : {"mxs_t", "mxs_tee"}) {
      INFO(fn << " " << k);
      for (uint32_t l = 0; l < 4; ++l) put_u32(m, 4 * l, ins[k + l]);
      REQUIRE(h.call(fn, {i32(0)}));
      for (uint32_t l = 0; l < 4; ++l) {
        uint32_t v = ins[k + l];
        v ^= v >> 15;
        const uint32_t want = ((v * c1[l]) ^ (v * c2[l])) + c3[l];
        uint32_t got;
        std::memcpy(&got, m + 16 + 4 * l, 4);
        CHECK(got == want);
      }
    }
  }
  const float fins[] = {0.0f, -0.0f, 1.5f, -2.25f, 3e38f, std::nanf(""), -INFINITY, 1e-45f};
  auto get_f32 = [m](uint32_t at) {
    float v;
    std::memcpy(&v, m + at, 4);
    return v;
  };
  auto same32 = [](float x, float y) {
    return std::isnan(x) ? std::isnan(y) : std::bit_cast<uint32_t>(x) == std::bit_cast<uint32_t>(y);
  };
  for (uint32_t r = 0; r < 8; ++r) {
    for (const char* fn : {"axpy_t", "axpy_tee"}) {
      INFO(fn << " " << r);
      float in[6][4];  // a, x, (result), d, u, w at p + 16 * i; y at q = 512
      for (uint32_t i = 0; i < 6; ++i)
        for (uint32_t l = 0; l < 4; ++l) {
          in[i][l] = fins[(r + 3 * i + l) % 8];
          std::memcpy(m + 16 * i + 4 * l, &in[i][l], 4);
        }
      float y0[4];
      for (uint32_t l = 0; l < 4; ++l) {
        y0[l] = fins[(r + l + 5) % 8];
        std::memcpy(m + 512 + 4 * l, &y0[l], 4);
      }
      REQUIRE(h.call(fn, {i32(0), i32(512)}));
      for (uint32_t l = 0; l < 4; ++l) {
        const float y = in[0][l] * in[1][l] + y0[l] * 0.5f;
        CHECK(same32(get_f32(512 + 4 * l), y));
        CHECK(same32(get_f32(32 + 4 * l), (in[3][l] + in[1][l] * y) + in[4][l] * in[5][l]));
      }
    }
  }
  // Out of bounds: the store of mxs (p + 16) after its load; axpy's store to q.
  for (const char* fn : {"mxs_t", "mxs_tee"}) {
    CHECK(h.trap(fn, {i32(65536 - 16)}) == "out of bounds memory access");
    CHECK(h.trap(fn, {i32(0xfffffff0u)}) == "out of bounds memory access");
  }
  for (const char* fn : {"axpy_t", "axpy_tee"})
    CHECK(h.trap(fn, {i32(0), i32(65536 - 8)}) == "out of bounds memory access");
}

TEST_CASE("specialised ops: sha256 forms against the reference, generic forms", "[interp][spec]") {
  SpecHarness h;
  check_ops(h, {
      {"sig_t", "spec_rotl_rotl_xor_rotl_xor"},
      {"sig_tee", "fuse_i32_rotl_imm__i32_rotl_imm__i32_xor__i32_rotl_imm__i32_xor"},
      {"sig_s_t", "spec_rotl_rotl_xor_shr_xor"},
      {"sig_s_tee", "fuse_i32_rotl_imm__i32_rotl_imm__i32_xor__i32_shr_u_imm__i32_xor"},
      {"maj_t", "spec_xor_and_and_xor"},
      {"maj_tee", "fuse_i32_xor__i32_and__i32_and__i32_xor"},
      {"ch_t", "spec_xor_imm_and_add"},
      {"ch_tee", "fuse_i32_xor_imm__i32_and__i32_add"},
      {"sum_a", "spec_add_add_a"},
      {"sum_b", "spec_add_add_b"},
      {"sum_tee", "fuse_i32_add__i32_add"},
  });
  const uint32_t vals[] = {0, 1, 3, 0x7fffffffu, 0x80000000u, 0xdeadbeefu, 0xffffffffu};
  for (uint32_t a : vals) {
    INFO("a = " << a);
    const uint32_t t = std::rotl(a, 26) ^ std::rotl(a, 21);
    CHECK(h.num("sig_t", {i32(a)}) == (t ^ std::rotl(a, 7)));
    CHECK(h.num("sig_tee", {i32(a)}) == (t ^ std::rotl(a, 7)) + t);
    const uint32_t s = std::rotl(a, 25) ^ std::rotl(a, 14) ^ (a >> 3);
    CHECK(h.num("sig_s_t", {i32(a)}) == s);
    CHECK(h.num("sig_s_tee", {i32(a)}) == s + std::rotl(a, 25));
    for (uint32_t b : vals) {
      const uint32_t c = 0x0f0f0f0fu ^ b;
      const uint32_t maj = ((a ^ b) & c) ^ (a & b);
      CHECK(h.num("maj_t", {i32(a), i32(b), i32(c)}) == maj);
      CHECK(h.num("maj_tee", {i32(a), i32(b), i32(c)}) == maj + (a ^ b));
      CHECK(h.num("ch_t", {i32(a), i32(b), i32(c)}) == c + (b & ~a));
      CHECK(h.num("ch_tee", {i32(a), i32(b), i32(c)}) == c + 2 * (b & ~a));
      CHECK(h.num("sum_a", {i32(a), i32(b), i32(c)}) == a + b + c);
      CHECK(h.num("sum_b", {i32(a), i32(b), i32(c)}) == c + (a + b));
      CHECK(h.num("sum_tee", {i32(a), i32(b), i32(c)}) == c);
    }
  }
}

TEST_CASE("specialised ops: matmul's address pair + load, generic form, wrap, traps", "[interp][spec]") {
  SpecHarness h;
  CHECK(has(h.code("addr2"), "spec_add_imm_add_imm_load"));
  CHECK(has(h.code("addr2_tee"), "fuse_i32_add_imm__i32_add_imm__f64_load"));
  CHECK_FALSE(has(h.code("addr2_tee"), "spec_"));
  uint8_t* m = h.mem();
  for (double b : kF64) {
    INFO(b);
    put_f64(m, 72, b);
    put_f64(m, 136, 0.5);
    CHECK(same(h.f64_result("addr2", {i32(128), i32(64)}), b + 0.5));
    CHECK(same(h.f64_result("addr2_tee", {i32(128), i32(64)}), (b + 0.5) + 72.0));
  }
  // b + 8 wraps in 32 bits (2^32 - 8 + 8 = 0); c + 8 likewise.
  put_f64(m, 0, 3.0);
  CHECK(h.f64_result("addr2", {i32(0xfffffff8u), i32(0xfffffff8u)}) == 6.0);
  CHECK(h.trap("addr2", {i32(0), i32(65536 - 12)}) == "out of bounds memory access");
  CHECK(h.trap("addr2", {i32(65536 - 12), i32(0)}) == "out of bounds memory access");
  CHECK(h.trap("addr2_tee", {i32(0), i32(65536 - 12)}) == "out of bounds memory access");
}
