// The interpreter tier as a wsvm::Engine (runtime/engine.hpp).
#pragma once

#include <memory>

#include "runtime/engine.hpp"

namespace wsvm {

std::unique_ptr<Engine> make_interp_engine(EngineConfig config = {});

}  // namespace wsvm
