#include "wasi/p2/table.hpp"

namespace wsvm::wasi::p2 {

std::optional<uint32_t> ResourceTable::add(std::shared_ptr<Resource> r) {
  if (m_live.size() >= kMaxLive) return std::nullopt;
  // Skip 0 and reps still live after the counter wrapped (terminates: fewer than 2^32 live).
  while (m_next == 0 || m_live.contains(m_next)) ++m_next;
  uint32_t rep = m_next++;
  m_live.emplace(rep, std::move(r));
  return rep;
}

}  // namespace wsvm::wasi::p2
