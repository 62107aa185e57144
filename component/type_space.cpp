// Resolution of component types into VTypes (see type_space.hpp).
#include "component/type_space.hpp"

#include <fmt/format.h>

namespace wsvm::component {

namespace {

std::unexpected<Error> invalid(size_t at, std::string msg) {
  return make_error(ErrorKind::Invalid, at, std::move(msg));
}

VKind prim_kind(PrimType p) {
  switch (p) {
    case PrimType::Bool: return VKind::Bool;
    case PrimType::S8: return VKind::S8;
    case PrimType::U8: return VKind::U8;
    case PrimType::S16: return VKind::S16;
    case PrimType::U16: return VKind::U16;
    case PrimType::S32: return VKind::S32;
    case PrimType::U32: return VKind::U32;
    case PrimType::S64: return VKind::S64;
    case PrimType::U64: return VKind::U64;
    case PrimType::F32: return VKind::F32;
    case PrimType::F64: return VKind::F64;
    case PrimType::Char: return VKind::Char;
    case PrimType::String: return VKind::String;
    case PrimType::ErrorContext: return VKind::ErrorContext;
  }
  return VKind::Bool;
}

}  // namespace

Result<const TypeEntry*> TypeSpace::at(uint32_t i, size_t offset) const {
  if (i >= m_entries.size())
    return invalid(offset, fmt::format("type index {} out of bounds ({} types)", i, m_entries.size()));
  return &m_entries[i];
}

Result<VTypeP> TypeSpace::valtype(const ValTypeRef& t, size_t offset) const {
  if (t.is_prim) return t_prim(prim_kind(t.prim));
  const TypeEntry* e = WSVM_TRY(at(t.index, offset));
  return value_of(*e, offset);
}

Result<VTypeP> TypeSpace::value_of(const TypeEntry& e, size_t offset) const {
  if (e.resolved) return e.resolved;
  if (!e.def || e.def->kind != TypeDefKind::Value)
    return invalid(offset, "type index does not refer to a value type");
  e.resolved = WSVM_TRY(e.scope->defval(e.def->value, offset));
  return e.resolved;
}

Result<VTypeP> TypeSpace::defval(const DefValType& d, size_t offset) const {
  auto opt = [&](const std::optional<ValTypeRef>& r) -> Result<VTypeP> {
    if (!r) return VTypeP{};
    return valtype(*r, offset);
  };
  switch (d.kind) {
    case DefValKind::Prim: return t_prim(prim_kind(d.prim));
    case DefValKind::Record: case DefValKind::Variant: {
      if (d.fields.empty()) return invalid(offset, fmt::format("{} type must have at least one {}",
          defval_kind_name(d.kind), d.kind == DefValKind::Record ? "field" : "case"));
      std::vector<std::pair<std::string, VTypeP>> fs;
      for (const auto& f : d.fields) fs.emplace_back(f.label, WSVM_TRY(opt(f.type)));
      return d.kind == DefValKind::Record ? t_record(std::move(fs)) : t_variant(std::move(fs));
    }
    case DefValKind::List: return t_list(WSVM_TRY(opt(d.a)));
    case DefValKind::FixedList:
      if (d.length == 0) return invalid(offset, "fixed-size list must have a length above 0");
      return t_fixed_list(WSVM_TRY(opt(d.a)), d.length);
    case DefValKind::Tuple: {
      if (d.fields.empty()) return invalid(offset, "tuple type must have at least one element");
      std::vector<VTypeP> es;
      for (const auto& f : d.fields) es.push_back(WSVM_TRY(opt(f.type)));
      return t_tuple(std::move(es));
    }
    case DefValKind::Flags:
      if (d.labels.empty() || d.labels.size() > 32)
        return invalid(offset, "flags type must have between 1 and 32 flags");
      return t_flags(d.labels);
    case DefValKind::Enum:
      if (d.labels.empty()) return invalid(offset, "enum type must have at least one case");
      return t_enum(d.labels);
    case DefValKind::Option: return t_option(WSVM_TRY(opt(d.a)));
    case DefValKind::Result: return t_result(WSVM_TRY(opt(d.a)), WSVM_TRY(opt(d.b)));
    case DefValKind::Own: case DefValKind::Borrow: {
      const TypeEntry* r = WSVM_TRY(at(d.resource, offset));
      if (!r->resource) return invalid(offset, "own/borrow of a type that is not a resource");
      return d.kind == DefValKind::Own ? t_own(r->resource) : t_borrow(r->resource);
    }
    case DefValKind::Map:  // despecialised as definitions.py does: list<tuple<K, V>>
      return t_list(t_tuple({WSVM_TRY(opt(d.a)), WSVM_TRY(opt(d.b))}));
    case DefValKind::Stream: case DefValKind::Future: {
      VTypeP elem = d.a ? WSVM_TRY(opt(d.a)) : nullptr;
      return d.kind == DefValKind::Stream ? t_stream(std::move(elem)) : t_future(std::move(elem));
    }
  }
  return invalid(offset, "unknown type");
}

Result<FuncSig> TypeSpace::func(uint32_t type_index, size_t offset) const {
  const TypeEntry* e = WSVM_TRY(at(type_index, offset));
  if (!e->def || e->def->kind != TypeDefKind::Func)
    return invalid(offset, fmt::format("type index {} is not a function type", type_index));
  const FuncType& f = e->def->func;
  FuncSig s;
  for (const auto& p : f.params) {
    s.param_names.push_back(p.label);
    s.params.push_back(WSVM_TRY(e->scope->valtype(*p.type, offset)));
  }
  if (f.result) s.results.push_back(WSVM_TRY(e->scope->valtype(*f.result, offset)));
  s.async = f.async;
  return s;
}

}  // namespace wsvm::component
