// `[scaling]` of a manifest, `wsvm serve --min-instances N --max-instances N`: how many
// instances a server keeps ready and how many may run at once. Every request still gets a
// fresh instance of its own (an instance serves one request: concurrency 1).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>

#include "runner/runner.hpp"

namespace wsvm::serve {

// At most `max` instances at once: a request past it waits for one to end.
class InstanceGate {
 public:
  explicit InstanceGate(size_t max) : m_max(max) {}
  void enter();
  void leave();

  // Holds a place for one instance's lifetime.
  struct Place {
    explicit Place(InstanceGate* gate) : m_gate(gate) {
      if (m_gate) m_gate->enter();
    }
    ~Place() {
      if (m_gate) m_gate->leave();
    }
    Place(const Place&) = delete;
    Place& operator=(const Place&) = delete;
    InstanceGate* m_gate;
  };

 private:
  std::mutex m_mutex;
  std::condition_variable m_freed;
  size_t m_max, m_running = 0;
};

// Before serving: compiles what the first instantiation compiles (a component's core
// modules), makes the memory images (runtime/module_images.hpp) and leaves `n` reset
// memories per image in the pool, by instantiating once and then `n` instances at once and
// tearing them down. An error line when an instance cannot be made.
std::optional<std::string> prewarm(const std::shared_ptr<const runner::Program>& program,
                                   const runner::RunRequest& base, size_t n);

}  // namespace wsvm::serve
