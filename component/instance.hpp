// Instantiation of a component: its definitions in order, each core module compiled and run
// by the store's engine, core instances linked by name, canon lift/lower as trampolines
// through the canonical ABI, and host imports supplied by name (interface names matched by
// semver as wasmtime does). Calls from the host and between guests go through the same
// lifting and lowering.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "component/abi.hpp"
#include "component/ir.hpp"
#include "component/type_space.hpp"
#include "runtime/store.hpp"

namespace wsvm::component {

// A host function: typed values in, typed values out (the component's import type says how
// they are lifted and lowered).
using HostFn = std::function<AbiResult<std::vector<Val>>(std::span<const Val>)>;

struct ComponentFunc;
// A host function that may finish later (an `async func` waiting for a timer or an fd, or one
// that needs its import's types to make streams and futures): it gets the function (its
// `sig` is the import's type), the lifted arguments, and `resolve`, to call exactly once, now
// or later from the event loop (component/event_loop.hpp), with the results (none: the call
// was cancelled). It may set `*cancel` to how a subtask.cancel of the call stops it.
struct HostCall {
  const ComponentFunc& f;
  std::vector<Val> args;
  std::function<std::optional<Trap>(std::optional<std::vector<Val>>)> resolve;
  std::function<void()>* cancel;
};
using HostAsyncFn = std::function<std::optional<Trap>(HostCall)>;

// Host imports by name: top-level functions ("log") and functions of instances
// ("wasi:cli/environment@0.2.12" + "get-arguments").
// Core modules compiled once and reused by every instantiation of the same component (a
// server instantiates one component per request). Keyed by the component (nested ones too)
// and its core module index; the owner keeps the components alive and uses one engine.
class CoreModuleCache {
 public:
  std::shared_ptr<const CompiledModule> find(const Component* c, uint32_t index) const {
    std::lock_guard lock(m_mutex);
    auto it = m_modules.find({c, index});
    return it == m_modules.end() ? nullptr : it->second;
  }
  void add(const Component* c, uint32_t index, std::shared_ptr<const CompiledModule> m) {
    std::lock_guard lock(m_mutex);
    m_modules.emplace(std::pair{c, index}, std::move(m));
  }

 private:
  mutable std::mutex m_mutex;
  std::map<std::pair<const Component*, uint32_t>, std::shared_ptr<const CompiledModule>> m_modules;
};

class ComponentLinker {
 public:
  // Reuse compiled core modules across instantiations (null: compile each time).
  void set_core_module_cache(std::shared_ptr<CoreModuleCache> c) { m_cache = std::move(c); }
  CoreModuleCache* core_module_cache() const { return m_cache.get(); }
  void define_func(std::string name, HostFn fn) {
    changed();
    m_funcs[std::move(name)] = std::move(fn);
  }
  // With its type: checked against the import's when a component links to it (a mismatch is
  // Unlinkable, naming the import, the function, and both types).
  void define_func(std::string name, FuncSig type, HostFn fn) {
    changed();
    m_func_types[name] = std::move(type);
    define_func(std::move(name), std::move(fn));
  }
  // Keep only the instances of these interfaces (names without their version, as
  // imported_interfaces() gives them): the define_instance* calls for any other are dropped.
  // A host that defines every WASI interface for each instance of a component importing three
  // of them (a server: one instance per request) then builds and tears down only those three.
  void only_interfaces(std::set<std::string, std::less<>> names) {
    changed();
    m_only = std::move(names);
  }
  // Whether the instance `instance` (an interface name with a version, or a plain name) is kept.
  bool wants(std::string_view instance) const {
    return !m_only || m_only->contains(instance.substr(0, instance.find('@')));
  }
  // An instance with no functions yet (e.g. one that only exports resource types).
  void define_instance(const std::string& instance) {
    changed();
    if (wants(instance)) m_instances[instance];
  }
  void define_instance_func(const std::string& instance, std::string name, HostFn fn) {
    changed();
    if (wants(instance)) m_instances[instance][std::move(name)] = std::move(fn);
  }
  void define_instance_func(const std::string& instance, std::string name, FuncSig type, HostFn fn) {
    if (!wants(instance)) return;
    m_instance_func_types[instance][name] = std::move(type);
    define_instance_func(instance, std::move(name), std::move(fn));
  }
  void define_instance_async_func(const std::string& instance, std::string name, HostAsyncFn fn);
  const HostAsyncFn* async_func(const std::string& instance, const std::string& name) const;
  // The declared type of a host function (`instance` empty: a top-level one); null if none.
  const FuncSig* func_type(const std::string& instance, const std::string& name) const;
  // Called with the rep when a guest drops its last owning handle of the host resource
  // `resource` exported by `instance` (e.g. "wasi:io/streams@0.2.12", "output-stream").
  void define_resource_dtor(const std::string& instance, std::string resource,
                            std::function<void(uint32_t rep)> dtor) {
    changed();
    if (wants(instance)) m_dtors[instance][std::move(resource)] = std::move(dtor);
  }
  // Imports the host does not define become functions that trap when called (and instances
  // of such functions), as wasmtime's `define_unknown_imports_as_traps`: a test harness can
  // then instantiate, and so validate, a component whatever it imports.
  void trap_unknown_imports(bool on = true) {
    changed();
    m_trap_unknown = on;
  }
  bool traps_unknown_imports() const { return m_trap_unknown; }
  const HostFn* func(const std::string& name) const;
  const std::function<void(uint32_t)>* resource_dtor(const std::string& instance,
                                                     const std::string& resource) const;
  // The instance a component's import `name` links to: the same name, or for an interface
  // name with a version, a defined one with a semver-compatible version (the highest).
  // Null when none; else `found` (if given) is set to the name the host used.
  const std::map<std::string, HostFn>* instance(const std::string& name,
                                                std::string* found = nullptr) const;

  // What instantiation resolved for a component's import of a host instance (the instance
  // type's local types, the resource types it exports, its functions with their signatures),
  // kept for the next instantiation of the same component with this linker: a linker reused
  // across instances (the runner's host pool; one request after another) resolves each
  // import once. Every define* call drops them. Defined in instance.cpp.
  struct ResolvedImport;
  std::shared_ptr<const ResolvedImport> resolved_import(const Import* im) const;
  void keep_resolved_import(const Import* im, std::shared_ptr<const ResolvedImport> r) const;

 private:
  void changed() { m_resolved.clear(); }
  std::map<std::string, HostFn> m_funcs;
  std::map<std::string, std::map<std::string, HostFn>> m_instances;
  std::map<std::string, FuncSig> m_func_types;
  std::map<std::string, std::map<std::string, FuncSig>> m_instance_func_types;
  std::map<std::string, std::map<std::string, HostAsyncFn>> m_async_funcs;
  std::map<std::string, std::map<std::string, std::function<void(uint32_t)>>> m_dtors;
  bool m_trap_unknown = false;
  std::optional<std::set<std::string, std::less<>>> m_only;  // only_interfaces()
  // A cache: a copied or moved linker starts without one.
  struct ResolvedImports {
    ResolvedImports() = default;
    ResolvedImports(const ResolvedImports&) {}
    ResolvedImports& operator=(const ResolvedImports&) {
      clear();
      return *this;
    }
    void clear() {
      std::lock_guard lock(mutex);
      by_import.clear();
    }
    std::mutex mutex;
    std::map<const Import*, std::shared_ptr<const ResolvedImport>> by_import;
  };
  mutable ResolvedImports m_resolved;
  std::shared_ptr<CoreModuleCache> m_cache;
};

// A component-level function: lifted from a core function, or supplied by the host.
struct ComponentFunc {
  FuncSig sig;
  std::string name;  // for errors
  // Lifted:
  FuncInstance* core = nullptr;
  FuncInstance* post_return = nullptr;
  AbiOptions opts;
  InstanceState* inst = nullptr;
  bool async_lift = false;  // `canon lift ... async`: results via task.return
  FuncInstance* callback = nullptr;  // async lift with `(callback f)`
  // Host:
  HostFn host;
  HostAsyncFn host_async;  // set (with `host` as a placeholder) for a HostAsyncFn
};

class ComponentInstance {
 public:
  ~ComponentInstance();
  // Calls an exported function with typed arguments.
  AbiResult<std::vector<Val>> call(const std::string& export_name, std::span<const Val> args);
  const ComponentFunc* export_func(const std::string& name) const;
  std::vector<std::string> export_names() const;
  InstanceState& state() { return *m_states.front(); }

 private:
  friend class Instantiator;
  Store* m_store = nullptr;
  // Owned runtime objects the trampolines point to.
  std::vector<std::unique_ptr<InstanceState>> m_states;
  std::vector<std::unique_ptr<ResourceTypeInfo>> m_resources;
  std::vector<std::shared_ptr<ComponentFunc>> m_funcs;
  std::vector<std::unique_ptr<TypeSpace>> m_type_spaces;
  std::map<std::string, std::shared_ptr<ComponentFunc>> m_exports;
  // Instances of nested components (each with its own handle table).
  std::vector<std::unique_ptr<ComponentInstance>> m_children;
  // Host imports resolved by an earlier instantiation (ComponentLinker::ResolvedImport): their
  // types and resource types, which this instance uses, live as long as it does.
  std::vector<std::shared_ptr<const ComponentLinker::ResolvedImport>> m_resolved_imports;
};

// Calls a component function with typed values (lowering into a lifted function's memory,
// running it in its engine, lifting its results, running post-return). `caller` is the
// calling component instance (null for the host): an instance may not be entered again while
// a call into it is in flight ("cannot enter component instance").
AbiResult<std::vector<Val>> call_component_func(Store& store, const ComponentFunc& f,
                                                std::span<const Val> args,
                                                InstanceState* caller = nullptr);

// Runs core function `f` with its arguments in `slots` (results replace them).
std::optional<Trap> call_core_func(Store& store, FuncInstance* f, std::vector<uint64_t>& slots);

// The interfaces a component imports as instances, without their versions
// ("wasi:io/streams"): what ComponentLinker::only_interfaces() needs to link it.
std::set<std::string, std::less<>> imported_interfaces(const Component& c);

// Whether instantiate() validates the component first. A caller that instantiates one
// component many times (a server: one instance per request) validates it once when it loads
// it and says so, instead of paying validation per instance.
enum class Validation { Check, AlreadyValidated };

// Instantiates `c` in `store` (each core module compiled by the store's engine). Errors are
// Unlinkable (a missing import: which one) or Invalid/Malformed (a bad definition), or
// Uninstantiable (a trap while instantiating a core module).
Result<std::unique_ptr<ComponentInstance>> instantiate(Store& store,
                                                        std::shared_ptr<const Component> c,
                                                        const ComponentLinker& linker,
                                                        Validation validation = Validation::Check);

}  // namespace wsvm::component
