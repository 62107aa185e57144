// The fuzz targets' check that load-time work stays linear in the input (issue 17): decoding,
// validation and compilation of one input may cost at most a fixed floor plus a budget per
// input byte of process CPU time. A quadratic path in any of them shows up as a large input
// whose cost per byte is far above every other's, so the harness aborts on it: AFL records
// the input as a crash, and a replay names the stage, the bytes and the time.
//
// Defaults (generous enough for sanitizer and AFL builds, far below what the quadratic
// shapes of issue 17 cost): 250 ms floor plus 50 us per byte. The environment overrides them:
// WSVM_FUZZ_FLOOR_MS and WSVM_FUZZ_US_PER_BYTE (0 and 0 make every input a finding; the
// meson test `fuzz-budget-trips` uses that to prove the check can fail).
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace wsvm::fuzz {

class WorkBudget {
 public:
  WorkBudget();  // reads the environment

  // Runs `work` and aborts the process, naming `stage` and `input`, when its CPU time exceeds
  // the budget for `bytes` input bytes.
  void check(const std::string& input, const char* stage, size_t bytes, const std::function<void()>& work) const;

 private:
  double floor_ns_;
  double ns_per_byte_;
};

}  // namespace wsvm::fuzz
