// Helpers of the suite-driven text tests: where the spec suite is, and file reading.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace wsvm::text::testing {

// The folder of the official suite's scripts (WSVM_SPEC_SUITE: meson sets it to what
// scripts/suite_path.sh found), or empty.
inline std::filesystem::path suite_dir(const char* version) {
  const char* root = std::getenv("WSVM_SPEC_SUITE");
  if (!root) return {};
  std::filesystem::path p = std::filesystem::path(root) / version;
  return std::filesystem::is_directory(p) ? p : std::filesystem::path{};
}

// The .wast files of a folder and its subfolders, sorted.
inline std::vector<std::filesystem::path> wast_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.path().extension() == ".wast") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

}  // namespace wsvm::text::testing
