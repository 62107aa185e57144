// Validation of import and export names throughout a component: the externname grammar,
// name attributes, and strong uniqueness per scope (Explainer.md, Binary.md "Import and
// Export Definitions"). One part of component validation; types come separately.
#pragma once

#include "component/ir.hpp"

namespace wsvm::component {

// Checks every import and export of `c`, of its instances' inline exports, of the component
// and instance types it defines, and of nested components. The first problem is returned
// (Invalid, at the name's offset).
Result<void> validate_names(const Component& c);

}  // namespace wsvm::component
