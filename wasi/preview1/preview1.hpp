// WASI Preview 1 (wasi_snapshot_preview1) implemented natively.
// See wasi/preview1/README.md for the errno choices and the capability model.
#pragma once

#include "decoder/error.hpp"
#include "runtime/linker.hpp"
#include "runtime/store.hpp"
#include "wasi/preview1/context.hpp"

namespace wsvm::wasi {

inline constexpr const char* kPreview1Module = "wasi_snapshot_preview1";

// Defines the wasi_snapshot_preview1 functions in `linker`, as host functions of `store` that
// act on `ctx` (which must outlive the store's use of them). Guest pointers are checked
// against memory 0 of the calling instance. All 46 functions, or with `importer` only those
// it imports (each host function costs a few allocations; a program imports a handful, and
// names it imports that WASI lacks stay undefined, so linking reports them as before).
Result<void> define_preview1(Linker& linker, Store& store, WasiContext& ctx,
                             const Module* importer = nullptr);

// True when the module imports anything from wasi_snapshot_preview1.
bool imports_preview1(const Module& module);

}  // namespace wsvm::wasi
