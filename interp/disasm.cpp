// Text form of threaded code, for tests and debugging (CONVENTIONS 6: check the
// interpreter's code as text).
#include "interp/disasm.hpp"

#include <string>

namespace wsvm::interp {

uint32_t iop_length(IOp op, const Word* at) {
  switch (op) {
    case IOp::trap_unreachable: case IOp::check_interrupt: return 1;
    case IOp::fuel: return 2;
    case IOp::br_i64_eqz: case IOp::br_i64_nez: return 3;
    case IOp::br_i64_eqz_back: case IOp::br_i64_nez_back: return 3;
#define BR_CMP(cmp, inv, T) case IOp::br_##T##_##cmp: return 3; case IOp::br_##T##_##cmp##_imm: return 4; \
  case IOp::br_##T##_##cmp##_back: return 3; case IOp::br_##T##_##cmp##_imm_back: return 4;
#include "interp/branch_ops.def"
#undef BR_CMP
    case IOp::br: case IOp::br_back: return 2;
    case IOp::br_if: case IOp::br_unless: case IOp::br_if_back: case IOp::br_unless_back: return 3;
    case IOp::br_table: return 2 + at[1].s.hi + 1;
    case IOp::copy_br: return 4;
    case IOp::ret: case IOp::ret0: case IOp::ret1: case IOp::call: return 2;
    case IOp::call_indirect: case IOp::call_local: return 3;
    case IOp::const64: case IOp::copy_n: case IOp::select: return 3;
    case IOp::copy: case IOp::copy2: case IOp::global_get: case IOp::global_set: case IOp::ref_is_null:
    case IOp::ref_func: case IOp::memory_size: case IOp::memory_grow: case IOp::memory_init:
    case IOp::data_drop: case IOp::memory_copy: case IOp::memory_fill: case IOp::table_set:
    case IOp::table_size: case IOp::table_grow: case IOp::table_fill: case IOp::elem_drop:
      return 2;
    case IOp::table_get: case IOp::table_init: case IOp::table_copy: return 3;
#define NUM_UN(name, In, Out, expr) case IOp::name: return 2;
#define NUM_UN_TRAP(name, In, Out, fn) case IOp::name: return 2;
#define NUM_BIN(name, T, Out, expr) case IOp::name: case IOp::name##_imm: return 3;
#define NUM_BIN_TRAP(name, T, fn) case IOp::name: return 3;
#define MEM_LOAD(name, MemT, Out) case IOp::name: return 3;
#define MEM_STORE(name, MemT) case IOp::name: return 3;
#include "semantics/numeric_ops.def"
#undef NUM_UN
#undef NUM_UN_TRAP
#undef NUM_BIN
#undef NUM_BIN_TRAP
#undef MEM_LOAD
#undef MEM_STORE
#define SIMD_UN(name, expr) case IOp::name: return 2;
#define SIMD_TEST(name, expr) case IOp::name: return 2;
#define SIMD_SPLAT(name, In, expr) case IOp::name: return 2;
#define SIMD_BIN(name, expr) case IOp::name: return 3;
#define SIMD_TERN(name, expr) case IOp::name: return 3;
#define SIMD_SHIFT(name, expr) case IOp::name: return 3;
#define SIMD_EXTRACT(name, Out, expr) case IOp::name: return 3;
#define SIMD_REPLACE(name, In, expr) case IOp::name: return 3;
#define SIMD_LOAD(name, bytes, expr) case IOp::name: return 3;
#define SIMD_LOAD_LANE(name, bytes, expr) case IOp::name: return 4;
#define SIMD_STORE_LANE(name, bytes, expr) case IOp::name: return 4;
#include "semantics/simd_ops.def"
#undef SIMD_UN
#undef SIMD_TEST
#undef SIMD_SPLAT
#undef SIMD_BIN
#undef SIMD_TERN
#undef SIMD_SHIFT
#undef SIMD_EXTRACT
#undef SIMD_REPLACE
#undef SIMD_LOAD
#undef SIMD_LOAD_LANE
#undef SIMD_STORE_LANE
    case IOp::v128_store: case IOp::select_v128: return 3;
    case IOp::global_get_v128: case IOp::global_set_v128: return 2;
    case IOp::v128_const: return 4;
    case IOp::i8x16_shuffle: return 5;
#define FUSE(A, B) \
  case IOp::fuse_##A##__##B: return iop_length(IOp::A, at) + iop_length(IOp::B, at);
#define FUSE3(A, B, C)                                                               \
  case IOp::fuse_##A##__##B##__##C:                                                  \
    return iop_length(IOp::A, at) + iop_length(IOp::B, at) + iop_length(IOp::C, at);
#define FUSE4(A, B, C, D)                                                            \
  case IOp::fuse_##A##__##B##__##C##__##D:                                           \
    return iop_length(IOp::A, at) + iop_length(IOp::B, at) + iop_length(IOp::C, at) + \
           iop_length(IOp::D, at);
#define FUSE5(A, B, C, D, E)                                                         \
  case IOp::fuse_##A##__##B##__##C##__##D##__##E:                                    \
    return iop_length(IOp::A, at) + iop_length(IOp::B, at) + iop_length(IOp::C, at) + \
           iop_length(IOp::D, at) + iop_length(IOp::E, at);
#include "interp/fused_ops.def"
#undef FUSE
#undef FUSE3
#undef FUSE4
#undef FUSE5
#define SPEC(name, fused) \
  case IOp::name: return iop_length(IOp::fused, at);
#include "interp/spec_ops.def"
#undef SPEC
    case IOp::kCount: break;
  }
  return 1;
}

bool is_fused_branch(IOp op) {
  switch (op) {
    case IOp::br_i64_eqz: case IOp::br_i64_nez: case IOp::br_i64_eqz_back: case IOp::br_i64_nez_back:
#define BR_CMP(cmp, inv, T) case IOp::br_##T##_##cmp: case IOp::br_##T##_##cmp##_imm: \
  case IOp::br_##T##_##cmp##_back: case IOp::br_##T##_##cmp##_imm_back:
#include "interp/branch_ops.def"
#undef BR_CMP
      return true;
    default:
      return false;
  }
}

IOp fused_first(IOp op) {
  switch (op) {
#define FUSE(A, B) case IOp::fuse_##A##__##B: return IOp::A;
#define FUSE3(A, B, C) case IOp::fuse_##A##__##B##__##C: return IOp::A;
#define FUSE4(A, B, C, D) case IOp::fuse_##A##__##B##__##C##__##D: return IOp::A;
#define FUSE5(A, B, C, D, E) case IOp::fuse_##A##__##B##__##C##__##D##__##E: return IOp::A;
#include "interp/fused_ops.def"
#undef FUSE
#undef FUSE3
#undef FUSE4
#undef FUSE5
#define SPEC(name, fused) \
  case IOp::name: return fused_first(IOp::fused);
#include "interp/spec_ops.def"
#undef SPEC
    default:
      return IOp::kCount;
  }
}

std::string disassemble(const FuncCode& fc) {
  std::string out;
  const Word* begin = fc.code.data();
  const Word* end = begin + fc.code.size();
  for (const Word* w = begin; w < end;) {
    IOp op = iop_of(*w);
    out += std::to_string(w - begin) + ": " + iop_name_of(*w);
    // A fused op shows the first component's operands; the later components keep their own
    // handler words and print as the next lines.
    if (IOp first = fused_first(op); first != IOp::kCount) op = first;
    uint32_t len = op == IOp::kCount ? 1 : iop_length(op, w);
    for (uint32_t k = 1; k < len && w + k < end; ++k) {
      const Word& x = w[k];
      if (x.target >= begin && x.target < end && (op == IOp::br || op == IOp::br_if ||
          op == IOp::br_unless || op == IOp::br_back || op == IOp::br_if_back ||
          op == IOp::br_unless_back || op == IOp::copy_br || op == IOp::br_table ||
          is_fused_branch(op)) &&
          (k == len - 1 || op == IOp::br_table) && !(op == IOp::br_table && k == 1)) {
        out += " @" + std::to_string(x.target - begin);
      } else if (op == IOp::call_local && k == 2) {
        out += " f" + std::to_string(x.func->func_index);
      } else {
        out += " " + std::to_string(x.s.lo) + "|" + std::to_string(x.s.hi);
      }
    }
    out += "\n";
    w += len;
  }
  return out;
}

}  // namespace wsvm::interp
