// Helpers shared by the validator tests: loading fixtures built from wat/*.wat.
#pragma once

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "decoder/module.hpp"

namespace wsvm::test {

inline std::vector<uint8_t> read_fixture(const std::string& name) {
  std::ifstream in(std::string(VALIDATOR_FIXTURE_DIR) + "/" + name + ".wasm", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::shared_ptr<Module> decode_fixture(const std::string& name) {
  std::vector<uint8_t> bytes = read_fixture(name);
  if (bytes.empty()) return nullptr;
  auto m = decode_module(bytes);
  return m ? *m : nullptr;
}

}  // namespace wsvm::test
