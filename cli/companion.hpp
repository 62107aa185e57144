// Commands that live in a companion program beside `wsvm`: `wsvm serve` runs `wsvm-serve`.
// The `wsvm` binary is linked fully static for its start-up time (README.md); the HTTP
// server library (libmicrohttpd, through GnuTLS) cannot be, so the server is its own,
// dynamically linked program, started by exec from the same folder as `wsvm`.
#pragma once

#include <string>
#include <vector>

namespace wsvm::cli {

// Replaces this process with PROGRAM (found beside /proc/self/exe) given argv[2..]; returns
// the usage exit status with one error line only when it cannot be started.
int exec_companion(const std::string& program, const std::vector<std::string>& argv);

}  // namespace wsvm::cli
