// How an expected message of a spec script matches ours.
#pragma once

#include <string_view>

namespace wsvm::wast {

// Ours contains the expected text ("type mismatch" in "type mismatch: expected i32"), or
// ours is a prefix of it (the scripts sometimes add details: "uninitialized element 2").
inline bool text_matches(std::string_view expected, std::string_view ours) {
  if (ours.find(expected) != std::string_view::npos) return true;
  return !ours.empty() && expected.starts_with(ours);
}

}  // namespace wsvm::wast
