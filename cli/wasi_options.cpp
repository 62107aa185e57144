#include "cli/wasi_options.hpp"

#include <cstdlib>

namespace wsvm::cli {

bool is_wasi_option(std::string_view name) {
  return name == "--dir" || name == "--env" || name == "--tcplisten";
}

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
  return std::unexpected("unknown option '" + std::string(name) + "'");
}

}  // namespace wsvm::cli
