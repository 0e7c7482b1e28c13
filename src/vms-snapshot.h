/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-snapshot.h: a classified, immutable picture of one address space, with its statistics.
 *
 * The sampler thread builds a snapshot from a VmsSpace (vms_snapshot_build);
 * from then on nothing changes it, so any thread may read it while it holds a
 * reference. The region array covers the whole usable range without holes:
 * the gaps between mappings are Free (or Unusable) regions of their own. */
#pragma once

#include "vms-platform.h"

typedef struct {
  uint64_t size;       /* bytes of address space of this type */
  uint64_t committed;  /* of which committed */
  uint64_t private_bytes; /* private committed (Linux: not MAP_SHARED) */
  uint64_t resident;   /* RSS, when counters were read */
  uint64_t blocks;     /* regions of this type (adjacent regions of one type count apart) */
  uint64_t largest;    /* largest single region */
} VmsTypeStats;

#define VMS_HIST_BUCKETS 64 /* bucket k counts free blocks with 2^k <= size < 2^(k+1) */

typedef struct {
  uint64_t lo, hi;     /* the window these figures are over */
  VmsTypeStats by_type[VMS_TYPE_COUNT];
  VmsTypeStats total;  /* over every type but Free and Unusable */
  bool resident_known; /* counters were read */
  uint64_t free_total;
  uint64_t free_largest;
  uint64_t free_largest_start;
  uint64_t free_blocks;
  uint64_t free_hist[VMS_HIST_BUCKETS];
  double fragmentation; /* 1 - largest/total; 0 when nothing is free */
  uint64_t vma_count;   /* mappings as the kernel counts them (not free gaps) */
  uint64_t max_map_count; /* 0 when the platform has no such limit */
} VmsStats;

typedef struct VmsSnapshot {
  int pid;
  char name[256];
  int bits;
  uint64_t start_time;      /* process identity, with pid */
  uint64_t usable_lo, usable_hi;
  uint64_t page_size, alloc_granularity;
  uint32_t fields;          /* VMS_FIELD_* from the platform */
  double taken_at;          /* wall clock, seconds since the epoch */
  double read_seconds;      /* how long the read + build took */
  double counters_at;       /* when counters were read (0 = never) */
  uint64_t serial;          /* increases with each snapshot of one sampler */
  char note[256];

  const VmsRegion *regions; /* sorted, gap-filled; may extend outside the usable range */
  size_t n_regions;
  const VmsCounters *counters; /* parallel to regions, NULL when not read */
  VmsCounters rollup;
  VmsNamePool names;
  size_t n_threads, n_stacks_found; /* threads seen / stacks found for them */
  VmsStats stats;           /* over [usable_lo, usable_hi) */

  /* private */
  int refcount_;
} VmsSnapshot;

/* Classifies space's regions, fills the gaps and computes the statistics.
 * Takes the region, counter and name buffers out of space (space is left
 * empty but reusable). */
VmsErrorCode vms_snapshot_build(VmsSpace *space, VmsSnapshot **out, VmsError *err);
VmsSnapshot *vms_snapshot_ref(VmsSnapshot *snap);
void vms_snapshot_unref(VmsSnapshot *snap);

static inline const char *vms_snapshot_name_of(const VmsSnapshot *snap, const VmsRegion *r) {
  return vms_name_pool_get(&snap->names, r->name);
}
/* Index of the region containing addr, or SIZE_MAX. */
size_t vms_snapshot_find(const VmsSnapshot *snap, uint64_t addr);
/* Index of the first region with end > addr (n_regions when none). */
size_t vms_snapshot_lower_bound(const VmsSnapshot *snap, uint64_t addr);

/* Figures over a window [lo, hi) (regions are clipped to it). */
void vms_stats_compute(const VmsSnapshot *snap, uint64_t lo, uint64_t hi, VmsStats *out);

/* Can `size` bytes aligned to `align` (a power of two; 0 for the default)
 * be placed in the free space inside [lo, hi)? Writes up to max candidate
 * start addresses, lowest first, one per free block that can hold it, and
 * returns how many blocks can (which may exceed max). */
size_t vms_fit(const VmsSnapshot *snap, uint64_t lo, uint64_t hi, uint64_t size, uint64_t align,
               uint64_t *starts, size_t max);
/* The alignment vms_fit really uses: at least the page size, and on Windows
 * the 64 KiB allocation granularity; 0 when align is not a power of two. */
uint64_t vms_fit_alignment(const VmsSnapshot *snap, uint64_t align);

/* Names: "image", "mapped", "shareable", "heap", "stack", "private",
 * "system", "unusable", "free" (CSV/JSON) and their titles ("Mapped File"). */
const char *vms_type_name(VmsRegionType type);
const char *vms_type_title(VmsRegionType type);
const char *vms_state_name(VmsRegionState state);
/* "rw-p" on Linux-style bits; writes at most 8 bytes with the NUL. */
void vms_prot_format(uint16_t prot, char out[8]);
/* A short human description of what the region is ("glibc malloc arena",
 * "thread 1234 stack (inferred)", the path, ...). Writes into buf. */
void vms_region_describe(const VmsSnapshot *snap, const VmsRegion *r, char *buf, size_t len);
