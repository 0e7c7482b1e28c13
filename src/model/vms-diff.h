/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-diff.h: what changed between two snapshots of one process, region by region. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "vms-barriers.h"
#include "vms-snapshot.h"

/* Region changes between two snapshots, for marking (new, grown, shrunk, gone). */
typedef enum {
  VMS_CHANGE_NEW = 1,
  VMS_CHANGE_GROWN,
  VMS_CHANGE_SHRUNK,
  VMS_CHANGE_GONE
} VmsChangeKind;
typedef struct {
  uint64_t start, end;
  VmsChangeKind kind;
} VmsChange;
/* Allocates *out (free() it); returns the count. */
size_t vms_snapshot_diff(const VmsSnapshot *old_snap, const VmsSnapshot *new_snap, VmsChange **out);

/* Region by region, what a person comparing two maps asks: which regions
 * appeared, vanished, grew, shrank, or changed type, state or protection.
 * Regions match by start address, or by end address and type (a stack grows
 * down); free and unusable space takes no part. */
typedef enum {
  VMS_REGION_APPEARED = 1,
  VMS_REGION_VANISHED,
  VMS_REGION_GREW,
  VMS_REGION_SHRANK,
  VMS_REGION_CHANGED, /* same range; type, state or protection differ */
} VmsRegionChangeKind;
enum { VMS_REGION_TYPE = 1u << 0, VMS_REGION_STATE = 1u << 1, VMS_REGION_PROT = 1u << 2 };
typedef struct {
  VmsRegionChangeKind kind;
  unsigned what;                  /* VMS_REGION_TYPE | STATE | PROT that differ */
  const VmsRegion *old_r, *new_r; /* into the two snapshots; NULL when absent */
} VmsRegionChange;
/* Allocates *out (free() it), sorted by address; returns the count, or
 * SIZE_MAX when out of memory. */
size_t vms_snapshot_compare(const VmsSnapshot *old_snap, const VmsSnapshot *new_snap,
                            VmsRegionChange **out);

/* How the barriers changed between two moments (vms-barriers.h): which of
 * the top barriers (by_gain) appeared, vanished or gained differently, and
 * which owner groups appeared, vanished or changed. A barrier matches one
 * of the other moment's top by its start, or failing that by its end (a
 * stack grows down); one that entered or left the top list counts as
 * appeared or vanished there. A group is changed when its owners, their
 * bytes, the barriers it alone makes or the gain without all of it differ. */
typedef enum {
  VMS_BARRIER_APPEARED = 1,
  VMS_BARRIER_VANISHED,
  VMS_BARRIER_GAIN, /* in both tops, with another gain */
} VmsBarrierChangeKind;
typedef struct {
  VmsBarrierChangeKind kind;
  const VmsBarrier *old_b, *new_b; /* into the two VmsBarriers; NULL when absent */
} VmsBarrierChange;
typedef enum {
  VMS_GROUP_APPEARED = 1, /* no owner of it before */
  VMS_GROUP_VANISHED,     /* no owner of it after */
  VMS_GROUP_CHANGED,
} VmsGroupChangeKind;
typedef struct {
  VmsGroupChangeKind kind;
  VmsBarrierGroup group;
  const VmsBarrierGroupStats *old_g, *new_g; /* both set */
  uint64_t old_gain, new_gain; /* largest free block without all of it, over today's */
} VmsGroupChange;
typedef struct {
  VmsBarrierChange barriers[2 * VMS_BARRIERS_MAX_TOP]; /* by address */
  size_t n_barriers;
  VmsGroupChange groups[VMS_BGROUP_COUNT]; /* in group order */
  size_t n_groups;
} VmsBarrierDiff;
/* Fills *out; points into a and b, which must outlive it. */
void vms_barriers_compare(const VmsBarriers *a, const VmsBarriers *b, VmsBarrierDiff *out);

/* How many top barriers each moment ranks for a comparison. */
#define VMS_BARRIER_DIFF_TOP 10
/* The barriers of two moments ranked as for a comparison (`--diff`, the
 * window's two marked moments): the top VMS_BARRIER_DIFF_TOP by the free
 * block without each, each moment over its own default scope, or both over
 * [lo, hi) when ranged, usable_min as --fit gives it (0: 1 MiB); then how
 * they changed, into out. a and b are filled (vms_barriers_clear them, on
 * failure too), and out points into them. Fails only when out of memory. */
VmsErrorCode vms_barriers_diff(const VmsSnapshot *older, const VmsSnapshot *newer, bool ranged,
                               uint64_t lo, uint64_t hi, uint64_t usable_min, VmsBarriers *a,
                               VmsBarriers *b, VmsBarrierDiff *out, VmsError *err);
/* "appeared", "vanished", "gain" / "appeared", "vanished", "changed". */
const char *vms_barrier_change_name(VmsBarrierChangeKind kind);
const char *vms_group_change_name(VmsGroupChangeKind kind);
