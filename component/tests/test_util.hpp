// Small helpers shared by the component tests: hex fixtures and reading built fixtures.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace wsvm::component::test {

// "00 61 73 6d ..." (spaces and newlines ignored) to bytes.
inline std::vector<uint8_t> hex(const char* s) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (; *s; ++s) {
    int v = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;
    if (v < 0) continue;
    if (hi < 0) hi = v;
    else out.push_back(uint8_t(hi * 16 + v)), hi = -1;
  }
  return out;
}

// The component preamble followed by `sections`.
inline std::vector<uint8_t> component_hex(const char* sections) {
  auto out = hex("00 61 73 6d 0d 00 01 00");
  auto rest = hex(sections);
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::vector<uint8_t> out;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return out;
  int c;
  while ((c = std::fgetc(f)) != EOF) out.push_back(uint8_t(c));
  std::fclose(f);
  return out;
}

// A fixture built by meson from component/tests/fixtures/NAME.wat with `jco parse`; empty
// when the fixtures were not built (no jco: those test programs are skipped by meson).
inline std::vector<uint8_t> fixture(const std::string& name) {
  const char* dir = std::getenv("WSVM_COMPONENT_FIXTURES");
  if (!dir) return {};
  return read_file(std::string(dir) + "/" + name + ".wasm");
}

}  // namespace wsvm::component::test
