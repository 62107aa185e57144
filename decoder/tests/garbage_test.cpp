// Robustness: random bytes, every truncation and many single-byte mutations of valid
// modules go through decode_module and scan_body of every body. Nothing may crash or hang,
// every failure is a Malformed error at an offset inside the input, and every success
// describes byte ranges inside the input. Run once under -fsanitize=address,undefined.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "decoder/module.hpp"
#include "test_util.hpp"

using namespace wsvm;

namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::vector<uint8_t> out;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return out;
  int c;
  while ((c = std::fgetc(f)) != EOF) out.push_back(static_cast<uint8_t>(c));
  std::fclose(f);
  return out;
}

// The fixtures built by meson (tests/fixtures/*.wat), plus one embedded module so the test
// still means something when run by hand without WSVM_DECODER_FIXTURES.
std::vector<std::vector<uint8_t>> seed_modules() {
  std::vector<std::vector<uint8_t>> seeds;
  // (module (type (func (param i32) (result i32))) (memory 1) (data (i32.const 0) "hi")
  //   (func (param i32) (result i32) (block (result i32) (local.get 0) (br_table 0 0 0 (i32.const 1)))))
  seeds.push_back(test::module_hex(
      "01 06 01 60 01 7f 01 7f 03 02 01 00 05 03 01 00 01"
      "0a 10 01 0e 00 02 7f 20 00 41 01 0e 02 00 00 00 0b 0b"
      "0b 08 01 00 41 00 0b 02 68 69"));
  if (const char* dir = std::getenv("WSVM_DECODER_FIXTURES")) {
    for (const char* name : {"all_sections.wasm", "names.wasm"}) {
      auto bytes = read_file(std::string(dir) + "/" + name);
      INFO(name);
      REQUIRE_FALSE(bytes.empty());
      seeds.push_back(std::move(bytes));
    }
  }
  return seeds;
}

// Decodes, scans all bodies, and checks the invariants. Returns true if fully well-formed.
bool check_input(const std::vector<uint8_t>& bytes) {
  auto m = decode_module(bytes);
  if (!m) {
    const Error& e = m.error();
    if (e.kind != ErrorKind::Malformed || (e.offset != kNoOffset && e.offset > bytes.size()))
      FAIL("bad error: " << e.to_string());
    return false;
  }
  const Module& mod = **m;
  REQUIRE(mod.bytes == bytes);
  REQUIRE(mod.code.size() + mod.imported_funcs == mod.funcs.size());
  for (const DataSegment& d : mod.datas) REQUIRE(d.bytes_offset + d.bytes_size <= bytes.size());
  for (const CustomSection& c : mod.customs) REQUIRE(c.offset + c.size <= bytes.size());
  bool all_ok = true;
  for (uint32_t i = mod.imported_funcs; i < mod.funcs.size(); ++i) {
    const FunctionBody& b = mod.body(i);
    REQUIRE(b.body_offset < b.body_end);
    REQUIRE(b.body_end <= bytes.size());
    REQUIRE(b.local_count < (uint64_t{1} << 32));
    auto r = scan_body(mod, i);
    if (!r) {
      if (r.error().kind != ErrorKind::Malformed || r.error().offset > b.body_end)
        FAIL("bad body error: " << r.error().to_string());
      all_ok = false;
    }
    (void)mod.function_name(i);
  }
  return all_ok;
}

}  // namespace

TEST_CASE("seed modules are well-formed", "[garbage]") {
  for (const auto& seed : seed_modules()) CHECK(check_input(seed));
}

TEST_CASE("random byte strings", "[garbage]") {
  std::mt19937 rng(12345);
  const std::vector<uint8_t> header = test::module_hex("");
  for (int iter = 0; iter < 20000; ++iter) {
    std::vector<uint8_t> bytes;
    if (iter % 2 == 0) bytes = header;  // get past the magic most of the time
    size_t len = rng() % 300;
    for (size_t i = 0; i < len; ++i) {
      // Bias towards small values and section-like structure so more paths get reached.
      uint32_t r = rng();
      bytes.push_back(static_cast<uint8_t>((r & 0x300) ? (r & 0x0f) : (r & 0xff)));
    }
    check_input(bytes);
  }
}

TEST_CASE("every truncation of the seed modules", "[garbage]") {
  for (const auto& seed : seed_modules()) {
    int failed = 0;
    for (size_t n = 0; n < seed.size(); ++n) {
      std::vector<uint8_t> prefix(seed.begin(), seed.begin() + static_cast<ptrdiff_t>(n));
      if (!check_input(prefix)) ++failed;
    }
    // Most prefixes cut a section in half, so most must be rejected.
    CHECK(failed > static_cast<int>(seed.size()) / 2);
  }
}

TEST_CASE("single-byte mutations of the seed modules", "[garbage]") {
  std::mt19937 rng(777);
  const uint8_t specials[] = {0x00, 0x01, 0x0b, 0x40, 0x60, 0x7f, 0x80, 0xff, 0xfc, 0xfd};
  for (const auto& seed : seed_modules()) {
    std::vector<uint8_t> bytes = seed;
    for (size_t pos = 0; pos < seed.size(); ++pos) {
      for (uint8_t v : specials) {
        bytes[pos] = v;
        check_input(bytes);
      }
      bytes[pos] = static_cast<uint8_t>(rng());
      check_input(bytes);
      bytes[pos] = seed[pos];
    }
    // Insertions and deletions shift everything after them.
    for (size_t pos = 8; pos < seed.size(); pos += 3) {
      std::vector<uint8_t> ins = seed;
      ins.insert(ins.begin() + static_cast<ptrdiff_t>(pos), static_cast<uint8_t>(rng()));
      check_input(ins);
      std::vector<uint8_t> del = seed;
      del.erase(del.begin() + static_cast<ptrdiff_t>(pos));
      check_input(del);
    }
  }
}
