// Executes a parsed `wsvm` command line through the runner (runner/) and returns the process
// exit status (runner/exit_status.hpp).
#pragma once

#include "cli/options.hpp"
#include "runner/runner.hpp"

namespace wsvm::cli {

int run_command(const Options& options);

// The client behind a component's wasi:http/outgoing-handler: libcurl's in wsvm-net
// (net_http_client.cpp), none in the static wsvm (static_http_client.cpp), which execs
// wsvm-net when --allow-http is given.
std::shared_ptr<wasi::p2::http::HttpClient> outgoing_http_client();

// What run_command builds from the options, for the other front doors that run modules
// (wsvm serve): the engine configuration (with the development variables), and the run
// request (limits, WASI; the timeout's overrun action ends the process).
EngineConfig engine_config(const Options& o, bool metered);
runner::RunRequest run_request(const Options& o);

// Prints `wsvm: error: MESSAGE` (one line) to stderr.
void print_error(const std::string& message);

}  // namespace wsvm::cli
