// What a listener of the walk sees: slots, heights and frames at each instruction.
#include <catch2/catch.hpp>

#include <functional>
#include <vector>

#include "validator/function_validator.hpp"
#include "validator/tests/test_util.hpp"

using namespace wsvm;

namespace {

struct Seen {
  Op op;
  uint32_t operand_count;
  uint32_t slot_height;
  uint32_t control_count;
  bool unreachable;
  Operand top;  // valid when operand_count > 0
};

struct RecordingListener {
  std::vector<ValType> locals;
  std::vector<Seen> seen;
  bool ended = false;
  uint32_t end_operands = 0, end_controls = 99, end_max_slots = 0;
  Operand end_top{};

  void begin_function(const Module&, uint32_t, std::span<const ValType> l) {
    locals.assign(l.begin(), l.end());
  }
  void on_instr(const Instr& ins, const WalkState& st) {
    Seen s{ins.op, st.operand_count(), st.slot_height(), st.control_count(), st.unreachable(), {}};
    if (st.operand_count() > 0) s.top = st.operand_from_top(0);
    seen.push_back(s);
  }
  void end_function(const WalkState& st) {
    ended = true;
    end_operands = st.operand_count();
    end_controls = st.control_count();
    end_max_slots = st.max_slot_height();
    if (st.operand_count() > 0) end_top = st.operand_from_top(0);
  }
};

// A listener whose hook fails: the walk must stop with its error.
struct FailingListener {
  int calls = 0;
  void begin_function(const Module&, uint32_t, std::span<const ValType>) {}
  Result<void> on_instr(const Instr& ins, const WalkState&) {
    if (++calls == 2) return make_error(ErrorKind::Invalid, ins.offset, "listener says no");
    return {};
  }
  void end_function(const WalkState&) {}
};

}  // namespace

TEST_CASE("listener sees slots before each instruction's effect", "[walker]") {
  auto m = test::decode_fixture("l_slots");
  REQUIRE(m);
  RecordingListener l;
  Result<void> r = walk_function(*m, 0, l);
  INFO((r ? std::string() : r.error().to_string()));
  REQUIRE(r.has_value());
  REQUIRE(l.locals == std::vector<ValType>{ValType::I32});
  // (instr, operands, slot height, frames)
  struct Want { Op op; uint32_t n, slots, frames; };
  const Want want[] = {
      {Op::i64_const, 0, 0, 1},        {Op::local_get, 1, 1, 1}, {Op::i64_extend_i32_u, 2, 2, 1},
      {Op::i64_add, 2, 2, 1},          {Op::block, 1, 1, 1},     {Op::i64_const, 1, 1, 2},
      {Op::end, 2, 2, 2},              {Op::i64_add, 2, 2, 1},   {Op::end, 1, 1, 1},
  };
  REQUIRE(l.seen.size() == std::size(want));
  for (size_t i = 0; i < std::size(want); ++i) {
    INFO("instruction " << i << " " << op_name(l.seen[i].op));
    CHECK(l.seen[i].op == want[i].op);
    CHECK(l.seen[i].operand_count == want[i].n);
    CHECK(l.seen[i].slot_height == want[i].slots);
    CHECK(l.seen[i].control_count == want[i].frames);
    CHECK_FALSE(l.seen[i].unreachable);
  }
  // i64.extend_i32_u pops the i32 in slot 1; the block's result lands in slot 1.
  CHECK(l.seen[2].top.type == ValType::I32);
  CHECK(l.seen[2].top.slot == 1);
  CHECK(l.seen[3].top.type == ValType::I64);
  CHECK(l.seen[7].top.slot == 1);
  CHECK(l.seen[7].top.type == ValType::I64);
  CHECK(l.ended);
  CHECK(l.end_controls == 0);
  CHECK(l.end_operands == 1);
  CHECK(l.end_top.type == ValType::I64);
  CHECK(l.end_top.slot == 0);
  CHECK(l.end_max_slots == 2);
}

TEST_CASE("listener state inside a block and in unreachable code", "[walker]") {
  auto m = test::decode_fixture("l_slots");
  REQUIRE(m);
  struct FrameSpy : RecordingListener {
    uint32_t block_height = 99, block_slot_height = 99;
    Op inner_kind = Op::nop, outer_kind = Op::nop;
    void on_instr(const Instr& ins, const WalkState& st) {
      if (ins.op == Op::i64_const && st.control_count() == 2) {
        block_height = st.control(0).height;
        block_slot_height = st.control(0).slot_height;
        inner_kind = st.control(0).kind;
        outer_kind = st.control(1).kind;
      }
    }
  } spy;
  REQUIRE(walk_function(*m, 0, spy).has_value());
  CHECK(spy.block_height == 1);
  CHECK(spy.block_slot_height == 1);
  CHECK(spy.inner_kind == Op::block);
  CHECK(spy.outer_kind == Op::call);

  auto u = test::decode_fixture("l_unreachable");
  REQUIRE(u);
  RecordingListener l;
  REQUIRE(walk_function(*u, 0, l).has_value());
  REQUIRE(l.seen.size() == 3);  // unreachable, i32.add, end
  CHECK_FALSE(l.seen[0].unreachable);
  CHECK(l.seen[1].unreachable);
  CHECK(l.seen[1].operand_count == 0);  // i32.add pops nothing real
  CHECK(l.seen[2].operand_count == 1);  // its i32 result
  CHECK(l.seen[2].top.slot == 0);
  CHECK(l.end_top.type == ValType::I32);
}

TEST_CASE("a listener error ends the walk", "[walker]") {
  auto m = test::decode_fixture("l_slots");
  REQUIRE(m);
  FailingListener l;
  Result<void> r = walk_function(*m, 0, l);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "listener says no");
  CHECK(l.calls == 2);
}

TEST_CASE("the Sig table types simple instructions", "[walker]") {
  const SimpleSig& add = simple_sig(Op::i32_add);
  CHECK(add.param_count == 2);
  CHECK(add.params[0] == ValType::I32);
  CHECK(add.result_count == 1);
  const SimpleSig& store = simple_sig(Op::i64_store);
  CHECK(store.param_count == 2);
  CHECK(store.params[0] == ValType::I32);
  CHECK(store.params[1] == ValType::I64);
  CHECK(store.result_count == 0);
  CHECK(simple_sig(Op::f64_convert_i64_u).params[0] == ValType::I64);
  CHECK(simple_sig(Op::f64_convert_i64_u).result == ValType::F64);
  // Every non-special opcode has a typing; every load/store has an access size.
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const OpInfo& info = kOpInfo[i];
    INFO(info.text);
    if (info.sig != Sig::special && info.sig != Sig::v_v)
      CHECK(kOpSigs[i].param_count + kOpSigs[i].result_count > 0);
    if (info.imm == Imm::MemArg) CHECK(info.mem > 0);
  }
}

// The walk loop decodes the common instructions itself (walk_detail::FastKind): a listener
// must see exactly what read_instr() decodes from the same bytes, in the same order.
TEST_CASE("listeners see the instructions read_instr decodes", "[walker][fast]") {
  struct Decoded {
    Op op;
    size_t offset;
    uint32_t a;
    uint64_t imm;
    bool operator==(const Decoded&) const = default;
  };
  // The immediates an instruction of this kind carries in a / imm (others are unspecified).
  auto decoded = [](const Instr& ins) {
    Decoded d{ins.op, ins.offset, 0, 0};
    switch (op_info(ins.op).imm) {
      case Imm::LocalIdx: case Imm::GlobalIdx: case Imm::FuncIdx: case Imm::LabelIdx:
        d.a = ins.a;
        break;
      case Imm::I32: case Imm::I64: case Imm::F32: case Imm::F64:
        d.imm = ins.imm;
        break;
      case Imm::MemArg:
        d.a = ins.a;
        d.imm = ins.imm;
        break;
      case Imm::BlockType:
        d.a = static_cast<uint32_t>(ins.block.kind);
        if (ins.block.kind == BlockType::Kind::Value) d.imm = ins.block.value.byte();
        if (ins.block.kind == BlockType::Kind::TypeIndex) d.imm = ins.block.type_index;
        break;
      default:
        break;
    }
    return d;
  };
  struct Recorder {
    std::function<Decoded(const Instr&)> convert;
    std::vector<Decoded> seen;
    void begin_function(const Module&, uint32_t, std::span<const ValType>) {}
    void on_instr(const Instr& ins, const WalkState&) { seen.push_back(convert(ins)); }
    void end_function(const WalkState&) {}
  };
  for (const char* name : {"l_slots", "l_unreachable", "v_memory_ops", "v_block_params",
                           "v_select_num", "v_call_indirect", "v_unreachable_add",
                           "v_multi_results", "v_loop_params", "v_if_params",
                           "v_br_table_multi", "v_return_unreachable",
                           "v_unreachable_br_table_types", "v_unreachable_select"}) {
    INFO(name);
    auto m = test::decode_fixture(name);
    REQUIRE(m);
    for (uint32_t f = m->imported_funcs; f < m->funcs.size(); ++f) {
      Recorder rec{decoded, {}};
      REQUIRE(walk_function(*m, f, rec).has_value());
      std::vector<Decoded> want;
      const FunctionBody& body = m->body(f);
      Reader r(m->body_bytes(f), body.body_offset, true);
      Instr ins;
      while (!r.at_end()) {
        REQUIRE(read_instr(r, ins).has_value());
        want.push_back(decoded(ins));
      }
      CHECK(rec.seen == want);
      CHECK(!want.empty());
    }
  }
}
