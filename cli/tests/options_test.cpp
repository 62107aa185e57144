#include <catch2/catch.hpp>

#include "cli/options.hpp"

using namespace wsvm::cli;

namespace {
std::expected<Options, std::string> parse(std::vector<std::string> a) {
  a.insert(a.begin(), "wsvm");
  return parse_options(a);
}
}  // namespace

TEST_CASE("a bare module runs it", "[cli]") {
  auto o = parse({"m.wasm", "a", "-b", "--c"});
  REQUIRE(o);
  CHECK(o->command == Command::Run);
  CHECK(o->module_path == "m.wasm");
  CHECK(o->args == std::vector<std::string>{"a", "-b", "--c"});
  CHECK_FALSE(o->invoke);
}

TEST_CASE("run and --invoke, values after the module are not options", "[cli]") {
  for (auto argv : {std::vector<std::string>{"run", "--invoke", "fac", "m.wasm", "-1", "--x"},
                    std::vector<std::string>{"--invoke=fac", "m.wasm", "-1", "--x"}}) {
    auto o = parse(argv);
    REQUIRE(o);
    CHECK(o->command == Command::Run);
    CHECK(o->invoke == std::optional<std::string>("fac"));
    CHECK(o->args == std::vector<std::string>{"-1", "--x"});
  }
}

TEST_CASE("--engine", "[cli]") {
  CHECK(parse({"--engine", "interp", "m.wasm"})->engine == "interp");
  CHECK(parse({"--engine=auto", "m.wasm"})->engine == "auto");
  CHECK(parse({"--engine", "jit", "m.wasm"})->engine == "jit");
  CHECK_FALSE(parse({"--engine", "fast", "m.wasm"}));
  CHECK_FALSE(parse({"m.wasm", "--engine"}).value().args.empty());
  CHECK_FALSE(parse({"--engine"}));
}

TEST_CASE("validate", "[cli]") {
  auto o = parse({"validate", "m.wasm"});
  REQUIRE(o);
  CHECK(o->command == Command::Validate);
  CHECK(o->module_path == "m.wasm");
  CHECK_FALSE(parse({"validate", "m.wasm", "extra"}));
  CHECK_FALSE(parse({"validate", "--invoke", "f", "m.wasm"}));
  CHECK_FALSE(parse({"validate"}));
}

TEST_CASE("help and version", "[cli]") {
  CHECK(parse({"--help"})->command == Command::Help);
  CHECK(parse({"-h"})->command == Command::Help);
  CHECK(parse({"help"})->command == Command::Help);
  CHECK(parse({"run", "--help"})->command == Command::Help);
  CHECK(parse({"--version"})->command == Command::Version);
  CHECK(parse({"-V"})->command == Command::Version);
  std::string help = help_text();
  CHECK(help.find("--invoke") != std::string::npos);
  CHECK(help.find("Exit status") != std::string::npos);
}

TEST_CASE("usage errors", "[cli]") {
  CHECK_FALSE(parse({}));
  CHECK_FALSE(parse({"--bogus", "m.wasm"}));
  CHECK_FALSE(parse({"--invoke"}));
  CHECK_FALSE(parse({"--invoke", "f"}));  // no module
  CHECK_FALSE(parse({"--invoke=", "m.wasm"}));
  auto e = parse({"--bogus", "m.wasm"});
  CHECK(e.error().find("--bogus") != std::string::npos);
}

TEST_CASE("-- ends options", "[cli]") {
  auto o = parse({"--", "--weird-name.wasm", "x"});
  REQUIRE(o);
  CHECK(o->module_path == "--weird-name.wasm");
  CHECK(o->args == std::vector<std::string>{"x"});
}
