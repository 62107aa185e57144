// Runtime values. Inside engines and across host calls every value lives in the uniform
// layout: 8-byte slots (uint64_t), a v128 taking two (DESIGN principle 4). `Value` is the
// tagged form used only at the embedding API's edge (invoke arguments and results).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "decoder/types.hpp"

namespace wsvm {

struct FuncInstance;

struct alignas(16) V128 {
  uint8_t bytes[16] = {};
  bool operator==(const V128&) const = default;
};

// A reference is a pointer-sized word: funcref = FuncInstance*, externref = an opaque
// host word; 0 is null for both.
using Ref = uintptr_t;
inline constexpr Ref kNullRef = 0;

struct Value {
  ValType type = ValType::I32;
  union {
    uint32_t i32;
    uint64_t i64;
    float f32;
    double f64;
    Ref ref;
    V128 v128;
  };

  Value() : v128{} {}
  static Value from_i32(uint32_t v) { Value x; x.type = ValType::I32; x.i64 = 0; x.i32 = v; return x; }
  static Value from_i64(uint64_t v) { Value x; x.type = ValType::I64; x.i64 = v; return x; }
  static Value from_f32_bits(uint32_t b) { Value x; x.type = ValType::F32; x.i64 = 0; x.i32 = b; return x; }
  static Value from_f64_bits(uint64_t b) { Value x; x.type = ValType::F64; x.i64 = b; return x; }
  static Value from_f32(float f) { return from_f32_bits(std::bit_cast<uint32_t>(f)); }
  static Value from_f64(double d) { return from_f64_bits(std::bit_cast<uint64_t>(d)); }
  static Value from_ref(ValType t, Ref r) { Value x; x.type = t; x.ref = r; return x; }
  static Value from_v128(V128 v) { Value x; x.type = ValType::V128; x.v128 = v; return x; }
  static Value zero(ValType t);  // the default value of a type (0, +0.0, null)

  // Uniform-layout conversion: writes slot_count(type) slots / reads them back.
  void to_slots(uint64_t* slots) const {
    if (type == ValType::V128) std::memcpy(slots, v128.bytes, 16);
    else if (is_reftype(type)) slots[0] = ref;
    else slots[0] = (type == ValType::I32 || type == ValType::F32) ? uint64_t{i32} : i64;
  }
  static Value from_slots(ValType t, const uint64_t* slots) {
    Value x;
    x.type = t;
    if (t == ValType::V128) std::memcpy(x.v128.bytes, slots, 16);
    else if (is_reftype(t)) x.ref = static_cast<Ref>(slots[0]);
    else if (t == ValType::I32 || t == ValType::F32) { x.i64 = 0; x.i32 = static_cast<uint32_t>(slots[0]); }
    else x.i64 = slots[0];
    return x;
  }
};

// Total slots for a list of types.
inline uint32_t slot_count(std::span<const ValType> types) {
  uint32_t n = 0;
  for (ValType t : types) n += slot_count(t);
  return n;
}

}  // namespace wsvm
