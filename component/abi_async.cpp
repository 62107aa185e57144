// Lifting and lowering streams, futures and error contexts (definitions.py's lift_stream,
// lift_future, lift_error_context and their lower_* counterparts): a readable end leaves the
// lifting instance's table and a new readable end over the same channel joins the lowering
// instance's; an error context is shared, not moved.
#include <fmt/format.h>

#include "component/abi.hpp"
#include "component/async.hpp"

namespace wsvm::component {

AbiResult<Val> LiftLowerContext::lift_async_value(uint32_t i, const VType& t) {
  HandleEntry* h = WSVM_TRY(m_inst->handles.get(i));
  Val v;
  v.kind = t.kind;
  if (t.kind == VKind::ErrorContext) {
    if (!h->async || h->async->kind != AsyncKind::ErrorContext)
      return std::unexpected(abi_trap(fmt::format("handle index {} is not an error context", i)));
    v.handle = h->async;
    return v;
  }
  bool stream = t.kind == VKind::Stream;
  AsyncKind want = stream ? AsyncKind::StreamReadable : AsyncKind::FutureReadable;
  if (!h->async || h->async->kind != want)
    return std::unexpected(abi_trap(fmt::format("handle index {} is not a {}", i, async_kind_name(want))));
  auto* e = static_cast<CopyEnd*>(h->async.get());
  std::string key = t.elems[0] ? t.elems[0]->to_string() : "";
  if (e->shared->type_key != key)
    return std::unexpected(abi_trap(fmt::format("handle index {} has the wrong {} type", i, vkind_name(t.kind))));
  if (e->state == CopyState::Done)
    return std::unexpected(abi_trap(stream ? "cannot lift stream after being notified that the writable end dropped"
                                           : "cannot lift future after previous read succeeded"));
  if (e->state != CopyState::Idle)
    return std::unexpected(abi_trap(stream ? "cannot remove busy stream" : "cannot remove busy future"));
  if (e->wset)
    return std::unexpected(abi_trap(stream ? "cannot lift stream while it's in a waitable set"
                                           : "cannot lift future while it's in a waitable set"));
  v.handle = WSVM_TRY(m_inst->handles.remove(i)).async;
  return v;
}

AbiResult<uint32_t> LiftLowerContext::lower_async_value(const Val& v, const VType& t) {
  if (!v.handle || v.kind != t.kind)
    return std::unexpected(abi_trap(fmt::format("value {} does not have type {}", v.to_string(), t.to_string())));
  HandleEntry e;
  if (t.kind == VKind::ErrorContext) {
    e.async = v.handle;
  } else {
    auto* from = static_cast<CopyEnd*>(v.handle.get());
    e.async = std::make_shared<CopyEnd>(t.kind == VKind::Stream ? AsyncKind::StreamReadable
                                                                : AsyncKind::FutureReadable,
                                        from->shared);
  }
  return m_inst->handles.add(std::move(e));
}

}  // namespace wsvm::component
