// How long a fresh instance per request costs inside one server process (not a test; the
// figures go to serve/README.md): the module or component is compiled once, then N times
//   instantiate: Run + link (WASI) + instantiate, torn down again;
//   request:     the whole handler call without the network: for a module the WAGI handler
//                (memory files, instantiate, _start, teardown), for a wasi:http component
//                the component handler (its request thread, instantiate, handle, the
//                response body read to the end, teardown).
//   memory:      64 instances alive at once, then all torn down: the resident memory each
//                adds while alive and what each keeps while its memory waits in the pool.
// Usage: serve-bench-instantiate MODULE.wasm [ENGINE] [N] [instantiate]
//   With `instantiate`, only the first loop runs: under callgrind, the difference between two
//   values of N divided by their difference is the instruction count of one instance.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "memory/memory_image.hpp"
#include "runner/read_file.hpp"
#include "runner/runner.hpp"
#include "runner/stack.hpp"
#include "serve/component_handler.hpp"
#include "serve/wagi_handler.hpp"

using namespace wsvm;
using Clock = std::chrono::steady_clock;

// One request through the component handler; its status, the body drained.
static int component_request(const serve::StreamingHandler& handler) {
  serve::Request r{.method = "GET", .target = "/", .version = "HTTP/1.1"};
  auto exchange = handler(r);
  exchange->end(true);
  serve::Response resp = exchange->respond();
  if (resp.source) {
    char buf[16384];
    while (resp.source(buf, sizeof buf) > 0) {
    }
  }
  return resp.status;
}

// Resident memory of this process in KiB.
static long rss_kib() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void report(const char* what, std::vector<double>& us) {
  std::sort(us.begin(), us.end());
  std::printf("%-12s median %8.1f us   p90 %8.1f us   p99 %8.1f us   (n=%zu)\n", what, us[us.size() / 2],
              us[us.size() * 9 / 10], us[us.size() * 99 / 100], us.size());
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: serve-bench-instantiate MODULE.wasm [ENGINE] [N] [instantiate]\n");
    return 2;
  }
  std::string engine_name = argc > 2 ? argv[2] : "auto";
  int n = argc > 3 ? std::atoi(argv[3]) : 2000;
  EngineConfig config{.fuel = false, .interruptible = true};
  auto engine = runner::open_engine(engine_name, config);
  if (!engine) return std::fprintf(stderr, "%s\n", engine.error().message.c_str()), 2;
  auto program = runner::load_program(*engine, config, argv[1]);
  if (!program) return std::fprintf(stderr, "%s\n", program.error().message.c_str()), 2;
  return runner::run_on_sized_stack(runner::stack_bytes_needed(1 << 20), [&] {
    runner::RunRequest base;
    base.wasi.args = {argv[1]};
    std::vector<double> inst, req;
    for (int i = 0; i < n; ++i) {
      auto t0 = Clock::now();
      {
        runner::Run run(*program, base);
        if (run.link() || run.instantiate()) return std::fprintf(stderr, "instantiation failed\n"), 1;
      }
      inst.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    if (argc > 4 && std::string_view(argv[4]) == "instantiate") return report("instantiate", inst), 0;
    std::function<int()> request;
    if ((*program)->component) {
      serve::ComponentHandlerConfig config;
      config.program = *program;
      config.base = base;
      request = [h = serve::make_component_handler(config)] { return component_request(h); };
    } else {
      serve::WagiConfig wagi;
      wagi.program = *program;
      wagi.base = base;
      request = [h = serve::make_wagi_handler(wagi)] {
        return h(serve::Request{.method = "GET", .target = "/count", .version = "HTTP/1.1"}).status;
      };
    }
    for (int i = 0; i < n; ++i) {
      auto t0 = Clock::now();
      int status = request();
      req.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      if (status != 200) return std::fprintf(stderr, "status %d\n", status), 1;
    }
    const int alive = 64;
    long rss0 = rss_kib();
    std::vector<std::unique_ptr<runner::Run>> runs;
    for (int i = 0; i < alive; ++i) {
      runs.push_back(std::make_unique<runner::Run>(*program, base));
      if (runs.back()->link() || runs.back()->instantiate()) return std::fprintf(stderr, "instantiation failed\n"), 1;
    }
    long rss1 = rss_kib();
    runs.clear();
    long rss2 = rss_kib();
    const memory::ImagePoolTotals pool = memory::image_pool_totals();
        std::printf("%s, engine %s, compiled once in %.1f ms\n", argv[1], engine_name.c_str(),
                std::chrono::duration<double, std::milli>((*program)->compile_time).count());
    report("instantiate", inst);
    report("request", req);
    std::printf("memory       %d live instances: +%ld KiB resident each; torn down: %zu memories pooled, +%ld KiB resident each\n",
                alive, (rss1 - rss0) / alive, pool.pooled, pool.pooled ? (rss2 - rss0) / long(pool.pooled) : 0L);
    return 0;
  });
}
