// Links wasi_snapshot_preview1 for a module that imports it.
#pragma once

#include <expected>
#include <memory>
#include <string>

#include "cli/options.hpp"
#include "runtime/linker.hpp"
#include "wasi/preview1/context.hpp"

namespace wsvm::cli {

// nullptr when the module imports nothing from WASI; an error message (usage error) when a
// --dir cannot be opened or a --tcplisten address cannot be bound.
std::expected<std::unique_ptr<wasi::WasiContext>, std::string> link_wasi(
    Linker& linker, Store& store, const Module& module, const Options& o);

}  // namespace wsvm::cli
