// Guest iovec arrays (iovec / ciovec: {buf u32, buf_len u32}) turned into host iovecs a chunk at
// a time, so even a huge iovs_len never allocates host memory: the whole array and every
// buffer are bounds-checked first (EFAULT before any I/O), then `op` runs on chunks of
// kIovChunk host iovecs until one transfers less than it asked for.
#pragma once

#include <sys/uio.h>

#include <cerrno>
#include <algorithm>
#include <cstdint>

#include "wasi/preview1/call.hpp"

namespace wsvm::wasi {

inline constexpr uint32_t kIovChunk = 64;
// A single call moves at most this much, so the u32 result cannot wrap.
inline constexpr uint64_t kMaxTransfer = 1ull << 31;

inline Errno check_iovecs(const GuestMemory& mem, uint32_t iovs, uint32_t n) {
  if (mem.bytes(iovs, uint64_t{kIovecSize} * n) == nullptr) return Errno::Fault;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t buf = 0, len = 0;
    mem.load(iovs + i * kIovecSize, buf);
    mem.load(iovs + i * kIovecSize + 4, len);
    if (mem.bytes(buf, len) == nullptr) return Errno::Fault;
  }
  return Errno::Success;
}

// Host fuel for a transfer (runtime/host_fuel.hpp), charged before any I/O: the iovec array's
// bytes plus every length the guest asked for (capped at kMaxTransfer, what one call can
// move), not what the descriptor then transferred, so the count is deterministic. False:
// out of fuel (Call::trap set). A bad array is left to transfer_iovecs (EFAULT), uncharged.
inline bool charge_iovecs(Call& c, uint32_t iovs, uint32_t n) {
  if (c.exec == nullptr || !c.exec->fuel_metered) return true;
  if (c.mem.bytes(iovs, uint64_t{kIovecSize} * n) == nullptr) return true;
  uint64_t asked = 0;
  for (uint32_t i = 0; i < n && asked < kMaxTransfer; ++i) {
    uint32_t len = 0;
    c.mem.load(iovs + i * kIovecSize + 4, len);
    asked += len;
  }
  return c.charge(uint64_t{kIovecSize} * n + std::min(asked, kMaxTransfer));
}

// op(const iovec*, int count, uint64_t offset_so_far) -> ssize_t (-1 and errno on error).
// The first error is returned only if nothing was transferred yet.
template <class Op>
Errno transfer_iovecs(const GuestMemory& mem, uint32_t iovs, uint32_t n, uint64_t& total, Op op) {
  total = 0;
  if (Errno e = check_iovecs(mem, iovs, n); e != Errno::Success) return e;
  iovec chunk[kIovChunk];
  uint32_t i = 0;
  while (i < n && total < kMaxTransfer) {
    int count = 0;
    uint64_t want = 0;
    for (; i < n && count < static_cast<int>(kIovChunk); ++i) {
      uint32_t buf = 0, len = 0;
      mem.load(iovs + i * kIovecSize, buf);
      mem.load(iovs + i * kIovecSize + 4, len);
      if (len == 0) continue;
      uint64_t room = kMaxTransfer - total - want;
      if (room == 0) break;
      if (len > room) len = static_cast<uint32_t>(room);
      chunk[count++] = iovec{mem.bytes(buf, len), len};
      want += len;
    }
    if (count == 0) break;
    ssize_t r;
    do {
      r = op(chunk, count, total);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return total == 0 ? host_errno() : Errno::Success;
    total += static_cast<uint64_t>(r);
    if (static_cast<uint64_t>(r) < want) break;
  }
  return Errno::Success;
}

}  // namespace wsvm::wasi
