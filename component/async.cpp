// Tasks, waitables, streams/futures and the event loop of the async canonical ABI (see
// async.hpp for the design; definitions.py for the rules each function follows).
#include "component/async.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "component/event_loop.hpp"
#include "component/instance.hpp"
#include "runtime/store.hpp"

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

// A u8 buffer's bytes, checked against the memory as it is now (it only grows).
std::optional<Trap> GuestBuffer::read_bytes(uint32_t n, std::vector<uint8_t>& out) {
  if (n == 0) return std::nullopt;
  if (!opts.memory) return abi_trap("stream<u8> copy without a memory");
  std::span<uint8_t> m = opts.memory();
  if (uint64_t(ptr) + n > m.size()) return abi_trap("pointer out of bounds of memory");
  out.insert(out.end(), m.data() + ptr, m.data() + ptr + n);
  ptr += n;
  progress += n;
  return std::nullopt;
}

std::optional<Trap> GuestBuffer::write_bytes(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return std::nullopt;
  if (!opts.memory) return abi_trap("stream<u8> copy without a memory");
  std::span<uint8_t> m = opts.memory();
  if (uint64_t(ptr) + bytes.size() > m.size()) return abi_trap("pointer out of bounds of memory");
  std::copy(bytes.begin(), bytes.end(), m.data() + ptr);
  ptr += uint32_t(bytes.size());
  progress += uint32_t(bytes.size());
  return std::nullopt;
}

void SharedChannel::drop() {
  if (dropped) return;
  dropped = true;
  if (pending) reset_and_notify_pending(CopyResult::Dropped);
  if (auto f = std::exchange(on_drop, nullptr)) f();
}

namespace {

// Copies min(remaining) elements from `src` to `dst` (bytes as bytes: stream<u8> is the
// common case, stdio, files and sockets).
std::optional<Trap> copy_between(GuestBuffer& src, GuestBuffer& dst, uint32_t n) {
  if (src.t && src.t->kind == VKind::U8) {
    std::vector<uint8_t> bytes;
    bytes.reserve(n);
    if (auto tr = src.read_bytes(n, bytes)) return tr;
    return dst.write_bytes(bytes);
  }
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

// definitions.py's SharedStreamImpl/SharedFutureImpl read and write, as one rendezvous: the
// side that comes second copies between its buffer and the pending one.
std::optional<Trap> SharedChannel::copy(InstanceState* inst, std::shared_ptr<GuestBuffer> mine, bool reading,
                                        OnCopy on_copy, OnCopyDone done) {
  // (A future's reader never meets a dropped writer: the writer must write first.)
  if (dropped && !(future && reading)) {
    done(CopyResult::Dropped);
    return std::nullopt;
  }
  if (!pending) {
    set_pending(inst, std::move(mine), reading, std::move(on_copy), std::move(done));
    return std::nullopt;
  }
  if (inst == pending_inst && !numeric_or_none(t))
    return abi_trap(future ? "cannot read from and write to intra-component future"
                           : "cannot read from and write to intra-component stream");
  GuestBuffer& src = reading ? *pending : *mine;
  GuestBuffer& dst = reading ? *mine : *pending;
  if (future) {
    if (auto tr = copy_between(src, dst, 1)) return tr;
    reset_and_notify_pending(CopyResult::Completed);
    done(CopyResult::Completed);
    return std::nullopt;
  }
  if (pending->remain() > 0) {
    if (mine->remain() > 0) {
      if (auto tr = copy_between(src, dst, std::min(mine->remain(), pending->remain()))) return tr;
      OnCopy oc = pending_on_copy;
      oc([this] { reset_pending(); });
    }
    done(CopyResult::Completed);
  } else if (!reading && mine->length == 0 && pending->length == 0) {
    done(CopyResult::Completed);
  } else {
    reset_and_notify_pending(CopyResult::Completed);
    set_pending(inst, std::move(mine), reading, std::move(on_copy), std::move(done));
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
  EventLoop loop;  // what the host waits on when no task is ready
  // A thread that ends with tasks still waiting (their instances were never destroyed, e.g.
  // at exit): their Stores may be gone, so their fibers are left suspended, not unwound.
  ~Scheduler() {
    for (auto& w : waiting) {
      if (!w->fiber) continue;
      w->fiber->abandon();
      new std::shared_ptr<Fiber>(w->fiber);  // leaked on purpose: its thread still waits in it
    }
  }
};

// One scheduler per OS thread that drives components; fibers use their resumer's.
Scheduler& scheduler() {
  void*& slot = current_scheduler_slot();
  if (!slot) {
    thread_local Scheduler own;
    slot = &own;
  }
  return *static_cast<Scheduler*>(slot);
}

Trap deadlock() { return abi_trap("deadlock detected: event loop cannot make further progress"); }

void add_waiter(const std::shared_ptr<Task>& t, std::function<bool()> ready,
                std::function<std::optional<Trap>(bool)> resume, bool cancellable,
                std::shared_ptr<Fiber> fiber) {
  auto w = std::make_unique<Waiter>(Waiter{t, std::move(fiber), std::move(ready), std::move(resume), cancellable});
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

// Gives control to a fiber; its trap if it ended with one.
std::optional<Trap> resume_fiber(Fiber& f) {
  f.resume();
  if (f.failed()) return abi_trap("cannot start the async task: no thread for its stack");
  if (f.finished()) return f.take_trap();
  return std::nullopt;
}

// definitions.py's Thread.wait_until: the task's fiber suspends until `ready()` holds (or,
// if cancellable, a cancellation arrives: true). Always suspends, so others run first.
AbiResult<bool> wait_until(Task& t, std::function<bool()> ready, bool cancellable) {
  if (cancellable && t.state == Task::State::PendingCancel) {
    t.state = Task::State::CancelDelivered;
    return true;
  }
  Fiber* cur = Fiber::current();
  if (!cur) return std::unexpected(abi_trap("cannot block a synchronous task before returning"));
  std::shared_ptr<Task> tp = t.shared_from_this();
  std::shared_ptr<Fiber> fp = cur->shared_from_this();
  add_waiter(tp, std::move(ready), [tp, fp](bool cancelled) {
    tp->wake_cancelled = cancelled;
    return resume_fiber(*fp);
  }, cancellable, fp);
  if (!cur->suspend()) {
    if (t.waiter) take_waiter(t.waiter);
    return std::unexpected(abi_trap("the task was stopped: its component instance is gone"));
  }
  t.inst->current_task = &t;
  return std::exchange(t.wake_cancelled, false);
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

// definitions.py's canon_lift loop over the callback's packed results: EXIT ends the task;
// YIELD and WAIT give the instance up and wait (on the task's fiber) for the next event.
std::optional<Trap> callback_loop(Task& t, uint32_t packed) {
  InstanceState* inst = t.inst;
  for (;;) {
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
      ++ws->num_waiting;
    }
    auto cancelled = wait_until(t, [inst, ws] { return !inst->exclusive && (!ws || ws->has_pending()); }, true);
    if (ws) --ws->num_waiting;
    if (!cancelled) return cancelled.error();
    inst->exclusive = &t;
    Event e;
    if (*cancelled) e = Event{EventCode::TaskCancelled, 0, 0};
    else if (ws) e = ws->take_pending();
    std::vector<uint64_t> slots{uint32_t(e.code), e.p1, e.p2};
    if (auto tr = call_in_task(t, t.f->callback, slots)) return tr;
    packed = uint32_t(slots[0]);
  }
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
  return callback_loop(t, uint32_t(slots[0]));
}

// definitions.py's Task.enter_implicit_thread, then the task's body: an async call waits
// (cancellably) while the instance has backpressure or an exclusive task.
std::optional<Trap> enter_and_run(Task& t) {
  InstanceState* inst = t.inst;
  auto has_backpressure = [&t, inst] {
    return inst->backpressure > 0 || (t.needs_exclusive() && inst->exclusive != nullptr);
  };
  if (has_backpressure() || inst->num_waiting_to_enter > 0) {
    ++inst->num_waiting_to_enter;
    auto cancelled = wait_until(t, [has_backpressure] { return !has_backpressure(); }, true);
    --inst->num_waiting_to_enter;
    if (!cancelled) return cancelled.error();
    if (*cancelled) return t.cancel();
  }
  return run_task(t.shared_from_this());
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
  if (f.host_async) {
    // A host function that may resolve later (from the event loop): the task stays Started
    // until it calls `resolve` once.
    t.state = Task::State::Started;
    auto args = WSVM_TRY(t.on_start());
    std::weak_ptr<Task> weak = tp;
    auto resolve = [weak](std::optional<std::vector<Val>> results) -> std::optional<Trap> {
      auto task = weak.lock();
      if (!task || task->state == Task::State::Resolved) return std::nullopt;
      task->state = Task::State::Resolved;
      task->host_cancel = nullptr;
      return task->on_resolve(std::move(results));
    };
    if (auto tr = f.host_async(HostCall{f, std::move(args), std::move(resolve), &t.host_cancel}))
      return std::unexpected(*tr);
    return tp;
  }
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
  if (!t.async_type()) {
    trap = run_task(tp);  // a synchronous function never blocks: no fiber
  } else {
    Task* raw = tp.get();
    (void)scheduler();  // this thread's scheduler exists before the fiber inherits it
    t.fiber = std::make_shared<Fiber>(store, [raw] {
      auto trap = enter_and_run(*raw);
      // A trap poisons the instance and its ancestors (wasmtime: the whole store).
      if (trap && raw->entered_core)
        for (InstanceState* p = raw->inst; p; p = p->parent) p->may_enter = false;
      return trap;
    });
    trap = resume_fiber(*t.fiber);
  }
  // A trap in the callee's code leaves the instances entered: poisoned, as wasmtime does.
  if (trap && !t.entered_core)
    for (InstanceState* s : entering) s->may_enter = true;
  if (trap) return std::unexpected(*trap);
  for (InstanceState* s : entering) s->may_enter = true;
  return tp;
}

AbiResult<bool> block_until(Task* task, const std::function<bool()>& done, bool cancellable) {
  if (!task || !task->may_block()) return std::unexpected(abi_trap("cannot block a synchronous task before returning"));
  if (cancellable && task->state == Task::State::PendingCancel) {
    task->state = Task::State::CancelDelivered;
    return true;
  }
  if (done()) return false;
  // A task that has returned its result lets others into its instance while it blocks
  // synchronously (wasmtime does; the reference test sync-streams depends on it), and takes the
  // instance back before it goes on; one that has not returned keeps it (async-calls-sync).
  InstanceState* inst = task->inst;
  if (inst->exclusive != task || task->state != Task::State::Resolved)
    return wait_until(*task, done, cancellable);
  inst->exclusive = nullptr;
  auto r = wait_until(*task, [&done, inst] { return done() && !inst->exclusive; }, cancellable);
  if (r && !inst->exclusive) inst->exclusive = task;
  return r;
}

AbiResult<void> run_until(const std::function<bool()>& done, Store* store) {
  // While the loop waits no wasm runs, so the engines' interrupt checks cannot see a timeout:
  // wait in slices and look at the flag between them.
  constexpr uint64_t kSlice = 50'000'000;  // ns
  while (!done()) {
    if (store && store->interrupt_requested()) return std::unexpected(Trap::make(TrapKind::Interrupted));
    if (WSVM_TRY(run_one())) continue;
    // No task is ready: the host's timers, fds and posted work may make one ready.
    if (!scheduler().loop.run_once(store ? &kSlice : nullptr)) return std::unexpected(deadlock());
  }
  return {};
}

EventLoop& host_loop() { return scheduler().loop; }

AbiResult<bool> yield_once(Task* task, bool cancellable) {
  if (!task || !task->may_block()) return false;  // a synchronous task's yield does nothing
  return wait_until(*task, [] { return true; }, cancellable);
}

// Threads (🧵) without a scheduler of their own: a switch to another thread resumes its fiber
// from here and goes on when it suspends or ends, which is what the spec's switch does when
// that thread then switches back or blocks; a switch to the thread that resumed this one (an
// implicit thread) suspends this fiber.
AbiResult<bool> thread_suspend(Task* task, bool cancellable) {
  if (!task || !task->may_block()) return std::unexpected(abi_trap("cannot block a synchronous task before returning"));
  if (cancellable && task->state == Task::State::PendingCancel) {
    task->state = Task::State::CancelDelivered;
    return true;
  }
  Fiber* cur = Fiber::current();
  if (!cur) return std::unexpected(abi_trap("cannot block a synchronous task before returning"));
  if (!cur->suspend()) return std::unexpected(abi_trap("the thread was stopped: its component instance is gone"));
  task->inst->current_task = task;
  return false;
}

std::optional<Trap> thread_resume_later(Task* task, const std::shared_ptr<GuestThread>& th) {
  if (!th->fiber || th->fiber->finished()) return abi_trap("thread is not suspended");
  add_waiter(th->task->shared_from_this(), [] { return true; }, [th](bool) {
    th->started = true;
    return resume_fiber(*th->fiber);
  }, false, th->fiber);
  (void)task;
  return std::nullopt;
}

AbiResult<bool> thread_switch_to(Task* task, const std::shared_ptr<GuestThread>& th) {
  if (!th->fiber) {  // an implicit thread: the one this fiber was resumed by
    Fiber* cur = Fiber::current();
    if (!cur || cur == th->task->fiber.get()) return std::unexpected(abi_trap("thread is not suspended"));
    if (!cur->suspend()) return std::unexpected(abi_trap("the thread was stopped: its component instance is gone"));
    task->inst->current_task = task;
    return false;
  }
  if (th->fiber->finished()) return std::unexpected(abi_trap("thread is not suspended"));
  th->started = true;
  if (auto tr = resume_fiber(*th->fiber)) return std::unexpected(*tr);
  task->inst->current_task = task;
  return false;
}

std::optional<Trap> request_cancellation(const std::shared_ptr<Task>& tp) {
  Task& t = *tp;
  if (t.f->host_async) {  // the host's call: cancelled if it says how, else it goes on
    if (t.state != Task::State::Started || !t.host_cancel) return std::nullopt;
    auto cancel = std::move(t.host_cancel);
    t.host_cancel = nullptr;
    cancel();
    return std::nullopt;
  }
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
  std::vector<std::unique_ptr<Waiter>> gone;
  for (auto& w : v)
    if (std::find(insts.begin(), insts.end(), w->task->inst) != insts.end()) gone.push_back(std::move(w));
  std::erase(v, nullptr);
  // Stop their fibers: each unwinds from its wait with a trap, then ends.
  for (auto& w : gone) {
    w->task->waiter = nullptr;
    if (w->fiber) w->fiber->stop();
  }
  // Threads never started or suspended outside the scheduler (thread.suspend) end too.
  for (InstanceState* i : insts)
    for (auto& th : i->threads)
      if (th && th->fiber) th->fiber->stop();
}

}  // namespace wsvm::component
