// Validation of import and export names (see validate_names.hpp).
#include "component/validate_names.hpp"

#include <set>

#include <fmt/format.h>

#include "component/extern_name.hpp"

namespace wsvm::component {

namespace {

std::unexpected<Error> invalid(size_t at, std::string msg) {
  return make_error(ErrorKind::Invalid, at, std::move(msg));
}

// One name and its attributes.
Result<void> check_name(const ExternName& n, bool instance_typed) {
  ParsedName p = WSVM_TRY(parse_extern_name(n.name, n.offset));
  if (n.implements) {
    auto impl = parse_extern_name(*n.implements, n.offset);
    if (!impl || impl->kind != ParsedName::Kind::Interface)
      return invalid(n.offset, fmt::format("invalid name '{}': implements '{}' is not an "
                                           "interface name", n.name, *n.implements));
    if (p.kind != ParsedName::Kind::Label || !instance_typed)
      return invalid(n.offset, fmt::format("invalid name '{}': 'implements' needs an instance "
                                           "with a plain name", n.name));
  }
  if (n.version_suffix) {
    // The suffix completes a canonical version: 0.2 + ".6-rc.1" must be a valid semver.
    std::optional<Semver> full;
    if (p.kind == ParsedName::Kind::Interface && p.version)
      full = parse_semver(*p.version + *n.version_suffix);
    bool canonical = full && canonicalize(*full).canon == *p.version;
    if (!canonical)
      return invalid(n.offset, fmt::format("invalid name '{}': version suffix '{}' needs a "
                                           "canonical interface version it completes to a "
                                           "valid semver", n.name, *n.version_suffix));
  }
  return {};
}

// Names of one scope (the imports, or the exports, of one component or type).
class Scope {
 public:
  explicit Scope(const char* what) : m_what(what) {}
  Result<void> add(const ExternName& n, bool instance_typed) {
    WSVM_TRY_VOID(check_name(n, instance_typed));
    if (!m_keys.insert(uniqueness_key(n.name)).second)
      return invalid(n.offset, fmt::format("{} name '{}' conflicts with a previous name",
                                           m_what, n.name));
    return {};
  }

 private:
  const char* m_what;
  std::set<std::string> m_keys;
};

Result<void> check_type(const TypeDef& t) {
  if (t.kind != TypeDefKind::Component && t.kind != TypeDefKind::Instance) return {};
  Scope imports("import"), exports("export");
  for (const TypeDecl& d : t.decls) {
    bool inst = d.type.kind == ExternKind::Instance;
    if (d.kind == TypeDecl::Kind::Import) WSVM_TRY_VOID(imports.add(d.name, inst));
    if (d.kind == TypeDecl::Kind::Export) WSVM_TRY_VOID(exports.add(d.name, inst));
  }
  for (const TypeDef& inner : t.types) WSVM_TRY_VOID(check_type(inner));
  return {};
}

}  // namespace

Result<void> validate_names(const Component& c) {
  Scope imports("import"), exports("export");
  for (const Import& im : c.imports)
    WSVM_TRY_VOID(imports.add(im.name, im.type.kind == ExternKind::Instance));
  for (const Export& ex : c.exports)
    WSVM_TRY_VOID(exports.add(ex.name, ex.target.sort == Sort::Instance));
  for (const Instance& in : c.instances) {
    Scope inline_exports("export");
    for (const InlineExport& e : in.exports)
      WSVM_TRY_VOID(inline_exports.add(e.name, e.target.sort == Sort::Instance));
  }
  for (const TypeDef& t : c.types) WSVM_TRY_VOID(check_type(t));
  for (const auto& nested : c.components) WSVM_TRY_VOID(validate_names(*nested));
  return {};
}

}  // namespace wsvm::component
