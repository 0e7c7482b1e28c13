/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vmscope-demo (Windows): the allocator pattern of vmscope-demo.c, with VirtualAlloc, fragmenting
 * its own address space.
 *
 * Large blocks (1 MiB and up, each 64 KiB larger than the last) are
 * allocated between small long-lived ones, and every other large block is
 * freed again: each hole is too small for every later large block, and the
 * small blocks keep the holes from merging. In a 32-bit process (2 GB, or
 * 4 GB when the image is large-address-aware and the system 64-bit) a large
 * allocation fails with hundreds of MB free.
 *
 * The figures it prints come from its own VirtualQuery walk, counted as
 * vmscope counts them: free space inside [minimum application address,
 * maximum + 1), each free stretch from its first 64 KiB boundary (the
 * sliver before it cannot be allocated). At the end it prints one line
 *   figures: free T, largest L, blocks N, space LO-HI, request R
 * (bytes, hex for the space) and waits, so vmscope can be pointed at it,
 * until its standard input ends or Enter is pressed (at once with --exit).
 *
 * Only the first page of each block is touched: the point is address space. */
#include <windows.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
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

typedef struct {
  uint64_t total, largest, blocks;
} FreeFigures;

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
  if (!s || !*s || *s == '-')
    return false;
  unsigned long v = strtoul(s, &end, 10);
  if (*end || v > max)
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

static uint64_t g_lo, g_hi, g_gran;

static void end_stretch(FreeFigures *ff, uint64_t a, uint64_t b) {
  if (a < g_lo)
    a = g_lo;
  if (b > g_hi)
    b = g_hi;
  a = (a + g_gran - 1) & ~(g_gran - 1);
  if (a >= b)
    return;
  ff->total += b - a;
  ff->blocks++;
  if (b - a > ff->largest)
    ff->largest = b - a;
}

/* Free space from our own VirtualQuery walk. Wine may answer one free
 * stretch in pieces; a stretch ends at the first region that is not free. */
static void free_figures(FreeFigures *ff) {
  memset(ff, 0, sizeof *ff);
  uint64_t addr = 0, run_start = 0, run_end = 0;
  bool in_run = false;
  while (addr < g_hi) {
    MEMORY_BASIC_INFORMATION m;
    if (VirtualQuery((LPCVOID)(uintptr_t)addr, &m, sizeof m) == 0)
      break;
    uint64_t start = (uint64_t)(uintptr_t)m.BaseAddress, end = start + m.RegionSize;
    if (end <= addr)
      break;
    if (m.State == MEM_FREE) {
      if (!in_run)
        run_start = start;
      in_run = true;
      run_end = end;
    } else if (in_run) {
      end_stretch(ff, run_start, run_end);
      in_run = false;
    }
    addr = end;
  }
  if (in_run)
    end_stretch(ff, run_start, run_end);
}

static DWORD WINAPI read_stdin(LPVOID arg) {
  HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  char buf[64];
  DWORD got;
  while (ReadFile(in, buf, sizeof buf, &got, NULL) && got > 0)
    if (memchr(buf, '\n', got))
      break;
  return 0;
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
  /* A buffer of our own, so printing never allocates between the walk and
   * the moment vmscope reads the same space. */
  setvbuf(stdout, g_out, _IOFBF, sizeof g_out);

  SYSTEM_INFO si;
  GetSystemInfo(&si);
  g_lo = (uint64_t)(uintptr_t)si.lpMinimumApplicationAddress;
  g_hi = (uint64_t)(uintptr_t)si.lpMaximumApplicationAddress + 1;
  g_gran = si.dwAllocationGranularity;
  if (g_lo < 0x10000)
    g_lo = 0x10000;

  /* The thread that waits for the end of input starts now: its stack is
   * part of the space the figures describe. */
  HANDLE reader = exit_at_end ? NULL : CreateThread(NULL, 0, read_stdin, NULL, 0, NULL);

  char a[32], b[32], c[32];
  human(g_hi - g_lo, a, sizeof a);
  printf("vmscope-demo: pid %lu, %d-bit, %s of address space; large blocks grow by 64 KiB a round, "
         "every "
         "other one is freed\n",
         (unsigned long)GetCurrentProcessId(), is32 ? 32 : 64, a);
  fflush(stdout);

  size_t n_blocks = 0, prev_large = 0;
  bool failed = false, have_prev_large = false;
  uint64_t live = 0, request = 0;
  FreeFigures ff;
  unsigned long round;
  for (round = 1; round <= rounds; round++) {
    size_t large = (size_t)(MIB + (uint64_t)round * 64 * KIB), small = (size_t)(256 * KIB);
    if (n_blocks + 2 > MAX_BLOCKS)
      break;
    void *p = VirtualAlloc(NULL, large, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    if (!p) {
      request = large;
      free_figures(&ff);
      human(large, a, sizeof a);
      human(ff.total, b, sizeof b);
      human(ff.largest, c, sizeof c);
      printf("round %lu: VirtualAlloc(%s) FAILED with %s free in %" PRIu64
             " blocks; the largest free block is %s\n",
             round, a, b, ff.blocks, c);
      failed = true;
      break;
    }
    memset(p, 0xab, 4096);
    size_t this_large = n_blocks;
    g_blocks[n_blocks++] = (Block){p, large};
    live += large;
    void *q = VirtualAlloc(NULL, small, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    if (q) {
      memset(q, 0xcd, 4096);
      g_blocks[n_blocks++] = (Block){q, small};
      live += small;
    }
    /* Free the large block of the round before every other round: its
     * hole is 64 KiB too small for every later large block. */
    if (round % 2 == 0 && have_prev_large) {
      Block *prev = &g_blocks[prev_large];
      VirtualFree(prev->ptr, 0, MEM_RELEASE);
      live -= prev->size;
      prev->ptr = NULL;
    }
    prev_large = this_large;
    have_prev_large = true;
    if (round % 10 == 0 || round == rounds) {
      free_figures(&ff);
      human(live, a, sizeof a);
      human(ff.total, b, sizeof b);
      human(ff.largest, c, sizeof c);
      printf("round %lu: live %s; free %s in %" PRIu64 " blocks, largest %s (%.1f%% fragmented)\n",
             round, a, b, ff.blocks, c,
             ff.total ? 100.0 * (1.0 - (double)ff.largest / (double)ff.total) : 0.0);
      fflush(stdout);
    }
    if (interval)
      Sleep(interval);
  }
  if (!failed) {
    free_figures(&ff);
    printf("done after %lu rounds without a failed allocation\n", round - 1);
  }
  printf("figures: free %" PRIu64 ", largest %" PRIu64 ", blocks %" PRIu64 ", space 0x%" PRIx64
         "-0x%" PRIx64 ", request %" PRIu64 "\n",
         ff.total, ff.largest, ff.blocks, g_lo, g_hi, request);
  if (reader) {
    printf("waiting: inspect with `vmscope %lu`; Enter (or the end of input) ends\n",
           (unsigned long)GetCurrentProcessId());
    fflush(stdout);
    WaitForSingleObject(reader, INFINITE);
  }
  fflush(stdout);
  for (size_t i = 0; i < n_blocks; i++)
    if (g_blocks[i].ptr)
      VirtualFree(g_blocks[i].ptr, 0, MEM_RELEASE);
  return 0;
}
