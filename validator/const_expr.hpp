// Constant expressions (global initialisers, segment offsets, element items).
// Spec (2.0): https://webassembly.github.io/spec/core/valid/instructions.html#constant-expressions
#pragma once

#include "decoder/error.hpp"
#include "decoder/module.hpp"

namespace wsvm {

// Checks that `e` is constant and produces exactly one value of type `want`. In 2.0 the
// constant instructions are t.const, ref.null, ref.func and global.get of an imported,
// immutable global (constant expressions see only imported globals).
Result<void> validate_const_expr(const Module& m, const ConstExpr& e, ValType want);

}  // namespace wsvm
