// The canon section: lift, lower, the resource built-ins and every async/thread/
// error-context built-in of Binary.md, with their options.
// Spec: ../shared/component-model-spec/Binary.md, "Canonical Definitions".
#include <fmt/format.h>

#include "component/decode_internal.hpp"

namespace wsvm::component::detail {

namespace {

std::unexpected<Error> bad(Reader& r, size_t at, uint8_t b, const char* what) {
  return r.fail_at(at, fmt::format("malformed {}: unknown encoding 0x{:02x}", what, b));
}

Result<bool> read_flag(Reader& r, const char* what) {
  size_t at = r.offset();
  uint8_t b = WSVM_TRY(r.u8());
  if (b > 1) return bad(r, at, b, what);
  return b == 1;
}

// Binary.md: "Validation prevents duplicate or conflicting canonopt": checked here, as
// an Invalid error, since nothing later could tell two options apart.
Result<CanonOptions> read_opts(Reader& r) {
  CanonOptions o;
  uint32_t n = WSVM_TRY(read_count(r));
  for (uint32_t i = 0; i < n; ++i) {
    size_t at = r.offset();
    uint8_t b = WSVM_TRY(r.u8());
    auto dup = [&](const char* what) {
      return make_error(ErrorKind::Invalid, at, fmt::format("canonical option '{}' conflicts "
                                                            "with an earlier option", what));
    };
    auto set_index = [&](std::optional<uint32_t>& slot, const char* what) -> Result<void> {
      if (slot) return dup(what);
      slot = WSVM_TRY(r.u32());
      return {};
    };
    switch (b) {
      case 0x00: case 0x01: case 0x02:
        if (o.encoding_given) return dup("string-encoding");
        o.encoding_given = true;
        o.encoding = StringEncoding(b);
        break;
      case 0x03: WSVM_TRY_VOID(set_index(o.memory, "memory")); break;
      case 0x04: WSVM_TRY_VOID(set_index(o.realloc, "realloc")); break;
      case 0x05: WSVM_TRY_VOID(set_index(o.post_return, "post-return")); break;
      case 0x06:
        if (o.async) return dup("async");
        o.async = true;
        break;
      case 0x07: WSVM_TRY_VOID(set_index(o.callback, "callback")); break;
      default: return bad(r, at, b, "canonical option");
    }
  }
  return o;
}

Result<void> expect_zero(Reader& r, const char* what) {
  size_t at = r.offset();
  uint8_t b = WSVM_TRY(r.u8());
  if (b != 0) return bad(r, at, b, what);
  return {};
}

}  // namespace

Result<Canon> read_canon(Reader& r) {
  Canon c;
  c.offset = r.offset();
  uint8_t op = WSVM_TRY(r.u8());
  using K = CanonKind;
  // Built-ins that take exactly one immediate of the same shape share a row.
  switch (op) {
    case 0x00:
      c.kind = K::Lift;
      WSVM_TRY_VOID(expect_zero(r, "canon lift (core func sort)"));
      c.func = WSVM_TRY(r.u32());
      c.opts = WSVM_TRY(read_opts(r));
      c.type = WSVM_TRY(r.u32());
      return c;
    case 0x01:
      c.kind = K::Lower;
      WSVM_TRY_VOID(expect_zero(r, "canon lower (func sort)"));
      c.func = WSVM_TRY(r.u32());
      c.opts = WSVM_TRY(read_opts(r));
      return c;
    case 0x02: c.kind = K::ResourceNew; c.type = WSVM_TRY(r.u32()); return c;
    case 0x03: c.kind = K::ResourceDrop; c.type = WSVM_TRY(r.u32()); return c;
    case 0x04: c.kind = K::ResourceRep; c.type = WSVM_TRY(r.u32()); return c;
    case 0x24: c.kind = K::BackpressureInc; return c;
    case 0x25: c.kind = K::BackpressureDec; return c;
    case 0x09: {
      c.kind = K::TaskReturn;
      size_t at = r.offset();
      uint8_t tag = WSVM_TRY(r.u8());
      if (tag == 0x00) c.result = WSVM_TRY(read_valtype(r));
      else if (tag != 0x01) return bad(r, at, tag, "result list");
      else WSVM_TRY_VOID(expect_zero(r, "result list"));
      c.opts = WSVM_TRY(read_opts(r));
      return c;
    }
    case 0x05: c.kind = K::TaskCancel; return c;
    case 0x0a: case 0x0b: {
      c.kind = op == 0x0a ? K::ContextGet : K::ContextSet;
      size_t at = r.offset();
      uint8_t t = WSVM_TRY(r.u8());
      if (!is_valtype_byte(t)) return bad(r, at, t, "core value type");
      c.core_type = ValType(t);
      c.slot = WSVM_TRY(r.u32());
      return c;
    }
    case 0x06: c.kind = K::SubtaskCancel; c.async = WSVM_TRY(read_flag(r, "async?")); return c;
    case 0x0d: c.kind = K::SubtaskDrop; return c;
    case 0x0e: c.kind = K::StreamNew; c.type = WSVM_TRY(r.u32()); return c;
    case 0x0f: case 0x10: case 0x16: case 0x17:
      c.kind = op == 0x0f ? K::StreamRead : op == 0x10 ? K::StreamWrite
             : op == 0x16 ? K::FutureRead : K::FutureWrite;
      c.type = WSVM_TRY(r.u32());
      c.opts = WSVM_TRY(read_opts(r));
      return c;
    case 0x11: case 0x12: case 0x18: case 0x19:
      c.kind = op == 0x11 ? K::StreamCancelRead : op == 0x12 ? K::StreamCancelWrite
             : op == 0x18 ? K::FutureCancelRead : K::FutureCancelWrite;
      c.type = WSVM_TRY(r.u32());
      c.async = WSVM_TRY(read_flag(r, "async?"));
      return c;
    case 0x13: c.kind = K::StreamDropReadable; c.type = WSVM_TRY(r.u32()); return c;
    case 0x14: c.kind = K::StreamDropWritable; c.type = WSVM_TRY(r.u32()); return c;
    case 0x15: c.kind = K::FutureNew; c.type = WSVM_TRY(r.u32()); return c;
    case 0x1a: c.kind = K::FutureDropReadable; c.type = WSVM_TRY(r.u32()); return c;
    case 0x1b: c.kind = K::FutureDropWritable; c.type = WSVM_TRY(r.u32()); return c;
    case 0x1c: c.kind = K::ErrorContextNew; c.opts = WSVM_TRY(read_opts(r)); return c;
    case 0x1d: c.kind = K::ErrorContextDebugMessage; c.opts = WSVM_TRY(read_opts(r)); return c;
    case 0x1e: c.kind = K::ErrorContextDrop; return c;
    case 0x1f: c.kind = K::WaitableSetNew; return c;
    case 0x20: case 0x21:
      c.kind = op == 0x20 ? K::WaitableSetWait : K::WaitableSetPoll;
      c.cancellable = WSVM_TRY(read_flag(r, "cancel?"));
      c.memory = WSVM_TRY(r.u32());
      return c;
    case 0x22: c.kind = K::WaitableSetDrop; return c;
    case 0x23: c.kind = K::WaitableJoin; return c;
    case 0x26: c.kind = K::ThreadIndex; return c;
    case 0x27:
      c.kind = K::ThreadNewIndirect;
      c.type = WSVM_TRY(r.u32());
      c.table = WSVM_TRY(r.u32());
      return c;
    case 0x28: c.kind = K::ThreadResumeLater; return c;
    case 0x29: case 0x0c: case 0x2a: case 0x2b: case 0x2c: case 0x2d:
      c.kind = op == 0x29 ? K::ThreadSuspend : op == 0x0c ? K::ThreadYield
             : op == 0x2a ? K::ThreadSuspendThenResume : op == 0x2b ? K::ThreadYieldThenResume
             : op == 0x2c ? K::ThreadSuspendThenPromote : K::ThreadYieldThenPromote;
      c.cancellable = WSVM_TRY(read_flag(r, "cancel?"));
      return c;
    case 0x40: case 0x41:
      c.kind = op == 0x40 ? K::ThreadSpawnRef : K::ThreadSpawnIndirect;
      c.shared = WSVM_TRY(read_flag(r, "shared?"));
      c.type = WSVM_TRY(r.u32());
      if (op == 0x41) c.table = WSVM_TRY(r.u32());
      return c;
    case 0x42:
      c.kind = K::ThreadAvailableParallelism;
      c.shared = WSVM_TRY(read_flag(r, "shared?"));
      return c;
  }
  return bad(r, c.offset, op, "canon");
}

}  // namespace wsvm::component::detail
