#include "cli/wasi_options.hpp"

#include <cctype>
#include <cstdlib>
#include <string>

namespace wsvm::cli {

bool is_wasi_option(std::string_view name) {
  return name == "--dir" || name == "--env" || name == "--tcplisten" || name == "--allow-http";
}

namespace {

// --allow-http's value: "*", "HOST" or "HOST:PORT" (HOST a name, IPv4 or [IPv6]); the
// reason it is not one, or empty.
std::string bad_allow_http(std::string_view v) {
  if (v == "*") return {};
  std::string_view host = v, port;
  bool v6 = v.starts_with('[');
  if (v6) {
    size_t close = v.find(']');
    if (close == std::string_view::npos || close == 1) return "an IPv6 address needs its closing ']'";
    host = v.substr(1, close - 1);
    std::string_view rest = v.substr(close + 1);
    if (!rest.empty() && (!rest.starts_with(':') || rest.size() == 1)) return "a bad port";
    if (!rest.empty()) port = rest.substr(1);
  } else if (size_t colon = v.find(':'); colon != std::string_view::npos) {
    host = v.substr(0, colon);
    port = v.substr(colon + 1);
    if (port.empty()) return "a bad port";
  }
  if (!port.empty() && (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
                        std::stoul(std::string(port)) > 65535))
    return "a bad port";
  if (host.empty()) return "no host";
  for (char c : host) {
    bool ok = v6 ? (std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')
                 : (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_');
    if (!ok) return v6 ? "not an IPv6 address" : "not a host name or address";
  }
  return {};
}

}  // namespace

std::expected<void, std::string> add_wasi_option(WasiOptions& w, std::string_view name,
                                                 const std::string& value) {
  if (name == "--dir") {
    // HOST[::GUEST][:ro]; the guest name defaults to HOST as written.
    WasiDir d;
    std::string v = value;
    if (v.size() > 3 && v.ends_with(":ro")) {
      d.read_only = true;
      v.resize(v.size() - 3);
    }
    if (auto sep = v.find("::"); sep != std::string::npos) {
      d.host = v.substr(0, sep);
      d.guest = v.substr(sep + 2);
    } else {
      d.host = d.guest = v;
    }
    if (d.host.empty() || d.guest.empty())
      return std::unexpected("--dir expects HOST[::GUEST][:ro], got '" + value + "'");
    w.dirs.push_back(std::move(d));
    return {};
  }
  if (name == "--env") {
    if (value.empty() || value.front() == '=')
      return std::unexpected("--env expects KEY=VALUE or KEY, got '" + value + "'");
    if (value.find('=') != std::string::npos) {
      w.env.push_back(value);
    } else if (const char* host = std::getenv(value.c_str())) {
      w.env.push_back(value + "=" + host);  // --env K copies K from our environment if set
    }
    return {};
  }
  if (name == "--tcplisten") {
    if (value.rfind(':') == std::string::npos || value.back() == ':')
      return std::unexpected("--tcplisten expects HOST:PORT, got '" + value + "'");
    w.tcp_listen.push_back(value);
    return {};
  }
  if (name == "--allow-http") {
    if (std::string bad = bad_allow_http(value); !bad.empty())
      return std::unexpected("--allow-http expects *, HOST or HOST:PORT, got '" + value + "': " + bad);
    w.allow_http.push_back(value);
    return {};
  }
  return std::unexpected("unknown option '" + std::string(name) + "'");
}

}  // namespace wsvm::cli
