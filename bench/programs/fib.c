/* Recursive Fibonacci: call overhead and small-integer arithmetic. */
#include "bench_common.h"

/* noinline + the argument through a volatile keep the compilers from turning the
 * recursion into a loop or a closed form. */
__attribute__((noinline)) static uint32_t fib(uint32_t n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(int argc, char** argv) {
  volatile long n = bench_size(argc, argv, 38);
  uint32_t r = fib((uint32_t)n);
  printf("fib(%ld) = %u\n", (long)n, r);
  print_checksum(mix64(0, r));
  return 0;
}
