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
#include "semantics/simd_ops.def"
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

bool Translator::on_simd(const Instr& ins, const WalkState& st) {
  // A relaxed instruction runs as its deterministic-profile equivalent (decoder/opcodes.hpp).
  const SimdEntry& e = kSimd[static_cast<uint16_t>(relaxed_simd_equivalent(ins.op))];
  auto imm128 = [&] {
    uint64_t lo, hi;
    std::memcpy(&lo, ins.v128.data(), 8);
    std::memcpy(&hi, ins.v128.data() + 8, 8);
    imm(lo);
    imm(hi);
  };
  // Operands come through use(): pending local.gets (v128 ones too) are read in place.
  // Producers write their result at Word 1 lo (like scalar ops): a following local.set can
  // retarget it to the local (fold_local_set), saving a copy2.
  switch (e.shape) {
    case SimdShape::None:
      return false;
    case SimdShape::Unary: {
      const uint32_t a = use(st, 0);
      const uint32_t at = here();  // after use(): it may emit a constant
      op(e.iop);
      pair(top(st, 0), a);
      mark_last(at, e.iop);
      return true;
    }
    case SimdShape::Binary: {
      const uint32_t b = use(st, 0), a = use(st, 1);
      const uint32_t at = here();  // after use(): it may emit a constant
      op(e.iop);
      pair(top(st, 1), a);
      pair(b, 0);
      mark_last(at, e.iop);
      return true;
    }
    case SimdShape::Ternary: {
      const uint32_t c = use(st, 0), b = use(st, 1), a = use(st, 2);
      const uint32_t at = here();  // after use(): it may emit a constant
      op(e.iop);
      pair(top(st, 2), a);
      pair(b, c);
      mark_last(at, e.iop);
      return true;
    }
    case SimdShape::Extract: {
      const uint32_t a = use(st, 0);
      const uint32_t at = here();  // after use(): it may emit a constant
      op(e.iop);
      pair(top(st, 0), a);
      pair(ins.lane, 0);
      mark_last(at, e.iop);
      return true;
    }
    case SimdShape::Replace: {
      const uint32_t x = use(st, 0), a = use(st, 1);
      const uint32_t at = here();  // after use(): it may emit a constant
      op(e.iop);
      pair(top(st, 1), a);
      pair(x, ins.lane);
      mark_last(at, e.iop);
      return true;
    }
    case SimdShape::Load: {
      const uint32_t addr = use(st, 0);
      const uint32_t at = here();  // after use(): it may emit a constant
      op(e.iop);
      pair(top(st, 0), addr);
      imm(ins.imm);
      mark_last(at, e.iop);
      return true;
    }
    case SimdShape::LoadLane: {
      const uint32_t v = use(st, 0), addr = use(st, 1);
      const uint32_t at = here();  // after use(): it may emit a constant
      op(e.iop);
      pair(top(st, 1), addr);
      imm(ins.imm);
      pair(v, ins.lane);
      mark_last(at, e.iop);
      return true;
    }
    case SimdShape::StoreLane: {
      const uint32_t v = use(st, 0), addr = use(st, 1);
      op(e.iop);
      pair(addr, v);
      imm(ins.imm);
      pair(ins.lane, 0);
      return true;
    }
    case SimdShape::Store: {
      const uint32_t v = use(st, 0), addr = use(st, 1);
      op(e.iop);
      pair(addr, v);
      imm(ins.imm);
      return true;
    }
    case SimdShape::Const: {
      const uint32_t at = here();
      op(e.iop);
      pair(fs(st.slot_height()), 0);
      imm128();
      mark_last(at, e.iop);
      return true;
    }
    case SimdShape::Shuffle: {
      const uint32_t b = use(st, 0), a = use(st, 1);
      const uint32_t at = here();  // after use(): it may emit a constant
      op(e.iop);
      pair(top(st, 1), a);
      pair(b, 0);
      imm128();
      mark_last(at, e.iop);
      return true;
    }
  }
  return false;
}

}  // namespace wsvm::interp
