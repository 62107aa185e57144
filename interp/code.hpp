// The interpreter's threaded code: what the translator (translate*.cpp) writes and the
// dispatch loop (interpreter.cpp) runs.
//
// A function's code is a vector of 8-byte Words. Each instruction is one handler Word (the
// address of its label in the dispatch function, DESIGN principle 5) followed by immediate
// Words. Operands are frame-slot indices fixed at translation time; a frame is
//   fp[0 .. param_slots)             parameters (written by the caller: its argument slots)
//   fp[.. local_slots)               declared locals (zeroed at entry)
//   fp[local_slots .. frame_slots)   operand stack slots (the walker's slot numbers + local_slots)
// A call places the callee's frame at the caller's first argument slot, so arguments need no
// copy and results come back exactly where the caller's walker expects them.
//
// Encodings (S = u32 slot index, two per Word as lo|hi):
//   unary op      [h][dst|a]             binary op    [h][dst|a][b|-]
//   const         [h][dst|-][imm64]      copy         [h][dst|src]     copy_n [h][dst|src][n|-]
//   br            [h][target]            br_if/unless [h][cond|-][target]
//   br_table      [h][cond|n][n+1 targets]           (a target may be a copy_br stub)
//   copy_br       [h][dst|src][n|-][target]
//   return        [h][src|n]
//   load          [h][dst|addr][offset]  store        [h][addr|value][offset]
//   call          [h][arg|funcidx]       call_indirect [h][arg|typeidx][table|elem]
//   call_local    [h][arg|-][FuncCode*]  (a defined function of the same module)
// (see iops.def for every op). Targets are Word pointers, resolved once the function's code
// is complete. Keeping operands as general slot indices is what lets the next step fold
// constants and local.gets into operands and add fused compare+branch ops.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace wsvm::interp {

struct FuncCode;

union Word {
  const void* handler;  // computed-goto label address (or IOp number in switch mode)
  uint64_t u64;
  struct {
    uint32_t lo;
    uint32_t hi;
  } s;
  const Word* target;
  const FuncCode* func;  // call_local's callee
};
static_assert(sizeof(Word) == 8);

// Internal opcodes: one handler each.
enum class IOp : uint16_t {
#define IOP(name, words) name,
#include "interp/iops.def"
#undef IOP
  kCount
};

// The length of each op's encoding in Words, handler word included (iops.def, the one place
// that writes them); 0 for br_table (iop_length in disasm.hpp adds its targets).
inline constexpr auto kIopWords = [] {
  std::array<uint8_t, static_cast<size_t>(IOp::kCount)> t{};
#define IOP_WORDS(op) t[static_cast<size_t>(IOp::op)]
#define IOP(name, words) t[static_cast<size_t>(IOp::name)] = (words);
#include "interp/iops.def"
#undef IOP
#undef IOP_WORDS
  return t;
}();
constexpr uint32_t iop_words(IOp op) { return kIopWords[static_cast<size_t>(op)]; }
template <IOp op> inline constexpr uint32_t kWordsOf = kIopWords[static_cast<size_t>(op)];
// Every length is set (a fused op listed before one of its components would read a 0).
static_assert([] {
  for (size_t i = 0; i < kIopWords.size(); ++i)
    if ((kIopWords[i] == 0) != (i == static_cast<size_t>(IOp::br_table))) return false;
  return true;
}());

// One exception handler of a function (exception handling): while the code in [begin, end)
// runs, an exception matching it continues at `target`. A function's handlers are listed
// innermost first, so the first that matches is the one the spec picks. Nothing runs when
// a try is entered: the handlers are looked up only when something throws.
struct Handler {
  enum class Kind : uint8_t { Catch, CatchRef, CatchAll, CatchAllRef, Delegate };
  uint32_t begin = 0;   // word indices of the protected code
  uint32_t end = 0;
  uint32_t level = 0;   // label nesting level of the try (the function's label is 0)
  Kind kind = Kind::CatchAll;
  uint32_t tag = 0;     // Catch, CatchRef: the module's tag index
  uint32_t target = 0;  // word index to continue at; Delegate: the level that takes over
  uint32_t dst = 0;     // frame slot of the payload, then the exnref (_ref kinds)
  uint32_t exn_slot = kNoExnSlot;  // legacy catch arms: where rethrow finds the exception
  static constexpr uint32_t kNoExnSlot = UINT32_MAX;
};

struct FuncCode {
  std::span<const Word> code;  // in its ModuleCode's arena
  uint32_t func_index = 0;
  uint32_t param_slots = 0;
  uint32_t local_slots = 0;   // params + declared locals
  uint32_t result_slots = 0;
  uint32_t frame_slots = 0;   // local_slots + the walker's max operand slot height
  // EngineConfig::interruptible: the dispatch loop checks ExecContext::interrupt on entry to
  // this function (loop headers get a check_interrupt op in the code).
  bool check_interrupt = false;
  std::vector<Handler> handlers;  // exception handlers, innermost first (usually none)
};

// The memory holding a module's code: a few large blocks rather than one allocation per
// function, so the translator writes each function once, in place (translate.hpp), and a
// large module's code lands on huge pages where the kernel offers them (madvise) instead of
// taking a page fault per 4 KiB: at 4 KiB pages, faulting in the ~4 bytes of code per byte
// of wasm cost about as much as the whole translation (code_arena.cpp).
class CodeArena {
 public:
  CodeArena() = default;
  CodeArena(const CodeArena&) = delete;
  CodeArena& operator=(const CodeArena&) = delete;
  ~CodeArena();
  // A new block of at least `words` Words (possibly more: the span tells), valid until the
  // arena is destroyed.
  std::span<Word> new_block(size_t words);

 private:
  struct Block {
    void* base;
    size_t bytes;
    bool mapped;  // mmap'd (a large block) rather than from operator new
  };
  std::vector<Block> m_blocks;
};

struct ModuleCode {
  uint32_t imported_funcs = 0;
  std::vector<FuncCode> funcs;  // defined functions, in order
  CodeArena arena;              // every function's code
};

// The handler Word for an op (computed-goto address from the dispatch function's table).
Word handler_word(IOp op);
// handler_word() of every op, indexed by IOp (built once).
const Word* handler_table();

// The op a handler Word stands for (IOp::kCount if none), and its name ("?" if none).
IOp iop_of(Word w);
const char* iop_name_of(Word w);

}  // namespace wsvm::interp
