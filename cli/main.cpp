// The `wsvm` command: see options.cpp (help_text) for usage and exit codes.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/companion.hpp"
#include "cli/container_commands.hpp"
#include "cli/options.hpp"
#include "cli/run.hpp"
#include "cli/wast.hpp"
#include "runner/exit_status.hpp"

#ifndef WSVM_VERSION
#define WSVM_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (wsvm::cli::is_text_command(args)) return wsvm::cli::run_text_command(args);  // wast, wat2wasm
  if (args.size() > 1 && args[1] == "up") return wsvm::cli::up_command(args);
  if (args.size() > 1 && args[1] == "inspect") return wsvm::cli::inspect_command(args);
  if (args.size() > 1 && args[1] == "build") return wsvm::cli::build_command(args);
  if (args.size() > 1 && (args[1] == "serve" || args[1] == "pull" || args[1] == "push"))
    return wsvm::cli::exec_companion("wsvm-net", args);
  auto options = wsvm::cli::parse_options(args);
  if (!options) {
    wsvm::cli::print_error(options.error());
    return wsvm::runner::kExitUsage;
  }
  switch (options->command) {
    case wsvm::cli::Command::Help:
      std::fputs(wsvm::cli::help_text(), stdout);
      return wsvm::runner::kExitOk;
    case wsvm::cli::Command::Version:
      std::puts("wsvm " WSVM_VERSION);
      return wsvm::runner::kExitOk;
    case wsvm::cli::Command::Run:
    case wsvm::cli::Command::Validate: break;
  }
  // Outgoing HTTP needs libcurl, which only the dynamically linked companion has.
  if (!options->wasi.allow_http.empty()) {
    if (args.size() < 2 || args[1] != "run") args.insert(args.begin() + 1, "run");
    return wsvm::cli::exec_companion("wsvm-net", args);
  }
  return wsvm::cli::run_command(*options);
}
