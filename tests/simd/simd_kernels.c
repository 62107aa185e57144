// SIMD kernels written with wasm_simd128.h intrinsics, and the same computations in plain
// scalar C. Built two ways (tests/simd/meson.build):
//   - wasm32-wasi with -msimd128 -DUSE_SIMD: the intrinsic versions, run under wsvm;
//   - natively with gcc, without USE_SIMD: the scalar versions, run on the host.
// Each kernel prints "name hash" lines; the test compares the two outputs line by line, so
// every SIMD instruction used here is checked against scalar C on real hardware.
// Float kernels avoid NaN results (whose payloads the spec leaves open) and accumulate in
// the same lane order on both sides, so results agree bit for bit.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define KERNEL_SEED 12345u
#include "kernel_report.h"

#ifdef USE_SIMD
#include <wasm_simd128.h>
#endif

#define N 4096  // elements per array (multiple of 16)

static uint8_t g_u8a[N], g_u8b[N], g_out8[N];
static int16_t g_i16a[N], g_i16b[N], g_out16[N];
static int32_t g_i32a[N], g_out32[N];
static float g_f32a[N], g_f32b[N], g_outf[N];
static double g_f64a[N], g_outd[N];


static void init(void) {
  for (int i = 0; i < N; ++i) {
    g_u8a[i] = (uint8_t)(rnd() >> 24);
    g_u8b[i] = (uint8_t)(rnd() >> 24);
    g_i16a[i] = (int16_t)(rnd() >> 16);
    g_i16b[i] = (int16_t)(rnd() >> 16);
    g_i32a[i] = (int32_t)rnd();
    // Floats: moderate values with halves (rounding ties), negatives, zeros and a few
    // out-of-range magnitudes for the saturating conversions.
    int32_t r = (int32_t)(rnd() % 200001) - 100000;
    g_f32a[i] = (float)r / 4.0f;
    g_f32b[i] = (float)((int32_t)(rnd() % 2001) - 1000) / 8.0f;
    if (i % 97 == 0) g_f32a[i] = (i % 2 ? 3e9f : -5e9f);
    if (i % 101 == 0) g_f32a[i] = -0.0f;
    g_f64a[i] = (double)r / 3.0;
    if (i % 89 == 0) g_f64a[i] = (i % 2 ? 5e9 : -5e9);
  }
  g_u8a[N - 7] = 0;  // for the zero-byte search
}

// ---- kernels: one #ifdef per kernel, SIMD first ----------------------------------------

// Saturating brightness + average of two images (u8): add_sat, sub_sat, avgr, min/max.
static void k_u8_image(void) {
#ifdef USE_SIMD
  for (int i = 0; i < N; i += 16) {
    v128_t a = wasm_v128_load(g_u8a + i), b = wasm_v128_load(g_u8b + i);
    v128_t s = wasm_u8x16_add_sat(a, wasm_u8x16_splat(40));
    v128_t d = wasm_u8x16_sub_sat(b, wasm_u8x16_splat(70));
    v128_t m = wasm_u8x16_avgr(s, d);
    v128_t r = wasm_v128_xor(wasm_u8x16_max(m, a), wasm_i8x16_min(m, b));
    wasm_v128_store(g_out8 + i, r);
  }
#else
  for (int i = 0; i < N; ++i) {
    unsigned s = g_u8a[i] + 40u > 255 ? 255 : g_u8a[i] + 40u;
    int d = g_u8b[i] - 70 < 0 ? 0 : g_u8b[i] - 70;
    uint8_t m = (uint8_t)((s + (unsigned)d + 1) >> 1);
    uint8_t mx = m > g_u8a[i] ? m : g_u8a[i];
    int8_t sm = (int8_t)m < (int8_t)g_u8b[i] ? (int8_t)m : (int8_t)g_u8b[i];
    g_out8[i] = mx ^ (uint8_t)sm;
  }
#endif
  report("u8_image", g_out8, N);
}

// Signed 8-bit saturating arithmetic, abs, neg, popcnt, shifts.
static void k_i8_misc(void) {
#ifdef USE_SIMD
  for (int i = 0; i < N; i += 16) {
    v128_t a = wasm_v128_load(g_u8a + i), b = wasm_v128_load(g_u8b + i);
    v128_t s = wasm_i8x16_add_sat(a, b);
    v128_t t = wasm_i8x16_sub_sat(a, wasm_i8x16_abs(b));
    v128_t p = wasm_i8x16_popcnt(wasm_i8x16_neg(a));
    v128_t sh = wasm_i8x16_shr(wasm_i8x16_shl(s, 1), 2);
    v128_t r = wasm_i8x16_add(wasm_v128_xor(sh, t), wasm_u8x16_shr(p, 1));
    wasm_v128_store(g_out8 + i, r);
  }
#else
  for (int i = 0; i < N; ++i) {
    int a = (int8_t)g_u8a[i], b = (int8_t)g_u8b[i];
    int s = a + b;
    s = s > 127 ? 127 : s < -128 ? -128 : s;
    int ab = b == -128 ? -128 : (b < 0 ? -b : b);
    int t = a - ab;
    t = t > 127 ? 127 : t < -128 ? -128 : t;
    uint8_t neg = (uint8_t)(-a);
    int p = __builtin_popcount(neg);
    int8_t shl = (int8_t)(uint8_t)(s << 1);
    int8_t sh = (int8_t)(shl >> 2);
    g_out8[i] = (uint8_t)(((uint8_t)sh ^ (uint8_t)t) + (uint8_t)(p >> 1));
  }
#endif
  report("i8_misc", g_out8, N);
}

// Q15 fixed point: q15mulr_sat, extmul, narrow, extend, 16-bit saturating ops.
static void k_i16_q15(void) {
#ifdef USE_SIMD
  for (int i = 0; i < N; i += 8) {
    v128_t a = wasm_v128_load(g_i16a + i), b = wasm_v128_load(g_i16b + i);
    v128_t q = wasm_i16x8_q15mulr_sat(a, b);
    v128_t lo = wasm_i32x4_extmul_low_i16x8(a, b), hi = wasm_i32x4_extmul_high_i16x8(a, b);
    v128_t n = wasm_i16x8_narrow_i32x4(wasm_i32x4_shr(lo, 12), wasm_i32x4_shr(hi, 12));
    v128_t r = wasm_i16x8_add_sat(q, wasm_i16x8_sub_sat(n, wasm_u16x8_avgr(a, b)));
    r = wasm_i16x8_mul(r, wasm_i16x8_splat(3));
    wasm_v128_store(g_out16 + i, wasm_v128_xor(r, wasm_u16x8_narrow_i32x4(lo, hi)));
  }
#else
  for (int i = 0; i < N; i += 8) {
    for (int k = 0; k < 8; ++k) {
      int a = g_i16a[i + k], b = g_i16b[i + k];
      int q = (a * b + 0x4000) >> 15;
      q = q > 32767 ? 32767 : q;
      int n = (a * b) >> 12;
      n = n > 32767 ? 32767 : n < -32768 ? -32768 : n;
      unsigned av = ((unsigned)(uint16_t)a + (uint16_t)b + 1) >> 1;
      int d = n - (int16_t)(uint16_t)av;
      d = d > 32767 ? 32767 : d < -32768 ? -32768 : d;
      int r = q + d;
      r = r > 32767 ? 32767 : r < -32768 ? -32768 : r;
      int16_t m = (int16_t)(uint16_t)((unsigned)r * 3u);
      int p = a * b;
      uint16_t un = (uint16_t)(p < 0 ? 0 : p > 65535 ? 65535 : p);
      g_out16[i + k] = (int16_t)((uint16_t)m ^ un);
    }
  }
#endif
  report("i16_q15", g_out16, sizeof g_out16);
}

// Integer dot product and horizontal sums: dot, extadd_pairwise, extend, i64 lanes.
static void k_dot(void) {
  int64_t total;
#ifdef USE_SIMD
  v128_t acc = wasm_i32x4_splat(0), acc64 = wasm_i64x2_splat(0);
  for (int i = 0; i < N; i += 8) {
    v128_t a = wasm_v128_load(g_i16a + i), b = wasm_v128_load(g_i16b + i);
    v128_t d = wasm_i32x4_dot_i16x8(a, b);
    acc = wasm_i32x4_add(acc, wasm_i32x4_shr(d, 4));
    v128_t pw = wasm_i32x4_extadd_pairwise_i16x8(a);
    acc64 = wasm_i64x2_add(acc64, wasm_i64x2_extend_low_i32x4(pw));
    acc64 = wasm_i64x2_sub(acc64, wasm_u64x2_extend_high_u32x4(pw));
  }
  total = (int64_t)wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1) +
          wasm_i32x4_extract_lane(acc, 2) + wasm_i32x4_extract_lane(acc, 3) +
          wasm_i64x2_extract_lane(acc64, 0) * 3 + wasm_i64x2_extract_lane(acc64, 1);
#else
  int32_t acc[4] = {0, 0, 0, 0};
  int64_t acc64[2] = {0, 0};
  for (int i = 0; i < N; i += 8) {
    for (int k = 0; k < 4; ++k) {
      int32_t d = (int32_t)((uint32_t)(g_i16a[i + 2 * k] * g_i16b[i + 2 * k]) +
                            (uint32_t)(g_i16a[i + 2 * k + 1] * g_i16b[i + 2 * k + 1]));
      acc[k] = (int32_t)((uint32_t)acc[k] + (uint32_t)(d >> 4));
    }
    int32_t pw[4];
    for (int k = 0; k < 4; ++k) pw[k] = g_i16a[i + 2 * k] + g_i16a[i + 2 * k + 1];
    acc64[0] += pw[0];
    acc64[1] += pw[1];
    acc64[0] -= (int64_t)(uint32_t)pw[2];
    acc64[1] -= (int64_t)(uint32_t)pw[3];
  }
  total = (int64_t)acc[0] + acc[1] + acc[2] + acc[3] + acc64[0] * 3 + acc64[1];
#endif
  printf("dot %lld\n", (long long)total);
}

// f32: arithmetic, sqrt, min/max, pmin/pmax, rounding, comparisons + bitselect.
static void k_f32(void) {
#ifdef USE_SIMD
  v128_t sum = wasm_f32x4_splat(0.0f);
  for (int i = 0; i < N; i += 4) {
    v128_t a = wasm_v128_load(g_f32a + i), b = wasm_v128_load(g_f32b + i);
    v128_t x = wasm_f32x4_add(wasm_f32x4_mul(a, b), wasm_f32x4_div(a, wasm_f32x4_splat(3.0f)));
    v128_t s = wasm_f32x4_sqrt(wasm_f32x4_abs(a));
    v128_t mm = wasm_f32x4_sub(wasm_f32x4_min(a, b), wasm_f32x4_max(a, wasm_f32x4_neg(b)));
    v128_t pm = wasm_f32x4_add(wasm_f32x4_pmin(a, b), wasm_f32x4_pmax(b, a));
    v128_t rd = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_nearest(a), wasm_f32x4_floor(b)),
                               wasm_f32x4_add(wasm_f32x4_ceil(a), wasm_f32x4_trunc(b)));
    v128_t sel = wasm_v128_bitselect(s, mm, wasm_f32x4_lt(a, b));
    v128_t r = wasm_f32x4_add(wasm_f32x4_add(x, sel), wasm_f32x4_add(pm, rd));
    wasm_v128_store(g_outf + i, r);
    sum = wasm_f32x4_add(sum, r);
  }
  float lanes[4];
  wasm_v128_store(lanes, sum);
#else
  float lanes[4] = {0, 0, 0, 0};
  for (int i = 0; i < N; ++i) {
    float a = g_f32a[i], b = g_f32b[i];
    float x = a * b + a / 3.0f;
    float s = sqrtf(fabsf(a));
    float mn = a < b ? a : b, nb = -b, mx = a > nb ? a : nb;  // no NaNs, no ±0 ties that matter
    if (a == b) mn = (signbit(a) || signbit(b)) ? -fabsf(a) : a;
    if (a == nb) mx = (signbit(a) && signbit(nb)) ? a : fabsf(a);
    float mm = mn - mx;
    float pmin = b < a ? b : a, pmax = b < a ? a : b;
    float pm = pmin + pmax;
    float rd = (nearbyintf(a) + floorf(b)) + (ceilf(a) + truncf(b));
    float sel = a < b ? s : mm;
    float r = (x + sel) + (pm + rd);
    g_outf[i] = r;
    lanes[i % 4] += r;
  }
#endif
  report("f32", g_outf, sizeof g_outf);
  printf("f32_sum %a %a %a %a\n", lanes[0], lanes[1], lanes[2], lanes[3]);
}

// f64: arithmetic, rounding, promote/demote, convert_low, trunc_sat_zero.
static void k_f64(void) {
#ifdef USE_SIMD
  for (int i = 0; i < N; i += 2) {
    v128_t a = wasm_v128_load(g_f64a + i);
    v128_t f = wasm_f64x2_promote_low_f32x4(wasm_v128_load(g_f32a + i));
    v128_t x = wasm_f64x2_add(wasm_f64x2_mul(a, f), wasm_f64x2_sqrt(wasm_f64x2_abs(a)));
    x = wasm_f64x2_sub(x, wasm_f64x2_nearest(wasm_f64x2_div(a, wasm_f64x2_splat(7.0))));
    x = wasm_f64x2_add(x, wasm_f64x2_min(wasm_f64x2_floor(a), wasm_f64x2_ceil(f)));
    x = wasm_f64x2_add(x, wasm_f64x2_pmax(wasm_f64x2_trunc(a), f));
    v128_t t = wasm_i32x4_trunc_sat_f64x2_zero(a);
    v128_t u = wasm_u32x4_trunc_sat_f64x2_zero(a);
    v128_t c = wasm_f64x2_add(wasm_f64x2_convert_low_i32x4(t), wasm_f64x2_convert_low_u32x4(u));
    v128_t dm = wasm_f32x4_demote_f64x2_zero(x);
    x = wasm_f64x2_add(wasm_f64x2_add(x, c), wasm_f64x2_promote_low_f32x4(dm));
    wasm_v128_store(g_outd + i, x);
  }
#else
  for (int i = 0; i < N; ++i) {
    double a = g_f64a[i], f = (double)g_f32a[i];
    double x = a * f + sqrt(fabs(a));
    x = x - nearbyint(a / 7.0);
    double fl = floor(a), ce = ceil(f);
    x = x + (fl < ce ? fl : ce);
    double tr = trunc(a);
    x = x + (tr < f ? f : tr);
    int32_t t = isnan(a) ? 0 : a <= -2147483648.0 ? INT32_MIN : a >= 2147483647.0 ? INT32_MAX : (int32_t)a;
    uint32_t u = isnan(a) || a <= 0 ? 0 : a >= 4294967295.0 ? UINT32_MAX : (uint32_t)a;
    double c = (double)t + (double)u;
    float dm = (float)x;
    x = (x + c) + (double)dm;
    g_outd[i] = x;
  }
#endif
  report("f64", g_outd, sizeof g_outd);
}

// f32 <-> i32 conversions (saturating), i32 min/max/abs, comparisons, all_true/bitmask.
static void k_convert(void) {
  uint32_t masks = 0;
#ifdef USE_SIMD
  for (int i = 0; i < N; i += 4) {
    v128_t a = wasm_v128_load(g_f32a + i);
    v128_t s = wasm_i32x4_trunc_sat_f32x4(a), u = wasm_u32x4_trunc_sat_f32x4(a);
    v128_t back = wasm_f32x4_add(wasm_f32x4_convert_i32x4(s), wasm_f32x4_convert_u32x4(u));
    v128_t m = wasm_i32x4_max(wasm_i32x4_abs(s), wasm_u32x4_min(u, wasm_v128_load(g_i32a + i)));
    wasm_v128_store(g_out32 + i, wasm_i32x4_add(m, wasm_i32x4_trunc_sat_f32x4(back)));
    v128_t gt = wasm_i32x4_gt(s, wasm_i32x4_splat(0));
    masks = masks * 31 + wasm_i32x4_bitmask(gt) + (wasm_i32x4_all_true(u) ? 16 : 0) +
            (wasm_v128_any_true(wasm_i32x4_eq(s, wasm_i32x4_splat(0))) ? 32 : 0);
  }
#else
  for (int i = 0; i < N; i += 4) {
    unsigned bm = 0, all = 1, any = 0;
    for (int k = 0; k < 4; ++k) {
      float a = g_f32a[i + k];
      int32_t s = a <= -2147483648.0f ? INT32_MIN : a >= 2147483648.0f ? INT32_MAX : (int32_t)a;
      uint32_t u = a <= 0 ? 0 : a >= 4294967296.0f ? UINT32_MAX : (uint32_t)a;
      float back = (float)s + (float)u;
      int32_t bs = back <= -2147483648.0f ? INT32_MIN : back >= 2147483648.0f ? INT32_MAX : (int32_t)back;
      uint32_t as = s < 0 ? (uint32_t)0 - (uint32_t)s : (uint32_t)s;
      uint32_t um = u < (uint32_t)g_i32a[i + k] ? u : (uint32_t)g_i32a[i + k];
      int32_t m = (int32_t)as > (int32_t)um ? (int32_t)as : (int32_t)um;
      g_out32[i + k] = (int32_t)((uint32_t)m + (uint32_t)bs);
      bm |= (unsigned)(s > 0) << k;
      all &= u != 0;
      any |= s == 0;
    }
    masks = masks * 31 + bm + (all ? 16 : 0) + (any ? 32 : 0);
  }
#endif
  report("convert", g_out32, sizeof g_out32);
  printf("convert_masks %u\n", masks);
}

// Byte shuffles: reverse each 16-byte block (shuffle), nibble-to-hex lookup (swizzle),
// lane access, load_lane/store_lane, load splat/zero/extend.
static void k_shuffle(void) {
#ifdef USE_SIMD
  const v128_t hex = wasm_i8x16_make('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b',
                                     'c', 'd', 'e', 'f');
  for (int i = 0; i < N; i += 16) {
    v128_t a = wasm_v128_load(g_u8a + i);
    v128_t r = wasm_i8x16_shuffle(a, a, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    v128_t h = wasm_i8x16_swizzle(hex, wasm_v128_and(r, wasm_u8x16_splat(0x0f)));
    v128_t z = wasm_i8x16_swizzle(hex, wasm_u8x16_shr(r, 3));  // indices 16..31 give 0
    v128_t w = wasm_u16x8_load8x8(g_u8b + i);
    v128_t sp = wasm_v128_load16_splat(g_u8b + i + 3);
    v128_t ln = wasm_v128_load32_lane(g_u8b + i + 5, wasm_v128_load64_zero(g_u8a + i + 8), 2);
    v128_t mix = wasm_i16x8_replace_lane(wasm_i16x8_add(w, sp), 5, (int16_t)wasm_u8x16_extract_lane(a, 9));
    v128_t out = wasm_v128_xor(wasm_v128_xor(h, z), wasm_v128_xor(mix, ln));
    wasm_v128_store(g_out8 + i, out);
    wasm_v128_store8_lane(g_out8 + i + 1, r, 7);
  }
#else
  const char hex[] = "0123456789abcdef";
  for (int i = 0; i < N; i += 16) {
    uint8_t r[16], out[16];
    for (int k = 0; k < 16; ++k) r[k] = g_u8a[i + 15 - k];
    uint16_t mix[8];
    uint16_t sp = (uint16_t)(g_u8b[i + 3] | g_u8b[i + 4] << 8);
    for (int k = 0; k < 8; ++k) mix[k] = (uint16_t)(g_u8b[i + k] + sp);
    mix[5] = g_u8a[i + 9];
    uint8_t ln[16] = {0};
    memcpy(ln, g_u8a + i + 8, 8);
    memcpy(ln + 8, g_u8b + i + 5, 4);
    uint8_t mixb[16];
    memcpy(mixb, mix, 16);
    for (int k = 0; k < 16; ++k) {
      uint8_t h = (uint8_t)hex[r[k] & 15];
      uint8_t zi = r[k] >> 3;
      uint8_t z = zi < 16 ? (uint8_t)hex[zi] : 0;
      out[k] = (uint8_t)(h ^ z ^ mixb[k] ^ ln[k]);
    }
    memcpy(g_out8 + i, out, 16);
    g_out8[i + 1] = r[7];
  }
#endif
  report("shuffle", g_out8, N);
}

// Find the first zero byte (strlen-like): bitmask of an eq compare, any_true.
static void k_find_zero(void) {
  int pos = -1;
#ifdef USE_SIMD
  for (int i = 0; i < N && pos < 0; i += 16) {
    v128_t eq = wasm_i8x16_eq(wasm_v128_load(g_u8a + i), wasm_i8x16_splat(0));
    if (wasm_v128_any_true(eq)) pos = i + __builtin_ctz(wasm_i8x16_bitmask(eq));
  }
#else
  for (int i = 0; i < N; ++i) {
    if (g_u8a[i] == 0) {
      pos = i;
      break;
    }
  }
#endif
  printf("find_zero %d\n", pos);
}

int main(void) {
  init();
  k_u8_image();
  k_i8_misc();
  k_i16_q15();
  k_dot();
  k_f32();
  k_f64();
  k_convert();
  k_shuffle();
  k_find_zero();
  return 0;
}
