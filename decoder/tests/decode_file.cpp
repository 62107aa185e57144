// decode_file FILE.wasm: decodes a module and scans every body; prints "ok" or the error.
// Exit status 0 for ok, 1 for a decode error, 2 for usage or I/O problems.
#include <cstdio>
#include <vector>

#include "decoder/module.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: decode_file FILE.wasm\n");
    return 2;
  }
  std::FILE* f = std::fopen(argv[1], "rb");
  if (!f) {
    std::perror(argv[1]);
    return 2;
  }
  std::vector<uint8_t> bytes;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.insert(bytes.end(), buf, buf + n);
  std::fclose(f);

  auto m = wsvm::decode_module(bytes);
  if (!m) {
    std::printf("%s\n", m.error().to_string().c_str());
    return 1;
  }
  const wsvm::Module& mod = **m;
  for (uint32_t i = mod.imported_funcs; i < mod.funcs.size(); ++i) {
    auto r = wsvm::scan_body(mod, i);
    if (!r) {
      std::printf("%s (function %u)\n", r.error().to_string().c_str(), i);
      return 1;
    }
  }
  std::printf("ok\n");
  return 0;
}
