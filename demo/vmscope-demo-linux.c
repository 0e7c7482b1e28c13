/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vmscope-demo-linux.c: the demo's Linux parts: malloc in the mmap area, /proc/self/maps. */
#include "vmscope-demo.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
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

void demo_os_init(bool wait_at_end, DemoSpace *space) {
  (void)wait_at_end;
  /* Large blocks must come from mmap, as CPython's do, so they sit in the
   * mmap area between the small ones. A fixed threshold also turns off
   * glibc's dynamic threshold, which would move freed sizes into the brk heap. */
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  space->lo = mmap_min_addr();
  space->hi = user_top();
  space->alloc_name = "malloc";
  space->how_to_end = "Ctrl-C ends";
}

void *demo_os_alloc(size_t size) {
  return malloc(size);
}

void demo_os_free(void *p) {
  free(p);
}

static void add_gap(DemoFree *ff, uint64_t gap) {
  ff->total += gap;
  ff->blocks++;
  if (gap > ff->largest)
    ff->largest = gap;
}

/* Free space between our own mappings, from /proc/self/maps. */
bool demo_os_free_figures(const DemoSpace *space, DemoFree *ff) {
  FILE *f = fopen("/proc/self/maps", "r");
  if (!f)
    return false;
  memset(ff, 0, sizeof *ff);
  uint64_t prev = space->lo;
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    uint64_t s, e;
    if (sscanf(line, "%" SCNx64 "-%" SCNx64, &s, &e) != 2)
      continue;
    /* The kernel escapes newlines in names (as \012), so each line is one
     * mapping; the rest of a line longer than the buffer is skipped below. */
    if (s >= space->hi)
      break; /* [vsyscall] lies above user space */
    if (s > prev)
      add_gap(ff, s - prev);
    if (e > prev)
      prev = e;
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] != '\n' && fgets(line, sizeof line, f))
      n = strlen(line);
  }
  fclose(f);
  if (prev < space->hi)
    add_gap(ff, space->hi - prev);
  return true;
}

void demo_os_sleep_ms(unsigned long ms) {
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stop_requested) {
  }
}

bool demo_os_stop_requested(void) {
  return stop_requested != 0;
}

unsigned long demo_os_pid(void) {
  return (unsigned long)getpid();
}

void demo_os_wait(void) {
  while (!stop_requested)
    pause();
}
