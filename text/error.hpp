// Errors of the text format: a position in the source (1-based line and column, counted in
// bytes) and a message in the spec suite's words ("unexpected token", "unknown operator").
#pragma once

#include <cstdint>
#include <expected>
#include <string>

#include "decoder/error.hpp"

namespace wsvm::text {

struct TextError {
  uint32_t line = 0;  // 0: no position (e.g. a file that could not be read)
  uint32_t column = 0;
  std::string message;

  // "3:14: unexpected token" (just the message without a position).
  std::string to_string() const;
  // As a load error of the rest of wsvm: malformed, no byte offset, the message with position.
  Error to_error() const { return Error{ErrorKind::Malformed, kNoOffset, to_string()}; }
};

template <class T>
using TextResult = std::expected<T, TextError>;

// Line and column (1-based) of byte `offset` of `source`.
void line_column(std::string_view source, size_t offset, uint32_t& line, uint32_t& column);

}  // namespace wsvm::text
