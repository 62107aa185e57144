// Constant folding: a non-trapping numeric instruction evaluated on constant operands, for
// every tier and for constant expressions (runtime/const_eval.cpp, the JIT's value stack).
// Generated from numeric_ops.def, so a folded result is by construction what the
// instruction computes at run time in either engine.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <type_traits>

#include "decoder/opcodes.hpp"
#include "semantics/numerics.hpp"

namespace wsvm::num {

namespace fold_detail {
// Operands and results travel as the bits of a uniform 8-byte slot (runtime/store.hpp):
// i32/f32 in the low 32 bits, the upper bits zero.
template <class T> constexpr T from_slot(uint64_t s) {
  if constexpr (std::is_same_v<T, uint64_t>) return s;
  else if constexpr (std::is_same_v<T, uint32_t>) return static_cast<uint32_t>(s);
  else if constexpr (std::is_same_v<T, float>) return std::bit_cast<float>(static_cast<uint32_t>(s));
  else return std::bit_cast<double>(s);
}
template <class T> constexpr uint64_t to_slot(T v) {
  if constexpr (std::is_same_v<T, uint64_t> || std::is_same_v<T, uint32_t>) return v;
  else if constexpr (std::is_same_v<T, float>) return std::bit_cast<uint32_t>(v);
  else return std::bit_cast<uint64_t>(v);
}
}  // namespace fold_detail

// The result of `op` on x (and y, for a binary op) as slot bits, or nullopt when `op` is not
// a non-trapping unary/binary numeric instruction (a trapping one, a load/store, anything else).
inline std::optional<uint64_t> fold(Op op, uint64_t x, uint64_t y = 0) {
  using fold_detail::from_slot;
  using fold_detail::to_slot;
  switch (op) {
#define NUM_UN(name, In, Out, expr) \
  case Op::name: { In a = from_slot<In>(x); return to_slot<Out>(expr); }
#define NUM_BIN(name, T, Out, expr) \
  case Op::name: { T a = from_slot<T>(x); T b = from_slot<T>(y); return to_slot<Out>(expr); }
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
