// The state of the one function-body walker (DESIGN principle 2), as its listeners see it.
//
// The validator walks a body once, tracking the operand and control stacks. A Listener (the
// interpreter's translator, later the JIT) is told about every instruction and reads this
// state instead of keeping stack heights of its own.
//
// Listener contract (see function_validator.hpp for the walker):
//   void begin_function(const Module& m, uint32_t func_index,
//                       std::span<const ValType> locals);   // params first, then locals
//   void on_instr(const Instr& ins, const WalkState& st);
//   void end_function(const WalkState& st);                 // after the final `end`
// Each hook may instead return Result<void>; an error ends the walk and is returned as is.
//
// Capabilities: a listener that translates exception handling (throw, throw_ref, rethrow,
// try_table and the legacy try/catch/catch_all/delegate) declares
//   static constexpr bool kExceptions = true;
// The walker refuses those instructions to any other listener with a declared bailout
// ("unsupported instruction throw in function N (declared bailout): ..."), so a tier that
// does not know them yet declines the function instead of reading a try as something else.
// In the same way a listener that knows several memories declares kMultiMemory (memory
// instructions naming a memory other than 0; memory 0 is always allowed), and one that knows
// 64-bit addresses declares kMemory64 (any instruction on a 64-bit memory or table, and
// call_indirect through a 64-bit table); the walker declines the others the same way.
// A wrapping listener forwards its inner listener's values (runtime/compile_limit.hpp).
//
// The final `end` is an instruction like any other (on_instr sees it with control_count()
// == 1, control(0).kind == Op::call). At end_function the control stack is empty and the
// operands are the function's results; max_slot_height() is final.
//
// on_instr is called once per instruction, AFTER the instruction has been checked and found
// valid and BEFORE its effect is applied to the stacks. So, for an instruction that pops k
// operand slots, they are the top k slots of `st` (unless the innermost frame is
// unreachable, in which case the stack may be shorter: listeners emit no code then, but
// still follow block/loop/if/else/end structure). Results are pushed starting at the slot
// where the first popped operand was.
//
// Slots: every operand occupies slot_count(type) consecutive 8-byte slots (v128: 2).
// Slot numbers count from the bottom of the operand stack of the current function (0),
// independent of locals; a listener adds its own frame offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "decoder/opcodes.hpp"
#include "decoder/types.hpp"

namespace wsvm {

// The listener capability above: L::kExceptions when declared, else false.
template <class L>
constexpr bool listens_to_exceptions() {
  if constexpr (requires { L::kExceptions; }) {
    return L::kExceptions;
  } else {
    return false;
  }
}

// kMultiMemory and kMemory64 likewise (false when not declared).
template <class L>
constexpr bool listens_to_multi_memory() {
  if constexpr (requires { L::kMultiMemory; }) {
    return L::kMultiMemory;
  } else {
    return false;
  }
}
template <class L>
constexpr bool listens_to_memory64() {
  if constexpr (requires { L::kMemory64; }) {
    return L::kMemory64;
  } else {
    return false;
  }
}

struct Operand {
  ValType type;   // ValType::Bottom for a polymorphic operand in unreachable code
  uint32_t slot;  // first slot of this operand
};

// The walker's operand stack: the subset of std::vector it uses, with push and pop always
// inlined (g++ leaves std::vector::emplace_back out of line in the walker's large functions,
// ~13 instructions per push); only growth is out of line.
class OperandStack {
 public:
  size_t size() const { return m_size; }
  bool empty() const { return m_size == 0; }
  Operand* data() { return m_buf.data(); }
  const Operand* data() const { return m_buf.data(); }
  Operand& operator[](size_t i) { return m_buf[i]; }
  const Operand& operator[](size_t i) const { return m_buf[i]; }
  Operand& back() { return m_buf[m_size - 1]; }
  const Operand& back() const { return m_buf[m_size - 1]; }
  [[gnu::always_inline]] void push_back(const Operand& o) {
    if (m_size == m_cap) [[unlikely]] grow();
    m_buf[m_size++] = o;
  }
  void pop_back() { --m_size; }
  void shrink_to(size_t n) { m_size = n; }  // n <= size()
  void resize(size_t n) {  // new operands are value-initialised, as with std::vector
    while (m_size < n) push_back(Operand{});
    m_size = n;
  }
  void clear() { m_size = 0; }

 private:
  [[gnu::noinline, gnu::cold]] void grow() {
    m_buf.resize(m_buf.empty() ? 64 : m_buf.size() * 2);
    m_cap = m_buf.size();
  }
  std::vector<Operand> m_buf;  // capacity in use is m_buf.size(); live operands [0, m_size)
  size_t m_size = 0;
  size_t m_cap = 0;  // m_buf.size(), kept apart so a push loads one field
};

// The parameter and result types of a block (or of the function, for the outermost frame).
struct BlockSig {
  std::span<const ValType> params;
  std::span<const ValType> results;
};

struct CtrlFrame {
  Op kind;               // Op::block, Op::loop, Op::if_, Op::else_ (an `if` after its else),
                         // Op::try_table, Op::try_ (legacy; Op::catch_ / Op::catch_all in
                         // its catch arms), or Op::call for the function's own outermost frame
  BlockSig sig;
  uint32_t height;       // operand count at frame entry (params excluded: they sit above it)
  uint32_t slot_height;  // the same in slots
  bool unreachable;      // code after an unconditional branch, until the frame's end/else
  // Locals initialized inside the frame are forgotten at its end (typed function references:
  // the walker's log of locals set, m_init_log, had this size at the frame's entry).
  uint32_t init_height = 0;

  // The types a branch to this frame carries: params for a loop, results otherwise.
  std::span<const ValType> label_types() const {
    return kind == Op::loop ? sig.params : sig.results;
  }
};

class WalkState {
 public:
  uint32_t operand_count() const { return static_cast<uint32_t>(m_operands.size()); }
  const Operand& operand(uint32_t i) const { return m_operands[i]; }  // 0 = bottom
  const Operand& operand_from_top(uint32_t i) const {                 // 0 = top
    return m_operands[m_operands.size() - 1 - i];
  }
  uint32_t slot_height() const { return m_slot_height; }
  uint32_t max_slot_height() const { return m_max_slot_height; }

  uint32_t control_count() const { return static_cast<uint32_t>(m_frames.size()); }
  const CtrlFrame& control(uint32_t depth) const {  // 0 = innermost (a label index)
    return m_frames[m_frames.size() - 1 - depth];
  }
  bool unreachable() const { return !m_frames.empty() && m_frames.back().unreachable; }

 protected:
  OperandStack m_operands;
  std::vector<CtrlFrame> m_frames;
  uint32_t m_slot_height = 0;
  uint32_t m_max_slot_height = 0;
};

}  // namespace wsvm
