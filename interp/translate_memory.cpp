// Translation of memory instructions on a memory other than 0 (multi-memory) or on a 64-bit
// memory (memory64). Memory 0, when it is 32-bit, keeps the fast ops of translate_ops.cpp:
// its base and size live in the dispatch loop's registers and guard pages bound its
// accesses. Any other access goes through the instance and is bounds-checked explicitly
// (interpreter_memory.inc).
#include "interp/translate.hpp"
#include "validator/sig_table.hpp"

namespace wsvm::interp {

// `mem_select` checks the access (address, offset and size against that memory's current
// size; a 64-bit address is checked whole) and points the dispatch loop's memory base at
// that memory, shifted by the address's upper 32 bits; then the plain op runs unchanged
// (base + u32 address + offset) and `mem_restore` puts memory 0 back. The plain op is the
// same for every memory, SIMD ones included (translate_simd.cpp never sees the difference).
void Translator::on_access_elsewhere(const Instr& ins, const WalkState& st) {
  flush_all();  // the address operand in its own slot, read by both ops
  const SimpleSig& sig = simple_sig(ins.op);
  const uint32_t addr = top(st, sig.param_count - 1u);  // the address is the first operand
  op(IOp::mem_select);
  pair(addr, ins.b);
  imm(ins.imm);
  imm(op_info(ins.op).mem);
  m_selecting = true;
  on_simple(ins, st);
  m_selecting = false;
  op(IOp::mem_restore);
}

bool Translator::on_memory_op_elsewhere(const Instr& ins, const WalkState& st) {
  const auto is_fast = [&](uint32_t mem) { return mem == 0 && !m_mem0_64; };
  const uint32_t push = fs(st.slot_height());
  switch (ins.op) {
    case Op::memory_size:
      if (is_fast(ins.a)) return false;
      op(IOp::memory_size_n);
      pair(push, ins.a);
      return true;
    case Op::memory_grow:
      if (is_fast(ins.a)) return false;
      op(IOp::memory_grow_n);
      pair(top(st, 0), top(st, 0));
      pair(ins.a, 0);
      return true;
    case Op::memory_fill:
      if (is_fast(ins.a)) return false;
      op(IOp::memory_fill_n);
      pair(top(st, 2), ins.a);
      return true;
    case Op::memory_copy:
      if (is_fast(ins.a) && is_fast(ins.b)) return false;
      op(IOp::memory_copy_n);
      pair(top(st, 2), ins.a);
      pair(ins.b, 0);
      return true;
    case Op::memory_init:
      if (is_fast(ins.b)) return false;
      op(IOp::memory_init_n);
      pair(top(st, 2), ins.a);
      pair(ins.b, 0);
      return true;
    default:
      return false;
  }
}

}  // namespace wsvm::interp
