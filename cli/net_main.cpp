// wsvm-net: `wsvm serve`, `wsvm pull` and `wsvm push`, which `wsvm` starts by exec
// (companion.hpp) with its own argv, so argv[1] is the command.
#include <string>
#include <vector>

#include "cli/net_commands.hpp"
#include "cli/run.hpp"
#include "runner/exit_status.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (args.size() > 1 && args[1] == "serve") return wsvm::cli::serve_main(args);
  if (args.size() > 1 && args[1] == "pull") return wsvm::cli::pull_main(args);
  if (args.size() > 1 && args[1] == "push") return wsvm::cli::push_main(args);
  wsvm::cli::print_error("wsvm-net is started by wsvm: wsvm serve | pull | push ...");
  return wsvm::runner::kExitUsage;
}
