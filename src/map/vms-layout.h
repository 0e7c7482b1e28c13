/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-layout.h: the map's geometry, address <-> pixel, for one snapshot, viewport and size.
 *
 * The layout is computed once from (snapshot, viewport, size) and cached by
 * the caller; the renderer (vms-render.h) only reads it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "vms-snapshot.h"

typedef enum {
  VMS_LAYOUT_LINEAR = 0, /* the viewed range wrapped into rows, bytes_per_pixel each */
  VMS_LAYOUT_COMPRESSED, /* free gaps above a threshold shrunk to a marked, fixed width */
} VmsLayoutKind;

typedef struct {
  VmsLayoutKind kind;
  uint64_t start, end;     /* viewed address range [start, end) */
  uint64_t selected_start; /* start of the selected region; UINT64_MAX = none */
  bool show_labels;        /* row labels (addresses) in a left gutter */
} VmsViewport;

typedef struct VmsLayout VmsLayout;

/* Builds the address<->pixel mapping of the map area for a width x height
 * pixel box (labels included), and everything a frame needs (spans, the
 * class of every pixel, the label glyphs), so drawing derives nothing.
 * NULL when the range is empty (start >= end), a size is not positive, or
 * memory runs out. The range is widened to whole pages. */
VmsLayout *vms_layout_new(const VmsSnapshot *snap, const VmsViewport *vp, int width, int height);
void vms_layout_free(VmsLayout *layout);
/* Address under pixel (x, y); false outside the map cells. */
bool vms_layout_addr_at(const VmsLayout *layout, double x, double y, uint64_t *addr);
/* Pixel of an address (top-left of its cell); false when not in view. */
bool vms_layout_point_of(const VmsLayout *layout, uint64_t addr, double *x, double *y);
uint64_t vms_layout_bytes_per_pixel(const VmsLayout *layout); /* linear; 0 for compressed */

/* What a header or legend says of a layout. */
typedef struct {
  VmsLayoutKind kind;
  uint64_t start, end;      /* the range drawn, widened to whole pages */
  uint64_t bytes_per_pixel; /* outside shrunk gaps */
  uint64_t gap_threshold;   /* compressed: free gaps of at least this size are shrunk */
  size_t n_gaps;            /* compressed: how many were */
  int gap_px;               /* compressed: the width of one shrunk gap */
} VmsLayoutInfo;
void vms_layout_get_info(const VmsLayout *layout, VmsLayoutInfo *info);
/* Changes the outlined region (UINT64_MAX = none) without rebuilding the
 * layout: selection changes on a click, the geometry does not. */
void vms_layout_set_selected(VmsLayout *layout, uint64_t selected_start);
/* A new viewport zoomed by factor (>1 zooms in) keeping the address under
 * (x, y) where it is; clamped to one page per pixel and the whole space. */
VmsViewport vms_viewport_zoom(const VmsLayout *layout, const VmsSnapshot *snap,
                              const VmsViewport *vp, double x, double y, double factor);
VmsViewport vms_viewport_pan(const VmsLayout *layout, const VmsSnapshot *snap,
                             const VmsViewport *vp, double dx, double dy);
VmsViewport vms_viewport_fit(const VmsSnapshot *snap, VmsLayoutKind kind);
