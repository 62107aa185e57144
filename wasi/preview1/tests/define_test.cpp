// define_preview1: everything, or only what a module imports.
#include <catch2/catch.hpp>

#include <memory>

#include "runtime/engine.hpp"
#include "wasi/preview1/preview1.hpp"

namespace {

using namespace wsvm;

// The store needs an engine; these tests never compile or run code.
class NoCodeEngine final : public Engine {
 public:
  const char* name() const override { return "none"; }
  Result<std::shared_ptr<const void>> compile(const Module&) override {
    return std::shared_ptr<const void>(std::make_shared<int>(0));
  }
  const void* function_code(const void* code, uint32_t) const override { return code; }
  std::optional<Trap> call(ExecContext&, const FuncInstance&, uint64_t*) override {
    return Trap::make(TrapKind::Host);
  }
};

Import func_import(const char* module, const char* name) {
  Import imp;
  imp.module = module;
  imp.name = name;
  imp.kind = ExternKind::Func;
  return imp;
}

bool defined(const Linker& l, const char* name) {
  return l.lookup(wasi::kPreview1Module, name).has_value();
}

}  // namespace

TEST_CASE("define_preview1 defines all 46 functions without an importer", "[define]") {
  NoCodeEngine engine;
  Store store(engine);
  Linker linker;
  auto ctx = wasi::WasiContext::create({});
  REQUIRE(ctx);
  REQUIRE(wasi::define_preview1(linker, store, **ctx));
  for (const char* name : {"fd_write", "proc_exit", "args_get", "path_open", "sock_shutdown", "random_get"})
    CHECK(defined(linker, name));
}

TEST_CASE("define_preview1 with an importer defines only the functions it imports", "[define]") {
  NoCodeEngine engine;
  Store store(engine);
  Linker linker;
  auto ctx = wasi::WasiContext::create({});
  REQUIRE(ctx);
  Module m;
  m.imports.push_back(func_import(wasi::kPreview1Module, "fd_write"));
  m.imports.push_back(func_import(wasi::kPreview1Module, "proc_exit"));
  m.imports.push_back(func_import(wasi::kPreview1Module, "no_such_function"));  // stays undefined
  m.imports.push_back(func_import("env", "args_get"));  // another module's name: not WASI's
  Import mem;
  mem.module = wasi::kPreview1Module;
  mem.name = "random_get";
  mem.kind = ExternKind::Memory;  // a memory of that name is not the function
  m.imports.push_back(mem);
  REQUIRE(wasi::define_preview1(linker, store, **ctx, &m));
  CHECK(defined(linker, "fd_write"));
  CHECK(defined(linker, "proc_exit"));
  CHECK_FALSE(defined(linker, "no_such_function"));
  CHECK_FALSE(defined(linker, "args_get"));
  CHECK_FALSE(defined(linker, "random_get"));
  CHECK_FALSE(defined(linker, "path_open"));
}
