#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "memory/linear_memory.hpp"
#include "memory/memory_image.hpp"
#include "memory/trap_handler.hpp"

using wsvm::memory::ImageWrite;
using wsvm::memory::kWasmPageSize;
using wsvm::memory::LinearMemory;
using wsvm::memory::MemoryImage;

namespace {

std::span<const uint8_t> text(const char* s) { return {reinterpret_cast<const uint8_t*>(s), std::strlen(s)}; }

std::shared_ptr<MemoryImage> image_of(uint64_t pages, std::vector<ImageWrite> writes) {
  std::string err;
  auto image = MemoryImage::create(pages, writes, &err);
  INFO(err);
  REQUIRE(image);
  return image;
}

std::unique_ptr<LinearMemory> from(std::shared_ptr<MemoryImage> image, std::optional<uint64_t> max = {},
                                   uint64_t limit = 65536) {
  std::string err;
  auto m = LinearMemory::create_from_image(std::move(image), max, limit, &err);
  INFO(err);
  return m;
}

bool all_zero(const uint8_t* p, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i)
    if (p[i] != 0) return false;
  return true;
}

void touch(void* p) { *static_cast<volatile uint8_t*>(p) = 1; }

}  // namespace

TEST_CASE("a memory from an image reads the writes over zeros", "[memory][image]") {
  auto image = image_of(3, {{10, text("hello")}, {70000, text("world")}, {12, text("LL")}});
  CHECK(image->initial_pages() == 3);
  CHECK(image->image_bytes() == 73728);  // 70005 rounded up to whole 4 KiB pages
  auto m = from(image);
  REQUIRE(m);
  CHECK(m->pages() == 3);
  CHECK(std::memcmp(m->base() + 10, "heLLo", 5) == 0);  // a later write over an earlier one
  CHECK(std::memcmp(m->base() + 70000, "world", 5) == 0);
  CHECK(all_zero(m->base(), 10));
  CHECK(all_zero(m->base() + 15, 70000 - 15));
  CHECK(all_zero(m->base() + 70005, 3 * kWasmPageSize - 70005));
}

TEST_CASE("memories from one image are private to each other", "[memory][image]") {
  auto image = image_of(1, {{0, text("abc")}});
  auto a = from(image);
  auto b = from(image);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->base() != b->base());
  a->base()[0] = 'X';
  b->base()[60000] = 7;
  CHECK(b->base()[0] == 'a');
  CHECK(a->base()[60000] == 0);
  CHECK(image->live() == 2);
}

TEST_CASE("a reservation goes back to the image reset and is taken again", "[memory][image]") {
  auto image = image_of(1, {{100, text("image")}});
  uint8_t* first = nullptr;
  {
    auto m = from(image);
    REQUIRE(m);
    first = m->base();
    std::memset(m->base(), 0xEE, kWasmPageSize);  // over the image and the zero pages
    CHECK(m->grow(2) == 1);
    std::memset(m->base() + kWasmPageSize, 0xDD, 2 * kWasmPageSize);
  }
  CHECK(image->live() == 0);
  CHECK(image->pooled() == 1);
  auto m = from(image);
  REQUIRE(m);
  CHECK(m->base() == first);  // the pooled reservation, no new mapping
  CHECK(image->pooled() == 0);
  CHECK(m->pages() == 1);
  CHECK(std::memcmp(m->base() + 100, "image", 5) == 0);
  CHECK(all_zero(m->base(), 100));
  CHECK(all_zero(m->base() + 105, kWasmPageSize - 105));
  // The pages the last memory grew are inaccessible again, and growing gives zeros.
  REQUIRE(wsvm::memory::install_trap_handler());
  wsvm::memory::TrapInfo info;
  CHECK_FALSE(wsvm::memory::run_with_trap_recovery(touch, m->base() + kWasmPageSize, &info));
  CHECK(m->grow(2) == 1);
  CHECK(all_zero(m->base() + kWasmPageSize, 2 * kWasmPageSize));
}

TEST_CASE("the pool keeps at most its capacity", "[memory][image]") {
  auto image = image_of(1, {});
  CHECK(image->image_bytes() == 0);  // no writes: zero pages only, no file mapped
  std::vector<std::unique_ptr<LinearMemory>> ms;
  for (int i = 0; i < 5; ++i) ms.push_back(from(image));
  image->set_pool_capacity(3);
  ms.clear();
  CHECK(image->pooled() == 3);
  image->set_pool_capacity(1);
  CHECK(image->pooled() == 1);
  image->set_pool_capacity(0);
  CHECK(image->pooled() == 0);
  auto m = from(image);
  REQUIRE(m);
  CHECK(all_zero(m->base(), kWasmPageSize));
}

TEST_CASE("limits apply to memories from an image", "[memory][image]") {
  auto image = image_of(4, {{0, text("x")}});
  std::string err;
  CHECK_FALSE(LinearMemory::create_from_image(image, 2, 65536, &err));
  CHECK(err == "memory size exceeds the limit");
  CHECK_FALSE(LinearMemory::create_from_image(image, {}, 3, &err));
  auto m = from(image, 5, 65536);
  REQUIRE(m);
  CHECK(m->grow(1) == 4);
  CHECK(m->grow(1) == -1);  // the declared maximum
  auto limited = from(image, {}, 4);
  REQUIRE(limited);
  CHECK(limited->grow(1) == -1);  // the embedder's limit
  CHECK(image->live() == 2);
}

TEST_CASE("an image refuses writes outside its initial pages", "[memory][image]") {
  std::string err;
  std::vector<ImageWrite> past{{kWasmPageSize - 2, text("abc")}};
  CHECK_FALSE(MemoryImage::create(1, past, &err));
  CHECK(err == "memory image: a write lies outside the initial pages");
  std::vector<ImageWrite> huge{{~uint64_t{0}, text("a")}};
  CHECK_FALSE(MemoryImage::create(1, huge, &err));
  std::vector<ImageWrite> none_pages{{0, text("a")}};
  CHECK_FALSE(MemoryImage::create(0, none_pages, &err));
  std::vector<ImageWrite> empty_at_end{{kWasmPageSize, {}}};
  CHECK(MemoryImage::create(1, empty_at_end, &err));
}

TEST_CASE("a large memory is reset by dropping its pages", "[memory][image]") {
  const uint64_t pages = MemoryImage::kKeepResidentBytes / kWasmPageSize + 4;
  std::vector<uint8_t> data(200000, 0x5A);
  auto image = image_of(pages, {{1000, data}});
  uint8_t* first = nullptr;
  {
    auto m = from(image);
    REQUIRE(m);
    first = m->base();
    std::memset(m->base(), 0x11, pages * kWasmPageSize);
  }
  auto m = from(image);
  REQUIRE(m);
  CHECK(m->base() == first);
  CHECK(all_zero(m->base(), 1000));
  CHECK(std::memcmp(m->base() + 1000, data.data(), data.size()) == 0);
  CHECK(all_zero(m->base() + 201000, pages * kWasmPageSize - 201000));
}
