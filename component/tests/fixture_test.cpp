// Components written in the text format and assembled with `jco parse` at build time
// (fixtures/*.wat): the decoder must see every definition jco's encoder wrote.
#include <catch2/catch.hpp>

#include <algorithm>

#include "component/ir.hpp"
#include "component/validate_names.hpp"
#include "test_util.hpp"

using wsvm::Error;
using wsvm::ErrorKind;
using wsvm::kNoOffset;
using wsvm::ValType;
using namespace wsvm::component;

TEST_CASE("all_sections.wat: every section jco encodes") {
  auto bytes = test::fixture("all_sections");
  REQUIRE_FALSE(bytes.empty());
  auto decoded = decode_component(bytes);
  if (!decoded) FAIL(decoded.error().to_string());
  const Component& c = **decoded;

  CHECK(c.core_types.size() == 2);
  CHECK_FALSE(c.core_types[0].is_module);
  CHECK(c.core_types[0].func.params == std::vector<ValType>{ValType::I32});
  REQUIRE(c.core_types[1].is_module);
  CHECK(c.core_types[1].decls.size() == 3);
  CHECK(c.core_types[1].module_types.size() == 1);

  REQUIRE(c.imports.size() == 3);
  CHECK(c.imports[0].name.name == "wasi:cli/environment@0.2.3");
  CHECK(c.imports[0].type.kind == ExternKind::Instance);
  CHECK(c.imports[2].type.kind == ExternKind::Func);

  CHECK(c.core_modules.size() == 2);
  for (uint32_t i = 0; i < c.core_modules.size(); ++i) {
    auto m = c.decode_core_module(i);
    if (!m) FAIL(m.error().to_string());
  }
  auto m = *c.decode_core_module(0);
  CHECK(std::any_of(m->exports.begin(), m->exports.end(),
                    [](const wsvm::Export& e) { return e.name == "double"; }));

  CHECK(c.core_instances.size() == 3);  // two instantiations and one bag of exports
  CHECK_FALSE(c.core_instances[2].instantiate);
  CHECK(c.core_instances[1].args.size() == 1);
  CHECK(c.core_instances[1].args[0].name == "host");

  // Lift, lower and the three resource built-ins; the instance and component types.
  std::vector<CanonKind> kinds;
  for (const Canon& k : c.canons) kinds.push_back(k.kind);
  CHECK(std::count(kinds.begin(), kinds.end(), CanonKind::Lift) == 1);
  CHECK(std::count(kinds.begin(), kinds.end(), CanonKind::Lower) == 1);
  CHECK(std::count(kinds.begin(), kinds.end(), CanonKind::ResourceRep) == 1);
  auto lower = std::find_if(c.canons.begin(), c.canons.end(),
                            [](const Canon& k) { return k.kind == CanonKind::Lower; });
  CHECK(lower->opts.encoding == StringEncoding::Utf16);
  CHECK(lower->opts.memory.has_value());
  CHECK(lower->opts.realloc.has_value());
  auto lift = std::find_if(c.canons.begin(), c.canons.end(),
                           [](const Canon& k) { return k.kind == CanonKind::Lift; });
  CHECK(lift->opts.post_return.has_value());

  size_t resources = 0, instance_types = 0, component_types = 0;
  for (const TypeDef& t : c.types) {
    resources += t.kind == TypeDefKind::Resource;
    instance_types += t.kind == TypeDefKind::Instance;
    component_types += t.kind == TypeDefKind::Component;
  }
  CHECK(resources == 1);
  CHECK(instance_types >= 2);  // $inst and the inline type of the environment import
  CHECK(component_types == 1);

  REQUIRE(c.components.size() == 1);
  const Component& inner = *c.components[0];
  CHECK(inner.depth == 1);
  REQUIRE(inner.aliases.size() >= 2);
  CHECK(inner.aliases[0].target == Alias::Target::Outer);
  CHECK(inner.aliases[0].outer_count == 1);

  CHECK(c.instances.size() == 2);
  CHECK(c.instances[0].instantiate);
  CHECK_FALSE(c.instances[1].instantiate);
  std::vector<std::string> exports;
  for (const Export& e : c.exports) exports.push_back(e.name.name);
  CHECK(exports == std::vector<std::string>{"double", "wasi:demo/api@1.2.3", "point"});
  auto names = validate_names(c);
  if (!names) FAIL(names.error().to_string());
  // jco writes a component-name custom section.
  CHECK(std::any_of(c.customs.begin(), c.customs.end(),
                    [](const CustomSection& s) { return s.name == "component-name"; }));
}

TEST_CASE("hello_command.wasm: a tests/wasi program wrapped by jco new --wasi-command") {
  auto bytes = test::fixture("hello_command");
  if (bytes.empty()) {
    WARN("hello_command.wasm was not built (no clang-14)");
    return;
  }
  auto decoded = decode_component(bytes);
  if (!decoded) FAIL(decoded.error().to_string());
  const Component& c = **decoded;
  auto names = validate_names(c);
  if (!names) FAIL(names.error().to_string());
  for (uint32_t i = 0; i < c.core_modules.size(); ++i) {
    auto m = c.decode_core_module(i);
    if (!m) FAIL(m.error().to_string());
  }
  // The adapter imports WASI 0.2 interfaces as instances and exports wasi:cli/run.
  std::vector<std::string> imports;
  for (const Import& im : c.imports) {
    CHECK(im.type.kind == ExternKind::Instance);
    imports.push_back(im.name.name);
  }
  auto has_prefix = [&](const std::string& p) {
    return std::any_of(imports.begin(), imports.end(), [&](const std::string& n) { return n.rfind(p, 0) == 0; });
  };
  CHECK(has_prefix("wasi:cli/environment@0.2."));
  CHECK(has_prefix("wasi:io/streams@0.2."));
  CHECK(has_prefix("wasi:filesystem/preopens@0.2."));
  REQUIRE(c.exports.size() == 1);
  CHECK(c.exports[0].name.name.rfind("wasi:cli/run@0.2.", 0) == 0);
  // The command's canon definitions: lifts, lowers and resource drops, nothing async.
  for (const Canon& k : c.canons)
    CHECK((k.kind == CanonKind::Lift || k.kind == CanonKind::Lower ||
           k.kind == CanonKind::ResourceDrop || k.kind == CanonKind::ResourceNew ||
           k.kind == CanonKind::ResourceRep));
}
