// The command interpreter of spec scripts (see script_runner.hpp).
#include "wast/script_runner.hpp"

#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "runtime/linker.hpp"
#include "runtime/store.hpp"
#include "wast/spectest_host.hpp"
#include "wast/text_match.hpp"
#include "wast/values.hpp"

namespace wsvm::wast {

namespace {

using text::Action;
using text::Command;
using text::CommandKind;
using text::ResultPattern;

// What an action produced when it did not return values.
struct ActionFailure {
  std::optional<Trap> trap;          // the code trapped
  std::string message;               // otherwise: why the action could not run
  uint32_t missing_module_line = 0;  // non-zero: the module (loaded at this line) is missing
};

using ActionResult = std::expected<std::vector<Value>, ActionFailure>;

std::string format_values(const std::vector<Value>& vs, const std::vector<ResultPattern>* like) {
  std::string s = "(";
  for (size_t i = 0; i < vs.size(); ++i) {
    const ResultPattern* p = like && i < like->size() ? &(*like)[i] : nullptr;
    s += (i ? " " : "") + format_value(vs[i], p);
  }
  return s + ")";
}

std::string format_patterns(const std::vector<ResultPattern>& ps) {
  std::string s = "(";
  for (size_t i = 0; i < ps.size(); ++i) s += (i ? " " : "") + format_pattern(ps[i]);
  return s + ")";
}

std::string describe_action(const Action& a) {
  std::string target = a.module ? *a.module + "." : "";
  if (a.kind == Action::Kind::Get) return fmt::format("get {}\"{}\"", target, a.field);
  std::string args;
  for (size_t i = 0; i < a.args.size(); ++i) args += (i ? " " : "") + format_const(a.args[i]);
  return fmt::format("invoke {}\"{}\"({})", target, a.field, args);
}

std::string describe_trap(const Trap& t) { return fmt::format("trap \"{}\"", t.message); }

std::string describe_failure(const ActionFailure& f) {
  return f.trap ? describe_trap(*f.trap) : "error: " + f.message;
}

std::string describe_error(const Error& e) {
  return fmt::format("{} error \"{}\"", error_kind_name(e.kind), e.message);
}

// The error kind a module assertion expects.
ErrorKind expected_kind(CommandKind k) {
  switch (k) {
    case CommandKind::AssertMalformed: return ErrorKind::Malformed;
    case CommandKind::AssertInvalid: return ErrorKind::Invalid;
    case CommandKind::AssertUnlinkable: return ErrorKind::Unlinkable;
    default: return ErrorKind::Uninstantiable;  // assert_uninstantiable, assert_trap (module)
  }
}

class Runner {
 public:
  Runner(Engine& engine, const std::string& name, const text::Script& script, const RunOptions& options)
      : m_name(name), m_script(script), m_options(options), m_store(engine) {}

  FileResult run(const ProgressFn& progress) {
    if (auto ok = define_spectest(m_store, m_linker, m_options.verbose); !ok)
      m_spectest_error = ok.error().to_string();
    for (const Command& c : m_script.commands) {
      if (progress) progress(m_result, c);
      if (c.kind == CommandKind::Module || c.kind == CommandKind::ModuleInstance) report_collateral();
      run_guarded(c);
      if (m_options.stop_on_fail && m_result.failed > 0) {
        m_result.stopped = true;
        break;
      }
    }
    report_collateral();
    return m_result;
  }

 private:
  // Any exception (std::bad_alloc from a huge allocation, a bug) fails the command only.
  void run_guarded(const Command& c) {
    try {
      run_command(c);
    } catch (const std::exception& e) {
      fail(c, fmt::format("unexpected exception: {}", e.what()));
    } catch (...) {
      fail(c, "unexpected exception");
    }
  }

  void run_command(const Command& c) {
    if (auto reason = m_options.skips
                          ? m_options.skips->reason(m_name, c.line, m_store.engine().name())
                          : std::nullopt) {
      if (c.kind == CommandKind::Module || c.kind == CommandKind::ModuleInstance) forget_module(c, c.instance);
      if (is_assertion(c.kind)) skip(*reason);
      return;
    }
    if (!m_spectest_error.empty() && c.kind == CommandKind::Module)
      return fail(c, "the spectest module could not be created: " + m_spectest_error);

    switch (c.kind) {
      case CommandKind::Module: return run_module(c);
      case CommandKind::ModuleInstance: return run_module_instance(c);
      case CommandKind::Register: return run_register(c);
      case CommandKind::Action: return run_action(c);
      case CommandKind::AssertReturn: return run_assert_return(c);
      case CommandKind::AssertTrap:
        if (c.module) return run_assert_module(c);
        return run_assert_trap(c);
      case CommandKind::AssertExhaustion: return run_assert_trap(c);
      case CommandKind::AssertException: return run_assert_exception(c);
      case CommandKind::AssertMalformed:
      case CommandKind::AssertInvalid:
      case CommandKind::AssertUnlinkable:
      case CommandKind::AssertUninstantiable: return run_assert_module(c);
    }
  }

  // ---- counting and reporting ----

  void pass(const Command& c) {
    ++m_result.passed;
    if (is_assertion(c.kind)) ++m_result.assertions_done;
  }

  void skip(const std::string& reason) {
    ++m_result.skipped;
    ++m_result.assertions_done;
    ++m_result.skip_reasons[reason];
  }

  void fail(const Command& c, const std::string& what) {
    ++m_result.failed;
    if (is_assertion(c.kind)) ++m_result.assertions_done;
    if (m_options.verbose || m_lines_printed < m_options.max_failure_lines) {
      fmt::print("{}:{}: {}: {}\n", m_name, c.line, command_kind_name(c.kind), what);
      std::fflush(stdout);
      ++m_lines_printed;
    } else if (!m_told_truncated) {
      fmt::print("{}: (more failures not shown; --verbose shows all)\n", m_name);
      std::fflush(stdout);
      m_told_truncated = true;
    }
  }

  // A failure caused only by an earlier module that did not load: counted, but reported as
  // one line per module (unless verbose) so the budget of lines shows distinct problems.
  void fail_collateral(const Command& c, uint32_t module_line, const std::string& what) {
    if (m_options.verbose) return fail(c, what);
    ++m_result.failed;
    if (is_assertion(c.kind)) ++m_result.assertions_done;
    ++m_collateral[module_line];
  }

  void report_collateral() {
    for (const auto& [line, count] : m_collateral) {
      if (m_lines_printed >= m_options.max_failure_lines) break;
      fmt::print("{}:{}: {} later command(s) failed because this module did not load\n", m_name,
                 line, count);
      ++m_lines_printed;
    }
    std::fflush(stdout);
    m_collateral.clear();
  }

  void fail_action(const Command& c, const ActionFailure& f, const std::string& what) {
    if (f.missing_module_line != 0) return fail_collateral(c, f.missing_module_line, what);
    fail(c, what);
  }

  // An error of the right kind whose message differs from the script's text.
  void message_mismatch(const Command& c, const Error& e) {
    if (m_options.strict_messages)
      return fail(c, fmt::format("expected \"{}\", got {}", c.message, describe_error(e)));
    ++m_result.message_mismatches;
    if (m_options.verbose)
      fmt::print("{}:{}: note: {}: expected \"{}\", got {}\n", m_name, c.line,
                 command_kind_name(c.kind), c.message, describe_error(e));
    pass(c);
  }

  // ---- modules ----

  // The module of a command, compiled: the text format's error (malformed, with line:column)
  // or the decoder's and validator's.
  Result<std::shared_ptr<const CompiledModule>> compile(const text::ScriptModule& m) {
    if (!m.binary) return std::unexpected(m.binary.error().to_error());
    return compile_module(m_store.engine(), std::span<const uint8_t>(*m.binary),
                          ValidateOptions{m_options.wasm2});
  }

  // A module command that did not produce an instance: later actions on it must fail,
  // never run against an older module.
  void forget_module(const Command& c, const std::optional<std::string>& name) {
    m_current = nullptr;
    m_current_line = c.line;
    if (name) m_named[*name] = {nullptr, c.line};
  }

  void instantiated(const Command& c, const std::optional<std::string>& name, Instance* inst) {
    m_current = inst;
    m_current_line = c.line;
    if (name) m_named[*name] = {inst, c.line};
  }

  void run_module(const Command& c) {
    const text::ScriptModule& m = *c.module;
    auto compiled = compile(m);
    if (!compiled) {
      if (m.definition) m_definitions[m.id.value_or("")] = {nullptr, c.line};
      else forget_module(c, m.id);
      return fail(c, describe_error(compiled.error()));
    }
    // Every module is also a definition that `module instance` may instantiate again; an
    // unnamed one is the latest, which `(module instance)` without a name takes.
    m_definitions[m.id.value_or("")] = {*compiled, c.line};
    if (m.id) m_definitions[""] = {*compiled, c.line};
    if (m.definition) return;
    auto inst = m_linker.instantiate(m_store, std::move(*compiled));
    if (!inst) {
      forget_module(c, m.id);
      return fail(c, describe_error(inst.error()));
    }
    instantiated(c, m.id, *inst);
  }

  void run_module_instance(const Command& c) {
    auto it = m_definitions.find(c.module_ref.value_or(""));
    if (it == m_definitions.end()) {
      forget_module(c, c.instance);
      return fail(c, c.module_ref ? "unknown module " + *c.module_ref : "no module defined yet");
    }
    if (!it->second.first) {
      forget_module(c, c.instance);
      return fail_collateral(c, it->second.second, "the module definition did not load");
    }
    auto inst = m_linker.instantiate(m_store, it->second.first);
    if (!inst) {
      forget_module(c, c.instance);
      return fail(c, describe_error(inst.error()));
    }
    instantiated(c, c.instance, *inst);
  }

  // The instance a command refers to: a named one, else the current one.
  std::expected<Instance*, ActionFailure> instance_for(const std::optional<std::string>& name) {
    if (name) {
      auto it = m_named.find(*name);
      if (it == m_named.end())
        return std::unexpected(ActionFailure{std::nullopt, fmt::format("unknown module {}", *name)});
      if (!it->second.first) {
        return std::unexpected(ActionFailure{
            std::nullopt, fmt::format("module {} (line {}) did not load", *name, it->second.second),
            it->second.second});
      }
      return it->second.first;
    }
    if (!m_current) {
      if (m_current_line == 0) return std::unexpected(ActionFailure{std::nullopt, "no module defined yet"});
      return std::unexpected(ActionFailure{
          std::nullopt, fmt::format("the module of line {} did not load", m_current_line), m_current_line});
    }
    return m_current;
  }

  void run_register(const Command& c) {
    auto inst = instance_for(c.module_ref);
    if (!inst)
      return fail_action(c, inst.error(), fmt::format("register \"{}\": {}", c.name, inst.error().message));
    m_linker.define_instance(c.name, **inst);
  }

  // assert_malformed / invalid / unlinkable / uninstantiable, and assert_trap on a module.
  void run_assert_module(const Command& c) {
    const ErrorKind want = expected_kind(c.kind);
    const bool wants_link_step = want == ErrorKind::Unlinkable || want == ErrorKind::Uninstantiable;
    auto compiled = compile(*c.module);
    Error err;
    if (!compiled) {
      err = compiled.error();
    } else if (!wants_link_step) {
      return fail(c, fmt::format("loaded, expected {} error \"{}\"", error_kind_name(want), c.message));
    } else {
      auto inst = m_linker.instantiate(m_store, std::move(*compiled));
      if (inst) {
        return fail(c, fmt::format("instantiated, expected {} error \"{}\"", error_kind_name(want), c.message));
      }
      err = inst.error();
    }
    if (err.kind != want) {
      return fail(c, fmt::format("expected {} error \"{}\", got {}", error_kind_name(want), c.message,
                                 describe_error(err)));
    }
    if (text_matches(c.message, err.message)) return pass(c);
    // A trap during instantiation is a trap: its message must match like assert_trap's.
    if (want == ErrorKind::Uninstantiable)
      return fail(c, fmt::format("expected trap \"{}\", got {}", c.message, describe_error(err)));
    message_mismatch(c, err);
  }

  // ---- actions ----

  ActionResult perform(const Action& a) {
    auto inst = instance_for(a.module);
    if (!inst) return std::unexpected(inst.error());
    if (a.kind == Action::Kind::Get) {
      auto ext = (*inst)->find_export(a.field);
      if (!ext || ext->kind != ExternKind::Global || !ext->global)
        return std::unexpected(ActionFailure{std::nullopt, fmt::format("no exported global \"{}\"", a.field)});
      return std::vector<Value>{ext->global->get()};
    }
    FuncInstance* f = (*inst)->find_func(a.field);
    if (!f || !f->type)
      return std::unexpected(ActionFailure{std::nullopt, fmt::format("no exported function \"{}\"", a.field)});
    const auto& params = f->type->params;
    if (params.size() != a.args.size()) {
      return std::unexpected(ActionFailure{std::nullopt, fmt::format("{} arguments for the function type {}",
                                                                     a.args.size(), f->type->to_string())});
    }
    std::vector<Value> args;
    for (size_t i = 0; i < params.size(); ++i) {
      auto v = to_value(a.args[i], params[i]);
      if (!v) return std::unexpected(ActionFailure{std::nullopt, v.error()});
      args.push_back(*v);
    }
    auto results = m_store.invoke(f, args);
    // An engine must unwind its call depth on return and on trap; a leak would make later
    // calls fail with "call stack exhausted", so it is reported where it happens.
    if (const uint32_t depth = m_store.exec().call_depth; depth != 0) {
      m_store.exec().call_depth = 0;
      return std::unexpected(
          ActionFailure{std::nullopt, fmt::format("engine left call_depth at {} after the call", depth)});
    }
    if (!results) return std::unexpected(ActionFailure{results.error(), {}});
    if (results->size() != f->type->results.size())
      return std::unexpected(ActionFailure{
          std::nullopt, fmt::format("{} results for type {}", results->size(), f->type->to_string())});
    return std::move(*results);
  }

  void run_action(const Command& c) {
    auto r = perform(*c.action);
    if (!r) fail_action(c, r.error(), fmt::format("{}: {}", describe_action(*c.action), describe_failure(r.error())));
  }

  void run_assert_return(const Command& c) {
    auto r = perform(*c.action);
    if (!r) {
      return fail_action(c, r.error(), fmt::format("{}: expected {}, got {}", describe_action(*c.action),
                                                   format_patterns(c.results), describe_failure(r.error())));
    }
    bool ok = r->size() == c.results.size();
    for (size_t i = 0; ok && i < r->size(); ++i) ok = matches(c.results[i], (*r)[i]);
    if (ok) return pass(c);
    fail(c, fmt::format("{}: expected {}, got {}", describe_action(*c.action), format_patterns(c.results),
                        format_values(*r, &c.results)));
  }

  void run_assert_trap(const Command& c) {
    auto r = perform(*c.action);
    const std::string what = describe_action(*c.action);
    if (r) return fail(c, fmt::format("{}: expected trap \"{}\", got {}", what, c.message, format_values(*r, nullptr)));
    if (!r.error().trap)
      return fail_action(c, r.error(), fmt::format("{}: expected trap \"{}\", got {}", what, c.message,
                                                   describe_failure(r.error())));
    const Trap& t = *r.error().trap;
    if (c.kind == CommandKind::AssertExhaustion && t.kind != TrapKind::CallStackExhausted)
      return fail(c, fmt::format("{}: expected call stack exhaustion, got {}", what, describe_trap(t)));
    if (!text_matches(c.message, t.message))
      return fail(c, fmt::format("{}: expected trap \"{}\", got {}", what, c.message, describe_trap(t)));
    pass(c);
  }

  // The call must end in a wasm exception no handler caught (exception handling).
  void run_assert_exception(const Command& c) {
    auto r = perform(*c.action);
    const std::string what = describe_action(*c.action);
    if (r) return fail(c, fmt::format("{}: expected an exception, got {}", what, format_values(*r, nullptr)));
    if (r.error().trap && r.error().trap->kind == TrapKind::UncaughtException) return pass(c);
    fail_action(c, r.error(), fmt::format("{}: expected an exception, got {}", what, describe_failure(r.error())));
  }

  const std::string& m_name;
  const text::Script& m_script;
  const RunOptions& m_options;
  Store m_store;
  Linker m_linker;
  std::string m_spectest_error;
  Instance* m_current = nullptr;
  uint32_t m_current_line = 0;  // line of the last module command
  std::map<std::string, std::pair<Instance*, uint32_t>> m_named;  // instance, line
  // Compiled modules by "$name" ("" the latest), for `module instance`; null if it failed.
  std::map<std::string, std::pair<std::shared_ptr<const CompiledModule>, uint32_t>> m_definitions;
  std::map<uint32_t, uint64_t> m_collateral;  // failed module line -> failures it caused
  FileResult m_result;
  size_t m_lines_printed = 0;
  bool m_told_truncated = false;
};

}  // namespace

bool is_assertion(CommandKind k) {
  return k != CommandKind::Module && k != CommandKind::ModuleInstance && k != CommandKind::Register &&
         k != CommandKind::Action;
}

std::string describe_command(const Command& c) {
  std::string s = command_kind_name(c.kind);
  if (c.action) s += " " + describe_action(*c.action);
  else if (c.kind == CommandKind::Register) s += " \"" + c.name + "\"";
  else if (c.module && c.module->id) s += " " + *c.module->id;
  return s;
}

uint64_t count_assertions(const text::Script& script) {
  uint64_t n = 0;
  for (const Command& c : script.commands) n += is_assertion(c.kind) ? 1 : 0;
  return n;
}

FileResult run_script(Engine& engine, const std::string& name, const text::Script& script,
                      const RunOptions& options, const ProgressFn& progress) {
  Runner runner(engine, name, script, options);
  return runner.run(progress);
}

std::string summary_line(const std::string& name, const FileResult& r) {
  std::string s = fmt::format("{}: {} passed, {} failed, {} skipped", name, r.passed, r.failed, r.skipped);
  std::string reasons;
  for (const auto& [reason, count] : r.skip_reasons)
    reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", count, reason);
  if (!reasons.empty()) s += " (" + reasons + ")";
  if (r.message_mismatches > 0) s += fmt::format(" [{} error messages worded differently]", r.message_mismatches);
  if (r.stopped) s += " [stopped at the first failure]";
  return s;
}

}  // namespace wsvm::wast
