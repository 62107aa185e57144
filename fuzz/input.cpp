#include "fuzz/input.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace wsvm::fuzz {
namespace {

bool read_stream(std::FILE* f, std::vector<uint8_t>& out) {
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    const size_t room = kMaxInputBytes - out.size();
    out.insert(out.end(), buf, buf + std::min(n, room));
    if (out.size() >= kMaxInputBytes) break;
  }
  return !std::ferror(f);
}

bool read_path(const std::string& path, std::vector<uint8_t>& out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  const bool ok = read_stream(f, out);
  std::fclose(f);
  return ok;
}

}  // namespace

int for_each_input(int argc, char** argv,
                   const std::function<void(const std::vector<uint8_t>&, const std::string&)>& one_input) {
  if (argc < 2) {
    std::vector<uint8_t> bytes;
    if (!read_stream(stdin, bytes)) return 2;
    one_input(bytes, "<stdin>");
    return 0;
  }
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::vector<std::string> paths;
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        if (entry.is_regular_file(ec)) paths.push_back(entry.path().string());
      }
      std::sort(paths.begin(), paths.end());  // a stable order makes failures reproducible
    } else {
      paths.push_back(arg.string());
    }
    for (const std::string& p : paths) {
      std::vector<uint8_t> bytes;
      if (!read_path(p, bytes)) {
        std::fprintf(stderr, "fuzz: cannot read %s\n", p.c_str());
        return 2;
      }
      one_input(bytes, p);
    }
  }
  return 0;
}

}  // namespace wsvm::fuzz
