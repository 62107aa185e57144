// The micro-benchmarks' generated modules: the shared writer (tests/wasm_writer.hpp) and the
// opcodes modules.cpp uses.
#pragma once

#include <cstdint>

#include "tests/wasm_writer.hpp"

namespace wsvm::bench {

using namespace wsvm::wasm_writer;

// Opcodes used by the generators (spec binary format, section 5.4).
enum Op : uint8_t {
  kBlock = 0x02, kLoop = 0x03, kIf = 0x04, kElse = 0x05, kEnd = 0x0b, kBr = 0x0c, kBrIf = 0x0d,
  kCall = 0x10, kLocalGet = 0x20, kLocalSet = 0x21, kLocalTee = 0x22, kGlobalGet = 0x23,
  kGlobalSet = 0x24, kI32Load = 0x28, kI32Store = 0x36, kI32Const = 0x41, kF64Const = 0x44,
  kI32Eqz = 0x45, kI32GtU = 0x4b, kI32Add = 0x6a, kI32Sub = 0x6b, kI32Mul = 0x6c,
  kI32And = 0x71, kI32Xor = 0x73, kI32Shl = 0x74, kF64Add = 0xa0, kF64Mul = 0xa2,
  kF64ConvertI32S = 0xb7,
};
constexpr uint8_t kI32 = 0x7f, kF64 = 0x7c, kVoid = 0x40, kFuncRef = 0x70;

}  // namespace wsvm::bench
