// The WASI 0.2 streams and pollables API (wasi/p2/io.hpp) over host pipes and files, and the
// resource table: non-blocking reads, end of stream, blocking forms, deadlines, splice.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "wasi/p2/io.hpp"

using namespace wsvm::wasi::p2;

namespace {

struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    r = fds[0];
    w = fds[1];
  }
};

std::span<const uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

}  // namespace

TEST_CASE("p2 io: a pipe's input stream: nothing yet, data, then closed") {
  Pipe p;
  auto in = fd_input_stream(std::make_shared<HostFd>(p.r, true), std::nullopt);
  auto none = in->read(10);
  REQUIRE(none);
  CHECK(none->empty());
  Readiness r = in->readiness();
  CHECK(ready_now(std::span<const Readiness>(&r, 1)).empty());
  REQUIRE(write(p.w, "abc", 3) == 3);
  CHECK(ready_now(std::span<const Readiness>(&r, 1)) == std::vector<uint32_t>{0});
  auto got = in->read(2);
  REQUIRE(got);
  CHECK(std::string(got->begin(), got->end()) == "ab");
  close(p.w);
  auto rest = in->blocking_read(10);
  REQUIRE(rest);
  CHECK(std::string(rest->begin(), rest->end()) == "c");
  auto end = in->blocking_read(10);
  REQUIRE_FALSE(end);
  CHECK(end.error().closed);
}

TEST_CASE("p2 io: a file's streams at offsets, append, splice, write-zeroes") {
  char path[] = "/tmp/wsvm-p2-io-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  unlink(path);
  auto file = std::make_shared<HostFd>(fd, true);
  auto out = fd_output_stream(file, 2);
  REQUIRE(out->blocking_write_and_flush(bytes("hello")));
  REQUIRE(out->write_zeroes(2));
  auto app = fd_output_stream(file, std::nullopt, true);
  REQUIRE(app->write(bytes("!")));
  auto in = fd_input_stream(file, 0);
  auto all = in->blocking_read(100);
  REQUIRE(all);
  CHECK(*all == std::vector<uint8_t>{0, 0, 'h', 'e', 'l', 'l', 'o', 0, 0, '!'});
  auto end = in->read(1);
  REQUIRE_FALSE(end);
  CHECK(end.error().closed);
  // splice from the start of the file into a pipe
  Pipe p;
  auto sink = fd_output_stream(std::make_shared<HostFd>(p.w, true), std::nullopt);
  auto src = fd_input_stream(file, 2);
  auto n = sink->blocking_splice(*src, 5);
  REQUIRE(n);
  CHECK(*n == 5);
  char buf[8] = {};
  CHECK(read(p.r, buf, sizeof buf) == 5);
  CHECK(std::string(buf) == "hello");
  close(p.r);
}

TEST_CASE("p2 io: a write to a pipe whose reader left is last-operation-failed (EPIPE), each time") {
  Pipe p;
  close(p.r);
  auto out = fd_output_stream(std::make_shared<HostFd>(p.w, true), std::nullopt);
  for (int i = 0; i < 2; ++i) {
    auto w = out->blocking_write_and_flush(bytes("x"));
    REQUIRE_FALSE(w);
    CHECK_FALSE(w.error().closed);
    CHECK(w.error().host_errno == EPIPE);
  }
}

TEST_CASE("p2 io: wait_any returns the first ready: a deadline, an fd, an always-ready") {
  Pipe p;
  auto soon = MonoClock::now() + std::chrono::milliseconds(20);
  std::vector<Readiness> rs = {Readiness::on_fd(p.r, POLLIN), Readiness::at(soon)};
  auto t0 = MonoClock::now();
  CHECK(wait_any(rs) == std::vector<uint32_t>{1});
  CHECK(MonoClock::now() - t0 >= std::chrono::milliseconds(15));
  REQUIRE(write(p.w, "x", 1) == 1);
  rs[1] = Readiness::at(MonoClock::now() + std::chrono::hours(1));
  CHECK(wait_any(rs) == std::vector<uint32_t>{0});
  rs.push_back(Readiness::now());
  CHECK(wait_any(rs) == std::vector<uint32_t>{0, 2});
  // nothing could ever wake it: returns at once, none ready
  Readiness never;
  CHECK(wait_any(std::span<const Readiness>(&never, 1)).empty());
  close(p.r);
  close(p.w);
}

TEST_CASE("p2 table: reps are unique and non-zero, removal frees, a pollable keeps its parent") {
  ResourceTable t;
  auto a = t.add(std::make_shared<IoError>(StreamError::end()));
  auto b = t.add(std::make_shared<IoError>(StreamError::end()));
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a != 0);
  CHECK(*a != *b);
  CHECK(t.get<IoError>(*a));
  CHECK_FALSE(t.get<Pollable>(*a));  // another type
  CHECK_FALSE(t.get<IoError>(999));
  t.remove(*a);
  CHECK(t.live() == 1);
  Pipe p;
  std::shared_ptr<InputStream> in = fd_input_stream(std::make_shared<HostFd>(p.r, true), std::nullopt);
  auto sr = t.add(in);
  auto pr = t.add(std::make_shared<Pollable>([in] { return in->readiness(); }, in));
  std::weak_ptr<InputStream> weak = in;
  in.reset();
  t.remove(*sr);
  CHECK_FALSE(weak.expired());  // the pollable still needs it
  t.remove(*pr);
  CHECK(weak.expired());
  close(p.w);
}
