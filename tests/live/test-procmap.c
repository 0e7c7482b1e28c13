/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-procmap.c: the PROCMAP_QUERY walk and the page scan against the maps text, smaps and bad
 * luck.
 *
 * Children build layouts with every kind of name, then the same target is
 * read through the ioctl and through the text (identical regions, names,
 * offsets and devices), residency is checked against smaps, and the failures
 * are provoked for real: the ioctls on files that have none (a kernel
 * without them answers the same ENOTTY), a pagemap that cannot be opened, a
 * process that exits mid-walk, regions that change under the page scan. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vms-linux-private.h"
#include "vms-snapshot.h"
#include "vms-test.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA           0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

#define PAGE 4096UL

typedef struct {
  pid_t pid;
  int cmd, ack; /* write a byte to cmd, read one from ack */
} Child;

static void child_wait(Child *c) {
  char b;
  VMS_CHECK(read(c->ack, &b, 1) == 1);
}

static void child_say(Child *c, char what) {
  VMS_CHECK(write(c->cmd, &what, 1) == 1);
  child_wait(c);
}

static void child_end(Child *c) {
  kill(c->pid, SIGKILL);
  waitpid(c->pid, NULL, 0);
  close(c->cmd);
  close(c->ack);
}

static bool name_anon(void *p, size_t n, const char *name) {
  return prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, n, (unsigned long)name) == 0;
}

/* Kernels built without CONFIG_ANON_VMA_NAME refuse every name. */
static bool anon_names_work(void) {
  void *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  bool ok = name_anon(p, PAGE, "probe");
  munmap(p, PAGE);
  return ok;
}

static char *rich_anon; /* the child's named anonymous region */

/* The layout: files (a path with a newline and one with spaces, mapped at
 * several offsets, one deleted), memfd, shared anonymous memory and a named
 * one, named private memory, PROT_NONE, many small regions. Commands: 'r'
 * renames rich_anon in place, 'q' waits to die. */
static void rich_child(int cmd, int ack, const char *dir) {
  char path[512];
  const char *names[] = {"plain", "with space", "new\nline", "deleted"};
  for (int k = 0; k < 4; k++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[k]);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, 4 * PAGE) != 0)
      _exit(1);
    for (int off = 0; off < 4; off += 2)
      if (mmap(NULL, PAGE, off ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED, fd,
               (off_t)off * (off_t)PAGE) == MAP_FAILED)
        _exit(1);
    if (k == 3)
      unlink(path);
    close(fd);
  }
  int mfd = memfd_create("vms-test", 0);
  if (mfd < 0 || ftruncate(mfd, PAGE) != 0 ||
      mmap(NULL, PAGE, PROT_READ, MAP_SHARED, mfd, 0) == MAP_FAILED)
    _exit(1);
  char *sh = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  name_anon(sh, PAGE, "shared-named"); /* [anon_shmem:shared-named] where supported */
  rich_anon = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  name_anon(rich_anon, 4 * PAGE, "vms first");
  mmap(NULL, 16 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *many = mmap(NULL, 200 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (int i = 1; i < 200; i += 2)
    mprotect(many + i * PAGE, PAGE, PROT_READ | PROT_WRITE);
  char c = 'k';
  if (write(ack, &c, 1) != 1)
    _exit(1);
  while (read(cmd, &c, 1) == 1) {
    if (c == 'r')
      name_anon(rich_anon, 4 * PAGE, "vms second");
    if (write(ack, &c, 1) != 1)
      _exit(1);
  }
  _exit(0);
}

static bool child_start(Child *c, void (*fn)(int, int, const char *), const char *arg) {
  int a[2], b[2];
  if (pipe(a) != 0 || pipe(b) != 0)
    return false;
  pid_t pid = fork();
  if (pid == 0) {
    close(a[1]);
    close(b[0]);
    fn(a[0], b[1], arg);
    _exit(0);
  }
  close(a[0]);
  close(b[1]);
  c->pid = pid;
  c->cmd = a[1];
  c->ack = b[0];
  child_wait(c);
  return pid > 0;
}

static VmsErrorCode read_space(pid_t pid, unsigned what, VmsSpace *sp) {
  VmsTarget *t;
  VmsError err = {0};
  VmsErrorCode code = vms_target_open(pid, &t, &err);
  if (code == VMS_OK) {
    code = vms_target_read(t, what, sp, &err);
    vms_target_close(t);
  }
  if (code != VMS_OK)
    fprintf(stderr, "read %d: %s\n", (int)pid, err.message);
  return code;
}

/* The classifier's whole input, region by region. */
static void check_same_regions(const VmsSpace *a, const VmsSpace *b, const char *what) {
  VMS_CHECK_MSG(a->n_regions == b->n_regions, "%s: %zu regions against %zu", what, a->n_regions,
                b->n_regions);
  for (size_t i = 0; i < a->n_regions && i < b->n_regions; i++) {
    const VmsRegion *x = &a->regions[i], *y = &b->regions[i];
    const char *nx = vms_name_pool_get(&a->names, x->name);
    const char *ny = vms_name_pool_get(&b->names, y->name);
    bool same = x->start == y->start && x->end == y->end && x->offset == y->offset &&
                x->inode == y->inode && x->dev == y->dev && x->prot == y->prot && x->os == y->os &&
                strcmp(nx, ny) == 0;
    VMS_CHECK_MSG(same,
                  "%s: region %zu: %" PRIx64 "-%" PRIx64 " os %x \"%s\" against %" PRIx64
                  "-%" PRIx64 " os %x \"%s\"",
                  what, i, x->start, x->end, x->os, nx, y->start, y->end, y->os, ny);
  }
}

static bool has_name(const VmsSpace *sp, const char *name) {
  for (size_t i = 0; i < sp->n_regions; i++)
    if (strcmp(vms_name_pool_get(&sp->names, sp->regions[i].name), name) == 0)
      return true;
  return false;
}

/* The ioctl and the text give the same facts; a warm cache does too, and
 * an anonymous region renamed in place shows its new name at once. */
static void test_paths_agree(void) {
  char dir[] = "/tmp/vms-procmap-XXXXXX";
  VMS_CHECK(mkdtemp(dir) != NULL);
  Child c;
  VMS_CHECK(child_start(&c, rich_child, dir));
  VmsSpace text, query;
  vms_space_init(&text);
  vms_space_init(&query);
  VMS_CHECK_U64(read_space(c.pid, VMS_READ_REGIONS | VMS_READ_MAPS_TEXT, &text), VMS_OK);
  VMS_CHECK_U64(read_space(c.pid, VMS_READ_REGIONS | VMS_READ_MAPS_QUERY, &query), VMS_OK);
  VMS_CHECK(!(text.fields & VMS_FIELD_MAPS_QUERY));
  VMS_CHECK(query.fields & VMS_FIELD_MAPS_QUERY);
  check_same_regions(&text, &query, "text against ioctl");
  char nl[600];
  snprintf(nl, sizeof nl, "%s/new\nline", dir);
  VMS_CHECK(has_name(&query, nl));
  const bool named = anon_names_work();
  if (named)
    VMS_CHECK(has_name(&query, "[anon:vms first]"));
  else
    printf("paths agree: anonymous names not checked, this kernel has no CONFIG_ANON_VMA_NAME\n");
  VMS_CHECK(has_name(&query, "[vsyscall]") == has_name(&text, "[vsyscall]"));

  /* One target read twice: the second walk takes paths from the first. */
  VmsTarget *t;
  VmsError err = {0};
  VMS_CHECK_U64(vms_target_open(c.pid, &t, &err), VMS_OK);
  const unsigned q = VMS_READ_REGIONS | VMS_READ_MAPS_QUERY;
  VMS_CHECK_U64(vms_target_read(t, q, &query, &err), VMS_OK);
  child_say(&c, 'r');
  VMS_CHECK_U64(vms_target_read(t, q, &query, &err), VMS_OK);
  VMS_CHECK(query.fields & VMS_FIELD_MAPS_QUERY);
  VMS_CHECK_U64(read_space(c.pid, VMS_READ_REGIONS | VMS_READ_MAPS_TEXT, &text), VMS_OK);
  check_same_regions(&text, &query, "text against a warm ioctl walk");
  if (named) {
    VMS_CHECK(has_name(&query, "[anon:vms second]"));
    VMS_CHECK(!has_name(&query, "[anon:vms first]"));
  }
  /* Left to choose, a target measures both ways and keeps using both. */
  int by_query = 0, by_text = 0;
  for (int k = 0; k < 40; k++) {
    VMS_CHECK_U64(vms_target_read(t, VMS_READ_REGIONS, &query, &err), VMS_OK);
    if (query.fields & VMS_FIELD_MAPS_QUERY)
      by_query++;
    else
      by_text++;
  }
  printf("paths agree: left to choose, %d reads through the ioctl and %d through the text\n",
         by_query, by_text);
  VMS_CHECK(by_query > 0 && by_text > 0);
  vms_target_close(t);
  setenv("VMSCOPE_MAPS", "ioctl", 1);
  VMS_CHECK_U64(read_space(c.pid, VMS_READ_REGIONS, &query), VMS_OK);
  VMS_CHECK(query.fields & VMS_FIELD_MAPS_QUERY);
  unsetenv("VMSCOPE_MAPS");

  /* The environment variable forces the text as the flag does. */
  setenv("VMSCOPE_MAPS", "text", 1);
  VMS_CHECK_U64(read_space(c.pid, VMS_READ_REGIONS, &query), VMS_OK);
  VMS_CHECK(!(query.fields & VMS_FIELD_MAPS_QUERY));
  unsetenv("VMSCOPE_MAPS");
  check_same_regions(&text, &query, "text against VMSCOPE_MAPS=text");

  /* Classified the same: types, states and details. */
  VmsSnapshot *st, *sq;
  VMS_CHECK_U64(read_space(c.pid, VMS_READ_REGIONS | VMS_READ_MAPS_TEXT, &text), VMS_OK);
  VMS_CHECK_U64(read_space(c.pid, VMS_READ_REGIONS | VMS_READ_MAPS_QUERY, &query), VMS_OK);
  VMS_CHECK_U64(vms_snapshot_build(&text, &st, &err), VMS_OK);
  VMS_CHECK_U64(vms_snapshot_build(&query, &sq, &err), VMS_OK);
  VMS_CHECK_U64(st->n_regions, sq->n_regions);
  for (size_t i = 0; i < st->n_regions && i < sq->n_regions; i++)
    VMS_CHECK(st->regions[i].type == sq->regions[i].type &&
              st->regions[i].detail == sq->regions[i].detail &&
              st->regions[i].state == sq->regions[i].state);
  vms_snapshot_unref(st);
  vms_snapshot_unref(sq);

  vms_space_clear(&text);
  vms_space_clear(&query);
  child_end(&c);
  const char *names[] = {"plain", "with space", "new\nline"};
  for (int k = 0; k < 3; k++) {
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, names[k]);
    unlink(p);
  }
  rmdir(dir);
}

static char *touched;

/* 8 MiB of anonymous memory with 5 MiB written, a file read in part. */
static void resident_child(int cmd, int ack, const char *arg) {
  (void)arg;
  touched = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (touched == MAP_FAILED)
    _exit(1);
  madvise(touched, 8 << 20, MADV_NOHUGEPAGE);
  memset(touched, 1, 5 << 20);
  char c = 'k';
  if (write(ack, &c, 1) != 1)
    _exit(1);
  while (read(cmd, &c, 1) == 1) {
    if (c == 'w')
      memset(touched + (5 << 20), 2, 1 << 20); /* one more MiB */
    if (write(ack, &c, 1) != 1)
      _exit(1);
  }
  _exit(0);
}

static size_t find_start(const VmsSpace *sp, uint64_t start) {
  for (size_t i = 0; i < sp->n_regions; i++)
    if (sp->regions[i].start == start)
      return i;
  return SIZE_MAX;
}

/* Per region, the page scan and the entries give smaps's Rss and Swap. */
static void test_residency_matches_smaps(void) {
  Child c;
  VMS_CHECK(child_start(&c, resident_child, NULL));
  VmsSpace smaps, scan, entries;
  vms_space_init(&smaps);
  vms_space_init(&scan);
  vms_space_init(&entries);
  VMS_CHECK_U64(read_space(c.pid, VMS_READ_REGIONS | VMS_READ_COUNTERS, &smaps), VMS_OK);
  VMS_CHECK_U64(read_space(c.pid, VMS_READ_REGIONS | VMS_READ_RESIDENCY, &scan), VMS_OK);
  VMS_CHECK_U64(
      read_space(c.pid, VMS_READ_REGIONS | VMS_READ_RESIDENCY | VMS_READ_PAGEMAP_ENTRIES, &entries),
      VMS_OK);
  VMS_CHECK(scan.fields & VMS_FIELD_RESIDENCY);
  VMS_CHECK(scan.fields & VMS_FIELD_PAGEMAP_SCAN);
  VMS_CHECK(!(entries.fields & VMS_FIELD_PAGEMAP_SCAN));
  VMS_CHECK_MSG(scan.note[0] == '\0', "note: %s", scan.note);
  size_t compared = 0;
  for (size_t i = 0; i < smaps.n_regions; i++) {
    const VmsRegion *r = &smaps.regions[i];
    if (r->start >= (1ULL << 63))
      continue; /* [vsyscall]: above what pagemap covers */
    size_t j = find_start(&scan, r->start), k = find_start(&entries, r->start);
    VMS_CHECK(j != SIZE_MAX && k != SIZE_MAX);
    if (j == SIZE_MAX || k == SIZE_MAX)
      continue;
    const VmsCounters *a = &smaps.counters[i], *b = &scan.counters[j], *e = &entries.counters[k];
    VMS_CHECK((b->mask & (VMS_CTR_RSS | VMS_CTR_SWAP | VMS_CTR_HUGE)) ==
              (VMS_CTR_RSS | VMS_CTR_SWAP | VMS_CTR_HUGE));
    /* Entries leave regions above 16 GiB unread (a sanitizer's shadow). */
    const bool huge_region = r->end - r->start > (16ULL << 30);
    VMS_CHECK(huge_region ||
              (e->mask & (VMS_CTR_RSS | VMS_CTR_SWAP)) == (VMS_CTR_RSS | VMS_CTR_SWAP));
    VMS_CHECK(!(e->mask & VMS_CTR_HUGE)); /* entries cannot tell */
    VMS_CHECK(!(b->mask & VMS_CTR_PSS));  /* smaps alone has PSS */
    VMS_CHECK_MSG(a->rss == b->rss && a->swap == b->swap,
                  "%" PRIx64 ": smaps rss %" PRIu64 " swap %" PRIu64 ", scan %" PRIu64 " %" PRIu64,
                  r->start, a->rss, a->swap, b->rss, b->swap);
    VMS_CHECK_MSG(huge_region || a->rss == e->rss,
                  "%" PRIx64 ": smaps rss %" PRIu64 ", entries %" PRIu64, r->start, a->rss, e->rss);
    compared++;
  }
  VMS_CHECK(compared > 5);
  /* The 8 MiB region: 5 MiB, and after one more written, 6. */
  size_t big = SIZE_MAX;
  for (size_t i = 0; i < scan.n_regions; i++)
    if (scan.regions[i].end - scan.regions[i].start == 8 << 20)
      big = i;
  VMS_CHECK(big != SIZE_MAX);
  if (big != SIZE_MAX)
    VMS_CHECK_U64(scan.counters[big].rss, 5 << 20);
  child_say(&c, 'w');
  VMS_CHECK_U64(read_space(c.pid, VMS_READ_REGIONS | VMS_READ_RESIDENCY, &scan), VMS_OK);
  if (big != SIZE_MAX && big < scan.n_regions)
    VMS_CHECK_U64(scan.counters[big].rss, 6 << 20);
  /* A scan whose answer buffer fills up on every call counts each page
   * once, as one with room for every run does. */
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/pagemap", (int)c.pid);
  int pfd = open(path, O_RDONLY);
  VMS_CHECK(pfd >= 0);
  VMS_CHECK_U64(read_space(c.pid, VMS_READ_REGIONS, &entries), VMS_OK);
  uint64_t hi = entries.regions[entries.n_regions - 2].end; /* below [vsyscall] */
  static VmsPageRegion vec[4096];
  uint64_t *covered = calloc(entries.n_regions, sizeof *covered);
  uint64_t *wide = calloc(entries.n_regions, sizeof *wide);
  uint32_t mask;
  size_t uncovered;
  VMS_CHECK_U64(vms_space_reserve_counters(&entries, entries.n_regions), VMS_OK);
  VMS_CHECK_U64(vms_pagemap_scan(pfd, &entries, hi, false, vec, 4096, covered, &mask, &uncovered),
                0);
  for (size_t i = 0; i < entries.n_regions; i++)
    wide[i] = entries.counters[i].rss;
  VMS_CHECK_U64(vms_pagemap_scan(pfd, &entries, hi, false, vec, 2, covered, &mask, &uncovered), 0);
  VMS_CHECK_U64(uncovered, 0);
  for (size_t i = 0; i < entries.n_regions; i++)
    if (entries.regions[i].end <= hi)
      VMS_CHECK_U64(entries.counters[i].rss, wide[i]);
  free(covered);
  free(wide);
  close(pfd);
  /* With smaps too, smaps keeps rss and swap and the scan adds huge pages. */
  VMS_CHECK_U64(
      read_space(c.pid, VMS_READ_REGIONS | VMS_READ_COUNTERS | VMS_READ_RESIDENCY, &smaps), VMS_OK);
  VMS_CHECK(smaps.counters[0].mask & VMS_CTR_PSS);
  VMS_CHECK(smaps.counters[0].mask & VMS_CTR_HUGE);
  vms_space_clear(&smaps);
  vms_space_clear(&scan);
  vms_space_clear(&entries);
  child_end(&c);
}

/* The scan changes nothing: every page's pagemap flags (soft-dirty, written,
 * exclusive) and the memory are as before. */
static void test_scan_changes_nothing(void) {
  Child c;
  VMS_CHECK(child_start(&c, resident_child, NULL));
  VmsSpace sp;
  vms_space_init(&sp);
  VMS_CHECK_U64(read_space(c.pid, VMS_READ_REGIONS, &sp), VMS_OK);
  size_t big = SIZE_MAX;
  for (size_t i = 0; i < sp.n_regions; i++)
    if (sp.regions[i].end - sp.regions[i].start == 8 << 20)
      big = i;
  VMS_CHECK(big != SIZE_MAX);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/pagemap", (int)c.pid);
  int fd = open(path, O_RDONLY);
  VMS_CHECK(fd >= 0);
  static uint64_t before[2048], after[2048];
  off_t at = big != SIZE_MAX ? (off_t)(sp.regions[big].start / PAGE * 8) : 0;
  VMS_CHECK(pread(fd, before, sizeof before, at) == (ssize_t)sizeof before);
  for (int k = 0; k < 3; k++)
    VMS_CHECK_U64(read_space(c.pid, VMS_READ_REGIONS | VMS_READ_RESIDENCY, &sp), VMS_OK);
  VMS_CHECK(pread(fd, after, sizeof after, at) == (ssize_t)sizeof after);
  size_t differ = 0;
  for (size_t i = 0; i < 2048; i++)
    differ += (before[i] >> 55) != (after[i] >> 55);
  VMS_CHECK_U64(differ, 0);
  close(fd);
  vms_space_clear(&sp);
  child_end(&c);
}

/* What a kernel without the ioctls answers, for real: ENOTTY from a file
 * that has none; the target falls back and the regions stay whole. */
static void test_without_ioctls(void) {
  int fd = open("/proc/self/status", O_RDONLY);
  VmsQueryCache qc;
  vms_query_cache_init(&qc);
  VmsSpace sp;
  vms_space_init(&sp);
  VMS_CHECK_U64(vms_query_walk(fd, &qc, &sp), ENOTTY);
  VmsPageRegion vec[16];
  uint64_t covered[1];
  uint32_t mask = 0;
  size_t uncovered = 0;
  vms_space_reset(&sp);
  VmsRegion *r = vms_space_add_region(&sp);
  r->start = 0x10000;
  r->end = 0x20000;
  VMS_CHECK_U64(vms_space_reserve_counters(&sp, 1), VMS_OK);
  VMS_CHECK_U64(vms_pagemap_scan(fd, &sp, 0x20000, false, vec, 16, covered, &mask, &uncovered),
                ENOTTY);
  VMS_CHECK_U64(mask, 0);
  close(fd);
  vms_query_cache_clear(&qc);

  /* Both fallbacks forced: the same regions, counters from the entries. */
  Child c;
  VMS_CHECK(child_start(&c, resident_child, NULL));
  VmsSpace a, b;
  vms_space_init(&a);
  vms_space_init(&b);
  VMS_CHECK_U64(read_space(c.pid, VMS_READ_REGIONS | VMS_READ_RESIDENCY | VMS_READ_MAPS_QUERY, &a),
                VMS_OK);
  VMS_CHECK(a.fields & VMS_FIELD_MAPS_QUERY);
  setenv("VMSCOPE_MAPS", "text", 1);
  setenv("VMSCOPE_PAGEMAP", "entries", 1);
  VMS_CHECK_U64(read_space(c.pid, VMS_READ_REGIONS | VMS_READ_RESIDENCY, &b), VMS_OK);
  unsetenv("VMSCOPE_MAPS");
  unsetenv("VMSCOPE_PAGEMAP");
  VMS_CHECK(!(b.fields & (VMS_FIELD_MAPS_QUERY | VMS_FIELD_PAGEMAP_SCAN)));
  VMS_CHECK(b.fields & VMS_FIELD_RESIDENCY);
  check_same_regions(&a, &b, "ioctls against both fallbacks");
  for (size_t i = 0; i < a.n_regions && i < b.n_regions; i++)
    if (b.counters[i].mask & VMS_CTR_RSS)
      VMS_CHECK_U64(a.counters[i].rss, b.counters[i].rss);
  vms_space_clear(&a);
  vms_space_clear(&b);
  vms_space_clear(&sp);
  child_end(&c);
}

/* A pagemap that cannot be opened: in a mount namespace of its own, the
 * target's pagemap is covered by that of a process nobody here may read
 * (PID 1 outside a container this runs in, else a process of another
 * user's made non-dumpable). Regions stay whole; counters are not read and
 * the note says why. */
static void test_pagemap_refused(void) {
  char cover[64];
  snprintf(cover, sizeof cover, "/proc/1/pagemap");
  int probe = open(cover, O_RDONLY);
  if (probe >= 0) {
    close(probe);
    printf("pagemap refused: skipped, /proc/1/pagemap opens here, nothing to cover it with\n");
    return;
  }
  Child c;
  VMS_CHECK(child_start(&c, resident_child, NULL));
  pid_t reader = fork();
  if (reader == 0) {
    char target[64];
    snprintf(target, sizeof target, "/proc/%d/pagemap", (int)c.pid);
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount(cover, target, NULL, MS_BIND, NULL) != 0)
      _exit(77);
    VmsSpace sp;
    vms_space_init(&sp);
    if (read_space(c.pid, VMS_READ_REGIONS | VMS_READ_RESIDENCY, &sp) != VMS_OK)
      _exit(1);
    bool any_read = false;
    for (size_t i = 0; i < sp.n_regions; i++)
      any_read |= (sp.counters[i].mask & VMS_CTR_RSS) != 0;
    printf("pagemap refused: note \"%s\"\n", sp.note);
    bool ok = sp.n_regions > 5 && !any_read && (sp.fields & VMS_FIELD_RESIDENCY) &&
              strstr(sp.note, "resident pages not read: ") && strstr(sp.note, "cannot be read");
    fflush(stdout);
    _exit(ok ? 0 : 2);
  }
  int st;
  waitpid(reader, &st, 0);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
    printf("pagemap refused: skipped, no mount namespace here (needs root)\n");
  else
    VMS_CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "reader status %d", st);
  child_end(&c);
}

static void many_child(int cmd, int ack, const char *arg) {
  long n = strtol(arg, NULL, 10);
  char *p =
      mmap(NULL, (size_t)n * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  for (long i = 1; i < n; i += 2)
    mprotect(p + i * PAGE, PAGE, PROT_READ | PROT_WRITE);
  char c = 'k';
  if (write(ack, &c, 1) != 1)
    _exit(1);
  while (read(cmd, &c, 1) == 1)
    if (c == 'x')
      _exit(0);
  _exit(0);
}

typedef struct {
  Child *c;
  useconds_t delay;
} Killer;

static void *kill_later(void *arg) {
  Killer *k = arg;
  usleep(k->delay);
  kill(k->c->pid, SIGKILL);
  return NULL;
}

/* A process that exits mid-walk: the address space is gone under the ioctl
 * (ESRCH), and a whole read says the process exited, never a short list. */
static void test_exit_mid_walk(void) {
  Child c;
  VMS_CHECK(child_start(&c, many_child, "20000"));
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/maps", (int)c.pid);
  int fd = open(path, O_RDONLY);
  VMS_CHECK(fd >= 0);
  child_end(&c); /* killed and reaped: the mm is gone, the open file is not */
  VmsQueryCache qc;
  vms_query_cache_init(&qc);
  VmsSpace sp;
  vms_space_init(&sp);
  VMS_CHECK_U64(vms_query_walk(fd, &qc, &sp), ESRCH);
  close(fd);
  vms_query_cache_clear(&qc);

  int gone = 0, whole = 0;
  for (int round = 0; round < 12; round++) {
    VMS_CHECK(child_start(&c, many_child, "20000"));
    VmsTarget *t;
    VmsError err = {0};
    VMS_CHECK_U64(vms_target_open(c.pid, &t, &err), VMS_OK);
    VMS_CHECK_U64(vms_target_read(t, VMS_READ_REGIONS, &sp, &err), VMS_OK);
    const size_t full = sp.n_regions;
    Killer k = {&c, (useconds_t)(round * 2500)};
    pthread_t th;
    pthread_create(&th, NULL, kill_later, &k);
    unsigned what = VMS_READ_REGIONS | (round % 2 ? VMS_READ_RESIDENCY : 0) |
                    (round % 3 == 2 ? VMS_READ_MAPS_TEXT : 0);
    VmsErrorCode code = vms_target_read(t, what, &sp, &err);
    pthread_join(th, NULL);
    if (code == VMS_OK) {
      VMS_CHECK_U64(sp.n_regions, full);
      whole++;
    } else {
      VMS_CHECK_U64(code, VMS_ERR_GONE);
      gone++;
    }
    vms_target_close(t);
    child_end(&c);
  }
  printf("exit mid-walk: %d reads whole, %d said the process exited\n", whole, gone);
  vms_space_clear(&sp);
}

/* At a fixed address the child switches between two shapes: 64 pages all
 * written, and 32 pages never touched, holding each for a few ms. A region
 * whose counters are read has the pages of its own shape; one that changed
 * between the walk and the scan is marked not read. */
static char *flip_at;

static void flip_child(int cmd, int ack, const char *arg) {
  (void)arg;
  flip_at = mmap(NULL, 128 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(flip_at, 128 * PAGE);
  char c = 'k';
  if (write(ack, &c, 1) != 1 || write(ack, &flip_at, sizeof flip_at) != sizeof flip_at)
    _exit(1);
  fcntl(cmd, F_SETFL, O_NONBLOCK);
  for (unsigned i = 0;; i++) {
    size_t pages = i % 2 ? 32 : 64;
    /* Written elsewhere, then moved in whole: the region appears at flip_at
     * with all its pages, never half written. */
    char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      _exit(1);
    if (pages == 64)
      memset(p, 1, pages * PAGE);
    p = mremap(p, pages * PAGE, pages * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, flip_at);
    if (p == MAP_FAILED)
      _exit(1);
    usleep(2000);
    munmap(p, pages * PAGE);
    if (read(cmd, &c, 1) == 0)
      _exit(0);
  }
}

static void test_regions_change_under_scan(void) {
  Child c;
  VMS_CHECK(child_start(&c, flip_child, NULL));
  uint64_t at = 0;
  VMS_CHECK(read(c.ack, &at, sizeof at) == sizeof at);
  VmsTarget *t;
  VmsError err = {0};
  VMS_CHECK_U64(vms_target_open(c.pid, &t, &err), VMS_OK);
  VmsSpace sp;
  vms_space_init(&sp);
  int read_ok = 0, not_read = 0, absent = 0;
  for (int round = 0; round < 400; round++) {
    unsigned what =
        VMS_READ_REGIONS | VMS_READ_RESIDENCY | (round % 4 == 3 ? VMS_READ_MAPS_TEXT : 0);
    VMS_CHECK_U64(vms_target_read(t, what, &sp, &err), VMS_OK);
    size_t i = find_start(&sp, at);
    if (i == SIZE_MAX) {
      absent++;
      continue;
    }
    const VmsRegion *r = &sp.regions[i];
    const VmsCounters *k = &sp.counters[i];
    if (!(k->mask & VMS_CTR_RSS)) {
      not_read++;
      VMS_CHECK(strstr(sp.note, "changed while the pages were read") != NULL);
      continue;
    }
    read_ok++;
    uint64_t size = r->end - r->start;
    VMS_CHECK_MSG((size == 64 * PAGE && k->rss == 64 * PAGE) || (size == 32 * PAGE && k->rss == 0),
                  "a %" PRIu64 "-byte region with %" PRIu64 " resident", size, k->rss);
  }
  printf("regions changing under the scan: %d read, %d marked not read, %d between shapes\n",
         read_ok, not_read, absent);
  VMS_CHECK(read_ok > 0);
  vms_space_clear(&sp);
  vms_target_close(t);
  child_end(&c);
}

int main(void) {
  test_paths_agree();
  test_residency_matches_smaps();
  test_scan_changes_nothing();
  test_without_ioctls();
  test_pagemap_refused();
  test_exit_mid_walk();
  test_regions_change_under_scan();
  return vms_test_end();
}
