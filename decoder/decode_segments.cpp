// Constant expressions and the element and data segments (all of their binary forms).
// Spec: https://webassembly.github.io/spec/core/binary/modules.html#element-section
#include "decoder/decode_util.hpp"

namespace wsvm::detail {

// Reads instructions up to the `end` that closes the expression. Nested blocks are tracked
// so a (non-constant) `block ... end` inside decodes and is left for the validator to reject
// as "constant expression required", as in the spec's decode-then-validate order.
Result<ConstExpr> read_const_expr(Reader& r) {
  ConstExpr e;
  e.offset = r.offset();
  uint32_t depth = 0;
  Instr ins;
  for (;;) {
    WSVM_TRY_VOID(read_instr(r, ins));
    if (detail::closes_outermost(ins.op, depth)) return e;
    e.instrs.push_back(ins);
  }
}

static ConstExpr ref_func_expr(uint32_t func_index, size_t offset) {
  ConstExpr e;
  e.offset = offset;
  Instr ins;
  ins.op = Op::ref_func;
  ins.offset = offset;
  ins.a = func_index;
  e.instrs.push_back(std::move(ins));
  return e;
}

// elemkind ::= 0x00 (funcref), the only kind in 2.0.
static Result<void> read_elem_kind(Reader& r) {
  size_t at = r.offset();
  uint8_t b = WSVM_TRY(r.u8());
  if (b != 0x00) return r.fail_at(at, "malformed element kind");
  return {};
}

static Result<void> read_elem_items(Reader& r, ElemSegment& seg, bool exprs) {
  uint32_t n = WSVM_TRY(read_count(r));
  seg.items.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    if (exprs) {
      seg.items.push_back(WSVM_TRY(read_const_expr(r)));
    } else {
      size_t at = r.offset();
      seg.items.push_back(ref_func_expr(WSVM_TRY(r.u32()), at));
    }
  }
  return {};
}

// The flags' three bits: 0x1 passive/declarative (else active), 0x2 explicit table index
// (active) or declarative (with 0x1), 0x4 element expressions (else function indices).
static Result<void> decode_elem_segment(Reader& r, ElemSegment& seg) {
  size_t at = r.offset();
  uint32_t flags = WSVM_TRY(r.u32());
  if (flags > 7) return r.fail_at(at, "malformed elements segment kind");
  bool exprs = flags & 4;
  seg.type = ValType::FuncRef;
  if (flags & 1) {
    seg.mode = (flags & 2) ? SegmentMode::Declarative : SegmentMode::Passive;
  } else {
    seg.mode = SegmentMode::Active;
    seg.table = (flags & 2) ? WSVM_TRY(r.u32()) : 0;
    seg.offset = WSVM_TRY(read_const_expr(r));
  }
  // Forms 0 and 4 have neither elemkind nor reftype: funcref is implied.
  if (flags & 3) {
    if (exprs) seg.type = WSVM_TRY(read_reftype(r));
    else WSVM_TRY_VOID(read_elem_kind(r));
  }
  return read_elem_items(r, seg, exprs);
}

Result<void> decode_element_section(Reader& r, Module& m) {
  uint32_t n = WSVM_TRY(read_count(r));
  m.elems.resize(n);
  for (ElemSegment& seg : m.elems) WSVM_TRY_VOID(decode_elem_segment(r, seg));
  return {};
}

// data ::= 0 expr vec(byte) | 1 vec(byte) | 2 memidx expr vec(byte)
static Result<void> decode_data_segment(Reader& r, DataSegment& seg) {
  size_t at = r.offset();
  uint32_t flags = WSVM_TRY(r.u32());
  if (flags > 2) return r.fail_at(at, "malformed data segment kind");
  if (flags == 1) {
    seg.mode = SegmentMode::Passive;
  } else {
    seg.mode = SegmentMode::Active;
    seg.memory = flags == 2 ? WSVM_TRY(r.u32()) : 0;
    seg.offset = WSVM_TRY(read_const_expr(r));
  }
  uint32_t size = WSVM_TRY(r.u32());
  seg.bytes_offset = r.offset();
  seg.bytes_size = size;
  (void)WSVM_TRY(r.bytes(size));
  return {};
}

Result<void> decode_data_section(Reader& r, Module& m) {
  uint32_t n = WSVM_TRY(read_count(r));
  m.datas.resize(n);
  for (DataSegment& seg : m.datas) WSVM_TRY_VOID(decode_data_segment(r, seg));
  return {};
}

}  // namespace wsvm::detail
