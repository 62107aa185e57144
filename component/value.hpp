// Component-level values as host code sees them (never raw core slots): what lifting
// produces and lowering consumes. A value does not carry its type; the VType it is lifted
// from or lowered into gives it meaning (e.g. `disc` is a variant's case or flags' bits).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "component/abi_type.hpp"
#include "component/ir.hpp"

namespace wsvm::component {

struct AsyncHandle;

struct Val {
  VKind kind = VKind::Bool;
  // Scalars: Bool (0/1), the integers (sign-extended into s / zero-extended into u), Char
  // (a Unicode scalar value), Own/Borrow (the resource's rep), ErrorContext (an index).
  union {
    int64_t s;
    uint64_t u = 0;
    float f32;
    double f64;
  };
  // String: the text as UTF-8. A lifted string also remembers its source encoding and
  // tagged code-unit count, which decide how it is stored into another encoding
  // (definitions.py's String triple).
  std::string str;
  StringEncoding str_encoding = StringEncoding::Utf8;
  uint32_t str_tagged_units = 0;
  // List/FixedList elements, Record fields and Tuple elements in order; the payload of a
  // Variant/Option/Result case (0 or 1 element).
  std::vector<Val> items;
  // A list<u8> may hold its elements packed here instead (then `items` is empty): lifting
  // makes this form, so a megabyte is one copy, not a million values; lowering takes either.
  std::vector<uint8_t> bytes;
  // Variant/Enum/Option/Result: the case index (Option: 0 none, 1 some; Result: 0 ok,
  // 1 error). Flags: the bits, label i at bit i.
  uint32_t disc = 0;
  // Stream/Future (the shared channel of a readable end in transit) and ErrorContext (the
  // error context itself): what lifting took out of one instance's table for another's.
  std::shared_ptr<AsyncHandle> handle;

  static Val boolean(bool b) { return scalar(VKind::Bool, b); }
  static Val s8(int8_t v) { return sint(VKind::S8, v); }
  static Val u8(uint8_t v) { return scalar(VKind::U8, v); }
  static Val s16(int16_t v) { return sint(VKind::S16, v); }
  static Val u16(uint16_t v) { return scalar(VKind::U16, v); }
  static Val s32(int32_t v) { return sint(VKind::S32, v); }
  static Val u32(uint32_t v) { return scalar(VKind::U32, v); }
  static Val s64(int64_t v) { return sint(VKind::S64, v); }
  static Val u64(uint64_t v) { return scalar(VKind::U64, v); }
  static Val f32v(float v) { Val x; x.kind = VKind::F32; x.f32 = v; return x; }
  static Val f64v(double v) { Val x; x.kind = VKind::F64; x.f64 = v; return x; }
  static Val character(char32_t c) { return scalar(VKind::Char, c); }
  static Val string(std::string utf8);
  static Val list(std::vector<Val> items) { return aggregate(VKind::List, std::move(items)); }
  static Val byte_list(std::vector<uint8_t> b) {
    Val v;
    v.kind = VKind::List;
    v.bytes = std::move(b);
    return v;
  }
  // A list's length and its element i as a byte (either form of a list<u8>).
  size_t list_size() const { return bytes.empty() ? items.size() : bytes.size(); }
  uint8_t byte_at(size_t i) const { return bytes.empty() ? uint8_t(items[i].u) : bytes[i]; }
  static Val record(std::vector<Val> fields) { return aggregate(VKind::Record, std::move(fields)); }
  static Val tuple(std::vector<Val> elems) { return aggregate(VKind::Tuple, std::move(elems)); }
  static Val variant(uint32_t c, std::vector<Val> payload = {}) {
    Val v = aggregate(VKind::Variant, std::move(payload));
    v.disc = c;
    return v;
  }
  static Val enumeration(uint32_t c) { Val v; v.kind = VKind::Enum; v.disc = c; return v; }
  static Val none() { Val v; v.kind = VKind::Option; return v; }
  static Val some(Val x) { Val v = aggregate(VKind::Option, {std::move(x)}); v.disc = 1; return v; }
  static Val ok(std::vector<Val> payload = {}) { return aggregate(VKind::Result, std::move(payload)); }
  static Val err(std::vector<Val> payload = {}) {
    Val v = aggregate(VKind::Result, std::move(payload));
    v.disc = 1;
    return v;
  }
  static Val flags(uint32_t bits) { Val v; v.kind = VKind::Flags; v.disc = bits; return v; }
  static Val own(uint32_t rep) { return scalar(VKind::Own, rep); }
  static Val borrow(uint32_t rep) { return scalar(VKind::Borrow, rep); }

  // Structural equality (floats bit for bit; strings by text; the source encoding of a
  // string is not part of its value).
  bool operator==(const Val& o) const;
  // A readable form in the WAVE value syntax for diagnostics: "[1, 2]", "{x: 1}", "some(3)".
  std::string to_string() const;

 private:
  static Val scalar(VKind k, uint64_t u) { Val v; v.kind = k; v.u = u; return v; }
  static Val sint(VKind k, int64_t s) { Val v; v.kind = k; v.s = s; return v; }
  static Val aggregate(VKind k, std::vector<Val> items) {
    Val v;
    v.kind = k;
    v.items = std::move(items);
    return v;
  }
};

}  // namespace wsvm::component
