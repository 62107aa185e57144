// wsvm-spec: runs the .wast scripts of the official spec suite (parsed by text/, executed by
// wast/, each file in a child process).
//   wsvm-spec [OPTIONS] FILE.wast...
// Prints `NAME.wast: P passed, F failed, S skipped` per file and ends with the exact line
// `N passed, N failed, N skipped`. Exit status 1 if anything failed, 2 on usage errors.
// spec-tests/run wraps this (build, file selection, the suite's skip list).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engines/registry.hpp"
#include "spec-tests/file_process.hpp"
#include "wast/script_file.hpp"
#include "wast/script_runner.hpp"
#include "wast/skip_list.hpp"

namespace {

using namespace wsvm;
using namespace wsvm::spec;
using namespace wsvm::wast;

constexpr const char* kUsage =
    "usage: wsvm-spec [OPTIONS] FILE.wast...\n"
    "  --engine interp|jit    execution tier (default interp)\n"
    "  --jit-compile MODE     eager, parallel or lazy (default: $WSVM_JIT_COMPILE, else the\n"
    "                         JIT's default)\n"
    "  --verbose              print every failure, message notes and spectest prints\n"
    "  --stop-on-fail         stop at the first failure\n"
    "  --wasm2                read 32-bit limits and offsets as the Wasm 2.0 text format does\n"
    "                         and validate by 2.0's rules (the wasm-2.0 suite; text/README.md)\n"
    "  --strict-messages      a load/link error of the right kind but other wording fails\n"
    "  --max-fail-lines N     failure lines per file (default 20; --verbose: all)\n"
    "  --filter TEXT          only files whose name contains TEXT (repeatable)\n"
    "  --skip-list FILE       skip list (default: none)\n"
    "  --timeout SECONDS      per file, 0 = none (default 300)\n"
    "  --no-fork              run files in this process (for debuggers)\n"
    "  --suite-root DIR       name files under DIR by their path below it (legacy/throw.wast),\n"
    "                         in output and skip list alike; other files by their file name\n";

struct Options {
  std::string engine = "interp";
  std::string jit_compile;  // empty: $WSVM_JIT_COMPILE, else the JIT's default
  RunOptions run;
  std::vector<std::string> filters;
  std::string skip_list;
  unsigned timeout = 300;
  bool fork = true;
  bool wasm2 = false;
  std::string suite_root;
  std::vector<std::string> files;
};

bool parse_unsigned(const char* s, unsigned long& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtoul(s, &end, 10);
  return errno == 0 && end != s && *end == '\0' && s[0] != '-';
}

// Returns an exit status >= 0 when the program should end right away.
int parse_args(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) return nullptr;
      return argv[++i];
    };
    if (a == "--help" || a == "-h") { std::fputs(kUsage, stdout); return 0; }
    if (a == "--verbose" || a == "-v") { o.run.verbose = true; continue; }
    if (a == "--stop-on-fail") { o.run.stop_on_fail = true; continue; }
    if (a == "--strict-messages") { o.run.strict_messages = true; continue; }
    if (a == "--no-fork") { o.fork = false; continue; }
    if (a == "--wasm2") { o.wasm2 = o.run.wasm2 = true; continue; }
    if (a == "--engine" || a == "--jit-compile" || a == "--filter" || a == "--skip-list" ||
        a == "--max-fail-lines" || a == "--timeout" || a == "--suite-root") {
      const char* v = value();
      if (!v) { fmt::print(stderr, "wsvm-spec: {} needs a value\n{}", a, kUsage); return 2; }
      unsigned long n = 0;
      if (a == "--engine") o.engine = v;
      else if (a == "--jit-compile") o.jit_compile = v;
      else if (a == "--filter") o.filters.push_back(v);
      else if (a == "--skip-list") o.skip_list = v;
      else if (a == "--suite-root") o.suite_root = v;
      else if (!parse_unsigned(v, n)) { fmt::print(stderr, "wsvm-spec: {}: not a number: {}\n", a, v); return 2; }
      else if (a == "--max-fail-lines") o.run.max_failure_lines = n;
      else o.timeout = static_cast<unsigned>(n);
      continue;
    }
    if (a.starts_with("-")) { fmt::print(stderr, "wsvm-spec: unknown option {}\n{}", a, kUsage); return 2; }
    o.files.push_back(a);
  }
  return -1;
}

// "i32.wast", or "legacy/throw.wast" for a file below --suite-root.
std::string script_name(const Options& o, const std::string& file) {
  namespace fs = std::filesystem;
  if (!o.suite_root.empty()) {
    std::error_code ec;
    const fs::path rel = fs::relative(fs::absolute(file, ec), fs::absolute(o.suite_root, ec), ec);
    if (!ec && !rel.empty() && *rel.begin() != "..") return rel.generic_string();
  }
  return fs::path(file).filename().string();
}

bool selected(const Options& o, const std::string& name) {
  if (o.filters.empty()) return true;
  for (const auto& f : o.filters)
    if (name.find(f) != std::string::npos) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (int status = parse_args(argc, argv, o); status >= 0) return status;
  // The spec suite runs every JIT compile mode through $WSVM_JIT_COMPILE (jit/README.md);
  // the engines read no environment, so this front door does.
  EngineConfig config;
  if (o.jit_compile.empty()) {
    if (const char* env = std::getenv("WSVM_JIT_COMPILE")) o.jit_compile = env;
  }
  if (!o.jit_compile.empty()) {
    auto mode = parse_jit_compile(o.jit_compile);
    if (!mode) {
      fmt::print(stderr, "wsvm-spec: unknown jit compile mode \"{}\" (eager, parallel, lazy)\n",
                 o.jit_compile);
      return 2;
    }
    config.jit_compile = *mode;
  }
  auto made = make_engine(o.engine, config);
  if (!made) {
    fmt::print(stderr, "wsvm-spec: {}\n", made.error());
    return 2;
  }
  std::unique_ptr<Engine> engine = std::move(*made);
  if (o.files.empty()) { std::fputs(kUsage, stderr); return 2; }

  SkipList skips;
  if (!o.skip_list.empty()) {
    auto loaded = SkipList::load(o.skip_list);
    if (!loaded) { fmt::print(stderr, "wsvm-spec: {}\n", loaded.error()); return 2; }
    skips = std::move(*loaded);
  }
  o.run.skips = &skips;

  text::WatOptions wat;
  wat.wasm2_limits = o.wasm2;
  uint64_t passed = 0, failed = 0, skipped = 0;
  for (const std::string& file : o.files) {
    const std::string name = script_name(o, file);
    if (!selected(o, name)) continue;
    // A script that cannot be read or parsed is one failure: NAME:LINE:COLUMN: message.
    auto script = load_script(file, name, wat);
    if (!script) {
      fmt::print("{}\n", script.error());
      fmt::print("{}: 0 passed, 1 failed, 0 skipped\n", name);
      ++failed;
      if (o.run.stop_on_fail) break;
      continue;
    }
    FileResult r;
    if (o.fork) {
      IsolatedResult ir = run_script_isolated(*engine, name, *script, o.run, o.timeout);
      if (!ir.abnormal.empty()) fmt::print("{}: {}\n", name, ir.abnormal);
      r = std::move(ir.result);
    } else {
      r = run_script(*engine, name, *script, o.run);
    }
    fmt::print("{}\n", summary_line(name, r));
    std::fflush(stdout);
    passed += r.passed;
    failed += r.failed;
    skipped += r.skipped;
    if (o.run.stop_on_fail && r.failed > 0) break;
  }
  // Only the skip list skips anything.
  if (skipped > 0) fmt::print("skip list ({}): {} skipped\n", o.skip_list, skipped);
  fmt::print("{} passed, {} failed, {} skipped\n", passed, failed, skipped);
  return failed > 0 ? 1 : 0;
}
