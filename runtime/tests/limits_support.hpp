// Test support for the limits and scale tests: engines by name (every built engine runs the
// same tests), and process resource counters (RSS, mappings) for leak checks.
#pragma once

#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "engines/registry.hpp"
#include "runtime/engine.hpp"
#include "tests/emulation.hpp"

#if defined(__SANITIZE_ADDRESS__)
// libasan's; declared here because gcc ships no <sanitizer/allocator_interface.h>.
extern "C" void __sanitizer_purge_allocator();
#endif

namespace wsvm::test {

// Under AddressSanitizer freed memory first sits in its quarantine and its allocator keeps
// caches, so rss_kib() purges them before reading. What stays is measured (2026-11-25, the
// full sanitizer run): the JIT flat, the interpreter +1.2 KiB per instantiate/run/destroy
// cycle and +4.4 KiB per trapping call, neither of which a normal build shows (< 0.4 KiB per
// cycle/trap there). Unexplained (ASan's bookkeeping of the siglongjmp out of the trap
// handler is a suspect); LeakSanitizer (detect_leaks=1) is the leak check in that build, so
// its RSS bounds get this much slack.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr long kSanitizerRssSlackKiB = 64 * 1024;
#else
inline constexpr long kSanitizerRssSlackKiB = 0;
#endif

// Under qemu-user (the arm64 cross build) the emulator's own page descriptors for each fresh
// 8 GiB reservation are resident too: measured 2026-12-07, the interpreter's 10,000
// instantiate/run/destroy cycles went 84 -> 144 MiB with the mapping count flat (28 -> 28),
// while the same cycles natively stay within 4 MiB. There the mapping count is the leak
// check (a leaked memory adds 10,000 mappings) and RSS gets this much slack.
inline long emulator_rss_slack_kib() { return running_under_emulator() ? 256 * 1024 : 0; }

// Every engine the limits tests run on: every built one (engines/registry.hpp).
inline std::vector<std::string> limit_engine_names() {
  std::vector<std::string> names;
  for (std::string_view n : built_engine_names()) names.emplace_back(n);
  return names;
}

inline std::unique_ptr<Engine> make_engine_named(const std::string& name, EngineConfig config) {
  auto engine = make_engine(name, std::move(config));
  return engine ? std::move(*engine) : nullptr;
}

// Resident set size in KiB (/proc/self/statm, second field in pages).
inline long rss_kib() {
#if defined(__SANITIZE_ADDRESS__)
  __sanitizer_purge_allocator();
#endif
  std::ifstream in("/proc/self/statm");
  long size = 0, resident = 0;
  in >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// Lines of /proc/self/maps: one per mapping (a leaked reservation adds at least one).
inline long mapping_count() {
  std::ifstream in("/proc/self/maps");
  long n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

}  // namespace wsvm::test
