// Relaxed SIMD kernels (wasm_simd128.h relaxed intrinsics, clang-19 -mrelaxed-simd) and the
// same computations in plain scalar C. wsvm runs relaxed SIMD in the spec's deterministic
// profile in both engines (decoder/opcodes.hpp relaxed_simd_equivalent, semantics/simd.hpp),
// so each kernel's output is fixed and equals this scalar C built natively with
// -ffp-contract=off:
//   madd/nmadd    unfused: the product rounded, then the sum (random operands: a fused
//                 multiply-add would differ in the last bit of many lanes)
//   dot           both operands signed, pair sums saturated to 16 bits
//   laneselect    bitselect          min/max   Wasm's min/max (-0 < +0)
//   trunc         saturating (NaN -> 0)       swizzle   index >= 16 -> 0
//   q15mulr       saturating
// Each kernel prints "name hash"; tests/simd/run_simd_test.py compares the two outputs.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define KERNEL_SEED 424242u
#include "kernel_report.h"

#ifdef USE_SIMD
#include <wasm_simd128.h>
#endif

#define N 4096  // elements per array (multiple of 16)

static float fa[N], fb[N], fc[N], ft[N], fo[N];
static double da[N], db[N], dc[N], dout[N];
static int8_t ia[N], ib[N], i7[N];
static int16_t wa[N], wb[N], wo[N];
static int32_t ic[N / 4], io[N];
static uint8_t ua[N], us[N], uo[N];

// Moderate magnitudes with full mantissas, so products round.
static float rnd_f(void) { return ((int32_t)(rnd() % 2000001u) - 1000000) / 1024.0f + (rnd() % 7) / 3.0f; }

static void fill(void) {
  for (int i = 0; i < N; ++i) {
    fa[i] = rnd_f();
    fb[i] = rnd_f();
    fc[i] = rnd_f();
    da[i] = rnd_f() * 1.000000119;
    db[i] = rnd_f() / 3.0;
    dc[i] = rnd_f();
    ia[i] = (int8_t)rnd();
    ib[i] = (int8_t)rnd();
    i7[i] = (int8_t)(rnd() & 0x7f);
    wa[i] = (int16_t)rnd();
    wb[i] = (int16_t)rnd();
    ua[i] = (uint8_t)rnd();
    us[i] = (uint8_t)(rnd() % 40);  // indices 16..39 select 0
  }
  for (int i = 0; i < N / 4; ++i) ic[i] = (int32_t)rnd();
  for (int i = 0; i < 64; ++i) wa[i] = wb[i] = -32768;  // q15mulr's one saturating case
  for (int i = 0; i < 32; ++i) ia[i] = ib[i] = -128;     // dot's one saturating sum
  fa[0] = -0.0f; fb[0] = 0.0f;                           // min/max of zeros
  for (int i = 0; i < N; ++i) ft[i] = fc[i] * 4096.0f;
  ft[1] = 3e9f; ft[2] = -3e9f; ft[3] = NAN; ft[4] = INFINITY;  // trunc: out of range, NaN
}

#ifndef USE_SIMD  // the scalar references
static float wmin(float a, float b) { return a < b ? a : b < a ? b : signbit(a) ? a : b; }
static float wmax(float a, float b) { return a > b ? a : b > a ? b : signbit(a) ? b : a; }
static int32_t trunc_sat(float x) {
  if (x != x) return 0;
  if (x <= -2147483648.0f) return INT32_MIN;
  if (x >= 2147483648.0f) return INT32_MAX;
  return (int32_t)x;
}
static int16_t sat16(int32_t v) { return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)v; }
#endif

static void madd(void) {
#ifdef USE_SIMD
  for (int i = 0; i < N; i += 4) {
    v128_t a = wasm_v128_load(fa + i), b = wasm_v128_load(fb + i), c = wasm_v128_load(fc + i);
    wasm_v128_store(fo + i, wasm_f32x4_relaxed_madd(a, b, c));
  }
#else
  for (int i = 0; i < N; ++i) fo[i] = fa[i] * fb[i] + fc[i];
#endif
  report("f32x4_relaxed_madd", fo, sizeof fo);
#ifdef USE_SIMD
  for (int i = 0; i < N; i += 4) {
    v128_t a = wasm_v128_load(fa + i), b = wasm_v128_load(fb + i), c = wasm_v128_load(fc + i);
    wasm_v128_store(fo + i, wasm_f32x4_relaxed_nmadd(a, b, c));
  }
#else
  for (int i = 0; i < N; ++i) fo[i] = -fa[i] * fb[i] + fc[i];
#endif
  report("f32x4_relaxed_nmadd", fo, sizeof fo);
#ifdef USE_SIMD
  for (int i = 0; i < N; i += 2) {
    v128_t a = wasm_v128_load(da + i), b = wasm_v128_load(db + i), c = wasm_v128_load(dc + i);
    v128_t m = wasm_f64x2_relaxed_madd(a, b, c);
    wasm_v128_store(dout + i, wasm_f64x2_relaxed_nmadd(m, b, a));
  }
#else
  for (int i = 0; i < N; ++i) {
    double m = da[i] * db[i] + dc[i];
    dout[i] = -m * db[i] + da[i];
  }
#endif
  report("f64x2_relaxed_madd_nmadd", dout, sizeof dout);
}

static void dot(const int8_t* b, const char* name16, const char* name32) {
#ifdef USE_SIMD
  for (int i = 0; i < N; i += 16) {
    v128_t x = wasm_v128_load(ia + i), y = wasm_v128_load(b + i);
    wasm_v128_store(wo + i / 2, wasm_i16x8_relaxed_dot_i8x16_i7x16(x, y));
    v128_t c = wasm_v128_load(ic + (i / 16) * 4 % (N / 4));
    wasm_v128_store(io + i / 4, wasm_i32x4_relaxed_dot_i8x16_i7x16_add(x, y, c));
  }
#else
  for (int i = 0; i < N / 2; ++i) wo[i] = sat16(ia[2 * i] * b[2 * i] + ia[2 * i + 1] * b[2 * i + 1]);
  for (int i = 0; i < N / 4; ++i) {
    int32_t s = wo[2 * i] + wo[2 * i + 1];
    io[i] = (int32_t)((uint32_t)s + (uint32_t)ic[(i / 4) * 4 % (N / 4) + i % 4]);
  }
#endif
  report(name16, wo, N);  // N/2 halfwords
  report(name32, io, N);  // N/4 words
}

static void select_minmax_trunc(void) {
#ifdef USE_SIMD
  for (int i = 0; i < N; i += 4) {
    v128_t a = wasm_v128_load(fa + i), b = wasm_v128_load(fb + i);
    v128_t m = wasm_f32x4_lt(a, b);
    wasm_v128_store(fo + i, wasm_i32x4_relaxed_laneselect(a, b, m));
  }
#else
  for (int i = 0; i < N; ++i) fo[i] = fa[i] < fb[i] ? fa[i] : fb[i];
#endif
  report("i32x4_relaxed_laneselect", fo, sizeof fo);
#ifdef USE_SIMD
  for (int i = 0; i < N; i += 4) {
    v128_t a = wasm_v128_load(fa + i), b = wasm_v128_load(fb + i);
    v128_t lo = wasm_f32x4_relaxed_min(a, b), hi = wasm_f32x4_relaxed_max(a, b);
    wasm_v128_store(fo + i, wasm_f32x4_sub(hi, lo));
    wasm_v128_store(io + i, wasm_i32x4_relaxed_trunc_f32x4(wasm_v128_load(ft + i)));
  }
#else
  for (int i = 0; i < N; ++i) {
    float lo = wmin(fa[i], fb[i]), hi = wmax(fa[i], fb[i]);
    fo[i] = hi - lo;
    io[i] = trunc_sat(ft[i]);
  }
#endif
  report("f32x4_relaxed_min_max", fo, sizeof fo);
  report("i32x4_relaxed_trunc_f32x4", io, sizeof io);
}

static void swizzle_q15(void) {
#ifdef USE_SIMD
  for (int i = 0; i < N; i += 16) {
    v128_t t = wasm_v128_load(ua + i), s = wasm_v128_load(us + i);
    wasm_v128_store(uo + i, wasm_i8x16_relaxed_swizzle(t, s));
  }
  for (int i = 0; i < N; i += 8) {
    v128_t a = wasm_v128_load(wa + i), b = wasm_v128_load(wb + i);
    wasm_v128_store(wo + i, wasm_i16x8_relaxed_q15mulr(a, b));
  }
#else
  for (int i = 0; i < N; ++i) {
    int base = i & ~15;
    uo[i] = us[i] < 16 ? ua[base + us[i]] : 0;
  }
  for (int i = 0; i < N; ++i) wo[i] = sat16((wa[i] * wb[i] + 0x4000) >> 15);
#endif
  report("i8x16_relaxed_swizzle", uo, sizeof uo);
  report("i16x8_relaxed_q15mulr", wo, sizeof wo);
}

int main(void) {
  fill();
  madd();
  dot(i7, "i16x8_relaxed_dot_i7", "i32x4_relaxed_dot_add_i7");
  dot(ib, "i16x8_relaxed_dot_signed", "i32x4_relaxed_dot_add_signed");
  select_minmax_trunc();
  swizzle_q15();
  return 0;
}
