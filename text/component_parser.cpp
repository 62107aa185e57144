// The component parser: cursor, index spaces and the component-level definitions.
// (Types, value types and core types are in component_types.cpp.)
#include "text/component_parser.hpp"

#include "text/component_text.hpp"
#include "text/module_form.hpp"
#include "text/numbers.hpp"

namespace wsvm::text {

namespace {

constexpr uint8_t kPreamble[8] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};

// Core sort keywords and their core:sort bytes, in CSort order.
constexpr std::string_view kCoreSortKw[] = {"func", "table", "memory", "global", "tag",
                                             "type", "module", "instance"};
constexpr uint8_t kCoreSortByte[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12};
constexpr std::string_view kSortKw[] = {"func", "value", "type", "component", "instance"};

bool is_core(CSort s) { return s <= CSort::CoreInstance; }

// Sorts an outer alias may name (Binary.md: outeraliassort).
bool outer_aliasable(CSort s) {
  return s == CSort::Type || s == CSort::CoreType || s == CSort::CoreModule || s == CSort::Component;
}

}  // namespace

// ---- cursor -------------------------------------------------------------------------------

void ComponentParser::expect_lparen() {
  if (kind() != Tok::LParen) fail("unexpected token");
  ++pos_;
}
void ComponentParser::expect_kw(std::string_view kw) {
  if (!is_kw(kw)) fail("unexpected token, expected `" + std::string(kw) + "`");
  ++pos_;
}
std::string ComponentParser::take_name() {
  uint32_t at = pos_;
  std::string s = take_string();
  if (!valid_utf8(s)) fail_at(at, "malformed UTF-8 encoding");
  return s;
}
uint32_t ComponentParser::take_u32() {
  if (kind() != Tok::Number) fail("unexpected token, expected a number");
  uint64_t v;
  if (parse_nat(text(), UINT32_MAX, v) != NumStatus::Ok) fail("constant out of range");
  ++pos_;
  return uint32_t(v);
}
std::optional<uint32_t> ComponentParser::take_id_token() {
  if (kind() != Tok::Id) return std::nullopt;
  return pos_++;
}
std::string_view ComponentParser::id_key(uint32_t token) {
  std::string_view t = lx_.text(token);
  if (t.size() > 1 && t[1] == '"') {
    arena_.push_back(decode_string(t.substr(1)));
    return arena_.back();
  }
  return t.substr(1);
}

// ---- scopes -------------------------------------------------------------------------------

void ComponentParser::emit(CScope& sc, CDef def, const Bytes& item) {
  if (sc.kind == CScope::Kind::Component) {
    sc.out.u8(uint8_t(def));
    if (def == CDef::CoreModule || def == CDef::Component || def == CDef::Start) {
      sc.out.sized(item);
      return;
    }
    Bytes body;
    body.u32(1);
    body.raw(item);
    sc.out.sized(body);
    return;
  }
  uint8_t tag;
  switch (def) {
    case CDef::CoreType: tag = 0x00; break;
    case CDef::Type: tag = 0x01; break;
    case CDef::Alias: tag = 0x02; break;
    case CDef::Import:
      if (sc.kind != CScope::Kind::ComponentType) fail("import in an instance type");
      tag = 0x03;
      break;
    case CDef::Export: tag = 0x04; break;
    default: fail("this definition is not allowed in a component or instance type");
  }
  sc.out.u8(tag);
  sc.out.raw(item);
  ++sc.decls;
}

uint32_t ComponentParser::define(CScope& sc, CSort sort, std::optional<uint32_t> id_token) {
  uint32_t idx = sc.counts[size_t(sort)]++;
  if (id_token) {
    std::string_view key = id_key(*id_token);
    if (!sc.names[size_t(sort)].emplace(key, idx).second)
      fail_at(*id_token, "duplicate identifier " + std::string(lx_.text(*id_token)));
  }
  return idx;
}

uint32_t ComponentParser::index(CScope& sc, CSort sort) {
  if (kind() == Tok::Number) return take_u32();
  if (kind() != Tok::Id) fail("unexpected token, expected an index");
  uint32_t at = pos_++;
  std::string_view key = id_key(at);
  auto& here = sc.names[size_t(sort)];
  if (auto it = here.find(key); it != here.end()) return it->second;
  // An enclosing scope's name: an implicit outer alias, bound in this scope from now on.
  uint32_t depth = 0;
  for (CScope* s = sc.parent; s; s = s->parent) {
    ++depth;
    auto it = s->names[size_t(sort)].find(key);
    if (it == s->names[size_t(sort)].end()) continue;
    if (!outer_aliasable(sort)) break;
    Bytes item;
    write_sort(item, sort);
    item.u8(0x02);
    item.u32(depth);
    item.u32(it->second);
    emit(sc, CDef::Alias, item);
    uint32_t idx = sc.counts[size_t(sort)]++;
    here.emplace(key, idx);
    return idx;
  }
  fail_at(at, "unknown identifier " + std::string(lx_.text(at)));
}

CSort ComponentParser::take_sort(bool core_context) {
  bool core = core_context;
  if (is_kw("core")) {
    core = true;
    ++pos_;
  }
  if (kind() != Tok::Keyword) fail("unexpected token, expected a sort");
  std::string_view kw = text();
  if (core) {
    for (size_t i = 0; i < std::size(kCoreSortKw); ++i)
      if (kw == kCoreSortKw[i]) {
        ++pos_;
        return CSort(i);
      }
  } else {
    for (size_t i = 0; i < std::size(kSortKw); ++i)
      if (kw == kSortKw[i]) {
        ++pos_;
        return CSort(size_t(CSort::Func) + i);
      }
  }
  fail("unknown sort `" + std::string(kw) + "`");
}

void ComponentParser::write_sort(Bytes& out, CSort s) {
  if (is_core(s)) {
    out.u8(0x00);
    out.u8(kCoreSortByte[size_t(s)]);
  } else {
    out.u8(uint8_t(size_t(s) - size_t(CSort::Func) + 1));
  }
}

uint32_t ComponentParser::alias_export(CScope& sc, CSort sort, uint32_t instance, std::string name,
                                       bool core_instance) {
  Bytes item;
  write_sort(item, sort);
  item.u8(core_instance ? 0x01 : 0x00);
  item.u32(instance);
  item.name(name);
  emit(sc, CDef::Alias, item);
  return sc.counts[size_t(sort)]++;
}

uint32_t ComponentParser::item_ref(CScope& sc, CSort expected, bool core_context, CSort* got) {
  check_stack();
  expect_lparen();
  CSort sort = take_sort(core_context);
  if (!got && sort != expected) fail_at(pos_ - 1, "unexpected sort");
  if (got) *got = sort;
  uint32_t idx;
  if (kind() == Tok::String || kind(1) == Tok::String) {
    // (sort $instance "a" "b" ...): aliases of exports, through nested instances.
    // Core instances export core functions, tables, memories, globals and tags; component
    // instances export everything else (core modules included).
    bool from_core = is_core(sort) && sort != CSort::CoreModule && sort != CSort::CoreType &&
                     sort != CSort::CoreInstance;
    CSort inst_sort = from_core ? CSort::CoreInstance : CSort::Instance;
    idx = index(sc, inst_sort);
    while (kind() == Tok::String) {
      std::string name = take_name();
      CSort s = kind() == Tok::String ? inst_sort : sort;
      idx = alias_export(sc, s, idx, std::move(name), from_core);
    }
  } else {
    idx = index(sc, sort);
  }
  expect_rparen();
  return idx;
}

uint32_t ComponentParser::index_or_ref(CScope& sc, CSort sort) {
  if (kind() == Tok::LParen) return item_ref(sc, sort, false);
  return index(sc, sort);
}

// ---- definitions --------------------------------------------------------------------------

std::vector<uint8_t> ComponentParser::component(uint32_t pos, uint32_t close, std::string_view id) {
  CScope sc;
  sc.id = id;
  pos_ = pos;
  fields(sc, close);
  std::vector<uint8_t> out(std::begin(kPreamble), std::end(kPreamble));
  out.insert(out.end(), sc.out.v.begin(), sc.out.v.end());
  return out;
}

void ComponentParser::fields(CScope& sc, uint32_t end) {
  while (pos_ < end) {
    check_stack();
    if (kind() != Tok::LParen || kind(1) != Tok::Keyword) fail("unexpected token");
    std::string_view kw = text(1);
    if (kw == "core") core_def(sc);
    else if (kw == "component") nested_component(sc);
    else if (kw == "instance") instance(sc);
    else if (kw == "alias") alias(sc);
    else if (kw == "type") type_def(sc);
    else if (kw == "canon") canon(sc);
    else if (kw == "start") start(sc);
    else if (kw == "import") extern_decl(sc, CDef::Import);
    else if (kw == "export") export_def(sc);
    else if (kw == "func") func(sc);
    else if (kw == "value") value_def(sc);
    else fail_at(pos_ + 1, "unknown component field `" + std::string(kw) + "`");
  }
  if (pos_ != end) fail("unexpected token");
}

void ComponentParser::core_def(CScope& sc) {
  std::string_view kw = text(2);
  if (kw == "module") return core_module(sc);
  if (kw == "instance") return core_instance(sc);
  if (kw == "type") return core_type_def(sc);
  // (core func $id? (canon ...)) or (core SORT $id? (alias ...))
  uint32_t open = pos_;
  pos_ += 1;
  CSort sort = take_sort(false);
  if (!is_core(sort)) fail_at(open + 1, "unexpected token");
  std::optional<uint32_t> id = take_id_token();
  if (at_form("alias")) {
    alias(sc, sort, id);
  } else if (at_form("canon") && sort == CSort::CoreFunc) {
    canon(sc, id);
  } else {
    fail("unexpected token, expected `(alias ...)` or `(canon ...)`");
  }
  expect_rparen();
  (void)open;
}

void ComponentParser::core_module(CScope& sc) {
  DefHead h = def_head(2);  // ( core module
  uint32_t close = h.close;
  Bytes item;
  if (is_kw("binary") || is_kw("quote")) {
    bool binary = is_kw("binary");
    ++pos_;
    std::string joined;
    while (kind() == Tok::String) joined += decode_string(lx_.text(pos_++));
    if (binary) {
      item.raw(joined.data(), joined.size());
    } else {
      auto r = wat_to_wasm(joined, options_);
      if (!r) fail("in quoted module: " + r.error().to_string());
      item.raw(r->data(), r->size());
    }
  } else {
    std::vector<uint8_t> bytes = ModuleParser(lx_, pos_, close, options_).parse();
    item.raw(bytes.data(), bytes.size());
  }
  pos_ = close;
  emit(sc, CDef::CoreModule, item);
  def_tail(sc, h, CSort::CoreModule, define(sc, CSort::CoreModule, h.id));
}

void ComponentParser::core_instance(CScope& sc) {
  uint32_t close = lx_.tokens[pos_].match;
  pos_ += 3;  // ( core instance
  std::optional<uint32_t> id = take_id_token();
  core_instance_expr(sc, id, close);
  expect_rparen();
}

// After `(core instance $id?`: `(instantiate m (with "n" (instance ...))*)` or inline exports.
uint32_t ComponentParser::core_instance_expr(CScope& sc, std::optional<uint32_t> id, uint32_t close) {
  Bytes item;
  if (at_form("instantiate")) {
    pos_ += 2;
    uint32_t module = kind() == Tok::LParen ? item_ref(sc, CSort::CoreModule, true) : index(sc, CSort::CoreModule);
    Bytes args;
    uint32_t n = 0;
    while (at_form("with")) {
      pos_ += 2;
      std::string name = take_name();
      uint32_t inst;
      if (at_form("instance") && (kind(2) == Tok::LParen || kind(2) == Tok::RParen)) {
        // An inline instance of exports.
        uint32_t inner_close = lx_.tokens[pos_].match;
        pos_ += 2;
        inst = core_instance_expr(sc, std::nullopt, inner_close);
        expect_rparen();
      } else {
        inst = item_ref(sc, CSort::CoreInstance, true);
      }
      expect_rparen();
      args.name(name);
      args.u8(0x12);
      args.u32(inst);
      ++n;
    }
    expect_rparen();
    item.u8(0x00);
    item.u32(module);
    item.u32(n);
    item.raw(args);
  } else {
    Bytes exports;
    uint32_t n = 0;
    while (at_form("export")) {
      pos_ += 2;
      std::string name = take_name();
      CSort sort;
      uint32_t idx = item_ref(sc, CSort::CoreFunc, true, &sort);
      expect_rparen();
      exports.name(name);
      exports.u8(kCoreSortByte[size_t(sort)]);
      exports.u32(idx);
      ++n;
    }
    item.u8(0x01);
    item.u32(n);
    item.raw(exports);
  }
  if (pos_ != close) fail("unexpected token");
  emit(sc, CDef::CoreInstance, item);
  return define(sc, CSort::CoreInstance, id);
}

void ComponentParser::nested_component(CScope& sc) {
  check_stack();
  DefHead h = def_head(1);
  uint32_t close = h.close;
  std::optional<uint32_t> id = h.id;
  CScope inner;
  inner.parent = &sc;
  if (id) inner.id = id_key(*id);
  Bytes item;
  if (at_form("import") && kind(2) == Tok::String && kind(3) == Tok::RParen) {
    // (component $id (import "name") componenttype-use)
    pos_ += 2;
    std::string name = take_name();
    expect_rparen();
    fail("inline component imports are not supported; write (import \"" + name + "\" (component ...))");
  }
  if (is_kw("binary")) {
    ++pos_;
    while (kind() == Tok::String) {
      std::string s = decode_string(lx_.text(pos_++));
      item.raw(s.data(), s.size());
    }
  } else {
    fields(inner, close);
    item.raw(kPreamble, sizeof kPreamble);
    item.raw(inner.out);
  }
  emit(sc, CDef::Component, item);
  def_tail(sc, h, CSort::Component, define(sc, CSort::Component, id));
}

void ComponentParser::instance(CScope& sc) {
  DefHead h = def_head(1);
  uint32_t close = h.close;
  std::optional<uint32_t> id = h.id;
  uint32_t idx;
  Bytes item;
  if (inline_import(item)) {
    // (instance $id (import "name") typeuse-or-decls) = (import "name" (instance $id ...))
    Bytes et;
    et.u8(0x05);
    if (at_form("type") && kind(3) == Tok::RParen) {
      uint32_t t = item_ref(sc, CSort::Type, false);
      et.u32(t);
    } else {
      et.u32(inline_type_decls(sc, CScope::Kind::InstanceType, close));
    }
    item.raw(et);
    if (pos_ != close) fail("unexpected token");
    emit(sc, CDef::Import, item);
    idx = define(sc, CSort::Instance, id);
  } else if (at_form("alias")) {
    alias(sc, CSort::Instance, id);
    idx = sc.counts[size_t(CSort::Instance)] - 1;
  } else if (at_form("instantiate")) {
    pos_ += 2;
    uint32_t comp = index_or_ref(sc, CSort::Component);
    Bytes args;
    uint32_t n = 0;
    while (at_form("with")) {
      pos_ += 2;
      std::string name = take_name();
      uint32_t target;
      CSort sort;
      if (at_form("instance") && (kind(2) == Tok::LParen || kind(2) == Tok::RParen) &&
          !(kind(2) == Tok::LParen && is_kw("type", 3))) {
        uint32_t inner_close = lx_.tokens[pos_].match;
        pos_ += 2;
        target = instance_bag(sc, std::nullopt, inner_close);
        expect_rparen();
        sort = CSort::Instance;
      } else {
        target = item_ref(sc, CSort::Func, false, &sort);
      }
      expect_rparen();
      args.name(name);
      write_sort(args, sort);
      args.u32(target);
      ++n;
    }
    expect_rparen();
    Bytes item;
    item.u8(0x00);
    item.u32(comp);
    item.u32(n);
    item.raw(args);
    emit(sc, CDef::Instance, item);
    idx = define(sc, CSort::Instance, id);
  } else {
    idx = instance_bag(sc, id, close);
  }
  def_tail(sc, h, CSort::Instance, idx);
}

// `(export "name" (sort idx))*` up to `close`: an instance of those exports.
uint32_t ComponentParser::instance_bag(CScope& sc, std::optional<uint32_t> id, uint32_t close) {
  Bytes exports;
  uint32_t n = 0;
  while (at_form("export")) {
    pos_ += 2;
    Bytes name;
    name_attributes(name);
    CSort sort;
    uint32_t idx = item_ref(sc, CSort::Func, false, &sort);
    expect_rparen();
    exports.raw(name);
    write_sort(exports, sort);
    exports.u32(idx);
    ++n;
  }
  if (pos_ != close) fail("unexpected token");
  Bytes item;
  item.u8(0x01);
  item.u32(n);
  item.raw(exports);
  emit(sc, CDef::Instance, item);
  return define(sc, CSort::Instance, id);
}

// (alias export i "n" (sort $id?)) | (alias core export i "n" (core sort $id?))
// | (alias outer c i (sort $id?)); or the sugar (sort $id? (alias export i "n")).
void ComponentParser::alias(CScope& sc, std::optional<CSort> sugar_sort, std::optional<uint32_t> sugar_id) {
  pos_ += 2;  // ( alias
  enum { Export, CoreExport, Outer } target;
  if (is_kw("export")) target = Export;
  else if (is_kw("core") && is_kw("export", 1)) target = CoreExport, ++pos_;
  else if (is_kw("outer")) target = Outer;
  else fail("unexpected token, expected `export`, `core export` or `outer`");
  ++pos_;
  Bytes tail;
  uint32_t outer_count = 0, outer_index_token = 0;
  CScope* outer_scope = nullptr;
  if (target == Outer) {
    // The scope: a number of scopes out, or a component/type name.
    if (kind() == Tok::Number) {
      // A count past the outermost scope is written as is: validation rejects it.
      outer_count = take_u32();
      outer_scope = &sc;
      for (uint32_t i = 0; i < outer_count && outer_scope; ++i) outer_scope = outer_scope->parent;
      if (!outer_scope && kind() == Tok::Id) fail_at(pos_ - 1, "outer count out of range");
    } else if (kind() == Tok::Id) {
      std::string_view key = id_key(pos_);
      outer_scope = &sc;
      while (outer_scope && outer_scope->id != key) {
        outer_scope = outer_scope->parent;
        ++outer_count;
      }
      if (!outer_scope) fail("unknown outer scope " + std::string(text()));
      ++pos_;
    } else {
      fail("unexpected token");
    }
    outer_index_token = pos_;
    if (kind() != Tok::Number && kind() != Tok::Id) fail("unexpected token");
    ++pos_;
  }
  uint32_t instance_idx = 0;
  std::string name;
  if (target != Outer) {
    instance_idx = index(sc, target == CoreExport ? CSort::CoreInstance : CSort::Instance);
    name = take_name();
  }
  CSort sort;
  std::optional<uint32_t> id;
  if (sugar_sort) {
    sort = *sugar_sort;
    id = sugar_id;
    expect_rparen();
  } else {
    expect_lparen();
    sort = take_sort(false);
    id = take_id_token();
    expect_rparen();
    expect_rparen();
  }
  if (target == Outer) {
    if (!outer_scope && lx_.tokens[outer_index_token].kind != Tok::Number) fail("unknown outer scope");
    uint32_t save = pos_;
    pos_ = outer_index_token;
    uint32_t idx;
    if (kind() == Tok::Number) {
      idx = take_u32();
    } else {
      std::string_view key = id_key(pos_);
      auto it = outer_scope->names[size_t(sort)].find(key);
      if (it == outer_scope->names[size_t(sort)].end()) fail("unknown identifier " + std::string(text()));
      idx = it->second;
    }
    pos_ = save;
    Bytes item;
    write_sort(item, sort);
    item.u8(0x02);
    item.u32(outer_count);
    item.u32(idx);
    emit(sc, CDef::Alias, item);
    define(sc, sort, id);
    return;
  }
  alias_export(sc, sort, instance_idx, std::move(name), target == CoreExport);
  if (id) {
    --sc.counts[size_t(sort)];
    define(sc, sort, id);
  }
}

void ComponentParser::canon_opts(CScope& sc, Bytes& out) {
  Bytes opts;
  uint32_t n = 0;
  while (true) {
    if (kind() == Tok::Keyword) {
      std::string_view kw = text();
      if (kw == "string-encoding=utf8") opts.u8(0x00);
      else if (kw == "string-encoding=utf16") opts.u8(0x01);
      else if (kw == "string-encoding=latin1+utf16") opts.u8(0x02);
      else if (kw == "async") opts.u8(0x06);
      else break;
      ++pos_;
    } else if (kind() == Tok::LParen && kind(1) == Tok::Keyword) {
      std::string_view kw = text(1);
      uint8_t code;
      CSort sort = CSort::CoreFunc;
      if (kw == "memory") code = 0x03, sort = CSort::CoreMemory;
      else if (kw == "realloc") code = 0x04;
      else if (kw == "post-return") code = 0x05;
      else if (kw == "callback") code = 0x07;
      else break;
      pos_ += 2;
      uint32_t idx = index_or_ref(sc, sort);
      expect_rparen();
      opts.u8(code);
      opts.u32(idx);
    } else {
      break;
    }
    ++n;
  }
  out.u32(n);
  out.raw(opts);
}

// (canon lift (core func f) opts (func $id? typeuse)) | (canon lower (func f) opts (core func $id?))
// | (canon resource.new|drop|rep t (core func $id?)); `sugar_id` and `lift_type` when the
// canon is the body of `(core func $id (canon ...))` or `(func $id typeuse (canon lift ...))`.
void ComponentParser::canon(CScope& sc, std::optional<uint32_t> sugar_id, std::optional<uint32_t> lift_type) {
  bool sugar = sugar_id.has_value() || lift_type.has_value() || (pos_ > 0 && false);
  uint32_t close = lx_.tokens[pos_].match;
  pos_ += 2;  // ( canon
  if (kind() != Tok::Keyword) fail("unexpected token");
  std::string_view op = text();
  ++pos_;
  Bytes item;
  auto define_core_func = [&]() {
    std::optional<uint32_t> id = sugar_id;
    if (pos_ < close) {
      expect_lparen();
      expect_kw("core");
      expect_kw("func");
      id = take_id_token();
      expect_rparen();
    }
    if (pos_ != close) fail("unexpected token");
    expect_rparen();
    emit(sc, CDef::Canon, item);
    define(sc, CSort::CoreFunc, id);
  };
  if (op == "lift") {
    uint32_t core = item_ref(sc, CSort::CoreFunc, false);
    Bytes opts;
    canon_opts(sc, opts);
    std::optional<uint32_t> id = sugar_id;
    uint32_t type;
    if (lift_type) {
      type = *lift_type;
    } else {
      if (!at_form("func")) fail("unexpected token, expected `(func ...)`");
      pos_ += 2;
      id = take_id_token();
      type = func_type_use(sc);
      expect_rparen();
    }
    if (pos_ != close) fail("unexpected token");
    expect_rparen();
    item.u8(0x00);
    item.u8(0x00);
    item.u32(core);
    item.raw(opts);
    item.u32(type);
    emit(sc, CDef::Canon, item);
    if (lift_type) return;  // the caller defines the func (with its inline exports)
    define(sc, CSort::Func, id);
    return;
  }
  (void)sugar;
  if (op == "lower") {
    uint32_t f = item_ref(sc, CSort::Func, false);
    item.u8(0x01);
    item.u8(0x00);
    item.u32(f);
    canon_opts(sc, item);
    return define_core_func();
  }
  // The other built-ins: their opcode and the shape of their immediates (Binary.md).
  enum Shape { None, Type, TypeOpts, TypeAsync, Opts, Async, Cancel, CancelMemory, Context, TaskReturn,
               NewIndirect, SpawnRef, SpawnIndirect, Shared };
  struct Builtin {
    std::string_view name;
    uint8_t code;
    Shape shape;
  };
  static constexpr Builtin kBuiltins[] = {
      {"resource.new", 0x02, Type}, {"resource.drop", 0x03, Type}, {"resource.rep", 0x04, Type},
      {"backpressure.inc", 0x24, None}, {"backpressure.dec", 0x25, None},
      {"task.return", 0x09, TaskReturn}, {"task.cancel", 0x05, None},
      {"context.get", 0x0a, Context}, {"context.set", 0x0b, Context},
      {"subtask.cancel", 0x06, Async}, {"subtask.drop", 0x0d, None},
      {"stream.new", 0x0e, Type}, {"stream.read", 0x0f, TypeOpts}, {"stream.write", 0x10, TypeOpts},
      {"stream.cancel-read", 0x11, TypeAsync}, {"stream.cancel-write", 0x12, TypeAsync},
      {"stream.drop-readable", 0x13, Type}, {"stream.drop-writable", 0x14, Type},
      {"future.new", 0x15, Type}, {"future.read", 0x16, TypeOpts}, {"future.write", 0x17, TypeOpts},
      {"future.cancel-read", 0x18, TypeAsync}, {"future.cancel-write", 0x19, TypeAsync},
      {"future.drop-readable", 0x1a, Type}, {"future.drop-writable", 0x1b, Type},
      {"error-context.new", 0x1c, Opts}, {"error-context.debug-message", 0x1d, Opts},
      {"error-context.drop", 0x1e, None},
      {"waitable-set.new", 0x1f, None}, {"waitable-set.wait", 0x20, CancelMemory},
      {"waitable-set.poll", 0x21, CancelMemory}, {"waitable-set.drop", 0x22, None},
      {"waitable.join", 0x23, None},
      {"thread.index", 0x26, None}, {"thread.new-indirect", 0x27, NewIndirect},
      {"thread.resume-later", 0x28, None}, {"thread.suspend", 0x29, Cancel}, {"thread.yield", 0x0c, Cancel},
      {"thread.suspend-then-resume", 0x2a, Cancel}, {"thread.yield-then-resume", 0x2b, Cancel},
      {"thread.suspend-then-promote", 0x2c, Cancel}, {"thread.yield-then-promote", 0x2d, Cancel},
      {"thread.spawn-ref", 0x40, SpawnRef}, {"thread.spawn-indirect", 0x41, SpawnIndirect},
      {"thread.available-parallelism", 0x42, Shared},
  };
  const Builtin* b = nullptr;
  for (const Builtin& x : kBuiltins)
    if (x.name == op) b = &x;
  if (!b) fail_at(pos_ - 1, "unknown canon built-in `" + std::string(op) + "`");
  item.u8(b->code);
  auto type_index = [&] {
    item.u32(kind() == Tok::LParen ? item_ref(sc, CSort::Type, false) : index(sc, CSort::Type));
  };
  auto flag = [&](std::string_view kw) {
    bool on = is_kw(kw);
    if (on) ++pos_;
    item.u8(on ? 0x01 : 0x00);
  };
  auto core_type_index = [&] {
    item.u32(kind() == Tok::LParen ? item_ref(sc, CSort::CoreType, false) : index(sc, CSort::CoreType));
  };
  switch (b->shape) {
    case None: break;
    case Type: type_index(); break;
    case TypeOpts: type_index(); canon_opts(sc, item); break;
    case TypeAsync: type_index(); flag("async"); break;
    case Opts: canon_opts(sc, item); break;
    case Async: flag("async"); break;
    case Cancel: flag("cancellable"); break;
    case CancelMemory: {
      flag("cancellable");
      if (!at_form("memory")) fail("unexpected token, expected `(memory ...)`");
      pos_ += 2;
      item.u32(index_or_ref(sc, CSort::CoreMemory));
      expect_rparen();
      break;
    }
    case Context: {
      if (!is_kw("i32") && !is_kw("i64")) fail("unexpected token, expected a core value type");
      item.u8(is_kw("i32") ? 0x7f : 0x7e);
      ++pos_;
      item.u32(take_u32());
      break;
    }
    case TaskReturn: {
      if (at_form("result")) {
        pos_ += 2;
        item.u8(0x00);
        valtype(sc, item);
        expect_rparen();
      } else {
        item.u8(0x01);
        item.u8(0x00);
      }
      canon_opts(sc, item);
      break;
    }
    case NewIndirect:
      core_type_index();
      item.u32(index_or_ref(sc, CSort::CoreTable));
      break;
    case SpawnRef: flag("shared"); core_type_index(); break;
    case SpawnIndirect:
      flag("shared");
      core_type_index();
      item.u32(index_or_ref(sc, CSort::CoreTable));
      break;
    case Shared: flag("shared"); break;
  }
  define_core_func();
}

void ComponentParser::start(CScope& sc) {
  uint32_t close = lx_.tokens[pos_].match;
  pos_ += 2;
  Bytes item;
  item.u32(index(sc, CSort::Func));
  Bytes args;
  uint32_t n = 0;
  while (at_form("value")) {
    pos_ += 2;
    args.u32(index(sc, CSort::Value));
    expect_rparen();
    ++n;
  }
  item.u32(n);
  item.raw(args);
  std::vector<std::optional<uint32_t>> results;
  while (at_form("result")) {
    pos_ += 2;
    expect_lparen();
    expect_kw("value");
    results.push_back(take_id_token());
    expect_rparen();
    expect_rparen();
  }
  item.u32(uint32_t(results.size()));
  if (pos_ != close) fail("unexpected token");
  expect_rparen();
  emit(sc, CDef::Start, item);
  for (auto& r : results) define(sc, CSort::Value, r);
}

// "name" (implements "i")? (versionsuffix "v")? (external-id "x")?
void ComponentParser::name_attributes(Bytes& out) {
  std::string name = take_name();
  Bytes attrs;
  uint32_t n = 0;
  while (kind() == Tok::LParen && kind(1) == Tok::Keyword) {
    std::string_view kw = text(1);
    uint8_t code;
    if (kw == "implements") code = 0x00;
    else if (kw == "versionsuffix") code = 0x01;
    else if (kw == "external-id") code = 0x02;
    else if (kw == "interface") {
      // The older `(interface "ns:pkg/iface")` spelling of an interface name.
      pos_ += 2;
      name = take_name();
      expect_rparen();
      continue;
    } else break;
    pos_ += 2;
    attrs.u8(code);
    attrs.name(take_name());
    expect_rparen();
    ++n;
  }
  out.u8(n ? 0x02 : 0x00);
  out.name(name);
  if (n) {
    out.u32(n);
    out.raw(attrs);
  }
}

// (import "name" attrs externdesc), and in a type (export "name" attrs externdesc).
void ComponentParser::extern_decl(CScope& sc, CDef def) {
  uint32_t close = lx_.tokens[pos_].match;
  pos_ += 2;
  Bytes item;
  name_attributes(item);
  std::optional<uint32_t> id;
  CSort sort = extern_desc(sc, item, id);
  if (pos_ != close) fail("unexpected token");
  expect_rparen();
  emit(sc, def, item);
  define(sc, sort, id);
}

bool ComponentParser::inline_import(Bytes& item) {
  if (!at_form("import")) return false;
  pos_ += 2;
  name_attributes(item);
  expect_rparen();
  return true;
}

// (export $id? "name" attrs (sort idx) externdesc?)
void ComponentParser::export_def(CScope& sc) {
  if (sc.kind != CScope::Kind::Component) return decl(sc);
  uint32_t close = lx_.tokens[pos_].match;
  pos_ += 2;
  std::optional<uint32_t> id = take_id_token();
  Bytes item;
  name_attributes(item);
  CSort sort;
  uint32_t idx = item_ref(sc, CSort::Func, false, &sort);
  write_sort(item, sort);
  item.u32(idx);
  if (pos_ < close) {
    item.u8(0x01);
    std::optional<uint32_t> ascribed_id;
    CSort s = extern_desc(sc, item, ascribed_id);
    if (s != sort) fail("export type does not match the exported sort");
  } else {
    item.u8(0x00);
  }
  if (pos_ != close) fail("unexpected token");
  expect_rparen();
  emit(sc, CDef::Export, item);
  define(sc, sort, id);
}

ComponentParser::DefHead ComponentParser::def_head(uint32_t keywords) {
  DefHead h;
  h.close = lx_.tokens[pos_].match;
  pos_ += 1 + keywords;
  h.id = take_id_token();
  h.exports = inline_exports();
  return h;
}

void ComponentParser::def_tail(CScope& sc, const DefHead& h, CSort sort, uint32_t idx) {
  if (pos_ != h.close) fail("unexpected token");
  expect_rparen();
  write_inline_exports(sc, h.exports, sort, idx);
}

std::vector<std::pair<uint32_t, uint32_t>> ComponentParser::inline_exports() {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  // An inline export holds only a name and its attributes; inside a nested component or an
  // instance an export field also says what it exports.
  auto inline_export_at = [&]() {
    if (!at_form("export") || kind(2) != Tok::String) return false;
    uint32_t close = lx_.tokens[pos_].match, p = pos_ + 3;
    while (p < close && lx_.tokens[p].kind == Tok::LParen && lx_.tokens[p + 1].kind == Tok::Keyword) {
      std::string_view kw = lx_.text(p + 1);
      if (kw != "implements" && kw != "versionsuffix" && kw != "external-id") return false;
      p = lx_.tokens[p].match + 1;
    }
    return p == close;
  };
  while (inline_export_at()) {
    uint32_t open = pos_;
    out.emplace_back(pos_ + 2, open);
    pos_ = lx_.tokens[pos_].match + 1;
  }
  return out;
}

void ComponentParser::write_inline_exports(CScope& sc, const std::vector<std::pair<uint32_t, uint32_t>>& ex,
                                           CSort sort, uint32_t idx) {
  if (ex.empty()) return;
  if (sc.kind != CScope::Kind::Component) fail_at(ex[0].second, "inline export in a type");
  uint32_t save = pos_;
  for (auto [at, open] : ex) {
    pos_ = at;
    Bytes item;
    name_attributes(item);
    if (pos_ != lx_.tokens[open].match) fail("unexpected token");
    write_sort(item, sort);
    item.u32(idx);
    item.u8(0x00);
    emit(sc, CDef::Export, item);
    ++sc.counts[size_t(sort)];
  }
  pos_ = save;
}

// (func $id? (export "n")* ( (import "n") typeuse | typeuse (canon lift ...) | (alias ...) ))
void ComponentParser::func(CScope& sc) {
  if (sc.kind != CScope::Kind::Component) fail("unexpected func in a type");
  DefHead h = def_head(1);
  std::optional<uint32_t> id = h.id;
  uint32_t idx;
  Bytes item;
  if (inline_import(item)) {
    item.u8(0x01);
    item.u32(func_type_use(sc));
    emit(sc, CDef::Import, item);
    idx = define(sc, CSort::Func, id);
  } else if (at_form("alias")) {
    alias(sc, CSort::Func, id);
    idx = sc.counts[size_t(CSort::Func)] - 1;
  } else {
    uint32_t type = func_type_use(sc);
    if (!at_form("canon")) fail("unexpected token, expected `(canon lift ...)`");
    canon(sc, std::nullopt, type);
    idx = define(sc, CSort::Func, id);
  }
  def_tail(sc, h, CSort::Func, idx);
}

void ComponentParser::value_def(CScope&) {
  fail("value definitions are not supported");
}

// ---- entry points -------------------------------------------------------------------------

TextResult<std::vector<uint8_t>> component_form(const Lexed& lx, uint32_t open, const WatOptions& options,
                                                std::optional<std::string>* id) {
  uint32_t close = lx.tokens[open].match;
  uint32_t p = open + 2;  // after "component"
  if (lx.tokens[p].kind == Tok::Keyword && lx.text(p) == "definition") ++p;
  std::string_view scope_id;
  if (lx.tokens[p].kind == Tok::Id) {
    if (id) *id = std::string(lx.text(p));
    scope_id = lx.text(p).substr(1);
    ++p;
  }
  if (auto form = binary_or_quote_form(
          lx, open, p, close, [&](std::string_view t) { return component_wat_to_wasm(t, options); }))
    return std::move(*form);
  try {
    std::vector<uint8_t> bytes = ComponentParser(lx, options).component(p, close, scope_id);
    if (lx.stray_token < close) return std::unexpected(lx.stray_error);
    return bytes;
  } catch (const ParseError& e) {
    return std::unexpected(error_at(lx, e.token, e.message));
  } catch (const std::bad_alloc&) {
    return std::unexpected(error_at(lx, open, "out of memory"));
  }
}

TextResult<std::vector<uint8_t>> component_wat_to_wasm(std::string_view source, const WatOptions& options) {
  auto lexed = lex(source);
  if (!lexed) return std::unexpected(lexed.error());
  const Lexed& lx = *lexed;
  if (lx.tokens.size() < 3 || lx.tokens[0].kind != Tok::LParen || lx.tokens[1].kind != Tok::Keyword ||
      lx.text(1) != "component")
    return std::unexpected(error_at(lx, 0, "expected `(component ...)`"));
  if (lx.tokens[lx.tokens[0].match + 1].kind != Tok::Eof)
    return std::unexpected(error_at(lx, lx.tokens[0].match + 1, "unexpected token after the component"));
  return component_form(lx, 0, options, nullptr);
}

}  // namespace wsvm::text
