// Whether this test program runs under a user-mode emulator (qemu-aarch64 in the cross build,
// scripts/test-aarch64.sh). meson sets MESON_EXE_WRAPPER for the tests it runs through the
// cross file's exe_wrapper; the cross build's wsvm-wrapped script sets WSVM_EXE_WRAPPER.
//
// Tests use it only where emulation changes what is measured, never what is checked for
// correctness: qemu-user keeps its own page descriptors for every page of every guest mapping
// (an 8 GiB guard-page reservation costs it tens of MiB, counted in the process's RSS and
// not always returned on munmap), so RSS bounds and the number of simultaneous reservations
// a test makes are scaled for it.
#pragma once

#include <cstdlib>

namespace wsvm::test {

inline bool running_under_emulator() {
  for (const char* name : {"MESON_EXE_WRAPPER", "WSVM_EXE_WRAPPER"}) {
    const char* v = std::getenv(name);
    if (v && *v) return true;
  }
  return false;
}

}  // namespace wsvm::test
