// Translation of the non-structural instructions: numeric ops (table-driven from
// numeric_ops.def), constants, globals, memory, tables and references.
#include <array>
#include <cassert>
#include <type_traits>

#include "interp/translate.hpp"
#include "runtime/value.hpp"

namespace wsvm::interp {
namespace {

enum class Shape : uint8_t { None, Unary, Binary, Load, Store };

struct NumericEntry {
  IOp iop;
  Shape shape = Shape::None;
  IOp imm_iop = IOp::kCount;  // binary ops: the form with a constant second operand
  bool commutative = false;
};

// Op -> (IOp, operand shape) for every op in numeric_ops.def. Names are shared, so a
// misspelt entry there fails to compile here. Commutative (opcode table) integer ops take a
// constant first operand as their immediate too; float add/mul keep their operand order
// (the order decides which NaN payload propagates).
constexpr auto kNumeric = [] {
  std::array<NumericEntry, kOpCount> t{};
#define NUM_UN(name, In, Out, expr) t[static_cast<uint16_t>(Op::name)] = {IOp::name, Shape::Unary};
#define NUM_UN_TRAP(name, In, Out, fn) t[static_cast<uint16_t>(Op::name)] = {IOp::name, Shape::Unary};
#define NUM_BIN(name, T, Out, expr) \
  t[static_cast<uint16_t>(Op::name)] = {IOp::name, Shape::Binary, IOp::name##_imm,           \
                                        is_commutative(Op::name) && !std::is_floating_point_v<T>};
#define NUM_BIN_TRAP(name, T, fn) t[static_cast<uint16_t>(Op::name)] = {IOp::name, Shape::Binary};
#define MEM_LOAD(name, MemT, Out) t[static_cast<uint16_t>(Op::name)] = {IOp::name, Shape::Load};
#define MEM_STORE(name, MemT) t[static_cast<uint16_t>(Op::name)] = {IOp::name, Shape::Store};
#include "semantics/numeric_ops.def"
#undef NUM_UN
#undef NUM_UN_TRAP
#undef NUM_BIN
#undef NUM_BIN_TRAP
#undef MEM_LOAD
#undef MEM_STORE
  return t;
}();

}  // namespace

void Translator::on_simple(const Instr& ins, const WalkState& st) {
  const NumericEntry& e = kNumeric[static_cast<uint16_t>(ins.op)];
  switch (e.shape) {
    case Shape::Unary: {
      const uint32_t dst = top(st, 0);
      const uint32_t a = use(st, 0);
      const uint32_t start = here();
      op2(e.iop, dst, a);
      return mark_last(start, e.iop);
    }
    case Shape::Binary: {
      const uint32_t dst = top(st, 1);
      const uint32_t s0 = st.operand_from_top(0).slot, s1 = st.operand_from_top(1).slot;
      const Pending* p0 = pending_at(s0);
      const Pending* p1 = pending_at(s1);
      if (e.imm_iop != IOp::kCount && ((p0 && p0->is_const) || (e.commutative && p1 && p1->is_const))) {
        // One constant operand becomes the immediate (the second one, or either of a
        // commutative op).
        const bool second = p0 && p0->is_const;
        const uint64_t value = second ? p0->value : p1->value;
        remove_pending(second ? s0 : s1);
        const uint32_t a = use(st, second ? 1 : 0);
        const uint32_t start = here();
        op3(e.imm_iop, dst, a, imm_word(value));
        return mark_last(start, e.imm_iop);
      }
      const uint32_t b = use(st, 0);
      const uint32_t a = use(st, 1);
      const uint32_t start = here();
      op3(e.iop, dst, a, pair_word(b, 0));
      return mark_last(start, e.iop);
    }
    case Shape::Load: {
      if (elsewhere(ins)) [[unlikely]]
        return on_access_elsewhere(ins, st);
      const uint32_t dst = top(st, 0);
      const uint32_t a = use(st, 0);
      const uint32_t start = here();
      op3(e.iop, dst, a, imm_word(ins.imm));
      return mark_last(start, e.iop);
    }
    case Shape::Store: {
      if (elsewhere(ins)) [[unlikely]]
        return on_access_elsewhere(ins, st);
      const uint32_t v = use(st, 0);
      const uint32_t a = use(st, 1);
      op3(e.iop, a, v, imm_word(ins.imm));
      return;
    }
    case Shape::None:
      break;
  }
  on_simple_other(ins, st);
}

// Out of on_simple, so that the numeric ops' path stays small.
void Translator::on_simple_other(const Instr& ins, const WalkState& st) {
  const uint32_t push = fs(st.slot_height());  // slot of a pushed result when nothing is popped
  switch (ins.op) {
    case Op::global_get:
      if (m_module->globals[ins.a].type != ValType::V128) {
        const uint32_t start = here();
        op(IOp::global_get);
        pair(push, ins.a);
        return mark_last(start, IOp::global_get);
      }
      break;
    case Op::global_set:
      if (m_module->globals[ins.a].type != ValType::V128) {
        const uint32_t src = use(st, 0);
        op(IOp::global_set);
        return pair(src, ins.a);
      }
      break;
    default:
      break;
  }
  const Imm imm_kind = op_info(ins.op).imm;
  if ((imm_kind == Imm::MemArg || imm_kind == Imm::MemArgLane) && elsewhere(ins))
    return on_access_elsewhere(ins, st);  // a SIMD load or store
  if (on_simd(ins, st)) return;  // reads its operands with use(): no flush needed
  flush_all();
  if (is_memory_imm(imm_kind) && on_memory_op_elsewhere(ins, st)) return;

  switch (ins.op) {
    case Op::i32_const:
      op(IOp::const64);
      pair(push, 0);
      return imm(static_cast<uint32_t>(ins.imm));
    case Op::f32_const:
      op(IOp::const64);
      pair(push, 0);
      return imm(static_cast<uint32_t>(ins.imm));
    case Op::i64_const:
    case Op::f64_const:
      op(IOp::const64);
      pair(push, 0);
      return imm(ins.imm);
    case Op::ref_null:
      op(IOp::const64);
      pair(push, 0);
      return imm(kNullRef);
    case Op::ref_is_null:
      op(IOp::ref_is_null);
      return pair(top(st, 0), top(st, 0));
    case Op::ref_func:
      op(IOp::ref_func);
      return pair(push, ins.a);
    case Op::global_get:
      op(m_module->globals[ins.a].type == ValType::V128 ? IOp::global_get_v128 : IOp::global_get);
      return pair(push, ins.a);
    case Op::global_set:
      op(m_module->globals[ins.a].type == ValType::V128 ? IOp::global_set_v128 : IOp::global_set);
      return pair(top(st, 0), ins.a);
    case Op::memory_size:
      op(IOp::memory_size);
      return pair(push, 0);
    case Op::memory_grow:
      op(IOp::memory_grow);
      return pair(top(st, 0), top(st, 0));
    case Op::memory_init:
      op(IOp::memory_init);
      return pair(top(st, 2), ins.a);
    case Op::data_drop:
      op(IOp::data_drop);
      return pair(0, ins.a);
    case Op::memory_copy:
      op(IOp::memory_copy);
      return pair(top(st, 2), 0);
    case Op::memory_fill:
      op(IOp::memory_fill);
      return pair(top(st, 2), 0);
    case Op::table_get:
      op(IOp::table_get);
      pair(top(st, 0), top(st, 0));
      return pair(ins.a, 0);
    case Op::table_set:
      op(IOp::table_set);
      return pair(top(st, 1), ins.a);
    case Op::table_size:
      op(IOp::table_size);
      return pair(push, ins.a);
    case Op::table_grow:
      op(IOp::table_grow);
      return pair(top(st, 1), ins.a);
    case Op::table_fill:
      op(IOp::table_fill);
      return pair(top(st, 2), ins.a);
    case Op::table_init:
      op(IOp::table_init);
      pair(top(st, 2), ins.a);
      return pair(ins.b, 0);
    case Op::table_copy:
      op(IOp::table_copy);
      pair(top(st, 2), ins.a);
      return pair(ins.b, 0);
    case Op::elem_drop:
      op(IOp::elem_drop);
      return pair(0, ins.a);
    default:
      // Every op is handled above, in translate.cpp or translate_simd.cpp; one that is not
      // fails the module's compilation (untranslated(); tests/opcode_table_test.cpp).
      if (!m_untranslated) m_untranslated = ins.op;
      op(IOp::trap_unreachable);
      return;
  }
}

}  // namespace wsvm::interp
