// wasi:filesystem/types and /preopens. Paths are resolved beneath the descriptor with the
// same code and rules as preview 1 (wasi/preview1/fs_ops.hpp, path_resolve.hpp: openat2
// RESOLVE_BENEATH or the component walk; escapes are refused). A descriptor carries WASI
// 0.2's descriptor-flags: `read`/`write` for what its host fd may do, `mutate-directory` for
// a directory under which the guest may create, remove or rename; a read-only preopen
// (`--dir X:ro`) lacks it and write, and passes on neither, so nothing under it is ever
// opened for writing. Refusals are not-permitted (preview 1's ENOTCAPABLE), as wasmtime says.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "wasi/p2/define.hpp"
#include "wasi/p2/filesystem.hpp"
#include "wasi/preview1/fs_ops.hpp"

namespace wsvm::wasi::p2 {
namespace fs_rules {

Code code_of(Errno e) {
  switch (e) {
    case Errno::Acces: return Code::Access;
    case Errno::Again: return Code::WouldBlock;
    case Errno::Already: return Code::Already;
    case Errno::Badf: return Code::BadDescriptor;
    case Errno::Busy: return Code::Busy;
    case Errno::Deadlk: return Code::Deadlock;
    case Errno::Dquot: return Code::Quota;
    case Errno::Exist: return Code::Exist;
    case Errno::Fbig: return Code::FileTooLarge;
    case Errno::Ilseq: return Code::IllegalByteSequence;
    case Errno::InProgress: return Code::InProgress;
    case Errno::Intr: return Code::Interrupted;
    case Errno::Inval: return Code::Invalid;
    case Errno::IsDir: return Code::IsDirectory;
    case Errno::Loop: return Code::Loop;
    case Errno::Mlink: return Code::TooManyLinks;
    case Errno::MsgSize: return Code::MessageSize;
    case Errno::NameTooLong: return Code::NameTooLong;
    case Errno::NoDev: return Code::NoDevice;
    case Errno::NoEnt: return Code::NoEntry;
    case Errno::NoLck: return Code::NoLock;
    case Errno::NoMem: return Code::InsufficientMemory;
    case Errno::NoSpc: return Code::InsufficientSpace;
    case Errno::NotDir: return Code::NotDirectory;
    case Errno::NotEmpty: return Code::NotEmpty;
    case Errno::NotRecoverable: return Code::NotRecoverable;
    case Errno::NotSup: case Errno::NoSys: return Code::Unsupported;
    case Errno::NotTy: return Code::NoTty;
    case Errno::Nxio: return Code::NoSuchDevice;
    case Errno::Overflow: return Code::Overflow;
    case Errno::Perm: case Errno::NotCapable: return Code::NotPermitted;
    case Errno::Pipe: return Code::Pipe;
    case Errno::Rofs: return Code::NotPermitted;
    case Errno::Spipe: return Code::InvalidSeek;
    case Errno::TxtBsy: return Code::TextFileBusy;
    case Errno::Xdev: return Code::CrossDevice;
    default: return Code::Io;
  }
}

// descriptor-type of a host mode.
uint32_t type_of(mode_t m) {
  switch (m & S_IFMT) {
    case S_IFBLK: return 1;
    case S_IFCHR: return 2;
    case S_IFDIR: return 3;
    case S_IFIFO: return 4;
    case S_IFLNK: return 5;
    case S_IFREG: return 6;
    case S_IFSOCK: return 7;
    default: return 0;
  }
}

uint32_t type_of_dtype(unsigned char t) {
  switch (t) {
    case DT_BLK: return 1;
    case DT_CHR: return 2;
    case DT_DIR: return 3;
    case DT_FIFO: return 4;
    case DT_LNK: return 5;
    case DT_REG: return 6;
    case DT_SOCK: return 7;
    default: return 0;
  }
}

uint32_t entry_type(DIR* d, const dirent& e) {
  if (e.d_type != DT_UNKNOWN) return type_of_dtype(e.d_type);
  struct stat st {};
  return fstatat(dirfd(d), e.d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? type_of(st.st_mode) : 0;
}

DIR* open_dir(const HostFd& dir) {
  // A fresh open description: each listing starts at the first entry.
  int fd = openat(dir.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  DIR* d = fdopendir(fd);
  if (!d) {
    int e = errno;
    ::close(fd);
    errno = e;
  }
  return d;
}

Val host_err(const FsVocab& v) { return err(v, errno_from_host(errno)); }

namespace {

// open-flags bits.
constexpr uint32_t kCreate = 1, kDirectory = 2, kExclusive = 4, kTruncate = 8;

Val ok_or_err(const FsVocab& v, Errno e) { return e == Errno::Success ? Val::ok() : err(v, e); }

Val timestamp(const FsVocab& v, const timespec& t) {
  Val secs = v.signed_seconds ? Val::s64(int64_t(t.tv_sec)) : Val::u64(uint64_t(t.tv_sec));
  return Val::some(Val::record({secs, Val::u32(uint32_t(t.tv_nsec))}));
}

Val stat_val(const FsVocab& v, const struct stat& st) {
  return Val::record({v.type(type_of(st.st_mode)), Val::u64(st.st_nlink), Val::u64(uint64_t(st.st_size)),
                      timestamp(v, st.st_atim), timestamp(v, st.st_mtim), timestamp(v, st.st_ctim)});
}

// new-timestamp: no-change, now, timestamp(datetime).
timespec new_timestamp(const Val& v) {
  if (v.disc == 0) return timespec{0, UTIME_OMIT};
  if (v.disc == 1) return timespec{0, UTIME_NOW};
  const Val& dt = v.items[0];
  return timespec{time_t(dt.items[0].u), long(dt.items[1].u)};
}

Val hash_val(const struct stat& st) {
  // Same object <=> same (device, inode); mixed so the value says nothing more.
  uint64_t lo = uint64_t(st.st_dev) * 0x9e3779b97f4a7c15u ^ uint64_t(st.st_ino);
  uint64_t hi = uint64_t(st.st_ino) * 0xc2b2ae3d27d4eb4fu ^ uint64_t(st.st_dev);
  return Val::ok({Val::record({Val::u64(lo), Val::u64(hi)})});
}

}  // namespace

void define_descriptor_common(Host& h, component::ComponentLinker& l, const FsVocab& v) {
  const std::string& types = v.types;
  Host* hp = &h;
  l.define_resource_dtor(types, "descriptor", [hp](uint32_t rep) { hp->table().remove(rep); });

  l.define_instance_func(v.preopens, "get-directories", [hp](std::span<const Val>) -> AbiResult<Vals> {
    Vals dirs;
    for (const Host::PreopenDir& p : hp->preopens()) {
      auto d = std::make_shared<Descriptor>();
      d->fd = p.fd;
      d->dir = true;
      // A directory is never `write` (data), only `mutate-directory` unless read-only.
      d->flags = p.read_only ? kRead : kRead | kMutateDir;
      dirs.push_back(Val::tuple({WSVM_TRY(hp->own(d)), Val::string(p.guest_path)}));
    }
    return ret(Val::list(std::move(dirs)));
  });

  auto def = [&](const char* method, auto body) {
    l.define_instance_func(types, std::string("[method]descriptor.") + method,
                           [hp, body](std::span<const Val> a) -> AbiResult<Vals> {
                             auto d = WSVM_TRY(hp->get<Descriptor>(a[0]));
                             return body(*d, a);
                           });
  };
  // Methods that need a directory, and one that may be changed.
  auto dir_op = [&](const char* method, bool mutate, auto body) {
    def(method, [v, mutate, body](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
      if (!d.dir) return ret(err(v, Code::NotDirectory));
      if (mutate && !(d.flags & kMutateDir)) return ret(err(v, Code::NotPermitted));
      return body(d, a);
    });
  };
  Resolver how = h.context().resolver();

  def("advise", [v](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    if (d.dir) return ret(err(v, Code::BadDescriptor));
    static constexpr int kAdvice[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                      POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
    if (a[3].disc >= 6 || a[1].u > INT64_MAX || a[2].u > INT64_MAX) return ret(err(v, Code::Invalid));
    int r = posix_fadvise(d.fd->fd, off_t(a[1].u), off_t(a[2].u), kAdvice[a[3].disc]);
    return ret(r == 0 ? Val::ok() : err(v, errno_from_host(r)));
  });
  def("sync-data", [v](Descriptor& d, std::span<const Val>) -> AbiResult<Vals> {
    return ret(fdatasync(d.fd->fd) == 0 ? Val::ok() : host_err(v));
  });
  def("sync", [v](Descriptor& d, std::span<const Val>) -> AbiResult<Vals> {
    return ret(fsync(d.fd->fd) == 0 ? Val::ok() : host_err(v));
  });
  def("get-flags", [v](Descriptor& d, std::span<const Val>) -> AbiResult<Vals> {
    uint32_t f = d.flags;
    int host = fcntl(d.fd->fd, F_GETFL);
    if (host >= 0 && (host & O_SYNC) == O_SYNC) f |= kFileSync;
    if (host >= 0 && (host & O_DSYNC)) f |= kDataSync;
    return ret(Val::ok({Val::flags(f)}));
  });
  def("get-type", [v](Descriptor& d, std::span<const Val>) -> AbiResult<Vals> {
    struct stat st {};
    if (fstat(d.fd->fd, &st) != 0) return ret(host_err(v));
    return ret(Val::ok({v.type(type_of(st.st_mode))}));
  });
  def("set-size", [v](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    if (d.dir) return ret(err(v, Code::IsDirectory));
    if (!(d.flags & kWrite)) return ret(err(v, Code::BadDescriptor));
    if (a[1].u > INT64_MAX) return ret(err(v, Code::FileTooLarge));
    return ret(ftruncate(d.fd->fd, off_t(a[1].u)) == 0 ? Val::ok() : host_err(v));
  });
  def("set-times", [v](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    // Changing a file's times is changing it: not through a read-only descriptor.
    if (!d.dir && !(d.flags & kWrite)) return ret(err(v, Code::NotPermitted));
    timespec ts[2] = {new_timestamp(a[1]), new_timestamp(a[2])};
    return ret(futimens(d.fd->fd, ts) == 0 ? Val::ok() : host_err(v));
  });
  def("stat", [v](Descriptor& d, std::span<const Val>) -> AbiResult<Vals> {
    struct stat st {};
    if (fstat(d.fd->fd, &st) != 0) return ret(host_err(v));
    return ret(Val::ok({stat_val(v, st)}));
  });
  dir_op("stat-at", false, [v, how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    auto st = fs::stat_at(how, d.fd->fd, a[2].str, a[1].disc & 1);
    if (!st) return ret(err(v, st.error()));
    return ret(Val::ok({stat_val(v, *st)}));
  });
  dir_op("set-times-at", true, [v, how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    timespec ts[2] = {new_timestamp(a[3]), new_timestamp(a[4])};
    return ret(ok_or_err(v, fs::set_times_at(how, d.fd->fd, a[2].str, a[1].disc & 1, ts)));
  });
  dir_op("link-at", true, [hp, v, how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    auto to = WSVM_TRY(hp->get<Descriptor>(a[3]));
    if (!to->dir) return ret(err(v, Code::NotDirectory));
    if (!(to->flags & kMutateDir)) return ret(err(v, Code::NotPermitted));
    return ret(ok_or_err(v, fs::link(how, d.fd->fd, a[2].str, a[1].disc & 1, to->fd->fd, a[4].str)));
  });
  dir_op("open-at", false, [hp, v, how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    uint32_t path_flags = a[1].disc, oflags = a[3].disc, want = a[4].disc;
    // Neither read nor write asked for: read. Creating a file implies writing it.
    if (!(want & (kRead | kWrite))) want |= kRead;
    if (oflags & kCreate) want |= kWrite;
    const std::string& path = a[2].str;
    bool mutate = (oflags & (kCreate | kTruncate)) || (want & (kWrite | kMutateDir));
    if (mutate && !(d.flags & kMutateDir)) return ret(err(v, Code::NotPermitted));
    int flags = O_NOCTTY;
    if (oflags & kCreate) flags |= O_CREAT;
    if (oflags & kDirectory) flags |= O_DIRECTORY;
    if (oflags & kExclusive) flags |= O_EXCL;
    if (oflags & kTruncate) flags |= O_TRUNC;
    if (want & kFileSync) flags |= O_SYNC;
    if (want & kDataSync) flags |= O_DSYNC;
    if (want & kReadSync) flags |= O_RSYNC;
    bool read = want & kRead, write = want & kWrite;
    flags |= write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
    if ((oflags & kDirectory) && write) return ret(err(v, Code::IsDirectory));
    auto fd = open_beneath(how, d.fd->fd, path, flags, 0666, path_flags & 1);
    if (!fd) return ret(err(v, fd.error()));
    struct stat st {};
    if (fstat(fd->get(), &st) != 0) return ret(host_err(v));
    auto nd = std::make_shared<Descriptor>();
    nd->dir = S_ISDIR(st.st_mode);
    nd->flags = want & (kRead | kWrite | kFileSync | kDataSync | kReadSync);
    if (nd->dir) {
      nd->flags = (nd->flags & ~kWrite) | kRead;
      // mutate-directory only when asked for, and only from a directory that has it.
      if (want & kMutateDir) nd->flags |= d.flags & kMutateDir;
    }
    nd->fd = std::make_shared<HostFd>(fd->release(), true);
    return ret(Val::ok({WSVM_TRY(hp->own(nd))}));
  });
  dir_op("readlink-at", false, [v, how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    std::string buf(kPathMax, '\0');
    auto n = fs::readlink(how, d.fd->fd, a[1].str, buf.data(), buf.size());
    if (!n) return ret(err(v, n.error()));
    buf.resize(*n);
    return ret(Val::ok({Val::string(buf)}));
  });
  dir_op("remove-directory-at", true, [v, how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    const std::string& path = a[1].str;
    // 0.3: "link/" names what the symlink points to, refused if that is outside (rmdir itself
    // would say not-directory about the link). 0.2 keeps preview 1's not-directory, which the
    // preview 1 adapter's programs expect.
    if (v.refuse_slash_escape && path.size() > 1 && path.back() == '/') {
      auto target = open_beneath(how, d.fd->fd, path, O_RDONLY | O_DIRECTORY, 0, true);
      if (!target && target.error() == Errno::NotCapable) return ret(err(v, Code::NotPermitted));
    }
    return ret(ok_or_err(v, fs::remove_directory(how, d.fd->fd, path)));
  });
  dir_op("rename-at", true, [hp, v, how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    auto to = WSVM_TRY(hp->get<Descriptor>(a[2]));
    if (!to->dir) return ret(err(v, Code::NotDirectory));
    if (!(to->flags & kMutateDir)) return ret(err(v, Code::NotPermitted));
    return ret(ok_or_err(v, fs::rename(how, d.fd->fd, a[1].str, to->fd->fd, a[3].str)));
  });
  dir_op("symlink-at", true, [v, how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    return ret(ok_or_err(v, fs::symlink(how, a[1].str, d.fd->fd, a[2].str)));
  });
  dir_op("unlink-file-at", true, [v, how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    return ret(ok_or_err(v, fs::unlink_file(how, d.fd->fd, a[1].str)));
  });
  dir_op("create-directory-at", true, [v, how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    return ret(ok_or_err(v, fs::create_directory(how, d.fd->fd, a[1].str)));
  });
  def("is-same-object", [hp](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    auto other = WSVM_TRY(hp->get<Descriptor>(a[1]));
    struct stat x {}, y {};
    bool same = fstat(d.fd->fd, &x) == 0 && fstat(other->fd->fd, &y) == 0 && x.st_dev == y.st_dev &&
                x.st_ino == y.st_ino;
    return ret(Val::boolean(same));
  });
  def("metadata-hash", [v](Descriptor& d, std::span<const Val>) -> AbiResult<Vals> {
    struct stat st {};
    if (fstat(d.fd->fd, &st) != 0) return ret(host_err(v));
    return ret(hash_val(st));
  });
  dir_op("metadata-hash-at", false, [v, how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    auto st = fs::stat_at(how, d.fd->fd, a[2].str, a[1].disc & 1);
    if (!st) return ret(err(v, st.error()));
    return ret(hash_val(*st));
  });

}

}  // namespace fs_rules

using namespace fs_rules;

namespace {

// directory-entry-stream: entries of a directory (without "." and ".."), read lazily.
struct DirStream : Resource {
  DIR* d = nullptr;
  ~DirStream() override {
    if (d) closedir(d);
  }
};

// 0.2's words.
const FsVocab& vocab() {
  static const FsVocab v{iface("wasi:filesystem/types"), iface("wasi:filesystem/preopens"),
                         [](Code c) { return Val::enumeration(uint32_t(c)); },
                         [](uint32_t t) { return Val::enumeration(t); }, false, false};
  return v;
}
Val err(Code c) { return fs_rules::err(vocab(), c); }
Val host_err() { return fs_rules::host_err(vocab()); }

}  // namespace

void Host::define_filesystem(component::ComponentLinker& l) {
  const FsVocab& v = vocab();
  define_descriptor_common(*this, l, v);
  const std::string& types = v.types;
  l.define_resource_dtor(types, "directory-entry-stream", [this](uint32_t rep) { m_table.remove(rep); });
  auto def = [&](const char* method, auto body) {
    l.define_instance_func(types, std::string("[method]descriptor.") + method,
                           [this, body](std::span<const Val> a) -> AbiResult<Vals> {
                             auto d = WSVM_TRY(get<Descriptor>(a[0]));
                             return body(*d, a);
                           });
  };
  def("read-via-stream", [this](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    if (d.dir) return ret(err(Code::IsDirectory));
    if (!(d.flags & kRead)) return ret(err(Code::BadDescriptor));
    return ret(Val::ok({WSVM_TRY(own(fd_input_stream(d.fd, a[1].u)))}));
  });
  def("write-via-stream", [this](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    if (d.dir) return ret(err(Code::IsDirectory));
    if (!(d.flags & kWrite)) return ret(err(Code::BadDescriptor));
    return ret(Val::ok({WSVM_TRY(own(fd_output_stream(d.fd, a[1].u)))}));
  });
  def("append-via-stream", [this](Descriptor& d, std::span<const Val>) -> AbiResult<Vals> {
    if (d.dir) return ret(err(Code::IsDirectory));
    if (!(d.flags & kWrite)) return ret(err(Code::BadDescriptor));
    return ret(Val::ok({WSVM_TRY(own(fd_output_stream(d.fd, std::nullopt, true)))}));
  });
  def("read", [](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    if (d.dir) return ret(err(Code::IsDirectory));
    if (!(d.flags & kRead)) return ret(err(Code::BadDescriptor));
    if (a[2].u > INT64_MAX) return ret(err(Code::Invalid));
    std::vector<uint8_t> buf(std::min(a[1].u, kMaxIoChunk));
    ssize_t n = buf.empty() ? 0 : pread(d.fd->fd, buf.data(), buf.size(), off_t(a[2].u));
    if (n < 0) return ret(host_err());
    buf.resize(size_t(n));
    bool end = n == 0 && a[1].u > 0;
    return ret(Val::ok({Val::tuple({bytes_val(buf), Val::boolean(end)})}));
  });
  def("write", [](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    if (d.dir) return ret(err(Code::IsDirectory));
    if (!(d.flags & kWrite)) return ret(err(Code::BadDescriptor));
    if (a[2].u > INT64_MAX) return ret(err(Code::Invalid));
    std::vector<uint8_t> buf = bytes_of(a[1]);
    ssize_t n = pwrite(d.fd->fd, buf.data(), buf.size(), off_t(a[2].u));
    if (n < 0) return ret(host_err());
    return ret(Val::ok({Val::u64(uint64_t(n))}));
  });
  def("read-directory", [this](Descriptor& d, std::span<const Val>) -> AbiResult<Vals> {
    if (!d.dir) return ret(err(Code::NotDirectory));
    auto s = std::make_shared<DirStream>();
    s->d = open_dir(*d.fd);
    if (!s->d) return ret(host_err());
    return ret(Val::ok({WSVM_TRY(own(s))}));
  });
  l.define_instance_func(types, "[method]directory-entry-stream.read-directory-entry", WASI_P2_FN {
    auto s = WSVM_TRY(get<DirStream>(a[0]));
    for (;;) {
      errno = 0;
      dirent* e = readdir(s->d);
      if (!e) return ret(errno ? host_err() : Val::ok({Val::none()}));
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      return ret(Val::ok({Val::some(Val::record({Val::enumeration(entry_type(s->d, *e)), Val::string(e->d_name)}))}));
    }
  });
  // The error code behind a stream's last-operation-failed, when it came from the host.
  l.define_instance_func(types, "filesystem-error-code", WASI_P2_FN {
    auto e = WSVM_TRY(get<IoError>(a[0]));
    if (e->error.host_errno == 0) return ret(Val::none());
    return ret(Val::some(Val::enumeration(uint32_t(code_of(errno_from_host(e->error.host_errno))))));
  });
}

}  // namespace wsvm::wasi::p2
