// WASI 0.2 hosts kept between the Runs of one component Program. Building a Host's linker
// (every wasi:* function, its resource destructors) and resolving the component's imports
// against it is most of what instantiating a small component costs; a Run takes a host from
// here, resets it to its own WasiConfig (wasi/p2's Host::reset: the last instance's resources
// and files are closed) and gives it back when it ends, so a server pays for them once per
// concurrently running instance instead of once per request. Isolation is unchanged: a host
// serves one Run at a time, and each Run still gets a fresh Store, instance and memory.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "component/instance.hpp"
#include "wasi/p2/host.hpp"

namespace wsvm::runner {

struct PrelinkedHost {
  std::unique_ptr<wasi::p2::Host> host;
  std::unique_ptr<component::ComponentLinker> linker;  // host->define()d, imports resolved
};

class HostPool {
 public:
  // At most this many idle hosts are kept (more are destroyed when given back).
  static constexpr size_t kMaxIdle = 64;
  std::optional<PrelinkedHost> take();
  void give(PrelinkedHost h);
  size_t idle() const;

 private:
  mutable std::mutex m_mutex;
  std::vector<PrelinkedHost> m_idle;
};

}  // namespace wsvm::runner
