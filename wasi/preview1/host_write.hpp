// A write to a host pipe that gives EPIPE instead of raising SIGPIPE (host_write.cpp says
// how, without touching the process's signal dispositions). Preview 1's fd_write and the
// WASI 0.2 output streams both write pipes through it.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

namespace wsvm::wasi {

ssize_t writev_without_sigpipe(int fd, const iovec* v, int n);

}  // namespace wsvm::wasi
