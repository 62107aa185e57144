// Number literals. Validation of the grammar is done here by hand; the rounding of decimal
// and hex floats is left to strtof/strtod (glibc rounds correctly to nearest even).
#include "text/numbers.hpp"

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

namespace wsvm::text {

namespace {

int digit_value(char c, bool hex) {
  if (c >= '0' && c <= '9') return c - '0';
  if (hex && c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (hex && c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of a digit run with single '_' between digits starting at s[i]; 0 if none/invalid.
size_t digit_run(std::string_view s, size_t i, bool hex) {
  size_t start = i;
  if (i >= s.size() || digit_value(s[i], hex) < 0) return 0;
  while (i < s.size()) {
    if (digit_value(s[i], hex) >= 0) {
      ++i;
    } else if (s[i] == '_' && i + 1 < s.size() && digit_value(s[i + 1], hex) >= 0) {
      i += 2;
    } else {
      break;
    }
  }
  return i - start;
}

// Magnitude of an unsigned decimal/hex literal; false on overflow of 64 bits.
NumStatus magnitude(std::string_view s, uint64_t& out) {
  bool hex = s.size() > 2 && s[0] == '0' && s[1] == 'x';
  size_t i = hex ? 2 : 0;
  size_t n = digit_run(s, i, hex);
  if (n == 0 || i + n != s.size()) return NumStatus::Syntax;
  uint64_t v = 0;
  bool overflow = false;
  for (char c : s.substr(i)) {
    if (c == '_') continue;
    uint64_t d = static_cast<uint64_t>(digit_value(c, hex));
    uint64_t base = hex ? 16 : 10;
    if (v > (UINT64_MAX - d) / base) overflow = true;
    v = v * base + d;
  }
  out = v;
  return overflow ? NumStatus::OutOfRange : NumStatus::Ok;
}

// Checks the float grammar (without sign) and writes the literal without '_' for strtod.
bool float_syntax(std::string_view s, std::string& clean) {
  bool hex = s.size() >= 2 && s[0] == '0' && s[1] == 'x';
  size_t i = hex ? 2 : 0;
  size_t n = digit_run(s, i, hex);
  if (n == 0) return false;
  i += n;
  if (i < s.size() && s[i] == '.') {
    ++i;
    i += digit_run(s, i, hex);  // digits after '.' are optional
  }
  if (i < s.size() && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t e = digit_run(s, i, false);
    if (e == 0) return false;
    i += e;
  }
  if (i != s.size()) return false;
  clean.clear();
  for (char c : s)
    if (c != '_') clean.push_back(c);
  // strtod requires a binary exponent for a hex float with a '.': "0x1." -> "0x1.p0".
  if (hex && clean.find_first_of("pP") == std::string::npos) clean += "p0";
  return true;
}

template <class Bits, class Float, int kMantBits>
NumStatus parse_float(std::string_view s, Bits& out) {
  constexpr unsigned kBits = sizeof(Bits) * 8;
  constexpr Bits kSign = Bits(1) << (kBits - 1);
  constexpr Bits kExpMask = ((Bits(1) << (kBits - 1 - kMantBits)) - 1) << kMantBits;
  constexpr Bits kMant = (Bits(1) << kMantBits) - 1;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  Bits sign = neg ? kSign : 0;
  if (s == "inf") {
    out = sign | kExpMask;
    return NumStatus::Ok;
  }
  if (s == "nan") {
    out = sign | kExpMask | (Bits(1) << (kMantBits - 1));
    return NumStatus::Ok;
  }
  if (s.starts_with("nan:0x")) {
    uint64_t payload;
    std::string_view p = s.substr(4);
    NumStatus st = magnitude(p, payload);
    if (st == NumStatus::Syntax) return st;
    if (st == NumStatus::OutOfRange || payload == 0 || payload > kMant) return NumStatus::OutOfRange;
    out = sign | kExpMask | static_cast<Bits>(payload);
    return NumStatus::Ok;
  }
  std::string clean;
  if (!float_syntax(s, clean)) return NumStatus::Syntax;
  errno = 0;
  Float v;
  if constexpr (sizeof(Float) == 4)
    v = std::strtof(clean.c_str(), nullptr);
  else
    v = std::strtod(clean.c_str(), nullptr);
  if (std::isinf(v)) return NumStatus::OutOfRange;
  out = std::bit_cast<Bits>(v) | sign;
  return NumStatus::Ok;
}

}  // namespace

NumStatus parse_nat(std::string_view s, uint64_t max, uint64_t& out) {
  NumStatus st = magnitude(s, out);
  if (st == NumStatus::Ok && out > max) return NumStatus::OutOfRange;
  return st;
}

NumStatus parse_int(std::string_view s, unsigned bits, uint64_t& out) {
  bool neg = false, sign = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    sign = true;
    s.remove_prefix(1);
  }
  uint64_t v;
  NumStatus st = magnitude(s, v);
  if (st != NumStatus::Ok) return st;
  uint64_t umax = bits == 64 ? UINT64_MAX : (uint64_t(1) << bits) - 1;
  uint64_t smin_mag = uint64_t(1) << (bits - 1);  // magnitude of the most negative value
  if (neg) {
    if (v > smin_mag) return NumStatus::OutOfRange;
    out = (0 - v) & umax;
  } else {
    // A '+' sign makes the literal signed: its maximum is the signed maximum.
    if (v > (sign ? smin_mag - 1 : umax)) return NumStatus::OutOfRange;
    out = v;
  }
  return NumStatus::Ok;
}

NumStatus parse_f32(std::string_view s, uint32_t& out) {
  return parse_float<uint32_t, float, 23>(s, out);
}
NumStatus parse_f64(std::string_view s, uint64_t& out) {
  return parse_float<uint64_t, double, 52>(s, out);
}

}  // namespace wsvm::text
