#include "decoder/error.hpp"

#include <fmt/format.h>

namespace wsvm {

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Malformed: return "malformed";
    case ErrorKind::Invalid: return "invalid";
    case ErrorKind::Unlinkable: return "unlinkable";
    case ErrorKind::Uninstantiable: return "uninstantiable";
    case ErrorKind::Io: return "i/o error";
  }
  return "error";
}

std::string Error::to_string() const {
  if (offset == kNoOffset) return fmt::format("{}: {}", error_kind_name(kind), message);
  return fmt::format("{} at byte 0x{:x}: {}", error_kind_name(kind), offset, message);
}

}  // namespace wsvm
