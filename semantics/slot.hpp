// Typed views of one uniform 8-byte slot (runtime/store.hpp): i32/f32 occupy the low 32 bits,
// written with the upper bits zero. Shared by the interpreter's handlers, the JIT's helpers
// and constant folding (fold.hpp), so every tier reads and writes slots identically.
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>

namespace wsvm::slot {

template <class T> constexpr T rd(uint64_t s) {
  if constexpr (std::is_same_v<T, uint64_t>) return s;
  else if constexpr (std::is_same_v<T, uint32_t>) return static_cast<uint32_t>(s);
  else if constexpr (std::is_same_v<T, float>) return std::bit_cast<float>(static_cast<uint32_t>(s));
  else return std::bit_cast<double>(s);
}

template <class T> constexpr uint64_t wr(T v) {
  if constexpr (std::is_same_v<T, uint64_t> || std::is_same_v<T, uint32_t>) return v;
  else if constexpr (std::is_same_v<T, float>) return std::bit_cast<uint32_t>(v);
  else return std::bit_cast<uint64_t>(v);
}

}  // namespace wsvm::slot
