// decode_module on hand-written fixtures: every section, every element and data form, the
// name section, and the malformed cases with their spec wording and byte offsets.
#include <catch2/catch.hpp>

#include "decoder/const_expr_reader.hpp"
#include "decoder/module.hpp"
#include "test_util.hpp"

using namespace wsvm;
using wsvm::test::decode_and_scan;
using wsvm::test::module_hex;

namespace {

std::shared_ptr<Module> ok(std::string_view sections) {
  auto bytes = module_hex(sections);
  auto m = decode_and_scan(bytes);
  if (!m) FAIL(m.error().to_string());
  return *m;
}

Error err(std::string_view sections) {
  auto bytes = module_hex(sections);
  auto m = decode_and_scan(bytes);
  if (m) FAIL("decoded, but should have failed");
  return m.error();
}

std::string msg(std::string_view sections) { return err(sections).message; }

// A constant expression's instructions, read back from the module's bytes.
std::vector<Instr> instrs(const Module& m, const ConstExpr& e) {
  std::vector<Instr> out;
  ConstExprReader reader(m, e);
  for (Instr i; reader.next(i).value_or(false); i = Instr{}) out.push_back(i);
  return out;
}

}  // namespace

TEST_CASE("empty module and header errors", "[decode]") {
  auto m = ok("");
  CHECK(m->types.empty());
  CHECK(m->bytes.size() == 8);
  auto bytes = [](std::string_view h) { return decode_module(test::hex(h)); };
  CHECK(bytes("").error().message == "unexpected end");
  CHECK(bytes("00 61 73").error().message == "unexpected end");
  CHECK(bytes("00 61 73 6d 01 00").error().message == "unexpected end");
  CHECK(bytes("00 41 53 4d 01 00 00 00").error().message == "magic header not detected");
  CHECK(bytes("00 61 73 6d 02 00 00 00").error().message == "unknown binary version");
  CHECK(bytes("00 61 73 6d 01 00 00 00 00 61").error().kind == ErrorKind::Malformed);
}

TEST_CASE("tag sections, tag imports and exports (exception handling)", "[decode]") {
  // type 0: [i32] -> []; tag section (13) after the memory section's place, before globals.
  auto m = decode_module(test::hex("00 61 73 6d 01 00 00 00  01 05 01 60 01 7f 00  "
                                   "02 08 01 01 61 01 74 04 00 00  0d 03 01 00 00  "
                                   "07 05 01 01 65 04 01"));
  REQUIRE(m.has_value());
  CHECK((*m)->tags == std::vector<uint32_t>{0, 0});
  CHECK((*m)->imported_tags == 1);
  CHECK((*m)->imports[0].kind == ExternKind::Tag);
  CHECK((*m)->exports[0].kind == ExternKind::Tag);
  CHECK(msg("0d 03 01 01 00") == "malformed tag attribute");
  CHECK(msg("0d 02 01 00").starts_with("unexpected end"));  // no type index
  CHECK(msg("0d 01 01").starts_with("unexpected end"));     // truncated
  CHECK(msg("0d 06 ff ff ff ff 0f 00").starts_with("unexpected end"));  // a count no input holds
  CHECK(msg("0d 01 00 0d 01 00") == "unexpected content after last section");
  CHECK(msg("06 01 00 0d 01 00") == "unexpected content after last section");  // after global
}

// Encodings of features wsvm lacks name the feature, after the spec's own words.
TEST_CASE("unsupported features are named", "[decode]") {
  auto bytes = [](std::string_view h) { return decode_module(test::hex(h)); };
  Error component = bytes("00 61 73 6d 0d 00 01 00").error();
  CHECK(component.message.starts_with("unknown binary version (this is a WebAssembly component"));
  CHECK(component.kind == ErrorKind::Malformed);
  CHECK(msg("0e 00") == "malformed section id");
  // A function type with a GC reference parameter: anyref = 0x6e.
  CHECK(msg("01 05 01 60 01 6e 00").starts_with("malformed value type (a GC reference type"));
}

// Wasm 3.0 reference types: (ref null $t), (ref ht), the short forms of the bottom types.
TEST_CASE("typed reference types", "[decode]") {
  // (type (func (param (ref null 0) (ref func) exnref nullfuncref)))
  auto m = ok("01 0a 01 60 04 63 00 64 70 69 73 00");
  REQUIRE(m->types.size() == 1);
  const std::vector<ValType>& p = m->types[0].params;
  REQUIRE(p.size() == 4);
  CHECK(p[0] == ValType::ref_index(0, true));
  CHECK(p[0].kind() == ValKind::FuncRef);
  CHECK(p[1] == ValType::ref(HeapType::Func, false));
  CHECK(p[1] != ValType::FuncRef);
  CHECK(p[2] == ValType::ExnRef);
  CHECK(p[3] == ValType::ref(HeapType::NoFunc, true));
  CHECK(valtype_name(p[0]) == "(ref null 0)");
  CHECK(valtype_name(p[1]) == "(ref func)");
  CHECK(valtype_name(p[2]) == "exnref");
  // A negative heap type index is malformed.
  CHECK(msg("01 06 01 60 01 64 7f 00").starts_with("malformed heap type"));
}

TEST_CASE("subtyping of reference types", "[types]") {
  std::vector<FuncType> types{FuncType{{ValType::I32}, {}}, FuncType{{ValType::I32}, {}},
                              FuncType{{}, {}}};
  const TypeContext ctx{types};
  const ValType t0 = ValType::ref_index(0, false), t1 = ValType::ref_index(1, true);
  CHECK(matches(t0, ValType::FuncRef, ctx));
  CHECK(matches(t0, ValType::ref(HeapType::Func, false), ctx));
  CHECK(matches(t0, t1, ctx));   // equivalent types, non-null <: nullable
  CHECK_FALSE(matches(t1, t0, ctx));  // nullable </: non-null
  CHECK_FALSE(matches(t0, ValType::ref_index(2, true), ctx));  // different function types
  CHECK_FALSE(matches(ValType::FuncRef, t1, ctx));
  CHECK(matches(ValType::ref(HeapType::NoFunc, true), t1, ctx));
  CHECK_FALSE(matches(ValType::ref(HeapType::NoExtern, true), t1, ctx));
  CHECK(matches(ValType::ref(HeapType::NoExtern, false), ValType::ExternRef, ctx));
  CHECK_FALSE(matches(ValType::ExternRef, ValType::FuncRef, ctx));
  CHECK(matches(ValType::Bottom, ValType::I64, ctx));
  CHECK_FALSE(matches(ValType::I32, ValType::I64, ctx));
  CHECK(canonical_key(types[0], ctx) == canonical_key(types[1], ctx));
  CHECK(canonical_key(types[0], ctx) != canonical_key(types[2], ctx));
  // A type that refers to itself terminates: (type $r (func (param (ref $r)))).
  std::vector<FuncType> rec{FuncType{{ValType::ref_index(0, false)}, {}}};
  CHECK(types_equivalent(0, TypeContext{rec}, 0, TypeContext{rec}));
  CHECK(!canonical_key(rec[0], TypeContext{rec}).empty());
}

TEST_CASE("type section", "[decode]") {
  // (type (func (param i32 i64) (result f32))) (type (func))
  auto m = ok("01 0a 02 60 02 7f 7e 01 7d 60 00 00");
  REQUIRE(m->types.size() == 2);
  CHECK(m->types[0].params == std::vector<ValType>{ValType::I32, ValType::I64});
  CHECK(m->types[0].results == std::vector<ValType>{ValType::F32});
  CHECK(m->types[1] == FuncType{});
  CHECK(msg("01 04 01 61 00 00") == "malformed function type");
  CHECK(msg("01 04 01 60 01 7a") == "malformed value type");
  // -0x20 as a two-byte signed LEB: type bytes are single bytes.
  CHECK(msg("01 05 01 e0 7f 00 00") == "integer representation too long");
}

TEST_CASE("import section fills the index spaces", "[decode]") {
  // (import "a" "f" (func (param i32))) (import "a" "t" (table 1 2 funcref))
  // (import "a" "m" (memory 1)) (import "a" "g" (global (mut f64)))
  auto m = ok("01 05 01 60 01 7f 00"
              "02 1e 04 01 61 01 66 00 00 01 61 01 74 01 70 01 01 02 01 61 01 6d 02 00 01"
              "   01 61 01 67 03 7c 01");
  REQUIRE(m->imports.size() == 4);
  CHECK(m->imports[0].module == "a");
  CHECK(m->imports[0].name == "f");
  CHECK(m->imports[0].kind == ExternKind::Func);
  CHECK(m->imports[1].table.limits == Limits{1, 2});
  CHECK(m->imports[2].memory.limits == Limits{1, std::nullopt});
  CHECK(m->imports[3].global.type == ValType::F64);
  CHECK(m->imports[3].global.mut);
  CHECK(m->imported_funcs == 1);
  CHECK(m->imported_tables == 1);
  CHECK(m->imported_memories == 1);
  CHECK(m->imported_globals == 1);
  CHECK(m->funcs == std::vector<uint32_t>{0});
  CHECK(m->tables.size() == 1);
  // Import kind 5 at byte 8 + 2 (id, size) + 1 (count) + 4 (names) = 15 (4 is a tag).
  Error e = err("02 07 01 01 61 01 66 05 00");
  CHECK(e.message == "malformed import kind");
  CHECK(e.offset == 15);
  CHECK(msg("02 08 01 01 61 01 66 03 7f 02") == "malformed mutability");
}

TEST_CASE("function and code sections", "[decode]") {
  // (func (param i32) (result i32) (local i64 i64 f32) local.get 0) (func)
  auto m = ok("01 09 02 60 01 7f 01 7f 60 00 00 03 03 02 00 01"
              "0a 0d 02 08 02 02 7e 01 7d 20 00 0b 02 00 0b");
  REQUIRE(m->code.size() == 2);
  CHECK(m->funcs == std::vector<uint32_t>{0, 1});
  const FunctionBody& b = m->code[0];
  REQUIRE(b.locals.size() == 2);
  CHECK(b.locals[0].count == 2);
  CHECK(b.locals[0].type == ValType::I64);
  CHECK(b.locals[1].type == ValType::F32);
  CHECK(b.local_count == 3);
  CHECK(b.entry_offset == 27);
  CHECK(b.body_offset == 33);
  CHECK(b.body_end == 36);
  CHECK(m->body_bytes(0).size() == 3);
  CHECK(m->body_bytes(1).size() == 1);
  CHECK(m->func_type(1) == FuncType{});
}

TEST_CASE("code section errors", "[decode]") {
  const char* type_func = "01 04 01 60 00 00 03 02 01 00 ";
  auto with = [&](const char* code) { return msg(std::string(type_func) + code); };
  CHECK(msg("01 04 01 60 00 00 03 03 02 00 00") ==
        "function and code section have inconsistent lengths");
  CHECK(with("0a 07 02 02 00 0b 02 00 0b") ==
        "function and code section have inconsistent lengths");
  CHECK(msg("0a 04 01 02 00 0b") == "function and code section have inconsistent lengths");
  // 0xFFFFFFFF + 2 locals.
  CHECK(with("0a 0c 01 0a 02 ff ff ff ff 0f 7f 02 7e 0b") == "too many locals");
  CHECK(with("0a 0c 01 0a 02 80 80 80 80 10 7f 02 7e 0b") == "integer too large");
  CHECK(with("0a 03 01 01 00") == "unexpected end of section or function");  // empty body
  CHECK(with("0a 05 01 03 00 41 01") == "END opcode expected");
  CHECK(with("0a 05 01 03 00 0b 0b") == "section size mismatch");  // junk after final end
  CHECK(with("0a 06 01 04 00 02 40 0b") == "END opcode expected");  // block never closed
  CHECK(with("0a 05 01 03 00 f3 0b") == "illegal opcode");
  Error e = err(std::string(type_func) + "0a 05 01 03 00 f3 0b");
  CHECK(e.offset == 23);
  // A nested block closed, then the function's end: fine.
  ok(std::string(type_func) + "0a 08 01 06 00 02 40 01 0b 0b");
  // Code entry larger than the section.
  CHECK(with("0a 04 01 09 00 0b") == "length out of bounds");
}

TEST_CASE("table, memory, global, export and start sections", "[decode]") {
  // (table 3 externref) (memory 1 2) (global i32 (i32.const -2)) (export "m" (memory 0))
  // (export "g" (global 0)) (func $s) (start $s)
  auto m = ok("01 04 01 60 00 00 03 02 01 00 04 04 01 6f 00 03 05 04 01 01 01 02"
              "06 06 01 7f 00 41 7e 0b 07 09 02 01 6d 02 00 01 67 03 00 08 01 00"
              "0a 04 01 02 00 0b");
  REQUIRE(m->tables.size() == 1);
  CHECK(m->tables[0].elem == ValType::ExternRef);
  CHECK(m->tables[0].limits == Limits{3, std::nullopt});
  REQUIRE(m->memories.size() == 1);
  CHECK(m->memories[0].limits == Limits{1, 2});
  REQUIRE(m->global_defs.size() == 1);
  CHECK(m->globals.size() == 1);
  CHECK_FALSE(m->global_defs[0].type.mut);
  auto init = instrs(*m, m->global_defs[0].init);
  REQUIRE(init.size() == 1);
  CHECK(init[0].op == Op::i32_const);
  CHECK(static_cast<int32_t>(init[0].imm) == -2);
  REQUIRE(m->exports.size() == 2);
  CHECK(m->exports[0].name == "m");
  CHECK(m->exports[0].kind == ExternKind::Memory);
  CHECK(m->exports[1].kind == ExternKind::Global);
  CHECK(m->start == 0u);

  CHECK(msg("05 03 01 02 00") == "integer too large");  // limits flag 2
  CHECK(msg("05 04 01 81 00 00") == "integer representation too long");
  CHECK(msg("04 04 01 7f 00 00") == "malformed reference type");
  CHECK(msg("06 06 01 7f 02 41 00 0b") == "malformed mutability");
  CHECK(msg("07 05 01 01 61 05 00") == "malformed export kind");
  CHECK(msg("06 05 01 7f 00 41 00") == "unexpected end of section or function");  // no `end`
}

TEST_CASE("every element segment form", "[decode]") {
  const char* prefix = "01 04 01 60 00 00 03 02 01 00 04 07 02 70 00 01 6f 00 01 ";
  auto m = ok(std::string(prefix) +
              "09 38 08"
              "00 41 00 0b 01 00"                 // 0: (elem (i32.const 0) func 0)
              "01 00 01 00"                       // 1: (elem func 0)
              "02 01 41 01 0b 00 01 00"           // 2: (elem (table 1) (i32.const 1) func 0)
              "03 00 01 00"                       // 3: (elem declare func 0)
              "04 41 02 0b 02 d2 00 0b d0 70 0b"  // 4: (elem (i32.const 2) funcref ...)
              "05 70 01 d0 70 0b"                 // 5: (elem funcref (ref.null func))
              "06 01 41 03 0b 6f 01 d0 6f 0b"     // 6: (elem (table 1) (i32.const 3) externref ..)
              "07 70 01 d2 00 0b"                 // 7: (elem declare funcref (ref.func 0))
              "0a 04 01 02 00 0b");
  REQUIRE(m->elems.size() == 8);
  const auto& e = m->elems;
  SegmentMode modes[8] = {SegmentMode::Active,      SegmentMode::Passive,
                          SegmentMode::Active,      SegmentMode::Declarative,
                          SegmentMode::Active,      SegmentMode::Passive,
                          SegmentMode::Active,      SegmentMode::Declarative};
  for (int i = 0; i < 8; ++i) {
    INFO("form " << i);
    CHECK(e[i].mode == modes[i]);
    CHECK(e[i].type == (i == 6 ? ValType::ExternRef : ValType::FuncRef));
    CHECK(e[i].exprs == (i >= 4));
    if (e[i].exprs)
      for (size_t k = 0; k < e[i].size(); ++k) CHECK(instrs(*m, e[i].item_expr(k)).size() == 1);
  }
  CHECK(e[0].table == 0);
  CHECK(e[2].table == 1);
  CHECK(e[6].table == 1);
  CHECK(instrs(*m, e[2].offset)[0].imm == 1);
  // Function-index forms keep just the indices (four bytes an item; issue 17).
  CHECK(e[1].values == std::vector<uint32_t>{0});
  CHECK(e[3].values == std::vector<uint32_t>{0});
  REQUIRE(e[4].size() == 2);
  CHECK(instrs(*m, e[4].item_expr(0))[0].op == Op::ref_func);
  CHECK(instrs(*m, e[4].item_expr(1))[0].op == Op::ref_null);
  CHECK(instrs(*m, e[6].item_expr(0))[0].type == ValType::ExternRef);

  CHECK(msg(std::string(prefix) + "09 05 01 01 01 01 00") == "malformed element kind");
  CHECK(msg(std::string(prefix) + "09 05 01 05 7f 01 00") == "malformed reference type");
  CHECK(msg(std::string(prefix) + "09 02 01 08") == "malformed elements segment kind");
  CHECK(msg(std::string(prefix) + "09 07 01 05 70 01 f3 00 0b") == "illegal opcode");
}

TEST_CASE("every data segment form and the data count", "[decode]") {
  auto m = ok("05 03 01 00 01 0c 01 03"
              "0b 14 03"
              "00 41 08 0b 02 61 62"  // (data (i32.const 8) "ab")
              "01 03 78 79 7a"        // (data "xyz")
              "02 00 41 10 0b 01 ff"  // (data (memory 0) (i32.const 16) "\ff")
  );
  REQUIRE(m->datas.size() == 3);
  CHECK(m->data_count == 3u);
  const auto& d = m->datas;
  CHECK(d[0].mode == SegmentMode::Active);
  CHECK(instrs(*m, d[0].offset)[0].imm == 8);
  CHECK(d[0].bytes_size == 2);
  CHECK(m->bytes[d[0].bytes_offset] == 'a');
  CHECK(d[1].mode == SegmentMode::Passive);
  CHECK(d[1].bytes_size == 3);
  CHECK(m->bytes[d[1].bytes_offset + 2] == 'z');
  CHECK(d[2].mode == SegmentMode::Active);
  CHECK(d[2].memory == 0);
  CHECK(m->bytes[d[2].bytes_offset] == 0xff);

  CHECK(msg("05 03 01 00 01 0c 01 02 0b 05 01 01 02 61 62") ==
        "data count and data section have inconsistent lengths");
  CHECK(msg("0c 01 01") == "data count and data section have inconsistent lengths");
  ok("0c 01 00");
  CHECK(msg("0b 02 01 03") == "malformed data segment kind");
  CHECK(msg("0b 05 01 01 05 61 62") == "unexpected end of section or function");
}

TEST_CASE("data count section required by memory.init and data.drop", "[decode]") {
  // (func (data.drop 0)) with and without a data count section.
  const char* head = "01 04 01 60 00 00 03 02 01 00 05 03 01 00 00 ";
  const char* code = "0a 07 01 05 00 fc 09 00 0b 0b 03 01 01 00";
  auto bytes = module_hex(std::string(head) + code);
  auto m = decode_module(bytes);
  REQUIRE(m);  // decoding alone does not look into bodies
  auto scan = scan_body(**m, 0);
  REQUIRE_FALSE(scan);
  CHECK(scan.error().message == "data count section required");
  CHECK(scan.error().kind == ErrorKind::Malformed);
  ok(std::string(head) + "0c 01 01 " + code);
}

TEST_CASE("section ids, order and sizes", "[decode]") {
  CHECK(msg("0e 00") == "malformed section id");
  Error e = err("01 01 00 ff 00");
  CHECK(e.message == "malformed section id");
  CHECK(e.offset == 11);
  CHECK(msg("03 01 00 01 01 00") == "unexpected content after last section");  // out of order
  CHECK(msg("01 01 00 01 01 00") == "unexpected content after last section");  // twice
  // Data count (12) goes before code (10); after it is out of order.
  CHECK(msg("0a 01 00 0c 01 00") == "unexpected content after last section");
  ok("0c 01 00 0a 01 00");
  CHECK(msg("01 02 00 00") == "section size mismatch");
  CHECK(msg("01 05 01 60 00 00") == "length out of bounds");
  // A vec count beyond the section fails before allocating anything.
  CHECK(msg("01 01 02") == "unexpected end of section or function");
  // Custom sections go anywhere, any number of times.
  auto m = ok("00 03 01 61 00 01 01 00 00 02 01 62 00 04 02 63 64 99");
  REQUIRE(m->customs.size() == 3);
  CHECK(m->customs[0].name == "a");
  CHECK(m->customs[0].size == 1);
  CHECK(m->bytes[m->customs[2].offset] == 0x99);
  CHECK(msg("00 02 01 ff") == "malformed UTF-8 encoding");
  CHECK(msg("00 01 05") == "length out of bounds");
}

TEST_CASE("name section", "[decode]") {
  const char* func = "01 04 01 60 00 00 03 02 01 00 0a 04 01 02 00 0b ";
  // module "mod", function 0 "main", local 0 of function 0 "x"
  auto m = ok(std::string(func) +
              "00 1c 04 6e 61 6d 65"
              "00 04 03 6d 6f 64"
              "01 07 01 00 04 6d 61 69 6e"
              "02 06 01 00 01 00 01 78");
  CHECK(m->names.module == "mod");
  CHECK(m->names.functions.at(0) == "main");
  CHECK(m->names.locals.at(0).at(0) == "x");
  CHECK(m->function_name(0) == "main");

  // A broken name section leaves the module well-formed (and unnamed).
  auto broken = ok(std::string(func) + "00 0a 04 6e 61 6d 65 00 05 03 6d 6f");
  CHECK_FALSE(broken->names.module);
  auto bad_utf8 = ok(std::string(func) + "00 0b 04 6e 61 6d 65 01 04 01 00 01 ff");
  CHECK(bad_utf8->names.functions.empty());
  // Subsections before a broken one are kept.
  auto partial = ok(std::string(func) + "00 0f 04 6e 61 6d 65 00 02 01 6d 01 04 01 00 05 ff");
  CHECK(partial->names.module == "m");
  CHECK(partial->names.functions.empty());
}

TEST_CASE("function_name falls back to exports, then func[N]", "[decode]") {
  // (func (export "run")) (func)
  auto m = ok("01 04 01 60 00 00 03 03 02 00 00 07 07 01 03 72 75 6e 00 00"
              "0a 07 02 02 00 0b 02 00 0b");
  CHECK(m->function_name(0) == "run");
  CHECK(m->function_name(1) == "func[1]");
}

TEST_CASE("constant expressions keep nested blocks for the validator", "[decode]") {
  // (global i32 (block (result i32) (i32.const 1) end)) decodes: the validator rejects it.
  auto m = ok("06 09 01 7f 00 02 7f 41 01 0b 0b");
  REQUIRE(m->global_defs.size() == 1);
  auto ins = instrs(*m, m->global_defs[0].init);
  REQUIRE(ins.size() == 3);
  CHECK(ins[0].op == Op::block);
  CHECK(ins[2].op == Op::end);
  CHECK(m->global_defs[0].init.offset == 13);
}
