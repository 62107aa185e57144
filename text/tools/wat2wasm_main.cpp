// wsvm-wat2wasm FILE.wat [-o OUT.wasm] [--no-names] [--repeat N]: the text part on its own,
// for tests, fuzzing seeds and speed measurements (--repeat parses N times and prints MB/s).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "text/text.hpp"

int main(int argc, char** argv) {
  const char* in = nullptr;
  const char* out = nullptr;
  int repeat = 0;
  wsvm::text::WatOptions options;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
    else if (!std::strcmp(argv[i], "--no-names")) options.names = false;
    else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = std::atoi(argv[++i]);
    else in = argv[i];
  }
  if (!in) {
    std::fprintf(stderr, "usage: wsvm-wat2wasm FILE.wat [-o OUT.wasm] [--no-names] [--repeat N]\n");
    return 2;
  }
  std::ifstream f(in, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "error: cannot read %s\n", in);
    return 2;
  }
  std::string src;
  f.seekg(0, std::ios::end);
  src.resize(static_cast<size_t>(f.tellg()));
  f.seekg(0);
  f.read(src.data(), static_cast<std::streamsize>(src.size()));
  auto t0 = std::chrono::steady_clock::now();
  auto bytes = wsvm::text::wat_to_wasm(src, options);
  for (int i = 1; i < repeat; ++i) bytes = wsvm::text::wat_to_wasm(src, options);
  auto t1 = std::chrono::steady_clock::now();
  if (!bytes) {
    std::fprintf(stderr, "%s:%s\n", in, bytes.error().to_string().c_str());
    return 1;
  }
  if (repeat > 0) {
    double s = std::chrono::duration<double>(t1 - t0).count() / repeat;
    std::printf("%zu bytes of text in %.4f s per parse: %.1f MB/s\n", src.size(), s,
                src.size() / s / 1e6);
  }
  if (out) {
    std::ofstream o(out, std::ios::binary);
    o.write(reinterpret_cast<const char*>(bytes->data()), static_cast<std::streamsize>(bytes->size()));
    if (!o) {
      std::fprintf(stderr, "error: cannot write %s\n", out);
      return 2;
    }
  }
  return 0;
}
