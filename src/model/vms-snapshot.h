/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-snapshot.h: a classified, immutable picture of one address space, with its statistics.
 *
 * The sampler thread builds a snapshot from a VmsSpace (vms_snapshot_build);
 * from then on nothing changes it, so any thread may read it while it holds a
 * reference. The region array covers the whole usable range without holes:
 * the gaps between mappings are Free (or Unusable) regions of their own. */
#pragma once

#include "vms-platform.h"
#include "vms-stats.h"

struct VmsSnapshot {
  int pid;
  char name[256];
  int bits;
  uint64_t start_time; /* process identity, with pid */
  uint64_t usable_lo, usable_hi;
  uint64_t page_size, alloc_granularity;
  uint32_t fields;          /* VMS_FIELD_* from the platform */
  uint64_t stack_setting;   /* VmsSpace's, valid with VMS_FIELD_STACK_SETTING */
  bool large_address_aware; /* valid with VMS_FIELD_LAA */
  int os_bits;              /* 0 when not known */
  double taken_at;          /* wall clock, seconds since the epoch */
  double read_seconds;      /* how long the read + build took */
  double residency_seconds; /* of which the page-table read (0: residency not read) */
  double counters_at;       /* when counters were read on request (0 = never; not residency) */
  uint64_t serial;          /* increases with each snapshot of one sampler */
  char note[256];

  const VmsRegion *regions; /* sorted, gap-filled; may extend outside the usable range */
  size_t n_regions;
  const VmsCounters *counters; /* parallel to regions, NULL when not read */
  VmsCounters rollup;
  VmsNamePool names;
  size_t n_threads, n_stacks_found; /* threads seen / stacks found for them */
  VmsStats stats;                   /* over [usable_lo, usable_hi) */

  /* private */
  int refcount_;
};

/* Classifies space's regions, fills the gaps and computes the statistics.
 * Takes the region, counter and name buffers out of space (space is left
 * empty but reusable). */
VmsErrorCode vms_snapshot_build(VmsSpace *space, VmsSnapshot **out, VmsError *err);
/* An empty snapshot holding one reference, for a reader that fills it in
 * itself (a recording): regions, counters and names.data must then be
 * malloc'd blocks, which the last unref frees. NULL when out of memory. */
VmsSnapshot *vms_snapshot_new(void);
VmsSnapshot *vms_snapshot_ref(VmsSnapshot *snap);
void vms_snapshot_unref(VmsSnapshot *snap);

static inline const char *vms_snapshot_name_of(const VmsSnapshot *snap, const VmsRegion *r) {
  return vms_name_pool_get(&snap->names, r->name);
}
/* The thread a region named "[anon: glibc: pthread stack: TID]" belongs to, or 0. */
int vms_region_glibc_stack_tid(const char *name);
/* Is it "[anon: glibc: unused stack]", a stack glibc keeps for its next thread? */
bool vms_region_glibc_unused_stack(const char *name);
/* Does snap carry the counters read on request (smaps; on Windows the
 * working set), not only the residency every refresh may read? */
bool vms_snapshot_has_smaps(const VmsSnapshot *snap);
/* Index of the region containing addr, or SIZE_MAX. */
size_t vms_snapshot_find(const VmsSnapshot *snap, uint64_t addr);
/* Index of the first region with end > addr (n_regions when none). */
size_t vms_snapshot_lower_bound(const VmsSnapshot *snap, uint64_t addr);
/* Hex digits an address column takes, for addresses below hi: 8 for a 32-bit
 * target, 12 for a 64-bit one, more only where an address needs them (up
 * to 16). vms_snapshot_addr_digits: for every region of snap. */
int vms_addr_digits(int bits, uint64_t hi);
int vms_snapshot_addr_digits(const VmsSnapshot *snap);

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
