// Shared by runner.cpp and component_run.cpp (not part of the runner's interface).
#pragma once

#include <span>
#include <string>

#include "runner/runner.hpp"

namespace wsvm::runner {

Outcome usage(std::string message);
Outcome load_error(const std::string& name, const Error& err);

// A component's Program: decoded and validated (component/validate.hpp) here, its core modules compiled
// by the engine when a Run instantiates it.
std::expected<std::shared_ptr<const Program>, Outcome> load_component(
    std::shared_ptr<Engine> engine, const EngineConfig& config, std::vector<uint8_t> bytes,
    const std::string& name, Clock::time_point started);
// `wsvm validate` of a component: decode, component validation, every core module decoded
// and validated.
Result<void> validate_component_bytes(std::span<const uint8_t> bytes);

}  // namespace wsvm::runner
