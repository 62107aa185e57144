// The "spectest" host module every spec script may import from.
// https://github.com/WebAssembly/spec/blob/main/interpreter/host/spectest.ml
#pragma once

#include "decoder/error.hpp"
#include "runtime/linker.hpp"
#include "runtime/store.hpp"

namespace wsvm::wast {

// Creates the spectest functions, globals, table and memory in `store` and defines them in
// `linker` under module "spectest". The print functions write their arguments to stdout
// only when `verbose`.
Result<void> define_spectest(Store& store, Linker& linker, bool verbose);

}  // namespace wsvm::wast
