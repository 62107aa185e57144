// `wsvm build SOURCE oci:DIR[:TAG]`: a module or component (binary or text), or the image a
// wcontainer.toml names (its checksum verified), validated and written as a Wasm artifact into
// the OCI image layout DIR under TAG (default `latest`). `wsvm run oci:DIR:TAG`, a manifest's
// `source = "oci:DIR:TAG"` and `wsvm push oci:DIR:TAG REGISTRY/REPO` then take it.
#include <cstdio>

#include "cli/container_commands.hpp"
#include "cli/run.hpp"
#include "cli/text_input.hpp"
#include "container/image.hpp"
#include "container/oci_layout.hpp"
#include "decoder/printable.hpp"
#include "runner/exit_status.hpp"

namespace wsvm::cli {

namespace {

constexpr const char* kBuildUsage = "usage: wsvm build app.wasm | app.wat | wcontainer.toml oci:DIR[:TAG]";

// The bytes to package: a manifest's verified image, or a module file (text converted).
std::expected<std::vector<uint8_t>, std::string> source_bytes(const std::string& source) {
  if (source.ends_with(".toml")) {
    auto manifest = container::load_manifest(source, manifest_value_parsers());
    if (!manifest) return std::unexpected(manifest.error());
    return container::read_image(manifest->source_path(), manifest->checksum);
  }
  auto bytes = read_module_input(source);
  if (!bytes) return std::unexpected(bytes.error().message);
  return std::move(*bytes);
}

}  // namespace

int build_command(const std::vector<std::string>& argv) {
  if (argv.size() == 3 && (argv[2] == "--help" || argv[2] == "-h")) {
    std::puts(kBuildUsage);
    return runner::kExitOk;
  }
  if (argv.size() != 4) {
    print_error(kBuildUsage);
    return runner::kExitUsage;
  }
  const std::string& source = argv[2];
  auto target = container::parse_oci_ref(argv[3]);
  if (!target || target->dir.empty()) {
    print_error("build: the target must be oci:DIR[:TAG], not '" + printable(argv[3]) + "'");
    return runner::kExitUsage;
  }
  auto bytes = source_bytes(source);
  if (!bytes) {
    print_error(bytes.error());
    return runner::kExitLoad;
  }
  // Only a module or component that validates becomes an image.
  runner::Outcome checked = runner::validate_bytes(*bytes, source);
  if (checked.ending != runner::Ending::Returned) {
    print_error(checked.message);
    return runner::kExitLoad;
  }
  const std::string tag = target->tag.value_or("latest");
  const container::WasmImage image = container::make_wasm_image(std::move(*bytes));
  if (auto ok = container::write_oci_layout(target->dir, tag, image); !ok) {
    print_error(ok.error());
    return runner::kExitLoad;
  }
  std::printf("%s -> oci:%s:%s (layer %s, %zu bytes)\n", printable(source).c_str(), printable(target->dir).c_str(),
              printable(tag).c_str(), image.layer_desc.digest.c_str(), image.wasm.size());
  return runner::kExitOk;
}

}  // namespace wsvm::cli
