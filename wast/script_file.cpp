// Reading scripts from files (see script_file.hpp).
#include "wast/script_file.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace wsvm::wast {

std::expected<std::string, std::string> read_text_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return std::unexpected(fmt::format("{}: is a directory", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(fmt::format("{}: cannot open the file", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::unexpected(fmt::format("{}: cannot read the file", path));
  return std::move(text).str();
}

std::expected<text::Script, std::string> load_script(const std::string& path, const std::string& name,
                                                     const text::WatOptions& options) {
  auto source = read_text_file(path);
  if (!source) return std::unexpected(source.error());
  auto script = text::parse_script(*source, options);
  if (!script) return std::unexpected(fmt::format("{}:{}", name, script.error().to_string()));
  return std::move(*script);
}

}  // namespace wsvm::wast
