// The x86-64 baseline JIT engine (issue 7): single-pass compilation of validated wasm to
// machine code with asmjit. See jit/README.md.
#pragma once

#include <memory>

#include "runtime/engine.hpp"

namespace wsvm {

// Compiles every function at compile(); a function using an instruction the JIT does not
// support yet makes compile() fail ("jit: unsupported instruction X in function N"): there
// is no silent fallback to the interpreter.
std::unique_ptr<Engine> make_jit_engine(EngineConfig config = {});

}  // namespace wsvm
