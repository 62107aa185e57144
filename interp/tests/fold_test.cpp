// Operand folding and fused compare + branch (translate_fold.cpp): every fused form against
// a reference computed here, aliasing (a local changing while its old value is on the stack,
// dst == src), wrap-around of immediates, NaN compares (never fused, never inverted) and
// trap paths with folded operands.
#include <cmath>
#include <limits>

#include "interp/disasm.hpp"
#include "interp/tests/exec_util.hpp"

using namespace wsvm;
using namespace wsvm::test;

namespace {

template <class U>
bool ref_cmp(const std::string& c, U a, U b) {
  using S = std::make_signed_t<U>;
  S sa = static_cast<S>(a), sb = static_cast<S>(b);
  if (c == "eq") return a == b;
  if (c == "ne") return a != b;
  if (c == "lt_s") return sa < sb;
  if (c == "lt_u") return a < b;
  if (c == "gt_s") return sa > sb;
  if (c == "gt_u") return a > b;
  if (c == "le_s") return sa <= sb;
  if (c == "le_u") return a <= b;
  if (c == "ge_s") return sa >= sb;
  return a >= b;  // ge_u
}

std::string code_of(Harness& h, const std::string& name) {
  FuncInstance* f = h.inst->find_func(name);
  REQUIRE(f != nullptr);
  return interp::disassemble(*static_cast<const interp::FuncCode*>(f->code));
}

const char* const kCmps[] = {"eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"};

}  // namespace

TEST_CASE("fused compare + branch: every form against the reference", "[interp][fold]") {
  Harness h;
  h.load("fold_branches");
  const uint32_t v32[] = {0, 1, 2, 0xfffffffbu, 0xfffffffau, 0xfffffffcu, 0x7fffffffu, 0x80000000u,
                          0xffffffffu, 7};
  const uint64_t v64[] = {0, 1, 0xfffffffffffffffbull, 0xfffffffffffffffaull, 0xfffffffffffffffcull,
                          0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
                          0x00000000fffffffbull, 0x100000000ull};
  for (const char* c : kCmps) {
    for (const char* form : {"br_if", "if", "move"}) {
      for (uint32_t a : v32) {
        CHECK(h.num(std::string("i32_") + c + "_" + form + "_imm", {i32(a)}) ==
              ref_cmp<uint32_t>(c, a, 0xfffffffbu));
        for (uint32_t b : v32) {
          INFO("i32." << c << " " << form << " " << a << " " << b);
          CHECK(h.num(std::string("i32_") + c + "_" + form + "_reg", {i32(a), i32(b)}) ==
                ref_cmp<uint32_t>(c, a, b));
        }
      }
      for (uint64_t a : v64) {
        CHECK(h.num(std::string("i64_") + c + "_" + form + "_imm", {i64(a)}) ==
              ref_cmp<uint64_t>(c, a, 0xfffffffffffffffbull));
        for (uint64_t b : v64) {
          INFO("i64." << c << " " << form << " " << a << " " << b);
          CHECK(h.num(std::string("i64_") + c + "_" + form + "_reg", {i64(a), i64(b)}) ==
                ref_cmp<uint64_t>(c, a, b));
        }
      }
    }
  }
  for (const char* form : {"br_if", "if"}) {
    CHECK(h.num(std::string("i32_eqz_") + form, {i32(0)}) == 1);
    CHECK(h.num(std::string("i32_eqz_") + form, {i32(0x80000000u)}) == 0);
    CHECK(h.num(std::string("i64_eqz_") + form, {i64(0)}) == 1);
    CHECK(h.num(std::string("i64_eqz_") + form, {i64(0x100000000ull)}) == 0);  // high half
  }
  // The fused forms are really used: no separate compare op is left.
  CHECK(code_of(h, "i32_lt_s_br_if_reg").find("br_i32_lt_s ") != std::string::npos);
  CHECK(code_of(h, "i32_lt_s_if_reg").find("br_i32_ge_s ") != std::string::npos);
  CHECK(code_of(h, "i32_lt_u_move_imm").find("br_i32_ge_u_imm ") != std::string::npos);
  CHECK(code_of(h, "i64_gt_u_br_if_imm").find("br_i64_gt_u_imm ") != std::string::npos);
  CHECK(code_of(h, "i64_eqz_if").find("br_i64_nez ") != std::string::npos);
  CHECK(code_of(h, "i32_eq_br_if_reg").find(": i32_eq ") == std::string::npos);
}

TEST_CASE("float compares + branch keep NaN semantics", "[interp][fold]") {
  Harness h;
  h.load("fold_branches");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double vals[] = {1.0, 2.0, nan, -0.0, 0.0};
  for (const char* t : {"f32", "f64"}) {
    for (double a : vals) {
      for (double b : vals) {
        bool expect[6] = {a == b, a != b, a < b, a > b, a <= b, a >= b};
        const char* names[6] = {"eq", "ne", "lt", "gt", "le", "ge"};
        for (int k = 0; k < 6; ++k) {
          Value va = t[1] == '3' ? f32(static_cast<float>(a)) : f64(a);
          Value vb = t[1] == '3' ? f32(static_cast<float>(b)) : f64(b);
          INFO(t << "." << names[k] << " " << a << " " << b);
          CHECK(h.num(std::string(t) + "_" + names[k] + "_if", {va, vb}) == expect[k]);
          CHECK(h.num(std::string(t) + "_" + names[k] + "_br_if", {va, vb}) == expect[k]);
        }
      }
    }
  }
}

TEST_CASE("operand folding: aliasing, immediates, traps", "[interp][fold]") {
  Harness h;
  h.load("fold");
  CHECK(h.num("alias_set", {i32(12)}) == 7);
  CHECK(h.num("swap", {i32(3), i32(4)}) == 4003);
  CHECK(h.num("self_ops", {i32(5)}) == 121);
  CHECK(h.num("self_ops", {i32(0x80000000u)}) == 1);  // x + x wraps to 0
  CHECK(h.num("alias_tee", {i32(10)}) == static_cast<uint32_t>(-20));
  CHECK(h.num("moves", {i32(1), i32(2)}) == 2);
  CHECK(h.num("add1", {i32(0xffffffffu)}) == 0);
  CHECK(h.num("add1_left", {i32(0xffffffffu)}) == 0);
  CHECK(h.num("add1", {i32(41)}) == 42);
  CHECK(h.num("ten_minus", {i32(3)}) == 7);
  CHECK(h.num("ten_minus", {i32(11)}) == 0xffffffffu);
  CHECK(h.num("minus_ten", {i32(3)}) == static_cast<uint32_t>(-7));
  CHECK(h.num("shl31", {i32(3)}) == 0x80000000u);
  CHECK(h.num("shr_s33", {i32(0x80000000u)}) == 0xc0000000u);  // count taken mod 32
  CHECK(h.num("i64_add_big", {i64(1)}) == 0x8000000000000000ull);
  CHECK(h.num("i64_add_big", {i64(0x8000000000000001ull)}) == 0);
  CHECK(h.num("i64_lt_neg", {i64(0xfffffffffffffffeull)}) == 1);
  CHECK(h.num("i64_lt_neg", {i64(0xffffffffull)}) == 0);  // an i32 -1 zero-extended is not -1
  auto half = h.call("f64_half", {f64(3.0)});
  REQUIRE(half);
  CHECK((*half)[0].f64 == 1.5);
  auto fs = h.call("f32_sub", {f32(1.0f)});
  REQUIRE(fs);
  CHECK((*fs)[0].f32 == -0.5f);
  CHECK(h.num("const_const") == 42);

  CHECK(h.trap("div_by_const0", {i32(5)}) == "integer divide by zero");
  CHECK(h.num("div_const_by", {i32(0xffffffffu)}) == static_cast<uint32_t>(-100));
  CHECK(h.trap("div_const_by", {i32(0)}) == "integer divide by zero");
  CHECK(h.trap("load_at", {i32(65532)}) == "out of bounds memory access");
  CHECK(h.trap("load_at", {i32(0xffffffffu)}) == "out of bounds memory access");
  CHECK(h.num("load_at", {i32(65528)}) == 0);
  CHECK(h.num("store_const", {i32(100)}) == 0x12345678u);
  CHECK(h.trap("store_const", {i32(65533)}) == "out of bounds memory access");
  CHECK(h.num("tee_load", {i32(200)}) == 77);
  CHECK(h.trap("tee_load", {i32(65530)}) == "out of bounds memory access");

  // Address arithmetic: the sum wraps at 32 bits, the offset does not.
  CHECK(h.num("store_sum", {i32(0xfffffff0u), i32(0x20), i32(99)}) == 99);  // at 0x10 + 4
  CHECK(h.num("load_sum", {i32(0x10), i32(0)}) == 99);
  CHECK(h.num("load_sum", {i32(0xfffffff0u), i32(0x20)}) == 99);
  CHECK(h.trap("load_sum", {i32(65532), i32(0)}) == "out of bounds memory access");
  CHECK(h.trap("load_sum", {i32(0xffffffffu), i32(0)}) == "out of bounds memory access");
  CHECK(h.trap("load_sum", {i32(0x7fffffffu), i32(0x7fffffffu)}) == "out of bounds memory access");
  CHECK(h.trap("store_sum", {i32(65530), i32(0), i32(1)}) == "out of bounds memory access");
  CHECK(h.num("store_const_sum", {i32(300), i32(4)}) == 0x6655);  // 0x55 at 304, 0x66 at 305
  CHECK(h.num("load8_sum_self", {i32(10)}) == 99);  // byte at 20, written above; dst == src

  CHECK(h.num("select", {i32(5), i32(0), i32(1)}) == 5);
  CHECK(h.num("select", {i32(5), i32(0), i32(0)}) == 42);
  CHECK(h.num("sp") == 84 + 84);
  CHECK(h.num("sp") == 68 + 68);  // the global really changed
  CHECK(h.num("across_call", {i32(5)}) == 6);
  CHECK(h.num("across_if", {i32(5), i32(1)}) == 104);
  CHECK(h.num("across_if", {i32(5), i32(0)}) == 10);
  CHECK(h.num("sum_to", {i32(0)}) == 0);
  CHECK(h.num("sum_to", {i32(100)}) == 5050);
  CHECK(h.num("cmp_twice", {i32(1), i32(2)}) == 11);
  CHECK(h.num("cmp_twice", {i32(2), i32(1)}) == 0);

  // Folding removes the stack traffic: `x + 1` is one op reading the local in place.
  CHECK(code_of(h, "add1").find("copy") == std::string::npos);
  CHECK(code_of(h, "add1").find("const64") == std::string::npos);
  CHECK(code_of(h, "sum_to").find("br_i32_gt_s_imm") != std::string::npos);
}
