// Constant folding: a non-trapping numeric instruction evaluated on constant operands, for
// every tier and for constant expressions (runtime/const_eval.cpp, the JIT's value stack).
// Generated from numeric_ops.def, so a folded result is by construction what the
// instruction computes at run time in either engine.
#pragma once

#include <cstdint>
#include <optional>

#include "decoder/opcodes.hpp"
#include "semantics/numerics.hpp"
#include "semantics/slot.hpp"

namespace wsvm::num {

// The result of `op` on x (and y, for a binary op) as slot bits, or nullopt when `op` is not
// a non-trapping unary/binary numeric instruction (a trapping one, a load/store, anything else).
inline std::optional<uint64_t> fold(Op op, uint64_t x, uint64_t y = 0) {
  switch (op) {
#define NUM_UN(name, In, Out, expr) \
  case Op::name: { In a = slot::rd<In>(x); return slot::wr<Out>(expr); }
#define NUM_BIN(name, T, Out, expr) \
  case Op::name: { T a = slot::rd<T>(x); T b = slot::rd<T>(y); return slot::wr<Out>(expr); }
#define NUM_UN_TRAP(name, In, Out, fn)
#define NUM_BIN_TRAP(name, T, fn)
#define MEM_LOAD(name, MemT, Out)
#define MEM_STORE(name, MemT)
#include "semantics/numeric_ops.def"
#undef NUM_UN
#undef NUM_BIN
#undef NUM_UN_TRAP
#undef NUM_BIN_TRAP
#undef MEM_LOAD
#undef MEM_STORE
    default:
      return std::nullopt;
  }
}

}  // namespace wsvm::num
