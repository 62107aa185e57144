#include "container/image.hpp"

#include <fmt/format.h>

#include "container/checksum.hpp"
#include "container/oci_layout.hpp"
#include "decoder/printable.hpp"
#include "runner/read_file.hpp"

namespace wsvm::container {

std::expected<std::vector<uint8_t>, std::string> read_image(const std::string& source,
                                                            const std::optional<std::string>& checksum) {
  std::vector<uint8_t> bytes;
  if (auto ref = parse_oci_ref(source)) {
    auto img = read_oci_layout(*ref);
    if (!img) return std::unexpected(img.error());
    bytes = std::move(img->wasm);
  } else {
    auto read = runner::read_module_file(source);
    if (!read) return std::unexpected(fmt::format("{}: {}", printable(source), read.error().message));
    bytes = std::move(*read);
  }
  if (checksum) {
    if (auto ok = verify_digest(bytes, *checksum); !ok)
      return std::unexpected(fmt::format("{}: {}", printable(source), ok.error()));
  }
  return bytes;
}

}  // namespace wsvm::container
