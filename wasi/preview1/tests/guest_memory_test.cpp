#include <catch2/catch.hpp>

#include <vector>

#include "wasi/preview1/guest_memory.hpp"
#include "wasi/preview1/iovec.hpp"

using namespace wsvm::wasi;

TEST_CASE("guest memory bounds are exact") {
  std::vector<uint8_t> buf(100);
  GuestMemory m(buf.data(), buf.size());
  CHECK(m.bytes(0, 100) == buf.data());
  CHECK(m.bytes(100, 0) == buf.data() + 100);
  CHECK(m.bytes(99, 2) == nullptr);
  CHECK(m.bytes(101, 0) == nullptr);
  CHECK(m.bytes(0xFFFFFFFF, 0xFFFFFFFFull) == nullptr);
  uint32_t v = 0;
  CHECK(m.store<uint32_t>(96, 7));
  CHECK(!m.store<uint32_t>(97, 7));
  CHECK(m.load(96, v));
  CHECK(v == 7);
  GuestMemory none;
  CHECK(none.bytes(0, 0) == nullptr);
}

TEST_CASE("iovec arrays are checked before any transfer and never allocate per entry") {
  std::vector<uint8_t> buf(4096);
  GuestMemory m(buf.data(), buf.size());
  // iovec 0 at 0: {buf=100, len=10}; iovec 1: {buf=4090, len=10} (out of bounds)
  m.store<uint32_t>(0, 100);
  m.store<uint32_t>(4, 10);
  m.store<uint32_t>(8, 4090);
  m.store<uint32_t>(12, 10);
  uint64_t total = 0;
  int calls = 0;
  auto op = [&](const iovec*, int, uint64_t) -> ssize_t { ++calls; return 0; };
  CHECK(transfer_iovecs(m, 0, 2, total, op) == Errno::Fault);
  CHECK(calls == 0);
  // A count whose array would pass the end of memory faults without reading anything.
  CHECK(transfer_iovecs(m, 0, 0x20000000, total, op) == Errno::Fault);
  // Many valid iovecs are processed in chunks.
  for (uint32_t i = 0; i < 300; ++i) {
    m.store<uint32_t>(i * 8, 3000);
    m.store<uint32_t>(i * 8 + 4, 1);
  }
  uint64_t seen = 0;
  auto count = [&](const iovec* v, int n, uint64_t) -> ssize_t {
    REQUIRE(n <= static_cast<int>(kIovChunk));
    ssize_t s = 0;
    for (int i = 0; i < n; ++i) s += static_cast<ssize_t>(v[i].iov_len);
    seen += static_cast<uint64_t>(s);
    return s;
  };
  CHECK(transfer_iovecs(m, 0, 300, total, count) == Errno::Success);
  CHECK(total == 300);
  CHECK(seen == 300);
}
