/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-render.c: map frame times at 1,000 and 65,000 regions against the floor of writing every
 * pixel once.
 *
 * Prints figures and ratios measured in the same run on the same surface;
 * asserts nothing about speed. The first snapshots spread their regions
 * evenly over a 47-bit space, so that the full-map frame has work in every
 * row: the worst case. The others cluster them below the stack, as a real
 * process with many mappings does. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vms-layout-private.h"
#include "vms-render.h"

enum { W = 1920, H = 1080 };

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* Like a real process with many mappings: a program and its heap low, then
 * n mappings of 4 to 64 KiB packed below the stack, 4 to 64 KiB apart. */
/* A 64-bit snapshot over [lo, hi) holding the k regions at v. */
static VmsSnapshot *wrap_snapshot(const char *name, VmsRegion *v, size_t k, uint64_t lo,
                                  uint64_t hi, uint64_t page) {
  VmsSnapshot *s = calloc(1, sizeof *s);
  snprintf(s->name, sizeof s->name, "%s", name);
  s->bits = 64;
  s->usable_lo = lo;
  s->usable_hi = hi;
  s->page_size = page;
  s->regions = v;
  s->n_regions = k;
  return s;
}

static VmsSnapshot *make_clustered(size_t n) {
  const uint64_t lo = 0x10000, hi = 0x7ffffffff000ull, page = 4096;
  VmsRegion *v = calloc(2 * n + 8, sizeof *v);
  size_t k = 0;
  static const uint8_t types[] = {VMS_TYPE_IMAGE,   VMS_TYPE_MAPPED, VMS_TYPE_SHAREABLE,
                                  VMS_TYPE_HEAP,    VMS_TYPE_STACK,  VMS_TYPE_PRIVATE,
                                  VMS_TYPE_PRIVATE, VMS_TYPE_PRIVATE};
  v[k++] = (VmsRegion){
      .start = lo, .end = 0x555555554000ull, .type = VMS_TYPE_FREE, .state = VMS_STATE_FREE};
  v[k++] =
      (VmsRegion){.start = 0x555555554000ull, .end = 0x555555600000ull, .type = VMS_TYPE_IMAGE};
  v[k++] = (VmsRegion){.start = 0x555555600000ull, .end = 0x555556600000ull, .type = VMS_TYPE_HEAP};
  uint64_t at = 0x555556600000ull, top = 0x7f0000000000ull;
  for (size_t i = 0; i < n; i++) {
    uint64_t start = (i ? at : top) + (1 + next_rand() % 16) * page,
             len = (1 + next_rand() % 16) * page;
    v[k++] = (VmsRegion){.start = at, .end = start, .type = VMS_TYPE_FREE, .state = VMS_STATE_FREE};
    v[k++] = (VmsRegion){.start = start,
                         .end = start + len,
                         .type = types[next_rand() % 8],
                         .state = next_rand() % 5 == 0 ? VMS_STATE_RESERVED : VMS_STATE_COMMITTED};
    at = start + len;
  }
  v[k++] = (VmsRegion){
      .start = at, .end = 0x7ffffffde000ull, .type = VMS_TYPE_FREE, .state = VMS_STATE_FREE};
  v[k++] = (VmsRegion){.start = 0x7ffffffde000ull, .end = hi, .type = VMS_TYPE_STACK};
  return wrap_snapshot("bench-clustered", v, k, lo, hi, page);
}

static VmsSnapshot *make_snapshot(size_t n) {
  const uint64_t lo = 0x10000, hi = 0x7ffffffff000ull, page = 4096;
  uint64_t spacing = (hi - lo) / n / page * page;
  VmsRegion *v = calloc(2 * n + 2, sizeof *v);
  size_t k = 0;
  uint64_t at = lo;
  static const uint8_t types[] = {VMS_TYPE_IMAGE,   VMS_TYPE_MAPPED, VMS_TYPE_SHAREABLE,
                                  VMS_TYPE_HEAP,    VMS_TYPE_STACK,  VMS_TYPE_PRIVATE,
                                  VMS_TYPE_PRIVATE, VMS_TYPE_PRIVATE};
  for (size_t i = 0; i < n; i++) {
    uint64_t base = lo + i * spacing, len = (1 + next_rand() % (spacing / page / 2)) * page;
    uint64_t start = base + (next_rand() % (spacing / page / 4)) * page;
    if (start > at)
      v[k++] =
          (VmsRegion){.start = at, .end = start, .type = VMS_TYPE_FREE, .state = VMS_STATE_FREE};
    v[k++] = (VmsRegion){.start = start,
                         .end = start + len,
                         .type = types[next_rand() % 8],
                         .state = next_rand() % 5 == 0 ? VMS_STATE_RESERVED : VMS_STATE_COMMITTED};
    at = start + len;
  }
  if (hi > at)
    v[k++] = (VmsRegion){.start = at, .end = hi, .type = VMS_TYPE_FREE, .state = VMS_STATE_FREE};
  return wrap_snapshot("bench", v, k, lo, hi, page);
}

/* Seconds per call of fn: the best of 15 batches of about 20 ms each, so
 * that other work on a shared machine shows as little as it can. */
typedef void (*Frame)(void *ctx);
static double time_it(Frame fn, void *ctx) {
  fn(ctx); /* warm caches and the font */
  double t0 = vms_time_monotonic();
  fn(ctx);
  double one = vms_time_monotonic() - t0;
  int per_batch = one > 0 ? (int)(0.02 / one) : 1000;
  if (per_batch < 1)
    per_batch = 1;
  if (per_batch > 1000)
    per_batch = 1000;
  double best = 1e9;
  for (int b = 0; b < 15; b++) {
    t0 = vms_time_monotonic();
    for (int i = 0; i < per_batch; i++)
      fn(ctx);
    double t = (vms_time_monotonic() - t0) / per_batch;
    if (t < best)
      best = t;
  }
  return best;
}

typedef struct {
  cairo_surface_t *img;
  cairo_t *cr;
  const VmsSnapshot *snap;
  const VmsLayout *layout;
  const VmsViewport *vp;
} Ctx;

static void layout_only(void *p) {
  Ctx *c = p;
  vms_layout_free(vms_layout_new(c->snap, c->vp, W, H));
}

static void frame(void *p) {
  Ctx *c = p;
  vms_render_map(c->cr, c->snap, c->layout, NULL);
}

/* The floor: every pixel of the same surface written once. */
static void floor_fill(void *p) {
  Ctx *c = p;
  cairo_surface_flush(c->img);
  unsigned char *d = cairo_image_surface_get_data(c->img);
  int stride = cairo_image_surface_get_stride(c->img);
  static uint32_t v = 0xFF000000u;
  v ^= 0x00010101u; /* a different value each time, so no store is skipped */
  for (int y = 0; y < H; y++) {
    uint32_t *line = (uint32_t *)(d + (size_t)y * (size_t)stride);
    for (int x = 0; x < W; x++)
      line[x] = v;
  }
  cairo_surface_mark_dirty(c->img);
}

/* What the renderer avoids: one cairo fill per region. */
static void naive(void *p) {
  Ctx *c = p;
  const VmsLayout *l = c->layout;
  cairo_set_source_rgb(c->cr, 1, 1, 1);
  cairo_paint(c->cr);
  uint64_t cols = (uint64_t)l->cols;
  for (size_t i = vms_snapshot_lower_bound(c->snap, l->start); i < c->snap->n_regions; i++) {
    const VmsRegion *r = &c->snap->regions[i];
    if (r->start >= l->end)
      break;
    uint64_t k0 = vms_layout_pixel_of(l, r->start < l->start ? l->start : r->start);
    uint64_t k1 = vms_layout_pixel_of(l, (r->end > l->end ? l->end : r->end) - 1) + 1;
    double rgb[3];
    vms_palette_color((VmsRegionType)r->type, rgb);
    cairo_set_source_rgb(c->cr, rgb[0], rgb[1], rgb[2]);
    for (uint64_t k = k0; k < k1;) {
      uint64_t row = k / cols, e = (row + 1) * cols < k1 ? (row + 1) * cols : k1;
      cairo_rectangle(c->cr, l->map_x + (double)(k % cols), (double)row * l->row_h, (double)(e - k),
                      l->cell_h);
      k = e;
    }
    cairo_fill(c->cr);
  }
}

static void bench(size_t n, bool clustered) {
  VmsSnapshot *s = clustered ? make_clustered(n) : make_snapshot(n);
  cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, W, H);
  cairo_t *cr = cairo_create(img);
  Ctx c = {img, cr, s, NULL, NULL};
  double floor_s = time_it(floor_fill, &c);

  VmsViewport full = vms_viewport_fit(s, VMS_LAYOUT_LINEAR);
  c.vp = &full;
  double layout_s = time_it(layout_only, &c);
  VmsLayout *lf = vms_layout_new(s, &full, W, H);
  c.layout = lf;
  double full_s = time_it(frame, &c);
  full.show_labels = false;
  VmsLayout *lf_nolabel = vms_layout_new(s, &full, W, H);
  c.layout = lf_nolabel;
  double full_nolabel_s = time_it(frame, &c);

  VmsViewport zoom = full;
  zoom.show_labels = true;
  uint64_t len = (full.end - full.start) / 64;
  /* Centred on the median region, so a clustered space zooms into its cluster. */
  uint64_t mid = s->regions[s->n_regions / 2].start, half = len / 2;
  zoom.start = (mid - full.start > half ? mid - half : full.start) / 4096 * 4096;
  if (zoom.start + len > full.end)
    zoom.start = (full.end - len) / 4096 * 4096;
  zoom.end = zoom.start + len;
  VmsLayout *lz = vms_layout_new(s, &zoom, W, H);
  c.layout = lz;
  double zoom_s = time_it(frame, &c);

  VmsViewport cmp = vms_viewport_fit(s, VMS_LAYOUT_COMPRESSED);
  c.vp = &cmp;
  double layout_c_s = time_it(layout_only, &c);
  VmsLayout *lc = vms_layout_new(s, &cmp, W, H);
  c.layout = lc;
  double cmp_s = time_it(frame, &c);

  c.layout = lf;
  double naive_s = time_it(naive, &c);

  printf("%zu regions %s (%zu with free gaps), %dx%d, %" PRIu64 " KiB per pixel full, %" PRIu64
         " KiB zoomed:\n",
         n, clustered ? "clustered below the stack" : "spread over the whole space", s->n_regions,
         W, H, vms_layout_bytes_per_pixel(lf) >> 10, vms_layout_bytes_per_pixel(lz) >> 10);
  printf("  floor (write every pixel once)   %8.3f ms\n", floor_s * 1e3);
  printf("  full-map frame                   %8.3f ms  %5.2fx floor  (row labels on)\n",
         full_s * 1e3, full_s / floor_s);
  printf("  full-map frame, no labels        %8.3f ms  %5.2fx floor\n", full_nolabel_s * 1e3,
         full_nolabel_s / floor_s);
  printf("  frame zoomed to 1/64 of space    %8.3f ms  %5.2fx floor\n", zoom_s * 1e3,
         zoom_s / floor_s);
  printf("  compressed-layout frame          %8.3f ms  %5.2fx floor\n", cmp_s * 1e3,
         cmp_s / floor_s);
  printf("  one cairo fill per region        %8.3f ms  %5.2fx floor\n", naive_s * 1e3,
         naive_s / floor_s);
  printf("  layout (once per snapshot/view/size): linear %.3f ms (%zu spans), compressed %.3f ms "
         "(%zu spans)\n",
         layout_s * 1e3, lf->n_spans, layout_c_s * 1e3, lc->n_spans);

  vms_layout_free(lf);
  vms_layout_free(lf_nolabel);
  vms_layout_free(lz);
  vms_layout_free(lc);
  cairo_destroy(cr);
  cairo_surface_destroy(img);
  free((void *)s->regions);
  free(s);
}

int main(int argc, char **argv) {
  if (argc > 1) {
    for (int i = 1; i < argc; i++)
      bench((size_t)strtoul(argv[i], NULL, 10), false);
    return 0;
  }
  bench(1000, false);
  bench(65000, false);
  bench(1000, true);
  bench(65000, true);
  return 0;
}
