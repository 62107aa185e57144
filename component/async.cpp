// Tasks, waitables, streams/futures and the event loop of the async canonical ABI (see
// async.hpp for the design; definitions.py for the rules each function follows).
#include "component/async.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "component/instance.hpp"

namespace wsvm::component {

const char* async_kind_name(AsyncKind k) {
  switch (k) {
    case AsyncKind::WaitableSet: return "waitable set";
    case AsyncKind::Subtask: return "subtask";
    case AsyncKind::StreamReadable: return "readable stream end";
    case AsyncKind::StreamWritable: return "writable stream end";
    case AsyncKind::FutureReadable: return "readable future end";
    case AsyncKind::FutureWritable: return "writable future end";
    case AsyncKind::ErrorContext: return "error context";
  }
  return "?";
}

// ---- waitables -------------------------------------------------------------------------------

void Waitable::join(WaitableSet* s) {
  if (wset) std::erase(wset->elems, this);
  wset = s;
  if (s) s->elems.push_back(this);
}

WaitableSet::~WaitableSet() {
  for (Waitable* w : elems) w->wset = nullptr;
}

bool WaitableSet::has_pending() const {
  return std::any_of(elems.begin(), elems.end(), [](const Waitable* w) { return w->has_pending(); });
}

Event WaitableSet::take_pending() {
  for (Waitable* w : elems)
    if (w->has_pending()) return w->take_pending();
  return {};
}

// ---- buffers and the shared channel ----------------------------------------------------------

AbiResult<std::vector<Val>> GuestBuffer::read(uint32_t n) {
  std::vector<Val> out;
  if (!t) {
    out.resize(n);
    progress += n;
    return out;
  }
  LiftLowerContext cx(opts, inst, nullptr);
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) out.push_back(WSVM_TRY(cx.load(ptr + i * t->size, *t)));
  ptr += n * t->size;
  progress += n;
  return out;
}

std::optional<Trap> GuestBuffer::write(const std::vector<Val>& vs) {
  if (t) {
    LiftLowerContext cx(opts, inst, nullptr);
    for (size_t i = 0; i < vs.size(); ++i)
      if (auto tr = cx.store(vs[i], *t, ptr + uint32_t(i) * t->size)) return tr;
    ptr += uint32_t(vs.size()) * t->size;
  }
  progress += uint32_t(vs.size());
  return std::nullopt;
}

void SharedChannel::drop() {
  if (dropped) return;
  dropped = true;
  if (pending) reset_and_notify_pending(CopyResult::Dropped);
}

namespace {

// Copies min(remaining) elements from `src` to `dst`.
std::optional<Trap> copy_between(GuestBuffer& src, GuestBuffer& dst, uint32_t n) {
  auto vs = src.read(n);
  if (!vs) return vs.error();
  return dst.write(*vs);
}

bool numeric_or_none(const VTypeP& t) {
  if (!t) return true;
  switch (t->kind) {
    case VKind::U8: case VKind::U16: case VKind::U32: case VKind::U64: case VKind::S8:
    case VKind::S16: case VKind::S32: case VKind::S64: case VKind::F32: case VKind::F64:
      return true;
    default: return false;
  }
}

}  // namespace

std::optional<Trap> SharedChannel::read(InstanceState* inst, std::shared_ptr<GuestBuffer> dst,
                                        OnCopy on_copy, OnCopyDone done) {
  if (future) {
    if (!pending) {
      set_pending(inst, std::move(dst), true, nullptr, std::move(done));
      return std::nullopt;
    }
    if (inst == pending_inst && !numeric_or_none(t))
      return abi_trap("cannot read from and write to intra-component future");
    if (auto tr = copy_between(*pending, *dst, 1)) return tr;
    reset_and_notify_pending(CopyResult::Completed);
    done(CopyResult::Completed);
    return std::nullopt;
  }
  if (dropped) {
    done(CopyResult::Dropped);
    return std::nullopt;
  }
  if (!pending) {
    set_pending(inst, std::move(dst), true, std::move(on_copy), std::move(done));
    return std::nullopt;
  }
  if (inst == pending_inst && !numeric_or_none(t))
    return abi_trap("cannot read from and write to intra-component stream");
  if (pending->remain() > 0) {
    if (dst->remain() > 0) {
      if (auto tr = copy_between(*pending, *dst, std::min(dst->remain(), pending->remain()))) return tr;
      OnCopy oc = pending_on_copy;
      oc([this] { reset_pending(); });
    }
    done(CopyResult::Completed);
  } else {
    reset_and_notify_pending(CopyResult::Completed);
    set_pending(inst, std::move(dst), true, std::move(on_copy), std::move(done));
  }
  return std::nullopt;
}

std::optional<Trap> SharedChannel::write(InstanceState* inst, std::shared_ptr<GuestBuffer> src,
                                         OnCopy on_copy, OnCopyDone done) {
  if (dropped) {
    done(CopyResult::Dropped);
    return std::nullopt;
  }
  if (!pending) {
    set_pending(inst, std::move(src), false, std::move(on_copy), std::move(done));
    return std::nullopt;
  }
  if (inst == pending_inst && !numeric_or_none(t))
    return abi_trap(future ? "cannot read from and write to intra-component future"
                           : "cannot read from and write to intra-component stream");
  if (future) {
    if (auto tr = copy_between(*src, *pending, 1)) return tr;
    reset_and_notify_pending(CopyResult::Completed);
    done(CopyResult::Completed);
    return std::nullopt;
  }
  if (pending->remain() > 0) {
    if (src->remain() > 0) {
      if (auto tr = copy_between(*src, *pending, std::min(src->remain(), pending->remain()))) return tr;
      OnCopy oc = pending_on_copy;
      oc([this] { reset_pending(); });
    }
    done(CopyResult::Completed);
  } else if (src->length == 0 && pending->length == 0) {
    done(CopyResult::Completed);
  } else {
    reset_and_notify_pending(CopyResult::Completed);
    set_pending(inst, std::move(src), false, std::move(on_copy), std::move(done));
  }
  return std::nullopt;
}

// ---- tasks -----------------------------------------------------------------------------------

bool Task::async_type() const { return f->sig.async; }

bool Task::needs_exclusive() const { return async_type() && (!f->async_lift || f->callback); }

std::optional<Trap> Task::return_(std::vector<Val> result) {
  if (state == State::Resolved) return abi_trap("task.return called more than once");
  if (auto t = scope.check_borrows_dropped()) return t;
  state = State::Resolved;
  return on_resolve(std::move(result));
}

std::optional<Trap> Task::cancel() {
  if (state != State::CancelDelivered)
    return abi_trap("`task.cancel` called by a task which has not been cancelled");
  if (auto t = scope.check_borrows_dropped()) return t;
  state = State::Resolved;
  return on_resolve(std::nullopt);
}

namespace {

struct Scheduler {
  std::vector<std::unique_ptr<Waiter>> waiting;
};

Scheduler& scheduler() {
  thread_local Scheduler s;
  return s;
}

Trap deadlock() { return abi_trap("deadlock detected: event loop cannot make further progress"); }

void add_waiter(const std::shared_ptr<Task>& t, std::function<bool()> ready,
                std::function<std::optional<Trap>(bool)> resume, bool cancellable) {
  auto w = std::make_unique<Waiter>(Waiter{t, std::move(ready), std::move(resume), cancellable});
  t->waiter = w.get();
  scheduler().waiting.push_back(std::move(w));
}

std::unique_ptr<Waiter> take_waiter(Waiter* w) {
  auto& v = scheduler().waiting;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i].get() != w) continue;
    std::unique_ptr<Waiter> out = std::move(v[i]);
    v.erase(v.begin() + long(i));
    out->task->waiter = nullptr;
    return out;
  }
  return nullptr;
}

// Resumes the oldest ready waiter; false when none is ready.
AbiResult<bool> run_one() {
  auto& v = scheduler().waiting;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i]->ready()) continue;
    std::unique_ptr<Waiter> w = take_waiter(v[i].get());
    if (auto t = w->resume(false)) return std::unexpected(*t);
    return true;
  }
  return false;
}

// Runs core function `fn` as task `t` (the instance's current task while it runs).
std::optional<Trap> call_in_task(Task& t, FuncInstance* fn, std::vector<uint64_t>& slots) {
  Task* saved = t.inst->current_task;
  t.inst->current_task = &t;
  t.entered_core = true;
  auto r = call_core_func(*t.store, fn, slots);
  t.inst->current_task = saved;
  return r;
}

std::optional<Trap> exit_task(Task& t) {
  t.exited = true;
  if (t.needs_exclusive() && t.inst->exclusive == &t) t.inst->exclusive = nullptr;
  if (t.state != Task::State::Resolved)
    return abi_trap(t.f->callback ? "async-lifted export exited without calling task.return or task.cancel"
                                  : "async-lifted export failed to produce a result");
  return std::nullopt;
}

std::optional<Trap> callback_loop(const std::shared_ptr<Task>& tp, uint32_t packed);

std::optional<Trap> call_callback(const std::shared_ptr<Task>& tp, Event e) {
  std::vector<uint64_t> slots{uint32_t(e.code), e.p1, e.p2};
  if (auto t = call_in_task(*tp, tp->f->callback, slots)) return t;
  return callback_loop(tp, uint32_t(slots[0]));
}

// definitions.py's canon_lift loop over the callback's packed results: EXIT ends the task;
// YIELD and WAIT give the instance up and wait in the scheduler for the next event.
std::optional<Trap> callback_loop(const std::shared_ptr<Task>& tp, uint32_t packed) {
  Task& t = *tp;
  InstanceState* inst = t.inst;
  uint32_t code = packed & 0xf, si = packed >> 4;
  if (code > 2) return abi_trap(fmt::format("unsupported callback code: {}", code));
  if (code == 0) return exit_task(t);
  inst->exclusive = nullptr;
  std::shared_ptr<WaitableSet> ws;
  if (code == 2) {
    auto e = inst->handles.get(si);
    if (!e) return e.error();
    if (!(*e)->async || (*e)->async->kind != AsyncKind::WaitableSet)
      return abi_trap(fmt::format("handle index {} is not a waitable set", si));
    ws = std::static_pointer_cast<WaitableSet>((*e)->async);
  }
  if (t.state == Task::State::PendingCancel) {
    t.state = Task::State::CancelDelivered;
    inst->exclusive = &t;
    return call_callback(tp, Event{EventCode::TaskCancelled, 0, 0});
  }
  if (ws) ++ws->num_waiting;
  add_waiter(tp, [inst, ws] { return !inst->exclusive && (!ws || ws->has_pending()); },
             [tp, ws, inst](bool cancelled) -> std::optional<Trap> {
               inst->exclusive = tp.get();
               Event e;
               if (ws) --ws->num_waiting;
               if (cancelled) e = Event{EventCode::TaskCancelled, 0, 0};
               else if (ws) e = ws->take_pending();
               return call_callback(tp, e);
             },
             true);
  return std::nullopt;
}

// The implicit thread of a task once it may enter: lower the arguments, run the core
// function, and (sync) lift its results or (callback) enter the callback loop.
std::optional<Trap> run_task(const std::shared_ptr<Task>& tp) {
  Task& t = *tp;
  const ComponentFunc& f = *t.f;
  if (t.needs_exclusive()) t.inst->exclusive = &t;
  t.state = Task::State::Started;
  auto args = t.on_start();
  if (!args) return args.error();
  LiftLowerContext cx(f.opts, f.inst, &t.scope);
  cx.set_guest_to_guest(t.from_guest);
  auto flat = cx.lower_flat_values(kMaxFlatParams, *args, f.sig.params);
  if (!flat) return flat.error();
  std::vector<uint64_t> slots = std::move(*flat);
  if (!f.async_lift) {
    if (auto tr = call_in_task(t, f.core, slots)) return tr;
    std::vector<uint64_t> flat_results(slots.begin(), slots.begin() + f.core->result_slots);
    FlatReader r(flat_results);
    auto results = cx.lift_flat_values(kMaxFlatResults, r, f.sig.results);
    if (!results) return results.error();
    if (auto tr = t.return_(std::move(*results))) return tr;
    if (f.post_return) {
      f.inst->may_leave = false;
      auto tr = call_in_task(t, f.post_return, flat_results);
      f.inst->may_leave = true;
      if (tr) return tr;
    }
    return exit_task(t);
  }
  if (!f.callback) {
    if (auto tr = call_in_task(t, f.core, slots)) return tr;
    return exit_task(t);
  }
  if (auto tr = call_in_task(t, f.core, slots)) return tr;
  return callback_loop(tp, uint32_t(slots[0]));
}

bool related(const InstanceState* a, const InstanceState* b) {
  for (const InstanceState* p = a; p; p = p->parent)
    if (p == b) return true;
  for (const InstanceState* p = b; p; p = p->parent)
    if (p == a) return true;
  return false;
}

// definitions.py's entering_set: the callee and its ancestors, minus the caller's.
std::vector<InstanceState*> entering_set(InstanceState* callee, InstanceState* caller) {
  std::vector<InstanceState*> caller_chain, out;
  for (InstanceState* p = caller; p; p = p->parent) caller_chain.push_back(p);
  for (InstanceState* p = callee; p; p = p->parent)
    if (std::find(caller_chain.begin(), caller_chain.end(), p) == caller_chain.end()) out.push_back(p);
  return out;
}

}  // namespace

AbiResult<std::shared_ptr<Task>> start_call(Store& store, const ComponentFunc& f, InstanceState* caller,
                                            OnStart on_start, OnResolve on_resolve) {
  auto tp = std::make_shared<Task>();
  Task& t = *tp;
  t.store = &store;
  t.f = &f;
  t.inst = f.inst;
  t.on_start = std::move(on_start);
  t.on_resolve = std::move(on_resolve);
  t.from_guest = caller != nullptr;
  if (f.host) {
    t.state = Task::State::Started;
    auto args = WSVM_TRY(t.on_start());
    auto results = WSVM_TRY(f.host(args));
    t.state = Task::State::Resolved;
    if (auto tr = t.on_resolve(std::move(results))) return std::unexpected(*tr);
    return tp;
  }
  Task* caller_task = caller ? caller->current_task : nullptr;
  if (caller_task) t.supertask = caller_task->shared_from_this();
  // Reentrance: an instance (or its parent or child) already on this async call stack may
  // not be entered again, and neither may one that a call is synchronously inside.
  for (Task* x = caller_task; x; x = x->supertask.get())
    if (related(x->inst, f.inst)) return std::unexpected(abi_trap("cannot enter component instance"));
  std::vector<InstanceState*> entering = entering_set(f.inst, caller);
  for (InstanceState* s : entering)
    if (!s->may_enter) return std::unexpected(abi_trap("cannot enter component instance"));
  for (InstanceState* s : entering) s->may_enter = false;
  std::optional<Trap> trap;
  InstanceState* inst = f.inst;
  auto has_backpressure = [tp, inst] {
    return inst->backpressure > 0 || (tp->needs_exclusive() && inst->exclusive != nullptr);
  };
  if (t.async_type() && (has_backpressure() || inst->num_waiting_to_enter > 0)) {
    ++inst->num_waiting_to_enter;
    add_waiter(tp, [has_backpressure] { return !has_backpressure(); },
               [tp, inst](bool cancelled) -> std::optional<Trap> {
                 --inst->num_waiting_to_enter;
                 if (cancelled) return tp->cancel();
                 return run_task(tp);
               },
               true);
  } else {
    trap = run_task(tp);
  }
  // A trap in the callee's code leaves the instances entered: poisoned, as wasmtime does.
  if (trap && !t.entered_core)
    for (InstanceState* s : entering) s->may_enter = true;
  if (trap) return std::unexpected(*trap);
  for (InstanceState* s : entering) s->may_enter = true;
  return tp;
}

AbiResult<bool> block_until(Task* task, const std::function<bool()>& done, bool cancellable) {
  if (done()) return false;
  if (!task || !task->may_block()) return std::unexpected(abi_trap("cannot block a synchronous task before returning"));
  while (!done()) {
    if (cancellable && task->state == Task::State::PendingCancel) {
      task->state = Task::State::CancelDelivered;
      return true;
    }
    if (!WSVM_TRY(run_one())) return std::unexpected(deadlock());
  }
  return false;
}

AbiResult<void> run_until(const std::function<bool()>& done) {
  while (!done())
    if (!WSVM_TRY(run_one())) return std::unexpected(deadlock());
  return {};
}

std::optional<Trap> yield_once(Task* task) {
  if (!task || !task->may_block()) return std::nullopt;
  if (auto r = run_one(); !r) return r.error();
  return std::nullopt;
}

std::optional<Trap> request_cancellation(const std::shared_ptr<Task>& tp) {
  Task& t = *tp;
  if (t.state == Task::State::Initial) {
    t.state = Task::State::CancelDelivered;
    if (!t.waiter) return std::nullopt;
    auto w = take_waiter(t.waiter);
    return w->resume(true);
  }
  if (t.state != Task::State::Started) return std::nullopt;
  bool free = !t.needs_exclusive() || t.inst->exclusive == nullptr || t.inst->exclusive == &t;
  if (t.waiter && t.waiter->cancellable && free) {
    t.state = Task::State::CancelDelivered;
    auto w = take_waiter(t.waiter);
    return w->resume(true);
  }
  t.state = Task::State::PendingCancel;
  return std::nullopt;
}

void forget_waiters(const std::vector<InstanceState*>& insts) {
  auto& v = scheduler().waiting;
  std::erase_if(v, [&](const std::unique_ptr<Waiter>& w) {
    return std::find(insts.begin(), insts.end(), w->task->inst) != insts.end();
  });
}

}  // namespace wsvm::component
