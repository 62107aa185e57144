// The component text format (issue 18): `(component ...)` forms to component binaries.
// Spec: ../shared/component-model-spec/Explainer.md (text), Binary.md (what is written).
//
// Like the core parser, this writes bytes and leaves meaning to component/: an unknown name,
// a malformed form or an unsupported construct is an error here; every type or index rule is
// checked when the binary is decoded, validated and instantiated. Core modules inside a
// component are parsed by the core module parser (module_parser.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/error.hpp"
#include "text/lexer.hpp"
#include "text/text.hpp"

namespace wsvm::text {

// A .wat file holding one `(component ...)` (or `(component binary ...)`).
TextResult<std::vector<uint8_t>> component_wat_to_wasm(std::string_view source,
                                                      const WatOptions& options = {});

// `open` is the '(' of `(component definition? $id? ...)` in a lexed source (a script's
// command); the id (with its '$') goes to `id` when given.
TextResult<std::vector<uint8_t>> component_form(const Lexed& lx, uint32_t open,
                                                const WatOptions& options,
                                                std::optional<std::string>* id);

}  // namespace wsvm::text
