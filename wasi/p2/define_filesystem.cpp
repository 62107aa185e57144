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
#include "wasi/preview1/fs_ops.hpp"

namespace wsvm::wasi::p2 {
namespace {

// descriptor-flags bits.
constexpr uint32_t kRead = 1, kWrite = 2, kFileSync = 4, kDataSync = 8, kReadSync = 16, kMutateDir = 32;
// open-flags bits.
constexpr uint32_t kCreate = 1, kDirectory = 2, kExclusive = 4, kTruncate = 8;

// error-code cases, in the WIT's order.
enum class Code : uint32_t {
  Access, WouldBlock, Already, BadDescriptor, Busy, Deadlock, Quota, Exist, FileTooLarge,
  IllegalByteSequence, InProgress, Interrupted, Invalid, Io, IsDirectory, Loop, TooManyLinks,
  MessageSize, NameTooLong, NoDevice, NoEntry, NoLock, InsufficientMemory, InsufficientSpace,
  NotDirectory, NotEmpty, NotRecoverable, Unsupported, NoTty, NoSuchDevice, Overflow,
  NotPermitted, Pipe, ReadOnly, InvalidSeek, TextFileBusy, CrossDevice,
};

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

Val err(Code c) { return Val::err({Val::enumeration(uint32_t(c))}); }
Val err(Errno e) { return err(code_of(e)); }
Val host_err() { return err(errno_from_host(errno)); }
Val ok_or_err(Errno e) { return e == Errno::Success ? Val::ok() : err(e); }

struct Descriptor : Resource {
  std::shared_ptr<HostFd> fd;
  uint32_t flags = 0;
  bool dir = false;
};

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

Val timestamp(const timespec& t) {
  return Val::some(Val::record({Val::u64(uint64_t(t.tv_sec)), Val::u32(uint32_t(t.tv_nsec))}));
}

Val stat_val(const struct stat& st) {
  return Val::record({Val::enumeration(type_of(st.st_mode)), Val::u64(st.st_nlink), Val::u64(uint64_t(st.st_size)),
                      timestamp(st.st_atim), timestamp(st.st_mtim), timestamp(st.st_ctim)});
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

// directory-entry-stream: entries of a directory (without "." and ".."), read lazily.
struct DirStream : Resource {
  DIR* d = nullptr;
  ~DirStream() override {
    if (d) closedir(d);
  }
};

}  // namespace

void Host::define_filesystem(component::ComponentLinker& l) {
  const std::string types = iface("wasi:filesystem/types");
  auto drop = [this](uint32_t rep) { m_table.remove(rep); };
  l.define_resource_dtor(types, "descriptor", drop);
  l.define_resource_dtor(types, "directory-entry-stream", drop);

  l.define_instance_func(iface("wasi:filesystem/preopens"), "get-directories", WASI_P2_FN {
    (void)a;
    Vals dirs;
    for (const PreopenDir& p : m_preopens) {
      auto d = std::make_shared<Descriptor>();
      d->fd = p.fd;
      d->dir = true;
      d->flags = p.read_only ? kRead : kRead | kWrite | kMutateDir;
      dirs.push_back(Val::tuple({WSVM_TRY(own(d)), Val::string(p.guest_path)}));
    }
    return ret(Val::list(std::move(dirs)));
  });

  auto def = [&](const char* method, auto body) {
    l.define_instance_func(types, std::string("[method]descriptor.") + method,
                           [this, body](std::span<const Val> a) -> AbiResult<Vals> {
                             auto d = WSVM_TRY(get<Descriptor>(a[0]));
                             return body(*d, a);
                           });
  };
  // Methods that need a directory, and one that may be changed.
  auto dir_op = [&](const char* method, bool mutate, auto body) {
    def(method, [this, mutate, body](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
      if (!d.dir) return ret(err(Code::NotDirectory));
      if (mutate && !(d.flags & kMutateDir)) return ret(err(Code::NotPermitted));
      return body(d, a);
    });
  };
  Resolver how = m_ctx->resolver();

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
  def("advise", [](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    static constexpr int kAdvice[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                      POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
    if (a[3].disc >= 6 || a[1].u > INT64_MAX || a[2].u > INT64_MAX) return ret(err(Code::Invalid));
    int r = posix_fadvise(d.fd->fd, off_t(a[1].u), off_t(a[2].u), kAdvice[a[3].disc]);
    return ret(r == 0 ? Val::ok() : err(errno_from_host(r)));
  });
  def("sync-data", [](Descriptor& d, std::span<const Val>) -> AbiResult<Vals> {
    return ret(fdatasync(d.fd->fd) == 0 ? Val::ok() : host_err());
  });
  def("sync", [](Descriptor& d, std::span<const Val>) -> AbiResult<Vals> {
    return ret(fsync(d.fd->fd) == 0 ? Val::ok() : host_err());
  });
  def("get-flags", [](Descriptor& d, std::span<const Val>) -> AbiResult<Vals> {
    uint32_t f = d.flags;
    int host = fcntl(d.fd->fd, F_GETFL);
    if (host >= 0 && (host & O_SYNC) == O_SYNC) f |= kFileSync;
    if (host >= 0 && (host & O_DSYNC)) f |= kDataSync;
    return ret(Val::ok({Val::flags(f)}));
  });
  def("get-type", [](Descriptor& d, std::span<const Val>) -> AbiResult<Vals> {
    struct stat st {};
    if (fstat(d.fd->fd, &st) != 0) return ret(host_err());
    return ret(Val::ok({Val::enumeration(type_of(st.st_mode))}));
  });
  def("set-size", [](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    if (d.dir) return ret(err(Code::IsDirectory));
    if (!(d.flags & kWrite)) return ret(err(Code::BadDescriptor));
    if (a[1].u > INT64_MAX) return ret(err(Code::FileTooLarge));
    return ret(ftruncate(d.fd->fd, off_t(a[1].u)) == 0 ? Val::ok() : host_err());
  });
  def("set-times", [](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    if (!d.dir && !(d.flags & kWrite)) return ret(err(Code::BadDescriptor));
    timespec ts[2] = {new_timestamp(a[1]), new_timestamp(a[2])};
    return ret(futimens(d.fd->fd, ts) == 0 ? Val::ok() : host_err());
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
  dir_op("read-directory", false, [this](Descriptor& d, std::span<const Val>) -> AbiResult<Vals> {
    // A fresh open description: each stream starts at the first entry.
    int fd = openat(d.fd->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ret(host_err());
    auto s = std::make_shared<DirStream>();
    s->d = fdopendir(fd);
    if (!s->d) {
      Val e = host_err();
      ::close(fd);
      return ret(e);
    }
    return ret(Val::ok({WSVM_TRY(own(s))}));
  });
  def("stat", [](Descriptor& d, std::span<const Val>) -> AbiResult<Vals> {
    struct stat st {};
    if (fstat(d.fd->fd, &st) != 0) return ret(host_err());
    return ret(Val::ok({stat_val(st)}));
  });
  dir_op("stat-at", false, [how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    auto st = fs::stat_at(how, d.fd->fd, a[2].str, a[1].disc & 1);
    if (!st) return ret(err(st.error()));
    return ret(Val::ok({stat_val(*st)}));
  });
  dir_op("set-times-at", true, [how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    timespec ts[2] = {new_timestamp(a[3]), new_timestamp(a[4])};
    return ret(ok_or_err(fs::set_times_at(how, d.fd->fd, a[2].str, a[1].disc & 1, ts)));
  });
  dir_op("link-at", true, [this, how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    auto to = WSVM_TRY(get<Descriptor>(a[3]));
    if (!to->dir) return ret(err(Code::NotDirectory));
    if (!(to->flags & kMutateDir)) return ret(err(Code::NotPermitted));
    return ret(ok_or_err(fs::link(how, d.fd->fd, a[2].str, a[1].disc & 1, to->fd->fd, a[4].str)));
  });
  dir_op("open-at", false, [this, how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    uint32_t path_flags = a[1].disc, oflags = a[3].disc, want = a[4].disc;
    const std::string& path = a[2].str;
    bool mutate = (oflags & (kCreate | kTruncate)) || (want & (kWrite | kMutateDir));
    if (mutate && !(d.flags & kMutateDir)) return ret(err(Code::NotPermitted));
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
    if ((oflags & kDirectory) && write) return ret(err(Code::IsDirectory));
    auto fd = open_beneath(how, d.fd->fd, path, flags, 0666, path_flags & 1);
    if (!fd) return ret(err(fd.error()));
    struct stat st {};
    if (fstat(fd->get(), &st) != 0) return ret(host_err());
    auto nd = std::make_shared<Descriptor>();
    nd->dir = S_ISDIR(st.st_mode);
    nd->flags = want & (kRead | kWrite | kFileSync | kDataSync | kReadSync);
    if (nd->dir) {
      nd->flags = (nd->flags & ~kWrite) | kRead;
      // mutate-directory passes on only from a directory that has it.
      if ((want & kMutateDir) || (d.flags & kMutateDir)) nd->flags |= d.flags & kMutateDir;
    }
    nd->fd = std::make_shared<HostFd>(fd->release(), true);
    return ret(Val::ok({WSVM_TRY(own(nd))}));
  });
  dir_op("readlink-at", false, [how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    std::string buf(kPathMax, '\0');
    auto n = fs::readlink(how, d.fd->fd, a[1].str, buf.data(), buf.size());
    if (!n) return ret(err(n.error()));
    buf.resize(*n);
    return ret(Val::ok({Val::string(buf)}));
  });
  dir_op("remove-directory-at", true, [how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    return ret(ok_or_err(fs::remove_directory(how, d.fd->fd, a[1].str)));
  });
  dir_op("rename-at", true, [this, how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    auto to = WSVM_TRY(get<Descriptor>(a[2]));
    if (!to->dir) return ret(err(Code::NotDirectory));
    if (!(to->flags & kMutateDir)) return ret(err(Code::NotPermitted));
    return ret(ok_or_err(fs::rename(how, d.fd->fd, a[1].str, to->fd->fd, a[3].str)));
  });
  dir_op("symlink-at", true, [how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    return ret(ok_or_err(fs::symlink(how, a[1].str, d.fd->fd, a[2].str)));
  });
  dir_op("unlink-file-at", true, [how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    return ret(ok_or_err(fs::unlink_file(how, d.fd->fd, a[1].str)));
  });
  dir_op("create-directory-at", true, [how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    return ret(ok_or_err(fs::create_directory(how, d.fd->fd, a[1].str)));
  });
  def("is-same-object", [this](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    auto other = WSVM_TRY(get<Descriptor>(a[1]));
    struct stat x {}, y {};
    bool same = fstat(d.fd->fd, &x) == 0 && fstat(other->fd->fd, &y) == 0 && x.st_dev == y.st_dev &&
                x.st_ino == y.st_ino;
    return ret(Val::boolean(same));
  });
  def("metadata-hash", [](Descriptor& d, std::span<const Val>) -> AbiResult<Vals> {
    struct stat st {};
    if (fstat(d.fd->fd, &st) != 0) return ret(host_err());
    return ret(hash_val(st));
  });
  dir_op("metadata-hash-at", false, [how](Descriptor& d, std::span<const Val> a) -> AbiResult<Vals> {
    auto st = fs::stat_at(how, d.fd->fd, a[2].str, a[1].disc & 1);
    if (!st) return ret(err(st.error()));
    return ret(hash_val(*st));
  });

  l.define_instance_func(types, "[method]directory-entry-stream.read-directory-entry", WASI_P2_FN {
    auto s = WSVM_TRY(get<DirStream>(a[0]));
    for (;;) {
      errno = 0;
      dirent* e = readdir(s->d);
      if (!e) return ret(errno ? host_err() : Val::ok({Val::none()}));
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      uint32_t type = type_of_dtype(e->d_type);
      if (e->d_type == DT_UNKNOWN) {
        struct stat st {};
        if (fstatat(dirfd(s->d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) type = type_of(st.st_mode);
      }
      return ret(Val::ok({Val::some(Val::record({Val::enumeration(type), Val::string(e->d_name)}))}));
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
