// The module parser's cursor, the declaration pass and the driver. See module_parser.hpp.
#include "text/module_parser.hpp"

#include "text/numbers.hpp"

namespace wsvm::text {

namespace {
const char* const kSpaceName[kSpaceCount] = {"type",   "function", "table",        "memory",
                                              "global", "tag",      "elem segment", "data segment"};
// The words of the spec's "duplicate func" / "import after function" messages.
const char* const kDuplicateWord[kSpaceCount] = {"type",   "func", "table", "memory",
                                                 "global", "tag",  "elem",  "data"};
const char* const kAfterWord[kSpaceCount] = {"type",   "function", "table", "memory",
                                             "global", "tag",      "elem",  "data"};
}  // namespace

ModuleParser::ModuleParser(const Lexed& lx, uint32_t begin, uint32_t end, const WatOptions& options)
    : lx_(lx), begin_(begin), end_(end), pos_(begin), options_(options) {}

std::vector<uint8_t> ModuleParser::parse() {
  declare();
  types();
  fields();
  return assemble();
}

// ---- cursor ----

void ModuleParser::fail_at(uint32_t token, std::string message) const {
  // A reserved token (an id character run that is no keyword, id or number, or one glued to a
  // string) is the spec's "unknown operator" wherever it stands.
  if (lx_.tokens[token].kind == Tok::Reserved && message == "unexpected token")
    message = lx_.text(token) == "$" ? "empty identifier" : "unknown operator";
  throw ParseError{token, std::move(message)};
}

void ModuleParser::expect_lparen() {
  if (kind() != Tok::LParen) fail("unexpected token");
  ++pos_;
}

void ModuleParser::expect_rparen() {
  if (kind() != Tok::RParen) fail("unexpected token");
  ++pos_;
}

void ModuleParser::expect_kw(std::string_view kw) {
  if (!is_kw(kw)) fail("unexpected token");
  ++pos_;
}

std::string_view ModuleParser::take_keyword() {
  if (kind() != Tok::Keyword) fail("unexpected token");
  return lx_.text(pos_++);
}

std::string ModuleParser::take_string() {
  if (kind() != Tok::String) fail("unexpected token");
  return decode_string(lx_.text(pos_++));
}

std::string ModuleParser::take_name() {
  uint32_t at = pos_;
  std::string s = take_string();
  if (!valid_utf8(s)) fail_at(at, "malformed UTF-8 encoding");
  return s;
}

std::string_view ModuleParser::id_key(uint32_t token) {
  std::string_view t = lx_.text(token);
  if (t.size() > 1 && t[1] == '"') {
    arena_.push_back(decode_string(t.substr(1)));
    return arena_.back();
  }
  return t.substr(1);
}

std::optional<std::string_view> ModuleParser::take_id() {
  if (kind() != Tok::Id) return std::nullopt;
  return id_key(pos_++);
}

uint64_t ModuleParser::take_nat(uint64_t max, const char* range_message) {
  if (kind() != Tok::Number) fail("unexpected token");
  std::string_view t = text();
  if (t[0] == '+' || t[0] == '-') fail("unexpected token");
  uint64_t v;
  switch (parse_nat(t, max, v)) {
    case NumStatus::Ok: break;
    case NumStatus::Syntax: fail("unknown operator");
    case NumStatus::OutOfRange: fail(range_message);
  }
  ++pos_;
  return v;
}

uint32_t ModuleParser::take_index(Space space) {
  if (kind() == Tok::Number) return take_u32();
  if (kind() != Tok::Id) fail("unexpected token");
  std::string_view key = id_key(pos_);
  auto it = names_[space].find(key);
  if (it == names_[space].end()) fail(std::string("unknown ") + kSpaceName[space] + " " + std::string(text()));
  ++pos_;
  return it->second;
}

// ---- declarations ----

void ModuleParser::declare() {
  for (pos_ = begin_; pos_ < end_;) {
    if (kind() != Tok::LParen) break;  // fields() reports it, after any earlier field's error
    if (kind(1) != Tok::Keyword) fail_at(pos_ + 1, "unexpected token");
    uint32_t field = pos_;
    field_starts_.push_back(field);
    declare_field(field);
    pos_ = lx_.tokens[field].match + 1;
  }
}

uint32_t ModuleParser::bind(Space space, uint32_t id_token, const char* /*what*/) {
  uint32_t index = counts_[space]++;
  if (lx_.tokens[id_token].kind == Tok::Id) {
    std::string_view key = id_key(id_token);
    if (!names_[space].emplace(key, index).second)
      fail_at(id_token, std::string("duplicate ") + kDuplicateWord[space] + " " +
                            std::string(lx_.text(id_token)));
  }
  return index;
}

void ModuleParser::check_import_order(Space space, bool is_import, uint32_t at) {
  if (is_import) {
    if (first_definition_) fail_at(at, std::string("import after ") + kAfterWord[*first_definition_]);
  } else if (!first_definition_) {
    first_definition_ = space;
  }
}

void ModuleParser::declare_field(uint32_t field) {
  std::string_view kw = lx_.text(field + 1);
  uint32_t id = field + 2;  // the token that may be the field's id
  auto scan_inline = [&](bool& is_import, bool& inline_segment, const char* segment_kw) {
    // After the id: (export ..)* (import ..)? and, for tables/memories, an inline segment.
    uint32_t p = lx_.tokens[id].kind == Tok::Id ? id + 1 : id;
    uint32_t close = lx_.tokens[field].match;
    for (; p < close; ++p) {
      const Token& t = lx_.tokens[p];
      if (t.kind != Tok::LParen) continue;
      std::string_view k = lx_.text(p + 1);
      if (k == "import") is_import = true;
      if (segment_kw && k == segment_kw) inline_segment = true;
      p = t.match;
    }
  };
  Space space;
  if (kw == "type") {
    bind(kType, id, "type");
    type_info_.emplace_back();
    return;
  }
  if (kw == "rec") {
    for (uint32_t p = field + 2; p < lx_.tokens[field].match; p = lx_.tokens[p].match + 1) {
      if (lx_.tokens[p].kind != Tok::LParen || lx_.text(p + 1) != "type") fail_at(p, "unexpected token");
      bind(kType, p + 2, "type");
      type_info_.emplace_back();
    }
    return;
  }
  if (kw == "func") space = kFunc;
  else if (kw == "table") space = kTable;
  else if (kw == "memory") space = kMem;
  else if (kw == "global") space = kGlobal;
  else if (kw == "tag") space = kTag;
  else if (kw == "import") {
    // (import "m" "n" (kind id? ...))
    uint32_t desc = field + 4;
    if (lx_.tokens[field + 2].kind != Tok::String || lx_.tokens[field + 3].kind != Tok::String)
      fail_at(field + 2, "unexpected token");
    if (lx_.tokens[desc].kind != Tok::LParen) fail_at(desc, "unexpected token");
    std::string_view dk = lx_.text(desc + 1);
    if (dk == "func") space = kFunc;
    else if (dk == "table") space = kTable;
    else if (dk == "memory") space = kMem;
    else if (dk == "global") space = kGlobal;
    else if (dk == "tag") space = kTag;
    else fail_at(desc + 1, "unexpected token");
    check_import_order(space, true, field);
    bind(space, desc + 2, kSpaceName[space]);
    if (space == kTable) table64_.push_back(lx_.text(desc + 2) == "i64" || lx_.text(desc + 3) == "i64");
    if (space == kMem) mem64_.push_back(lx_.text(desc + 2) == "i64" || lx_.text(desc + 3) == "i64");
    return;
  } else if (kw == "elem") {
    bind(kElem, id, "elem");
    return;
  } else if (kw == "data") {
    bind(kData, id, "data");
    return;
  } else if (kw == "export" || kw == "start") {
    return;
  } else {
    fail_at(field + 1, "unexpected token");
  }
  bool is_import = false, inline_segment = false;
  scan_inline(is_import, inline_segment,
              space == kTable ? "elem" : space == kMem ? "data" : nullptr);
  check_import_order(space, is_import, field);
  bind(space, id, kSpaceName[space]);
  if (space == kTable || space == kMem) {
    // The address type `i64` follows the id, exports and import.
    uint32_t p = lx_.tokens[id].kind == Tok::Id ? id + 1 : id;
    while (lx_.tokens[p].kind == Tok::LParen &&
           (lx_.text(p + 1) == "export" || lx_.text(p + 1) == "import"))
      p = lx_.tokens[p].match + 1;
    bool is64 = lx_.tokens[p].kind == Tok::Keyword && lx_.text(p) == "i64";
    (space == kTable ? table64_ : mem64_).push_back(is64);
  }
  if (inline_segment && !is_import) ++counts_[space == kTable ? kElem : kData];
}

}  // namespace wsvm::text
