// Shared by fd_* and path_* stat functions: the filestat record and fstflags -> timespec.
#pragma once

#include <sys/stat.h>
#include <time.h>

#include "wasi/preview1/call.hpp"

namespace wsvm::wasi {

// Writes a 64-byte filestat at ptr; EFAULT if it does not fit.
Errno store_filestat(const GuestMemory& mem, uint32_t ptr, const struct stat& st);

// utimensat(2) times for (atim, mtim, fstflags); EINVAL for contradictory or unknown flags
// (both a time and _NOW for the same field).
Errno times_from_flags(uint64_t atim, uint64_t mtim, uint32_t fst, timespec out[2]);

}  // namespace wsvm::wasi
