// Robustness: every truncation, many single-byte mutations and random tails of real
// components go through decode_component and decode_core_module. Nothing may crash or
// hang; every failure is one error with an offset inside the input.
#include <catch2/catch.hpp>

#include <random>

#include "component/ir.hpp"
#include "test_util.hpp"

using wsvm::Error;
using wsvm::ErrorKind;
using wsvm::kNoOffset;
using wsvm::ValType;
using namespace wsvm::component;

namespace {

std::vector<std::vector<uint8_t>> seeds() {
  std::vector<std::vector<uint8_t>> out;
  // Hand-built: type, import, value, start, export, canon and custom sections, and a nested
  // component holding a core module (decode_test.cpp spells out the same forms).
  out.push_back(test::component_hex(
      "07 08 01 40 01 01 61 79 00 79 0a 06 01 00 01 66 01 00 0c 04 01 79 01 05"
      "09 04 00 01 00 01 0b 07 01 00 01 72 02 01 00 00 05 04 6e 6f 74 65"
      "08 12 05 02 00 1f 0a 7f 00 41 01 00 00 01 00 00 02 03 00 01"
      "04 12 00 61 73 6d 0d 00 01 00 01 08 00 61 73 6d 01 00 00 00"));
  for (const char* name : {"all_sections", "calls", "nested", "hello_command"}) {
    auto bytes = test::fixture(name);
    if (!bytes.empty()) out.push_back(std::move(bytes));
  }
  return out;
}

void check(const std::vector<uint8_t>& bytes) {
  auto c = decode_component(bytes);
  if (!c) {
    const Error& e = c.error();
    if (e.offset != kNoOffset && e.offset > bytes.size()) FAIL("offset past the end: " << e.to_string());
    if (e.message.empty()) FAIL("empty message");
    return;
  }
  // Core modules decode or fail cleanly too.
  for (uint32_t i = 0; i < (*c)->core_modules.size(); ++i) (void)(*c)->decode_core_module(i);
}

}  // namespace

TEST_CASE("truncations and mutations never crash") {
  auto all = seeds();
  REQUIRE(all.size() >= 1);
  std::mt19937 rng(1234);
  for (const auto& seed : all) {
    REQUIRE(decode_component(seed).has_value());
    // Every truncation of small seeds; 400 random ones of big ones.
    bool small = seed.size() < 8192;
    for (size_t k = 0; k < (small ? seed.size() : 400); ++k) {
      size_t n = small ? k : rng() % seed.size();
      std::vector<uint8_t> cut(seed.begin(), seed.begin() + long(n));
      auto c = decode_component(cut);
      // Every strict prefix past the preamble's end is either shorter sections (ok only at a
      // section boundary) or an error; a prefix shorter than the preamble always fails.
      if (n < 8) CHECK_FALSE(c.has_value());
      check(cut);
    }
    for (int i = 0; i < (small ? 4000 : 300); ++i) {
      auto m = seed;
      size_t at = 8 + rng() % (m.size() - 8);
      m[at] = uint8_t(rng());
      if (i % 4 == 0) m.push_back(uint8_t(rng()));
      check(m);
    }
  }
  // Pure garbage after a valid preamble.
  for (int i = 0; i < 2000; ++i) {
    auto m = test::component_hex("");
    size_t n = rng() % 64;
    for (size_t k = 0; k < n; ++k) m.push_back(uint8_t(rng()));
    check(m);
  }
}
