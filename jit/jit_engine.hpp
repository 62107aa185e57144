// The x86-64 baseline JIT engine (issue 7): single-pass compilation of validated wasm to
// machine code with asmjit. See jit/README.md.
#pragma once

#include <memory>

#include "runtime/engine.hpp"

namespace wsvm {

// Compiles every function at compile() (EngineConfig::jit_compile eager or parallel, the
// default) or each one at its first call (lazy; compile() still validates every body). A
// function using an instruction the JIT does not support makes compile() fail ("jit:
// unsupported instruction X in function N"; lazy: its first call traps with that message):
// there is no silent fallback to the interpreter. Instructions it declines on purpose are
// those a backend's bails_out() names (none in 2.0) and their message ends "(declared
// bailout)", which tests/opcode_table_test.cpp accepts; any other gap fails that test.
std::unique_ptr<Engine> make_jit_engine(EngineConfig config = {});

}  // namespace wsvm
