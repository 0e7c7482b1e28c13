/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-region-table.h: the sortable, filterable table of a snapshot's regions. */
#pragma once

#include <gtk/gtk.h>

#include "vms-diff.h"
#include "vms-snapshot.h"

G_BEGIN_DECLS

#define VMS_TYPE_REGION_TABLE (vms_region_table_get_type())
G_DECLARE_FINAL_TYPE(VmsRegionTable, vms_region_table, VMS, REGION_TABLE, GtkBox)

/* Sort keys, one per column. */
typedef enum {
  VMS_COL_START = 0,
  VMS_COL_END,
  VMS_COL_SIZE,
  VMS_COL_TYPE,
  VMS_COL_STATE,
  VMS_COL_PROT,
  VMS_COL_DETAILS,
  VMS_COL_RSS,
  VMS_COL_PSS,
  VMS_COL_PRIVATE_DIRTY,
  VMS_COL_SWAP,
  VMS_COL_CHANGE, /* shown while two moments are compared */
  VMS_COL_COUNT
} VmsRegionColumn;

GtkWidget *vms_region_table_new(void);
/* Shows snap's regions (the table keeps a reference); keeps the sort, the
 * filter, the selection (by start address) and the scroll position. */
void vms_region_table_set_snapshot(VmsRegionTable *table, VmsSnapshot *snap);
/* The last snapshot whose counters were read; the counter columns show its
 * values. A new one ends the busy state; the one already shown does not. */
void vms_region_table_set_counters_snapshot(VmsRegionTable *table, VmsSnapshot *snap);

/* Filters: type (VMS_TYPE_COUNT = all) and text (matched against addresses,
 * type, state, protection and details; case-insensitive). */
void vms_region_table_set_type_filter(VmsRegionTable *table, int type);
void vms_region_table_set_text_filter(VmsRegionTable *table, const char *text);
void vms_region_table_focus_filter(VmsRegionTable *table);
void vms_region_table_sort(VmsRegionTable *table, VmsRegionColumn col, gboolean descending);

/* Selected region index in the snapshot, or SIZE_MAX. */
size_t vms_region_table_get_selected(VmsRegionTable *table);
/* Selects the row of region idx and scrolls to it (when the filter shows it);
 * emits "selection-changed" only when emit is TRUE. */
void vms_region_table_select(VmsRegionTable *table, size_t idx, gboolean emit);

/* Rows shown after filtering; the region index shown in row `row`. */
size_t vms_region_table_get_n_rows(VmsRegionTable *table);
size_t vms_region_table_get_row_region(VmsRegionTable *table, size_t row);
GtkTreeView *vms_region_table_get_view(VmsRegionTable *table);
/* Shows that counters are being read (spinner, button insensitive). */
void vms_region_table_set_counters_busy(VmsRegionTable *table, gboolean busy);
/* Ages the "counters read N s ago" label; the window calls it once a second. */
void vms_region_table_tick(VmsRegionTable *table);
/* "counters-wanted" is emitted when the user sorts by a counter column that
 * has no values yet, or presses the read button. */

/* Compares two moments of one process (vms_snapshot_compare): the shown
 * snapshot must be one of them. Every row that appeared, vanished, grew,
 * shrank or changed type, state or protection says so in the Change
 * column (shown first meanwhile) and in its colour; the regions of the
 * other moment that the shown one lacks (vanished ones when the later
 * moment is shown, appeared ones when the earlier is) are rows too. The
 * count says how many of each. NULL (or a new snapshot) ends it. */
void vms_region_table_set_comparison(VmsRegionTable *table, VmsSnapshot *older, VmsSnapshot *newer);
/* Changes of kind (a VmsRegionChangeKind; 0 for all) in the comparison. */
size_t vms_region_table_get_n_changes(VmsRegionTable *table, int kind);
/* Shows only the rows that differ ("Changes only"). */
void vms_region_table_set_changes_only(VmsRegionTable *table, gboolean only);
/* The range of the region in row `row` and its Change text ("" when it did
 * not change); TRUE when it changed. */
gboolean vms_region_table_get_row_change(VmsRegionTable *table, size_t row, uint64_t *start,
                                         uint64_t *end, char *text, size_t size);
/* The count beside the filter ("31 of 31 regions"; while comparing "32 rows
 * of 31 regions + 1 of the other moment · 1 appeared, 0 vanished, ..."). */
const char *vms_region_table_get_count_text(VmsRegionTable *table);
/* A change's words ("grew +64 KiB, rw- → r--") and its row tint. */
void vms_region_change_text(const VmsRegionChange *change, char *buf, size_t size);
const GdkRGBA *vms_region_change_tint(VmsRegionChangeKind kind);

G_END_DECLS
