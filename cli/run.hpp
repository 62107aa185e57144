// Executes a parsed `wsvm` command line through the runner (runner/) and returns the process
// exit status (runner/exit_status.hpp).
#pragma once

#include "cli/options.hpp"

namespace wsvm::cli {

int run_command(const Options& options);

// Prints `wsvm: error: MESSAGE` (one line) to stderr.
void print_error(const std::string& message);

}  // namespace wsvm::cli
