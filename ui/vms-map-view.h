/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-map-view.h: the map canvas, a GtkDrawingArea that draws a snapshot through the renderer. */
#pragma once

#include <gtk/gtk.h>

#include "vms-render.h"

G_BEGIN_DECLS

#define VMS_TYPE_MAP_VIEW (vms_map_view_get_type())
G_DECLARE_FINAL_TYPE(VmsMapView, vms_map_view, VMS, MAP_VIEW, GtkDrawingArea)

GtkWidget *vms_map_view_new(void);
/* Shows snap (the view takes its own reference). A snapshot of the same
 * process keeps the viewport and selection and marks what changed since the
 * previous one; another process fits the whole space. NULL clears. */
void vms_map_view_set_snapshot(VmsMapView *view, VmsSnapshot *snap);
VmsSnapshot *vms_map_view_get_snapshot(VmsMapView *view);
/* Marks changes (taken; malloc'd, from vms_snapshot_diff) on the map at
 * full strength until the next snapshot or call; n = 0 clears. */
void vms_map_view_set_changes(VmsMapView *view, VmsChange *changes, size_t n);
size_t vms_map_view_get_n_changes(VmsMapView *view);
const VmsChange *vms_map_view_get_changes(VmsMapView *view);
/* The last snapshot whose counters were read, for tooltips; may be NULL. */
void vms_map_view_set_counters_snapshot(VmsMapView *view, VmsSnapshot *snap);

void vms_map_view_set_layout_kind(VmsMapView *view, VmsLayoutKind kind);
VmsLayoutKind vms_map_view_get_layout_kind(VmsMapView *view);
const VmsViewport *vms_map_view_get_viewport(VmsMapView *view);
void vms_map_view_set_viewport(VmsMapView *view, const VmsViewport *vp);

/* Zooms by factor (>1 in) around (x, y) in widget pixels; x < 0 means the centre. */
void vms_map_view_zoom_at(VmsMapView *view, double x, double y, double factor);
void vms_map_view_zoom_fit(VmsMapView *view);
/* Moves the content by (dx, dy) pixels, as a drag does. */
void vms_map_view_pan(VmsMapView *view, double dx, double dy);
/* Zooms so region idx fills the view. */
void vms_map_view_zoom_to_region(VmsMapView *view, size_t idx);

/* Selected region index in the current snapshot, or SIZE_MAX. */
size_t vms_map_view_get_selected(VmsMapView *view);
/* Selects region idx (SIZE_MAX: none) and brings it into view; emits
 * "selection-changed" only when emit is TRUE. */
void vms_map_view_select(VmsMapView *view, size_t idx, gboolean emit);
/* Selects the region under widget pixel (x, y), as a click does; TRUE when one was hit. */
gboolean vms_map_view_select_at(VmsMapView *view, double x, double y);
/* Pixel of an address (centre of its cell), FALSE when not in view. For tests. */
gboolean vms_map_view_point_of(VmsMapView *view, uint64_t addr, double *x, double *y);

/* Address under widget pixel (x, y); FALSE outside the map cells. */
gboolean vms_map_view_addr_at(VmsMapView *view, double x, double y, uint64_t *addr);

/* How many layouts the view has built: a selection moves the outline
 * without building one. */
guint vms_map_view_get_n_layouts(VmsMapView *view);
/* Seconds the last layout build and the last render took (for the benchmark). */
void vms_map_view_get_timings(VmsMapView *view, double *layout_s, double *render_s);

/* The residency view: pages drawn by state (resident, swapped, untouched)
 * from the page states last set, where they cover a region whole. */
void vms_map_view_set_residency(VmsMapView *view, gboolean on);
gboolean vms_map_view_get_residency(VmsMapView *view);
/* The page states to draw (taken; another process's are not drawn); NULL clears. */
void vms_map_view_set_pages(VmsMapView *view, VmsPageMap *pages);
const VmsPageMap *vms_map_view_get_pages(VmsMapView *view);
/* The page states the map draws now: those of the residency view when it
 * is on and they are of the process shown, else NULL. */
const VmsPageMap *vms_map_view_get_shown_pages(VmsMapView *view);

G_END_DECLS
