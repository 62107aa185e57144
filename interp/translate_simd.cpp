// Translation of the SIMD (0xFD) instructions, table-driven from simd_ops.def (operand
// encodings: interp/interpreter_simd.inc). A v128 operand is named by its first slot; the
// result goes to the slot of the deepest popped operand, as for the scalar ops.
#include <array>
#include <cstring>

#include "interp/translate.hpp"

namespace wsvm::interp {
namespace {

enum class SimdShape : uint8_t {
  None, Unary, Binary, Ternary, Extract, Replace, Load, LoadLane, StoreLane,
  Store, Const, Shuffle
};

struct SimdEntry {
  IOp iop;
  SimdShape shape = SimdShape::None;
};

constexpr auto kSimd = [] {
  std::array<SimdEntry, kOpCount> t{};
#define ENTRY(name, shape) t[static_cast<uint16_t>(Op::name)] = {IOp::name, SimdShape::shape};
#define SIMD_UN(name, expr) ENTRY(name, Unary)
#define SIMD_TEST(name, expr) ENTRY(name, Unary)
#define SIMD_SPLAT(name, In, expr) ENTRY(name, Unary)
#define SIMD_BIN(name, expr) ENTRY(name, Binary)
#define SIMD_SHIFT(name, expr) ENTRY(name, Binary)
#define SIMD_TERN(name, expr) ENTRY(name, Ternary)
#define SIMD_EXTRACT(name, Out, expr) ENTRY(name, Extract)
#define SIMD_REPLACE(name, In, expr) ENTRY(name, Replace)
#define SIMD_LOAD(name, bytes, expr) ENTRY(name, Load)
#define SIMD_LOAD_LANE(name, bytes, expr) ENTRY(name, LoadLane)
#define SIMD_STORE_LANE(name, bytes, expr) ENTRY(name, StoreLane)
#include "interp/simd_ops.def"
#undef SIMD_UN
#undef SIMD_TEST
#undef SIMD_SPLAT
#undef SIMD_BIN
#undef SIMD_SHIFT
#undef SIMD_TERN
#undef SIMD_EXTRACT
#undef SIMD_REPLACE
#undef SIMD_LOAD
#undef SIMD_LOAD_LANE
#undef SIMD_STORE_LANE
  ENTRY(v128_store, Store)
  ENTRY(v128_const, Const)
  ENTRY(i8x16_shuffle, Shuffle)
#undef ENTRY
  return t;
}();

}  // namespace

bool translator_handles_simd(Op op) { return kSimd[static_cast<uint16_t>(op)].shape != SimdShape::None; }

bool Translator::on_simd(const Instr& ins, const WalkState& st) {
  const SimdEntry& e = kSimd[static_cast<uint16_t>(ins.op)];
  auto imm128 = [&] {
    uint64_t lo, hi;
    std::memcpy(&lo, ins.v128.data(), 8);
    std::memcpy(&hi, ins.v128.data() + 8, 8);
    imm(lo);
    imm(hi);
  };
  // Producers write their result at Word 1 lo (like scalar ops): a following local.set can
  // retarget it to the local (fold_local_set), saving a copy2.
  const uint32_t start = here();
  switch (e.shape) {
    case SimdShape::None:
      return false;
    case SimdShape::Unary:
      op(e.iop);
      pair(top(st, 0), top(st, 0));
      mark_last(start, e.iop);
      return true;
    case SimdShape::Binary:
      op(e.iop);
      pair(top(st, 1), top(st, 1));
      pair(top(st, 0), 0);
      mark_last(start, e.iop);
      return true;
    case SimdShape::Ternary:
      op(e.iop);
      pair(top(st, 2), top(st, 2));
      pair(top(st, 1), top(st, 0));
      mark_last(start, e.iop);
      return true;
    case SimdShape::Extract:
      op(e.iop);
      pair(top(st, 0), top(st, 0));
      pair(ins.lane, 0);
      mark_last(start, e.iop);
      return true;
    case SimdShape::Replace:
      op(e.iop);
      pair(top(st, 1), top(st, 1));
      pair(top(st, 0), ins.lane);
      mark_last(start, e.iop);
      return true;
    case SimdShape::Load:
      op(e.iop);
      pair(top(st, 0), top(st, 0));
      imm(ins.imm);
      mark_last(start, e.iop);
      return true;
    case SimdShape::LoadLane:
      op(e.iop);
      pair(top(st, 1), top(st, 1));
      imm(ins.imm);
      pair(top(st, 0), ins.lane);
      mark_last(start, e.iop);
      return true;
    case SimdShape::StoreLane:
      op(e.iop);
      pair(top(st, 1), top(st, 0));
      imm(ins.imm);
      pair(ins.lane, 0);
      return true;
    case SimdShape::Store:
      op(e.iop);
      pair(top(st, 1), top(st, 0));
      imm(ins.imm);
      return true;
    case SimdShape::Const:
      op(e.iop);
      pair(fs(st.slot_height()), 0);
      imm128();
      mark_last(start, e.iop);
      return true;
    case SimdShape::Shuffle:
      op(e.iop);
      pair(top(st, 1), top(st, 1));
      pair(top(st, 0), 0);
      imm128();
      mark_last(start, e.iop);
      return true;
  }
  return false;
}

}  // namespace wsvm::interp
