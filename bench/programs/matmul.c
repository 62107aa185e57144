/* Dense matrix multiply of doubles, C = A * B, i-k-j loop order. The summation order is
 * fixed by the source, so every engine computes bit-identical results (no FMA contraction:
 * natively built with -ffp-contract=off; wasm has no fused multiply-add). */
#include "bench_common.h"

int main(int argc, char** argv) {
  long n = bench_size(argc, argv, 480);
  double* a = malloc(sizeof(double) * n * n);
  double* b = malloc(sizeof(double) * n * n);
  double* c = calloc((size_t)(n * n), sizeof(double));
  if (!a || !b || !c) { fprintf(stderr, "out of memory\n"); return 1; }
  Rng rng;
  rng_seed(&rng, 42);
  /* Entries k/1024 - 1 for small integer k: exactly representable. */
  for (long i = 0; i < n * n; i++) a[i] = (double)(rng_u32(&rng) % 2048) / 1024.0 - 1.0;
  for (long i = 0; i < n * n; i++) b[i] = (double)(rng_u32(&rng) % 2048) / 1024.0 - 1.0;
  for (int rep = 0; rep < 3; rep++) {
    for (long i = 0; i < n; i++) {
      double* ci = c + i * n;
      for (long k = 0; k < n; k++) {
        double aik = a[i * n + k];
        const double* bk = b + k * n;
        for (long j = 0; j < n; j++) ci[j] += aik * bk[j];
      }
    }
  }
  uint64_t h = 0;
  double trace = 0;
  for (long i = 0; i < n * n; i++) h = mix64(h, double_bits(c[i]));
  for (long i = 0; i < n; i++) trace += c[i * n + i];
  printf("matmul n=%ld trace=%.6f\n", n, trace);
  print_checksum(h);
  free(a); free(b); free(c);
  return 0;
}
