// Import and export names (see extern_name.hpp).
#include "component/extern_name.hpp"

#include <fmt/format.h>

namespace wsvm::component {

namespace {

bool lower(char c) { return c >= 'a' && c <= 'z'; }
bool upper(char c) { return c >= 'A' && c <= 'Z'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

// words ::= first-word ('-' word)*, first-word ::= [a-z][0-9a-z]*, word ::= [0-9a-z]+
bool is_words(std::string_view s) {
  if (s.empty() || !lower(s[0])) return false;
  bool after_dash = false;
  for (char c : s) {
    if (c == '-') {
      if (after_dash) return false;
      after_dash = true;
    } else if (lower(c) || digit(c)) {
      after_dash = false;
    } else {
      return false;
    }
  }
  return !after_dash;
}

// A numeric identifier of semver: digits without a leading zero.
std::optional<uint64_t> numeric(std::string_view s) {
  if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (!digit(c)) return std::nullopt;
    v = v * 10 + uint64_t(c - '0');
  }
  return v;
}

// Dot-separated identifiers of [0-9A-Za-z-], none empty; numeric ones without leading zeros
// when `prerelease`.
bool identifiers(std::string_view s, bool prerelease) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view id = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (id.empty()) return false;
    bool all_digits = true;
    for (char c : id) {
      if (!(lower(c) || upper(c) || digit(c) || c == '-')) return false;
      all_digits = all_digits && digit(c);
    }
    if (prerelease && all_digits && id.size() > 1 && id[0] == '0') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// canonversion ::= [1-9][0-9]* | '0.' [1-9][0-9]* | '0.0.' [1-9][0-9]* | '0.0.0'
bool is_canonversion(std::string_view v) {
  auto nonzero = [](std::string_view s) { return !s.empty() && s[0] != '0' && numeric(s); };
  if (v.starts_with("0.0.")) return v == "0.0.0" || nonzero(v.substr(4));
  if (v.starts_with("0.")) return nonzero(v.substr(2));
  return nonzero(v);
}

std::unexpected<Error> bad_name(std::string_view name, size_t offset, std::string_view why) {
  return make_error(ErrorKind::Invalid, offset,
                    fmt::format("invalid name '{}': {}", name, why));
}

}  // namespace

bool is_label(std::string_view s) {
  if (s.empty()) return false;
  size_t start = 0;
  bool first = true;
  while (true) {
    size_t dash = s.find('-', start);
    std::string_view frag = s.substr(start, dash == s.npos ? s.npos : dash - start);
    if (frag.empty()) return false;
    // A fragment is all lower-case word or all upper-case acronym (digits fit both); the
    // first must start with a letter.
    bool word = true, acronym = true;
    for (char c : frag) {
      word = word && (lower(c) || digit(c));
      acronym = acronym && (upper(c) || digit(c));
    }
    if (!word && !acronym) return false;
    if (first && digit(frag[0])) return false;
    first = false;
    if (dash == s.npos) return true;
    start = dash + 1;
  }
}

std::string Semver::to_string() const {
  std::string s = fmt::format("{}.{}.{}", major, minor, patch);
  if (!pre.empty()) s += "-" + pre;
  if (!build.empty()) s += "+" + build;
  return s;
}

std::optional<Semver> parse_semver(std::string_view s) {
  Semver v;
  size_t plus = s.find('+');
  if (plus != s.npos) {
    v.build = std::string(s.substr(plus + 1));
    if (!identifiers(v.build, false)) return std::nullopt;
    s = s.substr(0, plus);
  }
  size_t dash = s.find('-');
  if (dash != s.npos) {
    v.pre = std::string(s.substr(dash + 1));
    if (!identifiers(v.pre, true)) return std::nullopt;
    s = s.substr(0, dash);
  }
  size_t d1 = s.find('.');
  if (d1 == s.npos) return std::nullopt;
  size_t d2 = s.find('.', d1 + 1);
  if (d2 == s.npos) return std::nullopt;
  auto ma = numeric(s.substr(0, d1));
  auto mi = numeric(s.substr(d1 + 1, d2 - d1 - 1));
  auto pa = numeric(s.substr(d2 + 1));
  if (!ma || !mi || !pa) return std::nullopt;
  v.major = *ma;
  v.minor = *mi;
  v.patch = *pa;
  return v;
}

CanonVersion canonicalize(const Semver& v) {
  std::string full = v.to_string();
  std::string canon = v.major > 0   ? fmt::format("{}", v.major)
                      : v.minor > 0 ? fmt::format("0.{}", v.minor)
                                    : fmt::format("0.0.{}", v.patch);
  return {canon, full.substr(canon.size())};
}

Result<ParsedName> parse_extern_name(std::string_view name, size_t offset) {
  ParsedName n;
  auto annotated = [&](std::string_view prefix, ParsedName::Kind kind) -> Result<bool> {
    if (!name.starts_with(prefix)) return false;
    n.kind = kind;
    std::string_view rest = name.substr(prefix.size());
    if (kind == ParsedName::Kind::Constructor) {
      if (!is_label(rest)) return bad_name(name, offset, "the resource name is not a label");
      n.resource = rest;
      return true;
    }
    size_t dot = rest.find('.');
    if (dot == rest.npos) return bad_name(name, offset, "expected 'resource.function'");
    n.resource = rest.substr(0, dot);
    n.label = rest.substr(dot + 1);
    if (!is_label(n.resource) || !is_label(n.label))
      return bad_name(name, offset, "the resource and function names must be labels");
    return true;
  };
  if (WSVM_TRY(annotated("[constructor]", ParsedName::Kind::Constructor))) return n;
  if (WSVM_TRY(annotated("[method]", ParsedName::Kind::Method))) return n;
  if (WSVM_TRY(annotated("[static]", ParsedName::Kind::Static))) return n;
  if (name.starts_with("[")) return bad_name(name, offset, "unknown annotation");

  size_t colon = name.find(':');
  if (colon == name.npos) {
    if (!is_label(name)) return bad_name(name, offset, "not a kebab-case label");
    n.kind = ParsedName::Kind::Label;
    n.label = name;
    return n;
  }
  // namespace:package/interface[@version]
  n.kind = ParsedName::Kind::Interface;
  std::string_view rest = name.substr(colon + 1);
  size_t at = rest.find('@');
  std::string_view path = rest.substr(0, at);
  size_t slash = path.find('/');
  if (slash == path.npos) return bad_name(name, offset, "expected 'namespace:package/interface'");
  n.ns = name.substr(0, colon);
  n.package = path.substr(0, slash);
  n.interface = path.substr(slash + 1);
  if (!is_words(n.ns)) return bad_name(name, offset, "the namespace is not kebab-case words");
  if (!is_words(n.package)) return bad_name(name, offset, "the package is not kebab-case words");
  if (!is_label(n.interface)) return bad_name(name, offset, "the interface is not a label");
  if (at != rest.npos) {
    std::string_view v = rest.substr(at + 1);
    if (!parse_semver(v) && !is_canonversion(v))
      return bad_name(name, offset, "the version is not a valid semver");
    n.version = std::string(v);
  }
  return n;
}

std::string interface_without_version(const ParsedName& n) {
  return n.ns + ":" + n.package + "/" + n.interface;
}

std::string uniqueness_key(std::string_view name) {
  std::string s(name);
  for (char& c : s)
    if (upper(c)) c = char(c - 'A' + 'a');
  for (std::string_view prefix : {"[method]", "[static]"}) {
    if (!std::string_view(s).starts_with(prefix)) continue;
    std::string rest = s.substr(prefix.size());
    size_t dot = rest.find('.');
    if (dot != rest.npos && rest.substr(0, dot) == rest.substr(dot + 1)) return rest.substr(0, dot);
    return rest;
  }
  return s;
}

std::optional<Semver> satisfying_version(std::string_view provided, std::string_view wanted) {
  auto w = parse_extern_name(wanted);
  auto h = parse_extern_name(provided);
  if (!w || !h || w->kind != ParsedName::Kind::Interface || h->kind != ParsedName::Kind::Interface) return std::nullopt;
  if (!w->version || !h->version || interface_without_version(*h) != interface_without_version(*w)) return std::nullopt;
  auto wv = parse_semver(*w->version);
  auto hv = parse_semver(*h->version);
  if (!wv || !hv || !semver_compatible(*wv, *hv)) return std::nullopt;
  return hv;
}

bool semver_compatible(const Semver& imported, const Semver& provided) {
  if (imported == provided) return true;
  if (!imported.pre.empty() || !provided.pre.empty()) return false;
  if (imported.major != provided.major) return false;
  if (imported.major > 0) return true;
  if (imported.minor != provided.minor) return false;
  if (imported.minor > 0) return true;
  return imported.patch == provided.patch;
}

}  // namespace wsvm::component
