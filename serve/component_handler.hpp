// Serving a component that exports wasi:http/incoming-handler@0.2.x (the wasi:http/proxy
// world), one fresh instance per request: each request is a runner::Run of the one Program
// (core modules compiled once), on a worker thread (serve/worker_pool.hpp) with a machine
// stack sized for the limits, so the request body can stream into the guest while it arrives and the response
// body stream out while the guest writes it (chunked when the guest declares no
// content-length).
//
// The limits of RunRequest apply per request: a trap, a timeout, running out of fuel or
// memory ends that request only: 500 (trap, no response, an error-code from the guest) or
// 503 (time, fuel) with one log line, or, once the response has started, a cut-off body.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "runner/runner.hpp"
#include "serve/http_server.hpp"
#include "serve/scaling.hpp"
#include "serve/worker_pool.hpp"

namespace wsvm::serve {

struct ComponentHandlerConfig {
  std::shared_ptr<const runner::Program> program;
  runner::RunRequest base;                  // limits, preopens, env, outgoing HTTP grants
  size_t stack_bytes = size_t{8} << 20;     // each worker thread's machine stack
  unsigned workers = 0;  // worker threads kept between requests (0: default_worker_count())
  // The longest the response waits for the guest's next body bytes before it is cut off.
  std::chrono::milliseconds body_stall{30000};
  std::function<void(const std::string&)> log;         // one line per event, no newline
  std::function<void(const std::string&)> on_failure;  // kinds as in wagi_handler.hpp
  uint64_t max_log_bytes = 64 << 10;    // the guest's stdout and stderr kept for the log
  std::shared_ptr<InstanceGate> gate;  // --max-instances (null: no limit)
};

// The incoming-handler export's name (`wasi:http/incoming-handler@0.2.N#handle`) of a
// component Program, or an error line saying why it cannot serve HTTP.
std::expected<std::string, std::string> http_handler_export(const runner::Program& program);

StreamingHandler make_component_handler(ComponentHandlerConfig config);

}  // namespace wsvm::serve
