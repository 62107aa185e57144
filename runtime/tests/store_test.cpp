// Store: values, traps, type interning, host calls through invoke, table growth, memory limits.
#include <string>

#include "runtime/store.hpp"
#include "runtime/tests/test_engine.hpp"

using namespace wsvm;
using wsvm::test::TestEngine;

TEST_CASE("Value::zero gives the default of each type") {
  CHECK(Value::zero(ValType::I32).i32 == 0);
  CHECK(Value::zero(ValType::I64).i64 == 0);
  CHECK(Value::zero(ValType::F64).i64 == 0);  // +0.0, not -0.0
  CHECK(Value::zero(ValType::FuncRef).ref == kNullRef);
  CHECK(Value::zero(ValType::ExternRef).type == ValType::ExternRef);
  CHECK(Value::zero(ValType::V128).v128 == V128{});
}

TEST_CASE("trap messages use the spec wording") {
  CHECK(std::string(trap_kind_message(TrapKind::MemoryOutOfBounds)) == "out of bounds memory access");
  CHECK(std::string(trap_kind_message(TrapKind::TableOutOfBounds)) == "out of bounds table access");
  CHECK(std::string(trap_kind_message(TrapKind::InvalidConversion)) == "invalid conversion to integer");
  CHECK(std::string(trap_kind_message(TrapKind::UninitializedElement)) == "uninitialized element");
  CHECK(std::string(trap_kind_message(TrapKind::CallStackExhausted)) == "call stack exhausted");
  Trap t = Trap::make(TrapKind::IntegerDivideByZero);
  CHECK(t.kind == TrapKind::IntegerDivideByZero);
  CHECK(t.message == "integer divide by zero");
}

TEST_CASE("intern_type: equal ids exactly for structurally equal types") {
  TestEngine engine;
  Store store(engine);
  FuncType a{{ValType::I32, ValType::I64}, {ValType::F32}};
  FuncType a2{{ValType::I32, ValType::I64}, {ValType::F32}};
  FuncType b{{ValType::I32}, {ValType::I64, ValType::F32}};  // same sequence, split differently
  FuncType c{{}, {}};
  uint32_t ia = store.intern_type(a);
  CHECK(store.intern_type(a2) == ia);
  CHECK(store.intern_type(b) != ia);
  CHECK(store.intern_type(c) != ia);
  CHECK(store.intern_type(c) != store.intern_type(b));
  FuncInstance* h = store.create_host_func(a, [](HostContext&, uint64_t*) { return std::nullopt; });
  CHECK(h->type_id == ia);
}

TEST_CASE("invoke of a host function checks and marshals arguments") {
  TestEngine engine;
  Store store(engine);
  // (i32, i64, f64) -> (i64, f32): sum of the integers, and the f64 narrowed.
  FuncType ft{{ValType::I32, ValType::I64, ValType::F64}, {ValType::I64, ValType::F32}};
  Instance* seen_caller = reinterpret_cast<Instance*>(1);
  uint32_t seen_depth = 0;
  FuncInstance* f = store.create_host_func(ft, [&](HostContext& ctx, uint64_t* s) {
    seen_caller = ctx.caller;
    seen_depth = ctx.exec.call_depth;
    uint64_t sum = static_cast<uint32_t>(s[0]) + s[1];
    double d = Value::from_slots(ValType::F64, &s[2]).f64;
    s[0] = sum;
    Value::from_f32(static_cast<float>(d)).to_slots(&s[1]);
    return std::optional<Trap>{};
  });
  CHECK(f->is_host());
  CHECK(f->param_slots == 3);
  CHECK(f->result_slots == 2);

  Value args[] = {Value::from_i32(5), Value::from_i64(1ull << 40), Value::from_f64(2.5)};
  auto r = store.invoke(f, args);
  REQUIRE(r.has_value());
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].type == ValType::I64);
  CHECK((*r)[0].i64 == (1ull << 40) + 5);
  CHECK((*r)[1].type == ValType::F32);
  CHECK((*r)[1].f32 == 2.5f);
  CHECK(seen_caller == nullptr);
  CHECK(seen_depth == 1);
  CHECK(store.exec().call_depth == 0);

  SECTION("too few arguments") {
    Value two[] = {Value::from_i32(5), Value::from_i64(1)};
    auto bad = store.invoke(f, two);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().kind == TrapKind::Host);
    CHECK(bad.error().message.find("argument count mismatch") != std::string::npos);
  }
  SECTION("wrong argument type") {
    Value wrong[] = {Value::from_i32(5), Value::from_i32(1), Value::from_f64(1)};
    auto bad = store.invoke(f, wrong);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().kind == TrapKind::Host);
    CHECK(bad.error().message.find("argument 1") != std::string::npos);
    CHECK(bad.error().message.find("must be i64, got i32") != std::string::npos);
  }
}

TEST_CASE("invoke: v128 and reference values use the uniform layout") {
  TestEngine engine;
  Store store(engine);
  FuncType ft{{ValType::V128, ValType::ExternRef}, {ValType::ExternRef, ValType::V128}};
  FuncInstance* f = store.create_host_func(ft, [](HostContext&, uint64_t* s) {
    uint64_t lo = s[0], hi = s[1], ref = s[2];
    s[0] = ref;  // results: externref in slot 0, v128 in slots 1-2 (swapped halves)
    s[1] = hi;
    s[2] = lo;
    return std::optional<Trap>{};
  });
  V128 v;
  for (int i = 0; i < 16; ++i) v.bytes[i] = static_cast<uint8_t>(i);
  Value args[] = {Value::from_v128(v), Value::from_ref(ValType::ExternRef, 0x1234)};
  auto r = store.invoke(f, args);
  REQUIRE(r.has_value());
  CHECK((*r)[0].ref == 0x1234);
  CHECK((*r)[1].v128.bytes[0] == 8);
  CHECK((*r)[1].v128.bytes[8] == 0);
}

TEST_CASE("a host function's trap reaches the caller of invoke") {
  TestEngine engine;
  Store store(engine);
  FuncInstance* f = store.create_host_func(FuncType{}, [](HostContext&, uint64_t*) {
    return std::optional<Trap>(Trap::make(TrapKind::Unreachable));
  });
  auto r = store.invoke(f, {});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "unreachable");
}

TEST_CASE("host calls count toward the call depth limit") {
  TestEngine engine;
  StoreLimits limits;
  limits.max_call_depth = 50;
  Store store(engine, limits);
  int depth_reached = 0;
  FuncInstance* self = nullptr;
  self = store.create_host_func(FuncType{}, [&](HostContext& ctx, uint64_t* s) {
    depth_reached = std::max<int>(depth_reached, ctx.exec.call_depth);
    return ctx.store.call_slots(self, s, nullptr);  // unbounded recursion
  });
  auto r = store.invoke(self, {});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == TrapKind::CallStackExhausted);
  CHECK(r.error().message == "call stack exhausted");
  CHECK(depth_reached == 50);
  CHECK(store.exec().call_depth == 0);
  CHECK(store.exec().max_call_depth == 50);
  CHECK(store.exec().store == &store);
}

TEST_CASE("TableInstance::grow respects max, the embedder limit and 2^32-1") {
  TestEngine engine;
  StoreLimits limits;
  limits.max_table_elems = 100;
  Store store(engine, limits);

  TableInstance* t = store.create_table(TableType{ValType::FuncRef, Limits{2, 5}}, kNullRef);
  REQUIRE(t->elems.size() == 2);
  CHECK(t->limit == 100);
  CHECK(t->grow(3, Ref{7}) == 2);
  CHECK(t->elems.size() == 5);
  CHECK(t->elems[4] == 7);
  CHECK(t->elems[1] == kNullRef);
  CHECK(t->type.limits.min == 5);
  CHECK(t->grow(1, kNullRef) == -1);  // past max 5
  CHECK(t->grow(0, kNullRef) == 5);   // growing by 0 always succeeds within bounds

  TableInstance* u = store.create_table(TableType{ValType::ExternRef, Limits{0, {}}}, kNullRef);
  CHECK(u->grow(100, kNullRef) == 0);
  CHECK(u->grow(1, kNullRef) == -1);  // past the embedder limit
  CHECK(u->elems.size() == 100);

  // The limit itself is capped at 2^32-1 elements.
  TableInstance big;
  big.limit = ~uint64_t{0};
  big.elems.resize(3);
  CHECK(big.grow(0xFFFFFFFF, kNullRef) == -1);
  CHECK(big.elems.size() == 3);
}

TEST_CASE("create_memory honours the page limit") {
  TestEngine engine;
  StoreLimits limits;
  limits.max_memory_pages = 2;
  Store store(engine, limits);

  auto ok = store.create_memory(MemoryType{Limits{1, {}}});
  REQUIRE(ok.has_value());
  MemoryInstance* m = *ok;
  CHECK(m->mem->pages() == 1);
  CHECK(m->mem->size_bytes() == kPageSize);
  CHECK(m->mem->grow(1) == 1);
  CHECK(m->mem->grow(1) == -1);  // the embedder limit of 2 pages

  auto over = store.create_memory(MemoryType{Limits{3, {}}});
  REQUIRE_FALSE(over.has_value());
  CHECK(over.error().message.find("limit") != std::string::npos);
  CHECK(over.error().message.find("3 pages") != std::string::npos);
}

TEST_CASE("create_global stores the value in the uniform layout") {
  TestEngine engine;
  Store store(engine);
  GlobalInstance* g = store.create_global(GlobalType{ValType::F32, true}, Value::from_f32(-1.0f));
  CHECK(g->get().type == ValType::F32);
  CHECK(g->get().f32 == -1.0f);
  g->set(Value::from_f32(3.0f));
  CHECK(g->get().f32 == 3.0f);
}
