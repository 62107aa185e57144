// Small readers shared by the instruction and section decoders (internal to decoder/).
#pragma once

#include "decoder/limits.hpp"
#include "decoder/module.hpp"
#include "decoder/reader.hpp"
#include "decoder/proposals.hpp"
#include "decoder/types.hpp"

namespace wsvm::detail {

// Type bytes are one-byte signed LEBs in the spec (-0x01 is i32, -0x20 the function type
// form); the reference interpreter reports a continuation bit on them as an overlong LEB.
inline std::unexpected<Error> fail_type_byte(Reader& r, size_t at, uint8_t b, const char* what) {
  if (b & 0x80) return r.fail("integer representation too long");
  return r.fail_at(at, what + unsupported_type_note(b));
}

// Block nesting for decode-only walks (constant expressions, scan_body): true when `op` is
// the `end` closing the outermost level; otherwise keeps `depth` up to date.
inline bool closes_outermost(Op op, uint32_t& depth) {
  switch (op) {
    case Op::block:
    case Op::loop:
    case Op::if_:
    case Op::try_:
    case Op::try_table:
      ++depth;
      return false;
    case Op::delegate:  // ends a legacy try as `end` would (never the function's own frame)
      if (depth != 0) --depth;
      return false;
    case Op::end:
      if (depth == 0) return true;
      --depth;
      return false;
    default:
      return false;
  }
}

// heaptype ::= an abstract heap type byte | s33 type index (>= 0). Wasm 3.0 without GC:
// func, extern, exn and their bottoms nofunc, noextern, noexn; the GC ones are refused with
// the feature's name. A type index is checked against the type section by the validator.
inline Result<ValType> read_heap_ref(Reader& r, bool nullable, const char* what) {
  size_t at = r.offset();
  uint8_t b = 0;
  if (!r.peek(b)) return r.fail_end();
  switch (b) {
    case 0x70: case 0x6f: case 0x69: case 0x73: case 0x72: case 0x74:
      (void)r.u8();
      return ValType::ref(static_cast<HeapType>(b), nullable);
    default: break;
  }
  if ((b & 0xc0) == 0x40) {  // another one-byte negative s33: not a heap type we know
    (void)r.u8();
    return fail_type_byte(r, at, b, what);
  }
  int64_t index = WSVM_TRY(r.s33());
  if (index < 0) return r.fail_at(at, what);
  return ValType::ref_index(static_cast<uint32_t>(index), nullable);
}

// The reference type starting with byte b (already read): a short form or 0x63/0x64 ht.
inline Result<ValType> read_reftype_after(Reader& r, size_t at, uint8_t b, const char* what) {
  switch (b) {
    case 0x70: case 0x6f: case 0x69: case 0x73: case 0x72: case 0x74:
      return ValType::ref(static_cast<HeapType>(b), true);  // (ref null ht)
    case 0x63: return read_heap_ref(r, true, "malformed heap type");
    case 0x64: return read_heap_ref(r, false, "malformed heap type");
    default: return fail_type_byte(r, at, b, what);
  }
}

inline Result<ValType> read_valtype(Reader& r) {
  size_t at = r.offset();
  uint8_t b = WSVM_TRY(r.u8());
  if (b >= 0x7B && b <= 0x7F) [[likely]]
    return ValType(b);
  return read_reftype_after(r, at, b, "malformed value type");
}

inline Result<ValType> read_reftype(Reader& r) {
  size_t at = r.offset();
  uint8_t b = WSVM_TRY(r.u8());
  return read_reftype_after(r, at, b, "malformed reference type");
}

// A vector count whose elements take at least one byte each: capped by what is left, so a
// huge count can never make us allocate more than the input could hold. Reading the
// elements would run out of bytes, so that is the error reported.
inline Result<uint32_t> read_count(Reader& r) {
  uint32_t n = WSVM_TRY(r.u32());
  if (n > r.remaining()) [[unlikely]]
    return r.fail_end();
  return n;
}

// The same, also refused past one of wsvm's implementation limits (decoder/limits.hpp).
// A count the input could not hold is still "unexpected end", as the spec suite expects.
inline Result<uint32_t> read_count(Reader& r, uint64_t limit, const char* what) {
  size_t at = r.offset();
  uint32_t n = WSVM_TRY(read_count(r));
  if (n > limit) [[unlikely]]
    return r.fail_at(at, limits::too_many(what, n, limit));
  return n;
}

// An index space that has grown past its limit (imports and definitions together).
inline Result<void> check_total(Reader& r, size_t at, uint64_t total, uint64_t limit,
                                const char* what) {
  if (total > limit) [[unlikely]]
    return r.fail_at(at, limits::too_many(what, total, limit));
  return {};
}

// limits ::= 0x00 min | 0x01 min max. The flag is read like the reference interpreter's
// 1-bit LEB ("integer too large" for 0x02.., "integer representation too long" for 0x81..).
Result<Limits> read_limits(Reader& r, bool wasm2);  // Module::wasm2: u32 bounds

// A constant expression: instructions up to the `end` that closes it (not stored).
Result<ConstExpr> read_const_expr(Reader& r);

// Sections that take more than a few lines, by file.
Result<void> decode_type_section(Reader& r, Module& m);
Result<void> decode_import_section(Reader& r, Module& m);
Result<void> decode_function_section(Reader& r, Module& m, uint32_t& declared);
Result<void> decode_table_section(Reader& r, Module& m);
Result<void> decode_memory_section(Reader& r, Module& m);
Result<void> decode_global_section(Reader& r, Module& m);
Result<void> decode_tag_section(Reader& r, Module& m);
Result<uint32_t> read_tag_type(Reader& r);  // the attribute byte and the type index
Result<void> decode_export_section(Reader& r, Module& m);
Result<void> decode_code_section(Reader& r, Module& m, uint32_t declared_funcs);
Result<void> decode_element_section(Reader& r, Module& m);
Result<void> decode_data_section(Reader& r, Module& m);
// The "name" custom section's payload; never fails (a bad name section is ignored).
void decode_name_section(Reader r, Module& m);

}  // namespace wsvm::detail
