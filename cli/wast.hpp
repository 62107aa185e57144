// The text-format subcommands of `wsvm`: `wsvm wast` (run spec scripts) and `wsvm wat2wasm`
// (convert a .wat file to a binary module). Usage in wast.cpp.
#pragma once

#include <string>
#include <vector>

namespace wsvm::cli {

// True if args[1] names one of these subcommands.
bool is_text_command(const std::vector<std::string>& args);

// Runs `wsvm wast ...` or `wsvm wat2wasm ...`; returns the exit status.
int run_text_command(const std::vector<std::string>& args);

}  // namespace wsvm::cli
