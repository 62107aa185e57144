// Handle tables and the resource built-ins (see handles.hpp).
#include "component/handles.hpp"

#include <fmt/format.h>

namespace wsvm::component {

Trap abi_trap(std::string message) {
  Trap t = Trap::make(TrapKind::Host);
  t.message = std::move(message);
  return t;
}

AbiResult<uint32_t> HandleTable::add(HandleEntry e) {
  if (!m_free.empty()) {
    uint32_t i = m_free.back();
    m_free.pop_back();
    m_array[i] = e;
    return i;
  }
  uint32_t i = uint32_t(m_array.size());
  if (i > kMaxLength) return std::unexpected(abi_trap("handle table full"));
  m_array.push_back(e);
  return i;
}

AbiResult<HandleEntry*> HandleTable::get(uint32_t i) {
  if (i >= m_array.size() || !m_array[i])
    return std::unexpected(abi_trap(fmt::format("unknown handle index {}", i)));
  return &*m_array[i];
}

AbiResult<HandleEntry> HandleTable::remove(uint32_t i) {
  HandleEntry e = *WSVM_TRY(get(i));
  m_array[i].reset();
  m_free.push_back(i);
  return e;
}

size_t HandleTable::live() const {
  size_t n = 0;
  for (const auto& e : m_array) n += e.has_value();
  return n;
}

void CallScope::release_lenders() {
  if (lender_table)
    for (uint32_t i : lenders)
      if (auto h = lender_table->get(i)) --(*h)->num_lends;
  lenders.clear();
}

std::optional<Trap> CallScope::check_borrows_dropped() const {
  if (num_borrows > 0) return abi_trap("borrow handles still remain at the end of the call");
  return std::nullopt;
}

// wasmtime's words when both types are guest-defined; otherwise the types' names.
std::string wrong_handle_type(uint32_t i, const ResourceTypeInfo* want, const ResourceTypeInfo* got) {
  if (want && got && want->impl && got->impl)
    return fmt::format("handle index {} used with the wrong type, expected guest-defined resource "
                       "but found a different guest-defined resource", i);
  return fmt::format("handle index {} used with the wrong type, expected {} but found {}", i,
                     want ? want->name : "?", got ? got->name : "?");
}

namespace {

std::optional<Trap> check_type(const HandleEntry& h, const ResourceTypeInfo& rt, uint32_t i) {
  if (h.rt != &rt) return abi_trap(wrong_handle_type(i, &rt, h.rt));
  return std::nullopt;
}

}  // namespace

AbiResult<uint32_t> resource_new(InstanceState& inst, const ResourceTypeInfo& rt, uint32_t rep) {
  if (!inst.may_leave) return std::unexpected(abi_trap("cannot leave component instance"));
  return inst.handles.add(HandleEntry{&rt, rep, true, 0, nullptr});
}

AbiResult<uint32_t> resource_rep(InstanceState& inst, const ResourceTypeInfo& rt, uint32_t i) {
  HandleEntry* h = WSVM_TRY(inst.handles.get(i));
  if (auto t = check_type(*h, rt, i)) return std::unexpected(*t);
  return h->rep;
}

std::optional<Trap> resource_drop(InstanceState& inst, const ResourceTypeInfo& rt, uint32_t i) {
  if (!inst.may_leave) return abi_trap("cannot leave component instance");
  // Check before removing, so a failed drop leaves the table as it was.
  auto got = inst.handles.get(i);
  if (!got) return got.error();
  if (auto t = check_type(**got, rt, i)) return t;
  if ((*got)->num_lends != 0) return abi_trap("cannot remove owned resource while borrowed");
  HandleEntry h = *inst.handles.remove(i);
  if (!h.own) {
    --h.borrow_scope->num_borrows;
    return std::nullopt;
  }
  if (rt.dtor) return rt.dtor(h.rep);
  return std::nullopt;
}

}  // namespace wsvm::component
