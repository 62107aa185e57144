// Every lane helper of semantics/simd.hpp against a scalar reference written here, lane by lane,
// over edge inputs (NaNs with payloads, signalling NaNs, -0, infinities, INT_MIN/MAX,
// saturation and rounding boundaries) mixed with random lanes. Results must agree bit for
// bit: the vector forms promise exactly the scalar semantics of semantics/numerics.hpp.
#include <catch2/catch.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "semantics/numerics.hpp"
#include "semantics/simd.hpp"

using namespace wsvm;
using simd::Vec;

namespace {

template <class T> constexpr int kLanes = 16 / sizeof(T);
template <class T> using Lanes = std::array<T, kLanes<T>>;

template <class T> Lanes<T> get(Vec v) {
  Lanes<T> r;
  std::memcpy(r.data(), &v, 16);
  return r;
}
template <class T> Vec put(const Lanes<T>& l) {
  Vec v;
  std::memcpy(&v, l.data(), 16);
  return v;
}
std::string hex(Vec v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx:%016llx", static_cast<unsigned long long>(v[1]),
                static_cast<unsigned long long>(v[0]));
  return buf;
}
bool same(Vec a, Vec b) { return std::memcmp(&a, &b, 16) == 0; }

std::mt19937_64& rng() {
  static std::mt19937_64 g(20261124);
  return g;
}

// Edge values per lane type (as the lane type's bits).
template <class T> std::vector<T> edges();
template <class T> std::vector<T> int_edges() {
  using S = std::make_signed_t<T>;
  using U = std::make_unsigned_t<T>;
  constexpr S mn = std::numeric_limits<S>::min(), mx = std::numeric_limits<S>::max();
  return {T(0), T(1), T(2), T(-1), T(-2), T(mn), T(mn + 1), T(mx), T(mx - 1), T(U(mx) / 2),
          T(U(mx) / 2 + 1), T(0x55), T(0xaa), T(U(-1) / 3), T(mn / 2), T(mn / 2 - 1)};
}
template <> std::vector<int8_t> edges() { return int_edges<int8_t>(); }
template <> std::vector<int16_t> edges() { return int_edges<int16_t>(); }
template <> std::vector<int32_t> edges() { return int_edges<int32_t>(); }
template <> std::vector<int64_t> edges() { return int_edges<int64_t>(); }
template <class T> std::vector<T> unsigned_edges() {
  std::vector<T> r;
  for (auto x : int_edges<std::make_signed_t<T>>()) r.push_back(static_cast<T>(x));
  return r;
}
template <> std::vector<uint8_t> edges() { return unsigned_edges<uint8_t>(); }
template <> std::vector<uint16_t> edges() { return unsigned_edges<uint16_t>(); }
template <> std::vector<uint32_t> edges() { return unsigned_edges<uint32_t>(); }
template <> std::vector<float> edges() {
  auto f = [](uint32_t b) { return std::bit_cast<float>(b); };
  return {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 0.49999997f,
          -0.49999997f, 8388607.5f, -8388607.5f, 8388608.0f, 16777215.0f, 0.3f, -0.7f, 3.7f,
          std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
          std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(),
          std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::denorm_min(),
          2147483648.0f, -2147483648.0f, 2147483520.0f, -2147483904.0f, 4294967296.0f,
          4294967040.0f, -1.0f, -0.99999994f, f(0x7fc00000), f(0xffc00000), f(0x7fa00001),
          f(0xff800001), f(0x7fc12345), f(0x7f800001)};
}
template <> std::vector<double> edges() {
  auto f = [](uint64_t b) { return std::bit_cast<double>(b); };
  return {0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994,
          -0.49999999999999994, 4503599627370495.5, -4503599627370495.5, 4503599627370496.0,
          9007199254740991.0, 0.3, -0.7, 3.7, std::numeric_limits<double>::infinity(),
          -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::max(),
          std::numeric_limits<double>::denorm_min(), 2147483647.0, 2147483647.9, 2147483648.0,
          -2147483648.0, -2147483648.9, -2147483649.0, 4294967295.0, 4294967295.5,
          4294967296.0, -0.9999, 1e300, 1e-300, 3.4028235677973366e38, 3.402823567797337e38,
          1.401298464324817e-45, 7.006492321624085e-46, f(0x7ff8000000000000ull),
          f(0xfff8000000000000ull), f(0x7ff4000000000001ull), f(0xfff0000000000001ull),
          f(0x7ff8123456789abcull), f(0x7ff0000020000000ull)};
}

// Input vectors for lane type T: lanes drawn from the edges or random bits.
template <class T> std::vector<Vec> inputs(int count = 3000) {
  std::vector<T> e = edges<T>();
  std::vector<Vec> out;
  for (int k = 0; k < count; ++k) {
    Lanes<T> l;
    for (auto& x : l) {
      uint64_t r = rng()();
      if (r % 3 != 0) {
        x = e[(r >> 8) % e.size()];
      } else {
        uint64_t bits = rng()();
        if constexpr (std::is_floating_point_v<T>) {
          // Mostly moderate magnitudes, where rounding and conversion are interesting.
          if (r % 2) x = static_cast<T>(static_cast<int64_t>(bits % 20000000) - 10000000) / T(8);
          else std::memcpy(&x, &bits, sizeof x);
        } else {
          std::memcpy(&x, &bits, sizeof x);
        }
      }
    }
    out.push_back(put(l));
  }
  return out;
}

// Reference builders: result lanes of type R from lanes of A (and B).
template <class A, class R, class F> Vec ref_un(Vec a, F f) {
  Lanes<A> x = get<A>(a);
  Lanes<R> r{};
  for (int i = 0; i < kLanes<R>; ++i) r[i] = f(x, i);
  return put(r);
}
template <class A, class R, class F> Vec ref_bin(Vec a, Vec b, F f) {
  Lanes<A> x = get<A>(a), y = get<A>(b);
  Lanes<R> r{};
  for (int i = 0; i < kLanes<R>; ++i) r[i] = f(x, y, i);
  return put(r);
}
template <class T> T mask(bool c) { return c ? T(-1) : T(0); }

template <class T> void check_un(const char* name, Vec (*fn)(Vec), std::function<Vec(Vec)> ref) {
  for (Vec a : inputs<T>()) {
    Vec got = fn(a), want = ref(a);
    if (!same(got, want)) {
      INFO(name << " a=" << hex(a) << " got=" << hex(got) << " want=" << hex(want));
      CHECK(false);
      return;
    }
  }
  SUCCEED(name);
}
template <class T> void check_bin(const char* name, Vec (*fn)(Vec, Vec), std::function<Vec(Vec, Vec)> ref) {
  auto xs = inputs<T>(), ys = inputs<T>();
  for (size_t k = 0; k < xs.size(); ++k) {
    for (Vec b : {ys[k], xs[k], xs[(k + 1) % xs.size()]}) {
      Vec a = xs[k];
      Vec got = fn(a, b), want = ref(a, b);
      if (!same(got, want)) {
        INFO(name << " a=" << hex(a) << " b=" << hex(b) << " got=" << hex(got) << " want=" << hex(want));
        CHECK(false);
        return;
      }
    }
  }
  SUCCEED(name);
}

// Integer references over the signed lane type S.
template <class S> using U = std::make_unsigned_t<S>;
template <class S> S wrap(int64_t v) { return static_cast<S>(static_cast<U<S>>(static_cast<uint64_t>(v))); }
template <class S> S sat(int64_t v, int64_t lo, int64_t hi) { return static_cast<S>(v < lo ? lo : v > hi ? hi : v); }
template <class S> constexpr int64_t kMin = std::numeric_limits<S>::min();
template <class S> constexpr int64_t kMax = std::numeric_limits<S>::max();
template <class S> constexpr int64_t kUMax = std::numeric_limits<U<S>>::max();

template <class S> void integer_shape(const char* shape) {
  using SV = S;
  (void)shape;
  auto un = [](const char* n, Vec (*fn)(Vec), auto f) {
    check_un<SV>(n, fn, [f](Vec a) { return ref_un<SV, SV>(a, f); });
  };
  auto bin = [](const char* n, Vec (*fn)(Vec, Vec), auto f) {
    check_bin<SV>(n, fn, [f](Vec a, Vec b) { return ref_bin<SV, SV>(a, b, f); });
  };
  using VS = std::conditional_t<sizeof(S) == 1, simd::i8x16, std::conditional_t<sizeof(S) == 2, simd::i16x8,
             std::conditional_t<sizeof(S) == 4, simd::i32x4, simd::i64x2>>>;
  bin("add", simd::iadd<VS>, [](auto x, auto y, int i) { return wrap<S>(int64_t(U<S>(x[i])) + U<S>(y[i])); });
  bin("sub", simd::isub<VS>, [](auto x, auto y, int i) { return S(U<S>(U<S>(x[i]) - U<S>(y[i]))); });
  bin("mul", simd::imul<VS>, [](auto x, auto y, int i) { return S(U<S>(uint64_t(U<S>(x[i])) * uint64_t(U<S>(y[i])))); });
  un("neg", simd::ineg<VS>, [](auto x, int i) { return S(U<S>(0) - U<S>(x[i])); });
  un("abs", simd::iabs<VS>, [](auto x, int i) { return x[i] < 0 ? S(U<S>(0) - U<S>(x[i])) : x[i]; });
  bin("min_s", simd::imin_s<VS>, [](auto x, auto y, int i) { return std::min(x[i], y[i]); });
  bin("max_s", simd::imax_s<VS>, [](auto x, auto y, int i) { return std::max(x[i], y[i]); });
  bin("min_u", simd::imin_u<VS>, [](auto x, auto y, int i) { return S(std::min(U<S>(x[i]), U<S>(y[i]))); });
  bin("max_u", simd::imax_u<VS>, [](auto x, auto y, int i) { return S(std::max(U<S>(x[i]), U<S>(y[i]))); });
  bin("eq", simd::ieq<VS>, [](auto x, auto y, int i) { return mask<S>(x[i] == y[i]); });
  bin("ne", simd::ine<VS>, [](auto x, auto y, int i) { return mask<S>(x[i] != y[i]); });
  bin("lt_s", simd::ilt_s<VS>, [](auto x, auto y, int i) { return mask<S>(x[i] < y[i]); });
  bin("gt_s", simd::igt_s<VS>, [](auto x, auto y, int i) { return mask<S>(x[i] > y[i]); });
  bin("le_s", simd::ile_s<VS>, [](auto x, auto y, int i) { return mask<S>(x[i] <= y[i]); });
  bin("ge_s", simd::ige_s<VS>, [](auto x, auto y, int i) { return mask<S>(x[i] >= y[i]); });
  bin("lt_u", simd::ilt_u<VS>, [](auto x, auto y, int i) { return mask<S>(U<S>(x[i]) < U<S>(y[i])); });
  bin("gt_u", simd::igt_u<VS>, [](auto x, auto y, int i) { return mask<S>(U<S>(x[i]) > U<S>(y[i])); });
  bin("le_u", simd::ile_u<VS>, [](auto x, auto y, int i) { return mask<S>(U<S>(x[i]) <= U<S>(y[i])); });
  bin("ge_u", simd::ige_u<VS>, [](auto x, auto y, int i) { return mask<S>(U<S>(x[i]) >= U<S>(y[i])); });
  if constexpr (sizeof(S) <= 2) {
    bin("add_sat_s", simd::iadd_sat_s<VS>, [](auto x, auto y, int i) { return sat<S>(int64_t(x[i]) + y[i], kMin<S>, kMax<S>); });
    bin("sub_sat_s", simd::isub_sat_s<VS>, [](auto x, auto y, int i) { return sat<S>(int64_t(x[i]) - y[i], kMin<S>, kMax<S>); });
    bin("add_sat_u", simd::iadd_sat_u<VS>, [](auto x, auto y, int i) { return S(U<S>(sat<int64_t>(int64_t(U<S>(x[i])) + U<S>(y[i]), 0, kUMax<S>))); });
    bin("sub_sat_u", simd::isub_sat_u<VS>, [](auto x, auto y, int i) { return S(U<S>(sat<int64_t>(int64_t(U<S>(x[i])) - U<S>(y[i]), 0, kUMax<S>))); });
    bin("avgr_u", simd::iavgr_u<VS>, [](auto x, auto y, int i) { return S(U<S>((uint64_t(U<S>(x[i])) + U<S>(y[i]) + 1) >> 1)); });
  }
  // Shifts, counts beyond the width included.
  constexpr int bits = sizeof(S) * 8;
  for (uint32_t n : {0u, 1u, 3u, uint32_t(bits - 1), uint32_t(bits), uint32_t(bits + 1), 100u, 0xffffffffu, 0x80000007u}) {
    for (Vec a : inputs<S>(300)) {
      uint32_t k = n % bits;
      Vec shl = ref_un<S, S>(a, [k](auto x, int i) { return S(U<S>(U<S>(x[i]) << k)); });
      Vec shr_s = ref_un<S, S>(a, [k](auto x, int i) { return S(x[i] >> k); });
      Vec shr_u = ref_un<S, S>(a, [k](auto x, int i) { return S(U<S>(x[i]) >> k); });
      INFO("shift by " << n << " a=" << hex(a));
      REQUIRE(same(simd::ishl<VS>(a, n), shl));
      REQUIRE(same(simd::ishr_s<VS>(a, n), shr_s));
      REQUIRE(same(simd::ishr_u<VS>(a, n), shr_u));
    }
  }
  for (Vec a : inputs<S>()) {
    Lanes<S> l = get<S>(a);
    bool all = true;
    uint32_t bm = 0;
    for (int i = 0; i < kLanes<S>; ++i) {
      all = all && l[i] != 0;
      bm |= uint32_t(l[i] < 0) << i;
    }
    INFO("all_true/bitmask a=" << hex(a));
    REQUIRE(simd::iall_true<VS>(a) == all);
    uint32_t got = sizeof(S) == 1 ? simd::i8x16_bitmask(a) : sizeof(S) == 2 ? simd::i16x8_bitmask(a)
                 : sizeof(S) == 4 ? simd::i32x4_bitmask(a) : simd::i64x2_bitmask(a);
    REQUIRE(got == bm);
  }
}

}  // namespace

TEST_CASE("simd integer lanes", "[simd]") {
  SECTION("i8x16") { integer_shape<int8_t>("i8x16"); }
  SECTION("i16x8") { integer_shape<int16_t>("i16x8"); }
  SECTION("i32x4") { integer_shape<int32_t>("i32x4"); }
  SECTION("i64x2") { integer_shape<int64_t>("i64x2"); }
}

TEST_CASE("simd bitwise, popcnt, any_true, swizzle, shuffle", "[simd]") {
  check_un<int8_t>("not", simd::v128_not, [](Vec a) { return Vec{~a[0], ~a[1]}; });
  check_bin<int64_t>("andnot", simd::v128_andnot, [](Vec a, Vec b) { return Vec{a[0] & ~b[0], a[1] & ~b[1]}; });
  check_bin<int64_t>("and", simd::v128_and, [](Vec a, Vec b) { return Vec{a[0] & b[0], a[1] & b[1]}; });
  check_bin<int64_t>("or", simd::v128_or, [](Vec a, Vec b) { return Vec{a[0] | b[0], a[1] | b[1]}; });
  check_bin<int64_t>("xor", simd::v128_xor, [](Vec a, Vec b) { return Vec{a[0] ^ b[0], a[1] ^ b[1]}; });
  check_un<int8_t>("popcnt", simd::i8x16_popcnt, [](Vec a) {
    return ref_un<int8_t, int8_t>(a, [](auto x, int i) { return int8_t(std::popcount(uint8_t(x[i]))); });
  });
  auto xs = inputs<int8_t>();
  for (size_t k = 0; k + 2 < xs.size(); ++k) {
    Vec a = xs[k], b = xs[k + 1], c = xs[k + 2];
    Vec sel{(a[0] & c[0]) | (b[0] & ~c[0]), (a[1] & c[1]) | (b[1] & ~c[1])};
    REQUIRE(same(simd::v128_bitselect(a, b, c), sel));
    REQUIRE(simd::v128_any_true(a) == ((a[0] | a[1]) != 0));
    // swizzle: indices from the edges (0x80, 0xff, 16, ...) and random bytes.
    Lanes<uint8_t> la = get<uint8_t>(a), lb = get<uint8_t>(b), lr{};
    for (int i = 0; i < 16; ++i) lr[i] = lb[i] < 16 ? la[lb[i]] : 0;
    INFO("swizzle a=" << hex(a) << " s=" << hex(b));
    REQUIRE(same(simd::i8x16_swizzle(a, b), put(lr)));
    Lanes<uint8_t> m = get<uint8_t>(c), ls{};
    for (auto& x : m) x &= 31;
    for (int i = 0; i < 16; ++i) ls[i] = m[i] < 16 ? la[m[i]] : lb[m[i] - 16];
    REQUIRE(same(simd::i8x16_shuffle(a, b, put(m)), put(ls)));
  }
  CHECK(simd::v128_any_true(Vec{0, 0}) == 0);
  CHECK(simd::v128_any_true(Vec{0, uint64_t{1} << 63}) == 1);
}

TEST_CASE("simd splat and lane access", "[simd]") {
  Vec a = simd::make(0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull);
  CHECK(same(simd::splat<simd::i8x16>(uint8_t(0x1ff)), simd::make(0xffffffffffffffffull, 0xffffffffffffffffull)));
  CHECK(same(simd::splat<simd::i16x8>(uint16_t(0x18001)), simd::make(0x8001800180018001ull, 0x8001800180018001ull)));
  CHECK(same(simd::splat<simd::i32x4>(0x3f800000u), simd::make(0x3f8000003f800000ull, 0x3f8000003f800000ull)));
  CHECK(same(simd::splat<simd::i64x2>(0x8000000000000001ull), simd::make(0x8000000000000001ull, 0x8000000000000001ull)));
  for (uint32_t i = 0; i < 16; ++i) CHECK(simd::lane<simd::i8x16>(a, i) == int8_t(i));
  Vec neg = simd::make(0x80ff80ff80ff80ffull, 0);
  CHECK(simd::lane<simd::i8x16>(neg, 0) == -1);
  CHECK(simd::lane<simd::i16x8>(neg, 1) == int16_t(0x80ff));
  CHECK(simd::lane<simd::i32x4>(a, 3) == 0x0f0e0d0c);
  CHECK(simd::lane<simd::i64x2>(a, 1) == 0x0f0e0d0c0b0a0908ll);
  CHECK(same(simd::replace<simd::i8x16>(a, 15, uint8_t(0x1aa)), simd::make(0x0706050403020100ull, 0xaa0e0d0c0b0a0908ull)));
  CHECK(same(simd::replace<simd::i16x8>(a, 0, 0xbeef), simd::make(0x070605040302beefull, 0x0f0e0d0c0b0a0908ull)));
  CHECK(same(simd::replace<simd::i32x4>(a, 2, 0xdeadbeef), simd::make(0x0706050403020100ull, 0x0f0e0d0cdeadbeefull)));
  CHECK(same(simd::replace<simd::i64x2>(a, 0, 42), simd::make(42, 0x0f0e0d0c0b0a0908ull)));
}

TEST_CASE("simd widening, narrowing, dot, q15mulr", "[simd]") {
  using I8 = int8_t;
  using I16 = int16_t;
  using I32 = int32_t;
  using I64 = int64_t;
  // extend / extmul / extadd_pairwise, signed (S) and unsigned (via the unsigned lane type).
#define EXT_CASE(fn, Narrow, Wide, off)                                                        \
  check_un<Narrow>(#fn, simd::fn, [](Vec a) {                                                  \
    return ref_un<Narrow, Wide>(a, [](auto x, int i) { return Wide(x[i + (off)]); });           \
  })
  EXT_CASE(i16x8_extend_low_i8x16_s, I8, I16, 0);
  EXT_CASE(i16x8_extend_high_i8x16_s, I8, I16, 8);
  EXT_CASE(i16x8_extend_low_i8x16_u, uint8_t, uint16_t, 0);
  EXT_CASE(i16x8_extend_high_i8x16_u, uint8_t, uint16_t, 8);
  EXT_CASE(i32x4_extend_low_i16x8_s, I16, I32, 0);
  EXT_CASE(i32x4_extend_high_i16x8_s, I16, I32, 4);
  EXT_CASE(i32x4_extend_low_i16x8_u, uint16_t, uint32_t, 0);
  EXT_CASE(i32x4_extend_high_i16x8_u, uint16_t, uint32_t, 4);
  EXT_CASE(i64x2_extend_low_i32x4_s, I32, I64, 0);
  EXT_CASE(i64x2_extend_high_i32x4_s, I32, I64, 2);
  EXT_CASE(i64x2_extend_low_i32x4_u, uint32_t, uint64_t, 0);
  EXT_CASE(i64x2_extend_high_i32x4_u, uint32_t, uint64_t, 2);
#undef EXT_CASE
#define EXTMUL_CASE(fn, Narrow, Wide, off)                                                     \
  check_bin<Narrow>(#fn, simd::fn, [](Vec a, Vec b) {                                          \
    return ref_bin<Narrow, Wide>(a, b, [](auto x, auto y, int i) {                             \
      return Wide(int64_t(x[i + (off)]) * int64_t(y[i + (off)]));                              \
    });                                                                                        \
  })
  EXTMUL_CASE(i16x8_extmul_low_i8x16_s, I8, I16, 0);
  EXTMUL_CASE(i16x8_extmul_high_i8x16_s, I8, I16, 8);
  EXTMUL_CASE(i16x8_extmul_low_i8x16_u, uint8_t, uint16_t, 0);
  EXTMUL_CASE(i16x8_extmul_high_i8x16_u, uint8_t, uint16_t, 8);
  EXTMUL_CASE(i32x4_extmul_low_i16x8_s, I16, I32, 0);
  EXTMUL_CASE(i32x4_extmul_high_i16x8_s, I16, I32, 4);
  EXTMUL_CASE(i32x4_extmul_low_i16x8_u, uint16_t, uint32_t, 0);
  EXTMUL_CASE(i32x4_extmul_high_i16x8_u, uint16_t, uint32_t, 4);
  EXTMUL_CASE(i64x2_extmul_low_i32x4_s, I32, I64, 0);
  EXTMUL_CASE(i64x2_extmul_high_i32x4_s, I32, I64, 2);
#undef EXTMUL_CASE
  // Unsigned 32x32 products exceed int64: separate.
  check_bin<uint32_t>("i64x2_extmul_low_i32x4_u", simd::i64x2_extmul_low_i32x4_u, [](Vec a, Vec b) {
    return ref_bin<uint32_t, uint64_t>(a, b, [](auto x, auto y, int i) { return uint64_t(x[i]) * y[i]; });
  });
  check_bin<uint32_t>("i64x2_extmul_high_i32x4_u", simd::i64x2_extmul_high_i32x4_u, [](Vec a, Vec b) {
    return ref_bin<uint32_t, uint64_t>(a, b, [](auto x, auto y, int i) { return uint64_t(x[i + 2]) * y[i + 2]; });
  });
#define PAIR_CASE(fn, Narrow, Wide)                                                            \
  check_un<Narrow>(#fn, simd::fn, [](Vec a) {                                                  \
    return ref_un<Narrow, Wide>(a, [](auto x, int i) { return Wide(Wide(x[2 * i]) + Wide(x[2 * i + 1])); }); \
  })
  PAIR_CASE(i16x8_extadd_pairwise_i8x16_s, I8, I16);
  PAIR_CASE(i16x8_extadd_pairwise_i8x16_u, uint8_t, uint16_t);
  PAIR_CASE(i32x4_extadd_pairwise_i16x8_s, I16, I32);
  PAIR_CASE(i32x4_extadd_pairwise_i16x8_u, uint16_t, uint32_t);
#undef PAIR_CASE
  check_bin<I16>("dot", simd::i32x4_dot_i16x8_s, [](Vec a, Vec b) {
    return ref_bin<I16, I32>(a, b, [](auto x, auto y, int i) {
      return wrap<I32>(int64_t(x[2 * i]) * y[2 * i] + int64_t(x[2 * i + 1]) * y[2 * i + 1]);
    });
  });
  check_bin<I16>("q15mulr_sat_s", simd::i16x8_q15mulr_sat_s, [](Vec a, Vec b) {
    return ref_bin<I16, I16>(a, b, [](auto x, auto y, int i) {
      return sat<I16>((int64_t(x[i]) * y[i] + 0x4000) >> 15, -32768, 32767);
    });
  });
  // narrow: a's lanes then b's, saturated.
#define NARROW_CASE(fn, Wide, Narrow, lo, hi)                                                  \
  check_bin<Wide>(#fn, simd::fn, [](Vec a, Vec b) {                                            \
    Lanes<Wide> x = get<Wide>(a), y = get<Wide>(b);                                            \
    Lanes<Narrow> r{};                                                                         \
    constexpr int n = kLanes<Wide>;                                                            \
    for (int i = 0; i < n; ++i) {                                                              \
      r[i] = Narrow(sat<int64_t>(x[i], lo, hi));                                               \
      r[i + n] = Narrow(sat<int64_t>(y[i], lo, hi));                                           \
    }                                                                                          \
    return put(r);                                                                             \
  })
  NARROW_CASE(i8x16_narrow_i16x8_s, I16, I8, -128, 127);
  NARROW_CASE(i8x16_narrow_i16x8_u, I16, uint8_t, 0, 255);
  NARROW_CASE(i16x8_narrow_i32x4_s, I32, I16, -32768, 32767);
  NARROW_CASE(i16x8_narrow_i32x4_u, I32, uint16_t, 0, 65535);
#undef NARROW_CASE
  // Named boundary cases.
  Vec m = simd::splat<simd::i16x8>(0x8000);
  CHECK(same(simd::i16x8_q15mulr_sat_s(m, m), simd::splat<simd::i16x8>(0x7fff)));
  CHECK(same(simd::i32x4_dot_i16x8_s(m, m), simd::splat<simd::i32x4>(0x80000000u)));
}

namespace {
template <class F> void float_shape() {
  using FV = std::conditional_t<sizeof(F) == 4, simd::f32x4, simd::f64x2>;
  using I = std::conditional_t<sizeof(F) == 4, int32_t, int64_t>;
  auto un = [](const char* n, Vec (*fn)(Vec), F (*f)(F)) {
    check_un<F>(n, fn, [f](Vec a) { return ref_un<F, F>(a, [f](auto x, int i) { return f(x[i]); }); });
  };
  auto bin = [](const char* n, Vec (*fn)(Vec, Vec), F (*f)(F, F)) {
    check_bin<F>(n, fn, [f](Vec a, Vec b) { return ref_bin<F, F>(a, b, [f](auto x, auto y, int i) { return f(x[i], y[i]); }); });
  };
  auto cmp = [](const char* n, Vec (*fn)(Vec, Vec), uint32_t (*f)(F, F)) {
    check_bin<F>(n, fn, [f](Vec a, Vec b) { return ref_bin<F, I>(a, b, [f](auto x, auto y, int i) { return mask<I>(f(x[i], y[i])); }); });
  };
  un("abs", simd::fabs<FV>, num::float_abs<F>);
  un("neg", simd::fneg<FV>, num::float_neg<F>);
  un("ceil", simd::fceil<FV>, num::float_ceil<F>);
  un("floor", simd::ffloor<FV>, num::float_floor<F>);
  un("trunc", simd::ftrunc<FV>, num::float_trunc<F>);
  un("nearest", simd::fnearest<FV>, num::float_nearest<F>);
  un("sqrt", sizeof(F) == 4 ? simd::f32x4_sqrt : simd::f64x2_sqrt, num::float_sqrt<F>);
  bin("add", simd::fadd<FV>, num::float_add<F>);
  bin("sub", simd::fsub<FV>, num::float_sub<F>);
  bin("mul", simd::fmul<FV>, num::float_mul<F>);
  bin("div", simd::fdiv<FV>, num::float_div<F>);
  bin("min", simd::fmin<FV>, num::float_min<F>);
  bin("max", simd::fmax<FV>, num::float_max<F>);
  bin("pmin", simd::fpmin<FV>, [](F a, F b) { return b < a ? b : a; });
  bin("pmax", simd::fpmax<FV>, [](F a, F b) { return a < b ? b : a; });
  cmp("eq", simd::feq<FV>, num::float_eq<F>);
  cmp("ne", simd::fne<FV>, num::float_ne<F>);
  cmp("lt", simd::flt<FV>, num::float_lt<F>);
  cmp("gt", simd::fgt<FV>, num::float_gt<F>);
  cmp("le", simd::fle<FV>, num::float_le<F>);
  cmp("ge", simd::fge<FV>, num::float_ge<F>);
}
}  // namespace

TEST_CASE("simd float lanes", "[simd]") {
  SECTION("f32x4") { float_shape<float>(); }
  SECTION("f64x2") { float_shape<double>(); }
  // Named cases from the spec's semantics.
  auto f4 = [](float a, float b, float c, float d) { return simd::as<Vec>(simd::f32x4{a, b, c, d}); };
  CHECK(same(simd::fnearest<simd::f32x4>(f4(2.5f, -2.5f, 0.5f, -0.4f)), f4(2.0f, -2.0f, 0.0f, -0.0f)));
  CHECK(same(simd::fceil<simd::f32x4>(f4(-0.5f, 0.5f, -1.5f, 1.0f)), f4(-0.0f, 1.0f, -1.0f, 1.0f)));
  CHECK(same(simd::ffloor<simd::f32x4>(f4(-0.5f, 0.5f, -0.0f, 8388607.5f)), f4(-1.0f, 0.0f, -0.0f, 8388607.0f)));
  CHECK(same(simd::fmin<simd::f32x4>(f4(0.0f, -0.0f, 1, 2), f4(-0.0f, 0.0f, 1, 1)), f4(-0.0f, -0.0f, 1, 1)));
  CHECK(same(simd::fmax<simd::f32x4>(f4(0.0f, -0.0f, 1, 2), f4(-0.0f, 0.0f, 1, 1)), f4(0.0f, 0.0f, 1, 2)));
  float nan = std::bit_cast<float>(0x7fc00000u);
  Vec pm = simd::fpmin<simd::f32x4>(f4(nan, 1, 0.0f, -0.0f), f4(1, nan, -0.0f, 0.0f));
  CHECK(simd::as<simd::u32x4>(pm)[0] == 0x7fc00000u);  // a
  CHECK(simd::as<simd::f32x4>(pm)[1] == 1.0f);          // a
  CHECK(simd::as<simd::u32x4>(pm)[2] == 0u);            // +0 (equal: a)
  CHECK(simd::as<simd::u32x4>(pm)[3] == 0x80000000u);   // -0 (equal: a)
}

TEST_CASE("simd conversions", "[simd]") {
  check_un<float>("i32x4.trunc_sat_f32x4_s", simd::i32x4_trunc_sat_f32x4_s, [](Vec a) {
    return ref_un<float, uint32_t>(a, [](auto x, int i) { return num::trunc_sat<uint32_t, true>(x[i]); });
  });
  check_un<float>("i32x4.trunc_sat_f32x4_u", simd::i32x4_trunc_sat_f32x4_u, [](Vec a) {
    return ref_un<float, uint32_t>(a, [](auto x, int i) { return num::trunc_sat<uint32_t, false>(x[i]); });
  });
  check_un<double>("i32x4.trunc_sat_f64x2_s_zero", simd::i32x4_trunc_sat_f64x2_s_zero, [](Vec a) {
    return ref_un<double, uint32_t>(a, [](auto x, int i) { return i < 2 ? num::trunc_sat<uint32_t, true>(x[i]) : 0u; });
  });
  check_un<double>("i32x4.trunc_sat_f64x2_u_zero", simd::i32x4_trunc_sat_f64x2_u_zero, [](Vec a) {
    return ref_un<double, uint32_t>(a, [](auto x, int i) { return i < 2 ? num::trunc_sat<uint32_t, false>(x[i]) : 0u; });
  });
  check_un<int32_t>("f32x4.convert_i32x4_s", simd::f32x4_convert_i32x4_s, [](Vec a) {
    return ref_un<uint32_t, float>(a, [](auto x, int i) { return num::convert_s32<float>(x[i]); });
  });
  check_un<int32_t>("f32x4.convert_i32x4_u", simd::f32x4_convert_i32x4_u, [](Vec a) {
    return ref_un<uint32_t, float>(a, [](auto x, int i) { return num::convert_u32<float>(x[i]); });
  });
  check_un<int32_t>("f64x2.convert_low_i32x4_s", simd::f64x2_convert_low_i32x4_s, [](Vec a) {
    return ref_un<uint32_t, double>(a, [](auto x, int i) { return num::convert_s32<double>(x[i]); });
  });
  check_un<int32_t>("f64x2.convert_low_i32x4_u", simd::f64x2_convert_low_i32x4_u, [](Vec a) {
    return ref_un<uint32_t, double>(a, [](auto x, int i) { return num::convert_u32<double>(x[i]); });
  });
  check_un<double>("f32x4.demote_f64x2_zero", simd::f32x4_demote_f64x2_zero, [](Vec a) {
    return ref_un<double, float>(a, [](auto x, int i) { return i < 2 ? num::demote(x[i]) : 0.0f; });
  });
  check_un<float>("f64x2.promote_low_f32x4", simd::f64x2_promote_low_f32x4, [](Vec a) {
    return ref_un<float, double>(a, [](auto x, int i) { return num::promote(x[i]); });
  });
  // Boundaries by name.
  auto f4 = [](float a, float b, float c, float d) { return simd::as<Vec>(simd::f32x4{a, b, c, d}); };
  CHECK(same(simd::i32x4_trunc_sat_f32x4_u(f4(4294967040.0f, 4294967296.0f, -0.99f, 2147483648.0f)),
             simd::as<Vec>(simd::u32x4{4294967040u, 0xffffffffu, 0, 0x80000000u})));
}

TEST_CASE("simd loads and lane stores", "[simd]") {
  std::array<uint8_t, 24> mem{};
  for (size_t i = 0; i < mem.size(); ++i) mem[i] = static_cast<uint8_t>(0x80 + i * 7);
  const uint8_t* p = mem.data() + 3;
  auto bytes = [&](int k) { return p[k]; };
  Lanes<int16_t> s16{};
  Lanes<uint16_t> u16{};
  for (int i = 0; i < 8; ++i) { s16[i] = int8_t(bytes(i)); u16[i] = bytes(i); }
  CHECK(same(simd::v128_load8x8_s(p), put(s16)));
  CHECK(same(simd::v128_load8x8_u(p), put(u16)));
  Lanes<int32_t> s32{};
  Lanes<uint32_t> u32{};
  for (int i = 0; i < 4; ++i) {
    uint16_t h = uint16_t(bytes(2 * i) | bytes(2 * i + 1) << 8);
    s32[i] = int16_t(h);
    u32[i] = h;
  }
  CHECK(same(simd::v128_load16x4_s(p), put(s32)));
  CHECK(same(simd::v128_load16x4_u(p), put(u32)));
  uint32_t w0, w1;
  std::memcpy(&w0, p, 4);
  std::memcpy(&w1, p + 4, 4);
  CHECK(same(simd::v128_load32x2_s(p), Vec{uint64_t(int64_t(int32_t(w0))), uint64_t(int64_t(int32_t(w1)))}));
  CHECK(same(simd::v128_load32x2_u(p), Vec{w0, w1}));
  CHECK(same(simd::v128_load32_zero(p), Vec{w0, 0}));
  uint64_t d;
  std::memcpy(&d, p, 8);
  CHECK(same(simd::v128_load64_zero(p), Vec{d, 0}));
  CHECK(same(simd::v128_load64_splat(p), Vec{d, d}));
  CHECK(same(simd::v128_load32_splat(p), Vec{uint64_t(w0) | uint64_t(w0) << 32, uint64_t(w0) | uint64_t(w0) << 32}));
  CHECK(get<uint8_t>(simd::v128_load8_splat(p))[11] == p[0]);
  CHECK(get<uint16_t>(simd::v128_load16_splat(p))[7] == uint16_t(p[0] | p[1] << 8));
  Vec v = simd::make(0x1111111111111111ull, 0x2222222222222222ull);
  CHECK(same(simd::load_lane<simd::i32x4>(v, p, 3), Vec{0x1111111111111111ull, 0x22222222ull | uint64_t(w0) << 32}));
  CHECK(same(simd::load_lane<simd::i8x16>(v, p, 0), Vec{0x1111111111111100ull | p[0], 0x2222222222222222ull}));
  std::array<uint8_t, 8> out{};
  simd::store_lane<simd::i16x8>(out.data(), simd::make(0, 0xabcd000000000000ull), 7);
  CHECK((out[0] == 0xcd && out[1] == 0xab && out[2] == 0));
  simd::store_lane<simd::i64x2>(out.data(), simd::make(1, 0x0102030405060708ull), 1);
  CHECK((out[0] == 8 && out[7] == 1));
}

// Relaxed SIMD in the deterministic profile (spec numerics, "Relaxed Operations": every choice
// is choice 0). The i7 dot products take both operands as signed; madd rounds the product.
TEST_CASE("simd relaxed: i7 dot products and unfused madd", "[simd][relaxed]") {
  using I8 = int8_t;
  using I16 = int16_t;
  auto dot16 = [](Lanes<I8> x, Lanes<I8> y, int i) {
    return sat<I16>(int64_t(x[2 * i]) * y[2 * i] + int64_t(x[2 * i + 1]) * y[2 * i + 1], -32768, 32767);
  };
  check_bin<I8>("i16x8_relaxed_dot_i8x16_i7x16_s", simd::i16x8_relaxed_dot_i8x16_i7x16_s,
                [&](Vec a, Vec b) { return ref_bin<I8, I16>(a, b, dot16); });
  auto as8 = inputs<I8>(500), bs8 = inputs<I8>(500);
  auto cs32 = inputs<int32_t>(500);
  for (size_t k = 0; k < as8.size(); ++k) {
    Lanes<I8> x = get<I8>(as8[k]), y = get<I8>(bs8[k]);
    Lanes<int32_t> c = get<int32_t>(cs32[k]), want{};
    for (int i = 0; i < 4; ++i)
      want[i] = wrap<int32_t>(int64_t(dot16(x, y, 2 * i)) + dot16(x, y, 2 * i + 1) + c[i]);
    Vec got = simd::i32x4_relaxed_dot_i8x16_i7x16_add_s(as8[k], bs8[k], cs32[k]);
    INFO("dot_add a=" << hex(as8[k]) << " b=" << hex(bs8[k]) << " c=" << hex(cs32[k]));
    REQUIRE(same(got, put(want)));
  }
  // The one saturating sum: (-128 * -128) * 2.
  Vec m = simd::splat<simd::i8x16>(0x80);
  CHECK(same(simd::i16x8_relaxed_dot_i8x16_i7x16_s(m, m), simd::splat<simd::i16x8>(0x7fff)));

  auto madd_shape = [&]<class F>(F) {
    using FV = std::conditional_t<sizeof(F) == 4, simd::f32x4, simd::f64x2>;
    auto as = inputs<F>(1000), bs = inputs<F>(1000), cs = inputs<F>(1000);
    for (size_t k = 0; k < as.size(); ++k) {
      Lanes<F> x = get<F>(as[k]), y = get<F>(bs[k]), z = get<F>(cs[k]), madd{}, nmadd{};
      for (int i = 0; i < kLanes<F>; ++i) {
        madd[i] = num::float_add<F>(num::float_mul<F>(x[i], y[i]), z[i]);
        nmadd[i] = num::float_add<F>(num::float_mul<F>(num::float_neg<F>(x[i]), y[i]), z[i]);
      }
      // Bit for bit, except that a NaN lane only has to be a NaN: which operand's payload
      // survives two operations is the compiler's operand order in the scalar reference.
      auto agree = [](Vec got, const Lanes<F>& want) {
        Lanes<F> g = get<F>(got);
        for (int i = 0; i < kLanes<F>; ++i)
          if (std::isnan(want[i]) ? !std::isnan(g[i]) : std::memcmp(&g[i], &want[i], sizeof(F)) != 0)
            return false;
        return true;
      };
      INFO("madd a=" << hex(as[k]) << " b=" << hex(bs[k]) << " c=" << hex(cs[k]));
      REQUIRE(agree(simd::frelaxed_madd<FV>(as[k], bs[k], cs[k]), madd));
      REQUIRE(agree(simd::frelaxed_nmadd<FV>(as[k], bs[k], cs[k]), nmadd));
    }
  };
  madd_shape(0.0f);
  madd_shape(0.0);
  // Unfused: 0x1.000002p0 squared is 1 + 2^-22 + 2^-46, rounded to 1 + 2^-22 before - (1 + 2^-22);
  // a fused multiply-add would give 2^-46.
  const float one_ulp = std::bit_cast<float>(0x3f800001u);
  Vec a = simd::splat<simd::i32x4>(std::bit_cast<uint32_t>(one_ulp));
  Vec c = simd::splat<simd::i32x4>(std::bit_cast<uint32_t>(-(one_ulp * one_ulp)));
  CHECK(same(simd::frelaxed_madd<simd::f32x4>(a, a, c), Vec{}));
}
