// Instantiating components and calling through the canonical ABI, in every built engine:
// fixtures/calls.wat (assembled with jco at build time).
#include <catch2/catch.hpp>

#include "component/instance.hpp"
#include "component/type_space.hpp"
#include "engines/registry.hpp"
#include "test_util.hpp"

using namespace wsvm::component;
using wsvm::ErrorKind;

namespace {

struct Host {
  std::vector<std::string> logged;
  ComponentLinker linker;
  Host(const std::string& iface = "wasi:demo/host@0.2.12") {
    linker.define_func("log", [this](std::span<const Val> args) -> AbiResult<std::vector<Val>> {
      logged.push_back(args[0].str);
      return std::vector<Val>{};
    });
    linker.define_instance_func(iface, "twice", [](std::span<const Val> args) -> AbiResult<std::vector<Val>> {
      return std::vector<Val>{Val::u32(uint32_t(args[0].u * 2))};
    });
  }
};

}  // namespace

TEST_CASE("calls.wat: host <-> guest calls in every engine") {
  auto bytes = test::fixture("calls");
  REQUIRE_FALSE(bytes.empty());
  auto c = decode_component(bytes);
  REQUIRE(c);
  for (std::string_view engine_name : wsvm::built_engine_names()) {
    INFO("engine " << engine_name);
    auto engine = wsvm::make_engine(engine_name);
    REQUIRE(engine);
    wsvm::Store store(**engine);
    Host host;
    auto inst = instantiate(store, *c, host.linker);
    if (!inst) FAIL(inst.error().to_string());
    ComponentInstance& ci = **inst;

    auto call = [&](const char* name, std::vector<Val> args) {
      auto r = ci.call(name, args);
      if (!r) FAIL(name << ": " << r.error().message);
      return *r;
    };
    CHECK(call("add", {Val::u32(2), Val::u32(3)}) == std::vector<Val>{Val::u32(5)});
    CHECK(call("posted", {})[0].u == 0);
    CHECK(call("greet", {Val::string("wsvm")}) == std::vector<Val>{Val::string("hello, wsvm")});
    CHECK(call("posted", {})[0].u == 256);  // post-return ran with the result pointer
    CHECK(call("run", {}) == std::vector<Val>{Val::u32(42)});
    CHECK(host.logged == std::vector<std::string>{"from guest"});
    CHECK(call("swap", {Val::record({Val::s32(1), Val::s32(-2)})}) ==
          std::vector<Val>{Val::record({Val::s32(-2), Val::s32(1)})});
    CHECK(call("sum", {Val::list({Val::u32(1), Val::u32(2), Val::u32(4000000000u)})}) ==
          std::vector<Val>{Val::u64(4000000003ull)});
    // A value of the wrong type from the host is refused before reaching the guest (and does
    // not poison the instance).
    auto wrong = ci.call("add", std::vector<Val>{Val::string("x"), Val::u32(1)});
    REQUIRE_FALSE(wrong);
    CHECK_THAT(wrong.error().message, Catch::Contains("does not have type u32"));
    CHECK_FALSE(ci.call("nope", {}));
    // A trap in the guest poisons the instance, as in wasmtime.
    auto bad = ci.call("bad-char", {});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message == "invalid `char` bit pattern");
    auto after = ci.call("add", std::vector<Val>{Val::u32(1), Val::u32(2)});
    REQUIRE_FALSE(after);
    CHECK(after.error().message == "cannot enter component instance");
  }
}

TEST_CASE("calls.wat: a host function cannot re-enter the instance that called it") {
  auto c = decode_component(test::fixture("calls"));
  REQUIRE(c);
  auto engine = wsvm::make_engine("interp");
  REQUIRE(engine);
  wsvm::Store store(**engine);
  Host host;
  ComponentInstance* self = nullptr;
  std::string inner;
  host.linker.define_func("log", [&](std::span<const Val>) -> AbiResult<std::vector<Val>> {
    auto r = self->call("add", std::vector<Val>{Val::u32(1), Val::u32(2)});
    inner = r ? "entered" : r.error().message;
    return std::vector<Val>{};
  });
  auto inst = instantiate(store, *c, host.linker);
  REQUIRE(inst);
  self = inst->get();
  CHECK(self->call("run", {}).has_value());
  CHECK(inner == "cannot enter component instance");
  // After the call the instance may be entered again.
  CHECK(self->call("add", std::vector<Val>{Val::u32(1), Val::u32(2)}).has_value());
}

TEST_CASE("calls.wat: missing and mismatched imports are one clear error") {
  auto c = decode_component(test::fixture("calls"));
  REQUIRE(c);
  auto engine = wsvm::make_engine("interp");
  REQUIRE(engine);
  wsvm::Store store(**engine);

  ComponentLinker empty;
  auto r = instantiate(store, *c, empty);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Unlinkable);
  CHECK(r.error().message == "component import 'log' (a function) is not defined by the host");

  // 0.3 is not compatible with 0.2.3; 0.2.0 is (same canonical version 0.2).
  Host newer("wasi:demo/host@0.3.0");
  r = instantiate(store, *c, newer.linker);
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "component import 'wasi:demo/host@0.2.3' (an instance) is not defined by the host");
  Host older("wasi:demo/host@0.2.0");
  CHECK(instantiate(store, *c, older.linker));

  ComponentLinker partial;
  partial.define_func("log", [](std::span<const Val>) -> AbiResult<std::vector<Val>> { return std::vector<Val>{}; });
  partial.define_instance_func("wasi:demo/host@0.2.3", "thrice",
                               [](std::span<const Val>) -> AbiResult<std::vector<Val>> { return std::vector<Val>{}; });
  r = instantiate(store, *c, partial);
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "component import 'wasi:demo/host@0.2.3': function 'twice' is not defined by the host");
}

TEST_CASE("calls.wat: a host function's declared type is checked against the import's") {
  auto c = decode_component(test::fixture("calls"));
  REQUIRE(c);
  auto engine = wsvm::make_engine("interp");
  REQUIRE(engine);
  wsvm::Store store(**engine);
  auto noop = [](std::span<const Val>) -> AbiResult<std::vector<Val>> { return std::vector<Val>{Val::u32(0)}; };
  auto linker_with = [&](FuncSig log, FuncSig twice) {
    ComponentLinker l;
    l.define_func("log", std::move(log), noop);
    l.define_instance_func("wasi:demo/host@0.2.12", "twice", std::move(twice), noop);
    return l;
  };
  FuncSig log_ok{{"msg"}, {t_prim(VKind::String)}, {}};
  FuncSig twice_ok{{}, {t_prim(VKind::U32)}, {t_prim(VKind::U32)}};  // names left out: not compared
  CHECK(instantiate(store, *c, linker_with(log_ok, twice_ok)));

  auto r = instantiate(store, *c, linker_with(log_ok, FuncSig{{}, {t_prim(VKind::U64)}, {t_prim(VKind::U32)}}));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Unlinkable);
  CHECK(r.error().message ==
        "component import 'wasi:demo/host@0.2.3': function 'twice' has the wrong type: expected "
        "func(x: u32) -> u32, the host's is func(u64) -> u32 (type mismatch in function parameter `x`: "
        "expected primitive `u32` found primitive `u64`)");

  r = instantiate(store, *c, linker_with(FuncSig{{"text"}, {t_prim(VKind::String)}, {}}, twice_ok));
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "component import 'log' has the wrong type: expected func(msg: string), the host's is "
        "func(text: string) (expected parameter named `msg`, found `text`)");

  r = instantiate(store, *c, linker_with(log_ok, FuncSig{{}, {t_prim(VKind::U32)}, {}}));
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("function 'twice' has the wrong type: expected func(x: u32) -> u32, the "
                               "host's is func(u32) (expected a result, found none)") != std::string::npos);
}

TEST_CASE("bad_lift.wat: canon options are validated at instantiation") {
  auto c = decode_component(test::fixture("bad_lift"));
  REQUIRE(c);
  auto engine = wsvm::make_engine("interp");
  REQUIRE(engine);
  wsvm::Store store(**engine);
  auto r = instantiate(store, *c, ComponentLinker{});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Invalid);
  CHECK(r.error().message == "canon lift: a list or string parameter requires 'realloc'");
  CHECK(r.error().offset != wsvm::kNoOffset);
}

TEST_CASE("nested.wat: nested components, guest -> guest calls, outer aliases, every engine") {
  auto c = decode_component(test::fixture("nested"));
  REQUIRE(c);
  for (std::string_view engine_name : wsvm::built_engine_names()) {
    INFO("engine " << engine_name);
    auto engine = wsvm::make_engine(engine_name);
    REQUIRE(engine);
    wsvm::Store store(**engine);
    auto inst = instantiate(store, *c, ComponentLinker{});
    if (!inst) FAIL(inst.error().to_string());
    auto call = [&](const char* name, std::vector<Val> args) {
      auto r = (*inst)->call(name, args);
      if (!r) FAIL(name << ": " << r.error().message);
      return *r;
    };
    // twice lives in a nested component and calls its parent's lifted add through canon lower:
    // a child may not enter its parent (wasmtime's rule "for now", which the reference test
    // async/trap-on-reenter.wast checks), so the call traps.
    auto child_to_parent = (*inst)->call("twice", std::vector<Val>{Val::u32(21)});
    REQUIRE_FALSE(child_to_parent);
    CHECK(child_to_parent.error().message == "cannot enter component instance");
    // The shim component re-exports it; the parent exports the shim's instance. The trap
    // above poisoned the instance, so each call gets a fresh one.
    auto again = instantiate(store, *c, ComponentLinker{});
    REQUIRE(again);
    CHECK_FALSE((*again)->call("wasi:demo/api@0.1.0#run", std::vector<Val>{Val::u32(5)}));
    inst = instantiate(store, *c, ComponentLinker{});
    REQUIRE(inst);
    // sum takes the parent's record type through an outer alias; its core module is the
    // parent's, passed as an argument.
    CHECK(call("sum", {Val::record({Val::u32(3), Val::u32(4)})}) == std::vector<Val>{Val::u32(7)});
    // An instance exported two components deep, aliased out at each level (its twice calls
    // the parent's add too: a trap).
    auto deep = (*inst)->call("wasi:demo/math@0.1.0#twice", std::vector<Val>{Val::u32(8)});
    REQUIRE_FALSE(deep);
    CHECK(deep.error().message == "cannot enter component instance");
  }
}

namespace {

// Every function of every instance the component imports, as named in its instance type.
std::vector<std::pair<std::string, std::string>> imported_functions(const Component& c) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Import& im : c.imports) {
    if (im.type.kind != ExternKind::Instance) continue;
    // The instance type is a type definition of the top-level type space: find it.
    const auto& space = c.space(Sort::Type);
    if (im.type.index >= space.size()) continue;
    const Definition& d = c.defs[space[im.type.index].def];
    if (d.kind != DefKind::Type) continue;
    for (const TypeDecl& decl : c.types[d.index].decls)
      if (decl.kind == TypeDecl::Kind::Export && decl.type.kind == ExternKind::Func)
        out.emplace_back(im.name.name, decl.name.name);
  }
  return out;
}

}  // namespace

TEST_CASE("hello_command.wasm: a jco-wrapped C program runs against a stub WASI 0.2 host") {
  auto bytes = test::fixture("hello_command");
  if (bytes.empty()) {
    WARN("hello_command.wasm was not built (no clang-14)");
    return;
  }
  auto c = decode_component(bytes);
  REQUIRE(c);
  for (std::string_view engine_name : wsvm::built_engine_names()) {
    INFO("engine " << engine_name);
    auto engine = wsvm::make_engine(engine_name);
    REQUIRE(engine);
    wsvm::Store store(**engine);
    ComponentLinker linker;
    std::string out;
    std::vector<std::string> unexpected;
    for (const Import& im : (*c)->imports) linker.define_instance(im.name.name);
    for (const auto& [iface, fn] : imported_functions(**c)) {
      std::string what = iface + "#" + fn;
      linker.define_instance_func(iface, fn, [what, &unexpected](std::span<const Val>) -> AbiResult<std::vector<Val>> {
        unexpected.push_back(what);
        return std::unexpected(abi_trap("stub host: " + what + " is not implemented"));
      });
    }
    auto def = [&](const std::string& iface, const std::string& fn, HostFn f) {
      linker.define_instance_func(iface, fn, std::move(f));
    };
    auto none = [](std::span<const Val>) -> AbiResult<std::vector<Val>> { return std::vector<Val>{Val::none()}; };
    def("wasi:cli/environment@0.2.12", "get-arguments", [](std::span<const Val>) -> AbiResult<std::vector<Val>> {
      return std::vector<Val>{Val::list({Val::string("hello")})};
    });
    def("wasi:cli/environment@0.2.12", "get-environment", [](std::span<const Val>) -> AbiResult<std::vector<Val>> {
      return std::vector<Val>{Val::list({})};
    });
    def("wasi:filesystem/preopens@0.2.12", "get-directories", [](std::span<const Val>) -> AbiResult<std::vector<Val>> {
      return std::vector<Val>{Val::list({})};
    });
    for (const char* s : {"stdin", "stdout", "stderr"})
      def(std::string("wasi:cli/") + s + "@0.2.12", std::string("get-") + s,
          [s](std::span<const Val>) -> AbiResult<std::vector<Val>> {
            return std::vector<Val>{Val::own(std::string(s) == "stdout" ? 1 : 2)};
          });
    for (const char* s : {"stdin", "stdout", "stderr"})
      def(std::string("wasi:cli/terminal-") + s + "@0.2.12", std::string("get-terminal-") + s, none);
    def("wasi:io/streams@0.2.12", "[method]output-stream.blocking-write-and-flush",
        [&out](std::span<const Val> args) -> AbiResult<std::vector<Val>> {
          if (args[0].u == 1)
            for (size_t i = 0; i < args[1].list_size(); ++i) out += char(args[1].byte_at(i));
          return std::vector<Val>{Val::ok()};
        });
    auto inst = instantiate(store, *c, linker);
    if (!inst) FAIL(inst.error().to_string());
    auto r = (*inst)->call("wasi:cli/run@0.2.12#run", {});
    INFO("unexpected host calls: " << unexpected.size());
    for (const auto& u : unexpected) INFO(u);
    if (!r) FAIL(r.error().message);
    CHECK(*r == std::vector<Val>{Val::ok()});
    CHECK(out == "Hello, world! (argc=1)\n");
  }
}

TEST_CASE("resources.wat: host and guest resources, destructors, a double drop, every engine") {
  auto c = decode_component(test::fixture("resources"));
  REQUIRE(c);
  for (std::string_view engine_name : wsvm::built_engine_names()) {
    INFO("engine " << engine_name);
    auto engine = wsvm::make_engine(engine_name);
    REQUIRE(engine);
    wsvm::Store store(**engine);
    ComponentLinker linker;
    std::vector<std::string> opened;
    std::vector<uint32_t> host_dropped;
    // Linked by semver: the component imports 1.0.0, the host defines 1.2.0.
    const std::string iface = "wasi:demo/files@1.2.0";
    linker.define_instance_func(iface, "open", [&](std::span<const Val> args) -> AbiResult<std::vector<Val>> {
      opened.push_back(args[0].str);
      return std::vector<Val>{Val::own(77)};
    });
    linker.define_instance_func(iface, "[method]file.size", [](std::span<const Val> args) -> AbiResult<std::vector<Val>> {
      return std::vector<Val>{Val::u32(uint32_t(args[0].u * 2))};
    });
    linker.define_resource_dtor(iface, "file", [&](uint32_t rep) { host_dropped.push_back(rep); });
    auto inst = instantiate(store, *c, linker);
    if (!inst) FAIL(inst.error().to_string());
    auto call = [&](const char* name, std::vector<Val> args) {
      auto r = (*inst)->call(name, args);
      if (!r) FAIL(name << ": " << r.error().message);
      return *r;
    };
    // open gives the guest an owned handle (rep 77), size borrows it, the guest drops it.
    CHECK(call("file-size", {}) == std::vector<Val>{Val::u32(154)});
    CHECK(opened == std::vector<std::string>{"data.txt"});
    CHECK(host_dropped == std::vector<uint32_t>{77});
    CHECK((*inst)->state().handles.live() == 0);
    // The guest's own resource: new, rep, drop runs the core destructor with the rep.
    CHECK(call("counter-cycle", {Val::u32(5)}) == std::vector<Val>{Val::u32(5)});
    CHECK(call("dropped", {}) == std::vector<Val>{Val::u32(5)});
    auto twice = (*inst)->call("drop-twice", {});
    REQUIRE_FALSE(twice);
    CHECK(twice.error().message == "unknown handle index 1");
  }
}
