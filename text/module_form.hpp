// Internal to text/: one `(module ...)` form of a lexed source (used by wat_to_wasm and the
// script parser), and errors positioned at a token.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "text/lexer.hpp"
#include "text/text.hpp"

namespace wsvm::text {

TextError error_at(const Lexed& lx, uint32_t token, std::string message);

// `open` is the '(' of `(module definition? $id? ...)`: text, binary or quote. The id (with '$') goes to
// `id` when given.
TextResult<std::vector<uint8_t>> module_form(const Lexed& lx, uint32_t open, const WatOptions& options,
                                             std::optional<std::string>* id);

}  // namespace wsvm::text
