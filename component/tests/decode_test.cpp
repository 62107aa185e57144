// The component binary decoder on hand-built binaries: each section form, the index spaces
// they extend, the built-ins and options of the canon section, and the errors.
#include <catch2/catch.hpp>

#include "component/ir.hpp"
#include "test_util.hpp"

using wsvm::Error;
using wsvm::ErrorKind;
using wsvm::kNoOffset;
using wsvm::ValType;
using namespace wsvm::component;
using test::component_hex;
using test::hex;

namespace {

std::shared_ptr<const Component> decode_ok(const std::vector<uint8_t>& bytes) {
  auto c = decode_component(bytes);
  if (!c) FAIL(c.error().to_string());
  return *c;
}

Error decode_err(const std::vector<uint8_t>& bytes) {
  auto c = decode_component(bytes);
  REQUIRE_FALSE(c.has_value());
  return c.error();
}

}  // namespace

TEST_CASE("preamble: a component is recognised, a core module is not") {
  auto empty = component_hex("");
  CHECK(is_component(empty));
  auto c = decode_ok(empty);
  CHECK(c->defs.empty());
  auto core = hex("00 61 73 6d 01 00 00 00");
  CHECK_FALSE(is_component(core));
  Error e = decode_err(core);
  CHECK(e.kind == ErrorKind::Malformed);
  CHECK(e.offset == 4);
  CHECK_THAT(e.message, Catch::Contains("unknown binary version"));
  CHECK(decode_err(hex("00 61 73")).message == "unexpected end");
  CHECK(decode_err(hex("01 61 73 6d 0d 00 01 00")).message == "magic header not detected");
}

// (type (func (param "a" u32) (result u32)))  (import "f" (func (type 0)))
// (value u32 5)  (start 0 (value 0) (result (value)))  (export "r" (value 1))
// (@custom "note")
TEST_CASE("start, value, import, export and custom sections; the value index space") {
  auto c = decode_ok(component_hex(
      "07 08 01 40 01 01 61 79 00 79"
      "0a 06 01 00 01 66 01 00"
      "0c 04 01 79 01 05"
      "09 04 00 01 00 01"
      "0b 07 01 00 01 72 02 01 00"
      "00 05 04 6e 6f 74 65"));
  REQUIRE(c->types.size() == 1);
  const FuncType& f = c->types[0].func;
  REQUIRE(f.params.size() == 1);
  CHECK(f.params[0].label == "a");
  CHECK(*f.params[0].type == ValTypeRef::of(PrimType::U32));
  CHECK(*f.result == ValTypeRef::of(PrimType::U32));
  REQUIRE(c->imports.size() == 1);
  CHECK(c->imports[0].name.name == "f");
  CHECK(c->imports[0].type.kind == ExternKind::Func);
  REQUIRE(c->values.size() == 1);
  CHECK(c->range_bytes({c->values[0].bytes_offset, c->values[0].bytes_size})[0] == 5);
  REQUIRE(c->starts.size() == 1);
  CHECK(c->starts[0].args == std::vector<uint32_t>{0});
  CHECK(c->starts[0].results == 1);
  // value 0 from the value section, value 1 the start's result, value 2 the export.
  CHECK(c->space(Sort::Value).size() == 3);
  CHECK(c->defs[c->space(Sort::Value)[1].def].kind == DefKind::Start);
  CHECK(c->exports[0].target.sort == Sort::Value);
  CHECK(c->exports[0].target.index == 1);
  REQUIRE(c->customs.size() == 1);
  CHECK(c->customs[0].name == "note");
  CHECK(c->defs.size() == 5);
}

// canon: resource.new 0, waitable-set.new, context.get i32 0, thread.spawn-indirect shared
// 0 0, lower func 0 (memory 0) string-encoding=utf16
TEST_CASE("canon built-ins and options") {
  auto c = decode_ok(component_hex(
      "08 12 05 02 00 1f 0a 7f 00 41 01 00 00 01 00 00 02 03 00 01"));
  REQUIRE(c->canons.size() == 5);
  CHECK(c->canons[0].kind == CanonKind::ResourceNew);
  CHECK(c->canons[1].kind == CanonKind::WaitableSetNew);
  CHECK(c->canons[2].kind == CanonKind::ContextGet);
  CHECK(c->canons[2].core_type == ValType::I32);
  CHECK(c->canons[3].kind == CanonKind::ThreadSpawnIndirect);
  CHECK(c->canons[3].shared);
  const Canon& lower = c->canons[4];
  CHECK(lower.kind == CanonKind::Lower);
  CHECK(lower.opts.memory == 0u);
  CHECK(lower.opts.encoding == StringEncoding::Utf16);
  CHECK(c->space(Sort::CoreFunc).size() == 5);
  CHECK(std::string(canon_kind_name(c->canons[3].kind)) == "thread.spawn-indirect");
}

TEST_CASE("lift with every option, and duplicate options are invalid") {
  // lift core func 1 (memory 0) (realloc 2) (post-return 3) latin1+utf16, type 0
  auto c = decode_ok(component_hex("08 0d 01 00 00 01 04 03 00 04 02 05 03 02 00"));
  const Canon& lift = c->canons[0];
  CHECK(lift.kind == CanonKind::Lift);
  CHECK(lift.func == 1);
  CHECK(lift.opts.realloc == 2u);
  CHECK(lift.opts.post_return == 3u);
  CHECK(lift.opts.encoding == StringEncoding::Latin1Utf16);
  CHECK(c->space(Sort::Func).size() == 1);

  Error e = decode_err(component_hex("08 09 01 01 00 00 02 03 00 03 01"));
  CHECK(e.kind == ErrorKind::Invalid);
  CHECK_THAT(e.message, Catch::Contains("'memory' conflicts"));
  e = decode_err(component_hex("08 07 01 01 00 00 02 00 01"));
  CHECK_THAT(e.message, Catch::Contains("'string-encoding' conflicts"));
}

TEST_CASE("aliases of every target and the spaces they extend") {
  // alias export instance 0 "f" (func); core export 0 "m" (core memory); outer 1 2 (type)
  auto c = decode_ok(component_hex("06 10 03 01 00 00 01 66 00 02 01 00 01 6d 03 02 01 02"));
  REQUIRE(c->aliases.size() == 3);
  CHECK(c->aliases[0].target == Alias::Target::Export);
  CHECK(c->aliases[0].name == "f");
  CHECK(c->aliases[1].sort == Sort::CoreMemory);
  CHECK(c->aliases[1].target == Alias::Target::CoreExport);
  CHECK(c->aliases[2].target == Alias::Target::Outer);
  CHECK(c->aliases[2].outer_count == 1);
  CHECK(c->aliases[2].outer_index == 2);
  CHECK(c->space(Sort::Func).size() == 1);
  CHECK(c->space(Sort::CoreMemory).size() == 1);
  CHECK(c->space(Sort::Type).size() == 1);
}

TEST_CASE("names with attributes: implements, version suffix, external id") {
  // import (name "a" (implements "x:y/z") (versionsuffix ".3")) (type (sub resource))
  auto c = decode_ok(component_hex("0a 12 01 02 01 61 02 00 05 78 3a 79 2f 7a 01 02 2e 33 03 01"));
  const ExternName& n = c->imports[0].name;
  CHECK(n.name == "a");
  CHECK(n.implements == "x:y/z");
  CHECK(n.version_suffix == ".3");
  CHECK_FALSE(n.external_id);
  CHECK(c->imports[0].type.kind == ExternKind::Type);
  CHECK(c->imports[0].type.bound.sub_resource);
  Error e = decode_err(component_hex("0a 0d 01 02 01 61 02 01 01 31 01 01 32 03 01"));
  CHECK(e.kind == ErrorKind::Invalid);
  CHECK_THAT(e.message, Catch::Contains("duplicate name attribute"));
}

TEST_CASE("defined value types") {
  // flags "a" "b"; enum "x"; fixed list u8 4; map string u32; option (type 0);
  // result (ok u8) no error; variant ("n" none) ("s" string); borrow 9; tuple bool f64
  auto c = decode_ok(component_hex(
      "07 28 09 6e 02 01 61 01 62 6d 01 01 78 67 7d 04 63 73 79 6b 00 6a 01 7d 00"
      "71 02 01 6e 00 00 01 73 01 73 00 68 09 6f 02 7f 75"));
  REQUIRE(c->types.size() == 9);
  auto kind = [&](size_t i) { return c->types[i].value.kind; };
  CHECK(kind(0) == DefValKind::Flags);
  CHECK(c->types[0].value.labels == std::vector<std::string>{"a", "b"});
  CHECK(kind(1) == DefValKind::Enum);
  CHECK(kind(2) == DefValKind::FixedList);
  CHECK(c->types[2].value.length == 4);
  CHECK(kind(3) == DefValKind::Map);
  CHECK(kind(4) == DefValKind::Option);
  CHECK(*c->types[4].value.a == ValTypeRef::at(0));
  CHECK(kind(5) == DefValKind::Result);
  CHECK_FALSE(c->types[5].value.b);
  CHECK(kind(6) == DefValKind::Variant);
  CHECK_FALSE(c->types[6].value.fields[0].type);
  CHECK(*c->types[6].value.fields[1].type == ValTypeRef::of(PrimType::String));
  CHECK(kind(7) == DefValKind::Borrow);
  CHECK(c->types[7].value.resource == 9);
  CHECK(kind(8) == DefValKind::Tuple);
  CHECK(c->types[8].value.fields.size() == 2);
}

TEST_CASE("malformed components give one error at the right offset") {
  // unknown section id 13
  Error e = decode_err(component_hex("0d 00"));
  CHECK(e.offset == 8);
  CHECK_THAT(e.message, Catch::Contains("section id"));
  // section larger than the input
  e = decode_err(component_hex("07 05 01 73"));
  CHECK(e.kind == ErrorKind::Malformed);
  // bytes left in a section
  e = decode_err(component_hex("07 03 01 73 00"));
  CHECK(e.message == "section size mismatch");
  // unknown sort in an export
  e = decode_err(component_hex("0b 06 01 00 01 72 09 00"));
  CHECK_THAT(e.message, Catch::Contains("malformed sort"));
  CHECK(e.offset == 8 + 2 + 4);
  // unknown type constructor
  e = decode_err(component_hex("07 02 01 50"));
  CHECK_THAT(e.message, Catch::Contains("malformed type: unknown encoding 0x50"));
  // a nested component whose preamble is a core module's
  e = decode_err(component_hex("04 08 00 61 73 6d 01 00 00 00"));
  CHECK(e.offset == 8 + 2 + 4);
  CHECK_THAT(e.message, Catch::Contains("not a component"));
  // core module decoded on demand: errors come back with absolute offsets
  auto c = decode_ok(component_hex("01 08 00 61 73 6d 01 00 00 00 01 03 00 61 73"));
  REQUIRE(c->core_modules.size() == 2);
  CHECK(c->decode_core_module(0).has_value());
  auto bad = c->decode_core_module(1);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().offset >= c->core_modules[1].offset);
  CHECK_THAT(bad.error().message, Catch::Contains("core module 1"));
}

TEST_CASE("deep nesting is refused, not a stack overflow") {
  // 200 nested component sections, each just a preamble around the next one.
  std::vector<uint8_t> bytes;
  for (int i = 0; i < 200; ++i) {
    std::vector<uint8_t> outer = hex("00 61 73 6d 0d 00 01 00 04");
    uint32_t n = uint32_t(bytes.size());
    do {
      uint8_t b = n & 0x7f;
      n >>= 7;
      outer.push_back(uint8_t(b | (n ? 0x80 : 0)));
    } while (n);
    outer.insert(outer.end(), bytes.begin(), bytes.end());
    bytes = std::move(outer);
  }
  // The innermost section is empty (no preamble), but the nesting limit is reached first.
  Error e = decode_err(bytes);
  CHECK_THAT(e.message, Catch::Contains("nested too deeply"));
}
