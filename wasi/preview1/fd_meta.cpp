// Descriptor metadata and management: fd_advise, fd_allocate, fd_close, fd_datasync, fd_sync,
// fd_fdstat_get, fd_fdstat_set_flags, fd_fdstat_set_rights, fd_filestat_get,
// fd_filestat_set_size, fd_filestat_set_times, fd_prestat_get, fd_prestat_dir_name, fd_renumber.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi/preview1/filestat.hpp"

namespace wsvm::wasi {

Errno fd_advise(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = c.fd(arg32(a, 0), rights::kFdAdvise, f); e != Errno::Success) return e;
  uint32_t advice = arg32(a, 3);
  if (advice > kAdviceNoreuse) return Errno::Inval;
  static constexpr int kHost[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                  POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  if (arg64(a, 1) > INT64_MAX || arg64(a, 2) > INT64_MAX) return Errno::Inval;
  int rc = posix_fadvise(f->host, static_cast<off_t>(arg64(a, 1)), static_cast<off_t>(arg64(a, 2)),
                         kHost[advice]);
  return errno_from_host(rc);  // posix_fadvise returns the error number
}

Errno fd_allocate(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = c.not_dir(arg32(a, 0), rights::kFdAllocate, f); e != Errno::Success) return e;
  uint64_t off = arg64(a, 1), len = arg64(a, 2);
  if (off > INT64_MAX || len > INT64_MAX || off + len > INT64_MAX) return Errno::Inval;
  if (len == 0) return Errno::Inval;
  int rc = posix_fallocate(f->host, static_cast<off_t>(off), static_cast<off_t>(len));
  return errno_from_host(rc);
}

Errno fd_close(Call& c, const uint64_t* a) {
  if (c.ctx.get(arg32(a, 0)) == nullptr) return Errno::Badf;
  c.ctx.close(arg32(a, 0));
  return Errno::Success;
}

Errno fd_datasync(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = c.fd(arg32(a, 0), rights::kFdDatasync, f); e != Errno::Success) return e;
  return fdatasync(f->host) == 0 ? Errno::Success : host_errno();
}

Errno fd_sync(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = c.fd(arg32(a, 0), rights::kFdSync, f); e != Errno::Success) return e;
  return fsync(f->host) == 0 ? Errno::Success : host_errno();
}

Errno fd_fdstat_get(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = c.fd(arg32(a, 0), 0, f); e != Errno::Success) return e;
  uint32_t ptr = arg32(a, 1);
  uint8_t* p = c.mem.bytes(ptr, kFdstatSize);
  if (p == nullptr) return Errno::Fault;
  int fl = fcntl(f->host, F_GETFL);
  if (fl < 0) return host_errno();
  uint16_t flags = 0;
  if (fl & O_APPEND) flags |= kFdflagAppend;
  if (fl & O_NONBLOCK) flags |= kFdflagNonblock;
  if ((fl & O_SYNC) == O_SYNC) flags |= kFdflagSync | kFdflagRsync;  // Linux: O_RSYNC == O_SYNC
  else if (fl & O_DSYNC) flags |= kFdflagDsync;
  std::memset(p, 0, kFdstatSize);
  c.mem.store<uint8_t>(ptr, static_cast<uint8_t>(f->type));
  c.mem.store<uint16_t>(ptr + 2, flags);
  c.mem.store<uint64_t>(ptr + 8, f->rights_base);
  c.mem.store<uint64_t>(ptr + 16, f->rights_inheriting);
  return Errno::Success;
}

// Only append and nonblock can change on an open Linux descriptor (fcntl F_SETFL ignores the
// sync flags); asking for a sync flag is EINVAL, as in wasmtime, rather than a silent no-op.
Errno fd_fdstat_set_flags(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = c.fd(arg32(a, 0), rights::kFdFdstatSetFlags, f); e != Errno::Success) return e;
  uint32_t want = arg32(a, 1);
  if (want & ~uint32_t{kFdflagAppend | kFdflagNonblock}) return Errno::Inval;
  int fl = fcntl(f->host, F_GETFL);
  if (fl < 0) return host_errno();
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (want & kFdflagAppend) fl |= O_APPEND;
  if (want & kFdflagNonblock) fl |= O_NONBLOCK;
  return fcntl(f->host, F_SETFL, fl) == 0 ? Errno::Success : host_errno();
}

// Rights can only shrink.
Errno fd_fdstat_set_rights(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = c.fd(arg32(a, 0), 0, f); e != Errno::Success) return e;
  uint64_t base = arg64(a, 1), inh = arg64(a, 2);
  if ((base & ~f->rights_base) != 0 || (inh & ~f->rights_inheriting) != 0) return Errno::NotCapable;
  f->rights_base = base;
  f->rights_inheriting = inh;
  return Errno::Success;
}

Errno fd_filestat_get(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = c.fd(arg32(a, 0), rights::kFdFilestatGet, f); e != Errno::Success) return e;
  struct stat st {};
  if (fstat(f->host, &st) != 0) return host_errno();
  return store_filestat(c.mem, arg32(a, 1), st);
}

Errno fd_filestat_set_size(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = c.not_dir(arg32(a, 0), rights::kFdFilestatSetSize, f); e != Errno::Success) return e;
  if (arg64(a, 1) > INT64_MAX) return Errno::Inval;
  return ftruncate(f->host, static_cast<off_t>(arg64(a, 1))) == 0 ? Errno::Success : host_errno();
}

Errno fd_filestat_set_times(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = c.fd(arg32(a, 0), rights::kFdFilestatSetTimes, f); e != Errno::Success) return e;
  timespec ts[2];
  if (Errno e = times_from_flags(arg64(a, 1), arg64(a, 2), arg32(a, 3), ts); e != Errno::Success)
    return e;
  return futimens(f->host, ts) == 0 ? Errno::Success : host_errno();
}

Errno fd_prestat_get(Call& c, const uint64_t* a) {
  FdEntry* f = c.ctx.get(arg32(a, 0));
  if (f == nullptr || !f->preopen_name) return Errno::Badf;
  uint32_t ptr = arg32(a, 1);
  if (c.mem.bytes(ptr, kPrestatSize) == nullptr) return Errno::Fault;
  std::memset(c.mem.bytes(ptr, kPrestatSize), 0, kPrestatSize);
  c.mem.store<uint8_t>(ptr, kPreopentypeDir);
  c.mem.store<uint32_t>(ptr + 4, static_cast<uint32_t>(f->preopen_name->size()));
  return Errno::Success;
}

Errno fd_prestat_dir_name(Call& c, const uint64_t* a) {
  FdEntry* f = c.ctx.get(arg32(a, 0));
  if (f == nullptr || !f->preopen_name) return Errno::Badf;
  const std::string& name = *f->preopen_name;
  uint32_t len = arg32(a, 2);
  if (len < name.size()) return Errno::NameTooLong;
  uint8_t* p = c.mem.bytes(arg32(a, 1), name.size());
  if (p == nullptr) return Errno::Fault;
  std::memcpy(p, name.data(), name.size());
  return Errno::Success;
}

Errno fd_renumber(Call& c, const uint64_t* a) {
  uint32_t from = arg32(a, 0), to = arg32(a, 1);
  if (c.ctx.get(from) == nullptr || c.ctx.get(to) == nullptr) return Errno::Badf;
  c.ctx.renumber(from, to);
  return Errno::Success;
}

}  // namespace wsvm::wasi
