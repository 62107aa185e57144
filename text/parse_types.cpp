// Types: value/reference/heap types, type definitions (func, struct, array, sub, rec), type
// uses with implicit type definitions, limits and the table/memory/global types.
// Spec: https://webassembly.github.io/spec/core/text/types.html (Wasm 3.0)
#include "text/module_parser.hpp"

namespace wsvm::text {

namespace {

struct Named {
  std::string_view text;
  uint8_t code;
};

// Value types with a one-byte encoding (numbers, vectors, reference type shorthands).
constexpr Named kValTypes[] = {
    {"i32", 0x7F},           {"i64", 0x7E},       {"f32", 0x7D},         {"f64", 0x7C},
    {"v128", 0x7B},          {"funcref", 0x70},   {"externref", 0x6F},   {"anyref", 0x6E},
    {"eqref", 0x6D},         {"i31ref", 0x6C},    {"structref", 0x6B},   {"arrayref", 0x6A},
    {"exnref", 0x69},        {"nullref", 0x71},   {"nullexternref", 0x72}, {"nullfuncref", 0x73},
    {"nullexnref", 0x74},
};
constexpr Named kHeapTypes[] = {
    {"func", 0x70}, {"extern", 0x6F}, {"any", 0x6E},      {"eq", 0x6D},
    {"i31", 0x6C},  {"struct", 0x6B}, {"array", 0x6A},    {"exn", 0x69},
    {"none", 0x71}, {"noextern", 0x72}, {"nofunc", 0x73}, {"noexn", 0x74},
};

// The s33 value of an abstract heap type's byte (0x70 -> -16).
constexpr int64_t abstract_heap(uint8_t b) { return static_cast<int64_t>(b) - 0x80; }

}  // namespace

// ---- value types ----

bool ModuleParser::at_valtype() const {
  if (kind() == Tok::LParen) return is_kw("ref", 1);
  if (kind() != Tok::Keyword) return false;
  for (const Named& n : kValTypes)
    if (n.text == text()) return true;
  return false;
}

ValT ModuleParser::valtype() {
  if (kind() == Tok::Keyword) {
    std::string_view t = text();
    for (const Named& n : kValTypes) {
      if (n.text == t) {
        ++pos_;
        return ValT{n.code, 0};
      }
    }
    fail("unknown operator " + std::string(t));
  }
  return reftype();
}

ValT ModuleParser::reftype() {
  if (kind() == Tok::Keyword) {
    ValT t = valtype();
    if (t.code > 0x74 || t.code < 0x69) fail_at(pos_ - 1, "unexpected token");
    return t;
  }
  expect_lparen();
  expect_kw("ref");
  bool nullable = false;
  if (is_kw("null")) {
    nullable = true;
    ++pos_;
  }
  int64_t h = heaptype();
  expect_rparen();
  if (nullable && h < 0) return ValT{static_cast<uint8_t>(h + 0x80), 0};  // shorthand
  return ValT{static_cast<uint8_t>(nullable ? 0x63 : 0x64), h};
}

int64_t ModuleParser::heaptype() {
  if (kind() == Tok::Keyword) {
    std::string_view t = text();
    for (const Named& n : kHeapTypes) {
      if (n.text == t) {
        ++pos_;
        return abstract_heap(n.code);
      }
    }
    fail("unexpected token");
  }
  return take_index(kType);
}

void ModuleParser::write_valtype(Bytes& out, ValT t) {
  out.u8(t.code);
  if (t.code == 0x63 || t.code == 0x64) out.s64(t.heap);
}

void ModuleParser::params_results(FuncSig& sig, std::vector<std::string_view>* names) {
  while (at_form("param")) {
    pos_ += 2;
    if (kind() == Tok::Id) {
      if (!names) fail("unexpected token");
      uint32_t at = pos_;
      std::string_view n = *take_id();
      for (std::string_view prev : *names)
        if (prev == n) fail_at(at, "duplicate local " + std::string(lx_.text(at)));
      names->push_back(n);
      sig.params.push_back(valtype());
    } else {
      while (kind() != Tok::RParen) {
        sig.params.push_back(valtype());
        if (names) names->push_back({});
      }
    }
    expect_rparen();
  }
  while (at_form("result")) {
    pos_ += 2;
    while (kind() != Tok::RParen) sig.results.push_back(valtype());
    expect_rparen();
  }
  if (at_form("param")) fail("unexpected token");  // params after results
}

uint32_t ModuleParser::type_use(std::vector<std::string_view>* param_names, uint32_t* param_count) {
  std::optional<uint32_t> idx;
  if (at_form("type")) {
    pos_ += 2;
    idx = take_index(kType);
    expect_rparen();
  }
  uint32_t inline_at = pos_;
  bool has_inline = at_form("param") || at_form("result");
  FuncSig sig;
  params_results(sig, param_names);
  if (!idx) {
    if (param_count) *param_count = static_cast<uint32_t>(sig.params.size());
    return implicit_type(sig);
  }
  // An out-of-range index is left to the validator ("unknown type").
  const TypeInfo* info = *idx < type_info_.size() ? &type_info_[*idx] : nullptr;
  // With an inline signature to compare, the type must exist now (func.wast).
  if (has_inline && !info) fail_at(inline_at - 2, "unknown type");
  if (has_inline && info && (!info->is_func || !(info->sig == sig)))
    fail_at(inline_at, "inline function type");
  if (param_count) {
    *param_count = has_inline ? static_cast<uint32_t>(sig.params.size())
                   : (info && info->is_func) ? static_cast<uint32_t>(info->sig.params.size()) : 0;
  }
  if (param_names && !has_inline && info && info->is_func)
    param_names->assign(info->sig.params.size(), std::string_view{});
  return *idx;
}

uint32_t ModuleParser::implicit_type(const FuncSig& sig) {
  for (uint32_t i = 0; i < type_info_.size(); ++i)
    if (type_info_[i].plain_func && type_info_[i].sig == sig) return i;
  TypeInfo info;
  info.is_func = info.plain_func = true;
  info.sig = sig;
  type_sec_.u8(0x60);
  type_sec_.u32(static_cast<uint32_t>(sig.params.size()));
  for (ValT t : sig.params) write_valtype(type_sec_, t);
  type_sec_.u32(static_cast<uint32_t>(sig.results.size()));
  for (ValT t : sig.results) write_valtype(type_sec_, t);
  ++type_entries_;
  type_info_.push_back(std::move(info));
  return counts_[kType]++;
}

// ---- type definitions ----

void ModuleParser::types() {
  uint32_t index = 0;
  for (pos_ = begin_; pos_ < end_ && kind() == Tok::LParen;) {
    uint32_t field = pos_;
    std::string_view kw = lx_.text(field + 1);
    if (kw == "type") {
      type_def(type_sec_, index++, false, true);
      ++type_entries_;
    } else if (kw == "rec") {
      pos_ += 2;
      uint32_t n = 0;
      for (uint32_t p = pos_; lx_.tokens[p].kind == Tok::LParen; p = lx_.tokens[p].match + 1) ++n;
      type_sec_.u8(0x4E);
      type_sec_.u32(n);
      for (uint32_t i = 0; i < n; ++i) type_def(type_sec_, index++, true, n == 1);
      ++type_entries_;
    }
    pos_ = lx_.tokens[field].match + 1;
  }
}

// (type id? comptype) | (type id? (sub final? typeidx* comptype))
void ModuleParser::type_def(Bytes& out, uint32_t type_index, bool /*in_rec*/, bool alone) {
  expect_lparen();
  expect_kw("type");
  take_id();
  TypeInfo& info = type_info_[type_index];
  if (at_form("sub")) {
    pos_ += 2;
    bool final = false;
    if (is_kw("final")) {
      final = true;
      ++pos_;
    }
    std::vector<uint32_t> supers;
    while (at_index()) supers.push_back(take_index(kType));
    out.u8(final ? 0x4F : 0x50);
    out.u32(static_cast<uint32_t>(supers.size()));
    for (uint32_t s : supers) out.u32(s);
    comp_type(out, info);
    expect_rparen();
  } else {
    comp_type(out, info);
    info.plain_func = info.is_func && alone;
  }
  expect_rparen();
}

void ModuleParser::comp_type(Bytes& out, TypeInfo& info) {
  expect_lparen();
  std::string_view kw = take_keyword();
  if (kw == "func") {
    info.is_func = true;
    std::vector<std::string_view> param_names;  // allowed in a type definition, unused
    params_results(info.sig, &param_names);
    out.u8(0x60);
    out.u32(static_cast<uint32_t>(info.sig.params.size()));
    for (ValT t : info.sig.params) write_valtype(out, t);
    out.u32(static_cast<uint32_t>(info.sig.results.size()));
    for (ValT t : info.sig.results) write_valtype(out, t);
  } else if (kw == "struct") {
    Bytes fields;
    uint32_t n = 0;
    while (at_form("field")) {
      pos_ += 2;
      if (kind() == Tok::Id) {
        uint32_t at = pos_;
        std::string_view name = *take_id();
        if (!info.fields.emplace(name, n).second)
          fail_at(at, "duplicate field " + std::string(lx_.text(at)));
        field_type(fields);
        ++n;
      } else {
        while (kind() != Tok::RParen) {
          field_type(fields);
          ++n;
        }
      }
      expect_rparen();
    }
    out.u8(0x5F);
    out.u32(n);
    out.raw(fields);
  } else if (kw == "array") {
    out.u8(0x5E);
    if (at_form("field")) {  // (array (field t)) is accepted as a synonym
      pos_ += 2;
      field_type(out);
      expect_rparen();
    } else {
      field_type(out);
    }
  } else {
    fail_at(pos_ - 1, "unexpected token");
  }
  expect_rparen();
}

void ModuleParser::field_type(Bytes& out) {
  if (at_form("mut")) {
    pos_ += 2;
    storage_type(out);
    expect_rparen();
    out.u8(1);
  } else {
    storage_type(out);
    out.u8(0);
  }
}

void ModuleParser::storage_type(Bytes& out) {
  if (is_kw("i8")) {
    ++pos_;
    out.u8(0x78);
  } else if (is_kw("i16")) {
    ++pos_;
    out.u8(0x77);
  } else {
    write_valtype(out, valtype());
  }
}

// ---- limits, tables, memories, globals ----

void ModuleParser::limits(Bytes& out, bool is64, uint8_t extra_flags, uint64_t* min_out) {
  bool narrow = !is64 && options_.wasm2_limits;
  const char* range = narrow ? "i32 constant out of range" : "i64 constant out of range";
  uint64_t max_value = narrow ? UINT32_MAX : UINT64_MAX;
  uint64_t min = take_nat(max_value, range);
  std::optional<uint64_t> max;
  if (kind() == Tok::Number) max = take_nat(max_value, range);
  uint8_t flags = static_cast<uint8_t>((max ? 1 : 0) | (is64 ? 4 : 0) | extra_flags);
  if (is_kw("shared")) {
    ++pos_;
    flags |= 2;
  }
  out.u8(flags);
  out.u64(min);
  if (max) out.u64(*max);
  if (min_out) *min_out = min;
}

void ModuleParser::table_type(Bytes& out, bool& is64) {
  is64 = false;
  if (is_kw("i64") || is_kw("i32")) is64 = lx_.text(pos_++) == "i64";
  Bytes lim;
  limits(lim, is64, 0);
  write_valtype(out, reftype());
  out.raw(lim);
}

void ModuleParser::mem_type(Bytes& out) {
  bool is64 = false;
  if (is_kw("i64") || is_kw("i32")) is64 = lx_.text(pos_++) == "i64";
  limits(out, is64, 0);
}

void ModuleParser::global_type(Bytes& out) {
  if (at_form("mut")) {
    pos_ += 2;
    write_valtype(out, valtype());
    expect_rparen();
    out.u8(1);
  } else {
    write_valtype(out, valtype());
    out.u8(0);
  }
}

}  // namespace wsvm::text
