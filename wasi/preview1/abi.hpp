// wasi_snapshot_preview1 ABI values: errno, rights, flags and struct layouts, written from the
// witx definitions (WebAssembly/WASI phases/snapshot/witx/typenames.witx). All values are the
// spec's; struct offsets are those of the wasm32 C ABI the witx types lower to.
#pragma once

#include <cstdint>

namespace wsvm::wasi {

// typenames.witx `errno` (u16).
enum class Errno : uint16_t {
  Success = 0, TooBig = 1, Acces = 2, AddrInUse = 3, AddrNotAvail = 4, AfNoSupport = 5,
  Again = 6, Already = 7, Badf = 8, BadMsg = 9, Busy = 10, Canceled = 11, Child = 12,
  ConnAborted = 13, ConnRefused = 14, ConnReset = 15, Deadlk = 16, DestAddrReq = 17, Dom = 18,
  Dquot = 19, Exist = 20, Fault = 21, Fbig = 22, HostUnreach = 23, Idrm = 24, Ilseq = 25,
  InProgress = 26, Intr = 27, Inval = 28, Io = 29, IsConn = 30, IsDir = 31, Loop = 32,
  Mfile = 33, Mlink = 34, MsgSize = 35, Multihop = 36, NameTooLong = 37, NetDown = 38,
  NetReset = 39, NetUnreach = 40, Nfile = 41, NoBufs = 42, NoDev = 43, NoEnt = 44,
  NoExec = 45, NoLck = 46, NoLink = 47, NoMem = 48, NoMsg = 49, NoProtoOpt = 50, NoSpc = 51,
  NoSys = 52, NotConn = 53, NotDir = 54, NotEmpty = 55, NotRecoverable = 56, NotSock = 57,
  NotSup = 58, NotTy = 59, Nxio = 60, Overflow = 61, OwnerDead = 62, Perm = 63, Pipe = 64,
  Proto = 65, ProtoNoSupport = 66, ProtoType = 67, Range = 68, Rofs = 69, Spipe = 70,
  Srch = 71, Stale = 72, TimedOut = 73, TxtBsy = 74, Xdev = 75, NotCapable = 76,
};

// Host errno -> WASI errno (unknown values become Io).
Errno errno_from_host(int host_errno);

// typenames.witx `rights` (u64 flags), bit n = 1 << n.
namespace rights {
inline constexpr uint64_t kFdDatasync = 1ull << 0;
inline constexpr uint64_t kFdRead = 1ull << 1;
inline constexpr uint64_t kFdSeek = 1ull << 2;
inline constexpr uint64_t kFdFdstatSetFlags = 1ull << 3;
inline constexpr uint64_t kFdSync = 1ull << 4;
inline constexpr uint64_t kFdTell = 1ull << 5;
inline constexpr uint64_t kFdWrite = 1ull << 6;
inline constexpr uint64_t kFdAdvise = 1ull << 7;
inline constexpr uint64_t kFdAllocate = 1ull << 8;
inline constexpr uint64_t kPathCreateDirectory = 1ull << 9;
inline constexpr uint64_t kPathCreateFile = 1ull << 10;
inline constexpr uint64_t kPathLinkSource = 1ull << 11;
inline constexpr uint64_t kPathLinkTarget = 1ull << 12;
inline constexpr uint64_t kPathOpen = 1ull << 13;
inline constexpr uint64_t kFdReaddir = 1ull << 14;
inline constexpr uint64_t kPathReadlink = 1ull << 15;
inline constexpr uint64_t kPathRenameSource = 1ull << 16;
inline constexpr uint64_t kPathRenameTarget = 1ull << 17;
inline constexpr uint64_t kPathFilestatGet = 1ull << 18;
inline constexpr uint64_t kPathFilestatSetSize = 1ull << 19;
inline constexpr uint64_t kPathFilestatSetTimes = 1ull << 20;
inline constexpr uint64_t kFdFilestatGet = 1ull << 21;
inline constexpr uint64_t kFdFilestatSetSize = 1ull << 22;
inline constexpr uint64_t kFdFilestatSetTimes = 1ull << 23;
inline constexpr uint64_t kPathSymlink = 1ull << 24;
inline constexpr uint64_t kPathRemoveDirectory = 1ull << 25;
inline constexpr uint64_t kPathUnlinkFile = 1ull << 26;
inline constexpr uint64_t kPollFdReadwrite = 1ull << 27;
inline constexpr uint64_t kSockShutdown = 1ull << 28;
inline constexpr uint64_t kSockAccept = 1ull << 29;
inline constexpr uint64_t kAll = (1ull << 30) - 1;

// Rights that change the file system. A read-only preopen (--dir X:ro) has none of them,
// neither for itself nor to pass on, so every write under it fails with ENOTCAPABLE.
inline constexpr uint64_t kMutating =
    kFdWrite | kFdAllocate | kFdFilestatSetSize | kFdFilestatSetTimes | kPathCreateDirectory |
    kPathCreateFile | kPathLinkSource | kPathLinkTarget | kPathRenameSource | kPathRenameTarget |
    kPathFilestatSetSize | kPathFilestatSetTimes | kPathSymlink | kPathRemoveDirectory |
    kPathUnlinkFile;
// What a stream (stdio, pipe, socket) or regular file may do with itself.
inline constexpr uint64_t kFileBase =
    kFdDatasync | kFdRead | kFdSeek | kFdFdstatSetFlags | kFdSync | kFdTell | kFdWrite |
    kFdAdvise | kFdAllocate | kFdFilestatGet | kFdFilestatSetSize | kFdFilestatSetTimes |
    kPollFdReadwrite;
// What a directory may do with itself and with the paths beneath it. No read, write, seek,
// tell, allocate or set-size: those apply to files (a directory fd refuses them with
// ENOTCAPABLE), so a program may reopen a directory with the rights its fd reports (the
// wasi-testsuite's helpers do) and get a directory back. This is the set wasmtime reports
// (the testsuite's path_open_preopen checks each), plus path_filestat_set_size (O_TRUNC
// under the directory), the sync rights (fsync of a directory is meaningful) and
// fd_fdstat_set_flags.
inline constexpr uint64_t kDirectoryBase =
    kPathCreateDirectory | kPathCreateFile | kPathLinkSource | kPathLinkTarget | kPathOpen |
    kFdReaddir | kPathReadlink | kPathRenameSource | kPathRenameTarget | kPathFilestatGet |
    kPathFilestatSetSize | kPathFilestatSetTimes | kFdFilestatGet | kFdFilestatSetTimes |
    kPathSymlink | kPathRemoveDirectory | kPathUnlinkFile | kFdFdstatSetFlags | kFdSync |
    kFdDatasync;
// What a directory passes on: its own rights to subdirectories, a file's to files.
inline constexpr uint64_t kDirectoryInheriting = kDirectoryBase | kFileBase;
}  // namespace rights

// typenames.witx `filetype` (u8).
enum class FileType : uint8_t {
  Unknown = 0, BlockDevice = 1, CharacterDevice = 2, Directory = 3, RegularFile = 4,
  SocketDgram = 5, SocketStream = 6, SymbolicLink = 7,
};

// `fdflags` (u16), `oflags` (u16), `lookupflags` (u32), `fstflags` (u16).
inline constexpr uint16_t kFdflagAppend = 1, kFdflagDsync = 2, kFdflagNonblock = 4,
                          kFdflagRsync = 8, kFdflagSync = 16;
inline constexpr uint16_t kOflagCreat = 1, kOflagDirectory = 2, kOflagExcl = 4, kOflagTrunc = 8;
inline constexpr uint32_t kLookupSymlinkFollow = 1;
inline constexpr uint16_t kFstAtim = 1, kFstAtimNow = 2, kFstMtim = 4, kFstMtimNow = 8;

// `whence` (u8), `clockid` (u32), `advice` (u8), `eventtype` (u8).
inline constexpr uint8_t kWhenceSet = 0, kWhenceCur = 1, kWhenceEnd = 2;
inline constexpr uint32_t kClockRealtime = 0, kClockMonotonic = 1, kClockProcessCputime = 2,
                          kClockThreadCputime = 3;
inline constexpr uint8_t kAdviceNoreuse = 5;  // advice values are 0..5
inline constexpr uint8_t kEventClock = 0, kEventFdRead = 1, kEventFdWrite = 2;
inline constexpr uint16_t kEventFdReadwriteHangup = 1;
inline constexpr uint16_t kSubclockAbstime = 1;
inline constexpr uint16_t kRiflagPeek = 1, kRiflagWaitall = 2, kRoflagDataTruncated = 1;
inline constexpr uint8_t kSdflagRd = 1, kSdflagWr = 2;
inline constexpr uint8_t kPreopentypeDir = 0;
inline constexpr uint8_t kSignalMax = 30;  // signal: none=0 .. sys=30

// Struct layouts (size, field offsets) of the wasm32 lowering.
inline constexpr uint32_t kIovecSize = 8;        // buf u32 @0, buf_len u32 @4
inline constexpr uint32_t kFdstatSize = 24;      // filetype u8 @0, flags u16 @2, base u64 @8, inh u64 @16
inline constexpr uint32_t kFilestatSize = 64;    // dev @0 ino @8 filetype u8 @16 nlink @24 size @32 atim @40 mtim @48 ctim @56
inline constexpr uint32_t kDirentSize = 24;      // d_next u64 @0, d_ino u64 @8, d_namlen u32 @16, d_type u8 @20
inline constexpr uint32_t kPrestatSize = 8;      // tag u8 @0, pr_name_len u32 @4
inline constexpr uint32_t kSubscriptionSize = 48;  // userdata @0, tag u8 @8, union @16
inline constexpr uint32_t kEventSize = 32;       // userdata @0, error u16 @8, type u8 @10, nbytes u64 @16, flags u16 @24

}  // namespace wsvm::wasi
