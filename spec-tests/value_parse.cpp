// Parsing and matching of spec-script values (see value_parse.hpp).
#include "spec-tests/value_parse.hpp"

#include <bit>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace wsvm::spec {

namespace {

using Unexpected = std::unexpected<std::string>;

// Width in bits of one lane (or of the scalar for non-v128 types).
unsigned lane_bits(LaneType lane) {
  switch (lane) {
    case LaneType::I8: return 8;
    case LaneType::I16: return 16;
    case LaneType::I32: case LaneType::F32: return 32;
    case LaneType::I64: case LaneType::F64: return 64;
    case LaneType::Scalar: return 0;
  }
  return 0;
}

unsigned scalar_bits(ValType t) {
  return (t == ValType::I32 || t == ValType::F32) ? 32 : 64;
}

bool lane_is_float(LaneType lane) { return lane == LaneType::F32 || lane == LaneType::F64; }

// wast2json writes numbers as unsigned decimal bit patterns; a leading '-' is accepted too
// (two's complement), as is 0x hex, so hand-written test JSON stays easy to write.
std::expected<uint64_t, std::string> parse_bits(const std::string& s, unsigned width) {
  const char* p = s.data();
  const char* end = p + s.size();
  bool negative = false;
  if (p != end && *p == '-') { negative = true; ++p; }
  int base = 10;
  if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) { base = 16; p += 2; }
  if (p == end) return Unexpected(fmt::format("bad number \"{}\"", s));
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(p, end, v, base);
  if (ec != std::errc() || ptr != end) return Unexpected(fmt::format("bad number \"{}\"", s));
  const uint64_t mask = width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  if (negative) {
    // The magnitude may be at most 2^(width-1).
    if (v > (uint64_t{1} << (width - 1))) return Unexpected(fmt::format("number out of range \"{}\"", s));
    return (~v + 1) & mask;
  }
  if (v > mask) return Unexpected(fmt::format("number out of range \"{}\"", s));
  return v;
}

std::expected<LaneType, std::string> parse_lane_type(const std::string& s) {
  if (s == "i8") return LaneType::I8;
  if (s == "i16") return LaneType::I16;
  if (s == "i32") return LaneType::I32;
  if (s == "i64") return LaneType::I64;
  if (s == "f32") return LaneType::F32;
  if (s == "f64") return LaneType::F64;
  return Unexpected(fmt::format("unknown lane type \"{}\"", s));
}

const char* lane_type_name(LaneType lane) {
  switch (lane) {
    case LaneType::I8: return "i8";
    case LaneType::I16: return "i16";
    case LaneType::I32: return "i32";
    case LaneType::I64: return "i64";
    case LaneType::F32: return "f32";
    case LaneType::F64: return "f64";
    case LaneType::Scalar: return "";
  }
  return "";
}

// One number or NaN pattern; NaN patterns only where `allow_patterns` and the lane is a float.
std::expected<LaneExpect, std::string> parse_lane(const nlohmann::json& j, unsigned width,
                                                  bool is_float, bool allow_patterns) {
  if (!j.is_string()) return Unexpected("value is not a string");
  const std::string s = j.get<std::string>();
  if (s == "nan:canonical" || s == "nan:arithmetic") {
    if (!allow_patterns || !is_float) return Unexpected(fmt::format("unexpected \"{}\"", s));
    return LaneExpect{s == "nan:canonical" ? Pattern::NanCanonical : Pattern::NanArithmetic, 0};
  }
  auto bits = parse_bits(s, width);
  if (!bits) return Unexpected(bits.error());
  return LaneExpect{Pattern::Exact, *bits};
}

std::expected<ExpectedValue, std::string> parse_any(const nlohmann::json& j, bool allow_patterns) {
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
    return Unexpected("value without a type");
  auto type = parse_valtype(j["type"].get<std::string>());
  if (!type) return Unexpected(type.error());
  ExpectedValue e;
  e.type = *type;
  const bool has_value = j.contains("value");

  if (is_reftype(e.type)) {
    // "null", a number (externref N), or no value / a function name: any non-null ref.
    if (!has_value || !j["value"].is_string()) {
      if (!allow_patterns) return Unexpected("reference argument without a value");
      e.lanes.push_back({Pattern::NonNull, 0});
      return e;
    }
    const std::string s = j["value"].get<std::string>();
    if (s == "null") {
      e.lanes.push_back({Pattern::Exact, kNullRef});
    } else if (e.type == ValType::ExternRef) {
      auto n = parse_bits(s, 64);
      if (!n) return Unexpected(n.error());
      if (*n == ~uint64_t{0}) return Unexpected("externref number out of range");
      e.lanes.push_back({Pattern::Exact, extern_ref_word(*n)});
    } else {
      if (!allow_patterns) return Unexpected(fmt::format("unsupported funcref argument \"{}\"", s));
      e.lanes.push_back({Pattern::NonNull, 0});
    }
    return e;
  }

  if (!has_value) return Unexpected(fmt::format("{} value without \"value\"", valtype_name(e.type)));

  if (e.type == ValType::V128) {
    if (!j.contains("lane_type") || !j["lane_type"].is_string())
      return Unexpected("v128 value without lane_type");
    auto lane = parse_lane_type(j["lane_type"].get<std::string>());
    if (!lane) return Unexpected(lane.error());
    e.lane = *lane;
    const nlohmann::json& lanes = j["value"];
    const unsigned width = lane_bits(e.lane);
    if (!lanes.is_array() || lanes.size() != 128 / width)
      return Unexpected(fmt::format("v128 {} value needs {} lanes", lane_type_name(e.lane), 128 / width));
    for (const auto& l : lanes) {
      auto le = parse_lane(l, width, lane_is_float(e.lane), allow_patterns);
      if (!le) return Unexpected(le.error());
      e.lanes.push_back(*le);
    }
    return e;
  }

  const bool is_float = e.type == ValType::F32 || e.type == ValType::F64;
  auto le = parse_lane(j["value"], scalar_bits(e.type), is_float, allow_patterns);
  if (!le) return Unexpected(le.error());
  e.lanes.push_back(*le);
  return e;
}

// Reads lane `i` of width `width` bits from a little-endian v128.
uint64_t v128_lane(const V128& v, unsigned width, size_t i) {
  uint64_t x = 0;
  std::memcpy(&x, v.bytes + i * (width / 8), width / 8);  // little-endian host (x86-64, AArch64)
  return x;
}

void set_v128_lane(V128& v, unsigned width, size_t i, uint64_t x) {
  std::memcpy(v.bytes + i * (width / 8), &x, width / 8);
}

bool lane_matches(const LaneExpect& e, uint64_t bits, bool is_f64) {
  switch (e.pattern) {
    case Pattern::Exact: return bits == e.bits;
    case Pattern::NanCanonical: return is_canonical_nan(bits, is_f64);
    case Pattern::NanArithmetic: return is_arithmetic_nan(bits, is_f64);
    case Pattern::NonNull: return bits != kNullRef;
  }
  return false;
}

std::string format_float_bits(uint64_t bits, bool is_f64) {
  if (is_f64) return fmt::format("0x{:016x} ({})", bits, std::bit_cast<double>(bits));
  const uint32_t b = static_cast<uint32_t>(bits);
  return fmt::format("0x{:08x} ({})", b, std::bit_cast<float>(b));
}

std::string format_lane(const LaneExpect& e, LaneType lane, ValType type) {
  switch (e.pattern) {
    case Pattern::NanCanonical: return "nan:canonical";
    case Pattern::NanArithmetic: return "nan:arithmetic";
    case Pattern::NonNull: return "non-null";
    case Pattern::Exact: break;
  }
  if (lane == LaneType::F32 || (lane == LaneType::Scalar && type == ValType::F32))
    return format_float_bits(e.bits, false);
  if (lane == LaneType::F64 || (lane == LaneType::Scalar && type == ValType::F64))
    return format_float_bits(e.bits, true);
  return fmt::format("{}", e.bits);
}

}  // namespace

std::expected<ValType, std::string> parse_valtype(const std::string& name) {
  if (name == "i32") return ValType::I32;
  if (name == "i64") return ValType::I64;
  if (name == "f32") return ValType::F32;
  if (name == "f64") return ValType::F64;
  if (name == "v128") return ValType::V128;
  if (name == "funcref") return ValType::FuncRef;
  if (name == "externref") return ValType::ExternRef;
  return Unexpected(fmt::format("unknown value type \"{}\"", name));
}

std::expected<Value, std::string> parse_value(const nlohmann::json& j) {
  auto e = parse_any(j, /*allow_patterns=*/false);
  if (!e) return Unexpected(e.error());
  switch (e->type) {
    case ValType::I32: return Value::from_i32(static_cast<uint32_t>(e->lanes[0].bits));
    case ValType::I64: return Value::from_i64(e->lanes[0].bits);
    case ValType::F32: return Value::from_f32_bits(static_cast<uint32_t>(e->lanes[0].bits));
    case ValType::F64: return Value::from_f64_bits(e->lanes[0].bits);
    case ValType::FuncRef:
    case ValType::ExternRef: return Value::from_ref(e->type, static_cast<Ref>(e->lanes[0].bits));
    case ValType::V128: {
      V128 v;
      const unsigned width = lane_bits(e->lane);
      for (size_t i = 0; i < e->lanes.size(); ++i) set_v128_lane(v, width, i, e->lanes[i].bits);
      return Value::from_v128(v);
    }
    case ValType::Bottom: break;
  }
  return Unexpected("unsupported value type");
}

std::expected<ExpectedValue, std::string> parse_expected(const nlohmann::json& j) {
  return parse_any(j, /*allow_patterns=*/true);
}

// https://webassembly.github.io/spec/core/syntax/values.html#floating-point
bool is_canonical_nan(uint64_t bits, bool is_f64) {
  if (is_f64) return (bits & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
  return (bits & 0x7fffffffu) == 0x7fc00000u;
}

bool is_arithmetic_nan(uint64_t bits, bool is_f64) {
  if (is_f64) return (bits & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
  return (bits & 0x7fc00000u) == 0x7fc00000u;
}

bool matches(const ExpectedValue& e, const Value& got) {
  if (got.type != e.type || e.lanes.empty()) return false;
  switch (e.type) {
    case ValType::I32: return lane_matches(e.lanes[0], got.i32, false);
    case ValType::I64: return lane_matches(e.lanes[0], got.i64, true);
    case ValType::F32: return lane_matches(e.lanes[0], got.i32, false);
    case ValType::F64: return lane_matches(e.lanes[0], got.i64, true);
    case ValType::FuncRef:
    case ValType::ExternRef: return lane_matches(e.lanes[0], got.ref, true);
    case ValType::V128: {
      const unsigned width = lane_bits(e.lane);
      if (width == 0 || e.lanes.size() != 128 / width) return false;
      for (size_t i = 0; i < e.lanes.size(); ++i)
        if (!lane_matches(e.lanes[i], v128_lane(got.v128, width, i), width == 64)) return false;
      return true;
    }
    case ValType::Bottom: break;
  }
  return false;
}

std::string format_value(const Value& v, LaneType v128_lanes) {
  switch (v.type) {
    case ValType::I32: return fmt::format("i32:{}", v.i32);
    case ValType::I64: return fmt::format("i64:{}", v.i64);
    case ValType::F32: return "f32:" + format_float_bits(v.i32, false);
    case ValType::F64: return "f64:" + format_float_bits(v.i64, true);
    case ValType::FuncRef:
      return v.ref == kNullRef ? "funcref:null" : fmt::format("funcref:0x{:x}", v.ref);
    case ValType::ExternRef:
      return v.ref == kNullRef ? "externref:null" : fmt::format("externref:{}", v.ref - 1);
    case ValType::V128: {
      const LaneType lane = v128_lanes == LaneType::Scalar ? LaneType::I32 : v128_lanes;
      const unsigned width = lane_bits(lane);
      std::string s = fmt::format("v128:{}x{}[", lane_type_name(lane), 128 / width);
      for (size_t i = 0; i < 128 / width; ++i) {
        const LaneExpect l{Pattern::Exact, v128_lane(v.v128, width, i)};
        s += (i ? " " : "") + format_lane(l, lane, ValType::V128);
      }
      return s + "]";
    }
    case ValType::Bottom: break;
  }
  return "?";
}

std::string format_expected(const ExpectedValue& e) {
  if (e.lanes.empty()) return "?";
  if (is_reftype(e.type)) {
    const LaneExpect& l = e.lanes[0];
    std::string body = l.pattern == Pattern::NonNull ? "non-null"
                       : l.bits == kNullRef         ? "null"
                       : e.type == ValType::ExternRef ? fmt::format("{}", l.bits - 1)
                                                      : fmt::format("0x{:x}", l.bits);
    return fmt::format("{}:{}", valtype_name(e.type), body);
  }
  if (e.type == ValType::V128) {
    std::string s = fmt::format("v128:{}x{}[", lane_type_name(e.lane), e.lanes.size());
    for (size_t i = 0; i < e.lanes.size(); ++i)
      s += (i ? " " : "") + format_lane(e.lanes[i], e.lane, e.type);
    return s + "]";
  }
  return fmt::format("{}:{}", valtype_name(e.type), format_lane(e.lanes[0], e.lane, e.type));
}

}  // namespace wsvm::spec
