// Encoding -> Op lookup tables, built at compile time from opcodes.def.
#include <array>

#include "decoder/opcodes.hpp"

namespace wsvm {

namespace {

constexpr uint16_t kNoOp = 0xFFFF;
constexpr uint32_t kFcTableSize = 32;  // 0xFC codes in 2.0 go up to 0x11

struct Tables {
  std::array<uint16_t, 256> single{};
  std::array<uint16_t, kFcTableSize> fc{};
};

constexpr Tables build_tables() {
  Tables t;
  t.single.fill(kNoOp);
  t.fc.fill(kNoOp);
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const OpInfo& info = kOpInfo[i];
    if (info.prefix == 0x00) t.single[info.code] = i;
    else if (info.prefix == 0xFC && info.code < kFcTableSize) t.fc[info.code] = i;
  }
  return t;
}

constexpr Tables kTables = build_tables();

// Every 0xFC opcode of the table must fit the lookup array.
static_assert([] {
  for (const OpInfo& info : kOpInfo)
    if (info.prefix == 0xFC && info.code >= kFcTableSize) return false;
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

}  // namespace wsvm
