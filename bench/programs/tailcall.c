/* Tail calls (Wasm 3.0, issue 22): a bytecode interpreter whose handlers dispatch to the next
 * one by a tail call through a table (return_call_indirect in wasm), and a pair of functions
 * stepping a hash by mutual direct tail calls (return_call). Built to wasm with -mtail-call;
 * clang's musttail guarantees the tail calls (natively too: jumps); gcc, which has no
 * musttail, makes them sibling calls at -O2. Without tail calls either part would need a
 * frame per step: 10^7-10^8 deep. */
#include "bench_common.h"

#if defined(__clang__)
#define TAIL __attribute__((musttail))
#else
#define TAIL
#endif

/* ---- threaded bytecode interpreter: each handler ends in a tail call to the next ---- */
enum { OP_MIX, OP_XS, OP_ADD, OP_DEC_JNZ, OP_HALT, OP_COUNT };
typedef struct { uint8_t op, arg; } Insn;
typedef uint64_t (*Handler)(const Insn* pc, const Insn* code, uint64_t acc, uint64_t n);
static const Handler handlers[OP_COUNT];

#define NEXT(pc) TAIL return handlers[(pc)->op]((pc), code, acc, n)

__attribute__((noinline)) static uint64_t op_mix(const Insn* pc, const Insn* code, uint64_t acc, uint64_t n) {
  acc = acc * 0x100000001B3ull + n;
  ++pc;
  NEXT(pc);
}
__attribute__((noinline)) static uint64_t op_xs(const Insn* pc, const Insn* code, uint64_t acc, uint64_t n) {
  acc ^= acc >> pc->arg;
  ++pc;
  NEXT(pc);
}
__attribute__((noinline)) static uint64_t op_add(const Insn* pc, const Insn* code, uint64_t acc, uint64_t n) {
  acc += pc->arg;
  ++pc;
  NEXT(pc);
}
__attribute__((noinline)) static uint64_t op_dec_jnz(const Insn* pc, const Insn* code, uint64_t acc, uint64_t n) {
  pc = --n != 0 ? code + pc->arg : pc + 1;
  NEXT(pc);
}
__attribute__((noinline)) static uint64_t op_halt(const Insn* pc, const Insn* code, uint64_t acc, uint64_t n) {
  (void)pc; (void)code; (void)n;
  return acc;
}
static const Handler handlers[OP_COUNT] = {op_mix, op_xs, op_add, op_dec_jnz, op_halt};

/* ---- mutual recursion by direct tail calls ---- */
static uint64_t step_odd(uint64_t n, uint64_t h);
__attribute__((noinline)) static uint64_t step_even(uint64_t n, uint64_t h) {
  if (n == 0) return h;
  TAIL return step_odd(n - 1, h * 31 + n);
}
__attribute__((noinline)) static uint64_t step_odd(uint64_t n, uint64_t h) {
  if (n == 0) return h ^ 1;
  TAIL return step_even(n - 1, h ^ (h >> 29) ^ n);
}

int main(int argc, char** argv) {
  long size = bench_size(argc, argv, 100);
  static const Insn program[] = {
      {OP_MIX, 0}, {OP_XS, 31}, {OP_ADD, 7}, {OP_XS, 17}, {OP_DEC_JNZ, 0}, {OP_HALT, 0}};
  uint64_t iterations = (uint64_t)size * 200000;  /* 5 handlers each: 10^8 tail calls at 100 */
  volatile uint64_t seed = 1;
  uint64_t vm = handlers[program[0].op](program, program, seed, iterations);
  uint64_t mutual = step_even((uint64_t)size * 1000000, seed);
  printf("vm %016llx mutual %016llx\n", (unsigned long long)vm, (unsigned long long)mutual);
  print_checksum(mix64(mix64(0, vm), mutual));
  return 0;
}
