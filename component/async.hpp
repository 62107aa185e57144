// The async canonical ABI's runtime state (issue 23 item 1): tasks, subtasks, waitable sets,
// stream and future ends over a shared buffer, error contexts, and the event loop that runs
// waiting tasks. Spec: ../shared/component-model-spec/Concurrency.md and definitions.py
// ("Waitable State", "Subtask State", "Stream State", "Future State", canon_lift's callback
// loop, the canon built-ins).
//
// Design: no stack switching. A task lifted with a `callback` never blocks inside core code:
// its state between callbacks is a Waiter in the Scheduler, which calls the callback when the
// waiter is ready. Core code that blocks (waitable-set.wait, a synchronous stream read, a
// synchronous call of an async function, in a task whose type is `async`) runs the event loop
// on its own native stack until what it waits for is ready (`block_until`); only the
// innermost blocked call can resume, so a wait that needs an outer blocked call to go on
// first ends as a deadlock trap. Tasks whose function type is not `async` (and start
// functions) may never block: "cannot block a synchronous task before returning".
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "component/abi.hpp"
#include "component/fiber.hpp"

namespace wsvm {
class Store;
}

namespace wsvm::component {

struct ComponentFunc;

enum class EventCode : uint32_t {
  None = 0, Subtask = 1, StreamRead = 2, StreamWrite = 3, FutureRead = 4, FutureWrite = 5,
  TaskCancelled = 6,
};
struct Event {
  EventCode code = EventCode::None;
  uint32_t p1 = 0, p2 = 0;
};

inline constexpr uint32_t kBlocked = 0xffffffffu;
inline constexpr size_t kMaxFlatAsyncParams = 4;

// What a handle table slot holds besides a resource handle.
enum class AsyncKind : uint8_t {
  WaitableSet, Subtask, StreamReadable, StreamWritable, FutureReadable, FutureWritable,
  ErrorContext,
};
const char* async_kind_name(AsyncKind k);

struct AsyncHandle {
  explicit AsyncHandle(AsyncKind k) : kind(k) {}
  virtual ~AsyncHandle() = default;
  AsyncKind kind;
};

struct WaitableSet;

// Something a task can wait for: it holds at most one pending event.
struct Waitable : AsyncHandle {
  using AsyncHandle::AsyncHandle;
  ~Waitable() override { join(nullptr); }
  std::function<Event()> pending;
  WaitableSet* wset = nullptr;
  bool has_sync_waiter = false;
  bool has_pending() const { return bool(pending); }
  Event take_pending() {
    auto f = std::move(pending);
    pending = nullptr;
    return f();
  }
  void join(WaitableSet* s);
};

struct WaitableSet : AsyncHandle {
  WaitableSet() : AsyncHandle(AsyncKind::WaitableSet) {}
  ~WaitableSet() override;
  std::vector<Waitable*> elems;
  uint32_t num_waiting = 0;
  bool has_pending() const;
  Event take_pending();  // the first member (in join order) with an event
};

struct ErrorContextObj : AsyncHandle {
  explicit ErrorContextObj(std::string m) : AsyncHandle(AsyncKind::ErrorContext), message(std::move(m)) {}
  std::string message;
};

struct Task;

// The caller's view of a call it made with `canon lower async` (or a synchronous one).
struct Subtask : Waitable {
  enum State : uint32_t {
    Starting = 0, Started = 1, Returned = 2, CancelledBeforeStarted = 3, CancelledBeforeReturned = 4,
  };
  Subtask() : Waitable(AsyncKind::Subtask) {}
  State state = Starting;
  bool cancellation_requested = false;
  bool delivered = false;  // resolve_delivered: the caller has seen the resolution
  CallScope scope;         // the owned handles the caller lent to this call
  std::shared_ptr<Task> callee;
  std::function<void()> on_progress;  // set once the caller holds it in its table
  bool resolved() const { return state >= Returned; }
  void deliver_resolve() {
    scope.release_lenders();
    delivered = true;
  }
};

// ---- streams and futures ---------------------------------------------------------------------

// A guest's buffer given to stream/future read or write: `length` elements of `t` at `ptr`.
// (The host's side of a copy is a HostBuffer, host_channel.hpp: values, not guest memory.)
struct GuestBuffer {
  virtual ~GuestBuffer() = default;
  VTypeP t;  // null: stream/future without a payload type
  AbiOptions opts;
  InstanceState* inst = nullptr;
  uint32_t ptr = 0, length = 0, progress = 0;
  uint32_t remain() const { return length - progress; }
  virtual AbiResult<std::vector<Val>> read(uint32_t n);
  virtual std::optional<Trap> write(const std::vector<Val>& vs);
  // The same for a u8 payload, as bytes (a memcpy from or into the guest's memory).
  virtual std::optional<Trap> read_bytes(uint32_t n, std::vector<uint8_t>& out);
  virtual std::optional<Trap> write_bytes(std::span<const uint8_t> bytes);
};

enum class CopyResult : uint32_t { Completed = 0, Dropped = 1, Cancelled = 2 };
enum class CopyState : uint8_t { Idle, Copying, CancellingCopy, Done };

using OnCopyDone = std::function<void(CopyResult)>;
using OnCopy = std::function<void(std::function<void()> reclaim)>;

// The state a readable and a writable end share: at most one side's buffer waits for the
// other (definitions.py's SharedStreamImpl / SharedFutureImpl).
struct SharedChannel {
  bool future = false;
  VTypeP t;
  std::string type_key;  // t's text, to compare the types of built-ins and ends
  bool dropped = false;
  InstanceState* pending_inst = nullptr;
  std::shared_ptr<GuestBuffer> pending;
  bool pending_is_read = false;
  OnCopy pending_on_copy;
  OnCopyDone pending_on_copy_done;
  // Runs once when either end is first dropped, inside drop() (so it may only post work to the
  // event loop): a host end that waits on something else meanwhile (a socket with no data yet,
  // a listener with no connection) stops waiting then, instead of holding its source open.
  std::function<void()> on_drop;

  void reset_pending() {
    pending_inst = nullptr, pending.reset(), pending_on_copy = nullptr, pending_on_copy_done = nullptr;
  }
  void set_pending(InstanceState* inst, std::shared_ptr<GuestBuffer> b, bool is_read, OnCopy oc, OnCopyDone ocd) {
    pending_inst = inst, pending = std::move(b), pending_is_read = is_read;
    pending_on_copy = std::move(oc), pending_on_copy_done = std::move(ocd);
  }
  void reset_and_notify_pending(CopyResult r) {
    OnCopyDone f = std::move(pending_on_copy_done);
    reset_pending();
    if (f) f(r);
  }
  void cancel() { reset_and_notify_pending(CopyResult::Cancelled); }
  void drop();
  // A read (`reading`) or write of `mine`: copies now if the other side waits, else waits.
  std::optional<Trap> copy(InstanceState* inst, std::shared_ptr<GuestBuffer> mine, bool reading,
                           OnCopy on_copy, OnCopyDone done);
};

// One end of a stream or future in an instance's table.
struct CopyEnd : Waitable {
  CopyEnd(AsyncKind k, std::shared_ptr<SharedChannel> s) : Waitable(k), shared(std::move(s)) {}
  std::shared_ptr<SharedChannel> shared;
  CopyState state = CopyState::Idle;
  bool copying() const { return state == CopyState::Copying || state == CopyState::CancellingCopy; }
  bool readable() const { return kind == AsyncKind::StreamReadable || kind == AsyncKind::FutureReadable; }
};

// ---- tasks and the event loop ----------------------------------------------------------------

using OnStart = std::function<AbiResult<std::vector<Val>>()>;
using OnResolve = std::function<std::optional<Trap>(std::optional<std::vector<Val>>)>;

struct Waiter;

// One call of a lifted function (definitions.py's Task with its implicit thread).
struct Task : std::enable_shared_from_this<Task> {
  enum class State : uint8_t { Initial, Started, PendingCancel, CancelDelivered, Resolved };
  State state = State::Initial;
  Store* store = nullptr;
  const ComponentFunc* f = nullptr;
  InstanceState* inst = nullptr;
  std::shared_ptr<Task> supertask;  // the calling task (null: called by the host)
  CallScope scope;                  // borrows given to this call
  std::array<uint64_t, 2> context{};
  OnStart on_start;
  OnResolve on_resolve;
  Waiter* waiter = nullptr;  // while it waits in the scheduler
  bool from_guest = false;   // called through a lowered import (fused-adapter trap words)
  bool exited = false;
  bool entered_core = false;  // a trap before the core function ran does not poison
  // An `async` task runs on its own fiber, so it can block and give its caller control back.
  std::shared_ptr<Fiber> fiber;
  bool wake_cancelled = false;     // set by the waiter that resumes it
  uint32_t thread_index = 0;       // its implicit thread in the instance's thread table (0: none yet)
  // A host function's call (ComponentFunc::host_async): how to cancel it (subtask.cancel),
  // set by the host while the call is in flight; it resolves the call (with none: cancelled).
  std::function<void()> host_cancel;

  bool async_type() const;
  bool needs_exclusive() const;  // sync-lifted or callback-lifted async function
  // May this task's core code block now? (async function types only)
  bool may_block() const { return async_type(); }
  std::optional<Trap> return_(std::vector<Val> result);
  std::optional<Trap> cancel();
};

struct Waiter {
  std::shared_ptr<Task> task;
  std::shared_ptr<Fiber> fiber;  // the suspended fiber (a task's, or a thread's)
  std::function<bool()> ready;
  std::function<std::optional<Trap>(bool cancelled)> resume;
  bool cancellable = false;
};

// A thread made by `thread.new-indirect` (🧵): a fiber of its task running a function of the
// instance's table with one argument; `index` in the instance's thread table.
struct GuestThread {
  std::shared_ptr<Fiber> fiber;  // null: a task's implicit thread (thread.index of a task)
  Task* task = nullptr;
  uint32_t index = 0;
  bool started = false;
};

// Starts a call of `f` (lifted or host) made by `caller_task`'s instance `caller` (both null
// for the host): enters the callee (or queues it behind backpressure) and runs it until it
// resolves or first waits. The task resolves through its on_resolve.
AbiResult<std::shared_ptr<Task>> start_call(Store& store, const ComponentFunc& f, InstanceState* caller,
                                            OnStart on_start, OnResolve on_resolve);

// Runs waiting tasks until `done()` holds. `task`: the task of the core code that blocks
// (null: the host, which may always wait). Traps when the task may not block, or when no
// waiting task can run ("deadlock detected"). `cancellable`: also stop (returning true) when
// a cancellation of `task` is pending.
AbiResult<bool> block_until(Task* task, const std::function<bool()>& done, bool cancellable = false);

// The host waits: runs waiting tasks until `done()` holds ("deadlock detected" when none can),
// turning the event loop when none is ready. With `store`, its interrupt flag (the runner's
// timeout) ends the wait too (TrapKind::Interrupted), even while the loop waits for a timer.
AbiResult<void> run_until(const std::function<bool()>& done, Store* store = nullptr);

// thread.yield: the task's fiber lets every other ready task run first (true: cancelled).
AbiResult<bool> yield_once(Task* task, bool cancellable);

// thread.suspend / resume-later / yield-then-resume / suspend-then-resume on `th` from task
// `task` (see async.cpp for how far they go without a scheduler of threads).
AbiResult<bool> thread_suspend(Task* task, bool cancellable);
std::optional<Trap> thread_resume_later(Task* task, const std::shared_ptr<GuestThread>& th);
AbiResult<bool> thread_switch_to(Task* task, const std::shared_ptr<GuestThread>& th);

class EventLoop;
// The event loop of this thread's scheduler: host code registers timers, fd watches and
// posted work there; run_until waits on it when no task is ready.
EventLoop& host_loop();

// Requests cancellation of `task` on behalf of its caller (subtask.cancel).
std::optional<Trap> request_cancellation(const std::shared_ptr<Task>& task);

// Forgets every waiting task of these instances (their component instance is gone).
void forget_waiters(const std::vector<InstanceState*>& insts);

}  // namespace wsvm::component
