/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-ui-util.h: small helpers the GTK widgets share (sizes, accessible names, counters lookup). */
#pragma once

#include <gtk/gtk.h>

#include "vms-render.h"
#include "vms-snapshot.h"
#include "vms-units.h"

/* g_autoptr(VmsSnapshot) and g_autoptr(VmsLayout) release what the core hands out. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmsSnapshot, vms_snapshot_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmsLayout, vms_layout_free)

/* Makes *slot hold a reference to snap (NULL clears), dropping the one it
 * held; snap may be the one already held. */
static inline void vms_ui_snapshot_set(VmsSnapshot **slot, VmsSnapshot *snap) {
  g_autoptr(VmsSnapshot) old = *slot;
  *slot = snap ? vms_snapshot_ref(snap) : NULL;
}

/* Gives widget an accessible name (and description when non-NULL). */
void vms_ui_set_accessible(GtkWidget *widget, const char *name, const char *description);
/* The counters of snap's region idx that hold the counter bit (VMS_CTR_*):
 * snap's own when it read that one there (residency reads rss and swap on
 * most refreshes), otherwise those of the same [start, end) region in
 * counters_snap (the last smaps read); NULL when neither did. */
const VmsCounters *vms_ui_counters_for(const VmsSnapshot *snap, size_t idx,
                                       const VmsSnapshot *counters_snap, uint32_t bit);
/* The shortest and longest refresh interval a person may choose, in seconds. */
#define VMS_UI_INTERVAL_MIN 0.1
#define VMS_UI_INTERVAL_MAX 3600.0
/* Parses a refresh interval: "0.5", "2 s", "250 ms", "1 min", "1.5 minutes",
 * "Every 2 s" (what the interval box shows), rounded to the millisecond;
 * FALSE when it is not one or lies outside [VMS_UI_INTERVAL_MIN, _MAX]. */
gboolean vms_ui_parse_interval(const char *text, double *seconds);
/* "Every 0.5 s", "Every 90 s", "Every 2 min". */
void vms_ui_format_interval(double seconds, char *buf, size_t len);
/* "just now", "12 s ago", "3 min ago". */
void vms_ui_format_age(double seconds, char *buf, size_t len);
/* The map's colours in widget's theme: its background (the theme's base
 * colour when the widget paints none) and its text colour. */
void vms_ui_theme_colors(GtkWidget *widget, VmsRenderExtras *extras);
/* Where a process in a container or another PID namespace is, as the
 * picker and the title show it: "PID 1 in 0123456789ab" (its PID there and
 * a runtime's 64-hex container ID's first 12 digits), "PID 7 in its
 * namespace" (no runtime's ID in its cgroup path, which is not shown),
 * "in 0123456789ab" (a container sharing our PID namespace); "" for a
 * process in neither. */
void vms_ui_container_text(int ns_pid, const char *container, char *buf, size_t len);
