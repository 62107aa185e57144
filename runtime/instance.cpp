// Export lookup on an instantiated module.
#include "runtime/store.hpp"

namespace wsvm {

std::optional<Extern> Instance::find_export(std::string_view name) const {
  auto it = exports.find(std::string(name));
  if (it == exports.end()) return std::nullopt;
  return it->second;
}

FuncInstance* Instance::find_func(std::string_view name) const {
  auto ext = find_export(name);
  if (!ext || ext->kind != ExternKind::Func) return nullptr;
  return ext->func;
}

}  // namespace wsvm
