// The text format's lexer. See lexer.hpp.
#include "text/lexer.hpp"

#include <algorithm>
#include <array>

namespace wsvm::text {

namespace {

// idchar: the characters of keywords, ids, numbers and reserved tokens.
constexpr std::array<bool, 128> make_idchar_table() {
  std::array<bool, 128> t{};
  for (char c = '0'; c <= '9'; ++c) t[static_cast<unsigned char>(c)] = true;
  for (char c = 'a'; c <= 'z'; ++c) t[static_cast<unsigned char>(c)] = true;
  for (char c = 'A'; c <= 'Z'; ++c) t[static_cast<unsigned char>(c)] = true;
  for (char c : std::string_view("!#$%&'*+-./:<=>?@\\^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 128> kIdChar = make_idchar_table();

inline bool is_idchar(unsigned char c) { return c < 128 && kIdChar[c]; }
// Characters that are no token of their own but may form a reserved token (Wasm 3.0).
inline bool is_reserved_char(unsigned char c) {
  return c == ',' || c == ';' || c == '[' || c == ']' || c == '{' || c == '}';
}
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the UTF-8 sequence at s[i] (0 if malformed).
size_t utf8_length(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return n;
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : s_(src) {}

  TextResult<Lexed> run() {
    Lexed out;
    out.source = s_;
    // About one token per 4-6 bytes of typical WAT; capped so a huge input grows as it goes.
    out.tokens.reserve(std::min<size_t>(s_.size() / 4, size_t{1} << 22) + 8);
    tokens_ = &out.tokens;
    out_ = &out;
    names_ = &out.names;
    customs_ = &out.customs;
    while (true) {
      if (!skip_space()) return std::unexpected(err_);
      if (i_ >= s_.size()) break;
      if (!token()) return std::unexpected(err_);
    }
    if (!open_.empty()) {
      fail(out.tokens[open_.back()].offset, "unclosed parenthesis");
      return std::unexpected(err_);
    }
    out.tokens.push_back(Token{static_cast<uint32_t>(s_.size()), 0, Tok::Eof, 0});
    return out;
  }

 private:
  bool fail(size_t at, const char* msg) {
    err_.message = msg;
    line_column(s_, at, err_.line, err_.column);
    return false;
  }

  // Whitespace and comments; false on an unterminated block comment or bad UTF-8 in one.
  bool skip_space() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i_;
      } else if (c == ';' && i_ + 1 < s_.size() && s_[i_ + 1] == ';') {
        // A line comment ends at LF, CR or CR LF (Wasm 3.0's newline; comments.wast).
        while (i_ < s_.size() && s_[i_] != '\n' && s_[i_] != '\r') {
          if (!skip_char()) return false;
        }
      } else if (c == '(' && i_ + 1 < s_.size() && s_[i_ + 1] == ';') {
        if (!block_comment()) return false;
      } else {
        break;
      }
    }
    return true;
  }

  // One character of a comment or string: checks UTF-8.
  bool skip_char() {
    size_t n = utf8_length(s_, i_);
    if (n == 0) return fail(i_, "malformed UTF-8 encoding");
    i_ += n;
    return true;
  }

  bool block_comment() {
    size_t start = i_;
    int depth = 0;
    while (i_ < s_.size()) {
      if (s_[i_] == '(' && i_ + 1 < s_.size() && s_[i_ + 1] == ';') {
        ++depth;
        i_ += 2;
      } else if (s_[i_] == ';' && i_ + 1 < s_.size() && s_[i_ + 1] == ')') {
        i_ += 2;
        if (--depth == 0) return true;
      } else if (!skip_char()) {
        return false;
      }
    }
    return fail(start, "unclosed comment");
  }

  void push(Tok kind, size_t start) {
    tokens_->push_back(Token{static_cast<uint32_t>(start), static_cast<uint32_t>(i_ - start), kind, 0});
  }

  bool token() {
    size_t start = i_;
    char c = s_[i_];
    if (c == '(') {
      if (i_ + 1 < s_.size() && s_[i_ + 1] == '@') return annotation();
      ++i_;
      open_.push_back(static_cast<uint32_t>(tokens_->size()));
      push(Tok::LParen, start);
      return true;
    }
    if (c == ')') {
      ++i_;
      if (open_.empty()) {
        if (out_->stray_token == UINT32_MAX) {
          out_->stray_token = static_cast<uint32_t>(tokens_->size());
          out_->stray_error.message = "unexpected token: unbalanced ')'";
          line_column(s_, start, out_->stray_error.line, out_->stray_error.column);
        }
        push(Tok::Reserved, start);
        return true;
      }
      (*tokens_)[open_.back()].match = static_cast<uint32_t>(tokens_->size());
      open_.pop_back();
      push(Tok::RParen, start);
      return true;
    }
    if (c == '"') {
      if (!string()) return false;
      push(Tok::String, start);
      return check_separated();
    }
    if (c == '$' && i_ + 1 < s_.size() && s_[i_ + 1] == '"') {  // $"quoted id"
      ++i_;
      size_t str = i_;
      if (!string()) return fail(start, "empty identifier");
      std::string name = decode_string(s_.substr(str, i_ - str));
      if (name.empty()) return fail(start, "empty identifier");
      if (!valid_utf8(name)) return fail(start, "malformed UTF-8 encoding");
      push(Tok::Id, start);
      return check_separated();
    }
    if (is_reserved_char(static_cast<unsigned char>(c))) {
      while (i_ < s_.size() && (is_idchar(static_cast<unsigned char>(s_[i_])) ||
                                is_reserved_char(static_cast<unsigned char>(s_[i_]))) &&
             !(s_[i_] == ';' && i_ + 1 < s_.size() && s_[i_ + 1] == ';'))
        ++i_;
      push(Tok::Reserved, start);
      return true;
    }
    if (!is_idchar(static_cast<unsigned char>(c))) return illegal_character();
    while (i_ < s_.size() && is_idchar(static_cast<unsigned char>(s_[i_]))) ++i_;
    Tok kind;
    if (c == '$')
      kind = i_ - start > 1 ? Tok::Id : Tok::Reserved;
    else if (c >= 'a' && c <= 'z')
      kind = Tok::Keyword;
    else if ((c >= '0' && c <= '9') || c == '+' || c == '-')
      kind = Tok::Number;
    else
      kind = Tok::Reserved;
    // A string glued to an id character run ("a"b, x"y") is one reserved token in the spec.
    if (i_ < s_.size() && s_[i_] == '"') {
      if (!string()) return false;
      kind = Tok::Reserved;
    }
    push(kind, start);
    return true;
  }

  // After a string, another token must not follow without a separator.
  bool check_separated() {
    if (i_ < s_.size() && (is_idchar(static_cast<unsigned char>(s_[i_])) || s_[i_] == '"')) {
      size_t start = tokens_->back().offset;
      while (i_ < s_.size() && (is_idchar(static_cast<unsigned char>(s_[i_])) || s_[i_] == '"')) {
        if (s_[i_] == '"') {
          if (!string()) return false;
        } else {
          ++i_;
        }
      }
      tokens_->pop_back();
      push(Tok::Reserved, start);
    }
    return true;
  }

  bool illegal_character() {
    if (static_cast<unsigned char>(s_[i_]) >= 0x80 && utf8_length(s_, i_) == 0)
      return fail(i_, "malformed UTF-8 encoding");
    return fail(i_, "illegal character");
  }

  // A string literal starting at the '"'; checks escapes and UTF-8.
  bool string() {
    size_t start = i_++;
    while (true) {
      if (i_ >= s_.size()) return fail(start, "unclosed string");
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c == '\n') return fail(start, "unclosed string");
      if (c < 0x20 || c == 0x7F) return fail(i_, "illegal control character in string");
      if (c != '\\') {
        if (!skip_char()) return false;
        continue;
      }
      ++i_;
      if (i_ >= s_.size()) return fail(start, "unclosed string");
      char e = s_[i_];
      if (e == 't' || e == 'n' || e == 'r' || e == '"' || e == '\'' || e == '\\') {
        ++i_;
      } else if (e == 'u') {
        size_t at = i_ - 1;
        if (i_ + 1 >= s_.size() || s_[i_ + 1] != '{') return fail(at, "malformed escape");
        i_ += 2;
        uint32_t cp = 0;
        size_t digits = 0;
        while (i_ < s_.size() && s_[i_] != '}') {
          int h = hex_value(s_[i_]);
          if (h < 0 && !(s_[i_] == '_' && digits > 0)) return fail(at, "malformed escape");
          if (h >= 0) {
            cp = cp * 16 + static_cast<uint32_t>(h);
            ++digits;
            if (cp > 0x10FFFF) return fail(at, "malformed escape: code point out of range");
          }
          ++i_;
        }
        if (i_ >= s_.size() || digits == 0) return fail(at, "malformed escape");
        if (cp >= 0xD800 && cp <= 0xDFFF) return fail(at, "malformed escape: surrogate");
        ++i_;
      } else if (hex_value(e) >= 0 && i_ + 1 < s_.size() && hex_value(s_[i_ + 1]) >= 0) {
        i_ += 2;
      } else {
        return fail(i_ - 1, "malformed escape");
      }
    }
  }

  // "(@id ...)": `(@name "..")` is kept in names_, every other annotation is skipped.
  bool annotation() {
    size_t start = i_;
    i_ += 2;
    size_t id = i_;
    std::string name;
    if (i_ < s_.size() && s_[i_] == '"') {  // (@"quoted id" ...)
      if (!string()) return fail(start, "empty annotation id");
      name = decode_string(s_.substr(id, i_ - id));
      if (!valid_utf8(name)) return fail(start, "malformed UTF-8 encoding");
    } else {
      while (i_ < s_.size() && is_idchar(static_cast<unsigned char>(s_[i_]))) ++i_;
      name = s_.substr(id, i_ - id);
    }
    if (name.empty()) return fail(start, "empty annotation id");
    if (name == "custom") return custom_annotation(start);
    bool is_name = name == "name";
    int depth = 1;
    bool first_string = true;
    while (depth > 0) {
      if (!skip_space()) return false;
      if (i_ >= s_.size()) return fail(start, "unclosed annotation");
      char c = s_[i_];
      if (c == '(') {
        ++depth;
        ++i_;
      } else if (c == ')') {
        --depth;
        ++i_;
      } else if (c == '"') {
        size_t str = i_;
        if (!string()) return false;
        if (is_name && depth == 1 && first_string)
          names_->push_back(NameAnnotation{static_cast<uint32_t>(tokens_->size()),
                                           static_cast<uint32_t>(str),
                                           static_cast<uint32_t>(i_ - str)});
        first_string = false;
      } else if (is_idchar(static_cast<unsigned char>(c)) || is_reserved_char(static_cast<unsigned char>(c))) {
        ++i_;
      } else {
        return illegal_character();
      }
    }
    return true;
  }

  // The rest of `(@custom "name" (before|after SECTION)? "data"*)` after its id. Anything else
  // in it is "malformed custom annotation" (a custom section must not be guessed).
  bool custom_annotation(size_t start) {
    CustomAnnotation c;
    c.token = static_cast<uint32_t>(tokens_->size());
    c.offset = static_cast<uint32_t>(start);
    c.section = "last";
    auto malformed = [&] { return fail(start, "malformed custom annotation"); };
    auto word = [&]() -> std::string_view {
      if (!skip_space()) return {};
      size_t w = i_;
      while (i_ < s_.size() && is_idchar(static_cast<unsigned char>(s_[i_]))) ++i_;
      return s_.substr(w, i_ - w);
    };
    bool have_name = false, have_place = false;
    for (;;) {
      if (!skip_space()) return false;
      if (i_ >= s_.size()) return fail(start, "unclosed annotation");
      const char ch = s_[i_];
      if (ch == ')') {
        ++i_;
        break;
      }
      if (ch == '"') {
        size_t str = i_;
        if (!string()) return false;
        std::string bytes = decode_string(s_.substr(str, i_ - str));
        if (have_name) {
          c.data += bytes;
          continue;
        }
        if (!valid_utf8(bytes)) return fail(str, "malformed UTF-8 encoding");
        c.name = std::move(bytes);
        have_name = true;
        continue;
      }
      // The placement: only once, right after the name.
      if (ch != '(' || !have_name || have_place || !c.data.empty()) return malformed();
      ++i_;
      std::string_view where = word();
      std::string_view section = word();
      if (!skip_space()) return false;
      if (i_ >= s_.size() || s_[i_] != ')') return malformed();
      ++i_;
      static constexpr std::string_view kSections[] = {
          "type", "import", "func", "table", "memory", "tag", "global", "export", "start",
          "elem", "datacount", "code", "data"};
      bool known = section == "first" || section == "last";
      for (std::string_view k : kSections) known = known || section == k;
      if ((where != "before" && where != "after") || !known) return malformed();
      c.after = where == "after";
      c.section = std::string(section);
      have_place = true;
    }
    if (!have_name) return malformed();
    customs_->push_back(std::move(c));
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  Lexed* out_ = nullptr;
  std::vector<CustomAnnotation>* customs_ = nullptr;
  std::vector<Token>* tokens_ = nullptr;
  std::vector<NameAnnotation>* names_ = nullptr;
  std::vector<uint32_t> open_;
  TextError err_;
};

}  // namespace

std::string TextError::to_string() const {
  if (line == 0) return message;
  return std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

void line_column(std::string_view source, size_t offset, uint32_t& line, uint32_t& column) {
  offset = std::min(offset, source.size());
  line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (source[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  column = static_cast<uint32_t>(offset - line_start + 1);
}

TextResult<Lexed> lex(std::string_view source) {
  if (source.size() >= 0xFFFFFFF0u) return std::unexpected(TextError{0, 0, "source too large"});
  return Lexer(source).run();
}

std::string decode_string(std::string_view tok) {
  std::string out;
  out.reserve(tok.size());
  for (size_t i = 1; i + 1 < tok.size(); ++i) {
    char c = tok[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    char e = tok[++i];
    switch (e) {
      case 't': out.push_back('\t'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case '"': out.push_back('"'); break;
      case '\'': out.push_back('\''); break;
      case '\\': out.push_back('\\'); break;
      case 'u': {
        uint32_t cp = 0;
        for (i += 2; tok[i] != '}'; ++i)
          if (tok[i] != '_') cp = cp * 16 + static_cast<uint32_t>(hex_value(tok[i]));
        if (cp < 0x80) {
          out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
          out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
          out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
          out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
          out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
          out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
          out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
        break;
      }
      default:
        out.push_back(static_cast<char>(hex_value(e) * 16 + hex_value(tok[i + 1])));
        ++i;
    }
  }
  return out;
}

bool valid_utf8(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size();) {
    size_t n = utf8_length(bytes, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace wsvm::text
