// A minimal wasm binary writer for modules that tests, fuzzers and benchmarks generate:
// LEB128 integers, names, sections and raw bytes (spec binary format, chapter 5).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace wsvm::wasm_writer {

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

// Little-endian fixed-width words (f32/f64 immediates are their bit patterns).
inline void put_le(Bytes& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

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

}  // namespace wsvm::wasm_writer
