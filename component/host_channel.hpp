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

// A copy's buffer on the host's side: `items` are the values to give (a write) or the values
// received (a read); `length` bounds a read.
struct HostBuffer : GuestBuffer {
  std::vector<Val> items;
  AbiResult<std::vector<Val>> read(uint32_t n) override;
  std::optional<Trap> write(const std::vector<Val>& vs) override;
};

// A new channel carrying `elem` (null: no payload).
std::shared_ptr<SharedChannel> make_channel(bool future, VTypeP elem);
// The value that hands the guest the readable end of `ch` (a host function's result).
Val readable_end(const std::shared_ptr<SharedChannel>& ch);
// The channel behind a stream or future value a guest passed in (the host now holds its
// readable end); null if `v` is not one.
std::shared_ptr<SharedChannel> channel_of(const Val& v);

// Reads up to `max` elements (0: waits until the writer writes, reading nothing). `done` gets
// the values and Completed, or Dropped when the writer is gone (values may still come with it).
using HostReadDone = std::function<void(std::vector<Val>, CopyResult)>;
void host_read(const std::shared_ptr<SharedChannel>& ch, uint32_t max, HostReadDone done);

// Writes `vals` (empty: waits until the reader reads). `done` gets how many were taken (the
// reader may take fewer: write the rest again) and Completed, or Dropped when the reader is gone.
using HostWriteDone = std::function<void(uint32_t taken, CopyResult)>;
void host_write(const std::shared_ptr<SharedChannel>& ch, std::vector<Val> vals, HostWriteDone done);

// Writes every value of `vals`, as many copies as the reader needs, then calls `done` (true:
// all taken; false: the reader dropped its end first).
void host_write_all(const std::shared_ptr<SharedChannel>& ch, std::vector<Val> vals,
                    std::function<void(bool)> done);

}  // namespace wsvm::component
