/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-render.h: the map's layout (address <-> pixel) and the one cairo routine that draws it.
 *
 * The GTK canvas and PNG/SVG/PDF export both draw through vms_render_map;
 * export passes its own size. The layout is computed from (snapshot,
 * viewport, size) and cached by the caller; drawing never re-derives it. */
#pragma once

#include <cairo.h>

#include "vms-snapshot.h"

typedef enum {
  VMS_LAYOUT_LINEAR = 0,     /* the viewed range wrapped into rows, bytes_per_pixel each */
  VMS_LAYOUT_COMPRESSED,     /* free gaps above a threshold shrunk to a marked, fixed width */
} VmsLayoutKind;

typedef struct {
  VmsLayoutKind kind;
  uint64_t start, end;       /* viewed address range [start, end) */
  uint64_t selected_start;   /* start of the selected region; UINT64_MAX = none */
  bool show_labels;          /* row labels (addresses) in a left gutter */
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

/* Region changes between two snapshots, for marking (new, grown, shrunk, gone). */
typedef enum { VMS_CHANGE_NEW = 1, VMS_CHANGE_GROWN, VMS_CHANGE_SHRUNK, VMS_CHANGE_GONE } VmsChangeKind;
typedef struct {
  uint64_t start, end;
  VmsChangeKind kind;
} VmsChange;
/* Allocates *out (free() it); returns the count. */
size_t vms_snapshot_diff(const VmsSnapshot *old_snap, const VmsSnapshot *new_snap, VmsChange **out);

typedef struct {
  const VmsChange *changes;  /* may be NULL */
  size_t n_changes;
  double change_alpha;       /* 0..1 strength of the change marks (fades out) */
  /* A window's theme. false: white around the map, near-white free space
   * and dark grey labels, as exported. true: background (sRGB 0..1) around
   * the map and for free space, text for row labels and gap marks. Free
   * space is moved off background just enough to stay apart from every
   * type's colour (see vms_render_free_color). */
  bool themed;
  double background[3];
  double text[3];
} VmsRenderExtras;

/* Draws the map of layout (built for this snap) at the cairo origin, over
 * the whole width x height box. On an image surface (ARGB32 or RGB24, an
 * integer translation, a rectangular clip) the pixels are written directly;
 * vector surfaces get one fill per type and state; any other context gets
 * a temporary image surface painted in (a canvas that redraws often does
 * better to keep its own image surface and paint that). Pixels covering
 * several types show the most important (see vms-layout.c); reserved space
 * is hatched every fourth anti-diagonal counted from the box's corner. */
void vms_render_map(cairo_t *cr, const VmsSnapshot *snap, const VmsLayout *layout,
                    const VmsRenderExtras *extras);

/* The colour free space is drawn in with these extras (NULL: as exported),
 * for a legend that matches the map. */
void vms_render_free_color(const VmsRenderExtras *extras, double rgb[3]);

/* The palette, one colour per type (sRGB 0..1); reserved space is drawn
 * lighter/hatched in the same hue. */
void vms_palette_color(VmsRegionType type, double rgb[3]);
/* The lightened colour reserved space of type is drawn in (under a hatch of
 * vms_palette_color every fourth diagonal pixel). */
void vms_palette_reserved_color(VmsRegionType type, double rgb[3]);

typedef enum { VMS_EXPORT_PNG = 0, VMS_EXPORT_SVG, VMS_EXPORT_PDF } VmsExportFormat;

/* Writes the map with header and legend to path, atomically (temporary file
 * then rename); on failure nothing is left at path. */
VmsErrorCode vms_export(const VmsSnapshot *snap, const VmsViewport *vp, int width, int height,
                        VmsExportFormat format, const char *path, VmsError *err);
