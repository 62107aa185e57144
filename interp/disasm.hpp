// Disassembly of threaded code: one line per instruction, "index: op operands", where
// operands print as lo|hi slot pairs and branch targets as @index.
#pragma once

#include <string>

#include "interp/code.hpp"

namespace wsvm::interp {

uint32_t iop_length(IOp op, const Word* at);  // Words of the instruction at `at`
bool is_fused_branch(IOp op);                 // compare + branch ops (branch_ops.def)
std::string disassemble(const FuncCode& fc);

}  // namespace wsvm::interp
