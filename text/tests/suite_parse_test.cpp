// Every script of the spec suites parses, every text module of assert_malformed is rejected
// with the suite's words, and no other module is rejected by the text format (a module that
// should be invalid must reach the validator). Prints counts; skipped, with the reason
// printed, when a suite is absent.
#include <catch2/catch.hpp>

#include <cstdio>

#include "text/script.hpp"
#include "text/tests/suite_util.hpp"

using namespace wsvm::text;

namespace {

void check_suite(const char* version, bool wasm2) {
  std::filesystem::path suite = testing::suite_dir(version);
  if (suite.empty()) {
    std::printf("SKIPPED: the %s suite is not present (WSVM_SPEC_SUITE)\n", version);
    return;
  }
  WatOptions options;
  options.wasm2_limits = wasm2;
  size_t files = 0, commands = 0, modules = 0, malformed_text = 0;
  for (const auto& path : testing::wast_files(suite)) {
    if (wasm2 && path.parent_path() != suite) continue;  // 2.0: proposals/ hold other versions
    INFO(path.string());
    auto script = parse_script(testing::read_file(path), options);
    if (!script) FAIL(script.error().to_string());
    ++files;
    commands += script->commands.size();
    for (const Command& c : script->commands) {
      if (!c.module) continue;
      ++modules;
      INFO("line " << c.line);
      bool text = c.module->form != ScriptModule::Form::Binary;
      if (c.kind == CommandKind::AssertMalformed && text) {
        ++malformed_text;
        REQUIRE_FALSE(c.module->binary.has_value());
        INFO("ours: " << c.module->binary.error().message);
        CHECK(c.module->binary.error().message.find(c.message) != std::string::npos);
      } else if (!c.module->binary) {
        FAIL_CHECK("rejected: " << c.module->binary.error().to_string());
      }
    }
  }
  std::printf("%s: %zu scripts parsed, %zu commands, %zu modules, %zu malformed text modules "
              "rejected with the expected message\n",
              version, files, commands, modules, malformed_text);
  CHECK(files > 100);
}

}  // namespace

TEST_CASE("every wasm-2.0 script parses, malformed text is rejected in the suite's words", "[suite]") {
  check_suite("wasm-2.0", true);
}

TEST_CASE("every wasm-3.0 script parses, malformed text is rejected in the suite's words", "[suite]") {
  check_suite("wasm-3.0", false);
}
