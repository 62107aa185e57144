// Out-of-line helpers of the function-body walker: error builders (cold path) and C.refs.
#include <fmt/format.h>

#include "decoder/const_expr_reader.hpp"
#include "validator/function_validator.hpp"

namespace wsvm::walk_detail {

std::unexpected<Error> invalid(size_t offset, std::string message) {
  return make_error(ErrorKind::Invalid, offset, std::move(message));
}

std::unexpected<Error> malformed(size_t offset, std::string message) {
  return make_error(ErrorKind::Malformed, offset, std::move(message));
}

std::unexpected<Error> unknown_index(size_t offset, const char* what, uint64_t index) {
  return invalid(offset, fmt::format("unknown {} {}", what, index));
}

std::unexpected<Error> declined_exception(const Instr& ins, uint32_t func_index) {
  // No offset: like the JIT's own declines, a statement about the engine, not the bytes.
  return invalid(kNoOffset, fmt::format("unsupported instruction {} in function {} (declared "
                                        "bailout): this engine has no exception handling yet; "
                                        "--engine interp runs it",
                                        op_name(ins.op), func_index));
}

std::unexpected<Error> type_mismatch(const Instr& ins, ValType want, bool missing, ValType got) {
  if (want == ValType::Bottom)
    return invalid(ins.offset, fmt::format("type mismatch: {} expects an operand, got nothing",
                                           op_name(ins.op)));
  return invalid(ins.offset, fmt::format("type mismatch: {} expects {}, got {}", op_name(ins.op),
                                         valtype_name(want),
                                         missing ? "nothing" : valtype_name(got)));
}

std::unexpected<Error> type_mismatch_msg(const Instr& ins, const char* detail) {
  return invalid(ins.offset, fmt::format("type mismatch: {}: {}", op_name(ins.op), detail));
}

}  // namespace wsvm::walk_detail

namespace wsvm {

void collect_declared_refs(const Module& m, std::vector<bool>& out) {
  out.assign(m.funcs.size(), false);
  Instr ins;
  auto mark_expr = [&](const ConstExpr& e) {
    ConstExprReader reader(m, e);
    // An expression that does not decode again cannot have validated; nothing to mark.
    for (auto more = reader.next(ins); more && *more; more = reader.next(ins))
      if (ins.op == Op::ref_func && ins.a < out.size()) out[ins.a] = true;
  };
  for (const Export& e : m.exports)
    if (e.kind == ExternKind::Func && e.index < out.size()) out[e.index] = true;
  for (const Global& g : m.global_defs) mark_expr(g.init);
  for (const ElemSegment& seg : m.elems) {
    if (seg.mode == SegmentMode::Active) mark_expr(seg.offset);  // others have none
    for (size_t i = 0; i < seg.size(); ++i) {
      if (seg.exprs) mark_expr(seg.item_expr(i));
      else if (seg.values[i] < out.size()) out[seg.values[i]] = true;
    }
  }
}

}  // namespace wsvm
