/* SPDX-License-Identifier: GPL-3.0-or-later */
/* render-snapshot.h: known snapshots built in memory for the layout, render and export tests.
 *
 * The renderer reads only a snapshot's public fields, so these tests build
 * the region array themselves (gap-filled with Free, as vms_snapshot_build
 * does) and know exactly which pixel each region must land on. */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "vms-snapshot.h"

typedef struct {
  uint64_t start, end;
  VmsRegionType type;
  VmsRegionState state;
} TestRegion;

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define TiB (1ull << 40)

static inline void test_snap_stats(VmsSnapshot *s) {
  memset(&s->stats, 0, sizeof s->stats);
  s->stats.lo = s->usable_lo;
  s->stats.hi = s->usable_hi;
  for (size_t i = 0; i < s->n_regions; i++) {
    const VmsRegion *r = &s->regions[i];
    uint64_t sz = r->end - r->start;
    VmsTypeStats *t = &s->stats.by_type[r->type];
    t->size += sz;
    t->blocks++;
    if (r->state == VMS_STATE_COMMITTED)
      t->committed += sz;
    if (sz > t->largest)
      t->largest = sz;
    if (r->type == VMS_TYPE_FREE) {
      s->stats.free_total += sz;
      s->stats.free_blocks++;
      if (sz > s->stats.free_largest) {
        s->stats.free_largest = sz;
        s->stats.free_largest_start = r->start;
      }
    } else if (r->type != VMS_TYPE_UNUSABLE) {
      s->stats.total.size += sz;
      s->stats.vma_count++;
      if (r->state == VMS_STATE_COMMITTED)
        s->stats.total.committed += sz;
    }
  }
}

/* A snapshot of [lo, hi) holding rs (sorted, non-overlapping), with Free
 * filling every gap. Free with test_snap_free. */
static inline VmsSnapshot *test_snap_new(const TestRegion *rs, size_t n, uint64_t lo, uint64_t hi,
                                         int bits) {
  VmsSnapshot *s = calloc(1, sizeof *s);
  VmsRegion *v = calloc(2 * n + 1, sizeof *v);
  size_t k = 0;
  uint64_t at = lo;
  for (size_t i = 0; i <= n; i++) {
    uint64_t next = i < n ? rs[i].start : hi;
    if (next > at)
      v[k++] =
          (VmsRegion){.start = at, .end = next, .type = VMS_TYPE_FREE, .state = VMS_STATE_FREE};
    if (i < n) {
      v[k++] = (VmsRegion){.start = rs[i].start,
                           .end = rs[i].end,
                           .type = (uint8_t)rs[i].type,
                           .state = (uint8_t)rs[i].state,
                           .prot = VMS_PROT_READ};
      at = rs[i].end;
    }
  }
  s->pid = 4242;
  strcpy(s->name, "known-layout");
  s->bits = bits;
  s->usable_lo = lo;
  s->usable_hi = hi;
  s->page_size = 4096;
  s->alloc_granularity = 4096;
  s->taken_at = 1764120000.0; /* 2025-11-26 01:20:00 UTC */
  s->regions = v;
  s->n_regions = k;
  test_snap_stats(s);
  return s;
}

static inline void test_snap_free(VmsSnapshot *s) {
  if (!s)
    return;
  free((void *)s->regions);
  free(s);
}

#define C_ (VMS_STATE_COMMITTED)
#define R_ (VMS_STATE_RESERVED)
