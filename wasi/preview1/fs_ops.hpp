// File-system operations on a path beneath a directory descriptor, free of any guest ABI:
// preview 1's path_* functions (path_ops.cpp) and WASI 0.2's descriptor methods
// (wasi/p2/define_filesystem.cpp) both act through these, so both have exactly the same
// confinement (path_resolve.hpp), trailing-slash and symlink rules.
//
// Each resolves the directory holding the final name beneath `dir` (resolve_parent) and then
// acts on that single name with a *at() call that does not follow it; where the guest asks to
// follow a final symlink, the whole path is opened O_PATH beneath `dir` (open_beneath) and the
// operation goes through /proc/self/fd/N, which names exactly the file already resolved.
#pragma once

#include <sys/stat.h>
#include <time.h>

#include <expected>
#include <string_view>

#include "wasi/preview1/path_resolve.hpp"

namespace wsvm::wasi::fs {

Errno create_directory(Resolver how, int dir, std::string_view path);
std::expected<struct stat, Errno> stat_at(Resolver how, int dir, std::string_view path, bool follow);
Errno set_times_at(Resolver how, int dir, std::string_view path, bool follow, const timespec ts[2]);
Errno link(Resolver how, int old_dir, std::string_view old_path, bool follow, int new_dir,
           std::string_view new_path);
// The link's text, at most `len` bytes of it into `buf`; the count written.
std::expected<size_t, Errno> readlink(Resolver how, int dir, std::string_view path, char* buf, size_t len);
Errno remove_directory(Resolver how, int dir, std::string_view path);
Errno rename(Resolver how, int old_dir, std::string_view old_path, int new_dir, std::string_view new_path);
// An absolute target is refused (ENOTCAPABLE): the tree never holds a link that points at
// the host's root. Relative targets that climb out are stored but can never be followed out.
Errno symlink(Resolver how, std::string_view target, int dir, std::string_view path);
Errno unlink_file(Resolver how, int dir, std::string_view path);

}  // namespace wsvm::wasi::fs
