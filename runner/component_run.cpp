// The runner's component path: a component Program (decoded, names checked), WASI 0.2 linked
// natively (wasi/p2), instantiation of the whole instance graph in the Run's Store (so the
// limits apply to every core instance: memory pages, stack, fuel, the timeout's interrupt
// flag), then `wasi:cli/run` or any exported function.
#include <fmt/format.h>

#include "component/ir.hpp"
#include "component/validate.hpp"
#include "runner/host_pool.hpp"
#include "runner/run_internal.hpp"
#include "runtime/deadline.hpp"
#include "validator/validate.hpp"
#include "wasi/p2/host.hpp"
#include "wasi/p3/host.hpp"

namespace wsvm::runner {
namespace {

// Every nested component's core modules too.
Result<void> validate_core_modules(const component::Component& c) {
  for (uint32_t i = 0; i < c.core_modules.size(); ++i) {
    auto m = WSVM_TRY(c.decode_core_module(i));
    WSVM_TRY_VOID(validate_module(*m));
  }
  for (const auto& nested : c.components) WSVM_TRY_VOID(validate_core_modules(*nested));
  return {};
}

// The export `wasi:cli/run@0.3.x#run`, else `wasi:cli/run@0.2.x#run`, or empty. (A Rust
// wasm32-wasip3 program exports both; its 0.2 one is std's `main`, the 0.3 one the program.)
std::string run_export(const component::ComponentInstance& inst) {
  for (const char* version : {"wasi:cli/run@0.3.", "wasi:cli/run@0.2."})
    for (const std::string& n : inst.export_names())
      if (n.starts_with(version) && n.ends_with("#run")) return n;
  return {};
}

// Whether the WASI 0.3 interfaces must be defined for `c`: it imports an interface at a 0.3
// version (or one without a version, which either could satisfy). Defining them costs
// ~0.66 M instructions per host (each reuses 0.2 functions found by version matching), a
// tenth of running a small 0.2 component (bench/README.md's instantiation figures).
bool imports_wasi_0_3(const component::Component& c) {
  for (const component::Import& im : c.imports) {
    if (im.type.kind != component::ExternKind::Instance) continue;
    const std::string& n = im.name.name;
    size_t at = n.find('@');
    if (at == std::string::npos) return true;
    std::string_view version = std::string_view(n).substr(at + 1);
    if (version == "0.3" || version.starts_with("0.3.") || version.starts_with("0.3-")) return true;
  }
  return false;
}

}  // namespace

std::expected<std::shared_ptr<const Program>, Outcome> load_component(
    std::shared_ptr<Engine> engine, const EngineConfig& config, std::vector<uint8_t> bytes,
    const std::string& name, Clock::time_point started) {
  auto fail = [&](const Error& e) {
    Outcome o = load_error(name, e);
    o.stats.compile = Clock::now() - started;
    return std::unexpected(std::move(o));
  };
  auto c = component::decode_component(std::move(bytes));
  if (!c) return fail(c.error());
  if (auto ok = component::validate_component(**c); !ok) return fail(ok.error());
  auto p = std::make_shared<Program>();
  p->name = name;
  p->engine = std::move(engine);
  p->component = std::move(*c);
  p->core_modules = std::make_shared<component::CoreModuleCache>();
  p->hosts = std::make_shared<HostPool>();
  p->metered = config.fuel;
  p->compile_time = Clock::now() - started;
  return std::shared_ptr<const Program>(std::move(p));
}

std::expected<LinkedComponent, Outcome> load_linked_component(std::vector<uint8_t> bytes, std::string name,
                                                              const std::string& path) {
  auto c = component::decode_component(std::move(bytes));
  if (!c) return std::unexpected(load_error(path, c.error()));
  if (!component::is_component((*c)->range_bytes((*c)->range)))
    return std::unexpected(load_error(path, Error{ErrorKind::Malformed, 0, "not a component"}));
  if (auto ok = component::validate_component(**c); !ok) return std::unexpected(load_error(path, ok.error()));
  return LinkedComponent{std::move(name), std::move(*c)};
}

Result<void> validate_component_bytes(std::span<const uint8_t> bytes) {
  auto c = WSVM_TRY(component::decode_component(bytes));
  WSVM_TRY_VOID(component::validate_component(*c));
  return validate_core_modules(*c);
}

std::optional<Outcome> Run::link_component() {
  wasi::p2::HostOptions options{.inherit_network = m_request.inherit_network,
                                .http_client = m_request.http_client,
                                .http_allow = m_request.http_allow,
                                .http_denied = m_request.http_denied};
  // A host from an earlier Run, unless components are linked (their exports are defined in
  // the linker per Run).
  m_host_reusable = m_request.components.empty() && m_program->hosts;
  if (m_host_reusable) {
    if (std::optional<PrelinkedHost> pooled = m_program->hosts->take()) {
      if (auto ok = pooled->host->reset(m_request.wasi, std::move(options)); !ok) {
        m_host_reusable = false;
        return usage(ok.error().message);
      }
      m_p2 = std::move(pooled->host);
      m_component_linker = std::move(pooled->linker);
      return std::nullopt;
    }
  }
  m_component_linker = std::make_unique<component::ComponentLinker>();
  m_component_linker->set_core_module_cache(m_program->core_modules);
  // The host builds only the interfaces the components of this run import.
  auto wanted = component::imported_interfaces(*m_program->component);
  bool wasi_0_3 = imports_wasi_0_3(*m_program->component);
  for (const LinkedComponent& l : m_request.components) {
    wanted.merge(component::imported_interfaces(*l.component));
    wasi_0_3 = wasi_0_3 || imports_wasi_0_3(*l.component);
  }
  m_component_linker->only_interfaces(std::move(wanted));
  auto host = wasi::p2::Host::create(m_request.wasi, std::move(options));
  if (!host) {
    m_host_reusable = false;
    return usage(host.error().message);
  }
  m_p2 = std::move(*host);
  m_p2->define(*m_component_linker);
  if (wasi_0_3) wasi::p3::define(*m_component_linker, *m_p2);
  auto order = link_order(m_request.components);
  if (!order) return load_error(m_program->name, Error{ErrorKind::Unlinkable, kNoOffset, order.error()});
  m_link_order = std::move(*order);
  return std::nullopt;
}

void Run::return_host() {
  if (!m_host_reusable || !m_p2) return;
  // The instance ends before its host goes back: what it held is closed now, as it would
  // be without the pool (a server's connection hears of an unfinished body at once).
  m_deadline.reset();
  m_component.reset();
  m_program->hosts->give(PrelinkedHost{std::move(m_p2), std::move(m_component_linker)});
}

std::optional<Outcome> Run::instantiate_component() {
  // Linked components first, each then providing its interfaces to those after it.
  for (size_t i : m_link_order) {
    const LinkedComponent& l = m_request.components[i];
    auto linked = component::instantiate(*m_store, l.component, *m_component_linker,
                                        component::Validation::AlreadyValidated);
    if (!linked) {
      end();
      return with_stats(load_error(m_program->name + ": component " + l.name, linked.error()));
    }
    m_linked.push_back(std::move(*linked));
    define_exports(*m_component_linker, *m_linked.back());
  }
  auto inst = component::instantiate(*m_store, m_program->component, *m_component_linker,
                                     component::Validation::AlreadyValidated);
  m_instantiated = Clock::now();
  if (inst) {
    m_component = std::move(*inst);
    return std::nullopt;
  }
  end();
  return with_stats(load_error(m_program->name, inst.error()));
}

Outcome Run::call_component_run() {
  std::string name = run_export(*m_component);
  if (name.empty()) {
    return with_stats(load_error(m_program->name,
                                 Error{ErrorKind::Invalid, kNoOffset,
                                       "the component exports no wasi:cli/run 'run' function "
                                       "(call one of its exports with --invoke)"}));
  }
  auto results = m_component->call(name, {});
  end();
  if (!results) return ended_by(results.error());
  // run: func() -> result: err ends the program with status 1, as wasmtime does.
  if (results->size() == 1 && (*results)[0].disc != 0) {
    Outcome o;
    o.ending = Ending::Exited;
    o.exit_code = 1;
    return with_stats(std::move(o));
  }
  return with_stats(Outcome{});
}

std::expected<const component::ComponentFunc*, Outcome> Run::find_component_function(
    std::string_view name) const {
  if (!m_component) return std::unexpected(usage(fmt::format("{}: not a component", m_program->name)));
  if (const component::ComponentFunc* f = m_component->export_func(std::string(name))) return f;
  return std::unexpected(usage(fmt::format("{}: the component exports no function \"{}\"", m_program->name, name)));
}

Outcome Run::invoke_component(const component::ComponentFunc& f, std::span<const component::Val> args) {
  auto results = component::call_component_func(*m_store, f, args);
  end();
  if (!results) return ended_by(results.error());
  Outcome o;
  o.component_results = std::move(*results);
  return with_stats(std::move(o));
}

}  // namespace wsvm::runner
