#include "serve/worker_pool.hpp"

#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace wsvm::serve {

struct WorkerPool::State {
  size_t stack_bytes;
  unsigned keep;
  std::mutex mutex;
  std::condition_variable work;  // a task was queued, or the pool is ending
  std::deque<std::function<void()>> tasks;
  unsigned alive = 0, idle = 0;
  bool ending = false;
  std::vector<pthread_t> running;  // every thread not joined yet
  std::vector<pthread_t> ended;    // threads that left, to join
};

namespace {

using State = WorkerPool::State;

void* worker(void* arg) {
  auto* held = static_cast<std::shared_ptr<State>*>(arg);
  std::shared_ptr<State> s = std::move(*held);
  delete held;
  std::unique_lock lock(s->mutex);
  for (;;) {
    if (!s->tasks.empty()) {
      std::function<void()> task = std::move(s->tasks.front());
      s->tasks.pop_front();
      lock.unlock();
      task();
      task = nullptr;  // the task's captures go before the thread waits again
      lock.lock();
      continue;
    }
    if (s->ending || s->idle >= s->keep) break;
    ++s->idle;
    s->work.wait(lock, [&] { return !s->tasks.empty() || s->ending; });
    --s->idle;
  }
  --s->alive;
  s->ended.push_back(pthread_self());
  return nullptr;
}

// Joins the threads that have left (their pthread_t is theirs until joined).
void reap(State& s, std::unique_lock<std::mutex>& lock) {
  std::vector<pthread_t> done;
  done.swap(s.ended);
  for (pthread_t t : done) std::erase_if(s.running, [t](pthread_t r) { return pthread_equal(r, t); });
  lock.unlock();
  for (pthread_t t : done) pthread_join(t, nullptr);
  lock.lock();
}

}  // namespace

WorkerPool::WorkerPool(size_t stack_bytes, unsigned keep) : m_state(std::make_shared<State>()) {
  m_state->stack_bytes = stack_bytes;
  m_state->keep = std::max(1u, keep);
}

WorkerPool::~WorkerPool() {
  State& s = *m_state;
  std::unique_lock lock(s.mutex);
  s.ending = true;
  s.work.notify_all();
  // Queued tasks still run: a worker leaves only once the queue is empty.
  std::vector<pthread_t> all = s.running;
  s.running.clear();
  s.ended.clear();
  lock.unlock();
  for (pthread_t t : all) pthread_join(t, nullptr);
}

bool WorkerPool::run(std::function<void()> task) {
  State& s = *m_state;
  std::unique_lock lock(s.mutex);
  if (!s.ended.empty()) reap(s, lock);
  s.tasks.push_back(std::move(task));
  // Idle workers not yet woken by earlier tasks take this one.
  if (s.idle >= s.tasks.size()) {
    s.work.notify_one();
    return true;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, s.stack_bytes);
  auto* arg = new std::shared_ptr<State>(m_state);
  pthread_t t;
  int e = pthread_create(&t, &attr, worker, arg);
  pthread_attr_destroy(&attr);
  if (e != 0) {
    delete arg;
    s.tasks.pop_back();
    return false;
  }
  ++s.alive;
  s.running.push_back(t);
  return true;
}

unsigned WorkerPool::threads() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->alive;
}

unsigned default_worker_count() { return 4 * std::max(1u, std::thread::hardware_concurrency()); }

}  // namespace wsvm::serve
