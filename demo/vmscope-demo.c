/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vmscope-demo: a long-running allocator pattern that fragments its own address space.
 *
 * It does what a long-lived CPython process does to its address space: large
 * buffers (1 MiB and up, each 64 KiB larger than the last, as data grows)
 * are allocated between small long-lived blocks (like pymalloc's arenas), and
 * every other large buffer is freed again. The holes the freed buffers leave
 * are too small for the next, larger buffer, and the small blocks pinned
 * between them keep the holes from merging, so the free space stays large
 * while the largest free block shrinks. In a 32-bit process (on Windows 2 GB,
 * or 4 GB when the image is large-address-aware and the system 64-bit) the
 * space runs out for real: a large allocation fails with hundreds of MB free.
 *
 * This file is the pattern; how a block is allocated, how the free space is
 * counted and how the end is waited for are each OS's (vmscope-demo.h).
 *
 * Each round prints one progress line. When an allocation fails (or the last
 * round is done) the program prints one line
 *   figures: free T, largest L, blocks N, space LO-HI, request R
 * (bytes, hex for the space) and its PID, and waits, so vmscope can be
 * pointed at it (at once with --exit).
 *
 * Only the first page of each block is touched: the point is address space,
 * not resident memory, and the demo must not eat the machine's RAM. */
#include "vmscope-demo.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIB        ((uint64_t)1024)
#define MIB        (1024 * KIB)
#define MAX_BLOCKS 65536

typedef struct {
  void *ptr;
  size_t size;
} Block;

/* Static, as is the output buffer: nothing is allocated between a walk of
 * the space and the moment vmscope reads the same space, but the blocks. */
static Block g_blocks[MAX_BLOCKS];
static char g_out[1 << 16];

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
  setvbuf(stdout, g_out, _IOLBF, sizeof g_out);
  DemoSpace space;
  demo_os_init(!exit_at_end, &space);

  char a[32], b[32], c[32];
  human(space.hi - space.lo, a, sizeof a);
  printf("vmscope-demo: pid %lu, %d-bit, %s of address space; large blocks grow by 64 KiB a round, "
         "every other one is freed\n",
         demo_os_pid(), is32 ? 32 : 64, a);
  fflush(stdout);

  size_t n_blocks = 0, prev_large = 0;
  bool failed = false, have_prev_large = false, have_figures = false;
  uint64_t live = 0, request = 0;
  DemoFree ff;
  unsigned long round;
  for (round = 1; round <= rounds && !demo_os_stop_requested(); round++) {
    size_t large = (size_t)(MIB + (uint64_t)round * 64 * KIB), small = (size_t)(256 * KIB);
    if (n_blocks + 2 > MAX_BLOCKS)
      break;
    void *p = demo_os_alloc(large);
    if (!p) {
      request = large;
      human(large, a, sizeof a);
      have_figures = demo_os_free_figures(&space, &ff);
      if (have_figures) {
        human(ff.total, b, sizeof b);
        human(ff.largest, c, sizeof c);
        printf("round %lu: %s(%s) FAILED with %s free in %" PRIu64
               " blocks; the largest free block is %s\n",
               round, space.alloc_name, a, b, ff.blocks, c);
      } else {
        printf("round %lu: %s(%s) FAILED\n", round, space.alloc_name, a);
      }
      failed = true;
      break;
    }
    memset(p, 0xab, 4096);
    size_t this_large = n_blocks;
    g_blocks[n_blocks++] = (Block){p, large};
    live += large;
    void *q = demo_os_alloc(small);
    if (q) {
      memset(q, 0xcd, 4096);
      g_blocks[n_blocks++] = (Block){q, small};
      live += small;
    }
    /* Free the large block of the round before every other round: its
     * hole is 64 KiB too small for every later large block. */
    if (round % 2 == 0 && have_prev_large) {
      Block *prev = &g_blocks[prev_large];
      demo_os_free(prev->ptr);
      live -= prev->size;
      prev->ptr = NULL;
    }
    prev_large = this_large;
    have_prev_large = true;
    if ((round % 10 == 0 || round == rounds) && demo_os_free_figures(&space, &ff)) {
      human(live, a, sizeof a);
      human(ff.total, b, sizeof b);
      human(ff.largest, c, sizeof c);
      printf("round %lu: live %s; free %s in %" PRIu64 " blocks, largest %s (%.1f%% fragmented)\n",
             round, a, b, ff.blocks, c,
             ff.total ? 100.0 * (1.0 - (double)ff.largest / (double)ff.total) : 0.0);
      fflush(stdout);
    }
    if (interval)
      demo_os_sleep_ms(interval);
  }
  const bool stopped = demo_os_stop_requested();
  if (!failed && !stopped) {
    have_figures = demo_os_free_figures(&space, &ff);
    printf("done after %lu rounds without a failed allocation\n", round - 1);
  }
  if (have_figures)
    printf("figures: free %" PRIu64 ", largest %" PRIu64 ", blocks %" PRIu64 ", space 0x%" PRIx64
           "-0x%" PRIx64 ", request %" PRIu64 "\n",
           ff.total, ff.largest, ff.blocks, space.lo, space.hi, request);
  if (!exit_at_end && !stopped) {
    printf("waiting: inspect with `vmscope %lu`; %s\n", demo_os_pid(), space.how_to_end);
    fflush(stdout);
    demo_os_wait();
  }
  fflush(stdout);
  for (size_t i = 0; i < n_blocks; i++)
    if (g_blocks[i].ptr)
      demo_os_free(g_blocks[i].ptr);
  return 0;
}
