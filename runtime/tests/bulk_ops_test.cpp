// Bulk operations: bounds are checked before any write, copies are overlap-safe.
#include <cstring>
#include <numeric>

#include "runtime/bulk_ops.hpp"
#include "runtime/tests/test_engine.hpp"

using namespace wsvm;
using wsvm::test::TestEngine;

namespace {

TableInstance table_of(std::initializer_list<Ref> refs) {
  TableInstance t;
  t.elems = refs;
  return t;
}

}  // namespace

TEST_CASE("table_init copies a range and checks both ranges") {
  TableInstance t = table_of({0, 0, 0, 0});
  ElemInstance e{ValType::FuncRef, {11, 12, 13}};
  CHECK_FALSE(table_init(t, e, 1, 1, 2).has_value());
  CHECK(t.elems == std::vector<Ref>{0, 12, 13, 0});
  auto trap = table_init(t, e, 3, 0, 2);  // destination runs past the end
  REQUIRE(trap.has_value());
  CHECK(trap->message == "out of bounds table access");
  CHECK(t.elems == std::vector<Ref>{0, 12, 13, 0});  // nothing written
  CHECK(table_init(t, e, 0, 2, 2).has_value());      // source runs past the end
  CHECK_FALSE(table_init(t, e, 4, 3, 0).has_value());  // empty ranges at the ends are fine
  CHECK(table_init(t, e, 5, 0, 0).has_value());        // but not past them
  CHECK(table_init(t, e, 0, 4, 0).has_value());
  CHECK(table_init(t, e, 0xFFFFFFFF, 0, 0xFFFFFFFF).has_value());  // no 32-bit wrap-around
  ElemInstance dropped{ValType::FuncRef, {}};
  CHECK_FALSE(table_init(t, dropped, 0, 0, 0).has_value());
  CHECK(table_init(t, dropped, 0, 0, 1).has_value());
}

TEST_CASE("table_copy handles overlap in both directions") {
  TableInstance t = table_of({1, 2, 3, 4, 5});
  CHECK_FALSE(table_copy(t, t, 1, 0, 3).has_value());
  CHECK(t.elems == std::vector<Ref>{1, 1, 2, 3, 5});
  CHECK_FALSE(table_copy(t, t, 0, 2, 3).has_value());
  CHECK(t.elems == std::vector<Ref>{2, 3, 5, 3, 5});
  TableInstance u = table_of({9, 9});
  CHECK_FALSE(table_copy(u, t, 0, 3, 2).has_value());
  CHECK(u.elems == std::vector<Ref>{3, 5});
  CHECK(table_copy(u, t, 1, 0, 2).has_value());
  CHECK(table_copy(u, t, 0, 4, 2).has_value());
  CHECK(u.elems == std::vector<Ref>{3, 5});
}

TEST_CASE("table_fill checks bounds first") {
  TableInstance t = table_of({0, 0, 0});
  CHECK_FALSE(table_fill(t, 1, 7, 2).has_value());
  CHECK(t.elems == std::vector<Ref>{0, 7, 7});
  CHECK(table_fill(t, 2, 8, 2).has_value());
  CHECK(t.elems == std::vector<Ref>{0, 7, 7});
  CHECK_FALSE(table_fill(t, 3, 8, 0).has_value());
}

TEST_CASE("memory bulk operations") {
  TestEngine engine;
  Store store(engine);
  MemoryInstance* m = *store.create_memory(MemoryType{Limits{1, {}}});
  uint8_t* b = m->mem->base();
  const uint64_t size = m->mem->size_bytes();

  static const uint8_t bytes[] = {'a', 'b', 'c', 'd'};
  DataInstance d{bytes};
  CHECK_FALSE(memory_init(*m, d, 10, 1, 3).has_value());
  CHECK(std::memcmp(b + 10, "bcd", 3) == 0);
  auto trap = memory_init(*m, d, static_cast<uint32_t>(size - 1), 0, 2);
  REQUIRE(trap.has_value());
  CHECK(trap->message == "out of bounds memory access");
  CHECK(b[size - 1] == 0);
  CHECK(memory_init(*m, d, 0, 3, 2).has_value());
  CHECK_FALSE(memory_init(*m, d, static_cast<uint32_t>(size), 4, 0).has_value());
  CHECK(memory_init(*m, d, static_cast<uint32_t>(size + 1), 0, 0).has_value());

  std::iota(b, b + 8, uint8_t{1});  // 1..8
  CHECK_FALSE(memory_copy(*m, 2, 0, 4).has_value());  // forward overlap
  CHECK(std::memcmp(b, "\x01\x02\x01\x02\x03\x04\x07\x08", 8) == 0);
  CHECK_FALSE(memory_copy(*m, 0, 3, 4).has_value());  // backward overlap
  CHECK(std::memcmp(b, "\x02\x03\x04\x07\x03\x04\x07\x08", 8) == 0);
  CHECK(memory_copy(*m, 0, static_cast<uint32_t>(size - 2), 3).has_value());
  CHECK(b[0] == 2);

  CHECK_FALSE(memory_fill(*m, 100, 0xAB, 4).has_value());
  CHECK(b[103] == 0xAB);
  CHECK(b[104] == 0);
  CHECK(memory_fill(*m, static_cast<uint32_t>(size - 3), 0xCD, 4).has_value());
  CHECK(b[size - 3] == 0);
  CHECK(memory_fill(*m, 0xFFFFFFFF, 0, 2).has_value());
}
