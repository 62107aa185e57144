#include "cli/run.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "cli/exit_codes.hpp"
#include "cli/load.hpp"
#include "cli/values.hpp"
#include "cli/wasi_link.hpp"
#include "interp/interp_engine.hpp"
#include "memory/trap_handler.hpp"
#include "runtime/engine.hpp"
#include "runtime/linker.hpp"
#include "runtime/store.hpp"
#include "validator/validate.hpp"

namespace wsvm::cli {
namespace {

// Messages must stay on one line whatever a module's names contain.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

int load_error(const std::string& path, const Error& err) {
  print_error(path + ": " + err.to_string());
  return kExitLoad;
}

int usage_error(const std::string& message) {
  print_error(message);
  return kExitUsage;
}

int report_trap(const Trap& trap) {
  if (trap.kind == TrapKind::Exit) return trap.exit_code;
  std::fflush(stdout);
  std::string out = "wsvm: trap: " + one_line(trap.message) + "\n";
  for (const BacktraceFrame& f : trap.backtrace) out += "  at " + one_line(f.function) + "\n";
  std::fputs(out.c_str(), stderr);
  return kExitTrap;
}

bool ends_with_text_extension(const std::string& path) {
  return path.ends_with(".wat") || path.ends_with(".wast");
}

std::expected<std::unique_ptr<Engine>, std::string> make_engine(EngineChoice choice) {
  switch (choice) {
    case EngineChoice::Interp:
    case EngineChoice::Auto: return make_interp_engine();
    case EngineChoice::Jit: break;
  }
  return std::unexpected("the jit engine is not available yet (use --engine interp)");
}

// Prints a decode/validate/compile error (with a hint for text-format files).
int module_error(const std::string& path, const std::vector<uint8_t>& bytes, Error err) {
  bool is_binary = bytes.size() >= 4 && std::equal(bytes.begin(), bytes.begin() + 4, "\0asm");
  if (err.kind == ErrorKind::Malformed && !is_binary && ends_with_text_extension(path))
    err.message += " (the text format is not supported yet: convert it with wat2wasm)";
  return load_error(path, err);
}

// Reads, decodes, validates and compiles; prints the error and gives the exit status on failure.
std::expected<std::shared_ptr<const CompiledModule>, int> load(Engine& engine,
                                                               const std::string& path) {
  auto bytes = read_module_file(path);
  if (!bytes) return std::unexpected(load_error(path, bytes.error()));
  auto compiled = compile_module(engine, *bytes);
  if (!compiled) return std::unexpected(module_error(path, *bytes, compiled.error()));
  return *compiled;
}

// `wsvm validate`: decode and validate only, no engine translation.
int validate_file(const std::string& path) {
  auto bytes = read_module_file(path);
  if (!bytes) return load_error(path, bytes.error());
  auto module = decode_module(*bytes);
  if (!module) return module_error(path, *bytes, module.error());
  if (auto ok = validate_module(**module); !ok) return module_error(path, *bytes, ok.error());
  return kExitOk;
}

int invoke_export(Store& store, Instance& inst, const Options& o) {
  const std::string& name = *o.invoke;
  auto ext = inst.find_export(name);
  if (!ext) return usage_error(fmt::format("{}: unknown export \"{}\"", o.module_path, one_line(name)));
  if (ext->kind != ExternKind::Func) {
    return usage_error(fmt::format("{}: export \"{}\" is a {}, not a function", o.module_path,
                                   one_line(name), extern_kind_name(ext->kind)));
  }
  FuncInstance* f = ext->func;
  const FuncType& ft = *f->type;
  if (o.args.size() != ft.params.size()) {
    return usage_error(fmt::format("function \"{}\" {} expects {} argument{}, got {}",
                                   one_line(name), ft.to_string(), ft.params.size(),
                                   ft.params.size() == 1 ? "" : "s", o.args.size()));
  }
  std::vector<Value> args;
  for (size_t i = 0; i < o.args.size(); ++i) {
    auto v = parse_value(ft.params[i], o.args[i]);
    if (!v) {
      return usage_error(fmt::format("argument {} of \"{}\": '{}' is {}", i + 1, one_line(name),
                                     one_line(o.args[i]), v.error()));
    }
    args.push_back(*v);
  }
  auto results = store.invoke(f, args);
  if (!results) return report_trap(results.error());
  std::string out;
  for (const Value& v : *results) out += format_value(v) + "\n";
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

int run_start(Store& store, Instance& inst, const Options& o) {
  auto ext = inst.find_export("_start");
  if (!ext) return kExitOk;  // a reactor-style module: instantiation (and its start) is the run
  if (ext->kind != ExternKind::Func || !ext->func->type->params.empty() ||
      !ext->func->type->results.empty()) {
    return load_error(o.module_path, Error{ErrorKind::Invalid, kNoOffset,
                                           "export \"_start\" must be a function [] -> []"});
  }
  auto results = store.invoke(ext->func, {});
  if (!results) return report_trap(results.error());
  return kExitOk;
}

}  // namespace

void print_error(const std::string& message) {
  std::fflush(stdout);
  std::string line = "wsvm: error: " + one_line(message) + "\n";
  std::fputs(line.c_str(), stderr);
}

int run_command(const Options& o) {
  auto engine = make_engine(o.engine);
  if (!engine) return usage_error(engine.error());
  // Engines that drop explicit bounds checks rely on it; installing it is idempotent.
  memory::install_trap_handler();

  if (o.command == Command::Validate) return validate_file(o.module_path);
  auto compiled = load(**engine, o.module_path);
  if (!compiled) return compiled.error();

  Store store(**engine);
  Linker linker;
  auto wasi_ctx = link_wasi(linker, store, *(*compiled)->module, o);
  if (!wasi_ctx) return usage_error(wasi_ctx.error());
  auto inst = linker.instantiate(store, *compiled);
  if (!inst) return load_error(o.module_path, inst.error());
  return o.invoke ? invoke_export(store, **inst, o) : run_start(store, **inst, o);
}

}  // namespace wsvm::cli
