/* Exception handling that never throws (Wasm 3.0, issue 22): a hot loop of calls inside a
 * try. The function calls setjmp, so clang-19's -mllvm -wasm-enable-sjlj lowering wraps every
 * call it makes in a try/catch (tests/wasm3/sjlj_helpers.c); nothing ever longjmps. A
 * runtime whose tries cost nothing while nothing throws runs it as fast as the same loop
 * without setjmp; one with bookkeeping per try or per call pays it 10^8 times. */
#include "bench_common.h"
#include "sjlj.h"

static jmp_buf g_env;

__attribute__((noinline)) static uint64_t step(uint64_t x, uint64_t i) {
  if (x == 0x123456789ull) longjmp(g_env, 1); /* never: keeps the call a possible throw */
  return (x ^ (x >> 31)) * 0x9E3779B97F4A7C15ull + i;
}

__attribute__((noinline)) static uint64_t run(long n) {
  volatile uint64_t escaped = 0;
  if (setjmp(g_env) != 0) return escaped;
  uint64_t x = 1;
  for (long i = 0; i < n; ++i) x = step(x, (uint64_t)i);
  return x;
}

int main(int argc, char** argv) {
  long size = bench_size(argc, argv, 100);
  uint64_t x = run(size * 1000000);
  printf("x %016llx\n", (unsigned long long)x);
  print_checksum(mix64(0, x));
  return 0;
}
