// Instantiation of a component's definitions, and calls through lifted functions
// (see instance.hpp). Constructs this first version does not run yet (nested component
// instantiation, start, values, async built-ins, core module/instance aliases) are refused
// with an error naming them, so index spaces never drift.
#include "component/instance.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "component/async.hpp"
#include "component/async_builtins.hpp"
#include "component/canon_validate.hpp"
#include "component/extern_name.hpp"
#include "component/subtype.hpp"
#include "component/validate.hpp"
#include "runtime/engine.hpp"
#include "runtime/linker.hpp"

namespace wsvm::component {

namespace {

std::unexpected<Error> unsupported(size_t at, std::string what) {
  return make_error(ErrorKind::Unlinkable, at, what + " is not supported yet");
}
std::unexpected<Error> invalid(size_t at, std::string msg) {
  return make_error(ErrorKind::Invalid, at, std::move(msg));
}

ValType core_type(FlatType t) {
  switch (t) {
    case FlatType::I32: return ValType::I32;
    case FlatType::I64: return ValType::I64;
    case FlatType::F32: return ValType::F32;
    case FlatType::F64: return ValType::F64;
  }
  return ValType::I32;
}

wsvm::FuncType core_signature(const FlatSignature& s) {
  wsvm::FuncType t;
  for (FlatType f : s.params) t.params.push_back(core_type(f));
  for (FlatType f : s.results) t.results.push_back(core_type(f));
  return t;
}

// A host function standing for an import nobody defined (ComponentLinker::trap_unknown_imports).
HostFn unknown_import(std::string name) {
  return [name](std::span<const Val>) -> AbiResult<std::vector<Val>> {
    return std::unexpected(abi_trap(fmt::format("unknown import '{}' has not been defined", name)));
  };
}

std::optional<Trap> call_core(Store& store, FuncInstance* f, std::vector<uint64_t>& slots) {
  slots.resize(std::max<size_t>({slots.size(), f->param_slots, f->result_slots}));
  return store.call_slots(f, slots.data(), nullptr);
}

}  // namespace

std::optional<Trap> call_core_func(Store& store, FuncInstance* f, std::vector<uint64_t>& slots) {
  return call_core(store, f, slots);
}

// ---- host linker ----------------------------------------------------------------------------

const HostFn* ComponentLinker::func(const std::string& name) const {
  auto it = m_funcs.find(name);
  return it == m_funcs.end() ? nullptr : &it->second;
}

void ComponentLinker::define_instance_async_func(const std::string& instance, std::string name, HostAsyncFn fn) {
  // The name links like any host function; calls go to the async form (start_call).
  define_instance_func(instance, name, unknown_import(instance + "#" + name));
  m_async_funcs[instance][std::move(name)] = std::move(fn);
}

const HostAsyncFn* ComponentLinker::async_func(const std::string& instance, const std::string& name) const {
  auto it = m_async_funcs.find(instance);
  if (it == m_async_funcs.end()) return nullptr;
  auto f = it->second.find(name);
  return f == it->second.end() ? nullptr : &f->second;
}

const FuncSig* ComponentLinker::func_type(const std::string& instance, const std::string& name) const {
  if (instance.empty()) {
    auto it = m_func_types.find(name);
    return it == m_func_types.end() ? nullptr : &it->second;
  }
  auto it = m_instance_func_types.find(instance);
  if (it == m_instance_func_types.end()) return nullptr;
  auto f = it->second.find(name);
  return f == it->second.end() ? nullptr : &f->second;
}

const std::function<void(uint32_t)>* ComponentLinker::resource_dtor(const std::string& instance,
                                                                    const std::string& resource) const {
  auto it = m_dtors.find(instance);
  if (it == m_dtors.end()) return nullptr;
  auto r = it->second.find(resource);
  return r == it->second.end() ? nullptr : &r->second;
}

const std::map<std::string, HostFn>* ComponentLinker::instance(const std::string& name,
                                                               std::string* found) const {
  if (auto it = m_instances.find(name); it != m_instances.end()) {
    if (found) *found = name;
    return &it->second;
  }
  const std::map<std::string, HostFn>* best = nullptr;
  std::optional<Semver> best_v;
  for (const auto& [have_name, funcs] : m_instances) {
    auto v = satisfying_version(have_name, name);
    if (!v) continue;
    auto key = [](const Semver& s) { return std::tuple(s.major, s.minor, s.patch); };
    if (!best_v || key(*v) > key(*best_v)) {
      best = &funcs, best_v = v;
      if (found) *found = have_name;
    }
  }
  return best;
}

// ---- calls ----------------------------------------------------------------------------------

AbiResult<std::vector<Val>> call_component_func(Store& store, const ComponentFunc& f,
                                                std::span<const Val> args, InstanceState* caller) {
  if (f.host && !f.host_async) return f.host(args);
  Task* caller_task = caller ? caller->current_task : nullptr;
  // A synchronous call of an async function may block: not from a synchronous task.
  if (caller && f.sig.async && (!caller_task || !caller_task->may_block()))
    return std::unexpected(abi_trap("cannot block a synchronous task before returning"));
  // Shared with the task: it may resolve after a trap has unwound this frame.
  auto result = std::make_shared<std::optional<std::vector<Val>>>();
  std::vector<Val> argv(args.begin(), args.end());
  auto task = WSVM_TRY(start_call(store, f, caller, [argv] { return AbiResult<std::vector<Val>>(argv); },
      [result](std::optional<std::vector<Val>> r) -> std::optional<Trap> {
        if (!r) return abi_trap("a synchronous call was cancelled");
        *result = std::move(*r);
        return std::nullopt;
      }));
  auto resolved = [task] { return task->state == Task::State::Resolved; };
  if (!resolved()) {
    if (caller) WSVM_TRY(block_until(caller_task, resolved));
    else WSVM_TRY_VOID(run_until(resolved, &store));
  }
  if (!*result) return std::unexpected(abi_trap("the call ended without a result"));
  return std::move(**result);
}

ComponentInstance::~ComponentInstance() {
  std::vector<InstanceState*> states;
  for (auto& s : m_states) states.push_back(s.get());
  forget_waiters(states);
}

AbiResult<std::vector<Val>> ComponentInstance::call(const std::string& name,
                                                    std::span<const Val> args) {
  auto it = m_exports.find(name);
  if (it == m_exports.end())
    return std::unexpected(abi_trap(fmt::format("no exported function '{}'", name)));
  if (args.size() != it->second->sig.params.size())
    return std::unexpected(abi_trap(fmt::format("'{}' takes {} arguments, {} given", name,
                                                it->second->sig.params.size(), args.size())));
  return call_component_func(*m_store, *it->second, args);
}

const ComponentFunc* ComponentInstance::export_func(const std::string& name) const {
  auto it = m_exports.find(name);
  return it == m_exports.end() ? nullptr : it->second.get();
}

std::vector<std::string> ComponentInstance::export_names() const {
  std::vector<std::string> out;
  for (const auto& [n, f] : m_exports) out.push_back(n);
  return out;
}

// ---- instantiation --------------------------------------------------------------------------

// The outer-aliasable index spaces of a component scope, captured when a nested component is
// defined there: its outer aliases see the scope that defined it, wherever (and however often)
// it is instantiated later (a component exported by an instance keeps its parent's arguments).
struct ScopeEnv;
struct CompVal {
  const Component* c = nullptr;
  std::shared_ptr<const ScopeEnv> env;  // the defining scope
};
struct ScopeEnv {
  const TypeSpace* types = nullptr;
  std::vector<std::shared_ptr<const CompiledModule>> modules;
  std::vector<CompVal> components;
  std::vector<const CoreType*> core_types;
  std::shared_ptr<const ScopeEnv> parent;
};

namespace {

// A host function's declared type (if it has one) against the import's: Unlinkable, naming
// the import (and the instance's function), the expected and the found type, and why.
Result<void> check_host_type(const FuncSig& import, const FuncSig* host, const std::string& name,
                             const std::string& func, size_t at) {
  if (!host) return {};
  auto why = host_func_mismatch(import, *host);
  if (!why) return {};
  std::string what = func.empty() ? fmt::format("component import '{}'", name)
                                   : fmt::format("component import '{}': function '{}'", name, func);
  return make_error(ErrorKind::Unlinkable, at, fmt::format("{} has the wrong type: expected {}, the host's is {} ({})",
                                                           what, func_sig_string(import), func_sig_string(*host), *why));
}

}  // namespace

class Instantiator {
 public:
  // A component instance: a host instance (its functions and its type's local space), a
  // bag of inline exports, or the exports of an instantiated nested component.
  struct Inst {
    std::string name;
    const std::map<std::string, HostFn>* host = nullptr;
    const TypeSpace* space = nullptr;
    std::map<std::string, const TypeDecl*> decls;  // the instance type's exports
    std::map<std::string, std::shared_ptr<ComponentFunc>> funcs;
    std::map<std::string, TypeEntry> types;
    std::map<std::string, std::shared_ptr<Inst>> instances;  // exported instances
    std::map<std::string, std::shared_ptr<const CompiledModule>> modules;  // exported core modules
    std::map<std::string, CompVal> components;                            // exported components
  };
  // An instantiation argument given to a nested component (`with "name" (sort idx)`).
  struct Arg {
    Sort sort = Sort::Func;
    std::shared_ptr<ComponentFunc> func;
    Inst inst;
    TypeEntry type;
    std::shared_ptr<const CompiledModule> module;
    CompVal component;
  };

  // `parent`: the instantiating component's instance (for the instance tree); `env`: the
  // scope that defined `c` (for outer aliases).
  Instantiator(Store& store, const Component& c, const ComponentLinker& linker,
               ComponentInstance& out, Instantiator* parent = nullptr,
               const std::map<std::string, Arg>* args = nullptr,
               std::shared_ptr<const ScopeEnv> env = nullptr)
      : m_store(store), m_c(c), m_linker(linker), m_out(out), m_env(std::move(env)), m_args(args) {
    init(parent);
  }
  // The top-level component (whose host imports the linker may keep resolved).
  Instantiator(Store& store, std::shared_ptr<const Component> c, const ComponentLinker& linker,
               ComponentInstance& out)
      : m_store(store), m_c(*c), m_linker(linker), m_out(out), m_owner(std::move(c)) {
    init(nullptr);
  }

  void init(Instantiator* parent) {
    m_out.m_store = &m_store;
    m_out.m_states.push_back(std::make_unique<InstanceState>());
    m_state = m_out.m_states.back().get();
    if (parent) m_state->parent = parent->m_state;
    m_out.m_type_spaces.push_back(std::make_unique<TypeSpace>(m_env ? m_env->types : nullptr));
    m_types = m_out.m_type_spaces.back().get();
  }

  Result<void> run() {
    for (const Definition& d : m_c.defs) WSVM_TRY_VOID(definition(d));
    return {};
  }

 private:
  struct CoreInst {
    std::unordered_map<std::string, Extern> exports;
  };
  Result<void> nested_instance(const Instance& in);
  Result<const Arg*> arg(const std::string& name, Sort sort, size_t at);
  // This scope's outer-aliasable spaces as they are now.
  std::shared_ptr<const ScopeEnv> snapshot() const {
    auto e = std::make_shared<ScopeEnv>();
    e->types = m_types;
    e->modules = m_modules;
    e->components = m_components;
    e->core_types = m_core_types;
    e->parent = m_env;
    return e;
  }
  // The scope `count` levels out (0: this one, as a snapshot); null past the outermost.
  std::shared_ptr<const ScopeEnv> outer(uint32_t count) const {
    if (count == 0) return snapshot();
    std::shared_ptr<const ScopeEnv> e = m_env;
    for (uint32_t i = 1; i < count && e; ++i) e = e->parent;
    return e;
  }

  Result<void> definition(const Definition& d);
  Result<void> core_instance(const CoreInstance& ci);
  Result<void> alias(const Alias& a);
  Result<void> type(const TypeDef& t, uint32_t index);
  Result<void> canon(const Canon& k);
  Result<void> async_builtin(const Canon& k);
  Result<void> import(const Import& im);
  Result<void> exported(const Export& ex);
  Result<std::optional<std::string>> instance_mismatch(const Inst& want, const Inst& found, size_t at);
  // `host_name`: the name the host defined the instance under (for resource destructors).
  // `given`: an instantiation argument whose exported types stand for the type's
  // `(sub resource)` exports (instead of fresh resource types).
  Result<Inst> instance_type(const std::string& name, const std::string& host_name,
                             uint32_t type_index, size_t at, const Inst* given = nullptr);
  Result<AbiOptions> options(const CanonOptions& o, size_t at, FuncInstance** post_return);
  Result<std::shared_ptr<ComponentFunc>> func_at(uint32_t i, size_t at) {
    if (i >= m_funcs.size()) return invalid(at, fmt::format("func index {} out of bounds", i));
    return m_funcs[i];
  }
  Result<Extern> core_at(std::vector<Extern>& space, uint32_t i, const char* what, size_t at) {
    if (i >= space.size()) return invalid(at, fmt::format("core {} index {} out of bounds", what, i));
    return space[i];
  }
  std::vector<Extern>* core_space(Sort s) {
    switch (s) {
      case Sort::CoreFunc: return &m_core_funcs;
      case Sort::CoreTable: return &m_core_tables;
      case Sort::CoreMemory: return &m_core_memories;
      case Sort::CoreGlobal: return &m_core_globals;
      default: return nullptr;
    }
  }
  FuncInstance* resource_builtin(CanonKind kind, const ResourceTypeInfo* rt);

  Store& m_store;
  const Component& m_c;
  const ComponentLinker& m_linker;
  ComponentInstance& m_out;
  InstanceState* m_state;
  TypeSpace* m_types;
  std::vector<std::shared_ptr<const CompiledModule>> m_modules;
  std::vector<const CoreType*> m_core_types;  // null: an alias we do not follow
  std::vector<CoreInst> m_core_instances;
  std::vector<Extern> m_core_funcs, m_core_tables, m_core_memories, m_core_globals;
  std::vector<std::shared_ptr<ComponentFunc>>& m_funcs = m_out.m_funcs;
  std::vector<Inst> m_instances;
  std::vector<CompVal> m_components;
  std::shared_ptr<const ScopeEnv> m_env;  // the defining scope's (outer aliases)
  const std::map<std::string, Arg>* m_args = nullptr;
  std::shared_ptr<const Component> m_owner;  // the top-level component (null when nested)
  std::map<std::string, TypeEntry> m_export_types;  // for a parent aliasing our exports
  std::map<std::string, std::shared_ptr<Inst>> m_export_insts;
  std::map<std::string, std::shared_ptr<const CompiledModule>> m_export_modules;
  std::map<std::string, CompVal> m_export_components;
};

struct ComponentLinker::ResolvedImport {
  std::shared_ptr<const Component> component;  // keeps the Import the cache is keyed by alive
  std::vector<std::unique_ptr<TypeSpace>> spaces;
  std::vector<std::unique_ptr<ResourceTypeInfo>> resources;
  Instantiator::Inst inst;
};

namespace {

// Resolves every value type the entries of an import name, while the type spaces they point
// into (this instantiation's) are alive: a later instantiation reading the cached import sees
// only the memoised VTypes, never those spaces. False when one does not resolve (it is then
// not cached, so the error stays with the instantiation that uses it).
bool resolve_value_types(const ComponentLinker::ResolvedImport& r) {
  auto resolve = [](const TypeEntry& e) {
    return !e.def || e.def->kind != TypeDefKind::Value || (e.scope && e.scope->value_of(e, kNoOffset).has_value());
  };
  for (const auto& space : r.spaces)
    for (uint32_t i = 0; i < space->size(); ++i)
      if (!resolve(**space->at(i, kNoOffset))) return false;
  for (const auto& [name, e] : r.inst.types)
    if (!resolve(e)) return false;
  return true;
}

}  // namespace

std::shared_ptr<const ComponentLinker::ResolvedImport> ComponentLinker::resolved_import(const Import* im) const {
  std::lock_guard lock(m_resolved.mutex);
  auto it = m_resolved.by_import.find(im);
  return it == m_resolved.by_import.end() ? nullptr : it->second;
}

void ComponentLinker::keep_resolved_import(const Import* im, std::shared_ptr<const ResolvedImport> r) const {
  if (!r->component) return;  // a nested component's: its imports are arguments, not the host's
  std::lock_guard lock(m_resolved.mutex);
  m_resolved.by_import.emplace(im, std::move(r));
}

Result<void> Instantiator::definition(const Definition& d) {
  switch (d.kind) {
    case DefKind::CoreModule: {
      ByteRange r = m_c.core_modules[d.index];
      CoreModuleCache* cache = m_linker.core_module_cache();
      Result<std::shared_ptr<const CompiledModule>> compiled = cache ? cache->find(&m_c, d.index) : nullptr;
      if (!*compiled) {
        compiled = compile_module(m_store.engine(), m_c.range_bytes(r));
        if (compiled && cache) cache->add(&m_c, d.index, *compiled);
      }
      if (!compiled) {
        Error e = compiled.error();
        if (e.offset != kNoOffset) e.offset += r.offset;
        e.message = fmt::format("core module {}: {}", d.index, e.message);
        return std::unexpected(std::move(e));
      }
      // Two-level import names mangle to one in a component: a repeated pair is invalid.
      std::set<std::pair<std::string, std::string>> seen;
      for (const wsvm::Import& im : (*compiled)->module->imports)
        if (!seen.emplace(im.module, im.name).second)
          return invalid(r.offset, fmt::format("core module {}: duplicate import name `{}:{}`", d.index,
                                               im.module, im.name));
      m_modules.push_back(*compiled);
      return {};
    }
    case DefKind::CoreInstance: return core_instance(m_c.core_instances[d.index]);
    case DefKind::CoreType:  // kept for matching core module arguments against module types
      m_core_types.push_back(&m_c.core_types[d.index]);
      return {};
    case DefKind::Component:  // instantiated when an instance names it
      m_components.push_back(CompVal{m_c.components[d.index].get(), snapshot()});
      return {};
    case DefKind::Instance: {
      const Instance& in = m_c.instances[d.index];
      if (in.instantiate) return nested_instance(in);
      Inst bag;
      for (const InlineExport& e : in.exports) {
        uint32_t i = e.target.index;
        const std::string& n = e.name.name;
        switch (e.target.sort) {
          case Sort::Func: bag.funcs[n] = WSVM_TRY(func_at(i, in.offset)); break;
          case Sort::Type: bag.types[n] = *WSVM_TRY(m_types->at(i, in.offset)); break;
          case Sort::Instance:
            if (i >= m_instances.size()) return invalid(in.offset, fmt::format("instance index {} out of bounds", i));
            bag.instances[n] = std::make_shared<Inst>(m_instances[i]);
            break;
          case Sort::CoreModule:
            if (i >= m_modules.size()) return invalid(in.offset, fmt::format("core module index {} out of bounds", i));
            bag.modules[n] = m_modules[i];
            break;
          case Sort::Component:
            if (i >= m_components.size()) return invalid(in.offset, fmt::format("component index {} out of bounds", i));
            bag.components[n] = m_components[i];
            break;
          default:
            return unsupported(in.offset, fmt::format("an inline {} export", sort_name(e.target.sort)));
        }
      }
      m_instances.push_back(std::move(bag));
      return {};
    }
    case DefKind::Alias: return alias(m_c.aliases[d.index]);
    case DefKind::Type: return type(m_c.types[d.index], d.index);
    case DefKind::Canon: return canon(m_c.canons[d.index]);
    case DefKind::Start: return unsupported(m_c.starts[d.index].offset, "a component start function");
    case DefKind::Import: return import(m_c.imports[d.index]);
    case DefKind::Export: return exported(m_c.exports[d.index]);
    case DefKind::Value: return unsupported(m_c.values[d.index].offset, "a value definition");
  }
  return {};
}

Result<void> Instantiator::core_instance(const CoreInstance& ci) {
  CoreInst out;
  if (!ci.instantiate) {
    for (const CoreInlineExport& e : ci.exports) {
      std::vector<Extern>* space = core_space(e.sort);
      if (!space) return unsupported(ci.offset, fmt::format("a {} in a core instance", sort_name(e.sort)));
      out.exports[e.name] = WSVM_TRY(core_at(*space, e.index, sort_name(e.sort), ci.offset));
    }
    m_core_instances.push_back(std::move(out));
    return {};
  }
  if (ci.module >= m_modules.size())
    return invalid(ci.offset, fmt::format("core module index {} out of bounds", ci.module));
  Linker lk;
  for (const CoreInstantiateArg& a : ci.args) {
    if (a.instance >= m_core_instances.size())
      return invalid(ci.offset, fmt::format("core instance index {} out of bounds", a.instance));
    for (const auto& [name, ext] : m_core_instances[a.instance].exports) lk.define(a.name, name, ext);
  }
  auto linked = lk.instantiate(m_store, m_modules[ci.module]);
  if (!linked) {
    // Inside a component the arguments of a core instantiation are known statically: a
    // missing or mistyped one makes the component invalid (wasm-tools reports it so).
    Error e = linked.error();
    if (e.kind == ErrorKind::Unlinkable) e.kind = ErrorKind::Invalid;
    if (e.offset == kNoOffset) e.offset = ci.offset;
    return std::unexpected(std::move(e));
  }
  wsvm::Instance* inst = *linked;
  out.exports = inst->exports;
  m_core_instances.push_back(std::move(out));
  return {};
}

Result<void> Instantiator::alias(const Alias& a) {
  switch (a.target) {
    case Alias::Target::CoreExport: {
      if (a.instance >= m_core_instances.size())
        return invalid(a.offset, fmt::format("core instance index {} out of bounds", a.instance));
      std::vector<Extern>* space = core_space(a.sort);
      if (!space) return unsupported(a.offset, fmt::format("an alias of a {}", sort_name(a.sort)));
      auto& exports = m_core_instances[a.instance].exports;
      auto it = exports.find(a.name);
      if (it == exports.end())
        return invalid(a.offset, fmt::format("core instance {} has no export '{}'", a.instance, a.name));
      space->push_back(it->second);
      return {};
    }
    case Alias::Target::Export: {
      if (a.instance >= m_instances.size())
        return invalid(a.offset, fmt::format("instance index {} out of bounds", a.instance));
      Inst& in = m_instances[a.instance];
      // Each sort: the instance's export of that name, appended to the sort's index space.
      auto take = [&](const auto& exports, const char* what, auto&& push) -> Result<void> {
        auto it = exports.find(a.name);
        if (it == exports.end())
          return invalid(a.offset, fmt::format("instance {} has no {} '{}'", a.instance, what, a.name));
        push(it->second);
        return {};
      };
      if (a.sort == Sort::Func)
        return take(in.funcs, "function", [&](const auto& f) { m_funcs.push_back(f); });
      if (a.sort == Sort::Type)
        return take(in.types, "type", [&](const auto& t) { m_types->push(t); });
      if (a.sort == Sort::Instance)
        return take(in.instances, "instance", [&](const auto& i) { m_instances.push_back(Inst(*i)); });
      if (a.sort == Sort::CoreModule)
        return take(in.modules, "core module", [&](const auto& m) { m_modules.push_back(m); });
      if (a.sort == Sort::Component)
        return take(in.components, "component", [&](const auto& c) { m_components.push_back(c); });
      return unsupported(a.offset, fmt::format("an alias of an instance's {}", sort_name(a.sort)));
    }
    case Alias::Target::Outer: {
      std::shared_ptr<const ScopeEnv> target = outer(a.outer_count);
      if (!target) return invalid(a.offset, fmt::format("outer alias count {} out of bounds", a.outer_count));
      switch (a.sort) {
        case Sort::Type: m_types->push(*WSVM_TRY(target->types->at(a.outer_index, a.offset))); return {};
        case Sort::CoreModule:
          if (a.outer_index >= target->modules.size())
            return invalid(a.offset, fmt::format("core module index {} out of bounds", a.outer_index));
          m_modules.push_back(target->modules[a.outer_index]);
          return {};
        case Sort::CoreType:
          if (a.outer_index >= target->core_types.size())
            return invalid(a.offset, fmt::format("core type index {} out of bounds", a.outer_index));
          m_core_types.push_back(target->core_types[a.outer_index]);
          return {};
        case Sort::Component:
          if (a.outer_index >= target->components.size())
            return invalid(a.offset, fmt::format("component index {} out of bounds", a.outer_index));
          m_components.push_back(target->components[a.outer_index]);
          return {};
        default:
          return invalid(a.offset, fmt::format("outer alias of a {} (only types, core modules and "
                                               "components)", sort_name(a.sort)));
      }
    }
  }
  return {};
}

Result<void> Instantiator::type(const TypeDef& t, uint32_t index) {
  TypeEntry e{&t, m_types, nullptr, {}};
  if (t.kind == TypeDefKind::Resource) {
    if (t.resource.rep != ValType::I32)
      return invalid(t.offset, "resource representation must be i32");
    auto rt = std::make_unique<ResourceTypeInfo>();
    rt->name = fmt::format("resource type {}", index);
    rt->impl = m_state;
    if (t.resource.dtor) {
      Extern d = WSVM_TRY(core_at(m_core_funcs, *t.resource.dtor, "func", t.offset));
      Store* store = &m_store;
      FuncInstance* f = d.func;
      if (f->type->params != std::vector<ValType>{ValType::I32} || !f->type->results.empty())
        return invalid(t.offset, fmt::format("resource destructor has type {}, expected [i32] -> []",
                                             f->type->to_string()));
      rt->dtor = [store, f](uint32_t rep) -> std::optional<Trap> {
        std::vector<uint64_t> slots{rep};
        return call_core(*store, f, slots);
      };
    }
    e.resource = rt.get();
    m_out.m_resources.push_back(std::move(rt));
  }
  m_types->push(e);
  return {};
}

Result<AbiOptions> Instantiator::options(const CanonOptions& o, size_t at, FuncInstance** post_return) {
  AbiOptions out;
  out.encoding = o.encoding;
  if (o.memory) {
    Extern m = WSVM_TRY(core_at(m_core_memories, *o.memory, "memory", at));
    MemoryInstance* mi = m.memory;
    out.memory = [mi] { return std::span<uint8_t>(mi->mem->base(), mi->mem->size_bytes()); };
  }
  if (o.realloc) {
    FuncInstance* f = WSVM_TRY(core_at(m_core_funcs, *o.realloc, "func", at)).func;
    if (f->type->params != std::vector<ValType>(4, ValType::I32) ||
        f->type->results != std::vector<ValType>{ValType::I32})
      return invalid(at, "canonical option 'realloc' must have type [i32 i32 i32 i32] -> [i32]");
    Store* store = &m_store;
    out.realloc = [store, f](uint32_t old, uint32_t old_size, uint32_t align,
                             uint32_t new_size) -> AbiResult<uint32_t> {
      std::vector<uint64_t> slots{old, old_size, align, new_size};
      if (auto t = call_core(*store, f, slots)) return std::unexpected(*t);
      return uint32_t(slots[0]);
    };
  }
  if (o.post_return) {
    if (!post_return) return invalid(at, "canonical option 'post-return' is only allowed on lift");
    *post_return = WSVM_TRY(core_at(m_core_funcs, *o.post_return, "func", at)).func;
  }
  return out;
}

FuncInstance* Instantiator::resource_builtin(CanonKind kind, const ResourceTypeInfo* rt) {
  wsvm::FuncType ft;
  ft.params = {ValType::I32};
  if (kind != CanonKind::ResourceDrop) ft.results = {ValType::I32};
  InstanceState* inst = m_state;
  return m_store.create_host_func(ft, [kind, rt, inst](HostContext&, uint64_t* slots) -> std::optional<Trap> {
    uint32_t arg = uint32_t(slots[0]);
    if (kind == CanonKind::ResourceDrop) return resource_drop(*inst, *rt, arg);
    auto r = kind == CanonKind::ResourceNew ? resource_new(*inst, *rt, arg) : resource_rep(*inst, *rt, arg);
    if (!r) return r.error();
    slots[0] = *r;
    return std::nullopt;
  });
}

Result<void> Instantiator::canon(const Canon& k) {
  switch (k.kind) {
    case CanonKind::Lift: {
      auto f = std::make_shared<ComponentFunc>();
      f->sig = WSVM_TRY(m_types->func(k.type, k.offset));
      FuncSig checked = f->sig;
      if (k.opts.async) checked.results.clear();  // an async lift's results come through task.return
      if (auto why = check_canon_options(checked, k.opts, true)) return invalid(k.offset, *why);
      f->core = WSVM_TRY(core_at(m_core_funcs, k.func, "func", k.offset)).func;
      f->opts = WSVM_TRY(options(k.opts, k.offset, &f->post_return));
      f->inst = m_state;
      f->name = fmt::format("lifted func {}", m_funcs.size());
      wsvm::FuncType want = core_signature(flatten_functype(f->sig.params, f->sig.results, FlattenContext::Lift));
      if (k.opts.async) {
        if (!f->sig.async)
          return invalid(k.offset, "the `async` canonical option requires an async function type");
        if (k.opts.post_return) return invalid(k.offset, "canonical option `post-return` cannot be used with `async`");
        f->async_lift = true;
        want.results.clear();  // the results come through task.return
        if (want.params.size() > kMaxFlatParams) want.params = {ValType::I32};
        if (k.opts.callback) {
          want.results = {ValType::I32};
          f->callback = WSVM_TRY(core_at(m_core_funcs, *k.opts.callback, "func", k.offset)).func;
          if (*f->callback->type != wsvm::FuncType{{ValType::I32, ValType::I32, ValType::I32}, {ValType::I32}})
            return invalid(k.offset, fmt::format("canon lift: callback function has type {}, expected "
                                                 "[i32 i32 i32] -> [i32]", f->callback->type->to_string()));
        }
      } else if (k.opts.callback) {
        return invalid(k.offset, "canonical option `callback` requires `async`");
      }
      if (*f->core->type != want)
        return invalid(k.offset, fmt::format("canon lift: core function has type {}, the component "
                                             "function needs {}", f->core->type->to_string(), want.to_string()));
      if (f->post_return && (f->post_return->type->params != want.results ||
                             !f->post_return->type->results.empty()))
        return invalid(k.offset, fmt::format("canon lift: post-return function has type {}, expected "
                                             "{} -> []", f->post_return->type->to_string(),
                                             wsvm::FuncType{want.results, {}}.to_string()));
      m_funcs.push_back(std::move(f));
      return {};
    }
    case CanonKind::Lower: {
      std::shared_ptr<ComponentFunc> callee = WSVM_TRY(func_at(k.func, k.offset));
      if (auto why = check_canon_options(callee->sig, k.opts, false)) return invalid(k.offset, *why);
      AbiOptions opts = WSVM_TRY(options(k.opts, k.offset, nullptr));
      if (k.opts.async) {
        if (!callee->sig.async)
          return invalid(k.offset, "the `async` canonical option requires an async function type");
        m_core_funcs.push_back(Extern{.kind = wsvm::ExternKind::Func,
                                      .func = make_async_lower(m_store, m_state, callee, opts)});
        return {};
      }
      FlatSignature flat = flatten_functype(callee->sig.params, callee->sig.results, FlattenContext::Lower);
      InstanceState* caller = m_state;
      Store* store = &m_store;
      size_t nparams = flat.params.size();
      FuncInstance* f = m_store.create_host_func(core_signature(flat),
          [callee, opts, caller, store, nparams](HostContext&, uint64_t* slots) -> std::optional<Trap> {
            if (!caller->may_leave) return abi_trap("cannot leave component instance");
            CallScope subtask;
            LiftLowerContext cx(opts, caller, &subtask);
            cx.set_guest_to_guest(!callee->host);
            FlatReader r(std::span<const FlatVal>(slots, nparams));
            auto args = cx.lift_flat_values(kMaxFlatParams, r, callee->sig.params);
            if (!args) return args.error();
            auto results = call_component_func(*store, *callee, *args, caller);
            subtask.release_lenders();
            if (!results) return results.error();
            auto flat_results = cx.lower_flat_values(kMaxFlatResults, *results, callee->sig.results, &r);
            if (!flat_results) return flat_results.error();
            for (size_t i = 0; i < flat_results->size(); ++i) slots[i] = (*flat_results)[i];
            return std::nullopt;
          });
      m_core_funcs.push_back(Extern{.kind = wsvm::ExternKind::Func, .func = f});
      return {};
    }
    case CanonKind::ResourceNew: case CanonKind::ResourceDrop: case CanonKind::ResourceRep: {
      const TypeEntry* e = WSVM_TRY(m_types->at(k.type, k.offset));
      if (!e->resource) return invalid(k.offset, fmt::format("canon {}: type {} is not a resource",
                                                             canon_kind_name(k.kind), k.type));
      if (k.kind != CanonKind::ResourceDrop && e->resource->impl != m_state)
        return invalid(k.offset, fmt::format("canon {}: resource type {} is not defined by this "
                                             "component", canon_kind_name(k.kind), k.type));
      m_core_funcs.push_back(Extern{.kind = wsvm::ExternKind::Func, .func = resource_builtin(k.kind, e->resource)});
      return {};
    }
    default:
      return async_builtin(k);
  }
}

// The async built-ins: resolve what the canon definition names (types, memory, options) and
// let async_builtins.cpp make the core function.
Result<void> Instantiator::async_builtin(const Canon& k) {
  using K = CanonKind;
  AsyncBuiltinEnv env;
  switch (k.kind) {
    case K::StreamNew: case K::StreamRead: case K::StreamWrite: case K::StreamCancelRead:
    case K::StreamCancelWrite: case K::StreamDropReadable: case K::StreamDropWritable:
    case K::FutureNew: case K::FutureRead: case K::FutureWrite: case K::FutureCancelRead:
    case K::FutureCancelWrite: case K::FutureDropReadable: case K::FutureDropWritable: {
      const TypeEntry* e = WSVM_TRY(m_types->at(k.type, k.offset));
      VTypeP t = WSVM_TRY(m_types->value_of(*e, k.offset));
      bool stream = k.kind <= K::StreamDropWritable;
      if (t->kind != (stream ? VKind::Stream : VKind::Future))
        return invalid(k.offset, fmt::format("canon {}: type {} is not a {} type", canon_kind_name(k.kind),
                                             k.type, stream ? "stream" : "future"));
      env.payload = t->elems[0];
      env.type_key = env.payload ? env.payload->to_string() : "";
      break;
    }
    case K::TaskReturn:
      if (k.result) env.results.push_back(WSVM_TRY(m_types->valtype(*k.result, k.offset)));
      break;
    case K::ThreadNewIndirect:
      env.table = WSVM_TRY(core_at(m_core_tables, k.table, "table", k.offset)).table;
      break;
    case K::WaitableSetWait: case K::WaitableSetPoll: {
      MemoryInstance* mi = WSVM_TRY(core_at(m_core_memories, k.memory, "memory", k.offset)).memory;
      env.memory = [mi] { return std::span<uint8_t>(mi->mem->base(), mi->mem->size_bytes()); };
      break;
    }
    default: break;
  }
  env.opts = WSVM_TRY(options(k.opts, k.offset, nullptr));
  FuncInstance* f = WSVM_TRY(make_async_builtin(m_store, m_state, k, std::move(env)));
  m_core_funcs.push_back(Extern{.kind = wsvm::ExternKind::Func, .func = f});
  return {};
}

Result<Instantiator::Inst> Instantiator::instance_type(const std::string& name,
                                                       const std::string& host_name,
                                                       uint32_t type_index, size_t at,
                                                       const Inst* given) {
  const TypeEntry* e = WSVM_TRY(m_types->at(type_index, at));
  if (!e->def || e->def->kind != TypeDefKind::Instance)
    return invalid(at, fmt::format("import '{}': type {} is not an instance type", name, type_index));
  const TypeDef& t = *e->def;
  m_out.m_type_spaces.push_back(std::make_unique<TypeSpace>(e->scope));
  TypeSpace* local = m_out.m_type_spaces.back().get();
  Inst in;
  in.name = name;
  in.space = local;
  for (const TypeDecl& d : t.decls) {
    switch (d.kind) {
      case TypeDecl::Kind::CoreType: break;
      case TypeDecl::Kind::Type: local->push({&t.types[d.index], local, nullptr, {}}); break;
      case TypeDecl::Kind::Alias: {
        const DeclAlias& a = t.aliases[d.index];
        if (a.sort != Sort::Type || !a.outer) return unsupported(at, "this alias in an instance type");
        const TypeSpace* s = local;
        for (uint32_t i = 0; i < a.outer_count && s; ++i) s = s->parent();
        if (!s) return invalid(at, "outer alias count out of bounds");
        local->push(*WSVM_TRY(s->at(a.outer_index, at)));
        break;
      }
      case TypeDecl::Kind::Export:
        if (d.type.kind == ExternKind::Type) {
          TypeEntry te;
          auto supplied = given ? given->types.find(d.name.name) : std::map<std::string, TypeEntry>::const_iterator{};
          if (given && supplied != given->types.end()) {
            te = supplied->second;
          } else if (d.type.bound.sub_resource) {
            auto rt = std::make_unique<ResourceTypeInfo>();
            rt->name = name + "/" + d.name.name;
            if (auto* dtor = m_linker.resource_dtor(host_name, d.name.name)) {
              std::function<void(uint32_t)> fn = *dtor;
              rt->dtor = [fn](uint32_t rep) -> std::optional<Trap> {
                fn(rep);
                return std::nullopt;
              };
            }
            te.resource = rt.get();
            m_out.m_resources.push_back(std::move(rt));
          } else {
            te = *WSVM_TRY(local->at(d.type.bound.eq, at));
          }
          local->push(te);
          in.types[d.name.name] = te;
        }
        in.decls[d.name.name] = &d;
        break;
      case TypeDecl::Kind::Import: break;
    }
  }
  return in;
}

Result<const Instantiator::Arg*> Instantiator::arg(const std::string& name, Sort sort, size_t at) {
  auto it = m_args->find(name);
  if (it == m_args->end())
    return make_error(ErrorKind::Invalid, at, fmt::format("missing instantiation argument '{}'", name));
  if (it->second.sort != sort)
    return make_error(ErrorKind::Invalid, at, fmt::format("instantiation argument '{}' is a {}, the "
                      "import needs a {}", name, sort_name(it->second.sort), sort_name(sort)));
  return &it->second;
}

Result<void> Instantiator::nested_instance(const Instance& in) {
  if (in.component >= m_components.size())
    return invalid(in.offset, fmt::format("component index {} out of bounds", in.component));
  std::map<std::string, Arg> args;
  for (const InstantiateArg& a : in.args) {
    Arg v;
    v.sort = a.target.sort;
    uint32_t i = a.target.index;
    switch (a.target.sort) {
      case Sort::Func: v.func = WSVM_TRY(func_at(i, in.offset)); break;
      case Sort::Instance:
        if (i >= m_instances.size()) return invalid(in.offset, fmt::format("instance index {} out of bounds", i));
        v.inst = m_instances[i];
        break;
      case Sort::Type: v.type = *WSVM_TRY(m_types->at(i, in.offset)); break;
      case Sort::CoreModule:
        if (i >= m_modules.size()) return invalid(in.offset, fmt::format("core module index {} out of bounds", i));
        v.module = m_modules[i];
        break;
      case Sort::Component:
        if (i >= m_components.size()) return invalid(in.offset, fmt::format("component index {} out of bounds", i));
        v.component = m_components[i];
        break;
      default:
        return unsupported(in.offset, fmt::format("a {} instantiation argument", sort_name(a.target.sort)));
    }
    if (!args.emplace(a.name, std::move(v)).second)
      return invalid(in.offset, fmt::format("duplicate instantiation argument '{}'", a.name));
  }
  auto child = std::unique_ptr<ComponentInstance>(new ComponentInstance());
  const CompVal& comp = m_components[in.component];
  Instantiator sub(m_store, *comp.c, m_linker, *child, this, &args, comp.env);
  WSVM_TRY_VOID(sub.run());
  Inst result;
  result.name = fmt::format("instance {}", m_instances.size());
  for (const auto& [name, f] : child->m_exports)
    if (name.find('#') == std::string::npos) result.funcs[name] = f;
  result.types = sub.m_export_types;
  result.instances = sub.m_export_insts;
  result.modules = sub.m_export_modules;
  result.components = sub.m_export_components;
  m_instances.push_back(std::move(result));
  m_out.m_children.push_back(std::move(child));
  return {};
}

Result<void> Instantiator::import(const Import& im) {
  const std::string& name = im.name.name;
  if (m_args) {  // a nested component: its imports are its instantiation arguments
    const Arg* a = WSVM_TRY(arg(name, extern_kind_sort(im.type.kind), im.offset));
    auto mismatch = [&](const std::string& why) {
      return invalid(im.offset, fmt::format("type mismatch in instantiation argument `{}`: {}", name, why));
    };
    switch (im.type.kind) {
      case ExternKind::Func: {
        FuncSig want = WSVM_TRY(m_types->func(im.type.index, im.offset));
        if (auto why = func_mismatch(want, a->func->sig)) return mismatch(*why);
        m_funcs.push_back(a->func);
        return {};
      }
      case ExternKind::Instance: {
        // The import's instance type with the argument's resource types substituted.
        Inst want = WSVM_TRY(instance_type(name, name, im.type.index, im.offset, &a->inst));
        if (auto why = WSVM_TRY(instance_mismatch(want, a->inst, im.offset))) return mismatch(*why);
        m_instances.push_back(a->inst);
        return {};
      }
      case ExternKind::Type: {
        // (sub resource) takes a resource type; (eq t) the same type as t.
        bool found_resource = a->type.resource != nullptr;
        if (im.type.bound.sub_resource) {
          if (!found_resource) return mismatch("expected resource, found defined type");
        } else {
          const TypeEntry* want = WSVM_TRY(m_types->at(im.type.bound.eq, im.offset));
          bool want_resource = want->resource != nullptr;
          if (want_resource && !found_resource) return mismatch("expected resource, found defined type");
          if (!want_resource && found_resource) return mismatch("expected defined type, found resource");
          if (want_resource && want->resource != a->type.resource) return mismatch("resource types are not the same");
          if (!want_resource && want->def && want->def->kind == TypeDefKind::Value && a->type.def &&
              a->type.def->kind == TypeDefKind::Value && a->type.scope) {
            VTypeP w = WSVM_TRY(m_types->value_of(*want, im.offset));
            VTypeP f = WSVM_TRY(a->type.scope->value_of(a->type, im.offset));
            if (auto why = value_mismatch(*w, *f)) return mismatch(*why);
          }
        }
        m_types->push(a->type);
        return {};
      }
      case ExternKind::Module:
        if (im.type.index < m_core_types.size() && m_core_types[im.type.index] &&
            m_core_types[im.type.index]->is_module)
          if (auto why = module_mismatch(*m_core_types[im.type.index], *a->module->module)) return mismatch(*why);
        m_modules.push_back(a->module);
        return {};
      case ExternKind::Component: m_components.push_back(a->component); return {};
      default: return unsupported(im.offset, fmt::format("importing a {}", extern_kind_name(im.type.kind)));
    }
  }
  switch (im.type.kind) {
    case ExternKind::Func: {
      const HostFn* fn = m_linker.func(name);
      if (!fn && !m_linker.traps_unknown_imports())
        return make_error(ErrorKind::Unlinkable, im.offset,
                          fmt::format("component import '{}' (a function) is not defined by the host", name));
      auto f = std::make_shared<ComponentFunc>();
      f->sig = WSVM_TRY(m_types->func(im.type.index, im.offset));
      if (fn) WSVM_TRY_VOID(check_host_type(f->sig, m_linker.func_type("", name), name, "", im.offset));
      f->host = fn ? *fn : unknown_import(name);
      f->name = name;
      m_funcs.push_back(std::move(f));
      return {};
    }
    case ExternKind::Instance: {
      if (auto r = m_linker.resolved_import(&im)) {  // resolved by an earlier instantiation
        m_instances.push_back(r->inst);
        m_out.m_resolved_imports.push_back(std::move(r));
        return {};
      }
      // What this resolution allocates (the instance type's space, its resource types) goes
      // to the linker's cache of resolved imports rather than to this instance.
      const size_t spaces = m_out.m_type_spaces.size(), resources = m_out.m_resources.size();
      std::string host_name;
      const auto* host = m_linker.instance(name, &host_name);
      static const std::map<std::string, HostFn> kNone;
      if (!host && m_linker.traps_unknown_imports()) host = &kNone;
      if (!host) return make_error(ErrorKind::Unlinkable, im.offset,
                                   fmt::format("component import '{}' (an instance) is not defined by the host", name));
      Inst in = WSVM_TRY(instance_type(name, host_name, im.type.index, im.offset));
      in.host = host;
      for (const auto& [fname, decl] : in.decls) {
        if (decl->type.kind != ExternKind::Func) continue;
        auto it = host->find(fname);
        if (it == host->end() && !m_linker.traps_unknown_imports())
          return make_error(ErrorKind::Unlinkable, im.offset,
                            fmt::format("component import '{}': function '{}' is not defined by the host", name, fname));
        auto f = std::make_shared<ComponentFunc>();
        f->sig = WSVM_TRY(in.space->func(decl->type.index, im.offset));
        if (it != host->end())
          WSVM_TRY_VOID(check_host_type(f->sig, m_linker.func_type(host_name, fname), name, fname, im.offset));
        f->host = it != host->end() ? it->second : unknown_import(name + "#" + fname);
        if (it != host->end())
          if (const HostAsyncFn* af = m_linker.async_func(host_name, fname)) f->host_async = *af;
        f->name = name + "#" + fname;
        in.funcs[fname] = std::move(f);
      }
      auto r = std::make_shared<ComponentLinker::ResolvedImport>();
      r->component = m_owner;
      std::move(m_out.m_type_spaces.begin() + spaces, m_out.m_type_spaces.end(), std::back_inserter(r->spaces));
      m_out.m_type_spaces.resize(spaces);
      std::move(m_out.m_resources.begin() + resources, m_out.m_resources.end(), std::back_inserter(r->resources));
      m_out.m_resources.resize(resources);
      r->inst = std::move(in);
      m_instances.push_back(r->inst);
      m_out.m_resolved_imports.push_back(r);
      if (resolve_value_types(*r)) m_linker.keep_resolved_import(&im, std::move(r));
      return {};
    }
    case ExternKind::Type: {
      TypeEntry te;
      if (im.type.bound.sub_resource) {
        auto rt = std::make_unique<ResourceTypeInfo>();
        rt->name = name;
        te.resource = rt.get();
        m_out.m_resources.push_back(std::move(rt));
      } else {
        te = *WSVM_TRY(m_types->at(im.type.bound.eq, im.offset));
      }
      m_types->push(te);
      return {};
    }
    default:
      return unsupported(im.offset, fmt::format("importing a {}", extern_kind_name(im.type.kind)));
  }
}

// Null when instance `found` has every export of the instance type `want` (functions of the
// same types, other sorts by name and sort); else why not.
Result<std::optional<std::string>> Instantiator::instance_mismatch(const Inst& want, const Inst& found, size_t at) {
  for (const auto& [ename, decl] : want.decls) {
    // What the instance exports under this name, as far as an instance records it.
    const char* has = found.funcs.count(ename) ? "func"
                      : found.instances.count(ename) ? "instance"
                      : found.types.count(ename) ? "type"
                      : found.modules.count(ename) ? "core module"
                      : found.components.count(ename) ? "component" : nullptr;
    const char* wanted = extern_kind_name(decl->type.kind);
    if (has && std::string_view(has) != wanted)
      return fmt::format("type mismatch in instance export `{}`: expected {}, found {}", ename, wanted, has);
    if (decl->type.kind != ExternKind::Func) continue;
    auto it = found.funcs.find(ename);
    if (it == found.funcs.end()) return fmt::format("missing expected export `{}`", ename);
    FuncSig sig = WSVM_TRY(want.space->func(decl->type.index, at));
    if (auto why = func_mismatch(sig, it->second->sig))
      return fmt::format("type mismatch in instance export `{}`: {}", ename, *why);
  }
  return std::nullopt;
}

Result<void> Instantiator::exported(const Export& ex) {
  switch (ex.target.sort) {
    case Sort::Func: {
      auto f = WSVM_TRY(func_at(ex.target.index, ex.offset));
      if (ex.ascribed && ex.ascribed->kind == ExternKind::Func) {
        FuncSig want = WSVM_TRY(m_types->func(ex.ascribed->index, ex.offset));
        if (auto why = func_mismatch(want, f->sig))
          return invalid(ex.offset, fmt::format("ascribed type of export `{}` is not compatible: {}", ex.name.name, *why));
      }
      m_out.m_exports[ex.name.name] = f;
      m_funcs.push_back(f);
      return {};
    }
    case Sort::Type: {
      TypeEntry e = *WSVM_TRY(m_types->at(ex.target.index, ex.offset));
      m_types->push(e);
      m_export_types[ex.name.name] = e;
      return {};
    }
    case Sort::Instance: {
      if (ex.target.index >= m_instances.size())
        return invalid(ex.offset, fmt::format("instance index {} out of bounds", ex.target.index));
      Inst copy = m_instances[ex.target.index];
      if (ex.ascribed && ex.ascribed->kind == ExternKind::Instance) {
        // The ascribed type is what is exported: the instance must have all of it, and
        // has nothing more.
        Inst want = WSVM_TRY(instance_type(ex.name.name, ex.name.name, ex.ascribed->index, ex.offset, &copy));
        if (auto why = WSVM_TRY(instance_mismatch(want, copy, ex.offset)))
          return invalid(ex.offset, fmt::format("ascribed type of export `{}` is not compatible: {}", ex.name.name, *why));
        std::erase_if(copy.funcs, [&](const auto& kv) { return !want.decls.count(kv.first); });
        std::erase_if(copy.types, [&](const auto& kv) { return !want.decls.count(kv.first); });
        std::erase_if(copy.instances, [&](const auto& kv) { return !want.decls.count(kv.first); });
        std::erase_if(copy.modules, [&](const auto& kv) { return !want.decls.count(kv.first); });
        std::erase_if(copy.components, [&](const auto& kv) { return !want.decls.count(kv.first); });
      }
      // An exported instance's functions are callable as "instance#function".
      for (const auto& [fname, f] : copy.funcs) m_out.m_exports[ex.name.name + "#" + fname] = f;
      m_export_insts[ex.name.name] = std::make_shared<Inst>(copy);
      m_instances.push_back(std::move(copy));
      return {};
    }
    case Sort::CoreModule: {
      if (ex.target.index >= m_modules.size())
        return invalid(ex.offset, fmt::format("core module index {} out of bounds", ex.target.index));
      auto m = m_modules[ex.target.index];
      m_export_modules[ex.name.name] = m;
      m_modules.push_back(std::move(m));
      return {};
    }
    case Sort::Component: {
      if (ex.target.index >= m_components.size())
        return invalid(ex.offset, fmt::format("component index {} out of bounds", ex.target.index));
      CompVal c = m_components[ex.target.index];
      m_export_components[ex.name.name] = c;
      m_components.push_back(std::move(c));
      return {};
    }
    default:
      return unsupported(ex.offset, fmt::format("exporting a {}", sort_name(ex.target.sort)));
  }
}

std::set<std::string, std::less<>> imported_interfaces(const Component& c) {
  std::set<std::string, std::less<>> out;
  for (const Import& im : c.imports)
    if (im.type.kind == ExternKind::Instance) {
      const std::string& n = im.name.name;
      out.insert(n.substr(0, n.find('@')));
    }
  return out;
}

Result<std::unique_ptr<ComponentInstance>> instantiate(Store& store,
                                                        std::shared_ptr<const Component> c,
                                                        const ComponentLinker& linker,
                                                        Validation validation) {
  if (validation == Validation::Check) WSVM_TRY_VOID(validate_component(*c));
  auto out = std::unique_ptr<ComponentInstance>(new ComponentInstance());
  Instantiator in(store, std::move(c), linker, *out);
  WSVM_TRY_VOID(in.run());
  return out;
}

}  // namespace wsvm::component
