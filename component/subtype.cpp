// Type matching of instantiation arguments (see subtype.hpp).
#include "component/subtype.hpp"

#include <fmt/format.h>

namespace wsvm::component {

namespace {

bool is_prim(VKind k) { return k <= VKind::ErrorContext; }

std::string kind_word(VKind k) { return vkind_name(k); }

std::optional<std::string> within(const std::string& where, std::optional<std::string> inner) {
  if (!inner) return std::nullopt;
  return where + ": " + *inner;
}

std::optional<std::string> optional_type(const char* what, const VType* expected, const VType* found) {
  if (!expected && found) return fmt::format("expected {} type to not be present", what);
  if (expected && !found) return fmt::format("expected {} type, but found none", what);
  if (expected) return within(fmt::format("type mismatch in {} variant", what), value_mismatch(*expected, *found));
  return std::nullopt;
}

}  // namespace

namespace {
std::optional<std::string> mismatch(const VType& e, const VType& f, bool resources_by_kind);
}

std::optional<std::string> value_mismatch(const VType& e, const VType& f) { return mismatch(e, f, false); }

namespace {

std::optional<std::string> mismatch(const VType& e, const VType& f, bool resources_by_kind) {
  auto value_mismatch = [resources_by_kind](const VType& a, const VType& b) { return mismatch(a, b, resources_by_kind); };
  if (e.kind != f.kind) {
    if (is_prim(e.kind) && is_prim(f.kind))
      return fmt::format("expected primitive `{}` found primitive `{}`", kind_word(e.kind), kind_word(f.kind));
    if (is_prim(e.kind)) return fmt::format("expected primitive, found {}", kind_word(f.kind));
    return fmt::format("expected {}, found {}", kind_word(e.kind), kind_word(f.kind));
  }
  switch (e.kind) {
    case VKind::Record:
      if (e.elems.size() != f.elems.size())
        return fmt::format("expected {} fields, found {}", e.elems.size(), f.elems.size());
      for (size_t i = 0; i < e.elems.size(); ++i) {
        if (e.labels[i] != f.labels[i])
          return fmt::format("expected field name `{}`, found `{}`", e.labels[i], f.labels[i]);
        if (auto m = within(fmt::format("type mismatch in record field `{}`", e.labels[i]),
                            value_mismatch(*e.elems[i], *f.elems[i])))
          return m;
      }
      return std::nullopt;
    case VKind::Tuple:
      if (e.elems.size() != f.elems.size())
        return fmt::format("expected {} types, found {}", e.elems.size(), f.elems.size());
      for (size_t i = 0; i < e.elems.size(); ++i)
        if (auto m = within(fmt::format("type mismatch in tuple field {}", i), value_mismatch(*e.elems[i], *f.elems[i])))
          return m;
      return std::nullopt;
    case VKind::Variant:
      if (e.labels.size() != f.labels.size())
        return fmt::format("expected {} cases, found {}", e.labels.size(), f.labels.size());
      for (size_t i = 0; i < e.labels.size(); ++i) {
        if (e.labels[i] != f.labels[i])
          return fmt::format("expected case named `{}`, found `{}`", e.labels[i], f.labels[i]);
        const VType* ep = e.case_payload(i);
        const VType* fp = f.case_payload(i);
        if (ep && !fp) return fmt::format("expected case `{}` to have a type, found none", e.labels[i]);
        if (!ep && fp) return fmt::format("expected case `{}` to have no type", e.labels[i]);
        if (ep)
          if (auto m = within(fmt::format("type mismatch in variant case `{}`", e.labels[i]), value_mismatch(*ep, *fp)))
            return m;
      }
      return std::nullopt;
    case VKind::Flags:
      if (e.labels != f.labels) return std::string("mismatch in flags elements");
      return std::nullopt;
    case VKind::Enum:
      if (e.labels != f.labels) return std::string("mismatch in enum elements");
      return std::nullopt;
    case VKind::List: case VKind::Option:
      if (e.kind == VKind::List && e.length != f.length)
        return fmt::format("expected list length {}, found {}", e.length, f.length);
      return within(fmt::format("type mismatch in {} element", kind_word(e.kind)), value_mismatch(*e.elems[0], *f.elems[0]));
    case VKind::FixedList:
      if (e.length != f.length) return fmt::format("expected list length {}, found {}", e.length, f.length);
      return within("type mismatch in list element", value_mismatch(*e.elems[0], *f.elems[0]));
    case VKind::Result:
      if (auto m = optional_type("ok", e.elems[0].get(), f.elems[0].get())) return m;
      return optional_type("err", e.elems[1].get(), f.elems[1].get());
    case VKind::Stream: case VKind::Future:
      if (!e.elems[0] || !f.elems[0]) {
        if (bool(e.elems[0]) != bool(f.elems[0])) return fmt::format("{} payloads differ", kind_word(e.kind));
        return std::nullopt;
      }
      return within(fmt::format("type mismatch in {} payload", kind_word(e.kind)), value_mismatch(*e.elems[0], *f.elems[0]));
    case VKind::Own: case VKind::Borrow:
      if (!resources_by_kind && e.resource != f.resource) return std::string("resource types are not the same");
      return std::nullopt;
    default:
      return std::nullopt;  // the same primitive
  }
}

std::optional<std::string> sig_mismatch(const FuncSig& e, const FuncSig& f, bool resources_by_kind) {
  auto value_mismatch = [resources_by_kind](const VType& a, const VType& b) { return mismatch(a, b, resources_by_kind); };
  if (e.params.size() != f.params.size())
    return fmt::format("expected {} parameters, found {}", e.params.size(), f.params.size());
  for (size_t i = 0; i < e.params.size(); ++i) {
    if (i < e.param_names.size() && i < f.param_names.size() && e.param_names[i] != f.param_names[i])
      return fmt::format("expected parameter named `{}`, found `{}`", e.param_names[i], f.param_names[i]);
    std::string name = i < e.param_names.size() ? e.param_names[i] : std::to_string(i);
    if (auto m = within(fmt::format("type mismatch in function parameter `{}`", name),
                        value_mismatch(*e.params[i], *f.params[i])))
      return m;
  }
  if (e.results.size() != f.results.size())
    return e.results.empty() ? std::string("expected no result, found one") : std::string("expected a result, found none");
  if (!e.results.empty())
    return within("type mismatch with result type", value_mismatch(*e.results[0], *f.results[0]));
  return std::nullopt;
}

}  // namespace

std::optional<std::string> func_mismatch(const FuncSig& e, const FuncSig& f) { return sig_mismatch(e, f, false); }

std::optional<std::string> host_func_mismatch(const FuncSig& import, const FuncSig& host) {
  return sig_mismatch(import, host, true);
}

std::string func_sig_string(const FuncSig& f) {
  std::string out = "func(";
  for (size_t i = 0; i < f.params.size(); ++i) {
    if (i) out += ", ";
    if (i < f.param_names.size()) out += f.param_names[i] + ": ";
    out += f.params[i]->to_string();
  }
  out += ")";
  if (!f.results.empty()) out += " -> " + f.results[0]->to_string();
  return out;
}

namespace {

const char* kind_name(wsvm::ExternKind k) {
  switch (k) {
    case wsvm::ExternKind::Func: return "func";
    case wsvm::ExternKind::Table: return "table";
    case wsvm::ExternKind::Memory: return "memory";
    case wsvm::ExternKind::Global: return "global";
    default: return "tag";
  }
}

// The module type's own function types, in its type index space (aliases unknown: null).
std::vector<const wsvm::FuncType*> module_type_funcs(const CoreType& t) {
  std::vector<const wsvm::FuncType*> out;
  for (const CoreModuleDecl& d : t.decls) {
    if (d.kind == CoreModuleDecl::Kind::Type)
      out.push_back(d.type < t.module_types.size() && !t.module_types[d.type].is_module ? &t.module_types[d.type].func : nullptr);
    if (d.kind == CoreModuleDecl::Kind::Alias) out.push_back(nullptr);
  }
  return out;
}

}  // namespace

std::optional<std::string> module_mismatch(const CoreType& e, const Module& m) {
  auto funcs = module_type_funcs(e);
  auto func_type = [&](uint32_t i) -> const wsvm::FuncType* { return i < funcs.size() ? funcs[i] : nullptr; };
  for (const wsvm::Import& im : m.imports) {
    const CoreModuleDecl* decl = nullptr;
    for (const CoreModuleDecl& d : e.decls)
      if (d.kind == CoreModuleDecl::Kind::Import && d.module == im.module && d.name == im.name) decl = &d;
    if (!decl) return fmt::format("missing expected import `{}::{}`", im.module, im.name);
    if (decl->extern_type.kind != im.kind)
      return fmt::format("type mismatch in import `{}::{}`: expected {}, found {}", im.module, im.name,
                         kind_name(decl->extern_type.kind), kind_name(im.kind));
    if (im.kind == wsvm::ExternKind::Func) {
      const wsvm::FuncType* want = func_type(decl->extern_type.func_type);
      if (want && im.func_type < m.types.size() && !(*want == m.types[im.func_type]))
        return fmt::format("type mismatch in import `{}::{}`", im.module, im.name);
    }
  }
  for (const CoreModuleDecl& d : e.decls) {
    if (d.kind != CoreModuleDecl::Kind::Export) continue;
    const wsvm::Export* ex = nullptr;
    for (const wsvm::Export& x : m.exports)
      if (x.name == d.name) ex = &x;
    if (!ex) return fmt::format("missing expected export `{}`", d.name);
    if (ex->kind != d.extern_type.kind)
      return fmt::format("type mismatch in export `{}`: expected {}, found {}", d.name,
                         kind_name(d.extern_type.kind), kind_name(ex->kind));
    if (ex->kind == wsvm::ExternKind::Func) {
      const wsvm::FuncType* want = func_type(d.extern_type.func_type);
      if (want && ex->index < m.funcs.size() && m.funcs[ex->index] < m.types.size() &&
          !(*want == m.types[m.funcs[ex->index]]))
        return fmt::format("type mismatch in export `{}`", d.name);
    }
  }
  return std::nullopt;
}

}  // namespace wsvm::component
