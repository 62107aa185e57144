// What every SIMD kernel program of tests/simd shares: a result is printed as "name hash"
// (FNV-1a over its bytes), and inputs come from one linear congruential generator, the same
// in the wasm and the native build. Define KERNEL_SEED before including to pick the inputs.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t fnv(const void* p, size_t n) {
  const uint8_t* b = (const uint8_t*)p;
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}
static void report(const char* name, const void* p, size_t n) {
  printf("%s %016llx\n", name, (unsigned long long)fnv(p, n));
}

static uint32_t g_seed = KERNEL_SEED;
static uint32_t rnd(void) {
  g_seed = g_seed * 1664525u + 1013904223u;
  return g_seed;
}
