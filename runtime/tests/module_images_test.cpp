// Copy-on-write memory images (runtime/module_images.hpp): the second and later
// instantiations of a module map their memories from an image; what the guest sees must be
// exactly what copying the segments gives, in every built engine.
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engines/registry.hpp"
#include "memory/memory_image.hpp"
#include "runtime/linker.hpp"
#include "runtime/tests/test_engine.hpp"

using namespace wsvm;
using namespace wsvm::test;

namespace {

// One Store and instance of a module (each instantiation its own, as a server's requests).
struct Inst {
  std::unique_ptr<Store> store;
  Instance* inst = nullptr;

  uint32_t call(const char* name, std::vector<Value> args = {}) {
    auto r = store->invoke(inst->find_func(name), args);
    if (!r) FAIL(name << ": " << r.error().message);
    return r->empty() ? 0 : (*r)[0].i32;
  }
  const memory::LinearMemory& mem() const { return *inst->find_export("m")->memory->mem; }
};

Inst instantiate(Engine& engine, const std::shared_ptr<const CompiledModule>& module, Linker& linker) {
  Inst i{std::make_unique<Store>(engine)};
  auto r = linker.instantiate(*i.store, module);
  if (!r) FAIL(r.error().to_string());
  i.inst = *r;
  return i;
}

std::unique_ptr<Engine> engine_named() {
  std::vector<std::string> names;
  for (std::string_view n : built_engine_names()) names.emplace_back(n);
  auto engine = make_engine(GENERATE_COPY(from_range(names)));
  REQUIRE(engine.has_value());
  return std::move(*engine);
}

}  // namespace

TEST_CASE("images: later instances see the segments and none of another's writes") {
  auto engine = engine_named();
  auto module = compile_fixture(*engine, "images");
  Linker linker;
  std::vector<Inst> live;
  for (int n = 0; n < 4; ++n) {
    Inst i = instantiate(*engine, module, linker);
    INFO("instance " << n);
    CHECK((i.mem().image() != nullptr) == (n > 0));  // the first one copies
    CHECK(std::memcmp(i.mem().base() + 16, "heLLo", 5) == 0);
    CHECK(i.call("load", {Value::from_i32(15)}) == 0);
    CHECK(i.call("load", {Value::from_i32(21)}) == 0);
    CHECK(i.call("load", {Value::from_i32(65535)}) == 0);
    CHECK(i.call("size") == 1);
    i.call("store", {Value::from_i32(16), Value::from_i32('X')});
    i.call("store", {Value::from_i32(40000), Value::from_i32(9)});
    CHECK(i.call("load", {Value::from_i32(16)}) == 'X');
    i.call("init_passive");
    CHECK(std::memcmp(i.mem().base() + 100, "passive", 7) == 0);
    auto trap = i.store->invoke(i.inst->find_func("init_active"), {});
    REQUIRE_FALSE(trap);
    CHECK(trap.error().message == "out of bounds memory access");
    CHECK(i.call("grow", {Value::from_i32(2)}) == 1);
    i.call("store", {Value::from_i32(3 * 65536 - 1), Value::from_i32(5)});
    if (n % 2 == 0) live.push_back(std::move(i));  // kept alive beside the next ones
  }
  live.clear();
  // Reservations given back reset: a grown, written memory comes back as the image.
  Inst again = instantiate(*engine, module, linker);
  REQUIRE(again.mem().image() != nullptr);
  CHECK(again.mem().image()->pooled() + again.mem().image()->live() >= 2);
  CHECK(again.call("size") == 1);
  CHECK(std::memcmp(again.mem().base() + 16, "heLLo", 5) == 0);
  CHECK(again.call("load", {Value::from_i32(40000)}) == 0);
  CHECK(again.call("grow", {Value::from_i32(2)}) == 1);
  CHECK(again.call("load", {Value::from_i32(3 * 65536 - 1)}) == 0);
}

TEST_CASE("images: an offset from an imported global keeps copying") {
  auto engine = engine_named();
  auto module = compile_fixture(*engine, "images_global_offset");
  for (uint32_t at : {10u, 20u, 30u}) {
    Linker linker;
    Inst i{std::make_unique<Store>(*engine)};
    linker.define("env", "at", extern_of(i.store->create_global(GlobalType{ValType::I32, false}, Value::from_i32(at))));
    auto r = linker.instantiate(*i.store, module);
    if (!r) FAIL(r.error().to_string());
    i.inst = *r;
    CHECK(i.mem().image() == nullptr);
    CHECK(std::memcmp(i.mem().base() + at, "moved", 5) == 0);
    CHECK(i.mem().base()[at - 1] == 0);
  }
}

TEST_CASE("images: a segment out of bounds fails every instantiation alike") {
  auto engine = engine_named();
  auto module = compile_fixture(*engine, "images_oob");
  for (int n = 0; n < 3; ++n) {
    Store store(*engine);
    Linker linker;
    auto r = linker.instantiate(store, module);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::Uninstantiable);
    CHECK(r.error().message == "out of bounds memory access");
  }
}

TEST_CASE("images: a memory limit below the image's pages refuses the instance") {
  auto engine = engine_named();
  auto module = compile_fixture(*engine, "images");
  Linker linker;
  instantiate(*engine, module, linker);
  instantiate(*engine, module, linker);  // the image exists from here on
  StoreLimits limits;
  limits.max_memory_pages = 0;
  Store store(*engine, limits);
  auto r = linker.instantiate(store, module);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::Uninstantiable);
  INFO(r.error().message);
  CHECK(r.error().message.find("over the memory limit") != std::string::npos);
}
