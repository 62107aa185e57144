// Moving bytes between the 0.2 host's streams (wasi/p2/io.hpp: files, pipes, terminals,
// sockets) and a 0.3 `stream<u8>` shared with a guest, in the event loop: nothing blocks, a
// stream not ready is waited for with its Readiness (an fd watch or a timer), and the host
// reads its source only when the guest reads (so stdin is not consumed ahead of the guest).
#pragma once

#include <functional>
#include <memory>

#include "component/host_channel.hpp"
#include "wasi/p2/io.hpp"

namespace wsvm::wasi::p3 {

// Calls off a wait: `fn` of the wait then never runs (a no-op once it ran).
using CancelWait = std::function<void()>;
// Runs `fn` in the event loop once `r` is ready (now: at the next turn).
CancelWait when_ready(const p2::Readiness& r, std::function<void()> fn);
// Runs `fn` once `fd` is ready for `poll_events` (POLLIN, POLLOUT) or has an error.
CancelWait when_fd_ready(int fd, short poll_events, std::function<void()> fn);

// `err` is 0 at the end of the data (or when the guest dropped its end), else the errno of
// the failure.
using PumpDone = std::function<void(int err)>;

// Feeds `in` into `ch` (whose readable end the guest holds) as the guest reads; at the end
// drops the writable end and calls `done`.
void pump_in(std::shared_ptr<p2::InputStream> in, std::shared_ptr<component::SharedChannel> ch, PumpDone done);

// Writes what the guest writes into `ch` to `out` until the guest drops its writable end.
void pump_out(std::shared_ptr<component::SharedChannel> ch, std::shared_ptr<p2::OutputStream> out, PumpDone done);

// A future<result<_, E>> the host resolves once: ok, or err(`code`).
void resolve_result_future(const std::shared_ptr<component::SharedChannel>& fut, std::optional<component::Val> error);

}  // namespace wsvm::wasi::p3
