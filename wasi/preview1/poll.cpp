// poll_oneoff: clock subscriptions (relative or absolute, realtime or monotonic) and fd
// read/write readiness, waited for together with one ppoll(2). Deadlines are kept on the
// monotonic clock; an absolute realtime deadline is converted once at entry.
// Subscriptions with a bad fd, missing rights or an unsupported clock complete at once with
// the error in their event. More than kMaxSubscriptions subscriptions is EINVAL (the host
// arrays are sized by the count).
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <vector>

#include "wasi/preview1/call.hpp"

namespace wsvm::wasi {
namespace {

constexpr uint32_t kMaxSubscriptions = 1u << 16;
constexpr uint8_t kTagClock = 0;

uint64_t now_ns(clockid_t clk) {
  timespec ts{};
  clock_gettime(clk, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

struct Sub {
  uint64_t userdata = 0;
  uint8_t type = 0;
  Errno error = Errno::Success;  // completes immediately with this error when set
  uint64_t deadline = 0;         // clock: monotonic ns
  int poll_index = -1;           // fd: index in the pollfd array
  const FdEntry* fd = nullptr;
};

uint64_t readable_bytes(const FdEntry& f) {
  if (f.type == FileType::RegularFile) {
    struct stat st {};
    off_t pos = lseek(f.host, 0, SEEK_CUR);
    if (fstat(f.host, &st) == 0 && pos >= 0 && st.st_size > pos) return static_cast<uint64_t>(st.st_size - pos);
    return 0;
  }
  int n = 0;
  if (ioctl(f.host, FIONREAD, &n) == 0 && n > 0) return static_cast<uint64_t>(n);
  return 0;
}

}  // namespace

Errno poll_oneoff(Call& c, const uint64_t* a) {
  uint32_t in = arg32(a, 0), out = arg32(a, 1), n = arg32(a, 2), nevents_ptr = arg32(a, 3);
  if (n == 0 || n > kMaxSubscriptions) return Errno::Inval;
  if (c.mem.bytes(in, uint64_t{kSubscriptionSize} * n) == nullptr ||
      c.mem.bytes(out, uint64_t{kEventSize} * n) == nullptr || c.mem.bytes(nevents_ptr, 4) == nullptr)
    return Errno::Fault;
  if (!c.charge(uint64_t{kSubscriptionSize + kEventSize} * n)) return kTrapped;

  uint64_t start = now_ns(CLOCK_MONOTONIC);
  std::vector<Sub> subs(n);
  std::vector<pollfd> fds;
  bool immediate = false;
  bool has_clock = false;
  uint64_t earliest = UINT64_MAX;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t p = in + i * kSubscriptionSize;
    Sub& s = subs[i];
    c.mem.load(p, s.userdata);
    c.mem.load(p + 8, s.type);
    if (s.type == kTagClock) {
      uint32_t id = 0;
      uint64_t timeout = 0;
      uint16_t flags = 0;
      c.mem.load(p + 16, id);
      c.mem.load(p + 24, timeout);
      c.mem.load(p + 40, flags);
      if (id != kClockRealtime && id != kClockMonotonic) {
        s.error = Errno::Inval;
      } else if (flags & kSubclockAbstime) {
        if (id == kClockMonotonic) {
          s.deadline = timeout;
        } else {
          uint64_t real = now_ns(CLOCK_REALTIME);
          s.deadline = timeout <= real ? start : start + (timeout - real);
        }
      } else {
        s.deadline = timeout > UINT64_MAX - start ? UINT64_MAX : start + timeout;
      }
      if (s.error == Errno::Success) {
        has_clock = true;
        if (s.deadline < earliest) earliest = s.deadline;
      }
    } else if (s.type == kEventFdRead || s.type == kEventFdWrite) {
      uint32_t fd = 0;
      c.mem.load(p + 16, fd);
      FdEntry* f;
      s.error = c.fd(fd, rights::kPollFdReadwrite, f);
      if (s.error == Errno::Success) {
        s.fd = f;
        s.poll_index = static_cast<int>(fds.size());
        fds.push_back(pollfd{f->host, static_cast<short>(s.type == kEventFdRead ? POLLIN : POLLOUT), 0});
      }
    } else {
      return Errno::Inval;
    }
    if (s.error != Errno::Success) immediate = true;
  }

  for (;;) {
    uint64_t now = now_ns(CLOCK_MONOTONIC);
    timespec wait{};
    timespec* wait_ptr = nullptr;
    if (immediate || (has_clock && earliest <= now)) {
      wait_ptr = &wait;  // zero: just sample the fds
    } else if (has_clock) {
      uint64_t d = earliest - now;
      wait = timespec{static_cast<time_t>(d / 1000000000ull), static_cast<long>(d % 1000000000ull)};
      wait_ptr = &wait;
    }
    int r = ppoll(fds.data(), fds.size(), wait_ptr, nullptr);
    if (r < 0) {
      if (errno == EINTR) continue;
      return host_errno();
    }
    now = now_ns(CLOCK_MONOTONIC);
    uint32_t count = 0;
    for (const Sub& s : subs) {
      bool fire = false;
      uint64_t nbytes = 0;
      uint16_t flags = 0;
      Errno err = s.error;
      if (err != Errno::Success) {
        fire = true;
      } else if (s.type == kTagClock) {
        fire = s.deadline <= now;
      } else {
        short re = fds[static_cast<size_t>(s.poll_index)].revents;
        if (re != 0) {
          fire = true;
          if (re & POLLNVAL) err = Errno::Badf;
          if (re & POLLHUP) flags |= kEventFdReadwriteHangup;
          if (s.type == kEventFdRead && err == Errno::Success) nbytes = readable_bytes(*s.fd);
        }
      }
      if (!fire) continue;
      uint32_t e = out + count * kEventSize;
      std::memset(c.mem.bytes(e, kEventSize), 0, kEventSize);
      c.mem.store<uint64_t>(e, s.userdata);
      c.mem.store<uint16_t>(e + 8, static_cast<uint16_t>(err));
      c.mem.store<uint8_t>(e + 10, s.type);
      c.mem.store<uint64_t>(e + 16, nbytes);
      c.mem.store<uint16_t>(e + 24, flags);
      ++count;
    }
    if (count > 0) {
      c.mem.store<uint32_t>(nevents_ptr, count);
      return Errno::Success;
    }
  }
}

}  // namespace wsvm::wasi
