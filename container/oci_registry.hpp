// The OCI distribution API, client side, for Wasm artifacts (oci_layout.hpp's WasmImage):
// `wsvm pull REF DIR` and `wsvm push SOURCE REF`. HTTP through libcurl; every blob pulled is
// checked against its digest and size, the manifest against the digest the registry names.
// Linked only into the companion program (libcurl has no static build in Debian), never into
// the static `wsvm`.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "container/oci_layout.hpp"

namespace wsvm::container {

// REGISTRY/REPOSITORY[:TAG] ("127.0.0.1:5000/apps/hello:v1"); the tag defaults to latest.
struct RegistryRef {
  std::string registry, repository, tag;
  // Plain HTTP for loopback registries (localhost, 127.x, [::1]) as Docker and skopeo treat
  // them; HTTPS for every other host.
  std::string base_url() const;
};
std::expected<RegistryRef, std::string> parse_registry_ref(std::string_view text);

std::expected<WasmImage, std::string> pull_image(const RegistryRef& ref);
std::expected<void, std::string> push_image(const RegistryRef& ref, const WasmImage& image);

}  // namespace wsvm::container
