// Byte-level corner cases that wat2wasm cannot produce: hand-assembled modules.
#include <catch2/catch.hpp>

#include <initializer_list>
#include <vector>

#include "decoder/module.hpp"
#include "validator/validate.hpp"

using namespace wsvm;

namespace {

using Bytes = std::vector<uint8_t>;

void put_uleb(Bytes& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v ? (b | 0x80) : b);
  } while (v);
}

void put_section(Bytes& out, uint8_t id, const Bytes& payload) {
  out.push_back(id);
  put_uleb(out, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
}

// A module of `bodies.size()` functions of type [] -> []; each body is its locals vector
// followed by its instructions. `middle` holds whole sections between the function section
// and the code section (memory, data count, ...), `tail` sections after the code section.
Bytes module_of(std::initializer_list<Bytes> bodies, const Bytes& middle = {},
                const Bytes& tail = {}) {
  Bytes m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  put_section(m, 1, {0x01, 0x60, 0x00, 0x00});
  Bytes funcs;
  put_uleb(funcs, bodies.size());
  for (size_t i = 0; i < bodies.size(); ++i) funcs.push_back(0x00);
  put_section(m, 3, funcs);
  m.insert(m.end(), middle.begin(), middle.end());
  Bytes code;
  put_uleb(code, bodies.size());
  for (const Bytes& b : bodies) {
    put_uleb(code, b.size());
    code.insert(code.end(), b.begin(), b.end());
  }
  put_section(m, 10, code);
  m.insert(m.end(), tail.begin(), tail.end());
  return m;
}

Result<void> decode_and_validate(const Bytes& bytes) {
  auto m = decode_module(bytes);
  if (!m) return std::unexpected(m.error());
  return validate_module(**m);
}

void expect_error(const Bytes& bytes, ErrorKind kind, const std::string& prefix) {
  Result<void> r = decode_and_validate(bytes);
  REQUIRE_FALSE(r.has_value());
  INFO(r.error().to_string());
  CHECK(r.error().kind == kind);
  CHECK(r.error().message.rfind(prefix, 0) == 0);
}

const Bytes kMemory = {0x05, 0x03, 0x01, 0x00, 0x01};  // (memory 1)

}  // namespace

TEST_CASE("memory.init and data.drop need a data count section", "[validator][hex]") {
  // (func (data.drop 0)) with a data segment but no data count section.
  const Bytes data = {0x0b, 0x04, 0x01, 0x01, 0x01, 0x78};  // passive segment "x"
  expect_error(module_of({{0x00, 0xfc, 0x09, 0x00, 0x0b}}, kMemory, data), ErrorKind::Malformed,
               "data count section required");
  // Without any data segment the index is just unknown (invalid), as in memory_init.wast.
  expect_error(module_of({{0x00, 0xfc, 0x09, 0x00, 0x0b}}), ErrorKind::Invalid,
               "unknown data segment");
  // The same with a data count section validates.
  Bytes with_count = kMemory;
  with_count.insert(with_count.end(), {0x0c, 0x01, 0x01});
  CHECK(decode_and_validate(module_of({{0x00, 0xfc, 0x09, 0x00, 0x0b}}, with_count, data)));
}

TEST_CASE("locals are capped before they are expanded", "[validator][hex]") {
  // One run of 50000 i32 locals is the limit; 50001 is too many.
  CHECK(decode_and_validate(module_of({{0x01, 0xd0, 0x86, 0x03, 0x7f, 0x0b}})));
  expect_error(module_of({{0x01, 0xd1, 0x86, 0x03, 0x7f, 0x0b}}), ErrorKind::Invalid,
               "too many locals");
  // Runs whose sum overflows 32 bits are the decoder's "too many locals" (malformed).
  expect_error(module_of({{0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0xff, 0xff, 0xff, 0xff,
                           0x0f, 0x7f, 0x0b}}),
               ErrorKind::Malformed, "too many locals");
}

TEST_CASE("a body must end exactly with the function's end", "[validator][hex]") {
  // block ... end, but the function's own end is missing.
  expect_error(module_of({{0x00, 0x02, 0x40, 0x0b}}), ErrorKind::Malformed,
               "END opcode expected");
  // Bytes after the final end.
  expect_error(module_of({{0x00, 0x0b, 0x01, 0x0b}}), ErrorKind::Malformed,
               "section size mismatch");
  // else outside an if.
  expect_error(module_of({{0x00, 0x05, 0x0b}}), ErrorKind::Malformed, "END opcode expected");
  // A second else in one if.
  expect_error(module_of({{0x00, 0x41, 0x00, 0x04, 0x40, 0x05, 0x05, 0x0b, 0x0b}}),
               ErrorKind::Malformed, "END opcode expected");
}

TEST_CASE("malformed bodies win over invalid ones", "[validator][hex]") {
  // Function 0 is invalid (i32.add on an empty stack), function 1 has an illegal opcode.
  const Bytes bytes = module_of({{0x00, 0x6a, 0x0b}, {0x00, 0xff, 0x0b}});
  expect_error(bytes, ErrorKind::Malformed, "illegal opcode");
  // Alone, function 0 is invalid.
  expect_error(module_of({{0x00, 0x6a, 0x0b}}), ErrorKind::Invalid, "type mismatch");
  auto m = decode_module(bytes);
  REQUIRE(m);
  Result<void> f0 = validate_function(**m, 0);
  REQUIRE_FALSE(f0);
  CHECK(f0.error().kind == ErrorKind::Invalid);
  CHECK(f0.error().offset == 0x18);  // the i32.add
}

TEST_CASE("select with a type vector of length other than one", "[validator][hex]") {
  // i32.const 0 i32.const 0 i32.const 1 select (result) -- empty type vector
  expect_error(module_of({{0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x01, 0x1c, 0x00, 0x1a, 0x0b}}),
               ErrorKind::Invalid, "invalid result arity");
  CHECK(decode_and_validate(
      module_of({{0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x01, 0x1c, 0x01, 0x7f, 0x1a, 0x0b}})));
}
