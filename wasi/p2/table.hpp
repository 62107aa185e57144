// The host resources one WASI 0.2 instance holds (streams, pollables, descriptors, ...):
// a table from the rep the guest's handles carry to the host object. One table per
// instance; destroying it closes everything the instance still held, so nothing outlives
// the instance. Reps are never reused while live; 0 is never a rep.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>

namespace wsvm::wasi::p2 {

// Base of every host resource. Objects are shared: a pollable keeps the stream it watches
// alive after the guest dropped the stream's handle (WASI 0.2 makes that a guest error, we
// keep the pollable valid instead of trapping).
struct Resource {
  virtual ~Resource() = default;
};

class ResourceTable {
 public:
  // Most resources one instance may hold at once: past it, add() fails and the host call
  // traps rather than letting a guest grow host memory without bound.
  static constexpr size_t kMaxLive = size_t{1} << 20;

  // Adds `r` and returns its rep; nullopt when the table is full.
  std::optional<uint32_t> add(std::shared_ptr<Resource> r);
  // The resource behind `rep` when it is a T, else null.
  template <class T>
  std::shared_ptr<T> get(uint32_t rep) const {
    auto it = m_live.find(rep);
    return it == m_live.end() ? nullptr : std::dynamic_pointer_cast<T>(it->second);
  }
  // Drops `rep` (the guest dropped its owning handle); unknown reps are ignored.
  void remove(uint32_t rep) { m_live.erase(rep); }
  size_t live() const { return m_live.size(); }

 private:
  std::unordered_map<uint32_t, std::shared_ptr<Resource>> m_live;
  uint32_t m_next = 1;
};

}  // namespace wsvm::wasi::p2
