// The component-model reference tests (../shared/component-model-testsuite): every .wast
// script, file by file, in every built engine.
//
//   wsvm-component-testsuite SUITE_DIR --skip FILE --known FILE [--engine E] [--verbose] [FILE...]
//
// A script passes when every command passes in every engine. Scripts in the skip list are not
// run (counted as skipped, with the list's reason); scripts in the known-failures list are run
// and a failure is reported as known (with its reason), a pass as "now passes: take it off the
// list". Prints one line per script, then `N passed, N failed, N skipped` (scripts). Exit 0
// when every failure is a known one.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "component/instance.hpp"
#include "engines/registry.hpp"
#include "tests/component-testsuite/values.hpp"
#include "text/component_script.hpp"

namespace fs = std::filesystem;
using namespace wsvm;
using namespace wsvm::component;
using text::ComponentCommand;

namespace {

// "path reason..." per line; '#' comments.
std::map<std::string, std::string> read_list(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.find_first_of(" \t");
    std::string name = line.substr(0, sp);
    std::string reason = sp == std::string::npos ? "" : line.substr(line.find_first_not_of(" \t", sp));
    out[name] = reason;
  }
  return out;
}

// Expected texts may carry wasmtime's "wasm trap: " prefix, which is no part of a trap's words.
bool contains(const std::string& hay, std::string_view needle) {
  if (needle.starts_with("wasm trap: ")) needle.remove_prefix(11);
  // wasmtime's words for a core trap the engines name in one word.
  if (needle == "wasm `unreachable` instruction executed") needle = "unreachable";
  return hay.find(needle) != std::string::npos;
}

struct Tally {
  int passed = 0, failed = 0;
  std::vector<std::string> failures;  // "line N: what"
};

class ScriptRun {
 public:
  // Imports nothing defines trap when called (as wasmtime's wast harness links them), so
  // components with imports can be instantiated and validated.
  ScriptRun(Engine& engine, bool verbose) : m_store(engine), m_verbose(verbose) { m_linker.trap_unknown_imports(); }

  void run(const text::ComponentScript& s, Tally& t) {
    for (const ComponentCommand& c : s.commands) {
      std::string why;
      bool ok = command(c, why);
      if (ok) {
        ++t.passed;
      } else {
        ++t.failed;
        t.failures.push_back(fmt::format("line {}: {}", c.line, why));
      }
    }
  }

 private:
  Result<std::shared_ptr<const Component>> decode(const ComponentCommand& c) {
    if (!c.component) return std::unexpected(c.component.error().to_error());
    return decode_component(*c.component);
  }

  Result<std::unique_ptr<ComponentInstance>> instantiate_bytes(const ComponentCommand& c) {
    auto comp = decode(c);
    if (!comp) return std::unexpected(comp.error());
    return instantiate(m_store, *comp, m_linker);
  }

  bool command(const ComponentCommand& c, std::string& why) {
    using K = ComponentCommand::Kind;
    switch (c.kind) {
      case K::Component: {
        auto inst = instantiate_bytes(c);
        m_current = nullptr;
        if (!inst) {
          why = "component: " + inst.error().to_string();
          return false;
        }
        m_current = inst->get();
        if (c.id) m_named[*c.id] = m_current;
        m_instances.push_back(std::move(*inst));
        return true;
      }
      case K::Definition: {
        auto comp = decode(c);
        if (!comp) {
          why = "component definition: " + comp.error().to_string();
          return false;
        }
        m_last_def = *comp;
        if (c.id) m_defs[*c.id] = *comp;
        return true;
      }
      case K::Instance: {
        auto it = m_defs.find(*c.of);
        if (it == m_defs.end()) {
          why = "unknown component definition " + *c.of;
          m_current = nullptr;
          return false;
        }
        auto inst = instantiate(m_store, it->second, m_linker);
        m_current = nullptr;
        if (!inst) {
          why = "component instance: " + inst.error().to_string();
          return false;
        }
        m_current = inst->get();
        m_named[*c.id] = m_current;
        m_instances.push_back(std::move(*inst));
        return true;
      }
      case K::Invoke: {
        auto r = invoke(c, why);
        return r.has_value();
      }
      case K::AssertReturn: {
        auto r = invoke(c, why);
        if (!r) return false;
        return check_results(c, *r, why);
      }
      case K::AssertTrap: {
        if (c.has_component) {
          auto inst = instantiate_bytes(c);
          if (inst) {
            m_instances.push_back(std::move(*inst));
            why = "instantiated, expected a trap: " + c.message;
            return false;
          }
          if (inst.error().kind != ErrorKind::Uninstantiable) {
            why = "expected a trap (" + c.message + "), got " + inst.error().to_string();
            return false;
          }
          if (!contains(inst.error().message, c.message)) {
            why = "trap message: expected '" + c.message + "', got '" + inst.error().message + "'";
            return false;
          }
          return true;
        }
        std::string call_why;
        auto r = invoke(c, call_why);
        if (r) {
          why = "returned, expected a trap: " + c.message;
          return false;
        }
        if (!m_last_call_trapped) {
          why = call_why;
          return false;
        }
        if (!contains(call_why, c.message)) {
          why = "trap message: expected '" + c.message + "', got '" + call_why + "'";
          return false;
        }
        return true;
      }
      case K::AssertMalformed:
      case K::AssertInvalid: {
        bool malformed = c.kind == K::AssertMalformed;
        if (!c.component) {
          if (malformed) return true;
          why = "text format error (component not assembled): " + c.component.error().to_string();
          return false;
        }
        auto comp = decode_component(*c.component);
        Error err;
        if (comp) {
          auto inst = instantiate(m_store, *comp, m_linker);
          if (inst) {
            m_instances.push_back(std::move(*inst));
            why = fmt::format("accepted, expected {}: {}", malformed ? "malformed" : "invalid", c.message);
            return false;
          }
          err = inst.error();
        } else {
          err = comp.error();
        }
        bool kind_ok = malformed ? err.kind == ErrorKind::Malformed
                                 : (err.kind == ErrorKind::Invalid || err.kind == ErrorKind::Malformed);
        if (!kind_ok) {
          why = fmt::format("expected {} ({}), got {}", malformed ? "malformed" : "invalid", c.message,
                            err.to_string());
          return false;
        }
        if (!contains(err.message, c.message)) ++m_worded_differently;
        return true;
      }
      case K::AssertUnlinkable: {
        auto inst = instantiate_bytes(c);
        if (inst) {
          m_instances.push_back(std::move(*inst));
          why = "linked, expected unlinkable: " + c.message;
          return false;
        }
        return inst.error().kind == ErrorKind::Unlinkable || (why = inst.error().to_string(), false);
      }
      case K::AssertUninstantiable: {
        auto inst = instantiate_bytes(c);
        if (inst) {
          m_instances.push_back(std::move(*inst));
          why = "instantiated, expected uninstantiable: " + c.message;
          return false;
        }
        return true;
      }
      case K::Unsupported:
        why = "unsupported command " + c.head;
        return false;
    }
    return false;
  }

  std::optional<std::vector<Val>> invoke(const ComponentCommand& c, std::string& why) {
    m_last_call_trapped = false;
    ComponentInstance* inst = m_current;
    if (c.instance) {
      auto it = m_named.find(*c.instance);
      inst = it == m_named.end() ? nullptr : it->second;
    }
    if (!inst) {
      why = "no instance to invoke \"" + c.func + "\" on";
      return std::nullopt;
    }
    const ComponentFunc* f = inst->export_func(c.func);
    if (!f) {
      why = "no exported function \"" + c.func + "\"";
      return std::nullopt;
    }
    if (c.args.size() != f->sig.params.size()) {
      why = fmt::format("\"{}\" takes {} arguments, the script gives {}", c.func, f->sig.params.size(), c.args.size());
      return std::nullopt;
    }
    std::vector<Val> args(c.args.size());
    for (size_t i = 0; i < args.size(); ++i) {
      if (auto e = component_testsuite::to_val(c.args[i], *f->sig.params[i], args[i])) {
        why = fmt::format("argument {}: {}", i, *e);
        return std::nullopt;
      }
    }
    auto r = inst->call(c.func, args);
    if (!r) {
      m_last_call_trapped = true;
      why = r.error().message;
      return std::nullopt;
    }
    return *r;
  }

  bool check_results(const ComponentCommand& c, const std::vector<Val>& got, std::string& why) {
    const ComponentFunc* f = (c.instance ? m_named[*c.instance] : m_current)->export_func(c.func);
    if (got.size() != c.results.size() || f->sig.results.size() != got.size()) {
      why = fmt::format("{} results, expected {}", got.size(), c.results.size());
      return false;
    }
    for (size_t i = 0; i < got.size(); ++i) {
      Val want;
      if (auto e = component_testsuite::to_val(c.results[i], *f->sig.results[i], want)) {
        why = fmt::format("expected result {}: {}", i, *e);
        return false;
      }
      if (!(want == got[i])) {
        why = fmt::format("result {}: got {}, expected {}", i, got[i].to_string(), want.to_string());
        return false;
      }
    }
    return true;
  }

 public:
  int worded_differently() const { return m_worded_differently; }

 private:
  Store m_store;
  ComponentLinker m_linker;
  bool m_verbose;
  std::vector<std::unique_ptr<ComponentInstance>> m_instances;
  std::map<std::string, ComponentInstance*> m_named;
  std::map<std::string, std::shared_ptr<const Component>> m_defs;
  std::shared_ptr<const Component> m_last_def;
  ComponentInstance* m_current = nullptr;
  bool m_last_call_trapped = false;
  int m_worded_differently = 0;
};

std::string slurp(const fs::path& p, bool& ok) {
  std::ifstream in(p, std::ios::binary);
  ok = bool(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::string suite, skip_file, known_file;
  std::vector<std::string> engines_wanted, only;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        fmt::print(stderr, "wsvm-component-testsuite: {} needs a value\n", a);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--skip") skip_file = next();
    else if (a == "--known") known_file = next();
    else if (a == "--engine") engines_wanted.push_back(next());
    else if (a == "--verbose" || a == "-v") verbose = true;
    else if (suite.empty()) suite = a;
    else only.push_back(a);
  }
  if (suite.empty()) {
    fmt::print(stderr, "usage: wsvm-component-testsuite SUITE_DIR [--skip FILE] [--known FILE] [--engine E] [-v] [SCRIPT...]\n");
    return 2;
  }
  auto skip = skip_file.empty() ? std::map<std::string, std::string>{} : read_list(skip_file);
  auto known = known_file.empty() ? std::map<std::string, std::string>{} : read_list(known_file);
  std::vector<std::string> engine_names;
  for (std::string_view e : built_engine_names())
    if (engines_wanted.empty() || std::count(engines_wanted.begin(), engines_wanted.end(), std::string(e)))
      engine_names.emplace_back(e);

  std::vector<std::string> scripts;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(suite, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".wast")
      scripts.push_back(fs::relative(it->path(), suite).generic_string());
  }
  if (ec) {
    fmt::print(stderr, "wsvm-component-testsuite: cannot read {}: {}\n", suite, ec.message());
    return 2;
  }
  std::sort(scripts.begin(), scripts.end());
  if (!only.empty())
    std::erase_if(scripts, [&](const std::string& s) { return !std::count(only.begin(), only.end(), s); });

  int passed = 0, failed = 0, skipped = 0, known_failed = 0, now_passing = 0, commands_total = 0,
      commands_failed = 0;
  for (const std::string& name : scripts) {
    std::string reason;
    if (auto it = skip.find(name); it != skip.end()) {
      ++skipped;
      fmt::print("{}: skipped ({})\n", name, it->second);
      continue;
    }
    if (auto it = skip.find(name.substr(0, name.find('/') + 1)); it != skip.end()) {
      ++skipped;
      fmt::print("{}: skipped ({})\n", name, it->second);
      continue;
    }
    bool read_ok;
    std::string source = slurp(fs::path(suite) / name, read_ok);
    std::string line;
    bool script_ok = true;
    std::vector<std::string> details;
    auto script = text::parse_component_script(source);
    if (!read_ok || !script) {
      script_ok = false;
      line = read_ok ? "script does not parse: " + script.error().to_string() : "cannot read";
    } else {
      for (const std::string& e : engine_names) {
        auto engine = make_engine(e);
        if (!engine) {
          script_ok = false;
          line += fmt::format(" {}: no engine", e);
          continue;
        }
        Tally t;
        ScriptRun run(**engine, verbose);
        run.run(*script, t);
        commands_total += t.passed + t.failed;
        commands_failed += t.failed;
        line += fmt::format(" {} {}/{}", e, t.passed, t.passed + t.failed);
        if (run.worded_differently()) line += fmt::format(" ({} messages worded differently)", run.worded_differently());
        if (t.failed) {
          script_ok = false;
          for (auto& f : t.failures) details.push_back(e + ": " + f);
        }
      }
    }
    auto k = known.find(name);
    if (script_ok) {
      ++passed;
      if (k != known.end()) {
        ++now_passing;
        fmt::print("{}: passed{} (now passes: take it off the known-failures list)\n", name, line);
      } else {
        fmt::print("{}: passed{}\n", name, line);
      }
    } else {
      ++failed;
      if (k != known.end()) ++known_failed;
      fmt::print("{}: FAILED{}{}\n", name, line, k != known.end() ? " [known: " + k->second + "]" : "");
      size_t shown = 0;
      for (const std::string& d : details) {
        if (!verbose && shown == 3) {
          fmt::print("    ... {} more (-v shows all)\n", details.size() - shown);
          break;
        }
        fmt::print("    {}\n", d);
        ++shown;
      }
    }
  }
  fmt::print("commands: {} run, {} failed (all engines)\n", commands_total, commands_failed);
  fmt::print("{} passed, {} failed ({} known failures), {} skipped\n", passed, failed, known_failed, skipped);
  return failed == known_failed ? 0 : 1;
}
