#include "runner/component_links.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>

#include "component/extern_name.hpp"

namespace wsvm::runner {
namespace {

// True when an import named `wanted` links to an export named `have`: the same name, or the
// same interface at a semver-compatible version (as ComponentLinker::instance matches).
bool satisfies(const std::string& have, const std::string& wanted) {
  return have == wanted || component::satisfying_version(have, wanted).has_value();
}

bool is_interface_name(const std::string& n) {
  auto p = component::parse_extern_name(n);
  return p && p->kind == component::ParsedName::Kind::Interface;
}

std::vector<std::string> instance_exports(const component::Component& c) {
  std::vector<std::string> out;
  for (const component::Export& x : c.exports)
    if (x.target.sort == component::Sort::Instance && is_interface_name(x.name.name)) out.push_back(x.name.name);
  return out;
}

}  // namespace

std::expected<std::vector<size_t>, std::string> link_order(const std::vector<LinkedComponent>& linked) {
  const size_t n = linked.size();
  // Who exports what; an interface two components export is ambiguous.
  std::map<std::string, size_t> exporter;
  for (size_t i = 0; i < n; ++i) {
    for (const std::string& e : instance_exports(*linked[i].component)) {
      auto [it, fresh] = exporter.emplace(e, i);
      if (!fresh && it->second != i)
        return std::unexpected(fmt::format("components {} and {} both export {}", linked[it->second].name,
                                           linked[i].name, e));
    }
  }
  // deps[i]: the components whose exports component i imports.
  std::vector<std::vector<size_t>> deps(n);
  for (size_t i = 0; i < n; ++i) {
    for (const component::Import& im : linked[i].component->imports) {
      if (im.type.kind != component::ExternKind::Instance) continue;
      for (const auto& [name, j] : exporter)
        if (j != i && satisfies(name, im.name.name)) deps[i].push_back(j);
    }
  }
  // Depth-first, in manifest order; a node met again while on the path closes a cycle.
  enum class Mark { None, OnPath, Done };
  std::vector<Mark> mark(n, Mark::None);
  std::vector<size_t> order, path;
  std::optional<std::string> cycle;
  auto visit = [&](auto&& self, size_t i) -> void {
    if (cycle || mark[i] == Mark::Done) return;
    if (mark[i] == Mark::OnPath) {
      std::string text;
      auto from = std::find(path.begin(), path.end(), i);
      for (auto it = from; it != path.end(); ++it) text += linked[*it].name + " -> ";
      cycle = "components form a cycle: " + text + linked[i].name;
      return;
    }
    mark[i] = Mark::OnPath;
    path.push_back(i);
    for (size_t j : deps[i]) self(self, j);
    path.pop_back();
    mark[i] = Mark::Done;
    order.push_back(i);
  };
  for (size_t i = 0; i < n; ++i) visit(visit, i);
  if (cycle) return std::unexpected(*cycle);
  return order;
}

void define_exports(component::ComponentLinker& linker, component::ComponentInstance& provider) {
  for (const std::string& full : provider.export_names()) {
    const size_t hash = full.find('#');
    if (hash == std::string::npos) continue;  // a top-level function: not linked by interface
    std::string iface = full.substr(0, hash);
    if (!is_interface_name(iface)) continue;
    linker.define_instance_func(iface, full.substr(hash + 1),
                                [&provider, full](std::span<const component::Val> args) {
                                  return provider.call(full, args);
                                });
  }
}

}  // namespace wsvm::runner
