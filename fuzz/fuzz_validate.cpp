// Fuzz target 1: decode + validate. Every outcome (a module, a malformed or an invalid error)
// is a clean exit; only a crash, a sanitizer report, a hang or decoding plus validation
// beyond the per-byte work budget (fuzz/work_budget.hpp) is a finding.
//   fuzz_validate [FILE|DIR]...   (no argument: one module from stdin)
#include <cstdio>
#include <cstdlib>

#include "decoder/module.hpp"
#include "fuzz/input.hpp"
#include "fuzz/work_budget.hpp"
#include "validator/validate.hpp"

namespace {

bool g_verbose = false;

void decode_and_validate(const std::vector<uint8_t>& bytes, const std::string& name) {
  auto module = wsvm::decode_module(bytes);
  if (!module) {
    if (g_verbose) std::fprintf(stderr, "%s: malformed: %s\n", name.c_str(), module.error().message.c_str());
    return;
  }
  const wsvm::Module& m = **module;
  // The decode-only body scan (used to prefer malformed over invalid) on every body.
  for (uint32_t f = m.imported_funcs; f < m.funcs.size(); ++f) (void)wsvm::scan_body(m, f);
  // The load pipeline's order: module level first, then each body, each error passed
  // through prefer_malformed as compile_module does.
  auto ok = wsvm::validate_module_level(m);
  if (ok) {
    for (uint32_t f = m.imported_funcs; f < m.funcs.size() && ok; ++f) ok = wsvm::validate_function(m, f);
  }
  if (!ok) {
    wsvm::Error err = ok.error();
    if (err.kind == wsvm::ErrorKind::Invalid) err = wsvm::prefer_malformed(m, std::move(err));
    if (g_verbose) std::fprintf(stderr, "%s: %s\n", name.c_str(), err.message.c_str());
    return;
  }
  // validate_module must agree with the per-part walk above.
  if (!wsvm::validate_module(m)) {
    std::fprintf(stderr, "%s: validate_module rejects a module whose parts validate\n", name.c_str());
    std::abort();
  }
  if (g_verbose) std::fprintf(stderr, "%s: valid\n", name.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  g_verbose = std::getenv("WSVM_FUZZ_VERBOSE") != nullptr;
  const wsvm::fuzz::WorkBudget budget;
  return wsvm::fuzz::for_each_input(argc, argv, [&](const std::vector<uint8_t>& bytes, const std::string& name) {
    budget.check(name, "decode+validate", bytes.size(), [&] { decode_and_validate(bytes, name); });
  });
}
