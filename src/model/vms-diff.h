/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-diff.h: what changed between two snapshots of one process, region by region. */
#pragma once

#include <stddef.h>
#include <stdint.h>

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
