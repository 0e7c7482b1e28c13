/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-stats.h: VMMap's summary by type, the fragmentation figures and the fit question.
 *
 * Computed from a snapshot's region array alone: these functions read the
 * snapshot's fields and call nothing of vms-snapshot.c, which calls them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vms-platform.h"

typedef struct VmsSnapshot VmsSnapshot;

typedef struct {
  uint64_t size;          /* bytes of address space of this type */
  uint64_t committed;     /* of which committed */
  uint64_t private_bytes; /* private committed (Linux: not MAP_SHARED) */
  uint64_t resident;      /* RSS, when counters were read */
  uint64_t blocks;        /* regions of this type (adjacent regions of one type count apart) */
  uint64_t largest;       /* largest single region */
} VmsTypeStats;

#define VMS_HIST_BUCKETS 64 /* bucket k counts free blocks with 2^k <= size < 2^(k+1) */

typedef struct {
  uint64_t lo, hi; /* the window these figures are over */
  VmsTypeStats by_type[VMS_TYPE_COUNT];
  VmsTypeStats total;  /* over every type but Free and Unusable */
  bool resident_known; /* resident bytes were read (of some region at least) */
  uint64_t free_total;
  uint64_t free_largest;
  uint64_t free_largest_start;
  uint64_t free_blocks;
  uint64_t free_hist[VMS_HIST_BUCKETS];
  double fragmentation;   /* 1 - largest/total; 0 when nothing is free */
  uint64_t vma_count;     /* mappings as the kernel counts them (not free gaps) */
  uint64_t max_map_count; /* 0 when the platform has no such limit */
} VmsStats;

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
