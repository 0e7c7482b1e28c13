/* SPDX-License-Identifier: GPL-3.0-or-later */
/* png-pages.h: reads the residency view's page states back from a decoded picture of the map.
 *
 * Every horizontal run of at least PNG_PAGES_MIN_RUN pixels drawn in page
 * state colours is a line of map cells (a legend swatch or a glyph of the
 * header is far shorter), and so is a shorter one that starts where the
 * first such line started (the map's first column: the last row of a range
 * that ends inside it); a map row is the first of its identical lines.
 * The rows in order, one letter a pixel (r resident, s swapped, u
 * untouched), are what the map shows: at one page a pixel, the state of
 * every page of the viewed range in address order. */
#pragma once

#include <cairo.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vms-palette.h"

#define PNG_PAGES_MIN_RUN 32

static inline char png_pages_letter(uint32_t px) {
  static const char letters[VMS_PAGE_STATE_COUNT] = {
      [VMS_PAGE_UNTOUCHED] = 'u', [VMS_PAGE_RESIDENT] = 'r', [VMS_PAGE_SWAPPED] = 's'};
  for (int s = 0; s < VMS_PAGE_STATE_COUNT; s++) {
    const uint8_t *c = vms_page_state_rgb[s];
    if ((px & 0xFFFFFFu) == ((uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2]))
      return letters[s];
  }
  return 0;
}

/* The letters of the map's page-state pixels into out (NUL-terminated);
 * false when they do not fit. rows gets the map rows found. */
static inline bool png_pages_read(cairo_surface_t *s, char *out, size_t cap, int *rows) {
  cairo_surface_flush(s);
  const unsigned char *d = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s), w = cairo_image_surface_get_width(s),
      h = cairo_image_surface_get_height(s);
  char *line = malloc((size_t)w + 1), *prev = malloc((size_t)w + 1);
  size_t n = 0;
  int x0 = -1; /* the map's first column, once a long line has shown it */
  bool ok = line && prev && cap > 0;
  *rows = 0;
  if (ok)
    prev[0] = '\0';
  for (int y = 0; ok && y < h; y++) {
    const uint32_t *px = (const uint32_t *)(d + (size_t)y * (size_t)stride);
    size_t len = 0;
    for (int x = 0; x < w;) {
      int e = x;
      while (e < w && png_pages_letter(px[e]))
        e++;
      if (e - x >= PNG_PAGES_MIN_RUN && x0 < 0)
        x0 = x;
      if (e > x && (e - x >= PNG_PAGES_MIN_RUN || x == x0))
        for (int k = x; k < e; k++)
          line[len++] = png_pages_letter(px[k]);
      x = e > x ? e : x + 1;
    }
    line[len] = '\0';
    if (len && strcmp(line, prev) != 0) {
      if (n + len >= cap) {
        ok = false;
        break;
      }
      memcpy(out + n, line, len);
      n += len;
      (*rows)++;
    }
    memcpy(prev, line, len + 1);
  }
  if (cap > 0)
    out[n < cap ? n : cap - 1] = '\0';
  free(line);
  free(prev);
  return ok;
}
