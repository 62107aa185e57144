// `wsvm wast` and `wsvm wat2wasm` (see wast.hpp). `wsvm wast` parses each script with text/ and
// runs it with wast/'s executor, the same code as the spec suite's runner (spec-tests/), in
// this process, one Store per file.
#include "cli/wast.hpp"

#include <cstdio>
#include <string_view>

#include <fmt/format.h>

#include "decoder/module.hpp"
#include "engines/registry.hpp"
#include "runner/exit_status.hpp"
#include "text/script.hpp"
#include "text/text.hpp"
#include "validator/validate.hpp"
#include "wast/script_file.hpp"
#include "wast/script_runner.hpp"

namespace wsvm::cli {

namespace {

constexpr const char* kWastUsage =
    "usage: wsvm wast [OPTIONS] FILE.wast...\n"
    "Runs WebAssembly spec scripts: every command (module, register, invoke, get, assert_*),\n"
    "with the spectest host module. Prints a line per failure and per file, then the total\n"
    "`N passed, N failed, N skipped`; exit status 1 if anything failed.\n"
    "  --engine ENGINE     auto (default), interp or jit\n"
    "  --wasm2             read 32-bit limits and offsets as the Wasm 2.0 text format did\n"
    "                      (for the wasm-2.0 spec scripts)\n"
    "  --verbose           print every failure, message notes and spectest prints\n"
    "  --stop-on-fail      stop at the first failure\n";

constexpr const char* kWat2wasmUsage =
    "usage: wsvm wat2wasm FILE.wat [-o OUT.wasm] [--no-names]\n"
    "Converts a text module to a binary module (validated; nothing is written if it is not\n"
    "valid). OUT defaults to FILE with the extension .wasm; `-o -` writes to stdout.\n"
    "  --no-names          no name section (function names for backtraces)\n";

int usage_error(const std::string& message, const char* usage) {
  fmt::print(stderr, "wsvm: {}\n{}", message, usage);
  return runner::kExitUsage;
}

int run_wast(const std::vector<std::string>& args) {
  std::string engine_name = "auto";
  text::WatOptions wat;
  wast::RunOptions options;
  std::vector<std::string> files;
  for (size_t i = 2; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kWastUsage, stdout);
      return runner::kExitOk;
    }
    if (a == "--engine") {
      if (i + 1 >= args.size()) return usage_error("--engine needs a value", kWastUsage);
      engine_name = args[++i];
    } else if (a.starts_with("--engine=")) {
      engine_name = a.substr(9);
    } else if (a == "--wasm2") {
      wat.wasm2_limits = true;
    } else if (a == "--verbose" || a == "-v") {
      options.verbose = true;
    } else if (a == "--stop-on-fail") {
      options.stop_on_fail = true;
    } else if (a.starts_with("-") && a != "-") {
      return usage_error("unknown option " + a, kWastUsage);
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) return usage_error("wast needs at least one script", kWastUsage);
  auto engine = make_engine(engine_name);
  if (!engine) return usage_error(engine.error(), kWastUsage);

  uint64_t passed = 0, failed = 0, skipped = 0;
  for (const std::string& file : files) {
    auto script = wast::load_script(file, file, wat);
    if (script) {
      wast::FileResult r = wast::run_script(**engine, file, *script, options);
      fmt::print("{}\n", wast::summary_line(file, r));
      passed += r.passed;
      failed += r.failed;
      skipped += r.skipped;
      if (options.stop_on_fail && r.failed > 0) break;
      continue;
    }
    // A script that cannot be read or parsed is one failure: FILE:LINE:COLUMN: message.
    fmt::print("{}\n{}: 0 passed, 1 failed, 0 skipped\n", script.error(), file);
    ++failed;
    if (options.stop_on_fail) break;
  }
  fmt::print("{} passed, {} failed, {} skipped\n", passed, failed, skipped);
  std::fflush(stdout);
  return failed > 0 ? 1 : runner::kExitOk;
}

int run_wat2wasm(const std::vector<std::string>& args) {
  std::string input, output;
  text::WatOptions wat;
  for (size_t i = 2; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kWat2wasmUsage, stdout);
      return runner::kExitOk;
    }
    if (a == "-o") {
      if (i + 1 >= args.size()) return usage_error("-o needs a file", kWat2wasmUsage);
      output = args[++i];
    } else if (a == "--no-names") {
      wat.names = false;
    } else if (a.starts_with("-")) {
      return usage_error("unknown option " + a, kWat2wasmUsage);
    } else if (input.empty()) {
      input = a;
    } else {
      return usage_error("wat2wasm takes one file", kWat2wasmUsage);
    }
  }
  if (input.empty()) return usage_error("wat2wasm needs a .wat file", kWat2wasmUsage);
  if (output.empty()) {
    const size_t dot = input.rfind('.');
    const size_t slash = input.rfind('/');
    const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
    output = (has_ext ? input.substr(0, dot) : input) + ".wasm";
  }
  auto source = wast::read_text_file(input);
  if (!source) {
    fmt::print(stderr, "wsvm: {}\n", source.error());
    return runner::kExitLoad;
  }
  auto binary = text::wat_to_wasm(*source, wat);
  if (!binary) {
    fmt::print(stderr, "wsvm: {}:{}\n", input, binary.error().to_string());
    return runner::kExitLoad;
  }
  auto module = decode_module(std::span<const uint8_t>(*binary));
  Result<void> valid = module ? validate_module(**module) : Result<void>(std::unexpected(module.error()));
  if (!valid) {
    fmt::print(stderr, "wsvm: {}: {}\n", input, valid.error().to_string());
    return runner::kExitLoad;
  }
  const bool to_stdout = output == "-";
  std::FILE* out = to_stdout ? stdout : std::fopen(output.c_str(), "wb");
  if (!out) {
    fmt::print(stderr, "wsvm: {}: cannot create the file\n", output);
    return runner::kExitLoad;
  }
  const bool written = std::fwrite(binary->data(), 1, binary->size(), out) == binary->size();
  const bool closed = to_stdout ? std::fflush(out) == 0 : std::fclose(out) == 0;
  if (!written || !closed) {
    fmt::print(stderr, "wsvm: {}: cannot write the file\n", output);
    return runner::kExitLoad;
  }
  return runner::kExitOk;
}

}  // namespace

bool is_text_command(const std::vector<std::string>& args) {
  return args.size() >= 2 && (args[1] == "wast" || args[1] == "wat2wasm");
}

int run_text_command(const std::vector<std::string>& args) {
  return args[1] == "wast" ? run_wast(args) : run_wat2wasm(args);
}

}  // namespace wsvm::cli
