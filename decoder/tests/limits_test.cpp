// wsvm's implementation limits (decoder/limits.hpp): each refused one past the limit with a
// message naming it, each accepted at the limit (the module then fails, or not, for its own
// reasons further on), and counts the input could not hold still reported as the spec says.
#include <catch2/catch.hpp>

#include "decoder/limits.hpp"
#include "decoder/module.hpp"
#include "test_util.hpp"

using namespace wsvm;

namespace {

// A module built byte by byte: sections of LEB-counted contents.
struct Bytes {
  std::vector<uint8_t> b;
  Bytes& u8(uint8_t v) { b.push_back(v); return *this; }
  Bytes& leb(uint64_t v) {
    do {
      uint8_t byte = v & 0x7f;
      v >>= 7;
      b.push_back(v ? (byte | 0x80) : byte);
    } while (v);
    return *this;
  }
  Bytes& fill(size_t n, uint8_t v) { b.insert(b.end(), n, v); return *this; }
  Bytes& add(const Bytes& o) { b.insert(b.end(), o.b.begin(), o.b.end()); return *this; }
};

std::vector<uint8_t> module(std::initializer_list<std::pair<uint8_t, Bytes>> sections) {
  Bytes m;
  for (uint8_t v : {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}) m.u8(v);
  for (const auto& [id, body] : sections) m.u8(id).leb(body.b.size()).add(body);
  return m.b;
}

std::string error_of(const std::vector<uint8_t>& bytes) {
  auto m = test::decode_and_scan(bytes);
  return m ? std::string("decoded") : m.error().message;
}

Bytes type_void(uint32_t params = 0) {  // one type: (func (param i32 * params))
  Bytes t;
  t.leb(1).u8(0x60).leb(params).fill(params, 0x7f).leb(0);
  return t;
}

Bytes one_func() { Bytes f; f.leb(1).leb(0); return f; }

Bytes one_body(Bytes body_with_locals) {
  Bytes c;
  c.leb(1).leb(body_with_locals.b.size()).add(body_with_locals);
  return c;
}

}  // namespace

TEST_CASE("limit: functions", "[decode][limits]") {
  auto funcs = [](uint32_t n) {
    Bytes f;
    f.leb(n).fill(n, 0);
    return module({{1, type_void()}, {3, f}});
  };
  CHECK(error_of(funcs(limits::kMaxFunctions + 1)) ==
        "too many functions: 1000001 (wsvm's limit is 1000000)");
  // At the limit the function section is fine; the missing code section is the error.
  CHECK(error_of(funcs(limits::kMaxFunctions)) ==
        "function and code section have inconsistent lengths");
}

TEST_CASE("limit: types, parameters and results", "[decode][limits]") {
  Bytes types;
  types.leb(limits::kMaxTypes + 1).fill(3 * (limits::kMaxTypes + 1), 0);
  CHECK(error_of(module({{1, types}})) == "too many types: 1000001 (wsvm's limit is 1000000)");
  CHECK(error_of(module({{1, type_void(1001)}})) ==
        "too many parameters: 1001 (wsvm's limit is 1000)");
  CHECK(error_of(module({{1, type_void(1000)}})) == "decoded");
  Bytes results;
  results.leb(1).u8(0x60).leb(0).leb(1001).fill(1001, 0x7f);
  CHECK(error_of(module({{1, results}})) == "too many results: 1001 (wsvm's limit is 1000)");
}

TEST_CASE("limit: br_table targets", "[decode][limits]") {
  auto br_table = [](uint32_t n) {
    Bytes body;
    body.leb(0).u8(0x41).leb(0).u8(0x0e).leb(n).fill(n, 0).leb(0).u8(0x0b);
    return module({{1, type_void()}, {3, one_func()}, {10, one_body(body)}});
  };
  CHECK(error_of(br_table(65520)) == "decoded");
  CHECK(error_of(br_table(65521)) == "too many br_table targets: 65521 (wsvm's limit is 65520)");
}

TEST_CASE("limit: segments and their items", "[decode][limits]") {
  Bytes elems;  // passive segments of no items: 01 00 00
  elems.leb(limits::kMaxElemSegments + 1);
  for (uint32_t i = 0; i <= limits::kMaxElemSegments; ++i) elems.u8(1).u8(0).u8(0);
  CHECK(error_of(module({{9, elems}})) ==
        "too many element segments: 100001 (wsvm's limit is 100000)");
  Bytes items;  // one passive segment of function indices 0
  items.leb(1).u8(1).u8(0).leb(limits::kMaxElemItems + 1).fill(limits::kMaxElemItems + 1, 0);
  CHECK(error_of(module({{9, items}})) ==
        "too many element segment items: 10000001 (wsvm's limit is 10000000)");
  Bytes datas;  // passive, empty: 01 00
  datas.leb(limits::kMaxDataSegments + 1);
  for (uint32_t i = 0; i <= limits::kMaxDataSegments; ++i) datas.u8(1).u8(0);
  CHECK(error_of(module({{11, datas}})) ==
        "too many data segments: 100001 (wsvm's limit is 100000)");
}

TEST_CASE("limit: imports, exports and names", "[decode][limits]") {
  Bytes imports;
  imports.leb(limits::kMaxImports + 1).fill(4 * (limits::kMaxImports + 1), 0);
  CHECK(error_of(module({{2, imports}})) == "too many imports: 100001 (wsvm's limit is 100000)");
  Bytes exports;
  exports.leb(limits::kMaxExports + 1).fill(3 * (limits::kMaxExports + 1), 0);
  CHECK(error_of(module({{7, exports}})) == "too many exports: 100001 (wsvm's limit is 100000)");
  Bytes name;
  name.leb(1).leb(100001).fill(100001, 'a').leb(0).u8(0).leb(0);
  CHECK(error_of(module({{2, name}})) ==
        "too many bytes in a name: 100001 (wsvm's limit is 100000)");
}

TEST_CASE("limit: a count the input cannot hold is still the spec's unexpected end", "[decode][limits]") {
  Bytes funcs;
  funcs.leb(2000000);  // over the limit, and no bytes for it either
  CHECK(error_of(module({{1, type_void()}, {3, funcs}})) == "unexpected end of section or function");
}

TEST_CASE("element items take four bytes each", "[decode][limits]") {
  Bytes items;  // (elem func 0 0 0 ...): one byte an item in the input
  items.leb(1).u8(1).u8(0).leb(100000).fill(100000, 0);
  auto bytes = module({{1, type_void()}, {3, one_func()}, {9, items}, {10, one_body(Bytes().leb(0).u8(0x0b))}});
  auto m = test::decode_and_scan(bytes);
  REQUIRE(m);
  const ElemSegment& seg = (*m)->elems[0];
  CHECK_FALSE(seg.exprs);
  CHECK(seg.size() == 100000);
  CHECK(seg.values.capacity() == 100000);  // no per-item heap object
}
