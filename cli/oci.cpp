// `wsvm pull REGISTRY/REPO[:TAG] DIR` writes the image into the OCI layout DIR (tagged TAG),
// then `wsvm up` runs it through `source = "oci:DIR:TAG"`. `wsvm push SOURCE
// REGISTRY/REPO[:TAG]` sends an image: SOURCE is an OCI layout (oci:DIR[:TAG]) or a .wasm
// file, which becomes a Wasm artifact on the way (container/oci_layout.hpp).
#include <cstdio>

#include <fmt/format.h>

#include "cli/net_commands.hpp"
#include "cli/run.hpp"
#include "container/checksum.hpp"
#include "container/oci_registry.hpp"
#include "decoder/printable.hpp"
#include "runner/exit_status.hpp"
#include "runner/read_file.hpp"

namespace wsvm::cli {
namespace {

// The exit status of a failed transfer: the image could not be had or sent.
constexpr int kExitTransfer = 1;

int usage(const std::string& message) {
  print_error(message);
  return runner::kExitUsage;
}

}  // namespace

int pull_main(const std::vector<std::string>& argv) {
  if (argv.size() != 4) return usage("usage: wsvm pull REGISTRY/REPOSITORY[:TAG] DIR");
  auto ref = container::parse_registry_ref(argv[2]);
  if (!ref) return usage(ref.error());
  auto image = container::pull_image(*ref);
  if (!image) {
    print_error("pull " + printable(argv[2]) + ": " + image.error());
    return kExitTransfer;
  }
  if (auto ok = container::write_oci_layout(argv[3], ref->tag, *image); !ok) {
    print_error(ok.error());
    return kExitTransfer;
  }
  std::printf("%s: %s (%zu bytes) -> oci:%s:%s\n", printable(argv[2]).c_str(), image->layer_desc.digest.c_str(),
              image->wasm.size(), printable(argv[3]).c_str(), printable(ref->tag).c_str());
  return runner::kExitOk;
}

int push_main(const std::vector<std::string>& argv) {
  if (argv.size() != 4) return usage("usage: wsvm push oci:DIR[:TAG] | app.wasm REGISTRY/REPOSITORY[:TAG]");
  auto ref = container::parse_registry_ref(argv[3]);
  if (!ref) return usage(ref.error());
  container::WasmImage image;
  if (auto layout = container::parse_oci_ref(argv[2])) {
    auto read = container::read_oci_layout(*layout);
    if (!read) {
      print_error(read.error());
      return runner::kExitLoad;
    }
    image = std::move(*read);
  } else {
    auto bytes = runner::read_module_file(argv[2]);
    if (!bytes) {
      print_error(printable(argv[2]) + ": " + bytes.error().message);
      return runner::kExitLoad;
    }
    if (bytes->size() < 8 || (*bytes)[0] != 0 || (*bytes)[1] != 'a' || (*bytes)[2] != 's' || (*bytes)[3] != 'm') {
      print_error(printable(argv[2]) + ": not a WebAssembly binary (no \\0asm header)");
      return runner::kExitLoad;
    }
    image = container::make_wasm_image(std::move(*bytes));
  }
  if (auto ok = container::push_image(*ref, image); !ok) {
    print_error("push " + printable(argv[3]) + ": " + ok.error());
    return kExitTransfer;
  }
  std::printf("%s -> %s (manifest %s)\n", printable(argv[2]).c_str(), printable(argv[3]).c_str(),
              container::sha256_of(image.manifest).c_str());
  return runner::kExitOk;
}

}  // namespace wsvm::cli
