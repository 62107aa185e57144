// The Store: allocation of runtime objects and the uniform-layout call path.
// Spec: https://webassembly.github.io/spec/core/exec/modules.html#allocation
#include "runtime/store.hpp"

#include <algorithm>
#include <new>

#include <fmt/format.h>

#include "runtime/engine.hpp"
#include "runtime/native_stack.hpp"

namespace wsvm {

namespace {

Trap host_trap(std::string message) {
  Trap t = Trap::make(TrapKind::Host);
  t.message = std::move(message);
  return t;
}

}  // namespace

bool TableInstance::can_grow(uint32_t delta) const {
  const uint64_t new_size = uint64_t{elems.size()} + delta;
  if (type.limits.max && new_size > *type.limits.max) return false;
  return new_size <= limit && new_size <= kMaxTableSize;
}

int64_t TableInstance::grow(uint32_t delta, Ref init) {
  const uint64_t old_size = elems.size();
  const uint64_t new_size = old_size + delta;
  if (!can_grow(delta)) return -1;
  try {
    elems.resize(new_size, init);
  } catch (const std::bad_alloc&) {
    return -1;
  }
  // The table's type follows its size, so a later import check sees the current minimum.
  type.limits.min = new_size;
  return static_cast<int64_t>(old_size);
}

Store::Store(Engine& engine, StoreLimits limits) : m_engine(&engine), m_limits(limits) {
  m_exec.store = this;
  m_exec.max_call_depth = m_limits.max_call_depth;
  m_exec.max_stack_bytes = m_limits.max_stack_bytes;
}

Store::~Store() = default;

uint32_t Store::intern_type(const FuncType& t, const TypeContext& ctx) {
  auto [it, inserted] =
      m_type_ids.try_emplace(canonical_key(t, ctx), static_cast<uint32_t>(m_types.size()));
  if (inserted) m_types.push_back(t);
  return it->second;
}

FuncInstance* Store::create_host_func(FuncType type, HostFunc fn) {
  auto f = std::make_unique<FuncInstance>();
  f->owned_type = std::make_unique<FuncType>(std::move(type));
  f->type = f->owned_type.get();
  f->type_id = intern_type(*f->type);
  f->param_slots = slot_count(f->type->params);
  f->result_slots = slot_count(f->type->results);
  f->host = std::move(fn);
  m_funcs.push_back(std::move(f));
  return m_funcs.back().get();
}

TableInstance* Store::create_table(const TableType& t, Ref init) {
  auto table = std::make_unique<TableInstance>();
  table->type = t;
  table->limit = std::min<uint64_t>(m_limits.max_table_elems, kMaxTableSize);
  // Callers (the Linker) check t.limits.min against the limit first; never allocate more.
  table->elems.assign(std::min<uint64_t>(t.limits.min, table->limit), init);
  table->type.limits.min = table->elems.size();
  m_tables.push_back(std::move(table));
  return m_tables.back().get();
}

Result<MemoryInstance*> Store::create_memory(const MemoryType& t,
                                             std::shared_ptr<memory::MemoryImage> image) {
  if (t.limits.min > m_limits.max_memory_pages) {
    return make_error(ErrorKind::Uninstantiable, kNoOffset,
                      fmt::format("memory size exceeds limit: minimum {} pages > limit {} pages",
                                  t.limits.min, m_limits.max_memory_pages));
  }
  std::string error;
  auto lm = image ? memory::LinearMemory::create_from_image(std::move(image), t.limits.max,
                                                            m_limits.max_memory_pages, &error)
                 : memory::LinearMemory::create(t.limits.min, t.limits.max,
                                                m_limits.max_memory_pages, &error);
  if (!lm) {
    return make_error(ErrorKind::Uninstantiable, kNoOffset,
                      fmt::format("cannot allocate memory of {} pages: {}", t.limits.min,
                                  error.empty() ? "allocation failed" : error));
  }
  auto mem = std::make_unique<MemoryInstance>();
  mem->type = t;
  mem->mem = std::move(lm);
  m_memories.push_back(std::move(mem));
  return m_memories.back().get();
}

GlobalInstance* Store::create_global(const GlobalType& t, const Value& v) {
  auto g = std::make_unique<GlobalInstance>();
  g->type = t;
  g->set(v);
  m_globals.push_back(std::move(g));
  return m_globals.back().get();
}

TagInstance* Store::create_tag(const FuncType& t, const TypeContext& ctx) {
  auto tag = std::make_unique<TagInstance>();
  tag->type = &t;
  tag->type_id = intern_type(t, ctx);
  tag->types = ctx;
  tag->payload_slots = slot_count(t.params);
  m_tags.push_back(std::move(tag));
  return m_tags.back().get();
}

Exception* Store::new_exception(const TagInstance* tag, const uint64_t* slots) {
  Exception& e = m_exceptions.emplace_back();
  e.tag = tag;
  e.payload.assign(slots, slots + tag->payload_slots);
  return &e;
}

FuncInstance* Store::create_wasm_func(Instance& inst, uint32_t func_index) {
  auto f = std::make_unique<FuncInstance>();
  const Module& m = inst.module();
  f->type = &m.func_type(func_index);
  f->type_id = intern_type(*f->type, TypeContext{m.types});
  f->param_slots = slot_count(f->type->params);
  f->result_slots = slot_count(f->type->results);
  f->instance = &inst;
  f->func_index = func_index;
  Engine* engine = inst.compiled->engine ? inst.compiled->engine : m_engine;
  f->code = engine->function_code(inst.compiled->code.get(), func_index);
  m_funcs.push_back(std::move(f));
  return m_funcs.back().get();
}

Instance* Store::create_instance() {
  auto inst = std::make_unique<Instance>();
  inst->store = this;
  m_instances.push_back(std::move(inst));
  return m_instances.back().get();
}

std::expected<std::vector<Value>, Trap> Store::invoke(FuncInstance* f,
                                                      std::span<const Value> args) {
  if (f == nullptr) return std::unexpected(host_trap("invoke: null function"));
  const FuncType& ft = *f->type;
  if (args.size() != ft.params.size()) {
    return std::unexpected(host_trap(fmt::format(
        "invoke: argument count mismatch: function {} expects {} arguments, got {}",
        ft.to_string(), ft.params.size(), args.size())));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].type != ft.params[i]) {
      return std::unexpected(host_trap(fmt::format(
          "invoke: argument type mismatch: argument {} of {} must be {}, got {}", i,
          ft.to_string(), valtype_name(ft.params[i]), valtype_name(args[i].type))));
    }
  }
  // Uniform layout: arguments in, results out, in one buffer (at least one slot so data()
  // is never null).
  std::vector<uint64_t> slots(std::max<uint32_t>({f->param_slots, f->result_slots, 1u}), 0);
  uint32_t pos = 0;
  for (const Value& v : args) {
    v.to_slots(slots.data() + pos);
    pos += slot_count(v.type);
  }
  // An outermost call may come from any thread: take that thread's machine-stack limit.
  if (m_exec.call_depth == 0) m_exec.native_stack_limit = native_stack_limit_for_this_thread();
  if (auto trap = call_slots(f, slots.data(), nullptr)) return std::unexpected(std::move(*trap));
  std::vector<Value> results;
  results.reserve(ft.results.size());
  pos = 0;
  for (ValType t : ft.results) {
    results.push_back(Value::from_slots(t, slots.data() + pos));
    pos += slot_count(t);
  }
  return results;
}

namespace {
constexpr uint64_t kMaxFuel = static_cast<uint64_t>(INT64_MAX);
}  // namespace

void Store::set_fuel(uint64_t fuel) {
  fuel = std::min(fuel, kMaxFuel);
  m_fuel_given = fuel;
  m_exec.fuel_metered = true;
  m_exec.fuel_remaining = static_cast<int64_t>(fuel);
}

void Store::add_fuel(uint64_t fuel) {
  uint64_t remaining = fuel_remaining();
  fuel = std::min(fuel, kMaxFuel - remaining);  // the counter is an int64_t
  m_fuel_given += fuel;
  m_exec.fuel_remaining = static_cast<int64_t>(remaining + fuel);
}

uint64_t Store::fuel_remaining() const {
  return m_exec.fuel_remaining > 0 ? static_cast<uint64_t>(m_exec.fuel_remaining) : 0;
}

uint64_t Store::fuel_consumed() const {
  uint64_t remaining = fuel_remaining();
  return m_fuel_given > remaining ? m_fuel_given - remaining : 0;
}

std::optional<Trap> Store::call_slots(FuncInstance* f, uint64_t* slots, Instance* caller) {
  if (!f->is_host()) {
    Engine* engine = f->instance->compiled->engine ? f->instance->compiled->engine : m_engine;
    return engine->call(m_exec, *f, slots);
  }
  if (!f->host) return host_trap("host function has no implementation");
  // A host frame counts toward the depth limit too: host -> wasm -> host recursion must end.
  if (m_exec.call_depth >= m_exec.max_call_depth) return Trap::make(TrapKind::CallStackExhausted);
  ++m_exec.call_depth;
  HostContext ctx{*this, m_exec, caller};
  std::optional<Trap> trap = f->host(ctx, slots);
  --m_exec.call_depth;
  return trap;
}

}  // namespace wsvm
