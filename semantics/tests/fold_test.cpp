// Constant folding (semantics/fold.hpp): results as slot bits, and no folding of what may
// trap or is not a pure numeric instruction.
#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>

#include "semantics/fold.hpp"

using namespace wsvm;

TEST_CASE("fold wraps integers and keeps i32 results zero-extended", "[fold]") {
  CHECK(num::fold(Op::i32_add, 0xffffffffu, 2) == 1u);
  CHECK(num::fold(Op::i32_sub, 0, 1) == 0xffffffffu);
  CHECK(num::fold(Op::i32_mul, 0x10000, 0x10000) == 0u);
  // Upper operand bits are not part of an i32 value.
  CHECK(num::fold(Op::i32_add, 0xabcd00000001ull, 1) == 2u);
  CHECK(num::fold(Op::i64_sub, 0, 1) == 0xffffffffffffffffull);
  CHECK(num::fold(Op::i64_mul, 0x0123456789abcdefull, 0xfedcba9876543210ull) == 0x2236d88fe5618cf0ull);
  CHECK(num::fold(Op::i32_shl, 1, 33) == 2u);
  CHECK(num::fold(Op::i32_lt_s, 0xffffffffu, 0) == 1u);
  CHECK(num::fold(Op::i64_eqz, 0) == 1u);
}

TEST_CASE("fold evaluates floats on their bits", "[fold]") {
  const uint64_t one = std::bit_cast<uint32_t>(1.0f), two = std::bit_cast<uint32_t>(2.0f);
  CHECK(num::fold(Op::f32_add, one, one) == two);
  CHECK(num::fold(Op::f64_neg, std::bit_cast<uint64_t>(0.0)) == std::bit_cast<uint64_t>(-0.0));
  CHECK(num::fold(Op::f32_min, std::bit_cast<uint32_t>(-0.0f), std::bit_cast<uint32_t>(0.0f)) ==
        std::bit_cast<uint32_t>(-0.0f));
  CHECK(num::fold(Op::i32_reinterpret_f32, two) == two);
}

TEST_CASE("fold refuses what may trap or is not numeric", "[fold]") {
  CHECK_FALSE(num::fold(Op::i32_div_s, 1, 1).has_value());
  CHECK_FALSE(num::fold(Op::i64_rem_u, 1, 1).has_value());
  CHECK_FALSE(num::fold(Op::i32_trunc_f32_s, 0).has_value());
  CHECK_FALSE(num::fold(Op::i32_load, 0).has_value());
  CHECK_FALSE(num::fold(Op::local_get, 0).has_value());
  CHECK_FALSE(num::fold(Op::i32x4_add, 0, 0).has_value());
}
