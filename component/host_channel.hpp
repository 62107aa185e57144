// The host's end of a stream or future it shares with a guest (WASI 0.3's stdio, file and
// socket streams, directory entries, result futures): the host reads and writes values, not
// guest memory, through the same rendezvous as two guests (async.hpp's SharedChannel), so
// partial copies, zero-length operations, drops and cancellation follow the same rules.
// Callbacks run from the scheduler's event loop (host_loop()) after the copy happened, on the
// scheduler's thread; a callback may start the next copy.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "component/async.hpp"

namespace wsvm::component {

// What the host gives or gets through a channel: values, or for a stream<u8> packed bytes
// (no Val per byte; copies with a guest are a memcpy).
struct HostData {
  std::vector<Val> vals;
  std::vector<uint8_t> bytes;
  bool packed = false;
  HostData() = default;
  HostData(std::vector<Val> v) : vals(std::move(v)) {}
  HostData(std::vector<uint8_t> b) : bytes(std::move(b)), packed(true) {}
  size_t size() const { return packed ? bytes.size() : vals.size(); }
  void drop_front(size_t n);
};

// A copy's buffer on the host's side: `data` is what to give (a write) or what was received
// (a read); `length` bounds a read.
struct HostBuffer : GuestBuffer {
  HostData data;
  AbiResult<std::vector<Val>> read(uint32_t n) override;
  std::optional<Trap> write(const std::vector<Val>& vs) override;
  std::optional<Trap> read_bytes(uint32_t n, std::vector<uint8_t>& out) override;
  std::optional<Trap> write_bytes(std::span<const uint8_t> bytes) override;
};

// A new channel carrying `elem` (null: no payload).
std::shared_ptr<SharedChannel> make_channel(bool future, VTypeP elem);
// The value that hands the guest the readable end of `ch` (a host function's result).
Val readable_end(const std::shared_ptr<SharedChannel>& ch);
// The channel behind a stream or future value a guest passed in (the host now holds its
// readable end); null if `v` is not one.
std::shared_ptr<SharedChannel> channel_of(const Val& v);

// Reads up to `max` elements (0: waits until the writer writes, reading nothing). `done` gets
// the values (packed bytes for a stream<u8>) and Completed, or Dropped when the writer is gone.
using HostReadDone = std::function<void(HostData, CopyResult)>;
void host_read(const std::shared_ptr<SharedChannel>& ch, uint32_t max, HostReadDone done);

// Writes `vals` (empty: waits until the reader reads). `done` gets how many were taken (the
// reader may take fewer: write the rest again) and Completed, or Dropped when the reader is gone.
using HostWriteDone = std::function<void(uint32_t taken, CopyResult)>;
void host_write(const std::shared_ptr<SharedChannel>& ch, HostData vals, HostWriteDone done);

// Writes every value of `vals`, as many copies as the reader needs, then calls `done` (true:
// all taken; false: the reader dropped its end first).
void host_write_all(const std::shared_ptr<SharedChannel>& ch, HostData vals, std::function<void(bool)> done);

}  // namespace wsvm::component
