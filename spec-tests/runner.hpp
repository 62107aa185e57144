// Executes the commands of one spec script in order against one Store and one Linker,
// counting every assertion once and printing one line per failure.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "runtime/engine.hpp"
#include "spec-tests/json_commands.hpp"
#include "spec-tests/skip_list.hpp"

namespace wsvm::spec {

struct RunOptions {
  bool verbose = false;           // print every failure, spectest prints, message notes
  bool stop_on_fail = false;      // stop the file at its first failure
  bool strict_messages = false;   // a load/link error with other wording is a failure
  size_t max_failure_lines = 20;  // per file, unless verbose
  const SkipList* skips = nullptr;
};

struct FileResult {
  uint64_t passed = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;
  uint64_t message_mismatches = 0;  // right error kind, other wording (not failures)
  uint64_t assertions_done = 0;     // assertions finished (passed, failed or skipped)
  std::map<std::string, uint64_t> skip_reasons;
  bool stopped = false;             // stop_on_fail ended the file early
};

// "assert_return invoke \"f\"(i32:1)", "module x.0.wasm": for messages about a command.
std::string describe_command(const Command& c);

// Number of assertions in a script (what a crashed run failed to finish).
uint64_t count_assertions(const Script& script);

// Called before each command with the counts so far and the command about to run, so a
// supervising process knows where a crash happened.
using ProgressFn = std::function<void(const FileResult&, const Command&)>;

FileResult run_script(Engine& engine, const Script& script, const RunOptions& options,
                      const ProgressFn& progress = {});

}  // namespace wsvm::spec
