// `wsvm serve [SERVE OPTIONS] [RUN OPTIONS] app.wasm`, in the program `wsvm-net` that `wsvm
// serve` starts (companion.hpp, net_main.cpp). It compiles the module once, then answers each HTTP
// request with a fresh instance of it (serve/), with the run options' limits per request.
//
// The handler is a component exporting wasi:http/incoming-handler@0.2.x
// (serve/component_handler.hpp) or a WASI preview 1 command module in the WAGI convention
// (serve/wagi_handler.hpp).
#include <signal.h>

#include <cctype>
#include <cstdio>
#include <ctime>

#include <fmt/format.h>

#include "cli/net_commands.hpp"
#include "cli/options.hpp"
#include "cli/run.hpp"
#include "component/ir.hpp"
#include "container/image.hpp"
#include "container/oci_layout.hpp"
#include "decoder/printable.hpp"
#include "runner/exit_status.hpp"
#include "runner/stack.hpp"
#include "serve/component_handler.hpp"
#include "serve/http_server.hpp"
#include "serve/metrics.hpp"
#include "serve/wagi_handler.hpp"

namespace wsvm::cli {
namespace {

constexpr const char* kServeUsage =
    "usage: wsvm serve [--addr HOST:PORT] [--max-connections N] [--idle-timeout DURATION] "
    "[--body-timeout DURATION] [--max-body SIZE] [--grace DURATION] [--metrics HOST:PORT] [--checksum sha256:...] "
    "[--min-instances N] [--max-instances N] [--link NAME=FILE[@sha256:...]]... "
    "[--quiet] [RUN OPTIONS] app.wasm | oci:DIR[:TAG]";

struct ServeOptions {
  serve::ServerConfig server;
  std::chrono::milliseconds grace{10000};
  bool access_log = true;
  std::optional<std::string> checksum;  // --checksum sha256:...
  std::optional<std::pair<std::string, uint16_t>> metrics;  // --metrics HOST:PORT
  size_t min_instances = 0;                // made ahead of requests (serve/scaling.hpp)
  std::optional<size_t> max_instances;     // at once; none: no limit
  // --link NAME=FILE[@sha256:...]: components linked to the handler by interface name (a
  // manifest's [components.NAME] under `wsvm up`), each checked against its checksum.
  struct Link {
    std::string name, path;
    std::optional<std::string> checksum;
  };
  std::vector<Link> links;
};

// NAME=FILE[@sha256:HEX] (the FILE may itself contain '@': only a valid digest after the
// last one is a checksum).
std::expected<ServeOptions::Link, std::string> parse_link(const std::string& v) {
  size_t eq = v.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) return std::unexpected("--link: '" + v + "' is not NAME=FILE[@sha256:...]");
  ServeOptions::Link l{v.substr(0, eq), v.substr(eq + 1), std::nullopt};
  if (size_t at = l.path.rfind('@'); at != std::string::npos && container::valid_digest(l.path.substr(at + 1))) {
    l.checksum = l.path.substr(at + 1);
    l.path.resize(at);
  }
  return l;
}


int usage(const std::string& message) {
  print_error(message);
  return runner::kExitUsage;
}

// One stderr line, whole (write(2) of a line is not interleaved with other threads' lines).
void log_line(const std::string& line) {
  std::string s = line + "\n";
  ssize_t ignored = write(STDERR_FILENO, s.data(), s.size());
  (void)ignored;
}

}  // namespace

int serve_main(const std::vector<std::string>& argv) {
  ServeOptions so;
  so.server.port = 8080;
  std::vector<std::string> rest{"wsvm"};
  size_t i = 2;  // argv[1] is "serve"
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.empty() || a[0] != '-' || a == "--") break;
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argv.size()) return std::nullopt;
      return argv[++i];
    };
    if (a == "--addr" || a == "--max-connections" || a == "--idle-timeout" || a == "--body-timeout" ||
        a == "--max-body" || a == "--grace" || a == "--metrics" || a == "--checksum" || a == "--min-instances" ||
        a == "--max-instances" || a == "--link") {
      auto v = value();
      if (!v) return usage("option '" + a + "' needs a value");
      if (a == "--link") {
        auto l = parse_link(*v);
        if (!l) return usage(l.error());
        so.links.push_back(std::move(*l));
      } else if (a == "--checksum") {
        if (!container::valid_digest(*v)) return usage("--checksum: '" + *v + "' is not sha256:<64 lowercase hex digits>");
        so.checksum = *v;
      } else if (a == "--addr" || a == "--metrics") {
        auto addr = serve::parse_addr(*v);
        if (!addr) return usage(a + ": " + addr.error());
        if (a == "--addr") std::tie(so.server.host, so.server.port) = *addr;
        else so.metrics = *addr;
      } else if (a == "--max-connections" || a == "--min-instances" || a == "--max-instances") {
        char* end = nullptr;
        unsigned long n = std::strtoul(v->c_str(), &end, 10);
        const unsigned long least = a == "--min-instances" ? 0 : 1;
        if (v->empty() || !std::isdigit(static_cast<unsigned char>((*v)[0])) || *end != '\0' || n < least || n > 100000)
          return usage(a + ": a number from " + std::to_string(least) + " to 100000");
        if (a == "--max-connections") so.server.max_connections = static_cast<unsigned>(n);
        else if (a == "--min-instances") so.min_instances = n;
        else so.max_instances = n;
      } else if (a == "--max-body") {
        auto n = parse_size(*v);
        if (!n) return usage("--max-body: " + n.error());
        so.server.max_body_bytes = *n;
      } else {
        auto d = parse_duration(*v);
        if (!d) return usage(a + ": " + d.error());
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
        if (a == "--idle-timeout") so.server.idle_timeout = std::max(std::chrono::seconds(1), std::chrono::duration_cast<std::chrono::seconds>(ms));
        else if (a == "--body-timeout") so.server.body_timeout = ms;
        else so.grace = ms;
      }
    } else if (a == "--quiet") {
      so.access_log = false;
    } else {
      rest.push_back(a);  // a run option (and its value, taken by parse_options below)
      if (i + 1 < argv.size() && (is_wasi_option(a) || (is_limit_option(a) && limit_option_takes_value(a)) ||
                                  a == "--engine" || a == "--jit-compile"))
        rest.push_back(argv[++i]);
    }
  }
  for (; i < argv.size(); ++i) rest.push_back(argv[i]);
  auto parsed = parse_options(rest);
  if (!parsed) return usage(parsed.error());
  Options o = std::move(*parsed);
  if (o.command == Command::Help) {
    std::puts(kServeUsage);
    return runner::kExitOk;
  }
  if (o.command != Command::Run || o.invoke) return usage(kServeUsage);
  if (o.module_path.empty()) return usage("no module given (" + std::string(kServeUsage) + ")");
  if (so.max_instances && so.min_instances > *so.max_instances)
    return usage("--min-instances: " + std::to_string(so.min_instances) + " is more than --max-instances " +
                 std::to_string(*so.max_instances));

  const bool metered = o.limits.fuel.has_value();
  EngineConfig config = engine_config(o, metered);
  auto engine = runner::open_engine(o.engine, config);
  if (!engine) return usage(engine.error().message);
  // A file or an OCI layout (oci:DIR[:TAG]), checked against --checksum before decoding.
  auto bytes = container::read_image(o.module_path, so.checksum);
  if (!bytes) {
    print_error(bytes.error());
    return runner::kExitLoad;
  }
  auto program = runner::load_program(*engine, config, std::move(*bytes), o.module_path);
  if (!program) {
    print_error(program.error().message);
    return runner::kExitLoad;
  }

  const bool is_component = (*program)->component != nullptr;
  if (is_component) {
    if (auto e = serve::http_handler_export(**program); !e) {
      print_error(printable(e.error()));
      return runner::kExitLoad;
    }
  }
  so.server.handler_stack_bytes = std::max<size_t>(size_t{8} << 20, runner::stack_bytes_needed(o.limits.max_stack_bytes));
  auto metrics = std::make_shared<serve::Metrics>();
  auto log_request = [](const std::string& s) { log_line("wsvm: request " + s); };
  auto count_failure = [metrics](const std::string& kind) { metrics->failure(kind); };
  so.server.access_log = [metrics, print = so.access_log](const serve::AccessRecord& r) {
    metrics->observe(r.status, r.duration);
    if (print)
      log_line(fmt::format("wsvm: access: {} {} {} {} {:.3f} ms", r.remote, printable(r.method), printable(r.target), r.status,
                           r.duration.count() / 1000.0));
  };
  runner::RunRequest base = run_request(o);
  base.on_timeout_overrun = nullptr;  // a server does not end itself over one request
  if (!so.links.empty() && !is_component) return usage("--link: only a component can have components linked to it");
  for (const ServeOptions::Link& l : so.links) {
    auto linked_bytes = container::read_image(l.path, l.checksum);
    if (!linked_bytes) {
      print_error(linked_bytes.error());
      return runner::kExitLoad;
    }
    auto linked = runner::load_linked_component(std::move(*linked_bytes), l.name, l.path);
    if (!linked) {
      print_error(printable(linked.error().message));
      return runner::kExitLoad;
    }
    base.components.push_back(std::move(*linked));
  }
  if (so.min_instances > 0) {
    if (auto failed = serve::prewarm(*program, base, so.min_instances)) {
      print_error(printable(*failed));
      return runner::kExitLoad;
    }
  }
  auto gate = so.max_instances ? std::make_shared<serve::InstanceGate>(*so.max_instances) : nullptr;

  // SIGINT and SIGTERM are taken by this thread alone (the server's threads inherit the
  // blocked mask), so a signal means one thing: stop gracefully.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::expected<std::unique_ptr<serve::HttpServer>, std::string> server;
  if (is_component) {
    // A wasi:http/proxy component: each request on a worker thread (the bodies stream);
    // --max-instances of them kept when given, else serve/worker_pool.hpp's default.
    serve::ComponentHandlerConfig http;
    http.program = *program;
    http.base = std::move(base);
    http.stack_bytes = so.server.handler_stack_bytes;
    http.body_stall = std::chrono::duration_cast<std::chrono::milliseconds>(so.server.idle_timeout);
    http.log = log_request;
    http.on_failure = count_failure;
    http.gate = gate;
    if (so.max_instances) http.workers = static_cast<unsigned>(std::min<size_t>(*so.max_instances, 1024));
    server = serve::HttpServer::start(so.server, serve::make_component_handler(std::move(http)));
  } else {
    serve::WagiConfig wagi;
    wagi.program = *program;
    wagi.base = std::move(base);
    wagi.log = log_request;
    wagi.on_failure = count_failure;
    wagi.gate = gate;
    server = serve::HttpServer::start(so.server, serve::make_wagi_handler(std::move(wagi)));
  }
  if (!server) {
    print_error(server.error());
    return runner::kExitUsage;
  }
  const std::string& host = (*server)->host();
  std::printf("Serving HTTP on http://%s:%u/\n", host.find(':') != std::string::npos ? ("[" + host + "]").c_str() : host.c_str(),
              (*server)->port());
  std::unique_ptr<serve::HttpServer> metrics_server;
  if (so.metrics) {
    metrics->set_in_flight_source([s = server->get()] { return s->in_flight(); });
    serve::ServerConfig mc;
    std::tie(mc.host, mc.port) = *so.metrics;
    mc.max_connections = 16;
    auto started = serve::HttpServer::start(mc, [metrics](const serve::Request& r) {
      if (r.target != "/metrics") return serve::Response{404, {{"Content-Type", "text/plain"}}, "try /metrics\n", false};
      return serve::Response{200, {{"Content-Type", "text/plain; version=0.0.4"}}, metrics->render(), false};
    });
    if (!started) {
      print_error("--metrics: " + started.error());
      return runner::kExitUsage;
    }
    metrics_server = std::move(*started);
    std::printf("Metrics on http://%s:%u/metrics\n", metrics_server->host().c_str(), metrics_server->port());
  }
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  log_line(fmt::format("wsvm: {} received: stopping (up to {} ms for {} request(s) in flight)", sig == SIGINT ? "SIGINT" : "SIGTERM",
                       so.grace.count(), (*server)->in_flight()));
  unsigned cut = (*server)->stop(so.grace);
  if (cut != 0) log_line(fmt::format("wsvm: stopped with {} request(s) unfinished", cut));
  if (metrics_server) metrics_server->stop(std::chrono::milliseconds(0));
  return runner::kExitOk;
}

}  // namespace wsvm::cli
