/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vmscope-demo: a long-running allocator pattern that fragments its own address space.
 *
 * It does what a long-lived CPython process does to its address space: large
 * buffers (1 MiB and up, each a little larger than the last, as data grows)
 * are allocated between small long-lived blocks (like pymalloc's arenas), and
 * every other large buffer is freed again. The holes the freed buffers leave
 * are too small for the next, larger buffer, and the small blocks pinned
 * between them keep the holes from merging, so the free space stays large
 * while the largest free block shrinks. In a 32-bit process the space runs
 * out for real: a large allocation fails with hundreds of MB free.
 *
 * Each round prints one progress line. When an allocation fails (or the last
 * round is done) the program prints its PID and waits, so vmscope can be
 * pointed at it, until it is interrupted (or at once with --exit).
 *
 * Only the first page of each block is touched: the point is address space,
 * not resident memory, and the demo must not eat the machine's RAM. */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define KIB ((uint64_t)1024)
#define MIB (1024 * KIB)

typedef struct {
  void *ptr;
  size_t size;
} Block;

typedef struct {
  uint64_t total, largest, blocks;
} FreeFigures;

static void usage(void) {
  printf("usage: vmscope-demo [--rounds N] [--interval MS] [--exit]\n"
         "  --rounds N     stop after N rounds (default: 400 on 64-bit; on 32-bit\n"
         "                 until a large allocation fails)\n"
         "  --interval MS  pause between rounds in milliseconds (default 20)\n"
         "  --exit         exit at the end instead of waiting to be inspected\n");
}

static bool parse_ulong(const char *s, unsigned long max, unsigned long *out) {
  char *end;
  errno = 0;
  if (!s || !*s || *s == '-')
    return false;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || *end || v > max)
    return false;
  *out = v;
  return true;
}

static void human(uint64_t bytes, char *buf, size_t len) {
  if (bytes >= 1024 * 1024 * MIB)
    snprintf(buf, len, "%.2f TiB", (double)bytes / (double)(1024 * 1024 * MIB));
  else if (bytes >= 1024 * MIB)
    snprintf(buf, len, "%.2f GiB", (double)bytes / (double)(1024 * MIB));
  else
    snprintf(buf, len, "%.1f MiB", (double)bytes / (double)MIB);
}

/* The top of user space for this process: a 32-bit process on a 64-bit
 * kernel ends one guard page short of 4 GiB; a 64-bit one at 128 TiB. */
static uint64_t user_top(void) {
  if (sizeof(void *) == 4)
    return (uint64_t)0xffffe000u;
  return (UINT64_C(1) << 47) - 4096;
}

static uint64_t mmap_min_addr(void) {
  uint64_t v = 65536;
  FILE *f = fopen("/proc/sys/vm/mmap_min_addr", "r");
  if (f) {
    if (fscanf(f, "%" SCNu64, &v) != 1)
      v = 65536;
    fclose(f);
  }
  return v;
}

/* Free space between our own mappings, from /proc/self/maps. */
static bool free_figures(uint64_t lo, uint64_t hi, FreeFigures *ff) {
  FILE *f = fopen("/proc/self/maps", "r");
  if (!f)
    return false;
  memset(ff, 0, sizeof *ff);
  uint64_t prev = lo;
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    uint64_t s, e;
    if (sscanf(line, "%" SCNx64 "-%" SCNx64, &s, &e) != 2)
      continue;
    /* The kernel escapes newlines in names (as \012), so each line is one
     * mapping; the rest of a line longer than the buffer is skipped below. */
    if (s >= hi)
      break; /* [vsyscall] lies above user space */
    if (s > prev) {
      uint64_t gap = s - prev;
      ff->total += gap;
      ff->blocks++;
      if (gap > ff->largest)
        ff->largest = gap;
    }
    if (e > prev)
      prev = e;
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] != '\n' && fgets(line, sizeof line, f))
      n = strlen(line);
  }
  fclose(f);
  if (prev < hi) {
    uint64_t gap = hi - prev;
    ff->total += gap;
    ff->blocks++;
    if (gap > ff->largest)
      ff->largest = gap;
  }
  return true;
}

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static void sleep_ms(unsigned long ms) {
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stop_requested) {
  }
}

int main(int argc, char **argv) {
  bool is32 = sizeof(void *) == 4;
  unsigned long rounds = is32 ? 100000 : 400, interval = 20;
  bool exit_at_end = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      if (!parse_ulong(argv[++i], 10000000, &rounds) || rounds == 0) {
        fprintf(stderr, "vmscope-demo: --rounds wants a positive whole number, not '%s'\n",
                argv[i]);
        return 2;
      }
    } else if (strcmp(argv[i], "--interval") == 0 && i + 1 < argc) {
      if (!parse_ulong(argv[++i], 3600000, &interval)) {
        fprintf(stderr, "vmscope-demo: --interval wants milliseconds (0-3600000), not '%s'\n",
                argv[i]);
        return 2;
      }
    } else if (strcmp(argv[i], "--exit") == 0) {
      exit_at_end = true;
    } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage();
      return 0;
    } else {
      fprintf(stderr, "vmscope-demo: unknown or incomplete option '%s' (see --help)\n", argv[i]);
      return 2;
    }
  }

  /* Large blocks must come from mmap, as CPython's do, so they sit in the
   * mmap area between the small ones. A fixed threshold also turns off
   * glibc's dynamic threshold, which would move freed sizes into the brk heap. */
  mallopt(M_MMAP_THRESHOLD, (int)(128 * KIB));
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);

  size_t cap = (size_t)rounds * 2 < 4096 ? (size_t)rounds * 2 : 4096;
  Block *blocks = NULL;
  size_t n_blocks = 0;
  uint64_t lo = mmap_min_addr(), hi = user_top();
  uint64_t live = 0;
  char a[32], b[32], c[32];

  printf("vmscope-demo: pid %d, %d-bit; large blocks grow by 64 KiB a round, every other one is "
         "freed\n",
         (int)getpid(), is32 ? 32 : 64);

  bool failed = false, have_prev_large = false;
  size_t prev_large = 0;
  unsigned long round;
  for (round = 1; round <= rounds && !stop_requested; round++) {
    size_t large = (size_t)(MIB + (uint64_t)round * 64 * KIB);
    size_t small = (size_t)(256 * KIB);
    if (n_blocks + 2 > cap || !blocks) {
      size_t ncap = cap * 2;
      Block *nb = realloc(blocks, ncap * sizeof *nb);
      if (!nb) {
        fprintf(stderr, "vmscope-demo: out of memory for bookkeeping\n");
        return 9;
      }
      blocks = nb;
      cap = ncap;
    }
    void *p = malloc(large);
    if (!p) {
      FreeFigures ff;
      human(large, a, sizeof a);
      if (free_figures(lo, hi, &ff)) {
        human(ff.total, b, sizeof b);
        human(ff.largest, c, sizeof c);
        printf("round %lu: malloc(%s) FAILED with %s free in %" PRIu64
               " blocks; the largest free block is %s (request %zu bytes, free %" PRIu64
               ", largest %" PRIu64 ")\n",
               round, a, b, ff.blocks, c, large, ff.total, ff.largest);
      } else {
        printf("round %lu: malloc(%s) FAILED\n", round, a);
      }
      failed = true;
      break;
    }
    memset(p, 0xab, 4096);
    size_t this_large = n_blocks;
    blocks[n_blocks++] = (Block){p, large};
    live += large;

    void *q = malloc(small);
    if (q) {
      memset(q, 0xcd, 4096);
      blocks[n_blocks++] = (Block){q, small};
      live += small;
    }

    /* Free the large block of the round before every other round: its hole
     * is 64 KiB too small for every later large block. */
    if (round % 2 == 0 && have_prev_large) {
      Block *prev = &blocks[prev_large];
      free(prev->ptr);
      live -= prev->size;
      prev->ptr = NULL;
    }
    prev_large = this_large;
    have_prev_large = true;

    if (round % 10 == 0 || round == rounds) {
      FreeFigures ff;
      if (free_figures(lo, hi, &ff)) {
        human(live, a, sizeof a);
        human(ff.total, b, sizeof b);
        human(ff.largest, c, sizeof c);
        printf("round %lu: live %s; free %s in %" PRIu64
               " blocks, largest %s (%.1f%% fragmented)\n",
               round, a, b, ff.blocks, c,
               ff.total ? 100.0 * (1.0 - (double)ff.largest / (double)ff.total) : 0.0);
      }
    }
    if (interval)
      sleep_ms(interval);
  }

  if (!failed && !stop_requested)
    printf("done after %lu rounds without a failed allocation\n", round - 1);
  if (!exit_at_end && !stop_requested) {
    printf("waiting: inspect with `vmscope %d`; Ctrl-C ends\n", (int)getpid());
    while (!stop_requested)
      pause();
  }
  for (size_t i = 0; i < n_blocks; i++)
    free(blocks[i].ptr);
  free(blocks);
  return 0;
}
