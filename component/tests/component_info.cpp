// component_info x.wasm: decodes a component (and every core module in it), validates its
// names and prints what it found: one line per import and export, and the definition
// counts. A bad component prints one error line and exits 1.
#include <cstdio>

#include "component/ir.hpp"
#include "component/validate_names.hpp"
#include "test_util.hpp"

using namespace wsvm::component;

namespace {

void print(const Component& c, int indent) {
  std::printf("%*scomponent: %zu core modules, %zu core instances, %zu core types, %zu components, "
              "%zu instances, %zu aliases, %zu types, %zu canons, %zu imports, %zu exports, "
              "%zu custom sections\n", indent, "", c.core_modules.size(), c.core_instances.size(),
              c.core_types.size(), c.components.size(), c.instances.size(), c.aliases.size(),
              c.types.size(), c.canons.size(), c.imports.size(), c.exports.size(), c.customs.size());
  for (const Import& im : c.imports)
    std::printf("%*simport %s: %s\n", indent, "", im.name.name.c_str(), extern_kind_name(im.type.kind));
  for (const Export& ex : c.exports)
    std::printf("%*sexport %s: %s\n", indent, "", ex.name.name.c_str(), sort_name(ex.target.sort));
  for (const auto& nested : c.components) print(*nested, indent + 2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: component_info x.wasm\n");
    return 2;
  }
  auto bytes = test::read_file(argv[1]);
  auto c = decode_component(bytes);
  if (!c) {
    std::fprintf(stderr, "%s: %s\n", argv[1], c.error().to_string().c_str());
    return 1;
  }
  for (uint32_t i = 0; i < (*c)->core_modules.size(); ++i) {
    auto m = (*c)->decode_core_module(i);
    if (!m) {
      std::fprintf(stderr, "%s: %s\n", argv[1], m.error().to_string().c_str());
      return 1;
    }
  }
  if (auto v = validate_names(**c); !v) {
    std::fprintf(stderr, "%s: %s\n", argv[1], v.error().to_string().c_str());
    return 1;
  }
  print(**c, 0);
  return 0;
}
