// `wsvm up [--allow-risky] [OPTIONS] wcontainer.toml [ARGS...]`: the manifest becomes the
// same Options a `wsvm run` command line would give (limits, --dir, --env, --tcplisten), so
// the run itself is run_command's, unchanged. Grants come from the manifest only: the
// command line may choose the engine and ask for --stats, not widen what the guest reaches.
#include <cstdio>

#include <fmt/format.h>

#include "cli/companion.hpp"
#include "cli/container_commands.hpp"
#include "cli/run.hpp"
#include "container/audit.hpp"
#include "container/image.hpp"
#include "container/inspect.hpp"
#include "decoder/printable.hpp"
#include "runner/exit_status.hpp"

namespace wsvm::cli {

container::ValueParsers manifest_value_parsers() {
  return {.size = parse_size, .duration = parse_duration};
}

namespace {

// A manifest value that the command line's range checks refuse (--max-stack above 1 GiB).
std::expected<void, std::string> apply_limit(LimitOptions& l, const char* field, const char* option, uint64_t value) {
  if (auto ok = add_limit_option(l, option, std::to_string(value)); !ok)
    return std::unexpected(fmt::format("{}: {}", field, ok.error()));
  return {};
}

std::expected<void, std::string> apply_manifest(Options& o, const container::Manifest& m) {
  if (m.max_memory_bytes)
    if (auto ok = apply_limit(o.limits, "resources.max_memory", "--max-memory", *m.max_memory_bytes); !ok) return ok;
  if (m.max_stack_bytes)
    if (auto ok = apply_limit(o.limits, "resources.max_stack", "--max-stack", *m.max_stack_bytes); !ok) return ok;
  if (m.fuel)
    if (auto ok = apply_limit(o.limits, "resources.fuel", "--fuel", *m.fuel); !ok) return ok;
  if (m.max_cpu_time) o.limits.timeout = *m.max_cpu_time;
  for (const container::FsGrant& g : m.fs) o.wasi.dirs.push_back({m.host_path(g), g.guest, g.read_only});
  o.wasi.env = m.granted_env();
  o.wasi.tcp_listen = m.inbound;
  std::vector<std::string> args = m.args;
  args.insert(args.end(), o.args.begin(), o.args.end());
  o.args = std::move(args);
  return {};
}

// A manifest with [http]: the `wsvm serve` command line that serves it with the same grants
// and limits (wsvm-net reads the image again and checks it against the same checksum).
constexpr const char* kDefaultHttpAddr = "127.0.0.1:8080";

std::vector<std::string> serve_argv(const Options& o, const container::Manifest& m) {
  std::vector<std::string> a{"wsvm", "serve", "--addr", m.http_addr.value_or(kDefaultHttpAddr), "--engine", o.engine};
  if (m.checksum) a.insert(a.end(), {"--checksum", *m.checksum});
  if (m.http_max_connections) a.insert(a.end(), {"--max-connections", std::to_string(*m.http_max_connections)});
  if (m.min_instances > 0) a.insert(a.end(), {"--min-instances", std::to_string(m.min_instances)});
  if (m.max_instances > 0) a.insert(a.end(), {"--max-instances", std::to_string(m.max_instances)});
  const LimitOptions& l = o.limits;
  a.insert(a.end(), {"--max-memory", std::to_string(l.max_memory_bytes), "--max-stack", std::to_string(l.max_stack_bytes)});
  if (l.timeout) a.insert(a.end(), {"--timeout", duration_text(*l.timeout)});
  if (l.fuel) a.insert(a.end(), {"--fuel", std::to_string(*l.fuel)});
  for (const WasiDir& d : o.wasi.dirs) a.insert(a.end(), {"--dir", d.host + "::" + d.guest + (d.read_only ? ":ro" : "")});
  for (const std::string& e : o.wasi.env) a.insert(a.end(), {"--env", e});
  for (const std::string& h : m.outbound) a.insert(a.end(), {"--allow-http", h});
  for (const container::LinkedImage& l : m.components)
    a.insert(a.end(), {"--link", l.name + "=" + m.resolve(l.source) + (l.checksum ? "@" + *l.checksum : "")});
  a.push_back(m.source_path());
  a.insert(a.end(), o.args.begin(), o.args.end());
  return a;
}

void print_line(const std::string& s) {
  std::fflush(stdout);
  std::fputs(s.c_str(), stderr);
}

}  // namespace

int up_command(const std::vector<std::string>& argv) {
  // --allow-risky is this command's own option: taken out of the options before the
  // manifest (the first .toml argument) and the rest parsed as `wsvm run` would.
  bool allow_risky = false;
  std::vector<std::string> rest{"wsvm"};
  bool before_path = true;
  for (size_t i = 2; i < argv.size(); ++i) {
    if (before_path && argv[i] == "--allow-risky") {
      allow_risky = true;
      continue;
    }
    if (argv[i].ends_with(".toml")) before_path = false;
    rest.push_back(argv[i]);
  }
  auto parsed = parse_options(rest);
  if (!parsed) {
    print_error(parsed.error());
    return runner::kExitUsage;
  }
  Options o = std::move(*parsed);
  if (o.command != Command::Run) {
    print_error("'wsvm up' runs a manifest: wsvm up [--allow-risky] [OPTIONS] wcontainer.toml [ARGS...]");
    return runner::kExitUsage;
  }
  if (o.module_path.empty()) {
    print_error("no manifest given (wsvm up wcontainer.toml)");
    return runner::kExitUsage;
  }
  if (!o.wasi.dirs.empty() || !o.wasi.env.empty() || !o.wasi.tcp_listen.empty() || o.wasi.inherit_network) {
    print_error("'wsvm up' takes its grants from the manifest only (--dir, --env, --tcplisten and --inherit-network are refused)");
    return runner::kExitUsage;
  }
  if (o.limits.max_memory_bytes != kDefaultMaxMemoryBytes || o.limits.max_stack_bytes != kDefaultMaxStackBytes ||
      o.limits.timeout || o.limits.fuel) {
    print_error("'wsvm up' takes its limits from the manifest's [resources] (only --stats is accepted)");
    return runner::kExitUsage;
  }
  auto manifest = container::load_manifest(o.module_path, manifest_value_parsers());
  if (!manifest) {
    print_error(manifest.error());
    return runner::kExitUsage;
  }
  if (auto ok = apply_manifest(o, *manifest); !ok) {
    print_error(printable(manifest->path) + ": " + ok.error());
    return runner::kExitUsage;
  }
  // The checksum is verified on the bytes that will run: nothing is decoded before it.
  auto bytes = container::read_image(manifest->source_path(), manifest->checksum);
  if (!bytes) {
    print_error(bytes.error());
    return runner::kExitLoad;
  }
  auto report = container::inspect_binary(*bytes, manifest->source_path());
  auto findings = container::audit_manifest(*manifest, report ? &*report : nullptr);
  for (const container::Finding& f : findings)
    if (f.severity != container::Severity::Info)
      print_line(fmt::format("wsvm: {}: {}: {}\n", container::severity_name(f.severity), f.code, f.message));
  if (container::has_critical(findings) && !allow_risky) {
    print_error(printable(manifest->path) + ": refusing to start with a critical finding (fix the manifest, or pass --allow-risky)");
    return runner::kExitUsage;
  }
  // An HTTP component (wasi:http/incoming-handler) or an image given [http] is served as
  // `wsvm serve` would (at [http].addr, else wsvm serve's default address).
  if (manifest->http_addr || (report && report->capabilities.contains("http-incoming"))) {
    if (manifest->concurrency > 1) {  // every request gets a fresh instance of its own
      print_error(printable(manifest->path) + ": scaling.concurrency = " + std::to_string(manifest->concurrency) +
                  ": each request gets a fresh instance, so an instance serves one request at a time (only 1 is supported)");
      return runner::kExitUsage;
    }
        return exec_companion("wsvm-net", serve_argv(o, *manifest));
  }
  o.module_path = manifest->source_path();
  o.module_bytes = std::move(*bytes);
  for (const container::LinkedImage& l : manifest->components) {  // each checked like the image
    auto linked = container::read_image(manifest->resolve(l.source), l.checksum);
    if (!linked) {
      print_error(linked.error());
      return runner::kExitLoad;
    }
    o.linked_components.push_back({l.name, manifest->resolve(l.source), std::move(*linked)});
  }
  return run_command(o);
}

}  // namespace wsvm::cli
