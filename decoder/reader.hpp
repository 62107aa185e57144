// A bounds-checked cursor over module bytes. Every read returns a Result whose error says
// what went wrong and at which absolute byte offset, with the spec suite's wording.
// Spec: https://webassembly.github.io/spec/core/binary/values.html
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "decoder/error.hpp"

namespace wsvm {

// The value of sizeof(T) little-endian bytes at p; the caller has checked they exist.
template <class T>
inline T load_le(const uint8_t* p) {
  T v = 0;
  for (int i = int(sizeof(T)) - 1; i >= 0; --i) v = static_cast<T>((v << 8) | p[i]);
  return v;
}

class Reader {
 public:
  // `base_offset` is the absolute offset of data[0] within the module (for error offsets).
  // `in_section`: running out of bytes reports "unexpected end of section or function"
  // (the spec suite's wording inside a section or a code entry) instead of "unexpected end".
  Reader(std::span<const uint8_t> data, size_t base_offset = 0, bool in_section = false)
      : m_begin(data.data()), m_pos(data.data()), m_end(data.data() + data.size()),
        m_base(base_offset), m_in_section(in_section) {}

  size_t offset() const { return m_base + static_cast<size_t>(m_pos - m_begin); }
  size_t remaining() const { return static_cast<size_t>(m_end - m_pos); }
  bool at_end() const { return m_pos == m_end; }
  const uint8_t* pos() const { return m_pos; }

  // The one-byte cases of u8/u32/s32 are inline: they are most of what a body holds.
  Result<uint8_t> u8() {
    if (m_pos != m_end) [[likely]]
      return *m_pos++;
    return fail_end();
  }
  Result<uint32_t> u32() {  // unsigned LEB128, at most 5 bytes, unused bits zero
    if (m_pos != m_end && *m_pos < 0x80) [[likely]]
      return *m_pos++;
    return u32_slow();
  }
  Result<int32_t> s32() {  // signed LEB128, at most 5 bytes, unused bits sign extension
    if (m_pos != m_end && *m_pos < 0x80) [[likely]] {
      int32_t v = static_cast<int32_t>(*m_pos++ ^ 0x40) - 0x40;  // sign-extend 7 bits
      return v;
    }
    return s32_slow();
  }
  // Advances past `n` bytes the caller has already seen are there (n <= remaining()): for
  // decoders that read the bytes at pos() themselves on a hot path.
  void skip(size_t n) { m_pos += n; }
  // The next byte without consuming it; false at the end.
  bool peek(uint8_t& out) const {
    if (m_pos == m_end) return false;
    out = *m_pos;
    return true;
  }
  Result<int64_t> s33();    // signed LEB128 (block type indices), at most 5 bytes
  Result<int64_t> s64();    // signed LEB128, at most 10 bytes
  Result<uint64_t> u64();   // unsigned LEB128, at most 10 bytes
  Result<uint32_t> f32_bits();  // 4 raw little-endian bytes
  Result<uint64_t> f64_bits();  // 8 raw little-endian bytes
  Result<std::span<const uint8_t>> bytes(size_t n);
  Result<std::string> name();   // vec(byte) that must be valid UTF-8 ("malformed UTF-8 encoding")
  // A sub-reader over the next n bytes (e.g. a section), advancing this reader past them.
  Result<Reader> sub(size_t n);

  // Error at the current offset (or a given one), kind Malformed.
  std::unexpected<Error> fail(std::string message) const;
  std::unexpected<Error> fail_at(size_t offset, std::string message) const;
  // Cold, out-of-line variants for fixed messages: keep error construction out of hot code.
  [[gnu::cold, gnu::noinline]] std::unexpected<Error> fail(const char* message) const;
  [[gnu::cold, gnu::noinline]] std::unexpected<Error> fail_at(size_t offset,
                                                              const char* message) const;
  // "unexpected end" or "unexpected end of section or function", at the current offset.
  [[gnu::cold, gnu::noinline]] std::unexpected<Error> fail_end() const;
  bool in_section() const { return m_in_section; }

 private:
  Result<uint32_t> u32_slow();
  Result<int32_t> s32_slow();

  const uint8_t* m_begin;
  const uint8_t* m_pos;
  const uint8_t* m_end;
  size_t m_base;
  bool m_in_section = false;
};

}  // namespace wsvm
