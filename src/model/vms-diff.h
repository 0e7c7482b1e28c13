/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-diff.h: what changed between two snapshots of one process, region by region. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "vms-snapshot.h"

/* Region changes between two snapshots, for marking (new, grown, shrunk, gone). */
typedef enum { VMS_CHANGE_NEW = 1, VMS_CHANGE_GROWN, VMS_CHANGE_SHRUNK, VMS_CHANGE_GONE } VmsChangeKind;
typedef struct {
  uint64_t start, end;
  VmsChangeKind kind;
} VmsChange;
/* Allocates *out (free() it); returns the count. */
size_t vms_snapshot_diff(const VmsSnapshot *old_snap, const VmsSnapshot *new_snap, VmsChange **out);
