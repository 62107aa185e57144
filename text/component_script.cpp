// Component WAST scripts: commands and component values (see component_script.hpp).
#include "text/component_script.hpp"

#include "text/component_cursor.hpp"
#include "text/component_text.hpp"
#include "text/lexer.hpp"
#include "text/module_form.hpp"
#include "text/module_parser.hpp"  // ParseError
#include "text/stack_guard.hpp"

namespace wsvm::text {

namespace {

class ScriptReader : TokenCursor {
 public:
  ScriptReader(const Lexed& lx, const WatOptions& options) : TokenCursor(lx), options_(options) {}

  ComponentScript read() {
    ComponentScript s;
    while (lx_.tokens[pos_].kind != Tok::Eof) s.commands.push_back(command());
    return s;
  }

 private:
  uint32_t line() const {
    uint32_t l, c;
    line_column(lx_.source, lx_.tokens[pos_].offset, l, c);
    return l;
  }

  // At `(component ...)`: its bytes or text error; the form is skipped either way.
  void component(ComponentCommand& c) {
    uint32_t open = pos_;
    std::optional<std::string> id;
    c.has_component = true;
    c.component = component_form(lx_, open, options_, &id);
    c.id = id;
    pos_ = lx_.tokens[open].match + 1;
  }

  ComponentCommand command() {
    ComponentCommand c;
    c.line = line();
    if (kind() != Tok::LParen || kind(1) != Tok::Keyword) fail("unexpected token, expected a command");
    std::string_view head = text(1);
    uint32_t close = lx_.tokens[pos_].match;
    using K = ComponentCommand::Kind;
    if (head == "component") {
      if (is_kw("instance", 2)) {
        c.kind = K::Instance;
        pos_ += 3;
        if (kind() != Tok::Id) fail("unexpected token, expected an instance id");
        c.id = std::string(text());
        ++pos_;
        if (kind() != Tok::Id) fail("unexpected token, expected a component definition id");
        c.of = std::string(text());
        ++pos_;
        expect_rparen();
        return c;
      }
      c.kind = is_kw("definition", 2) ? K::Definition : K::Component;
      component(c);
      return c;
    }
    if (head == "invoke") {
      c.kind = K::Invoke;
      action(c);
      return c;
    }
    pos_ += 2;
    if (head == "assert_return") {
      c.kind = K::AssertReturn;
      if (!at_form("invoke")) fail("unexpected token, expected `(invoke ...)`");
      action(c);
      while (pos_ < close) c.results.push_back(value());
    } else if (head == "assert_trap" || head == "assert_invalid" || head == "assert_malformed" ||
               head == "assert_unlinkable" || head == "assert_uninstantiable") {
      c.kind = head == "assert_trap" ? K::AssertTrap
               : head == "assert_invalid" ? K::AssertInvalid
               : head == "assert_malformed" ? K::AssertMalformed
               : head == "assert_unlinkable" ? K::AssertUnlinkable
                                             : K::AssertUninstantiable;
      if (at_form("invoke")) action(c);
      else if (at_form("component")) component(c);
      else fail("unexpected token, expected `(invoke ...)` or `(component ...)`");
      c.message = take_string();
    } else {
      c.kind = K::Unsupported;
      c.head = std::string(head);
      pos_ = close;
    }
    if (pos_ != close) fail("unexpected token");
    expect_rparen();
    return c;
  }

  // (invoke $instance? "name" value*)
  void action(ComponentCommand& c) {
    uint32_t close = lx_.tokens[pos_].match;
    pos_ += 2;
    if (kind() == Tok::Id) c.instance = std::string(text()), ++pos_;
    c.func = take_string();
    while (pos_ < close) c.args.push_back(value());
    expect_rparen();
  }

  // `(head.const ...)`; inside a record field also the bare `head.const ...` up to its ')'.
  CValue value() {
    if (!stack_left(floor_)) fail("nesting too deep");
    if (kind() != Tok::LParen) fail("unexpected token, expected a value");
    uint32_t close = lx_.tokens[pos_].match;
    ++pos_;
    CValue v = value_body(close);
    expect_rparen();
    return v;
  }

  CValue value_body(uint32_t close) {
    if (kind() != Tok::Keyword) fail("unexpected token, expected a value");
    std::string_view head = text();
    ++pos_;
    CValue v;
    auto suffix = [&](std::string_view s) {
      return head.size() > s.size() && head.substr(head.size() - s.size()) == s;
    };
    if (head == "option.some" || head == "option.none" || head == "result.ok" || head == "result.err") {
      v.kind = std::string(head);
      while (pos_ < close) v.items.push_back(value());
      return v;
    }
    if (!suffix(".const")) fail("unknown value form `" + std::string(head) + "`");
    v.kind = std::string(head.substr(0, head.size() - 6));
    if (v.kind == "str" || v.kind == "char") {
      v.text = take_string();
    } else if (v.kind == "bool") {
      if (!is_kw("true") && !is_kw("false")) fail("unexpected token, expected true or false");
      v.text = std::string(text());
      ++pos_;
    } else if (v.kind == "list" || v.kind == "tuple") {
      while (pos_ < close) v.items.push_back(value());
    } else if (v.kind == "record") {
      while (at_form("field")) {
        uint32_t field_close = lx_.tokens[pos_].match;
        pos_ += 2;
        v.labels.push_back(take_string());
        if (kind() == Tok::LParen) v.items.push_back(value());
        else v.items.push_back(value_body(field_close));
        expect_rparen();
      }
    } else if (v.kind == "variant") {
      v.text = take_string();
      if (pos_ < close) v.items.push_back(value());
    } else if (v.kind == "enum") {
      v.text = take_string();
    } else if (v.kind == "flags") {
      while (kind() == Tok::String) v.labels.push_back(take_string());
    } else {
      // Numbers: u8..u64, s8..s64, f32, f64 (and i32/i64 as plain integers).
      if (kind() != Tok::Number && kind() != Tok::Keyword) fail("unexpected token, expected a number");
      v.number = std::string(text());
      ++pos_;
    }
    return v;
  }

  WatOptions options_;
  uintptr_t floor_ = stack_floor();
};

}  // namespace

TextResult<ComponentScript> parse_component_script(std::string_view source, const WatOptions& options) {
  auto lexed = lex(source);
  if (!lexed) return std::unexpected(lexed.error());
  try {
    return ScriptReader(*lexed, options).read();
  } catch (const ParseError& e) {
    return std::unexpected(error_at(*lexed, e.token, e.message));
  } catch (const std::bad_alloc&) {
    return std::unexpected(TextError{0, 0, "out of memory"});
  }
}

}  // namespace wsvm::text
