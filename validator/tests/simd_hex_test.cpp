// SIMD validation rules on hand-assembled bodies: lane bounds (exactly at the bound and one
// below), memarg alignment for v128 and lane accesses, v128 typing from the Sig table,
// v128 locals/select/globals. Bodies are (func) [] -> [] with one v128 local where noted.
#include <catch2/catch.hpp>

#include <vector>

#include "decoder/module.hpp"
#include "validator/validate.hpp"

using namespace wsvm;

namespace {

using Bytes = std::vector<uint8_t>;

void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

void put_section(Bytes& out, uint8_t id, const Bytes& payload) {
  out.push_back(id);
  out.push_back(static_cast<uint8_t>(payload.size()));  // all test sections are < 128 bytes
  append(out, payload);
}

// (module (memory 1)? (global ...)? (func (local v128) <code> end)).
Bytes module_of(const Bytes& code, bool memory = true, const Bytes& globals = {}) {
  Bytes m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  put_section(m, 1, {0x01, 0x60, 0x00, 0x00});
  put_section(m, 3, {0x01, 0x00});
  if (memory) put_section(m, 5, {0x01, 0x00, 0x01});
  if (!globals.empty()) put_section(m, 6, globals);
  Bytes body = {0x01, 0x01, 0x7b};  // one local of type v128
  append(body, code);
  body.push_back(0x0b);
  Bytes sec = {0x01, static_cast<uint8_t>(body.size())};
  append(sec, body);
  put_section(m, 10, sec);
  return m;
}

Result<void> load(const Bytes& bytes) {
  auto m = decode_module(bytes);
  if (!m) return std::unexpected(m.error());
  return validate_module(**m);
}

std::string error_of(const Bytes& code, bool memory = true) {
  Result<void> r = load(module_of(code, memory));
  if (r) return "ok";
  return std::string(r.error().kind == ErrorKind::Invalid ? "invalid: " : "other: ") +
         r.error().message;
}

bool starts(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

const Bytes kGet = {0x20, 0x00};                   // local.get 0 (v128)
const Bytes kSet = {0x21, 0x00};                   // local.set 0
const Bytes kI32 = {0x41, 0x00};                   // i32.const 0

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) append(out, p);
  return out;
}

}  // namespace

TEST_CASE("SIMD: extract/replace lane index bounds", "[validator][simd]") {
  struct Case {
    uint8_t code;
    uint8_t lanes;
    Bytes operand;  // replace_lane's scalar operand, empty for extract
    bool extract_result_drop;
  };
  const Bytes f32c = {0x43, 0, 0, 0, 0}, f64c = {0x44, 0, 0, 0, 0, 0, 0, 0, 0}, i64c = {0x42, 0};
  const Case cases[] = {
      {0x15, 16, {}, true},   {0x16, 16, {}, true},   {0x17, 16, kI32, false},
      {0x18, 8, {}, true},    {0x19, 8, {}, true},    {0x1a, 8, kI32, false},
      {0x1b, 4, {}, true},    {0x1c, 4, kI32, false}, {0x1d, 2, {}, true},
      {0x1e, 2, i64c, false}, {0x1f, 4, {}, true},    {0x20, 4, f32c, false},
      {0x21, 2, {}, true},    {0x22, 2, f64c, false},
  };
  for (const Case& c : cases) {
    INFO("opcode 0xfd " << int(c.code));
    auto body = [&](uint8_t lane) {
      Bytes b = cat({kGet, c.operand, {0xfd, c.code, lane}});
      append(b, c.extract_result_drop ? Bytes{0x1a} : kSet);
      return b;
    };
    CHECK(error_of(body(static_cast<uint8_t>(c.lanes - 1))) == "ok");
    CHECK(error_of(body(c.lanes)) == "invalid: invalid lane index");
    CHECK(error_of(body(0xff)) == "invalid: invalid lane index");
  }
}

TEST_CASE("SIMD: shuffle lane indices are below 32", "[validator][simd]") {
  Bytes ok = cat({kGet, kGet, {0xfd, 0x0d}});
  for (uint8_t i = 0; i < 16; ++i) ok.push_back(static_cast<uint8_t>(i * 2 + 1));  // up to 31
  append(ok, kSet);
  CHECK(error_of(ok) == "ok");
  Bytes bad = ok;
  bad[4 + 2 + 7] = 32;  // lane 7 -> 32
  CHECK(error_of(bad) == "invalid: invalid lane index");
}

TEST_CASE("SIMD: memarg alignment and lane bounds of memory accesses", "[validator][simd]") {
  // v128.load: alignment up to 2^4 = 16.
  CHECK(error_of(cat({kI32, {0xfd, 0x00, 0x04, 0x00}, kSet})) == "ok");
  CHECK(error_of(cat({kI32, {0xfd, 0x00, 0x05, 0x00}, kSet})) ==
        "invalid: alignment must not be larger than natural");
  // v128.store: [i32 v128] -> []
  CHECK(error_of(cat({kI32, kGet, {0xfd, 0x0b, 0x04, 0x00}})) == "ok");
  CHECK(error_of(cat({kI32, kGet, {0xfd, 0x0b, 0x05, 0x00}})) ==
        "invalid: alignment must not be larger than natural");
  // Extending loads read 8 bytes, splats and zero loads their lane.
  CHECK(error_of(cat({kI32, {0xfd, 0x01, 0x03, 0x00}, kSet})) == "ok");
  CHECK(starts(error_of(cat({kI32, {0xfd, 0x01, 0x04, 0x00}, kSet})), "invalid: alignment"));
  CHECK(error_of(cat({kI32, {0xfd, 0x07, 0x00, 0x00}, kSet})) == "ok");
  CHECK(starts(error_of(cat({kI32, {0xfd, 0x07, 0x01, 0x00}, kSet})), "invalid: alignment"));
  CHECK(error_of(cat({kI32, {0xfd, 0x5c, 0x02, 0x00}, kSet})) == "ok");  // load32_zero
  CHECK(starts(error_of(cat({kI32, {0xfd, 0x5c, 0x03, 0x00}, kSet})), "invalid: alignment"));
  // v128.load16_lane: align <= 1, lane < 8; result v128.
  CHECK(error_of(cat({kI32, kGet, {0xfd, 0x55, 0x01, 0x00, 0x07}, kSet})) == "ok");
  CHECK(error_of(cat({kI32, kGet, {0xfd, 0x55, 0x01, 0x00, 0x08}, kSet})) ==
        "invalid: invalid lane index");
  CHECK(starts(error_of(cat({kI32, kGet, {0xfd, 0x55, 0x02, 0x00, 0x00}, kSet})),
               "invalid: alignment"));
  // v128.store64_lane: align <= 3, lane < 2; no result.
  CHECK(error_of(cat({kI32, kGet, {0xfd, 0x5b, 0x03, 0x00, 0x01}})) == "ok");
  CHECK(error_of(cat({kI32, kGet, {0xfd, 0x5b, 0x03, 0x00, 0x02}})) ==
        "invalid: invalid lane index");
  // Without a memory.
  CHECK(starts(error_of(cat({kI32, {0xfd, 0x00, 0x04, 0x00}, kSet}), false),
               "invalid: unknown memory"));
  CHECK(starts(error_of(cat({kI32, kGet, {0xfd, 0x58, 0x00, 0x00, 0x00}}), false),
               "invalid: unknown memory"));
}

TEST_CASE("SIMD: typing from the Sig table", "[validator][simd]") {
  CHECK(error_of(cat({kGet, kGet, {0xfd, 0xae, 0x01}, kSet})) == "ok");  // i32x4.add
  CHECK(starts(error_of(cat({kGet, kI32, {0xfd, 0xae, 0x01}, kSet})), "invalid: type mismatch"));
  CHECK(error_of(cat({kGet, kGet, kGet, {0xfd, 0x52}, kSet})) == "ok");  // bitselect
  CHECK(starts(error_of(cat({kGet, kGet, {0xfd, 0x52}, kSet})), "invalid: type mismatch"));
  CHECK(error_of(cat({kGet, kI32, {0xfd, 0xab, 0x01}, kSet})) == "ok");  // i32x4.shl
  CHECK(starts(error_of(cat({kGet, kGet, {0xfd, 0xab, 0x01}, kSet})), "invalid: type mismatch"));
  CHECK(error_of(cat({kGet, {0xfd, 0x53}, {0x1a}})) == "ok");  // v128.any_true -> i32
  CHECK(starts(error_of(cat({kGet, {0xfd, 0x53}, kSet})), "invalid: type mismatch"));
  CHECK(error_of(cat({{0x42, 0x00}, {0xfd, 0x12}, kSet})) == "ok");  // i64x2.splat
  CHECK(starts(error_of(cat({kI32, {0xfd, 0x12}, kSet})), "invalid: type mismatch"));
  // v128.const and select over v128 (untyped select accepts vectors).
  Bytes vconst = {0xfd, 0x0c};
  vconst.resize(18, 0x00);
  CHECK(error_of(cat({vconst, kGet, kI32, {0x1b}, kSet})) == "ok");
  CHECK(error_of(cat({vconst, kGet, kI32, {0x1c, 0x01, 0x7b}, kSet})) == "ok");  // select (result v128)
  CHECK(starts(error_of(cat({vconst, kI32, kI32, {0x1b}, kSet})), "invalid: type mismatch"));
}

TEST_CASE("SIMD: v128 globals take v128.const initialisers", "[validator][simd]") {
  Bytes g = {0x01, 0x7b, 0x00, 0xfd, 0x0c};  // (global v128 (v128.const ...))
  g.resize(5 + 16, 0x07);
  g.push_back(0x0b);
  CHECK(load(module_of({}, true, g)));
  Bytes wrong = g;
  wrong[1] = 0x7f;  // declared i32
  Result<void> r = load(module_of({}, true, wrong));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Invalid);
  CHECK(starts(r.error().message, "type mismatch"));
}
