#include <catch2/catch.hpp>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "memory/populate.hpp"
#include "tests/emulation.hpp"

namespace {

constexpr size_t kPage = 4096;

// How many of the `pages` pages at `base` are resident (mincore).
size_t resident_pages(void* base, size_t pages) {
  std::vector<unsigned char> v(pages);
  REQUIRE(mincore(base, pages * kPage, v.data()) == 0);
  size_t n = 0;
  for (unsigned char c : v) n += c & 1;
  return n;
}

}  // namespace

TEST_CASE("populate_for_write makes the whole pages inside a range present", "[populate]") {
  constexpr size_t kPages = 16;
  void* m = mmap(nullptr, kPages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(m != MAP_FAILED);
  auto* base = static_cast<uint8_t*>(m);
  REQUIRE(resident_pages(base, kPages) == 0);
  // From the middle of page 1 to the middle of page 9: pages 2..8 are whole.
  const bool done = wsvm::memory::populate_for_write(base + kPage + 100, 8 * kPage);
  if (done && wsvm::test::running_under_emulator()) {
    // qemu-user answers madvise(MADV_POPULATE_WRITE) with success and populates nothing.
    WARN("under an emulator: madvise succeeded, residency is the emulator's and not checked");
  } else if (done) {
    CHECK(resident_pages(base + 2 * kPage, 7) == 7);
    CHECK(resident_pages(base, 2) == 0);              // the partial first page is left alone
    CHECK(resident_pages(base + 9 * kPage, 7) == 0);  // and so is everything after
  } else {
    WARN("MADV_POPULATE_WRITE is not supported by this kernel: only the no-op paths are checked");
  }
  munmap(m, kPages * kPage);
}

TEST_CASE("populate_for_write keeps what the pages hold", "[populate]") {
  std::vector<uint8_t> buf(64 * kPage);
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<uint8_t>(i * 7 + 3);
  (void)wsvm::memory::populate_for_write(buf.data(), buf.size());
  bool same = true;
  for (size_t i = 0; i < buf.size(); ++i) same = same && buf[i] == static_cast<uint8_t>(i * 7 + 3);
  CHECK(same);
}

TEST_CASE("populate_for_write with no whole page inside does nothing and succeeds", "[populate]") {
  alignas(4096) static uint8_t page[2 * kPage];
  CHECK(wsvm::memory::populate_for_write(page + 10, 100));
  CHECK(wsvm::memory::populate_for_write(page + 1, kPage));  // straddles, holds no whole page
  CHECK(wsvm::memory::populate_for_write(page, 0));
}
