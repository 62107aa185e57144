// The `wsvm` command's exit status (documented in --help and cli/README.md).
#pragma once

namespace wsvm::cli {

inline constexpr int kExitOk = 0;         // success, or _start returned
inline constexpr int kExitUsage = 1;      // bad command line, unknown export, bad --invoke value
inline constexpr int kExitLoad = 2;       // cannot read, malformed, invalid, unlinkable, uninstantiable
inline constexpr int kExitTrap = 3;       // a wasm trap while running

}  // namespace wsvm::cli
