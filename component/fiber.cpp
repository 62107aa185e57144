// Fibers on OS threads handing control back and forth (see fiber.hpp).
#include "component/fiber.hpp"

#include <system_error>

#include "runtime/native_stack.hpp"
#include "runtime/store.hpp"

namespace wsvm::component {

namespace {
thread_local Fiber* t_current = nullptr;
}  // namespace

void*& current_scheduler_slot() {
  thread_local void* slot = nullptr;
  return slot;
}

Fiber* Fiber::current() { return t_current; }

Fiber::Fiber(Store& store, std::function<std::optional<Trap>()> body) : m_store(store), m_body(std::move(body)) {}

Fiber::~Fiber() { stop(); }

void Fiber::stop() {
  if (!m_thread.joinable()) return;
  if (std::this_thread::get_id() == m_thread.get_id()) {  // dropped by its own last frames
    m_thread.detach();
    return;
  }
  if (!m_finished) {
    m_killed = true;
    resume();
  }
  m_thread.join();
}

void Fiber::enter_context() {
  ExecContext& ctx = m_store.exec();
  m_saved_stack_limit = ctx.native_stack_limit;
  ctx.native_stack_limit = m_stack_limit;
  m_saved_depth = ctx.call_depth;
  ctx.call_depth = m_depth;
  std::swap(ctx.engine_state, m_engine_state);
}

void Fiber::leave_context() {
  ExecContext& ctx = m_store.exec();
  ctx.native_stack_limit = m_saved_stack_limit;
  m_depth = ctx.call_depth;
  ctx.call_depth = m_saved_depth;
  std::swap(ctx.engine_state, m_engine_state);
}

void Fiber::run() {
  {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [this] { return m_fiber_turn; });
  }
  t_current = this;
  current_scheduler_slot() = m_scheduler;
  m_stack_limit = native_stack_limit_for_this_thread();
  enter_context();
  if (!m_killed) m_trap = m_body();
  leave_context();
  std::lock_guard lock(m_mutex);
  m_finished = true;
  m_fiber_turn = false;
  m_cv.notify_all();
}

void Fiber::resume() {
  std::unique_lock lock(m_mutex);
  if (m_finished) return;
  m_fiber_turn = true;
  if (!m_thread.joinable()) {
    m_scheduler = current_scheduler_slot();
    try {
      m_thread = std::thread([this] { run(); });
    } catch (const std::system_error&) {  // out of threads or memory: the task cannot run
      m_failed = m_finished = true;
      m_fiber_turn = false;
      return;
    }
  }
  m_cv.notify_all();
  m_cv.wait(lock, [this] { return !m_fiber_turn; });
}

bool Fiber::suspend() {
  if (m_killed) return false;  // unwinding after a kill: never wait again
  leave_context();
  {
    std::unique_lock lock(m_mutex);
    m_fiber_turn = false;
    m_cv.notify_all();
    m_cv.wait(lock, [this] { return m_fiber_turn; });
  }
  enter_context();
  return !m_killed;
}

}  // namespace wsvm::component
