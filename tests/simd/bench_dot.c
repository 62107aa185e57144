// A SIMD-heavy loop and the same loop in scalar wasm, for `wsvm --invoke` timing
// (tests/simd/bench.sh): the i32 dot product of two 64 Ki-element arrays, `reps` times.
// Both exports return the same checksum. Built with clang-14 --target=wasm32 -msimd128;
// the scalar loop has vectorization disabled so it stays scalar wasm.
#include <stdint.h>
#include <wasm_simd128.h>

#define N 65536
static int32_t g_a[N], g_b[N];
static int g_ready;

static void init(void) {
  uint32_t s = 1;
  for (int i = 0; i < N; ++i) {
    s = s * 1664525u + 1013904223u;
    g_a[i] = (int32_t)(s >> 20) - 2048;
    s = s * 1664525u + 1013904223u;
    g_b[i] = (int32_t)(s >> 20) - 2048;
  }
  g_ready = 1;
}

__attribute__((export_name("dot_scalar"))) int32_t dot_scalar(int32_t reps) {
  if (!g_ready) init();
  uint32_t total = 0;
  for (int r = 0; r < reps; ++r) {
    uint32_t acc = 0;
#pragma clang loop vectorize(disable) interleave(disable) unroll(disable)
    for (int i = 0; i < N; ++i) acc += (uint32_t)(g_a[i] * g_b[i]);
    total = total * 31 + acc;
  }
  return (int32_t)total;
}

__attribute__((export_name("dot_simd"))) int32_t dot_simd(int32_t reps) {
  if (!g_ready) init();
  uint32_t total = 0;
  for (int r = 0; r < reps; ++r) {
    v128_t acc = wasm_i32x4_splat(0);
#pragma clang loop unroll(disable)
    for (int i = 0; i < N; i += 4)
      acc = wasm_i32x4_add(acc, wasm_i32x4_mul(wasm_v128_load(g_a + i), wasm_v128_load(g_b + i)));
    uint32_t s = (uint32_t)wasm_i32x4_extract_lane(acc, 0) + (uint32_t)wasm_i32x4_extract_lane(acc, 1) +
                 (uint32_t)wasm_i32x4_extract_lane(acc, 2) + (uint32_t)wasm_i32x4_extract_lane(acc, 3);
    total = total * 31 + s;
  }
  return (int32_t)total;
}
