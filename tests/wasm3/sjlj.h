/* setjmp/longjmp for the sjlj test programs. Natively: the C library's. On wasm32-wasi the
 * 2022 wasi-libc has none, so clang's -mllvm -wasm-enable-sjlj lowering (which turns setjmp
 * and longjmp calls into exception handling) gets the three helpers it calls from
 * sjlj_helpers.c, over a jmp_buf of our own. */
#ifndef SJLJ_H
#define SJLJ_H
#ifdef __wasm__
typedef struct {
  void *invocation; /* the function invocation that called setjmp */
  unsigned label;   /* which setjmp call site in it */
  struct {          /* what longjmp throws: this buffer and the value */
    void *env;
    int val;
  } arg;
} jmp_buf[1];
int setjmp(jmp_buf env) __attribute__((returns_twice));
void longjmp(jmp_buf env, int val) __attribute__((noreturn));
#else
#include <setjmp.h>
#endif
#endif
