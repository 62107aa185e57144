// wasi:io/error, wasi:io/poll and wasi:io/streams over the classes of io.hpp.
#include <fmt/format.h>

#include "wasi/p2/define.hpp"

namespace wsvm::wasi::p2 {
namespace {

constexpr const char* kIn = "[method]input-stream.";
constexpr const char* kOut = "[method]output-stream.";

}  // namespace

void Host::define_io(component::ComponentLinker& l) {
  auto drop = [this](uint32_t rep) { m_table.remove(rep); };
  const std::string error = iface("wasi:io/error");
  l.define_resource_dtor(error, "error", drop);
  l.define_instance_func(error, "[method]error.to-debug-string", WASI_P2_FN {
    auto e = WSVM_TRY(get<IoError>(a[0]));
    return ret(Val::string(e->error.message));
  });

  const std::string poll = iface("wasi:io/poll");
  l.define_resource_dtor(poll, "pollable", drop);
  l.define_instance_func(poll, "[method]pollable.ready", WASI_P2_FN {
    auto p = WSVM_TRY(get<Pollable>(a[0]));
    Readiness r = p->readiness();
    return ret(Val::boolean(!ready_now(std::span<const Readiness>(&r, 1)).empty()));
  });
  l.define_instance_func(poll, "[method]pollable.block", WASI_P2_FN {
    auto p = WSVM_TRY(get<Pollable>(a[0]));
    wait_for(p->readiness());
    return ret();
  });
  l.define_instance_func(poll, "poll", WASI_P2_FN {
    const Vals& in = a[0].items;
    if (in.empty()) return std::unexpected(component::abi_trap("wasi:io/poll: poll of an empty list"));
    std::vector<Readiness> rs;
    rs.reserve(in.size());
    for (const Val& h : in) rs.push_back(WSVM_TRY(get<Pollable>(h))->readiness());
    Vals out;
    for (uint32_t i : wait_any(rs)) out.push_back(Val::u32(i));
    return ret(Val::list(std::move(out)));
  });

  const std::string streams = iface("wasi:io/streams");
  l.define_resource_dtor(streams, "input-stream", drop);
  l.define_resource_dtor(streams, "output-stream", drop);
  // result<T, stream-error> from a StreamResult.
  auto result = [this](auto r, auto ok) -> AbiResult<Vals> {
    if (!r) return ret(Val::err({WSVM_TRY(stream_error(r.error()))}));
    return ret(ok(*r));
  };
  auto bytes = [](const std::vector<uint8_t>& b) { return Val::ok({bytes_val(b)}); };
  auto count = [](uint64_t n) { return Val::ok({Val::u64(n)}); };
  auto unit_result = [this](StreamResult<void> r) -> AbiResult<Vals> {
    if (!r) return ret(Val::err({WSVM_TRY(stream_error(r.error()))}));
    return ret(Val::ok());
  };

  l.define_instance_func(streams, std::string(kIn) + "read", [this, result, bytes](std::span<const Val> a) -> AbiResult<Vals> {
    auto s = WSVM_TRY(get<InputStream>(a[0]));
    return result(s->read(a[1].u), bytes);
  });
  l.define_instance_func(streams, std::string(kIn) + "blocking-read", [this, result, bytes](std::span<const Val> a) -> AbiResult<Vals> {
    auto s = WSVM_TRY(get<InputStream>(a[0]));
    return result(s->blocking_read(a[1].u), bytes);
  });
  l.define_instance_func(streams, std::string(kIn) + "skip", [this, result, count](std::span<const Val> a) -> AbiResult<Vals> {
    auto s = WSVM_TRY(get<InputStream>(a[0]));
    return result(s->skip(a[1].u), count);
  });
  l.define_instance_func(streams, std::string(kIn) + "blocking-skip", [this, result, count](std::span<const Val> a) -> AbiResult<Vals> {
    auto s = WSVM_TRY(get<InputStream>(a[0]));
    return result(s->blocking_skip(a[1].u), count);
  });
  l.define_instance_func(streams, std::string(kIn) + "subscribe", WASI_P2_FN {
    auto s = WSVM_TRY(get<InputStream>(a[0]));
    return ret(WSVM_TRY(own(std::make_shared<Pollable>([s] { return s->readiness(); }, s))));
  });

  l.define_instance_func(streams, std::string(kOut) + "check-write", [this, result, count](std::span<const Val> a) -> AbiResult<Vals> {
    auto s = WSVM_TRY(get<OutputStream>(a[0]));
    return result(s->check_write(), count);
  });
  l.define_instance_func(streams, std::string(kOut) + "write", [this, unit_result](std::span<const Val> a) -> AbiResult<Vals> {
    auto s = WSVM_TRY(get<OutputStream>(a[0]));
    return unit_result(s->write(bytes_of(a[1])));
  });
  l.define_instance_func(streams, std::string(kOut) + "blocking-write-and-flush", [this, unit_result](std::span<const Val> a) -> AbiResult<Vals> {
    auto s = WSVM_TRY(get<OutputStream>(a[0]));
    return unit_result(s->blocking_write_and_flush(bytes_of(a[1])));
  });
  l.define_instance_func(streams, std::string(kOut) + "flush", [this, unit_result](std::span<const Val> a) -> AbiResult<Vals> {
    return unit_result(WSVM_TRY(get<OutputStream>(a[0]))->flush());
  });
  l.define_instance_func(streams, std::string(kOut) + "blocking-flush", [this, unit_result](std::span<const Val> a) -> AbiResult<Vals> {
    return unit_result(WSVM_TRY(get<OutputStream>(a[0]))->blocking_flush());
  });
  l.define_instance_func(streams, std::string(kOut) + "write-zeroes", [this, unit_result](std::span<const Val> a) -> AbiResult<Vals> {
    return unit_result(WSVM_TRY(get<OutputStream>(a[0]))->write_zeroes(a[1].u));
  });
  l.define_instance_func(streams, std::string(kOut) + "blocking-write-zeroes-and-flush", [this, unit_result](std::span<const Val> a) -> AbiResult<Vals> {
    return unit_result(WSVM_TRY(get<OutputStream>(a[0]))->blocking_write_zeroes_and_flush(a[1].u));
  });
  l.define_instance_func(streams, std::string(kOut) + "splice", [this, result, count](std::span<const Val> a) -> AbiResult<Vals> {
    auto s = WSVM_TRY(get<OutputStream>(a[0]));
    auto src = WSVM_TRY(get<InputStream>(a[1]));
    return result(s->splice(*src, a[2].u), count);
  });
  l.define_instance_func(streams, std::string(kOut) + "blocking-splice", [this, result, count](std::span<const Val> a) -> AbiResult<Vals> {
    auto s = WSVM_TRY(get<OutputStream>(a[0]));
    auto src = WSVM_TRY(get<InputStream>(a[1]));
    return result(s->blocking_splice(*src, a[2].u), count);
  });
  l.define_instance_func(streams, std::string(kOut) + "subscribe", WASI_P2_FN {
    auto s = WSVM_TRY(get<OutputStream>(a[0]));
    return ret(WSVM_TRY(own(std::make_shared<Pollable>([s] { return s->readiness(); }, s))));
  });
}

}  // namespace wsvm::wasi::p2
