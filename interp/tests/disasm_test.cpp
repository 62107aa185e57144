// The translator's output as text (CONVENTIONS 6): slot assignment, value moves on branches,
// forward-branch patching and no code for unreachable instructions.
#include "interp/disasm.hpp"
#include "interp/tests/exec_util.hpp"

using namespace wsvm;
using namespace wsvm::test;

namespace {
std::string disasm_of(Harness& h, const std::string& export_name) {
  FuncInstance* f = h.inst->find_func(export_name);
  REQUIRE(f != nullptr);
  return interp::disassemble(*static_cast<const interp::FuncCode*>(f->code));
}
}  // namespace

TEST_CASE("translation as text", "[interp][disasm]") {
  Harness h;
  h.load("control");
  // Locals take slots 0..1; the branch value (slot 4) moves down to the block's height (3).
  // The condition is local 0, read in place (no copy).
  CHECK(disasm_of(h, "br_carry") ==
        "0: const64 2|0 11|0\n"
        "3: const64 3|0 99|0\n"
        "6: const64 4|0 5|0\n"
        "9: br_unless 0|0 @16\n"
        "12: copy_br 3|4 1|0 @19\n"
        "16: const64 3|0 6|0\n"
        "19: fuse_i32_add__ret1 2|2 3|0\n"
        "22: ret1 2|1\n"
        "24: trap_unreachable\n");
  // After `br 0` nothing is emitted until the block ends.
  CHECK(disasm_of(h, "dead_code") ==
        "0: copy 1|0\n"
        "2: br @4\n"
        "4: ret1 1|1\n"
        "6: trap_unreachable\n");
}

TEST_CASE("SIMD translation as text", "[interp][disasm][simd]") {
  Harness h;
  h.load("simd");
  // A v128 takes two slots: the i32 is at 1, the vectors at 2..3 and 4..5; v128.const
  // carries its 16 bytes as two words; the branch condition is local 0, read in place.
  // SIMD ops take their operands through the lazy operand stack, so the pending i32 const
  // below the vectors is only materialized when the branch needs it.
  CHECK(disasm_of(h, "block_br") ==
        "0: v128_const 2|0 1|2 3|4\n"
        "4: const64 1|0 1000|0\n"
        "7: v128_const 4|0 2|2 2|2\n"
        "11: i32x4_mul 2|2 4|0\n"
        "14: br_if 0|0 @24\n"
        "17: v128_const 4|0 100|100 100|100\n"
        "21: i32x4_add 2|2 4|0\n"
        "24: i32x4_extract_lane 2|2 2|0\n"
        "27: fuse_i32_add__ret1 1|1 2|0\n"
        "30: ret1 1|1\n"
        "32: trap_unreachable\n");
  // load_lane: [dst|addr][offset][vec|lane]; the address is local 0, read in place, and
  // the result goes to the address operand's slot.
  CHECK(disasm_of(h, "load_lane_at") ==
        "0: v128_const 2|0 0|0 0|0\n"
        "4: v128_load64_lane 1|0 0|0 2|1\n"
        "8: i64x2_extract_lane 1|1 1|0\n"
        "11: ret1 1|1\n"
        "13: trap_unreachable\n");
  // A v128 local.get is one two-slot copy; the return moves two slots.
  CHECK(disasm_of(h, "identity") ==
        "0: copy2 2|0\n"
        "2: ret 2|2\n"
        "4: trap_unreachable\n");
}
