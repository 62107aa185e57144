// Runs one script in a child process, so a crash or a hang of the engine fails that file
// (with the assertions it did not reach counted as failed) instead of ending the whole run.
#pragma once

#include <string>

#include "runtime/engine.hpp"
#include "wast/script_runner.hpp"

namespace wsvm::spec {

struct IsolatedResult {
  wast::FileResult result;
  std::string abnormal;  // non-empty: how the child ended ("crashed with signal 11 ...")
};

// `timeout_seconds` 0 means no limit.
IsolatedResult run_script_isolated(Engine& engine, const std::string& name, const text::Script& script,
                                   const wast::RunOptions& options, unsigned timeout_seconds);

}  // namespace wsvm::spec
