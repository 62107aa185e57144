// clock_res_get, clock_time_get: the four WASI clocks map onto clock_gettime(2) clocks.
#include <time.h>

#include "wasi/preview1/call.hpp"

namespace wsvm::wasi {

// Host clock of a WASI clockid, or -1 (EINVAL).
int host_clock(uint32_t id) {
  switch (id) {
    case kClockRealtime: return CLOCK_REALTIME;
    case kClockMonotonic: return CLOCK_MONOTONIC;
    case kClockProcessCputime: return CLOCK_PROCESS_CPUTIME_ID;
    case kClockThreadCputime: return CLOCK_THREAD_CPUTIME_ID;
    default: return -1;
  }
}

uint64_t timespec_ns(const timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

Errno clock_res_get(Call& c, const uint64_t* a) {
  int clk = host_clock(arg32(a, 0));
  if (clk < 0) return Errno::Inval;
  timespec ts{};
  if (clock_getres(clk, &ts) != 0) return host_errno();
  return c.mem.store<uint64_t>(arg32(a, 1), timespec_ns(ts)) ? Errno::Success : Errno::Fault;
}

Errno clock_time_get(Call& c, const uint64_t* a) {
  int clk = host_clock(arg32(a, 0));  // a[1] is the precision: a hint we may ignore
  if (clk < 0) return Errno::Inval;
  timespec ts{};
  if (clock_gettime(clk, &ts) != 0) return host_errno();
  return c.mem.store<uint64_t>(arg32(a, 2), timespec_ns(ts)) ? Errno::Success : Errno::Fault;
}

}  // namespace wsvm::wasi
