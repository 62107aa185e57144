// One decode + validate (or compile) of the micro-benchmarks' large module, for callgrind:
// instruction counts are steady on a loaded machine where wall times are not.
//   valgrind --tool=callgrind --instr-atstart=no build-X/bench/micro/wsvm_frontend_once
// Only the measured calls are instrumented (CALLGRIND_START/STOP_INSTRUMENTATION), so the
// module's generation is not counted. Arguments: [decode|validate|interp|jit] [repeats].
#include <valgrind/callgrind.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "bench/micro/modules.hpp"
#include "decoder/module.hpp"
#include "engines/registry.hpp"
#include "runtime/engine.hpp"
#include "validator/validate.hpp"

int main(int argc, char** argv) {
  using namespace wsvm;
  const char* mode = argc > 1 ? argv[1] : "validate";
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 1;
  const bench::Bytes bytes = bench::large_module(8000);  // the size wsvm_micro uses
  std::unique_ptr<Engine> engine;
  if (std::strcmp(mode, "decode") != 0 && std::strcmp(mode, "validate") != 0) {
    auto made = make_engine(mode, EngineConfig{.jit_compile = JitCompile::Eager});
    if (!made) return std::fprintf(stderr, "%s\n", made.error().c_str()), 2;
    engine = std::move(*made);
  }
  for (int i = 0; i < repeats; ++i) {
    CALLGRIND_START_INSTRUMENTATION;
    if (engine) {
      auto compiled = compile_module(*engine, bytes);
      CALLGRIND_STOP_INSTRUMENTATION;
      if (!compiled) return std::fprintf(stderr, "%s\n", compiled.error().to_string().c_str()), 1;
      continue;
    }
    auto m = decode_module(bytes);
    if (m && std::strcmp(mode, "decode") != 0) {
      auto ok = validate_module(**m);
      CALLGRIND_STOP_INSTRUMENTATION;
      if (!ok) return std::fprintf(stderr, "%s\n", ok.error().to_string().c_str()), 1;
    }
    CALLGRIND_STOP_INSTRUMENTATION;
    if (!m) return std::fprintf(stderr, "%s\n", m.error().to_string().c_str()), 1;
  }
  std::printf("%zu bytes, %d x %s\n", bytes.size(), repeats, mode);
  return 0;
}
