// Registers the X-macro list of imports.def as host functions.
#include <string_view>

#include "wasi/preview1/call.hpp"
#include "wasi/preview1/preview1.hpp"

namespace wsvm::wasi {
namespace {

using Impl = Errno (*)(Call&, const uint64_t*);

struct ImportDef {
  const char* name;
  std::string_view params;
  std::string_view results;
  Impl impl;
};

constexpr ImportDef kImports[] = {
#define WASI_FN(name, params, results) {#name, params, results, &name},
#include "wasi/preview1/imports.def"
};
static_assert(std::size(kImports) == 46, "wasi_snapshot_preview1 has 46 functions");

std::vector<ValType> types_of(std::string_view letters) {
  std::vector<ValType> out;
  for (char c : letters) out.push_back(c == 'I' ? ValType::I64 : ValType::I32);
  return out;
}

GuestMemory caller_memory(const HostContext& hc) {
  if (hc.caller == nullptr || hc.caller->memories.empty() || hc.caller->memories[0] == nullptr ||
      !hc.caller->memories[0]->mem)
    return {};
  auto& m = *hc.caller->memories[0]->mem;
  return GuestMemory(m.base(), m.size_bytes());
}

bool imports_function(const Module& m, std::string_view name) {
  for (const Import& imp : m.imports)
    if (imp.kind == ExternKind::Func && imp.name == name && imp.module == kPreview1Module) return true;
  return false;
}

}  // namespace

Result<void> define_preview1(Linker& linker, Store& store, WasiContext& ctx, const Module* importer) {
  for (const ImportDef& d : kImports) {
    if (importer != nullptr && !imports_function(*importer, d.name)) continue;
    FuncType type{types_of(d.params), types_of(d.results)};
    bool has_result = !d.results.empty();
    Impl impl = d.impl;
    HostFunc fn = [&ctx, impl, has_result](HostContext& hc, uint64_t* slots) -> std::optional<Trap> {
      Call call{ctx, caller_memory(hc), std::nullopt, &hc.exec};
      Errno e = impl(call, slots);
      if (call.trap) return std::move(call.trap);
      if (has_result) slots[0] = static_cast<uint16_t>(e);
      return std::nullopt;
    };
    Extern ext;
    ext.kind = ExternKind::Func;
    ext.func = store.create_host_func(std::move(type), std::move(fn));
    linker.define(kPreview1Module, d.name, ext);
  }
  return {};
}

bool imports_preview1(const Module& module) {
  for (const Import& imp : module.imports)
    if (imp.module == kPreview1Module) return true;
  return false;
}

}  // namespace wsvm::wasi
