// Reading a module file: every failure is an Error of kind Io.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "decoder/error.hpp"

namespace wsvm::runner {

// Largest module file accepted (bigger inputs are refused, not read into memory).
inline constexpr uint64_t kMaxModuleFileBytes = uint64_t{1} << 30;

Result<std::vector<uint8_t>> read_module_file(const std::string& path);

}  // namespace wsvm::runner
