// OCI image layouts holding a Wasm artifact (the CNCF Wasm OCI artifact layout): index.json
// names manifests by tag (annotation org.opencontainers.image.ref.name); the manifest's
// config is application/vnd.wasm.config.v0+json and its one Wasm layer is application/wasm
// or application/vnd.wasm.content.layer.v1+wasm. Every blob read is checked against its
// digest and size before it is used; digests are validated before they become file names.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsvm::container {

inline constexpr std::string_view kOciManifestType = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndexType = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kWasmConfigType = "application/vnd.wasm.config.v0+json";
inline constexpr std::string_view kWasmLayerType = "application/wasm";
inline constexpr std::string_view kWasmContentLayerType = "application/vnd.wasm.content.layer.v1+wasm";

// "oci:DIR[:TAG]" split; the tag is what follows the last ':' after the last '/'.
struct OciRef {
  std::string dir;
  std::optional<std::string> tag;
};
std::optional<OciRef> parse_oci_ref(std::string_view source);  // nullopt without "oci:"

// A descriptor: what a manifest says about a blob.
struct Descriptor {
  std::string media_type, digest;
  uint64_t size = 0;
};

// The parts of an image, as a registry or a layout stores them.
struct WasmImage {
  std::vector<uint8_t> manifest;  // the manifest JSON, bytes as stored (its digest names it)
  std::vector<uint8_t> config;
  std::vector<uint8_t> wasm;
  Descriptor config_desc, layer_desc;
};

// True for a "sha256:" + 64 lowercase hex digest (safe as a file name).
bool valid_digest(std::string_view d);

// Builds the manifest and config for `wasm` (the config names the layer's digest).
WasmImage make_wasm_image(std::vector<uint8_t> wasm);

// Reads the manifest bytes: its config and Wasm layer descriptors. Errors are one phrase.
std::expected<std::pair<Descriptor, Descriptor>, std::string> parse_wasm_manifest(std::string_view json);

// The Wasm bytes of the image at `ref` (the only manifest, or the one tagged ref.tag),
// every digest verified. Errors are one line naming the layout.
std::expected<WasmImage, std::string> read_oci_layout(const OciRef& ref);

// Writes `image` into the layout at `dir` (created if needed) under `tag`, replacing an
// entry of the same tag in index.json.
std::expected<void, std::string> write_oci_layout(const std::string& dir, const std::string& tag,
                                                  const WasmImage& image);

}  // namespace wsvm::container
