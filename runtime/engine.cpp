// The load pipeline: decode, validate the module level, compile (validating bodies).
#include "runtime/engine.hpp"

#include "decoder/decode_edition.hpp"
#include "validator/validate.hpp"

namespace wsvm {

Result<std::shared_ptr<const CompiledModule>> compile_module(Engine& engine,
                                                             std::span<const uint8_t> bytes,
                                                             const ValidateOptions& options) {
  return compile_module(engine, std::vector<uint8_t>(bytes.begin(), bytes.end()), options);
}

Result<std::shared_ptr<const CompiledModule>> compile_module(Engine& engine,
                                                             std::vector<uint8_t>&& bytes,
                                                             const ValidateOptions& options) {
  std::shared_ptr<Module> module = WSVM_TRY(decode_module_edition(std::move(bytes), options.wasm2));
  if (auto ok = validate_module_level(*module, options); !ok) {
    Error err = ok.error();
    if (err.kind == ErrorKind::Invalid) err = prefer_malformed(*module, std::move(err));
    return std::unexpected(std::move(err));
  }
  std::shared_ptr<const void> code = WSVM_TRY(engine.compile(*module));
  auto compiled = std::make_shared<CompiledModule>();
  compiled->module = std::move(module);
  compiled->code = std::move(code);
  compiled->engine = &engine;
  return std::shared_ptr<const CompiledModule>(std::move(compiled));
}

}  // namespace wsvm
