// Strict UTF-8 / UTF-16LE coding (see utf.hpp).
#include "component/utf.hpp"

#include <cstring>

namespace wsvm::component {

namespace {

// Walks UTF-8, calling `emit` with each scalar value. When `emit` is a no-op (validation),
// runs of ASCII are skipped eight bytes at a time.
template <bool kSkipAscii, class Emit>
Utf8Status utf8_walk(std::span<const uint8_t> b, Emit emit) {
  size_t i = 0;
  while (i < b.size()) {
    if constexpr (kSkipAscii) {
      while (i + 8 <= b.size()) {
        uint64_t w;
        std::memcpy(&w, b.data() + i, 8);
        if (w & 0x8080808080808080ull) break;
        i += 8;
      }
      if (i == b.size()) break;
    }
    uint8_t c = b[i];
    if (c < 0x80) {
      emit(c);
      ++i;
      continue;
    }
    uint32_t n, cp;
    uint8_t lo = 0x80, hi = 0xbf;  // the allowed range of the second byte (RFC 3629)
    if (c >= 0xc2 && c <= 0xdf) n = 1, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2, cp = c & 0x0f;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;  // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3, cp = c & 0x07;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return Utf8Status::Invalid;
    }
    for (uint32_t k = 1; k <= n; ++k) {
      if (i + k >= b.size()) return Utf8Status::Incomplete;  // valid so far, input ended
      uint8_t cc = b[i + k];
      uint8_t min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xbf;
      if (cc < min || cc > max) return Utf8Status::Invalid;
      cp = (cp << 6) | (cc & 0x3f);
    }
    emit(char32_t(cp));
    i += n + 1;
  }
  return Utf8Status::Ok;
}

}  // namespace

Utf8Status utf8_decode(std::span<const uint8_t> b, std::u32string& out) {
  out.clear();
  out.reserve(b.size());
  return utf8_walk<false>(b, [&](char32_t c) { out.push_back(c); });
}

Utf8Status utf8_validate(std::span<const uint8_t> b) {
  return utf8_walk<true>(b, [](char32_t) {});
}

bool utf16_decode(std::span<const uint8_t> b, std::u32string& out) {
  out.clear();
  out.reserve(b.size() / 2);
  size_t n = b.size() / 2;
  for (size_t i = 0; i < n; ++i) {
    uint32_t u = b[2 * i] | (uint32_t(b[2 * i + 1]) << 8);
    if (u >= 0xd800 && u <= 0xdbff) {
      if (i + 1 >= n) return false;
      uint32_t l = b[2 * i + 2] | (uint32_t(b[2 * i + 3]) << 8);
      if (l < 0xdc00 || l > 0xdfff) return false;
      out.push_back(char32_t(0x10000 + ((u - 0xd800) << 10) + (l - 0xdc00)));
      ++i;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      return false;
    } else {
      out.push_back(char32_t(u));
    }
  }
  return true;
}

void utf8_append(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += char(c);
  } else if (c < 0x800) {
    out += char(0xc0 | (c >> 6));
    out += char(0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    out += char(0xe0 | (c >> 12));
    out += char(0x80 | ((c >> 6) & 0x3f));
    out += char(0x80 | (c & 0x3f));
  } else {
    out += char(0xf0 | (c >> 18));
    out += char(0x80 | ((c >> 12) & 0x3f));
    out += char(0x80 | ((c >> 6) & 0x3f));
    out += char(0x80 | (c & 0x3f));
  }
}

std::string utf8_encode(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) utf8_append(out, c);
  return out;
}

size_t utf16_length(std::u32string_view s) {
  size_t n = 0;
  for (char32_t c : s) n += c >= 0x10000 ? 2 : 1;
  return n;
}

void utf16_write(std::u32string_view s, uint8_t* dst) {
  auto put = [&](uint32_t u) {
    *dst++ = uint8_t(u);
    *dst++ = uint8_t(u >> 8);
  };
  for (char32_t c : s) {
    if (c >= 0x10000) {
      uint32_t v = uint32_t(c) - 0x10000;
      put(0xd800 + (v >> 10));
      put(0xdc00 + (v & 0x3ff));
    } else {
      put(uint32_t(c));
    }
  }
}

}  // namespace wsvm::component
