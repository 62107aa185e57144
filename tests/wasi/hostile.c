/* Hostile paths: every path-taking function is pointed outside the preopen "box" (fd 3) in
   many ways; each attempt must fail with ENOTCAPABLE, ELOOP or EPERM and change nothing.
   Then writes under the read-only preopen "ro" (fd 4) must fail with ENOTCAPABLE, and bad
   pointers and huge iovec counts must give EFAULT.
   The driver builds: box/sub/, box/up -> ../outside/secret.txt, box/abs -> /etc/passwd,
   box/dirup -> .., box/loop1 <-> box/loop2, box/file.txt, outside/secret.txt, ro/file.txt.
   With the argument "component" (run as a WASI 0.2 component through the preview 1
   adapter): wasi:filesystem's error-code has no ENOTCAPABLE, so the read-only preopen's
   refusals are not-permitted (EPERM), and the bad-pointer checks are left out: those
   pointers reach the adapter's own memory accesses, never the host. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

/* The import itself, so a path can have any pointer and length (libc's wrapper strlen()s). */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("path_create_directory")))
int32_t raw_path_create_directory(int32_t fd, int32_t path, int32_t len);

#define BOX 3
#define RO 4

static int attempts, refusals;

static void refused(int line, const char* what, const char* path, __wasi_errno_t e) {
  attempts++;
  if (e == __WASI_ERRNO_NOTCAPABLE || e == __WASI_ERRNO_LOOP || e == __WASI_ERRNO_PERM) {
    refusals++;
    return;
  }
  fprintf(stderr, "line %d: %s(\"%s\") was not refused: errno %d\n", line, what, path, e);
  exit(1);
}
#define REFUSED(what, path, call) refused(__LINE__, what, path, call)

static __wasi_errno_t open_at(int dir, const char* p, __wasi_lookupflags_t lf, __wasi_oflags_t of,
                              __wasi_rights_t r) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, lf, p, of, r, 0, 0, &fd);
  if (e == 0) (void)!__wasi_fd_close(fd);
  return e;
}

static const char* kEscapes[] = {
    "..", "../", "../outside/secret.txt", "sub/../../outside/secret.txt", "/etc/passwd", "/",
    "up", "abs", "dirup/outside/secret.txt", "sub/../..", "./../outside", "sub/./../../outside",
    "dirup", "dirup/", "abs/", "loop1", "loop2/x", "sub/../up", "../../../../../../etc/passwd",
    "//etc/passwd", "dirup/box/../outside/secret.txt",
};
#define NESC (sizeof kEscapes / sizeof kEscapes[0])

int main(int argc, char** argv) {
  const int component = argc > 1 && strcmp(argv[1], "component") == 0;
  const __wasi_rights_t R = __WASI_RIGHTS_FD_READ, W = __WASI_RIGHTS_FD_WRITE;
  for (size_t i = 0; i < NESC; ++i) {
    const char* p = kEscapes[i];
    REFUSED("path_open follow", p, open_at(BOX, p, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0, R));
    REFUSED("path_filestat_get follow", p, ({
              __wasi_filestat_t st;
              __wasi_path_filestat_get(BOX, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, p, &st);
            }));
    REFUSED("path_filestat_set_times follow", p,
            __wasi_path_filestat_set_times(BOX, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, p, 0, 0,
                                           __WASI_FSTFLAGS_MTIM_NOW));
    REFUSED("path_link source follow", p,
            __wasi_path_link(BOX, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, p, BOX, "stolen-link"));
  }
  /* Escapes through the name's directory, for the functions that act on the final name. */
  static const char* kParents[] = {"../x", "../outside/x", "sub/../../x", "/tmp/x", "dirup/x",
                                   "abs/x", "up/x", "loop1/x", "dirup/outside/secret.txt",
                                   "../outside/secret.txt"};
  for (size_t i = 0; i < sizeof kParents / sizeof kParents[0]; ++i) {
    const char* p = kParents[i];
    REFUSED("path_open creat", p, open_at(BOX, p, 0, __WASI_OFLAGS_CREAT, R | W));
    REFUSED("path_open nofollow", p, open_at(BOX, p, 0, 0, R));
    REFUSED("path_create_directory", p, __wasi_path_create_directory(BOX, p));
    REFUSED("path_filestat_get", p, ({
              __wasi_filestat_t st;
              __wasi_path_filestat_get(BOX, 0, p, &st);
            }));
    REFUSED("path_filestat_set_times", p,
            __wasi_path_filestat_set_times(BOX, 0, p, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    REFUSED("path_link old", p, __wasi_path_link(BOX, 0, p, BOX, "stolen"));
    REFUSED("path_link new", p, __wasi_path_link(BOX, 0, "file.txt", BOX, p));
    REFUSED("path_readlink", p, ({
              __wasi_size_t used;
              uint8_t b[64];
              __wasi_path_readlink(BOX, p, b, sizeof b, &used);
            }));
    REFUSED("path_remove_directory", p, __wasi_path_remove_directory(BOX, p));
    REFUSED("path_rename old", p, __wasi_path_rename(BOX, p, BOX, "stolen"));
    REFUSED("path_rename new", p, __wasi_path_rename(BOX, "file.txt", BOX, p));
    REFUSED("path_symlink", p, __wasi_path_symlink("file.txt", BOX, p));
    REFUSED("path_unlink_file", p, __wasi_path_unlink_file(BOX, p));
  }
  /* Absolute symlink targets are refused at creation. */
  REFUSED("path_symlink absolute target", "/etc/passwd", __wasi_path_symlink("/etc/passwd", BOX, "newabs"));
  /* Removing the preopen itself or its parent. */
  REFUSED("path_remove_directory", "..", __wasi_path_remove_directory(BOX, ".."));
  REFUSED("path_rename", "sub/../..", __wasi_path_rename(BOX, "sub/../..", BOX, "x"));
  printf("escape attempts: %d, refused: %d\n", attempts, refusals);
  CHECK(attempts >= 30 && attempts == refusals);
  /* The legitimate neighbours still work. */
  CHECK_ERRNO(open_at(BOX, "file.txt", 0, 0, R), 0);
  CHECK_ERRNO(open_at(BOX, "sub/../file.txt", 0, 0, R), 0);

  /* Read-only preopen: reading works, every write is ENOTCAPABLE. */
  CHECK_ERRNO(open_at(RO, "file.txt", 0, 0, R), 0);
  const __wasi_errno_t NC = component ? __WASI_ERRNO_PERM : __WASI_ERRNO_NOTCAPABLE;
  CHECK_ERRNO(open_at(RO, "new.txt", 0, __WASI_OFLAGS_CREAT, R), NC);
  CHECK_ERRNO(open_at(RO, "file.txt", 0, 0, R | W), NC);
  CHECK_ERRNO(open_at(RO, "file.txt", 0, __WASI_OFLAGS_TRUNC, R), NC);
  CHECK_ERRNO(__wasi_path_create_directory(RO, "d"), NC);
  CHECK_ERRNO(__wasi_path_unlink_file(RO, "file.txt"), NC);
  CHECK_ERRNO(__wasi_path_rename(RO, "file.txt", RO, "moved"), NC);
  CHECK_ERRNO(__wasi_path_symlink("file.txt", RO, "l"), NC);
  CHECK_ERRNO(__wasi_path_link(RO, 0, "file.txt", RO, "l"), NC);
  CHECK_ERRNO(__wasi_path_remove_directory(RO, "."), NC);
  CHECK_ERRNO(__wasi_path_filestat_set_times(RO, 0, "file.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW), NC);
  CHECK_ERRNO(__wasi_path_rename(BOX, "file.txt", RO, "stolen"), NC);
  /* through libc: open for writing succeeds only without write rights, so write() fails */
  int fd = open("ro/file.txt", O_WRONLY | O_CREAT, 0644);
  CHECK(fd == -1 && errno == (component ? EPERM : ENOTCAPABLE));
  fd = open("ro/file.txt", O_RDONLY);
  CHECK(fd >= 0);
  /* wasi-libc reports fd_write's ENOTCAPABLE as EBADF */
  CHECK(write(fd, "x", 1) == -1 && (errno == ENOTCAPABLE || errno == EBADF));
  CHECK(ftruncate(fd, 0) == -1 && (errno == ENOTCAPABLE || (component && errno == EBADF)));
  close(fd);
  if (component) {
    printf("bad pointers: not checked (the adapter's memory)\n");
    goto many_iovecs;
  }

  /* Bad pointers: EFAULT, never a crash. */
  const uint32_t bad = 0xFFFFFF00u;
  __wasi_size_t nw;
  const __wasi_errno_t F = __WASI_ERRNO_FAULT;
  CHECK_ERRNO(__wasi_fd_write(1, (const __wasi_ciovec_t*)bad, 1, &nw), F);
  __wasi_ciovec_t civ = {(const uint8_t*)bad, 16};
  CHECK_ERRNO(__wasi_fd_write(1, &civ, 1, &nw), F);
  civ.buf = (const uint8_t*)"ok";
  civ.buf_len = 0xFFFFFFFFu;
  CHECK_ERRNO(__wasi_fd_write(1, &civ, 1, &nw), F);
  civ.buf_len = 0;
  CHECK_ERRNO(__wasi_fd_write(1, &civ, 1, (__wasi_size_t*)bad), F);
  CHECK_ERRNO(__wasi_fd_write(1, &civ, 0x7FFFFFFF, &nw), F); /* huge iovec count */
  CHECK_ERRNO(__wasi_random_get((uint8_t*)bad, 0x1000), F);
  CHECK_ERRNO(__wasi_clock_time_get(0, 0, (__wasi_timestamp_t*)0xFFFFFFFCu), F);
  CHECK_ERRNO(__wasi_args_get((uint8_t**)bad, (uint8_t*)bad), F);
  CHECK_ERRNO(__wasi_environ_sizes_get((__wasi_size_t*)bad, &nw), F);
  CHECK_ERRNO(raw_path_create_directory(BOX, (int32_t)bad, 8), F);
  CHECK_ERRNO(raw_path_create_directory(BOX, (int32_t)(uintptr_t)"x", 0x7FFFFFFF), F);
  __wasi_fd_t nfd;
  CHECK_ERRNO(__wasi_path_open(BOX, 0, "file.txt", 0, R, 0, 0, (__wasi_fd_t*)bad), F);
  __wasi_event_t ev;
  CHECK_ERRNO(__wasi_poll_oneoff((const __wasi_subscription_t*)bad, &ev, 1, &nw), F);
  CHECK_ERRNO(__wasi_fd_readdir(BOX, (uint8_t*)bad, 100, 0, &nw), F);
  CHECK_ERRNO(__wasi_fd_prestat_dir_name(BOX, (uint8_t*)bad, 3), F);
  (void)nfd;
many_iovecs:;
  /* Many (valid) iovecs: 100000 entries, all empty but the last. */
  static __wasi_ciovec_t many[100000];
  for (int i = 0; i < 100000; ++i) many[i] = (__wasi_ciovec_t){(const uint8_t*)"", 0};
  many[99999] = (__wasi_ciovec_t){(const uint8_t*)"many iovecs ok\n", 15};
  CHECK_ERRNO(__wasi_fd_write(1, many, 100000, &nw), 0);
  CHECK(nw == 15);
  printf("hostile ok\n");
  return 0;
}
