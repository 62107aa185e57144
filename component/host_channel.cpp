// The host's end of a stream or future (see host_channel.hpp).
#include "component/host_channel.hpp"

#include <utility>

#include "component/event_loop.hpp"

namespace wsvm::component {

AbiResult<std::vector<Val>> HostBuffer::read(uint32_t n) {
  std::vector<Val> out(std::make_move_iterator(items.begin() + progress),
                       std::make_move_iterator(items.begin() + progress + n));
  progress += n;
  return out;
}

std::optional<Trap> HostBuffer::write(const std::vector<Val>& vs) {
  items.insert(items.end(), vs.begin(), vs.end());
  progress += uint32_t(vs.size());
  return std::nullopt;
}

std::shared_ptr<SharedChannel> make_channel(bool future, VTypeP elem) {
  auto ch = std::make_shared<SharedChannel>();
  ch->future = future;
  ch->type_key = elem ? elem->to_string() : "";
  ch->t = std::move(elem);
  return ch;
}

Val readable_end(const std::shared_ptr<SharedChannel>& ch) {
  Val v;
  v.kind = ch->future ? VKind::Future : VKind::Stream;
  v.handle = std::make_shared<CopyEnd>(ch->future ? AsyncKind::FutureReadable : AsyncKind::StreamReadable, ch);
  return v;
}

std::shared_ptr<SharedChannel> channel_of(const Val& v) {
  if ((v.kind != VKind::Stream && v.kind != VKind::Future) || !v.handle) return nullptr;
  return static_cast<CopyEnd*>(v.handle.get())->shared;
}

namespace {

// One copy on the host's side: `done` runs once, with the buffer, when the other side has
// taken part in it (on_copy: the pending host buffer is reclaimed at once) or it ended. It
// runs from the event loop, never inside the guest's built-in: the channel is mid-update
// there (a rendezvous that completes the host's copy then makes the guest's buffer pending),
// so a host that copied again at once would be overwritten.
void host_copy(const std::shared_ptr<SharedChannel>& ch, std::shared_ptr<HostBuffer> buf, bool reading,
               std::function<void(HostBuffer&, CopyResult)> done) {
  auto fired = std::make_shared<bool>(false);
  auto finish = [buf, fired, done](CopyResult r) {
    if (std::exchange(*fired, true)) return;
    host_loop().post([buf, done, r] { done(*buf, r); });
  };
  OnCopy on_copy = [finish](std::function<void()> reclaim) {
    reclaim();
    finish(CopyResult::Completed);
  };
  if (auto trap = ch->copy(nullptr, buf, reading, on_copy, finish)) {
    // The guest's buffer could not take the values: the channel is unusable from here.
    ch->drop();
    finish(CopyResult::Dropped);
  }
}

}  // namespace

void host_read(const std::shared_ptr<SharedChannel>& ch, uint32_t max, HostReadDone done) {
  auto buf = std::make_shared<HostBuffer>();
  buf->t = ch->t;
  buf->length = max;
  host_copy(ch, buf, true, [done](HostBuffer& b, CopyResult r) { done(std::move(b.items), r); });
}

void host_write(const std::shared_ptr<SharedChannel>& ch, std::vector<Val> vals, HostWriteDone done) {
  auto buf = std::make_shared<HostBuffer>();
  buf->t = ch->t;
  buf->length = uint32_t(vals.size());
  buf->items = std::move(vals);
  host_copy(ch, buf, false, [done](HostBuffer& b, CopyResult r) { done(b.progress, r); });
}

void host_write_all(const std::shared_ptr<SharedChannel>& ch, std::vector<Val> vals,
                    std::function<void(bool)> done) {
  auto rest = std::make_shared<std::vector<Val>>(std::move(vals));
  host_write(ch, *rest, [ch, rest, done](uint32_t taken, CopyResult r) {
    if (taken >= rest->size()) return done(true);
    if (r == CopyResult::Dropped) return done(false);
    rest->erase(rest->begin(), rest->begin() + taken);
    host_write_all(ch, std::move(*rest), done);
  });
}

}  // namespace wsvm::component
