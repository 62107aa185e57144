// The canonical ABI against definitions.py's semantics, on a fake guest: a 64 KiB memory
// and a bump realloc that logs every call, so the realloc sequences of the string
// transcodings are checked exactly.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstring>

#include "component/abi.hpp"

using namespace wsvm::component;
using wsvm::Trap;

namespace {

struct ReallocCall {
  uint32_t old, old_size, align, new_size;
  bool operator==(const ReallocCall&) const = default;
};

struct FakeGuest {
  std::vector<uint8_t> memory = std::vector<uint8_t>(65536, 0);
  uint32_t next = 1024;  // bump pointer
  std::vector<ReallocCall> calls;
  uint32_t misalign = 0;      // added to every result (to test the alignment trap)
  bool out_of_bounds = false;  // return a pointer past the end

  AbiOptions options(StringEncoding e = StringEncoding::Utf8) {
    AbiOptions o;
    o.encoding = e;
    o.memory = [this] { return std::span<uint8_t>(memory); };
    o.realloc = [this](uint32_t old, uint32_t old_size, uint32_t align,
                       uint32_t new_size) -> AbiResult<uint32_t> {
      calls.push_back({old, old_size, align, new_size});
      if (out_of_bounds) return uint32_t(memory.size() - 1);
      if (old != 0 && new_size <= old_size) return old + misalign;  // shrink in place
      uint32_t p = align_to(next, align);
      next = p + new_size;
      if (old != 0) std::memmove(&memory[p], &memory[old], std::min(old_size, new_size));
      return p + misalign;
    };
    return o;
  }
  void put(uint32_t at, std::initializer_list<uint8_t> bytes) {
    std::copy(bytes.begin(), bytes.end(), memory.begin() + at);
  }
  void put32(uint32_t at, uint32_t v) { std::memcpy(&memory[at], &v, 4); }
  uint32_t get32(uint32_t at) const {
    uint32_t v;
    std::memcpy(&v, &memory[at], 4);
    return v;
  }
};

std::string trap_of(const std::optional<Trap>& t) { return t ? t->message : "(no trap)"; }
template <class T>
std::string trap_of(const AbiResult<T>& r) { return r ? "(no trap)" : r.error().message; }

template <class T>
T ok(AbiResult<T> r) {
  if (!r) FAIL("trap: " << r.error().message);
  return std::move(*r);
}

AbiResult<Val> lift1(LiftLowerContext& cx, std::vector<FlatVal> flat, const VTypeP& t) {
  FlatReader r(flat);
  return cx.lift_flat(r, *t);
}

std::vector<FlatVal> lower1(LiftLowerContext& cx, const Val& v, const VTypeP& t) {
  std::vector<FlatVal> out;
  auto trap = cx.lower_flat(v, *t, out);
  if (trap) FAIL("trap: " << trap->message);
  return out;
}

const VTypeP u8 = t_prim(VKind::U8), u16 = t_prim(VKind::U16), u32 = t_prim(VKind::U32),
             s8 = t_prim(VKind::S8), s32 = t_prim(VKind::S32), u64 = t_prim(VKind::U64),
             f32 = t_prim(VKind::F32), f64 = t_prim(VKind::F64), chr = t_prim(VKind::Char),
             boolean = t_prim(VKind::Bool), str = t_prim(VKind::String);

}  // namespace

TEST_CASE("alignment, size and flattening follow definitions.py") {
  auto rec = t_record({{"a", u8}, {"b", u32}, {"c", u16}});
  CHECK(rec->align == 4);
  CHECK(rec->size == 12);
  CHECK(rec->flat == std::vector<FlatType>{FlatType::I32, FlatType::I32, FlatType::I32});
  auto tup = t_tuple({u8, u64});
  CHECK(tup->align == 8);
  CHECK(tup->size == 16);
  auto opt = t_option(f64);
  CHECK(opt->size == 16);
  CHECK(opt->payload_offset() == 8);
  CHECK(opt->flat == std::vector<FlatType>{FlatType::I32, FlatType::F64});
  CHECK(str->size == 8);
  CHECK(str->align == 4);
  CHECK(t_list(u64)->size == 8);
  // Joined payload slots: f32+u32 -> i32, f32+u64 -> i64, f32+f64 -> i64.
  CHECK(t_variant({{"a", f32}, {"b", u32}})->flat == std::vector<FlatType>{FlatType::I32, FlatType::I32});
  CHECK(t_variant({{"a", f32}, {"b", u64}})->flat == std::vector<FlatType>{FlatType::I32, FlatType::I64});
  CHECK(t_result(f32, f64)->flat == std::vector<FlatType>{FlatType::I32, FlatType::I64});
  CHECK(t_result(nullptr, nullptr)->size == 1);
  // The discriminant grows with the number of cases.
  std::vector<std::string> many;
  for (int i = 0; i < 257; ++i) many.push_back("c" + std::to_string(i));
  auto big_enum = t_enum(many);
  CHECK(big_enum->size == 2);
  CHECK(t_enum({"a", "b"})->size == 1);
  std::vector<std::string> nine(many.begin(), many.begin() + 9), seventeen(many.begin(), many.begin() + 17);
  CHECK(t_flags(nine)->size == 2);
  CHECK(t_flags(seventeen)->size == 4);
  CHECK(t_fixed_list(u16, 3)->size == 6);
  CHECK(t_fixed_list(u16, 3)->flat.size() == 3);
}

TEST_CASE("flatten_functype: 16 params, 1 result, spilling") {
  std::vector<VTypeP> sixteen(16, u32), seventeen(17, u32);
  auto s = flatten_functype(sixteen, {}, FlattenContext::Lift);
  CHECK(s.params.size() == 16);
  CHECK_FALSE(s.params_spilled);
  s = flatten_functype(seventeen, {str}, FlattenContext::Lift);
  CHECK(s.params == std::vector<FlatType>{FlatType::I32});
  CHECK(s.results == std::vector<FlatType>{FlatType::I32});
  CHECK(s.results_spilled);
  s = flatten_functype({u32}, {str}, FlattenContext::Lower);
  CHECK(s.params == std::vector<FlatType>{FlatType::I32, FlatType::I32});
  CHECK(s.results.empty());
}

TEST_CASE("integers, bools, floats and chars") {
  FakeGuest g;
  LiftLowerContext cx(g.options(), nullptr, nullptr);
  CHECK(ok(lift1(cx, {0x1ff}, u8)).u == 0xff);
  CHECK(ok(lift1(cx, {0xff}, s8)).s == -1);
  CHECK(ok(lift1(cx, {0xffffffff00000005ull}, u32)).u == 5);  // upper slot bits ignored
  CHECK(ok(lift1(cx, {0x80000000}, s32)).s == INT32_MIN);
  CHECK(ok(lift1(cx, {2}, boolean)).u == 1);
  CHECK(lower1(cx, Val::s32(-1), s32) == std::vector<FlatVal>{0xffffffff});
  CHECK(lower1(cx, Val::s8(-2), s8) == std::vector<FlatVal>{0xfffffffe});
  CHECK(lower1(cx, Val::u64(~0ull), u64) == std::vector<FlatVal>{~0ull});

  // NaNs are canonicalised both ways.
  Val nan = ok(lift1(cx, {0x7fa00001}, f32));
  CHECK(std::bit_cast<uint32_t>(nan.f32) == kCanonicalNan32);
  CHECK(lower1(cx, Val::f32v(std::bit_cast<float>(0xffc12345u)), f32) == std::vector<FlatVal>{kCanonicalNan32});
  CHECK(lower1(cx, Val::f64v(std::bit_cast<double>(0xfff0000000000001ull)), f64) ==
        std::vector<FlatVal>{kCanonicalNan64});
  CHECK(ok(lift1(cx, {std::bit_cast<uint32_t>(1.5f)}, f32)).f32 == 1.5f);

  CHECK(ok(lift1(cx, {0x10ffff}, chr)).u == 0x10ffff);
  CHECK(trap_of(lift1(cx, {0xd800}, chr)) == "invalid `char` bit pattern");
  CHECK(trap_of(lift1(cx, {0x110000}, chr)) == "invalid `char` bit pattern");
  std::vector<FlatVal> out;
  CHECK(trap_of(cx.lower_flat(Val::character(0xdfff), *chr, out)) == "invalid `char` bit pattern");
  // A value of the wrong kind is refused, not written.
  CHECK_THAT(trap_of(cx.lower_flat(Val::string("x"), *u32, out)), Catch::Contains("does not have type u32"));
}

TEST_CASE("loading strings: encodings and traps") {
  FakeGuest g;
  g.put(100, {'h', 0xc3, 0xa9});  // "hé"
  LiftLowerContext utf8(g.options(), nullptr, nullptr);
  Val s = ok(lift1(utf8, {100, 3}, str));
  CHECK(s.str == "h\xc3\xa9");
  CHECK(s.str_tagged_units == 3);
  g.put(200, {0xc3, 0x28});
  CHECK(trap_of(lift1(utf8, {200, 2}, str)) == "invalid utf-8");
  CHECK(trap_of(lift1(utf8, {100, 2}, str)) == "incomplete utf-8 byte sequence");
  g.put(210, {0xed, 0xa0, 0x80});  // an encoded surrogate
  CHECK(trap_of(lift1(utf8, {210, 3}, str)) == "invalid utf-8");
  CHECK(trap_of(lift1(utf8, {65535, 2}, str)) == "string pointer/length out of bounds of memory");
  CHECK(trap_of(lift1(utf8, {70000, 0}, str)) == "string pointer/length out of bounds of memory");
  CHECK(trap_of(lift1(utf8, {0, 1u << 28}, str)) == "string byte length exceeds 2^28-1");

  LiftLowerContext utf16(g.options(StringEncoding::Utf16), nullptr, nullptr);
  g.put(300, {'a', 0, 0x3d, 0xd8, 0x00, 0xde});  // "a😀"
  CHECK(ok(lift1(utf16, {300, 3}, str)).str == "a\xf0\x9f\x98\x80");
  CHECK(trap_of(lift1(utf16, {301, 1}, str)) == "unaligned pointer");
  CHECK(trap_of(lift1(utf16, {302, 1}, str)) == "invalid utf-16");  // lone high surrogate

  LiftLowerContext mixed(g.options(StringEncoding::Latin1Utf16), nullptr, nullptr);
  g.put(400, {'a', 0xe9});  // latin1 "aé"
  CHECK(ok(lift1(mixed, {400, 2}, str)).str == "a\xc3\xa9");
  CHECK(ok(lift1(mixed, {300, 3 | kUtf16Tag}, str)).str == "a\xf0\x9f\x98\x80");
}

TEST_CASE("storing strings transcodes with definitions.py's realloc calls") {
  SECTION("utf8 into utf8: one exact allocation") {
    FakeGuest g;
    LiftLowerContext cx(g.options(), nullptr, nullptr);
    auto flat = lower1(cx, Val::string("h\xc3\xa9llo"), str);
    CHECK(g.calls == std::vector<ReallocCall>{{0, 0, 1, 6}});
    CHECK(flat[1] == 6);
    CHECK(std::memcmp(&g.memory[flat[0]], "h\xc3\xa9llo", 6) == 0);
  }
  SECTION("utf8 into utf16: worst case, then shrink") {
    FakeGuest g;
    LiftLowerContext cx(g.options(StringEncoding::Utf16), nullptr, nullptr);
    auto flat = lower1(cx, Val::string("h\xc3\xa9llo"), str);
    REQUIRE(g.calls.size() == 2);
    CHECK(g.calls[0] == ReallocCall{0, 0, 2, 12});
    CHECK(g.calls[1] == ReallocCall{uint32_t(flat[0]), 12, 2, 10});
    CHECK(flat[1] == 5);
    CHECK(g.memory[flat[0] + 2] == 0xe9);
    CHECK(g.memory[flat[0] + 3] == 0);
  }
  SECTION("utf8 into latin1+utf16: latin1 when it fits") {
    FakeGuest g;
    LiftLowerContext cx(g.options(StringEncoding::Latin1Utf16), nullptr, nullptr);
    auto flat = lower1(cx, Val::string("h\xc3\xa9llo"), str);
    REQUIRE(g.calls.size() == 2);
    CHECK(g.calls[0] == ReallocCall{0, 0, 2, 6});
    CHECK(g.calls[1] == ReallocCall{uint32_t(flat[0]), 6, 2, 5});
    CHECK(flat[1] == 5);
    CHECK(g.memory[flat[0] + 1] == 0xe9);
  }
  SECTION("utf8 into latin1+utf16: inflated to tagged utf16") {
    FakeGuest g;
    LiftLowerContext cx(g.options(StringEncoding::Latin1Utf16), nullptr, nullptr);
    auto flat = lower1(cx, Val::string("h\xe2\x82\xac"), str);  // "h€": 4 utf8 bytes
    REQUIRE(g.calls.size() == 3);
    CHECK(g.calls[0] == ReallocCall{0, 0, 2, 4});
    CHECK(g.calls[1].old_size == 4);
    CHECK(g.calls[1].new_size == 8);
    CHECK(g.calls[2] == ReallocCall{uint32_t(flat[0]), 8, 2, 4});
    CHECK(flat[1] == (2 | kUtf16Tag));
    CHECK(g.memory[flat[0]] == 'h');
    CHECK(g.memory[flat[0] + 1] == 0);
    CHECK(g.memory[flat[0] + 2] == 0xac);
    CHECK(g.memory[flat[0] + 3] == 0x20);
  }
  SECTION("utf16 source into utf8: ASCII prefix, grow to 3 bytes per unit, shrink") {
    FakeGuest src;
    src.put(100, {'a', 0, 0xe9, 0});
    LiftLowerContext from(src.options(StringEncoding::Utf16), nullptr, nullptr);
    Val s = ok(lift1(from, {100, 2}, str));
    FakeGuest g;
    LiftLowerContext cx(g.options(), nullptr, nullptr);
    auto flat = lower1(cx, s, str);
    REQUIRE(g.calls.size() == 3);
    CHECK(g.calls[0] == ReallocCall{0, 0, 1, 2});
    CHECK(g.calls[1].new_size == 6);
    CHECK(g.calls[2] == ReallocCall{uint32_t(flat[0]), 6, 1, 3});
    CHECK(flat[1] == 3);
    CHECK(std::memcmp(&g.memory[flat[0]], "a\xc3\xa9", 3) == 0);
  }
  SECTION("latin1 source into utf8: worst case 2 per unit, no shrink when reached") {
    FakeGuest src;
    src.put(100, {0xe9});
    LiftLowerContext from(src.options(StringEncoding::Latin1Utf16), nullptr, nullptr);
    Val s = ok(lift1(from, {100, 1}, str));
    FakeGuest g;
    LiftLowerContext cx(g.options(), nullptr, nullptr);
    auto flat = lower1(cx, s, str);
    REQUIRE(g.calls.size() == 2);
    CHECK(g.calls[1].new_size == 2);
    CHECK(flat[1] == 2);
  }
  SECTION("tagged utf16 source of latin1 text into latin1+utf16: compressed") {
    FakeGuest src;
    src.put(100, {'a', 0, 'b', 0});
    LiftLowerContext from(src.options(StringEncoding::Latin1Utf16), nullptr, nullptr);
    Val s = ok(lift1(from, {100, 2 | kUtf16Tag}, str));
    FakeGuest g;
    LiftLowerContext cx(g.options(StringEncoding::Latin1Utf16), nullptr, nullptr);
    auto flat = lower1(cx, s, str);
    REQUIRE(g.calls.size() == 2);
    CHECK(g.calls[0] == ReallocCall{0, 0, 2, 4});
    CHECK(g.calls[1] == ReallocCall{uint32_t(flat[0]), 4, 1, 2});
    CHECK(flat[1] == 2);
    CHECK(g.memory[flat[0] + 1] == 'b');
  }
  SECTION("realloc results are checked") {
    FakeGuest g;
    g.misalign = 1;
    LiftLowerContext cx(g.options(StringEncoding::Utf16), nullptr, nullptr);
    std::vector<FlatVal> out;
    CHECK(trap_of(cx.lower_flat(Val::string("ab"), *str, out)) == "realloc return: result not aligned");
    FakeGuest h;
    h.out_of_bounds = true;
    LiftLowerContext cy(h.options(), nullptr, nullptr);
    CHECK(trap_of(cy.lower_flat(Val::string("ab"), *str, out)) == "realloc return: beyond end of memory");
  }
}

TEST_CASE("lists, records, variants, options, results, flags round trip") {
  FakeGuest g;
  LiftLowerContext cx(g.options(), nullptr, nullptr);
  auto point = t_record({{"x", s32}, {"y", f64}});
  auto shape = t_variant({{"circle", f32}, {"big", u64}, {"none", nullptr}});
  auto perms = t_flags({"read", "write", "exec"});
  auto all = t_tuple({t_list(u16), point, shape, t_option(str), t_result(u8, str), perms,
                      t_enum({"a", "b", "c"}), t_fixed_list(u8, 2)});
  Val v = Val::tuple({Val::list({Val::u16(1), Val::u16(2), Val::u16(3)}),
                      Val::record({Val::s32(-7), Val::f64v(2.5)}),
                      Val::variant(0, {Val::f32v(1.5f)}), Val::some(Val::string("yes")),
                      Val::err({Val::string("no")}), Val::flags(0b101), Val::enumeration(2),
                      Val::list({Val::u8(9), Val::u8(8)})});
  // Through flat values...
  auto flat = lower1(cx, v, all);
  CHECK(flat.size() == all->flat.size());
  Val back = ok(lift1(cx, flat, all));
  back.items[7].kind = VKind::List;  // a fixed-size list lifts as FixedList
  CHECK(back == v);
  // ... and through memory.
  uint32_t at = ok(cx.lower_flat_values(0, {v}, {all}))[0];
  CHECK(at % all->align == 0);
  Val loaded = ok(cx.load(at, *all));
  loaded.items[7].kind = VKind::List;
  CHECK(loaded == v);
  CHECK(loaded.to_string() == "([1, 2, 3], {-7, 2.5}, case0(1.5), some(\"yes\"), err(\"no\"), "
                              "flags(0x5), case2, [9, 8])");

  // The f32 payload sits in the joined i32 slot as its bits; the u64 one in an i64 slot.
  CHECK(lower1(cx, Val::variant(0, {Val::f32v(1.5f)}), shape) ==
        std::vector<FlatVal>{0, std::bit_cast<uint32_t>(1.5f)});
  CHECK(lower1(cx, Val::variant(2), shape) == std::vector<FlatVal>{2, 0});
  CHECK(ok(lift1(cx, {1, 0x123456789ull}, shape)).items[0].u == 0x123456789ull);
  CHECK(trap_of(lift1(cx, {3, 0}, shape)) == "invalid variant discriminant");
  g.put(500, {3});
  CHECK(trap_of(cx.load(500, *shape)) == "invalid variant discriminant");
  // Flags ignore bits beyond their labels.
  CHECK(ok(lift1(cx, {0xff}, perms)).disc == 0b111);
}

TEST_CASE("list traps: alignment, bounds, length") {
  FakeGuest g;
  LiftLowerContext cx(g.options(), nullptr, nullptr);
  auto lu32 = t_list(u32);
  CHECK(trap_of(lift1(cx, {2, 1}, lu32)) == "unaligned pointer");
  CHECK(trap_of(lift1(cx, {65532, 2}, lu32)) == "list pointer/length out of bounds of memory");
  CHECK(trap_of(lift1(cx, {0, 1u << 26}, lu32)) == "list byte length exceeds 2^28-1");
  g.put32(600, 0x41);
  g.put32(604, 0xd800);
  CHECK(trap_of(lift1(cx, {600, 2}, t_list(chr))) == "invalid `char` bit pattern");
  // Lowering allocates with the element's alignment.
  lower1(cx, Val::list({Val::u32(1), Val::u32(2)}), lu32);
  CHECK(g.calls.back() == ReallocCall{0, 0, 4, 8});
  // No realloc option: lowering a list cannot allocate.
  AbiOptions no_realloc = g.options();
  no_realloc.realloc = nullptr;
  LiftLowerContext cy(no_realloc, nullptr, nullptr);
  std::vector<FlatVal> out;
  CHECK_THAT(trap_of(cy.lower_flat(Val::list({}), *lu32, out)), Catch::Contains("no realloc"));
}

TEST_CASE("list<u8> lifts packed, lowers from either form, and keeps every check") {
  FakeGuest g;
  LiftLowerContext cx(g.options(), nullptr, nullptr);
  auto lu8 = t_list(u8);
  g.put(700, {1, 2, 3, 255});
  Val v = ok(lift1(cx, {700, 4}, lu8));
  CHECK(v.items.empty());
  CHECK(v.bytes == std::vector<uint8_t>{1, 2, 3, 255});
  CHECK(v == Val::list({Val::u8(1), Val::u8(2), Val::u8(3), Val::u8(255)}));  // one value, two forms
  CHECK(v.to_string() == "[1, 2, 3, 255]");
  // Lowering: the packed form and the per-element form write the same bytes, one realloc each.
  auto packed = lower1(cx, v, lu8);
  CHECK(g.calls.back() == ReallocCall{0, 0, 1, 4});
  auto items = lower1(cx, Val::list({Val::u8(1), Val::u8(2), Val::u8(3), Val::u8(255)}), lu8);
  CHECK(packed[1] == 4);
  CHECK(std::memcmp(&g.memory[packed[0]], &g.memory[items[0]], 4) == 0);
  CHECK(std::memcmp(&g.memory[packed[0]], &g.memory[700], 4) == 0);
  // Bounds and length limits still hold; a packed value for another element type is refused.
  CHECK(trap_of(lift1(cx, {65534, 4}, lu8)) == "list pointer/length out of bounds of memory");
  CHECK(trap_of(lift1(cx, {0, 1u << 28}, lu8)) == "list byte length exceeds 2^28-1");
  std::vector<FlatVal> out;
  CHECK_THAT(trap_of(cx.lower_flat(v, *t_list(u16), out)), Catch::Contains("does not have type list<u16>"));
  // Strings: UTF-8 to UTF-8 is validated and copied; invalid UTF-8 from the host is refused.
  auto s = lower1(cx, Val::string("h\xc3\xa9llo"), str);
  CHECK(g.calls.back() == ReallocCall{0, 0, 1, 6});
  CHECK(std::string(reinterpret_cast<const char*>(&g.memory[s[0]]), s[1]) == "h\xc3\xa9llo");
  CHECK_THAT(trap_of(cx.lower_flat(Val::string("a\xff"), *str, out)), Catch::Contains("not valid UTF-8"));
}

TEST_CASE("parameters and results beyond the flat limits go through memory") {
  FakeGuest g;
  LiftLowerContext cx(g.options(), nullptr, nullptr);
  std::vector<VTypeP> ts(17, u32);
  std::vector<Val> vs;
  for (uint32_t i = 0; i < 17; ++i) vs.push_back(Val::u32(i * 10));
  auto flat = ok(cx.lower_flat_values(kMaxFlatParams, vs, ts));
  REQUIRE(flat.size() == 1);
  CHECK(g.calls.back() == ReallocCall{0, 0, 4, 68});
  CHECK(g.get32(uint32_t(flat[0]) + 16 * 4) == 160);
  FlatReader r(flat);
  CHECK(ok(cx.lift_flat_values(kMaxFlatParams, r, ts)) == vs);
  // Sixteen stay flat.
  std::vector<VTypeP> t16(16, u32);
  std::vector<Val> v16(vs.begin(), vs.begin() + 16);
  CHECK(ok(cx.lower_flat_values(kMaxFlatParams, v16, t16)).size() == 16);

  // A string result (2 flat values > 1) is written through the caller's out-pointer.
  std::vector<FlatVal> outp{800};
  FlatReader out_param(outp);
  auto none = ok(cx.lower_flat_values(kMaxFlatResults, {Val::string("ok")}, {str}, &out_param));
  CHECK(none.empty());
  CHECK(g.get32(804) == 2);
  // Lifting a spilled result checks the pointer.
  std::vector<FlatVal> bad{802};
  FlatReader br(bad);
  CHECK(trap_of(cx.lift_flat_values(kMaxFlatResults, br, {str})) == "unaligned pointer");
  std::vector<FlatVal> oob{65532};
  FlatReader orr(oob);
  CHECK(trap_of(cx.lift_flat_values(kMaxFlatResults, orr, {str})) == "pointer out of bounds of memory");
  std::vector<FlatVal> good{800};
  FlatReader gr(good);
  CHECK(ok(cx.lift_flat_values(kMaxFlatResults, gr, {str}))[0].str == "ok");
}

TEST_CASE("resources: handle tables, own and borrow, destructors") {
  InstanceState impl, user;
  std::vector<uint32_t> destroyed;
  ResourceTypeInfo rt{"R", &impl, [&](uint32_t rep) -> std::optional<Trap> {
                        destroyed.push_back(rep);
                        return std::nullopt;
                      }};
  ResourceTypeInfo other{"S", &impl, nullptr};

  uint32_t h1 = ok(resource_new(impl, rt, 42));
  CHECK(h1 == 1);  // index 0 is never a handle
  CHECK(ok(resource_rep(impl, rt, h1)) == 42);
  // Both guest-defined: wasmtime's words (the reference tests quote them).
  CHECK(trap_of(resource_rep(impl, other, h1)) ==
        "handle index 1 used with the wrong type, expected guest-defined resource but found a "
        "different guest-defined resource");
  ResourceTypeInfo host_type{"H", nullptr, nullptr};
  CHECK(trap_of(resource_rep(impl, host_type, h1)) ==
        "handle index 1 used with the wrong type, expected H but found R");
  CHECK(trap_of(resource_drop(impl, rt, 5)) == "unknown handle index 5");
  CHECK_FALSE(resource_drop(impl, rt, h1));
  CHECK(destroyed == std::vector<uint32_t>{42});
  CHECK(trap_of(resource_rep(impl, rt, h1)) == "unknown handle index 1");
  CHECK(ok(resource_new(impl, rt, 7)) == 1);  // the freed slot is reused

  // Passing an own<R> from `impl` to `user`: lifted (removed) from one, lowered (added) to
  // the other.
  FakeGuest g;
  auto own = t_own(&rt), borrow = t_borrow(&rt);
  LiftLowerContext from_impl(g.options(), &impl, nullptr);
  Val v = ok(lift1(from_impl, {1}, own));
  CHECK(v.u == 7);
  CHECK(impl.handles.live() == 0);
  LiftLowerContext to_user(g.options(), &user, nullptr);
  auto flat = lower1(to_user, v, own);
  CHECK(ok(resource_rep(user, rt, uint32_t(flat[0]))) == 7);

  // Borrowing: the caller lends its owned handle for the call; it cannot be dropped or
  // moved until the call returns.
  CallScope subtask;
  LiftLowerContext caller(g.options(), &user, &subtask);
  Val b = ok(lift1(caller, {flat[0]}, borrow));
  CHECK(b.u == 7);
  CHECK(trap_of(resource_drop(user, rt, uint32_t(flat[0]))) == "cannot remove owned resource while borrowed");
  CHECK(trap_of(lift1(caller, {flat[0]}, own)) == "cannot remove owned resource while borrowed");
  // The callee (another instance) gets a borrow handle in its own table, counted by its task.
  InstanceState callee;
  CallScope task;
  LiftLowerContext into_callee(g.options(), &callee, &task);
  auto bh = lower1(into_callee, b, borrow);
  CHECK(task.num_borrows == 1);
  CHECK(trap_of(task.check_borrows_dropped()) == "borrow handles still remain at the end of the call");
  CHECK_FALSE(resource_drop(callee, rt, uint32_t(bh[0])));  // dropping a borrow: no destructor
  CHECK(task.num_borrows == 0);
  CHECK_FALSE(task.check_borrows_dropped());
  CHECK(destroyed.size() == 1);
  subtask.release_lenders();
  CHECK_FALSE(resource_drop(user, rt, uint32_t(flat[0])));
  CHECK(destroyed == std::vector<uint32_t>{42, 7});

  // The implementing instance receives a borrow of its own resource as the rep itself.
  LiftLowerContext into_impl(g.options(), &impl, &task);
  CHECK(lower1(into_impl, Val::borrow(99), borrow) == std::vector<FlatVal>{99});
  CHECK(task.num_borrows == 0);

  // A borrow handle is not an owned one.
  uint32_t bh2 = ok(user.handles.add(HandleEntry{&rt, 5, false, 0, &task}));
  LiftLowerContext cu(g.options(), &user, nullptr);
  CHECK_THAT(trap_of(lift1(cu, {bh2}, own)), Catch::Contains("is a borrow"));

  // While realloc or post-return run, the instance may not leave.
  impl.may_leave = false;
  CHECK(trap_of(resource_new(impl, rt, 1)) == "cannot leave component instance");
}
