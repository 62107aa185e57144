// Pollable waiting and the stream implementations over host descriptors (io.hpp).
#include "wasi/p2/io.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "wasi/preview1/host_write.hpp"

namespace wsvm::wasi::p2 {

StreamError StreamError::failed(int err) {
  return StreamError{.closed = false, .host_errno = err, .message = std::strerror(err)};
}

HostFd::~HostFd() {
  if (owned && fd >= 0) ::close(fd);
}

namespace {

// One poll(2) over the fds of `ps` with `timeout_ms` (-1: forever); `ready` marks the ones
// ready now (already ready, deadline passed, or fd signalled).
void poll_once(std::span<const Readiness> ps, int timeout_ms, std::vector<bool>& ready) {
  std::vector<pollfd> fds;
  std::vector<size_t> which;
  for (size_t i = 0; i < ps.size(); ++i)
    if (!ready[i] && ps[i].fd >= 0) {
      fds.push_back(pollfd{ps[i].fd, ps[i].events, 0});
      which.push_back(i);
    }
  int n = ::poll(fds.data(), fds.size(), timeout_ms);
  if (n > 0)
    for (size_t k = 0; k < fds.size(); ++k)
      if (fds[k].revents != 0) ready[which[k]] = true;  // POLLHUP/POLLERR: a read/write says what
  auto now = MonoClock::now();
  for (size_t i = 0; i < ps.size(); ++i)
    if (ps[i].deadline && *ps[i].deadline <= now) ready[i] = true;
}

std::vector<uint32_t> indices(const std::vector<bool>& ready) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < ready.size(); ++i)
    if (ready[i]) out.push_back(uint32_t(i));
  return out;
}

}  // namespace

std::vector<uint32_t> ready_now(std::span<const Readiness> ps) {
  std::vector<bool> ready(ps.size());
  for (size_t i = 0; i < ps.size(); ++i) ready[i] = ps[i].ready;
  poll_once(ps, 0, ready);
  return indices(ready);
}

std::vector<uint32_t> wait_any(std::span<const Readiness> ps) {
  std::vector<bool> ready(ps.size());
  bool can_wake = false;
  for (size_t i = 0; i < ps.size(); ++i) {
    ready[i] = ps[i].ready;
    can_wake |= ps[i].fd >= 0 || ps[i].deadline.has_value();
  }
  poll_once(ps, 0, ready);
  while (can_wake && std::none_of(ready.begin(), ready.end(), [](bool b) { return b; })) {
    int timeout_ms = -1;
    auto now = MonoClock::now();
    for (const Readiness& r : ps)
      if (r.deadline) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(*r.deadline - now).count();
        left = std::clamp<int64_t>(left, 0, INT32_MAX);
        if (timeout_ms < 0 || left < timeout_ms) timeout_ms = int(left);
      }
    poll_once(ps, timeout_ms, ready);
  }
  return indices(ready);
}

// ---- generic blocking forms --------------------------------------------------------------

StreamResult<std::vector<uint8_t>> InputStream::blocking_read(uint64_t len) {
  for (;;) {
    auto r = read(len);
    if (!r || !r->empty() || len == 0) return r;
    wait_for(readiness());
  }
}

StreamResult<uint64_t> InputStream::skip(uint64_t len) {
  auto r = read(len);
  if (!r) return std::unexpected(r.error());
  return r->size();
}

StreamResult<uint64_t> InputStream::blocking_skip(uint64_t len) {
  auto r = blocking_read(len);
  if (!r) return std::unexpected(r.error());
  return r->size();
}

StreamResult<void> OutputStream::blocking_write_and_flush(std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    auto permit = check_write();
    if (!permit) return std::unexpected(permit.error());
    if (*permit == 0) {
      wait_for(readiness());
      continue;
    }
    size_t n = std::min<uint64_t>(*permit, bytes.size());
    if (auto w = write(bytes.first(n)); !w) return w;
    bytes = bytes.subspan(n);
  }
  return blocking_flush();
}

StreamResult<void> OutputStream::blocking_flush() {
  if (auto f = flush(); !f) return f;
  // Our streams complete a flush at once; a stream that does not reports readiness later.
  wait_for(readiness());
  return {};
}

namespace {

// Writes `len` zero bytes through `write` in chunks of at most kMaxIoChunk.
template <class Write>
StreamResult<void> zeroes(uint64_t len, Write write) {
  std::vector<uint8_t> zeros(std::min(len, kMaxIoChunk));
  while (len > 0) {
    size_t n = std::min<uint64_t>(len, zeros.size());
    if (auto w = write(std::span<const uint8_t>(zeros.data(), n)); !w) return w;
    len -= n;
  }
  return {};
}

}  // namespace

StreamResult<void> OutputStream::write_zeroes(uint64_t len) {
  return zeroes(len, [this](std::span<const uint8_t> b) { return write(b); });
}

StreamResult<void> OutputStream::blocking_write_zeroes_and_flush(uint64_t len) {
  if (auto w = zeroes(len, [this](std::span<const uint8_t> b) { return blocking_write_and_flush(b); }); !w)
    return w;
  return blocking_flush();
}

StreamResult<uint64_t> OutputStream::splice(InputStream& src, uint64_t len) {
  auto permit = check_write();
  if (!permit) return std::unexpected(permit.error());
  auto data = src.read(std::min(len, *permit));
  if (!data) return std::unexpected(data.error());
  if (auto w = write(*data); !w) return std::unexpected(w.error());
  return data->size();
}

StreamResult<uint64_t> OutputStream::blocking_splice(InputStream& src, uint64_t len) {
  auto data = src.blocking_read(std::min(len, kMaxIoChunk));
  if (!data) return std::unexpected(data.error());
  if (auto w = blocking_write_and_flush(*data); !w) return std::unexpected(w.error());
  return data->size();
}

// ---- streams on host descriptors -----------------------------------------------------------

namespace {

class FdInput : public InputStream {
 public:
  FdInput(std::shared_ptr<HostFd> fd, std::optional<uint64_t> offset)
      : m_fd(std::move(fd)), m_offset(offset) {}

  StreamResult<std::vector<uint8_t>> read(uint64_t len) override {
    if (m_closed) return std::unexpected(StreamError::end());
    std::vector<uint8_t> buf(std::min(len, kMaxIoChunk));
    if (buf.empty()) return buf;
    if (!m_offset && ready_now(std::span<const Readiness>(&m_ready_query, 1)).empty())
      return std::vector<uint8_t>{};
    ssize_t n;
    do {
      n = m_offset ? ::pread(m_fd->fd, buf.data(), buf.size(), off_t(*m_offset))
                   : ::read(m_fd->fd, buf.data(), buf.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno == EAGAIN) return std::vector<uint8_t>{};
      return std::unexpected(StreamError::failed(errno));
    }
    if (n == 0) {
      m_closed = true;
      return std::unexpected(StreamError::end());
    }
    if (m_offset) *m_offset += uint64_t(n);
    buf.resize(size_t(n));
    return buf;
  }

  Readiness readiness() override {
    if (m_offset || m_closed) return Readiness::now();
    return m_ready_query;
  }

 private:
  std::shared_ptr<HostFd> m_fd;
  std::optional<uint64_t> m_offset;
  bool m_closed = false;
  Readiness m_ready_query = Readiness::on_fd(m_fd->fd, POLLIN);
};

class FdOutput : public OutputStream {
 public:
  FdOutput(std::shared_ptr<HostFd> fd, std::optional<uint64_t> offset, bool append)
      : m_fd(std::move(fd)), m_offset(offset), m_append(append) {
    struct stat st {};
    m_pipe = ::fstat(m_fd->fd, &st) == 0 && S_ISFIFO(st.st_mode);
    m_socket = S_ISSOCK(st.st_mode);
  }

  StreamResult<uint64_t> check_write() override {
    if (m_offset || m_append) return kMaxIoChunk;
    Readiness q = Readiness::on_fd(m_fd->fd, POLLOUT);
    return ready_now(std::span<const Readiness>(&q, 1)).empty() ? 0 : kMaxIoChunk;
  }

  StreamResult<void> write(std::span<const uint8_t> bytes) override {
    while (!bytes.empty()) {
      ssize_t n = write_some(bytes);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) {
        wait_for(Readiness::on_fd(m_fd->fd, POLLOUT));
        continue;
      }
      // Each failure is reported as it happens (a pipe whose reader left says EPIPE again
      // on the next write, as preview 1 does); the guest decides to stop.
      if (n < 0) return std::unexpected(StreamError::failed(errno));
      if (m_offset) *m_offset += uint64_t(n);
      bytes = bytes.subspan(size_t(n));
    }
    return {};
  }

  Readiness readiness() override {
    if (m_offset || m_append) return Readiness::now();
    return Readiness::on_fd(m_fd->fd, POLLOUT);
  }

 private:
  ssize_t write_some(std::span<const uint8_t> bytes) {
    iovec v{const_cast<uint8_t*>(bytes.data()), bytes.size()};
    if (m_append) {
      struct stat st {};
      if (::fstat(m_fd->fd, &st) != 0) return -1;
      return ::pwrite(m_fd->fd, bytes.data(), bytes.size(), st.st_size);
    }
    if (m_offset) return ::pwrite(m_fd->fd, bytes.data(), bytes.size(), off_t(*m_offset));
    if (m_socket) return ::send(m_fd->fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (m_pipe) return writev_without_sigpipe(m_fd->fd, &v, 1);
    return ::writev(m_fd->fd, &v, 1);
  }

  std::shared_ptr<HostFd> m_fd;
  std::optional<uint64_t> m_offset;
  bool m_append = false;
  bool m_pipe = false, m_socket = false;
};

}  // namespace

std::shared_ptr<InputStream> fd_input_stream(std::shared_ptr<HostFd> fd,
                                             std::optional<uint64_t> offset) {
  return std::make_shared<FdInput>(std::move(fd), offset);
}

std::shared_ptr<OutputStream> fd_output_stream(std::shared_ptr<HostFd> fd,
                                               std::optional<uint64_t> offset, bool append) {
  return std::make_shared<FdOutput>(std::move(fd), offset, append);
}

}  // namespace wsvm::wasi::p2
