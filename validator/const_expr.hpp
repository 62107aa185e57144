// Constant expressions (global initialisers, segment offsets, element items).
// Spec (2.0): https://webassembly.github.io/spec/core/valid/instructions.html#constant-expressions
#pragma once

#include "decoder/error.hpp"
#include "decoder/module.hpp"

namespace wsvm {

// Checks that `e` is constant and produces exactly one value of a subtype of `want`. The
// constant instructions (Wasm 3.0, extended constant expressions): t.const, ref.null,
// ref.func, i32/i64 add/sub/mul and global.get of an immutable global among the first
// `visible_globals` (a global's initialiser sees the imported globals and those defined
// before it; segments see every global).
Result<void> validate_const_expr(const Module& m, const ConstExpr& e, ValType want,
                                 uint32_t visible_globals);

}  // namespace wsvm
