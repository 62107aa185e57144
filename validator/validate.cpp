// Module-level validation and the validation entry points.
// Spec: https://webassembly.github.io/spec/core/valid/modules.html
#include "validator/validate.hpp"

#include <fmt/format.h>

#include <string_view>
#include <unordered_set>

#include "decoder/printable.hpp"
#include "validator/const_expr.hpp"
#include "validator/function_validator.hpp"

namespace wsvm {
namespace {

using walk_detail::invalid;
using walk_detail::unknown_index;

// Words of the "unknown <what> N" messages, by ExternKind.
constexpr const char* kExportKindWord[] = {"function", "table", "memory", "global", "tag"};

uint32_t all_globals(const Module& m) { return static_cast<uint32_t>(m.globals.size()); }

Result<void> check_limits(const Limits& lim, uint64_t bound, const char* too_large) {
  if (lim.min > bound || (lim.max && *lim.max > bound)) return invalid(kNoOffset, too_large);
  if (lim.max && lim.min > *lim.max)
    return invalid(kNoOffset, "size minimum must not be greater than maximum");
  return {};
}

// Limits of tables and memories: min <= max, within the address type's range (a 64-bit
// table may have any u64 size; a 64-bit memory at most 2^48 pages, the whole 2^64 bytes).
// Spec: https://webassembly.github.io/spec/core/valid/types.html#limits
Result<void> check_tables_and_memories(const Module& m, const ValidateOptions& options) {
  for (const TableType& t : m.tables) {
    if (t.limits.addr64) WSVM_TRY_VOID(check_limits(t.limits, UINT64_MAX, ""));
    else WSVM_TRY_VOID(check_limits(t.limits, kMaxTableSize, "table size must be at most 2^32-1"));
  }
  for (const MemoryType& mem : m.memories) {
    if (mem.limits.addr64)
      WSVM_TRY_VOID(check_limits(mem.limits, kMaxPages64, "memory size must be at most 2^48 pages"));
    else
      WSVM_TRY_VOID(check_limits(mem.limits, kMaxPages32,
                                 "memory size must be at most 65536 pages (4GiB)"));
  }
  // Wasm 2.0 allows at most one memory (imported or defined); 3.0 any number (multi-memory).
  if (options.wasm2 && m.memories.size() > 1) return invalid(kNoOffset, "multiple memories");
  return {};
}

Result<void> check_elems(const Module& m, uint32_t visible_globals) {
  for (const ElemSegment& seg : m.elems) {
    if (seg.mode == SegmentMode::Active) {
      if (seg.table >= m.tables.size())
        return unknown_index(seg.offset.offset, "table", seg.table);
      if (!matches(seg.type, m.tables[seg.table].elem, TypeContext{m.types}))
        return invalid(seg.offset.offset,
                       fmt::format("type mismatch: element segment of {} for a table of {}",
                                   valtype_name(seg.type),
                                   valtype_name(m.tables[seg.table].elem)));
      WSVM_TRY_VOID(validate_const_expr(m, seg.offset, m.tables[seg.table].limits.addr_type(),
                                        visible_globals));
    }
    for (size_t i = 0; i < seg.size(); ++i) {
      if (seg.exprs) {
        WSVM_TRY_VOID(validate_const_expr(m, seg.item_expr(i), seg.type, visible_globals));
      } else if (seg.values[i] >= m.funcs.size()) {  // `ref.func x` (forms 0-3)
        return unknown_index(kNoOffset, "function", seg.values[i]);
      }
    }
  }
  return {};
}

Result<void> check_datas(const Module& m, uint32_t visible_globals) {
  for (const DataSegment& seg : m.datas) {
    if (seg.mode != SegmentMode::Active) continue;
    if (seg.memory >= m.memories.size())
      return unknown_index(seg.offset.offset, "memory", seg.memory);
    WSVM_TRY_VOID(validate_const_expr(m, seg.offset, m.memories[seg.memory].limits.addr_type(),
                                      visible_globals));
  }
  return {};
}

// Every concrete type index written in a value type names a type of the module.
Result<void> check_type_indices(const Module& m) {
  using walk_detail::check_valtype;
  for (const FuncType& ft : m.types) {
    for (ValType t : ft.params) WSVM_TRY_VOID(check_valtype(m, t, kNoOffset));
    for (ValType t : ft.results) WSVM_TRY_VOID(check_valtype(m, t, kNoOffset));
  }
  for (const TableType& t : m.tables) WSVM_TRY_VOID(check_valtype(m, t.elem, kNoOffset));
  for (const GlobalType& g : m.globals) WSVM_TRY_VOID(check_valtype(m, g.type, kNoOffset));
  for (const ElemSegment& seg : m.elems) WSVM_TRY_VOID(check_valtype(m, seg.type, kNoOffset));
  return {};
}

Result<void> check_start(const Module& m) {
  if (!m.start) return {};
  const uint32_t f = *m.start;
  if (f >= m.funcs.size()) return unknown_index(kNoOffset, "function", f);
  const FuncType& ft = m.func_type(f);
  if (!ft.params.empty() || !ft.results.empty())
    return invalid(kNoOffset, fmt::format("start function must have type [] -> [], has {}",
                                          ft.to_string()));
  return {};
}

Result<void> check_exports(const Module& m) {
  std::unordered_set<std::string_view> names;
  names.reserve(m.exports.size());
  for (const Export& e : m.exports) {
    size_t count = 0;
    switch (e.kind) {
      case ExternKind::Func: count = m.funcs.size(); break;
      case ExternKind::Table: count = m.tables.size(); break;
      case ExternKind::Memory: count = m.memories.size(); break;
      case ExternKind::Global: count = m.globals.size(); break;
      case ExternKind::Tag: count = m.tags.size(); break;
    }
    if (e.index >= count)
      return unknown_index(kNoOffset, kExportKindWord[static_cast<int>(e.kind)], e.index);
    if (!names.insert(e.name).second)
      return invalid(kNoOffset, fmt::format("duplicate export name \"{}\"", printable(e.name)));
  }
  return {};
}

}  // namespace

Result<void> validate_module_level(const Module& m, const ValidateOptions& options) {
  // Function types (imported and defined) must name existing types.
  for (uint32_t i = 0; i < m.funcs.size(); ++i)
    if (m.funcs[i] >= m.types.size()) {
      const size_t off = i >= m.imported_funcs && i - m.imported_funcs < m.code.size()
                             ? m.code[i - m.imported_funcs].entry_offset
                             : kNoOffset;
      return unknown_index(off, "type", m.funcs[i]);
    }
  WSVM_TRY_VOID(check_type_indices(m));
  // A tag's type is a function type without results (exception handling).
  for (uint32_t t : m.tags) {
    if (t >= m.types.size()) return unknown_index(kNoOffset, "type", t);
    if (!m.types[t].results.empty()) return invalid(kNoOffset, "non-empty tag result type");
  }
  WSVM_TRY_VOID(check_tables_and_memories(m, options));
  // A global's initialiser sees the imported globals and the globals defined before it.
  for (uint32_t i = 0; i < m.global_defs.size(); ++i) {
    const Global& g = m.global_defs[i];
    const uint32_t visible = options.wasm2 ? m.imported_globals : m.imported_globals + i;
    WSVM_TRY_VOID(validate_const_expr(m, g.init, g.type.type, visible));
  }
  // Segments see every global (Wasm 2.0: the imported ones).
  const uint32_t segment_globals = options.wasm2 ? m.imported_globals : all_globals(m);
  WSVM_TRY_VOID(check_elems(m, segment_globals));
  WSVM_TRY_VOID(check_datas(m, segment_globals));
  WSVM_TRY_VOID(check_start(m));
  WSVM_TRY_VOID(check_exports(m));
  return {};
}

Result<void> validate_function(const Module& m, uint32_t func_index) {
  NullListener listener;
  return walk_function(m, func_index, listener);
}

Error prefer_malformed(const Module& m, Error invalid_error) {
  const uint32_t count = static_cast<uint32_t>(m.code.size());
  for (uint32_t i = 0; i < count; ++i) {
    Result<void> r = scan_body(m, m.imported_funcs + i);
    if (r || r.error().kind != ErrorKind::Malformed) continue;
    // With no data segment at all, a data index without a data count section is only an
    // unknown data segment (invalid), not a malformed binary; see the walker's rule.
    if (m.datas.empty() && !m.data_count &&
        r.error().message.starts_with("data count section required"))
      continue;
    return r.error();
  }
  return invalid_error;
}

Result<void> validate_module(const Module& m) {
  auto fail = [&](Error e) -> Result<void> {
    if (e.kind == ErrorKind::Invalid) e = prefer_malformed(m, std::move(e));
    return std::unexpected(std::move(e));
  };
  if (Result<void> r = validate_module_level(m); !r) return fail(r.error());

  std::vector<bool> refs;
  collect_declared_refs(m, refs);
  FunctionWalker<NullListener> walker;
  walker.use_declared_refs(&refs);
  NullListener listener;
  const uint32_t end = m.imported_funcs + static_cast<uint32_t>(m.code.size());
  for (uint32_t i = m.imported_funcs; i < end; ++i)
    if (Result<void> r = walker.walk(m, i, listener); !r) return fail(r.error());
  return {};
}

}  // namespace wsvm
