// Evaluation of constant expressions (global initialisers, segment offsets and items).
// Spec: https://webassembly.github.io/spec/core/valid/instructions.html#constant-expressions
#pragma once

#include "decoder/error.hpp"
#include "decoder/module.hpp"
#include "runtime/store.hpp"
#include "runtime/value.hpp"

namespace wsvm {

// Evaluates a validated constant expression against `inst` (its funcs and the globals
// allocated so far). Supports t.const, ref.null, ref.func, global.get and the extended-const
// integer add/sub/mul. Anything else (which validation rejects) is ErrorKind::Invalid
// "constant expression required".
Result<Value> eval_const_expr(const ConstExpr& expr, const Instance& inst);

}  // namespace wsvm
