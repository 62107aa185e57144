// Compile-time folding of SIMD lane instructions on constants, shared by the backends'
// simd_lanes.cpp: a splat of a constant and the extract_lane of a constant v128 are
// constants (the value stack's Kind::Const), so no code is emitted for them.
#pragma once

#include <cstdint>
#include <cstring>

#include "decoder/instr.hpp"

namespace wsvm::jit {

// The 64-bit half of the v128 that `op` (an *_splat) makes of the constant c.
inline uint64_t splat_bits(Op op, uint64_t c) {
  switch (op) {
    case Op::i8x16_splat: return 0x0101010101010101ull * static_cast<uint8_t>(c);
    case Op::i16x8_splat: return 0x0001000100010001ull * static_cast<uint16_t>(c);
    case Op::i32x4_splat: case Op::f32x4_splat: return 0x0000000100000001ull * static_cast<uint32_t>(c);
    default: return c;
  }
}

// The result of `op` (an *_extract_lane) on the constant v128 (lo, hi): the lane's bits,
// sign- or zero-extended to 32 bits for the narrow lanes as the instruction does.
inline uint64_t const_lane(Op op, uint64_t lo, uint64_t hi, uint32_t lane) {
  uint8_t bytes[16];
  std::memcpy(bytes, &lo, 8);
  std::memcpy(bytes + 8, &hi, 8);
  switch (op) {
    case Op::i8x16_extract_lane_s: return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(bytes[lane])));
    case Op::i8x16_extract_lane_u: return bytes[lane];
    case Op::i16x8_extract_lane_s: case Op::i16x8_extract_lane_u: {
      uint16_t h;
      std::memcpy(&h, bytes + 2 * lane, 2);
      if (op == Op::i16x8_extract_lane_u) return h;
      return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(h)));
    }
    case Op::i32x4_extract_lane: case Op::f32x4_extract_lane: {
      uint32_t w;
      std::memcpy(&w, bytes + 4 * lane, 4);
      return w;
    }
    default: {
      uint64_t v;
      std::memcpy(&v, bytes + 8 * lane, 8);
      return v;
    }
  }
}

}  // namespace wsvm::jit
