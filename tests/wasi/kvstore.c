/* A small key-value store persisting to a directory as an append-only log, plus a word
   counter. The same file builds natively (gcc) and for wasm32-wasi; the test compares their
   outputs. Usage: kvstore DIR COMMAND...
     set KEY VALUE | get KEY | del KEY | list | compact | wc FILE */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEYS 4096

struct Entry { char* key; char* value; };
static struct Entry table[MAX_KEYS];
static int count;
static char path_log[512], path_tmp[512];

static int find(const char* key) {
  for (int i = 0; i < count; ++i) if (strcmp(table[i].key, key) == 0) return i;
  return -1;
}

static void put(const char* key, const char* value) {
  int i = find(key);
  if (i < 0) {
    if (count == MAX_KEYS) { fprintf(stderr, "full\n"); exit(2); }
    i = count++;
    table[i].key = strdup(key);
    table[i].value = NULL;
  }
  free(table[i].value);
  table[i].value = strdup(value);
}

static void del(const char* key) {
  int i = find(key);
  if (i < 0) return;
  free(table[i].key);
  free(table[i].value);
  table[i] = table[--count];
}

static void load(void) {
  FILE* f = fopen(path_log, "r");
  if (!f) return;
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (line[0] == 'S' && line[1] == ' ') {
      char* key = line + 2;
      char* sp = strchr(key, ' ');
      if (!sp) continue;
      *sp = 0;
      put(key, sp + 1);
    } else if (line[0] == 'D' && line[1] == ' ') {
      del(line + 2);
    }
  }
  fclose(f);
}

static void append(const char* rec) {
  FILE* f = fopen(path_log, "a");
  if (!f) { perror("open log"); exit(2); }
  fputs(rec, f);
  fclose(f);
}

static int by_key(const void* a, const void* b) {
  return strcmp(((const struct Entry*)a)->key, ((const struct Entry*)b)->key);
}

struct Word { char w[32]; int n; };
static struct Word words[8192];
static int nwords;

static int by_count(const void* a, const void* b) {
  const struct Word* x = a;
  const struct Word* y = b;
  if (x->n != y->n) return y->n - x->n;
  return strcmp(x->w, y->w);
}

static int word_count(const char* dir, const char* name) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE* f = fopen(p, "r");
  if (!f) { printf("cannot open %s\n", name); return 1; }
  long lines = 0, wc = 0, bytes = 0;
  char cur[32];
  int len = 0, c;
  for (;;) {
    c = fgetc(f);
    if (c != EOF) bytes++;
    if (c == '\n') lines++;
    if (c != EOF && isalpha(c)) {
      if (len < 31) cur[len++] = (char)tolower(c);
      continue;
    }
    if (len > 0) {
      cur[len] = 0;
      wc++;
      int i;
      for (i = 0; i < nwords && strcmp(words[i].w, cur) != 0; ++i) {}
      if (i == nwords && nwords < 8192) { strcpy(words[nwords].w, cur); words[nwords++].n = 0; }
      if (i < nwords) words[i].n++;
      len = 0;
    }
    if (c == EOF) break;
  }
  fclose(f);
  qsort(words, (size_t)nwords, sizeof words[0], by_count);
  printf("%ld lines, %ld words, %ld bytes, %d distinct\n", lines, wc, bytes, nwords);
  for (int i = 0; i < nwords && i < 5; ++i) printf("  %s %d\n", words[i].w, words[i].n);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 3) { fprintf(stderr, "usage: kvstore DIR COMMAND...\n"); return 2; }
  snprintf(path_log, sizeof path_log, "%s/kv.log", argv[1]);
  snprintf(path_tmp, sizeof path_tmp, "%s/kv.tmp", argv[1]);
  const char* cmd = argv[2];
  if (strcmp(cmd, "wc") == 0 && argc == 4) return word_count(argv[1], argv[3]);
  load();
  char rec[1024];
  if (strcmp(cmd, "set") == 0 && argc == 5) {
    snprintf(rec, sizeof rec, "S %s %s\n", argv[3], argv[4]);
    append(rec);
    put(argv[3], argv[4]);
    printf("ok (%d keys)\n", count);
  } else if (strcmp(cmd, "get") == 0 && argc == 4) {
    int i = find(argv[3]);
    if (i < 0) { printf("%s: not found\n", argv[3]); return 1; }
    printf("%s\n", table[i].value);
  } else if (strcmp(cmd, "del") == 0 && argc == 4) {
    snprintf(rec, sizeof rec, "D %s\n", argv[3]);
    append(rec);
    del(argv[3]);
    printf("ok (%d keys)\n", count);
  } else if (strcmp(cmd, "list") == 0) {
    qsort(table, (size_t)count, sizeof table[0], by_key);
    for (int i = 0; i < count; ++i) printf("%s=%s\n", table[i].key, table[i].value);
  } else if (strcmp(cmd, "compact") == 0) {
    FILE* f = fopen(path_tmp, "w");
    if (!f) { perror("compact"); return 2; }
    qsort(table, (size_t)count, sizeof table[0], by_key);
    for (int i = 0; i < count; ++i) fprintf(f, "S %s %s\n", table[i].key, table[i].value);
    fclose(f);
    if (rename(path_tmp, path_log) != 0) { perror("rename"); return 2; }
    printf("compacted to %d records\n", count);
  } else {
    fprintf(stderr, "unknown command\n");
    return 2;
  }
  return 0;
}
