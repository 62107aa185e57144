// The backend of the build's architecture, as `jit::arch` (the engine uses only this name):
// its Compiler (FrontEnd's derived class), Assembler and per-module code
// (x64/module_code.hpp is the reference for what an architecture provides).
#pragma once

#if defined(__x86_64__)
#include "jit/x64/module_code.hpp"
namespace wsvm::jit {
namespace arch = x64;
}
#elif defined(__aarch64__)
#include "jit/a64/module_code.hpp"
namespace wsvm::jit {
namespace arch = a64;
}
#else
#error "jit: no backend for this architecture (jit/README.md)"
#endif
