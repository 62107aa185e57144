// The one executor of spec scripts (text::Script from text/script.hpp), shared by `wsvm wast`
// and spec-tests' wsvm-spec: runs the commands in order against one Store and one Linker (with
// the spectest host module), counts every assertion once and prints one line per failure.
// Semantics: https://github.com/WebAssembly/spec/blob/main/interpreter/README.md#scripts
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "runtime/engine.hpp"
#include "text/script.hpp"
#include "wast/skip_list.hpp"

namespace wsvm::wast {

struct RunOptions {
  bool verbose = false;           // print every failure, spectest prints, message notes
  bool stop_on_fail = false;      // stop the file at its first failure
  bool strict_messages = false;   // a load/link error with other wording is a failure
  size_t max_failure_lines = 20;  // per file, unless verbose
  const SkipList* skips = nullptr;  // entries of this file are skipped with their reason
  bool wasm2 = false;               // validate by Wasm 2.0's rules (the 2.0 spec suite)
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

// Module, module instance, register and action are not assertions: they count only when
// they fail.
bool is_assertion(text::CommandKind k);

// "assert_return invoke \"f\"(i32:1)", "module": for messages about a command.
std::string describe_command(const text::Command& c);

// Number of assertions in a script (what a crashed run failed to finish).
uint64_t count_assertions(const text::Script& script);

// Called before each command with the counts so far and the command about to run, so a
// supervising process knows where a crash happened.
using ProgressFn = std::function<void(const FileResult&, const text::Command&)>;

// `name` ("i32.wast") starts every failure line ("i32.wast:12: assert_return: ...") and
// selects the skip list's entries.
FileResult run_script(Engine& engine, const std::string& name, const text::Script& script,
                      const RunOptions& options, const ProgressFn& progress = {});

// The per-file summary line: "NAME: P passed, F failed, S skipped (N reason, ...)".
std::string summary_line(const std::string& name, const FileResult& r);

}  // namespace wsvm::wast
