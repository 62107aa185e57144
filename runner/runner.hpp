// The runner: what every front door of wsvm shares to run a module. Load (read, decode,
// validate, compile with an engine from the registry), link WASI, apply the limits (memory,
// stack, fuel, a timeout with its overrun timer), instantiate, call `_start` or an export,
// and describe how it ended (an Outcome, mapped to the documented exit status). Printing is
// the caller's: the CLI turns an Outcome into its stderr lines (cli/run.cpp).
//
// Compile once, instantiate many times: a Program (engine + compiled module) is immutable
// and shared; each Run is one Store and one instance of it with its own limits, WASI context
// and timer. A server keeps the Program and makes a Run per request (README.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/engine.hpp"
#include "runtime/store.hpp"
#include "runtime/trap.hpp"
#include "runtime/value.hpp"
#include "component/instance.hpp"
#include "runner/component_links.hpp"
#include "wasi/preview1/context.hpp"

namespace wsvm {
class Deadline;
class Linker;
}  // namespace wsvm
namespace wsvm::wasi::p2 {
class Host;
namespace http {
class HttpClient;
}
}  // namespace wsvm::wasi::p2

namespace wsvm::runner {

class HostPool;
using Clock = std::chrono::steady_clock;

// How a load or a run ended. exit_status() gives the `wsvm` exit status of each.
enum class Ending {
  Returned,    // _start or the invoked export returned (or there was no _start): 0
  Exited,      // the WASI program called proc_exit(exit_code): exit_code
  Trapped,     // a trap while running (trap): 134
  TimedOut,    // RunRequest::limits.timeout passed (trap is the Interrupted one): 124
  OutOfFuel,   // the fuel budget ran out (trap is the OutOfFuel one): 125
  LoadError,   // unreadable, malformed, invalid, unlinkable or uninstantiable (message): 126
  UsageError,  // bad engine name, WASI setup, unknown export (message): 2
};

// What --stats reports. Each phase fills what it reached.
struct Stats {
  std::optional<Clock::duration> compile;      // read + decode + validate + translate
  std::optional<Clock::duration> instantiate;  // store, WASI, instantiation, start function
  std::optional<Clock::duration> run;          // _start or the export, until it returned
  std::optional<uint64_t> fuel_consumed;       // when the engine meters fuel
  // After a timeout, once the run ended: how long after the deadline it stopped, and how
  // late the timer thread set the interrupt flag.
  std::optional<Clock::duration> stopped_after_deadline;
  std::optional<Clock::duration> timer_late;
};

struct Outcome {
  Ending ending = Ending::Returned;
  int exit_code = 0;            // Exited
  std::optional<Trap> trap;     // Trapped, TimedOut, OutOfFuel
  std::string message;          // LoadError, UsageError: one message, no "wsvm: error: "
  std::vector<Value> results;   // Returned from invoke()
  std::vector<component::Val> component_results;  // Returned from invoke_component()
  Stats stats;                  // as far as this outcome's phase got
};

// The exit status of `wsvm` for an outcome (runner/exit_status.hpp).
int exit_status(const Outcome& outcome);

// An engine and a module compiled with it, or a decoded component (whose core modules the
// engine compiles when a Run instantiates it); immutable, shared by every Run of it.
struct Program {
  std::string name;  // the path as given: messages, WASI argv[0]
  std::shared_ptr<Engine> engine;
  std::shared_ptr<const CompiledModule> compiled;             // a core module, or
  std::shared_ptr<const component::Component> component;      // a component
  // Its core modules, compiled at the first instantiation and reused by the next ones.
  std::shared_ptr<component::CoreModuleCache> core_modules;
  // Its WASI 0.2 hosts with their linkers, kept between Runs (runner/host_pool.hpp).
  std::shared_ptr<HostPool> hosts;
  bool metered = false;  // compiled with fuel metering (EngineConfig::fuel)
  Clock::duration compile_time{};
};

// An engine by name (engines/registry.hpp: "interp", "jit", "auto"), with the trap handler
// installed; UsageError with the registry's message when the name is unknown or not built.
std::expected<std::shared_ptr<Engine>, Outcome> open_engine(std::string_view name,
                                                           EngineConfig config);

// Reads the file at `path` and compiles it with `engine` (created with `config`). A
// LoadError names the file; a text-format file gets a hint (wat2wasm). stats.compile is set
// either way.
std::expected<std::shared_ptr<const Program>, Outcome> load_program(
    std::shared_ptr<Engine> engine, const EngineConfig& config, const std::string& path);
// The same for bytes already in memory (`name` stands for the path in messages).
std::expected<std::shared_ptr<const Program>, Outcome> load_program(
    std::shared_ptr<Engine> engine, const EngineConfig& config, std::vector<uint8_t> bytes,
    const std::string& name);

// A component to link to a run's component (RunRequest::components): decoded and validated
// like a component Program; a LoadError names `path`. `name` is the manifest's NAME.
std::expected<LinkedComponent, Outcome> load_linked_component(std::vector<uint8_t> bytes, std::string name,
                                                              const std::string& path);

// `wsvm validate`: decode and validate only (no engine). Returned or LoadError. A component
// is decoded, its names checked, and each of its core modules decoded and validated.
Outcome validate_file(const std::string& path);
// The same for bytes already in memory (`name` stands for the path in messages).
Outcome validate_bytes(std::vector<uint8_t> bytes, const std::string& name);

// The limits of one run (the limits contract above ExecContext in runtime/store.hpp).
struct Limits {
  uint64_t max_memory_pages = 65536;            // per memory; a larger minimum: LoadError
  uint64_t max_stack_bytes = uint64_t{1} << 20;  // wasm stack; past it "call stack exhausted"
  std::optional<Clock::duration> timeout;        // from instantiation to the end of the run
  std::optional<uint64_t> fuel;                  // budget (the Program must be metered)
};

struct RunRequest {
  Limits limits;
  // WASI for a module that imports wasi_snapshot_preview1 (args[0] is the program name).
  wasi::WasiConfig wasi;
  // A component's wasi:sockets and wasi:http reach the host's network (--inherit-network).
  bool inherit_network = false;
  // Components linked to a component Program by interface name (runner/component_links.hpp),
  // instantiated before it in the same Store.
  std::vector<LinkedComponent> components;
  // A component's wasi:http/outgoing-handler: the client (none: every request is denied)
  // and the hosts it may reach (wasi/p2/host.hpp's HostOptions).
  std::shared_ptr<wasi::p2::http::HttpClient> http_client;
  std::vector<std::string> http_allow;
  std::function<void(const std::string&)> http_denied;  // a line per refused outgoing request
  // Runs on the timer thread if the run is still going 100 ms after the timeout fired (a
  // host call that blocks, which the interrupt flag cannot stop). The CLI ends the process
  // there; without it the run ends when the host call returns.
  std::function<void()> on_timeout_overrun;
};

// One instance of a Program: its Store (with the limits), WASI context, timer and
// instance. Use in order: link(), instantiate(), then call_start() or find_function() +
// invoke(). Not thread-safe; distinct Runs of one Program are independent.
class Run {
 public:
  Run(std::shared_ptr<const Program> program, RunRequest request);
  ~Run();
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  // Sets up WASI when the module imports it. nullopt when done; else a UsageError (a --dir
  // that cannot be opened, a --tcplisten address that cannot be bound).
  std::optional<Outcome> link();
  // Arms the timeout and instantiates (segments, start function). nullopt: ready to call;
  // else LoadError (unlinkable, uninstantiable), or TimedOut / OutOfFuel in a start function.
  std::optional<Outcome> instantiate();
  // Calls `_start` when exported (a module without one returns at once: a reactor's run is
  // its instantiation); LoadError when `_start` is not a function [] -> []. A component:
  // calls its `wasi:cli/run@0.2.x#run` (err is Exited 1; LoadError when it exports none).
  Outcome call_start();
  // A component's exported function (instance exports as `iface#name`), or a UsageError.
  std::expected<const component::ComponentFunc*, Outcome> find_component_function(std::string_view name) const;
  // Calls it with typed values; results in Outcome::component_results on Returned.
  Outcome invoke_component(const component::ComponentFunc& f, std::span<const component::Val> args);
  // The exported function `name`, or a UsageError (unknown export, not a function).
  std::expected<FuncInstance*, Outcome> find_function(std::string_view name) const;
  // Calls `f` (from find_function) with `args` of its parameter types; results on Returned.
  Outcome invoke(FuncInstance* f, std::span<const Value> args);

  // Stops the timer and records when the run ended (idempotent; the calls above do it when
  // they return from wasm). Before printing anything, a caller ends the run.
  void end();
  Stats stats() const;

  Store& store() { return *m_store; }
  // Imports beyond WASI (an embedder's host functions) are defined here before instantiate().
  Linker& linker() { return *m_linker; }
  Instance* instance() const { return m_instance; }
  // The component instance (null for a core module, or before instantiate()).
  component::ComponentInstance* component_instance() const { return m_component.get(); }
  // Imports of a component beyond WASI are defined here before instantiate() (the Run's
  // host then goes to no pool: its linker has the embedder's functions).
  component::ComponentLinker& component_linker() {
    m_host_reusable = false;
    return *m_component_linker;
  }
  // A component's WASI 0.2 host (after link()): an embedder adds its own resources to it
  // (a server's wasi:http request and response-outparam).
  wasi::p2::Host* p2_host() const { return m_p2.get(); }
  const Program& program() const { return *m_program; }

 private:
  Outcome ended_by(const Trap& trap);
  std::optional<Outcome> link_component();
  void return_host();
  std::optional<Outcome> instantiate_component();
  Outcome call_component_run();
  Outcome with_stats(Outcome o);

  std::shared_ptr<const Program> m_program;
  RunRequest m_request;
  std::unique_ptr<Store> m_store;
  std::unique_ptr<Linker> m_linker;
  std::unique_ptr<wasi::WasiContext> m_wasi;
  std::unique_ptr<component::ComponentLinker> m_component_linker;
  std::unique_ptr<wasi::p2::Host> m_p2;                 // outlives m_component's calls
  std::vector<size_t> m_link_order;                      // RunRequest::components, in order
  std::vector<std::unique_ptr<component::ComponentInstance>> m_linked;  // outlive m_component
  std::unique_ptr<component::ComponentInstance> m_component;
  std::unique_ptr<Deadline> m_deadline;  // destroyed (cancelled) before the store
  bool m_host_reusable = false;          // m_p2 and its linker go to Program::hosts at the end
  Instance* m_instance = nullptr;
  Clock::time_point m_created{}, m_instantiated{}, m_ended{};
};

// The whole command-style run of a Program: link, instantiate, call `_start`. The Run is
// returned too (stats; its teardown is left to the caller, which may end the process first).
struct Finished {
  Outcome outcome;
  std::unique_ptr<Run> run;
};
Finished run_program(std::shared_ptr<const Program> program, RunRequest request);

}  // namespace wsvm::runner
