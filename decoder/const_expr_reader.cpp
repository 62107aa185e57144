#include "decoder/const_expr_reader.hpp"

#include "decoder/decode_util.hpp"

namespace wsvm {

ConstExprReader::ConstExprReader(const Module& m, const ConstExpr& e)
    : m_reader(std::span<const uint8_t>(m.bytes).subspan(e.offset), e.offset) {}

Result<bool> ConstExprReader::next(Instr& out) {
  WSVM_TRY_VOID(read_instr(m_reader, out));
  return !detail::closes_outermost(out.op, m_depth);
}

}  // namespace wsvm
