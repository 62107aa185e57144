// Type matching of instantiation arguments (Explainer.md "Type checking", wasm-tools' words):
// a value, function, instance or core module given to a nested component's import must match
// the import's type. Value types match structurally (records, variants, ... with the same
// labels and element types; resources by identity). Each mismatch is described by what was
// expected and what was found ("expected 1 fields, found 2", "type mismatch in record field
// `x`: expected u32, found string").
#pragma once

#include <optional>
#include <string>

#include "component/abi_type.hpp"
#include "component/type_space.hpp"
#include "decoder/module.hpp"

namespace wsvm::component {

// Null when `found` can be used where `expected` is wanted; else why not.
std::optional<std::string> value_mismatch(const VType& expected, const VType& found);
std::optional<std::string> func_mismatch(const FuncSig& expected, const FuncSig& found);
// A host function's declared type against the import it is linked to. Resource types match
// by handle kind (own/borrow): the host's resource types are made per import, so it cannot
// name them; parameter names are compared only where the host gives them.
std::optional<std::string> host_func_mismatch(const FuncSig& import, const FuncSig& host);
// WIT-like: "func(x: u32, s: string) -> list<u8>".
std::string func_sig_string(const FuncSig& f);
// A core module against a core module type: the module may import only what the type
// declares (with the same kinds and function types), and must export all it declares.
std::optional<std::string> module_mismatch(const CoreType& expected, const Module& found);

}  // namespace wsvm::component
