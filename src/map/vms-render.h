/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-render.h: the one cairo routine that draws the map, and its palette.
 *
 * The GTK canvas and PNG/SVG/PDF export both draw through vms_render_map;
 * export passes its own size. The layout is computed from (snapshot,
 * viewport, size) and cached by the caller; drawing never re-derives it. */
#pragma once

#include <cairo.h>

#include "vms-diff.h"
#include "vms-layout.h"
#include "vms-palette.h"
#include "vms-snapshot.h"

typedef struct {
  const VmsChange *changes; /* may be NULL */
  size_t n_changes;
  double change_alpha; /* 0..1 strength of the change marks (fades out) */
  /* A window's theme. false: white around the map, near-white free space
   * and dark grey labels, as exported. true: background (sRGB 0..1) around
   * the map and for free space, text for row labels and gap marks. Free
   * space is moved off background just enough to stay apart from every
   * type's colour (see vms_render_free_color). */
  bool themed;
  double background[3];
  double text[3];
  /* The residency view (NULL: off): inside each mapped region that pages
   * covers whole (vms_page_map_covers over the part in its range), every
   * pixel shows the state of its pages in vms_page_state_rgb, the most
   * important where it covers several (swapped > resident > untouched);
   * other regions keep their type's colour; on every surface, vector
   * output included. */
  const VmsPageMap *pages;
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

/* The state the residency view shows at addr with pages (the same rule as
 * vms_render_map); false where it shows none (free space, a region pages
 * does not cover whole, an address it did not read). */
bool vms_render_page_state(const VmsSnapshot *snap, const VmsPageMap *pages, uint64_t addr,
                           VmsPageState *state);

/* What the residency view shows of [lo, hi) with pages: the bytes in each
 * state over the mapped regions it draws states for (the same rule as
 * vms_render_map), and in unread how many mapped regions there keep their
 * type's colour (changed since the walk, or past where the read stopped). */
void vms_render_page_bytes(const VmsSnapshot *snap, const VmsPageMap *pages, uint64_t lo,
                           uint64_t hi, uint64_t bytes[VMS_PAGE_STATE_COUNT], size_t *unread);

/* The colour free space is drawn in with these extras (NULL: as exported),
 * for a legend that matches the map. */
void vms_render_free_color(const VmsRenderExtras *extras, double rgb[3]);
