// The bytes a manifest's [image] names: a file, or an OCI layout (oci:DIR[:TAG]), checked
// against image.checksum before anything decodes them.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "container/manifest.hpp"

namespace wsvm::container {

// The module or component bytes of `source` (a path, or oci:DIR[:TAG] with every digest
// verified), then checked against `checksum` when given. Errors are one line.
std::expected<std::vector<uint8_t>, std::string> read_image(const std::string& source,
                                                            const std::optional<std::string>& checksum);

}  // namespace wsvm::container
