// The script parser. See script.hpp.
#include "text/script.hpp"

#include <new>

#include "text/lexer.hpp"
#include "text/module_form.hpp"
#include "text/module_parser.hpp"
#include "text/numbers.hpp"
#include "text/stack_guard.hpp"

namespace wsvm::text {

uint32_t lane_count(Shape s) {
  switch (s) {
    case Shape::I8x16: return 16;
    case Shape::I16x8: return 8;
    case Shape::I32x4: case Shape::F32x4: return 4;
    case Shape::I64x2: case Shape::F64x2: return 2;
  }
  return 0;
}

const char* command_kind_name(CommandKind k) {
  switch (k) {
    case CommandKind::Module: return "module";
    case CommandKind::ModuleInstance: return "module instance";
    case CommandKind::Register: return "register";
    case CommandKind::Action: return "action";
    case CommandKind::AssertReturn: return "assert_return";
    case CommandKind::AssertTrap: return "assert_trap";
    case CommandKind::AssertExhaustion: return "assert_exhaustion";
    case CommandKind::AssertException: return "assert_exception";
    case CommandKind::AssertInvalid: return "assert_invalid";
    case CommandKind::AssertMalformed: return "assert_malformed";
    case CommandKind::AssertUnlinkable: return "assert_unlinkable";
    case CommandKind::AssertUninstantiable: return "assert_uninstantiable";
  }
  return "?";
}

namespace {

struct HeapName {
  std::string_view text;
  int64_t heap;  // the s33 value of the abstract heap type's byte
};
constexpr HeapName kHeaps[] = {
    {"func", 0x70 - 0x80}, {"extern", 0x6F - 0x80}, {"any", 0x6E - 0x80}, {"eq", 0x6D - 0x80},
    {"i31", 0x6C - 0x80},  {"struct", 0x6B - 0x80}, {"array", 0x6A - 0x80}, {"exn", 0x69 - 0x80},
    {"none", 0x71 - 0x80}, {"noextern", 0x72 - 0x80}, {"nofunc", 0x73 - 0x80},
    {"noexn", 0x74 - 0x80},
};

bool is_module_field(std::string_view k) {
  return k == "type" || k == "rec" || k == "func" || k == "table" || k == "memory" ||
         k == "global" || k == "tag" || k == "import" || k == "export" || k == "start" ||
         k == "elem" || k == "data";
}

class ScriptParser {
 public:
  ScriptParser(const Lexed& lx, const WatOptions& options) : lx_(lx), options_(options) {}

  Script run() {
    Script s;
    if (kind() == Tok::LParen && kind(1) == Tok::Keyword && is_module_field(text(1))) {
      // A script that is the bare fields of one module (inline-module.wast).
      Command c;
      c.line = line();
      c.kind = CommandKind::Module;
      c.module.emplace();
      c.module->binary = wat_to_wasm(lx_.source, options_);
      s.commands.push_back(std::move(c));
      return s;
    }
    while (kind() != Tok::Eof) s.commands.push_back(command());
    return s;
  }

 private:
  Tok kind(uint32_t ahead = 0) const { return lx_.tokens[pos_ + ahead].kind; }
  std::string_view text(uint32_t ahead = 0) const { return lx_.text(pos_ + ahead); }
  bool is_kw(std::string_view kw, uint32_t ahead = 0) const {
    return kind(ahead) == Tok::Keyword && text(ahead) == kw;
  }
  bool at_form(std::string_view kw) const { return kind() == Tok::LParen && is_kw(kw, 1); }
  [[noreturn]] void fail(std::string m) const { throw ParseError{pos_, std::move(m)}; }
  void expect_lparen() {
    if (kind() != Tok::LParen) fail("unexpected token");
    ++pos_;
  }
  void expect_rparen() {
    if (kind() != Tok::RParen) fail("unexpected token");
    ++pos_;
  }
  std::string take_string() {
    if (kind() != Tok::String) fail("unexpected token");
    return decode_string(lx_.text(pos_++));
  }
  std::optional<std::string> take_id() {
    if (kind() != Tok::Id) return std::nullopt;
    return std::string(lx_.text(pos_++));
  }
  // The line of the current token. Commands come in source order, so the count goes on from
  // the previous command's token (a count from the start each time was quadratic: 6 s for
  // the wasm-2.0 suite).
  uint32_t line() {
    const size_t offset = lx_.tokens[pos_].offset;
    if (offset < line_offset_) {
      line_offset_ = 0;
      line_ = 1;
    }
    for (; line_offset_ < offset; ++line_offset_) line_ += lx_.source[line_offset_] == '\n' ? 1 : 0;
    return line_;
  }

  Command command() {
    Command c;
    c.line = line();
    if (kind() != Tok::LParen || kind(1) != Tok::Keyword) fail("unexpected token");
    std::string_view kw = text(1);
    uint32_t close = lx_.tokens[pos_].match;
    if (kw == "module") {
      if (is_kw("instance", 2)) {
        pos_ += 3;
        c.kind = CommandKind::ModuleInstance;
        c.instance = take_id();
        c.module_ref = take_id();
        expect_rparen();
        return c;
      }
      c.kind = CommandKind::Module;
      c.module = module();
      return c;
    }
    if (kw == "register") {
      pos_ += 2;
      c.kind = CommandKind::Register;
      c.name = take_string();
      c.module_ref = take_id();
      expect_rparen();
      return c;
    }
    if (kw == "invoke" || kw == "get") {
      c.kind = CommandKind::Action;
      c.action = action();
      return c;
    }
    pos_ += 2;
    if (kw == "assert_return") {
      c.kind = CommandKind::AssertReturn;
      c.action = action();
      while (kind() == Tok::LParen) c.results.push_back(result());
    } else if (kw == "assert_trap") {
      c.kind = CommandKind::AssertTrap;
      if (at_form("module")) c.module = module();
      else c.action = action();
      c.message = take_string();
    } else if (kw == "assert_exhaustion") {
      c.kind = CommandKind::AssertExhaustion;
      c.action = action();
      c.message = take_string();
    } else if (kw == "assert_exception") {
      c.kind = CommandKind::AssertException;
      c.action = action();
    } else if (kw == "assert_invalid" || kw == "assert_malformed" || kw == "assert_unlinkable" ||
               kw == "assert_uninstantiable") {
      c.kind = kw == "assert_invalid"     ? CommandKind::AssertInvalid
               : kw == "assert_malformed" ? CommandKind::AssertMalformed
               : kw == "assert_unlinkable" ? CommandKind::AssertUnlinkable
                                           : CommandKind::AssertUninstantiable;
      c.module = module();
      c.message = take_string();
    } else {
      fail("unexpected token: unknown command " + std::string(kw));
    }
    if (pos_ != close) fail("unexpected token");
    ++pos_;
    return c;
  }

  ScriptModule module() {
    if (!at_form("module")) fail("unexpected token");
    uint32_t open = pos_;
    ScriptModule m;
    uint32_t p = open + 2;
    if (lx_.tokens[p].kind == Tok::Keyword && lx_.text(p) == "definition") {
      m.definition = true;
      ++p;
    }
    if (lx_.tokens[p].kind == Tok::Id) ++p;
    if (lx_.tokens[p].kind == Tok::Keyword && lx_.text(p) == "binary") m.form = ScriptModule::Form::Binary;
    if (lx_.tokens[p].kind == Tok::Keyword && lx_.text(p) == "quote") m.form = ScriptModule::Form::Quote;
    m.binary = module_form(lx_, open, options_, &m.id);
    pos_ = lx_.tokens[open].match + 1;
    return m;
  }

  Action action() {
    Action a;
    expect_lparen();
    if (is_kw("invoke")) a.kind = Action::Kind::Invoke;
    else if (is_kw("get")) a.kind = Action::Kind::Get;
    else fail("unexpected token");
    ++pos_;
    a.module = take_id();
    a.field = take_string();
    while (kind() == Tok::LParen) a.args.push_back(constant());
    expect_rparen();
    return a;
  }

  int64_t heap_type() {
    if (kind() == Tok::Keyword) {
      for (const HeapName& h : kHeaps) {
        if (h.text == text()) {
          ++pos_;
          return h.heap;
        }
      }
    }
    if (kind() == Tok::Number) {
      uint64_t v;
      if (parse_nat(text(), UINT32_MAX, v) == NumStatus::Ok) {
        ++pos_;
        return static_cast<int64_t>(v);
      }
    }
    fail("unexpected token");
  }

  uint64_t int_literal(unsigned bits) {
    if (kind() != Tok::Number && kind() != Tok::Reserved) fail("unexpected token");
    uint64_t v;
    switch (parse_int(text(), bits, v)) {
      case NumStatus::Ok: break;
      case NumStatus::Syntax: fail("unknown operator");
      case NumStatus::OutOfRange: fail("constant out of range");
    }
    ++pos_;
    return v;
  }

  // A float literal or (for results) nan:canonical / nan:arithmetic.
  LanePattern float_lane(bool is64, bool patterns) {
    LanePattern l;
    if (patterns && is_kw("nan:canonical")) {
      ++pos_;
      l.nan = NanKind::Canonical;
      return l;
    }
    if (patterns && is_kw("nan:arithmetic")) {
      ++pos_;
      l.nan = NanKind::Arithmetic;
      return l;
    }
    if (kind() != Tok::Number && kind() != Tok::Keyword && kind() != Tok::Reserved) fail("unexpected token");
    NumStatus st;
    if (is64) {
      st = parse_f64(text(), l.bits);
    } else {
      uint32_t b;
      st = parse_f32(text(), b);
      l.bits = b;
    }
    if (st == NumStatus::Syntax) fail("unknown operator");
    if (st == NumStatus::OutOfRange) fail("constant out of range");
    ++pos_;
    return l;
  }

  Shape shape() {
    if (kind() != Tok::Keyword) fail("unexpected token");
    std::string_view s = text();
    Shape r;
    if (s == "i8x16") r = Shape::I8x16;
    else if (s == "i16x8") r = Shape::I16x8;
    else if (s == "i32x4") r = Shape::I32x4;
    else if (s == "i64x2") r = Shape::I64x2;
    else if (s == "f32x4") r = Shape::F32x4;
    else if (s == "f64x2") r = Shape::F64x2;
    else fail("unexpected token");
    ++pos_;
    return r;
  }

  static unsigned lane_bits(Shape s) { return 128 / lane_count(s); }
  static bool is_float(Shape s) { return s == Shape::F32x4 || s == Shape::F64x2; }

  std::vector<LanePattern> v128_lanes(Shape s, bool patterns) {
    std::vector<LanePattern> lanes;
    for (uint32_t i = 0; i < lane_count(s); ++i) {
      if (is_float(s)) {
        lanes.push_back(float_lane(s == Shape::F64x2, patterns));
      } else {
        lanes.push_back(LanePattern{NanKind::None, int_literal(lane_bits(s))});
      }
    }
    return lanes;
  }

  static void pack(const std::vector<LanePattern>& lanes, Shape s, uint64_t& lo, uint64_t& hi) {
    unsigned bits = lane_bits(s);
    lo = hi = 0;
    for (size_t i = 0; i < lanes.size(); ++i) {
      uint64_t v = bits == 64 ? lanes[i].bits : (lanes[i].bits & ((uint64_t(1) << bits) - 1));
      size_t at = i * bits;
      if (at < 64) lo |= v << at;
      else hi |= v << (at - 64);
    }
  }

  Const constant() {
    expect_lparen();
    if (kind() != Tok::Keyword) fail("unexpected token");
    std::string_view op = text();
    ++pos_;
    Const c;
    if (op == "i32.const") {
      c.kind = Const::Kind::I32;
      c.bits = int_literal(32);
    } else if (op == "i64.const") {
      c.kind = Const::Kind::I64;
      c.bits = int_literal(64);
    } else if (op == "f32.const") {
      c.kind = Const::Kind::F32;
      c.bits = float_lane(false, false).bits;
    } else if (op == "f64.const") {
      c.kind = Const::Kind::F64;
      c.bits = float_lane(true, false).bits;
    } else if (op == "v128.const") {
      c.kind = Const::Kind::V128;
      Shape s = shape();
      pack(v128_lanes(s, false), s, c.bits, c.high);
    } else if (op == "ref.null") {
      c.kind = Const::Kind::RefNull;
      c.heap = heap_type();
    } else if (op == "ref.extern" || op == "ref.host") {
      c.kind = op == "ref.extern" ? Const::Kind::RefExtern : Const::Kind::RefHost;
      c.bits = int_literal(32);
    } else {
      fail("unknown operator " + std::string(op));
    }
    expect_rparen();
    return c;
  }

  ResultPattern result() {
    if (!stack_left(stack_floor_)) fail("nesting too deep");
    expect_lparen();
    if (kind() != Tok::Keyword) fail("unexpected token");
    std::string_view op = text();
    ++pos_;
    using K = ResultPattern::Kind;
    ResultPattern r;
    if (op == "i32.const") {
      r.kind = K::I32;
      r.scalar.bits = int_literal(32);
    } else if (op == "i64.const") {
      r.kind = K::I64;
      r.scalar.bits = int_literal(64);
    } else if (op == "f32.const") {
      r.kind = K::F32;
      r.scalar = float_lane(false, true);
    } else if (op == "f64.const") {
      r.kind = K::F64;
      r.scalar = float_lane(true, true);
    } else if (op == "v128.const") {
      r.kind = K::V128;
      r.shape = shape();
      r.lanes = v128_lanes(r.shape, true);
    } else if (op == "ref.null") {
      r.kind = K::RefNull;
      if (kind() != Tok::RParen) {
        r.has_heap = true;
        r.heap = heap_type();
      }
    } else if (op == "ref.extern" || op == "ref.host") {
      r.kind = op == "ref.extern" ? K::RefExtern : K::RefHost;
      if (kind() != Tok::RParen) r.value = int_literal(32);
    } else if (op == "ref.func") {
      r.kind = K::RefFunc;
      if (kind() != Tok::RParen) ++pos_;  // (ref.func $f): any non-null function
    } else if (op == "ref.any") r.kind = K::RefAny;
    else if (op == "ref.eq") r.kind = K::RefEq;
    else if (op == "ref.i31") r.kind = K::RefI31;
    else if (op == "ref.struct") r.kind = K::RefStruct;
    else if (op == "ref.array") r.kind = K::RefArray;
    else if (op == "ref.exn") r.kind = K::RefExn;
    else if (op == "either") {
      r.kind = K::Either;
      while (kind() == Tok::LParen) r.alternatives.push_back(result());
    } else {
      fail("unknown operator " + std::string(op));
    }
    expect_rparen();
    return r;
  }

  const Lexed& lx_;
  WatOptions options_;
  uint32_t pos_ = 0;
  size_t line_offset_ = 0;  // line() has counted the lines of source[0, line_offset_)
  uint32_t line_ = 1;
  uintptr_t stack_floor_ = stack_floor();
};

}  // namespace

TextResult<Script> parse_script(std::string_view source, const WatOptions& options) {
  TextResult<Lexed> lexed = std::unexpected(TextError{0, 0, "out of memory"});
  try {
    lexed = lex(source);
  } catch (const std::bad_alloc&) {
  }
  if (!lexed) return std::unexpected(lexed.error());
  try {
    return ScriptParser(*lexed, options).run();
  } catch (const ParseError& e) {
    return std::unexpected(error_at(*lexed, e.token, e.message));
  } catch (const std::bad_alloc&) {
    return std::unexpected(TextError{0, 0, "out of memory"});
  }
}

}  // namespace wsvm::text
