/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-render.c: the one routine that draws the map, for the window and for every export format.
 *
 * On an image surface (export, the canvas's cached surface) the layout's
 * spans are written straight into the surface's pixels: one store per
 * pixel, a copied line for the other lines of a row. Vector surfaces
 * (SVG, PDF) get one path and one fill per drawing class; any other target
 * gets the map rasterised into a temporary image surface and painted. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vms-render.h"

#include "vms-palette.h"
#include "vms-layout-private.h"
#include "vms-units.h"

static const uint8_t background[3] = {0xFF, 0xFF, 0xFF};
static const uint8_t ink[3] = {0x33, 0x33, 0x33}; /* labels and break marks */

/* The colours of one frame that are not a type's own. */
typedef struct {
  uint8_t bg[3], free[3], ink[3];
} Colors;

static uint8_t byte_of(double v) {
  return (uint8_t)lround((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
}

static double lin_of(uint8_t c) {
  double v = c / 255.0;
  return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static void lab_of(const uint8_t c[3], double lab[3]) {
  double r = lin_of(c[0]), g = lin_of(c[1]), b = lin_of(c[2]);
  double f[3] = {(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
                 0.2126 * r + 0.7152 * g + 0.0722 * b,
                 (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883};
  for (int i = 0; i < 3; i++)
    f[i] = f[i] > 0.008856 ? cbrt(f[i]) : 7.787 * f[i] + 16.0 / 116;
  lab[0] = 116 * f[1] - 16;
  lab[1] = 500 * (f[0] - f[1]);
  lab[2] = 200 * (f[1] - f[2]);
}

/* CIE76 distance from c to the nearest colour a mapped type is drawn in
 * (committed or reserved). */
static double nearest_type(const uint8_t c[3]) {
  double lc[3], best = 1e9;
  lab_of(c, lc);
  for (int t = 0; t < VMS_TYPE_COUNT; t++) {
    if (t == VMS_TYPE_FREE)
      continue;
    uint8_t light[3] = {vms_palette_tint(vms_palette_rgb[t][0]),
                        vms_palette_tint(vms_palette_rgb[t][1]),
                        vms_palette_tint(vms_palette_rgb[t][2])};
    const uint8_t *two[2] = {vms_palette_rgb[t], light};
    for (int k = 0; k < 2; k++) {
      double l[3];
      lab_of(two[k], l);
      double d = sqrt((l[0] - lc[0]) * (l[0] - lc[0]) + (l[1] - lc[1]) * (l[1] - lc[1]) +
                      (l[2] - lc[2]) * (l[2] - lc[2]));
      if (d < best)
        best = d;
    }
  }
  return best;
}

/* Free space takes a theme's background, unless that is too near a type's
 * colour (a mid grey next to Unusable, a pale yellow next to reserved
 * Private): then it is moved toward black or white, whichever is nearer,
 * until it is 12 apart (the palette's own margin, see test-render.c). */
static void free_from_background(const uint8_t bg[3], uint8_t out[3]) {
  double lab[3];
  lab_of(bg, lab);
  uint8_t to = lab[0] < 50 ? 0 : 255;
  for (int step = 0; step <= 50; step++) {
    double m = step / 50.0;
    for (int i = 0; i < 3; i++)
      out[i] = (uint8_t)lround(bg[i] + (to - bg[i]) * m);
    if (nearest_type(out) >= 12)
      return;
  }
}

static void resolve_colors(const VmsRenderExtras *ex, Colors *c) {
  if (!ex || !ex->themed) {
    memcpy(c->bg, background, 3);
    memcpy(c->free, vms_palette_rgb[VMS_TYPE_FREE], 3);
    memcpy(c->ink, ink, 3);
    return;
  }
  for (int i = 0; i < 3; i++) {
    c->bg[i] = byte_of(ex->background[i]);
    c->ink[i] = byte_of(ex->text[i]);
  }
  free_from_background(c->bg, c->free);
}

void vms_render_free_color(const VmsRenderExtras *extras, double rgb[3]) {
  Colors c;
  resolve_colors(extras, &c);
  for (int i = 0; i < 3; i++)
    rgb[i] = c.free[i] / 255.0;
}

/* A type's hue in this frame: free space follows the theme. */
static const uint8_t *hue_of(int t, const Colors *c) {
  return t == VMS_TYPE_FREE ? c->free : vms_palette_rgb[t];
}

static uint32_t pack(const uint8_t c[3]) {
  return 0xFF000000u | (uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2];
}

/* Per class: the base colour and the hatch colour (equal unless reserved). */
static void class_colors(const Colors *col, uint32_t base[VMS_CLS_COUNT],
                         uint32_t hatch[VMS_CLS_COUNT]) {
  for (int t = 0; t < VMS_TYPE_COUNT; t++) {
    const uint8_t *hue = hue_of(t, col);
    uint8_t light[3] = {vms_palette_tint(hue[0]), vms_palette_tint(hue[1]),
                        vms_palette_tint(hue[2])};
    base[t * 2] = hatch[t * 2] = pack(hue);
    base[t * 2 + 1] = pack(light);
    hatch[t * 2 + 1] = pack(hue);
  }
  base[VMS_CLS_BG] = hatch[VMS_CLS_BG] = pack(col->bg);
  base[VMS_CLS_GAP] = hatch[VMS_CLS_GAP] = pack(col->free);
}

static void set_rgb(cairo_t *cr, const uint8_t c[3]) {
  cairo_set_source_rgb(cr, c[0] / 255.0, c[1] / 255.0, c[2] / 255.0);
}

/* ---- Direct rasterisation into an image surface ---- */

typedef struct {
  int x0, y0, x1, y1; /* surface pixels, half-open */
} Box;

static inline void fill_u32(uint32_t *p, int n, uint32_t v) {
  for (int i = 0; i < n; i++)
    p[i] = v;
}

/* Per frame: a line of each class's colour, for long fills, and a table of
 * pixel pairs, for rows of short runs. Reserved space is drawn in its tint
 * first; the hatch (the full hue where box x + y is 0 mod 4, counted from
 * the box's corner so it does not depend on where the box is drawn) goes
 * on afterwards. */
typedef struct {
  uint32_t *solid; /* VMS_CLS_COUNT lines of width + 4, one colour each */
  size_t solid_len;
  uint64_t *pair; /* [a << 5 | b]: the pixels of classes a then b */
} Templates;

/* Fills n pixels with class c's colour. Long runs copy from a line of that
 * colour: memcpy is vectorised everywhere, a store loop is not. */
static inline void fill_cls(uint32_t *p, int n, uint8_t c, const uint32_t *lut,
                            const Templates *t) {
  if (n >= 16 && t->solid)
    memcpy(p, t->solid + c * t->solid_len, (size_t)n * sizeof *p);
  else
    fill_u32(p, n, lut[c]);
}

static void templates_new(const VmsLayout *l, const uint32_t *base, Templates *t) {
  memset(t, 0, sizeof *t);
  t->solid_len = (size_t)l->width + 4;
  t->solid = malloc(VMS_CLS_COUNT * t->solid_len * sizeof *t->solid);
  if (t->solid)
    for (int c = 0; c < VMS_CLS_COUNT; c++)
      fill_u32(t->solid + c * t->solid_len, (int)t->solid_len, base[c]);
  t->pair = calloc(32 * 32, sizeof *t->pair);
  if (t->pair)
    for (int a = 0; a < VMS_CLS_COUNT; a++)
      for (int b = 0; b < VMS_CLS_COUNT; b++) {
        uint32_t two[2] = {base[a], base[b]};
        memcpy(&t->pair[a << 5 | b], two, sizeof two);
      }
}

static void templates_free(Templates *t) {
  free(t->solid);
  free(t->pair);
}

/* Map pixels [a_lo, a_hi) of the row starting at pixel k0 into line (map
 * column 0 at line[0]), reserved as plain tint. Long runs are filled from
 * the spans; a row of many short ones is converted pixel by pixel. */
static void raster_row(const VmsLayout *l, int r, uint32_t *line, uint64_t k0, uint64_t a_lo,
                       uint64_t a_hi, const uint32_t *lut, const Templates *t) {
  size_t s0 = l->row_span[r], s_end = l->row_span[r + 1] + 1;
  if (s_end > l->n_spans)
    s_end = l->n_spans;
  while (s0 + 1 < s_end && l->spans[s0].p1 <= a_lo)
    s0++;
  if ((s_end - s0) * 8 >= a_hi - a_lo && t->pair) {
    /* Many short spans: two pixels per store from a table of pairs. */
    const uint8_t *c = l->pcls + a_lo;
    uint32_t *p = line + (a_lo - k0);
    size_t n = (size_t)(a_hi - a_lo), i = 0;
    for (; i + 3 < n; i += 4) {
      uint64_t two[2] = {t->pair[c[i] << 5 | c[i + 1]], t->pair[c[i + 2] << 5 | c[i + 3]]};
      memcpy(p + i, two, sizeof two);
    }
    for (; i + 1 < n; i += 2)
      memcpy(p + i, &t->pair[c[i] << 5 | c[i + 1]], sizeof(uint64_t));
    if (i < n)
      p[i] = lut[c[i]];
    return;
  }
  for (size_t s = s0; s < s_end && l->spans[s].p0 < a_hi; s++) {
    const VmsSpan *sp = &l->spans[s];
    uint64_t a = sp->p0 > a_lo ? sp->p0 : a_lo, b = sp->p1 < a_hi ? sp->p1 : a_hi;
    fill_cls(line + (a - k0), (int)(b - a), sp->cls, lut, t);
  }
}

/* Writes every pixel of the layout's box that falls in clip. (ox, oy) is
 * the surface pixel of the box's top-left corner. A row's first line is
 * built, its other lines are copies, then the hatch goes over reserved runs
 * at each line's phase. */
static void rasterise(const VmsLayout *l, const Colors *col, unsigned char *data, int stride,
                      int ox, int oy, Box clip) {
  uint32_t base[VMS_CLS_COUNT], hatch[VMS_CLS_COUNT];
  class_colors(col, base, hatch);
  Templates t;
  templates_new(l, base, &t);
  int mx = ox + l->map_x; /* surface x of map column 0 */
  int c_lo = clip.x0 - mx, c_hi = clip.x1 - mx;
  if (c_lo < 0)
    c_lo = 0;
  if (c_hi > l->cols)
    c_hi = l->cols;
  int gx0 = clip.x0, gx1 = mx < clip.x1 ? mx : clip.x1; /* the gutter, clipped */
  int map_top = oy + l->map_y, map_bottom = map_top + l->rows * l->row_h;

  for (int sy = clip.y0; sy < clip.y1; sy++) {
    uint32_t *line = (uint32_t *)(data + (size_t)sy * (size_t)stride);
    if (gx1 > gx0)
      fill_cls(line + gx0, gx1 - gx0, VMS_CLS_BG, base, &t);
    if (c_hi <= c_lo)
      continue;
    int r = (sy - map_top) / l->row_h, j = (sy - map_top) % l->row_h;
    if (sy < map_top || sy >= map_bottom || j >= l->cell_h) {
      fill_cls(line + mx + c_lo, c_hi - c_lo, VMS_CLS_BG, base, &t);
      continue;
    }
    uint64_t k0 = (uint64_t)r * (uint64_t)l->cols;
    uint64_t k1 = k0 + (uint64_t)l->cols < l->npix ? k0 + (uint64_t)l->cols : l->npix;
    uint64_t a_lo = k0 + (uint64_t)c_lo, a_hi = k0 + (uint64_t)c_hi;
    if (a_hi > k1)
      a_hi = k1;
    if (a_lo < a_hi)
      raster_row(l, r, line + mx, k0, a_lo, a_hi, base, &t);
    if (a_hi < k0 + (uint64_t)c_hi) {
      int from = a_hi > k0 + (uint64_t)c_lo ? (int)(a_hi - k0) : c_lo;
      fill_cls(line + mx + from, c_hi - from, VMS_CLS_BG, base, &t);
    }
    int last = sy - j + l->cell_h;
    if (last > clip.y1)
      last = clip.y1;
    for (int y2 = sy + 1; y2 < last; y2++) {
      uint32_t *dst = (uint32_t *)(data + (size_t)y2 * (size_t)stride);
      if (gx1 > gx0)
        fill_cls(dst + gx0, gx1 - gx0, VMS_CLS_BG, base, &t);
      memcpy(dst + mx + c_lo, line + mx + c_lo, (size_t)(c_hi - c_lo) * sizeof *line);
    }
    /* The hatch over the tint the lines already hold: on the line at box
     * y, the reserved columns whose box x + y is 0 mod 4. */
    int x_end = a_hi > a_lo ? (int)(a_hi - k0) : c_lo;
    const uint8_t *c = l->pcls + k0;
    for (int y2 = sy; y2 < last; y2++) {
      uint32_t *dst = (uint32_t *)(data + (size_t)y2 * (size_t)stride) + mx;
      int q = (4 - ((y2 - oy) & 3)) & 3;
      const uint16_t *h = l->hatch + l->row_hatch[(size_t)r * 4 + (size_t)q];
      const uint16_t *h_end = l->hatch + l->row_hatch[(size_t)r * 4 + (size_t)q + 1];
      if (c_lo > 0)
        while (h < h_end && *h < c_lo)
          h++;
      for (; h < h_end && *h < x_end; h++)
        dst[*h] = hatch[c[*h]];
    }
    if (last > sy + 1)
      sy = last - 1;
  }
  templates_free(&t);
}

/* Row labels straight into the pixels, from the digits' coverage rendered
 * once per layout, blended from the background to the text colour. */
static void raster_labels(const VmsLayout *l, const Colors *col, unsigned char *data, int stride,
                          int ox, int oy, Box clip) {
  if (!l->label_every || !l->glyphs || l->map_x <= 0)
    return;
  uint32_t shade[256];
  for (int a = 0; a < 256; a++) {
    uint8_t c[3];
    for (int i = 0; i < 3; i++)
      c[i] = (uint8_t)((col->bg[i] * (255 - a) + col->ink[i] * a + 127) / 255);
    shade[a] = pack(c);
  }
  char buf[32];
  int gw = l->glyph_w, gh = l->glyph_h;
  for (int r = 0; r < l->rows; r += l->label_every) {
    int y = l->map_y + r * l->row_h;
    int base = l->row_h >= 11 ? y + (l->cell_h + 7) / 2 : y + 9;
    int top = base - l->glyph_ascent;
    if (top + gh <= clip.y0 - oy || top >= clip.y1 - oy || base > l->height)
      continue;
    uint64_t a = 0;
    vms_layout_addr_at(l, l->map_x + 0.5, y + 0.5, &a);
    snprintf(buf, sizeof buf, "%0*" PRIx64, l->label_digits, a);
    for (int i = 0; buf[i]; i++) {
      int d = buf[i] <= '9' ? buf[i] - '0' : buf[i] - 'a' + 10;
      int gx = 3 + i * gw;
      for (int yy = 0; yy < gh; yy++) {
        int sy = oy + top + yy;
        if (sy < clip.y0 || sy >= clip.y1 || top + yy < 0 || top + yy >= l->height)
          continue;
        int x0 = ox + gx, x1 = ox + gx + gw;
        if (x1 > ox + l->map_x)
          x1 = ox + l->map_x;
        int cx0 = x0 < clip.x0 ? clip.x0 : x0, cx1 = x1 > clip.x1 ? clip.x1 : x1;
        if (cx0 >= cx1)
          continue;
        uint32_t *dst = (uint32_t *)(data + (size_t)sy * (size_t)stride);
        const uint8_t *cov =
            l->glyphs + ((size_t)yy * 16 + (size_t)d) * (size_t)gw + (size_t)(cx0 - x0);
        for (int x = cx0; x < cx1; x++)
          dst[x] = shade[cov[x - cx0]];
      }
    }
  }
}

/* Break marks straight into the pixels: a double slash at the start of
 * each row piece of a shrunk gap. */
static void raster_gap_marks(const VmsLayout *l, const Colors *col, unsigned char *data, int stride,
                             int ox, int oy, Box clip) {
  if (!l->n_gaps)
    return;
  uint32_t v = pack(col->ink);
  uint64_t cols = (uint64_t)l->cols;
  int h = l->cell_h, d = h < 4 ? h : 4, wide = h >= 8;
  int off[ROW_PITCH_MAX];
  for (int j = 0; j < h; j++)
    off[j] = h > 1 ? (h - 1 - j) * d / (h - 1) : 0;
  for (size_t i = 0; i < l->n_segs; i++) {
    const VmsSegment *g = &l->segs[i];
    if (!g->gap)
      continue;
    for (uint64_t p = g->pix; p < g->pix + g->npix;) {
      uint64_t r = p / cols,
               e = (r + 1) * cols < g->pix + g->npix ? (r + 1) * cols : g->pix + g->npix;
      int x = ox + l->map_x + (int)(p - r * cols) + 2, y = oy + l->map_y + (int)r * l->row_h;
      uint64_t width = e - p;
      p = e;
      if (width < 6 || y >= clip.y1 || y + h <= clip.y0)
        continue;
      bool inside = x >= clip.x0 && x + d + 4 + 2 <= clip.x1 && y >= clip.y0 && y + h <= clip.y1;
      for (int j = 0; j < h; j++) {
        int sy = y + j;
        if (!inside && (sy < clip.y0 || sy >= clip.y1))
          continue;
        uint32_t *dst = (uint32_t *)(data + (size_t)sy * (size_t)stride);
        for (int k = 0; k < 2; k++) {
          int sx = x + k * 4 + off[j];
          for (int w = 0; w <= wide; w++)
            if (inside || (sx + w >= clip.x0 && sx + w < clip.x1))
              dst[sx + w] = v;
        }
      }
    }
  }
}

/* ---- The residency view ---- */

/* The part [a, b) of region g within [lo, hi) whose page states the view
 * shows: a mapped region that pm covers whole there. */
static bool shown_part(const VmsRegion *g, const VmsPageMap *pm, uint64_t lo, uint64_t hi,
                       uint64_t *a, uint64_t *b) {
  if (g->type == VMS_TYPE_FREE || g->type == VMS_TYPE_UNUSABLE)
    return false;
  *a = g->start > lo ? g->start : lo;
  *b = g->end < hi ? g->end : hi;
  return *a < *b && vms_page_map_covers(pm, *a, *b);
}

bool vms_render_page_state(const VmsSnapshot *snap, const VmsPageMap *pages, uint64_t addr,
                           VmsPageState *state) {
  size_t i = snap && pages ? vms_snapshot_find(snap, addr) : SIZE_MAX;
  uint64_t a, b;
  if (i == SIZE_MAX || !shown_part(&snap->regions[i], pages, pages->start, pages->end, &a, &b) ||
      addr < a || addr >= b)
    return false;
  size_t k = vms_page_map_lower_bound(pages, addr);
  if (k >= pages->n_runs || pages->runs[k].start > addr ||
      pages->runs[k].state >= VMS_PAGE_STATE_COUNT)
    return false;
  *state = (VmsPageState)pages->runs[k].state;
  return true;
}

void vms_render_page_bytes(const VmsSnapshot *snap, const VmsPageMap *pages, uint64_t lo,
                           uint64_t hi, uint64_t bytes[VMS_PAGE_STATE_COUNT], size_t *unread) {
  for (int s = 0; s < VMS_PAGE_STATE_COUNT; s++)
    bytes[s] = 0;
  *unread = 0;
  if (!snap || !pages)
    return;
  if (lo < pages->start)
    lo = pages->start;
  if (hi > pages->end)
    hi = pages->end;
  for (size_t i = vms_snapshot_lower_bound(snap, lo); i < snap->n_regions; i++) {
    const VmsRegion *g = &snap->regions[i];
    if (g->start >= hi)
      break;
    uint64_t a, b;
    if (!shown_part(g, pages, lo, hi, &a, &b)) {
      if (g->type != VMS_TYPE_FREE && g->type != VMS_TYPE_UNUSABLE && g->end > lo)
        (*unread)++;
      continue;
    }
    for (size_t k = vms_page_map_lower_bound(pages, a);
         k < pages->n_runs && pages->runs[k].start < b; k++) {
      const VmsPageRun *r = &pages->runs[k];
      uint64_t ra = r->start > a ? r->start : a, rb = r->end < b ? r->end : b;
      if (r->state < VMS_PAGE_STATE_COUNT && rb > ra)
        bytes[r->state] += rb - ra;
    }
  }
}

/* Marks every pixel that pages of a covered region fall in with the most
 * important state among them (rank + 1, 0 for none), into st (npix). */
static void page_pixels(const VmsLayout *l, const VmsSnapshot *snap, const VmsPageMap *pm,
                        uint8_t *st) {
  uint64_t lo = l->start > pm->start ? l->start : pm->start;
  uint64_t hi = l->end < pm->end ? l->end : pm->end;
  for (size_t i = vms_snapshot_lower_bound(snap, lo); i < snap->n_regions; i++) {
    const VmsRegion *g = &snap->regions[i];
    if (g->start >= hi)
      break;
    uint64_t a, b;
    if (!shown_part(g, pm, lo, hi, &a, &b))
      continue; /* free, changed since the walk, or not read: its type's colour */
    for (size_t k = vms_page_map_lower_bound(pm, a); k < pm->n_runs && pm->runs[k].start < b; k++) {
      const VmsPageRun *r = &pm->runs[k];
      uint64_t ra = r->start > a ? r->start : a, rb = r->end < b ? r->end : b;
      uint64_t p0 = vms_layout_pixel_of(l, ra), p1 = vms_layout_pixel_of(l, rb - 1);
      if (p0 == UINT64_MAX || p1 == UINT64_MAX)
        continue;
      uint8_t v = (uint8_t)(vms_page_state_rank((VmsPageState)r->state));
      for (uint64_t p = p0; p <= p1; p++)
        if (st[p] < v)
          st[p] = v;
    }
  }
}

/* Writes the page states over the map's cells that clip holds. */
static void raster_pages(const VmsLayout *l, const VmsSnapshot *snap, const VmsPageMap *pm,
                         unsigned char *data, int stride, int ox, int oy, Box clip) {
  if (!pm || !pm->n_runs || !l->npix)
    return;
  uint8_t *st = calloc((size_t)l->npix, 1);
  if (!st)
    return; /* a view drawn without states, never wrong ones */
  page_pixels(l, snap, pm, st);
  uint32_t color[VMS_PAGE_STATE_COUNT + 1] = {0};
  for (int s = 0; s < VMS_PAGE_STATE_COUNT; s++)
    color[vms_page_state_rank((VmsPageState)s)] = pack(vms_page_state_rgb[s]);
  int mx = ox + l->map_x, map_top = oy + l->map_y;
  int c_lo = clip.x0 - mx < 0 ? 0 : clip.x0 - mx,
      c_hi = clip.x1 - mx > l->cols ? l->cols : clip.x1 - mx;
  for (int sy = clip.y0 > map_top ? clip.y0 : map_top; sy < clip.y1; sy++) {
    int r = (sy - map_top) / l->row_h, j = (sy - map_top) % l->row_h;
    if (r >= l->rows)
      break;
    if (j >= l->cell_h)
      continue;
    uint32_t *line = (uint32_t *)(data + (size_t)sy * (size_t)stride) + mx;
    uint64_t k0 = (uint64_t)r * (uint64_t)l->cols;
    for (int c = c_lo; c < c_hi && k0 + (uint64_t)c < l->npix; c++) {
      uint8_t v = st[k0 + (uint64_t)c];
      if (v)
        line[c] = color[v];
    }
  }
  free(st);
}

/* Can the map be written straight into cr's target? Then sets the image
 * surface, the box origin in its pixels and the clipped box. */
static bool direct_target(cairo_t *cr, const VmsLayout *l, cairo_surface_t **img, int *ox, int *oy,
                          Box *box) {
  cairo_surface_t *t = cairo_get_group_target(cr);
  if (!t || cairo_surface_get_type(t) != CAIRO_SURFACE_TYPE_IMAGE)
    return false;
  cairo_format_t f = cairo_image_surface_get_format(t);
  if (f != CAIRO_FORMAT_ARGB32 && f != CAIRO_FORMAT_RGB24)
    return false;
  double sx, sy, dx, dy;
  cairo_surface_get_device_scale(t, &sx, &sy);
  if (sx != 1 || sy != 1)
    return false;
  cairo_matrix_t m;
  cairo_get_matrix(cr, &m);
  if (m.xx != 1 || m.yy != 1 || m.xy != 0 || m.yx != 0)
    return false;
  cairo_surface_get_device_offset(t, &dx, &dy);
  double fx = m.x0 + dx, fy = m.y0 + dy;
  if (fx != floor(fx) || fy != floor(fy))
    return false;
  *ox = (int)fx;
  *oy = (int)fy;
  Box b = {*ox, *oy, *ox + l->width, *oy + l->height};
  int w = cairo_image_surface_get_width(t), h = cairo_image_surface_get_height(t);
  if (b.x0 < 0)
    b.x0 = 0;
  if (b.y0 < 0)
    b.y0 = 0;
  if (b.x1 > w)
    b.x1 = w;
  if (b.y1 > h)
    b.y1 = h;
  cairo_rectangle_list_t *rl = cairo_copy_clip_rectangle_list(cr);
  bool ok = rl->status == CAIRO_STATUS_SUCCESS && rl->num_rectangles <= 1;
  if (ok && rl->num_rectangles == 1) {
    cairo_rectangle_t *c = &rl->rectangles[0];
    int cx0 = (int)lround(c->x + fx), cy0 = (int)lround(c->y + fy);
    int cx1 = (int)lround(c->x + c->width + fx), cy1 = (int)lround(c->y + c->height + fy);
    if (cx0 > b.x0)
      b.x0 = cx0;
    if (cy0 > b.y0)
      b.y0 = cy0;
    if (cx1 < b.x1)
      b.x1 = cx1;
    if (cy1 < b.y1)
      b.y1 = cy1;
  } else if (ok) {
    b.x1 = b.x0; /* an empty clip: nothing to draw */
  }
  cairo_rectangle_list_destroy(rl);
  if (!ok)
    return false;
  *img = t;
  *box = b;
  return true;
}

/* ---- Vector output: one path and one fill per class ---- */

static void add_span_rects(cairo_t *cr, const VmsLayout *l, uint64_t p0, uint64_t p1) {
  uint64_t cols = (uint64_t)l->cols;
  while (p0 < p1) {
    uint64_t r = p0 / cols, row_end = (r + 1) * cols, e = p1 < row_end ? p1 : row_end;
    cairo_rectangle(cr, l->map_x + (double)(p0 - r * cols), l->map_y + (double)r * l->row_h,
                    (double)(e - p0), l->cell_h);
    p0 = e;
  }
}

static cairo_pattern_t *hatch_pattern(const uint8_t c[3]) {
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 4, 4);
  unsigned char *d = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s);
  cairo_surface_flush(s);
  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 4; x++)
      ((uint32_t *)(d + y * stride))[x] = ((x + y) & 3) ? 0 : pack(c);
  cairo_surface_mark_dirty(s);
  cairo_pattern_t *p = cairo_pattern_create_for_surface(s);
  cairo_surface_destroy(s);
  cairo_pattern_set_extend(p, CAIRO_EXTEND_REPEAT);
  cairo_pattern_set_filter(p, CAIRO_FILTER_NEAREST);
  return p;
}

/* The residency view on a vector surface: one path and one fill per page
 * state, over the types' fills, pixel for pixel what rasterising draws. */
static void draw_vector_pages(cairo_t *cr, const VmsLayout *l, const VmsSnapshot *snap,
                              const VmsPageMap *pm) {
  if (!pm || !pm->n_runs || !l->npix)
    return;
  uint8_t *st = calloc((size_t)l->npix, 1);
  if (!st)
    return; /* a map drawn without states, never wrong ones */
  page_pixels(l, snap, pm, st);
  cairo_save(cr);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
  for (int s = 0; s < VMS_PAGE_STATE_COUNT; s++) {
    uint8_t v = (uint8_t)vms_page_state_rank((VmsPageState)s);
    bool any = false;
    for (uint64_t p = 0; p < l->npix;) {
      if (st[p] != v) {
        p++;
        continue;
      }
      uint64_t e = p + 1;
      while (e < l->npix && st[e] == v)
        e++;
      add_span_rects(cr, l, p, e);
      any = true;
      p = e;
    }
    if (any) {
      set_rgb(cr, vms_page_state_rgb[s]);
      cairo_fill(cr);
    }
  }
  cairo_restore(cr);
  free(st);
}

static void draw_vector(cairo_t *cr, const VmsLayout *l, const Colors *col) {
  cairo_save(cr);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
  set_rgb(cr, col->bg);
  cairo_rectangle(cr, 0, 0, l->width, l->height);
  cairo_fill(cr);
  bool present[VMS_CLS_COUNT] = {false};
  for (size_t s = 0; s < l->n_spans; s++)
    present[l->spans[s].cls] = true;
  for (int c = 0; c < VMS_CLS_BG + 2; c++) {
    if (c == VMS_CLS_BG || !present[c])
      continue;
    for (size_t s = 0; s < l->n_spans; s++)
      if (l->spans[s].cls == c)
        add_span_rects(cr, l, l->spans[s].p0, l->spans[s].p1);
    if (c == VMS_CLS_GAP) {
      set_rgb(cr, col->free);
      cairo_fill(cr);
    } else if (c & 1) {
      const uint8_t *hue = hue_of(c / 2, col);
      uint8_t light[3] = {vms_palette_tint(hue[0]), vms_palette_tint(hue[1]),
                          vms_palette_tint(hue[2])};
      set_rgb(cr, light);
      cairo_fill_preserve(cr);
      cairo_pattern_t *p = hatch_pattern(hue);
      cairo_set_source(cr, p);
      cairo_fill(cr);
      cairo_pattern_destroy(p);
    } else {
      set_rgb(cr, hue_of(c / 2, col));
      cairo_fill(cr);
    }
  }
  cairo_restore(cr);
}

/* ---- Overlays: labels, break marks, selection, change marks ---- */

static void draw_labels(cairo_t *cr, const VmsLayout *l, const Colors *col, double clip_y0,
                        double clip_y1) {
  if (!l->label_every || l->map_x <= 0)
    return;
  cairo_save(cr);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, VMS_LABEL_FONT_SIZE);
  set_rgb(cr, col->ink);
  char buf[32];
  for (int r = 0; r < l->rows; r += l->label_every) {
    double y = l->map_y + (double)r * l->row_h;
    double base = l->row_h >= 11 ? y + (l->cell_h + 7) / 2.0 : y + 9;
    if (base < clip_y0 || base - 10 > clip_y1 || base > l->height)
      continue;
    snprintf(buf, sizeof buf, "%0*" PRIx64, l->label_digits,
             vms_layout_addr_of_pixel(l, (uint64_t)r * (uint64_t)l->cols));
    cairo_move_to(cr, 3, base);
    cairo_show_text(cr, buf);
  }
  cairo_restore(cr);
}

/* Break marks (unless already in the pixels) and, where a piece has room,
 * the gap's size. */
static void draw_gap_marks(cairo_t *cr, const VmsLayout *l, const Colors *col, bool marks_drawn) {
  if (!l->n_gaps || (marks_drawn && l->cell_h < 8))
    return;
  cairo_save(cr);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  double fs = l->cell_h - 2 < 10 ? l->cell_h - 2 : 10;
  cairo_set_font_size(cr, fs > 1 ? fs : 1);
  cairo_set_line_width(cr, 1.5);
  set_rgb(cr, col->ink);
  uint64_t cols = (uint64_t)l->cols;
  double h = l->cell_h;
  for (size_t i = 0; i < l->n_segs; i++) {
    const VmsSegment *g = &l->segs[i];
    if (!g->gap)
      continue;
    for (uint64_t p = g->pix; p < g->pix + g->npix;) {
      uint64_t r = p / cols,
               e = (r + 1) * cols < g->pix + g->npix ? (r + 1) * cols : g->pix + g->npix;
      double x = l->map_x + (double)(p - r * cols), y = l->map_y + (double)r * l->row_h,
             w = (double)(e - p);
      if (w >= 6 && !marks_drawn) {
        for (int k = 0; k < 2; k++) {
          double bx = x + 2 + k * 4;
          cairo_move_to(cr, bx, y + h);
          cairo_line_to(cr, bx + (h < 4 ? h : 4), y);
        }
      }
      if (h >= 8 && w >= 40) {
        char size[32];
        vms_size_format_short(g->end - g->addr, size, sizeof size);
        cairo_text_extents_t te;
        cairo_text_extents(cr, size, &te);
        if (w >= te.x_advance + 14) {
          cairo_stroke(cr);
          cairo_move_to(cr, x + 11, y + (h + fs * 0.7) / 2);
          cairo_show_text(cr, size);
          cairo_new_path(cr);
        }
      }
      p = e;
    }
  }
  cairo_stroke(cr);
  cairo_restore(cr);
}

/* The outline of pixels [k0, k1) wrapped into rows: at most eight corners. */
static void trace_pixels(cairo_t *cr, const VmsLayout *l, uint64_t k0, uint64_t k1) {
  uint64_t C = (uint64_t)l->cols;
  if (k1 <= k0)
    return;
  uint64_t r0 = k0 / C, c0 = k0 % C, r1 = (k1 - 1) / C, c1 = (k1 - 1) % C + 1;
  double X = l->map_x, Y = l->map_y, RH = l->row_h, CH = l->cell_h;
  if (r0 == r1) {
    cairo_rectangle(cr, X + (double)c0, Y + (double)r0 * RH, (double)(c1 - c0), CH);
  } else if (r1 == r0 + 1 && c1 <= c0) {
    cairo_rectangle(cr, X + (double)c0, Y + (double)r0 * RH, (double)(C - c0), CH);
    cairo_rectangle(cr, X, Y + (double)r1 * RH, (double)c1, CH);
  } else {
    double top0 = Y + (double)r0 * RH, top1 = Y + (double)(r0 + 1) * RH, topl = Y + (double)r1 * RH;
    cairo_move_to(cr, X + (double)c0, top0);
    cairo_line_to(cr, X + (double)C, top0);
    cairo_line_to(cr, X + (double)C, topl);
    cairo_line_to(cr, X + (double)c1, topl);
    cairo_line_to(cr, X + (double)c1, topl + CH);
    cairo_line_to(cr, X, topl + CH);
    cairo_line_to(cr, X, top1);
    cairo_line_to(cr, X + (double)c0, top1);
    cairo_close_path(cr);
  }
}

static bool range_pixels(const VmsLayout *l, uint64_t a, uint64_t b, uint64_t *k0, uint64_t *k1) {
  if (a < l->start)
    a = l->start;
  if (b > l->end)
    b = l->end;
  if (a >= b)
    return false;
  *k0 = vms_layout_pixel_of(l, a);
  *k1 = vms_layout_pixel_of(l, b - 1) + 1;
  return true;
}

static void draw_selection(cairo_t *cr, const VmsSnapshot *snap, const VmsLayout *l) {
  if (l->selected_start == UINT64_MAX)
    return;
  size_t i = vms_snapshot_find(snap, l->selected_start);
  uint64_t k0, k1;
  if (i == SIZE_MAX || !range_pixels(l, snap->regions[i].start, snap->regions[i].end, &k0, &k1))
    return;
  cairo_save(cr);
  trace_pixels(cr, l, k0, k1);
  /* Black inside white, so the outline shows on every colour. */
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_set_line_width(cr, 4);
  cairo_stroke_preserve(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 2);
  cairo_stroke(cr);
  cairo_restore(cr);
}

/* New: solid outline; grown: long dashes; shrunk: dots; gone: outline and a
 * dark veil. Black on white, so the marks do not compete with the palette. */
static void draw_changes(cairo_t *cr, const VmsLayout *l, const VmsRenderExtras *ex) {
  if (!ex || !ex->changes || !ex->n_changes || ex->change_alpha <= 0)
    return;
  double alpha = ex->change_alpha > 1 ? 1 : ex->change_alpha;
  static const double long_dash[] = {6, 3}, dots[] = {2, 2};
  cairo_save(cr);
  for (size_t i = 0; i < ex->n_changes; i++) {
    const VmsChange *c = &ex->changes[i];
    uint64_t k0, k1;
    if (!range_pixels(l, c->start, c->end, &k0, &k1))
      continue;
    cairo_new_path(cr);
    trace_pixels(cr, l, k0, k1);
    if (c->kind == VMS_CHANGE_GONE) {
      cairo_set_source_rgba(cr, 0, 0, 0, 0.35 * alpha);
      cairo_fill_preserve(cr);
    }
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_source_rgba(cr, 1, 1, 1, alpha);
    cairo_set_line_width(cr, 3);
    cairo_stroke_preserve(cr);
    if (c->kind == VMS_CHANGE_GROWN)
      cairo_set_dash(cr, long_dash, 2, 0);
    else if (c->kind == VMS_CHANGE_SHRUNK)
      cairo_set_dash(cr, dots, 2, 0);
    cairo_set_source_rgba(cr, 0, 0, 0, alpha);
    cairo_set_line_width(cr, 1.5);
    cairo_stroke(cr);
  }
  cairo_restore(cr);
}

static void draw_overlays(cairo_t *cr, const VmsSnapshot *snap, const VmsLayout *l,
                          const VmsRenderExtras *ex, const Colors *col, bool rastered) {
  double x0, y0, x1, y1;
  cairo_clip_extents(cr, &x0, &y0, &x1, &y1);
  if (!rastered)
    draw_labels(cr, l, col, y0, y1);
  draw_gap_marks(cr, l, col, rastered);
  draw_changes(cr, l, ex);
  draw_selection(cr, snap, l);
}

void vms_render_map(cairo_t *cr, const VmsSnapshot *snap, const VmsLayout *layout,
                    const VmsRenderExtras *extras) {
  if (!cr || !snap || !layout)
    return;
  Colors col;
  resolve_colors(extras, &col);
  cairo_surface_t *img;
  int ox, oy;
  Box box;
  if (direct_target(cr, layout, &img, &ox, &oy, &box)) {
    if (box.x1 > box.x0 && box.y1 > box.y0) {
      cairo_surface_flush(img);
      unsigned char *data = cairo_image_surface_get_data(img);
      int stride = cairo_image_surface_get_stride(img);
      rasterise(layout, &col, data, stride, ox, oy, box);
      raster_labels(layout, &col, data, stride, ox, oy, box);
      raster_gap_marks(layout, &col, data, stride, ox, oy, box);
      raster_pages(layout, snap, extras ? extras->pages : NULL, data, stride, ox, oy, box);
      cairo_surface_mark_dirty_rectangle(img, box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
      draw_overlays(cr, snap, layout, extras, &col, true);
    }
    return;
  }
  cairo_surface_type_t type = cairo_surface_get_type(cairo_get_target(cr));
  if (type == CAIRO_SURFACE_TYPE_SVG || type == CAIRO_SURFACE_TYPE_PDF ||
      type == CAIRO_SURFACE_TYPE_PS || type == CAIRO_SURFACE_TYPE_RECORDING ||
      type == CAIRO_SURFACE_TYPE_SCRIPT) {
    draw_vector(cr, layout, &col);
    draw_vector_pages(cr, layout, snap, extras ? extras->pages : NULL);
    draw_overlays(cr, snap, layout, extras, &col, false);
    return;
  }
  /* A window's surface, or a transformed context: rasterise, then paint. */
  cairo_surface_t *tmp =
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, layout->width, layout->height);
  if (cairo_surface_status(tmp) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(tmp);
    draw_vector(cr, layout, &col);
    draw_vector_pages(cr, layout, snap, extras ? extras->pages : NULL);
    draw_overlays(cr, snap, layout, extras, &col, false);
    return;
  }
  cairo_t *tcr = cairo_create(tmp);
  vms_render_map(tcr, snap, layout, extras);
  cairo_destroy(tcr);
  cairo_save(cr);
  cairo_set_source_surface(cr, tmp, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_rectangle(cr, 0, 0, layout->width, layout->height);
  cairo_fill(cr);
  cairo_restore(cr);
  cairo_surface_destroy(tmp);
}
