// The spectest host module (see spectest_host.hpp).
#include "wast/spectest_host.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "wast/values.hpp"

namespace wsvm::wast {

namespace {

Extern extern_of(FuncInstance* f) { Extern e; e.kind = ExternKind::Func; e.func = f; return e; }
Extern extern_of(GlobalInstance* g) { Extern e; e.kind = ExternKind::Global; e.global = g; return e; }
Extern extern_of(TableInstance* t) { Extern e; e.kind = ExternKind::Table; e.table = t; return e; }
Extern extern_of(MemoryInstance* m) { Extern e; e.kind = ExternKind::Memory; e.memory = m; return e; }

void define_print(Store& store, Linker& linker, const char* name, std::vector<ValType> params,
                  bool verbose) {
  FuncType type{params, {}};
  HostFunc fn = [name, params, verbose](HostContext&, uint64_t* slots) -> std::optional<Trap> {
    if (!verbose) return std::nullopt;
    std::string line = fmt::format("spectest.{}(", name);
    const uint64_t* p = slots;
    for (size_t i = 0; i < params.size(); ++i) {
      line += (i ? ", " : "") + format_value(Value::from_slots(params[i], p));
      p += slot_count(params[i]);
    }
    std::fputs((line + ")\n").c_str(), stdout);
    return std::nullopt;
  };
  linker.define("spectest", name, extern_of(store.create_host_func(std::move(type), std::move(fn))));
}

}  // namespace

Result<void> define_spectest(Store& store, Linker& linker, bool verbose) {
  using enum ValKind;
  define_print(store, linker, "print", {}, verbose);
  define_print(store, linker, "print_i32", {I32}, verbose);
  define_print(store, linker, "print_i64", {I64}, verbose);
  define_print(store, linker, "print_f32", {F32}, verbose);
  define_print(store, linker, "print_f64", {F64}, verbose);
  define_print(store, linker, "print_i32_f32", {I32, F32}, verbose);
  define_print(store, linker, "print_f64_f64", {F64, F64}, verbose);

  auto global = [&](const char* name, ValType t, const Value& v) {
    linker.define("spectest", name, extern_of(store.create_global(GlobalType{t, false}, v)));
  };
  global("global_i32", I32, Value::from_i32(666));
  global("global_i64", I64, Value::from_i64(666));
  global("global_f32", F32, Value::from_f32(666.6f));
  global("global_f64", F64, Value::from_f64(666.6));

  TableType table{FuncRef, Limits{10, 20}};
  linker.define("spectest", "table", extern_of(store.create_table(table, kNullRef)));
  TableType table64{FuncRef, Limits{10, 20, true}};  // table64: i64 indices
  linker.define("spectest", "table64", extern_of(store.create_table(table64, kNullRef)));

  MemoryInstance* memory = WSVM_TRY(store.create_memory(MemoryType{Limits{1, 2}}));
  linker.define("spectest", "memory", extern_of(memory));
  return {};
}

}  // namespace wsvm::wast
