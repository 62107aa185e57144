// WASI Preview 1 (wasi_snapshot_preview1) implemented natively.
// See wasi/preview1/README.md for the errno choices and the capability model.
#pragma once

#include "decoder/error.hpp"
#include "runtime/linker.hpp"
#include "runtime/store.hpp"
#include "wasi/preview1/context.hpp"

namespace wsvm::wasi {

inline constexpr const char* kPreview1Module = "wasi_snapshot_preview1";

// Defines all 46 wasi_snapshot_preview1 functions in `linker`, as host functions of `store`
// that act on `ctx` (which must outlive the store's use of them). Guest pointers are checked
// against memory 0 of the calling instance.
Result<void> define_preview1(Linker& linker, Store& store, WasiContext& ctx);

// True when the module imports anything from wasi_snapshot_preview1.
bool imports_preview1(const Module& module);

}  // namespace wsvm::wasi
