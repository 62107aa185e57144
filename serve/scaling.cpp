#include "serve/scaling.hpp"

#include <memory>
#include <vector>

namespace wsvm::serve {

void InstanceGate::enter() {
  std::unique_lock lock(m_mutex);
  m_freed.wait(lock, [&] { return m_running < m_max; });
  ++m_running;
}

void InstanceGate::leave() {
  {
    std::lock_guard lock(m_mutex);
    --m_running;
  }
  m_freed.notify_one();
}

std::optional<std::string> prewarm(const std::shared_ptr<const runner::Program>& program,
                                   const runner::RunRequest& base, size_t n) {
  std::vector<std::unique_ptr<runner::Run>> runs;
  // The first instantiation of a module copies its segments; the images come with the
  // second (runtime/module_images.hpp), so one goes first on its own.
  for (size_t i = 0; i < n + 1; ++i) {
    auto run = std::make_unique<runner::Run>(program, base);
    std::optional<runner::Outcome> failed = run->link();
    if (!failed) failed = run->instantiate();
    if (failed) {
      const std::string& why = failed->message.empty() && failed->trap ? failed->trap->message : failed->message;
      return "cannot make an instance ahead of requests: " + why;
    }
    if (i == 0) continue;  // torn down at once
    runs.push_back(std::move(run));
  }
  return std::nullopt;
}

}  // namespace wsvm::serve
