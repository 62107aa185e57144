// Linker: import resolution and matching, allocation, segment initialisation, exports.
#include <cstring>
#include <string>

#include "runtime/linker.hpp"
#include "runtime/tests/test_engine.hpp"

using namespace wsvm;
using namespace wsvm::test;

namespace {

// Everything imports_all.wat imports, with matching types.
struct Env {
  TestEngine engine;
  Store store{engine};
  Linker linker;
  FuncInstance* f = nullptr;
  TableInstance* tab = nullptr;
  MemoryInstance* mem = nullptr;
  GlobalInstance* g = nullptr;
  GlobalInstance* gm = nullptr;

  Env() {
    f = store.create_host_func(FuncType{{ValType::I32}, {ValType::I32}},
                               [](HostContext&, uint64_t* s) {
                                 s[0] = static_cast<uint32_t>(s[0]) + 1;
                                 return std::optional<Trap>{};
                               });
    tab = store.create_table(TableType{ValType::FuncRef, Limits{2, 10}}, kNullRef);
    mem = *store.create_memory(MemoryType{Limits{1, 4}});
    g = store.create_global(GlobalType{ValType::I32, false}, Value::from_i32(42));
    gm = store.create_global(GlobalType{ValType::I64, true}, Value::from_i64(1));
    linker.define("env", "f", extern_of(f));
    linker.define("env", "tab", extern_of(tab));
    linker.define("env", "mem", extern_of(mem));
    linker.define("env", "g", extern_of(g));
    linker.define("env", "gm", extern_of(gm));
  }
  Result<Instance*> instantiate(const std::string& fixture) {
    return linker.instantiate(store, compile_fixture(engine, fixture));
  }
};

void require_error(const Result<Instance*>& r, ErrorKind kind, const std::string& prefix) {
  REQUIRE_FALSE(r.has_value());
  INFO(r.error().to_string());
  CHECK(r.error().kind == kind);
  CHECK(r.error().message.rfind(prefix, 0) == 0);  // starts with the spec wording
}

}  // namespace

TEST_CASE("imports of every kind resolve and re-export") {
  Env env;
  auto r = env.instantiate("imports_all");
  REQUIRE(r.has_value());
  Instance* inst = *r;
  CHECK(inst->funcs.size() == 1);
  CHECK(inst->funcs[0] == env.f);
  CHECK(inst->tables[0] == env.tab);
  CHECK(inst->memories[0] == env.mem);
  CHECK(inst->globals[0] == env.g);
  CHECK(inst->globals[1] == env.gm);
  // Defined global initialised from the imported one.
  REQUIRE(inst->globals.size() == 3);
  CHECK(inst->globals[2]->get().i32 == 42);
  CHECK(inst->find_func("f") == env.f);
  CHECK(inst->find_export("tab")->table == env.tab);
  CHECK(inst->find_export("mem")->memory == env.mem);
  CHECK(inst->find_export("copy")->kind == ExternKind::Global);
  CHECK_FALSE(inst->find_export("missing").has_value());
  CHECK(inst->find_func("mem") == nullptr);  // not a function
  CHECK(inst->find_func("missing") == nullptr);

  // Calling the re-exported host function through invoke.
  Value arg[] = {Value::from_i32(9)};
  auto res = env.store.invoke(inst->find_func("f"), arg);
  REQUIRE(res.has_value());
  CHECK((*res)[0].i32 == 10);

  // define_instance makes the exports importable.
  env.linker.define_instance("reexp", *inst);
  auto looked = env.linker.lookup("reexp", "copy");
  REQUIRE(looked.has_value());
  CHECK(looked->global == inst->globals[2]);
  CHECK_FALSE(env.linker.lookup("reexp", "g").has_value());
}

TEST_CASE("a missing import is unlinkable and names the module and field") {
  Env env;
  Linker empty;
  auto r = empty.instantiate(env.store, compile_fixture(env.engine, "imports_all"));
  require_error(r, ErrorKind::Unlinkable, "unknown import");
  CHECK(r.error().message.find("\"env\"") != std::string::npos);
  CHECK(r.error().message.find("\"f\"") != std::string::npos);

  env.linker.define("env", "gm2", extern_of(env.gm));
  Linker partial = env.linker;
  partial.define("env", "gm", Extern{});  // replaced: still defined, so no longer unknown
  auto r2 = partial.lookup("env", "gm");
  REQUIRE(r2.has_value());
  CHECK(r2->kind == ExternKind::Func);
  // A null definition is rejected, not dereferenced.
  auto r3 = partial.instantiate(env.store, compile_fixture(env.engine, "imports_all"));
  require_error(r3, ErrorKind::Unlinkable, "incompatible import type");
}

TEST_CASE("extern kind mismatch is an incompatible import type") {
  Env env;
  SECTION("func given a global") { env.linker.define("env", "f", extern_of(env.g)); }
  SECTION("table given a memory") { env.linker.define("env", "tab", extern_of(env.mem)); }
  SECTION("memory given a table") { env.linker.define("env", "mem", extern_of(env.tab)); }
  SECTION("global given a func") { env.linker.define("env", "g", extern_of(env.f)); }
  require_error(env.instantiate("imports_all"), ErrorKind::Unlinkable, "incompatible import type");
}

TEST_CASE("function imports need equal types") {
  Env env;
  FuncType other;
  SECTION("different result") { other = FuncType{{ValType::I32}, {ValType::I64}}; }
  SECTION("extra param") { other = FuncType{{ValType::I32, ValType::I32}, {ValType::I32}}; }
  SECTION("no result") { other = FuncType{{ValType::I32}, {}}; }
  FuncInstance* h = env.store.create_host_func(other, [](HostContext&, uint64_t*) {
    return std::optional<Trap>{};
  });
  env.linker.define("env", "f", extern_of(h));
  auto r = env.instantiate("imports_all");
  require_error(r, ErrorKind::Unlinkable, "incompatible import type");
  CHECK(r.error().message.find("\"env\" \"f\"") != std::string::npos);
}

TEST_CASE("global imports need the same type and mutability") {
  Env env;
  SECTION("immutable given mutable") {
    env.linker.define("env", "g", extern_of(env.store.create_global(
                                      GlobalType{ValType::I32, true}, Value::from_i32(0))));
  }
  SECTION("immutable i32 given i64") {
    env.linker.define("env", "g", extern_of(env.store.create_global(
                                      GlobalType{ValType::I64, false}, Value::from_i64(0))));
  }
  SECTION("mutable given immutable") {
    env.linker.define("env", "gm", extern_of(env.store.create_global(
                                       GlobalType{ValType::I64, false}, Value::from_i64(0))));
  }
  SECTION("mutable i64 given mutable f64") {
    env.linker.define("env", "gm", extern_of(env.store.create_global(
                                       GlobalType{ValType::F64, true}, Value::from_f64(0))));
  }
  require_error(env.instantiate("imports_all"), ErrorKind::Unlinkable, "incompatible import type");
}

TEST_CASE("table imports: element type and limits subtyping") {
  Env env;  // imports_all declares (table 2 10 funcref)
  auto with_table = [&](ValType elem, Limits l) {
    env.linker.define("env", "tab", extern_of(env.store.create_table(TableType{elem, l}, kNullRef)));
    return env.instantiate("imports_all");
  };
  SECTION("accepted: larger min, smaller max") { CHECK(with_table(ValType::FuncRef, {3, 10}).has_value()); }
  SECTION("accepted: equal limits") { CHECK(with_table(ValType::FuncRef, {2, 10}).has_value()); }
  SECTION("accepted: max below declared") { CHECK(with_table(ValType::FuncRef, {2, 2}).has_value()); }
  SECTION("rejected: min too small") {
    require_error(with_table(ValType::FuncRef, {1, 10}), ErrorKind::Unlinkable, "incompatible import type");
  }
  SECTION("rejected: no max where one is declared") {
    require_error(with_table(ValType::FuncRef, {2, {}}), ErrorKind::Unlinkable, "incompatible import type");
  }
  SECTION("rejected: max too large") {
    require_error(with_table(ValType::FuncRef, {2, 11}), ErrorKind::Unlinkable, "incompatible import type");
  }
  SECTION("rejected: externref table") {
    require_error(with_table(ValType::ExternRef, {2, 10}), ErrorKind::Unlinkable, "incompatible import type");
  }
}

TEST_CASE("table imports without a declared max accept any max; a grown table matches its size") {
  Env env;
  TableInstance* t = env.store.create_table(TableType{ValType::FuncRef, Limits{0, 5}}, kNullRef);
  env.linker.define("env", "tab", extern_of(t));
  // imports_unlimited declares (table 1 funcref): the table has 0 elements, too few.
  require_error(env.instantiate("imports_unlimited"), ErrorKind::Unlinkable, "incompatible import type");
  CHECK(t->grow(1, kNullRef) == 0);
  CHECK(env.instantiate("imports_unlimited").has_value());
  // A funcref table does not match an externref import.
  require_error(env.instantiate("import_externref_table"), ErrorKind::Unlinkable,
                "incompatible import type");
}

TEST_CASE("memory imports: limits subtyping against the current size") {
  Env env;  // imports_all declares (memory 1 4)
  auto with_memory = [&](Limits l) {
    auto m = env.store.create_memory(MemoryType{l});
    REQUIRE(m.has_value());
    env.linker.define("env", "mem", extern_of(*m));
    return *m;
  };
  SECTION("accepted: larger min, smaller max") {
    with_memory({2, 3});
    CHECK(env.instantiate("imports_all").has_value());
  }
  SECTION("rejected: min too small") {
    with_memory({0, 4});
    require_error(env.instantiate("imports_all"), ErrorKind::Unlinkable, "incompatible import type");
  }
  SECTION("accepted once grown to the declared minimum") {
    MemoryInstance* m = with_memory({0, 4});
    REQUIRE(m->mem->grow(1) == 0);
    CHECK(env.instantiate("imports_all").has_value());
  }
  SECTION("rejected: no max") {
    with_memory({1, {}});
    require_error(env.instantiate("imports_all"), ErrorKind::Unlinkable, "incompatible import type");
  }
  SECTION("rejected: max too large") {
    with_memory({1, 5});
    require_error(env.instantiate("imports_all"), ErrorKind::Unlinkable, "incompatible import type");
  }
  SECTION("no declared max accepts any max") {
    with_memory({1, 7});
    env.linker.define("env", "tab", extern_of(env.store.create_table(
                                        TableType{ValType::FuncRef, Limits{1, 1}}, kNullRef)));
    CHECK(env.instantiate("imports_unlimited").has_value());
  }
}

TEST_CASE("global initialisers: constants, ref.null, ref.func, imported global.get") {
  Env env;
  GlobalInstance* base = env.store.create_global(GlobalType{ValType::I64, false},
                                                 Value::from_i64(0xABCDEF));
  env.linker.define("env", "base", extern_of(base));
  auto r = env.instantiate("globals");
  REQUIRE(r.has_value());
  Instance* inst = *r;
  auto global = [&](const char* name) {
    auto e = inst->find_export(name);
    REQUIRE(e.has_value());
    REQUIRE(e->kind == ExternKind::Global);
    return e->global->get();
  };
  CHECK(global("i32").i32 == static_cast<uint32_t>(-7));
  CHECK(global("i64").i64 == 0x123456789ull);
  CHECK(inst->find_export("i64")->global->type.mut);
  CHECK(global("f32").f32 == 1.5f);
  CHECK(global("f64").f64 == -2.25);
  CHECK(global("null").ref == kNullRef);
  CHECK(global("null").type == ValType::FuncRef);
  CHECK(global("extnull").type == ValType::ExternRef);
  CHECK(global("extnull").ref == kNullRef);
  CHECK(global("func").ref == reinterpret_cast<Ref>(inst->find_func("b")));
  CHECK(global("func").ref != reinterpret_cast<Ref>(inst->find_func("a")));
  CHECK(global("base").i64 == 0xABCDEF);
  // v128.const: the 16 immediate bytes in memory (little-endian lane) order, both slots.
  const Value v = global("v128");
  CHECK(v.type == ValType::V128);
  CHECK(v.v128.bytes[0] == 1);
  CHECK(v.v128.bytes[4] == 2);
  CHECK(v.v128.bytes[8] == 3);
  CHECK(v.v128.bytes[15] == 0x80);
  CHECK(inst->find_export("v128")->global->slots[1] == 0x8000000000000003ull);

  // Defined functions are wasm FuncInstances of this instance with engine code.
  FuncInstance* b = inst->find_func("b");
  REQUIRE(b != nullptr);
  CHECK_FALSE(b->is_host());
  CHECK(b->instance == inst);
  CHECK(b->func_index == 1);
  CHECK(b->code == inst->compiled->code.get());
  CHECK(b->result_slots == 1);
  CHECK(b->type_id == env.store.intern_type(FuncType{{}, {ValType::I32}}));
  CHECK(b->type_id == inst->find_func("a")->type_id);
  // The test engine cannot run code: invoke reports its trap.
  auto call = env.store.invoke(b, {});
  REQUIRE_FALSE(call.has_value());
  CHECK(call.error().message == "test engine cannot run code");
  CHECK(env.engine.calls == 1);
}

TEST_CASE("element and data segments initialise tables and memories") {
  Env env;
  auto r = env.instantiate("segments");
  REQUIRE(r.has_value());
  Instance* inst = *r;
  TableInstance* t = inst->find_export("t")->table;
  auto ref = [&](const char* name) { return reinterpret_cast<Ref>(inst->find_func(name)); };
  REQUIRE(t->elems.size() == 8);
  CHECK(t->elems[0] == kNullRef);
  CHECK(t->elems[1] == ref("f0"));
  CHECK(t->elems[2] == ref("f1"));
  CHECK(t->elems[3] == kNullRef);
  CHECK(t->elems[6] == ref("f2"));
  CHECK(t->elems[7] == kNullRef);

  REQUIRE(inst->elems.size() == 4);
  CHECK(inst->elems[0].refs.empty());  // active: dropped after use
  REQUIRE(inst->elems[1].refs.size() == 2);  // passive: kept for table.init
  CHECK(inst->elems[1].refs[0] == ref("f2"));
  CHECK(inst->elems[1].refs[1] == kNullRef);
  CHECK(inst->elems[2].refs.empty());  // declarative: dropped
  CHECK(inst->elems[3].refs.empty());

  MemoryInstance* m = inst->find_export("m")->memory;
  CHECK(std::memcmp(m->mem->base() + 16, "hello", 5) == 0);
  CHECK(m->mem->base()[15] == 0);
  CHECK(m->mem->base()[21] == 0);
  REQUIRE(inst->datas.size() == 2);
  CHECK(inst->datas[0].bytes.empty());  // active: dropped
  REQUIRE(inst->datas[1].bytes.size() == 7);
  CHECK(std::memcmp(inst->datas[1].bytes.data(), "passive", 7) == 0);
}

TEST_CASE("an out-of-bounds element segment is uninstantiable; earlier writes stay") {
  Env env;
  TableInstance* t = env.store.create_table(TableType{ValType::FuncRef, Limits{4, {}}}, kNullRef);
  env.linker.define("env", "tab", extern_of(t));
  auto r = env.instantiate("elem_oob");
  require_error(r, ErrorKind::Uninstantiable, "out of bounds table access");
  CHECK(t->elems[0] != kNullRef);  // first segment was applied
  CHECK(t->elems[1] == t->elems[0]);
  CHECK(t->elems[2] == kNullRef);
  CHECK(t->elems[3] == kNullRef);  // the failing segment wrote nothing
  // The instance's function stays alive in the store: the reference remains callable.
  const auto* f = reinterpret_cast<const FuncInstance*>(t->elems[0]);
  CHECK_FALSE(f->is_host());
  CHECK(f->type->params.empty());
}

TEST_CASE("an out-of-bounds data segment is uninstantiable; earlier writes stay") {
  Env env;
  MemoryInstance* m = *env.store.create_memory(MemoryType{Limits{1, {}}});
  env.linker.define("env", "mem", extern_of(m));
  auto r = env.instantiate("data_oob");
  require_error(r, ErrorKind::Uninstantiable, "out of bounds memory access");
  CHECK(std::memcmp(m->mem->base(), "abc", 3) == 0);
  CHECK(m->mem->base()[65534] == 0);  // nothing of the failing segment was written
  CHECK(m->mem->base()[65535] == 0);
}

TEST_CASE("element segments apply before data segments; empty segments at the end fit") {
  Env env;
  TableInstance* t = env.store.create_table(TableType{ValType::FuncRef, Limits{2, {}}}, kNullRef);
  MemoryInstance* m = *env.store.create_memory(MemoryType{Limits{1, {}}});
  env.linker.define("env", "tab", extern_of(t));
  env.linker.define("env", "mem", extern_of(m));
  auto r = env.instantiate("elem_then_data_oob");
  require_error(r, ErrorKind::Uninstantiable, "out of bounds memory access");
  CHECK(t->elems[0] == kNullRef);
  CHECK(t->elems[1] != kNullRef);
}

TEST_CASE("memory and table allocation respect the store limits") {
  TestEngine engine;
  StoreLimits limits;
  limits.max_memory_pages = 2;
  limits.max_table_elems = 1000;
  Store store(engine, limits);
  Linker linker;
  auto r = linker.instantiate(store, compile_fixture(engine, "memory3"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("limit") != std::string::npos);
  auto t = linker.instantiate(store, compile_fixture(engine, "table_big"));
  REQUIRE_FALSE(t.has_value());
  CHECK(t.error().kind == ErrorKind::Uninstantiable);
  CHECK(t.error().message.find("limit") != std::string::npos);
}

TEST_CASE("the start function runs through call_slots; a trap is uninstantiable") {
  Env env;
  int called = 0;
  env.linker.define("env", "hello", extern_of(env.store.create_host_func(
                                        FuncType{}, [&](HostContext&, uint64_t*) {
                                          ++called;
                                          return std::optional<Trap>{};
                                        })));
  CHECK(env.instantiate("start_host").has_value());
  CHECK(called == 1);

  env.linker.define("env", "hello", extern_of(env.store.create_host_func(
                                        FuncType{}, [&](HostContext&, uint64_t*) {
                                          return std::optional<Trap>(Trap::make(TrapKind::Unreachable));
                                        })));
  require_error(env.instantiate("start_host"), ErrorKind::Uninstantiable, "unreachable");

  // A wasm start function goes to the engine (which cannot run it here).
  require_error(env.instantiate("start_trap"), ErrorKind::Uninstantiable,
                "test engine cannot run code");
}

TEST_CASE("compile_module reports decode errors") {
  TestEngine engine;
  const uint8_t bad_magic[] = {0x00, 0x61, 0x73, 0x6e, 0x01, 0x00, 0x00, 0x00};
  auto r = compile_module(engine, bad_magic);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::Malformed);
  const uint8_t empty[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  auto ok = compile_module(engine, empty);
  REQUIRE(ok.has_value());
  CHECK((*ok)->engine == &engine);
  CHECK((*ok)->module->funcs.empty());
}

TEST_CASE("compile_module reports invalid modules") {
  TestEngine engine;
  // (module (func (result i32) (i64.const 0)))
  const uint8_t bytes[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // header
                           0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,        // type [] -> [i32]
                           0x03, 0x02, 0x01, 0x00,                          // func 0: type 0
                           0x0a, 0x06, 0x01, 0x04, 0x00, 0x42, 0x00, 0x0b}; // i64.const 0
  auto r = compile_module(engine, bytes);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::Invalid);
  CHECK(r.error().message.rfind("type mismatch", 0) == 0);
  // (module (start 0)): unknown function, a module-level validation error.
  const uint8_t start[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x08, 0x01, 0x00};
  auto s = compile_module(engine, start);
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().kind == ErrorKind::Invalid);
}

TEST_CASE("compile_module prefers a malformed body over a module-level invalid error") {
  TestEngine engine;
  const uint8_t bytes[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // header
                           0x01, 0x04, 0x01, 0x60, 0x00, 0x00,              // type [] -> []
                           0x03, 0x02, 0x01, 0x00,                          // func 0: type 0
                           0x08, 0x01, 0x05,                                // start 5: unknown
                           0x0a, 0x05, 0x01, 0x03, 0x00, 0xff, 0x0b};       // body: 0xff
  auto r = compile_module(engine, bytes);
  REQUIRE_FALSE(r.has_value());
  INFO(r.error().to_string());
  CHECK(r.error().kind == ErrorKind::Malformed);
}
