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

Result<void> check_wasm2_encoding(const Instr& ins, const uint8_t* begin, const uint8_t* end) {
  // The reserved bytes end the instruction: one (memory.size/grow/fill, memory.init) or two
  // (memory.copy) 0x00 bytes, each after a byte that ends an opcode or a LEB (below 0x80),
  // so an overlong `80 00` is refused as 2.0's reader did.
  size_t reserved = 0;
  switch (op_info(ins.op).imm) {
    case Imm::MemIdx:
    case Imm::MemoryInit: reserved = 1; break;
    case Imm::MemoryCopy: reserved = 2; break;
    case Imm::MemArg:
    case Imm::MemArgLane: {
      // 2.0 read the flags as an alignment exponent (2^64 and above too large) and the
      // offset as a u32 (a longer or larger LEB is malformed).
      Reader r(std::span<const uint8_t>(begin, end), ins.offset);
      const uint8_t prefix = *r.u8();
      if (prefix == 0xfc || prefix == 0xfd) (void)r.u32();
      const uint32_t flags = *r.u32();
      if (flags & 0x40) return invalid(ins.offset, "alignment must not be larger than natural");
      if (auto offset = r.u32(); !offset) return std::unexpected(offset.error());
      return {};
    }
    default: return {};
  }
  const size_t n = static_cast<size_t>(end - begin);
  for (size_t i = 0; i < reserved; ++i) {
    const uint8_t* zero = end - 1 - i;
    if (n < reserved + 1 || *zero != 0 || zero[-1] >= 0x80)
      return malformed(ins.offset, "zero byte expected");
  }
  return {};
}

std::unexpected<Error> declined_feature(const Instr& ins, uint32_t func_index,
                                        const char* feature) {
  return invalid(kNoOffset, fmt::format("unsupported instruction {} in function {} (declared "
                                        "bailout): not compiled by this engine yet: {}; "
                                        "--engine interp runs it",
                                        op_name(ins.op), func_index, feature));
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
