// The module fields (pass 3 of module_parser.hpp) and the assembly of the binary.
// Spec: https://webassembly.github.io/spec/core/text/modules.html (Wasm 3.0)
#include <algorithm>

#include "text/module_parser.hpp"

namespace wsvm::text {

namespace {
constexpr uint8_t kKindFunc = 0, kKindTable = 1, kKindMem = 2, kKindGlobal = 3, kKindTag = 4;
constexpr ValT kFuncRef{0x70, 0};

// `ref.func x end` and nothing else.
bool is_ref_func_expr(const Bytes& e) {
  if (e.v.size() < 3 || e.v[0] != 0xD2) return false;
  size_t i = 1;
  while (i < e.v.size() && (e.v[i] & 0x80)) ++i;
  return i + 2 == e.v.size() && e.v[i + 1] == 0x0B;
}
}  // namespace

void ModuleParser::fields() {
  for (pos_ = begin_; pos_ < end_;) {
    uint32_t field = pos_;
    if (kind() != Tok::LParen) fail("unexpected token");
    std::string_view kw = lx_.text(field + 1);
    if (kw == "type" || kw == "rec") pos_ = lx_.tokens[field].match;
    else if (kw == "func") field_func();
    else if (kw == "table") field_table();
    else if (kw == "memory") field_memory();
    else if (kw == "global") field_global();
    else if (kw == "tag") field_tag();
    else if (kw == "import") field_import();
    else if (kw == "export") field_export();
    else if (kw == "start") field_start();
    else if (kw == "elem") field_elem();
    else if (kw == "data") field_data();
    else fail_at(field + 1, "unexpected token");
    if (pos_ != lx_.tokens[field].match) fail("unexpected token");
    ++pos_;
  }
}

std::optional<std::string> ModuleParser::name_annotation(uint32_t from, uint32_t to) {
  auto it = std::lower_bound(lx_.names.begin(), lx_.names.end(), from,
                             [](const NameAnnotation& a, uint32_t t) { return a.token < t; });
  if (it == lx_.names.end() || it->token > to) return std::nullopt;
  return decode_string(lx_.source.substr(it->offset, it->length));
}

void ModuleParser::inline_exports(uint8_t kind, uint32_t index) {
  while (at_form("export")) {
    pos_ += 2;
    export_sec_.name(take_name());
    export_sec_.u8(kind);
    export_sec_.u32(index);
    ++n_exports_;
    expect_rparen();
  }
}

bool ModuleParser::inline_import(std::string& module, std::string& name) {
  if (!at_form("import")) return false;
  pos_ += 2;
  module = take_name();
  name = take_name();
  expect_rparen();
  return true;
}

void ModuleParser::field_func() {
  uint32_t kw = pos_ + 1;
  pos_ += 2;
  std::optional<std::string_view> id = take_id();
  uint32_t index = next_func_++;
  if (options_.names) {
    std::optional<std::string> n = name_annotation(kw + 1, pos_);
    if (n) func_names_.emplace_back(index, std::move(*n));
    else if (id) func_names_.emplace_back(index, std::string(*id));
  }
  inline_exports(kKindFunc, index);
  std::string module, name;
  if (inline_import(module, name)) {
    std::vector<std::string_view> unused_names;
    uint32_t type = type_use(&unused_names);
    import_sec_.name(module);
    import_sec_.name(name);
    import_sec_.u8(kKindFunc);
    import_sec_.u32(type);
    ++n_imports_;
    return;
  }
  std::vector<std::string_view> params;
  uint32_t param_count = 0;
  uint32_t type = type_use(&params, &param_count);
  func_sec_.u32(type);
  ++n_funcs_;
  func_body(index, type, params, param_count);
}

void ModuleParser::func_body(uint32_t func_index, uint32_t /*type_index*/,
                             std::vector<std::string_view>& params, uint32_t param_count) {
  locals_.clear();
  for (uint32_t i = 0; i < params.size(); ++i)
    if (!params[i].empty()) locals_.emplace(params[i], i);
  uint32_t next = param_count;
  std::vector<ValT> locals;
  while (at_form("local")) {
    pos_ += 2;
    if (kind() == Tok::Id) {
      uint32_t at = pos_;
      std::string_view n = *take_id();
      if (!locals_.emplace(n, next).second) fail_at(at, "duplicate local " + std::string(lx_.text(at)));
      locals.push_back(valtype());
      ++next;
    } else {
      while (kind() != Tok::RParen) {
        locals.push_back(valtype());
        ++next;
      }
    }
    expect_rparen();
  }
  if (options_.names && !locals_.empty()) {
    std::vector<std::pair<uint32_t, std::string_view>> named;
    for (const auto& [name, index] : locals_) named.emplace_back(index, name);
    std::sort(named.begin(), named.end());
    local_names_.emplace_back(func_index, std::move(named));
  }
  body_.clear();
  // Runs of equal types, as wat2wasm writes them.
  uint32_t runs = 0;
  for (size_t i = 0; i < locals.size(); ++i)
    if (i == 0 || !(locals[i] == locals[i - 1])) ++runs;
  body_.u32(runs);
  for (size_t i = 0; i < locals.size();) {
    size_t j = i;
    while (j < locals.size() && locals[j] == locals[i]) ++j;
    body_.u32(static_cast<uint32_t>(j - i));
    write_valtype(body_, locals[i]);
    i = j;
  }
  labels_.clear();
  instrs(body_);
  if (kind() != Tok::RParen) fail("unexpected token");
  body_.u8(0x0B);
  code_sec_.sized(body_);
  ++n_codes_;
}

void ModuleParser::field_table() {
  pos_ += 2;
  take_id();
  uint32_t index = next_table_++;
  inline_exports(kKindTable, index);
  std::string module, name;
  bool is64 = false;
  if (inline_import(module, name)) {
    import_sec_.name(module);
    import_sec_.name(name);
    import_sec_.u8(kKindTable);
    table_type(import_sec_, is64);
    ++n_imports_;
    return;
  }
  uint32_t after_exports = pos_;
  if (is_kw("i64") || is_kw("i32")) {
    is64 = text() == "i64";
    ++pos_;
  }
  if (at_valtype()) {
    // (table i64? reftype (elem ...)): the table's size is the segment's.
    ValT type = reftype();
    if (!at_form("elem")) fail("unexpected token");
    pos_ += 2;
    Bytes items;
    bool func_indices;
    uint32_t count = 0;
    if (kind() == Tok::LParen) {
      std::vector<Bytes> exprs;
      while (kind() == Tok::LParen) {
        exprs.emplace_back();
        elem_expr(exprs.back());
      }
      count = static_cast<uint32_t>(exprs.size());
      func_indices = false;
      for (Bytes& e : exprs) items.raw(e);
    } else {
      // Function indices; for a table of another type than funcref ((ref null $t)) the
      // segment needs the expression form, each item `ref.func i end`.
      func_indices = type == kFuncRef;
      while (at_index()) {
        const uint32_t f = take_index(kFunc);
        if (!func_indices) items.u8(0xD2);
        items.u32(f);
        if (!func_indices) items.u8(0x0B);
        ++count;
      }
    }
    expect_rparen();
    write_valtype(table_sec_, type);
    table_sec_.u8(is64 ? 5 : 1);
    table_sec_.u32(count);
    table_sec_.u32(count);
    ++n_tables_;
    Bytes offset;
    offset.u8(is64 ? 0x42 : 0x41);
    offset.u8(0);
    offset.u8(0x0B);
    write_elem(0, index, offset, items, type, func_indices, count);
    return;
  }
  pos_ = after_exports;
  Bytes tt;
  table_type(tt, is64);
  if (kind() != Tok::RParen) {  // an initializer expression (typed function references)
    table_sec_.u8(0x40);
    table_sec_.u8(0x00);
    table_sec_.raw(tt);
    const_expr(table_sec_);
  } else {
    table_sec_.raw(tt);
  }
  ++n_tables_;
}

void ModuleParser::field_memory() {
  pos_ += 2;
  take_id();
  uint32_t index = next_mem_++;
  inline_exports(kKindMem, index);
  std::string module, name;
  if (inline_import(module, name)) {
    import_sec_.name(module);
    import_sec_.name(name);
    import_sec_.u8(kKindMem);
    mem_type(import_sec_);
    ++n_imports_;
    return;
  }
  uint32_t after_exports = pos_;
  bool is64 = false;
  if (is_kw("i64") || is_kw("i32")) {
    is64 = text() == "i64";
    ++pos_;
  }
  if (at_form("data")) {
    pos_ += 2;
    std::string bytes;
    while (kind() == Tok::String) bytes += take_string();
    expect_rparen();
    uint64_t pages = (bytes.size() + 65535) / 65536;
    mem_sec_.u8(is64 ? 5 : 1);
    mem_sec_.u64(pages);
    mem_sec_.u64(pages);
    ++n_mems_;
    Bytes offset;
    offset.u8(is64 ? 0x42 : 0x41);
    offset.u8(0);
    offset.u8(0x0B);
    write_data(0, index, offset, bytes);
    return;
  }
  pos_ = after_exports;
  mem_type(mem_sec_);
  ++n_mems_;
}

void ModuleParser::field_global() {
  pos_ += 2;
  take_id();
  uint32_t index = next_global_++;
  inline_exports(kKindGlobal, index);
  std::string module, name;
  if (inline_import(module, name)) {
    import_sec_.name(module);
    import_sec_.name(name);
    import_sec_.u8(kKindGlobal);
    global_type(import_sec_);
    ++n_imports_;
    return;
  }
  global_type(global_sec_);
  const_expr(global_sec_);
  ++n_globals_;
}

void ModuleParser::field_tag() {
  pos_ += 2;
  take_id();
  uint32_t index = next_tag_++;
  inline_exports(kKindTag, index);
  std::string module, name;
  bool imported = inline_import(module, name);
  std::vector<std::string_view> names;
  uint32_t type = type_use(&names);
  Bytes& out = imported ? import_sec_ : tag_sec_;
  if (imported) {
    out.name(module);
    out.name(name);
    out.u8(kKindTag);
    ++n_imports_;
  } else {
    ++n_tags_;
  }
  out.u8(0x00);  // attribute: exception
  out.u32(type);
}

void ModuleParser::field_import() {
  pos_ += 2;
  std::string module = take_name();
  std::string name = take_name();
  expect_lparen();
  uint32_t kw = pos_;
  std::string_view k = take_keyword();
  std::optional<std::string_view> id = take_id();
  import_sec_.name(module);
  import_sec_.name(name);
  if (k == "func") {
    uint32_t index = next_func_++;
    if (options_.names) {
      std::optional<std::string> n = name_annotation(kw + 1, pos_);
      if (n) func_names_.emplace_back(index, std::move(*n));
      else if (id) func_names_.emplace_back(index, std::string(*id));
    }
    std::vector<std::string_view> names;
    import_sec_.u8(kKindFunc);
    import_sec_.u32(type_use(&names));
  } else if (k == "table") {
    ++next_table_;
    bool is64;
    import_sec_.u8(kKindTable);
    table_type(import_sec_, is64);
  } else if (k == "memory") {
    ++next_mem_;
    import_sec_.u8(kKindMem);
    mem_type(import_sec_);
  } else if (k == "global") {
    ++next_global_;
    import_sec_.u8(kKindGlobal);
    global_type(import_sec_);
  } else if (k == "tag") {
    ++next_tag_;
    std::vector<std::string_view> names;
    import_sec_.u8(kKindTag);
    import_sec_.u8(0x00);
    import_sec_.u32(type_use(&names));
  } else {
    fail_at(kw, "unexpected token");
  }
  ++n_imports_;
  expect_rparen();
}

void ModuleParser::field_export() {
  pos_ += 2;
  std::string name = take_name();
  expect_lparen();
  std::string_view k = take_keyword();
  uint8_t kind_byte;
  Space space;
  if (k == "func") kind_byte = kKindFunc, space = kFunc;
  else if (k == "table") kind_byte = kKindTable, space = kTable;
  else if (k == "memory") kind_byte = kKindMem, space = kMem;
  else if (k == "global") kind_byte = kKindGlobal, space = kGlobal;
  else if (k == "tag") kind_byte = kKindTag, space = kTag;
  else fail_at(pos_ - 1, "unexpected token");
  uint32_t index = take_index(space);
  expect_rparen();
  export_sec_.name(name);
  export_sec_.u8(kind_byte);
  export_sec_.u32(index);
  ++n_exports_;
}

void ModuleParser::field_start() {
  uint32_t field = pos_;
  pos_ += 2;
  uint32_t f = take_index(kFunc);
  if (start_) fail_at(field, "multiple start sections");
  start_ = f;
}

// elemlist := reftype elemexpr* | func funcidx* | funcidx* (the last only after an offset)
void ModuleParser::elem_list(Bytes& items, ValT& type, bool& func_indices, uint32_t& count,
                             bool allow_bare) {
  count = 0;
  if (is_kw("func")) {
    ++pos_;
    type = kFuncRef;
    func_indices = true;
    while (at_index()) {
      items.u32(take_index(kFunc));
      ++count;
    }
    return;
  }
  if (at_valtype()) {
    type = reftype();
    // wat2wasm writes function indices when every item is a plain ref.func of a funcref
    // segment; the expressions otherwise.
    std::vector<Bytes> exprs;
    while (kind() == Tok::LParen) {
      exprs.emplace_back();
      elem_expr(exprs.back());
    }
    count = static_cast<uint32_t>(exprs.size());
    func_indices = type == kFuncRef;
    for (const Bytes& e : exprs)
      if (!is_ref_func_expr(e)) func_indices = false;
    for (const Bytes& e : exprs) {
      if (func_indices)
        items.raw(e.v.data() + 1, e.v.size() - 2);
      else
        items.raw(e);
    }
    return;
  }
  if (!allow_bare && at_index()) fail("unexpected token");
  type = kFuncRef;
  func_indices = true;
  while (at_index()) {
    items.u32(take_index(kFunc));
    ++count;
  }
}

void ModuleParser::field_elem() {
  pos_ += 2;
  take_id();
  ++next_elem_;
  Bytes items;
  ValT type = kFuncRef;
  bool func_indices = true;
  uint32_t count = 0;
  if (is_kw("declare")) {
    ++pos_;
    elem_list(items, type, func_indices, count, false);
    write_elem(2, 0, {}, items, type, func_indices, count);
    return;
  }
  bool active = at_form("table") || at_form("offset") || kind() == Tok::Number ||
                (kind() == Tok::LParen && !at_form("ref"));
  if (!active) {
    elem_list(items, type, func_indices, count, false);
    write_elem(1, 0, {}, items, type, func_indices, count);
    return;
  }
  uint32_t table = 0;
  if (at_form("table")) {
    pos_ += 2;
    table = take_index(kTable);
    expect_rparen();
  } else if (kind() == Tok::Number) {
    table = take_u32();  // the 1.0 form: (elem 0 (offset ...) ...)
  }
  Bytes offset;
  if (at_form("offset")) {
    pos_ += 2;
    const_expr(offset);
    expect_rparen();
  } else {
    labels_.clear();
    if (kind() != Tok::LParen) fail("unexpected token");
    folded(offset);
    offset.u8(0x0B);
  }
  elem_list(items, type, func_indices, count, true);
  write_elem(0, table, offset, items, type, func_indices, count);
}

// mode: 0 active, 1 passive, 2 declarative.
void ModuleParser::write_elem(uint8_t mode, uint32_t table, const Bytes& offset, const Bytes& items,
                              ValT type, bool func_indices, uint32_t count) {
  ++n_elems_;
  if (mode == 0) {
    bool explicit_table = table != 0 || !(type == kFuncRef);
    uint8_t flags = static_cast<uint8_t>((func_indices ? 0 : 4) | (explicit_table ? 2 : 0));
    elem_sec_.u32(flags);
    if (explicit_table) elem_sec_.u32(table);
    elem_sec_.raw(offset);
    if (explicit_table) {
      if (func_indices) elem_sec_.u8(0x00);
      else write_valtype(elem_sec_, type);
    }
  } else {
    uint8_t flags = static_cast<uint8_t>((func_indices ? 0 : 4) | (mode == 1 ? 1 : 3));
    elem_sec_.u32(flags);
    if (func_indices) elem_sec_.u8(0x00);
    else write_valtype(elem_sec_, type);
  }
  elem_sec_.u32(count);
  elem_sec_.raw(items);
}

void ModuleParser::field_data() {
  pos_ += 2;
  take_id();
  ++next_data_;
  uint32_t mem = 0;
  bool active = false;
  if (at_form("memory")) {
    pos_ += 2;
    mem = take_index(kMem);
    expect_rparen();
    active = true;
  } else if (kind() == Tok::Number) {
    mem = take_u32();  // the 1.0 form: (data 0 (offset ...) ...)
    active = true;
  }
  Bytes offset;
  if (at_form("offset")) {
    pos_ += 2;
    const_expr(offset);
    expect_rparen();
    active = true;
  } else if (kind() == Tok::LParen) {
    labels_.clear();
    folded(offset);
    offset.u8(0x0B);
    active = true;
  } else if (active) {
    fail("unexpected token");
  }
  std::string bytes;
  while (kind() == Tok::String) bytes += take_string();
  write_data(active ? 0 : 1, mem, offset, bytes);
}

void ModuleParser::write_data(uint8_t mode, uint32_t mem, const Bytes& offset, std::string_view bytes) {
  ++n_datas_;
  if (mode == 1) {
    data_sec_.u8(0x01);
  } else if (mem == 0) {
    data_sec_.u8(0x00);
    data_sec_.raw(offset);
  } else {
    data_sec_.u8(0x02);
    data_sec_.u32(mem);
    data_sec_.raw(offset);
  }
  data_sec_.name(bytes);
}

void ModuleParser::name_section(Bytes& out) {
  if (!options_.names || (func_names_.empty() && local_names_.empty())) return;
  Bytes content;
  content.name("name");
  Bytes sub;
  if (!func_names_.empty()) {
    std::stable_sort(func_names_.begin(), func_names_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    sub.u32(static_cast<uint32_t>(func_names_.size()));
    for (const auto& [index, name] : func_names_) {
      sub.u32(index);
      sub.name(name);
    }
    content.u8(1);  // function names
    content.sized(sub);
  }
  if (!local_names_.empty()) {
    // Functions are parsed in index order, so local_names_ is sorted already.
    sub.clear();
    sub.u32(static_cast<uint32_t>(local_names_.size()));
    for (const auto& [func, locals] : local_names_) {
      sub.u32(func);
      sub.u32(static_cast<uint32_t>(locals.size()));
      for (const auto& [index, name] : locals) {
        sub.u32(index);
        sub.name(name);
      }
    }
    content.u8(2);  // local names
    content.sized(sub);
  }
  out.u8(0);
  out.sized(content);
}

// The binary order of the sections that a `(@custom ... (before|after SECTION))` may name.
static constexpr std::string_view kSectionOrder[] = {
    "type", "import", "func", "table", "memory", "tag", "global", "export", "start",
    "elem", "datacount", "code", "data"};
static constexpr uint32_t kSectionSlots = 2 * std::size(kSectionOrder);

// Where a custom annotation goes: slot 2*i is before section i of kSectionOrder, 2*i+1 after.
static uint32_t custom_slot(const CustomAnnotation& c) {
  if (c.section == "first") return 0;
  if (c.section == "last") return kSectionSlots - 1;
  uint32_t i = 0;
  while (kSectionOrder[i] != c.section) ++i;  // the lexer accepted only these words
  return 2 * i + (c.after ? 1 : 0);
}

std::vector<uint8_t> ModuleParser::assemble() {
  Bytes out;
  static constexpr uint8_t kHeader[] = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  out.raw(kHeader, sizeof kHeader);
  Bytes content;
  // This module's (@custom) annotations at field level (elsewhere they are ignored, like
  // unknown annotations), by slot, in text order.
  std::vector<const CustomAnnotation*> customs[kSectionSlots];
  for (const CustomAnnotation& c : lx_.customs) {
    if (c.token < begin_ || c.token > end_) continue;
    if (c.token != end_ && !std::binary_search(field_starts_.begin(), field_starts_.end(), c.token)) continue;
    customs[custom_slot(c)].push_back(&c);
  }
  uint32_t next_slot = 0;
  auto customs_until = [&](uint32_t slot) {  // writes the custom sections of slots < `slot`
    for (; next_slot < slot; ++next_slot) {
      for (const CustomAnnotation* c : customs[next_slot]) {
        content.clear();
        content.name(c->name);
        content.raw(c->data.data(), c->data.size());
        out.u8(0);
        out.sized(content);
      }
    }
  };
  auto section = [&](uint8_t id, uint32_t count, const Bytes& body) {
    if (count == 0) return;
    content.clear();
    content.u32(count);
    content.raw(body);
    out.u8(id);
    out.sized(content);
  };
  // Each step: the customs before section i, the section, then (next step) those after it.
  uint32_t order = 0;
  auto at = [&](std::string_view name) {
    while (kSectionOrder[order] != name) ++order;
    customs_until(2 * order + 1);
  };
  at("type");
  section(1, type_entries_, type_sec_);
  at("import");
  section(2, n_imports_, import_sec_);
  at("func");
  section(3, n_funcs_, func_sec_);
  at("table");
  section(4, n_tables_, table_sec_);
  at("memory");
  section(5, n_mems_, mem_sec_);
  at("tag");
  section(13, n_tags_, tag_sec_);
  at("global");
  section(6, n_globals_, global_sec_);
  at("export");
  section(7, n_exports_, export_sec_);
  at("start");
  if (start_) {
    content.clear();
    content.u32(*start_);
    out.u8(8);
    out.sized(content);
  }
  at("elem");
  section(9, n_elems_, elem_sec_);
  at("datacount");
  if (uses_data_count_) {
    content.clear();
    content.u32(n_datas_);
    out.u8(12);
    out.sized(content);
  }
  at("code");
  section(10, n_codes_, code_sec_);
  at("data");
  section(11, n_datas_, data_sec_);
  customs_until(kSectionSlots);
  name_section(out);
  return std::move(out.v);
}

}  // namespace wsvm::text
