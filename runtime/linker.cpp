// Import resolution and module instantiation.
// Spec: https://webassembly.github.io/spec/core/exec/modules.html#instantiation
//       https://webassembly.github.io/spec/core/valid/types.html#import-subtyping
#include "runtime/linker.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "decoder/printable.hpp"
#include "runtime/bulk_ops.hpp"
#include "runtime/const_eval.hpp"
#include "runtime/engine.hpp"

namespace wsvm {

namespace {

std::string limits_string(const Limits& l) {
  const char* at = l.addr64 ? "i64 " : "";
  return l.max ? fmt::format("{}{{min {}, max {}}}", at, l.min, *l.max)
               : fmt::format("{}{{min {}}}", at, l.min);
}

// Limits subtyping: the provided limits `actual` match the declared `expected`; the address
// types (i32, or i64 for memory64/table64) must be the same.
bool limits_match(const Limits& actual, const Limits& expected) {
  if (actual.addr64 != expected.addr64) return false;
  if (actual.min < expected.min) return false;
  if (expected.max) return actual.max && *actual.max <= *expected.max;
  return true;
}

// "64 KiB", "1.25 MiB", "4 GiB": a byte count as people write limits (--max-memory).
std::string bytes_text(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  size_t unit = 0;
  while (v >= 1024 && unit + 1 < std::size(kUnits)) {
    v /= 1024;
    ++unit;
  }
  return fmt::format("{:.{}f} {}", v, v == static_cast<double>(static_cast<uint64_t>(v)) ? 0 : 2,
                     kUnits[unit]);
}

// `memory 0`, plus its export name when it has one, so a limit error says which memory.
std::string memory_name(const Module& m, uint32_t index) {
  for (const Export& e : m.exports) {
    if (e.kind == ExternKind::Memory && e.index == index)
      return fmt::format("memory {} (\"{}\")", index, printable(e.name));
  }
  return fmt::format("memory {}", index);
}

std::unexpected<Error> incompatible(const Import& imp, const std::string& detail) {
  return make_error(ErrorKind::Unlinkable, kNoOffset,
                    fmt::format("incompatible import type: \"{}\" \"{}\": {}",
                                printable(imp.module), printable(imp.name), detail));
}

// Checks one resolved import against its declaration (extern kind, then type).
Result<void> check_import(const Module& m, const Import& imp, const Extern& ext) {
  if (ext.ptr == nullptr) return incompatible(imp, "the definition is null");
  if (ext.kind != imp.kind) {
    return incompatible(imp, fmt::format("expected {}, got {}", extern_kind_name(imp.kind),
                                         extern_kind_name(ext.kind)));
  }
  switch (imp.kind) {
    case ExternKind::Func: {
      const FuncType& want = m.types[imp.func_type];
      const FuncInstance& f = *ext.func;
      const TypeContext have_ctx = f.instance ? TypeContext{f.instance->module().types}
                                              : TypeContext{};
      if (canonical_key(*f.type, have_ctx) != canonical_key(want, TypeContext{m.types})) {
        return incompatible(imp, fmt::format("expected func {}, got func {}", want.to_string(),
                                             ext.func->type->to_string()));
      }
      return {};
    }
    case ExternKind::Table: {
      // The table's current size is its actual minimum.
      Limits actual{ext.table->elems.size(), ext.table->type.limits.max,
                    ext.table->type.limits.addr64};
      // Table element types are invariant: each must match the other.
      const TypeContext ctx{m.types};
      const ValType have = ext.table->type.elem;
      const bool same_elem = matches(have, ext.table->types, imp.table.elem, ctx) &&
                             matches(imp.table.elem, ctx, have, ext.table->types);
      if (!same_elem || !limits_match(actual, imp.table.limits)) {
        return incompatible(imp, fmt::format("expected table {} {}, got table {} {}",
                                             limits_string(imp.table.limits),
                                             valtype_name(imp.table.elem), limits_string(actual),
                                             valtype_name(ext.table->type.elem)));
      }
      return {};
    }
    case ExternKind::Memory: {
      Limits actual{ext.memory->mem->pages(), ext.memory->type.limits.max,
                    ext.memory->type.limits.addr64};
      if (!limits_match(actual, imp.memory.limits)) {
        return incompatible(imp, fmt::format("expected memory {}, got memory {}",
                                             limits_string(imp.memory.limits),
                                             limits_string(actual)));
      }
      return {};
    }
    case ExternKind::Tag: {
      const FuncType& want = m.types[imp.tag_type];
      // Tags match when their types are equivalent (canonical keys, as for functions).
      const TagInstance& t = *ext.tag;
      if (canonical_key(*t.type, t.types) != canonical_key(want, TypeContext{m.types}))
        return incompatible(imp, fmt::format("expected tag {}, got tag {}", want.to_string(),
                                             t.type->to_string()));
      return {};
    }
    case ExternKind::Global: {
      const GlobalType& have = ext.global->type;
      // An immutable global may be a subtype; a mutable one's type is invariant.
      const TypeContext ctx{m.types};
      const TypeContext& hctx = ext.global->types;
      const bool type_ok = matches(have.type, hctx, imp.global.type, ctx) &&
                           (!have.mut || matches(imp.global.type, ctx, have.type, hctx));
      if (!type_ok || have.mut != imp.global.mut) {
        auto str = [](const GlobalType& g) {
          return fmt::format("{}{}", g.mut ? "mut " : "", valtype_name(g.type));
        };
        return incompatible(imp, fmt::format("expected global {}, got global {}",
                                             str(imp.global), str(have)));
      }
      return {};
    }
  }
  return incompatible(imp, "unknown extern kind");
}

std::unexpected<Error> uninstantiable(const std::string& message) {
  return make_error(ErrorKind::Uninstantiable, kNoOffset, message);
}

// Offsets of active segments are i32 constant expressions (validated).
// A segment's offset: an i32, or an i64 for a 64-bit table or memory (validated so).
Result<uint64_t> eval_offset(const ConstExpr& e, const Instance& inst) {
  Value v = WSVM_TRY(eval_const_expr(e, inst));
  if (v.type == ValType::I64) return v.i64;
  if (v.type != ValType::I32) {
    return make_error(ErrorKind::Invalid, e.offset, "type mismatch: segment offset must be i32");
  }
  return v.i32;
}

Extern export_extern(const Instance& inst, const Export& e) {
  Extern x;
  x.kind = e.kind;
  switch (e.kind) {
    case ExternKind::Func: x.func = inst.funcs[e.index]; break;
    case ExternKind::Table: x.table = inst.tables[e.index]; break;
    case ExternKind::Memory: x.memory = inst.memories[e.index]; break;
    case ExternKind::Global: x.global = inst.globals[e.index]; break;
    case ExternKind::Tag: x.tag = inst.tags[e.index]; break;
  }
  return x;
}

// Allocates the instance's own functions, tables, memories and globals (after the imports
// already placed in `inst`), and its exports and segments.
// Spec: https://webassembly.github.io/spec/core/exec/modules.html#alloc-module
// With `images` (module_images.hpp), each defined memory is made from its image.
Result<void> allocate(Store& store, Instance& inst, const MemoryImages* images) {
  const Module& m = inst.module();
  for (uint32_t i = m.imported_funcs; i < m.funcs.size(); ++i) {
    inst.funcs.push_back(store.create_wasm_func(inst, i));
  }
  for (uint32_t i = m.imported_tables; i < m.tables.size(); ++i) {
    const TableType& t = m.tables[i];
    const uint64_t limit = std::min<uint64_t>(store.limits().max_table_elems, kMaxTableSize);
    if (t.limits.min > limit) {
      return uninstantiable(fmt::format("table size exceeds limit: minimum {} elements > limit {}",
                                        t.limits.min, limit));
    }
    inst.tables.push_back(store.create_table(t, kNullRef));
    inst.tables.back()->types = TypeContext{m.types};
  }
  for (uint32_t i = m.imported_memories; i < m.memories.size(); ++i) {
    const uint64_t limit = store.limits().max_memory_pages;
    const uint64_t min = m.memories[i].limits.min;
    if (min > limit) {  // the embedder's limit (--max-memory), checked before reserving
      auto pages = [](uint64_t n) { return fmt::format("{} page{}", n, n == 1 ? "" : "s"); };
      return uninstantiable(fmt::format(
          "{} needs at least {} ({}), over the memory limit of {} ({})", memory_name(m, i),
          pages(min), bytes_text(min * memory::kWasmPageSize), pages(limit),
          bytes_text(limit * memory::kWasmPageSize)));
    }
    auto image = images ? images->memories[i - m.imported_memories] : nullptr;
    inst.memories.push_back(WSVM_TRY(store.create_memory(m.memories[i], std::move(image))));
  }
  for (uint32_t i = m.imported_tags; i < m.tags.size(); ++i)
    inst.tags.push_back(store.create_tag(m.types[m.tags[i]], TypeContext{m.types}));
  // Globals in order: an initialiser sees imported globals and the globals before it.
  for (const Global& g : m.global_defs) {
    Value v = WSVM_TRY(eval_const_expr(g.init, inst));
    inst.globals.push_back(store.create_global(g.type, v));
    inst.globals.back()->types = TypeContext{m.types};
  }
  for (const Export& e : m.exports) inst.exports.emplace(e.name, export_extern(inst, e));
  for (const ElemSegment& seg : m.elems) {
    ElemInstance elem;
    elem.type = seg.type;
    elem.refs.reserve(seg.size());
    for (size_t i = 0; i < seg.size(); ++i) {
      if (!seg.exprs) {  // `ref.func x`, x validated
        elem.refs.push_back(reinterpret_cast<Ref>(inst.funcs[seg.values[i]]));
        continue;
      }
      elem.refs.push_back(WSVM_TRY(eval_const_expr(seg.item_expr(i), inst)).ref);
    }
    inst.elems.push_back(std::move(elem));
  }
  for (const DataSegment& seg : m.datas) {
    inst.datas.push_back(DataInstance{std::span<const uint8_t>(m.bytes).subspan(
        seg.bytes_offset, seg.bytes_size)});
  }
  return {};
}

// Active segments, in order, then the start function (spec 2.0 instantiation steps 14-16).
// Effects before a trap stay: they may be visible through imported tables and memories.
// `imaged`: the memories came from images holding every active data segment already.
Result<void> initialise(Store& store, Instance& inst, bool imaged, std::optional<Trap>& trap_out) {
  const Module& m = inst.module();
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ElemSegment& seg = m.elems[i];
    ElemInstance& elem = inst.elems[i];
    if (seg.mode == SegmentMode::Active) {
      const uint64_t offset = WSVM_TRY(eval_offset(seg.offset, inst));
      const uint64_t n = elem.refs.size();
      if (auto trap = table_init(*inst.tables[seg.table], elem, offset, 0, n)) {
        trap_out = std::move(trap);
        return uninstantiable(trap_out->message);
      }
    }
    if (seg.mode != SegmentMode::Passive) elem.refs.clear();  // elem.drop
  }
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const DataSegment& seg = m.datas[i];
    DataInstance& data = inst.datas[i];
    if (seg.mode != SegmentMode::Active) continue;
    if (imaged) {
      data.bytes = {};  // data.drop
      continue;
    }
    const uint64_t offset = WSVM_TRY(eval_offset(seg.offset, inst));
    const uint64_t n = data.bytes.size();
    if (auto trap = memory_init(*inst.memories[seg.memory], data, offset, 0, n)) {
      trap_out = std::move(trap);
      return uninstantiable(trap_out->message);
    }
    data.bytes = {};  // data.drop
  }
  if (m.start) {
    FuncInstance* f = inst.funcs[*m.start];
    uint64_t slots[2] = {0, 0};  // the start function is [] -> []
    if (auto trap = store.call_slots(f, slots, nullptr)) {
      trap_out = std::move(trap);
      return uninstantiable(trap_out->message);
    }
  }
  return {};
}

}  // namespace

void Linker::define(const std::string& module, const std::string& name, Extern ext) {
  m_defs[{module, name}] = ext;
}

void Linker::define_instance(const std::string& module, const Instance& inst) {
  for (const auto& [name, ext] : inst.exports) define(module, name, ext);
}

std::optional<Extern> Linker::lookup(const std::string& module, const std::string& name) const {
  auto it = m_defs.find({module, name});
  if (it == m_defs.end()) return std::nullopt;
  return it->second;
}

Result<Instance*> Linker::instantiate(Store& store, std::shared_ptr<const CompiledModule> module) {
  m_last_trap.reset();
  const Module& m = *module->module;
  // Resolve and check every import before allocating anything.
  std::vector<Extern> resolved;
  resolved.reserve(m.imports.size());
  for (const Import& imp : m.imports) {
    std::optional<Extern> ext = lookup(imp.module, imp.name);
    if (!ext) {
      return make_error(ErrorKind::Unlinkable, kNoOffset,
                        fmt::format("unknown import: \"{}\" \"{}\" ({})", printable(imp.module),
                                    printable(imp.name), extern_kind_name(imp.kind)));
    }
    WSVM_TRY_VOID(check_import(m, imp, *ext));
    resolved.push_back(*ext);
  }

  Instance* inst = store.create_instance();
  inst->compiled = std::move(module);
  for (const Extern& ext : resolved) {
    switch (ext.kind) {
      case ExternKind::Func: inst->funcs.push_back(ext.func); break;
      case ExternKind::Table: inst->tables.push_back(ext.table); break;
      case ExternKind::Memory: inst->memories.push_back(ext.memory); break;
      case ExternKind::Global: inst->globals.push_back(ext.global); break;
      case ExternKind::Tag: inst->tags.push_back(ext.tag); break;
    }
  }
  const auto images = inst->compiled->images->for_instantiation(*inst);
  WSVM_TRY_VOID(allocate(store, *inst, images.get()));
  WSVM_TRY_VOID(initialise(store, *inst, images != nullptr, m_last_trap));
  return inst;
}

}  // namespace wsvm
