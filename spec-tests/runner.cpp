// The command interpreter of spec scripts (see runner.hpp).
// Assertion semantics: https://github.com/WebAssembly/spec/blob/main/interpreter/README.md#scripts
#include "spec-tests/runner.hpp"

#include <cstdio>
#include <exception>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "runtime/linker.hpp"
#include "runtime/store.hpp"
#include "spec-tests/spectest_host.hpp"
#include "spec-tests/text_match.hpp"

namespace wsvm::spec {

namespace {

// What an action produced when it did not return values.
struct ActionFailure {
  std::optional<Trap> trap;  // the code trapped
  std::string message;       // otherwise: why the action could not run
  uint32_t missing_module_line = 0;  // non-zero: the module (loaded at this line) is missing
};

using ActionResult = std::expected<std::vector<Value>, ActionFailure>;

std::string format_values(const std::vector<Value>& vs, const std::vector<ExpectedValue>* shape) {
  std::string s = "(";
  for (size_t i = 0; i < vs.size(); ++i) {
    LaneType lanes = LaneType::I32;
    if (shape && i < shape->size() && (*shape)[i].type == ValType::V128) lanes = (*shape)[i].lane;
    s += (i ? " " : "") + format_value(vs[i], lanes);
  }
  return s + ")";
}

std::string format_expected_list(const std::vector<ExpectedValue>& es) {
  std::string s = "(";
  for (size_t i = 0; i < es.size(); ++i) s += (i ? " " : "") + format_expected(es[i]);
  return s + ")";
}

std::string describe_action(const Action& a) {
  std::string target = a.module ? *a.module + "." : "";
  if (a.kind == Action::Kind::Get) return fmt::format("get {}\"{}\"", target, a.field);
  std::string args;
  for (size_t i = 0; i < a.args.size(); ++i) args += (i ? " " : "") + format_value(a.args[i]);
  return fmt::format("invoke {}\"{}\"({})", target, a.field, args);
}

std::string describe_trap(const Trap& t) { return fmt::format("trap \"{}\"", t.message); }

std::string describe_failure(const ActionFailure& f) {
  return f.trap ? describe_trap(*f.trap) : "error: " + f.message;
}

std::string describe_error(const Error& e) {
  return fmt::format("{} error \"{}\"", error_kind_name(e.kind), e.message);
}

class Runner {
 public:
  Runner(Engine& engine, const Script& script, const RunOptions& options)
      : m_script(script), m_options(options), m_store(engine) {}

  FileResult run(const ProgressFn& progress) {
    if (auto ok = define_spectest(m_store, m_linker, m_options.verbose); !ok)
      m_spectest_error = ok.error().to_string();
    for (const Command& c : m_script.commands) {
      if (progress) progress(m_result, c);
      if (c.type == CommandType::Module) report_collateral();
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
    if (auto reason = m_options.skips ? m_options.skips->reason(m_script.name, c.line) : std::nullopt) {
      if (c.type == CommandType::Module) forget_module(c);
      if (c.is_assertion()) skip("skip.txt");
      return;
    }
    if (!c.parse_error.empty()) {
      if (c.type == CommandType::Module) forget_module(c);
      return fail(c, "cannot parse command: " + c.parse_error);
    }
    if (!m_spectest_error.empty() && c.type == CommandType::Module)
      return fail(c, "the spectest module could not be created: " + m_spectest_error);

    switch (c.type) {
      case CommandType::Module: return run_module(c);
      case CommandType::Register: return run_register(c);
      case CommandType::Action: return run_action(c);
      case CommandType::AssertReturn: return run_assert_return(c);
      case CommandType::AssertTrap:
      case CommandType::AssertExhaustion: return run_assert_trap(c);
      case CommandType::AssertMalformed:
      case CommandType::AssertInvalid:
      case CommandType::AssertUnlinkable:
      case CommandType::AssertUninstantiable: return run_assert_module(c);
      case CommandType::Unknown: return fail(c, "unsupported command " + c.type_name);
    }
  }

  // ---- counting and reporting ----

  void pass(const Command& c) {
    ++m_result.passed;
    if (c.is_assertion()) ++m_result.assertions_done;
  }

  void skip(const std::string& reason) {
    ++m_result.skipped;
    ++m_result.assertions_done;
    ++m_result.skip_reasons[reason];
  }

  void fail(const Command& c, const std::string& what) {
    ++m_result.failed;
    if (c.is_assertion()) ++m_result.assertions_done;
    if (m_options.verbose || m_lines_printed < m_options.max_failure_lines) {
      fmt::print("{}:{}: {}: {}\n", m_script.name, c.line, command_type_name(c.type), what);
      std::fflush(stdout);
      ++m_lines_printed;
    } else if (!m_told_truncated) {
      fmt::print("{}: (more failures not shown; --verbose shows all)\n", m_script.name);
      std::fflush(stdout);
      m_told_truncated = true;
    }
  }

  // A failure caused only by an earlier module that did not load: counted, but reported as
  // one line per module (unless verbose) so the budget of lines shows distinct problems.
  void fail_collateral(const Command& c, uint32_t module_line, const std::string& what) {
    if (m_options.verbose) return fail(c, what);
    ++m_result.failed;
    if (c.is_assertion()) ++m_result.assertions_done;
    ++m_collateral[module_line];
  }

  void report_collateral() {
    for (const auto& [line, count] : m_collateral) {
      if (m_lines_printed >= m_options.max_failure_lines) break;
      fmt::print("{}:{}: {} later command(s) failed because this module did not load\n",
                 m_script.name, line, count);
      ++m_lines_printed;
    }
    std::fflush(stdout);
    m_collateral.clear();
  }

  // Fails `c` because of an action failure.
  void fail_action(const Command& c, const ActionFailure& f, const std::string& what) {
    if (f.missing_module_line != 0) return fail_collateral(c, f.missing_module_line, what);
    fail(c, what);
  }

  // An error of the right kind whose message differs from the script's text.
  void message_mismatch(const Command& c, const Error& e) {
    if (m_options.strict_messages)
      return fail(c, fmt::format("expected \"{}\", got {}", c.text, describe_error(e)));
    ++m_result.message_mismatches;
    if (m_options.verbose)
      fmt::print("{}:{}: note: {}: expected \"{}\", got {}\n", m_script.name, c.line,
                 command_type_name(c.type), c.text, describe_error(e));
    pass(c);
  }

  // ---- modules ----

  Result<std::shared_ptr<const CompiledModule>> compile(const std::string& filename) {
    const std::filesystem::path path = m_script.dir / filename;
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorKind::Io, kNoOffset, "cannot open " + path.string());
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return compile_module(m_store.engine(), bytes);
  }

  Result<Instance*> load(const std::string& filename) {
    auto compiled = WSVM_TRY(compile(filename));
    return m_linker.instantiate(m_store, std::move(compiled));
  }

  // A module command that did not produce an instance: later actions on it must fail,
  // never run against an older module.
  void forget_module(const Command& c) {
    m_current = nullptr;
    m_current_line = c.line;
    if (c.name) m_named[*c.name] = {nullptr, c.line};
  }

  void run_module(const Command& c) {
    if (c.text_module) {
      forget_module(c);
      return fail(c, "text-format module cannot be loaded");
    }
    auto inst = load(c.filename);
    if (!inst) {
      forget_module(c);
      return fail(c, fmt::format("{}: {}", c.filename, describe_error(inst.error())));
    }
    m_current = *inst;
    m_current_line = c.line;
    if (c.name) m_named[*c.name] = {*inst, c.line};
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
      if (m_current_line == 0)
        return std::unexpected(ActionFailure{std::nullopt, "no module defined yet"});
      return std::unexpected(ActionFailure{
          std::nullopt, fmt::format("the module of line {} did not load", m_current_line),
          m_current_line});
    }
    return m_current;
  }

  void run_register(const Command& c) {
    auto inst = instance_for(c.name);
    if (!inst)
      return fail_action(c, inst.error(), fmt::format("register \"{}\": {}", c.as, inst.error().message));
    m_linker.define_instance(c.as, **inst);
  }

  void run_assert_module(const Command& c) {
    const bool wants_link_step =
        c.type == CommandType::AssertUnlinkable || c.type == CommandType::AssertUninstantiable;
    if (c.text_module) return skip(fmt::format("text-format {}", command_type_name(c.type)));
    const ErrorKind want = c.type == CommandType::AssertMalformed     ? ErrorKind::Malformed
                           : c.type == CommandType::AssertInvalid     ? ErrorKind::Invalid
                           : c.type == CommandType::AssertUnlinkable  ? ErrorKind::Unlinkable
                                                                      : ErrorKind::Uninstantiable;
    auto compiled = compile(c.filename);
    Error err;
    if (!compiled) {
      err = compiled.error();
    } else if (!wants_link_step) {
      return fail(c, fmt::format("{}: loaded, expected {} error \"{}\"", c.filename,
                                 error_kind_name(want), c.text));
    } else {
      auto inst = m_linker.instantiate(m_store, std::move(*compiled));
      if (inst) {
        return fail(c, fmt::format("{}: instantiated, expected {} error \"{}\"", c.filename,
                                   error_kind_name(want), c.text));
      }
      err = inst.error();
    }
    if (err.kind != want) {
      return fail(c, fmt::format("{}: expected {} error \"{}\", got {}", c.filename,
                                 error_kind_name(want), c.text, describe_error(err)));
    }
    if (text_matches(c.text, err.message)) return pass(c);
    // A trap during instantiation is a trap: its message must match like assert_trap's.
    if (want == ErrorKind::Uninstantiable)
      return fail(c, fmt::format("{}: expected trap \"{}\", got {}", c.filename, c.text,
                                 describe_error(err)));
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
    bool types_ok = params.size() == a.args.size();
    for (size_t i = 0; types_ok && i < params.size(); ++i) types_ok = params[i] == a.args[i].type;
    if (!types_ok) {
      return std::unexpected(ActionFailure{
          std::nullopt, fmt::format("arguments do not match the function type {}", f->type->to_string())});
    }
    auto results = m_store.invoke(f, a.args);
    // An engine must unwind its call depth on return and on trap; a leak would make later
    // calls fail with "call stack exhausted", so it is reported where it happens.
    if (const uint32_t depth = m_store.exec().call_depth; depth != 0) {
      m_store.exec().call_depth = 0;
      return std::unexpected(ActionFailure{
          std::nullopt, fmt::format("engine left call_depth at {} after the call", depth)});
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
                                 format_expected_list(c.expected), describe_failure(r.error())));
    }
    bool ok = r->size() == c.expected.size();
    for (size_t i = 0; ok && i < r->size(); ++i) ok = matches(c.expected[i], (*r)[i]);
    if (ok) return pass(c);
    fail(c, fmt::format("{}: expected {}, got {}", describe_action(*c.action),
                        format_expected_list(c.expected), format_values(*r, &c.expected)));
  }

  void run_assert_trap(const Command& c) {
    auto r = perform(*c.action);
    const std::string what = describe_action(*c.action);
    if (r) return fail(c, fmt::format("{}: expected trap \"{}\", got {}", what, c.text, format_values(*r, nullptr)));
    if (!r.error().trap) return fail_action(c, r.error(), fmt::format("{}: expected trap \"{}\", got {}", what, c.text, describe_failure(r.error())));
    const Trap& t = *r.error().trap;
    if (c.type == CommandType::AssertExhaustion && t.kind != TrapKind::CallStackExhausted)
      return fail(c, fmt::format("{}: expected call stack exhaustion, got {}", what, describe_trap(t)));
    if (!text_matches(c.text, t.message))
      return fail(c, fmt::format("{}: expected trap \"{}\", got {}", what, c.text, describe_trap(t)));
    pass(c);
  }

  const Script& m_script;
  const RunOptions& m_options;
  Store m_store;
  Linker m_linker;
  std::string m_spectest_error;
  Instance* m_current = nullptr;
  uint32_t m_current_line = 0;  // line of the last module command
  std::map<std::string, std::pair<Instance*, uint32_t>> m_named;  // instance, line
  std::map<uint32_t, uint64_t> m_collateral;  // failed module line -> failures it caused
  FileResult m_result;
  size_t m_lines_printed = 0;
  bool m_told_truncated = false;
};

}  // namespace

std::string describe_command(const Command& c) {
  std::string s = command_type_name(c.type);
  if (c.action) s += " " + describe_action(*c.action);
  else if (!c.filename.empty()) s += " " + c.filename;
  else if (c.type == CommandType::Register) s += " \"" + c.as + "\"";
  return s;
}

uint64_t count_assertions(const Script& script) {
  uint64_t n = 0;
  for (const Command& c : script.commands) n += c.is_assertion() ? 1 : 0;
  return n;
}

FileResult run_script(Engine& engine, const Script& script, const RunOptions& options,
                      const ProgressFn& progress) {
  Runner runner(engine, script, options);
  return runner.run(progress);
}

}  // namespace wsvm::spec
