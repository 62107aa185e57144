// Load-time errors (decode, validate, link, instantiate) are values, never exceptions.
// Each carries the spec-test category, the byte offset in the module (if any), and a
// message worded like the spec suite's expected text ("unexpected end", "type mismatch").
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>

namespace wsvm {

enum class ErrorKind : uint8_t {
  Malformed,       // the bytes are not a module (assert_malformed)
  Invalid,         // decodes, but breaks a validation rule (assert_invalid)
  Unlinkable,      // imports cannot be satisfied (assert_unlinkable)
  Uninstantiable,  // a trap during instantiation (assert_uninstantiable)
  Io,              // file could not be read, etc.
};

const char* error_kind_name(ErrorKind kind);

inline constexpr size_t kNoOffset = static_cast<size_t>(-1);

struct Error {
  ErrorKind kind = ErrorKind::Malformed;
  size_t offset = kNoOffset;  // byte offset in the module binary, kNoOffset if not applicable
  std::string message;        // spec wording first, then details: "type mismatch: expected i32"

  // "malformed at byte 0x1a: unexpected end" (or without the "at" part when no offset).
  std::string to_string() const;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> make_error(ErrorKind kind, size_t offset, std::string message) {
  return std::unexpected(Error{kind, offset, std::move(message)});
}

}  // namespace wsvm

// Propagate an error from an expression of type Result<T>; yields the value otherwise.
#define WSVM_TRY(expr)                                   \
  ({                                                     \
    auto&& wsvm_try_result_ = (expr);                    \
    if (!wsvm_try_result_) [[unlikely]]                  \
      return std::unexpected(wsvm_try_result_.error());  \
    std::move(*wsvm_try_result_);                        \
  })

// Same, for Result<void>.
#define WSVM_TRY_VOID(expr)                              \
  do {                                                   \
    auto&& wsvm_try_result_ = (expr);                    \
    if (!wsvm_try_result_) [[unlikely]]                  \
      return std::unexpected(wsvm_try_result_.error());  \
  } while (0)
