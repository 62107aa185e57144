#include "container/component_wit.hpp"

#include <deque>
#include <optional>

#include "decoder/printable.hpp"

namespace wsvm::container {
namespace {

using namespace component;
// wsvm:: has core-module types of the same names.
using component::Export;
using component::ExternKind;
using component::FuncType;
using component::Import;

// One entry of a type index space as WIT sees it: the name it was imported or exported
// under, or its definition (printed structurally), or neither (an alias WIT cannot follow).
struct TypeEntry {
  std::string name;
  const TypeDef* def = nullptr;
};

// A type index space: the component's own, or an instance type's (whose outer aliases reach
// the enclosing scope).
struct Scope {
  std::vector<TypeEntry> types;
  const Scope* parent = nullptr;
  const Component* component = nullptr;  // a component's own space (else an instance type's)
};

// Hostile binaries are printed too (inspect does not validate first): type references may
// form cycles or grow exponentially, so nesting and the length of one type's text are capped.
constexpr int kMaxDepth = 32;
constexpr size_t kMaxTypeText = 2048;

class WitPrinter {
 public:
  explicit WitPrinter(const Component& c) : c_(c), top_(component_scope(c, nullptr)) {}

  std::string world() {
    std::string s = "package root:component;\n\nworld root {\n";
    for (size_t i = 0; i < c_.imports.size(); ++i) s += "  " + import_line(i) + "\n";
    if (!c_.imports.empty() && !c_.exports.empty()) s += "\n";
    for (size_t e = 0; e < c_.exports.size(); ++e) s += "  " + export_line(e) + "\n";
    return s + "}\n";
  }

  std::string import_func(size_t i) {
    const Import& im = c_.imports[i];
    return im.type.kind == ExternKind::Func ? func_at(top_, im.type.index) : "";
  }

  std::string export_func(size_t e) {
    auto f = export_func_type(top_, c_.exports[e], 0);
    return f ? func_at(*f->first, f->second) : "";
  }

 private:
  // The type space of component `c` (nested in the one of `parent`, if any).
  Scope& component_scope(const Component& c, const Scope* parent) {
    Scope& s = scopes_.emplace_back();
    s.parent = parent;
    s.component = &c;
    for (const SpaceEntry& e : c.space(Sort::Type)) {
      const Definition& d = c.defs[e.def];
      TypeEntry t;
      if (d.kind == DefKind::Type) {
        t.def = &c.types[d.index];
      } else if (d.kind == DefKind::Alias) {
        const Alias& a = c.aliases[d.index];
        if (a.target == Alias::Target::Export) t.name = a.name;
        if (a.target == Alias::Target::Outer) t = outer_type(s, a.outer_count, a.outer_index);
      } else if (d.kind == DefKind::Import) {
        t.name = c.imports[d.index].name.name;
      } else if (d.kind == DefKind::Export) {
        t.name = c.exports[d.index].name.name;
      }
      s.types.push_back(t);
    }
    return s;
  }

  static TypeEntry outer_type(const Scope& from, uint32_t count, uint32_t index) {
    const Scope* outer = &from;
    for (uint32_t k = 0; k < count && outer; ++k) outer = outer->parent;
    return outer && index < outer->types.size() ? outer->types[index] : TypeEntry{};
  }

  // The type space of instance (or component) type `t`, declared inside `parent`.
  const Scope& scope_of(const TypeDef& t, const Scope& parent) {
    Scope& s = scopes_.emplace_back();
    s.parent = &parent;
    for (const TypeDecl& d : t.decls) {
      if (d.kind == TypeDecl::Kind::Type) {
        s.types.push_back({"", &t.types[d.index]});
      } else if (d.kind == TypeDecl::Kind::Alias) {
        const DeclAlias& a = t.aliases[d.index];
        if (a.sort != Sort::Type) continue;
        s.types.push_back(a.outer ? outer_type(s, a.outer_count, a.outer_index) : TypeEntry{a.name, nullptr});
      } else if ((d.kind == TypeDecl::Kind::Export || d.kind == TypeDecl::Kind::Import) &&
                 d.type.kind == ExternKind::Type) {
        s.types.push_back({d.name.name, nullptr});
      }
    }
    return s;
  }

  // ---- types -------------------------------------------------------------------------------

  std::string capped(std::string s) const {
    if (s.size() > kMaxTypeText) s = s.substr(0, kMaxTypeText) + "...";
    return s;
  }

  std::string type_at(const Scope& s, uint32_t index, int depth) {
    if (index >= s.types.size() || depth > kMaxDepth) return "?";
    const TypeEntry& e = s.types[index];
    if (!e.name.empty()) return printable(e.name);
    if (e.def) return capped(def_text(s, *e.def, depth + 1));
    return "?";
  }

  std::string val(const Scope& s, const std::optional<ValTypeRef>& t, int depth) {
    if (!t) return "_";
    return t->is_prim ? prim_name(t->prim) : type_at(s, t->index, depth);
  }

  std::string def_text(const Scope& s, const TypeDef& d, int depth) {
    switch (d.kind) {
      case TypeDefKind::Value: return defval(s, d.value, depth);
      case TypeDefKind::Func: return func_text(s, d.func, depth);
      case TypeDefKind::Resource: return "resource";
      case TypeDefKind::Instance: return "interface";
      case TypeDefKind::Component: return "component";
    }
    return "?";
  }

  std::string labeled(const Scope& s, const std::vector<LabeledType>& fields, const char* sep, bool cases,
                      int depth) {
    std::string out;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i) out += ", ";
      const LabeledType& f = fields[i];
      if (cases) {
        out += printable(f.label) + (f.type ? "(" + val(s, f.type, depth) + ")" : "");
      } else {
        out += (f.label.empty() ? "" : printable(f.label) + sep) + val(s, f.type, depth);
      }
    }
    return out;
  }

  static std::string joined(const std::vector<std::string>& labels) {
    std::string out;
    for (size_t i = 0; i < labels.size(); ++i) out += (i ? ", " : "") + printable(labels[i]);
    return out;
  }

  std::string defval(const Scope& s, const DefValType& d, int depth) {
    switch (d.kind) {
      case DefValKind::Prim: return prim_name(d.prim);
      case DefValKind::Record: return "record { " + labeled(s, d.fields, ": ", false, depth) + " }";
      case DefValKind::Variant: return "variant { " + labeled(s, d.fields, "", true, depth) + " }";
      case DefValKind::Tuple: return "tuple<" + labeled(s, d.fields, "", false, depth) + ">";
      case DefValKind::Flags: return "flags { " + joined(d.labels) + " }";
      case DefValKind::Enum: return "enum { " + joined(d.labels) + " }";
      case DefValKind::List: return "list<" + val(s, d.a, depth) + ">";
      case DefValKind::FixedList: return "list<" + val(s, d.a, depth) + ", " + std::to_string(d.length) + ">";
      case DefValKind::Option: return "option<" + val(s, d.a, depth) + ">";
      case DefValKind::Result:
        if (!d.a && !d.b) return "result";
        if (!d.b) return "result<" + val(s, d.a, depth) + ">";
        return "result<" + val(s, d.a, depth) + ", " + val(s, d.b, depth) + ">";
      case DefValKind::Own: return type_at(s, d.resource, depth);
      case DefValKind::Borrow: return "borrow<" + type_at(s, d.resource, depth) + ">";
      case DefValKind::Stream: return d.a ? "stream<" + val(s, d.a, depth) + ">" : "stream";
      case DefValKind::Future: return d.a ? "future<" + val(s, d.a, depth) + ">" : "future";
      case DefValKind::Map: return "map<" + val(s, d.a, depth) + ", " + val(s, d.b, depth) + ">";
    }
    return "?";
  }

  std::string func_text(const Scope& s, const FuncType& f, int depth) {
    std::string out = f.async ? "async func(" : "func(";
    out += labeled(s, f.params, ": ", false, depth) + ")";
    if (f.result) out += " -> " + val(s, f.result, depth);
    return out;
  }

  // The function type at `index` of scope `s`, as text ("func" if it is not one).
  std::string func_at(const Scope& s, uint32_t index) {
    if (index < s.types.size() && s.types[index].def && s.types[index].def->kind == TypeDefKind::Func)
      return capped(func_text(s, s.types[index].def->func, 0));
    return "func";
  }

  // ---- functions and instances ---------------------------------------------------------------

  using FuncRef = std::pair<const Scope*, uint32_t>;  // a function type: its scope and index

  // An instance type's exported function `name`.
  std::optional<FuncRef> instance_type_func(const Scope& cs, uint32_t type_index, const std::string& name) {
    const TypeDef* t = instance_type_at(cs, type_index);
    if (!t) return std::nullopt;
    const Scope& s = scope_of(*t, cs);
    for (const TypeDecl& d : t->decls)
      if (d.kind == TypeDecl::Kind::Export && d.type.kind == ExternKind::Func && d.name.name == name)
        return FuncRef{&s, d.type.index};
    return std::nullopt;
  }

  // Function `func` of the component whose scope is `cs`.
  std::optional<FuncRef> func_type_of(const Scope& cs, uint32_t func, int depth) {
    const Component& c = *cs.component;
    const auto& space = c.space(Sort::Func);
    if (func >= space.size() || depth > kMaxDepth) return std::nullopt;
    const Definition& d = c.defs[space[func].def];
    switch (d.kind) {
      case DefKind::Canon: return FuncRef{&cs, c.canons[d.index].type};
      case DefKind::Import: return FuncRef{&cs, c.imports[d.index].type.index};
      case DefKind::Export: return export_func_type(cs, c.exports[d.index], depth + 1);
      case DefKind::Alias: {
        const Alias& a = c.aliases[d.index];
        if (a.target != Alias::Target::Export) return std::nullopt;
        return instance_export_func(cs, a.instance, a.name, depth + 1);
      }
      default: return std::nullopt;
    }
  }

  // Export `name` of instance `instance` (of the component whose scope is `cs`), a function:
  // through an imported instance's type, or the instantiated component's own export.
  std::optional<FuncRef> instance_export_func(const Scope& cs, uint32_t instance, const std::string& name,
                                              int depth) {
    const Component& c = *cs.component;
    const auto& instances = c.space(Sort::Instance);
    if (instance >= instances.size() || depth > kMaxDepth) return std::nullopt;
    const Definition& inst = c.defs[instances[instance].def];
    if (inst.kind == DefKind::Import) return instance_type_func(cs, c.imports[inst.index].type.index, name);
    if (inst.kind != DefKind::Instance) return std::nullopt;
    const Instance& made = c.instances[inst.index];
    if (!made.instantiate) {
      for (const InlineExport& x : made.exports)
        if (x.name.name == name && x.target.sort == Sort::Func) return func_type_of(cs, x.target.index, depth + 1);
      return std::nullopt;
    }
    const auto& components = c.space(Sort::Component);
    if (made.component >= components.size()) return std::nullopt;
    const Definition& cd = c.defs[components[made.component].def];
    if (cd.kind != DefKind::Component) return std::nullopt;
    const Component& nested = *c.components[cd.index];
    const Scope& ns = component_scope(nested, &cs);
    for (const Export& x : nested.exports)
      if (x.name.name == name) return export_func_type(ns, x, depth + 1);
    return std::nullopt;
  }

  std::optional<FuncRef> export_func_type(const Scope& cs, const Export& x, int depth) {
    if (x.ascribed && x.ascribed->kind == ExternKind::Func) return FuncRef{&cs, x.ascribed->index};
    if (x.target.sort != Sort::Func) return std::nullopt;
    return func_type_of(cs, x.target.index, depth);
  }

  // `interface { f: func(...); ... }` for an instance type's functions.
  std::string interface_body(const TypeDef& t) {
    const Scope& s = scope_of(t, top_);
    std::string out = "interface {\n";
    for (const TypeDecl& d : t.decls) {
      if (d.kind != TypeDecl::Kind::Export) continue;
      if (d.type.kind == ExternKind::Func) {
        out += "    " + printable(d.name.name) + ": " + func_at(s, d.type.index) + ";\n";
      } else if (d.type.kind == ExternKind::Type) {
        out += "    " + std::string(d.type.bound.sub_resource ? "resource " : "type ") + printable(d.name.name) + ";\n";
      }
    }
    return out + "  }";
  }

  // The functions of an instance made of inline exports.
  std::string inline_instance_body(const Instance& inst) {
    std::string out = "interface {\n";
    for (const InlineExport& x : inst.exports) {
      if (x.target.sort != Sort::Func) continue;
      auto f = func_type_of(top_, x.target.index, 0);
      out += "    " + printable(x.name.name) + ": " + (f ? func_at(*f->first, f->second) : "func") + ";\n";
    }
    return out + "  }";
  }

  static bool is_interface_name(const std::string& n) { return n.find(':') != std::string::npos; }

  // A named type as a WIT type definition: `record point { x: s32, y: s32 }`, `enum e { a, b }`,
  // `resource r;`, or `type t = list<u8>;`.
  std::string typedef_line(const std::string& name, uint32_t index) {
    const TypeDef* t = index < top_.types.size() ? top_.types[index].def : nullptr;
    if (t && t->kind == TypeDefKind::Resource) return "resource " + name + ";";
    if (t && t->kind == TypeDefKind::Value) {
      const DefValType& d = t->value;
      switch (d.kind) {
        case DefValKind::Record: return capped("record " + name + " { " + labeled(top_, d.fields, ": ", false, 0) + " }");
        case DefValKind::Variant: return capped("variant " + name + " { " + labeled(top_, d.fields, "", true, 0) + " }");
        case DefValKind::Enum: return capped("enum " + name + " { " + joined(d.labels) + " }");
        case DefValKind::Flags: return capped("flags " + name + " { " + joined(d.labels) + " }");
        default: break;
      }
    }
    return "type " + name + " = " + type_at(top_, index, 0) + ";";
  }

  // The instance type at `index` of scope `s`, or null.
  static const TypeDef* instance_type_at(const Scope& s, uint32_t index) {
    const TypeDef* t = index < s.types.size() ? s.types[index].def : nullptr;
    return t && t->kind == TypeDefKind::Instance ? t : nullptr;
  }

  std::string import_line(size_t i) {
    const Import& im = c_.imports[i];
    const std::string name = printable(im.name.name);
    switch (im.type.kind) {
      case ExternKind::Instance: {
        if (is_interface_name(im.name.name)) return "import " + name + ";";
        const TypeDef* t = instance_type_at(top_, im.type.index);
        return "import " + name + ": " + (t ? interface_body(*t) : "interface {}");
      }
      case ExternKind::Func: return "import " + name + ": " + func_at(top_, im.type.index) + ";";
      case ExternKind::Type:
        return im.type.bound.sub_resource ? "resource " + name + ";" : typedef_line(name, im.type.bound.eq);
      default: return "// import " + name + ": " + extern_kind_name(im.type.kind) + " (not expressible in WIT)";
    }
  }

  std::string export_line(size_t e) {
    const Export& x = c_.exports[e];
    const std::string name = printable(x.name.name);
    switch (x.target.sort) {
      case Sort::Instance: {
        if (is_interface_name(x.name.name)) return "export " + name + ";";
        const TypeDef* ascribed = x.ascribed && x.ascribed->kind == ExternKind::Instance
                                      ? instance_type_at(top_, x.ascribed->index) : nullptr;
        if (ascribed) return "export " + name + ": " + interface_body(*ascribed);
        const auto& instances = c_.space(Sort::Instance);
        if (x.target.index < instances.size()) {
          const Definition& d = c_.defs[instances[x.target.index].def];
          if (d.kind == DefKind::Instance && !c_.instances[d.index].instantiate)
            return "export " + name + ": " + inline_instance_body(c_.instances[d.index]);
        }
        return "export " + name + ": interface {}";
      }
      case Sort::Func: {
        auto f = export_func_type(top_, x, 0);
        return "export " + name + ": " + (f ? func_at(*f->first, f->second) : "func") + ";";
      }
      case Sort::Type: return typedef_line(name, x.target.index);
      default: return "// export " + name + ": " + sort_name(x.target.sort) + " (not expressible in WIT)";
    }
  }

  const Component& c_;
  std::deque<Scope> scopes_;  // every scope made on the way (stable addresses)
  const Scope& top_;
};

}  // namespace

std::string component_world_wit(const Component& c) { return WitPrinter(c).world(); }

std::string import_func_wit(const Component& c, size_t i) { return WitPrinter(c).import_func(i); }

std::string export_func_wit(const Component& c, size_t e) { return WitPrinter(c).export_func(e); }

}  // namespace wsvm::container
