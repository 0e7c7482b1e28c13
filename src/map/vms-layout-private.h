/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-layout-private.h: the precomputed geometry the renderer reads (map/ only).
 *
 * A layout is a sequence of pixels wrapped into rows. The sequence is cut
 * into segments: address ranges drawn at bpp bytes per pixel, and, in the
 * compressed layout, free gaps drawn at a fixed pixel width. Each segment
 * starts on a fresh pixel, so the pixel <-> address mapping inside one is a
 * division. The spans (runs of pixels of one drawing class) are computed
 * once here, so that a frame only turns spans into pixels. */
#pragma once

#include "vms-layout.h"

#define ROW_PITCH_MAX 32 /* the tallest row, in pixels */

/* Drawing classes: type * 2 + (reserved ? 1 : 0) for the nine types, then
 * the two that are not regions. */
enum {
  VMS_CLS_BG = VMS_TYPE_COUNT * 2, /* no region here (outside the range, or a hole in the data) */
  VMS_CLS_GAP,                     /* a compressed free gap */
  VMS_CLS_COUNT
};

typedef struct {
  uint64_t pix, npix; /* pixels [pix, pix + npix) */
  uint64_t addr, end; /* addresses [addr, end) */
  bool gap;
} VmsSegment;

typedef struct {
  uint64_t p0, p1; /* pixels [p0, p1) */
  uint8_t cls;
} VmsSpan;

struct VmsLayout {
  VmsLayoutKind kind;
  int width, height;
  int map_x, map_y; /* top-left of the cells, inside the box */
  int cols, rows;   /* pixel columns per row, rows in use */
  int row_h;        /* row pitch in pixels */
  int cell_h;       /* filled pixel lines per row (row_h - 1 when a separator line is kept) */
  int label_every;  /* a row label every this many rows (0: no labels) */
  int label_digits; /* hex digits of a row label */
  uint64_t start, end;
  uint64_t page;
  uint64_t bpp;           /* bytes per pixel outside gaps */
  uint64_t npix;          /* pixels in use */
  uint64_t gap_threshold; /* compressed: free gaps of at least this size are shrunk */
  int gap_px;             /* compressed: pixels of one shrunk gap */
  size_t n_gaps;
  uint64_t selected_start;

  VmsSegment *segs;
  size_t n_segs;
  VmsSpan *spans;
  size_t n_spans;

  /* For image surfaces: the class of every pixel, and where the hatch of
   * reserved space goes. The hatch takes box pixels with (x + y) % 4 == 0,
   * so a line of box y needs the reserved columns with (x + y) % 4 == 0:
   * hatch lists them per row and residue q = (map_x + column) % 4, in
   * increasing column order. */
  uint8_t *pcls;   /* npix */
  uint16_t *hatch; /* map columns */
  size_t n_hatch;
  size_t *row_hatch; /* rows * 4 + 1 offsets into hatch, at [row * 4 + q] */
  size_t *row_span;  /* rows + 1: the first span reaching into each row */

  /* Row labels for image surfaces: the 16 hex digits rendered once as
   * coverage (0..255), glyph_w x glyph_h each, blended at draw time so
   * any background and text colour can use them. */
  uint8_t *glyphs;
  int glyph_w, glyph_h, glyph_ascent;
};

/* The pixel index holding addr, or UINT64_MAX when addr is not in view. */
uint64_t vms_layout_pixel_of(const VmsLayout *layout, uint64_t addr);
/* The span index holding pixel k (binary search). */
size_t vms_layout_span_at(const VmsLayout *layout, uint64_t k);
/* The address drawn at pixel index k (the first address of its cell). */
uint64_t vms_layout_addr_of_pixel(const VmsLayout *layout, uint64_t k);
/* The ascent and size of the row-label font. */
#define VMS_LABEL_FONT_SIZE 10.0
