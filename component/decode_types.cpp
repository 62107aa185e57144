// Type definitions of the component binary format: value types, function, component,
// instance and resource types, core types, extern types and names.
// Spec: ../shared/component-model-spec/Binary.md, "Type Definitions", "Import and Export".
#include <fmt/format.h>

#include "component/decode_internal.hpp"

namespace wsvm::component::detail {

namespace {

std::unexpected<Error> bad_byte(Reader& r, size_t at, uint8_t b, const char* what) {
  return r.fail_at(at, fmt::format("malformed {}: unknown encoding 0x{:02x}", what, b));
}

Result<std::optional<ValTypeRef>> read_opt_valtype(Reader& r) {
  size_t at = r.offset();
  uint8_t flag = WSVM_TRY(r.u8());
  if (flag == 0) return std::optional<ValTypeRef>{};
  if (flag != 1) return bad_byte(r, at, flag, "optional type");
  return std::optional<ValTypeRef>{WSVM_TRY(read_valtype(r))};
}

Result<std::vector<LabeledType>> read_labeled(Reader& r) {
  uint32_t n = WSVM_TRY(read_count(r));
  std::vector<LabeledType> out(n);
  for (auto& f : out) {
    f.label = WSVM_TRY(read_name(r));
    f.type = WSVM_TRY(read_valtype(r));
  }
  return out;
}

Result<std::vector<std::string>> read_labels(Reader& r) {
  uint32_t n = WSVM_TRY(read_count(r));
  std::vector<std::string> out(n);
  for (auto& l : out) l = WSVM_TRY(read_name(r));
  return out;
}

Result<DefValType> read_defvaltype(Reader& r, uint8_t b, size_t at) {
  DefValType t;
  if (is_prim_byte(b)) {
    t.kind = DefValKind::Prim;
    t.prim = PrimType(b);
    return t;
  }
  switch (b) {
    case 0x72: t.kind = DefValKind::Record; t.fields = WSVM_TRY(read_labeled(r)); break;
    case 0x71: {
      t.kind = DefValKind::Variant;
      uint32_t n = WSVM_TRY(read_count(r));
      t.fields.resize(n);
      for (auto& c : t.fields) {
        c.label = WSVM_TRY(read_name(r));
        c.type = WSVM_TRY(read_opt_valtype(r));
        size_t zat = r.offset();
        uint8_t z = WSVM_TRY(r.u8());
        if (z != 0) return bad_byte(r, zat, z, "variant case (refines)");
      }
      break;
    }
    case 0x70: t.kind = DefValKind::List; t.a = WSVM_TRY(read_valtype(r)); break;
    case 0x67:
      t.kind = DefValKind::FixedList;
      t.a = WSVM_TRY(read_valtype(r));
      t.length = WSVM_TRY(r.u32());
      break;
    case 0x6f: {
      t.kind = DefValKind::Tuple;
      uint32_t n = WSVM_TRY(read_count(r));
      t.fields.resize(n);
      for (auto& e : t.fields) e.type = WSVM_TRY(read_valtype(r));
      break;
    }
    case 0x6e: t.kind = DefValKind::Flags; t.labels = WSVM_TRY(read_labels(r)); break;
    case 0x6d: t.kind = DefValKind::Enum; t.labels = WSVM_TRY(read_labels(r)); break;
    case 0x6b: t.kind = DefValKind::Option; t.a = WSVM_TRY(read_valtype(r)); break;
    case 0x6a:
      t.kind = DefValKind::Result;
      t.a = WSVM_TRY(read_opt_valtype(r));
      t.b = WSVM_TRY(read_opt_valtype(r));
      break;
    case 0x69: t.kind = DefValKind::Own; t.resource = WSVM_TRY(r.u32()); break;
    case 0x68: t.kind = DefValKind::Borrow; t.resource = WSVM_TRY(r.u32()); break;
    case 0x66: t.kind = DefValKind::Stream; t.a = WSVM_TRY(read_opt_valtype(r)); break;
    case 0x65: t.kind = DefValKind::Future; t.a = WSVM_TRY(read_opt_valtype(r)); break;
    case 0x63:
      t.kind = DefValKind::Map;
      t.a = WSVM_TRY(read_valtype(r));
      t.b = WSVM_TRY(read_valtype(r));
      break;
    default: return bad_byte(r, at, b, "type");
  }
  return t;
}

Result<FuncType> read_functype(Reader& r, bool async) {
  FuncType f;
  f.async = async;
  f.params = WSVM_TRY(read_labeled(r));
  size_t at = r.offset();
  uint8_t tag = WSVM_TRY(r.u8());
  if (tag == 0x00) {
    f.result = WSVM_TRY(read_valtype(r));
  } else if (tag == 0x01) {
    size_t zat = r.offset();
    uint8_t z = WSVM_TRY(r.u8());
    if (z != 0x00) return bad_byte(r, zat, z, "result list");
  } else {
    return bad_byte(r, at, tag, "result list");
  }
  return f;
}

Result<DeclAlias> read_decl_alias(Reader& r) {
  Alias a = WSVM_TRY(read_alias(r));
  DeclAlias d;
  d.sort = a.sort;
  d.outer = a.target == Alias::Target::Outer;
  d.core_export = a.target == Alias::Target::CoreExport;
  d.instance = a.instance;
  d.name = std::move(a.name);
  d.outer_count = a.outer_count;
  d.outer_index = a.outer_index;
  return d;
}

// componenttype (component = true) or instancetype: vec of declarators.
Result<void> read_decls(Reader& r, TypeDef& t, bool component, uint32_t depth) {
  uint32_t n = WSVM_TRY(read_count(r));
  for (uint32_t i = 0; i < n; ++i) {
    size_t at = r.offset();
    uint8_t b = WSVM_TRY(r.u8());
    TypeDecl d;
    switch (b) {
      case 0x00:
        d.kind = TypeDecl::Kind::CoreType;
        d.index = uint32_t(t.core_types.size());
        t.core_types.push_back(WSVM_TRY(read_core_type(r, depth + 1)));
        break;
      case 0x01:
        d.kind = TypeDecl::Kind::Type;
        d.index = uint32_t(t.types.size());
        t.types.push_back(WSVM_TRY(read_type(r, depth + 1)));
        break;
      case 0x02:
        d.kind = TypeDecl::Kind::Alias;
        d.index = uint32_t(t.aliases.size());
        t.aliases.push_back(WSVM_TRY(read_decl_alias(r)));
        break;
      case 0x03:
        if (!component) return bad_byte(r, at, b, "instance type declarator");
        d.kind = TypeDecl::Kind::Import;
        d.name = WSVM_TRY(read_extern_name(r));
        d.type = WSVM_TRY(read_extern_type(r));
        break;
      case 0x04:
        d.kind = TypeDecl::Kind::Export;
        d.name = WSVM_TRY(read_extern_name(r));
        d.type = WSVM_TRY(read_extern_type(r));
        break;
      default:
        return bad_byte(r, at, b, component ? "component type declarator"
                                            : "instance type declarator");
    }
    t.decls.push_back(std::move(d));
  }
  return {};
}

Result<ValType> read_core_valtype(Reader& r) {
  size_t at = r.offset();
  uint8_t b = WSVM_TRY(r.u8());
  if (!is_valtype_byte(b)) return bad_byte(r, at, b, "core value type");
  return ValType(b);
}

Result<Limits> read_limits(Reader& r) {
  size_t at = r.offset();
  uint8_t flag = WSVM_TRY(r.u8());
  if (flag > 1) return bad_byte(r, at, flag, "limits");
  Limits l;
  l.min = WSVM_TRY(r.u32());
  if (flag == 1) l.max = WSVM_TRY(r.u32());
  return l;
}

Result<CoreExternType> read_core_extern_type(Reader& r) {
  size_t at = r.offset();
  uint8_t b = WSVM_TRY(r.u8());
  CoreExternType t;
  switch (b) {
    case 0x00: t.kind = wsvm::ExternKind::Func; t.func_type = WSVM_TRY(r.u32()); break;
    case 0x01: {
      t.kind = wsvm::ExternKind::Table;
      size_t eat = r.offset();
      t.table.elem = WSVM_TRY(read_core_valtype(r));
      if (!is_reftype(t.table.elem)) return bad_byte(r, eat, t.table.elem.byte(), "reference type");
      t.table.limits = WSVM_TRY(read_limits(r));
      break;
    }
    case 0x02: t.kind = wsvm::ExternKind::Memory; t.memory.limits = WSVM_TRY(read_limits(r)); break;
    case 0x03: {
      t.kind = wsvm::ExternKind::Global;
      t.global.type = WSVM_TRY(read_core_valtype(r));
      size_t mat = r.offset();
      uint8_t m = WSVM_TRY(r.u8());
      if (m > 1) return bad_byte(r, mat, m, "global mutability");
      t.global.mut = m == 1;
      break;
    }
    case 0x04: {
      t.is_tag = true;
      size_t zat = r.offset();
      uint8_t z = WSVM_TRY(r.u8());
      if (z != 0) return bad_byte(r, zat, z, "tag type");
      t.tag_type = WSVM_TRY(r.u32());
      break;
    }
    default: return bad_byte(r, at, b, "core extern type");
  }
  return t;
}

Result<void> read_module_type(Reader& r, CoreType& t, uint32_t depth) {
  t.is_module = true;
  uint32_t n = WSVM_TRY(read_count(r));
  for (uint32_t i = 0; i < n; ++i) {
    size_t at = r.offset();
    uint8_t b = WSVM_TRY(r.u8());
    CoreModuleDecl d;
    switch (b) {
      case 0x00:
        d.kind = CoreModuleDecl::Kind::Import;
        d.module = WSVM_TRY(read_name(r));
        d.name = WSVM_TRY(read_name(r));
        d.extern_type = WSVM_TRY(read_core_extern_type(r));
        break;
      case 0x01:
        d.kind = CoreModuleDecl::Kind::Type;
        d.type = uint32_t(t.module_types.size());
        // A module type declares core function (and GC) types, never another module type.
        if (uint8_t next; r.peek(next) && next == 0x50)
          return bad_byte(r, r.offset(), next, "type in a module type (a module type cannot nest)");
        t.module_types.push_back(WSVM_TRY(read_core_type(r, depth + 1)));
        break;
      case 0x02: {
        d.kind = CoreModuleDecl::Kind::Alias;
        size_t sat = r.offset();
        uint8_t s = WSVM_TRY(r.u8());
        uint8_t o = WSVM_TRY(r.u8());
        if (s != 0x10 || o != 0x01) return bad_byte(r, sat, s != 0x10 ? s : o, "core alias");
        d.outer_count = WSVM_TRY(r.u32());
        d.outer_index = WSVM_TRY(r.u32());
        break;
      }
      case 0x03:
        d.kind = CoreModuleDecl::Kind::Export;
        d.name = WSVM_TRY(read_name(r));
        d.extern_type = WSVM_TRY(read_core_extern_type(r));
        break;
      default: return bad_byte(r, at, b, "module type declarator");
    }
    t.decls.push_back(std::move(d));
  }
  return {};
}

}  // namespace

Result<uint32_t> read_count(Reader& r) {
  uint32_t n = WSVM_TRY(r.u32());
  if (n > r.remaining()) return r.fail_end();
  return n;
}

Result<std::string> read_name(Reader& r) { return r.name(); }

Result<Sort> read_core_sort(Reader& r) {
  size_t at = r.offset();
  uint8_t b = WSVM_TRY(r.u8());
  switch (b) {
    case 0x00: return Sort::CoreFunc;
    case 0x01: return Sort::CoreTable;
    case 0x02: return Sort::CoreMemory;
    case 0x03: return Sort::CoreGlobal;
    case 0x04: return Sort::CoreTag;
    case 0x10: return Sort::CoreType;
    case 0x11: return Sort::CoreModule;
    case 0x12: return Sort::CoreInstance;
  }
  return bad_byte(r, at, b, "core sort");
}

Result<Sort> read_sort(Reader& r) {
  size_t at = r.offset();
  uint8_t b = WSVM_TRY(r.u8());
  switch (b) {
    case 0x00: return read_core_sort(r);
    case 0x01: return Sort::Func;
    case 0x02: return Sort::Value;
    case 0x03: return Sort::Type;
    case 0x04: return Sort::Component;
    case 0x05: return Sort::Instance;
  }
  return bad_byte(r, at, b, "sort");
}

Result<ValTypeRef> read_valtype(Reader& r) {
  uint8_t b = 0;
  if (r.peek(b) && is_prim_byte(b)) {
    r.skip(1);
    return ValTypeRef::of(PrimType(b));
  }
  size_t at = r.offset();
  int64_t v = WSVM_TRY(r.s33());
  if (v < 0) return bad_byte(r, at, uint8_t(v & 0x7f), "value type");
  return ValTypeRef::at(uint32_t(v));
}

Result<ExternName> read_extern_name(Reader& r) {
  ExternName n;
  size_t at = r.offset();
  uint8_t form = WSVM_TRY(r.u8());
  if (form > 2) return bad_byte(r, at, form, "name attributes");
  n.offset = r.offset();
  n.name = WSVM_TRY(read_name(r));
  if (form != 2) return n;
  uint32_t count = WSVM_TRY(read_count(r));
  for (uint32_t i = 0; i < count; ++i) {
    size_t aat = r.offset();
    uint8_t kind = WSVM_TRY(r.u8());
    std::optional<std::string>* slot = kind == 0   ? &n.implements
                                       : kind == 1 ? &n.version_suffix
                                       : kind == 2 ? &n.external_id
                                                   : nullptr;
    if (!slot) return bad_byte(r, aat, kind, "name attribute");
    if (slot->has_value())
      return make_error(ErrorKind::Invalid, aat, "duplicate name attribute on '" + n.name + "'");
    *slot = WSVM_TRY(read_name(r));
  }
  return n;
}

Result<ExternType> read_extern_type(Reader& r) {
  size_t at = r.offset();
  uint8_t b = WSVM_TRY(r.u8());
  ExternType t;
  switch (b) {
    case 0x00: {
      size_t mat = r.offset();
      uint8_t m = WSVM_TRY(r.u8());
      if (m != 0x11) return bad_byte(r, mat, m, "extern type (core module)");
      t.kind = ExternKind::Module;
      t.index = WSVM_TRY(r.u32());
      return t;
    }
    case 0x01: t.kind = ExternKind::Func; t.index = WSVM_TRY(r.u32()); return t;
    case 0x02: {
      t.kind = ExternKind::Value;
      size_t vat = r.offset();
      uint8_t v = WSVM_TRY(r.u8());
      if (v == 0x00) {
        t.value_eq = true;
        t.value_index = WSVM_TRY(r.u32());
      } else if (v == 0x01) {
        t.value_type = WSVM_TRY(read_valtype(r));
      } else {
        return bad_byte(r, vat, v, "value bound");
      }
      return t;
    }
    case 0x03: {
      t.kind = ExternKind::Type;
      size_t bat = r.offset();
      uint8_t v = WSVM_TRY(r.u8());
      if (v == 0x00) {
        t.bound.sub_resource = false;
        t.bound.eq = WSVM_TRY(r.u32());
      } else if (v != 0x01) {
        return bad_byte(r, bat, v, "type bound");
      }
      return t;
    }
    case 0x04: t.kind = ExternKind::Component; t.index = WSVM_TRY(r.u32()); return t;
    case 0x05: t.kind = ExternKind::Instance; t.index = WSVM_TRY(r.u32()); return t;
  }
  return bad_byte(r, at, b, "extern type");
}

Result<CoreType> read_core_type(Reader& r, uint32_t depth) {
  if (depth > kMaxNesting) return r.fail("malformed core type: nested too deeply");
  CoreType t;
  t.offset = r.offset();
  uint8_t b = WSVM_TRY(r.u8());
  switch (b) {
    case 0x60: {
      uint32_t np = WSVM_TRY(read_count(r));
      for (uint32_t i = 0; i < np; ++i) t.func.params.push_back(WSVM_TRY(read_core_valtype(r)));
      uint32_t nr = WSVM_TRY(read_count(r));
      for (uint32_t i = 0; i < nr; ++i) t.func.results.push_back(WSVM_TRY(read_core_valtype(r)));
      return t;
    }
    case 0x50: WSVM_TRY_VOID(read_module_type(r, t, depth)); return t;
    case 0x4e: case 0x4f: case 0x00:
      return r.fail_at(t.offset, fmt::format("malformed core type: 0x{:02x} (a WebAssembly 3.0 "
                                             "GC type, not supported in components yet)", b));
  }
  return bad_byte(r, t.offset, b, "core type");
}

Result<TypeDef> read_type(Reader& r, uint32_t depth) {
  if (depth > kMaxNesting) return r.fail("malformed type: nested too deeply");
  TypeDef t;
  t.offset = r.offset();
  uint8_t b = WSVM_TRY(r.u8());
  switch (b) {
    case 0x40: case 0x43:
      t.kind = TypeDefKind::Func;
      t.func = WSVM_TRY(read_functype(r, b == 0x43));
      return t;
    case 0x41: case 0x42:
      t.kind = b == 0x41 ? TypeDefKind::Component : TypeDefKind::Instance;
      WSVM_TRY_VOID(read_decls(r, t, b == 0x41, depth));
      return t;
    case 0x3f: {
      t.kind = TypeDefKind::Resource;
      t.resource.rep = WSVM_TRY(read_core_valtype(r));
      size_t at = r.offset();
      uint8_t flag = WSVM_TRY(r.u8());
      if (flag == 1) t.resource.dtor = WSVM_TRY(r.u32());
      else if (flag != 0) return bad_byte(r, at, flag, "resource destructor");
      return t;
    }
  }
  t.kind = TypeDefKind::Value;
  t.value = WSVM_TRY(read_defvaltype(r, b, t.offset));
  return t;
}

Result<Alias> read_alias(Reader& r) {
  Alias a;
  a.offset = r.offset();
  a.sort = WSVM_TRY(read_sort(r));
  size_t at = r.offset();
  uint8_t target = WSVM_TRY(r.u8());
  switch (target) {
    case 0x00:
      a.target = Alias::Target::Export;
      a.instance = WSVM_TRY(r.u32());
      a.name = WSVM_TRY(read_name(r));
      break;
    case 0x01:
      a.target = Alias::Target::CoreExport;
      a.instance = WSVM_TRY(r.u32());
      a.name = WSVM_TRY(read_name(r));
      break;
    case 0x02:
      a.target = Alias::Target::Outer;
      // outeraliassort: core type, core module, type, component only.
      if (a.sort != Sort::CoreType && a.sort != Sort::CoreModule && a.sort != Sort::Type &&
          a.sort != Sort::Component) {
        uint8_t lead = is_core(a.sort) ? 0x00 : uint8_t(uint8_t(a.sort) - uint8_t(Sort::Func) + 1);
        return make_error(ErrorKind::Malformed, a.offset,
                          fmt::format("invalid leading byte (0x{:x}) for component outer alias kind", lead));
      }
      a.outer_count = WSVM_TRY(r.u32());
      a.outer_index = WSVM_TRY(r.u32());
      break;
    default: return bad_byte(r, at, target, "alias target");
  }
  return a;
}

}  // namespace wsvm::component::detail
