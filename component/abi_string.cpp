// Strings in the canonical ABI: loading in utf8, utf16 and latin1+utf16, and storing with
// transcoding from the source encoding, with the same realloc calls (sizes, alignments,
// order) as definitions.py's store_string_into_range and its helpers.
#include <cstring>

#include <fmt/format.h>

#include "component/abi.hpp"
#include "component/utf.hpp"

namespace wsvm::component {

namespace {

std::unexpected<Trap> fail(std::string msg) { return std::unexpected(abi_trap(std::move(msg))); }

enum class Simple : uint8_t { Utf8, Utf16, Latin1 };

}  // namespace

AbiResult<Val> LiftLowerContext::load_string_from_range(uint32_t ptr, uint32_t tagged) {
  uint32_t alignment = 1;
  uint64_t byte_length = tagged;
  Simple enc = Simple::Utf8;
  switch (m_opts.encoding) {
    case StringEncoding::Utf8: break;
    case StringEncoding::Utf16:
      alignment = 2, byte_length = 2 * uint64_t(tagged), enc = Simple::Utf16;
      break;
    case StringEncoding::Latin1Utf16:
      alignment = 2;
      if (tagged & kUtf16Tag) byte_length = 2 * uint64_t(tagged ^ kUtf16Tag), enc = Simple::Utf16;
      else enc = Simple::Latin1;
      break;
  }
  if (byte_length > kMaxStringByteLength) return fail("string byte length exceeds 2^28-1");
  if (ptr != align_to(ptr, alignment)) return fail("unaligned pointer");
  if (auto t = check_range(ptr, byte_length, "string pointer/length")) return std::unexpected(*t);
  std::span<const uint8_t> bytes(mem().data() + ptr, size_t(byte_length));
  Val v;
  v.kind = VKind::String;
  v.str_encoding = m_opts.encoding;
  v.str_tagged_units = tagged;
  std::u32string text;
  switch (enc) {
    case Simple::Utf8:
      switch (utf8_validate(bytes)) {
        case Utf8Status::Ok: v.str.assign(bytes.begin(), bytes.end()); return v;
        case Utf8Status::Invalid: return fail("invalid utf-8");
        case Utf8Status::Incomplete: return fail("incomplete utf-8 byte sequence");
      }
      break;
    case Simple::Utf16:
      if (!utf16_decode(bytes, text)) return fail("invalid utf-16");
      v.str = utf8_encode(text);
      return v;
    case Simple::Latin1:
      for (uint8_t b : bytes) utf8_append(v.str, b);
      return v;
  }
  return v;
}

// store_string_into_range: the source's simple encoding and code units decide the path.
AbiResult<std::pair<uint32_t, uint32_t>> LiftLowerContext::store_string_into_range(const Val& v) {
  struct Content {  // realloc failures below are about a string
    const char*& what;
    const char* saved;
    ~Content() { what = saved; }
  } content{m_content, m_content};
  m_content = "string";
  std::span<const uint8_t> utf8{reinterpret_cast<const uint8_t*>(v.str.data()), v.str.size()};
  // UTF-8 to UTF-8 (the common case): validated and copied as bytes, never decoded.
  if (v.str_encoding == StringEncoding::Utf8 && m_opts.encoding == StringEncoding::Utf8) {
    if (utf8_validate(utf8) != Utf8Status::Ok) return fail("string value is not valid UTF-8");
    if (v.str.size() > kMaxStringByteLength) return fail("string byte length exceeds 2^28-1");
    uint32_t len = uint32_t(v.str.size());
    uint32_t ptr = WSVM_TRY(allocate(1, len));
    std::memcpy(mem().data() + ptr, v.str.data(), len);
    return std::pair{ptr, len};
  }
  std::u32string src;
  if (utf8_decode(utf8, src) != Utf8Status::Ok) return fail("string value is not valid UTF-8");
  // The units of the source encoding are derived from the text, so only the choice between
  // latin1 and utf16 of a latin1+utf16 source is taken from the value.
  Simple src_enc = Simple::Utf8;
  uint32_t units = uint32_t(v.str.size());
  bool latin1_ok = true;
  for (char32_t c : src) latin1_ok = latin1_ok && c < 256;
  if (v.str_encoding == StringEncoding::Utf16 ||
      (v.str_encoding == StringEncoding::Latin1Utf16 && ((v.str_tagged_units & kUtf16Tag) || !latin1_ok))) {
    src_enc = Simple::Utf16;
    units = uint32_t(utf16_length(src));
  } else if (v.str_encoding == StringEncoding::Latin1Utf16) {
    src_enc = Simple::Latin1;
    units = uint32_t(src.size());
  }

  // store_string_copy: the destination's encoding has the same number of code units.
  auto copy = [&](uint32_t unit_size, uint32_t align, Simple dst) -> AbiResult<std::pair<uint32_t, uint32_t>> {
    uint32_t len = unit_size * units;
    uint32_t ptr = WSVM_TRY(allocate(align, len));
    uint8_t* p = mem().data() + ptr;
    if (dst == Simple::Utf8) std::memcpy(p, v.str.data(), len);
    else if (dst == Simple::Utf16) utf16_write(src, p);
    else for (size_t i = 0; i < src.size(); ++i) p[i] = uint8_t(src[i]);
    return std::pair{ptr, units};
  };

  // store_string_to_utf8: ASCII first; at the first other character grow to the worst case,
  // write the rest, and shrink to the real size.
  auto to_utf8 = [&](uint32_t worst) -> AbiResult<std::pair<uint32_t, uint32_t>> {
    uint32_t ptr = WSVM_TRY(allocate(1, units));
    for (size_t i = 0; i < src.size(); ++i) {
      if (src[i] < 0x80) {
        mem()[ptr + i] = uint8_t(src[i]);
        continue;
      }
      ptr = WSVM_TRY(reallocate(ptr, units, 1, worst));
      std::string encoded = utf8_encode(src);
      std::memcpy(mem().data() + ptr + i, encoded.data() + i, encoded.size() - i);
      uint32_t len = uint32_t(encoded.size());
      if (worst > len) ptr = WSVM_TRY(reallocate(ptr, worst, 1, len));
      return std::pair{ptr, len};
    }
    return std::pair{ptr, units};
  };

  // store_utf8_to_utf16: worst case 2 bytes per UTF-8 byte, then shrink.
  auto utf8_to_utf16 = [&]() -> AbiResult<std::pair<uint32_t, uint32_t>> {
    uint32_t worst = 2 * units;
    uint32_t ptr = WSVM_TRY(allocate(2, worst));
    uint32_t len = uint32_t(2 * utf16_length(src));
    utf16_write(src, mem().data() + ptr);
    if (len < worst) ptr = WSVM_TRY(reallocate(ptr, worst, 2, len));
    return std::pair{ptr, len / 2};
  };

  // store_string_to_latin1_or_utf16: latin1 while it fits, else inflate to utf16.
  auto to_latin1_or_utf16 = [&]() -> AbiResult<std::pair<uint32_t, uint32_t>> {
    uint32_t ptr = WSVM_TRY(allocate(2, units));
    uint32_t dst_len = 0;
    for (char32_t c : src) {
      if (c < 256) {
        mem()[ptr + dst_len++] = uint8_t(c);
        continue;
      }
      uint32_t worst = 2 * units;
      ptr = WSVM_TRY(reallocate(ptr, units, 2, worst));
      uint8_t* p = mem().data() + ptr;
      for (uint32_t j = dst_len; j-- > 0;) {
        p[2 * j] = p[j];
        p[2 * j + 1] = 0;
      }
      std::u32string_view rest(src);
      rest.remove_prefix(dst_len);
      utf16_write(rest, p + 2 * dst_len);
      uint32_t len = uint32_t(2 * utf16_length(src));
      if (worst > len) ptr = WSVM_TRY(reallocate(ptr, worst, 2, len));
      return std::pair{ptr, (len / 2) | kUtf16Tag};
    }
    if (dst_len < units) ptr = WSVM_TRY(reallocate(ptr, units, 2, dst_len));
    return std::pair{ptr, dst_len};
  };

  // store_probably_utf16_to_latin1_or_utf16: copy as utf16, compress to latin1 if it fits.
  auto probably_utf16 = [&]() -> AbiResult<std::pair<uint32_t, uint32_t>> {
    uint32_t byte_len = 2 * units;
    uint32_t ptr = WSVM_TRY(allocate(2, byte_len));
    utf16_write(src, mem().data() + ptr);
    if (!latin1_ok) return std::pair{ptr, units | kUtf16Tag};
    uint32_t latin1_size = units;
    uint8_t* p = mem().data() + ptr;
    for (uint32_t i = 0; i < latin1_size; ++i) p[i] = p[2 * i];
    ptr = WSVM_TRY(reallocate(ptr, byte_len, 1, latin1_size));
    return std::pair{ptr, latin1_size};
  };

  switch (m_opts.encoding) {
    case StringEncoding::Utf8:
      switch (src_enc) {
        case Simple::Utf8: return copy(1, 1, Simple::Utf8);
        case Simple::Utf16: return to_utf8(units * 3);
        case Simple::Latin1: return to_utf8(units * 2);
      }
      break;
    case StringEncoding::Utf16:
      switch (src_enc) {
        case Simple::Utf8: return utf8_to_utf16();
        case Simple::Utf16: case Simple::Latin1: return copy(2, 2, Simple::Utf16);
      }
      break;
    case StringEncoding::Latin1Utf16:
      if (v.str_encoding != StringEncoding::Latin1Utf16) return to_latin1_or_utf16();
      if (src_enc == Simple::Latin1) return copy(1, 2, Simple::Latin1);
      return probably_utf16();
  }
  return fail("unknown string encoding");
}

}  // namespace wsvm::component
