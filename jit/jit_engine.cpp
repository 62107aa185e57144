// Engine glue: compile() assembles a module's functions (all of them at once, on the calling
// thread or on worker threads, or each one at its first call), call() enters the code through
// the module's entry trampoline inside a trap-recovery scope whose landing pad keeps
// guard-page faults in the code on the ordinary trap path (backtrace, then unwind).
#include "jit/jit_engine.hpp"

#include <asmjit/core.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>

#include "jit/code_memory.hpp"
#include "jit/backend.hpp"
#include "jit/exceptions.hpp"
#include "jit/jit_abi.hpp"
#include "memory/trap_handler.hpp"
#include "runtime/compile_limit.hpp"
#include "runtime/native_stack.hpp"
#include "validator/function_validator.hpp"
#include "validator/validate.hpp"

namespace wsvm {
namespace {

using Assembler = jit::arch::Assembler;

// Functions compiled on their first call (JitCompile::Lazy). The reservation holds, in
// order: the dispatch table (read+write data: one code address per defined function), the
// module's code (trampoline, unwind, landing pad, the lazy entry and one stub per function,
// jumping through its table entry with its index as the lazy entry's argument; x86-64:
// `mov r11d, index; jmp [table + 8 * index]`), then one page-aligned chunk per compiled
// function. A table entry starts at the lazy entry and is set, once, to the function's code.
struct LazyCode {
  std::unique_ptr<jit::CodeReservation> res;
  EngineConfig config;
  bool lzcnt = false;
  uintptr_t* table = nullptr;
  uintptr_t lazy_entry = 0;   // compiles the function the stub names, then jumps to it
  uintptr_t unwind = 0;       // the module's unwind code (chunks jump there)
  std::mutex mu;              // guards everything below and chunk compilation
  size_t next = 0;            // first free byte offset in `res` (page-aligned)
  std::map<uintptr_t, std::pair<uintptr_t, uint32_t>> chunks;  // start -> (end, defined index)
  std::vector<asmjit::Label> func_labels;  // assemble_group's scratch, all invalid between uses
  std::vector<std::unique_ptr<jit::FuncEh>> eh;  // handler tables, as functions compile
};

// The handler tables of the functions that have a try (exceptions.hpp), by defined index.
using EhTables = std::vector<std::unique_ptr<jit::FuncEh>>;

struct JitModule {
  std::unique_ptr<jit::CodeMemory> mem;  // eager: all the code
  uint8_t* base = nullptr;               // start of the code range (the landing pad's range)
  size_t range = 0;                      // its size
  uint32_t imported_funcs = 0;
  uint32_t tail_arg_slots = 0;           // JitInstance::tail_args' size (max_param_slots)
  // Eager: defined functions' offsets from base, ascending (laid out in index order).
  // Lazy: their stubs' offsets.
  std::vector<uint32_t> func_offsets;
  uint32_t funcs_end = 0;                // eager: end of the last function (and its trap stubs)
  uint32_t landing = 0;                  // the guard-fault landing pad (emit_module_stubs)
  jit::EntryFn entry = nullptr;
  size_t code_bytes = 0;
  std::unique_ptr<LazyCode> lazy;
  EhTables eh;                           // eager (lazy: LazyCode::eh)
};

// The most slots any of the module's function types passes (a tail call's callee has one of
// them: JitInstance::tail_args holds its arguments).
uint32_t max_param_slots(const Module& m) {
  uint32_t n = 0;
  for (const FuncType& t : m.types) n = std::max(n, slot_count(t.params));
  return n;
}

class RecordingErrorHandler : public asmjit::ErrorHandler {
 public:
  void handleError(asmjit::Error err, const char* message, asmjit::BaseEmitter*) override {
    if (m_err == asmjit::kErrorOk) {
      m_err = err;
      m_message = message;
    }
  }
  asmjit::Error m_err = asmjit::kErrorOk;
  std::string m_message;
};

Error assembler_error(const RecordingErrorHandler& eh) {
  return Error{ErrorKind::Invalid, kNoOffset, "jit: assembler error: " + eh.m_message};
}

void record_trap(jit::JitInstance* ji) noexcept;
uintptr_t catch_exception(jit::JitInstance* ji) noexcept;
uintptr_t lazy_compile(jit::JitInstance* ji, uint32_t defined) noexcept;

// Every module's own code, ahead of its functions: the entry trampoline, the unwind path and
// the landing pad for guard-page faults (returned; labels gets unwind and exit).
asmjit::Label emit_module_stubs(Assembler& a, jit::ModuleLabels& labels) {
  labels.unwind = a.newLabel();
  labels.exit = a.newLabel();
  jit::arch::emit_trampoline(a, labels);
  jit::arch::emit_unwind(a, labels, reinterpret_cast<const void*>(&record_trap),
                         reinterpret_cast<const void*>(&catch_exception));
  asmjit::Label landing = a.newLabel();
  jit::arch::emit_landing(a, labels, landing);
  return landing;
}

// ---- groups: functions assembled in their own CodeHolder --------------------------------

// One group of functions assembled in its own CodeHolder: eager compilation makes one per
// worker thread (a contiguous index range), lazy compilation one per function. Jumps that
// leave the group are emitted as placeholders and patched once the group is placed: to the
// module's unwind code, and thunks for direct calls to functions outside the group.
struct Group {
  asmjit::CodeHolder code;
  RecordingErrorHandler eh;
  std::vector<uint32_t> func_offsets;  // the group's functions, in index order
  uint32_t funcs_end = 0;              // end of the last function (its trap stubs included)
  uint32_t unwind_field = 0;           // rel32 of `jmp unwind`
  // Thunks: (offset of the field to patch, defined callee). Eager: `jmp rel32` to the
  // callee. Lazy: `mov r11d, callee; jmp [rip + disp32]` through the dispatch table.
  std::vector<std::pair<uint32_t, uint32_t>> thunks;
  std::optional<Error> error;
  bool overflow = false;  // assembled in place, and the code outgrew its slice
  size_t size = 0;
  std::vector<std::pair<uint32_t, jit::FuncEh>> handlers;  // (defined index, table) of its tries
};

// The validator-walk listener around the compiler that gives the group's holder a label
// for each function it defines or calls, created on first use (a lazily compiled function's
// holder would otherwise need one label per function of the module).
class GroupListener {
 public:
  static constexpr bool kExceptions = true;  // (walk_state.hpp, "Capabilities")
  GroupListener(jit::arch::Compiler& fc, Assembler& a, jit::ModuleLabels& labels,
                std::vector<uint32_t>& used, uint32_t imported,
                std::vector<std::pair<uint32_t, jit::FuncEh>>& eh)
      : m_fc(fc), m_a(a), m_labels(labels), m_used(used), m_imported(imported), m_eh(eh) {}
  template <class Locals>
  void begin_function(const Module& m, uint32_t func_index, Locals locals) {
    label(func_index);
    m_func = func_index;
    m_fc.begin_function(m, func_index, locals);
  }
  void on_instr(const Instr& ins, const WalkState& st) {
    if (ins.op == Op::call || ins.op == Op::return_call) label(ins.a);
    m_fc.on_instr(ins, st);
  }
  Result<void> end_function(const WalkState& st) {
    Result<void> r = m_fc.end_function(st);
    if (r && m_fc.has_handlers()) m_eh.emplace_back(m_func - m_imported, m_fc.take_handlers());
    return r;
  }

 private:
  void label(uint32_t func_index) {
    if (func_index < m_imported || func_index - m_imported >= m_labels.funcs.size()) return;
    asmjit::Label& l = m_labels.funcs[func_index - m_imported];
    if (l.isValid()) return;
    l = m_a.newLabel();
    m_used.push_back(func_index - m_imported);
  }
  jit::arch::Compiler& m_fc;
  Assembler& m_a;
  jit::ModuleLabels& m_labels;
  std::vector<uint32_t>& m_used;
  uint32_t m_imported;
  std::vector<std::pair<uint32_t, jit::FuncEh>>& m_eh;
  uint32_t m_func = 0;
};

size_t body_bytes(const Module& m, uint32_t first, uint32_t last) {
  size_t n = 0;
  for (uint32_t i = first; i < last; ++i) n += m.code[i].body_end - m.code[i].body_offset;
  return n;
}

// Validates and assembles defined functions [first, last) into g; false with g.error set
// (the first failing function's error) otherwise.
// With `dst`, the code is assembled in place there (at most `cap` bytes, its final address:
// no buffer of asmjit's, no copy); a group that needs more fails with g.overflow set.
// `func_labels`: one invalid label per defined function, used and left as found (lazy
// compilation of one function need not allocate and clear a vector the module's size).
// `stop`: the compile-time limits (the group's own copy: each worker polls its own clock).
bool assemble_group(const Module& m, uint32_t first, uint32_t last, const EngineConfig& config,
                    bool lzcnt, bool lazy, CompileStop& stop, Group& g, uint8_t* dst = nullptr,
                    size_t cap = 0, std::vector<asmjit::Label>* func_labels = nullptr) {
  g.code.init(asmjit::Environment::host());
  g.code.setErrorHandler(&g.eh);
  if (dst) {
    asmjit::CodeBuffer& buf = g.code.textSection()->_buffer;
    buf._data = dst;
    buf._size = 0;
    buf._capacity = cap;
    buf._flags = asmjit::CodeBufferFlags::kIsExternal | asmjit::CodeBufferFlags::kIsFixed;
  } else {
    // Machine code is typically 4-10x the body bytes: reserving once avoids re-copying a
    // growing buffer (that copying was a fifth of compile time on a 6 MB module).
    g.code.reserveBuffer(&g.code.textSection()->_buffer, 4096 + body_bytes(m, first, last) * 8);
  }
  jit::arch::Assembler a(&g.code);
  jit::ModuleLabels labels;
  labels.unwind = a.newLabel();
  std::vector<uint32_t> used;
  if (func_labels) {
    if (func_labels->size() != m.code.size()) func_labels->assign(m.code.size(), asmjit::Label());
    labels.funcs.swap(*func_labels);
  } else {
    labels.funcs.assign(m.code.size(), asmjit::Label());
  }
  struct GiveBack {  // on every return: the labels this group made invalid again
    jit::ModuleLabels& labels;
    const std::vector<uint32_t>& used;
    std::vector<asmjit::Label>* func_labels;
    ~GiveBack() {
      if (func_labels == nullptr) return;
      for (uint32_t d : used) labels.funcs[d] = asmjit::Label();
      func_labels->swap(labels.funcs);
    }
  } give_back{labels, used, func_labels};
  jit::arch::Compiler fc(a, labels, config, lzcnt);
  GroupListener gl(fc, a, labels, used, m.imported_funcs, g.handlers);
  StoppableListener<GroupListener> sl(gl, stop);
  for (uint32_t i = first; i < last; ++i) {
    Result<void> r = walk_function(m, m.imported_funcs + i, sl);
    if (!r) {
      g.error = r.error();
      return false;
    }
    if (dst && g.eh.m_err != asmjit::kErrorOk) {  // the slice is full: stop here, retry
      g.overflow = true;
      g.error = assembler_error(g.eh);
      return false;
    }
  }
  asmjit::Label end = a.newLabel();
  a.bind(end);
  a.bind(labels.unwind);
  g.unwind_field = jit::arch::emit_far_jump(a);
  for (uint32_t d : used) {
    if (d >= first && d < last) continue;
    a.bind(labels.funcs[d]);
    g.thunks.emplace_back(jit::arch::emit_thunk(a, d, lazy), d);
  }
  if (g.eh.m_err != asmjit::kErrorOk) {
    g.overflow = dst != nullptr;  // (any error: the retry with a growing buffer reports it)
    g.error = assembler_error(g.eh);
    return false;
  }
  if (jit::arch::unbound_jumps(a) != 0) {  // a forward jump to a label never bound (a compiler bug)
    g.error = Error{ErrorKind::Invalid, kNoOffset, "jit: unbound label"};
    return false;
  }
  g.code.flatten();
  g.code.resolveUnresolvedLinks();
  for (uint32_t i = first; i < last; ++i)
    g.func_offsets.push_back(static_cast<uint32_t>(g.code.labelOffsetFromBase(labels.funcs[i])));
  g.funcs_end = static_cast<uint32_t>(g.code.labelOffsetFromBase(end));
  g.size = g.code.codeSize();
  return true;
}

// Copies g to dst (its final address `addr`, dst == addr) and patches its outgoing jumps.
template <class Target>
bool place_group(Group& g, uint8_t* dst, uintptr_t unwind, Target&& thunk_target) {
  auto addr = reinterpret_cast<uintptr_t>(dst);
  if (g.code.relocateToBase(addr) != asmjit::kErrorOk) return false;
  if (g.code.textSection()->data() != dst) {
    g.code.copyFlattenedData(dst, g.size, asmjit::CopySectionFlags::kPadSectionBuffer);
  } else if (g.code.sectionCount() != 1 || g.code.codeSize() != g.size) {
    return false;  // assembled in place, but asmjit added a section (an address table)
  }
  jit::arch::patch_jump(dst, addr, g.unwind_field, unwind);
  for (auto [field, d] : g.thunks) jit::arch::patch_jump(dst, addr, field, thunk_target(d));
  return true;
}

// Copies a holder (the module's own code) to dst.
bool place_holder(asmjit::CodeHolder& code, uint8_t* dst, size_t size) {
  if (code.relocateToBase(reinterpret_cast<uint64_t>(dst)) != asmjit::kErrorOk) return false;
  code.copyFlattenedData(dst, size, asmjit::CopySectionFlags::kPadSectionBuffer);
  return true;
}

// The defined function whose code contains pc, or -1 (the trampoline, stubs, helpers, other
// code).
int64_t function_at(const JitModule& jm, uintptr_t pc) {
  if (jm.lazy) {
    LazyCode& lz = *jm.lazy;
    std::lock_guard lock(lz.mu);
    auto it = lz.chunks.upper_bound(pc);
    if (it == lz.chunks.begin()) return -1;
    --it;
    return pc < it->second.first ? int64_t{it->second.second} : -1;
  }
  auto base = reinterpret_cast<uintptr_t>(jm.base);
  if (pc < base || pc >= base + jm.funcs_end || jm.func_offsets.empty()) return -1;
  auto off = static_cast<uint32_t>(pc - base);
  auto it = std::upper_bound(jm.func_offsets.begin(), jm.func_offsets.end(), off);
  if (it == jm.func_offsets.begin()) return -1;
  return (it - jm.func_offsets.begin()) - 1;
}

// Appends this entry's frames to t.backtrace, innermost first (after any frames a nested
// entry already recorded), like the interpreter: the function containing pc, then one per
// return address along the rbp chain. Every JIT frame is [rbp] = caller's rbp,
// [rbp + 8] = return address; the chain ends at the entry trampoline's return address. The
// walk reads only stack words strictly between the trap's frame and entry_rsp, and runs
// while those frames are live (record_trap, called by the unwind code before it unwinds).
void add_backtrace(const JitModule& jm, const Instance& inst, uintptr_t pc, uintptr_t rbp,
                   uintptr_t entry_rsp, Trap& t) {
  const Module& m = inst.module();
  uintptr_t low = rbp;
  for (size_t n = 0; n < (size_t{1} << 24); ++n) {
    int64_t f = function_at(jm, pc);
    if (f < 0) return;
    uint32_t index = jm.imported_funcs + static_cast<uint32_t>(f);
    t.backtrace.push_back(BacktraceFrame{m.function_name(index), index});
    if (rbp < low || rbp % 8 != 0 || rbp + 16 > entry_rsp) return;
    const auto* frame = reinterpret_cast<const uintptr_t*>(rbp);
    pc = frame[1];
    low = rbp + 16;
    rbp = frame[0];
  }
}

// Called by the unwind code on the live stack: the Trap (a helper's or host's in *pending,
// else one of trap_kind) with this entry's frames appended. noexcept: nothing may unwind
// through JIT frames (an allocation failure ends the process, as anywhere else).
void record_trap(jit::JitInstance* ji) noexcept {
  std::optional<Trap>& t = *ji->pending;
  if (!t) t = Trap::make(static_cast<TrapKind>(ji->trap_kind));
  add_backtrace(*static_cast<const JitModule*>(ji->module), *ji->inst, ji->trap_pc, ji->trap_rbp,
                ji->entry_rsp, *t);
}

// The defined function whose code contains pc (-1: none, as function_at), its start and its
// handler table (null: it has no try).
int64_t function_with_handlers(const JitModule& jm, uintptr_t pc, uintptr_t& start,
                               const jit::FuncEh*& eh) {
  const int64_t f = function_at(jm, pc);
  if (f < 0) return f;
  const auto d = static_cast<size_t>(f);
  if (jm.lazy) {
    std::lock_guard lock(jm.lazy->mu);
    start = __atomic_load_n(&jm.lazy->table[d], __ATOMIC_ACQUIRE);
    eh = d < jm.lazy->eh.size() ? jm.lazy->eh[d].get() : nullptr;
  } else {
    start = reinterpret_cast<uintptr_t>(jm.base) + jm.func_offsets[d];
    eh = d < jm.eh.size() ? jm.eh[d].get() : nullptr;
  }
  return f;
}

// Called by the unwind code, on the live stack below the throwing frame, when a helper left an
// exception in *pending (JitInstance::throw_pc: its return address in the throwing function;
// exceptions.hpp). Walks this entry's frames outwards from there (a caller's position is its
// call's return address - 1); the first frame with a handler is entered: its values are put
// in place, the frames above it are left (call_depth), and the code resumes at the returned
// address with resume_sp / resume_fp. Uncaught: the Trap is made as the interpreter makes it
// (its backtrace starts at the throw; a callee's frames are not in it) and recorded as any
// trap's; returns 0.
uintptr_t catch_exception(jit::JitInstance* ji) noexcept {
  const auto& jm = *static_cast<const JitModule*>(ji->module);
  std::optional<Trap>& t = *ji->pending;
  auto* e = reinterpret_cast<Exception*>(t->exception);
  uintptr_t pc = ji->throw_pc, fp = ji->trap_rbp, low = fp;
  ji->throw_pc = 0;
  for (uint32_t popped = 0; popped < (uint32_t{1} << 24); ++popped) {
    uintptr_t start = 0;
    const jit::FuncEh* eh = nullptr;
    if (function_with_handlers(jm, pc - 1, start, eh) < 0) break;  // the entry trampoline
    const auto pos = static_cast<uint32_t>(pc - 1 - start);
    if (const jit::EhHandler* h = eh ? jit::find_handler(*eh, pos, *ji->inst, e) : nullptr) {
      jit::enter_handler(*h, *eh, fp, e);
      ji->ctx->call_depth -= popped;
      ji->resume_fp = fp;
      ji->resume_sp = fp - eh->frame_bytes;
      ji->trapped = 0;
      t.reset();
      return start + h->target;
    }
    if (fp < low || fp % 8 != 0 || fp + 16 > ji->entry_rsp) break;
    const auto* frame = reinterpret_cast<const uintptr_t*>(fp);
    pc = frame[1];
    low = fp + 16;
    fp = frame[0];
  }
  Trap fresh = Trap::make(TrapKind::UncaughtException);
  fresh.exception = t->exception;
  t = std::move(fresh);
  record_trap(ji);
  return 0;
}

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

// Compiles defined function `defined` of the running module into a fresh chunk of its
// reservation (once: a second thread finds it done) and returns its code, or 0 after
// putting a trap in *ji->pending. Called by the lazy entry on the wasm stack.
uintptr_t lazy_compile(jit::JitInstance* ji, uint32_t defined) noexcept {
  auto* jm = static_cast<const JitModule*>(ji->module);
  LazyCode& lz = *jm->lazy;
  std::string error;
  try {
    std::lock_guard lock(lz.mu);
    uintptr_t done = __atomic_load_n(&lz.table[defined], __ATOMIC_ACQUIRE);
    if (done != lz.lazy_entry) return done;
    Group g;
    const Module& m = ji->inst->module();
    // The run's timer (interrupt flag) stops a long compilation too: the caller then traps
    // Interrupted, as if the function had started and reached a loop header.
    CompileStop stop(lz.config, &ji->ctx->interrupt);
    if (assemble_group(m, defined, defined + 1, lz.config, lz.lzcnt, /*lazy=*/true, stop, g,
                       nullptr, 0, &lz.func_labels)) {
      const size_t offset = lz.next;
      const auto table = reinterpret_cast<uintptr_t>(lz.table);
      bool ok = lz.res->commit_code(
          offset, g.size,
          [&](uint8_t* dst) {
            return place_group(g, dst, lz.unwind, [&](uint32_t d) { return table + 8 * d; });
          },
          &error);
      if (ok) {
        lz.next = offset + round_up(g.size, jit::CodeReservation::page_size());
        auto start = reinterpret_cast<uintptr_t>(lz.res->base() + offset);
        uintptr_t code = start + g.func_offsets[0];
        lz.chunks.emplace(start, std::make_pair(start + g.funcs_end, defined));
        if (!g.handlers.empty()) {
          if (lz.eh.empty()) lz.eh.resize(m.code.size());
          lz.eh[defined] = std::make_unique<jit::FuncEh>(std::move(g.handlers[0].second));
        }
        __atomic_store_n(&lz.table[defined], code, __ATOMIC_RELEASE);
        return code;
      }
      if (error.empty()) error = "jit: relocation failed";
    } else if (stop.interrupted()) {
      *ji->pending = Trap::make(TrapKind::Interrupted);
      return 0;
    } else {
      error = g.error->message;
    }
  } catch (const std::exception& e) {
    error = std::string("jit: ") + e.what();
  }
  Trap t = Trap::make(TrapKind::Host);
  t.message = std::move(error);
  *ji->pending = std::move(t);
  return 0;
}

// Validates every body without emitting code (lazy compilation: load errors stay load
// errors).
struct ValidateOnly {
  static constexpr bool kExceptions = true;
  template <class Locals>
  void begin_function(const Module&, uint32_t, Locals) {}
  void on_instr(const Instr&, const WalkState&) {}
  Result<void> end_function(const WalkState&) { return {}; }
};

thread_local uint32_t t_entries = 0;      // JIT entries active on this thread
thread_local uintptr_t t_stack_limit = 0;  // their shared machine-stack limit

// The mode of engines configured with JitCompile::Default (measured: jit/README.md).
constexpr JitCompile kDefaultJitCompile = JitCompile::Parallel;

// The mode of an engine (front doors map $WSVM_JIT_COMPILE to EngineConfig::jit_compile).
JitCompile resolve_mode(JitCompile requested) {
  return requested != JitCompile::Default ? requested : kDefaultJitCompile;
}

// Direct layout (compile_eager): room for the module's own code (trampoline, unwind,
// landing pad: ~100 bytes), and per group a slice of kSliceBaseBytes + kCodePerBodyByte per
// body byte and kCodePerFunction per function (prologue, epilogue, trap stubs). Measured code per body byte: 2.1 (bench/micro's large module, a 10 MB module),
// 2.5-2.9 (bench programs, tests/wasi). A group that outgrows its slice (~12 per body byte
// for a run of call_indirect: jit/tests/compile_mode_test.cpp) makes the module assemble
// again into growing buffers; the unused rest of a slice is address space only.
constexpr size_t kOwnCodeBytes = 4096;
constexpr size_t kSliceBaseBytes = 4096;
constexpr size_t kCodePerBodyByte = 6;
constexpr size_t kCodePerFunction = 256;
constexpr size_t kMaxDirectBytes = size_t{1} << 30;

// Below this many body bytes per worker, a thread costs more than it saves.
constexpr size_t kMinBytesPerWorker = size_t{64} << 10;
// JitInstance::tail_args on the stack of call() up to this many slots, else on the heap.
constexpr uint32_t kTailArgsInline = 32;

class JitEngine final : public Engine {
 public:
  explicit JitEngine(EngineConfig config) : m_config(config), m_mode(resolve_mode(config.jit_compile)) {
    memory::install_trap_handler();
    m_lzcnt = jit::arch::host_has_lzcnt();
  }
  const char* name() const override { return "jit"; }

  Result<std::shared_ptr<const void>> compile(const Module& m) override {
    if (m_mode == JitCompile::Lazy) return compile_lazy(m);
    return compile_eager(m, m_mode == JitCompile::Parallel);
  }

  const void* function_code(const void* module_code, uint32_t func_index) const override {
    const auto* jm = static_cast<const JitModule*>(module_code);
    return jm->base + jm->func_offsets[func_index - jm->imported_funcs];
  }

  std::optional<Trap> call(ExecContext& ctx, const FuncInstance& f, uint64_t* slots) override {
    const auto* jm = static_cast<const JitModule*>(f.instance->compiled->code.get());
    uintptr_t sp = current_stack_pointer();
    uintptr_t native_limit =
        ctx.native_stack_limit ? ctx.native_stack_limit : native_stack_limit_for_this_thread();
    if (sp < native_limit) return Trap::make(TrapKind::CallStackExhausted);
    uintptr_t limit = t_stack_limit;
    if (t_entries == 0) {
      uint64_t budget = ctx.max_stack_bytes ? ctx.max_stack_bytes : (uint64_t{1} << 20);
      limit = sp > budget ? sp - budget : 0;
    }
    limit = std::max(limit, native_limit);

    Instance* inst = f.instance;
    std::optional<Trap> pending;
    jit::JitInstance ji;
    ji.stack_limit = limit;
    ji.max_call_depth = ctx.max_call_depth ? ctx.max_call_depth : 20000;
    ji.globals = inst->globals.data();
    ji.funcs = inst->funcs.data();
    ji.tables = inst->tables.data();
    ji.types = inst->module().types.data();
    ji.inst = inst;
    ji.ctx = &ctx;
    ji.engine = this;
    ji.pending = &pending;
    ji.module = jm;
    // Tail-call arguments (jit_abi.hpp): here, above every frame of this entry's JIT code.
    uint64_t tail_small[kTailArgsInline];
    std::unique_ptr<uint64_t[]> tail_big;
    if (jm->tail_arg_slots > kTailArgsInline)
      tail_big = std::make_unique_for_overwrite<uint64_t[]>(jm->tail_arg_slots);
    ji.tail_args = tail_big ? tail_big.get() : tail_small;
    uint8_t* base = inst->memories.empty() ? nullptr : inst->memories[0]->mem->base();

    const uint32_t depth = ctx.call_depth;
    const uintptr_t saved_limit = t_stack_limit;
    ++t_entries;
    t_stack_limit = limit;
    int rc = 0;
    memory::TrapInfo info;
    const auto code_base = reinterpret_cast<uintptr_t>(jm->base);
    const memory::LandingPad pad{code_base, code_base + jm->range, code_base + jm->landing};
    bool ok = memory::with_trap_recovery(
        [&] { rc = jm->entry(&ji, base, slots, f.code, &ctx); }, &info, pad);
    --t_entries;
    t_stack_limit = saved_limit;
    if (!ok) {
      // A fault outside the module's code (a helper's): its frames are gone, so no
      // backtrace. Faults inside it took the landing pad and the unwind path below.
      ctx.call_depth = depth;
      return Trap::make(TrapKind::MemoryOutOfBounds);
    }
    if (rc != 0) {
      // record_trap built the Trap and its backtrace before the unwind.
      ctx.call_depth = depth;
      return pending ? std::move(*pending) : Trap::make(static_cast<TrapKind>(ji.trap_kind));
    }
    return std::nullopt;
  }

 private:
  static std::unexpected<Error> walk_error(const Module& m, const Error& e) {
    if (e.kind == ErrorKind::Invalid && !compile_stopped(e))
      return std::unexpected(prefer_malformed(m, e));
    return std::unexpected(e);
  }

  // All functions now: in `workers` groups (contiguous index ranges of about equal body
  // bytes) assembled on as many threads (the calling thread when one), then laid out in
  // index order after the module's own code in one mapping.
  Result<std::shared_ptr<const void>> compile_eager(const Module& m, bool parallel) {
    return compile_eager(m, parallel, /*direct=*/true, CompileStop(m_config));
  }
  // `stop` counts from the first attempt (a retry without the direct layout keeps it).
  Result<std::shared_ptr<const void>> compile_eager(const Module& m, bool parallel, bool direct,
                                                    const CompileStop& stop) {
    const auto n = static_cast<uint32_t>(m.code.size());
    const size_t total_bytes = body_bytes(m, 0, n);
    size_t workers = 1;
    if (parallel) {
      size_t hw = std::max(1u, std::thread::hardware_concurrency());
      workers = std::clamp<size_t>(total_bytes / kMinBytesPerWorker, 1, hw);
      workers = std::min<size_t>(workers, std::max<uint32_t>(n, 1));
    }
    std::vector<uint32_t> bounds{0};
    for (uint32_t i = 0, k = 1; k < workers; ++k) {
      size_t want = total_bytes * k / workers, acc = body_bytes(m, 0, i);
      for (; i < n && acc < want; ++i) acc += m.code[i].body_end - m.code[i].body_offset;
      bounds.push_back(i);
    }
    bounds.push_back(n);
    std::vector<std::unique_ptr<Group>> groups;
    for (size_t k = 0; k < workers; ++k) groups.push_back(std::make_unique<Group>());
    // Layout: the module's own code, then the groups in index order, each at a 64-byte
    // aligned offset (their constant pools are aligned within the group). Direct: every
    // group is assembled in place in one mapping, in a slice sized from its body bytes
    // (untouched pages of a slice are never faulted in); else in asmjit's growing buffers,
    // copied into a mapping of the exact size afterwards.
    std::vector<size_t> at(workers, 0), cap(workers, 0);
    std::unique_ptr<jit::CodeMemory> mem;
    std::string error;
    if (direct) {
      size_t end = kOwnCodeBytes;
      for (size_t k = 0; k < workers; ++k) {
        at[k] = end;
        cap[k] = round_up(kSliceBaseBytes + body_bytes(m, bounds[k], bounds[k + 1]) * kCodePerBodyByte +
                              (bounds[k + 1] - bounds[k]) * kCodePerFunction, 64);
        end = at[k] + cap[k];
      }
      // (Everything must stay within rel32 reach: calls across groups.)
      if (end <= kMaxDirectBytes) mem = jit::CodeMemory::map_writable(end, &error);
      if (!mem) direct = false;
    }
    auto run = [&](size_t k) {
      try {
        CompileStop own = stop;
        assemble_group(m, bounds[k], bounds[k + 1], m_config, m_lzcnt, /*lazy=*/false, own,
                       *groups[k], direct ? mem->base() + at[k] : nullptr, cap[k]);
      } catch (const std::exception& e) {
        groups[k]->error = Error{ErrorKind::Invalid, kNoOffset, std::string("jit: ") + e.what()};
      }
    };
    if (workers == 1) {
      run(0);
    } else {
      std::vector<std::thread> threads;
      for (size_t k = 1; k < workers; ++k) {
        try {
          threads.emplace_back(run, k);
        } catch (const std::system_error&) {
          run(k);  // no thread: compile it here
        }
      }
      run(0);
      for (std::thread& t : threads) t.join();
    }
    for (auto& g : groups)
      if (g->overflow) return compile_eager(m, parallel, /*direct=*/false, stop);
    for (auto& g : groups)
      if (g->error) return walk_error(m, *g->error);

    // The module's own code: trampoline, unwind, landing pad.
    asmjit::CodeHolder code;
    code.init(asmjit::Environment::host());
    RecordingErrorHandler eh;
    code.setErrorHandler(&eh);
    jit::arch::Assembler a(&code);
    jit::ModuleLabels labels;
    asmjit::Label landing = emit_module_stubs(a, labels);
    if (eh.m_err != asmjit::kErrorOk) return std::unexpected(assembler_error(eh));
    if (jit::arch::unbound_jumps(a) != 0) return std::unexpected(Error{ErrorKind::Invalid, kNoOffset, "jit: unbound label"});
    code.flatten();
    code.resolveUnresolvedLinks();
    const size_t own = code.codeSize();

    size_t size = own;
    if (direct) {
      if (own > kOwnCodeBytes) return std::unexpected(Error{ErrorKind::Invalid, kNoOffset, "jit: stubs too large"});
      size = at.back() + groups.back()->size;
    } else {
      for (size_t k = 0; k < workers; ++k) {
        size = round_up(size, 64);
        at[k] = size;
        size += groups[k]->size;
      }
    }
    auto jm = std::make_shared<JitModule>();
    jm->imported_funcs = m.imported_funcs;
    jm->tail_arg_slots = max_param_slots(m);
    for (size_t k = 0; k < workers; ++k)
      for (uint32_t off : groups[k]->func_offsets) jm->func_offsets.push_back(static_cast<uint32_t>(at[k] + off));
    jm->funcs_end = static_cast<uint32_t>(at.back() + groups.back()->funcs_end);
    for (auto& g : groups) {
      for (auto& [d, eh] : g->handlers) {
        if (jm->eh.empty()) jm->eh.resize(n);
        jm->eh[d] = std::make_unique<jit::FuncEh>(std::move(eh));
      }
    }
    jm->landing = static_cast<uint32_t>(code.labelOffsetFromBase(landing));
    const auto unwind_off = static_cast<uint32_t>(code.labelOffsetFromBase(labels.unwind));
    auto fill = [&](uint8_t* base) {
      if (!place_holder(code, base, own)) return false;
      auto b = reinterpret_cast<uintptr_t>(base);
      for (size_t k = 0; k < workers; ++k) {
        bool ok = place_group(*groups[k], base + at[k], b + unwind_off,
                              [&](uint32_t d) { return b + jm->func_offsets[d]; });
        if (!ok) return false;
      }
      return true;
    };
    if (direct) {
      if (fill(mem->base()) && mem->finish(size, &error)) jm->mem = std::move(mem);
    } else {
      jm->mem = jit::CodeMemory::create(size, fill, &error);
    }
    if (!jm->mem) {
      if (error.empty()) error = "jit: relocation failed";
      return std::unexpected(Error{ErrorKind::Invalid, kNoOffset, error});
    }
    jm->base = jm->mem->base();
    jm->range = size;
    // EngineConfig::jit_dump_file (wsvm: $WSVM_JIT_DUMP): the module's machine code, for
    // `objdump -D -b binary -mi386:x86-64` (function offsets on stderr).
    if (!m_config.jit_dump_file.empty()) {
      if (FILE* f = std::fopen(m_config.jit_dump_file.c_str(), "wb")) {
        std::fwrite(jm->base, 1, size, f);
        std::fclose(f);
      }
      for (size_t i = 0; i < jm->func_offsets.size(); ++i)
        std::fprintf(stderr, "jit: func %zu at 0x%x\n", m.imported_funcs + i, jm->func_offsets[i]);
    }
    jm->entry = reinterpret_cast<jit::EntryFn>(jm->base);
    jm->code_bytes = size;
    return std::shared_ptr<const void>(std::move(jm));
  }

  // Validates every body now; emits only the module's own code and a stub per function
  // (LazyCode). Functions are compiled by lazy_compile on their first call.
  Result<std::shared_ptr<const void>> compile_lazy(const Module& m) {
    const auto n = static_cast<uint32_t>(m.code.size());
    ValidateOnly v;
    CompileStop stop(m_config);
    StoppableListener<ValidateOnly> sv(v, stop);
    for (uint32_t i = 0; i < n; ++i) {
      Result<void> r = walk_function(m, m.imported_funcs + i, sv);
      if (!r) return walk_error(m, r.error());
    }
    const size_t page = jit::CodeReservation::page_size();
    const size_t table_bytes = round_up(std::max<size_t>(8 * size_t{n}, 8), page);
    const size_t own_bytes = round_up(4096 + (jit::arch::kLazyStubBytes + 4) * size_t{n}, page);
    // Chunks: a page or more per function; machine code is typically 4-10x the body bytes.
    // Everything must stay within rel32 reach (2 GiB).
    size_t budget = (size_t{16} << 20) + 16 * body_bytes(m, 0, n) + page * size_t{n};
    budget = std::min(budget, (size_t{3} << 29) - table_bytes - own_bytes);
    std::string error;
    auto lz = std::make_unique<LazyCode>();
    lz->res = jit::CodeReservation::reserve(table_bytes + own_bytes + budget, &error);
    if (!lz->res || !lz->res->commit_data(0, table_bytes, &error))
      return std::unexpected(Error{ErrorKind::Invalid, kNoOffset, error});
    lz->config = m_config;
    lz->lzcnt = m_lzcnt;
    lz->table = reinterpret_cast<uintptr_t*>(lz->res->base());
    uint8_t* own = lz->res->base() + table_bytes;
    const auto own_addr = reinterpret_cast<uintptr_t>(own);

    asmjit::CodeHolder code;
    code.init(asmjit::Environment::host());
    RecordingErrorHandler eh;
    code.setErrorHandler(&eh);
    code.reserveBuffer(&code.textSection()->_buffer, 1024 + jit::arch::kLazyStubBytes * size_t{n});
    jit::arch::Assembler a(&code);
    jit::ModuleLabels labels;
    asmjit::Label landing = emit_module_stubs(a, labels);
    asmjit::Label lazy_entry = a.newLabel();
    jit::arch::emit_lazy_entry(a, labels, lazy_entry, reinterpret_cast<const void*>(&lazy_compile));
    auto jm = std::make_shared<JitModule>();
    jm->imported_funcs = m.imported_funcs;
    jm->tail_arg_slots = max_param_slots(m);
    jm->func_offsets.reserve(n);
    for (uint32_t d = 0; d < n; ++d) {
      jm->func_offsets.push_back(static_cast<uint32_t>(table_bytes + a.offset()));
      jit::arch::emit_lazy_stub(a, d, own_addr + a.offset(), reinterpret_cast<uintptr_t>(lz->table + d));
    }
    if (eh.m_err != asmjit::kErrorOk) return std::unexpected(assembler_error(eh));
    if (jit::arch::unbound_jumps(a) != 0) return std::unexpected(Error{ErrorKind::Invalid, kNoOffset, "jit: unbound label"});
    code.flatten();
    code.resolveUnresolvedLinks();
    const size_t size = code.codeSize();
    if (size > own_bytes) return std::unexpected(Error{ErrorKind::Invalid, kNoOffset, "jit: stubs too large"});
    if (!lz->res->commit_code(table_bytes, size, [&](uint8_t* dst) { return place_holder(code, dst, size); }, &error))
      return std::unexpected(Error{ErrorKind::Invalid, kNoOffset, error.empty() ? "jit: relocation failed" : error});
    lz->lazy_entry = own_addr + code.labelOffsetFromBase(lazy_entry);
    lz->unwind = own_addr + code.labelOffsetFromBase(labels.unwind);
    for (uint32_t d = 0; d < n; ++d) lz->table[d] = lz->lazy_entry;
    lz->next = table_bytes + own_bytes;
    jm->base = lz->res->base();
    jm->range = lz->res->size();
    jm->landing = static_cast<uint32_t>(table_bytes + code.labelOffsetFromBase(landing));
    jm->entry = reinterpret_cast<jit::EntryFn>(own);
    jm->code_bytes = size;
    jm->lazy = std::move(lz);
    return std::shared_ptr<const void>(std::move(jm));
  }

  EngineConfig m_config;
  JitCompile m_mode;
  bool m_lzcnt = false;
};

}  // namespace

std::unique_ptr<Engine> make_jit_engine(EngineConfig config) {
  return std::make_unique<JitEngine>(config);
}

}  // namespace wsvm
