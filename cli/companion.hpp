// Commands that live in a companion program beside `wsvm`: `wsvm serve`, `wsvm pull` and
// `wsvm push` run `wsvm-net`. The `wsvm` binary is linked fully static for its start-up time
// (README.md); the network libraries (libmicrohttpd and libcurl, through GnuTLS/OpenSSL,
// Kerberos, LDAP...) have no complete static builds, so these commands are a dynamically
// linked program of their own, started by exec from the same folder as `wsvm`.
#pragma once

#include <string>
#include <vector>

namespace wsvm::cli {

// Replaces this process with PROGRAM (found beside /proc/self/exe) given argv[1..] (the
// command's name first); returns the usage exit status with one error line only when it
// cannot be started. When $WSVM_EXE_WRAPPER is set (an emulator such as `qemu-aarch64`, as
// spec-tests/run and the cross build's wsvm-wrapped script use it), the companion is started
// through it: a foreign-architecture binary cannot be exec'd directly without binfmt_misc.
int exec_companion(const std::string& program, const std::vector<std::string>& argv);

}  // namespace wsvm::cli
