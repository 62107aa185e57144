// Constant expressions and the element and data segments (all of their binary forms).
// Spec: https://webassembly.github.io/spec/core/binary/modules.html#element-section
#include "decoder/decode_util.hpp"

namespace wsvm::detail {

// Decodes instructions up to the `end` that closes the expression and keeps only where they
// start (ConstExprReader reads them again). Nested blocks are tracked so a (non-constant)
// `block ... end` inside decodes and is left for the validator to reject as "constant
// expression required", as in the spec's decode-then-validate order.
Result<ConstExpr> read_const_expr(Reader& r) {
  ConstExpr e;
  e.offset = r.offset();
  uint32_t depth = 0;
  Instr ins;  // one, reused: decoding allocates nothing per instruction
  for (;;) {
    WSVM_TRY_VOID(read_instr(r, ins));
    if (detail::closes_outermost(ins.op, depth)) return e;
  }
}

// elemkind ::= 0x00 (funcref), the only kind in 2.0.
static Result<void> read_elem_kind(Reader& r) {
  size_t at = r.offset();
  uint8_t b = WSVM_TRY(r.u8());
  if (b != 0x00) return r.fail_at(at, "malformed element kind");
  return {};
}

// Four bytes per item (ElemSegment::values), never more than the item's own bytes could
// hold four times over: read_count caps n by the bytes left, and each item takes at least one.
static Result<void> read_elem_items(Reader& r, ElemSegment& seg, bool exprs) {
  uint32_t n = WSVM_TRY(read_count(r, limits::kMaxElemItems, "element segment items"));
  seg.exprs = exprs;
  seg.values.resize(n);
  for (uint32_t& v : seg.values) {
    // Offsets fit in 32 bits: decode_module refuses modules over kMaxModuleSize (1 GiB).
    v = exprs ? static_cast<uint32_t>(WSVM_TRY(read_const_expr(r)).offset) : WSVM_TRY(r.u32());
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
  uint32_t n = WSVM_TRY(read_count(r, limits::kMaxElemSegments, "element segments"));
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
  uint32_t n = WSVM_TRY(read_count(r, limits::kMaxDataSegments, "data segments"));
  m.datas.resize(n);
  for (DataSegment& seg : m.datas) WSVM_TRY_VOID(decode_data_segment(r, seg));
  return {};
}

}  // namespace wsvm::detail
