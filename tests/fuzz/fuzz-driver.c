/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-driver.c: runs a fuzz target without libFuzzer: the corpus files, then seeded mutations of
 * them.
 *
 * This keeps the fuzz targets exercised in every test run (under ASan and
 * UBSan in CI) where clang's libFuzzer is not in the build; the
 * -Dfuzzing=true build links the same target with -fsanitize=fuzzer for
 * open-ended runs. Usage: fuzz-driver ITERATIONS FILE... */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static const char *const tokens[] = {
    "-", " ",    "\n",   ":",    "[heap]", "[stack]", "(deleted)", "\\012",   "ffffffffffffffff",
    "0", "rw-p", "---p", "Rss:", " kB",    "Size:",   "[anon:",    "/memfd:", "7f0000000000"};

static size_t mutate(uint8_t *buf, size_t len, size_t cap) {
  int rounds = 1 + (int)(next() % 4);
  for (int k = 0; k < rounds; k++) {
    size_t at = len ? (size_t)(next() % len) : 0;
    switch (next() % 6) {
    case 0:
      if (len)
        buf[at] ^= (uint8_t)(1u << (next() % 8));
      break;
    case 1:
      if (len)
        buf[at] = (uint8_t)next();
      break;
    case 2: len = at; break; /* truncate */
    case 3: {                /* insert a token */
      const char *t = tokens[next() % (sizeof tokens / sizeof *tokens)];
      size_t n = strlen(t);
      if (len + n > cap)
        break;
      memmove(buf + at + n, buf + at, len - at);
      memcpy(buf + at, t, n);
      len += n;
      break;
    }
    case 4: { /* delete a span */
      size_t n = (size_t)(next() % 16);
      if (at + n > len)
        n = len - at;
      memmove(buf + at, buf + at + n, len - at - n);
      len -= n;
      break;
    }
    default: { /* duplicate a span (repeats lines, breaks ordering) */
      size_t n = (size_t)(next() % 200);
      if (at + n > len)
        n = len - at;
      if (len + n > cap)
        break;
      memmove(buf + at + n, buf + at, len - at);
      memcpy(buf + at + n, buf + at, n);
      len += n;
      break;
    }
    }
  }
  return len;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s ITERATIONS FILE...\n", argv[0]);
    return 2;
  }
  long iterations = strtol(argv[1], NULL, 10);
  size_t n_files = (size_t)(argc - 2);
  uint8_t **seeds = calloc(n_files, sizeof *seeds);
  size_t *sizes = calloc(n_files, sizeof *sizes);
  for (size_t i = 0; i < n_files; i++) {
    FILE *f = fopen(argv[i + 2], "rb");
    if (!f) {
      fprintf(stderr, "cannot open %s\n", argv[i + 2]);
      return 1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    /* Seeds are cut to 16 KiB so that each run stays quick. */
    sizes[i] = n > 16384 ? 16384 : (size_t)n;
    seeds[i] = malloc(sizes[i] + 1);
    if (fread(seeds[i], 1, sizes[i], f) != sizes[i])
      return 1;
    fclose(f);
    LLVMFuzzerTestOneInput(seeds[i], sizes[i]);
  }
  size_t cap = 32768;
  uint8_t *buf = malloc(cap);
  for (long it = 0; it < iterations; it++) {
    size_t i = (size_t)(next() % n_files);
    memcpy(buf, seeds[i], sizes[i]);
    size_t len = mutate(buf, sizes[i], cap);
    /* Copy into an exact-size block so ASan sees any read past the end. */
    uint8_t *exact = malloc(len ? len : 1);
    memcpy(exact, buf, len);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
  }
  printf("%zu seeds, %ld mutated inputs, no crash\n", n_files, iterations);
  for (size_t i = 0; i < n_files; i++)
    free(seeds[i]);
  free(seeds);
  free(sizes);
  free(buf);
  return 0;
}
