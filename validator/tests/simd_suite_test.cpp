// Load-time side of the 56 simd_*.wast scripts of the spec suite, before any execution:
// every `module` command decodes and validates, every assert_invalid is Invalid and every
// binary assert_malformed is Malformed. The JSON + .wasm files come from wast2json at build
// time (meson.build); text-only assertions (module quote) are wast2json's business.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "decoder/module.hpp"
#include "validator/validate.hpp"

namespace fs = std::filesystem;
using namespace wsvm;

namespace {

// Decode + validate; nullopt when the module loads.
std::optional<Error> load_error(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (bytes.empty()) return Error{ErrorKind::Io, 0, "cannot read " + file.string()};
  auto m = decode_module(bytes);
  if (!m) return m.error();
  auto v = validate_module(**m);
  if (!v) return v.error();
  return std::nullopt;
}

struct Counts {
  int modules = 0, invalid = 0, malformed = 0;
};

}  // namespace

TEST_CASE("simd_*.wast: modules load, assert_invalid is Invalid, assert_malformed is Malformed",
          "[validator][simd][spec]") {
  const fs::path dir = SIMD_JSON_DIR;
  std::vector<fs::path> jsons;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json" && e.path().filename().string().starts_with("simd_"))
      jsons.push_back(e.path());
  std::sort(jsons.begin(), jsons.end());
  REQUIRE(jsons.size() == 56);

  Counts total;
  for (const fs::path& json_file : jsons) {
    std::ifstream in(json_file);
    const nlohmann::json script = nlohmann::json::parse(in);
    for (const auto& cmd : script.at("commands")) {
      const std::string type = cmd.at("type");
      const bool binary = cmd.value("module_type", "binary") == "binary";
      if (!cmd.contains("filename") || !binary) continue;
      const fs::path wasm = dir / cmd.at("filename").get<std::string>();
      INFO(json_file.filename().string() << " line " << cmd.value("line", 0) << " " << type);
      const std::optional<Error> err = load_error(wasm);
      if (type == "module") {
        INFO((err ? err->message : std::string()));
        CHECK_FALSE(err);
        ++total.modules;
      } else if (type == "assert_invalid") {
        REQUIRE(err);
        INFO("expected: " << cmd.value("text", "") << ", got: " << err->message);
        CHECK(err->kind == ErrorKind::Invalid);
        // Spec wording first (CONVENTIONS: messages start with the suite's text).
        CHECK(err->message.starts_with(cmd.value("text", "")));
        ++total.invalid;
      } else if (type == "assert_malformed") {
        REQUIRE(err);
        CHECK(err->kind == ErrorKind::Malformed);
        ++total.malformed;
      }
    }
  }
  // The suite's shape (wabt 1.0.33 wast2json): catches a conversion that silently lost files.
  INFO("modules " << total.modules << ", invalid " << total.invalid << ", malformed "
                  << total.malformed);
  CHECK(total.modules == 470);
  CHECK(total.invalid == 669);
  CHECK(total.malformed == 0);  // every SIMD assert_malformed of 2.0 is a text module
}
