// The interface every execution tier implements (the interpreter and the JIT; engines/
// creates them by name). The runtime knows engines only through this, so a function can
// change tier without its callers knowing.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "decoder/error.hpp"
#include "decoder/module.hpp"
#include "runtime/store.hpp"
#include "validator/validate.hpp"
#include "runtime/trap.hpp"

namespace wsvm {

// When the JIT compiles a module's functions (other engines ignore it; wsvm --jit-compile):
// all of them in compile(), on the calling thread (Eager) or split across worker threads
// (Parallel), or each one on its first call (Lazy; compile() still validates every body).
// Default: the JIT's measured default (jit/README.md; the `wsvm` command and wsvm-spec
// read $WSVM_JIT_COMPILE for it). Behaviour is identical in every mode; start-up time differs.
enum class JitCompile : uint8_t { Default, Eager, Parallel, Lazy };

// Options fixed when an engine is created (they change the code it emits). The meaning of
// fuel and interruptible is the limits contract above ExecContext in runtime/store.hpp.
// Engines read no environment variables: a front door that wants the development aids
// below fills them (the `wsvm` command from $WSVM_INTERP_DUMP, $WSVM_JIT_DUMP and
// $WSVM_INTERP_NOFUSE: cli/README.md).
struct EngineConfig {
  bool fuel = false;          // meter ExecContext::fuel_remaining (an op per region)
  bool interruptible = true;  // check ExecContext::interrupt at function entries and loops
  JitCompile jit_compile = JitCompile::Default;
  // Compile-time limits (runtime/compile_limit.hpp; wsvm --timeout, --compile-timeout):
  // compile() fails ("compilation stopped: ...") once the deadline passes or the budget,
  // counted from the start of each compile() call (and of each lazily compiled function),
  // runs out. None by default.
  std::optional<std::chrono::steady_clock::time_point> compile_deadline;
  std::optional<std::chrono::steady_clock::duration> compile_budget;
  // Development aids, all off by default:
  bool interp_dump = false;     // the interpreter prints every function's threaded code to stderr
  bool interp_no_fuse = false;  // the interpreter fuses no superinstructions (sequence profiles)
  std::string jit_dump_file;    // the JIT writes each module's machine code here (and the
                                // function offsets to stderr); empty: no dump
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual const char* name() const = 0;

  // Validates every function body and translates it in the same walk (the engine's listener
  // rides on the validator, DESIGN principle 2). validate_module_level has already passed.
  // Invalid bodies return ErrorKind::Invalid (after prefer_malformed).
  virtual Result<std::shared_ptr<const void>> compile(const Module& m) = 0;

  // The code of defined function `func_index` within per-module code from compile().
  virtual const void* function_code(const void* module_code, uint32_t func_index) const = 0;

  // Runs wasm function `f`: arguments in slots[0..f.param_slots), results written to
  // slots[0..f.result_slots). Re-entrant (host functions may call back into wasm).
  // Counts ctx.call_depth against ctx.max_call_depth ("call stack exhausted").
  virtual std::optional<Trap> call(ExecContext& ctx, const FuncInstance& f, uint64_t* slots) = 0;
};

// decode_module + validate_module_level + engine.compile, with the spec's preference for
// malformed over invalid errors.
// `options` chooses the edition's rules (the 2.0 spec suite asks for 2.0's).
Result<std::shared_ptr<const CompiledModule>> compile_module(
    Engine& engine, std::span<const uint8_t> bytes, const ValidateOptions& options = {});
// The same, taking the bytes over (no copy into the Module).
Result<std::shared_ptr<const CompiledModule>> compile_module(
    Engine& engine, std::vector<uint8_t>&& bytes, const ValidateOptions& options = {});

}  // namespace wsvm
