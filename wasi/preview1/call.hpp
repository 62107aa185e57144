// What every WASI function implementation receives, and helpers they share.
#pragma once

#include <cstdint>
#include <optional>

#include "runtime/store.hpp"
#include "runtime/trap.hpp"
#include "wasi/preview1/abi.hpp"
#include "wasi/preview1/context.hpp"
#include "wasi/preview1/guest_memory.hpp"

namespace wsvm::wasi {

struct Call {
  WasiContext& ctx;
  GuestMemory mem;
  std::optional<Trap> trap;  // set by proc_exit (and fatal proc_raise) to unwind the run
  ExecContext* exec = nullptr;  // the caller's, for host fuel; nullptr: nothing is charged

  // Host fuel (runtime/host_fuel.hpp: a unit per 64 bytes) for `bytes` of work the guest
  // asked for, charged before the work. False when the fuel ran out: `trap` is then set to
  // OutOfFuel and the function returns at once, having done nothing.
  bool charge(uint64_t bytes);
  // A guest path (ptr, len): EFAULT outside memory, ENAMETOOLONG from kPathMax bytes on
  // (path_resolve.hpp; before any host copy of it), and its bytes charged as host fuel
  // (kTrapped when that runs out).
  Errno path(uint32_t ptr, uint32_t len, std::string_view& out);

  // The entry of `fd` if it exists and has all of `needed` rights.
  // Errors: EBADF (no such fd), ENOTCAPABLE (missing rights).
  Errno fd(uint32_t fd, uint64_t needed, FdEntry*& out);
  // The same for calls that need a particular kind of object: what the object is comes before
  // what it may do (a directory never holds read/seek rights, yet reading it is EISDIR, as in
  // POSIX; the wasi-testsuite accepts these errnos and pins ENOTSOCK before rights).
  Errno not_dir(uint32_t fd, uint64_t needed, FdEntry*& out);  // a directory -> EISDIR
  Errno dir(uint32_t fd, uint64_t needed, FdEntry*& out);      // not a directory -> ENOTDIR
};

// What a function returns once `Call::trap` is set (out of host fuel): any errno would do, as
// the trap, not the errno, is what the guest's caller sees; this one says the call was cut off.
inline constexpr Errno kTrapped = Errno::Canceled;

// Argument accessors for the uniform slots.
inline uint32_t arg32(const uint64_t* a, int i) { return static_cast<uint32_t>(a[i]); }
inline uint64_t arg64(const uint64_t* a, int i) { return a[i]; }

// Last host errno as a WASI errno.
Errno host_errno();

#define WASI_FN(name, params, results) Errno name(Call& c, const uint64_t* a);
#include "wasi/preview1/imports.def"

}  // namespace wsvm::wasi
