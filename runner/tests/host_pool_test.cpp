// The host pool (runner/host_pool.hpp) with a real command component (tests/wasi/hello.c
// wrapped by jco, from component/tests) in every engine: consecutive Runs of one Program share
// one WASI 0.2 host, yet each sees only its own arguments and stdout, and nothing a Run's
// instance opened (the preopen, its streams) stays open after the Run.
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include <catch2/catch.hpp>

#include "engines/registry.hpp"
#include "tests/fixture_files.hpp"
#include "runner/host_pool.hpp"
#include "runner/runner.hpp"

using namespace wsvm;

using test::component_fixture;
using test::open_fds;

TEST_CASE("runner: consecutive Runs of a component share one host, each with its own WASI") {
  auto bytes = component_fixture("hello_command.wasm");
  REQUIRE(!bytes.empty());
  for (std::string_view engine_name : built_engine_names()) {
    INFO("engine " << engine_name);
    EngineConfig config;
    auto engine = runner::open_engine(engine_name, config);
    REQUIRE(engine);
    auto program = runner::load_program(*engine, config, bytes, "hello");
    REQUIRE(program);
    REQUIRE((*program)->hosts);
    // Two Runs first: the second makes the core modules' memory images (a memfd each, kept
    // with the Program), which are not a Run's to close.
    for (int i = 0; i < 2; ++i) {
      runner::RunRequest quiet;
      quiet.wasi.args = {"hello"};
      CHECK(runner::run_program(*program, quiet).outcome.ending == runner::Ending::Returned);
    }
    for (int i = 1; i <= 3; ++i) {
      int out[2];
      REQUIRE(pipe2(out, O_CLOEXEC) == 0);
      const size_t before = open_fds();
      runner::RunRequest request;
      request.wasi.args = std::vector<std::string>(i, "hello");
      request.wasi.stdout_fd = out[1];
      request.wasi.preopens.push_back({"/tmp", "tmp", true});
      {
        runner::Finished f = runner::run_program(*program, request);
        CHECK(f.outcome.ending == runner::Ending::Returned);
        CHECK(f.outcome.message == "");
      }
      CHECK(open_fds() == before);  // the preopen and the instance's streams are closed
      CHECK((*program)->hosts->idle() == 1);
      close(out[1]);
      char buf[64] = {};
      CHECK(read(out[0], buf, sizeof buf - 1) > 0);
      CHECK(std::string(buf) == "Hello, world! (argc=" + std::to_string(i) + ")\n");
      close(out[0]);
    }
  }
}
