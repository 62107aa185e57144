// WASI command-line options (--dir, --env, --tcplisten, --allow-http): parsing (part of the cli core
// library, no WASI dependency); run.cpp turns them into the runner's wasi::WasiConfig.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace wsvm::cli {

struct WasiDir {
  std::string host;
  std::string guest;
  bool read_only = false;
};

struct WasiOptions {
  std::vector<WasiDir> dirs;            // --dir HOST[::GUEST][:ro]
  std::vector<std::string> env;         // --env K=V, or --env K resolved from the host env
  std::vector<std::string> tcp_listen;  // --tcplisten HOST:PORT
  std::vector<std::string> allow_http;  // --allow-http HOST[:PORT]|*: a component's outgoing HTTP
  bool inherit_network = false;          // --inherit-network: a component's wasi:sockets reach the host's network
};

// True for the options handled here (each takes a value).
bool is_wasi_option(std::string_view name);
// Adds one option; the error is a one-line usage message.
std::expected<void, std::string> add_wasi_option(WasiOptions& w, std::string_view name,
                                                 const std::string& value);

}  // namespace wsvm::cli
