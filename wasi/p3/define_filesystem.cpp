// wasi:filesystem@0.3.0: the 0.2 host's descriptor rules and methods (wasi/p2/filesystem.hpp:
// the same resolver, openat2 confinement, `:ro` and descriptor-flags) in 0.3's words, plus
// what 0.3 changed: file data and directory listings are streams (read as the guest reads,
// written as it writes), and how they ended is a future<result<_, error-code>>.
#include <dirent.h>

#include <cstring>

#include "wasi/p2/filesystem.hpp"
#include "wasi/p3/define.hpp"
#include "wasi/p3/pump.hpp"

namespace wsvm::wasi::p3 {

using component::CopyResult;
using component::HostCall;
using component::SharedChannel;
using component::Val;
using namespace p2::fs_rules;
using Vals = std::vector<Val>;

namespace {

// 0.3's error-code has no would-block (0.2's second case) and ends with other(option<string>).
Val code_val(Code c) {
  if (c == Code::WouldBlock) return Val::variant(uint32_t(Code::Io) - 1);
  uint32_t n = uint32_t(c);
  return Val::variant(n > uint32_t(Code::WouldBlock) ? n - 1 : n);
}

// 0.3's descriptor-type has no unknown (0.2's first case): it is other(none), the last case.
Val type_val(uint32_t p2_type) { return p2_type == 0 ? Val::variant(7, {Val::none()}) : Val::variant(p2_type - 1); }

const FsVocab& vocab() {
  static const FsVocab v{iface("wasi:filesystem/types"), iface("wasi:filesystem/preopens"), code_val, type_val, true, true};
  return v;
}

std::optional<Val> error_of(int err) {
  if (err == 0) return std::nullopt;
  return code_val(code_of(errno_from_host(err)));
}

// A stream that ends at once and a future with `code`: a refused read-via-stream or listing.
Vals refused(const HostCall& c, Code code) {
  auto data = component::make_channel(false, result_elem(c.f, 0));
  auto fut = component::make_channel(true, result_elem(c.f, 1));
  data->drop();
  resolve_result_future(fut, code_val(code));
  return Vals{Val::tuple({component::readable_end(data), component::readable_end(fut)})};
}

// Writes a directory's entries into `ch`, a batch at a time as the guest reads.
struct Listing : std::enable_shared_from_this<Listing> {
  DIR* d = nullptr;
  std::shared_ptr<SharedChannel> ch, fut;
  ~Listing() {
    if (d) closedir(d);
  }
  void next() {
    constexpr size_t kBatch = 64;
    Vals batch;
    int err = 0;
    while (batch.size() < kBatch) {
      errno = 0;
      dirent* e = readdir(d);
      if (!e) {
        err = errno;
        break;
      }
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      batch.push_back(Val::record({type_val(entry_type(d, *e)), Val::string(e->d_name)}));
    }
    if (batch.empty()) return finish(err);
    auto self = shared_from_this();
    component::host_write_all(ch, std::move(batch), [self](bool all) {
      if (all) self->next(); else self->finish(0);
    });
  }
  void finish(int err) {
    ch->drop();
    resolve_result_future(fut, error_of(err));
  }
};

}  // namespace

void define_filesystem(component::ComponentLinker& l, p2::Host& h) {
  const FsVocab& v = vocab();
  define_descriptor_common(h, l, v);
  auto method = [&](const char* name, auto body) {
    l.define_instance_async_func(v.types, std::string("[method]descriptor.") + name,
                                 [&h, body](HostCall c) -> std::optional<Trap> {
                                   auto d = h.get<Descriptor>(c.args.at(0));
                                   if (!d) return d.error();
                                   return c.resolve(body(**d, c));
                                 });
  };
  method("read-via-stream", [](Descriptor& d, const HostCall& c) -> Vals {
    if (d.dir) return refused(c, Code::IsDirectory);
    if (!(d.flags & kRead)) return refused(c, Code::BadDescriptor);
    auto data = component::make_channel(false, result_elem(c.f, 0));
    auto fut = component::make_channel(true, result_elem(c.f, 1));
    pump_in(p2::fd_input_stream(d.fd, c.args.at(1).u), data,
            [fut](int err) { resolve_result_future(fut, error_of(err)); });
    return Vals{Val::tuple({component::readable_end(data), component::readable_end(fut)})};
  });
  // write-via-stream (at an offset) and append-via-stream: the future says how it ended.
  for (bool append : {false, true}) {
    method(append ? "append-via-stream" : "write-via-stream", [append](Descriptor& d, const HostCall& c) -> Vals {
      auto data = component::channel_of(c.args.at(1));
      auto fut = component::make_channel(true, result_elem(c.f));
      std::optional<Code> refuse;
      if (d.dir) refuse = Code::IsDirectory;
      else if (!(d.flags & kWrite)) refuse = Code::BadDescriptor;
      if (refuse || !data) {
        if (data) data->drop();
        resolve_result_future(fut, code_val(refuse.value_or(Code::Invalid)));
      } else {
        auto out = append ? p2::fd_output_stream(d.fd, std::nullopt, true)
                          : p2::fd_output_stream(d.fd, c.args.at(2).u);
        pump_out(data, out, [fut](int err) { resolve_result_future(fut, error_of(err)); });
      }
      return Vals{component::readable_end(fut)};
    });
  }
  method("read-directory", [](Descriptor& d, const HostCall& c) -> Vals {
    if (!d.dir) return refused(c, Code::NotDirectory);
    DIR* dir = open_dir(*d.fd);
    if (!dir) return refused(c, code_of(errno_from_host(errno)));
    auto list = std::make_shared<Listing>();
    list->d = dir;
    list->ch = component::make_channel(false, result_elem(c.f, 0));
    list->fut = component::make_channel(true, result_elem(c.f, 1));
    list->next();
    return Vals{Val::tuple({component::readable_end(list->ch), component::readable_end(list->fut)})};
  });
}

}  // namespace wsvm::wasi::p3
