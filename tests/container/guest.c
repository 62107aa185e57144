/* The guest of the container tests: reports what it can reach, one line per probe, so the
 * test can check each grant and denial of a manifest from inside.
 *   env NAME...       prints NAME=value or NAME unset
 *   read PATH         prints "read PATH: <first line>" or "read PATH: denied (errno)"
 *   write PATH        prints "write PATH: ok" or "write PATH: denied (errno)"
 *   spin              loops forever (limits)
 *   grow MIB          grows memory by MIB mebibytes, prints ok or failed
 *   exit N            exits with N */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const char* cmd = argv[i];
    const char* arg = i + 1 < argc ? argv[i + 1] : "";
    if (strcmp(cmd, "env") == 0) {
      for (++i; i < argc && strcmp(argv[i], "--") != 0; ++i) {
        const char* v = getenv(argv[i]);
        if (v) printf("%s=%s\n", argv[i], v);
        else printf("%s unset\n", argv[i]);
      }
    } else if (strcmp(cmd, "read") == 0) {
      ++i;
      FILE* f = fopen(arg, "r");
      char line[256] = {0};
      if (!f) { printf("read %s: denied (%d)\n", arg, errno); continue; }
      if (!fgets(line, sizeof line, f)) line[0] = 0;
      line[strcspn(line, "\n")] = 0;
      printf("read %s: %s\n", arg, line);
      fclose(f);
    } else if (strcmp(cmd, "write") == 0) {
      ++i;
      FILE* f = fopen(arg, "w");
      if (!f || fputs("written by the guest\n", f) < 0 || fclose(f) != 0) {
        printf("write %s: denied (%d)\n", arg, errno);
        continue;
      }
      printf("write %s: ok\n", arg);
    } else if (strcmp(cmd, "spin") == 0) {
      volatile unsigned long n = 0;
      for (;;) ++n;
    } else if (strcmp(cmd, "grow") == 0) {
      ++i;
      size_t bytes = (size_t)atoi(arg) << 20;
      /* volatile: clang may drop an allocation whose memory is never used, and call it a
       * success. */
      char* volatile p = malloc(bytes);
      if (p) p[bytes - 1] = 1;
      printf("grow %s: %s\n", arg, p ? "ok" : "failed");
      fflush(stdout);
    } else if (strcmp(cmd, "exit") == 0) {
      fflush(stdout);
      exit(atoi(arg));
    }
  }
  return 0;
}
