/* Word-frequency counting: generated English-like text (skewed word distribution, mixed
 * case, punctuation) is tokenised, lower-cased and counted in an open-addressing hash
 * table keyed by the word's bytes (FNV-1a). Byte scanning, hashing, memcmp, pointer
 * chasing: a string/hash-table workload. */
#include "bench_common.h"

enum { kVocab = 40000, kChunk = 1 << 20, kMaxWord = 32 };

typedef struct {
  char* word;  /* NULL = empty slot */
  uint32_t len;
  uint32_t hash;
  uint64_t count;
} Entry;

typedef struct {
  Entry* slots;
  uint32_t cap;  /* power of two */
  uint32_t used;
} Table;

static uint32_t fnv1a(const char* p, uint32_t n) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 16777619u;
  return h;
}

static void table_grow(Table* t);

static void table_add(Table* t, const char* w, uint32_t n) {
  uint32_t h = fnv1a(w, n);
  uint32_t mask = t->cap - 1;
  for (uint32_t i = h & mask;; i = (i + 1) & mask) {
    Entry* e = &t->slots[i];
    if (!e->word) {
      e->word = malloc(n);
      memcpy(e->word, w, n);
      e->len = n; e->hash = h; e->count = 1;
      if (++t->used * 4 > t->cap * 3) table_grow(t);
      return;
    }
    if (e->hash == h && e->len == n && memcmp(e->word, w, n) == 0) { e->count++; return; }
  }
}

static void table_grow(Table* t) {
  Entry* old = t->slots;
  uint32_t old_cap = t->cap;
  t->cap *= 2;
  t->slots = calloc(t->cap, sizeof(Entry));
  for (uint32_t i = 0; i < old_cap; i++) {
    if (!old[i].word) continue;
    uint32_t j = old[i].hash & (t->cap - 1);
    while (t->slots[j].word) j = (j + 1) & (t->cap - 1);
    t->slots[j] = old[i];
  }
  free(old);
}

static const char* const kSyllables[] = {
  "the", "an", "ing", "er", "on", "re", "in", "ed", "nd", "ha", "at", "en", "es", "of",
  "or", "nt", "ea", "ti", "to", "it", "st", "io", "le", "is", "ou", "ar", "as", "de",
  "rt", "ve", "qu", "zy", "ph", "ck", "ly", "ment", "tion", "al", "ous", "ble",
};
enum { kNumSyllables = sizeof kSyllables / sizeof kSyllables[0] };

int main(int argc, char** argv) {
  long mib = bench_size(argc, argv, 32);  /* MiB of text */
  Rng rng;
  rng_seed(&rng, 2024);
  /* Vocabulary: 1-4 syllables per word (duplicates are fine: they merge when counted). */
  static char vocab[kVocab][kMaxWord];
  static uint8_t vocab_len[kVocab];
  for (int i = 0; i < kVocab; i++) {
    int syl = 1 + (int)(rng_u32(&rng) % 4);
    uint32_t len = 0;
    for (int s = 0; s < syl; s++) {
      const char* p = kSyllables[rng_u32(&rng) % kNumSyllables];
      size_t l = strlen(p);
      memcpy(vocab[i] + len, p, l);
      len += (uint32_t)l;
    }
    vocab_len[i] = (uint8_t)len;
  }
  Table t = {calloc(1024, sizeof(Entry)), 1024, 0};
  char* text = malloc(kChunk);
  char word[kMaxWord];
  uint64_t words = 0;
  for (long m = 0; m < mib; m++) {
    /* Generate one MiB of whole words. */
    size_t n = 0;
    while (n + kMaxWord + 2 < kChunk) {
      uint32_t r = rng_u32(&rng);
      /* Cube of a uniform variate: a heavily skewed, Zipf-like choice of word. */
      double u = (double)(r >> 8) / 16777216.0;
      int id = (int)(u * u * u * kVocab);
      memcpy(text + n, vocab[id], vocab_len[id]);
      if ((r & 15) == 0) text[n] = (char)(text[n] - 'a' + 'A');  /* capitalised */
      n += vocab_len[id];
      if ((r & 0x70) == 0) text[n++] = (r & 0x80) ? ',' : '.';
      text[n++] = (r & 0x300) == 0 ? '\n' : ' ';
    }
    /* Tokenise: letters form words, everything else separates. */
    uint32_t len = 0;
    for (size_t i = 0; i < n; i++) {
      unsigned char c = (unsigned char)text[i];
      if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
      if (c >= 'a' && c <= 'z') {
        if (len < kMaxWord) word[len++] = (char)c;
      } else if (len) {
        table_add(&t, word, len);
        words++;
        len = 0;
      }
    }
    if (len) { table_add(&t, word, len); words++; }
  }
  uint64_t h = mix64(0, words);
  uint64_t best = 0;
  const Entry* top = NULL;
  for (uint32_t i = 0; i < t.cap; i++) {
    const Entry* e = &t.slots[i];
    if (!e->word) continue;
    h += mix64(e->hash, e->count);  /* order-independent sum */
    if (e->count > best) { best = e->count; top = e; }
  }
  h = mix64(h, t.used);
  printf("%llu words, %u distinct, most frequent \"%.*s\" x%llu\n", (unsigned long long)words,
         t.used, top ? (int)top->len : 0, top ? top->word : "", (unsigned long long)best);
  print_checksum(h);
  return 0;
}
