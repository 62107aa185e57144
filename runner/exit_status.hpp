// The exit status of a run (`wsvm`'s, documented in --help and cli/README.md; exit_status()).
#pragma once

namespace wsvm::runner {

// WASI programs exit with their own proc_exit code (0..125 in practice), so wsvm's own
// statuses sit above that range where they cannot be confused with a program's: the trap
// status is wasmtime's on Unix (128 + SIGABRT), 126 is the shell's "cannot execute".
// The limits use 124 (timeout, as GNU timeout) and 125 (out of fuel); a memory minimum over
// --max-memory is a load error (126), call stack exhaustion a trap (134).
inline constexpr int kExitOk = 0;         // success, or _start returned
inline constexpr int kExitUsage = 2;      // bad command line, unknown export, bad --invoke value
inline constexpr int kExitTimeout = 124;  // --timeout passed
inline constexpr int kExitOutOfFuel = 125;  // --fuel ran out
inline constexpr int kExitLoad = 126;     // cannot read, malformed, invalid, unlinkable, uninstantiable
inline constexpr int kExitTrap = 134;     // a wasm trap while running

}  // namespace wsvm::runner
