// Validation of canonical options against a function type (CanonicalABI.md, "canonopt
// Validation", "canon lift", "canon lower"): which of memory and realloc a lift or lower
// requires, given its parameter and result types and the flattening limits.
#pragma once

#include <optional>
#include <string>

#include "component/abi_type.hpp"
#include "component/ir.hpp"
#include "component/type_space.hpp"

namespace wsvm::component {

// True when `t` contains a list or a string (at any depth).
bool contains_list_or_string(const VType& t);

// The first rule `opts` breaks for `canon lift` (lift = true) or `canon lower` of a function
// of signature `sig`, as a message; nullopt when the options are complete.
std::optional<std::string> check_canon_options(const FuncSig& sig, const CanonOptions& opts,
                                               bool lift);

}  // namespace wsvm::component
