// Internal to text/: one `(module ...)` form of a lexed source (used by wat_to_wasm and the
// script parser), and errors positioned at a token.
#pragma once

#include <functional>
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

// The body of `(module binary ...)` / `(module quote ...)` (or component): tokens p..close are
// strings; binary bytes are returned as they are, quoted text goes through `convert`, its
// errors positioned at `open` with the position inside the quoted text in the message.
// nullopt when token p is neither `binary` nor `quote`.
std::optional<TextResult<std::vector<uint8_t>>> binary_or_quote_form(
    const Lexed& lx, uint32_t open, uint32_t p, uint32_t close,
    const std::function<TextResult<std::vector<uint8_t>>(std::string_view)>& convert);

}  // namespace wsvm::text
