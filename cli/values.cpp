#include "cli/values.hpp"

#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include <fmt/format.h>

namespace wsvm::cli {
namespace {

// An integer of `bits` width: decimal in [-2^(bits-1), 2^bits - 1], or 0x hex (optionally
// negated) that fits the same range. Returns the two's-complement bit pattern.
std::optional<uint64_t> parse_int(std::string_view s, int bits) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return std::nullopt;
  uint64_t mag = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), mag, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  const uint64_t umax = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  const uint64_t neg_max = uint64_t{1} << (bits - 1);  // |min signed|
  if (neg) {
    if (mag > neg_max) return std::nullopt;
    return (~mag + 1) & umax;
  }
  if (mag > umax) return std::nullopt;
  return mag;
}

// "nan:0xPAYLOAD" (with optional sign): a NaN with that mantissa payload.
template <class Bits>
std::optional<Bits> parse_nan_payload(std::string_view s, int mantissa_bits, Bits exp_mask) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (!s.starts_with("nan:0x")) return std::nullopt;
  s.remove_prefix(6);
  uint64_t payload = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), payload, 16);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  if (payload == 0 || payload >> mantissa_bits) return std::nullopt;
  Bits sign = neg ? Bits{1} << (sizeof(Bits) * 8 - 1) : 0;
  return sign | exp_mask | static_cast<Bits>(payload);
}

template <class F>
std::optional<F> parse_float(std::string_view s) {
  if (s.empty() || s[0] == ' ' || s[0] == '\t' || s[0] == '\n') return std::nullopt;
  std::string z(s);  // strtod needs a terminator
  char* end = nullptr;
  errno = 0;
  F v;
  if constexpr (sizeof(F) == 4) v = std::strtof(z.c_str(), &end);
  else v = std::strtod(z.c_str(), &end);
  if (end != z.c_str() + z.size()) return std::nullopt;
  // ERANGE on underflow still gives the correctly rounded (sub)normal or zero; on overflow
  // it gives inf, which is the right rounding of a too-large literal.
  return v;
}

template <class F, class Bits>
std::string format_float(F f) {
  Bits bits = std::bit_cast<Bits>(f);
  if (std::isnan(f)) {
    constexpr int kMant = sizeof(F) == 4 ? 23 : 52;
    Bits payload = bits & ((Bits{1} << kMant) - 1);
    bool neg = bits >> (sizeof(Bits) * 8 - 1);
    std::string s = neg ? "-nan" : "nan";
    if (payload != (Bits{1} << (kMant - 1))) s += fmt::format(":0x{:x}", payload);
    return s;
  }
  return fmt::format("{}", f);  // shortest round-trip; "inf", "-inf", "-0"
}

}  // namespace

std::expected<Value, std::string> parse_value(ValType type, std::string_view text) {
  auto bad = [&] { return std::unexpected(std::string("not a valid ") + valtype_name(type)); };
  switch (type) {
    case ValType::I32:
      if (auto v = parse_int(text, 32)) return Value::from_i32(static_cast<uint32_t>(*v));
      return bad();
    case ValType::I64:
      if (auto v = parse_int(text, 64)) return Value::from_i64(*v);
      return bad();
    case ValType::F32:
      if (auto b = parse_nan_payload<uint32_t>(text, 23, 0x7f800000u))
        return Value::from_f32_bits(*b);
      if (auto v = parse_float<float>(text)) return Value::from_f32(*v);
      return bad();
    case ValType::F64:
      if (auto b = parse_nan_payload<uint64_t>(text, 52, 0x7ff0000000000000ull))
        return Value::from_f64_bits(*b);
      if (auto v = parse_float<double>(text)) return Value::from_f64(*v);
      return bad();
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (text == "null") return Value::from_ref(type, kNullRef);
      return std::unexpected(std::string("only null is accepted for ") + valtype_name(type));
    case ValType::V128: {
      // 0x followed by up to 32 hex digits: the 128-bit little-endian integer.
      if (!(text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))) return bad();
      std::string_view h = text.substr(2);
      if (h.size() > 32) return bad();
      V128 v;
      int nibble = 0;
      for (size_t k = h.size(); k-- > 0; ++nibble) {
        char c = h[k];
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return bad();
        v.bytes[nibble / 2] |= static_cast<uint8_t>(d << (4 * (nibble % 2)));
      }
      return Value::from_v128(v);
    }
    case ValType::Bottom: break;
  }
  return bad();
}

std::string format_value(const Value& v) {
  switch (v.type) {
    case ValType::I32: return fmt::format("{}", static_cast<int32_t>(v.i32));
    case ValType::I64: return fmt::format("{}", static_cast<int64_t>(v.i64));
    case ValType::F32: return format_float<float, uint32_t>(v.f32);
    case ValType::F64: return format_float<double, uint64_t>(v.f64);
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (v.ref == kNullRef) return "null";
      return v.type == ValType::FuncRef ? "funcref" : fmt::format("externref:0x{:x}", v.ref);
    case ValType::V128: {
      std::string s = "0x";
      for (int k = 15; k >= 0; --k) s += fmt::format("{:02x}", v.v128.bytes[k]);
      return s;
    }
    case ValType::Bottom: break;
  }
  return "?";
}

}  // namespace wsvm::cli
