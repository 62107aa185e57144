// wasi:filesystem's rules, shared by the 0.2 host and the 0.3 one (wasi/p3): a descriptor and
// its descriptor-flags, the error-code mapping, and every descriptor method that is the same
// in both versions (all but the stream and directory-listing ones). The versions differ in
// words only, which FsVocab gives: how an error-code, a descriptor-type and a timestamp are
// written (0.2: enums and unsigned seconds; 0.3: variants with `other`, signed seconds).
#pragma once

#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <string>

#include "wasi/p2/host.hpp"

namespace wsvm::wasi::p2::fs_rules {

// descriptor-flags bits.
constexpr uint32_t kRead = 1, kWrite = 2, kFileSync = 4, kDataSync = 8, kReadSync = 16, kMutateDir = 32;

// error-code cases, in 0.2's order (0.3 drops would-block).
enum class Code : uint32_t {
  Access, WouldBlock, Already, BadDescriptor, Busy, Deadlock, Quota, Exist, FileTooLarge,
  IllegalByteSequence, InProgress, Interrupted, Invalid, Io, IsDirectory, Loop, TooManyLinks,
  MessageSize, NameTooLong, NoDevice, NoEntry, NoLock, InsufficientMemory, InsufficientSpace,
  NotDirectory, NotEmpty, NotRecoverable, Unsupported, NoTty, NoSuchDevice, Overflow,
  NotPermitted, Pipe, ReadOnly, InvalidSeek, TextFileBusy, CrossDevice,
};
Code code_of(Errno e);

struct Descriptor : Resource {
  std::shared_ptr<HostFd> fd;
  uint32_t flags = 0;
  bool dir = false;
};

// descriptor-type in 0.2's numbering (0 unknown, 1 block-device ... 7 socket).
uint32_t type_of(mode_t m);
uint32_t type_of_dtype(unsigned char t);
// The type of a directory entry (lstat when the directory does not say).
uint32_t entry_type(DIR* d, const dirent& e);
// A listing of `dir` from its first entry (null with errno set on failure).
DIR* open_dir(const HostFd& dir);

struct FsVocab {
  std::string types;     // "wasi:filesystem/types@V"
  std::string preopens;  // "wasi:filesystem/preopens@V"
  Val (*code)(Code);           // an error-code value
  Val (*type)(uint32_t p2_type);  // a descriptor-type value
  bool signed_seconds;         // datetime (u64) or instant (s64) seconds
  bool refuse_slash_escape;    // remove-directory-at("link/") of a link leading out: not-permitted
};
inline Val err(const FsVocab& v, Code c) { return Val::err({v.code(c)}); }
inline Val err(const FsVocab& v, Errno e) { return err(v, code_of(e)); }
Val host_err(const FsVocab& v);  // from errno

// preopens.get-directories, the descriptor's destructor, and every descriptor method that is
// the same in 0.2 and 0.3, acting on `h`'s table and preopens with its resolver.
void define_descriptor_common(Host& h, component::ComponentLinker& l, const FsVocab& v);

}  // namespace wsvm::wasi::p2::fs_rules
