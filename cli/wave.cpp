// WAVE parsing and printing (wave.hpp): a recursive descent over the expected type.
#include "cli/wave.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace wsvm::cli {
namespace {

using component::Val;
using component::VKind;
using component::VType;
using component::VTypeP;

#define WSVM_CLI_TRY(expr)                                  \
({                                                        \
  auto r_ = (expr);                                       \
  if (!r_) return std::unexpected(std::move(r_.error())); \
  std::move(*r_);                                         \
})
#define WSVM_CLI_TRY_VOID(expr)                             \
do {                                                      \
  auto r_ = (expr);                                       \
  if (!r_) return std::unexpected(std::move(r_.error())); \
} while (0)


constexpr int kMaxDepth = 100;  // nesting bound: hostile input cannot exhaust the stack

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) { out += char(c); return; }
  if (c < 0x800) { out += char(0xC0 | (c >> 6)); }
  else if (c < 0x10000) { out += char(0xE0 | (c >> 12)); out += char(0x80 | ((c >> 6) & 0x3f)); }
  else { out += char(0xF0 | (c >> 18)); out += char(0x80 | ((c >> 12) & 0x3f)); out += char(0x80 | ((c >> 6) & 0x3f)); }
  out += char(0x80 | (c & 0x3f));
}

class Parser {
 public:
  explicit Parser(std::string_view s) : m_s(s) {}

  std::expected<Val, std::string> value(const VType& t, int depth = 0) {
    if (depth > kMaxDepth) return fail("values nested too deeply");
    skip_space();
    switch (t.kind) {
      case VKind::Bool: {
        std::string_view w = word();
        if (w == "true" || w == "false") return Val::boolean(w == "true");
        return fail("expected true or false");
      }
      case VKind::S8: return sint(t.kind, INT8_MIN, INT8_MAX);
      case VKind::S16: return sint(t.kind, INT16_MIN, INT16_MAX);
      case VKind::S32: return sint(t.kind, INT32_MIN, INT32_MAX);
      case VKind::S64: return sint(t.kind, INT64_MIN, INT64_MAX);
      case VKind::U8: return uint(t.kind, UINT8_MAX);
      case VKind::U16: return uint(t.kind, UINT16_MAX);
      case VKind::U32: return uint(t.kind, UINT32_MAX);
      case VKind::U64: return uint(t.kind, UINT64_MAX);
      case VKind::F32: case VKind::F64: return floating(t.kind);
      case VKind::Char: {
        if (!eat('\'')) return fail("expected a char ('x')");
        auto c = WSVM_CLI_TRY(character('\''));
        if (!eat_raw('\'')) return fail("expected ' after a char");
        return Val::character(c);
      }
      case VKind::String: {
        if (!eat('"')) return fail("expected a string (\"...\")");
        std::string out;
        while (!eat_raw('"')) {
          if (m_pos >= m_s.size()) return fail("unterminated string");
          append_utf8(out, WSVM_CLI_TRY(character('"')));
        }
        return Val::string(std::move(out));
      }
      case VKind::List: case VKind::FixedList: {
        if (!eat('[')) return fail("expected a list ([...])");
        std::vector<Val> items;
        WSVM_CLI_TRY_VOID(sequence(']', [&]() -> std::expected<void, std::string> {
          items.push_back(WSVM_CLI_TRY(value(*t.elems[0], depth + 1)));
          return {};
        }));
        if (t.kind == VKind::FixedList && items.size() != t.length)
          return fail(fmt::format("expected {} elements", t.length));
        Val v = Val::list(std::move(items));
        v.kind = t.kind;
        return v;
      }
      case VKind::Tuple: {
        if (!eat('(')) return fail("expected a tuple ((...))");
        std::vector<Val> items;
        for (size_t i = 0; i < t.elems.size(); ++i) {
          if (i && !eat(',')) return fail("expected ','");
          items.push_back(WSVM_CLI_TRY(value(*t.elems[i], depth + 1)));
        }
        eat(',');
        if (!eat(')')) return fail(fmt::format("expected ')' after {} elements", t.elems.size()));
        return Val::tuple(std::move(items));
      }
      case VKind::Record: {
        if (!eat('{')) return fail("expected a record ({field: value, ...})");
        std::vector<std::optional<Val>> fields(t.labels.size());
        WSVM_CLI_TRY_VOID(sequence('}', [&]() -> std::expected<void, std::string> {
          std::string_view name = word();
          size_t i = index_of(t.labels, name);
          if (i == t.labels.size()) return std::unexpected(where(fmt::format("no field '{}'", name)));
          if (fields[i]) return std::unexpected(where(fmt::format("field '{}' given twice", name)));
          if (!eat(':')) return std::unexpected(where("expected ':' after a field name"));
          fields[i] = WSVM_CLI_TRY(value(*t.elems[i], depth + 1));
          return {};
        }));
        std::vector<Val> out;
        for (size_t i = 0; i < fields.size(); ++i) {
          if (!fields[i]) {
            // An option field may be left out (WAVE): none.
            if (t.elems[i]->kind == VKind::Option) { out.push_back(Val::none()); continue; }
            return fail(fmt::format("field '{}' missing", t.labels[i]));
          }
          out.push_back(std::move(*fields[i]));
        }
        return Val::record(std::move(out));
      }
      case VKind::Flags: {
        if (!eat('{')) return fail("expected flags ({a, b})");
        uint32_t bits = 0;
        WSVM_CLI_TRY_VOID(sequence('}', [&]() -> std::expected<void, std::string> {
          std::string_view name = word();
          size_t i = index_of(t.labels, name);
          if (i == t.labels.size()) return std::unexpected(where(fmt::format("no flag '{}'", name)));
          bits |= uint32_t{1} << i;
          return {};
        }));
        return Val::flags(bits);
      }
      case VKind::Enum: {
        std::string_view name = word();
        size_t i = index_of(t.labels, name);
        if (i == t.labels.size()) return fail(fmt::format("no case '{}'", name));
        return Val::enumeration(uint32_t(i));
      }
      case VKind::Variant: {
        std::string_view name = word();
        size_t i = index_of(t.labels, name);
        if (i == t.labels.size()) return fail(fmt::format("no case '{}'", name));
        return with_payload(Val::variant(uint32_t(i)), t.elems[i].get(), depth);
      }
      case VKind::Option: {
        std::string_view name = word();
        if (name == "none") return Val::none();
        if (name != "some") return fail("expected some(...) or none");
        return with_payload(Val::some(Val{}), t.elems[0].get(), depth);
      }
      case VKind::Result: {
        std::string_view name = word();
        if (name != "ok" && name != "err") return fail("expected ok or err");
        bool is_ok = name == "ok";
        return with_payload(is_ok ? Val::ok() : Val::err(), t.elems[is_ok ? 0 : 1].get(), depth);
      }
      default:
        return fail(fmt::format("a {} has no WAVE form", component::vkind_name(t.kind)));
    }
  }

  std::expected<void, std::string> end() {
    skip_space();
    if (m_pos != m_s.size()) return std::unexpected(where("unexpected text after the value"));
    return {};
  }

 private:
  std::string where(std::string_view what) const { return fmt::format("at {}: {}", m_pos, what); }
  std::unexpected<std::string> fail(std::string_view what) const { return std::unexpected(where(what)); }

  void skip_space() {
    while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\n' || m_s[m_pos] == '\r'))
      ++m_pos;
  }
  bool eat(char c) {
    skip_space();
    if (m_pos < m_s.size() && m_s[m_pos] == c) {
      ++m_pos;
      return true;
    }
    return false;
  }
  // `c` exactly here (inside a literal, where spaces count).
  bool eat_raw(char c) {
    if (m_pos < m_s.size() && m_s[m_pos] == c) {
      ++m_pos;
      return true;
    }
    return false;
  }
  // A label or keyword: letters, digits, '-' (and a leading '%' escape).
  std::string_view word() {
    skip_space();
    if (m_pos < m_s.size() && m_s[m_pos] == '%') ++m_pos;
    size_t start = m_pos;
    while (m_pos < m_s.size() && (std::isalnum(uint8_t(m_s[m_pos])) || m_s[m_pos] == '-')) ++m_pos;
    return m_s.substr(start, m_pos - start);
  }
  std::string_view number_text() {
    skip_space();
    size_t start = m_pos;
    while (m_pos < m_s.size() && (std::isalnum(uint8_t(m_s[m_pos])) || m_s[m_pos] == '-' ||
                                  m_s[m_pos] == '+' || m_s[m_pos] == '.'))
      ++m_pos;
    return m_s.substr(start, m_pos - start);
  }
  std::expected<Val, std::string> sint(VKind k, int64_t lo, int64_t hi) {
    std::string_view w = number_text();
    int64_t v = 0;
    auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
    if (ec != std::errc() || p != w.data() + w.size() || w.empty() || v < lo || v > hi)
      return fail(fmt::format("expected a {} ({}..{})", component::vkind_name(k), lo, hi));
    Val x = Val::s64(v);
    x.kind = k;
    return x;
  }
  std::expected<Val, std::string> uint(VKind k, uint64_t hi) {
    std::string_view w = number_text();
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
    if (ec != std::errc() || p != w.data() + w.size() || w.empty() || v > hi)
      return fail(fmt::format("expected a {} (0..{})", component::vkind_name(k), hi));
    Val x = Val::u64(v);
    x.kind = k;
    return x;
  }
  std::expected<Val, std::string> floating(VKind k) {
    std::string_view w = number_text();
    double d;
    if (w == "nan") d = std::numeric_limits<double>::quiet_NaN();
    else if (w == "inf") d = INFINITY;
    else if (w == "-inf") d = -INFINITY;
    else {
      auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), d);
      if (ec != std::errc() || p != w.data() + w.size() || w.empty()) return fail("expected a number");
    }
    return k == VKind::F32 ? Val::f32v(float(d)) : Val::f64v(d);
  }
  // One character of a char or string literal, escapes included.
  std::expected<char32_t, std::string> character(char quote) {
    if (m_pos >= m_s.size()) return fail("unterminated literal");
    uint8_t c = uint8_t(m_s[m_pos]);
    if (c == uint8_t(quote)) return fail("empty char");
    if (c != '\\') {
      // UTF-8 sequence.
      int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      if (len == 0 || m_pos + len > m_s.size()) return fail("invalid UTF-8");
      char32_t v = len == 1 ? c : c & (0x7f >> len);
      for (int i = 1; i < len; ++i) v = (v << 6) | (uint8_t(m_s[m_pos + i]) & 0x3f);
      m_pos += size_t(len);
      return v;
    }
    if (++m_pos >= m_s.size()) return fail("unterminated escape");
    char e = m_s[m_pos++];
    switch (e) {
      case 'n': return U'\n';
      case 't': return U'\t';
      case 'r': return U'\r';
      case '\\': return U'\\';
      case '\'': return U'\'';
      case '"': return U'"';
      case 'u': {
        if (!eat_raw('{')) return fail("expected \\u{HEX}");
        size_t start = m_pos;
        while (m_pos < m_s.size() && std::isxdigit(uint8_t(m_s[m_pos]))) ++m_pos;
        uint32_t v = 0;
        auto [p, ec] = std::from_chars(m_s.data() + start, m_s.data() + m_pos, v, 16);
        if (ec != std::errc() || m_pos == start || !eat_raw('}') || v > 0x10FFFF || (v >= 0xD800 && v < 0xE000))
          return fail("invalid \\u{...} escape");
        return char32_t(v);
      }
      default: return fail(fmt::format("unknown escape \\{}", e));
    }
  }
  // Elements up to `close`, separated by commas (a trailing comma allowed).
  template <class F>
  std::expected<void, std::string> sequence(char close, F element) {
    if (eat(close)) return {};
    for (;;) {
      WSVM_CLI_TRY_VOID(element());
      if (eat(close)) return {};
      if (!eat(',')) return fail(fmt::format("expected ',' or '{}'", close));
      if (eat(close)) return {};
    }
  }
  static size_t index_of(const std::vector<std::string>& labels, std::string_view name) {
    for (size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == name) return i;
    return labels.size();
  }
  std::expected<Val, std::string> with_payload(Val v, const VType* payload, int depth) {
    v.items.clear();
    if (!payload) return v;
    if (!eat('(')) return fail("expected '(' and the case's value");
    v.items.push_back(WSVM_CLI_TRY(value(*payload, depth + 1)));
    if (!eat(')')) return fail("expected ')'");
    return v;
  }
#undef WSVM_CLI_TRY
#undef WSVM_CLI_TRY_VOID

  std::string_view m_s;
  size_t m_pos = 0;
};

std::string quoted(std::string_view s, char quote) {
  std::string out(1, quote);
  for (char c : s) {
    if (c == quote || c == '\\') { out += '\\'; out += c; }
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (uint8_t(c) < 0x20) out += fmt::format("\\u{{{:x}}}", c);
    else out += c;
  }
  return out + quote;
}

std::string_view trimmed(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\n\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\n\r");
  return s.substr(b, e - b + 1);
}

std::string float_text(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  return fmt::format("{}", d);
}

}  // namespace

std::expected<component::Val, std::string> parse_wave(const VType& t, std::string_view text) {
  Parser p(text);
  auto v = p.value(t);
  if (!v) return v;
  if (auto e = p.end(); !e) return std::unexpected(e.error());
  return v;
}

std::expected<Invocation, std::string> split_invocation(std::string_view text) {
  Invocation inv;
  size_t open = text.find('(');
  if (open == std::string_view::npos) {
    inv.name = std::string(text);
    return inv;
  }
  inv.name = std::string(text.substr(0, open));
  if (text.back() != ')') return std::unexpected("expected NAME(ARGS) ending with ')'");
  std::string_view body = text.substr(open + 1, text.size() - open - 2);
  std::vector<std::string> args;
  int depth = 0;
  char quote = 0;
  size_t start = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '(' || c == '[' || c == '{') ++depth;
    else if (c == ')' || c == ']' || c == '}') --depth;
    else if (c == ',' && depth == 0) {
      args.emplace_back(trimmed(body.substr(start, i - start)));
      start = i + 1;
    }
    if (depth < 0) return std::unexpected("unbalanced brackets in the arguments");
  }
  if (quote || depth != 0) return std::unexpected("unbalanced brackets or quotes in the arguments");
  std::string_view last = body.substr(start);
  if (!trimmed(last).empty() || !args.empty()) args.emplace_back(trimmed(last));
  inv.args = std::move(args);
  return inv;
}

std::string format_wave(const VType& t, const Val& v) {
  if (!v.bytes.empty()) return v.to_string();  // a packed list<u8>: "[1, 2, 3]"
  auto join = [&](const std::vector<VTypeP>& types, bool same_type) {
    std::string s;
    for (size_t i = 0; i < v.items.size(); ++i)
      s += (i ? ", " : "") + format_wave(*types[same_type ? 0 : i], v.items[i]);
    return s;
  };
  auto payload = [&](const VType* p) {
    return p && !v.items.empty() ? "(" + format_wave(*p, v.items[0]) + ")" : std::string();
  };
  switch (t.kind) {
    case VKind::F32: return float_text(v.f32);
    case VKind::F64: return float_text(v.f64);
    case VKind::Char: { std::string s; append_utf8(s, char32_t(v.u)); return quoted(s, '\''); }
    case VKind::String: return quoted(v.str, '"');
    case VKind::List: case VKind::FixedList: return "[" + join(t.elems, true) + "]";
    case VKind::Tuple: return "(" + join(t.elems, false) + ")";
    case VKind::Record: {
      std::string s;
      for (size_t i = 0; i < v.items.size(); ++i)
        s += (i ? ", " : "") + t.labels[i] + ": " + format_wave(*t.elems[i], v.items[i]);
      return "{" + s + "}";
    }
    case VKind::Flags: {
      std::string s;
      for (size_t i = 0; i < t.labels.size(); ++i)
        if (v.disc & (uint32_t{1} << i)) s += (s.empty() ? "" : ", ") + t.labels[i];
      return "{" + s + "}";
    }
    case VKind::Enum: return v.disc < t.labels.size() ? t.labels[v.disc] : v.to_string();
    case VKind::Variant:
      return (v.disc < t.labels.size() ? t.labels[v.disc] : v.to_string()) + payload(t.elems[v.disc].get());
    case VKind::Option: return v.disc ? "some" + payload(t.elems[0].get()) : "none";
    case VKind::Result: return std::string(v.disc ? "err" : "ok") + payload(t.elems[v.disc].get());
    default: return v.to_string();
  }
}

}  // namespace wsvm::cli
