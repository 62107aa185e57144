#include "fuzz/work_budget.hpp"

#include <time.h>

#include <cstdio>
#include <cstdlib>

namespace wsvm::fuzz {
namespace {

double env_number(const char* name, double fallback) {
  const char* s = std::getenv(name);
  if (!s || !*s) return fallback;
  char* end = nullptr;
  const double v = std::strtod(s, &end);
  return (end && *end == '\0' && v >= 0) ? v : fallback;
}

// Process CPU time, so work on helper threads (the JIT's parallel mode) counts too, and a
// loaded machine's waiting does not.
double cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

}  // namespace

WorkBudget::WorkBudget()
    : floor_ns_(env_number("WSVM_FUZZ_FLOOR_MS", 250) * 1e6),
      ns_per_byte_(env_number("WSVM_FUZZ_US_PER_BYTE", 50) * 1e3) {}

void WorkBudget::check(const std::string& input, const char* stage, size_t bytes,
                       const std::function<void()>& work) const {
  const double start = cpu_ns();
  work();
  const double spent = cpu_ns() - start;
  const double allowed = floor_ns_ + ns_per_byte_ * double(bytes);
  if (spent <= allowed) return;
  std::fprintf(stderr, "%s: %s took %.1f ms of CPU for %zu bytes (%.2f us/byte); the budget is %.1f ms\n",
               input.c_str(), stage, spent / 1e6, bytes, bytes ? spent / 1e3 / double(bytes) : 0.0, allowed / 1e6);
  std::abort();
}

}  // namespace wsvm::fuzz
