// wcontainer.toml: toml++ parses (header-only, no exceptions: a syntax error is a value with
// its line and column), then each table is checked key by key. An unknown key is an error,
// not ignored: a misspelt `max_memroy` must not leave a guest without its limit.
#include "container/manifest.hpp"

#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
// toml++ 3.3.0 (Debian) asserts in parse_key that a key starts with a key character, then
// handles the other case with a parse error: `[=` aborted `wsvm inspect` (found by
// container/tests' mutation test). With NDEBUG the assertion becomes an optimizer assumption,
// which is worse (undefined behaviour on the same input). Its assertions are made no-ops,
// and NDEBUG hidden while it is included so that none turns into an assumption: the error
// path runs and the manifest gets its one-line error.
#pragma push_macro("NDEBUG")
#undef NDEBUG
#define TOML_ASSERT(expr) ((void)0)
#include <toml++/toml.h>
#pragma pop_macro("NDEBUG")

#include <cctype>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "decoder/printable.hpp"
#include "runner/read_file.hpp"

namespace wsvm::container {
namespace {

using Fail = std::unexpected<std::string>;

// Manifests are small; a bigger file is a mistake (or hostile) and is refused before parsing.
constexpr size_t kMaxManifestBytes = 1 << 20;

class Checker {
 public:
  Checker(const std::string& path, const ValueParsers& parsers) : m_path(path), m_parsers(parsers) {}

  Fail fail(const toml::source_region& at, std::string_view field, std::string_view what) const {
    return Fail(fmt::format("{}:{}:{}: {}: {}", printable(m_path), at.begin.line, at.begin.column,
                            printable(field), printable(what)));
  }

  // Every key of `table` must be one of `known`; `where` names the table in messages.
  std::expected<void, std::string> only_keys(const toml::table& table, std::string_view where,
                                             std::initializer_list<std::string_view> known) const {
    for (const auto& [key, node] : table) {
      bool ok = false;
      for (std::string_view k : known) ok = ok || key.str() == k;
      if (!ok) {
        std::string field = where.empty() ? std::string(key.str()) : fmt::format("{}.{}", where, key.str());
        return fail(key.source(), field, where.empty() ? "unknown table" : "unknown key");
      }
    }
    return {};
  }

  std::expected<std::optional<std::string>, std::string> string(const toml::table& t,
                                                                 std::string_view where,
                                                                 std::string_view key) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_string()) return fail(n->source(), field(where, key), "must be a string");
    return std::string(**n->as_string());
  }

  std::expected<std::optional<bool>, std::string> boolean(const toml::table& t, std::string_view where,
                                                          std::string_view key) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_boolean()) return fail(n->source(), field(where, key), "must be true or false");
    return **n->as_boolean();
  }

  std::expected<std::optional<uint64_t>, std::string> count(const toml::table& t, std::string_view where,
                                                            std::string_view key, uint64_t max) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_integer()) return fail(n->source(), field(where, key), "must be a whole number");
    int64_t v = **n->as_integer();
    if (v < 0 || static_cast<uint64_t>(v) > max)
      return fail(n->source(), field(where, key), fmt::format("{} is out of range 0..{}", v, max));
    return static_cast<uint64_t>(v);
  }

  // A size: a string in the front door's syntax ("64MiB") or a whole number of bytes.
  std::expected<std::optional<uint64_t>, std::string> size(const toml::table& t, std::string_view where,
                                                           std::string_view key) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    std::string text;
    if (n->is_string()) text = **n->as_string();
    else if (n->is_integer() && **n->as_integer() >= 0) text = std::to_string(**n->as_integer());
    else return fail(n->source(), field(where, key), "must be a size such as \"64MiB\" or a number of bytes");
    auto v = m_parsers.size(text);
    if (!v) return fail(n->source(), field(where, key), v.error());
    return *v;
  }

  std::expected<std::optional<std::chrono::microseconds>, std::string> duration(
      const toml::table& t, std::string_view where, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_string()) return fail(n->source(), field(where, key), "must be a duration such as \"5s\" or \"500ms\"");
    auto v = m_parsers.duration(**n->as_string());
    if (!v) return fail(n->source(), field(where, key), v.error());
    return *v;
  }

  std::expected<std::vector<std::string>, std::string> strings(const toml::table& t, std::string_view where,
                                                               std::string_view key) const {
    std::vector<std::string> out;
    const toml::node* n = t.get(key);
    if (n == nullptr) return out;
    const toml::array* a = n->as_array();
    if (a == nullptr) return fail(n->source(), field(where, key), "must be an array of strings");
    for (const toml::node& e : *a) {
      if (!e.is_string()) return fail(e.source(), field(where, key), "must be an array of strings");
      out.emplace_back(**e.as_string());
    }
    return out;
  }

  const toml::table* table(const toml::table& root, std::string_view key) const {
    const toml::node* n = root.get(key);
    return n == nullptr ? nullptr : n->as_table();
  }

  static std::string field(std::string_view where, std::string_view key) {
    return where.empty() ? std::string(key) : fmt::format("{}.{}", where, key);
  }

 private:
  const std::string& m_path;
  const ValueParsers& m_parsers;
};

bool valid_env_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c == '=' || c == '\0') return false;
  return true;
}

bool valid_checksum(std::string& s) {
  if (!s.starts_with("sha256:") || s.size() != 7 + 64) return false;
  for (size_t i = 7; i < s.size(); ++i) {
    char& c = s[i];
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// A [components.NAME] name: it appears in messages and error lines.
bool is_component_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char ch : s)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) return false;
  return true;
}

// "HOST:PORT" with a numeric port (the WASI layer resolves HOST when it binds).
bool valid_host_port(std::string_view s) {
  auto colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
  std::string_view port = s.substr(colon + 1);
  if (port.size() > 5) return false;
  unsigned v = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v <= 65535;
}

// An outgoing HTTP grant: "*", a host name or address, or HOST:PORT (wsvm serve --allow-http).
bool valid_outbound(std::string_view s) {
  if (s == "*") return true;
  std::string_view host = s;
  if (s.find(':') != std::string_view::npos && !s.starts_with('[')) {
    if (!valid_host_port(s)) return false;
    host = s.substr(0, s.rfind(':'));
  }
  if (host.starts_with('[')) return host.find(']') != std::string_view::npos && (host.ends_with(']') || valid_host_port(host));
  if (host.empty()) return false;
  for (char c : host)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
  return true;
}

}  // namespace

std::vector<std::string> Manifest::granted_env() const {
  std::vector<std::string> out;
  std::set<std::string_view> allow(env_allow.begin(), env_allow.end());
  for (const auto& [k, v] : env)
    if (allow.contains(k)) out.push_back(k + "=" + v);
  return out;
}

std::vector<std::string> Manifest::denied_env() const {
  std::vector<std::string> out;
  std::set<std::string_view> allow(env_allow.begin(), env_allow.end());
  for (const auto& [k, v] : env)
    if (!allow.contains(k)) out.push_back(k);
  return out;
}

static std::string relative_to(const std::string& base, const std::string& p) {
  if (p.starts_with("/") || base.empty()) return p;
  return base + "/" + p;
}

std::string Manifest::resolve(const std::string& src) const {
  if (src.starts_with("oci:")) return "oci:" + relative_to(base_dir, src.substr(4));
  return relative_to(base_dir, src);
}

std::string Manifest::host_path(const FsGrant& g) const { return relative_to(base_dir, g.host); }

std::expected<Manifest, std::string> parse_manifest(std::string_view text, const std::string& path,
                                                    const ValueParsers& parsers) {
  Checker c(path, parsers);
  toml::parse_result parsed = toml::parse(text, std::string_view(path));
  if (!parsed) {
    const toml::parse_error& e = parsed.error();
    return Fail(fmt::format("{}:{}:{}: malformed TOML: {}", printable(path), e.source().begin.line,
                            e.source().begin.column, printable(e.description())));
  }
  const toml::table& root = parsed.table();
  if (auto ok = c.only_keys(root, "", {"container", "image", "components", "resources", "permissions", "env", "mount", "http", "scaling"}); !ok)
    return Fail(ok.error());
  for (const auto& [key, node] : root)
    if (!node.is_table()) return c.fail(key.source(), key.str(), "must be a table ([" + std::string(key.str()) + "])");

  Manifest m;
  m.path = path;
  if (auto slash = path.rfind('/'); slash != std::string::npos) m.base_dir = path.substr(0, slash == 0 ? 1 : slash);

#define TRY(var, expr)               \
  auto var = (expr);                 \
  if (!var) return Fail(var.error())

  // [container]
  if (const toml::table* t = c.table(root, "container")) {
    if (auto ok = c.only_keys(*t, "container", {"name", "version", "description"}); !ok) return Fail(ok.error());
    TRY(name, c.string(*t, "container", "name"));
    TRY(version, c.string(*t, "container", "version"));
    TRY(description, c.string(*t, "container", "description"));
    m.name = name->value_or("");
    m.version = version->value_or("");
    m.description = description->value_or("");
  }
  // An image reference: `source` (required) and `checksum` of table `t` named `field`.
  auto image_ref = [&c](const toml::table& t, const std::string& field)
      -> std::expected<std::pair<std::string, std::optional<std::string>>, std::string> {
    TRY(source, c.string(t, field, "source"));
    if (!*source || (*source)->empty()) return c.fail(t.source(), field + ".source", "missing: a .wasm path or an oci: reference");
    if ((*source)->find('\0') != std::string::npos) return c.fail(t.get("source")->source(), field + ".source", "contains a NUL byte");
    TRY(checksum, c.string(t, field, "checksum"));
    if (!*checksum) return std::pair{**source, std::optional<std::string>()};
    std::string sum = **checksum;
    if (!valid_checksum(sum))
      return c.fail(t.get("checksum")->source(), field + ".checksum", "must be \"sha256:\" followed by 64 hex digits");
    return std::pair{**source, std::optional<std::string>(sum)};
  };

  // [image]
  const toml::table* image = c.table(root, "image");
  if (image == nullptr) return c.fail(root.source(), "image", "missing: the manifest must say what to run ([image] source = \"app.wasm\")");
  if (auto ok = c.only_keys(*image, "image", {"source", "checksum", "args"}); !ok) return Fail(ok.error());
  TRY(ref, image_ref(*image, "image"));
  m.source = ref->first;
  m.checksum = ref->second;
  TRY(args, c.strings(*image, "image", "args"));
  m.args = *args;

  // [components.NAME]
  if (const toml::table* t = c.table(root, "components")) {
    for (const auto& [key, node] : *t) {
      const std::string field = "components." + std::string(key.str());
      const toml::table* comp = node.as_table();
      if (comp == nullptr) return c.fail(node.source(), field, "must be a table ([" + field + "] source = \"x.wasm\")");
      if (!is_component_name(key.str())) return c.fail(key.source(), field, "the name must be lowercase letters, digits and '-'");
      if (auto ok = c.only_keys(*comp, field, {"source", "checksum"}); !ok) return Fail(ok.error());
      TRY(linked, image_ref(*comp, field));
      m.components.push_back({std::string(key.str()), linked->first, linked->second,
                              {comp->source().begin.line, comp->source().begin.column}});
    }
  }

  // [resources]
  if (const toml::table* t = c.table(root, "resources")) {
    if (auto ok = c.only_keys(*t, "resources", {"max_memory", "max_cpu_time", "max_stack", "fuel"}); !ok) return Fail(ok.error());
    TRY(mem, c.size(*t, "resources", "max_memory"));
    TRY(cpu, c.duration(*t, "resources", "max_cpu_time"));
    TRY(stack, c.size(*t, "resources", "max_stack"));
    TRY(fuel, c.count(*t, "resources", "fuel", uint64_t(std::numeric_limits<int64_t>::max())));
    m.max_memory_bytes = *mem;
    m.max_cpu_time = *cpu;
    m.max_stack_bytes = *stack;
    m.fuel = *fuel;
  }

  // [permissions]
  std::set<std::string> granted_hosts;
  if (const toml::table* t = c.table(root, "permissions")) {
    if (auto ok = c.only_keys(*t, "permissions", {"fs", "env", "network", "clocks", "random"}); !ok) return Fail(ok.error());
    if (const toml::node* fs = t->get("fs")) {
      const toml::array* a = fs->as_array();
      if (a == nullptr) return c.fail(fs->source(), "permissions.fs", "must be an array of { path = \"...\", access = \"ro\" | \"rw\" }");
      for (const toml::node& e : *a) {
        const toml::table* g = e.as_table();
        if (g == nullptr) return c.fail(e.source(), "permissions.fs", "each entry must be { path = \"...\", access = \"ro\" | \"rw\" }");
        if (auto ok = c.only_keys(*g, "permissions.fs", {"path", "access"}); !ok) return Fail(ok.error());
        TRY(p, c.string(*g, "permissions.fs", "path"));
        if (!*p || (*p)->empty() || (*p)->find('\0') != std::string::npos)
          return c.fail(g->source(), "permissions.fs.path", "missing or empty");
        TRY(access, c.string(*g, "permissions.fs", "access"));
        std::string acc = access->value_or("ro");
        if (acc != "ro" && acc != "rw")
          return c.fail(g->get("access")->source(), "permissions.fs.access", "must be \"ro\" or \"rw\"");
        if (!granted_hosts.insert(**p).second)
          return c.fail(g->source(), "permissions.fs.path", "'" + **p + "' is granted twice");
        m.fs.push_back({**p, **p, acc == "ro", {g->source().begin.line, g->source().begin.column}});
      }
    }
    TRY(env, c.strings(*t, "permissions", "env"));
    for (const std::string& name : *env)
      if (!valid_env_name(name)) return c.fail(t->get("env")->source(), "permissions.env", "'" + name + "' is not a variable name");
    m.env_allow = *env;
    if (const toml::node* net = t->get("network")) {
      const toml::table* n = net->as_table();
      if (n == nullptr) return c.fail(net->source(), "permissions.network", "must be a table with inbound and outbound");
      if (auto ok = c.only_keys(*n, "permissions.network", {"inbound", "outbound"}); !ok) return Fail(ok.error());
      TRY(in, c.strings(*n, "permissions.network", "inbound"));
      for (const std::string& a : *in)
        if (!valid_host_port(a)) return c.fail(n->get("inbound")->source(), "permissions.network.inbound", "'" + a + "' is not HOST:PORT");
      TRY(out, c.strings(*n, "permissions.network", "outbound"));
      for (const std::string& h : *out)
        if (!valid_outbound(h))
          return c.fail(n->get("outbound")->source(), "permissions.network.outbound", "'" + h + "' is not *, HOST or HOST:PORT");
      m.inbound = *in;
      m.outbound = *out;
    }
    TRY(clocks, c.boolean(*t, "permissions", "clocks"));
    TRY(random, c.boolean(*t, "permissions", "random"));
    m.clocks = clocks->value_or(true);
    m.random = random->value_or(true);
    // The preview 1 host gives every program its clocks and random numbers; a manifest that
    // denies them would be promised an isolation that is not there, so it is refused.
    if (!m.clocks) return c.fail(t->get("clocks")->source(), "permissions.clocks", "denying clocks is not supported yet (the WASI host always provides them)");
    if (!m.random) return c.fail(t->get("random")->source(), "permissions.random", "denying random is not supported yet (the WASI host always provides it)");
  }

  // [env]
  if (const toml::table* t = c.table(root, "env")) {
    for (const auto& [key, node] : *t) {
      std::string k(key.str());
      if (!valid_env_name(k)) return c.fail(key.source(), "env", "'" + k + "' is not a variable name");
      if (!node.is_string()) return c.fail(node.source(), "env." + k, "must be a string");
      m.env[k] = **node.as_string();
    }
  }

  // [mount]: host path -> guest path, for a host path permissions.fs grants.
  if (const toml::table* t = c.table(root, "mount")) {
    for (const auto& [key, node] : *t) {
      std::string host(key.str());
      if (!node.is_string() || node.as_string()->get().empty())
        return c.fail(node.source(), "mount." + host, "must be a guest path (a non-empty string)");
      FsGrant* grant = nullptr;
      for (FsGrant& g : m.fs)
        if (g.host == host) grant = &g;
      if (grant == nullptr)
        return c.fail(key.source(), "mount." + host, "host path not granted by permissions.fs (add { path = \"" + host + "\", access = \"ro\" })");
      grant->guest = **node.as_string();
    }
  }

  // [http]
  if (const toml::table* t = c.table(root, "http")) {
    if (auto ok = c.only_keys(*t, "http", {"addr", "max_connections"}); !ok) return Fail(ok.error());
    TRY(addr, c.string(*t, "http", "addr"));
    if (!*addr) return c.fail(t->source(), "http.addr", "missing: the address to listen on (\"127.0.0.1:8080\")");
    if (!valid_host_port(**addr)) return c.fail(t->get("addr")->source(), "http.addr", "'" + **addr + "' is not HOST:PORT");
    TRY(conns, c.count(*t, "http", "max_connections", 100000));
    if (*conns && **conns == 0) return c.fail(t->get("max_connections")->source(), "http.max_connections", "must be at least 1");
    m.http_addr = **addr;
    if (*conns) m.http_max_connections = static_cast<uint32_t>(**conns);
  }

  // [scaling]
  if (const toml::table* t = c.table(root, "scaling")) {
    if (auto ok = c.only_keys(*t, "scaling", {"min_instances", "max_instances", "concurrency"}); !ok) return Fail(ok.error());
    TRY(mn, c.count(*t, "scaling", "min_instances", 100000));
    TRY(mx, c.count(*t, "scaling", "max_instances", 100000));
    TRY(conc, c.count(*t, "scaling", "concurrency", 100000));
    m.min_instances = static_cast<uint32_t>(mn->value_or(0));
    m.max_instances = static_cast<uint32_t>(mx->value_or(0));
    m.concurrency = static_cast<uint32_t>(conc->value_or(1));
    if (m.max_instances != 0 && m.min_instances > m.max_instances)
      return c.fail(t->source(), "scaling.min_instances", "is larger than scaling.max_instances");
    if (m.concurrency == 0) return c.fail(t->get("concurrency")->source(), "scaling.concurrency", "must be at least 1");
  }
#undef TRY
  return m;
}

std::expected<Manifest, std::string> load_manifest(const std::string& path, const ValueParsers& parsers) {
  // The runner's reader refuses directories, missing files and oversized inputs, one line each.
  auto bytes = runner::read_module_file(path);
  if (!bytes) return Fail(fmt::format("{}: cannot read the manifest: {}", printable(path), bytes.error().message));
  if (bytes->size() > kMaxManifestBytes)
    return Fail(fmt::format("{}: the manifest is larger than {} bytes", printable(path), kMaxManifestBytes));
  return parse_manifest(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), path, parsers);
}

}  // namespace wsvm::container
