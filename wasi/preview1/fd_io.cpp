// fd_read, fd_write, fd_pread, fd_pwrite, fd_seek, fd_tell. Data moves straight between the
// host descriptor and guest memory (no intermediate buffer, so large outputs stream).
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wasi/preview1/host_write.hpp"
#include "wasi/preview1/iovec.hpp"

namespace wsvm::wasi {
namespace {

Errno finish(Call& c, Errno e, uint64_t total, uint32_t out_ptr) {
  if (e != Errno::Success) return e;
  return c.mem.store<uint32_t>(out_ptr, static_cast<uint32_t>(total)) ? Errno::Success : Errno::Fault;
}

}  // namespace

Errno fd_read(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = c.not_dir(arg32(a, 0), rights::kFdRead, f); e != Errno::Success) return e;
  if (!charge_iovecs(c, arg32(a, 1), arg32(a, 2))) return kTrapped;
  uint64_t total = 0;
  Errno e = transfer_iovecs(c.mem, arg32(a, 1), arg32(a, 2), total,
                            [&](const iovec* v, int n, uint64_t) { return readv(f->host, v, n); });
  return finish(c, e, total, arg32(a, 3));
}

Errno fd_write(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = c.not_dir(arg32(a, 0), rights::kFdWrite, f); e != Errno::Success) return e;
  if (!charge_iovecs(c, arg32(a, 1), arg32(a, 2))) return kTrapped;
  uint64_t total = 0;
  bool socket = f->type == FileType::SocketStream;
  bool pipe = f->pipe;
  Errno e = transfer_iovecs(c.mem, arg32(a, 1), arg32(a, 2), total,
                            [&](const iovec* v, int n, uint64_t) -> ssize_t {
                              if (pipe) return writev_without_sigpipe(f->host, v, n);
                              if (!socket) return writev(f->host, v, n);
                              // A closed peer is EPIPE for the guest, not SIGPIPE for us.
                              msghdr m{};
                              m.msg_iov = const_cast<iovec*>(v);
                              m.msg_iovlen = static_cast<size_t>(n);
                              return sendmsg(f->host, &m, MSG_NOSIGNAL);
                            });
  return finish(c, e, total, arg32(a, 3));
}

// fd_pread and fd_pwrite: the same checks and iovec walk, at an explicit offset.
template <class Io>
Errno positioned_io(Call& c, const uint64_t* a, uint64_t right, Io io) {
  FdEntry* f;
  if (Errno e = c.not_dir(arg32(a, 0), right | rights::kFdSeek, f); e != Errno::Success) return e;
  uint64_t offset = arg64(a, 3);
  if (offset > INT64_MAX) return Errno::Inval;
  if (!charge_iovecs(c, arg32(a, 1), arg32(a, 2))) return kTrapped;
  uint64_t total = 0;
  Errno e = transfer_iovecs(c.mem, arg32(a, 1), arg32(a, 2), total,
                            [&](const iovec* v, int n, uint64_t done) {
                              return io(f->host, v, n, static_cast<off_t>(offset + done));
                            });
  return finish(c, e, total, arg32(a, 4));
}

Errno fd_pread(Call& c, const uint64_t* a) {
  return positioned_io(c, a, rights::kFdRead, preadv);
}

Errno fd_pwrite(Call& c, const uint64_t* a) {
  return positioned_io(c, a, rights::kFdWrite, pwritev);
}

Errno fd_seek(Call& c, const uint64_t* a) {
  int64_t offset = static_cast<int64_t>(arg64(a, 1));
  uint32_t whence = arg32(a, 2);
  // Asking only where we are needs fd_tell; moving needs fd_seek.
  uint64_t need = (whence == kWhenceCur && offset == 0) ? rights::kFdTell : rights::kFdSeek;
  FdEntry* f;
  Errno e = c.not_dir(arg32(a, 0), need, f);
  if (e == Errno::NotCapable && need == rights::kFdTell) e = c.not_dir(arg32(a, 0), rights::kFdSeek, f);
  if (e != Errno::Success) return e;
  int host_whence;
  switch (whence) {
    case kWhenceSet: host_whence = SEEK_SET; break;
    case kWhenceCur: host_whence = SEEK_CUR; break;
    case kWhenceEnd: host_whence = SEEK_END; break;
    default: return Errno::Inval;
  }
  if (c.mem.bytes(arg32(a, 3), 8) == nullptr) return Errno::Fault;
  off_t pos = lseek(f->host, offset, host_whence);
  if (pos < 0) return host_errno();
  c.mem.store<uint64_t>(arg32(a, 3), static_cast<uint64_t>(pos));
  return Errno::Success;
}

Errno fd_tell(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = c.not_dir(arg32(a, 0), rights::kFdTell, f); e != Errno::Success) return e;
  if (c.mem.bytes(arg32(a, 1), 8) == nullptr) return Errno::Fault;
  off_t pos = lseek(f->host, 0, SEEK_CUR);
  if (pos < 0) return host_errno();
  c.mem.store<uint64_t>(arg32(a, 1), static_cast<uint64_t>(pos));
  return Errno::Success;
}

}  // namespace wsvm::wasi
