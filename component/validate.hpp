// Static validation of a decoded component, before (and without) instantiation: the rules
// that need no host and no running code. Today: import/export names (validate_names.hpp) and
// the type rules of Binary.md "Type Definitions": non-empty records, variants, tuples, enums
// and flags (at most 32 flags), kebab-case and strongly-unique labels and parameter names,
// type indices in bounds and of the right kind (defined value type, function, instance,
// component, resource, core module type), no `borrow` in function results, no resource type
// definitions inside component or instance types; external visibility (Explainer.md): an
// imported or exported function, type, instance or component type may only name records,
// variants, enums, flags and resources that were imported (or, for exports, exported)
// before. Messages use wasm-tools' words where the
// reference tests quote them ("record type must have at least one field").
// Outer aliases: count and index in range, no type referring to resources across a component
// boundary; alias declarators only of types and instances (outer: types and core types).
// [constructor]/[method]/[static] names: the function shape and a resource named in the same
// scope and namespace; core module types (bounds, distinct names, memory limits).
// Not yet: export ascriptions, visibility through aliases.
#pragma once

#include "component/ir.hpp"

namespace wsvm::component {

// The first problem found (Invalid, at its offset), in `c` and every nested component.
Result<void> validate_component(const Component& c);

}  // namespace wsvm::component
