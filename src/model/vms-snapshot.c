/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-snapshot.c: building, sharing and querying immutable snapshots. */
#include "vms-classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_tid(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* A WoW64 thread has two stacks (32- and 64-bit) under one thread ID: the
 * platform reports both, and threads are counted once. SIZE_MAX when out of
 * memory. */
static size_t distinct_threads(const VmsSpace *space) {
  if (space->n_threads < 2)
    return space->n_threads;
  int *tids = malloc(space->n_threads * sizeof *tids);
  if (!tids)
    return SIZE_MAX;
  for (size_t i = 0; i < space->n_threads; i++)
    tids[i] = space->threads[i].tid;
  qsort(tids, space->n_threads, sizeof *tids, cmp_tid);
  size_t n = 1;
  for (size_t i = 1; i < space->n_threads; i++)
    if (tids[i] != tids[i - 1])
      n++;
  free(tids);
  return n;
}

VmsErrorCode vms_snapshot_build(VmsSpace *space, VmsSnapshot **out, VmsError *err) {
  *out = NULL;
  double t0 = vms_time_monotonic();
  /* Counted before the space is classified and emptied, so that running
   * out of memory leaves it as it was. */
  const size_t n_threads = distinct_threads(space);
  if (n_threads == SIZE_MAX)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  VmsSnapshot *s = calloc(1, sizeof *s);
  if (!s)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  VmsRegion *regions;
  VmsCounters *counters;
  size_t n, stacks;
  VmsErrorCode code = vms_classify(space, &regions, &counters, &n, &stacks, err);
  if (code != VMS_OK) {
    free(s);
    return code;
  }
  s->refcount_ = 1;
  s->pid = space->pid;
  snprintf(s->name, sizeof s->name, "%s", space->name);
  s->bits = space->bits;
  s->start_time = space->start_time;
  s->usable_lo = space->usable_lo > space->mmap_min_addr ? space->usable_lo : space->mmap_min_addr;
  s->usable_hi = space->usable_hi;
  s->page_size = space->page_size;
  s->alloc_granularity = space->alloc_granularity;
  s->fields = space->fields;
  s->stack_setting = space->stack_setting;
  s->large_address_aware = space->large_address_aware;
  s->os_bits = space->os_bits;
  s->taken_at = vms_time_now();
  /* Counters read on request (smaps, a Windows working set) date the
   * snapshot's counters; residency alone (every refresh) does not. */
  bool asked = counters && !(space->fields & VMS_FIELD_RESIDENCY);
  for (size_t i = 0; counters && !asked && i < n; i++)
    asked = (counters[i].mask & VMS_CTR_PSS) != 0;
  s->counters_at = asked ? s->taken_at : 0;
  snprintf(s->note, sizeof s->note, "%s", space->note);
  s->residency_seconds = (space->fields & VMS_FIELD_RESIDENCY) ? space->residency_seconds : 0;
  s->regions = regions;
  s->n_regions = n;
  s->counters = counters;
  s->rollup = space->rollup;
  /* The names move into the snapshot; the space starts a new pool. */
  s->names = space->names;
  vms_name_pool_init(&space->names);
  vms_name_pool_seal(&s->names);
  s->n_threads = n_threads;
  s->n_stacks_found = stacks;
  const uint64_t max_map_count = space->max_map_count;
  /* Empty but reusable, as promised: its region names now live in the
   * snapshot's pool. */
  vms_space_reset(space);

  s->stats.max_map_count = max_map_count;
  vms_stats_compute(s, s->usable_lo, s->usable_hi, &s->stats);
  s->read_seconds = vms_time_monotonic() - t0;
  *out = s;
  return VMS_OK;
}

VmsSnapshot *vms_snapshot_new(void) {
  VmsSnapshot *s = calloc(1, sizeof *s);
  if (s)
    s->refcount_ = 1;
  return s;
}

VmsSnapshot *vms_snapshot_ref(VmsSnapshot *snap) {
  if (snap)
    __atomic_add_fetch(&snap->refcount_, 1, __ATOMIC_RELAXED);
  return snap;
}

void vms_snapshot_unref(VmsSnapshot *snap) {
  if (!snap || __atomic_sub_fetch(&snap->refcount_, 1, __ATOMIC_ACQ_REL) != 0)
    return;
  free((void *)snap->regions);
  free((void *)snap->counters);
  vms_name_pool_clear(&snap->names);
  free(snap);
}

size_t vms_snapshot_lower_bound(const VmsSnapshot *snap, uint64_t addr) {
  return vms_regions_lower_bound(snap->regions, snap->n_regions, addr);
}

int vms_addr_digits(int bits, uint64_t hi) {
  int digits = bits > 32 ? 12 : 8;
  while (digits < 16 && hi && ((hi - 1) >> (4 * digits)) != 0)
    digits++;
  return digits;
}

int vms_snapshot_addr_digits(const VmsSnapshot *snap) {
  /* Sorted and not overlapping: the last region ends highest. */
  return vms_addr_digits(snap->bits, snap->n_regions ? snap->regions[snap->n_regions - 1].end : 0);
}

size_t vms_snapshot_find(const VmsSnapshot *snap, uint64_t addr) {
  size_t i = vms_snapshot_lower_bound(snap, addr);
  if (i < snap->n_regions && snap->regions[i].start <= addr)
    return i;
  return SIZE_MAX;
}

static const char *const type_names[VMS_TYPE_COUNT] = {
    "image", "mapped", "shareable", "heap", "stack", "private", "system", "unusable", "free",
};
static const char *const type_titles[VMS_TYPE_COUNT] = {
    "Image",        "Mapped File", "Shareable", "Heap", "Stack",
    "Private Data", "System",      "Unusable",  "Free",
};

const char *vms_type_name(VmsRegionType type) {
  return (unsigned)type < VMS_TYPE_COUNT ? type_names[type] : "unknown";
}

const char *vms_type_title(VmsRegionType type) {
  return (unsigned)type < VMS_TYPE_COUNT ? type_titles[type] : "Unknown";
}

const char *vms_state_name(VmsRegionState state) {
  switch (state) {
  case VMS_STATE_COMMITTED: return "committed";
  case VMS_STATE_RESERVED: return "reserved";
  case VMS_STATE_FREE: return "free";
  default: return "unknown";
  }
}

void vms_prot_format(uint16_t prot, char out[8]) {
  out[0] = (prot & VMS_PROT_READ) ? 'r' : '-';
  out[1] = (prot & VMS_PROT_WRITE) ? 'w' : (prot & VMS_PROT_COPY) ? 'c' : '-';
  out[2] = (prot & VMS_PROT_EXEC) ? 'x' : '-';
  out[3] = (prot & VMS_PROT_SHARED) ? 's' : 'p';
  int k = 4;
  if (prot & VMS_PROT_GUARD)
    out[k++] = 'g';
  if (prot & VMS_PROT_NOCACHE)
    out[k++] = 'n';
  out[k] = '\0';
}

void vms_region_describe(const VmsSnapshot *snap, const VmsRegion *r, char *buf, size_t len) {
  const char *name = vms_snapshot_name_of(snap, r);
  const char *inferred = (r->detail & VMS_DETAIL_INFERRED) ? " (inferred)" : "";
  if (r->state == VMS_STATE_FREE) {
    if (r->detail & VMS_DETAIL_MIN_ADDR)
      snprintf(buf, len, "%s",
               (snap->fields & VMS_FIELD_OS_TYPE) ? "below the minimum application address"
                                                  : "below vm.mmap_min_addr");
    else if (r->detail & VMS_DETAIL_ALIGN)
      snprintf(buf, len, "below the allocation granularity");
    else if (r->detail & VMS_DETAIL_GUARD)
      snprintf(buf, len, "stack guard gap");
    else
      buf[0] = '\0';
    return;
  }
  const char *named = (r->detail & VMS_DETAIL_NAMED) ? " (named by its allocator)" : "";
  int tid = (r->detail & VMS_DETAIL_THREAD_STACK) ? vms_region_glibc_stack_tid(name) : 0;
  if (r->detail & VMS_DETAIL_ARENA)
    snprintf(buf, len, "glibc malloc arena%s%s%s",
             r->state == VMS_STATE_RESERVED ? " (reserved tail)" : "", inferred, named);
  else if (r->detail & VMS_DETAIL_MAIN_STACK)
    snprintf(buf, len, "main thread stack");
  else if (tid)
    snprintf(buf, len, "thread %d stack%s", tid, named);
  else if ((r->detail & VMS_DETAIL_THREAD_STACK) && vms_region_glibc_unused_stack(name))
    snprintf(buf, len, "unused thread stack, kept by glibc for a next thread%s", named);
  else if ((r->detail & VMS_DETAIL_THREAD_STACK) && (r->detail & VMS_DETAIL_NAMED))
    snprintf(buf, len, "thread stack%s: %s", named, name);
  else if (r->detail & VMS_DETAIL_PYMALLOC)
    snprintf(buf, len, "the shape of a CPython pymalloc arena%s", inferred);
  else if ((r->detail & VMS_DETAIL_NAMED) && *name)
    snprintf(buf, len, "%s%s", name, named);
  else if (r->detail & VMS_DETAIL_THREAD_STACK)
    snprintf(buf, len, "thread stack%s%s%s%s", (r->detail & VMS_DETAIL_GUARD) ? " guard" : "",
             inferred, *name ? ": " : "", name);
  else if (*name)
    snprintf(buf, len, "%s%s", name, (r->os & VMS_OS_DELETED) ? " (deleted)" : "");
  else
    buf[0] = '\0';
}

bool vms_snapshot_has_smaps(const VmsSnapshot *snap) {
  return snap && snap->counters && snap->counters_at > 0;
}
