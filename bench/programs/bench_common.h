/* Shared helpers of the benchmark programs: size argument, a deterministic PRNG, hashing
 * and the checksum line. Every program prints exactly one line starting "checksum " that
 * must be identical natively and under every wasm engine (bench/run compares them). */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The optional first argument scales the work (CI passes a tiny value). */
static inline long bench_size(int argc, char** argv, long default_size) {
  if (argc < 2) return default_size;
  char* end = NULL;
  long v = strtol(argv[1], &end, 10);
  if (end == argv[1] || *end != '\0' || v <= 0) {
    fprintf(stderr, "usage: %s [size > 0]\n", argv[0]);
    exit(2);
  }
  return v;
}

/* xorshift64*: tiny, fast, and the same sequence on every platform. */
typedef struct { uint64_t s; } Rng;
static inline void rng_seed(Rng* r, uint64_t seed) { r->s = seed ? seed : 0x9E3779B97F4A7C15ull; }
static inline uint64_t rng_next(Rng* r) {
  uint64_t x = r->s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->s = x;
  return x * 0x2545F4914F6CDD1Dull;
}
static inline uint32_t rng_u32(Rng* r) { return (uint32_t)(rng_next(r) >> 32); }

/* Mixes a 64-bit value into a running checksum (order-sensitive). */
static inline uint64_t mix64(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  h *= 0xFF51AFD7ED558CCDull;
  return h ^ (h >> 33);
}

/* Doubles enter checksums by their bit pattern: exact, and no printf rounding differences
 * between glibc and wasi-libc. */
static inline uint64_t double_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}

static inline void print_checksum(uint64_t h) {
  printf("checksum %016llx\n", (unsigned long long)h);
}

#endif
