// Command-line parsing for `wsvm`: turns argv into an Options value or a usage error.
#pragma once

#include <expected>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/limit_options.hpp"
#include "cli/wasi_options.hpp"
#include "runtime/engine.hpp"

namespace wsvm::cli {

enum class Command { Run, Validate, Help, Version };

struct Options {
  Command command = Command::Run;
  std::string engine = "auto";  // --engine: a name engines/registry.hpp knows, built or not
  JitCompile jit_compile = JitCompile::Default;  // --jit-compile
  std::optional<std::string> invoke;  // export to call instead of _start
  std::string module_path;
  // Bytes already read and verified (wsvm up: checked against the manifest's checksum, so
  // the file is not read a second time); module_path then only names them.
  std::optional<std::vector<uint8_t>> module_bytes;
  // wsvm up: the manifest's [components.NAME], verified like module_bytes, linked to the
  // component by interface name (runner/component_links.hpp).
  struct Linked {
    std::string name, path;
    std::vector<uint8_t> bytes;
  };
  std::vector<Linked> linked_components;
  std::vector<std::string> args;      // after the module: program ARGS or --invoke VALUES
  WasiOptions wasi;                   // --dir, --env, --tcplisten (wasi_options.hpp)
  LimitOptions limits;                // --max-memory, --max-stack, --timeout, --fuel, --stats
};

// argv[0] is skipped. The error string is the usage message (one line, no "wsvm: error: ").
std::expected<Options, std::string> parse_options(const std::vector<std::string>& argv);

const char* help_text();

}  // namespace wsvm::cli
