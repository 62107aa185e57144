// The async built-ins (🔀 📝) as core host functions, and `canon lower ... async`
// (definitions.py's canon_* functions of the same names; see async_builtins.hpp).
#include "component/async_builtins.hpp"

#include <cstring>

#include <fmt/format.h>

#include "component/instance.hpp"
#include "runtime/store.hpp"

namespace wsvm::component {

namespace {

using K = CanonKind;
using Slots = uint64_t*;
constexpr uint32_t kMaxBufferLength = (1u << 28) - 1;

// Propagates the trap of an AbiResult<T> from a function returning std::optional<Trap>.
#define WSVM_TRY_TRAP(expr)                          \
  ({                                                 \
    auto&& wsvm_try_trap_ = (expr);                  \
    if (!wsvm_try_trap_) return wsvm_try_trap_.error(); \
    std::move(*wsvm_try_trap_);                      \
  })

std::optional<Trap> check_leave(InstanceState* inst) {
  if (!inst->may_leave) return abi_trap("cannot leave component instance");
  return std::nullopt;
}

std::optional<Trap> check_may_block(InstanceState* inst) {
  Task* t = inst->current_task;
  if (!t || !t->may_block()) return abi_trap("cannot block a synchronous task before returning");
  return std::nullopt;
}

template <class T>
AbiResult<T*> get_async(InstanceState* inst, uint32_t i, AsyncKind want) {
  HandleEntry* h = WSVM_TRY(inst->handles.get(i));
  if (!h->async || h->async->kind != want)
    return std::unexpected(abi_trap(fmt::format("handle index {} is not a {}", i, async_kind_name(want))));
  return static_cast<T*>(h->async.get());
}

AbiResult<Waitable*> get_waitable(InstanceState* inst, uint32_t i) {
  HandleEntry* h = WSVM_TRY(inst->handles.get(i));
  if (!h->async || h->async->kind == AsyncKind::WaitableSet || h->async->kind == AsyncKind::ErrorContext)
    return std::unexpected(abi_trap(fmt::format("handle index {} is not a waitable", i)));
  return static_cast<Waitable*>(h->async.get());
}

Trap in_set_trap() { return abi_trap("waitable cannot be used synchronously while added to a waitable set"); }

// Stores an event's two payload words at `ptr` and returns its code.
std::optional<Trap> store_event(const MemoryView& memory, uint32_t ptr, const Event& e, Slots slots) {
  std::span<uint8_t> m = memory();
  if (ptr % 4 != 0) return abi_trap("unaligned pointer");
  if (uint64_t(ptr) + 8 > m.size()) return abi_trap("pointer out of bounds of memory");
  std::memcpy(m.data() + ptr, &e.p1, 4);
  std::memcpy(m.data() + ptr + 4, &e.p2, 4);
  slots[0] = uint32_t(e.code);
  return std::nullopt;
}

struct Builtin {
  Canon k;  // a copy: the component may go before its instance
  AsyncBuiltinEnv env;
  InstanceState* inst;

  Task* task() const { return inst->current_task; }

  // The stream/future end at `i`: of kind `want` and of this built-in's type.
  AbiResult<std::shared_ptr<CopyEnd>> end_at(uint32_t i, AsyncKind want) const {
    HandleEntry* h = WSVM_TRY(inst->handles.get(i));
    if (!h->async || h->async->kind != want)
      return std::unexpected(abi_trap(fmt::format("handle index {} is not a {}", i, async_kind_name(want))));
    auto e = std::static_pointer_cast<CopyEnd>(h->async);
    if (e->shared->type_key != env.type_key)
      return std::unexpected(abi_trap(fmt::format("handle index {} is a {} of another type", i, async_kind_name(want))));
    return e;
  }
  std::array<uint64_t, 2>& context() const { return task() ? task()->context : inst->context; }

  std::optional<Trap> wait(Slots s, bool poll) {
    if (auto t = check_leave(inst)) return t;
    if (!poll)
      if (auto t = check_may_block(inst)) return t;
    auto ws = get_async<WaitableSet>(inst, uint32_t(s[0]), AsyncKind::WaitableSet);
    if (!ws) return ws.error();
    uint32_t ptr = uint32_t(s[1]);
    Event e;
    if (poll) {
      if (k.cancellable && task() && task()->state == Task::State::PendingCancel) {
        task()->state = Task::State::CancelDelivered;
        e.code = EventCode::TaskCancelled;
      } else if ((*ws)->has_pending()) {
        e = (*ws)->take_pending();
      }
      return store_event(env.memory, ptr, e, s);
    }
    // Keep the set alive while waiting (its handle cannot be dropped: num_waiting > 0).
    std::shared_ptr<AsyncHandle> keep = (*inst->handles.get(uint32_t(s[0])))->async;
    WaitableSet* set = *ws;
    ++set->num_waiting;
    auto cancelled = block_until(task(), [set] { return set->has_pending(); }, k.cancellable);
    --set->num_waiting;
    if (!cancelled) return cancelled.error();
    e = *cancelled ? Event{EventCode::TaskCancelled, 0, 0} : set->take_pending();
    return store_event(env.memory, ptr, e, s);
  }

  std::optional<Trap> subtask_cancel(Slots s) {
    if (auto t = check_leave(inst)) return t;
    if (!k.async)
      if (auto t = check_may_block(inst)) return t;
    uint32_t i = uint32_t(s[0]);
    auto sub = get_async<Subtask>(inst, i, AsyncKind::Subtask);
    if (!sub) return sub.error();
    Subtask* st = *sub;
    if (st->delivered) return abi_trap("cannot cancel a subtask which has already resolved");
    if (st->cancellation_requested) return abi_trap("cannot cancel a subtask twice");
    if (st->wset && !k.async) return in_set_trap();
    if (!st->resolved()) {
      st->cancellation_requested = true;
      if (auto t = request_cancellation(st->callee)) return t;
      if (!st->resolved()) {
        if (k.async) {
          s[0] = kBlocked;
          return std::nullopt;
        }
        st->has_sync_waiter = true;
        auto r = block_until(task(), [st] { return st->has_pending(); });
        st->has_sync_waiter = false;
        if (!r) return r.error();
      }
    }
    if (st->has_pending()) st->take_pending();
    s[0] = st->state;
    return std::nullopt;
  }

  std::optional<Trap> copy(Slots s) {
    bool stream = k.kind == K::StreamRead || k.kind == K::StreamWrite;
    bool reading = k.kind == K::StreamRead || k.kind == K::FutureRead;
    if (auto t = check_leave(inst)) return t;
    if (!k.opts.async)
      if (auto t = check_may_block(inst)) return t;
    uint32_t i = uint32_t(s[0]), ptr = uint32_t(s[1]), n = stream ? uint32_t(s[2]) : 1;
    AsyncKind want = stream ? (reading ? AsyncKind::StreamReadable : AsyncKind::StreamWritable)
                            : (reading ? AsyncKind::FutureReadable : AsyncKind::FutureWritable);
    std::shared_ptr<CopyEnd> e = WSVM_TRY_TRAP(end_at(i, want));
    if (e->state == CopyState::Done) {
      if (stream)
        return abi_trap(reading ? "cannot read from stream after being notified that the writable end dropped"
                                : "cannot write to stream after being notified that the readable end dropped");
      return abi_trap(reading ? "cannot read from future after previous read succeeded"
                              : "cannot write to future after previous write succeeded or readable end dropped");
    }
    if (e->state != CopyState::Idle) return abi_trap("cannot have concurrent operations active on a future/stream");
    if (e->wset && !k.opts.async) return in_set_trap();
    auto buf = std::make_shared<GuestBuffer>();
    buf->t = env.payload;
    buf->opts = env.opts;
    buf->inst = inst;
    buf->ptr = ptr;
    buf->length = n;
    if (n > kMaxBufferLength) return abi_trap("buffer length too large");
    if (env.payload && n > 0) {
      if (ptr % env.payload->align != 0) return abi_trap("unaligned pointer");
      if (uint64_t(ptr) + uint64_t(n) * env.payload->size > env.opts.memory().size())
        return abi_trap("pointer out of bounds of memory");
    }
    EventCode code = stream ? (reading ? EventCode::StreamRead : EventCode::StreamWrite)
                            : (reading ? EventCode::FutureRead : EventCode::FutureWrite);
    CopyEnd* ep = e.get();
    OnCopy on_copy;
    OnCopyDone on_done;
    if (stream) {
      auto event = [ep, buf, code, i](CopyResult r, std::function<void()> reclaim) {
        return [ep, buf, code, i, r, reclaim] {
          if (reclaim) reclaim();
          // A partial copy seen by cancel reports CANCELLED with its count (wasmtime's
          // answer, which async/cancel-stream.wast checks).
          CopyResult rr = r == CopyResult::Completed && ep->state == CopyState::CancellingCopy
                              ? CopyResult::Cancelled : r;
          ep->state = rr == CopyResult::Dropped ? CopyState::Done : CopyState::Idle;
          return Event{code, i, uint32_t(rr) | (buf->progress << 4)};
        };
      };
      on_copy = [ep, event](std::function<void()> reclaim) { ep->pending = event(CopyResult::Completed, std::move(reclaim)); };
      on_done = [ep, event](CopyResult r) { ep->pending = event(r, nullptr); };
    } else {
      on_done = [ep, code, i](CopyResult r) {
        ep->pending = [ep, code, i, r] {
          ep->state = r == CopyResult::Cancelled ? CopyState::Idle : CopyState::Done;
          return Event{code, i, uint32_t(r)};
        };
      };
    }
    e->state = CopyState::Copying;
    auto tr = e->shared->copy(inst, buf, reading, on_copy, on_done);
    if (tr) return tr;
    return finish_copy(e, s, k.opts.async);
  }

  // Returns the end's event payload, or BLOCKED (async), or waits for it (sync).
  std::optional<Trap> finish_copy(const std::shared_ptr<CopyEnd>& e, Slots s, bool async) {
    if (!e->has_pending()) {
      if (async) {
        s[0] = kBlocked;
        return std::nullopt;
      }
      e->has_sync_waiter = true;
      CopyEnd* ep = e.get();
      auto r = block_until(task(), [ep] { return ep->has_pending(); });
      e->has_sync_waiter = false;
      if (!r) return r.error();
    }
    s[0] = e->take_pending().p2;
    return std::nullopt;
  }

  std::optional<Trap> cancel_copy(Slots s) {
    if (auto t = check_leave(inst)) return t;
    if (!k.async)
      if (auto t = check_may_block(inst)) return t;
    uint32_t i = uint32_t(s[0]);
    AsyncKind want = k.kind == K::StreamCancelRead ? AsyncKind::StreamReadable
                   : k.kind == K::StreamCancelWrite ? AsyncKind::StreamWritable
                   : k.kind == K::FutureCancelRead ? AsyncKind::FutureReadable : AsyncKind::FutureWritable;
    std::shared_ptr<CopyEnd> e = WSVM_TRY_TRAP(end_at(i, want));
    if (e->state != CopyState::Copying || e->has_sync_waiter)
      return abi_trap("there is no pending operation to cancel");
    if (e->wset && !k.async) return in_set_trap();
    e->state = CopyState::CancellingCopy;
    if (!e->has_pending()) e->shared->cancel();
    return finish_copy(e, s, k.async);
  }

  std::optional<Trap> drop_end(Slots s) {
    if (auto t = check_leave(inst)) return t;
    uint32_t i = uint32_t(s[0]);
    bool stream = k.kind == K::StreamDropReadable || k.kind == K::StreamDropWritable;
    AsyncKind want = k.kind == K::StreamDropReadable ? AsyncKind::StreamReadable
                   : k.kind == K::StreamDropWritable ? AsyncKind::StreamWritable
                   : k.kind == K::FutureDropReadable ? AsyncKind::FutureReadable : AsyncKind::FutureWritable;
    std::shared_ptr<CopyEnd> e = WSVM_TRY_TRAP(end_at(i, want));
    // wasmtime's words: a busy readable end cannot be "removed", a busy writable one "dropped".
    if (e->copying())
      return abi_trap(fmt::format("cannot {} busy {}", e->readable() ? "remove" : "drop", stream ? "stream" : "future"));
    if (want == AsyncKind::FutureWritable && e->state != CopyState::Done)
      return abi_trap("cannot drop future write end without first writing a value");
    std::shared_ptr<AsyncHandle> keep = WSVM_TRY_TRAP(inst->handles.remove(i)).async;
    e->shared->drop();
    e->join(nullptr);
    return std::nullopt;
  }

  std::optional<Trap> task_return(Slots s) {
    if (auto t = check_leave(inst)) return t;
    Task* t = task();
    if (!t || !t->f->async_lift) return abi_trap("task.return called outside an async-lifted export");
    bool same = t->f->sig.results.size() == env.results.size();
    for (size_t i = 0; same && i < env.results.size(); ++i)
      same = !value_mismatch(*t->f->sig.results[i], *env.results[i]);
    if (!same) return abi_trap("invalid `task.return` signature for the current task");
    LiftLowerContext cx(env.opts, inst, nullptr);
    FlatReader r(std::span<const FlatVal>(s, env.result_flat));
    auto vals = cx.lift_flat_values(kMaxFlatParams, r, env.results);
    if (!vals) return vals.error();
    return t->return_(std::move(*vals));
  }

  std::optional<Trap> error_context(Slots s) {
    if (auto t = check_leave(inst)) return t;
    if (k.kind == K::ErrorContextNew) {
      LiftLowerContext cx(env.opts, inst, nullptr);
      std::vector<FlatVal> flat{s[0], s[1]};
      FlatReader r(flat);
      auto str = cx.lift_flat(r, *t_prim(VKind::String));
      if (!str) return str.error();
      HandleEntry e;
      e.async = std::make_shared<ErrorContextObj>(str->str);
      auto i = inst->handles.add(std::move(e));
      if (!i) return i.error();
      s[0] = *i;
      return std::nullopt;
    }
    auto ec = get_async<ErrorContextObj>(inst, uint32_t(s[0]), AsyncKind::ErrorContext);
    if (!ec) return ec.error();
    if (k.kind == K::ErrorContextDrop) {
      std::shared_ptr<AsyncHandle> keep = WSVM_TRY_TRAP(inst->handles.remove(uint32_t(s[0]))).async;
      return std::nullopt;
    }
    LiftLowerContext cx(env.opts, inst, nullptr);
    return cx.store(Val::string((*ec)->message), *t_prim(VKind::String), uint32_t(s[1]));
  }

  AbiResult<uint32_t> add_thread(std::shared_ptr<GuestThread> th) {
    auto& v = inst->threads;
    if (v.size() > kMaxBufferLength) return std::unexpected(abi_trap("thread table full"));
    th->index = uint32_t(v.size());
    v.push_back(std::move(th));
    return uint32_t(v.size() - 1);
  }
  AbiResult<std::shared_ptr<GuestThread>> thread_at(uint32_t i) {
    if (i >= inst->threads.size() || !inst->threads[i])
      return std::unexpected(abi_trap(fmt::format("unknown thread index {}", i)));
    return inst->threads[i];
  }

  // The thread built-ins (🧵), as far as async.cpp's thread_* go.
  std::optional<Trap> thread_builtin(Slots s) {
    if (auto t = check_leave(inst)) return t;
    Task* t = task();
    if (!t) return abi_trap("thread built-ins need a task (not a start function)");
    switch (k.kind) {
      case K::ThreadIndex: {
        if (!t->thread_index) {
          auto th = std::make_shared<GuestThread>();
          th->task = t;
          t->thread_index = WSVM_TRY_TRAP(add_thread(th));
        }
        s[0] = t->thread_index;
        return std::nullopt;
      }
      case K::ThreadNewIndirect: {
        uint32_t fi = uint32_t(s[0]);
        uint64_t arg = uint32_t(s[1]);
        if (!env.table || fi >= env.table->elems.size())
          return abi_trap(fmt::format("thread.new-indirect: table index {} out of bounds", fi));
        auto* fn = reinterpret_cast<FuncInstance*>(env.table->elems[fi]);
        if (!fn) return abi_trap(fmt::format("thread.new-indirect: table element {} is null", fi));
        if (fn->type->params != std::vector<ValType>{ValType::I32} || !fn->type->results.empty())
          return abi_trap("thread.new-indirect: the function has the wrong type");
        auto th = std::make_shared<GuestThread>();
        th->task = t;
        InstanceState* in = inst;
        Store* store = t->store;
        GuestThread* raw = th.get();
        th->fiber = std::make_shared<Fiber>(*store, [raw, fn, arg, in, store]() -> std::optional<Trap> {
          std::vector<uint64_t> slots{arg};
          Task* saved = in->current_task;
          in->current_task = raw->task;
          auto tr = call_core_func(*store, fn, slots);
          in->current_task = saved;
          return tr;
        });
        s[0] = WSVM_TRY_TRAP(add_thread(std::move(th)));
        return std::nullopt;
      }
      case K::ThreadSuspend: {
        bool c = WSVM_TRY_TRAP(thread_suspend(t, k.cancellable));
        s[0] = c ? 1 : 0;
        return std::nullopt;
      }
      case K::ThreadResumeLater: {
        auto th = WSVM_TRY_TRAP(thread_at(uint32_t(s[0])));
        if (th->started || !th->fiber) return abi_trap("thread is not suspended");
        return thread_resume_later(t, th);
      }
      default: {  // yield/suspend-then-resume/promote: switch to the other thread
        auto th = WSVM_TRY_TRAP(thread_at(uint32_t(s[0])));
        bool c = WSVM_TRY_TRAP(thread_switch_to(t, th));
        s[0] = c ? 1 : 0;
        return std::nullopt;
      }
    }
  }

  std::optional<Trap> run(Slots s) {
    switch (k.kind) {
      case K::BackpressureInc:
        if (++inst->backpressure == (1u << 16)) return abi_trap("backpressure counter overflow");
        return std::nullopt;
      case K::BackpressureDec:
        if (inst->backpressure == 0) return abi_trap("backpressure counter underflow");
        --inst->backpressure;
        return std::nullopt;
      case K::ContextGet: s[0] = context()[k.slot]; return std::nullopt;
      case K::ContextSet: context()[k.slot] = uint32_t(s[0]); return std::nullopt;
      case K::TaskReturn: return task_return(s);
      case K::TaskCancel: {
        if (auto t = check_leave(inst)) return t;
        if (!task() || !task()->f->async_lift) return abi_trap("task.cancel called outside an async-lifted export");
        return task()->cancel();
      }
      case K::WaitableSetNew: {
        if (auto t = check_leave(inst)) return t;
        HandleEntry e;
        e.async = std::make_shared<WaitableSet>();
        auto i = inst->handles.add(std::move(e));
        if (!i) return i.error();
        s[0] = *i;
        return std::nullopt;
      }
      case K::WaitableSetWait: return wait(s, false);
      case K::WaitableSetPoll: return wait(s, true);
      case K::WaitableSetDrop: {
        if (auto t = check_leave(inst)) return t;
        auto ws = get_async<WaitableSet>(inst, uint32_t(s[0]), AsyncKind::WaitableSet);
        if (!ws) return ws.error();
        if ((*ws)->num_waiting > 0) return abi_trap("cannot drop waitable set with waiters");
        if (!(*ws)->elems.empty()) return abi_trap("cannot drop waitable set with members");
        std::shared_ptr<AsyncHandle> keep = WSVM_TRY_TRAP(inst->handles.remove(uint32_t(s[0]))).async;
        return std::nullopt;
      }
      case K::WaitableJoin: {
        if (auto t = check_leave(inst)) return t;
        auto w = get_waitable(inst, uint32_t(s[0]));
        if (!w) return w.error();
        if ((*w)->has_sync_waiter) return in_set_trap();
        if (uint32_t(s[1]) == 0) {
          (*w)->join(nullptr);
          return std::nullopt;
        }
        auto ws = get_async<WaitableSet>(inst, uint32_t(s[1]), AsyncKind::WaitableSet);
        if (!ws) return ws.error();
        (*w)->join(*ws);
        return std::nullopt;
      }
      case K::SubtaskCancel: return subtask_cancel(s);
      case K::SubtaskDrop: {
        if (auto t = check_leave(inst)) return t;
        auto sub = get_async<Subtask>(inst, uint32_t(s[0]), AsyncKind::Subtask);
        if (!sub) return sub.error();
        if (!(*sub)->delivered) return abi_trap("cannot drop a subtask which has not yet resolved");
        std::shared_ptr<AsyncHandle> keep = WSVM_TRY_TRAP(inst->handles.remove(uint32_t(s[0]))).async;
        (*sub)->join(nullptr);
        return std::nullopt;
      }
      case K::StreamNew: case K::FutureNew: {
        if (auto t = check_leave(inst)) return t;
        bool stream = k.kind == K::StreamNew;
        auto shared = std::make_shared<SharedChannel>();
        shared->future = !stream;
        shared->t = env.payload;
        shared->type_key = env.type_key;
        HandleEntry r, w;
        r.async = std::make_shared<CopyEnd>(stream ? AsyncKind::StreamReadable : AsyncKind::FutureReadable, shared);
        w.async = std::make_shared<CopyEnd>(stream ? AsyncKind::StreamWritable : AsyncKind::FutureWritable, shared);
        auto ri = inst->handles.add(std::move(r));
        if (!ri) return ri.error();
        auto wi = inst->handles.add(std::move(w));
        if (!wi) return wi.error();
        s[0] = uint64_t(*ri) | (uint64_t(*wi) << 32);
        return std::nullopt;
      }
      case K::StreamRead: case K::StreamWrite: case K::FutureRead: case K::FutureWrite: return copy(s);
      case K::StreamCancelRead: case K::StreamCancelWrite: case K::FutureCancelRead:
      case K::FutureCancelWrite:
        return cancel_copy(s);
      case K::StreamDropReadable: case K::StreamDropWritable: case K::FutureDropReadable:
      case K::FutureDropWritable:
        return drop_end(s);
      case K::ErrorContextNew: case K::ErrorContextDebugMessage: case K::ErrorContextDrop:
        return error_context(s);
      case K::ThreadIndex: case K::ThreadNewIndirect: case K::ThreadSuspend: case K::ThreadResumeLater:
      case K::ThreadYieldThenResume: case K::ThreadSuspendThenResume: case K::ThreadYieldThenPromote:
      case K::ThreadSuspendThenPromote:
        return thread_builtin(s);
      case K::ThreadYield: {
        if (auto t = check_leave(inst)) return t;
        auto cancelled = yield_once(task(), k.cancellable);
        if (!cancelled) return cancelled.error();
        s[0] = *cancelled ? 1 : 0;
        return std::nullopt;
      }
      default:
        if (auto t = check_leave(inst)) return t;
        return abi_trap(fmt::format("canon {}: threads are not supported yet", canon_kind_name(k.kind)));
    }
  }
};

}  // namespace

Result<FuncInstance*> make_async_builtin(Store& store, InstanceState* inst, const Canon& k, AsyncBuiltinEnv env) {
  wsvm::FuncType ft;
  const auto I32 = ValType::I32;
  switch (k.kind) {
    case K::BackpressureInc: case K::BackpressureDec: case K::TaskCancel: break;
    case K::ContextGet: case K::ContextSet:
      if (k.core_type != I32)
        return make_error(ErrorKind::Invalid, k.offset, "context.get/set: only i32 slots are supported");
      if (k.slot >= 2)
        return make_error(ErrorKind::Invalid, k.offset, fmt::format("context slot {} out of range (2 slots)", k.slot));
      if (k.kind == K::ContextGet) ft.results = {I32};
      else ft.params = {I32};
      break;
    case K::TaskReturn: {
      for (FlatType f : flatten_all(env.results)) ft.params.push_back(f == FlatType::I32 ? I32 : f == FlatType::I64 ? ValType::I64 : f == FlatType::F32 ? ValType::F32 : ValType::F64);
      if (ft.params.size() > kMaxFlatParams) ft.params = {I32};
      env.result_flat = ft.params.size();
      break;
    }
    case K::ThreadYield: case K::ThreadSuspend: case K::ThreadIndex: case K::WaitableSetNew:
    case K::ThreadAvailableParallelism:
      ft.results = {I32};
      break;
    case K::ErrorContextDrop: ft.params = {I32}; break;
    case K::WaitableSetWait: case K::WaitableSetPoll: ft = {{I32, I32}, {I32}}; break;
    case K::WaitableSetDrop: case K::SubtaskDrop: case K::ThreadResumeLater:
    case K::StreamDropReadable: case K::StreamDropWritable: case K::FutureDropReadable:
    case K::FutureDropWritable:
      ft.params = {I32};
      break;
    case K::WaitableJoin: ft.params = {I32, I32}; break;
    case K::SubtaskCancel: case K::StreamCancelRead: case K::StreamCancelWrite:
    case K::FutureCancelRead: case K::FutureCancelWrite: case K::ThreadSuspendThenResume:
    case K::ThreadYieldThenResume: case K::ThreadSuspendThenPromote: case K::ThreadYieldThenPromote:
      ft = {{I32}, {I32}};
      break;
    case K::StreamNew: case K::FutureNew: ft.results = {ValType::I64}; break;
    case K::StreamRead: case K::StreamWrite: ft = {{I32, I32, I32}, {I32}}; break;
    case K::FutureRead: case K::FutureWrite: ft = {{I32, I32}, {I32}}; break;
    case K::ErrorContextNew: ft = {{I32, I32}, {I32}}; break;
    case K::ErrorContextDebugMessage: ft.params = {I32, I32}; break;
    case K::ThreadNewIndirect: ft = {{I32, I32}, {I32}}; break;
    default:
      return make_error(ErrorKind::Unlinkable, k.offset, fmt::format("canon {} is not supported yet", canon_kind_name(k.kind)));
  }
  bool needs_memory = k.kind == K::WaitableSetWait || k.kind == K::WaitableSetPoll ||
                      k.kind == K::ErrorContextNew || k.kind == K::ErrorContextDebugMessage ||
                      ((k.kind == K::StreamRead || k.kind == K::StreamWrite || k.kind == K::FutureRead ||
                        k.kind == K::FutureWrite) && env.payload);
  if (needs_memory && !env.memory && !env.opts.memory)
    return make_error(ErrorKind::Invalid, k.offset, fmt::format("canon {}: canonical option `memory` is required", canon_kind_name(k.kind)));
  if (!env.memory) env.memory = env.opts.memory;
  auto b = std::make_shared<Builtin>(Builtin{k, std::move(env), inst});
  return store.create_host_func(ft, [b](HostContext&, uint64_t* slots) { return b->run(slots); });
}

FuncInstance* make_async_lower(Store& store, InstanceState* caller, std::shared_ptr<ComponentFunc> callee,
                               AbiOptions opts) {
  std::vector<FlatType> params = flatten_all(callee->sig.params);
  if (params.size() > kMaxFlatAsyncParams) params = {FlatType::I32};
  size_t nparams = params.size();
  bool has_results = !callee->sig.results.empty();
  wsvm::FuncType ft;
  for (FlatType f : params) ft.params.push_back(f == FlatType::I32 ? ValType::I32 : f == FlatType::I64 ? ValType::I64 : f == FlatType::F32 ? ValType::F32 : ValType::F64);
  if (has_results) ft.params.push_back(ValType::I32);
  ft.results = {ValType::I32};
  Store* sp = &store;
  return store.create_host_func(ft, [callee, opts, caller, sp, nparams, has_results](HostContext&, uint64_t* slots) -> std::optional<Trap> {
    if (auto t = check_leave(caller)) return t;
    auto sub = std::make_shared<Subtask>();
    auto flat = std::make_shared<std::vector<FlatVal>>(slots, slots + nparams + (has_results ? 1 : 0));
    auto cx = std::make_shared<LiftLowerContext>(opts, caller, &sub->scope);
    cx->set_guest_to_guest(!callee->host);
    const ComponentFunc* f = callee.get();
    auto on_start = [sub, flat, cx, f, nparams]() -> AbiResult<std::vector<Val>> {
      FlatReader r(std::span<const FlatVal>(flat->data(), nparams));
      auto args = WSVM_TRY(cx->lift_flat_values(kMaxFlatAsyncParams, r, f->sig.params));
      sub->state = Subtask::Started;
      if (sub->on_progress) sub->on_progress();
      return args;
    };
    auto on_resolve = [sub, flat, cx, f, nparams](std::optional<std::vector<Val>> r) -> std::optional<Trap> {
      if (!r) {
        sub->state = sub->state == Subtask::Starting ? Subtask::CancelledBeforeStarted : Subtask::CancelledBeforeReturned;
      } else {
        FlatReader out(std::span<const FlatVal>(flat->data() + nparams, flat->size() - nparams));
        auto stored = cx->lower_flat_values(0, *r, f->sig.results, &out);
        if (!stored) return stored.error();
        sub->state = Subtask::Returned;
      }
      if (sub->on_progress) sub->on_progress();
      return std::nullopt;
    };
    auto task = start_call(*sp, *f, caller, std::move(on_start), std::move(on_resolve));
    if (!task) return task.error();
    if (sub->resolved()) {
      sub->deliver_resolve();
      slots[0] = Subtask::Returned;
      return std::nullopt;
    }
    sub->callee = *task;
    HandleEntry e;
    e.async = sub;
    auto i = caller->handles.add(std::move(e));
    if (!i) return i.error();
    Subtask* s = sub.get();
    uint32_t index = *i;
    sub->on_progress = [s, index] {
      s->pending = [s, index] {
        if (s->resolved() && !s->delivered) s->deliver_resolve();
        return Event{EventCode::Subtask, index, s->state};
      };
    };
    slots[0] = uint32_t(sub->state) | (index << 4);
    return std::nullopt;
  });
}

}  // namespace wsvm::component
