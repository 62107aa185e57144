/* Exceptions thrown and caught in a loop (Wasm 3.0 exception handling, issue 22): a
 * recursive-descent evaluator of generated expressions that reports errors (division by zero,
 * depth limit) by longjmp out of several frames to the setjmp of the statement loop. For wasm
 * it is built with clang-19's -mllvm -wasm-enable-sjlj, which turns setjmp/longjmp into
 * try/catch/throw (tests/wasm3/sjlj_helpers.c supplies the three helpers the lowering calls);
 * natively it is the C library's setjmp/longjmp. About one statement in eight throws. */
#include "bench_common.h"
#include "sjlj.h"

static jmp_buf g_err;
static const char* g_p;

__attribute__((noinline)) static void fail(int code) { longjmp(g_err, code); }

static int64_t expr(int depth);

__attribute__((noinline)) static int64_t atom(int depth) {
  if (depth > 2) fail(2);
  char c = *g_p++;
  if (c == '(') {
    int64_t v = expr(depth + 1);
    ++g_p; /* ')' */
    return v;
  }
  return c - '0';
}

__attribute__((noinline)) static int64_t term(int depth) {
  int64_t v = atom(depth);
  while (*g_p == '*' || *g_p == '/') {
    char op = *g_p++;
    int64_t r = atom(depth);
    if (op == '*') {
      v *= r;
    } else {
      if (r == 0) fail(1);
      v /= r;
    }
  }
  return v;
}

__attribute__((noinline)) static int64_t expr(int depth) {
  int64_t v = term(depth);
  while (*g_p == '+' || *g_p == '-') {
    char op = *g_p++;
    int64_t r = term(depth);
    v = op == '+' ? v + r : v - r;
  }
  return v;
}

/* A random expression of digits 0-9 and + - * / with parentheses up to depth 8. */
static char* gen(char* out, Rng* rng, int depth) {
  int n = 1 + (int)(rng_u32(rng) % 3);
  for (int i = 0; i < n; ++i) {
    if (i > 0) *out++ = "+-*/"[rng_u32(rng) % 4];
    if (depth < 8 && rng_u32(rng) % 4 == 0) {
      *out++ = '(';
      out = gen(out, rng, depth + 1);
      *out++ = ')';
    } else {
      *out++ = (char)('0' + rng_u32(rng) % 10);
    }
  }
  return out;
}

int main(int argc, char** argv) {
  long size = bench_size(argc, argv, 100);
  enum { kExprs = 4096 };
  static char text[kExprs][512];
  Rng rng;
  rng_seed(&rng, 7);
  for (int i = 0; i < kExprs; ++i) *gen(text[i], &rng, 0) = '\0';
  uint64_t h = 0, errors = 0, ok = 0;
  long statements = size * 20000;
  for (long s = 0; s < statements; ++s) {
    g_p = text[s % kExprs];
    int code = setjmp(g_err);
    if (code == 0) {
      int64_t v = expr(0);
      h = mix64(h, (uint64_t)v);
      ++ok;
    } else {
      h = mix64(h, (uint64_t)code << 32 | (uint64_t)s);
      ++errors;
    }
  }
  printf("statements %ld ok %llu errors %llu\n", statements, (unsigned long long)ok,
         (unsigned long long)errors);
  print_checksum(mix64(h, errors));
  return 0;
}
