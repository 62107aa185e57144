// Executes a parsed `wsvm` command line and returns the process exit status (exit_codes.hpp).
#pragma once

#include "cli/options.hpp"

namespace wsvm::cli {

int run_command(const Options& options);

// Prints `wsvm: error: MESSAGE` (one line) to stderr.
void print_error(const std::string& message);

}  // namespace wsvm::cli
