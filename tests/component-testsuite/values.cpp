// Script values (text/component_script.hpp) to component values of a known type.
#include "tests/component-testsuite/values.hpp"

#include <fmt/format.h>

#include "text/lexer.hpp"
#include "text/numbers.hpp"

namespace wsvm::component_testsuite {

using component::Val;
using component::VKind;
using component::VType;

namespace {

std::string mismatch(const text::CValue& v, const VType& t) {
  return fmt::format("a {}.const value for a {}", v.kind, t.to_string());
}

std::optional<std::string> integer(const text::CValue& v, const VType& t, Val& out) {
  struct Range {
    VKind kind;
    const char* name;
    int64_t lo;
    uint64_t hi;
    bool is_signed;
  };
  static constexpr Range kRanges[] = {
      {VKind::S8, "s8", -128, 127, true},          {VKind::U8, "u8", 0, 255, false},
      {VKind::S16, "s16", -32768, 32767, true},    {VKind::U16, "u16", 0, 65535, false},
      {VKind::S32, "s32", INT32_MIN, INT32_MAX, true}, {VKind::U32, "u32", 0, UINT32_MAX, false},
      {VKind::S64, "s64", INT64_MIN, INT64_MAX, true}, {VKind::U64, "u64", 0, UINT64_MAX, false},
  };
  for (const Range& r : kRanges) {
    if (r.kind != t.kind) continue;
    if (v.kind != r.name) return mismatch(v, t);
    uint64_t bits;
    if (text::parse_int(v.number, 64, bits) != text::NumStatus::Ok)
      return fmt::format("bad {} literal {}", r.name, v.number);
    bool negative = v.number[0] == '-';
    if (r.is_signed) {
      int64_t s = int64_t(bits);
      if (s < r.lo || (s >= 0 && uint64_t(s) > r.hi)) return fmt::format("{} out of range for {}", v.number, r.name);
      out.kind = r.kind;
      out.s = s;
    } else {
      if (negative || bits > r.hi) return fmt::format("{} out of range for {}", v.number, r.name);
      out.kind = r.kind;
      out.u = bits;
    }
    return std::nullopt;
  }
  return mismatch(v, t);
}

// The first code point of a UTF-8 string.
std::optional<char32_t> single_char(const std::string& s) {
  if (s.empty() || !text::valid_utf8(s)) return std::nullopt;
  unsigned char c = s[0];
  size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
  if (s.size() != n) return std::nullopt;
  char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
  for (size_t i = 1; i < n; ++i) cp = (cp << 6) | (s[i] & 0x3f);
  return cp;
}

}  // namespace

std::optional<std::string> to_val(const text::CValue& v, const VType& t, Val& out) {
  switch (t.kind) {
    case VKind::S8: case VKind::U8: case VKind::S16: case VKind::U16:
    case VKind::S32: case VKind::U32: case VKind::S64: case VKind::U64:
      return integer(v, t, out);
    case VKind::Bool:
      if (v.kind != "bool") return mismatch(v, t);
      out = Val::boolean(v.text == "true");
      return std::nullopt;
    case VKind::F32: {
      if (v.kind != "f32") return mismatch(v, t);
      uint32_t bits;
      if (text::parse_f32(v.number, bits) != text::NumStatus::Ok) return "bad f32 literal " + v.number;
      float f;
      std::memcpy(&f, &bits, 4);
      out = Val::f32v(f);
      return std::nullopt;
    }
    case VKind::F64: {
      if (v.kind != "f64") return mismatch(v, t);
      uint64_t bits;
      if (text::parse_f64(v.number, bits) != text::NumStatus::Ok) return "bad f64 literal " + v.number;
      double d;
      std::memcpy(&d, &bits, 8);
      out = Val::f64v(d);
      return std::nullopt;
    }
    case VKind::Char: {
      if (v.kind != "char") return mismatch(v, t);
      auto c = single_char(v.text);
      if (!c) return "char.const needs exactly one character";
      out = Val::character(*c);
      return std::nullopt;
    }
    case VKind::String:
      if (v.kind != "str") return mismatch(v, t);
      out = Val::string(v.text);
      return std::nullopt;
    case VKind::List: case VKind::FixedList: {
      if (v.kind != "list") return mismatch(v, t);
      std::vector<Val> items(v.items.size());
      for (size_t i = 0; i < items.size(); ++i)
        if (auto e = to_val(v.items[i], *t.elems[0], items[i])) return e;
      out = Val::list(std::move(items));
      out.kind = t.kind;
      return std::nullopt;
    }
    case VKind::Record: case VKind::Tuple: {
      bool record = t.kind == VKind::Record;
      if (v.kind != (record ? "record" : "tuple")) return mismatch(v, t);
      if (v.items.size() != t.elems.size())
        return fmt::format("{} values for {} fields of {}", v.items.size(), t.elems.size(), t.to_string());
      std::vector<Val> items(v.items.size());
      for (size_t i = 0; i < items.size(); ++i) {
        if (record && v.labels[i] != t.labels[i])
          return fmt::format("field \"{}\" where {} has \"{}\"", v.labels[i], t.to_string(), t.labels[i]);
        if (auto e = to_val(v.items[i], *t.elems[i], items[i])) return e;
      }
      out = record ? Val::record(std::move(items)) : Val::tuple(std::move(items));
      return std::nullopt;
    }
    case VKind::Variant: case VKind::Enum: {
      bool variant = t.kind == VKind::Variant;
      if (v.kind != (variant ? "variant" : "enum")) return mismatch(v, t);
      for (uint32_t c = 0; c < t.labels.size(); ++c) {
        if (t.labels[c] != v.text) continue;
        if (!variant) {
          out = Val::enumeration(c);
          return std::nullopt;
        }
        const VType* payload = t.case_payload(c);
        if (bool(payload) != !v.items.empty()) return fmt::format("case \"{}\" payload mismatch", v.text);
        std::vector<Val> p;
        if (payload) {
          p.emplace_back();
          if (auto e = to_val(v.items[0], *payload, p[0])) return e;
        }
        out = Val::variant(c, std::move(p));
        return std::nullopt;
      }
      return fmt::format("no case \"{}\" in {}", v.text, t.to_string());
    }
    case VKind::Option: {
      if (v.kind == "option.none" && v.items.empty()) {
        out = Val::none();
        return std::nullopt;
      }
      if (v.kind != "option.some" || v.items.size() != 1) return mismatch(v, t);
      Val x;
      if (auto e = to_val(v.items[0], *t.elems[0], x)) return e;
      out = Val::some(std::move(x));
      return std::nullopt;
    }
    case VKind::Result: {
      bool ok = v.kind == "result.ok";
      if (!ok && v.kind != "result.err") return mismatch(v, t);
      const VType* payload = t.elems[ok ? 0 : 1].get();
      if (bool(payload) != !v.items.empty()) return "result payload mismatch";
      std::vector<Val> p;
      if (payload) {
        p.emplace_back();
        if (auto e = to_val(v.items[0], *payload, p[0])) return e;
      }
      out = ok ? Val::ok(std::move(p)) : Val::err(std::move(p));
      return std::nullopt;
    }
    case VKind::Flags: {
      if (v.kind != "flags") return mismatch(v, t);
      uint32_t bits = 0;
      for (const std::string& l : v.labels) {
        size_t i = 0;
        while (i < t.labels.size() && t.labels[i] != l) ++i;
        if (i == t.labels.size()) return fmt::format("no flag \"{}\" in {}", l, t.to_string());
        bits |= 1u << i;
      }
      out = Val::flags(bits);
      return std::nullopt;
    }
    default:
      return fmt::format("values of type {} cannot be written in a script", t.to_string());
  }
}

}  // namespace wsvm::component_testsuite
