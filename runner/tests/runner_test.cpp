// The runner in every built engine: each Ending and its exit status, the limits, stats,
// invoke, and one Program instantiated many times (sequentially and from two threads).
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "engines/registry.hpp"
#include "runner/exit_status.hpp"
#include "runner/runner.hpp"
#include "runtime/linker.hpp"
#include "tests/wasm_writer.hpp"

using namespace wsvm;
using namespace wsvm::runner;
using namespace wsvm::wasm_writer;

namespace {

constexpr uint8_t kI32 = 0x7f;

struct Func {
  std::vector<uint8_t> params, results;
  Bytes body;  // instructions, without the locals declaration and the final `end`
  std::string export_name;
};

struct ModuleSpec {
  bool import_proc_exit = false;  // wasi_snapshot_preview1.proc_exit is function 0
  std::optional<uint32_t> memory_min;  // exported as "memory"
  bool counter = false;                // a mutable i32 global 0, starting at 0
  std::optional<uint32_t> start;       // the start function
  std::vector<Func> funcs;
};

Bytes func_type(const std::vector<uint8_t>& params, const std::vector<uint8_t>& results) {
  Bytes t{0x60};
  put_u32(t, params.size());
  t.insert(t.end(), params.begin(), params.end());
  put_u32(t, results.size());
  t.insert(t.end(), results.begin(), results.end());
  return t;
}

Bytes build(const ModuleSpec& spec) {
  const uint32_t first = spec.import_proc_exit ? 1 : 0;  // index of the first defined function
  Bytes out = module_header();
  Bytes types;
  put_u32(types, spec.funcs.size() + first);
  if (spec.import_proc_exit) put_bytes(types, func_type({kI32}, {}));
  for (const Func& f : spec.funcs) put_bytes(types, func_type(f.params, f.results));
  put_section(out, 1, types);
  if (spec.import_proc_exit) {
    Bytes imports;
    put_u32(imports, 1);
    put_name(imports, "wasi_snapshot_preview1");
    put_name(imports, "proc_exit");
    put(imports, {0x00, 0x00});  // func, type 0
    put_section(out, 2, imports);
  }
  Bytes funcs;
  put_u32(funcs, spec.funcs.size());
  for (uint32_t i = 0; i < spec.funcs.size(); ++i) put_u32(funcs, i + first);
  put_section(out, 3, funcs);
  if (spec.memory_min) {
    Bytes mem{0x01, 0x00};
    put_u32(mem, *spec.memory_min);
    put_section(out, 5, mem);
  }
  if (spec.counter) put_section(out, 6, {0x01, kI32, 0x01, 0x41, 0x00, 0x0b});
  Bytes exports;
  uint32_t n = spec.memory_min ? 1 : 0;
  for (const Func& f : spec.funcs) n += f.export_name.empty() ? 0 : 1;
  put_u32(exports, n);
  for (uint32_t i = 0; i < spec.funcs.size(); ++i) {
    if (spec.funcs[i].export_name.empty()) continue;
    put_name(exports, spec.funcs[i].export_name);
    exports.push_back(0x00);
    put_u32(exports, i + first);
  }
  if (spec.memory_min) {
    put_name(exports, "memory");
    put(exports, {0x02, 0x00});
  }
  put_section(out, 7, exports);
  if (spec.start) {
    Bytes start;
    put_u32(start, *spec.start);
    put_section(out, 8, start);
  }
  Bytes code;
  put_u32(code, spec.funcs.size());
  for (const Func& f : spec.funcs) {
    Bytes body{0x00};  // no locals
    put_bytes(body, f.body);
    body.push_back(0x0b);
    put_u32(code, body.size());
    put_bytes(code, body);
  }
  put_section(out, 10, code);
  return out;
}

// Instruction bytes.
const Bytes kLoopForever = {0x03, 0x40, 0x0c, 0x00, 0x0b};  // loop br 0 end
const Bytes kUnreachable = {0x00};

std::vector<std::string> engine_names() {
  std::vector<std::string> v;
  for (std::string_view n : built_engine_names()) v.emplace_back(n);
  return v;
}

std::shared_ptr<const Program> program_of(const std::string& engine_name, const Bytes& bytes,
                                          bool fuel = false) {
  EngineConfig config{.fuel = fuel};
  auto engine = open_engine(engine_name, config);
  REQUIRE(engine.has_value());
  auto program = load_program(*engine, config, bytes, "test.wasm");
  if (!program) FAIL(program.error().message);
  return *program;
}

Outcome run_start(const std::string& engine_name, const ModuleSpec& spec, RunRequest request = {},
                  bool fuel = false) {
  return run_program(program_of(engine_name, build(spec), fuel), std::move(request)).outcome;
}

}  // namespace

TEST_CASE("runner: _start returns, traps, exits; each ending has its exit status") {
  const std::string engine = GENERATE(from_range(engine_names()));
  INFO("engine " << engine);

  Outcome ok = run_start(engine, {.funcs = {{{}, {}, {0x01}, "_start"}}});
  CHECK(ok.ending == Ending::Returned);
  CHECK(exit_status(ok) == kExitOk);
  CHECK(ok.stats.compile.has_value());
  CHECK(ok.stats.instantiate.has_value());
  CHECK(ok.stats.run.has_value());
  CHECK_FALSE(ok.stats.fuel_consumed.has_value());  // not metered

  Outcome trap = run_start(engine, {.funcs = {{{}, {}, kUnreachable, "_start"}}});
  CHECK(trap.ending == Ending::Trapped);
  CHECK(exit_status(trap) == kExitTrap);
  REQUIRE(trap.trap.has_value());
  CHECK(trap.trap->message == "unreachable");

  // proc_exit(7): call 0 with i32.const 7.
  Outcome exited = run_start(engine, {.import_proc_exit = true,
                                      .funcs = {{{}, {}, {0x41, 0x07, 0x10, 0x00}, "_start"}}});
  CHECK(exited.ending == Ending::Exited);
  CHECK(exit_status(exited) == 7);

  // proc_exit(125) is the largest code that passes through; proc_exit(256) (0 in an 8-bit
  // status) and proc_exit(0x80000000) trap rather than report success.
  Outcome exited_125 = run_start(engine, {.import_proc_exit = true,
                                          .funcs = {{{}, {}, {0x41, 0xfd, 0x00, 0x10, 0x00}, "_start"}}});
  CHECK(exited_125.ending == Ending::Exited);
  CHECK(exit_status(exited_125) == 125);
  for (Bytes code : {Bytes{0x41, 0x80, 0x02}, Bytes{0x41, 0x80, 0x80, 0x80, 0x80, 0x78}}) {
    code.insert(code.end(), {0x10, 0x00});
    Outcome refused = run_start(engine, {.import_proc_exit = true,
                                         .funcs = {{{}, {}, code, "_start"}}});
    CHECK(refused.ending == Ending::Trapped);
    CHECK(exit_status(refused) == kExitTrap);
    REQUIRE(refused.trap.has_value());
    CHECK(refused.trap->message.find("exit status outside 0..125") != std::string::npos);
  }

  // proc_exit in a start function ends the run with its code too (not uninstantiable).
  Outcome exited_in_start = run_start(engine, {.import_proc_exit = true, .start = 1,
                                               .funcs = {{{}, {}, {0x41, 0x09, 0x10, 0x00}, ""}}});
  CHECK(exited_in_start.ending == Ending::Exited);
  CHECK(exit_status(exited_in_start) == 9);

  // A reactor (no _start) is done once instantiated.
  Outcome reactor = run_start(engine, {.funcs = {{{}, {}, kUnreachable, "f"}}});
  CHECK(reactor.ending == Ending::Returned);

  Outcome bad_start = run_start(engine, {.funcs = {{{kI32}, {}, {}, "_start"}}});
  CHECK(bad_start.ending == Ending::LoadError);
  CHECK(exit_status(bad_start) == kExitLoad);
  CHECK(bad_start.message == "test.wasm: invalid: export \"_start\" must be a function [] -> []");
}

TEST_CASE("runner: fuel, timeout, stack and memory limits") {
  const std::string engine = GENERATE(from_range(engine_names()));
  INFO("engine " << engine);
  const ModuleSpec forever{.funcs = {{{}, {}, kLoopForever, "_start"}}};

  RunRequest fuel;
  fuel.limits.fuel = 1000;
  Outcome out_of_fuel = run_start(engine, forever, fuel, /*fuel=*/true);
  CHECK(out_of_fuel.ending == Ending::OutOfFuel);
  CHECK(exit_status(out_of_fuel) == kExitOutOfFuel);
  REQUIRE(out_of_fuel.stats.fuel_consumed.has_value());
  CHECK(*out_of_fuel.stats.fuel_consumed >= 1000);

  RunRequest timeout;
  timeout.limits.timeout = std::chrono::milliseconds(30);
  Outcome timed_out = run_start(engine, forever, timeout);
  CHECK(timed_out.ending == Ending::TimedOut);
  CHECK(exit_status(timed_out) == kExitTimeout);
  CHECK(timed_out.stats.stopped_after_deadline.has_value());
  CHECK(timed_out.stats.timer_late.has_value());

  // A start function that loops is covered by the timeout too (status 124, not 126).
  ModuleSpec start_loops = forever;
  start_loops.funcs[0].export_name = "";
  start_loops.start = 0;
  Outcome in_start = run_program(program_of(engine, build(start_loops)), timeout).outcome;
  CHECK(in_start.ending == Ending::TimedOut);

  // Recursion past the stack limit: call 0.
  RunRequest small_stack;
  small_stack.limits.max_stack_bytes = 64 << 10;
  Outcome deep = run_start(engine, {.funcs = {{{}, {}, {0x10, 0x00}, "_start"}}}, small_stack);
  CHECK(deep.ending == Ending::Trapped);
  REQUIRE(deep.trap.has_value());
  CHECK(deep.trap->message == "call stack exhausted");

  RunRequest small_memory;
  small_memory.limits.max_memory_pages = 16;
  Outcome too_big = run_start(engine, {.memory_min = 20, .funcs = {{{}, {}, {}, "_start"}}},
                              small_memory);
  CHECK(too_big.ending == Ending::LoadError);
  CHECK(too_big.message.find("uninstantiable") != std::string::npos);
}

TEST_CASE("runner: a host call that blocks past the timeout runs the overrun callback") {
  const std::string engine = GENERATE(from_range(engine_names()));
  INFO("engine " << engine);
  // (import "env" "block" (func)) (func (export "_start") call 0)
  Bytes bytes = module_header();
  put_section(bytes, 1, {0x01, 0x60, 0x00, 0x00});
  Bytes imports{0x01};
  put_name(imports, "env");
  put_name(imports, "block");
  put(imports, {0x00, 0x00});
  put_section(bytes, 2, imports);
  put_section(bytes, 3, {0x01, 0x00});
  Bytes exports{0x01};
  put_name(exports, "_start");
  put(exports, {0x00, 0x01});
  put_section(bytes, 7, exports);
  put_section(bytes, 10, {0x01, 0x04, 0x00, 0x10, 0x00, 0x0b});

  std::atomic<bool> overrun{false};
  RunRequest request;
  // The deadline starts at instantiate(): 200 ms leaves room for instantiating under an
  // emulator (qemu-aarch64 took over 20 ms with the JIT), so the interrupt flag does not stop
  // _start before it reaches the host call.
  request.limits.timeout = std::chrono::milliseconds(200);
  request.on_timeout_overrun = [&overrun] { overrun = true; };
  Run run(program_of(engine, bytes), std::move(request));
  // Blocks well past deadline + 100 ms grace (300 ms); the interrupt flag cannot stop it.
  Extern block;
  block.kind = ExternKind::Func;
  block.func = run.store().create_host_func(FuncType{}, [](HostContext&, uint64_t*) {
    std::this_thread::sleep_for(std::chrono::milliseconds(900));
    return std::optional<Trap>{};
  });
  run.linker().define("env", "block", block);
  REQUIRE_FALSE(run.link().has_value());
  REQUIRE_FALSE(run.instantiate().has_value());
  run.call_start();  // returns once the host call does (no check follows it in _start)
  CHECK(overrun.load());
  CHECK(run.stats().timer_late.has_value());
}

TEST_CASE("runner: invoke an export; unknown exports and non-functions are usage errors") {
  const std::string engine = GENERATE(from_range(engine_names()));
  INFO("engine " << engine);
  // add: local.get 0 local.get 1 i32.add
  auto program = program_of(
      engine, build({.memory_min = 1,
                     .funcs = {{{kI32, kI32}, {kI32}, {0x20, 0x00, 0x20, 0x01, 0x6a}, "add"}}}));
  Run run(program, {});
  REQUIRE_FALSE(run.link().has_value());
  REQUIRE_FALSE(run.instantiate().has_value());

  auto unknown = run.find_function("sub");
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().ending == Ending::UsageError);
  CHECK(exit_status(unknown.error()) == kExitUsage);
  CHECK(unknown.error().message == "test.wasm: unknown export \"sub\"");
  auto memory = run.find_function("memory");
  REQUIRE_FALSE(memory.has_value());
  CHECK(memory.error().message == "test.wasm: export \"memory\" is a memory, not a function");

  auto add = run.find_function("add");
  REQUIRE(add.has_value());
  const Value args[] = {Value::from_i32(40), Value::from_i32(2)};
  Outcome o = run.invoke(*add, args);
  CHECK(o.ending == Ending::Returned);
  REQUIRE(o.results.size() == 1);
  CHECK(o.results[0].i32 == 42);
  CHECK(run.stats().run.has_value());
}

TEST_CASE("runner: load errors name the file; unknown engines are usage errors") {
  auto bad_engine = open_engine("fast", {});
  REQUIRE_FALSE(bad_engine.has_value());
  CHECK(bad_engine.error().ending == Ending::UsageError);
  CHECK(bad_engine.error().message == "unknown engine 'fast' (expected interp, jit or auto)");

  const std::string engine = GENERATE(from_range(engine_names()));
  auto e = open_engine(engine, {});
  REQUIRE(e.has_value());
  auto missing = load_program(*e, {}, "/nonexistent/m.wasm");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().ending == Ending::LoadError);
  CHECK(missing.error().message == "/nonexistent/m.wasm: i/o error: No such file or directory");
  CHECK(missing.error().stats.compile.has_value());

  auto text = load_program(*e, {}, Bytes{'(', 'm', 'o', 'd', 'u', 'l', 'e', ')'}, "m.wat");
  REQUIRE_FALSE(text.has_value());
  CHECK(text.error().message.ends_with("(a text module: the runner reads binary modules; the wsvm command and text/wat_to_wasm convert text)"));
}

TEST_CASE("runner: one Program, many instances, each with fresh state") {
  const std::string engine = GENERATE(from_range(engine_names()));
  INFO("engine " << engine);
  // next: global 0 += 1; return it. A fresh instance always answers 1.
  const Bytes next_body = {0x23, 0x00, 0x41, 0x01, 0x6a, 0x24, 0x00, 0x23, 0x00};
  auto program = program_of(engine, build({.counter = true,
                                           .funcs = {{{}, {kI32}, next_body, "next"}}}), true);
  auto one_run = [&program]() -> int {
    RunRequest request;
    request.limits.fuel = 100;
    Run run(program, std::move(request));
    if (run.link() || run.instantiate()) return -1;
    auto f = run.find_function("next");
    if (!f) return -2;
    (void)run.invoke(*f, {});
    Outcome second = run.invoke(*f, {});
    if (second.ending != Ending::Returned || second.results.size() != 1) return -3;
    return static_cast<int>(second.results[0].i32);  // 2: the same instance counted twice
  };
  for (int i = 0; i < 50; ++i) REQUIRE(one_run() == 2);

  // Two threads at once, each with its own Runs of the shared Program.
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i)
        if (one_run() != 2) ++wrong;
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(wrong == 0);
}

TEST_CASE("runner: validate_file decodes and validates only") {
  Outcome missing = validate_file("/nonexistent/m.wasm");
  CHECK(missing.ending == Ending::LoadError);
  CHECK(exit_status(missing) == kExitLoad);
}
