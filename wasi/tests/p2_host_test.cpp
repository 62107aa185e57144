// The WASI 0.2 host running a jco-wrapped C program (tests/wasi/hello.c as a wasi:cli
// command component) in every engine: its output, and that nothing the instance held
// outlives it (the host fds of the preopens and of every stream are closed).
#include <fcntl.h>
#include <unistd.h>


#include <catch2/catch.hpp>

#include "component/instance.hpp"
#include "engines/registry.hpp"
#include "tests/fixture_files.hpp"
#include "wasi/p2/host.hpp"

using namespace wsvm;

using test::component_fixture;
using test::open_fds;

TEST_CASE("p2 host: hello as a component in every engine; nothing outlives the instance") {
  auto bytes = component_fixture("hello_command.wasm");
  if (bytes.empty()) {
    WARN("hello_command.wasm was not built (jco or clang-14 missing)");
    return;
  }
  auto c = component::decode_component(bytes);
  REQUIRE(c);
  for (std::string_view engine_name : built_engine_names()) {
    INFO("engine " << engine_name);
    auto engine = make_engine(engine_name);
    REQUIRE(engine);
    int out[2];
    REQUIRE(pipe2(out, O_CLOEXEC) == 0);
    const size_t before = open_fds();
    {
      wasi::WasiConfig config;
      config.args = {"hello", "x"};
      config.stdout_fd = out[1];
      config.preopens.push_back({"/tmp", "tmp", true});
      auto host = wasi::p2::Host::create(config);
      REQUIRE(host);
      CHECK(open_fds() == before + 1);  // the preopen
      Store store(**engine);
      component::ComponentLinker linker;
      (*host)->define(linker);
      auto inst = component::instantiate(store, *c, linker);
      if (!inst) FAIL(inst.error().to_string());
      auto r = (*inst)->call("wasi:cli/run@0.2.12#run", {});
      if (!r) FAIL(r.error().message);
      CHECK(*r == std::vector<component::Val>{component::Val::ok()});
      CHECK((*host)->table().live() > 0);  // the adapter keeps its stdout stream
      inst->reset();
    }
    CHECK(open_fds() == before);
    close(out[1]);
    char buf[64] = {};
    CHECK(read(out[0], buf, sizeof buf - 1) > 0);
    CHECK(std::string(buf) == "Hello, world! (argc=2)\n");
    close(out[0]);
  }
}

TEST_CASE("p2 host: a bad preopen is an error naming it") {
  wasi::WasiConfig config;
  config.preopens.push_back({"/nonexistent-wsvm-p2", "x", false});
  auto host = wasi::p2::Host::create(config);
  REQUIRE_FALSE(host);
  CHECK(host.error().message.find("/nonexistent-wsvm-p2") != std::string::npos);
}

TEST_CASE("p2 host: wasi:sockets links (an older 0.2 asks) and denies the network") {
  auto host = wasi::p2::Host::create(wasi::WasiConfig{});
  REQUIRE(host);
  component::ComponentLinker linker;
  (*host)->define(linker);
  using component::Val;
  auto call = [&](const char* iface, const char* fn, std::vector<Val> args) {
    auto* inst = linker.instance(iface);
    REQUIRE(inst);
    REQUIRE(inst->contains(fn));
    auto r = inst->at(fn)(args);
    REQUIRE(r);
    return *r;
  };
  const Val denied = Val::err({Val::enumeration(1)});  // error-code.access-denied
  CHECK(call("wasi:sockets/tcp-create-socket@0.2.0", "create-tcp-socket", {Val::enumeration(0)}) ==
        std::vector<Val>{denied});
  CHECK(call("wasi:sockets/udp-create-socket@0.2.3", "create-udp-socket", {Val::enumeration(1)}) ==
        std::vector<Val>{denied});
  auto net = call("wasi:sockets/instance-network@0.2.12", "instance-network", {});
  REQUIRE(net.size() == 1);
  CHECK(call("wasi:sockets/ip-name-lookup@0.2.12", "resolve-addresses",
             {Val::borrow(uint32_t(net[0].u)), Val::string("localhost")}) == std::vector<Val>{denied});
  // a socket method can only be reached with a handle that cannot exist: a trap
  auto* tcp = linker.instance("wasi:sockets/tcp@0.2.12");
  REQUIRE(tcp);
  std::vector<Val> sock = {Val::borrow(1)};
  CHECK_FALSE(tcp->at("[method]tcp-socket.start-listen")(sock));
}
