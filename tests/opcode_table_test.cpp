// The opcode-table walk (CONVENTIONS 2): for every row of decoder/opcodes.def, the opcode has
// a name that round-trips through the decoder, the validator accepts it, the interpreter's
// translator translates it and the JIT compiles it (or explicitly bails out on it). No hand
// list of supported opcodes is consulted: each opcode gets a tiny module whose one function
// uses it, and that module goes through the real decoder, validator, translator and compiler
// (compile_module). An opcode added to the table without its rule, translation or emitter
// makes its module fail here, naming the opcode and the engine's error. Every engine of the
// build runs it (the engine registry); a tier may decline an opcode only as a declared
// bailout, whose error says so.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "decoder/instr.hpp"
#include "decoder/opcodes.hpp"
#include "decoder/reader.hpp"
#include "engines/registry.hpp"
#include "runtime/engine.hpp"
#include "tests/wasm_writer.hpp"
#include "validator/sig_table.hpp"

using namespace wsvm;
using namespace wsvm::wasm_writer;

namespace {

// The test function's locals, one per value type, so an operand of any type is a local.get.
constexpr uint8_t kLocalI32 = 0, kLocalI64 = 1, kLocalF32 = 2, kLocalF64 = 3, kLocalV128 = 4;

void get(Bytes& b, uint8_t local) { put(b, {0x20, local}); }

void push_operand(Bytes& b, ValType t) {
  switch (t) {
    case ValType::I32: return get(b, kLocalI32);
    case ValType::I64: return get(b, kLocalI64);
    case ValType::F32: return get(b, kLocalF32);
    case ValType::F64: return get(b, kLocalF64);
    case ValType::V128: return get(b, kLocalV128);
    default: FAIL("no operand of this type in the fixture");
  }
}

// The opcode's encoding: prefix, code, and its immediates with zero / in-range values.
void put_op(Bytes& b, Op op) {
  const OpInfo& info = op_info(op);
  if (info.prefix == 0) {
    b.push_back(static_cast<uint8_t>(info.code));
  } else {
    b.push_back(info.prefix);
    put_u32(b, info.code);
  }
  switch (info.imm) {
    case Imm::None: return;
    case Imm::MemArg: return put(b, {0x00, 0x00});            // align 2^0, offset 0
    case Imm::MemArgLane: return put(b, {0x00, 0x00, 0x00});  // + lane 0
    case Imm::MemIdx: case Imm::Lane: return put(b, {0x00});
    case Imm::I32: case Imm::I64: case Imm::DataIdx: return put(b, {0x00});
    case Imm::F32: return put_le(b, 0, 4);
    case Imm::F64: return put_le(b, 0, 8);
    case Imm::MemoryInit: case Imm::MemoryCopy: return put(b, {0x00, 0x00});
    case Imm::V128Const: case Imm::Shuffle: return put_le(b, 0, 8), put_le(b, 0, 8);
    default: FAIL("opcode " << info.text << ": immediate kind without a generic encoding");
  }
}

// Bodies for the opcodes the validator types by hand (Sig::special), keyed by opcode. A new
// special opcode needs an entry here (the walk fails without one).
std::map<Op, Bytes> special_bodies() {
  const uint8_t i32 = kLocalI32;
  std::map<Op, Bytes> m;
  auto add = [&](Op op, std::initializer_list<uint8_t> bytes) { m[op] = Bytes(bytes); };
  add(Op::unreachable, {0x00});
  add(Op::nop, {0x01});
  add(Op::block, {0x02, 0x40, 0x0B});
  add(Op::loop, {0x03, 0x40, 0x0B});
  add(Op::if_, {0x20, i32, 0x04, 0x40, 0x0B});
  add(Op::else_, {0x20, i32, 0x04, 0x40, 0x05, 0x0B});
  add(Op::end, {0x02, 0x40, 0x0B});
  add(Op::br, {0x02, 0x40, 0x0C, 0x00, 0x0B});
  add(Op::br_if, {0x02, 0x40, 0x20, i32, 0x0D, 0x00, 0x0B});
  add(Op::br_table, {0x02, 0x40, 0x20, i32, 0x0E, 0x00, 0x00, 0x0B});
  add(Op::return_, {0x0F});
  add(Op::call, {0x10, 0x00});
  add(Op::call_indirect, {0x20, i32, 0x11, 0x00, 0x00});
  add(Op::return_call, {0x12, 0x00});
  add(Op::return_call_indirect, {0x20, i32, 0x13, 0x00, 0x00});
  // (ref.func 0) is a (ref $0): type 0 is [] -> []
  add(Op::call_ref, {0xD2, 0x00, 0x14, 0x00});
  add(Op::return_call_ref, {0xD2, 0x00, 0x15, 0x00});
  add(Op::ref_as_non_null, {0xD0, 0x70, 0xD4, 0x1A});
  add(Op::br_on_null, {0x02, 0x40, 0xD0, 0x70, 0xD5, 0x00, 0x1A, 0x0B});
  add(Op::br_on_non_null, {0x02, 0x70, 0xD0, 0x70, 0xD6, 0x00, 0xD0, 0x70, 0x0B, 0x1A});
  // Exception handling: tag 0 has type 0 ([] -> []).
  add(Op::try_, {0x06, 0x40, 0x0B});
  add(Op::catch_, {0x06, 0x40, 0x07, 0x00, 0x0B});
  add(Op::catch_all, {0x06, 0x40, 0x19, 0x0B});
  add(Op::throw_, {0x08, 0x00});
  add(Op::rethrow, {0x06, 0x40, 0x19, 0x09, 0x00, 0x0B});
  add(Op::throw_ref, {0xD0, 0x69, 0x0A});
  add(Op::delegate, {0x02, 0x40, 0x06, 0x40, 0x18, 0x00, 0x0B});
  add(Op::try_table, {0x1F, 0x40, 0x01, 0x02, 0x00, 0x0B});  // catch_all to the function
  add(Op::drop, {0x20, i32, 0x1A});
  add(Op::select, {0x20, i32, 0x20, i32, 0x20, i32, 0x1B, 0x1A});
  add(Op::select_t, {0x20, i32, 0x20, i32, 0x20, i32, 0x1C, 0x01, 0x7F, 0x1A});
  add(Op::local_get, {0x20, i32, 0x1A});
  add(Op::local_set, {0x20, i32, 0x21, i32});
  add(Op::local_tee, {0x20, i32, 0x22, i32, 0x1A});
  add(Op::global_get, {0x23, 0x00, 0x1A});
  add(Op::global_set, {0x20, i32, 0x24, 0x00});
  add(Op::table_get, {0x20, i32, 0x25, 0x00, 0x1A});
  add(Op::table_set, {0x20, i32, 0xD0, 0x70, 0x26, 0x00});
  add(Op::ref_null, {0xD0, 0x70, 0x1A});
  add(Op::ref_is_null, {0xD0, 0x70, 0xD1, 0x1A});
  add(Op::ref_func, {0xD2, 0x00, 0x1A});
  add(Op::table_init, {0x20, i32, 0x20, i32, 0x20, i32, 0xFC, 0x0C, 0x00, 0x00});
  add(Op::elem_drop, {0xFC, 0x0D, 0x00});
  add(Op::table_copy, {0x20, i32, 0x20, i32, 0x20, i32, 0xFC, 0x0E, 0x00, 0x00});
  add(Op::table_grow, {0xD0, 0x70, 0x20, i32, 0xFC, 0x0F, 0x00, 0x1A});
  add(Op::table_size, {0xFC, 0x10, 0x00, 0x1A});
  add(Op::table_fill, {0x20, i32, 0xD0, 0x70, 0x20, i32, 0xFC, 0x11, 0x00});
  return m;
}

// The instructions of the test function that uses `op` (without the final `end`).
std::optional<Bytes> body_using(Op op, const std::map<Op, Bytes>& special) {
  const OpInfo& info = op_info(op);
  if (info.sig == Sig::special) {
    auto it = special.find(op);
    if (it == special.end()) return std::nullopt;
    return it->second;
  }
  const SimpleSig& sig = simple_sig(op);
  Bytes b;
  for (ValType t : sig.param_types()) push_operand(b, t);
  put_op(b, op);
  for (uint8_t i = 0; i < sig.result_count; ++i) b.push_back(0x1A);  // drop
  return b;
}

// A module with one memory, one funcref table, one tag, one mutable i32 global, a passive element
// segment (which also declares func 0 for ref.func), a passive data segment, and function 0
// of type [] -> [] with the body given.
Bytes module_with_body(const Bytes& instrs) {
  Bytes m = module_header();
  put_section(m, 1, {0x01, 0x60, 0x00, 0x00});              // type 0: [] -> []
  put_section(m, 3, {0x01, 0x00});                          // func 0: type 0
  put_section(m, 4, {0x01, 0x70, 0x00, 0x01});              // table 0: funcref, min 1
  put_section(m, 5, {0x01, 0x00, 0x01});                    // memory 0: min 1 page
  put_section(m, 13, {0x01, 0x00, 0x00});                   // tag 0: type 0
  put_section(m, 6, {0x01, 0x7F, 0x01, 0x41, 0x00, 0x0B});  // global 0: mut i32 = 0
  put_section(m, 9, {0x01, 0x01, 0x00, 0x01, 0x00});        // elem 0: passive, funcs [0]
  put_section(m, 12, {0x01});                               // data count 1
  Bytes body;
  put(body, {0x05, 0x01, 0x7F, 0x01, 0x7E, 0x01, 0x7D, 0x01, 0x7C, 0x01, 0x7B});  // locals
  put_bytes(body, instrs);
  body.push_back(0x0B);
  Bytes code{0x01};
  put_u32(code, body.size());
  put_bytes(code, body);
  put_section(m, 10, code);
  put_section(m, 11, {0x01, 0x01, 0x01, 0x2A});  // data 0: passive, one byte
  return m;
}

// Does the fixture really hold `op`? (A wrong fixture would prove nothing.)
bool decodes_to(const Bytes& instrs, Op op) {
  Reader r{std::span<const uint8_t>(instrs)};
  while (!r.at_end()) {
    Instr in;
    if (!read_instr(r, in)) return false;
    if (in.op == op) return true;
  }
  return false;
}

struct EngineUnderTest {
  std::string name;
  std::unique_ptr<Engine> engine;
};

// Every engine this build has (engines/registry.hpp).
std::vector<EngineUnderTest> engines() {
  std::vector<EngineUnderTest> v;
  EngineConfig config;
  config.jit_compile = JitCompile::Eager;  // compile every body now, so errors show in compile()
  for (std::string_view name : built_engine_names()) {
    auto engine = make_engine(name, config);
    REQUIRE(engine.has_value());
    v.push_back({std::string(name), std::move(*engine)});
  }
  return v;
}

}  // namespace

TEST_CASE("every opcode has a name that round-trips through the decoder", "[table]") {
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const Op op = static_cast<Op>(i);
    const OpInfo& info = op_info(op);
    INFO("opcode #" << i);
    REQUIRE(info.text != nullptr);
    CHECK(std::string(info.text).size() > 0);
    Op back{};
    bool found = info.prefix == 0x00   ? op_from_byte(static_cast<uint8_t>(info.code), back)
                 : info.prefix == 0xFC ? op_from_fc(info.code, back)
                                       : op_from_fd(info.code, back);
    CHECK(found);
    CHECK(back == op);
  }
}

TEST_CASE("every opcode is validated, translated by the interpreter and compiled by the JIT",
          "[table]") {
  const std::map<Op, Bytes> special = special_bodies();
  std::vector<EngineUnderTest> tiers = engines();
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const Op op = static_cast<Op>(i);
    INFO("opcode " << op_name(op));
    const std::optional<Bytes> instrs = body_using(op, special);
    if (!instrs) FAIL_CHECK("a special opcode without a fixture in opcode_table_test.cpp");
    if (!instrs) continue;
    REQUIRE(decodes_to(*instrs, op));
    const Bytes wasm = module_with_body(*instrs);
    for (EngineUnderTest& t : tiers) {
      INFO("engine " << t.name);
      auto compiled = compile_module(*t.engine, std::span<const uint8_t>(wasm));
      std::string error = compiled ? "" : compiled.error().to_string();
      INFO("error: " << error);
      // A tier may decline an opcode only explicitly (the JIT's kBailouts, jit/compiler.cpp),
      // and then says so; any other failure is a missing rule, translation or emitter.
      if (error.find("(declared bailout)") != std::string::npos) continue;
      CHECK(compiled.has_value());
    }
  }
}
