// Engine glue: compile() rides the validator's walk with the Translator, call() sets up the
// entry frame on the thread's value stack and runs the dispatch loop.
#include "interp/interp_engine.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "interp/code.hpp"
#include "interp/disasm.hpp"
#include "interp/interpreter.hpp"
#include "interp/translate.hpp"
#include "memory/trap_handler.hpp"
#include "runtime/compile_limit.hpp"
#include "validator/function_validator.hpp"
#include "validator/validate.hpp"

namespace wsvm {
namespace {

using interp::FuncCode;
using interp::InterpThread;
using interp::ModuleCode;

class InterpEngine final : public Engine {
 public:
  explicit InterpEngine(EngineConfig config) : m_config(config) {
    // Loads and stores rely on guard pages (interpreter.cpp, BOUNDS_CHECK).
    memory::install_trap_handler();
  }
  const char* name() const override { return "interp"; }

  Result<std::shared_ptr<const void>> compile(const Module& m) override {
    auto code = std::make_shared<ModuleCode>();
    code->imported_funcs = m.imported_funcs;
    code->funcs.resize(m.code.size());
    if (m.code.empty()) return std::shared_ptr<const void>(std::move(code));
    // One walker and one translator for all bodies: their vectors keep their capacity.
    std::vector<bool> refs;
    collect_declared_refs(m, refs);
    FunctionWalker<StoppableListener<interp::Translator>> walker;
    walker.use_declared_refs(&refs);
    interp::Translator t(code->arena, code->funcs[0],
                         {m_config.fuel, m_config.interruptible, code->funcs.data(),
                          m_config.interp_no_fuse});
    // ~0.53 code words per byte of body in bench/micro's large module; a guess above that,
    // so a module's code usually fits the first block.
    size_t body_bytes = 0;
    for (const FunctionBody& b : m.code) body_bytes += b.body_end - b.body_offset;
    t.expect_words(body_bytes * 3 / 4 + 1024);
    CompileStop stop(m_config);  // EngineConfig::compile_deadline / compile_budget
    StoppableListener<interp::Translator> listener(t, stop);
    for (uint32_t i = 0; i < m.code.size(); ++i) {
      t.retarget(code->funcs[i]);
      Result<void> r = walker.walk(m, m.imported_funcs + i, listener);
      if (!r) {
        if (r.error().kind == ErrorKind::Invalid && !stop.stopped())
          return std::unexpected(prefer_malformed(m, r.error()));
        return std::unexpected(r.error());
      }
      if (std::optional<Op> op = t.untranslated()) [[unlikely]]
        return make_error(ErrorKind::Invalid, m.code[i].body_offset,
                          fmt::format("interp: no translation for instruction {} in function {}",
                                      op_name(*op), m.imported_funcs + i));
    }
    // Development aid (EngineConfig::interp_dump; wsvm: WSVM_INTERP_DUMP=1): every
    // function's threaded code to stderr.
    if (m_config.interp_dump) {
      for (const FuncCode& fc : code->funcs) {
        std::fprintf(stderr, "== func %u %s\n%s", fc.func_index,
                     m.function_name(fc.func_index).c_str(), interp::disassemble(fc).c_str());
      }
    }
    return std::shared_ptr<const void>(std::move(code));
  }

  const void* function_code(const void* module_code, uint32_t func_index) const override {
    const auto* mc = static_cast<const ModuleCode*>(module_code);
    return &mc->funcs[func_index - mc->imported_funcs];
  }

  std::optional<Trap> call(ExecContext& ctx, const FuncInstance& f, uint64_t* slots) override {
    if (!ctx.engine_state) ctx.engine_state = std::make_unique<InterpThread>(this, ctx.max_stack_bytes);
    auto* th = dynamic_cast<InterpThread*>(ctx.engine_state.get());
    if (th == nullptr) {
      Trap t = Trap::make(TrapKind::Host);
      t.message = "interp: execution context belongs to another engine";
      return t;
    }
    const auto* fc = static_cast<const FuncCode*>(f.code);
    uint64_t* fp = th->top;
    size_t need = std::max({fc->frame_slots, f.param_slots, f.result_slots});
    if (need > static_cast<size_t>(th->stack_end - fp)) return Trap::make(TrapKind::CallStackExhausted);
    std::copy(slots, slots + f.param_slots, fp);
    std::optional<Trap> trap = interp::execute(ctx, *th, f, fp);
    if (!trap) std::copy(fp, fp + f.result_slots, slots);
    return trap;
  }

 private:
  EngineConfig m_config;  // fuel / interrupt ops in the translated code (translate.hpp)
};

}  // namespace

std::unique_ptr<Engine> make_interp_engine(EngineConfig config) {
  return std::make_unique<InterpEngine>(config);
}

}  // namespace wsvm
