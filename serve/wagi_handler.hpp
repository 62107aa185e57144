// Serving a WASI preview 1 command module over HTTP, one fresh instance per request, in the
// WAGI convention (the CGI contract as Deislabs' WAGI and Spin's wagi executor define it):
// the request is the environment (REQUEST_METHOD, PATH_INFO, QUERY_STRING, HTTP_* headers,
// ...) and stdin (the body); the response is what the module writes to stdout, CGI headers
// (`content-type: ...`, `status: 404`), a blank line, then the body.
//
// The Program is compiled once and shared; each request is a runner::Run with the limits of
// RunRequest, so a trap, a loop or a memory-hungry request ends that request only: 500 for a
// trap or a failing exit, 503 for a time or fuel limit, one log line saying which.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "runner/runner.hpp"
#include "serve/http_server.hpp"
#include "serve/scaling.hpp"

namespace wsvm::serve {

struct WagiConfig {
  std::shared_ptr<const runner::Program> program;
  runner::RunRequest base;  // limits, preopens, env (args[0] is the program name)
  uint64_t max_output_bytes = uint64_t{16} << 20;  // stdout beyond this: the write fails
  uint64_t max_log_bytes = 64 << 10;               // stderr kept for the log per request
  // One line (no newline) per event: a request that broke a limit, guest stderr lines.
  std::function<void(const std::string&)> log;
  // Called with the kind of each failed request: "trap", "timeout", "fuel", "exit",
  // "bad_output", "start" (metrics.hpp).
  std::function<void(const std::string&)> on_failure;
  std::shared_ptr<InstanceGate> gate;  // --max-instances (null: no limit)
};

Handler make_wagi_handler(WagiConfig config);

}  // namespace wsvm::serve
