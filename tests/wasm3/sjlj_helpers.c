/* The runtime side of clang's wasm setjmp/longjmp lowering (-mllvm -wasm-enable-sjlj, LLVM
 * 19): setjmp records which invocation and call site armed the buffer, the lowered code asks
 * whether a caught longjmp is for one of its own call sites, and longjmp throws the C
 * longjmp tag (tag 1 of __builtin_wasm_throw) with a pointer to {env, val}. */
#include "sjlj.h"

void __wasm_setjmp(void *env, unsigned label, void *invocation) {
  jmp_buf *b = env;
  (*b)->invocation = invocation;
  (*b)->label = label;
}

unsigned __wasm_setjmp_test(void *env, void *invocation) {
  jmp_buf *b = env;
  return (*b)->invocation == invocation ? (*b)->label : 0;
}

void __wasm_longjmp(void *env, int val) {
  jmp_buf *b = env;
  (*b)->arg.env = env;
  (*b)->arg.val = val != 0 ? val : 1; /* longjmp(env, 0) makes setjmp return 1 */
  __builtin_wasm_throw(1, &(*b)->arg);
}
