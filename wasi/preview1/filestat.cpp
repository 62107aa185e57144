#include "wasi/preview1/filestat.hpp"

namespace wsvm::wasi {
namespace {

uint64_t ns(const timespec& t) {
  return static_cast<uint64_t>(t.tv_sec) * 1000000000ull + static_cast<uint64_t>(t.tv_nsec);
}

timespec from_ns(uint64_t v) {
  return timespec{static_cast<time_t>(v / 1000000000ull), static_cast<long>(v % 1000000000ull)};
}

}  // namespace

Errno store_filestat(const GuestMemory& mem, uint32_t ptr, const struct stat& st) {
  uint8_t* p = mem.bytes(ptr, kFilestatSize);
  if (p == nullptr) return Errno::Fault;
  std::memset(p, 0, kFilestatSize);
  mem.store<uint64_t>(ptr + 0, static_cast<uint64_t>(st.st_dev));
  mem.store<uint64_t>(ptr + 8, static_cast<uint64_t>(st.st_ino));
  mem.store<uint8_t>(ptr + 16, static_cast<uint8_t>(filetype_from_mode(st.st_mode)));
  mem.store<uint64_t>(ptr + 24, static_cast<uint64_t>(st.st_nlink));
  mem.store<uint64_t>(ptr + 32, static_cast<uint64_t>(st.st_size));
  mem.store<uint64_t>(ptr + 40, ns(st.st_atim));
  mem.store<uint64_t>(ptr + 48, ns(st.st_mtim));
  mem.store<uint64_t>(ptr + 56, ns(st.st_ctim));
  return Errno::Success;
}

Errno times_from_flags(uint64_t atim, uint64_t mtim, uint32_t fst, timespec out[2]) {
  if (fst & ~uint32_t{kFstAtim | kFstAtimNow | kFstMtim | kFstMtimNow}) return Errno::Inval;
  if ((fst & kFstAtim) && (fst & kFstAtimNow)) return Errno::Inval;
  if ((fst & kFstMtim) && (fst & kFstMtimNow)) return Errno::Inval;
  out[0] = (fst & kFstAtimNow) ? timespec{0, UTIME_NOW}
           : (fst & kFstAtim)  ? from_ns(atim)
                               : timespec{0, UTIME_OMIT};
  out[1] = (fst & kFstMtimNow) ? timespec{0, UTIME_NOW}
           : (fst & kFstMtim)  ? from_ns(mtim)
                               : timespec{0, UTIME_OMIT};
  return Errno::Success;
}

}  // namespace wsvm::wasi
