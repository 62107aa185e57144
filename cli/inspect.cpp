// `wsvm inspect [--json] FILE`: a module or component (binary or text) is described
// (container/inspect.hpp); a manifest (a .toml name) is audited: its summary, then each
// finding with its code and severity (container/audit.hpp).
#include <cstdio>

#include <fmt/format.h>

#include "cli/container_commands.hpp"
#include "cli/run.hpp"
#include "cli/text_input.hpp"
#include "container/audit.hpp"
#include "container/image.hpp"
#include "container/inspect.hpp"
#include "decoder/printable.hpp"
#include "runner/exit_status.hpp"

namespace wsvm::cli {
namespace {

std::string manifest_summary(const container::Manifest& m) {
  std::string s = fmt::format("{}: manifest for {} {}\n", printable(m.path), m.name.empty() ? "(unnamed)" : printable(m.name), printable(m.version));
  if (!m.description.empty()) s += "  " + printable(m.description) + "\n";
  s += fmt::format("  image: {} ({})\n", printable(m.source), m.checksum ? "checksum " + *m.checksum : "no checksum");
  for (const container::LinkedImage& l : m.components)
    s += fmt::format("  component {}: {} ({}), linked by interface name\n", printable(l.name), printable(l.source),
                     l.checksum ? "checksum " + *l.checksum : "no checksum");
  auto opt = [](const auto& v, auto f) { return v ? f(*v) : std::string("default"); };
  s += fmt::format("  resources: max_memory {}, max_cpu_time {}, max_stack {}, fuel {}\n",
                   opt(m.max_memory_bytes, [](uint64_t b) { return std::to_string(b) + " bytes"; }),
                   opt(m.max_cpu_time, [](auto d) { return duration_text(d); }),
                   opt(m.max_stack_bytes, [](uint64_t b) { return std::to_string(b) + " bytes"; }),
                   opt(m.fuel, [](uint64_t n) { return std::to_string(n); }));
  for (const container::FsGrant& g : m.fs)
    s += fmt::format("  fs: {} as {} ({})\n", printable(g.host), printable(g.guest), g.read_only ? "ro" : "rw");
  for (const std::string& e : m.granted_env()) s += "  env: " + printable(e.substr(0, e.find('='))) + "\n";
  for (const std::string& a : m.inbound) s += "  inbound: " + printable(a) + "\n";
  for (const std::string& h : m.outbound) s += "  outbound: " + printable(h) + "\n";
  return s;
}

int inspect_manifest(const std::string& path, bool json) {
  auto m = container::load_manifest(path, manifest_value_parsers());
  if (!m) {
    print_error(m.error());
    return runner::kExitUsage;
  }
  auto bytes = container::read_image(m->source_path(), m->checksum);
  std::optional<container::Report> report;
  std::string image_problem;
  if (!bytes) image_problem = bytes.error();
  else if (auto r = container::inspect_binary(*bytes, m->source_path())) report = std::move(*r);
  else image_problem = r.error();
  auto findings = container::audit_manifest(*m, report ? &*report : nullptr);
  if (!image_problem.empty()) findings.push_back({"IMAGE_UNREADABLE", container::Severity::Critical, image_problem});
  std::string out = json ? container::findings_json(*m, findings)
                         : manifest_summary(*m) + fmt::format("findings ({}):\n", findings.size()) + container::format_findings(findings);
  std::fputs(out.c_str(), stdout);
  return runner::kExitOk;
}

}  // namespace

int inspect_command(const std::vector<std::string>& argv) {
  bool json = false;
  std::string path;
  for (size_t i = 2; i < argv.size(); ++i) {
    if (argv[i] == "--json") json = true;
    else if (path.empty() && !argv[i].empty() && (argv[i][0] != '-' || argv[i] == "-")) path = argv[i];
    else {
      print_error("usage: wsvm inspect [--json] module.wasm | wcontainer.toml ('" + argv[i] + "' is not understood)");
      return runner::kExitUsage;
    }
  }
  if (path.empty()) {
    print_error("no file given (wsvm inspect [--json] module.wasm | wcontainer.toml)");
    return runner::kExitUsage;
  }
  if (path.ends_with(".toml")) return inspect_manifest(path, json);
  auto bytes = read_module_input(path);
  if (!bytes) {
    print_error(bytes.error().message);
    return runner::kExitLoad;
  }
  auto report = container::inspect_binary(*bytes, path);
  if (!report) {
    print_error(report.error());
    return runner::kExitLoad;
  }
  std::string out = json ? container::to_json(*report) : container::format_text(*report);
  std::fputs(out.c_str(), stdout);
  return runner::kExitOk;
}

}  // namespace wsvm::cli
