// The host's event loop (timers, fd watches, posted work, cancel, idle) and the host's end of
// a stream or future (host_channel.hpp): partial copies, zero-length waits, drops.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "component/event_loop.hpp"
#include "component/host_channel.hpp"

using namespace wsvm::component;

TEST_CASE("event loop: an idle loop does not wait") {
  EventLoop loop;
  CHECK(loop.idle());
  CHECK_FALSE(loop.run_once());
}

TEST_CASE("event loop: timers fire in deadline order, cancelled ones never") {
  EventLoop loop;
  std::vector<int> order;
  uint64_t now = EventLoop::now_ns();
  loop.add_timer(now + 2'000'000, [&] { order.push_back(2); });
  uint64_t gone = loop.add_timer(now + 1'000'000, [&] { order.push_back(9); });
  loop.add_timer(now, [&] { order.push_back(1); });
  loop.cancel(gone);
  while (loop.run_once()) {
  }
  CHECK(order == std::vector<int>{1, 2});
  CHECK(EventLoop::now_ns() >= now + 2'000'000);
}

TEST_CASE("event loop: posted work runs at the next turn, fd watches when ready") {
  EventLoop loop;
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  bool readable = false, posted = false;
  loop.watch_fd(fds[0], 0x001 /* EPOLLIN */, [&] { readable = true; });
  loop.post([&] { posted = true; });
  uint64_t no_wait = 0;
  loop.run_once(&no_wait);
  CHECK(posted);
  CHECK_FALSE(readable);
  REQUIRE(write(fds[1], "x", 1) == 1);
  loop.run_once();
  CHECK(readable);
  CHECK(loop.idle());
  // A watch that is cancelled never fires; a closed fd is told at once (its owner finds out).
  uint64_t id = loop.watch_fd(fds[0], 0x001, [&] { FAIL("cancelled watch fired"); });
  loop.cancel(id);
  CHECK(loop.idle());
  close(fds[0]);
  close(fds[1]);
  bool told = false;
  loop.watch_fd(fds[0], 0x001, [&] { told = true; });
  loop.run_once();
  CHECK(told);
}

namespace {

std::vector<Val> bytes(std::initializer_list<uint8_t> bs) {
  std::vector<Val> v;
  for (uint8_t b : bs) v.push_back(Val::u8(b));
  return v;
}

void drain() {
  while (host_loop().run_once()) {
  }
}

}  // namespace

TEST_CASE("host channel: a write meets a smaller read, the rest goes on the next read") {
  auto ch = make_channel(false, t_prim(VKind::U8));
  uint32_t taken = 0;
  host_write(ch, bytes({1, 2, 3, 4, 5}), [&](uint32_t n, CopyResult r) {
    taken = n;
    CHECK(r == CopyResult::Completed);
  });
  HostData got;
  host_read(ch, 3, [&](HostData v, CopyResult r) {
    got = std::move(v);
    CHECK(r == CopyResult::Completed);
  });
  drain();
  CHECK(taken == 3);
  REQUIRE(got.packed);  // a stream<u8> comes as bytes
  CHECK(got.bytes == std::vector<uint8_t>{1, 2, 3});
}

TEST_CASE("host channel: write_all finishes across reads; a drop ends the reader") {
  auto ch = make_channel(false, t_prim(VKind::U8));
  bool all = false;
  host_write_all(ch, bytes({1, 2, 3, 4}), [&](bool ok) { all = ok; });
  std::vector<uint8_t> seen;
  std::function<void()> read_more = [&] {
    host_read(ch, 3, [&](HostData v, CopyResult r) {
      seen.insert(seen.end(), v.bytes.begin(), v.bytes.end());
      if (r == CopyResult::Completed) read_more();
    });
  };
  read_more();
  for (int i = 0; i < 10 && !all; ++i) host_loop().run_once();
  CHECK(all);
  CHECK(seen == std::vector<uint8_t>{1, 2, 3, 4});
  ch->drop();  // the writer goes: the pending read ends as Dropped
  drain();
  CHECK(seen.size() == 4);
}

TEST_CASE("host channel: values of other types stay values; bytes given as values arrive packed") {
  auto ch = make_channel(false, t_prim(VKind::U32));
  HostData got;
  host_write(ch, std::vector<Val>{Val::u32(7), Val::u32(8)}, [](uint32_t, CopyResult) {});
  host_read(ch, 8, [&](HostData v, CopyResult) { got = std::move(v); });
  drain();
  REQUIRE_FALSE(got.packed);
  REQUIRE(got.vals.size() == 2);
  CHECK(got.vals[1].u == 8);
  auto bytes_ch = make_channel(false, t_prim(VKind::U8));
  host_write(bytes_ch, bytes({9}), [](uint32_t, CopyResult) {});
  host_read(bytes_ch, 8, [&](HostData v, CopyResult) { got = std::move(v); });
  drain();
  CHECK(got.bytes == std::vector<uint8_t>{9});
}

TEST_CASE("host channel: a zero-length write waits for a reader; a dropped reader is told") {
  auto ch = make_channel(false, t_prim(VKind::U8));
  CopyResult result = CopyResult::Cancelled;
  host_write(ch, {}, [&](uint32_t, CopyResult r) { result = r; });
  drain();
  CHECK(result == CopyResult::Cancelled);  // nobody read yet
  ch->drop();
  drain();
  CHECK(result == CopyResult::Dropped);
}
