#include "decoder/limits.hpp"

#include <fmt/format.h>

namespace wsvm::limits {

std::string too_many(const char* what, uint64_t n, uint64_t limit) {
  return fmt::format("too many {}: {} (wsvm's limit is {})", what, n, limit);
}

}  // namespace wsvm::limits
