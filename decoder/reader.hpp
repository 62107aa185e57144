// A bounds-checked cursor over module bytes. Every read returns a Result whose error says
// what went wrong and at which absolute byte offset, with the spec suite's wording.
// Spec: https://webassembly.github.io/spec/core/binary/values.html
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "decoder/error.hpp"

namespace wsvm {

class Reader {
 public:
  // `base_offset` is the absolute offset of data[0] within the module (for error offsets).
  Reader(std::span<const uint8_t> data, size_t base_offset = 0)
      : m_begin(data.data()), m_pos(data.data()), m_end(data.data() + data.size()),
        m_base(base_offset) {}

  size_t offset() const { return m_base + static_cast<size_t>(m_pos - m_begin); }
  size_t remaining() const { return static_cast<size_t>(m_end - m_pos); }
  bool at_end() const { return m_pos == m_end; }
  const uint8_t* pos() const { return m_pos; }

  Result<uint8_t> u8();
  Result<uint32_t> u32();   // unsigned LEB128, at most 5 bytes, unused bits zero
  Result<int32_t> s32();    // signed LEB128, at most 5 bytes, unused bits sign extension
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

 private:
  const uint8_t* m_begin;
  const uint8_t* m_pos;
  const uint8_t* m_end;
  size_t m_base;
};

}  // namespace wsvm
