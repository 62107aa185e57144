// A position in a lexed source and the token tests the component parsers share (the
// component parser and the component script reader). Internal to text/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "text/lexer.hpp"
#include "text/module_parser.hpp"  // ParseError

namespace wsvm::text {

struct TokenCursor {
  explicit TokenCursor(const Lexed& lx) : lx_(lx) {}

  Tok kind(uint32_t ahead = 0) const { return lx_.tokens[pos_ + ahead].kind; }
  std::string_view text(uint32_t ahead = 0) const { return lx_.text(pos_ + ahead); }
  bool is_kw(std::string_view kw, uint32_t ahead = 0) const {
    return kind(ahead) == Tok::Keyword && text(ahead) == kw;
  }
  bool at_form(std::string_view kw) const { return kind() == Tok::LParen && is_kw(kw, 1); }
  // A reserved token (an id-character run that is no keyword, id or number) is an "unknown
  // operator" wherever it stands, as in the core parser.
  [[noreturn]] void fail_at(uint32_t token, std::string message) const {
    if (lx_.tokens[token].kind == Tok::Reserved && message == "unexpected token") message = "unknown operator";
    throw ParseError{token, std::move(message)};
  }
  [[noreturn]] void fail(std::string message) const { fail_at(pos_, std::move(message)); }
  void expect_rparen() {
    if (kind() != Tok::RParen) fail("unexpected token");
    ++pos_;
  }
  std::string take_string() {
    if (kind() != Tok::String) fail("unexpected token, expected a string");
    return decode_string(lx_.text(pos_++));
  }

  const Lexed& lx_;
  uint32_t pos_ = 0;
};

}  // namespace wsvm::text
