// The component parser: type definitions, value types, component and instance types (their
// declarators), extern descriptions, and core types (function and module types).
#include "text/component_parser.hpp"

namespace wsvm::text {

namespace {

struct Prim {
  std::string_view kw;
  uint8_t code;
};
constexpr Prim kPrims[] = {
    {"bool", 0x7f}, {"s8", 0x7e},  {"u8", 0x7d},  {"s16", 0x7c}, {"u16", 0x7b},
    {"s32", 0x7a},  {"u32", 0x79}, {"s64", 0x78}, {"u64", 0x77}, {"f32", 0x76},
    {"float32", 0x76}, {"f64", 0x75}, {"float64", 0x75}, {"char", 0x74}, {"string", 0x73},
    {"error-context", 0x64},
};

std::optional<uint8_t> prim_code(std::string_view kw) {
  for (const Prim& p : kPrims)
    if (p.kw == kw) return p.code;
  return std::nullopt;
}

}  // namespace

bool ComponentParser::at_prim() const {
  return kind() == Tok::Keyword && prim_code(text()).has_value();
}

// (type $id? (export "n")* deftype) | (type $id? (alias ...))
void ComponentParser::type_def(CScope& sc) {
  DefHead h = def_head(1);
  uint32_t idx;
  if (at_form("alias")) {
    alias(sc, CSort::Type, h.id);
    idx = sc.counts[size_t(CSort::Type)] - 1;
  } else {
    idx = deftype(sc, h.id);
  }
  def_tail(sc, h, CSort::Type, idx);
}

uint32_t ComponentParser::deftype(CScope& sc, std::optional<uint32_t> id) {
  Bytes item;
  write_deftype(sc, item);
  emit(sc, CDef::Type, item);
  return define(sc, CSort::Type, id);
}

// A deftype: a defvaltype, (func ...), (component ...), (instance ...) or (resource ...).
void ComponentParser::write_deftype(CScope& sc, Bytes& out) {
  check_stack();
  if (at_prim()) {
    out.u8(*prim_code(text()));
    ++pos_;
    return;
  }
  if (kind() != Tok::LParen || kind(1) != Tok::Keyword) fail("unexpected token, expected a type");
  uint32_t close = lx_.tokens[pos_].match;
  std::string_view kw = text(1);
  pos_ += 2;
  auto labels = [&](uint8_t code) {
    Bytes ls;
    uint32_t n = 0;
    while (kind() == Tok::String) {
      ls.name(take_name());
      ++n;
    }
    out.u8(code);
    out.u32(n);
    out.raw(ls);
  };
  if (kw == "record") {
    Bytes fs;
    uint32_t n = 0;
    while (at_form("field")) {
      pos_ += 2;
      fs.name(take_name());
      valtype(sc, fs);
      expect_rparen();
      ++n;
    }
    out.u8(0x72);
    out.u32(n);
    out.raw(fs);
  } else if (kw == "variant") {
    Bytes cs;
    uint32_t n = 0;
    while (at_form("case")) {
      pos_ += 2;
      take_id_token();
      cs.name(take_name());
      if (kind() != Tok::RParen && !at_form("refines")) {
        cs.u8(0x01);
        valtype(sc, cs);
      } else {
        cs.u8(0x00);
      }
      if (at_form("refines")) fail("`refines` is not supported");
      cs.u8(0x00);
      expect_rparen();
      ++n;
    }
    out.u8(0x71);
    out.u32(n);
    out.raw(cs);
  } else if (kw == "list") {
    Bytes t;
    valtype(sc, t);
    if (kind() == Tok::Number) {
      out.u8(0x67);
      out.raw(t);
      out.u32(take_u32());
    } else {
      out.u8(0x70);
      out.raw(t);
    }
  } else if (kw == "tuple") {
    Bytes ts;
    uint32_t n = 0;
    while (kind() != Tok::RParen) {
      valtype(sc, ts);
      ++n;
    }
    out.u8(0x6f);
    out.u32(n);
    out.raw(ts);
  } else if (kw == "flags") {
    labels(0x6e);
  } else if (kw == "enum") {
    labels(0x6d);
  } else if (kw == "option") {
    out.u8(0x6b);
    valtype(sc, out);
  } else if (kw == "result") {
    Bytes ok, err;
    bool has_ok = false, has_err = false;
    if (kind() != Tok::RParen && !at_form("error")) {
      valtype(sc, ok);
      has_ok = true;
    }
    if (at_form("error")) {
      pos_ += 2;
      valtype(sc, err);
      has_err = true;
      expect_rparen();
    }
    out.u8(0x6a);
    if (has_ok) out.u8(0x01), out.raw(ok);
    else out.u8(0x00);
    if (has_err) out.u8(0x01), out.raw(err);
    else out.u8(0x00);
  } else if (kw == "own" || kw == "borrow") {
    out.u8(kw == "own" ? 0x69 : 0x68);
    out.u32(index(sc, CSort::Type));
  } else if (kw == "stream" || kw == "future") {
    out.u8(kw == "stream" ? 0x66 : 0x65);
    if (kind() != Tok::RParen) {
      out.u8(0x01);
      valtype(sc, out);
    } else {
      out.u8(0x00);
    }
  } else if (kw == "map") {
    out.u8(0x63);
    valtype(sc, out);
    valtype(sc, out);
  } else if (kw == "func") {
    bool async = false;
    if (is_kw("async")) async = true, ++pos_;
    functype_body(sc, out, async);
  } else if (kw == "component" || kw == "instance") {
    pos_ -= 2;
    type_decls(sc, out, kw == "component" ? CScope::Kind::ComponentType : CScope::Kind::InstanceType);
    return;
  } else if (kw == "resource") {
    expect_lparen();
    expect_kw("rep");
    if (!is_kw("i32")) fail("unexpected token, expected `i32`");
    ++pos_;
    expect_rparen();
    out.u8(0x3f);
    out.u8(0x7f);
    if (at_form("dtor")) {
      pos_ += 2;
      uint32_t f;
      if (kind() == Tok::LParen) {
        // (dtor (core func $f)) or (dtor (func $f)): a core function either way.
        expect_lparen();
        if (is_kw("core")) ++pos_;
        expect_kw("func");
        if (kind(1) == Tok::String) {
          uint32_t inst = index(sc, CSort::CoreInstance);
          f = alias_export(sc, CSort::CoreFunc, inst, take_name(), true);
        } else {
          f = index(sc, CSort::CoreFunc);
        }
        expect_rparen();
      } else {
        f = index(sc, CSort::CoreFunc);
      }
      expect_rparen();
      out.u8(0x01);
      out.u32(f);
    } else {
      out.u8(0x00);
    }
  } else if (auto p = prim_code(kw)) {
    out.u8(*p);
  } else {
    fail_at(pos_ - 1, "unknown type `" + std::string(kw) + "`");
  }
  if (pos_ != close) fail("unexpected token");
  expect_rparen();
}

// A valtype: a primitive, a type index, or an inline defvaltype (a new type definition).
void ComponentParser::valtype(CScope& sc, Bytes& out) {
  if (at_prim()) {
    out.u8(*prim_code(text()));
    ++pos_;
    return;
  }
  if (kind() == Tok::Number || kind() == Tok::Id) {
    out.s64(index(sc, CSort::Type));
    return;
  }
  if (kind() == Tok::LParen && (is_kw("func", 1) || is_kw("component", 1) || is_kw("instance", 1) ||
                                is_kw("resource", 1)))
    fail_at(pos_ + 1, "expected a value type");
  if (kind() == Tok::LParen && is_kw("type", 1)) {
    // (type $t) as a value type reference
    pos_ += 2;
    out.s64(index(sc, CSort::Type));
    expect_rparen();
    return;
  }
  out.s64(deftype(sc, std::nullopt));
}

// (type x) | (param "n" t)* (result t)?: the function type's index (an inline one is defined).
uint32_t ComponentParser::func_type_use(CScope& sc) {
  if (at_form("type")) {
    pos_ += 2;
    uint32_t t = index(sc, CSort::Type);
    expect_rparen();
    return t;
  }
  Bytes item;
  bool async = false;
  if (is_kw("async")) async = true, ++pos_;
  functype_body(sc, item, async);
  emit(sc, CDef::Type, item);
  return define(sc, CSort::Type, std::nullopt);
}

void ComponentParser::functype_body(CScope& sc, Bytes& out, bool async) {
  Bytes params;
  uint32_t n = 0;
  while (at_form("param")) {
    pos_ += 2;
    params.name(take_name());
    valtype(sc, params);
    expect_rparen();
    ++n;
  }
  out.u8(async ? 0x43 : 0x40);
  out.u32(n);
  out.raw(params);
  if (at_form("result")) {
    pos_ += 2;
    if (kind() == Tok::String) fail("named results are not supported");
    out.u8(0x00);
    valtype(sc, out);
    expect_rparen();
  } else {
    out.u8(0x01);
    out.u8(0x00);
  }
  if (at_form("result")) fail("a function has at most one result");
}

// (component decl*) | (instance decl*): a type with its own index spaces.
void ComponentParser::type_decls(CScope& sc, Bytes& out, CScope::Kind kind) {
  check_stack();
  uint32_t close = lx_.tokens[pos_].match;
  pos_ += 2;
  CScope inner;
  inner.kind = kind;
  inner.parent = &sc;
  while (pos_ < close) decl(inner);
  if (pos_ != close) fail("unexpected token");
  expect_rparen();
  out.u8(kind == CScope::Kind::ComponentType ? 0x41 : 0x42);
  out.u32(inner.decls);
  out.raw(inner.out);
}

uint32_t ComponentParser::inline_type_decls(CScope& sc, CScope::Kind k, uint32_t close) {
  check_stack();
  CScope inner;
  inner.kind = k;
  inner.parent = &sc;
  while (pos_ < close) decl(inner);
  if (pos_ != close) fail("unexpected token");
  Bytes item;
  item.u8(k == CScope::Kind::ComponentType ? 0x41 : 0x42);
  item.u32(inner.decls);
  item.raw(inner.out);
  emit(sc, CDef::Type, item);
  return define(sc, CSort::Type, std::nullopt);
}

// A declarator of a component or instance type.
void ComponentParser::decl(CScope& sc) {
  check_stack();
  if (kind() != Tok::LParen || kind(1) != Tok::Keyword) fail("unexpected token");
  std::string_view kw = text(1);
  if (kw == "core" && is_kw("type", 2)) return core_type_def(sc);
  if (kw == "type") return type_def(sc);
  if (kw == "alias") return alias(sc);
  if (kw == "import") return extern_decl(sc, CDef::Import);
  if (kw == "export") return extern_decl(sc, CDef::Export);
  fail_at(pos_ + 1, "unexpected declarator `" + std::string(kw) + "`");
}

// externdesc: (core module $id? moduletype-use) | (func $id? typeuse) | (value $id? valuebound)
// | (type $id? typebound) | (component $id? typeuse) | (instance $id? typeuse)
CSort ComponentParser::extern_desc(CScope& sc, Bytes& out, std::optional<uint32_t>& id) {
  check_stack();
  expect_lparen();
  CSort sort = take_sort(false);
  id = take_id_token();
  uint32_t desc_close = lx_.tokens[pos_].match;
  (void)desc_close;
  auto type_ref_or_inline = [&](CScope::Kind k) -> uint32_t {
    // (type $t) uses a type; (type $t (record ...)) is the first declarator of an inline one.
    if (at_form("type") && kind(3) == Tok::RParen) {
      pos_ += 2;
      uint32_t t = index(sc, CSort::Type);
      expect_rparen();
      return t;
    }
    uint32_t close = pos_;
    while (lx_.tokens[close].kind == Tok::LParen) close = lx_.tokens[close].match + 1;
    return inline_type_decls(sc, k, close);
  };
  switch (sort) {
    case CSort::CoreModule: {
      out.u8(0x00);
      out.u8(0x11);
      if (at_form("type")) {
        pos_ += 2;
        out.u32(index(sc, CSort::CoreType));
        expect_rparen();
      } else {
        Bytes item;
        uint32_t close = pos_;
        while (lx_.tokens[close].kind == Tok::LParen) close = lx_.tokens[close].match + 1;
        module_decls(sc, item, close);
        emit(sc, CDef::CoreType, item);
        out.u32(define(sc, CSort::CoreType, std::nullopt));
      }
      break;
    }
    case CSort::Func:
      out.u8(0x01);
      out.u32(func_type_use(sc));
      break;
    case CSort::Value:
      out.u8(0x02);
      if (at_form("eq")) {
        pos_ += 2;
        out.u8(0x00);
        out.u32(index(sc, CSort::Value));
        expect_rparen();
      } else {
        out.u8(0x01);
        valtype(sc, out);
      }
      break;
    case CSort::Type:
      out.u8(0x03);
      if (at_form("eq")) {
        pos_ += 2;
        out.u8(0x00);
        out.u32(index(sc, CSort::Type));
        expect_rparen();
      } else if (at_form("sub")) {
        pos_ += 2;
        expect_kw("resource");
        expect_rparen();
        out.u8(0x01);
      } else {
        fail("unexpected token, expected `(eq ...)` or `(sub resource)`");
      }
      break;
    case CSort::Component: {
      uint32_t t = type_ref_or_inline(CScope::Kind::ComponentType);
      out.u8(0x04);
      out.u32(t);
      break;
    }
    case CSort::Instance: {
      uint32_t t = type_ref_or_inline(CScope::Kind::InstanceType);
      out.u8(0x05);
      out.u32(t);
      break;
    }
    default: fail("unexpected sort in an extern description");
  }
  expect_rparen();
  return sort;
}

// ---- core types ---------------------------------------------------------------------------

void ComponentParser::core_type_def(CScope& sc) {
  uint32_t close = lx_.tokens[pos_].match;
  pos_ += 3;  // ( core type
  std::optional<uint32_t> id = take_id_token();
  if (at_form("alias")) {
    alias(sc, CSort::CoreType, id);
  } else {
    Bytes item;
    core_deftype(sc, item);
    emit(sc, CDef::CoreType, item);
    define(sc, CSort::CoreType, id);
  }
  if (pos_ != close) fail("unexpected token");
  expect_rparen();
}

void ComponentParser::core_deftype(CScope& sc, Bytes& out) {
  if (at_form("func")) {
    pos_ += 2;
    core_functype(out, nullptr);
    expect_rparen();
  } else if (at_form("module")) {
    module_type(sc, out);
  } else {
    fail("unsupported core type (only func and module types)");
  }
}

void ComponentParser::core_valtype(Bytes& out) {
  if (kind() != Tok::Keyword) fail("unexpected token, expected a core value type");
  std::string_view kw = text();
  uint8_t code;
  if (kw == "i32") code = 0x7f;
  else if (kw == "i64") code = 0x7e;
  else if (kw == "f32") code = 0x7d;
  else if (kw == "f64") code = 0x7c;
  else if (kw == "v128") code = 0x7b;
  else if (kw == "funcref") code = 0x70;
  else if (kw == "externref") code = 0x6f;
  else if (kw == "anyref") code = 0x6e;
  else if (kw == "exnref") code = 0x69;
  else fail("unknown core value type `" + std::string(kw) + "`");
  ++pos_;
  out.u8(code);
}

// After `(func`: (param $x? t*)* (result t*)*
void ComponentParser::core_functype(Bytes& out, std::unordered_map<std::string_view, uint32_t>*) {
  Bytes ps, rs;
  uint32_t np = 0, nr = 0;
  while (at_form("param")) {
    pos_ += 2;
    if (kind() == Tok::Id) {
      ++pos_;
      core_valtype(ps);
      ++np;
    } else {
      while (kind() != Tok::RParen) core_valtype(ps), ++np;
    }
    expect_rparen();
  }
  while (at_form("result")) {
    pos_ += 2;
    while (kind() != Tok::RParen) core_valtype(rs), ++nr;
    expect_rparen();
  }
  out.u8(0x60);
  out.u32(np);
  out.raw(ps);
  out.u32(nr);
  out.raw(rs);
}

void ComponentParser::core_limits(Bytes& out, uint8_t) {
  uint32_t min = take_u32();
  if (kind() == Tok::Number) {
    uint32_t max = take_u32();
    out.u8(0x01);
    out.u32(min);
    out.u32(max);
  } else {
    out.u8(0x00);
    out.u32(min);
  }
}

// (module decl*): core:moduletype with its own core type index space.
void ComponentParser::module_type(CScope& sc, Bytes& out) {
  uint32_t close = lx_.tokens[pos_].match;
  pos_ += 2;
  module_decls(sc, out, close);
  expect_rparen();
}

void ComponentParser::module_decls(CScope& sc, Bytes& out, uint32_t close) {
  check_stack();
  Bytes decls;
  uint32_t n = 0, types = 0;
  std::unordered_map<std::string_view, uint32_t> type_names;
  while (pos_ < close) {
    if (kind() != Tok::LParen || kind(1) != Tok::Keyword) fail("unexpected token");
    std::string_view kw = text(1);
    uint32_t decl_close = lx_.tokens[pos_].match;
    pos_ += 2;
    if (kw == "import") {
      Bytes item;
      item.name(take_name());
      item.name(take_name());
      core_extern_desc(item, decls, n, types, type_names);
      decls.u8(0x00);
      decls.raw(item);
      ++n;
    } else if (kw == "export") {
      Bytes item;
      item.name(take_name());
      core_extern_desc(item, decls, n, types, type_names);
      decls.u8(0x03);
      decls.raw(item);
      ++n;
    } else if (kw == "type") {
      if (kind() == Tok::Id) {
        if (!type_names.emplace(id_key(pos_), types).second) fail("duplicate identifier");
        ++pos_;
      }
      if (!at_form("func")) fail("unsupported core type in a module type");
      pos_ += 2;
      decls.u8(0x01);
      core_functype(decls, nullptr);
      expect_rparen();
      ++types;
      ++n;
    } else if (kw == "alias") {
      expect_kw("outer");
      // (alias outer $scope $t (type $id?)): a core type of an enclosing scope.
      uint32_t count = 0;
      CScope* target = &sc;
      if (kind() == Tok::Number) {
        count = take_u32();
        for (uint32_t i = 1; i < count && target; ++i) target = target->parent;
      } else if (kind() == Tok::Id) {
        std::string_view key = id_key(pos_++);
        count = 1;
        while (target && target->id != key) target = target->parent, ++count;
      }
      if (!target) fail("unknown outer scope");
      uint32_t idx;
      if (kind() == Tok::Number) {
        idx = take_u32();
      } else {
        if (kind() != Tok::Id) fail("unexpected token");
        auto it = target->names[size_t(CSort::CoreType)].find(id_key(pos_));
        if (it == target->names[size_t(CSort::CoreType)].end()) fail("unknown identifier");
        idx = it->second;
        ++pos_;
      }
      expect_lparen();
      expect_kw("type");
      if (kind() == Tok::Id) type_names.emplace(id_key(pos_++), types);
      expect_rparen();
      decls.u8(0x02);
      decls.u8(0x10);
      decls.u8(0x01);
      decls.u32(count);
      decls.u32(idx);
      ++types;
      ++n;
    } else {
      fail_at(pos_ - 1, "unexpected module type declarator");
    }
    if (pos_ != decl_close) fail("unexpected token");
    expect_rparen();
  }
  if (pos_ != close) fail("unexpected token");
  out.u8(0x50);
  out.u32(n);
  out.raw(decls);
}

// A core import/export description inside a module type; an inline function type becomes a
// type declarator written before it.
void ComponentParser::core_extern_desc(Bytes& out, Bytes& decls, uint32_t& n_decls, uint32_t& n_types,
                                       std::unordered_map<std::string_view, uint32_t>& type_names) {
  expect_lparen();
  if (kind() != Tok::Keyword) fail("unexpected token");
  std::string_view kw = text();
  ++pos_;
  if (kind() == Tok::Id) ++pos_;
  auto type_use = [&]() -> uint32_t {
    if (at_form("type")) {
      pos_ += 2;
      uint32_t t;
      if (kind() == Tok::Number) {
        t = take_u32();
      } else {
        if (kind() != Tok::Id) fail("unexpected token");
        auto it = type_names.find(id_key(pos_));
        if (it == type_names.end()) fail("unknown type " + std::string(text()));
        t = it->second;
        ++pos_;
      }
      expect_rparen();
      return t;
    }
    decls.u8(0x01);
    core_functype(decls, nullptr);
    ++n_decls;
    return n_types++;
  };
  if (kw == "func") {
    out.u8(0x00);
    out.u32(type_use());
  } else if (kw == "table") {
    out.u8(0x01);
    Bytes lim;
    core_limits(lim);
    core_valtype(out);
    out.raw(lim);
  } else if (kw == "memory") {
    out.u8(0x02);
    core_limits(out);
  } else if (kw == "global") {
    out.u8(0x03);
    if (at_form("mut")) {
      pos_ += 2;
      core_valtype(out);
      expect_rparen();
      out.u8(0x01);
    } else {
      core_valtype(out);
      out.u8(0x00);
    }
  } else if (kw == "tag") {
    out.u8(0x04);
    out.u8(0x00);
    out.u32(type_use());
  } else {
    fail_at(pos_ - 1, "unknown core extern kind `" + std::string(kw) + "`");
  }
  expect_rparen();
}

}  // namespace wsvm::text
