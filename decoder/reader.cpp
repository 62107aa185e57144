// LEB128 and UTF-8 decoding with the exact rules (and error wording) of the spec.
// Spec: https://webassembly.github.io/spec/core/binary/values.html
//
// The reference interpreter reads an N-bit LEB128 as at most ceil(N/7) bytes. In the last
// byte only N - 7*(ceil(N/7)-1) bits carry value: for unsigned numbers the other value bits
// must be 0, for signed ones they must equal the sign bit ("integer too large"); a
// continuation bit on that last byte is "integer representation too long". The value bits
// are checked first, so 0xff in the last byte of a u32 is "too large", 0x80 "too long".
#include "decoder/reader.hpp"

#include <cstring>

#include "decoder/limits.hpp"

namespace wsvm {

namespace {

constexpr unsigned max_leb_bytes(unsigned bits) { return (bits + 6) / 7; }

}  // namespace

std::unexpected<Error> Reader::fail(std::string message) const {
  return std::unexpected(Error{ErrorKind::Malformed, offset(), std::move(message)});
}

std::unexpected<Error> Reader::fail_at(size_t off, std::string message) const {
  return std::unexpected(Error{ErrorKind::Malformed, off, std::move(message)});
}

std::unexpected<Error> Reader::fail(const char* message) const {
  return std::unexpected(Error{ErrorKind::Malformed, offset(), message});
}

std::unexpected<Error> Reader::fail_at(size_t off, const char* message) const {
  return std::unexpected(Error{ErrorKind::Malformed, off, message});
}

std::unexpected<Error> Reader::fail_end() const {
  return fail(m_in_section ? "unexpected end of section or function" : "unexpected end");
}

// Outcome of a raw LEB read: on error, `error` names it and `pos` is where it applies.
struct LebOut {
  uint64_t value;
  const char* error;  // nullptr on success
  bool eof;           // ran out of bytes
};

// Unsigned LEB128 of `Bits` bits (32 or 64). Advances `pos` past what was read.
template <unsigned Bits>
static inline LebOut read_uleb(const uint8_t*& pos, const uint8_t* end) {
  constexpr unsigned kLast = max_leb_bytes(Bits) - 1;
  constexpr unsigned kLastBits = Bits - 7 * kLast;  // value bits in the last byte
  uint64_t result = 0;
  for (unsigned i = 0;; ++i) {
    if (pos == end) return {0, nullptr, true};
    uint8_t b = *pos++;
    if (i == kLast) {
      if ((b & 0x7f) >> kLastBits) {
        --pos;  // the error is at the offending byte
        return {0, "integer too large", false};
      }
      if (b & 0x80) return {0, "integer representation too long", false};
      return {result | (static_cast<uint64_t>(b) << (7 * i)), nullptr, false};
    }
    result |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) return {result, nullptr, false};
  }
}

// Signed LEB128 of `Bits` bits (32, 33 or 64), sign-extended to 64 bits.
template <unsigned Bits>
static inline LebOut read_sleb(const uint8_t*& pos, const uint8_t* end) {
  constexpr unsigned kLast = max_leb_bytes(Bits) - 1;
  constexpr unsigned kLastBits = Bits - 7 * kLast;
  // Bits of the last byte above the value bits, plus the sign bit: all 0 or all 1.
  constexpr uint8_t kSignMask = (0x7f << (kLastBits - 1)) & 0x7f;
  uint64_t result = 0;
  for (unsigned i = 0;; ++i) {
    if (pos == end) return {0, nullptr, true};
    uint8_t b = *pos++;
    unsigned shift = 7 * i;
    if (i == kLast) {
      uint8_t sign = b & kSignMask;
      if (sign != 0 && sign != kSignMask) {
        --pos;
        return {0, "integer too large", false};
      }
      if (b & 0x80) return {0, "integer representation too long", false};
    }
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      shift += 7;
      if (shift < 64 && (b & 0x40)) result |= ~uint64_t{0} << shift;
      return {result, nullptr, false};
    }
  }
}

// On error the cursor is left at the error's position (the reader is done for anyway).
#define WSVM_LEB(kind, bits, T)                       \
  LebOut out = read_##kind<bits>(m_pos, m_end);       \
  if (out.eof) [[unlikely]]                           \
    return fail_end();                                \
  if (out.error) [[unlikely]]                         \
    return fail(out.error);                           \
  return static_cast<T>(out.value);

Result<uint32_t> Reader::u32_slow() { WSVM_LEB(uleb, 32, uint32_t) }
Result<int32_t> Reader::s32_slow() { WSVM_LEB(sleb, 32, int32_t) }
Result<int64_t> Reader::s33() { WSVM_LEB(sleb, 33, int64_t) }
Result<int64_t> Reader::s64() { WSVM_LEB(sleb, 64, int64_t) }
Result<uint64_t> Reader::u64() { WSVM_LEB(uleb, 64, uint64_t) }

#undef WSVM_LEB

Result<uint32_t> Reader::f32_bits() {
  if (remaining() < 4) return fail_end();
  const uint32_t v = load_le<uint32_t>(m_pos);
  m_pos += 4;
  return v;
}

Result<uint64_t> Reader::f64_bits() {
  if (remaining() < 8) return fail_end();
  const uint64_t v = load_le<uint64_t>(m_pos);
  m_pos += 8;
  return v;
}

Result<std::span<const uint8_t>> Reader::bytes(size_t n) {
  if (remaining() < n) return fail_end();
  std::span<const uint8_t> out(m_pos, n);
  m_pos += n;
  return out;
}

// UTF-8 per https://webassembly.github.io/spec/core/binary/values.html#names: shortest
// form only, no surrogates (U+D800..DFFF), nothing above U+10FFFF.
static bool valid_utf8(const uint8_t* p, const uint8_t* end) {
  auto cont = [](uint8_t b) { return (b & 0xc0) == 0x80; };
  while (p < end) {
    uint8_t b = *p;
    if (b < 0x80) {
      ++p;
      continue;
    }
    size_t avail = static_cast<size_t>(end - p);
    if (b >= 0xc2 && b <= 0xdf) {
      if (avail < 2 || !cont(p[1])) return false;
      p += 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      if (avail < 3 || !cont(p[1]) || !cont(p[2])) return false;
      if (b == 0xe0 && p[1] < 0xa0) return false;  // overlong
      if (b == 0xed && p[1] > 0x9f) return false;  // surrogate
      p += 3;
    } else if (b >= 0xf0 && b <= 0xf4) {
      if (avail < 4 || !cont(p[1]) || !cont(p[2]) || !cont(p[3])) return false;
      if (b == 0xf0 && p[1] < 0x90) return false;  // overlong
      if (b == 0xf4 && p[1] > 0x8f) return false;  // above U+10FFFF
      p += 4;
    } else {
      return false;  // continuation byte, 0xc0/0xc1 (overlong), or 0xf5..0xff
    }
  }
  return true;
}

Result<std::string> Reader::name() {
  size_t start = offset();
  uint32_t n = WSVM_TRY(u32());
  if (n > remaining()) return fail_at(start, "length out of bounds");
  if (n > limits::kMaxNameBytes)
    return fail_at(start, limits::too_many("bytes in a name", n, limits::kMaxNameBytes));
  const uint8_t* p = m_pos;
  if (!valid_utf8(p, p + n)) return fail_at(start, "malformed UTF-8 encoding");
  m_pos += n;
  return std::string(reinterpret_cast<const char*>(p), n);
}

Result<Reader> Reader::sub(size_t n) {
  if (n > remaining()) return fail("length out of bounds");
  Reader out(std::span<const uint8_t>(m_pos, n), offset(), true);
  m_pos += n;
  return out;
}

}  // namespace wsvm
