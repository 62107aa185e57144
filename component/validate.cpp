// Static validation of a component (see validate.hpp).
#include "component/validate.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "component/extern_name.hpp"
#include "component/validate_names.hpp"

namespace wsvm::component {

namespace {

std::unexpected<Error> invalid(size_t at, std::string msg) {
  return make_error(ErrorKind::Invalid, at, std::move(msg));
}

// What a type index stands for, as far as these rules need to know. Unknown (an alias of an
// instance's export, for instance) passes every check: instantiation resolves it.
enum class TKind : uint8_t { Unknown, Value, Func, Component, Instance, Resource };

struct IEntry;

struct TEntry {
  TKind kind = TKind::Unknown;
  const TypeDef* def = nullptr;  // Value/Func/Component/Instance defined in this scope
  // External visibility (Explainer.md): a type index introduced by an import or an export
  // has a name outside the component; a defined record/variant/enum/flags/resource does not.
  bool imported = false;
  bool exported = false;
  bool externally_valid = true;  // Component/Instance types: every import and export of it
                                 // names only visible types
  bool resources = false;  // refers to a resource type (may not cross a component boundary)
  uint64_t rid = 0;        // a resource type's identity (copies of the entry share it)
  // A nominal type's identity (record, variant, enum, flags, resource; copies share it): what
  // must be named where the type is used.
  uint64_t nid = 0;
  // Reached through an instance defined elsewhere (a nested component's, an instance type's
  // export): `def` is null (its indices are another scope's), only its identity is known.
  bool foreign = false;
  bool param = false;  // foreign, and an import of the scope it came from: `rid` is that
                       // scope's import, which its instantiation replaces by the argument
  // Component/Instance types: what an instance of it exports (null: not followed).
  std::shared_ptr<const IEntry> exports;
};

// A function in the component function index space: its type index in this scope, or (a
// function of an instance from elsewhere) the nominal types its type refers to that the
// scope it came from did not import.
struct FuncEntry {
  std::optional<uint32_t> type;
  std::vector<uint64_t> leaves;
};

// What an instance exports, as far as these rules need: its types (with whether this scope
// names them), functions and nested instances; other sorts by name only. `known` false: an
// instance not followed (every alias of it passes).
struct IEntry {
  bool known = false;
  std::map<std::string, TEntry> types;
  std::map<std::string, FuncEntry> funcs;
  std::map<std::string, std::shared_ptr<const IEntry>> insts;
  std::set<std::string> others;
  // A component: its resource type imports (name, identity); imports of one identity (an
  // `(eq)` of another) must be given the same resource.
  std::vector<std::pair<std::string, uint64_t>> type_imports;
  bool has(const std::string& n) const {
    return types.count(n) || funcs.count(n) || insts.count(n) || others.count(n);
  }
};
using IEntryP = std::shared_ptr<const IEntry>;

struct Space {
  Space* parent = nullptr;
  std::vector<TEntry> types;
  std::vector<FuncEntry> funcs;
  std::vector<IEntryP> insts;   // each instance's exports (null: not followed)
  std::vector<IEntryP> comps;   // each component's exports when instantiated (null: not followed)
  std::vector<bool> core_is_module;  // core types: module type?
  std::vector<bool> core_known;
  bool invisible = false;  // a type scope: some import or export uses a type without a name
  bool is_type = false;    // a component or instance type (else a component)
  uint32_t modules = 0;    // size of the core module space
  bool resources = false;  // a type scope: an entry from outside refers to resources
  // Resource names of the scope's imports [0] and exports [1]: label -> resource identity.
  std::map<std::string, uint64_t> resource_names[2];
  IEntry self;  // a component: its exports so far
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Labels of one record/variant/flags/enum/params list: non-empty, kebab case, unique
// regardless of case.
Result<void> check_labels(const std::vector<std::string>& labels, const char* what, const char* prev_what,
                          size_t at) {
  std::map<std::string, const std::string*> seen;  // lower-cased label -> the label
  for (const std::string& l : labels) {
    if (l.empty()) return invalid(at, fmt::format("{} name cannot be empty", what));
    if (!is_label(l)) return invalid(at, fmt::format("{} name `{}` is not in kebab case", what, l));
    auto [it, fresh] = seen.emplace(lower(l), &l);
    if (!fresh)
      return invalid(at, fmt::format("{} name `{}` conflicts with previous {} name `{}`", what, l, prev_what, *it->second));
  }
  return {};
}

// A core module type: its function type references in bounds, distinct export names and
// import name pairs, memory limits within 2^16 pages.
Result<void> core_module_type(const CoreType& t, size_t at) {
  if (!t.is_module) return {};
  uint32_t types = 0;
  std::vector<std::string> exports, imports;
  for (const CoreModuleDecl& d : t.decls) {
    if (d.kind == CoreModuleDecl::Kind::Type || d.kind == CoreModuleDecl::Kind::Alias) ++types;
    if (d.kind != CoreModuleDecl::Kind::Import && d.kind != CoreModuleDecl::Kind::Export) continue;
    const CoreExternType& et = d.extern_type;
    if (et.kind == wsvm::ExternKind::Func && et.func_type >= types)
      return invalid(at, fmt::format("type index out of bounds ({})", et.func_type));
    if (et.kind == wsvm::ExternKind::Memory &&
        (et.memory.limits.min > 65536 || (et.memory.limits.max && *et.memory.limits.max > 65536)))
      return invalid(at, "memory size must be at most 65536 pages (4GiB)");
    if (d.kind == CoreModuleDecl::Kind::Export) {
      if (std::find(exports.begin(), exports.end(), d.name) != exports.end())
        return invalid(at, fmt::format("export name `{}` already defined", d.name));
      exports.push_back(d.name);
    } else {
      std::string key = d.module + ":" + d.name;
      if (std::find(imports.begin(), imports.end(), key) != imports.end())
        return invalid(at, fmt::format("duplicate import name `{}`", key));
      imports.push_back(key);
    }
  }
  return {};
}

class Validator {
  uint64_t m_next_rid = 0;

 public:
  // Whether type `i` may appear in an export (`for_export`) or an import: named (imported, or
  // for exports also exported), or structural with visible contents.
  bool visible(const Space& sp, uint32_t i, bool for_export, int depth = 0) {
    if (i >= sp.types.size()) return true;  // reported elsewhere
    const TEntry& e = sp.types[i];
    if (e.imported || (for_export && e.exported) || e.kind == TKind::Unknown) return true;
    if (e.nid) return false;  // a record, variant, enum, flags or resource without a name here
    return contents_visible(sp, e, for_export, depth);
  }
  // The nominal types that type `i` refers to and `sp` does not name (imports name them;
  // exports too when `exports_name`), appended to `out`.
  void leaves(const Space& sp, uint32_t i, bool exports_name, std::vector<uint64_t>& out, int depth = 0) {
    if (i >= sp.types.size() || depth > 64) return;
    const TEntry& e = sp.types[i];
    if (e.imported || (exports_name && e.exported) || e.kind == TKind::Unknown) return;
    if (e.nid) {
      if (std::find(out.begin(), out.end(), e.nid) == out.end()) out.push_back(e.nid);
      return;
    }
    if (!e.def || (e.kind != TKind::Func && e.kind != TKind::Value)) return;
    auto vt = [&](const std::optional<ValTypeRef>& t) {
      if (t && !t->is_prim) leaves(sp, t->index, exports_name, out, depth + 1);
    };
    if (e.kind == TKind::Func) {
      for (const LabeledType& p : e.def->func.params) vt(p.type);
      vt(e.def->func.result);
      return;
    }
    const DefValType& v = e.def->value;
    if (v.kind == DefValKind::Own || v.kind == DefValKind::Borrow) return leaves(sp, v.resource, exports_name, out, depth + 1);
    for (const LabeledType& f : v.fields) vt(f.type);
    vt(v.a);
    vt(v.b);
  }
  std::vector<uint64_t> func_leaves(const Space& sp, const FuncEntry& f, bool exports_name) {
    std::vector<uint64_t> out = f.leaves;
    if (f.type) leaves(sp, *f.type, exports_name, out);
    return out;
  }
  // A type seen from outside the scope that has it: only its identity remains, and none of
  // that scope's names (a type that scope imported may be an argument of ours: not followed).
  static TEntry foreign(TEntry e) {
    if (e.imported) e.nid = 0, e.param = e.rid != 0;
    e.def = nullptr;
    e.foreign = true;
    e.imported = e.exported = false;
    return e;
  }
  // An instance's exports described in scope `sp`, as seen from outside it.
  IEntryP outside(const Space& sp, const IEntry& in) {
    auto out = std::make_shared<IEntry>();
    out->known = in.known;
    out->others = in.others;
    out->type_imports = in.type_imports;
    for (const auto& [n, t] : in.types) out->types[n] = foreign(t);
    for (const auto& [n, f] : in.funcs) out->funcs[n] = FuncEntry{std::nullopt, func_leaves(sp, f, false)};
    for (const auto& [n, i] : in.insts) out->insts[n] = i ? outside(sp, *i) : nullptr;
    return out;
  }
  // An instance this scope imports or exports names every type it exports, and so their
  // uses in its functions.
  IEntryP named(const IEntry& in, bool imported) {
    auto out = std::make_shared<IEntry>(in);
    std::set<uint64_t> own;
    for (auto& [n, t] : out->types) {
      (imported ? t.imported : t.exported) = true;
      if (t.nid) own.insert(t.nid);
    }
    // (A function of this scope keeps its type: what it names is this scope's to say.)
    for (auto& [n, f] : out->funcs) std::erase_if(f.leaves, [&](uint64_t id) { return own.count(id) != 0; });
    for (auto& [n, i] : out->insts)
      if (i) i = named(*i, imported);
    return out;
  }
  // Whether this scope names the nominal type `nid`: a type index of it imported or exported,
  // or a type of an instance it imported or exported (e.g. a bag of the types of an
  // instantiated child, exported before a function of that child that uses them).
  bool names(const Space& sp, uint64_t nid) {
    for (const TEntry& e : sp.types)
      if (e.nid == nid && (e.imported || e.exported)) return true;
    std::function<bool(const IEntry&, int)> in_instance = [&](const IEntry& in, int depth) {
      if (depth > 64) return false;
      for (const auto& [n, t] : in.types)
        if (t.nid == nid && (t.imported || t.exported)) return true;
      for (const auto& [n, i] : in.insts)
        if (i && in_instance(*i, depth + 1)) return true;
      return false;
    };
    for (const IEntryP& i : sp.insts)
      if (i && in_instance(*i, 0)) return true;
    return false;
  }
  // Whether an instance may be exported: each function's types are named here or exported
  // by the instance (or an enclosing one) itself.
  bool exportable(const Space& sp, const IEntry& in, std::set<uint64_t> allowed) {
    for (const auto& [n, t] : in.types)
      if (t.nid) allowed.insert(t.nid);
    for (const auto& [n, f] : in.funcs)
      for (uint64_t id : func_leaves(sp, f, true))
        if (!allowed.count(id)) return false;
    for (const auto& [n, i] : in.insts)
      if (i && !exportable(sp, *i, allowed)) return false;
    return true;
  }
  // An import's or export's extern type.
  bool extern_visible(const Space& sp, const ExternType& et, bool for_export) {
    switch (et.kind) {
      case ExternKind::Func: case ExternKind::Instance: case ExternKind::Component:
        return visible(sp, et.index, for_export);
      case ExternKind::Type:
        return et.bound.sub_resource || et.bound.eq >= sp.types.size() ||
               contents_visible(sp, sp.types[et.bound.eq], for_export);
      default: return true;
    }
  }
  bool contents_visible(const Space& sp, const TEntry& e, bool for_export, int depth = 0) {
    if (e.kind == TKind::Instance || e.kind == TKind::Component) return e.externally_valid;
    if (depth > 64 || !e.def) return true;
    auto vt = [&](const std::optional<ValTypeRef>& t) {
      return !t || t->is_prim || visible(sp, t->index, for_export, depth + 1);
    };
    if (e.kind == TKind::Func) {
      for (const LabeledType& p : e.def->func.params)
        if (!vt(p.type)) return false;
      return vt(e.def->func.result);
    }
    if (e.kind != TKind::Value) return true;
    const DefValType& v = e.def->value;
    if (v.kind == DefValKind::Own || v.kind == DefValKind::Borrow) return visible(sp, v.resource, for_export, depth + 1);
    for (const LabeledType& f : v.fields)
      if (!vt(f.type)) return false;
    return vt(v.a) && vt(v.b);
  }

  // Validates `c`; returns what an instance of it exports, as seen from the parent.
  Result<IEntryP> component(const Component& c, Space* parent) {
    Space sp;
    sp.parent = parent;
    sp.self.known = true;
    for (const Definition& d : c.defs) WSVM_TRY_VOID(definition(c, d, sp));
    return outside(sp, sp.self);
  }

 private:
  Result<const TEntry*> type_at(const Space& sp, uint32_t i, size_t at) {
    if (i >= sp.types.size()) return invalid(at, "type index out of bounds");
    return &sp.types[i];
  }

  Result<void> valtype(const Space& sp, const ValTypeRef& t, size_t at) {
    if (t.is_prim) return {};
    const TEntry* e = WSVM_TRY(type_at(sp, t.index, at));
    if (e->kind != TKind::Value && e->kind != TKind::Unknown)
      return invalid(at, fmt::format("type index {} is not a defined type", t.index));
    return {};
  }

  // Whether a value type contains a borrow handle (through defined types of this scope).
  bool has_borrow(const Space& sp, const ValTypeRef& t, int depth = 0) {
    if (t.is_prim || depth > 64 || t.index >= sp.types.size()) return false;
    const TEntry& e = sp.types[t.index];
    if (e.kind != TKind::Value || !e.def) return false;
    const DefValType& v = e.def->value;
    if (v.kind == DefValKind::Borrow) return true;
    for (const LabeledType& f : v.fields)
      if (f.type && has_borrow(sp, *f.type, depth + 1)) return true;
    if (v.a && has_borrow(sp, *v.a, depth + 1)) return true;
    if (v.b && has_borrow(sp, *v.b, depth + 1)) return true;
    return false;
  }

  Result<void> defval(const Space& sp, const DefValType& v, size_t at) {
    std::vector<std::string> labels;
    switch (v.kind) {
      case DefValKind::Record:
        if (v.fields.empty()) return invalid(at, "record type must have at least one field");
        for (const LabeledType& f : v.fields) labels.push_back(f.label);
        WSVM_TRY_VOID(check_labels(labels, "record field", "field", at));
        break;
      case DefValKind::Variant:
        if (v.fields.empty()) return invalid(at, "variant type must have at least one case");
        for (const LabeledType& f : v.fields) labels.push_back(f.label);
        WSVM_TRY_VOID(check_labels(labels, "variant case", "case", at));
        break;
      case DefValKind::Tuple:
        if (v.fields.empty()) return invalid(at, "tuple type must have at least one type");
        break;
      case DefValKind::Flags:
        if (v.labels.empty()) return invalid(at, "flags must have at least one entry");
        if (v.labels.size() > 32) return invalid(at, "cannot have more than 32 flags");
        WSVM_TRY_VOID(check_labels(v.labels, "flag", "flag", at));
        break;
      case DefValKind::Enum:
        if (v.labels.empty()) return invalid(at, "enum type must have at least one variant");
        WSVM_TRY_VOID(check_labels(v.labels, "enum tag", "tag", at));
        break;
      case DefValKind::Stream: {
        // Temporarily refused by the spec (component-model PR 607): a stream of chars.
        bool is_char = v.a && ((v.a->is_prim && v.a->prim == PrimType::Char) ||
                               (!v.a->is_prim && v.a->index < sp.types.size() && sp.types[v.a->index].def &&
                                sp.types[v.a->index].kind == TKind::Value &&
                                sp.types[v.a->index].def->value.kind == DefValKind::Prim &&
                                sp.types[v.a->index].def->value.prim == PrimType::Char));
        if (is_char) return invalid(at, "`stream<char>` is not valid at this time");
        break;
      }
      case DefValKind::Map: {
        // keytype: bool, the integers, char, string.
        std::optional<PrimType> key;
        if (v.a && v.a->is_prim) key = v.a->prim;
        else if (v.a && v.a->index < sp.types.size() && sp.types[v.a->index].def &&
                 sp.types[v.a->index].kind == TKind::Value && sp.types[v.a->index].def->value.kind == DefValKind::Prim)
          key = sp.types[v.a->index].def->value.prim;
        else if (v.a && v.a->index < sp.types.size() && sp.types[v.a->index].kind == TKind::Unknown)
          break;
        if (!key || *key == PrimType::F32 || *key == PrimType::F64 || *key == PrimType::ErrorContext)
          return invalid(at, "map key type must be bool, an integer, char or string");
        break;
      }
      case DefValKind::Own: case DefValKind::Borrow: {
        const TEntry* e = WSVM_TRY(type_at(sp, v.resource, at));
        if (e->kind != TKind::Resource && e->kind != TKind::Unknown)
          return invalid(at, fmt::format("type index {} is not a resource type", v.resource));
        return {};
      }
      default: break;
    }
    for (const LabeledType& f : v.fields)
      if (f.type) WSVM_TRY_VOID(valtype(sp, *f.type, at));
    if (v.a) WSVM_TRY_VOID(valtype(sp, *v.a, at));
    if (v.b) WSVM_TRY_VOID(valtype(sp, *v.b, at));
    return {};
  }

  Result<void> functype(const Space& sp, const FuncType& f, size_t at) {
    std::vector<std::string> names;
    for (const LabeledType& p : f.params) {
      names.push_back(p.label);
      if (p.type) WSVM_TRY_VOID(valtype(sp, *p.type, at));
    }
    WSVM_TRY_VOID(check_labels(names, "function parameter", "parameter", at));
    if (f.result) {
      WSVM_TRY_VOID(valtype(sp, *f.result, at));
      if (has_borrow(sp, *f.result)) return invalid(at, "function result cannot contain a `borrow` type");
    }
    return {};
  }

  // A type definition in scope `sp` (`in_type`: inside a component or instance type).
  Result<TEntry> typedef_(Space& sp, const TypeDef& t, bool in_type) {
    switch (t.kind) {
      case TypeDefKind::Value: {
        WSVM_TRY_VOID(defval(sp, t.value, t.offset));
        TEntry e{TKind::Value, &t};
        switch (t.value.kind) {
          case DefValKind::Record: case DefValKind::Variant: case DefValKind::Enum: case DefValKind::Flags:
            e.nid = ++m_next_rid;
            break;
          default: break;
        }
        return e;
      }
      case TypeDefKind::Func:
        WSVM_TRY_VOID(functype(sp, t.func, t.offset));
        return TEntry{TKind::Func, &t};
      case TypeDefKind::Resource: {
        if (in_type) return invalid(t.offset, "resources can only be defined within a concrete component");
        TEntry e{TKind::Resource, &t};
        e.rid = e.nid = ++m_next_rid;
        return e;
      }
      case TypeDefKind::Component: case TypeDefKind::Instance: {
        Space inner;
        inner.parent = &sp;
        inner.is_type = true;
        inner.self.known = true;
        for (const TypeDecl& d : t.decls) WSVM_TRY_VOID(decl(inner, t, d));
        TEntry e{t.kind == TypeDefKind::Component ? TKind::Component : TKind::Instance, &t};
        e.externally_valid = !inner.invisible;
        e.resources = inner.resources;
        e.exports = outside(inner, inner.self);
        return e;
      }
    }
    return TEntry{};
  }

  Result<void> core_type_index(const Space& sp, uint32_t i, size_t at) {
    if (i >= sp.core_is_module.size()) return invalid(at, "core type index out of bounds");
    if (sp.core_known[i] && !sp.core_is_module[i])
      return invalid(at, fmt::format("core type index {} is not a module type", i));
    return {};
  }

  // An extern type's type reference; for a type import/export, the entry it adds.
  Result<std::optional<TEntry>> externtype(Space& sp, const ExternType& et, size_t at) {
    auto want = [&](TKind k, const char* what) -> Result<void> {
      const TEntry* e = WSVM_TRY(type_at(sp, et.index, at));
      if (e->kind != k && e->kind != TKind::Unknown)
        return invalid(at, fmt::format("type index {} is not {}", et.index, what));
      return {};
    };
    switch (et.kind) {
      case ExternKind::Module: WSVM_TRY_VOID(core_type_index(sp, et.index, at)); break;
      case ExternKind::Func: WSVM_TRY_VOID(want(TKind::Func, "a function type")); break;
      case ExternKind::Component: WSVM_TRY_VOID(want(TKind::Component, "a component type")); break;
      case ExternKind::Instance: WSVM_TRY_VOID(want(TKind::Instance, "an instance type")); break;
      case ExternKind::Value:
        if (!et.value_eq) WSVM_TRY_VOID(valtype(sp, et.value_type, at));
        break;
      case ExternKind::Type:
        if (et.bound.sub_resource) {
          TEntry e{TKind::Resource, nullptr};
          e.rid = e.nid = ++m_next_rid;
          return std::optional<TEntry>(e);
        }
        return std::optional<TEntry>(*WSVM_TRY(type_at(sp, et.bound.eq, at)));
    }
    return std::optional<TEntry>{};
  }

  Result<void> decl(Space& sp, const TypeDef& owner, const TypeDecl& d) {
    switch (d.kind) {
      case TypeDecl::Kind::CoreType: {
        const CoreType& ct = owner.core_types[d.index];
        WSVM_TRY_VOID(core_module_type(ct, owner.offset));
        sp.core_is_module.push_back(ct.is_module);
        sp.core_known.push_back(true);
        return {};
      }
      case TypeDecl::Kind::Type:
        sp.types.push_back(flagged(sp, WSVM_TRY(typedef_(sp, owner.types[d.index], true))));
        return {};
      case TypeDecl::Kind::Alias: {
        const DeclAlias& a = owner.aliases[d.index];
        bool allowed = a.outer ? (a.sort == Sort::Type || a.sort == Sort::CoreType)
                               : (a.sort == Sort::Type || a.sort == Sort::Instance);
        if (!allowed)
          return invalid(owner.offset, fmt::format("alias declarators may only refer to types or instances, "
                                                   "not a {}", sort_name(a.sort)));
        if (a.outer && a.sort == Sort::Type) WSVM_TRY_VOID(outer_type_alias(sp, a.outer_count, a.outer_index, owner.offset));
        if (a.sort == Sort::Type) {
          TEntry e = outer_type(sp, a);
          if (e.resources) sp.resources = true;
          sp.types.push_back(e);
        }
        if (a.sort == Sort::CoreType) {
          const Space* s = &sp;
          for (uint32_t i = 0; a.outer && i < a.outer_count && s; ++i) s = s->parent;
          bool known = a.outer && s && a.outer_index < s->core_known.size() && s->core_known[a.outer_index];
          sp.core_is_module.push_back(known && s->core_is_module[a.outer_index]);
          sp.core_known.push_back(known);
        }
        return {};
      }
      case TypeDecl::Kind::Import: case TypeDecl::Kind::Export: {
        bool is_export = d.kind == TypeDecl::Kind::Export;
        auto added = WSVM_TRY(externtype(sp, d.type, owner.offset));
        if (!extern_visible(sp, d.type, is_export)) {
          // Component types are checked where they are defined; instance types when an
          // import or export uses them.
          if (owner.kind == TypeDefKind::Component)
            return invalid(owner.offset, fmt::format("{} not valid to be used as {}", extern_kind_name(d.type.kind),
                                                     is_export ? "export" : "import"));
          sp.invisible = true;
        }
        if (is_export) record_export(sp, d.name.name, d.type, added);
        else if (added && added->rid) sp.self.type_imports.emplace_back(d.name.name, added->rid);
        bool is_func = d.type.kind == ExternKind::Func;
        WSVM_TRY_VOID(check_annotated(sp, d.name, is_func, is_func ? std::optional<uint32_t>(d.type.index) : std::nullopt,
                                      is_export, owner.offset));
        if (added) name_resource(sp, d.name, *added, is_export);
        if (added) {
          (is_export ? added->exported : added->imported) = true;
          // A (sub resource) declared by the type is abstract and local to it.
          if (d.type.bound.sub_resource) added->resources = false;
          else if (added->resources) sp.resources = true;
          sp.types.push_back(*added);
        }
        return {};
      }
    }
    return {};
  }

  // A plain-named type import/export of a resource names it in that namespace.
  void name_resource(Space& sp, const ExternName& n, const TEntry& e, bool is_export) {
    if (!e.rid) return;
    auto p = parse_extern_name(n.name);
    if (p && p->kind == ParsedName::Kind::Label) sp.resource_names[is_export][p->label] = e.rid;
  }

  // [constructor]/[method]/[static] names: a function of the right shape on a resource named
  // in the same scope and namespace (Binary.md "Import and Export Definitions").
  Result<void> check_annotated(const Space& sp, const ExternName& n, bool is_func,
                               std::optional<uint32_t> func_type, bool is_export, size_t at,
                               const std::map<std::string, uint64_t>* bag_names = nullptr) {
    auto p = parse_extern_name(n.name);
    if (!p) return {};  // validate_names reports it
    if (p->kind != ParsedName::Kind::Constructor && p->kind != ParsedName::Kind::Method &&
        p->kind != ParsedName::Kind::Static)
      return {};
    if (!is_func) return invalid(at, fmt::format("item `{}` is not a func", n.name));
    const auto& names = bag_names ? *bag_names : sp.resource_names[is_export];
    if (p->kind == ParsedName::Kind::Static) {
      if (!names.count(p->resource)) return invalid(at, "static resource name is not known in this context");
      return {};
    }
    if (!func_type || *func_type >= sp.types.size() || !sp.types[*func_type].def ||
        sp.types[*func_type].kind != TKind::Func)
      return {};
    const FuncType& ft = sp.types[*func_type].def->func;
    auto entry_of = [&](const std::optional<ValTypeRef>& t) -> const TEntry* {
      if (!t || t->is_prim || t->index >= sp.types.size()) return nullptr;
      return &sp.types[t->index];
    };
    auto handle = [&](const std::optional<ValTypeRef>& t, DefValKind k) -> const TEntry* {
      const TEntry* e = entry_of(t);
      if (!e || e->kind != TKind::Value || !e->def || e->def->value.kind != k) return nullptr;
      return e->def->value.resource < sp.types.size() ? &sp.types[e->def->value.resource] : nullptr;
    };
    const TEntry* resource = nullptr;
    if (p->kind == ParsedName::Kind::Constructor) {
      if (!ft.result) return invalid(at, "function should return one value");
      resource = handle(ft.result, DefValKind::Own);
      if (!resource) {
        const TEntry* r = entry_of(ft.result);
        if (r && r->kind == TKind::Value && r->def && r->def->value.kind == DefValKind::Result)
          resource = handle(r->def->value.a, DefValKind::Own);
      }
      if (!resource) return invalid(at, "function should return `(own $T)` or `(result (own $T))`");
    } else {
      if (ft.params.empty()) return invalid(at, "function should have at least one argument");
      if (ft.params[0].label != "self") return invalid(at, "function should have a first argument called `self`");
      resource = handle(ft.params[0].type, DefValKind::Borrow);
      if (!resource) return invalid(at, "function should take a first argument of `(borrow $T)`");
    }
    if (!resource->rid) return {};  // an alias we do not follow
    auto it = names.find(p->resource);
    if (it != names.end() && it->second == resource->rid) return {};
    for (const auto& [label, rid] : names)
      if (rid == resource->rid)
        return invalid(at, fmt::format("function does not match expected resource name `{}`", label));
    return invalid(at, "resource used in function does not have a name in this context");
  }

  // Whether a value or function type refers to a resource (through the entries it names).
  TEntry flagged(const Space& sp, TEntry e) {
    if (e.kind == TKind::Resource) e.resources = true;
    if (!e.def || (e.kind != TKind::Value && e.kind != TKind::Func)) return e;
    auto refers = [&](const std::optional<ValTypeRef>& t) {
      return t && !t->is_prim && t->index < sp.types.size() && sp.types[t->index].resources;
    };
    if (e.kind == TKind::Func) {
      for (const LabeledType& p : e.def->func.params) e.resources |= refers(p.type);
      e.resources |= refers(e.def->func.result);
      return e;
    }
    const DefValType& v = e.def->value;
    if (v.kind == DefValKind::Own || v.kind == DefValKind::Borrow) e.resources = true;
    for (const LabeledType& f : v.fields) e.resources |= refers(f.type);
    e.resources |= refers(v.a) || refers(v.b);
    return e;
  }

  // An outer alias of type `index`, `count` scopes out: the count and index in range, and a
  // type crossing a component boundary may not refer to resources.
  Result<void> outer_type_alias(const Space& sp, uint32_t count, uint32_t index, size_t at) {
    const Space* s = &sp;
    bool crosses_component = false;
    for (uint32_t i = 0; i < count; ++i) {
      if (!s->is_type) crosses_component = true;
      s = s->parent;
      if (!s) return invalid(at, fmt::format("invalid outer alias count of {}", count));
    }
    if (index >= s->types.size()) return invalid(at, fmt::format("type index out of bounds ({})", index));
    if (crosses_component && s->types[index].resources)
      return invalid(at, "cannot alias outer type which transitively refers to resources not defined in the "
                         "current component");
    return {};
  }

  TEntry outer_type(const Space& sp, const DeclAlias& a) {
    if (!a.outer) return TEntry{};
    return outer_entry(sp, a.outer_count, a.outer_index);
  }
  // Type `index`, `count` scopes out. Names do not cross a component boundary: a type the
  // enclosing component imports or exports has no name inside a nested component.
  TEntry outer_entry(const Space& sp, uint32_t count, uint32_t index) {
    const Space* s = &sp;
    bool crosses_component = false;
    for (uint32_t i = 0; i < count && s; ++i) {
      if (!s->is_type) crosses_component = true;
      s = s->parent;
    }
    if (!s || index >= s->types.size()) return TEntry{};
    TEntry e = s->types[index];
    if (crosses_component) e.imported = e.exported = false;
    return e;
  }

  // A component or type scope's export `name` of extern type `et` (`added`: the type entry a
  // type export adds), recorded in the scope's instance shape.
  void record_export(Space& sp, const std::string& name, const ExternType& et, const std::optional<TEntry>& added) {
    switch (et.kind) {
      case ExternKind::Type: if (added) sp.self.types[name] = *added; break;
      case ExternKind::Func: sp.self.funcs[name] = FuncEntry{et.index, {}}; break;
      case ExternKind::Instance:
        sp.self.insts[name] = et.index < sp.types.size() ? sp.types[et.index].exports : nullptr;
        break;
      default: sp.self.others.insert(name); break;
    }
  }

  Result<void> definition(const Component& c, const Definition& d, Space& sp) {
    switch (d.kind) {
      case DefKind::CoreType: {
        const CoreType& ct = c.core_types[d.index];
        WSVM_TRY_VOID(core_module_type(ct, ct.offset));
        sp.core_is_module.push_back(ct.is_module);
        sp.core_known.push_back(true);
        return {};
      }
      case DefKind::Type:
        sp.types.push_back(flagged(sp, WSVM_TRY(typedef_(sp, c.types[d.index], false))));
        return {};
      case DefKind::Component:
        sp.comps.push_back(WSVM_TRY(component(*c.components[d.index], &sp)));
        return {};
      case DefKind::CoreModule:
        ++sp.modules;
        return {};
      case DefKind::CoreInstance: {
        const CoreInstance& ci = c.core_instances[d.index];
        if (ci.instantiate && ci.module >= sp.modules)
          return invalid(ci.offset, fmt::format("unknown module {}: module index out of bounds", ci.module));
        std::vector<std::string> seen;
        for (const CoreInstantiateArg& a : ci.args) {
          if (std::find(seen.begin(), seen.end(), a.name) != seen.end())
            return invalid(ci.offset, fmt::format("duplicate module instantiation argument named `{}`", a.name));
          seen.push_back(a.name);
        }
        seen.clear();
        for (const CoreInlineExport& e : ci.exports) {
          if (std::find(seen.begin(), seen.end(), e.name) != seen.end())
            return invalid(ci.offset, fmt::format("export name `{}` already defined", e.name));
          seen.push_back(e.name);
        }
        return {};
      }
      case DefKind::Instance: return instance(c.instances[d.index], sp);
      case DefKind::Alias: return alias(c.aliases[d.index], sp);
      case DefKind::Import: {
        const Import& im = c.imports[d.index];
        auto added = WSVM_TRY(externtype(sp, im.type, im.offset));
        if (im.type.kind == ExternKind::Func) {
          if (!visible(sp, im.type.index, false))
            return invalid(im.offset, "func not valid to be used as import");
          sp.funcs.push_back(FuncEntry{im.type.index, {}});
        }
        if ((im.type.kind == ExternKind::Instance || im.type.kind == ExternKind::Component) &&
            !visible(sp, im.type.index, false))
          return invalid(im.offset, fmt::format("{} not valid to be used as import", extern_kind_name(im.type.kind)));
        if (im.type.kind == ExternKind::Type && !im.type.bound.sub_resource &&
            im.type.bound.eq < sp.types.size() && !contents_visible(sp, sp.types[im.type.bound.eq], false))
          return invalid(im.offset, "type not valid to be used as import");
        bool is_func = im.type.kind == ExternKind::Func;
        WSVM_TRY_VOID(check_annotated(sp, im.name, is_func, is_func ? std::optional<uint32_t>(im.type.index) : std::nullopt,
                                      false, im.offset));
        if (added) {
          added->imported = true;
          if (added->rid) sp.self.type_imports.emplace_back(im.name.name, added->rid);
          name_resource(sp, im.name, *added, false);
          sp.types.push_back(flagged(sp, *added));
        }
        if (im.type.kind == ExternKind::Module) ++sp.modules;
        if (im.type.kind == ExternKind::Component) sp.comps.push_back(exports_of(sp, im.type.index));
        if (im.type.kind == ExternKind::Instance) {
          IEntryP e = exports_of(sp, im.type.index);
          sp.insts.push_back(e ? named(*e, true) : nullptr);
        }
        return {};
      }
      case DefKind::Export: return exported(c.exports[d.index], sp);
      case DefKind::Canon: {
        const Canon& k = c.canons[d.index];
        if (k.kind == CanonKind::Lift) {
          sp.funcs.push_back(FuncEntry{k.type, {}});
          const TEntry* e = WSVM_TRY(type_at(sp, k.type, k.offset));
          if (e->kind != TKind::Func && e->kind != TKind::Unknown)
            return invalid(k.offset, fmt::format("type index {} is not a function type", k.type));
        }
        if (k.kind == CanonKind::ResourceNew || k.kind == CanonKind::ResourceDrop ||
            k.kind == CanonKind::ResourceRep) {
          const TEntry* e = WSVM_TRY(type_at(sp, k.type, k.offset));
          if (e->kind != TKind::Resource && e->kind != TKind::Unknown)
            return invalid(k.offset, fmt::format("type index {} is not a resource type", k.type));
        }
        return {};
      }
      default: return {};
    }
  }

  // What an instance of component or instance type `i` exports (null: not followed).
  IEntryP exports_of(const Space& sp, uint32_t i) {
    return i < sp.types.size() ? sp.types[i].exports : nullptr;
  }

  // An instantiation (the component's export shape) or a bag of exports of this scope.
  // An instance of a component whose exports are (some of) its imports: those are the
  // arguments (`given`: import identity -> argument's); an argument not known, unknown.
  static IEntryP substituted(const IEntry& shape, const std::map<uint64_t, uint64_t>& given) {
    auto out = std::make_shared<IEntry>(shape);
    out->type_imports.clear();
    for (auto& [n, t] : out->types)
      if (t.param) {
        auto it = given.find(t.rid);
        t.rid = it != given.end() ? it->second : 0;
        t.param = false;
      }
    for (auto& [n, i] : out->insts)
      if (i) i = substituted(*i, given);
    return out;
  }

  Result<void> instance(const Instance& in, Space& sp) {
    std::map<uint64_t, uint64_t> given;  // the component's import identity -> the argument's
    if (in.instantiate) {
      if (in.component >= sp.comps.size())
        return invalid(in.offset, fmt::format("unknown component {}: component index out of bounds", in.component));
      if (const IEntry* shape = sp.comps[in.component].get()) {
        for (const auto& [name, rid] : shape->type_imports) {
          auto a = std::find_if(in.args.begin(), in.args.end(), [&](const InstantiateArg& x) { return x.name == name; });
          if (a == in.args.end() || a->target.sort != Sort::Type || a->target.index >= sp.types.size()) continue;
          uint64_t arg = sp.types[a->target.index].rid;
          if (!arg) continue;
          auto [it, fresh] = given.emplace(rid, arg);
          if (!fresh && it->second != arg)
            return invalid(in.offset, fmt::format("type mismatch for import `{}`: resource types are not the same", name));
        }
      }
      sp.insts.push_back(sp.comps[in.component] ? substituted(*sp.comps[in.component], given) : nullptr);
      return {};
    }
    auto bag = std::make_shared<IEntry>();
    bag->known = true;
    for (const InlineExport& e : in.exports) {
      uint32_t i = e.target.index;
      const std::string& n = e.name.name;
      auto bounds = [&](size_t size) -> Result<void> {
        if (i >= size)
          return invalid(in.offset, fmt::format("unknown {} {}: {} index out of bounds", sort_name(e.target.sort), i,
                                                sort_name(e.target.sort)));
        return {};
      };
      switch (e.target.sort) {
        case Sort::Type: WSVM_TRY_VOID(bounds(sp.types.size())); bag->types[n] = sp.types[i]; break;
        case Sort::Func: WSVM_TRY_VOID(bounds(sp.funcs.size())); bag->funcs[n] = sp.funcs[i]; break;
        case Sort::Instance: WSVM_TRY_VOID(bounds(sp.insts.size())); bag->insts[n] = sp.insts[i]; break;
        default: bag->others.insert(n); break;
      }
    }
    // The bag's instance type exports each resource type defined here as a type of its own
    // (wasmtime synthesises `(sub resource)`), so a `[constructor]a`/`[method]a.f` of the bag
    // must use that new type, which nothing here can name: only imported resources keep their
    // identity (`(eq)`) and their names.
    std::map<std::string, uint64_t> bag_names;
    for (const auto& [n, t] : bag->types)
      if (t.kind == TKind::Resource && t.rid) bag_names[n] = t.imported ? t.rid : ++m_next_rid;
    for (const InlineExport& e : in.exports)
      if (e.target.sort == Sort::Func)
        WSVM_TRY_VOID(check_annotated(sp, e.name, true, sp.funcs[e.target.index].type, true, in.offset, &bag_names));
    sp.insts.push_back(std::move(bag));
    return {};
  }

  Result<void> alias(const Alias& a, Space& sp) {
    if (a.target == Alias::Target::Outer) {
      const Space* s = &sp;
      for (uint32_t i = 0; i < a.outer_count && s; ++i) s = s->parent;
      if (!s) return invalid(a.offset, fmt::format("invalid outer alias count of {}", a.outer_count));
      size_t size = a.sort == Sort::Type ? s->types.size() : a.sort == Sort::CoreType ? s->core_is_module.size()
                    : a.sort == Sort::CoreModule ? s->modules : a.sort == Sort::Component ? s->comps.size() : 0;
      if (a.outer_index >= size) return invalid(a.offset, fmt::format("index out of bounds ({})", a.outer_index));
      switch (a.sort) {
        case Sort::Type:
          WSVM_TRY_VOID(outer_type_alias(sp, a.outer_count, a.outer_index, a.offset));
          sp.types.push_back(outer_entry(sp, a.outer_count, a.outer_index));
          break;
        case Sort::CoreType:
          sp.core_is_module.push_back(s->core_is_module[a.outer_index]);
          sp.core_known.push_back(s->core_known[a.outer_index]);
          break;
        case Sort::CoreModule: ++sp.modules; break;
        case Sort::Component: sp.comps.push_back(s->comps[a.outer_index]); break;
        default: break;
      }
      return {};
    }
    if (a.target == Alias::Target::CoreExport) return {};
    // An export of an instance: what the instance says it is, when it is followed.
    if (a.instance >= sp.insts.size())
      return invalid(a.offset, fmt::format("unknown instance {}: instance index out of bounds", a.instance));
    const IEntry* from = sp.insts[a.instance].get();
    if (from && from->known && !from->has(a.name))
      return invalid(a.offset, fmt::format("instance {} has no export named `{}`", a.instance, a.name));
    auto find = [&](const auto& map) { return from && map.count(a.name) ? &map.at(a.name) : nullptr; };
    switch (a.sort) {
      case Sort::Type: {
        const TEntry* t = from ? find(from->types) : nullptr;
        sp.types.push_back(t ? *t : TEntry{});
        break;
      }
      case Sort::Func: {
        const FuncEntry* f = from ? find(from->funcs) : nullptr;
        sp.funcs.push_back(f ? *f : FuncEntry{});
        break;
      }
      case Sort::Instance: {
        const IEntryP* i = from ? find(from->insts) : nullptr;
        sp.insts.push_back(i ? *i : nullptr);
        break;
      }
      case Sort::CoreModule: ++sp.modules; break;
      case Sort::Component: sp.comps.push_back(nullptr); break;
      default: break;
    }
    return {};
  }

  Result<void> exported(const Export& ex, Space& sp) {
    if (ex.ascribed) WSVM_TRY_VOID(externtype(sp, *ex.ascribed, ex.offset));
    const std::string& name = ex.name.name;
    switch (ex.target.sort) {
      case Sort::Func: {
        FuncEntry f = ex.target.index < sp.funcs.size() ? sp.funcs[ex.target.index] : FuncEntry{};
        if (ex.ascribed && ex.ascribed->kind == ExternKind::Func) f = FuncEntry{ex.ascribed->index, {}};
        bool ok = f.type ? visible(sp, *f.type, true)
                         : std::all_of(f.leaves.begin(), f.leaves.end(), [&](uint64_t id) { return names(sp, id); });
        if (!ok) return invalid(ex.offset, "func not valid to be used as export");
        WSVM_TRY_VOID(check_annotated(sp, ex.name, true, f.type, true, ex.offset));
        sp.funcs.push_back(f);
        sp.self.funcs[name] = f;
        return {};
      }
      case Sort::Instance: {
        if (ex.target.index >= sp.insts.size())
          return invalid(ex.offset, fmt::format("unknown instance {}: instance index out of bounds", ex.target.index));
        IEntryP in = sp.insts[ex.target.index];
        if (ex.ascribed && ex.ascribed->kind == ExternKind::Instance) {
          if (!visible(sp, ex.ascribed->index, true))
            return invalid(ex.offset, "instance not valid to be used as export");
          // The ascribed type is what the export is, and the instance must have all of it.
          IEntryP want = exports_of(sp, ex.ascribed->index);
          if (want && in && in->known) {
            auto missing = [&](const IEntry& w) {
              for (const auto& [n, _] : w.types) if (!in->has(n)) return true;
              for (const auto& [n, _] : w.funcs) if (!in->has(n)) return true;
              for (const auto& [n, _] : w.insts) if (!in->has(n)) return true;
              for (const auto& n : w.others) if (!in->has(n)) return true;
              return false;
            };
            if (missing(*want)) return invalid(ex.offset, "ascribed type of export is not compatible");
          }
          in = want;
        } else if (in && !exportable(sp, *in, {})) {
          return invalid(ex.offset, "instance not valid to be used as export");
        }
        WSVM_TRY_VOID(check_annotated(sp, ex.name, false, std::nullopt, true, ex.offset));
        IEntryP out = in ? named(*in, false) : nullptr;
        sp.insts.push_back(out);
        sp.self.insts[name] = out;
        return {};
      }
      case Sort::Type: {
        const TEntry* e = WSVM_TRY(type_at(sp, ex.target.index, ex.offset));
        if (!contents_visible(sp, *e, true)) return invalid(ex.offset, "type not valid to be used as export");
        TEntry named_entry = *e;
        named_entry.exported = true;
        // Ascribed `(sub resource)`: outside, a new abstract type.
        if (ex.ascribed && ex.ascribed->kind == ExternKind::Type && ex.ascribed->bound.sub_resource)
          named_entry.rid = named_entry.nid = ++m_next_rid;
        name_resource(sp, ex.name, named_entry, true);
        sp.types.push_back(named_entry);
        sp.self.types[name] = named_entry;
        return {};
      }
      default:
        if (ex.ascribed && ex.ascribed->kind == ExternKind::Component && !visible(sp, ex.ascribed->index, true))
          return invalid(ex.offset, "component not valid to be used as export");
        WSVM_TRY_VOID(check_annotated(sp, ex.name, false, std::nullopt, true, ex.offset));
        if (ex.target.sort == Sort::CoreModule) ++sp.modules;
        if (ex.target.sort == Sort::Component)
          sp.comps.push_back(ex.target.index < sp.comps.size() ? sp.comps[ex.target.index] : nullptr);
        sp.self.others.insert(name);
        return {};
    }
  }
};

}  // namespace

Result<void> validate_component(const Component& c) {
  WSVM_TRY_VOID(validate_names(c));
  if (c.validated.load(std::memory_order_acquire)) return {};
  WSVM_TRY_VOID(Validator().component(c, nullptr));
  c.validated.store(true, std::memory_order_release);
  return {};
}

}  // namespace wsvm::component
