// Encoding -> Op lookup tables, built at compile time from opcodes.def.
#include <array>

#include "decoder/opcodes.hpp"

namespace wsvm {

namespace {

constexpr uint16_t kNoOp = 0xFFFF;
constexpr uint32_t kFcTableSize = 32;   // 0xFC codes in 2.0 go up to 0x11
constexpr uint32_t kFdTableSize = 0x114;  // 0xFD codes go up to 0xFF in 2.0, 0x113 in 3.0 (relaxed SIMD)

struct Tables {
  std::array<uint16_t, 256> single{};
  std::array<uint16_t, kFcTableSize> fc{};
  std::array<uint16_t, kFdTableSize> fd{};
};

constexpr Tables build_tables() {
  Tables t;
  t.single.fill(kNoOp);
  t.fc.fill(kNoOp);
  t.fd.fill(kNoOp);
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const OpInfo& info = kOpInfo[i];
    if (info.prefix == 0x00) t.single[info.code] = i;
    else if (info.prefix == 0xFC && info.code < kFcTableSize) t.fc[info.code] = i;
    else if (info.prefix == 0xFD && info.code < kFdTableSize) t.fd[info.code] = i;
  }
  return t;
}

constexpr Tables kTables = build_tables();

// Every 0xFC opcode of the table must fit the lookup array.
static_assert([] {
  for (const OpInfo& info : kOpInfo)
    if ((info.prefix == 0xFC && info.code >= kFcTableSize) ||
        (info.prefix == 0xFD && info.code >= kFdTableSize))
      return false;
  return true;
}());

// 2.0 has exactly 236 SIMD instructions and relaxed SIMD 20 more; each lane-indexed one has a
// lane count.
static_assert([] {
  int n = 0;
  for (const OpInfo& info : kOpInfo) {
    if (info.prefix != 0xFD) continue;
    ++n;
    if ((info.imm == Imm::Lane || info.imm == Imm::MemArgLane) && info.lanes == 0) return false;
  }
  return n == 236 + 20;
}());

// The fact columns agree with each other: exactly block/loop/if/else/end are Structure; only
// they, nop and the try frames cost no fuel (`if` costs 1: it consumes its condition); fuel regions end only
// at Structure and Control instructions; commutative ops take two operands of one type.
static_assert([] {
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const Op op = static_cast<Op>(i);
    const OpInfo& info = kOpInfo[i];
    const bool structure = op == Op::block || op == Op::loop || op == Op::if_ ||
                           op == Op::else_ || op == Op::end;
    if ((info.cls == OpClass::Structure) != structure) return false;
    // The try frames (opens_or_splits_try) cost nothing either: like block/else/end they
    // execute no work of their own (the interpreter translates them to no instruction).
    const bool free = op != Op::if_ && (structure || op == Op::nop || opens_or_splits_try(op));
    if (info.fuel > 1 || (info.fuel == 0) != free) return false;
    if ((info.flags & op_flag::R) && info.cls != OpClass::Structure && info.cls != OpClass::Control)
      return false;
    if ((info.flags & op_flag::C) && info.sig != Sig::i32_i32i32 && info.sig != Sig::i32_i64i64 &&
        info.sig != Sig::i64_i64i64 && info.sig != Sig::i32_f32f32 &&
        info.sig != Sig::i32_f64f64 && info.sig != Sig::f32_f32f32 && info.sig != Sig::f64_f64f64)
      return false;
    if ((info.cls == OpClass::Vector) != (info.prefix == 0xFD)) return false;
  }
  return true;
}());

}  // namespace

bool op_from_byte(uint8_t byte, Op& out) {
  uint16_t v = kTables.single[byte];
  if (v == kNoOp) return false;
  out = static_cast<Op>(v);
  return true;
}

bool op_from_fc(uint32_t code, Op& out) {
  if (code >= kFcTableSize) return false;
  uint16_t v = kTables.fc[code];
  if (v == kNoOp) return false;
  out = static_cast<Op>(v);
  return true;
}

bool op_from_fd(uint32_t code, Op& out) {
  if (code >= kFdTableSize) return false;
  uint16_t v = kTables.fd[code];
  if (v == kNoOp) return false;
  out = static_cast<Op>(v);
  return true;
}

}  // namespace wsvm
