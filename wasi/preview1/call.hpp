// What every WASI function implementation receives, and helpers they share.
#pragma once

#include <cstdint>
#include <optional>

#include "runtime/trap.hpp"
#include "wasi/preview1/abi.hpp"
#include "wasi/preview1/context.hpp"
#include "wasi/preview1/guest_memory.hpp"

namespace wsvm::wasi {

struct Call {
  WasiContext& ctx;
  GuestMemory mem;
  std::optional<Trap> trap;  // set by proc_exit (and fatal proc_raise) to unwind the run

  // The entry of `fd` if it exists and has all of `needed` rights.
  // Errors: EBADF (no such fd), ENOTCAPABLE (missing rights).
  Errno fd(uint32_t fd, uint64_t needed, FdEntry*& out);
  // The same for calls that need a particular kind of object: what the object is comes before
  // what it may do (a directory never holds read/seek rights, yet reading it is EISDIR, as in
  // POSIX; the wasi-testsuite accepts these errnos and pins ENOTSOCK before rights).
  Errno not_dir(uint32_t fd, uint64_t needed, FdEntry*& out);  // a directory -> EISDIR
  Errno dir(uint32_t fd, uint64_t needed, FdEntry*& out);      // not a directory -> ENOTDIR
};

// Argument accessors for the uniform slots.
inline uint32_t arg32(const uint64_t* a, int i) { return static_cast<uint32_t>(a[i]); }
inline uint64_t arg64(const uint64_t* a, int i) { return a[i]; }

// Last host errno as a WASI errno.
Errno host_errno();

#define WASI_FN(name, params, results) Errno name(Call& c, const uint64_t* a);
#include "wasi/preview1/imports.def"

}  // namespace wsvm::wasi
