// The sections that declare things: type, import, function, table, memory, global, export,
// and the code section's entries (locals decoded, body bytes located).
// Spec: https://webassembly.github.io/spec/core/binary/modules.html#sections
#include "decoder/decode_util.hpp"

namespace wsvm::detail {

// limits ::= flag min max?: bit 0 a maximum follows, bit 2 the address type is i64
// (memory64/table64). Bit 1 (shared, the threads proposal) and any other bit are malformed;
// a flag byte with the LEB continuation bit is the 2.0 suite's "too long". The bounds are
// u64 in Wasm 3.0 (validation bounds a 32-bit memory or table), u32 in 2.0 (`wasm2`).
Result<Limits> read_limits(Reader& r, bool wasm2) {
  size_t at = r.offset();
  uint8_t flag = WSVM_TRY(r.u8());
  if (flag & 0x80) return r.fail("integer representation too long");
  if (flag == 2 || flag == 3) return r.fail_at(at, "integer too large");  // shared: 2.0's words
  if ((flag & ~0x05) != 0) return r.fail_at(at, "malformed limits flags");
  Limits l;
  l.addr64 = (flag & 4) != 0;
  l.min = wasm2 ? WSVM_TRY(r.u32()) : WSVM_TRY(r.u64());
  if (flag & 1) l.max = wasm2 ? WSVM_TRY(r.u32()) : WSVM_TRY(r.u64());
  return l;
}

static Result<TableType> read_table_type(Reader& r, bool wasm2) {
  TableType t;
  t.elem = WSVM_TRY(read_reftype(r));
  t.limits = WSVM_TRY(read_limits(r, wasm2));
  return t;
}

static Result<GlobalType> read_global_type(Reader& r) {
  GlobalType g;
  g.type = WSVM_TRY(read_valtype(r));
  size_t at = r.offset();
  uint8_t mut = WSVM_TRY(r.u8());
  if (mut > 1) return r.fail_at(at, "malformed mutability");
  g.mut = mut == 1;
  return g;
}

static Result<void> read_valtypes(Reader& r, std::vector<ValType>& out, uint32_t limit,
                                  const char* what) {
  uint32_t n = WSVM_TRY(read_count(r, limit, what));
  out.resize(n);
  for (uint32_t i = 0; i < n; ++i) out[i] = WSVM_TRY(read_valtype(r));
  return {};
}

Result<void> decode_type_section(Reader& r, Module& m) {
  uint32_t n = WSVM_TRY(read_count(r, limits::kMaxTypes, "types"));
  m.types.resize(n);
  for (FuncType& t : m.types) {
    size_t at = r.offset();
    uint8_t form = WSVM_TRY(r.u8());
    if (form != 0x60) return fail_type_byte(r, at, form, "malformed function type");
    WSVM_TRY_VOID(read_valtypes(r, t.params, limits::kMaxParams, "parameters"));
    WSVM_TRY_VOID(read_valtypes(r, t.results, limits::kMaxResults, "results"));
  }
  return {};
}

Result<void> decode_import_section(Reader& r, Module& m) {
  uint32_t n = WSVM_TRY(read_count(r, limits::kMaxImports, "imports"));
  m.imports.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    Import im;
    im.module = WSVM_TRY(r.name());
    im.name = WSVM_TRY(r.name());
    size_t at = r.offset();
    uint8_t kind = WSVM_TRY(r.u8());
    switch (kind) {
      case 0:
        im.func_type = WSVM_TRY(r.u32());
        m.funcs.push_back(im.func_type);
        ++m.imported_funcs;
        break;
      case 1:
        im.table = WSVM_TRY(read_table_type(r, m.wasm2));
        m.tables.push_back(im.table);
        ++m.imported_tables;
        break;
      case 2:
        im.memory.limits = WSVM_TRY(read_limits(r, m.wasm2));
        m.memories.push_back(im.memory);
        ++m.imported_memories;
        break;
      case 3:
        im.global = WSVM_TRY(read_global_type(r));
        m.globals.push_back(im.global);
        ++m.imported_globals;
        break;
      case 4:
        im.tag_type = WSVM_TRY(read_tag_type(r));
        m.tags.push_back(im.tag_type);
        ++m.imported_tags;
        break;
      default:
        return r.fail_at(at, "malformed import kind");
    }
    im.kind = static_cast<ExternKind>(kind);
    m.imports.push_back(std::move(im));
  }
  return {};
}

Result<void> decode_function_section(Reader& r, Module& m, uint32_t& declared) {
  size_t at = r.offset();
  uint32_t n = WSVM_TRY(read_count(r));
  WSVM_TRY_VOID(check_total(r, at, uint64_t{m.funcs.size()} + n, limits::kMaxFunctions,
                            "functions"));
  declared = n;
  m.funcs.reserve(m.funcs.size() + n);
  for (uint32_t i = 0; i < n; ++i) m.funcs.push_back(WSVM_TRY(r.u32()));
  return {};
}

// A section that is a vector of one kind of item appended to `out` (imports first), under a
// limit on the total: tables, memories, tags.
template <class T, class ReadItem>
Result<void> decode_item_section(Reader& r, std::vector<T>& out, uint32_t max, const char* what,
                                 ReadItem read_item) {
  size_t at = r.offset();
  uint32_t n = WSVM_TRY(read_count(r));
  WSVM_TRY_VOID(check_total(r, at, uint64_t{out.size()} + n, max, what));
  for (uint32_t i = 0; i < n; ++i) out.push_back(WSVM_TRY(read_item(r)));
  return {};
}

Result<void> decode_table_section(Reader& r, Module& m) {
  return decode_item_section(r, m.tables, limits::kMaxTables, "tables",
                             [&m](Reader& rr) { return read_table_type(rr, m.wasm2); });
}

Result<void> decode_memory_section(Reader& r, Module& m) {
  return decode_item_section(r, m.memories, limits::kMaxMemories, "memories",
                             [&m](Reader& rr) -> Result<MemoryType> {
                               return MemoryType{WSVM_TRY(read_limits(rr, m.wasm2))};
                             });
}

// tag ::= 0x00 typeidx (the attribute byte: 0 is the only kind, an exception). The type's
// index and its empty results are the validator's to check.
Result<uint32_t> read_tag_type(Reader& r) {
  const size_t at = r.offset();
  const uint8_t attribute = WSVM_TRY(r.u8());
  if (attribute != 0) return r.fail_at(at, "malformed tag attribute");
  return r.u32();
}

Result<void> decode_tag_section(Reader& r, Module& m) {
  return decode_item_section(r, m.tags, limits::kMaxTags, "tags", read_tag_type);
}

Result<void> decode_global_section(Reader& r, Module& m) {
  size_t at = r.offset();
  uint32_t n = WSVM_TRY(read_count(r));
  WSVM_TRY_VOID(check_total(r, at, uint64_t{m.globals.size()} + n, limits::kMaxGlobals, "globals"));
  m.global_defs.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    Global g;
    g.type = WSVM_TRY(read_global_type(r));
    g.init = WSVM_TRY(read_const_expr(r));
    m.globals.push_back(g.type);
    m.global_defs.push_back(std::move(g));
  }
  return {};
}

Result<void> decode_export_section(Reader& r, Module& m) {
  uint32_t n = WSVM_TRY(read_count(r, limits::kMaxExports, "exports"));
  m.exports.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    Export e;
    e.name = WSVM_TRY(r.name());
    size_t at = r.offset();
    uint8_t kind = WSVM_TRY(r.u8());
    if (kind > 4) return r.fail_at(at, "malformed export kind");
    e.kind = static_cast<ExternKind>(kind);
    e.index = WSVM_TRY(r.u32());
    m.exports.push_back(std::move(e));
  }
  return {};
}

// code ::= size:u32 func, func ::= vec(locals) expr. The instructions are left to the
// validator's walker (or scan_body); here the body is only located.
static Result<void> decode_code_entry(Reader& r, FunctionBody& body) {
  body.entry_offset = r.offset();
  uint32_t size = WSVM_TRY(r.u32());
  Reader e = WSVM_TRY(r.sub(size));
  if (size > limits::kMaxFunctionSize)
    return r.fail_at(body.entry_offset, limits::too_many("bytes in a function body", size,
                                                         limits::kMaxFunctionSize));
  size_t locals_at = e.offset();
  uint32_t runs = WSVM_TRY(read_count(e));
  body.locals.resize(runs);
  uint64_t total = 0;
  for (LocalRun& run : body.locals) {
    run.count = WSVM_TRY(e.u32());
    run.type = WSVM_TRY(read_valtype(e));
    total += run.count;  // at most 2^32 runs of < 2^32: no overflow of uint64
  }
  if (total >= (uint64_t{1} << 32)) return e.fail_at(locals_at, "too many locals");
  body.local_count = total;
  body.body_offset = e.offset();
  body.body_end = body.body_offset + e.remaining();
  // The body is an expr: at least the final `end`. Whether that last 0x0B really closes
  // the function is for the walker to see; a different last byte is malformed already.
  if (e.at_end()) return e.fail_end();
  if (e.pos()[e.remaining() - 1] != 0x0B)
    return e.fail_at(body.body_end - 1, "END opcode expected");
  return {};
}

Result<void> decode_code_section(Reader& r, Module& m, uint32_t declared_funcs) {
  size_t at = r.offset();
  uint32_t n = WSVM_TRY(read_count(r));
  if (n != declared_funcs)
    return r.fail_at(at, "function and code section have inconsistent lengths");
  m.code.resize(n);
  for (FunctionBody& body : m.code) WSVM_TRY_VOID(decode_code_entry(r, body));
  return {};
}

}  // namespace wsvm::detail
