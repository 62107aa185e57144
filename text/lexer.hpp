// The lexer of the text format: source bytes -> tokens, with comments and annotations removed.
// Spec: https://webassembly.github.io/spec/core/text/lexical.html
//
// A token is a byte range of the source; line and column are computed only when an error is
// reported (error.hpp), which keeps the token small and the lexer fast on large files.
// Every '(' knows the index of its ')', so a parser can skip a whole form in O(1).
// Annotations (`(@id ...)`, the annotations proposal) never become tokens: `(@name "n")` is
// recorded in `names` and `(@custom ...)` in `customs`, against the index of the token that
// follows them; all others are dropped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "text/error.hpp"

namespace wsvm::text {

enum class Tok : uint8_t {
  LParen,
  RParen,
  Keyword,   // starts with a-z: "module", "i32.add", "offset=4", "nan:0x1", "inf"
  Id,        // "$name" or "$\"quoted\"" (the token includes the '$')
  Number,    // starts with a digit or a sign: validated when a number is expected
  String,    // "..." including the quotes; escapes are decoded on use
  Reserved,  // any other run of id characters: an error wherever it is used
  Eof,
};

struct Token {
  uint32_t offset = 0;
  uint32_t length = 0;
  Tok kind = Tok::Eof;
  uint32_t match = 0;  // LParen: index of its RParen
};

struct NameAnnotation {
  uint32_t token;     // index of the token after the annotation
  uint32_t offset;    // the annotation's string token (quotes included)
  uint32_t length;
};

// (@custom "name" (before|after SECTION)? "data"*): a custom section the module parser writes.
// https://github.com/WebAssembly/annotations/blob/main/proposals/annotations/Overview.md
struct CustomAnnotation {
  uint32_t token;       // index of the token after the annotation
  uint32_t offset;      // where the annotation starts (for errors)
  std::string name;     // decoded, valid UTF-8
  std::string data;     // the data strings, decoded and concatenated
  bool after = true;    // placement: default (after last)
  std::string section;  // "first", "last", or a section keyword ("type", "func", "datacount", ...)
};

struct Lexed {
  std::string_view source;
  std::vector<Token> tokens;  // ends with one Eof
  std::vector<NameAnnotation> names;  // sorted by token
  std::vector<CustomAnnotation> customs;  // sorted by token
  // A ')' without its '(' becomes a Reserved token and this error, reported only if nothing
  // before it fails first (the reference interpreter parses as it lexes: a lane index error
  // before a stray ')' is what the spec suite expects).
  uint32_t stray_token = UINT32_MAX;
  TextError stray_error;

  std::string_view text(const Token& t) const { return source.substr(t.offset, t.length); }
  std::string_view text(uint32_t i) const { return text(tokens[i]); }
};

// Fails on malformed UTF-8, an unterminated string or block comment, a bad escape, a
// character that cannot start a token, or unbalanced parentheses.
TextResult<Lexed> lex(std::string_view source);

// Decodes a string token (quotes included) into bytes; the escapes were checked by lex().
std::string decode_string(std::string_view token);

// True if `bytes` is valid UTF-8 (no overlongs, surrogates or code points above 0x10FFFF).
bool valid_utf8(std::string_view bytes);

}  // namespace wsvm::text
