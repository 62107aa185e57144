// Satisfies every import of a module with a fresh dummy of exactly the imported type, so the
// fuzzer reaches instantiation and execution whatever the module imports.
#pragma once

#include "decoder/error.hpp"
#include "decoder/module.hpp"
#include "runtime/linker.hpp"
#include "runtime/store.hpp"

namespace wsvm::fuzz {

// Functions return zeros (the default value of each result type); tables start null-filled
// at the imported minimum; memories and globals get the imported type with zero contents.
// Fails only when the Store refuses an object (e.g. a memory minimum above the limits).
Result<void> define_dummy_imports(Linker& linker, Store& store, const Module& m);

}  // namespace wsvm::fuzz
