// The host's end of a stream or future (see host_channel.hpp).
#include "component/host_channel.hpp"

#include <utility>

#include "component/event_loop.hpp"

namespace wsvm::component {

void HostData::drop_front(size_t n) {
  if (packed) bytes.erase(bytes.begin(), bytes.begin() + long(n));
  else vals.erase(vals.begin(), vals.begin() + long(n));
}

AbiResult<std::vector<Val>> HostBuffer::read(uint32_t n) {
  std::vector<Val> out;
  out.reserve(n);
  for (uint32_t i = progress; i < progress + n; ++i)
    out.push_back(data.packed ? Val::u8(data.bytes[i]) : std::move(data.vals[i]));
  progress += n;
  return out;
}

std::optional<Trap> HostBuffer::write(const std::vector<Val>& vs) {
  for (const Val& v : vs)
    if (data.packed) data.bytes.push_back(uint8_t(v.u)); else data.vals.push_back(v);
  progress += uint32_t(vs.size());
  return std::nullopt;
}

std::optional<Trap> HostBuffer::read_bytes(uint32_t n, std::vector<uint8_t>& out) {
  for (uint32_t i = progress; i < progress + n; ++i)
    out.push_back(data.packed ? data.bytes[i] : uint8_t(data.vals[i].u));
  progress += n;
  return std::nullopt;
}

std::optional<Trap> HostBuffer::write_bytes(std::span<const uint8_t> bytes) {
  if (data.packed) data.bytes.insert(data.bytes.end(), bytes.begin(), bytes.end());
  else for (uint8_t b : bytes) data.vals.push_back(Val::u8(b));
  progress += uint32_t(bytes.size());
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
  buf->data.packed = ch->t && ch->t->kind == VKind::U8;
  host_copy(ch, buf, true, [done](HostBuffer& b, CopyResult r) { done(std::move(b.data), r); });
}

void host_write(const std::shared_ptr<SharedChannel>& ch, HostData vals, HostWriteDone done) {
  auto buf = std::make_shared<HostBuffer>();
  buf->t = ch->t;
  buf->length = uint32_t(vals.size());
  buf->data = std::move(vals);
  host_copy(ch, buf, false, [done](HostBuffer& b, CopyResult r) { done(b.progress, r); });
}

void host_write_all(const std::shared_ptr<SharedChannel>& ch, HostData vals, std::function<void(bool)> done) {
  auto rest = std::make_shared<HostData>(std::move(vals));
  host_write(ch, *rest, [ch, rest, done](uint32_t taken, CopyResult r) {
    if (taken >= rest->size()) return done(true);
    if (r == CopyResult::Dropped) return done(false);
    rest->drop_front(taken);
    host_write_all(ch, std::move(*rest), done);
  });
}

}  // namespace wsvm::component
