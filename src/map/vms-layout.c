/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-layout.c: the map's geometry: address <-> pixel, linear and gap-compressed, and its spans. */
#include <cairo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vms-layout-private.h"
#include "vms-palette.h"

/* Row pitch bounds: rows thinner than 4 px read as noise, rows taller than
 * 32 px waste the picture when zoomed in to a few pages. */
enum { ROW_MIN = 4, ROW_MAX = ROW_PITCH_MAX, SEPARATOR_FROM = 6, LABEL_PX = 13, GAP_PX = 56 };
#define GAP_MIN_BYTES (64ull << 20)

static uint64_t ceil_div(uint64_t a, uint64_t b) {
  return a / b + (a % b != 0);
}

static uint64_t round_up(uint64_t a, uint64_t m) {
  uint64_t r = ceil_div(a, m);
  return r > UINT64_MAX / m ? UINT64_MAX / m * m : r * m;
}

static uint64_t page_of(const VmsSnapshot *snap) {
  return snap->page_size >= 512 && (snap->page_size & (snap->page_size - 1)) == 0 ? snap->page_size
                                                                                  : 4096;
}

/* Hex digits a row label needs for addresses below end. */
static int digits_for(uint64_t end, int bits) {
  int d = bits == 32 ? 8 : 12;
  while (d < 16 && (end - 1) >> (d * 4))
    d++;
  return d;
}

/* Free regions of the view of at least threshold bytes, clipped to it. */
static size_t collect_gaps(const VmsSnapshot *snap, uint64_t lo, uint64_t hi, uint64_t threshold,
                           VmsRange *out) {
  size_t n = 0;
  for (size_t i = vms_snapshot_lower_bound(snap, lo); i < snap->n_regions; i++) {
    const VmsRegion *r = &snap->regions[i];
    if (r->start >= hi)
      break;
    if (r->type != VMS_TYPE_FREE)
      continue;
    uint64_t a = r->start > lo ? r->start : lo, b = r->end < hi ? r->end : hi;
    if (b - a >= threshold) {
      if (out)
        out[n] = (VmsRange){a, b};
      n++;
    }
  }
  return n;
}

/* The k-th largest of v[0..n) (k < n), reordering v: quickselect, since
 * sorting 65,000 gap sizes would cost more than the rest of the layout. */
static uint64_t kth_largest(uint64_t *v, size_t n, size_t k) {
  size_t lo = 0, hi = n - 1;
  while (lo < hi) {
    uint64_t pivot = v[lo + (hi - lo) / 2];
    size_t i = lo, j = hi;
    while (i <= j) {
      while (v[i] > pivot)
        i++;
      while (v[j] < pivot)
        j--;
      if (i <= j) {
        uint64_t t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        if (j == 0)
          break;
        j--;
      }
    }
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      return v[k];
  }
  return v[k];
}

/* Pixels the compressed layout needs at bpp: each non-gap stretch rounded
 * up to whole pixels, each gap gap_px. */
static uint64_t compressed_need(const VmsRange *gaps, size_t n, uint64_t lo, uint64_t hi,
                                uint64_t bpp, int gap_px) {
  uint64_t need = (uint64_t)n * (uint64_t)gap_px, at = lo;
  for (size_t i = 0; i < n; i++) {
    if (gaps[i].start > at)
      need += ceil_div(gaps[i].start - at, bpp);
    at = gaps[i].end;
  }
  if (hi > at)
    need += ceil_div(hi - at, bpp);
  return need;
}

static bool push_seg(VmsLayout *l, size_t *cap, VmsSegment s) {
  if (l->n_segs == *cap) {
    size_t nc = *cap ? *cap * 2 : 8;
    VmsSegment *ns = realloc(l->segs, nc * sizeof *ns);
    if (!ns)
      return false;
    l->segs = ns;
    *cap = nc;
  }
  l->segs[l->n_segs++] = s;
  return true;
}

/* Between two regions of one type, committed wins over reserved. */
static int cls_rank(uint8_t cls) {
  if (cls >= VMS_CLS_BG)
    return -1;
  return vms_type_rank((VmsRegionType)(cls / 2)) * 2 + !(cls & 1);
}

static uint8_t cls_of(const VmsRegion *r) {
  unsigned t = r->type < VMS_TYPE_COUNT ? r->type : VMS_TYPE_PRIVATE;
  return (uint8_t)(t * 2 + (r->state == VMS_STATE_RESERVED && t != VMS_TYPE_FREE));
}

typedef struct {
  VmsLayout *l;
  size_t cap;
  bool oom;
} SpanBuilder;

static void span_push(SpanBuilder *b, uint64_t p0, uint64_t p1, uint8_t cls) {
  VmsLayout *l = b->l;
  if (l->n_spans) {
    VmsSpan *last = &l->spans[l->n_spans - 1];
    if (last->cls == cls && last->p1 == p0) {
      last->p1 = p1;
      return;
    }
  }
  if (l->n_spans == b->cap) {
    size_t nc = b->cap ? b->cap * 2 : 64;
    VmsSpan *ns = realloc(l->spans, nc * sizeof *ns);
    if (!ns) {
      b->oom = true;
      return;
    }
    l->spans = ns;
    b->cap = nc;
  }
  l->spans[l->n_spans++] = (VmsSpan){p0, p1, cls};
}

/* Adds pixels [k0, k1) of class cls after the spans so far. Regions arrive in
 * address order, so a new one shares at most its first pixel with the last
 * span; that pixel goes to the more important class. */
static void span_emit(SpanBuilder *b, uint64_t k0, uint64_t k1, uint8_t cls) {
  VmsLayout *l = b->l;
  uint64_t at = l->n_spans ? l->spans[l->n_spans - 1].p1 : 0;
  if (k0 > at)
    span_push(b, at, k0, VMS_CLS_BG);
  else if (k0 < at) {
    VmsSpan *last = &l->spans[l->n_spans - 1];
    if (cls_rank(cls) > cls_rank(last->cls)) {
      last->p1 = k0;
      if (last->p1 == last->p0)
        l->n_spans--;
    } else {
      k0 = at;
      if (k0 >= k1)
        return;
    }
  }
  span_push(b, k0, k1, cls);
}

static bool build_spans(VmsLayout *l, const VmsSnapshot *snap) {
  SpanBuilder b = {l, 0, false};
  for (size_t s = 0; s < l->n_segs && !b.oom; s++) {
    const VmsSegment *g = &l->segs[s];
    if (g->gap) {
      span_emit(&b, g->pix, g->pix + g->npix, VMS_CLS_GAP);
      continue;
    }
    for (size_t i = vms_snapshot_lower_bound(snap, g->addr); i < snap->n_regions && !b.oom; i++) {
      const VmsRegion *r = &snap->regions[i];
      if (r->start >= g->end)
        break;
      uint64_t a = r->start > g->addr ? r->start : g->addr, e = r->end < g->end ? r->end : g->end;
      if (a >= e)
        continue;
      span_emit(&b, g->pix + (a - g->addr) / l->bpp, g->pix + (e - 1 - g->addr) / l->bpp + 1,
                cls_of(r));
    }
    uint64_t seg_end = g->pix + g->npix;
    if (!b.oom && (!l->n_spans || l->spans[l->n_spans - 1].p1 < seg_end))
      span_emit(&b, seg_end, seg_end, VMS_CLS_BG); /* a hole at the end of the data */
  }
  return !b.oom;
}

static bool is_reserved(uint8_t cls) {
  return cls < VMS_CLS_BG && (cls & 1);
}

/* The per-pixel classes, the hatch lists and the first span of each row,
 * from the spans. */
static bool build_pixels(VmsLayout *l) {
  uint64_t cols = (uint64_t)l->cols;
  size_t nlists = (size_t)l->rows * 4;
  l->pcls = malloc(l->npix ? l->npix : 1);
  l->row_hatch = calloc(nlists + 1, sizeof *l->row_hatch);
  if (!l->pcls || !l->row_hatch)
    return false;
  /* Count, then place: each reserved pixel is in exactly one list. */
  for (size_t s = 0; s < l->n_spans; s++) {
    const VmsSpan *sp = &l->spans[s];
    memset(l->pcls + sp->p0, sp->cls, (size_t)(sp->p1 - sp->p0));
    if (!is_reserved(sp->cls))
      continue;
    for (uint64_t k = sp->p0; k < sp->p1; k++)
      l->row_hatch[(k / cols) * 4 + (((uint64_t)l->map_x + k % cols) & 3) + 1]++;
  }
  for (size_t i = 0; i < nlists; i++)
    l->row_hatch[i + 1] += l->row_hatch[i];
  l->n_hatch = l->row_hatch[nlists];
  l->hatch = malloc((l->n_hatch ? l->n_hatch : 1) * sizeof *l->hatch);
  size_t *fill = malloc((nlists ? nlists : 1) * sizeof *fill);
  if (!l->hatch || !fill) {
    free(fill);
    return false;
  }
  memcpy(fill, l->row_hatch, nlists * sizeof *fill);
  for (size_t s = 0; s < l->n_spans; s++) {
    const VmsSpan *sp = &l->spans[s];
    if (!is_reserved(sp->cls))
      continue;
    for (uint64_t k = sp->p0; k < sp->p1; k++) {
      uint64_t x = k % cols;
      l->hatch[fill[(k / cols) * 4 + (((uint64_t)l->map_x + x) & 3)]++] = (uint16_t)x;
    }
  }
  free(fill);
  l->row_span = malloc(((size_t)l->rows + 1) * sizeof *l->row_span);
  if (!l->row_span)
    return false;
  size_t sp = 0;
  for (int r = 0; r <= l->rows; r++) {
    uint64_t k = (uint64_t)r * cols;
    while (sp < l->n_spans && l->spans[sp].p1 <= k)
      sp++;
    l->row_span[r] = sp;
  }
  return true;
}

/* Rows of npix pixels in cols x map_h: as tall as the box allows, within
 * the pitch bounds. */
static int row_pitch(uint64_t npix, int cols, int map_h, int row_min) {
  uint64_t rows = ceil_div(npix ? npix : 1, (uint64_t)cols);
  uint64_t rh = (uint64_t)map_h / rows;
  if (rh > ROW_MAX)
    rh = ROW_MAX;
  if (rh < (uint64_t)row_min)
    rh = (uint64_t)row_min;
  return (int)rh;
}

static int row_min_for(int map_h) {
  return map_h >= 16 * ROW_MIN ? ROW_MIN : 1;
}

/* Renders the 16 hex digits of the row labels once, as coverage, so a frame
 * blends them in any colour without text layout. False when out of memory. */
static bool build_glyphs(VmsLayout *l) {
  cairo_surface_t *probe = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
  cairo_t *cr = cairo_create(probe);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, VMS_LABEL_FONT_SIZE);
  cairo_font_extents_t fe;
  cairo_font_extents(cr, &fe);
  static const char digits[] = "0123456789abcdef";
  double adv = 0;
  for (int i = 0; i < 16; i++) {
    char s[2] = {digits[i], 0};
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    if (te.x_advance > adv)
      adv = te.x_advance;
  }
  cairo_destroy(cr);
  cairo_surface_destroy(probe);
  int gw = (int)ceil(adv), asc = (int)ceil(fe.ascent), gh = asc + (int)ceil(fe.descent);
  if (gw < 1 || gh < 1)
    return false;
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, 16 * gw, gh);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(s);
    return false;
  }
  cr = cairo_create(s);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, VMS_LABEL_FONT_SIZE);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int i = 0; i < 16; i++) {
    /* Centred in its cell: the digits are a fixed pitch, the letters narrower. */
    char t[2] = {digits[i], 0};
    cairo_text_extents_t te;
    cairo_text_extents(cr, t, &te);
    cairo_move_to(cr, i * gw + floor((gw - te.x_advance) / 2), asc);
    cairo_show_text(cr, t);
  }
  cairo_destroy(cr);
  cairo_surface_flush(s);
  l->glyphs = malloc((size_t)16 * (size_t)gw * (size_t)gh * sizeof *l->glyphs);
  if (l->glyphs) {
    const unsigned char *d = cairo_image_surface_get_data(s);
    int st = cairo_image_surface_get_stride(s);
    for (int y = 0; y < gh; y++)
      memcpy(l->glyphs + (size_t)y * 16 * (size_t)gw, d + (size_t)y * (size_t)st,
             (size_t)16 * (size_t)gw * sizeof *l->glyphs);
  }
  cairo_surface_destroy(s);
  l->glyph_w = gw;
  l->glyph_h = gh;
  l->glyph_ascent = asc;
  return l->glyphs != NULL;
}

/* The linear layout's geometry depends on the range's length alone, so zoom
 * can predict where an address will land before the layout exists. */
static void linear_geometry(uint64_t range, uint64_t page, int cols, int map_h, uint64_t *bpp,
                            uint64_t *npix, int *row_h) {
  int row_min = row_min_for(map_h);
  uint64_t pmax = (uint64_t)cols * (uint64_t)(map_h / row_min);
  *bpp = round_up(ceil_div(range, pmax), page);
  *npix = ceil_div(range, *bpp);
  *row_h = row_pitch(*npix, cols, map_h, row_min);
}

VmsLayout *vms_layout_new(const VmsSnapshot *snap, const VmsViewport *vp, int width, int height) {
  if (!snap || !vp || width <= 0 || height <= 0)
    return NULL;
  uint64_t page = page_of(snap);
  uint64_t start = vp->start / page * page;
  uint64_t end = vp->end > UINT64_MAX - page ? UINT64_MAX / page * page : round_up(vp->end, page);
  if (start >= end)
    return NULL;

  VmsLayout *l = calloc(1, sizeof *l);
  if (!l)
    return NULL;
  l->kind = vp->kind;
  l->width = width;
  l->height = height;
  l->start = start;
  l->page = page;
  l->end = end;
  l->selected_start = vp->selected_start;
  l->label_digits = digits_for(end, snap->bits);
  int gutter = 0;
  if (vp->show_labels) {
    if (!build_glyphs(l)) {
      free(l);
      return NULL;
    }
    gutter = l->label_digits * l->glyph_w + 6;
    if (gutter > width / 3)
      gutter = 0;
  }
  l->map_x = gutter;
  l->map_y = 0;
  l->cols = width - gutter;
  int map_h = height;
  int row_min = row_min_for(map_h);
  uint64_t pmax = (uint64_t)l->cols * (uint64_t)(map_h / row_min);
  uint64_t range = end - start;
  size_t seg_cap = 0;
  bool ok = true;

  if (vp->kind == VMS_LAYOUT_COMPRESSED) {
    /* Free gaps of at least 64 MiB shrink; when there are too many for half
     * the picture, only the largest ones do. */
    l->gap_px = l->cols >= 4 * GAP_PX ? GAP_PX : (l->cols / 4 > 2 ? l->cols / 4 : 2);
    uint64_t threshold = GAP_MIN_BYTES > page ? GAP_MIN_BYTES : page;
    size_t n = collect_gaps(snap, start, end, threshold, NULL);
    uint64_t max_gaps = pmax / 2 / (uint64_t)l->gap_px;
    if (n > max_gaps) {
      uint64_t *sizes = malloc((n ? n : 1) * sizeof *sizes);
      VmsRange *all = malloc((n ? n : 1) * sizeof *all);
      if (!sizes || !all) {
        free(sizes);
        free(all);
        vms_layout_free(l);
        return NULL;
      }
      collect_gaps(snap, start, end, threshold, all);
      for (size_t i = 0; i < n; i++)
        sizes[i] = all[i].end - all[i].start;
      /* Strictly above the first size left out, so ties do not overflow. */
      threshold = kth_largest(sizes, n, max_gaps) + 1;
      free(sizes);
      free(all);
      n = collect_gaps(snap, start, end, threshold, NULL);
    }
    VmsRange *gaps = malloc((n ? n : 1) * sizeof *gaps);
    if (!gaps) {
      vms_layout_free(l);
      return NULL;
    }
    collect_gaps(snap, start, end, threshold, gaps);
    l->gap_threshold = threshold;
    l->n_gaps = n;
    /* The smallest bpp (in pages) whose need fits; need falls as bpp grows. */
    uint64_t lo = 1, hi = ceil_div(range, page);
    while (lo < hi) {
      uint64_t mid = lo + (hi - lo) / 2;
      if (compressed_need(gaps, n, start, end, mid * page, l->gap_px) <= pmax)
        hi = mid;
      else
        lo = mid + 1;
    }
    l->bpp = lo * page;
    uint64_t at = start, pix = 0;
    for (size_t i = 0; i <= n && ok; i++) {
      uint64_t ge = i < n ? gaps[i].start : end;
      if (ge > at) {
        uint64_t np = ceil_div(ge - at, l->bpp);
        ok = push_seg(l, &seg_cap, (VmsSegment){pix, np, at, ge, false});
        pix += np;
      }
      if (i < n && ok) {
        ok = push_seg(l, &seg_cap,
                      (VmsSegment){pix, (uint64_t)l->gap_px, gaps[i].start, gaps[i].end, true});
        pix += (uint64_t)l->gap_px;
        at = gaps[i].end;
      }
    }
    l->npix = pix;
    free(gaps);
  } else {
    l->kind = VMS_LAYOUT_LINEAR;
    int rh;
    linear_geometry(range, page, l->cols, map_h, &l->bpp, &l->npix, &rh);
    ok = push_seg(l, &seg_cap, (VmsSegment){0, l->npix, start, end, false});
  }
  if (ok) {
    l->row_h = row_pitch(l->npix, l->cols, map_h, row_min);
    l->rows = (int)ceil_div(l->npix ? l->npix : 1, (uint64_t)l->cols);
    l->cell_h = l->row_h >= SEPARATOR_FROM ? l->row_h - 1 : l->row_h;
    if (vp->show_labels && gutter)
      l->label_every = (LABEL_PX + l->row_h - 1) / l->row_h;
    ok = build_spans(l, snap) && build_pixels(l);
  }
  if (!ok) {
    vms_layout_free(l);
    return NULL;
  }
  return l;
}

void vms_layout_free(VmsLayout *layout) {
  if (!layout)
    return;
  free(layout->segs);
  free(layout->spans);
  free(layout->pcls);
  free(layout->hatch);
  free(layout->row_hatch);
  free(layout->row_span);
  free(layout->glyphs);
  free(layout);
}

static size_t seg_by_pixel(const VmsLayout *l, uint64_t k) {
  size_t lo = 0, hi = l->n_segs;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (l->segs[mid].pix <= k)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

static size_t seg_by_addr(const VmsLayout *l, uint64_t a) {
  size_t lo = 0, hi = l->n_segs;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (l->segs[mid].addr <= a)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

size_t vms_layout_span_at(const VmsLayout *l, uint64_t k) {
  size_t lo = 0, hi = l->n_spans;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (l->spans[mid].p0 <= k)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

/* Bytes one pixel of a shrunk gap stands for (page-aligned, rounded up so
 * the gap's pixels cover it). */
static uint64_t gap_step(const VmsSegment *g, uint64_t page) {
  return round_up(ceil_div(g->end - g->addr, g->npix), page);
}

bool vms_layout_addr_at(const VmsLayout *l, double x, double y, uint64_t *addr) {
  if (!l)
    return false;
  double fx = x - l->map_x, fy = y - l->map_y;
  if (fx < 0 || fy < 0 || fx >= l->cols || fy >= (double)l->rows * l->row_h)
    return false;
  uint64_t k = (uint64_t)(fy / l->row_h) * (uint64_t)l->cols + (uint64_t)fx;
  if (k >= l->npix)
    return false;
  const VmsSegment *g = &l->segs[seg_by_pixel(l, k)];
  uint64_t step = g->gap ? gap_step(g, l->page) : l->bpp;
  uint64_t off = (k - g->pix) * step;
  uint64_t a = off >= g->end - g->addr ? g->end - 1 : g->addr + off;
  if (addr)
    *addr = a;
  return true;
}

uint64_t vms_layout_pixel_of(const VmsLayout *l, uint64_t addr) {
  if (!l || addr < l->start || addr >= l->end)
    return UINT64_MAX;
  const VmsSegment *g = &l->segs[seg_by_addr(l, addr)];
  uint64_t step = g->gap ? gap_step(g, l->page) : l->bpp;
  uint64_t k = (addr - g->addr) / step;
  if (k >= g->npix)
    k = g->npix - 1;
  return g->pix + k;
}

bool vms_layout_point_of(const VmsLayout *l, uint64_t addr, double *x, double *y) {
  uint64_t k = vms_layout_pixel_of(l, addr);
  if (k == UINT64_MAX)
    return false;
  if (x)
    *x = l->map_x + (double)(k % (uint64_t)l->cols);
  if (y)
    *y = l->map_y + (double)(k / (uint64_t)l->cols) * l->row_h;
  return true;
}

void vms_layout_set_selected(VmsLayout *l, uint64_t selected_start) {
  if (l)
    l->selected_start = selected_start;
}

uint64_t vms_layout_bytes_per_pixel(const VmsLayout *l) {
  return l && l->kind == VMS_LAYOUT_LINEAR ? l->bpp : 0;
}

void vms_layout_get_info(const VmsLayout *l, VmsLayoutInfo *info) {
  *info =
      (VmsLayoutInfo){l->kind, l->start, l->end, l->bpp, l->gap_threshold, l->n_gaps, l->gap_px};
}

/* ---- Viewports ---- */

static void space_of(const VmsSnapshot *snap, uint64_t *lo, uint64_t *hi) {
  *lo = snap->usable_lo;
  *hi = snap->usable_hi > snap->usable_lo ? snap->usable_hi : snap->usable_lo + page_of(snap);
}

VmsViewport vms_viewport_fit(const VmsSnapshot *snap, VmsLayoutKind kind) {
  VmsViewport vp = {kind, 0, 0, UINT64_MAX, true};
  space_of(snap, &vp.start, &vp.end);
  return vp;
}

/* Keeps [start, start + len) inside the space, page-aligned. */
static VmsViewport clamp_view(const VmsSnapshot *snap, const VmsViewport *vp, uint64_t start,
                              uint64_t len) {
  uint64_t lo, hi, page = page_of(snap);
  space_of(snap, &lo, &hi);
  VmsViewport out = *vp;
  if (len > hi - lo)
    len = hi - lo;
  len = round_up(len, page);
  if (len > hi - lo)
    len = hi - lo;
  if (start < lo)
    start = lo;
  if (start > hi - len)
    start = hi - len;
  start = start / page * page;
  if (start < lo)
    start = lo;
  out.start = start;
  out.end = start + len > hi ? hi : start + len;
  return out;
}

/* The first address of pixel k. */
uint64_t vms_layout_addr_of_pixel(const VmsLayout *l, uint64_t k) {
  uint64_t a = l->start;
  vms_layout_addr_at(l, l->map_x + (double)(k % (uint64_t)l->cols) + 0.5,
                     l->map_y + (double)(k / (uint64_t)l->cols) * l->row_h + 0.5, &a);
  return a;
}

VmsViewport vms_viewport_zoom(const VmsLayout *l, const VmsSnapshot *snap, const VmsViewport *vp,
                              double x, double y, double factor) {
  if (!l || !(factor > 0))
    return *vp;
  uint64_t page = page_of(snap), len = vp->end - vp->start, anchor;
  if (!vms_layout_addr_at(l, x, y, &anchor))
    anchor = vp->start + len / 2;
  /* One page per pixel over one full row is as far in as the map goes. */
  double min_len = (double)page * (l->cols > 0 ? l->cols : 1);
  double nlen = (double)len / factor;
  if (nlen < min_len)
    nlen = min_len;
  if (nlen > 18446744073709549568.0)
    nlen = 18446744073709549568.0;
  uint64_t nl = (uint64_t)nlen, s;
  if (l->kind == VMS_LAYOUT_LINEAR && x >= l->map_x && y >= l->map_y) {
    /* Put the anchor on the pixel under the pointer in the new geometry. */
    uint64_t lo, hi, bpp, npix;
    int rh;
    space_of(snap, &lo, &hi);
    if (nl > hi - lo)
      nl = hi - lo;
    linear_geometry(round_up(nl, page), page, l->cols, l->height - l->map_y, &bpp, &npix, &rh);
    uint64_t col = (uint64_t)(x - l->map_x), row = (uint64_t)((y - l->map_y) / rh);
    if (col >= (uint64_t)l->cols)
      col = (uint64_t)l->cols - 1;
    uint64_t k = row * (uint64_t)l->cols + col;
    if (k >= npix)
      k = npix - 1;
    uint64_t back = k > UINT64_MAX / bpp ? UINT64_MAX : k * bpp;
    s = anchor > back ? anchor - back : 0;
  } else if (l->kind == VMS_LAYOUT_COMPRESSED && factor > 1 && l->npix > 1 &&
             vms_layout_addr_at(l, x, y, &anchor)) {
    /* Shrunk gaps make bytes and pixels disagree, so zoom in on pixels:
     * the new view is what the pixels around the pointer cover, in the
     * same proportions left and right. */
    uint64_t k = vms_layout_pixel_of(l, anchor);
    double k0 = (double)k - (double)k / factor, k1 = (double)k + (double)(l->npix - k) / factor;
    uint64_t a = vms_layout_addr_of_pixel(l, (uint64_t)k0),
             b = k1 >= (double)l->npix ? l->end : vms_layout_addr_of_pixel(l, (uint64_t)k1);
    if (b <= anchor)
      b = anchor + page;
    s = a;
    nl = b - a;
    if ((double)nl < min_len) {
      s = anchor > (uint64_t)min_len / 2 ? anchor - (uint64_t)min_len / 2 : 0;
      nl = (uint64_t)min_len;
    }
  } else {
    /* The anchor keeps its share of the view's bytes. */
    double frac = (double)(anchor - vp->start) / (double)len;
    double nstart = (double)anchor - frac * nlen;
    s = nstart <= 0 ? 0 : (uint64_t)nstart;
  }
  return clamp_view(snap, vp, s, nl);
}

VmsViewport vms_viewport_pan(const VmsLayout *l, const VmsSnapshot *snap, const VmsViewport *vp,
                             double dx, double dy) {
  if (!l)
    return *vp;
  uint64_t len = vp->end - vp->start;
  /* Bytes per pixel of the whole view: exact for linear, the mean for compressed. */
  double per_px = l->npix ? (double)len / (double)l->npix : 0;
  double shift = -(dx + (dy / l->row_h) * l->cols) * per_px;
  double ns = (double)vp->start + shift;
  uint64_t s = ns <= 0 ? 0 : ns >= 18446744073709549568.0 ? UINT64_MAX : (uint64_t)ns;
  return clamp_view(snap, vp, s, len);
}
