/* exit codes: `exit_codes.wasm MODE`: return N / exit(N) / proc_exit / trap / raise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* This wasi-libc's api.h no longer declares proc_raise; import it directly. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int32_t raw_proc_raise(int32_t sig);
#define SIGNAL_TERM 15 /* witx signal numbers */
#define SIGNAL_CHLD 16

int main(int argc, char** argv) {
  if (argc < 2) return 0;
  const char* m = argv[1];
  printf("before exit\n"); /* must be flushed before the exit status is reported */
  if (strcmp(m, "return7") == 0) return 7;
  if (strcmp(m, "exit42") == 0) exit(42);
  if (strcmp(m, "proc_exit3") == 0) __wasi_proc_exit(3);
  if (strcmp(m, "trap") == 0) __builtin_trap();
  if (strcmp(m, "raise_term") == 0) { fflush(stdout); raw_proc_raise(SIGNAL_TERM); }
  if (strcmp(m, "raise_ignored") == 0) {
    if (raw_proc_raise(SIGNAL_CHLD) != 0) return 99;
    if (raw_proc_raise(99) != __WASI_ERRNO_INVAL) return 98;
    return 0;
  }
  if (strcmp(m, "yield") == 0) return __wasi_sched_yield() == 0 ? 0 : 1;
  return 0;
}
