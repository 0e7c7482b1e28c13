/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pages.c: page states of a range (vms_target_read_pages) against a child that knows them.
 *
 * A child maps anonymous memory, writes some pages, reads one (the shared
 * zero page) and leaves the rest untouched, then says where. Its page states
 * are read through PAGEMAP_SCAN and through 8-byte entries, and checked
 * against what it wrote and against /proc/PID/pagemap read here; the read
 * must change none of the pages' flags, and a region that goes or shrinks
 * after the walk must not be covered. Swapped pages need swap: with none
 * here that part says so and checks nothing. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vms-sampler.h"
#include "vms-test.h"

#define PAGE    4096UL
#define NPAGES  256
#define NSECOND 64

/* What the child did to page i of its first region. */
static bool written(size_t i) {
  return i % 3 == 0 || (i >= 100 && i < 120);
}
#define READ_ONLY_PAGE 200 /* read, never written: the shared zero page */

typedef struct {
  pid_t pid;
  int cmd, ack;
  uint64_t first, second; /* the child's two regions */
  uint64_t lo, hi;        /* both of them, and what lies between */
} Child;

static void child_main(int cmd, int ack) {
  char *a = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *b = mmap(NULL, NSECOND * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (a == MAP_FAILED || b == MAP_FAILED)
    _exit(1);
  madvise(a, NPAGES * PAGE, MADV_NOHUGEPAGE);
  for (size_t i = 0; i < NPAGES; i++)
    if (written(i))
      a[i * PAGE] = 1;
  volatile char sink = a[READ_ONLY_PAGE * PAGE];
  (void)sink;
  b[0] = 1;
  uint64_t where[2] = {(uint64_t)(uintptr_t)a, (uint64_t)(uintptr_t)b};
  if (write(ack, where, sizeof where) != sizeof where)
    _exit(1);
  char c;
  while (read(cmd, &c, 1) == 1) {
    if (c == 'u') /* the second region goes, and a smaller one takes its place */
      if (munmap(b, NSECOND * PAGE) != 0 || mmap(b, NSECOND / 2 * PAGE, PROT_READ | PROT_WRITE,
                                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != b)
        _exit(1);
#ifdef MADV_PAGEOUT
    if (c == 's')
      madvise(a, 30 * PAGE, MADV_PAGEOUT);
#endif
    if (write(ack, &c, 1) != 1)
      _exit(1);
  }
  _exit(0);
}

static bool child_start(Child *c) {
  int to[2], from[2];
  if (pipe(to) != 0 || pipe(from) != 0)
    return false;
  c->pid = fork();
  if (c->pid == 0) {
    close(to[1]);
    close(from[0]);
    child_main(to[0], from[1]);
  }
  close(to[0]);
  close(from[1]);
  c->cmd = to[1];
  c->ack = from[0];
  uint64_t where[2];
  if (read(c->ack, where, sizeof where) != sizeof where)
    return false;
  c->first = where[0];
  c->second = where[1];
  c->lo = c->first < c->second ? c->first : c->second;
  c->hi = c->first < c->second ? c->second + NSECOND * PAGE : c->first + NPAGES * PAGE;
  return true;
}

static void child_say(Child *c, char what) {
  char b;
  VMS_CHECK(write(c->cmd, &what, 1) == 1);
  VMS_CHECK(read(c->ack, &b, 1) == 1);
}

static void child_end(Child *c) {
  kill(c->pid, SIGKILL);
  waitpid(c->pid, NULL, 0);
  close(c->cmd);
  close(c->ack);
}

static VmsPageState state_at(const VmsPageMap *pm, uint64_t addr) {
  size_t k = vms_page_map_lower_bound(pm, addr);
  if (k < pm->n_runs && pm->runs[k].start <= addr)
    return (VmsPageState)pm->runs[k].state;
  return VMS_PAGE_STATE_COUNT; /* in no run */
}

/* The child's entries, read here: bit 63 present, 62 swapped, 55-57 flags. */
static void read_entries(pid_t pid, uint64_t start, size_t n, uint64_t *out) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/pagemap", (int)pid);
  int fd = open(path, O_RDONLY);
  VMS_CHECK(fd >= 0);
  VMS_CHECK(pread(fd, out, n * 8, (off_t)(start / PAGE * 8)) == (ssize_t)(n * 8));
  close(fd);
}

static void check_states(const Child *c, const VmsPageMap *pm, bool scan, const char *how) {
  static uint64_t entries[NPAGES];
  read_entries(c->pid, c->first, NPAGES, entries);
  VMS_CHECK_MSG(vms_page_map_covers(pm, c->first, c->first + NPAGES * PAGE), "%s: not covered",
                how);
  size_t wrong = 0, disagree = 0;
  for (size_t i = 0; i < NPAGES; i++) {
    VmsPageState st = state_at(pm, c->first + i * PAGE);
    bool present = (entries[i] >> 63) & 1;
    VmsPageState want = written(i) ? VMS_PAGE_RESIDENT : VMS_PAGE_UNTOUCHED;
    if (i == READ_ONLY_PAGE)
      want = scan ? VMS_PAGE_UNTOUCHED : VMS_PAGE_RESIDENT; /* entries cannot tell the zero page */
    wrong += st != want;
    if (i != READ_ONLY_PAGE)
      disagree += (st == VMS_PAGE_RESIDENT) != present;
  }
  VMS_CHECK_MSG(wrong == 0, "%s: %zu of %d pages not what the child did", how, wrong, NPAGES);
  VMS_CHECK_MSG(disagree == 0, "%s: %zu pages disagree with pagemap read here", how, disagree);
  VMS_CHECK_MSG(pm->note[0] == '\0', "%s: note %s", how, pm->note);
}

static void test_states(bool entries) {
  const char *how = entries ? "8-byte entries" : "PAGEMAP_SCAN";
  if (entries)
    setenv("VMSCOPE_PAGEMAP", "entries", 1);
  Child c;
  VMS_CHECK(child_start(&c));
  VmsTarget *t = NULL;
  VmsError err = {0};
  VMS_CHECK_U64(vms_target_open(c.pid, &t, &err), VMS_OK);
  unsetenv("VMSCOPE_PAGEMAP");
  if (!t) {
    child_end(&c);
    return;
  }
  static uint64_t before[NPAGES], after[NPAGES];
  read_entries(c.pid, c.first, NPAGES, before);
  VmsPageMap pm;
  vms_page_map_init(&pm);
  VMS_CHECK_U64(vms_target_read_pages(t, c.lo, c.hi, &pm, &err), VMS_OK);
  check_states(&c, &pm, !entries, how);
  VMS_CHECK(vms_page_map_covers(&pm, c.second, c.second + NSECOND * PAGE));
  VMS_CHECK_U64(state_at(&pm, c.second), VMS_PAGE_RESIDENT);
  VMS_CHECK_U64(state_at(&pm, c.second + PAGE), VMS_PAGE_UNTOUCHED);
  printf("%s: %zu runs for %d + %d pages in %.3f ms\n", how, pm.n_runs, NPAGES, NSECOND,
         pm.seconds * 1000);

  /* A part of the range: runs only there, read to its end. */
  uint64_t lo = c.first + 10 * PAGE, hi = c.first + 50 * PAGE;
  VMS_CHECK_U64(vms_target_read_pages(t, lo, hi, &pm, &err), VMS_OK);
  VMS_CHECK(pm.n_runs > 0 && pm.runs[0].start == lo && pm.runs[pm.n_runs - 1].end == hi);
  VMS_CHECK_U64(pm.read_end, hi);

  /* Reading changed no page's flags (soft-dirty, exclusive, uffd-wp). */
  read_entries(c.pid, c.first, NPAGES, after);
  size_t differ = 0;
  for (size_t i = 0; i < NPAGES; i++)
    differ +=
        ((before[i] >> 55) & 7) != ((after[i] >> 55) & 7) || (before[i] >> 62) != (after[i] >> 62);
  VMS_CHECK_MSG(differ == 0, "%s: %zu pages' flags changed", how, differ);

  /* The second region shrinks after the walk: its pages are not covered,
   * so the map draws no state for it. */
  VmsSpace walk;
  vms_space_init(&walk);
  VMS_CHECK_U64(vms_target_read(t, VMS_READ_REGIONS, &walk, &err), VMS_OK);
  size_t second = vms_space_find(&walk, c.second);
  VMS_CHECK(second != SIZE_MAX && walk.regions[second].end == c.second + NSECOND * PAGE);
  child_say(&c, 'u');
  VMS_CHECK_U64(vms_target_read_pages(t, c.lo, c.hi, &pm, &err), VMS_OK);
  if (second != SIZE_MAX)
    VMS_CHECK(!vms_page_map_covers(&pm, walk.regions[second].start, walk.regions[second].end));
  VMS_CHECK(vms_page_map_covers(&pm, c.first, c.first + NPAGES * PAGE));
  vms_space_clear(&walk);
  vms_page_map_clear(&pm);
  vms_target_close(t);
  child_end(&c);
}

/* Swapped pages: only where there is swap for MADV_PAGEOUT to use. */
static void test_swapped(void) {
  size_t len = 0;
  char buf[512];
  FILE *f = fopen("/proc/swaps", "r");
  while (f && fgets(buf, sizeof buf, f))
    len++;
  if (f)
    fclose(f);
#ifndef MADV_PAGEOUT
  len = 0;
#endif
  if (len < 2) {
    printf("swapped pages: not covered, this machine has no swap\n");
    return;
  }
  Child c;
  VMS_CHECK(child_start(&c));
  child_say(&c, 's');
  VmsTarget *t = NULL;
  VmsError err = {0};
  VMS_CHECK_U64(vms_target_open(c.pid, &t, &err), VMS_OK);
  VmsPageMap pm;
  vms_page_map_init(&pm);
  VMS_CHECK_U64(vms_target_read_pages(t, c.first, c.first + 30 * PAGE, &pm, &err), VMS_OK);
  static uint64_t entries[30];
  read_entries(c.pid, c.first, 30, entries);
  size_t swapped = 0;
  for (size_t i = 0; i < 30; i++) {
    bool sw = (entries[i] >> 62) & 1;
    swapped += sw;
    if (sw)
      VMS_CHECK_U64(state_at(&pm, c.first + i * PAGE), VMS_PAGE_SWAPPED);
  }
  printf("swapped pages: %zu of 30 paged out and read as swapped\n", swapped);
  vms_page_map_clear(&pm);
  vms_target_close(t);
  child_end(&c);
}

/* The sampler hands page states of its range over after each sample, and
 * residency by budget is read on the first sample (whose cost is not known
 * yet) at least. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int n_pages, n_snaps;          /* under lock */
static VmsPageMap *last_pages;        /* under lock */
static double residency_seconds = -1; /* under lock: the most any snapshot's read took */

static void on_snap(VmsSnapshot *snap, const VmsError *err, void *user) {
  if (!snap)
    return;
  pthread_mutex_lock(&lock);
  if (snap->residency_seconds > residency_seconds)
    residency_seconds = snap->residency_seconds;
  n_snaps++;
  pthread_mutex_unlock(&lock);
  vms_snapshot_unref(snap);
}

static void on_pages(VmsPageMap *map, const VmsError *err, void *user) {
  pthread_mutex_lock(&lock);
  vms_page_map_free(last_pages);
  last_pages = map;
  n_pages++;
  pthread_mutex_unlock(&lock);
}

static bool sampler_done(void) {
  pthread_mutex_lock(&lock);
  bool done = n_pages >= 3 && n_snaps >= 2;
  pthread_mutex_unlock(&lock);
  return done;
}

static void test_sampler_pages(void) {
  Child c;
  VMS_CHECK(child_start(&c));
  VmsSamplerOptions opts;
  vms_sampler_options_default(&opts);
  opts.interval = 0.1;
  opts.residency_budget = 1.0;
  opts.pages_func = on_pages;
  VmsSampler *s = NULL;
  VmsError err = {0};
  VMS_CHECK_U64(vms_sampler_start(c.pid, &opts, on_snap, NULL, &s, &err), VMS_OK);
  vms_sampler_set_page_range(s, c.first, c.first + NPAGES * PAGE);
  for (int i = 0; i < 500 && !sampler_done(); i++)
    usleep(10000);
  vms_sampler_stop(s);
  VMS_CHECK(n_pages >= 3 && n_snaps >= 2);
  VMS_CHECK_MSG(residency_seconds > 0, "residency not read within budget: %g", residency_seconds);
  VMS_CHECK(last_pages != NULL);
  if (last_pages)
    check_states(&c, last_pages, true, "sampler");
  vms_page_map_free(last_pages);
  child_end(&c);
}

int main(void) {
  test_states(false);
  test_states(true);
  test_swapped();
  test_sampler_pages();
  return vms_test_end();
}
