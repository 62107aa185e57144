// fd_readdir: directory entries straight from getdents64(2). The cookie of an entry is the
// kernel's d_off (the position of the next entry), so a cookie can be handed back to lseek()
// to continue; 0 is the start. When the buffer fills, the last entry is cut short and
// bufused == buf_len tells the guest to call again with a bigger buffer or the last cookie.
#include <dirent.h>
#include <string.h>
#include <algorithm>
#include <sys/syscall.h>
#include <unistd.h>

#include "wasi/preview1/call.hpp"

namespace wsvm::wasi {
namespace {

struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

FileType type_of_dtype(unsigned char t) {
  switch (t) {
    case DT_BLK: return FileType::BlockDevice;
    case DT_CHR: return FileType::CharacterDevice;
    case DT_DIR: return FileType::Directory;
    case DT_REG: return FileType::RegularFile;
    case DT_SOCK: return FileType::SocketStream;
    case DT_LNK: return FileType::SymbolicLink;
    default: return FileType::Unknown;
  }
}

}  // namespace

Errno fd_readdir(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = c.dir(arg32(a, 0), rights::kFdReaddir, f); e != Errno::Success) return e;
  uint32_t buf = arg32(a, 1), buf_len = arg32(a, 2), used_ptr = arg32(a, 4);
  uint64_t cookie = arg64(a, 3);
  if (c.mem.bytes(buf, buf_len) == nullptr || c.mem.bytes(used_ptr, 4) == nullptr)
    return Errno::Fault;
  if (cookie > INT64_MAX) return Errno::Inval;
  if (!c.charge(buf_len)) return kTrapped;  // the entries written, at most buf_len bytes
  if (lseek(f->host, static_cast<off_t>(cookie), SEEK_SET) < 0) return host_errno();
  alignas(8) char host[32768];
  uint32_t used = 0;
  while (used < buf_len) {
    long n = syscall(SYS_getdents64, f->host, host, sizeof host);
    if (n < 0) return host_errno();
    if (n == 0) break;
    for (long off = 0; off < n && used < buf_len;) {
      auto* d = reinterpret_cast<LinuxDirent64*>(host + off);
      off += d->d_reclen;
      uint32_t namlen = static_cast<uint32_t>(strlen(d->d_name));
      uint8_t rec[kDirentSize] = {};
      uint64_t next = static_cast<uint64_t>(d->d_off);
      std::memcpy(rec + 0, &next, 8);
      std::memcpy(rec + 8, &d->d_ino, 8);
      std::memcpy(rec + 16, &namlen, 4);
      rec[20] = static_cast<uint8_t>(type_of_dtype(d->d_type));
      uint32_t take = std::min<uint32_t>(kDirentSize, buf_len - used);
      std::memcpy(c.mem.bytes(buf + used, take), rec, take);
      used += take;
      take = std::min<uint32_t>(namlen, buf_len - used);
      std::memcpy(c.mem.bytes(buf + used, take), d->d_name, take);
      used += take;
    }
  }
  c.mem.store<uint32_t>(used_ptr, used);
  return Errno::Success;
}

}  // namespace wsvm::wasi
