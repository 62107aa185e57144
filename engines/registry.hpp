// The engine registry: the one place that knows which execution tiers this build has
// (engines/meson.build decides; nothing else in the tree asks whether the JIT is built).
// Front doors (cli, runner, spec-tests, bench, fuzz, tests) create engines by name here.
#pragma once

#include <array>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "runtime/engine.hpp"

namespace wsvm {

// Every engine wsvm has, whether or not this build includes it; with "auto", the names
// `wsvm --engine` accepts.
inline constexpr std::array<std::string_view, 2> kEngineNames{"interp", "jit"};

// True for "auto" and every name of kEngineNames (built here or not).
constexpr bool is_engine_name(std::string_view name) {
  if (name == "auto") return true;
  for (std::string_view n : kEngineNames)
    if (n == name) return true;
  return false;
}

// The engines built into this program, in the order tests run them: the interpreter
// always, the JIT on x86-64 builds that found libasmjit.
std::span<const std::string_view> built_engine_names();
bool engine_is_built(std::string_view name);

// What "auto" selects: the JIT where it is built, else the interpreter.
std::string_view auto_engine_name();

// A new engine: `name` is "auto" or a built engine's name. The error is one line, e.g.
// "the jit engine is not built here (it needs x86-64 and libasmjit; use --engine interp)"
// or "unknown engine 'fast' (expected interp, jit or auto)".
std::expected<std::unique_ptr<Engine>, std::string> make_engine(std::string_view name,
                                                                EngineConfig config = {});

// "eager", "parallel" or "lazy" (EngineConfig::jit_compile; wsvm --jit-compile).
constexpr std::optional<JitCompile> parse_jit_compile(std::string_view text) {
  if (text == "eager") return JitCompile::Eager;
  if (text == "parallel") return JitCompile::Parallel;
  if (text == "lazy") return JitCompile::Lazy;
  return std::nullopt;
}

}  // namespace wsvm
