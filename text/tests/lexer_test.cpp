// The lexer: token kinds, comments, strings, annotations, and errors with line:column.
#include <catch2/catch.hpp>

#include "text/lexer.hpp"

using namespace wsvm::text;

namespace {
std::vector<Tok> kinds(const Lexed& lx) {
  std::vector<Tok> out;
  for (const Token& t : lx.tokens) out.push_back(t.kind);
  return out;
}
}  // namespace

TEST_CASE("tokens, with comments and parentheses matched", "[lexer]") {
  auto lx = lex("(module ;; line comment\n (; block (; nested ;) ;) $f 12 -0x1p3 \"s\" 1x)");
  REQUIRE(lx);
  CHECK(kinds(*lx) == std::vector<Tok>{Tok::LParen, Tok::Keyword, Tok::Id, Tok::Number, Tok::Number,
                                       Tok::String, Tok::Number, Tok::RParen, Tok::Eof});
  CHECK(lx->tokens[0].match == 7);
  CHECK(lx->text(2) == "$f");
  CHECK(lx->text(6) == "1x");  // validated only where a number is expected
}

TEST_CASE("a line comment ends at LF, CR or CR LF", "[lexer]") {
  for (const char* nl : {"\n", "\r", "\r\n"}) {
    auto lx = lex(std::string("a ;; comment") + nl + "b");
    REQUIRE(lx);
    CHECK(kinds(*lx) == std::vector<Tok>{Tok::Keyword, Tok::Keyword, Tok::Eof});
  }
}

TEST_CASE("reserved tokens: id characters glued to a string, punctuation, a lone $", "[lexer]") {
  auto lx = lex("a\"b\" , $ {x}");
  REQUIRE(lx);
  CHECK(kinds(*lx) == std::vector<Tok>{Tok::Reserved, Tok::Reserved, Tok::Reserved, Tok::Reserved, Tok::Eof});
}

TEST_CASE("string escapes decode to bytes", "[lexer]") {
  CHECK(decode_string(R"("a\tb\n\"\\\41\u{263a}\u{1F600}")") ==
        std::string("a\tb\n\"\\A\xE2\x98\xBA\xF0\x9F\x98\x80"));
  CHECK(decode_string(R"("\00\ff")") == std::string("\0\xff", 2));
}

TEST_CASE("quoted identifiers", "[lexer]") {
  auto lx = lex("$\"a b\"");
  REQUIRE(lx);
  CHECK(lx->tokens[0].kind == Tok::Id);
  auto empty = lex("(func $\"\")");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message == "empty identifier");
}

TEST_CASE("annotations: @name is kept against the next token, others are dropped", "[lexer]") {
  auto lx = lex("(func $f (@name \"nice\") (@other 1 (x \"y\") z) (param))");
  REQUIRE(lx);
  REQUIRE(lx->names.size() == 1);
  CHECK(lx->names[0].token == 3);  // the '(' of (param)
  CHECK(decode_string(lx->source.substr(lx->names[0].offset, lx->names[0].length)) == "nice");
  CHECK(lx->tokens.size() == 8);  // ( func $f ( param ) ) eof
  CHECK_FALSE(lex("(@)"));
  CHECK(lex("(@ x)").error().message == "empty annotation id");
}

TEST_CASE("lexical errors carry line and column", "[lexer]") {
  auto e = lex("(module\n  (func \"abc\n))");
  REQUIRE_FALSE(e);
  CHECK(e.error().line == 2);
  CHECK(e.error().column == 9);
  CHECK(e.error().message == "unclosed string");
  CHECK(e.error().to_string() == "2:9: unclosed string");

  CHECK(lex("(; open").error().message == "unclosed comment");
  CHECK(lex("(module").error().message == "unclosed parenthesis");
  CHECK(lex("\"\\q\"").error().message == "malformed escape");
  CHECK(lex(";; \xff\n").error().message == "malformed UTF-8 encoding");
  CHECK(lex("\"\xc0\x80\"").error().message == "malformed UTF-8 encoding");  // overlong
  CHECK(lex("\x01").error().message == "illegal character");
}

TEST_CASE("a stray ')' is deferred: errors before it win", "[lexer]") {
  auto lx = lex("(a) b) c");
  REQUIRE(lx);
  CHECK(lx->stray_token == 4);
  CHECK(lx->tokens[4].kind == Tok::Reserved);
  CHECK(lx->stray_error.message.find("unbalanced") != std::string::npos);
}

TEST_CASE("valid_utf8", "[lexer]") {
  CHECK(valid_utf8("plain"));
  CHECK(valid_utf8("\xE2\x98\xBA"));
  CHECK_FALSE(valid_utf8("\xED\xA0\x80"));  // a surrogate
  CHECK_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(valid_utf8("\xE2\x98"));  // truncated
}
