#include "runner/runner.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "component/ir.hpp"
#include "engines/registry.hpp"
#include "memory/trap_handler.hpp"
#include "runner/exit_status.hpp"
#include "runner/run_internal.hpp"
#include "runner/read_file.hpp"
#include "runtime/deadline.hpp"
#include "runtime/linker.hpp"
#include "validator/validate.hpp"
#include "wasi/p2/host.hpp"
#include "wasi/preview1/preview1.hpp"

namespace wsvm::runner {

Outcome usage(std::string message) {
  Outcome o;
  o.ending = Ending::UsageError;
  o.message = std::move(message);
  return o;
}

Outcome load_error(const std::string& name, const Error& err) {
  Outcome o;
  o.ending = Ending::LoadError;
  o.message = name + ": " + err.to_string();
  return o;
}

namespace {

bool has_wasm_magic(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 4 && std::equal(bytes.begin(), bytes.begin() + 4, "\0asm");
}

// A decode/validate/compile error, with a hint for text-format files (the CLI converts
// text before it gets here; an embedder calling the runner directly may not).
Outcome module_error(const std::string& name, bool is_binary, Error err) {
  if (err.kind == ErrorKind::Malformed && !is_binary &&
      (name.ends_with(".wat") || name.ends_with(".wast")))
    err.message += " (a text module: the runner reads binary modules; the wsvm command and text/wat_to_wasm convert text)";
  return load_error(name, err);
}

}  // namespace

int exit_status(const Outcome& o) {
  switch (o.ending) {
    case Ending::Returned: return kExitOk;
    case Ending::Exited: return o.exit_code;
    case Ending::Trapped: return kExitTrap;
    case Ending::TimedOut: return kExitTimeout;
    case Ending::OutOfFuel: return kExitOutOfFuel;
    case Ending::LoadError: return kExitLoad;
    case Ending::UsageError: return kExitUsage;
  }
  return kExitTrap;
}

std::expected<std::shared_ptr<Engine>, Outcome> open_engine(std::string_view name,
                                                           EngineConfig config) {
  auto engine = make_engine(name, std::move(config));
  if (!engine) return std::unexpected(usage(engine.error()));
  // Engines that drop explicit bounds checks rely on it; installing it is idempotent.
  memory::install_trap_handler();
  return std::shared_ptr<Engine>(std::move(*engine));
}

namespace {

std::expected<std::shared_ptr<const Program>, Outcome> compile_bytes(
    std::shared_ptr<Engine> engine, const EngineConfig& config, std::vector<uint8_t> bytes,
    const std::string& name, Clock::time_point started) {
  const bool is_binary = has_wasm_magic(bytes);
  if (component::is_component(bytes)) return load_component(std::move(engine), config, std::move(bytes), name, started);
  auto compiled = compile_module(*engine, std::move(bytes));  // the module keeps the bytes
  const Clock::duration took = Clock::now() - started;
  if (!compiled) {
    Outcome o = module_error(name, is_binary, compiled.error());
    if (config.compile_deadline && Clock::now() >= *config.compile_deadline) {
      o.ending = Ending::TimedOut;  // stopped by (or failed after) the caller's deadline
      o.trap = Trap::make(TrapKind::Interrupted);
    }
    o.stats.compile = took;
    return std::unexpected(std::move(o));
  }
  auto p = std::make_shared<Program>();
  p->name = name;
  p->engine = std::move(engine);
  p->compiled = std::move(*compiled);
  p->metered = config.fuel;
  p->compile_time = took;
  return std::shared_ptr<const Program>(std::move(p));
}

}  // namespace

std::expected<std::shared_ptr<const Program>, Outcome> load_program(
    std::shared_ptr<Engine> engine, const EngineConfig& config, std::vector<uint8_t> bytes,
    const std::string& name) {
  return compile_bytes(std::move(engine), config, std::move(bytes), name, Clock::now());
}

std::expected<std::shared_ptr<const Program>, Outcome> load_program(
    std::shared_ptr<Engine> engine, const EngineConfig& config, const std::string& path) {
  const Clock::time_point started = Clock::now();
  auto bytes = read_module_file(path);
  if (!bytes) {
    Outcome o = load_error(path, bytes.error());
    o.stats.compile = Clock::now() - started;
    return std::unexpected(std::move(o));
  }
  return compile_bytes(std::move(engine), config, std::move(*bytes), path, started);
}

Outcome validate_file(const std::string& path) {
  auto bytes = read_module_file(path);
  if (!bytes) return load_error(path, bytes.error());
  return validate_bytes(std::move(*bytes), path);
}

Outcome validate_bytes(std::vector<uint8_t> bytes, const std::string& name) {
  const bool is_binary = has_wasm_magic(bytes);
  if (component::is_component(bytes)) {
    if (auto ok = validate_component_bytes(bytes); !ok) return load_error(name, ok.error());
    return Outcome{};
  }
  auto module = decode_module(std::move(bytes));
  if (!module) return module_error(name, is_binary, module.error());
  if (auto ok = validate_module(**module); !ok) return module_error(name, is_binary, ok.error());
  return Outcome{};
}

Run::Run(std::shared_ptr<const Program> program, RunRequest request)
    : m_program(std::move(program)), m_request(std::move(request)), m_created(Clock::now()) {
  const Limits& lim = m_request.limits;
  StoreLimits limits;
  limits.max_memory_pages = lim.max_memory_pages;
  limits.max_stack_bytes = lim.max_stack_bytes;
  // The stack size is the limit users set; the frame-count limit must not bind first. Every
  // frame (interpreter or machine) takes at least 16 bytes, so bytes / 16 frames never do.
  limits.max_call_depth = static_cast<uint32_t>(
      std::max<uint64_t>(limits.max_call_depth, lim.max_stack_bytes / 16));
  m_store = std::make_unique<Store>(*m_program->engine, limits);
  if (m_program->metered) m_store->set_fuel(lim.fuel.value_or(UINT64_MAX));  // clamped to INT64_MAX
  m_linker = std::make_unique<Linker>();
}

Run::~Run() { return_host(); }

std::optional<Outcome> Run::link() {
  if (m_program->component) return link_component();
  if (!m_request.components.empty())
    return usage(m_program->name + ": linked components need a component to link to (this is a core module)");
  const Module& module = *m_program->compiled->module;
  if (!wasi::imports_preview1(module)) return std::nullopt;
  // WASI preview 1 passes i32 pointers into memory 0: a 64-bit memory 0 (memory64) cannot
  // serve it, so such a command is refused before it runs (issue 22).
  if (!module.memories.empty() && module.memories[0].limits.addr64)
    return load_error(m_program->name,
                      Error{ErrorKind::Unlinkable, kNoOffset,
                            "WASI preview 1 needs a 32-bit memory 0, and this module's memory 0 "
                            "is 64-bit (memory64)"});
  auto ctx = wasi::WasiContext::create(m_request.wasi);
  if (!ctx) return usage(ctx.error().message);
  if (auto r = wasi::define_preview1(*m_linker, *m_store, **ctx, &module); !r)
    return usage(r.error().message);
  m_wasi = std::move(*ctx);
  return std::nullopt;
}

std::optional<Outcome> Run::instantiate() {
  // The timeout covers instantiation (a start function may loop) and the run.
  if (m_request.limits.timeout) {
    Deadline::Overrun overrun;
    overrun.grace = std::chrono::milliseconds(100);
    overrun.callback = m_request.on_timeout_overrun;
    m_deadline = std::make_unique<Deadline>(*m_store, *m_request.limits.timeout, std::move(overrun));
  }
  if (m_program->component) return instantiate_component();
  auto inst = m_linker->instantiate(*m_store, m_program->compiled);
  m_instantiated = Clock::now();
  if (inst) {
    m_instance = *inst;
    return std::nullopt;
  }
  end();
  // A limit, or proc_exit, in a start function ends the run as it would in _start; any
  // other failure (a trap included) makes the module uninstantiable.
  const std::optional<Trap>& trap = m_linker->last_trap();
  if (trap && (trap->kind == TrapKind::Interrupted || trap->kind == TrapKind::OutOfFuel ||
               trap->kind == TrapKind::Exit))
    return ended_by(*trap);
  return with_stats(load_error(m_program->name, inst.error()));
}

Outcome Run::call_start() {
  if (m_program->component) return call_component_run();
  auto ext = m_instance->find_export("_start");
  if (!ext) return with_stats(Outcome{});  // a reactor-style module: instantiation was the run
  if (ext->kind != ExternKind::Func || !ext->func->type->params.empty() ||
      !ext->func->type->results.empty()) {
    return with_stats(load_error(m_program->name,
                                 Error{ErrorKind::Invalid, kNoOffset,
                                       "export \"_start\" must be a function [] -> []"}));
  }
  auto results = m_store->invoke(ext->func, {});
  end();
  if (!results) return ended_by(results.error());
  return with_stats(Outcome{});
}

std::expected<FuncInstance*, Outcome> Run::find_function(std::string_view name) const {
  if (!m_instance)
    return std::unexpected(usage(fmt::format("{}: a component: its functions are called with WAVE values", m_program->name)));
  auto ext = m_instance->find_export(name);
  if (!ext) return std::unexpected(usage(fmt::format("{}: unknown export \"{}\"", m_program->name, name)));
  if (ext->kind != ExternKind::Func) {
    return std::unexpected(usage(fmt::format("{}: export \"{}\" is a {}, not a function",
                                             m_program->name, name, extern_kind_name(ext->kind))));
  }
  return ext->func;
}

Outcome Run::invoke(FuncInstance* f, std::span<const Value> args) {
  auto results = m_store->invoke(f, args);
  end();
  if (!results) return ended_by(results.error());
  Outcome o;
  o.results = std::move(*results);
  return with_stats(std::move(o));
}

// Interrupted and OutOfFuel are the limits' own endings when those limits are set; every
// other trap (proc_exit aside) is Trapped.
Outcome Run::ended_by(const Trap& trap) {
  Outcome o;
  if (trap.kind == TrapKind::Exit) {
    o.ending = Ending::Exited;
    o.exit_code = trap.exit_code;
    return with_stats(std::move(o));
  }
  o.trap = trap;
  if (trap.kind == TrapKind::Interrupted && m_request.limits.timeout) {
    o.ending = Ending::TimedOut;
  } else if (trap.kind == TrapKind::OutOfFuel && m_program->metered) {
    o.ending = Ending::OutOfFuel;
  } else {
    o.ending = Ending::Trapped;
  }
  return with_stats(std::move(o));
}

Outcome Run::with_stats(Outcome o) {
  o.stats = stats();
  return o;
}

void Run::end() {
  if (m_ended == Clock::time_point{}) m_ended = Clock::now();
  if (m_deadline) m_deadline->cancel();
}

Stats Run::stats() const {
  Stats s;
  s.compile = m_program->compile_time;
  if (m_instantiated != Clock::time_point{}) {
    s.instantiate = m_instantiated - m_created;
    if (m_ended != Clock::time_point{}) s.run = m_ended - m_instantiated;
  }
  if (m_program->metered) s.fuel_consumed = m_store->fuel_consumed();
  if (m_deadline && m_deadline->fired() && m_ended != Clock::time_point{}) {
    s.stopped_after_deadline = m_ended - m_deadline->deadline();
    s.timer_late = m_deadline->fired_at() - m_deadline->deadline();
  }
  return s;
}

Finished run_program(std::shared_ptr<const Program> program, RunRequest request) {
  Finished f{Outcome{}, std::make_unique<Run>(std::move(program), std::move(request))};
  if (auto failed = f.run->link()) {
    f.outcome = std::move(*failed);
  } else if (auto failed = f.run->instantiate()) {
    f.outcome = std::move(*failed);
  } else {
    f.outcome = f.run->call_start();
  }
  return f;
}

}  // namespace wsvm::runner
