/* Sieve of Eratosthenes over a byte array, repeated: tight loops of byte stores. */
#include "bench_common.h"

int main(int argc, char** argv) {
  long limit = bench_size(argc, argv, 20000000);
  const int reps = 3;
  unsigned char* composite = malloc((size_t)limit + 1);
  if (!composite) { fprintf(stderr, "out of memory\n"); return 1; }
  uint64_t h = 0;
  long count = 0;
  for (int rep = 0; rep < reps; rep++) {
    memset(composite, 0, (size_t)limit + 1);
    for (long i = 2; i * i <= limit; i++)
      if (!composite[i])
        for (long j = i * i; j <= limit; j += i) composite[j] = 1;
    count = 0;
    long last = 0;
    for (long i = 2; i <= limit; i++)
      if (!composite[i]) { count++; last = i; }
    h = mix64(h, (uint64_t)count);
    h = mix64(h, (uint64_t)last);
  }
  printf("primes <= %ld: %ld\n", limit, count);
  print_checksum(h);
  free(composite);
  return 0;
}
