// Helpers for decoder tests: hex fixtures and quick decoding.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "decoder/module.hpp"

namespace wsvm::test {

// "00 61 73 6d" (whitespace ignored) -> bytes.
inline std::vector<uint8_t> hex(std::string_view s) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (char c : s) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

// The module header followed by the given section bytes (hex).
inline std::vector<uint8_t> module_hex(std::string_view sections) {
  std::vector<uint8_t> out = hex("00 61 73 6d 01 00 00 00");
  std::vector<uint8_t> rest = hex(sections);
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

// Decodes and scans every body; returns the first error, if any.
inline Result<std::shared_ptr<Module>> decode_and_scan(std::span<const uint8_t> bytes) {
  auto m = decode_module(bytes);
  if (!m) return m;
  for (uint32_t i = (*m)->imported_funcs; i < (*m)->funcs.size(); ++i) {
    auto r = scan_body(**m, i);
    if (!r) return std::unexpected(r.error());
  }
  return m;
}

}  // namespace wsvm::test
