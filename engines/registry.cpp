#include "engines/registry.hpp"

#include <algorithm>

#include "interp/interp_engine.hpp"
// WSVM_HAVE_JIT is defined by engines/meson.build, and only for this file.
#ifdef WSVM_HAVE_JIT
#include "jit/jit_engine.hpp"
#endif

namespace wsvm {
namespace {

#ifdef WSVM_HAVE_JIT
constexpr std::array<std::string_view, 2> kBuilt{"interp", "jit"};
#else
constexpr std::array<std::string_view, 1> kBuilt{"interp"};
#endif

}  // namespace

std::span<const std::string_view> built_engine_names() { return kBuilt; }

bool engine_is_built(std::string_view name) {
  return std::ranges::find(kBuilt, name) != kBuilt.end();
}

std::string_view auto_engine_name() { return kBuilt.back(); }

std::expected<std::unique_ptr<Engine>, std::string> make_engine(std::string_view name,
                                                                EngineConfig config) {
  if (name == "auto") name = auto_engine_name();
  if (name == "interp") return make_interp_engine(std::move(config));
#ifdef WSVM_HAVE_JIT
  if (name == "jit") return make_jit_engine(std::move(config));
#else
  if (name == "jit")
    return std::unexpected(
        "the jit engine is not built here (it needs x86-64 and libasmjit; use --engine interp)");
#endif
  return std::unexpected("unknown engine '" + std::string(name) +
                         "' (expected interp, jit or auto)");
}

}  // namespace wsvm
