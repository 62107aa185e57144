// Engine glue: compile() assembles every function of a module into one code buffer (the
// compiler rides the validator's walk), call() enters the code through the module's entry
// trampoline inside a trap-recovery scope (guard-page faults become traps).
#include "jit/jit_engine.hpp"

#include <asmjit/x86.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "jit/code_memory.hpp"
#include "jit/compiler.hpp"
#include "jit/jit_abi.hpp"
#include "memory/trap_handler.hpp"
#include "runtime/native_stack.hpp"
#include "validator/function_validator.hpp"
#include "validator/validate.hpp"

namespace wsvm {
namespace {

using namespace asmjit::x86;
using asmjit::imm;

struct JitModule {
  std::unique_ptr<jit::CodeMemory> mem;
  uint32_t imported_funcs = 0;
  std::vector<uint32_t> func_offsets;  // defined functions, ascending (emitted in order)
  uint32_t funcs_end = 0;              // end of the last function (and its trap stubs)
  uint32_t landing = 0;                // the guard-fault landing pad (emit_landing)
  jit::EntryFn entry = nullptr;
  size_t code_bytes = 0;
};

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

// entry(ji, mem_base, slots, code, ctx): saves the callee-saved registers, pins r13-r15,
// records rsp for unwinding and calls `code` with rsi = slots. Returns 0, or 1 when the
// unwind code (a trap) returned through `exit` with rsp = entry_rsp.
void emit_trampoline(Assembler& a, jit::ModuleLabels& labels) {
  a.push(rbp);
  a.push(rbx);
  a.push(r12);
  a.push(r13);
  a.push(r14);
  a.push(r15);
  a.sub(rsp, 8);  // 6 pushes + return address: realign to 16 for the call
  a.mov(r13, rdi);
  a.mov(r14, rsi);
  a.mov(r15, r8);
  a.mov(qword_ptr(r13, jit::kJiEntryRsp), rsp);
  a.mov(rsi, rdx);
  a.call(rcx);
  a.xor_(eax, eax);
  a.bind(labels.exit);
  a.add(rsp, 8);
  a.pop(r15);
  a.pop(r14);
  a.pop(r13);
  a.pop(r12);
  a.pop(rbx);
  a.pop(rbp);
  a.ret();
}

void record_trap(jit::JitInstance* ji) noexcept;

// Each function's trap stubs (compiler.cpp) record where the trap happened and jump here.
// The backtrace is walked first, while the JIT frames are live: record_trap runs on the
// stack below the trapping function's frame pointer (a stack-overflow trap's rsp may be far
// below the limit, its rbp is not: the caller passed the check), realigned for the call.
// Only then does rsp go back to entry_rsp and the trampoline return 1.
void emit_unwind(Assembler& a, jit::ModuleLabels& labels) {
  a.bind(labels.unwind);
  a.mov(rsp, rbp);
  a.and_(rsp, imm(-16));
  a.mov(rdi, r13);
  a.mov(rax, imm(reinterpret_cast<uint64_t>(&record_trap)));
  a.call(rax);
  a.mov(rsp, qword_ptr(r13, jit::kJiEntryRsp));
  a.mov(eax, 1);
  a.jmp(labels.exit);
}

// Where memory/trap_handler resumes a guard-page fault in this module's code (LandingPad):
// r11 = the faulting pc, every other register as at the fault (r13 = JitInstance*, rbp =
// the faulting function's frame).
void emit_landing(Assembler& a, jit::ModuleLabels& labels, asmjit::Label landing) {
  a.bind(landing);
  a.mov(dword_ptr(r13, jit::kJiTrapKind), imm(static_cast<uint32_t>(TrapKind::MemoryOutOfBounds)));
  a.mov(qword_ptr(r13, jit::kJiTrapPc), r11);
  a.mov(qword_ptr(r13, jit::kJiTrapRbp), rbp);
  a.jmp(labels.unwind);
}

// The defined function whose code contains pc, or -1 (the trampoline, helpers, other code).
int64_t function_at(const JitModule& jm, uintptr_t pc) {
  auto base = reinterpret_cast<uintptr_t>(jm.mem->base());
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

thread_local uint32_t t_entries = 0;      // JIT entries active on this thread
thread_local uintptr_t t_stack_limit = 0;  // their shared machine-stack limit

class JitEngine final : public Engine {
 public:
  explicit JitEngine(EngineConfig config) : m_config(config) {
    memory::install_trap_handler();
    m_lzcnt = asmjit::CpuInfo::host().hasFeature(asmjit::CpuFeatures::X86::kLZCNT);
  }
  const char* name() const override { return "jit"; }

  Result<std::shared_ptr<const void>> compile(const Module& m) override {
    asmjit::CodeHolder code;
    code.init(asmjit::Environment::host());
    RecordingErrorHandler eh;
    code.setErrorHandler(&eh);
    // Machine code is typically 4-10x the body bytes: reserving once avoids re-copying a
    // growing buffer (that copying was a fifth of compile time on a 6 MB module).
    size_t body_bytes = 0;
    for (const FunctionBody& b : m.code) body_bytes += b.body_end - b.body_offset;
    code.reserveBuffer(&code.textSection()->_buffer, 4096 + body_bytes * 8);
    Assembler a(&code);
    jit::ModuleLabels labels;
    labels.unwind = a.newLabel();
    labels.exit = a.newLabel();
    labels.funcs.reserve(m.code.size());
    for (size_t i = 0; i < m.code.size(); ++i) labels.funcs.push_back(a.newLabel());
    emit_trampoline(a, labels);
    jit::FunctionCompiler fc(a, labels, m_config, m_lzcnt);
    for (uint32_t i = 0; i < m.code.size(); ++i) {
      Result<void> r = walk_function(m, m.imported_funcs + i, fc);
      if (!r) {
        if (r.error().kind == ErrorKind::Invalid) return std::unexpected(prefer_malformed(m, r.error()));
        return std::unexpected(r.error());
      }
    }
    asmjit::Label funcs_end = a.newLabel();
    a.bind(funcs_end);
    emit_unwind(a, labels);
    asmjit::Label landing = a.newLabel();
    emit_landing(a, labels, landing);
    if (eh.m_err != asmjit::kErrorOk)
      return std::unexpected(Error{ErrorKind::Invalid, kNoOffset, "jit: assembler error: " + eh.m_message});
    code.flatten();
    code.resolveUnresolvedLinks();
    auto jm = std::make_shared<JitModule>();
    jm->imported_funcs = m.imported_funcs;
    std::string error;
    size_t size = code.codeSize();
    jm->mem = jit::CodeMemory::create(
        size,
        [&](uint8_t* base) {
          if (code.relocateToBase(reinterpret_cast<uint64_t>(base)) != asmjit::kErrorOk) return false;
          code.copyFlattenedData(base, size, asmjit::CopySectionFlags::kPadSectionBuffer);
          return true;
        },
        &error);
    if (!jm->mem) return std::unexpected(Error{ErrorKind::Invalid, kNoOffset, error});
    for (const asmjit::Label& l : labels.funcs)
      jm->func_offsets.push_back(static_cast<uint32_t>(code.labelOffsetFromBase(l)));
    jm->funcs_end = static_cast<uint32_t>(code.labelOffsetFromBase(funcs_end));
    jm->landing = static_cast<uint32_t>(code.labelOffsetFromBase(landing));
    // WSVM_JIT_DUMP=FILE: the module's machine code, for `objdump -D -b binary -mi386:x86-64`
    // (function offsets on stderr).
    if (const char* dump = std::getenv("WSVM_JIT_DUMP")) {
      if (FILE* f = std::fopen(dump, "wb")) {
        std::fwrite(jm->mem->base(), 1, size, f);
        std::fclose(f);
      }
      for (size_t i = 0; i < labels.funcs.size(); ++i)
        std::fprintf(stderr, "jit: func %zu at 0x%llx\n", m.imported_funcs + i,
                     static_cast<unsigned long long>(code.labelOffsetFromBase(labels.funcs[i])));
    }
    jm->entry = reinterpret_cast<jit::EntryFn>(jm->mem->base());
    jm->code_bytes = size;
    return std::shared_ptr<const void>(std::move(jm));
  }

  const void* function_code(const void* module_code, uint32_t func_index) const override {
    const auto* jm = static_cast<const JitModule*>(module_code);
    return jm->mem->base() + jm->func_offsets[func_index - jm->imported_funcs];
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
    ji.inst = inst;
    ji.ctx = &ctx;
    ji.engine = this;
    ji.pending = &pending;
    ji.module = jm;
    uint8_t* base = inst->memories.empty() ? nullptr : inst->memories[0]->mem->base();

    const uint32_t depth = ctx.call_depth;
    const uintptr_t saved_limit = t_stack_limit;
    ++t_entries;
    t_stack_limit = limit;
    int rc = 0;
    memory::TrapInfo info;
    const auto code_base = reinterpret_cast<uintptr_t>(jm->mem->base());
    const memory::LandingPad pad{code_base, code_base + jm->funcs_end, code_base + jm->landing};
    bool ok = memory::with_trap_recovery(
        [&] { rc = jm->entry(&ji, base, slots, f.code, &ctx); }, &info, pad);
    --t_entries;
    t_stack_limit = saved_limit;
    if (!ok) {
      // A fault outside the functions' code (a helper's): its frames are gone, so no
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
  EngineConfig m_config;
  bool m_lzcnt = false;
};

}  // namespace

std::unique_ptr<Engine> make_jit_engine(EngineConfig config) {
  return std::make_unique<JitEngine>(config);
}

}  // namespace wsvm
