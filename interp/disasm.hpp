// Disassembly of threaded code: one line per instruction, "index: op operands", where
// operands print as lo|hi slot pairs and branch targets as @index. A superinstruction's line
// names the fused op with its first component's operands; the other components follow as
// their own lines (their handler words are still in the code).
#pragma once

#include <string>

#include "interp/code.hpp"

namespace wsvm::interp {

uint32_t iop_length(IOp op, const Word* at);  // Words of the instruction at `at`
bool is_fused_branch(IOp op);                 // compare + branch ops (branch_ops.def)
IOp fused_first(IOp op);                      // a superinstruction's first op (kCount: not fused)
std::string disassemble(const FuncCode& fc);

}  // namespace wsvm::interp
