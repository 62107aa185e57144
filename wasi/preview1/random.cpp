// random_get: getrandom(2) straight into guest memory.
#include <sys/random.h>

#include <cerrno>

#include "wasi/preview1/call.hpp"

namespace wsvm::wasi {

Errno random_get(Call& c, const uint64_t* a) {
  uint32_t len = arg32(a, 1);
  uint8_t* p = c.mem.bytes(arg32(a, 0), len);
  if (p == nullptr) return Errno::Fault;
  if (!c.charge(len)) return kTrapped;
  size_t done = 0;
  while (done < len) {
    ssize_t n = getrandom(p + done, len - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return host_errno();
    }
    done += static_cast<size_t>(n);
  }
  return Errno::Success;
}

}  // namespace wsvm::wasi
