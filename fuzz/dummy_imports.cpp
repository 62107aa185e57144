#include "fuzz/dummy_imports.hpp"

#include <algorithm>
#include <cstring>

namespace wsvm::fuzz {

namespace {

// Imported tables are allocated at their minimum; a module importing many huge tables would
// otherwise make the harness itself exhaust memory (the Store caps each table, not the sum).
constexpr uint64_t kMaxImportedTableElems = 1000000;

}  // namespace

Result<void> define_dummy_imports(Linker& linker, Store& store, const Module& m) {
  uint64_t table_elems = 0;
  for (const Import& imp : m.imports) {
    Extern ext;
    ext.kind = imp.kind;
    switch (imp.kind) {
      case ExternKind::Func: {
        const FuncType& type = m.types[imp.func_type];
        const uint32_t results = slot_count(type.results);
        ext.func = store.create_host_func(type, [results](HostContext&, uint64_t* slots) {
          std::memset(slots, 0, results * sizeof(uint64_t));
          return std::optional<Trap>{};
        });
        break;
      }
      case ExternKind::Table:
        table_elems += std::min(imp.table.limits.min, store.limits().max_table_elems);
        if (table_elems > kMaxImportedTableElems) {
          return make_error(ErrorKind::Unlinkable, kNoOffset, "fuzz: imported tables too large");
        }
        ext.table = store.create_table(imp.table, kNullRef);
        break;
      case ExternKind::Memory:
        ext.memory = WSVM_TRY(store.create_memory(imp.memory));
        break;
      case ExternKind::Global:
        ext.global = store.create_global(imp.global, Value::zero(imp.global.type));
        break;
      case ExternKind::Tag:  // a tag of the imported type (the module outlives the store)
        ext.tag = store.create_tag(m.types[imp.tag_type], TypeContext{m.types});
        break;
    }
    linker.define(imp.module, imp.name, ext);
  }
  return {};
}

}  // namespace wsvm::fuzz
