/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-stats.c: VMMap's summary by type, the fragmentation figures, and the fit query. */
#include "vms-stats.h"

#include "vms-snapshot.h" /* the struct's fields only: nothing here calls vms-snapshot.c */

#include <string.h>

static int log2_floor(uint64_t v) {
  int k = 0;
  while (v >>= 1)
    k++;
  return k;
}

static void end_free_run(VmsStats *st, uint64_t start, uint64_t end) {
  uint64_t size = end - start;
  if (!size)
    return;
  st->free_total += size;
  st->free_blocks++;
  st->free_hist[log2_floor(size)]++;
  if (size > st->free_largest) {
    st->free_largest = size;
    st->free_largest_start = start;
  }
}

void vms_stats_compute(const VmsSnapshot *snap, uint64_t lo, uint64_t hi, VmsStats *st) {
  const uint64_t max_map_count = snap->stats.max_map_count;
  memset(st, 0, sizeof *st);
  st->lo = lo;
  st->hi = hi;
  st->max_map_count = max_map_count;
  /* Counters that were asked for but refused (a working set or pagemap
   * the system would not give) are all unread: resident is then unknown,
   * never 0. */
  for (size_t i = 0; snap->counters && i < snap->n_regions && !st->resident_known; i++)
    st->resident_known = (snap->counters[i].mask & VMS_CTR_RSS) != 0;
  /* Free blocks are maximal runs of free space: pieces that merely touch
   * (a window edge, bookkeeping splits) count as one block. */
  uint64_t run_start = 0, run_end = 0;
  bool in_run = false;
  for (size_t i = vms_regions_lower_bound(snap->regions, snap->n_regions, lo); i < snap->n_regions;
       i++) {
    const VmsRegion *r = &snap->regions[i];
    if (r->start >= hi)
      break;
    uint64_t a = r->start < lo ? lo : r->start;
    uint64_t b = r->end > hi ? hi : r->end;
    uint64_t size = b - a;
    VmsTypeStats *t = &st->by_type[r->type < VMS_TYPE_COUNT ? r->type : VMS_TYPE_PRIVATE];
    t->size += size;
    t->blocks++;
    if (size > t->largest)
      t->largest = size;
    if (r->state == VMS_STATE_COMMITTED) {
      t->committed += size;
      /* Private bytes as VMMap counts them: committed memory no other
       * process can share (anonymous private / MEM_PRIVATE); for file
       * mappings only the pages written since (private dirty), when the
       * counters say. */
      bool file = (r->os & (VMS_OS_FILE | VMS_OS_MEM_MAPPED | VMS_OS_MEM_IMAGE)) != 0;
      if (!file && !(r->prot & VMS_PROT_SHARED) && r->type != VMS_TYPE_SHAREABLE)
        t->private_bytes += size;
      else if (file && snap->counters && !(r->prot & VMS_PROT_SHARED))
        t->private_bytes += snap->counters[i].private_dirty;
    }
    if (snap->counters)
      t->resident += snap->counters[i].rss;
    if (r->state != VMS_STATE_FREE)
      st->vma_count++;

    if (r->type == VMS_TYPE_FREE) {
      if (in_run && run_end == a) {
        run_end = b;
      } else {
        if (in_run)
          end_free_run(st, run_start, run_end);
        in_run = true;
        run_start = a;
        run_end = b;
      }
    } else if (in_run) {
      end_free_run(st, run_start, run_end);
      in_run = false;
    }
  }
  if (in_run)
    end_free_run(st, run_start, run_end);

  for (int k = 0; k < VMS_TYPE_COUNT; k++) {
    if (k == VMS_TYPE_FREE || k == VMS_TYPE_UNUSABLE)
      continue;
    const VmsTypeStats *t = &st->by_type[k];
    st->total.size += t->size;
    st->total.committed += t->committed;
    st->total.private_bytes += t->private_bytes;
    st->total.resident += t->resident;
    st->total.blocks += t->blocks;
    if (t->largest > st->total.largest)
      st->total.largest = t->largest;
  }
  st->fragmentation = st->free_total ? 1.0 - (double)st->free_largest / (double)st->free_total : 0;
}

uint64_t vms_fit_alignment(const VmsSnapshot *snap, uint64_t align) {
  if (align & (align - 1))
    return 0;
  if (align < snap->page_size)
    align = snap->page_size;
  /* Windows places allocations on its granularity, not on pages. */
  if (align < snap->alloc_granularity)
    align = snap->alloc_granularity;
  return align ? align : 4096;
}

size_t vms_fit(const VmsSnapshot *snap, uint64_t lo, uint64_t hi, uint64_t size, uint64_t align,
               uint64_t *starts, size_t max) {
  align = vms_fit_alignment(snap, align);
  if (size == 0 || align == 0)
    return 0;
  if (hi > snap->usable_hi)
    hi = snap->usable_hi;
  size_t count = 0;
  uint64_t run_start = 0, run_end = 0;
  bool in_run = false;
  for (size_t i = vms_regions_lower_bound(snap->regions, snap->n_regions, lo); i <= snap->n_regions;
       i++) {
    const VmsRegion *r = i < snap->n_regions ? &snap->regions[i] : NULL;
    if (r && r->start >= hi)
      r = NULL;
    bool is_free = r && r->type == VMS_TYPE_FREE;
    uint64_t a = 0, b = 0;
    if (is_free) {
      a = r->start < lo ? lo : r->start;
      b = r->end > hi ? hi : r->end;
    }
    if (is_free && in_run && run_end == a) {
      run_end = b;
      continue;
    }
    if (in_run) {
      uint64_t s = run_start + align - 1 < run_start ? 0 : (run_start + align - 1) & ~(align - 1);
      if (s >= run_start && s < run_end && run_end - s >= size) {
        if (count < max)
          starts[count] = s;
        count++;
      }
      in_run = false;
    }
    if (is_free) {
      in_run = true;
      run_start = a;
      run_end = b;
    }
    if (!r)
      break;
  }
  return count;
}
