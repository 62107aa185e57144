// wsvm-net: `wsvm serve`, `wsvm pull`, `wsvm push` and `wsvm run --allow-http`, which `wsvm` starts by exec
// (companion.hpp) with its own argv, so argv[1] is the command.
#include <string>
#include <vector>

#include "cli/net_commands.hpp"
#include "cli/options.hpp"
#include "cli/run.hpp"
#include "runner/exit_status.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (args.size() > 1 && args[1] == "serve") return wsvm::cli::serve_main(args);
  if (args.size() > 1 && args[1] == "pull") return wsvm::cli::pull_main(args);
  if (args.size() > 1 && args[1] == "push") return wsvm::cli::push_main(args);
  if (args.size() > 1 && args[1] == "run") {  // `wsvm run --allow-http ...`: with an HTTP client
    auto options = wsvm::cli::parse_options(args);
    if (!options) {
      wsvm::cli::print_error(options.error());
      return wsvm::runner::kExitUsage;
    }
    return wsvm::cli::run_command(*options);
  }
  wsvm::cli::print_error("wsvm-net is started by wsvm: wsvm serve | pull | push | run --allow-http ...");
  return wsvm::runner::kExitUsage;
}
