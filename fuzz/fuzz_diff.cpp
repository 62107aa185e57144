// Differential target (issue 7): random valid modules (fuzz/module_gen.hpp) run under the
// interpreter and the JIT; every call must end the same way in both: the same results bit
// for bit, or the same trap (kind, message, backtrace), the same fuel consumed, and the same
// memory and globals afterwards.
//   fuzz_diff --seeds FIRST:COUNT [--save DIR] [--min-returned PERCENT]
//       generates COUNT modules from PRNG seeds FIRST.. (the meson test's mode)
//   fuzz_diff --module FILE.wasm [--args-seed N]
//       compares one existing module (for reducing a mismatch with binaryen's wasm-reduce:
//       prints MISMATCH or same, exit status 0 either way)
//   fuzz_diff [FILE|DIR]...   (no argument: stdin)
//       each input's bytes drive the generator's choices (AFL mode; a mismatch aborts, so
//       the fuzzer records it as a crash)
// WSVM_FUZZ_VERBOSE=1 prints every call's outcome.
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "fuzz/input.hpp"
#include "fuzz/module_gen.hpp"
#include "engines/registry.hpp"
#include "memory/trap_handler.hpp"
#include "runtime/engine.hpp"
#include "runtime/linker.hpp"
#include "runtime/store.hpp"

namespace {

using wsvm::Value;
using wsvm::ValType;
using CallResult = std::expected<std::vector<Value>, wsvm::Trap>;

constexpr uint64_t kFuelPerCall = 20000;
constexpr int kCallsPerExport = 3;
bool g_verbose = false;

struct Stats {
  uint64_t modules = 0, calls = 0, returned = 0, trapped = 0, out_of_fuel = 0, mismatches = 0;
};

std::string show(const CallResult& r) {
  if (!r) {
    std::string s = "trap '" + r.error().message + "' in";
    for (const wsvm::BacktraceFrame& f : r.error().backtrace) s += " " + std::to_string(f.func_index);
    return s;
  }
  std::string s = "returned";
  for (const Value& v : *r) {
    uint64_t slots[2] = {0, 0};
    v.to_slots(slots);
    char buf[48];
    if (v.type == ValType::V128)
      std::snprintf(buf, sizeof buf, " %016llx:%016llx", static_cast<unsigned long long>(slots[1]),
                    static_cast<unsigned long long>(slots[0]));
    else
      std::snprintf(buf, sizeof buf, " %llx", static_cast<unsigned long long>(slots[0]));
    s += buf;
  }
  return s;
}

// An argument as `wsvm --invoke` reads it, so a mismatch can be replayed (and reduced with
// binaryen's wasm-reduce) from the command line.
std::string cli_arg(const Value& v) {
  char buf[80];
  auto nan = [&](const char* sign, unsigned long long payload) {
    std::snprintf(buf, sizeof buf, "%snan:0x%llx", sign, payload);
  };
  switch (v.type) {
    case ValType::I32: std::snprintf(buf, sizeof buf, "0x%x", v.i32); break;
    case ValType::I64: std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v.i64); break;
    case ValType::F32:
      if (std::isnan(v.f32)) nan(v.i32 >> 31 ? "-" : "", v.i32 & 0x7fffff);
      else std::snprintf(buf, sizeof buf, "%a", static_cast<double>(v.f32));
      break;
    case ValType::F64:
      if (std::isnan(v.f64)) nan(v.i64 >> 63 ? "-" : "", v.i64 & 0xfffffffffffffull);
      else std::snprintf(buf, sizeof buf, "%a", v.f64);
      break;
    default: {
      uint64_t slots[2];
      v.to_slots(slots);
      std::snprintf(buf, sizeof buf, "0x%016llx%016llx", (unsigned long long)slots[1],
                    (unsigned long long)slots[0]);
    }
  }
  return buf;
}

bool same_result(const CallResult& a, const CallResult& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) {
    const wsvm::Trap &x = a.error(), &y = b.error();
    if (x.kind != y.kind || x.message != y.message || x.backtrace.size() != y.backtrace.size())
      return false;
    for (size_t i = 0; i < x.backtrace.size(); ++i)
      if (x.backtrace[i].func_index != y.backtrace[i].func_index) return false;
    return true;
  }
  if (a->size() != b->size()) return false;
  for (size_t i = 0; i < a->size(); ++i) {
    uint64_t sa[2] = {0, 0}, sb[2] = {0, 0};
    (*a)[i].to_slots(sa);
    (*b)[i].to_slots(sb);
    if ((*a)[i].type != (*b)[i].type || sa[0] != sb[0] || sa[1] != sb[1]) return false;
  }
  return true;
}

// One engine's instance of the module.
struct Side {
  const char* name;
  wsvm::Engine& engine;
  wsvm::Store store;
  wsvm::Linker linker;
  wsvm::Instance* inst = nullptr;
  std::string error;

  Side(const char* n, wsvm::Engine& e, const std::vector<uint8_t>& bytes)
      : name(n), engine(e), store(e, limits()) {
    auto compiled = wsvm::compile_module(engine, bytes);
    if (!compiled) {
      error = "load: " + compiled.error().to_string();
      return;
    }
    auto i = linker.instantiate(store, *compiled);
    if (!i) error = "instantiate: " + i.error().to_string();
    else inst = *i;
  }

  static wsvm::StoreLimits limits() {
    wsvm::StoreLimits l;
    l.max_memory_pages = 16;
    l.max_call_depth = 1000;
    l.max_stack_bytes = 512 * 1024;
    return l;
  }

  // Memory and globals after a call, for comparing the state both engines left.
  // (Generated modules have one memory; a module given with --module may have none.)
  bool same_state(const Side& o, std::string* what) const {
    for (size_t m = 0; m < inst->memories.size(); ++m) {
      const auto& ma = *inst->memories[m]->mem;
      const auto& mb = *o.inst->memories[m]->mem;
      if (ma.size_bytes() != mb.size_bytes()) return *what = "memory sizes differ", false;
      if (std::memcmp(ma.base(), mb.base(), ma.size_bytes()) != 0) {
        uint64_t i = 0;
        while (ma.base()[i] == mb.base()[i]) ++i;
        return *what = "memory differs at " + std::to_string(i), false;
      }
    }
    for (size_t g = 0; g < inst->globals.size(); ++g)
      if (std::memcmp(inst->globals[g]->slots, o.inst->globals[g]->slots, 16) != 0)
        return *what = "global " + std::to_string(g) + " differs", false;
    return true;
  }
};

Value random_arg(ValType t, wsvm::fuzz::Choices& c) {
  uint64_t v = c.bits();
  if (c.percent(40)) v = c.below(8);  // small values are the common case
  switch (t) {
    case ValType::I32: return Value::from_i32(static_cast<uint32_t>(v));
    case ValType::I64: return Value::from_i64(v);
    case ValType::F32: return Value::from_f32_bits(static_cast<uint32_t>(v));
    case ValType::F64: return Value::from_f64_bits(v);
    default: {
      wsvm::V128 x;
      uint64_t hi = c.bits();
      std::memcpy(x.bytes, &v, 8);
      std::memcpy(x.bytes + 8, &hi, 8);
      return Value::from_v128(x);
    }
  }
}

// Runs every export kCallsPerExport times under both engines. Returns false on a mismatch
// (described on stderr under `label`).
bool compare(const std::vector<uint8_t>& bytes, wsvm::fuzz::Choices& args, wsvm::Engine& interp,
             wsvm::Engine& jit, const std::string& label, Stats& stats) {
  Side a("interp", interp, bytes), b("jit", jit, bytes);
  ++stats.modules;
  if (!a.error.empty() || !b.error.empty()) {
    std::fprintf(stderr, "%s: the generated module did not load: interp: %s; jit: %s\n",
                 label.c_str(), a.error.empty() ? "ok" : a.error.c_str(),
                 b.error.empty() ? "ok" : b.error.c_str());
    return false;
  }
  const wsvm::Module& m = a.inst->module();
  for (const wsvm::Export& e : m.exports) {
    if (e.kind != wsvm::ExternKind::Func) continue;
    const wsvm::FuncType& type = m.func_type(e.index);
    for (int k = 0; k < kCallsPerExport; ++k) {
      std::vector<Value> in;
      for (ValType t : type.params) in.push_back(random_arg(t, args));
      a.store.set_fuel(kFuelPerCall);
      b.store.set_fuel(kFuelPerCall);
      CallResult ra = a.store.invoke(a.inst->funcs[e.index], in);
      CallResult rb = b.store.invoke(b.inst->funcs[e.index], in);
      ++stats.calls;
      if (ra) ++stats.returned;
      else if (ra.error().kind == wsvm::TrapKind::OutOfFuel) ++stats.out_of_fuel;
      else ++stats.trapped;
      if (g_verbose) std::fprintf(stderr, "%s %s #%d: %s\n", label.c_str(), e.name.c_str(), k, show(ra).c_str());
      std::string what;
      if (!same_result(ra, rb)) what = "interp " + show(ra) + ", jit " + show(rb);
      else if (a.store.fuel_consumed() != b.store.fuel_consumed())
        what = "fuel consumed: interp " + std::to_string(a.store.fuel_consumed()) + ", jit " +
               std::to_string(b.store.fuel_consumed());
      else a.same_state(b, &what);
      if (!what.empty()) {
        std::string replay;
        for (const Value& v : in) replay += " " + cli_arg(v);
        std::fprintf(stderr, "%s: MISMATCH in %s call #%d (--invoke %s%s): %s\n", label.c_str(),
                     e.name.c_str(), k, e.name.c_str(), replay.c_str(), what.c_str());
        return false;
      }
    }
  }
  return true;
}

void save(const std::string& dir, const std::string& label, const std::vector<uint8_t>& bytes) {
  mkdir(dir.c_str(), 0755);
  std::string path = dir + "/" + label + ".wasm";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  std::fprintf(stderr, "saved %s\n", path.c_str());
}

int usage() {
  std::fprintf(stderr, "usage: fuzz_diff --seeds FIRST:COUNT [--save DIR] [--min-returned PERCENT]\n"
                       "       fuzz_diff --module FILE.wasm [--args-seed N]\n"
                       "       fuzz_diff [FILE|DIR]...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  g_verbose = std::getenv("WSVM_FUZZ_VERBOSE") != nullptr;
  wsvm::memory::install_trap_handler();
  wsvm::EngineConfig config;
  config.fuel = true;
  config.interruptible = true;
  // Built only where the JIT is (fuzz/meson.build), so both engines exist.
  auto interp = std::move(wsvm::make_engine("interp", config).value());
  auto jit = std::move(wsvm::make_engine("jit", config).value());
  Stats stats;

  if (argc >= 3 && std::strcmp(argv[1], "--seeds") == 0) {
    unsigned long long first = 0, count = 0;
    if (std::sscanf(argv[2], "%llu:%llu", &first, &count) != 2) return usage();
    std::string save_dir;
    unsigned min_returned = 0;
    for (int i = 3; i + 1 < argc; i += 2) {
      if (std::strcmp(argv[i], "--save") == 0) save_dir = argv[i + 1];
      else if (std::strcmp(argv[i], "--min-returned") == 0) min_returned = std::atoi(argv[i + 1]);
      else return usage();
    }
    for (uint64_t seed = first; seed < first + count; ++seed) {
      wsvm::fuzz::Choices gen(seed), args(seed ^ 0xa5a5a5a5a5a5a5a5ull);
      std::vector<uint8_t> bytes = wsvm::fuzz::generate_module(gen);
      std::string label = "seed-" + std::to_string(seed);
      if (!compare(bytes, args, *interp, *jit, label, stats)) {
        ++stats.mismatches;
        if (!save_dir.empty()) save(save_dir, label, bytes);
      }
    }
    std::printf("fuzz_diff: %llu modules, %llu calls: %llu returned, %llu trapped, %llu out of fuel; "
                "%llu mismatches\n",
                (unsigned long long)stats.modules, (unsigned long long)stats.calls,
                (unsigned long long)stats.returned, (unsigned long long)stats.trapped,
                (unsigned long long)stats.out_of_fuel, (unsigned long long)stats.mismatches);
    // A generator that mostly traps early would compare little: the test demands a share of
    // calls that ran to completion.
    if (stats.calls == 0 || stats.returned * 100 < stats.calls * min_returned) {
      std::printf("fuzz_diff: only %llu of %llu calls returned (wanted %u%%)\n",
                  (unsigned long long)stats.returned, (unsigned long long)stats.calls, min_returned);
      return 1;
    }
    return stats.mismatches == 0 ? 0 : 1;
  }
  if (argc >= 3 && std::strcmp(argv[1], "--module") == 0) {
    std::ifstream in(argv[2], std::ios::binary);
    if (!in) return usage();
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    uint64_t seed = argc >= 5 && std::strcmp(argv[3], "--args-seed") == 0 ? std::strtoull(argv[4], nullptr, 0) : 0;
    wsvm::fuzz::Choices args(seed);
    std::puts(compare(bytes, args, *interp, *jit, argv[2], stats) ? "same" : "MISMATCH");
    return 0;
  }
  if (argc >= 2 && argv[1][0] == '-') return usage();
  return wsvm::fuzz::for_each_input(argc, argv, [&](const std::vector<uint8_t>& input, const std::string& name) {
    wsvm::fuzz::Choices choices(input.data(), input.size());
    std::vector<uint8_t> bytes = wsvm::fuzz::generate_module(choices);
    if (!compare(bytes, choices, *interp, *jit, name, stats)) std::abort();  // a finding
  });
}
