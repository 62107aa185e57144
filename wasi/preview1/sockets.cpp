// sock_accept, sock_recv, sock_send, sock_shutdown on the listening sockets handed over with
// --tcplisten and the connections accepted from them.
#include <sys/socket.h>
#include <unistd.h>

#include "wasi/preview1/iovec.hpp"

namespace wsvm::wasi {
namespace {

// The socket behind `fd`: EBADF if there is no such fd, ENOTSOCK if it is not a socket, then
// ENOTCAPABLE for missing rights. What it is comes before what it may do (as in wasmtime; the
// testsuite's sock_shutdown-not_sock expects ENOTSOCK for stdout, which has no socket rights).
Errno socket_fd(Call& c, uint32_t fd, uint64_t needed, FdEntry*& out) {
  out = c.ctx.get(fd);
  if (out == nullptr) return Errno::Badf;
  if (out->type != FileType::SocketStream && out->type != FileType::SocketDgram)
    return Errno::NotSock;
  return c.fd(fd, needed, out);
}

}  // namespace

Errno sock_accept(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = socket_fd(c, arg32(a, 0), rights::kSockAccept, f); e != Errno::Success) return e;
  uint32_t flags = arg32(a, 1);
  if (flags & ~uint32_t{kFdflagNonblock}) return Errno::Inval;
  if (c.mem.bytes(arg32(a, 2), 4) == nullptr) return Errno::Fault;
  int fd;
  do {
    fd = accept4(f->host, nullptr, nullptr,
                 SOCK_CLOEXEC | ((flags & kFdflagNonblock) ? SOCK_NONBLOCK : 0));
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return host_errno();
  FdEntry e;
  e.host = fd;
  e.type = FileType::SocketStream;
  e.rights_base = f->rights_inheriting;
  e.rights_inheriting = 0;
  auto num = c.ctx.insert(std::move(e));
  if (!num) {
    ::close(fd);
    return Errno::Mfile;
  }
  c.mem.store<uint32_t>(arg32(a, 2), *num);
  return Errno::Success;
}

Errno sock_recv(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = socket_fd(c, arg32(a, 0), rights::kFdRead, f); e != Errno::Success) return e;
  uint32_t ri = arg32(a, 3);
  if (ri & ~uint32_t{kRiflagPeek | kRiflagWaitall}) return Errno::Inval;
  if (c.mem.bytes(arg32(a, 4), 4) == nullptr || c.mem.bytes(arg32(a, 5), 2) == nullptr)
    return Errno::Fault;
  int host_flags = ((ri & kRiflagPeek) ? MSG_PEEK : 0) | ((ri & kRiflagWaitall) ? MSG_WAITALL : 0);
  bool truncated = false;
  uint64_t total = 0;
  if (!charge_iovecs(c, arg32(a, 1), arg32(a, 2))) return kTrapped;
  Errno e = transfer_iovecs(c.mem, arg32(a, 1), arg32(a, 2), total,
                            [&](const iovec* v, int n, uint64_t) -> ssize_t {
                              msghdr m{};
                              m.msg_iov = const_cast<iovec*>(v);
                              m.msg_iovlen = static_cast<size_t>(n);
                              ssize_t r = recvmsg(f->host, &m, host_flags);
                              if (r >= 0 && (m.msg_flags & MSG_TRUNC)) truncated = true;
                              return r;
                            });
  if (e != Errno::Success) return e;
  c.mem.store<uint32_t>(arg32(a, 4), static_cast<uint32_t>(total));
  c.mem.store<uint16_t>(arg32(a, 5), truncated ? kRoflagDataTruncated : 0);
  return Errno::Success;
}

Errno sock_send(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = socket_fd(c, arg32(a, 0), rights::kFdWrite, f); e != Errno::Success) return e;
  if (arg32(a, 3) != 0) return Errno::Inval;  // siflags has no flags defined
  if (c.mem.bytes(arg32(a, 4), 4) == nullptr) return Errno::Fault;
  uint64_t total = 0;
  if (!charge_iovecs(c, arg32(a, 1), arg32(a, 2))) return kTrapped;
  Errno e = transfer_iovecs(c.mem, arg32(a, 1), arg32(a, 2), total,
                            [&](const iovec* v, int n, uint64_t) -> ssize_t {
                              msghdr m{};
                              m.msg_iov = const_cast<iovec*>(v);
                              m.msg_iovlen = static_cast<size_t>(n);
                              return sendmsg(f->host, &m, MSG_NOSIGNAL);
                            });
  if (e != Errno::Success) return e;
  c.mem.store<uint32_t>(arg32(a, 4), static_cast<uint32_t>(total));
  return Errno::Success;
}

Errno sock_shutdown(Call& c, const uint64_t* a) {
  FdEntry* f;
  if (Errno e = socket_fd(c, arg32(a, 0), rights::kSockShutdown, f); e != Errno::Success) return e;
  int how;
  switch (arg32(a, 1)) {
    case kSdflagRd: how = SHUT_RD; break;
    case kSdflagWr: how = SHUT_WR; break;
    case kSdflagRd | kSdflagWr: how = SHUT_RDWR; break;
    default: return Errno::Inval;
  }
  return shutdown(f->host, how) == 0 ? Errno::Success : host_errno();
}

}  // namespace wsvm::wasi
