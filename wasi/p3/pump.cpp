// Byte pumps between the 0.2 host's streams and 0.3 stream<u8> channels (see pump.hpp).
#include "wasi/p3/pump.hpp"

#include <sys/epoll.h>
#include <poll.h>

#include <cerrno>

#include "component/event_loop.hpp"

namespace wsvm::wasi::p3 {

using component::CopyResult;
using component::SharedChannel;
using component::Val;

namespace {

// Bytes per copy: what the guest asks for, up to this.
constexpr uint32_t kChunk = 64 * 1024;

int error_of(const p2::StreamError& e) { return e.closed ? 0 : (e.host_errno ? e.host_errno : EIO); }

struct PumpIn : std::enable_shared_from_this<PumpIn> {
  std::shared_ptr<p2::InputStream> in;
  std::shared_ptr<SharedChannel> ch;
  PumpDone done;

  void end(int err) {
    ch->drop();
    done(err);
  }
  // Waits until the guest reads (a zero-length write completes then), then reads the source.
  void wait_for_reader() {
    auto self = shared_from_this();
    component::host_write(ch, {}, [self](uint32_t, CopyResult r) {
      if (r == CopyResult::Dropped) return self->done(0);
      self->read_source();
    });
  }
  void read_source() {
    auto self = shared_from_this();
    auto data = in->read(kChunk);
    if (!data) return end(error_of(data.error()));
    if (data->empty()) {
      // Waits for the source; the guest dropping its end meanwhile ends the pump (a socket no
      // data comes to must not keep the pump, and the future of how it ended, waiting).
      auto cancel = when_ready(in->readiness(), [self] {
        self->ch->on_drop = nullptr;
        self->read_source();
      });
      ch->on_drop = [weak = weak_from_this(), cancel] {
        auto p = weak.lock();  // the wait holds it until cancelled
        cancel();
        if (p) component::host_loop().post([p] { p->done(0); });
      };
      return;
    }
    component::host_write_all(ch, std::move(*data), [self](bool all) {
      if (!all) return self->done(0);
      self->wait_for_reader();
    });
  }
};

struct PumpOut : std::enable_shared_from_this<PumpOut> {
  std::shared_ptr<SharedChannel> ch;
  std::shared_ptr<p2::OutputStream> out;
  PumpDone done;

  void next() {
    auto self = shared_from_this();
    component::host_read(ch, kChunk, [self](component::HostData got, CopyResult r) {
      auto bytes = std::make_shared<std::vector<uint8_t>>(std::move(got.bytes));  // packed: a u8 stream
      self->write(bytes, 0, r == CopyResult::Dropped);
    });
  }
  void fail(int err) {
    ch->drop();  // the guest's next write sees the reader gone
    done(err);
  }
  void write(std::shared_ptr<std::vector<uint8_t>> bytes, size_t from, bool last) {
    auto self = shared_from_this();
    while (from < bytes->size()) {
      auto n = out->check_write();
      if (!n) return fail(error_of(n.error()) ? error_of(n.error()) : EPIPE);
      if (*n == 0) {
        when_ready(out->readiness(), [self, bytes, from, last] { self->write(bytes, from, last); });
        return;
      }
      size_t k = std::min<size_t>(*n, bytes->size() - from);
      if (auto w = out->write(std::span<const uint8_t>(bytes->data() + from, k)); !w)
        return fail(error_of(w.error()) ? error_of(w.error()) : EPIPE);
      from += k;
    }
    if (auto f = out->flush(); !f) return fail(error_of(f.error()));
    if (last) return done(0);
    next();
  }
};

}  // namespace

CancelWait when_ready(const p2::Readiness& r, std::function<void()> fn) {
  component::EventLoop& loop = component::host_loop();
  // An fd, a deadline, both or neither (now): whichever comes first runs `fn` once and forgets
  // the other; a cancel forgets both.
  auto once = std::make_shared<std::function<void()>>(std::move(fn));
  auto ids = std::make_shared<std::pair<uint64_t, uint64_t>>(0, 0);
  auto forget = [once, ids, &loop] {
    loop.cancel(std::exchange(ids->first, 0));
    loop.cancel(std::exchange(ids->second, 0));
    return std::exchange(*once, nullptr);
  };
  auto fire = [forget] {
    if (auto f = forget()) f();
  };
  if (r.ready || (r.fd < 0 && !r.deadline)) {
    loop.post(fire);
    return [forget] { forget(); };
  }
  if (r.fd >= 0) {
    uint32_t ev = ((r.events & POLLIN) ? uint32_t(EPOLLIN) : 0u) | ((r.events & POLLOUT) ? uint32_t(EPOLLOUT) : 0u);
    ids->first = loop.watch_fd(r.fd, ev, fire);
  }
  if (r.deadline) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(r.deadline->time_since_epoch()).count();
    ids->second = loop.add_timer(uint64_t(std::max<int64_t>(ns, 0)), fire);
  }
  return [forget] { forget(); };
}

CancelWait when_fd_ready(int fd, short poll_events, std::function<void()> fn) {
  return when_ready(p2::Readiness{.fd = fd, .events = poll_events}, std::move(fn));
}

void pump_in(std::shared_ptr<p2::InputStream> in, std::shared_ptr<SharedChannel> ch, PumpDone done) {
  auto p = std::make_shared<PumpIn>();
  p->in = std::move(in), p->ch = std::move(ch), p->done = std::move(done);
  p->wait_for_reader();
}

void pump_out(std::shared_ptr<SharedChannel> ch, std::shared_ptr<p2::OutputStream> out, PumpDone done) {
  auto p = std::make_shared<PumpOut>();
  p->ch = std::move(ch), p->out = std::move(out), p->done = std::move(done);
  p->next();
}

void resolve_result_future(const std::shared_ptr<SharedChannel>& fut, std::optional<Val> error) {
  Val v = error ? Val::err({std::move(*error)}) : Val::ok();
  component::host_write(fut, std::vector<Val>{std::move(v)}, [](uint32_t, CopyResult) {});
}

}  // namespace wsvm::wasi::p3
