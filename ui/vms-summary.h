/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-summary.h: the summary panel (VMMap's table by type, fragmentation, free-block histogram,
 * fit) and the legend. */
#pragma once

#include <gtk/gtk.h>

#include "vms-diff.h"
#include "vms-snapshot.h"

G_BEGIN_DECLS

#define VMS_TYPE_SUMMARY (vms_summary_get_type())
G_DECLARE_FINAL_TYPE(VmsSummary, vms_summary, VMS, SUMMARY, GtkBox)

GtkWidget *vms_summary_new(void);
/* Shows snap's figures; counters_snap (may be NULL) supplies resident sizes
 * when snap has none. */
void vms_summary_set_snapshot(VmsSummary *summary, VmsSnapshot *snap, VmsSnapshot *counters_snap);
/* The map's viewed range; with "viewed range only" on, every figure but the
 * fit answer is computed over it instead of the whole usable range. */
void vms_summary_set_viewed_range(VmsSummary *summary, uint64_t lo, uint64_t hi);
void vms_summary_set_over_viewed_range(VmsSummary *summary, gboolean viewed);
/* Runs the fit question for text ("64M") and returns the answer shown. */
const char *vms_summary_ask_fit(VmsSummary *summary, const char *text);
/* The text of a figure by key ("free_total", "free_largest", "free_blocks",
 * "vma_count", "size:<type name>", "barriers_scope", "barrier:N" for the Nth
 * ranked barrier, "barrier_group:<group name>", "barrier_fact:<fact name>"),
 * for tests. */
const char *vms_summary_get_figure(VmsSummary *summary, const char *key);

/* The barriers' rows: the ranked barriers, then the groups, then the facts.
 * Activating a barrier or group row emits "region-activated" (start, end,
 * region index: guint64 each). */
GtkListBox *vms_summary_get_barrier_list(VmsSummary *summary);

/* Two moments marked on the timeline (older and newer, the frames' indices
 * for the text; NULL for none): a section lists how the barriers changed
 * from one to the other, as `vmscope FILE --diff OLDER NEWER` does, each
 * row activatable as the barrier rows are ("region-activated", with the
 * region at its start in the snapshot shown). Figures "barrier_changes",
 * "barrier_change:N" and "barrier_change_group:<group name>". */
void vms_summary_set_comparison(VmsSummary *summary, VmsSnapshot *older, VmsSnapshot *newer,
                                size_t older_frame, size_t newer_frame);
/* The comparison shown, NULL when none (for tests). */
const VmsBarrierDiff *vms_summary_get_barrier_diff(VmsSummary *summary);
GtkListBox *vms_summary_get_barrier_changes(VmsSummary *summary);

/* A horizontal legend: one swatch per region type in the renderer's palette. */
GtkWidget *vms_legend_new(void);
/* Shows or hides the residency view's colours (resident, swapped, untouched page) in a legend. */
void vms_legend_show_pages(GtkWidget *legend, gboolean show);

G_END_DECLS
