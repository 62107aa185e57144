// A growing byte buffer with the binary format's integer encodings (LEB128).
// Spec: https://webassembly.github.io/spec/core/binary/values.html
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace wsvm::text {

struct Bytes {
  std::vector<uint8_t> v;

  void u8(uint8_t b) { v.push_back(b); }
  void u32(uint32_t x) { u64(x); }
  void u64(uint64_t x) {
    do {
      uint8_t b = x & 0x7F;
      x >>= 7;
      v.push_back(x ? (b | 0x80) : b);
    } while (x);
  }
  void s64(int64_t x) {
    while (true) {
      uint8_t b = x & 0x7F;
      x >>= 7;  // arithmetic shift
      bool done = (x == 0 && !(b & 0x40)) || (x == -1 && (b & 0x40));
      v.push_back(done ? b : (b | 0x80));
      if (done) break;
    }
  }
  void s32(int32_t x) { s64(x); }
  void fixed32(uint32_t x) {
    for (int i = 0; i < 4; ++i) v.push_back(static_cast<uint8_t>(x >> (8 * i)));
  }
  void fixed64(uint64_t x) {
    for (int i = 0; i < 8; ++i) v.push_back(static_cast<uint8_t>(x >> (8 * i)));
  }
  void raw(const void* p, size_t n) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    v.insert(v.end(), b, b + n);
  }
  void raw(const Bytes& b) { v.insert(v.end(), b.v.begin(), b.v.end()); }
  void name(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  // A length-prefixed copy of `b` (a section's or a function body's contents).
  void sized(const Bytes& b) {
    u32(static_cast<uint32_t>(b.v.size()));
    raw(b);
  }
  size_t size() const { return v.size(); }
  bool empty() const { return v.empty(); }
  void clear() { v.clear(); }
};

}  // namespace wsvm::text
