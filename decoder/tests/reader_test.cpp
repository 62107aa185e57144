// LEB128 and name decoding: values at the edges and the spec's two overflow errors.
#include <catch2/catch.hpp>

#include "decoder/reader.hpp"
#include "test_util.hpp"

using namespace wsvm;
using wsvm::test::hex;

namespace {

template <class F>
auto read(std::string_view h, F f) {
  std::vector<uint8_t> b = hex(h);
  Reader r(b);
  auto v = f(r);
  return std::make_pair(v, r.remaining());
}

std::string err_of(const Error& e) { return e.message; }

}  // namespace

TEST_CASE("u32 LEB128 values", "[reader]") {
  auto u32 = [](Reader& r) { return r.u32(); };
  CHECK(*read("00", u32).first == 0);
  CHECK(*read("7f", u32).first == 127);
  CHECK(*read("80 01", u32).first == 128);
  CHECK(*read("e5 8e 26", u32).first == 624485);
  CHECK(*read("ff ff ff ff 0f", u32).first == 0xFFFFFFFFu);
  // Non-minimal encodings are allowed up to 5 bytes.
  CHECK(*read("80 80 80 80 00", u32).first == 0);
  CHECK(*read("82 80 80 80 00", u32).first == 2);
  // Stops after the value: the rest stays.
  auto [v, rest] = read("05 aa bb", u32);
  CHECK(*v == 5);
  CHECK(rest == 2);
}

TEST_CASE("u32 LEB128 errors", "[reader]") {
  auto u32 = [](Reader& r) { return r.u32(); };
  // Value bits beyond 32 in the 5th byte.
  auto big = read("ff ff ff ff 1f", u32).first;
  REQUIRE_FALSE(big);
  CHECK(err_of(big.error()) == "integer too large");
  CHECK(big.error().offset == 4);
  CHECK(read("80 80 80 80 70", u32).first.error().message == "integer too large");
  // A continuation bit on the 5th byte: too many bytes.
  auto longer = read("80 80 80 80 80 00", u32).first;
  REQUIRE_FALSE(longer);
  CHECK(longer.error().message == "integer representation too long");
  // Value bits are checked before the continuation bit (like the reference interpreter).
  CHECK(read("ff ff ff ff ff 0f", u32).first.error().message == "integer too large");
  CHECK(read("80 80 80 80 8f 00", u32).first.error().message == "integer representation too long");
  // Truncated.
  CHECK(read("", u32).first.error().message == "unexpected end");
  CHECK(read("80 80", u32).first.error().message == "unexpected end");
}

TEST_CASE("s32 LEB128", "[reader]") {
  auto s32 = [](Reader& r) { return r.s32(); };
  CHECK(*read("00", s32).first == 0);
  CHECK(*read("7f", s32).first == -1);
  CHECK(*read("3f", s32).first == 63);
  CHECK(*read("40", s32).first == -64);
  CHECK(*read("c0 00", s32).first == 64);
  CHECK(*read("80 7f", s32).first == -128);
  CHECK(*read("ff ff ff ff 07", s32).first == INT32_MAX);
  CHECK(*read("80 80 80 80 78", s32).first == INT32_MIN);
  CHECK(*read("ff ff ff ff 7f", s32).first == -1);  // non-minimal -1
  // In the 5th byte, bits 3..6 must all equal the sign (bit 3).
  CHECK(read("ff ff ff ff 0f", s32).first.error().message == "integer too large");
  CHECK(read("80 80 80 80 70", s32).first.error().message == "integer too large");
  CHECK(read("ff ff ff ff 4f", s32).first.error().message == "integer too large");
  CHECK(read("80 80 80 80 80 00", s32).first.error().message ==
        "integer representation too long");
  CHECK(read("ff ff ff ff ff 7f", s32).first.error().message ==
        "integer representation too long");
}

TEST_CASE("s33 LEB128 (block type indices)", "[reader]") {
  auto s33 = [](Reader& r) { return r.s33(); };
  CHECK(*read("ff ff ff ff 0f", s33).first == 0xFFFFFFFFll);  // fits in 33 bits
  // Bit 32 is the sign bit of an s33: the bits above it must copy it.
  CHECK(read("80 80 80 80 10", s33).first.error().message == "integer too large");
  CHECK(*read("80 80 80 80 70", s33).first == -(1ll << 32));
  CHECK(read("80 80 80 80 20", s33).first.error().message == "integer too large");
  CHECK(read("80 80 80 80 80 00", s33).first.error().message ==
        "integer representation too long");
}

TEST_CASE("s64 and u64 LEB128", "[reader]") {
  auto s64 = [](Reader& r) { return r.s64(); };
  auto u64 = [](Reader& r) { return r.u64(); };
  CHECK(*read("ff ff ff ff ff ff ff ff ff 00", s64).first == INT64_MAX);
  CHECK(*read("80 80 80 80 80 80 80 80 80 7f", s64).first == INT64_MIN);
  CHECK(*read("7f", s64).first == -1);
  CHECK(*read("ff ff ff ff ff ff ff ff ff 7f", s64).first == -1);
  CHECK(read("ff ff ff ff ff ff ff ff ff 01", s64).first.error().message ==
        "integer too large");
  CHECK(read("80 80 80 80 80 80 80 80 80 41", s64).first.error().message ==
        "integer too large");
  CHECK(read("80 80 80 80 80 80 80 80 80 80 00", s64).first.error().message ==
        "integer representation too long");
  CHECK(*read("ff ff ff ff ff ff ff ff ff 01", u64).first == UINT64_MAX);
  CHECK(read("ff ff ff ff ff ff ff ff ff 02", u64).first.error().message ==
        "integer too large");
  CHECK(read("ff ff ff ff ff ff ff ff ff 81 00", u64).first.error().message ==
        "integer representation too long");
}

TEST_CASE("fixed-width floats are little endian", "[reader]") {
  CHECK(*read("00 00 80 3f", [](Reader& r) { return r.f32_bits(); }).first == 0x3f800000u);
  CHECK(*read("01 02 03 04 05 06 07 08", [](Reader& r) { return r.f64_bits(); }).first ==
        0x0807060504030201ull);
  CHECK(read("00 00 80", [](Reader& r) { return r.f32_bits(); }).first.error().message ==
        "unexpected end");
}

TEST_CASE("names must be valid UTF-8", "[reader]") {
  auto name = [](Reader& r) { return r.name(); };
  CHECK(*read("00", name).first == "");
  CHECK(*read("03 61 62 63", name).first == "abc");
  CHECK(*read("02 c3 a9", name).first == "\xc3\xa9");                  // U+00E9
  CHECK(*read("03 ef bf bf", name).first == "\xef\xbf\xbf");           // U+FFFF
  CHECK(*read("04 f4 8f bf bf", name).first == "\xf4\x8f\xbf\xbf");    // U+10FFFF
  const char* bad[] = {
      "01 80",           // lone continuation byte
      "02 c0 80",        // overlong NUL
      "02 c1 bf",        // overlong
      "03 e0 9f bf",     // overlong 3-byte
      "03 ed a0 80",     // surrogate U+D800
      "03 ed bf bf",     // surrogate U+DFFF
      "04 f0 8f bf bf",  // overlong 4-byte
      "04 f4 90 80 80",  // U+110000
      "04 f8 88 80 80",  // 5-byte form
      "01 ff",           //
      "02 e1 80",        // truncated sequence
      "02 c3 41",        // bad continuation
  };
  for (const char* b : bad) {
    INFO(b);
    auto v = read(b, name).first;
    REQUIRE_FALSE(v);
    CHECK(v.error().message == "malformed UTF-8 encoding");
  }
  CHECK(read("05 61 62", name).first.error().message == "length out of bounds");
}

TEST_CASE("sub-readers bound and report section ends", "[reader]") {
  std::vector<uint8_t> b = hex("01 02 03 04");
  Reader r(b, 100);
  auto s = r.sub(2);
  REQUIRE(s);
  CHECK(s->offset() == 100);
  CHECK(r.offset() == 102);
  CHECK(*s->u8() == 1);
  CHECK(*s->u8() == 2);
  auto end = s->u8();
  REQUIRE_FALSE(end);
  CHECK(end.error().message == "unexpected end of section or function");
  CHECK(end.error().offset == 102);
  CHECK(r.sub(3).error().message == "length out of bounds");
}
