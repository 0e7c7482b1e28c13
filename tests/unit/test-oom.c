/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-oom.c: every allocation the core makes may fail; the caller then gets VMS_ERR_NOMEM, and
 * nothing leaks.
 *
 * Linked with -Wl,--wrap for malloc, calloc, realloc, strdup and free, so
 * that every call from vmscope's own code (the static libraries and this
 * file, not libc's insides) goes through the wrappers below. For N = 1, 2,
 * ... the Nth allocation of one call is refused; the call must then answer
 * VMS_ERR_NOMEM (or, where an allocation only trims, the same result as
 * without the failure), and the blocks handed out and freed must balance
 * once its results are released. Run it in the ASan build as well: LSan
 * then checks the balance independently.
 *
 * Usage: test-oom DATA-DIR [--live]; --live adds the process list and reads
 * of this process (the live suite). */
#include <unistd.h>

#include "vms-classify.h"
#include "vms-test-data.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
void __wrap_free(void *p);

static long fail_at; /* the allocation (counted from arming) to refuse; 0: none */
static long calls;   /* allocations since arming */
static bool refused; /* one was refused since arming */
static long live;    /* blocks handed out by the wrappers and not yet freed */

static bool refuse(void) {
  if (!fail_at)
    return false;
  if (++calls != fail_at)
    return false;
  refused = true;
  return true;
}

void *__wrap_malloc(size_t n) {
  if (refuse())
    return NULL;
  void *p = __real_malloc(n);
  if (p)
    live++;
  return p;
}

void *__wrap_calloc(size_t n, size_t size) {
  if (refuse())
    return NULL;
  void *p = __real_calloc(n, size);
  if (p)
    live++;
  return p;
}

void *__wrap_realloc(void *old, size_t n) {
  if (refuse())
    return NULL;
  void *p = __real_realloc(old, n);
  if (p && !old)
    live++;
  return p;
}

char *__wrap_strdup(const char *s) {
  if (refuse())
    return NULL;
  char *p = __real_strdup(s);
  if (p)
    live++;
  return p;
}

void __wrap_free(void *p) {
  if (p)
    live--;
  __real_free(p);
}

static void arm(long n) {
  fail_at = n;
  calls = 0;
  refused = false;
}

static void disarm(void) {
  fail_at = 0;
}

enum { MAX_STEPS = 200000 };

/* The parsers: a refused allocation is NOMEM, never a malformed line. */
static void parse_under_oom(const char *what, const char *text, size_t len, int kind) {
  long step = 1;
  for (; step < MAX_STEPS; step++) {
    long before = live;
    VmsSpace sp;
    vms_space_init(&sp);
    VmsError err = {0};
    arm(step);
    VmsErrorCode rc = kind == 0   ? vms_maps_parse(text, len, &sp, &err)
                      : kind == 1 ? vms_smaps_parse(text, len, &sp, &err)
                                  : vms_smaps_rollup_parse(text, len, &sp, &err);
    disarm();
    bool was_refused = refused;
    if (was_refused)
      VMS_CHECK_MSG(rc == VMS_ERR_NOMEM, "%s: allocation %ld refused: %s (%s)", what, step,
                    vms_error_code_name(rc), err.message);
    else
      VMS_CHECK_U64(rc, VMS_OK);
    vms_space_clear(&sp);
    VMS_CHECK_MSG(live == before, "%s: allocation %ld refused: %ld blocks leaked", what, step,
                  live - before);
    if (!was_refused)
      break;
  }
  VMS_CHECK_MSG(step < MAX_STEPS, "%s: %ld steps", what, step);
}

/* ---- spaces to classify ---- */

static VmsRegion *add(VmsSpace *sp, uint64_t a, uint64_t b, uint16_t prot, uint16_t os,
                      uint64_t base) {
  VmsRegion *r = vms_space_add_region(sp);
  r->start = a;
  r->end = b;
  r->prot = prot;
  r->os = os;
  r->alloc_base = base;
  return r;
}

/* A Windows walk with a thread stack, a heap and a WoW64 thread's two
 * stacks under one thread ID (counted once). */
static void windows_space(VmsSpace *sp) {
  vms_space_init(sp);
  sp->bits = 64;
  sp->page_size = 4096;
  sp->alloc_granularity = 65536;
  sp->usable_lo = 0x10000;
  sp->usable_hi = 0x7ffffffeffffULL + 1;
  sp->fields = VMS_FIELD_OS_TYPE | VMS_FIELD_THREADS | VMS_FIELD_HEAPS;
  const uint16_t rw = VMS_PROT_READ | VMS_PROT_WRITE;
  add(sp, 0x100000, 0x1f0000, 0, VMS_OS_MEM_PRIVATE | VMS_OS_MEM_RESERVE, 0x100000);
  add(sp, 0x1f0000, 0x1f3000, rw | VMS_PROT_GUARD, VMS_OS_MEM_PRIVATE | VMS_OS_MEM_COMMIT,
      0x100000);
  add(sp, 0x1f3000, 0x200000, rw, VMS_OS_MEM_PRIVATE | VMS_OS_MEM_COMMIT, 0x100000);
  add(sp, 0x200000, 0x300000, 0, VMS_OS_MEM_FREE, 0);
  add(sp, 0x300000, 0x310000, rw, VMS_OS_MEM_PRIVATE | VMS_OS_MEM_COMMIT, 0x300000);
  add(sp, 0x310000, 0x400000, 0, VMS_OS_MEM_PRIVATE | VMS_OS_MEM_RESERVE, 0x300000);
  add(sp, 0x400000, 0x410000, rw, VMS_OS_MEM_PRIVATE | VMS_OS_MEM_COMMIT, 0x400000);
  VmsRegion *r =
      add(sp, 0x410000, 0x411000, VMS_PROT_READ, VMS_OS_MEM_MAPPED | VMS_OS_MEM_COMMIT, 0x410000);
  r->name = vms_name_pool_add(&sp->names, "C:\\data.bin", 11);
  add(sp, 0x140000000ULL, 0x140001000ULL, VMS_PROT_READ, VMS_OS_MEM_IMAGE | VMS_OS_MEM_COMMIT,
      0x140000000ULL);
  VmsThread main_thread = {.tid = 7, .range_known = true, .stack = {0x1f3000, 0x200000}};
  VmsThread wow64_half = {.tid = 9, .range_known = true, .stack = {0x400000, 0x410000}};
  VmsThread wow64_other = {.tid = 9, .range_known = false};
  vms_space_add_thread(sp, &main_thread);
  vms_space_add_thread(sp, &wow64_half);
  vms_space_add_thread(sp, &wow64_other);
  vms_space_add_heap(sp, 0x2f0000, 0x310000);
}

/* A captured maps (or smaps) fixture, parsed with nothing refused. */
static void fixture_space(VmsSpace *sp, const char *text, size_t len, bool smaps) {
  vms_space_init(sp);
  VmsError err = {0};
  VmsErrorCode rc =
      smaps ? vms_smaps_parse(text, len, sp, &err) : vms_maps_parse(text, len, sp, &err);
  if (rc != VMS_OK) {
    fprintf(stderr, "fixture: %s\n", err.message);
    exit(1);
  }
}

typedef struct {
  const char *text;
  size_t len;
  bool smaps; /* text: NULL builds windows_space */
} SpaceSource;

static void make_space(const SpaceSource *src, VmsSpace *sp) {
  if (src->text)
    fixture_space(sp, src->text, src->len, src->smaps);
  else
    windows_space(sp);
}

static bool same_regions(const VmsRegion *a, size_t na, const VmsRegion *b, size_t nb) {
  return na == nb && memcmp(a, b, na * sizeof *a) == 0;
}

/* vms_classify has no allocation it could do without: any refusal is NOMEM. */
static void classify_under_oom(const char *what, const SpaceSource *src) {
  VmsSpace sp;
  make_space(src, &sp);
  VmsRegion *want;
  VmsCounters *want_ctr;
  size_t want_n, want_stacks;
  VMS_CHECK_U64(vms_classify(&sp, &want, &want_ctr, &want_n, &want_stacks, NULL), VMS_OK);
  vms_space_clear(&sp);

  long step = 1;
  for (; step < MAX_STEPS; step++) {
    long before = live;
    make_space(src, &sp);
    VmsRegion *got = NULL;
    VmsCounters *ctr = NULL;
    size_t n = 0, stacks = 0;
    VmsError err = {0};
    arm(step);
    VmsErrorCode rc = vms_classify(&sp, &got, &ctr, &n, &stacks, &err);
    disarm();
    bool was_refused = refused;
    if (was_refused) {
      VMS_CHECK_MSG(rc == VMS_ERR_NOMEM, "%s: allocation %ld refused: %s (%s)", what, step,
                    vms_error_code_name(rc), err.message);
      VMS_CHECK_MSG(err.message[0], "%s: allocation %ld refused: no message", what, step);
    } else {
      VMS_CHECK_U64(rc, VMS_OK);
      VMS_CHECK_MSG(same_regions(got, n, want, want_n) && stacks == want_stacks,
                    "%s: result differs", what);
    }
    if (rc == VMS_OK) {
      free(got);
      free(ctr);
    }
    vms_space_clear(&sp);
    VMS_CHECK_MSG(live == before, "%s: allocation %ld refused: %ld blocks leaked", what, step,
                  live - before);
    if (!was_refused)
      break;
  }
  VMS_CHECK_MSG(step > 1 && step < MAX_STEPS, "%s: %ld steps", what, step);
  free(want);
  free(want_ctr);
}

/* vms_snapshot_build may lose only the trimming of the name pool's slack:
 * any other refusal is NOMEM, and what it does build is what it builds
 * without a refusal. */
static void snapshot_under_oom(const char *what, const SpaceSource *src) {
  VmsSpace sp;
  make_space(src, &sp);
  VmsSnapshot *want = NULL;
  VMS_CHECK_U64(vms_snapshot_build(&sp, &want, NULL), VMS_OK);
  vms_space_clear(&sp);
  if (!want)
    return;

  long step = 1;
  for (; step < MAX_STEPS; step++) {
    long before = live;
    make_space(src, &sp);
    VmsSnapshot *got = NULL;
    VmsError err = {0};
    arm(step);
    VmsErrorCode rc = vms_snapshot_build(&sp, &got, &err);
    disarm();
    bool was_refused = refused;
    VMS_CHECK_MSG(rc == VMS_OK || rc == VMS_ERR_NOMEM, "%s: allocation %ld refused: %s (%s)", what,
                  step, vms_error_code_name(rc), err.message);
    if (rc == VMS_OK) {
      VMS_CHECK_MSG(
          same_regions(got->regions, got->n_regions, want->regions, want->n_regions) &&
              got->n_threads == want->n_threads && got->n_stacks_found == want->n_stacks_found,
          "%s: allocation %ld refused: the snapshot differs from one built without a refusal", what,
          step);
      vms_snapshot_unref(got);
    } else {
      VMS_CHECK(got == NULL);
    }
    vms_space_clear(&sp);
    VMS_CHECK_MSG(live == before, "%s: allocation %ld refused: %ld blocks leaked", what, step,
                  live - before);
    if (!was_refused)
      break;
  }
  VMS_CHECK_MSG(step > 1 && step < MAX_STEPS, "%s: %ld steps", what, step);
  vms_snapshot_unref(want);
}

/* ---- the live platform (this process) ---- */

static void process_list_under_oom(void) {
  long step = 1;
  for (; step < MAX_STEPS; step++) {
    long before = live;
    VmsProcInfo *list = NULL;
    size_t n = 0;
    VmsError err = {0};
    arm(step);
    VmsErrorCode rc = vms_process_list(VMS_LIST_COUNT_MAPS, &list, &n, &err);
    disarm();
    bool was_refused = refused;
    if (was_refused) {
      VMS_CHECK_MSG(rc == VMS_ERR_NOMEM, "process list: allocation %ld refused: %s, %zu processes",
                    step, vms_error_code_name(rc), n);
      VMS_CHECK(list == NULL && n == 0);
    } else {
      VMS_CHECK_U64(rc, VMS_OK);
      VMS_CHECK(n > 0);
    }
    vms_process_list_free(list, n);
    VMS_CHECK_MSG(live == before, "process list: allocation %ld refused: %ld blocks leaked", step,
                  live - before);
    if (!was_refused)
      break;
  }
  VMS_CHECK_MSG(step > 1 && step < MAX_STEPS, "process list: %ld steps", step);
}

static void target_read_under_oom(unsigned what, const char *name) {
  long step = 1;
  for (; step < MAX_STEPS; step++) {
    long before = live;
    VmsSpace sp;
    vms_space_init(&sp);
    VmsTarget *t = NULL;
    VmsError err = {0};
    arm(step);
    VmsErrorCode rc = vms_target_open((int)getpid(), &t, &err);
    if (rc == VMS_OK)
      rc = vms_target_read(t, what, &sp, &err);
    disarm();
    bool was_refused = refused;
    if (was_refused)
      VMS_CHECK_MSG(rc == VMS_ERR_NOMEM, "%s: allocation %ld refused: %s (%s)", name, step,
                    vms_error_code_name(rc), err.message);
    else
      VMS_CHECK_MSG(rc == VMS_OK, "%s: %s", name, err.message);
    if (rc == VMS_OK) {
      VMS_CHECK(sp.n_regions > 0);
      VMS_CHECK_MSG(sp.fields & VMS_FIELD_ROLLUP, "%s: no rollup", name);
      VMS_CHECK_MSG(sp.rollup.rss > 0, "%s: rollup rss 0", name);
    }
    vms_target_close(t);
    vms_space_clear(&sp);
    VMS_CHECK_MSG(live == before, "%s: allocation %ld refused: %ld blocks leaked", name, step,
                  live - before);
    if (!was_refused)
      break;
  }
  VMS_CHECK_MSG(step > 1 && step < MAX_STEPS, "%s: %ld steps", name, step);
}

int main(int argc, char **argv) {
  if (argc > 1)
    vms_test_data_dir = argv[1];
  size_t maps_len, smaps_len;
  char *maps = vms_test_read("python-fragmenting.maps", &maps_len);
  char *smaps = vms_test_read("python-fragmenting.smaps", &smaps_len);

  parse_under_oom("parse maps", maps, maps_len, 0);
  parse_under_oom("parse smaps", smaps, smaps_len, 1);
  const char *rollup = "55d0-7ffe ---p 00000000 00:00 0 [rollup]\nRss: 100 kB\nPss: 50 kB\n";
  parse_under_oom("parse smaps_rollup", rollup, strlen(rollup), 2);

  const SpaceSource windows = {NULL, 0, false};
  const SpaceSource linux_maps = {maps, maps_len, false};
  const SpaceSource linux_smaps = {smaps, smaps_len, true};
  classify_under_oom("classify windows", &windows);
  classify_under_oom("classify maps", &linux_maps);
  classify_under_oom("classify smaps", &linux_smaps);
  snapshot_under_oom("snapshot windows", &windows);
  snapshot_under_oom("snapshot maps", &linux_maps);

  /* With --live (the live suite): the platform on this very process. */
  if (argc > 2 && strcmp(argv[2], "--live") == 0) {
    process_list_under_oom();
    target_read_under_oom(VMS_READ_THREADS | VMS_READ_ROLLUP, "read maps, threads and rollup");
    target_read_under_oom(VMS_READ_COUNTERS | VMS_READ_THREADS, "read smaps and threads");
  }

  free(maps);
  free(smaps);
  return vms_test_end();
}
