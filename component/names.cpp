// Printable names of sorts, types and canon built-ins, as the spec's text format spells them.
#include "component/ir.hpp"

namespace wsvm::component {

const char* sort_name(Sort s) {
  static constexpr const char* kNames[kSortCount] = {
      "core func", "core table", "core memory", "core global", "core tag", "core type",
      "core module", "core instance", "func", "value", "type", "component", "instance"};
  return kNames[size_t(s)];
}

bool is_prim_byte(uint8_t b) { return (b >= 0x73 && b <= 0x7f) || b == 0x64; }

const char* prim_name(PrimType p) {
  switch (p) {
    case PrimType::Bool: return "bool";
    case PrimType::S8: return "s8";
    case PrimType::U8: return "u8";
    case PrimType::S16: return "s16";
    case PrimType::U16: return "u16";
    case PrimType::S32: return "s32";
    case PrimType::U32: return "u32";
    case PrimType::S64: return "s64";
    case PrimType::U64: return "u64";
    case PrimType::F32: return "f32";
    case PrimType::F64: return "f64";
    case PrimType::Char: return "char";
    case PrimType::String: return "string";
    case PrimType::ErrorContext: return "error-context";
  }
  return "?";
}

const char* defval_kind_name(DefValKind k) {
  static constexpr const char* kNames[] = {
      "primitive", "record", "variant", "list", "fixed-size list", "tuple", "flags", "enum",
      "option", "result", "own", "borrow", "stream", "future", "map"};
  return kNames[size_t(k)];
}

const char* extern_kind_name(ExternKind k) {
  static constexpr const char* kNames[] = {"core module", "func", "value", "type",
                                           "component", "instance"};
  return kNames[size_t(k)];
}

Sort extern_kind_sort(ExternKind k) {
  static constexpr Sort kSorts[] = {Sort::CoreModule, Sort::Func, Sort::Value, Sort::Type,
                                    Sort::Component, Sort::Instance};
  return kSorts[size_t(k)];
}

const char* string_encoding_name(StringEncoding e) {
  switch (e) {
    case StringEncoding::Utf8: return "utf8";
    case StringEncoding::Utf16: return "utf16";
    case StringEncoding::Latin1Utf16: return "latin1+utf16";
  }
  return "?";
}

const char* canon_kind_name(CanonKind k) {
  static constexpr const char* kNames[] = {
      "lift", "lower", "resource.new", "resource.drop", "resource.rep", "backpressure.inc",
      "backpressure.dec", "task.return", "task.cancel", "context.get", "context.set",
      "subtask.cancel", "subtask.drop", "stream.new", "stream.read", "stream.write",
      "stream.cancel-read", "stream.cancel-write", "stream.drop-readable",
      "stream.drop-writable", "future.new", "future.read", "future.write",
      "future.cancel-read", "future.cancel-write", "future.drop-readable",
      "future.drop-writable", "error-context.new", "error-context.debug-message",
      "error-context.drop", "waitable-set.new", "waitable-set.wait", "waitable-set.poll",
      "waitable-set.drop", "waitable.join", "thread.index", "thread.new-indirect",
      "thread.resume-later", "thread.suspend", "thread.yield", "thread.suspend-then-resume",
      "thread.yield-then-resume", "thread.suspend-then-promote", "thread.yield-then-promote",
      "thread.spawn-ref", "thread.spawn-indirect", "thread.available-parallelism"};
  static_assert(std::size(kNames) == size_t(CanonKind::ThreadAvailableParallelism) + 1);
  return kNames[size_t(k)];
}

}  // namespace wsvm::component
