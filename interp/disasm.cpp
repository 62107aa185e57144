// Text form of threaded code, for tests and debugging (CONVENTIONS 6: check the
// interpreter's code as text).
#include "interp/disasm.hpp"

#include <string>

namespace wsvm::interp {

uint32_t iop_length(IOp op, const Word* at) {
  if (op == IOp::br_table) return 2 + at[1].s.hi + 1;  // [h][cond|n][n+1 targets]
  if (op == IOp::kCount) return 1;
  return iop_words(op);  // iops.def
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
