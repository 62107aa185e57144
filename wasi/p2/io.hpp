// wasi:io as a reusable host API: pollables and input/output streams that any host
// interface hands to a guest (stdio, files, sockets, HTTP bodies). The WIT functions
// (define_io.cpp) are thin over these classes; another host part (an HTTP server's
// incoming-handler, a body stream over a buffer) makes its own streams by deriving from
// InputStream/OutputStream and adding them to the instance's ResourceTable. README.md shows
// how.
//
// Non-blocking forms never wait; blocking forms wait through the same readiness a pollable
// reports (a host fd for poll(2), a deadline, or ready now), so one wait loop serves all.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "wasi/p2/table.hpp"

namespace wsvm::wasi::p2 {

using MonoClock = std::chrono::steady_clock;

// What a pollable is waiting for. Ready now; else a host fd with poll(2) events, a deadline,
// or both (whichever comes first). Neither (fd < 0, no deadline, not ready) never becomes
// ready: waiting on it alone returns at once rather than hang (nothing could wake it).
struct Readiness {
  bool ready = false;
  int fd = -1;
  short events = 0;  // POLLIN / POLLOUT
  std::optional<MonoClock::time_point> deadline;

  static Readiness now() { return Readiness{.ready = true}; }
  static Readiness on_fd(int fd, short events) { return Readiness{.fd = fd, .events = events}; }
  static Readiness at(MonoClock::time_point t) { return Readiness{.deadline = t}; }
};

// wasi:io/poll pollable: a readiness query, and the resource it watches (kept alive).
class Pollable : public Resource {
 public:
  Pollable(std::function<Readiness()> query, std::shared_ptr<Resource> parent)
      : m_query(std::move(query)), m_parent(std::move(parent)) {}
  Readiness readiness() const { return m_query(); }

 private:
  std::function<Readiness()> m_query;
  std::shared_ptr<Resource> m_parent;
};

// Which of `ps` are ready now, without waiting (poll(2) with a zero timeout).
std::vector<uint32_t> ready_now(std::span<const Readiness> ps);
// Waits until at least one of `ps` is ready (or none can ever be) and returns the indices
// of those ready, in order.
std::vector<uint32_t> wait_any(std::span<const Readiness> ps);
inline void wait_for(const Readiness& r) { wait_any(std::span<const Readiness>(&r, 1)); }

// stream-error: closed, or last-operation-failed with a host error (becomes a wasi:io/error
// resource whose debug string is `message`; `host_errno` lets filesystem-error-code answer).
struct StreamError {
  bool closed = false;
  int host_errno = 0;
  std::string message;

  static StreamError end() { return StreamError{.closed = true}; }
  static StreamError failed(int err);  // message from strerror
};
template <class T>
using StreamResult = std::expected<T, StreamError>;

// wasi:io/error's error resource.
struct IoError : Resource {
  StreamError error;
  explicit IoError(StreamError e) : error(std::move(e)) {}
};

class InputStream : public Resource {
 public:
  // Up to `len` bytes available now; empty when none is (never waits). closed at the end.
  virtual StreamResult<std::vector<uint8_t>> read(uint64_t len) = 0;
  // When read() would return data or the end.
  virtual Readiness readiness() = 0;

  // Waits for data, then reads: at least one byte unless closed (or len is 0).
  StreamResult<std::vector<uint8_t>> blocking_read(uint64_t len);
  StreamResult<uint64_t> skip(uint64_t len);
  StreamResult<uint64_t> blocking_skip(uint64_t len);
};

class OutputStream : public Resource {
 public:
  // How many bytes write() accepts now (0: wait on readiness()).
  virtual StreamResult<uint64_t> check_write() = 0;
  // Writes all of `bytes` (at most what check_write permitted).
  virtual StreamResult<void> write(std::span<const uint8_t> bytes) = 0;
  virtual StreamResult<void> flush() { return {}; }
  virtual Readiness readiness() = 0;

  // The blocking forms of wasi:io/streams, in terms of the above.
  StreamResult<void> blocking_write_and_flush(std::span<const uint8_t> bytes);
  StreamResult<void> blocking_flush();
  StreamResult<void> write_zeroes(uint64_t len);
  StreamResult<void> blocking_write_zeroes_and_flush(uint64_t len);
  StreamResult<uint64_t> splice(InputStream& src, uint64_t len);
  StreamResult<uint64_t> blocking_splice(InputStream& src, uint64_t len);
};

// A host descriptor shared by a filesystem descriptor and the streams made from it.
struct HostFd {
  int fd = -1;
  bool owned = true;
  HostFd(int f, bool own) : fd(f), owned(own) {}
  ~HostFd();
  HostFd(const HostFd&) = delete;
  HostFd& operator=(const HostFd&) = delete;
};

// Streams on host descriptors. `offset` set: a file read/written at an offset that advances
// (pread/pwrite; always ready). Unset: a pipe, terminal or socket (read/write, ready per
// poll(2)). `append`: each write goes to the end of the file.
std::shared_ptr<InputStream> fd_input_stream(std::shared_ptr<HostFd> fd,
                                             std::optional<uint64_t> offset);
std::shared_ptr<OutputStream> fd_output_stream(std::shared_ptr<HostFd> fd,
                                               std::optional<uint64_t> offset,
                                               bool append = false);

// Largest single read or write a stream does (bounds host buffers per call).
inline constexpr uint64_t kMaxIoChunk = uint64_t{1} << 20;

}  // namespace wsvm::wasi::p2
