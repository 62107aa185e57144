// A minimal wasm binary writer for the micro-benchmarks' generated modules: LEB128
// integers, sections, and raw opcode bytes. Only what modules.cpp needs.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace wsvm::bench {

using Bytes = std::vector<uint8_t>;

inline void put_u32(Bytes& out, uint64_t v) {  // unsigned LEB128
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v ? (b | 0x80) : b);
  } while (v);
}

inline void put_s64(Bytes& out, int64_t v) {  // signed LEB128
  for (;;) {
    uint8_t b = v & 0x7f;
    v >>= 7;  // arithmetic shift
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    out.push_back(done ? b : (b | 0x80));
    if (done) return;
  }
}

inline void put(Bytes& out, std::initializer_list<uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

inline void put_bytes(Bytes& out, const Bytes& b) { out.insert(out.end(), b.begin(), b.end()); }

inline void put_name(Bytes& out, std::string_view s) {
  put_u32(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

inline void put_section(Bytes& out, uint8_t id, const Bytes& content) {
  out.push_back(id);
  put_u32(out, content.size());
  put_bytes(out, content);
}

inline Bytes module_header() { return {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}; }

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
