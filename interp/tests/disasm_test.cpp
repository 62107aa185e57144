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
  CHECK(disasm_of(h, "br_carry") ==
        "0: const64 2|0 11|0\n"
        "3: const64 3|0 99|0\n"
        "6: const64 4|0 5|0\n"
        "9: copy 5|0\n"
        "11: br_unless 5|0 @18\n"
        "14: copy_br 3|4 1|0 @21\n"
        "18: const64 3|0 6|0\n"
        "21: i32_add 2|2 3|0\n"
        "24: ret 2|1\n"
        "26: trap_unreachable\n");
  // After `br 0` nothing is emitted until the block ends.
  CHECK(disasm_of(h, "dead_code") ==
        "0: copy 1|0\n"
        "2: br @4\n"
        "4: ret 1|1\n"
        "6: trap_unreachable\n");
}
