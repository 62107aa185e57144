#include "runner/host_pool.hpp"

namespace wsvm::runner {

std::optional<PrelinkedHost> HostPool::take() {
  std::lock_guard lock(m_mutex);
  if (m_idle.empty()) return std::nullopt;
  PrelinkedHost h = std::move(m_idle.back());
  m_idle.pop_back();
  return h;
}

void HostPool::give(PrelinkedHost h) {
  h.host->release();  // outside the lock: closing what the instance held may take a while
  std::lock_guard lock(m_mutex);
  if (m_idle.size() < kMaxIdle) m_idle.push_back(std::move(h));
}

size_t HostPool::idle() const {
  std::lock_guard lock(m_mutex);
  return m_idle.size();
}

}  // namespace wsvm::runner
