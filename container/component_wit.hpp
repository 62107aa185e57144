// A component's world as WIT text, for `wsvm inspect`: what `jco wit` (wasm-tools component
// wit) prints for the same binary. Imports and exports named by an interface
// (`wasi:cli/run@0.2.12`) are listed by name; functions get their signature; a plain-named
// instance gets its functions inline (`import log: interface { write: func(msg: string); }`).
// Types are printed by the name they were imported or exported under, structurally otherwise
// (a record that was never named prints as `record { x: u32 }`, which WIT itself cannot
// express). Read from the decoded binary; nothing is instantiated.
#pragma once

#include <string>

#include "component/ir.hpp"

namespace wsvm::container {

std::string component_world_wit(const component::Component& c);

// The WIT signature of top-level import `i` or export `e` when it is a function
// ("func(a: u32) -> string"), else "".
std::string import_func_wit(const component::Component& c, size_t i);
std::string export_func_wit(const component::Component& c, size_t e);

}  // namespace wsvm::container
