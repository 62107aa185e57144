// Script values (untyped, as written) to component values of the invoked function's types.
#pragma once

#include <optional>
#include <string>

#include "component/value.hpp"
#include "text/component_script.hpp"

namespace wsvm::component_testsuite {

// Fills `out`; or says why `v` is not a value of `t`.
std::optional<std::string> to_val(const text::CValue& v, const component::VType& t, component::Val& out);

}  // namespace wsvm::component_testsuite
