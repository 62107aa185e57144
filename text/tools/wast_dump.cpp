// wsvm-wast-dump FILE.wast...: parses spec scripts and prints, per file, the number of
// commands and of modules the text format rejected (with the first such error), or the
// script's syntax error. `--write DIR` also writes every module's binary as DIR/NAME.N.wasm
// (for comparisons with wast2json's output). `--wasm2`: WatOptions::wasm2_limits.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "text/script.hpp"

int main(int argc, char** argv) {
  const char* dir = nullptr;
  wsvm::text::WatOptions options;
  int files = 0, failed_files = 0;
  size_t commands = 0, modules = 0, rejected = 0;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--wasm2")) {
      options.wasm2_limits = true;
      continue;
    }
    if (!std::strcmp(argv[i], "--write") && i + 1 < argc) {
      dir = argv[++i];
      continue;
    }
    std::ifstream f(argv[i], std::ios::binary);
    std::string src((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    ++files;
    auto script = wsvm::text::parse_script(src, options);
    if (!script) {
      ++failed_files;
      std::printf("%s: error %s\n", argv[i], script.error().to_string().c_str());
      continue;
    }
    size_t m = 0, bad = 0, n = 0;
    std::string first;
    for (const auto& c : script->commands) {
      if (!c.module) continue;
      // A text module of assert_malformed must be rejected here, with the expected words.
      if (c.kind == wsvm::text::CommandKind::AssertMalformed &&
          c.module->form != wsvm::text::ScriptModule::Form::Binary) {
        if (c.module->binary)
          std::printf("%s:%u: accepted, expected \"%s\"\n", argv[i], c.line, c.message.c_str());
        else if (c.module->binary.error().message.find(c.message) == std::string::npos)
          std::printf("%s:%u: \"%s\", expected \"%s\"\n", argv[i], c.line,
                      c.module->binary.error().message.c_str(), c.message.c_str());
      }
      ++m;
      if (!c.module->binary) {
        ++bad;
        if (first.empty() && c.kind != wsvm::text::CommandKind::AssertMalformed)
          first = "line " + std::to_string(c.line) + ": " + c.module->binary.error().to_string();
      } else if (dir) {
        std::string name = std::filesystem::path(argv[i]).stem().string() + "." + std::to_string(n++) + ".wasm";
        std::ofstream o(std::filesystem::path(dir) / name, std::ios::binary);
        o.write(reinterpret_cast<const char*>(c.module->binary->data()),
                static_cast<std::streamsize>(c.module->binary->size()));
      }
    }
    commands += script->commands.size();
    modules += m;
    rejected += bad;
    std::printf("%s: %zu commands, %zu modules, %zu rejected by the text format%s%s\n", argv[i],
                script->commands.size(), m, bad, first.empty() ? "" : "; not in assert_malformed: ",
                first.c_str());
  }
  std::printf("total: %d files (%d failed to parse), %zu commands, %zu modules, %zu rejected\n",
              files, failed_files, commands, modules, rejected);
  return failed_files ? 1 : 0;
}
