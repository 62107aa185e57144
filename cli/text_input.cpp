#include "cli/text_input.hpp"

#include <algorithm>
#include <string_view>

#include "container/image.hpp"
#include "container/oci_layout.hpp"
#include "runner/read_file.hpp"
#include "runner/runner.hpp"
#include "text/text.hpp"

namespace wsvm::cli {

namespace {

runner::Outcome load_error(std::string message) {
  runner::Outcome o;
  o.ending = runner::Ending::LoadError;
  o.message = std::move(message);
  return o;
}

bool is_text(const std::string& path, const std::vector<uint8_t>& bytes) {
  if (bytes.size() >= 4 && std::equal(bytes.begin(), bytes.begin() + 4, "\0asm")) return false;
  if (path.ends_with(".wat")) return true;
  auto first = std::find_if(bytes.begin(), bytes.end(),
                            [](uint8_t c) { return c != ' ' && c != '\t' && c != '\n' && c != '\r'; });
  return first != bytes.end() && (*first == '(' || *first == ';');
}

}  // namespace

std::expected<std::vector<uint8_t>, runner::Outcome> read_module_input(const std::string& path) {
  if (container::parse_oci_ref(path)) {  // an OCI image layout: every digest verified on the way
    auto image = container::read_image(path, std::nullopt);
    if (!image) return std::unexpected(load_error(image.error()));
    return std::move(*image);
  }
  auto bytes = runner::read_module_file(path);
  if (!bytes) return std::unexpected(load_error(path + ": " + bytes.error().to_string()));
  if (!is_text(path, *bytes)) return std::move(*bytes);
  std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  auto binary = text::wat_to_wasm(text);
  if (!binary) {
    const text::TextError& e = binary.error();
    return std::unexpected(load_error(path + ":" + std::to_string(e.line) + ":" +
                                      std::to_string(e.column) + ": malformed: " + e.message));
  }
  return std::move(*binary);
}

runner::Outcome validate_module_input(const std::string& path) {
  auto bytes = read_module_input(path);
  if (!bytes) return bytes.error();
  return runner::validate_bytes(std::move(*bytes), path);  // a core module or a component
}

}  // namespace wsvm::cli
