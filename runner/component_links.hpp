// Components linked to a run's component by interface name (wcontainer.toml's
// [components.NAME], the manifest's "orchestrator"): every interface-named instance a linked
// component exports (`local:math/calc@1.0.0`) satisfies the imports of that name, semver
// compatible as the host's are, of the run's component and of the other linked components.
// They are instantiated in the run's Store (so the run's limits cover them) before the
// component, in dependency order, each with the same WASI 0.2 host; a cycle or an interface
// two of them export is an error naming them. Values cross by copy (lifted from one
// instance, lowered into the other); resources do not cross yet.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "component/instance.hpp"
#include "component/ir.hpp"

namespace wsvm::runner {

struct LinkedComponent {
  std::string name;  // for messages: the manifest's NAME
  std::shared_ptr<const component::Component> component;
};

// Indices into `linked` in the order to instantiate them: each after every component whose
// exports it imports. The error is one phrase: "components form a cycle: a -> b -> a", or
// "components a and b both export local:x/y@1.0.0".
std::expected<std::vector<size_t>, std::string> link_order(const std::vector<LinkedComponent>& linked);

// Defines every interface-named instance export of `provider` in `linker`: functions that
// call into `provider` with the values they are given.
void define_exports(component::ComponentLinker& linker, component::ComponentInstance& provider);

}  // namespace wsvm::runner
