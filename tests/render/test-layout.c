/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-layout.c: the map's address <-> pixel mapping, zoom and pan, linear and compressed. */
#include <math.h>

#include "render-snapshot.h"
#include "vms-render.h"
#include "vms-test.h"

static VmsViewport view(VmsLayoutKind kind, uint64_t start, uint64_t end) {
  return (VmsViewport){kind, start, end, UINT64_MAX, false};
}

/* 4 GB in 1024 x 512 pixels without labels: rows of 4 px, 128 of them,
 * 1024 * 128 pixels of 32 KiB each. */
static void test_linear_32(void) {
  TestRegion rs[] = {
      {0x08048000, 0x08050000, VMS_TYPE_IMAGE, C_},
      {0x10000000, 0x14000000, VMS_TYPE_HEAP, C_},
      {0xbffdf000, 0xc0000000, VMS_TYPE_STACK, C_},
  };
  VmsSnapshot *s = test_snap_new(rs, 3, 0, 4 * GiB, 32);
  VmsViewport vp = view(VMS_LAYOUT_LINEAR, 0, 4 * GiB);
  VmsLayout *l = vms_layout_new(s, &vp, 1024, 512);
  VMS_CHECK(l != NULL);
  VMS_CHECK_U64(vms_layout_bytes_per_pixel(l), 32 * KiB);

  double x = -1, y = -1;
  VMS_CHECK(vms_layout_point_of(l, 0x10000000, &x, &y));
  /* 0x10000000 / 32 KiB = pixel 8192 = row 8, column 0; rows are 4 px. */
  VMS_CHECK(x == 0 && y == 32);
  VMS_CHECK(vms_layout_point_of(l, 0x10000000 + 5 * 32 * KiB + 100, &x, &y));
  VMS_CHECK(x == 5 && y == 32);

  uint64_t a = 0;
  VMS_CHECK(vms_layout_addr_at(l, 5.5, 33.9, &a));
  VMS_CHECK_U64(a, 0x10000000 + 5 * 32 * KiB);
  VMS_CHECK(vms_layout_addr_at(l, 0, 0, &a));
  VMS_CHECK_U64(a, 0);
  VMS_CHECK(vms_layout_addr_at(l, 1023.9, 511.9, &a));
  VMS_CHECK_U64(a, 4 * GiB - 32 * KiB);
  /* Outside the cells: no address. */
  VMS_CHECK(!vms_layout_addr_at(l, -1, 0, &a));
  VMS_CHECK(!vms_layout_addr_at(l, 1024, 0, &a));
  VMS_CHECK(!vms_layout_addr_at(l, 0, 512, &a));

  /* Every region's first pixel hit-tests back to it. */
  for (size_t i = 0; i < s->n_regions; i++) {
    const VmsRegion *r = &s->regions[i];
    if (r->start % (32 * KiB))
      continue;
    VMS_CHECK(vms_layout_point_of(l, r->start, &x, &y));
    VMS_CHECK(vms_layout_addr_at(l, x + 0.5, y + 0.5, &a));
    VMS_CHECK_U64(vms_snapshot_find(s, a), i);
  }
  vms_layout_free(l);

  /* With labels the cells move right of the gutter and the mapping follows. */
  vp.show_labels = true;
  l = vms_layout_new(s, &vp, 1100, 512);
  VMS_CHECK(l != NULL);
  VMS_CHECK(vms_layout_point_of(l, 0, &x, &y));
  VMS_CHECK(x > 40 && y == 0);
  VMS_CHECK(!vms_layout_addr_at(l, 1, 1, &a));
  vms_layout_free(l);
  test_snap_free(s);
}

static void test_zoom_pan(void) {
  TestRegion rs[] = {{0x40000000, 0x40001000, VMS_TYPE_STACK, C_}};
  VmsSnapshot *s = test_snap_new(rs, 1, 0x10000, 0xffffe000, 32);
  VmsViewport vp = vms_viewport_fit(s, VMS_LAYOUT_LINEAR);
  VMS_CHECK_U64(vp.start, 0x10000);
  VMS_CHECK_U64(vp.end, 0xffffe000);
  VMS_CHECK(vp.selected_start == UINT64_MAX);

  /* Zooming in around the point over 0x40000000 keeps it there. */
  VmsLayout *l = vms_layout_new(s, &vp, 800, 600);
  double x, y;
  VMS_CHECK(vms_layout_point_of(l, 0x40000000, &x, &y));
  uint64_t before = 0, after = 0;
  VMS_CHECK(vms_layout_addr_at(l, x + 0.5, y + 0.5, &before));
  VmsViewport z = vms_viewport_zoom(l, s, &vp, x + 0.5, y + 0.5, 8);
  VMS_CHECK(z.end - z.start < (vp.end - vp.start) / 7);
  VMS_CHECK(z.start <= 0x40000000 && z.end > 0x40000000);
  VmsLayout *lz = vms_layout_new(s, &z, 800, 600);
  VMS_CHECK(vms_layout_addr_at(lz, x + 0.5, y + 0.5, &after));
  uint64_t diff = after > before ? after - before : before - after;
  VMS_CHECK_MSG(diff <= 2 * vms_layout_bytes_per_pixel(l), "anchor moved by %#llx bytes",
                (unsigned long long)diff);

  /* Zooming far in stops at one page per pixel. */
  VmsViewport deep = z;
  VmsLayout *ld = lz;
  lz = NULL;
  for (int i = 0; i < 40; i++) {
    VmsViewport n = vms_viewport_zoom(ld, s, &deep, 10, 10, 4);
    vms_layout_free(ld);
    deep = n;
    ld = vms_layout_new(s, &deep, 800, 600);
  }
  VMS_CHECK_U64(vms_layout_bytes_per_pixel(ld), 4096);
  VMS_CHECK(deep.end - deep.start >= 4096);
  VMS_CHECK(deep.start >= s->usable_lo && deep.end <= s->usable_hi);

  /* And zooming far out stops at the whole space. */
  VmsViewport wide = deep;
  for (int i = 0; i < 40; i++) {
    VmsViewport n = vms_viewport_zoom(ld, s, &wide, 10, 10, 0.25);
    vms_layout_free(ld);
    wide = n;
    ld = vms_layout_new(s, &wide, 800, 600);
  }
  VMS_CHECK_U64(wide.start, s->usable_lo);
  VMS_CHECK_U64(wide.end, s->usable_hi);
  vms_layout_free(ld);

  /* Panning moves by whole pixels' worth of bytes and stays in the space. */
  VmsLayout *lz2 = vms_layout_new(s, &z, 800, 600);
  uint64_t bpp = vms_layout_bytes_per_pixel(lz2);
  VmsViewport p = vms_viewport_pan(lz2, s, &z, -10, 0);
  VMS_CHECK(p.end - p.start == z.end - z.start);
  uint64_t moved = p.start - z.start;
  VMS_CHECK_MSG(moved + 4096 >= 10 * bpp && moved <= 10 * bpp + 4096,
                "moved %#llx for 10 px of %#llx", (unsigned long long)moved,
                (unsigned long long)bpp);
  p = vms_viewport_pan(lz2, s, &z, 1e12, 1e12);
  VMS_CHECK_U64(p.start, s->usable_lo);
  p = vms_viewport_pan(lz2, s, &z, -1e12, -1e12);
  VMS_CHECK_U64(p.end, s->usable_hi);
  vms_layout_free(lz2);
  vms_layout_free(l);
  test_snap_free(s);
}

/* A 47-bit space with three clusters: the compressed layout gives the
 * clusters the picture and each big gap a fixed width. */
static void test_compressed(void) {
  TestRegion rs[] = {
      {0x555555554000, 0x555555560000, VMS_TYPE_IMAGE, C_},
      {0x555555560000, 0x555555600000, VMS_TYPE_HEAP, C_},
      {0x7f0000000000, 0x7f0004000000, VMS_TYPE_HEAP, R_},
      {0x7f0004000000, 0x7f0004100000, VMS_TYPE_MAPPED, C_},
      {0x7ffffffde000, 0x7ffffffff000, VMS_TYPE_STACK, C_},
  };
  VmsSnapshot *s = test_snap_new(rs, 5, 0x10000, 0x7ffffffff000, 64);
  VmsViewport vp = vms_viewport_fit(s, VMS_LAYOUT_LINEAR);
  vp.show_labels = false;
  VmsLayout *lin = vms_layout_new(s, &vp, 1000, 600);
  vp.kind = VMS_LAYOUT_COMPRESSED;
  VmsLayout *cmp = vms_layout_new(s, &vp, 1000, 600);
  VMS_CHECK(lin && cmp);
  VMS_CHECK_U64(vms_layout_bytes_per_pixel(cmp), 0);
  uint64_t lin_bpp = vms_layout_bytes_per_pixel(lin);
  VMS_CHECK(lin_bpp > 100 * MiB);

  /* The stack cluster (132 KiB) spans many pixels when compressed. */
  double x0, y0, x1, y1;
  VMS_CHECK(vms_layout_point_of(cmp, 0x7ffffffde000, &x0, &y0));
  VMS_CHECK(vms_layout_point_of(cmp, 0x7fffffffe000, &x1, &y1));
  VMS_CHECK_MSG((y1 - y0) * 1000 / 4 + (x1 - x0) >= 8, "stack spans %g,%g .. %g,%g", x0, y0, x1,
                y1);

  /* Each gap of 64 MiB or more takes the same number of pixels: measure the
   * first (0x555555600000..0x7f0000000000) and the last one. */
  uint64_t a;
  VMS_CHECK(vms_layout_point_of(cmp, 0x555555600000, &x0, &y0));
  VMS_CHECK(vms_layout_point_of(cmp, 0x7f0000000000, &x1, &y1));
  /* Row pitch: the first y whose address differs from row 0's. */
  uint64_t a0, ay;
  int rh = 1;
  VMS_CHECK(vms_layout_addr_at(cmp, 0.5, 0.5, &a0));
  while (rh < 64 && vms_layout_addr_at(cmp, 0.5, rh + 0.5, &ay) && ay == a0)
    rh++;
  VMS_CHECK(rh >= 4 && rh <= 32);
  uint64_t k_gap1 = (uint64_t)(y0 / rh) * 1000 + (uint64_t)x0,
           k_after1 = (uint64_t)(y1 / rh) * 1000 + (uint64_t)x1;
  VMS_CHECK(vms_layout_addr_at(cmp, x0 + 0.5, y0 + 0.5, &a));
  VMS_CHECK_U64(a, 0x555555600000);
  VMS_CHECK(vms_layout_addr_at(cmp, x1 + 0.5, y1 + 0.5, &a));
  VMS_CHECK_U64(a, 0x7f0000000000);
  VMS_CHECK(vms_layout_point_of(cmp, 0x7f0004100000, &x0, &y0));
  VMS_CHECK(vms_layout_point_of(cmp, 0x7ffffffde000, &x1, &y1));
  uint64_t k_gap2 = (uint64_t)(y0 / rh) * 1000 + (uint64_t)x0,
           k_after2 = (uint64_t)(y1 / rh) * 1000 + (uint64_t)x1;
  VMS_CHECK_U64(k_after1 - k_gap1, 56);
  VMS_CHECK_U64(k_after2 - k_gap2, 56);
  /* Every address inside the gap maps into the gap's pixels, which are
   * free in the snapshot. */
  for (uint64_t g = 0x555555600000; g < 0x7f0000000000; g += 0x10000000000) {
    double gx, gy;
    VMS_CHECK(vms_layout_point_of(cmp, g, &gx, &gy));
    VMS_CHECK(vms_layout_addr_at(cmp, gx + 0.5, gy + 0.5, &a));
    size_t i = vms_snapshot_find(s, a);
    VMS_CHECK(i != SIZE_MAX && s->regions[i].type == VMS_TYPE_FREE);
  }
  vms_layout_free(lin);
  vms_layout_free(cmp);
  test_snap_free(s);

  /* Zooming in on the compressed layout keeps the address under the
   * pointer in view, on the same side of the picture. */
  TestRegion mid[] = {
      {0x100000000000, 0x100040000000, VMS_TYPE_HEAP, C_},
      {0x300000000000, 0x300000100000, VMS_TYPE_MAPPED, C_},
      {0x300010000000, 0x300010100000, VMS_TYPE_MAPPED, C_},
      {0x500000000000, 0x500100000000, VMS_TYPE_PRIVATE, C_},
  };
  s = test_snap_new(mid, 4, 0x10000, 0x7ffffffff000, 64);
  vp = vms_viewport_fit(s, VMS_LAYOUT_COMPRESSED);
  vp.show_labels = false;
  cmp = vms_layout_new(s, &vp, 1000, 600);
  VmsLayout *cz = NULL;
  static const uint64_t anchors[] = {0x100020000000, 0x300010000000, 0x500080000000};
  for (int i = 0; i < 3; i++) {
    uint64_t before = 0;
    double zx = -1, zy = -1;
    VMS_CHECK(vms_layout_point_of(cmp, anchors[i], &x0, &y0));
    VMS_CHECK(vms_layout_addr_at(cmp, x0 + 0.5, y0 + 0.5, &before));
    VmsViewport z = vms_viewport_zoom(cmp, s, &vp, x0 + 0.5, y0 + 0.5, 4);
    VMS_CHECK(z.kind == VMS_LAYOUT_COMPRESSED && z.start <= before && z.end > before);
    VMS_CHECK(z.end - z.start < vp.end - vp.start);
    vms_layout_free(cz);
    cz = vms_layout_new(s, &z, 1000, 600);
    VMS_CHECK(cz && vms_layout_point_of(cz, before, &zx, &zy));
    VMS_CHECK_MSG(fabs(zy - y0) <= 300, "anchor moved from %g,%g to %g,%g", x0, y0, zx, zy);
  }
  vms_layout_free(cz);
  vms_layout_free(cmp);

  /* A range with start >= end gets no layout. */
  VmsViewport bad = view(VMS_LAYOUT_LINEAR, 0x2000, 0x1000);
  VMS_CHECK(vms_layout_new(s, &bad, 100, 100) == NULL);
  VmsViewport ok = view(VMS_LAYOUT_LINEAR, 0x1000, 0x2000);
  VMS_CHECK(vms_layout_new(s, &ok, 0, 100) == NULL);
  test_snap_free(s);
}

/* Many gaps: only the largest are shrunk, so the picture still holds them. */
static void test_compressed_many_gaps(void) {
  enum { N = 3000 };
  TestRegion *rs = calloc(N, sizeof *rs);
  for (int i = 0; i < N; i++) {
    uint64_t at = 0x100000000ull + (uint64_t)i * (1ull << 32) + (uint64_t)(i % 7) * GiB;
    rs[i] = (TestRegion){at, at + 2 * MiB, VMS_TYPE_PRIVATE, C_};
  }
  VmsSnapshot *s = test_snap_new(rs, N, 0x10000, 0x7ffffffff000, 64);
  VmsViewport vp = vms_viewport_fit(s, VMS_LAYOUT_COMPRESSED);
  VmsLayout *l = vms_layout_new(s, &vp, 800, 400);
  VMS_CHECK(l != NULL);
  /* Every region still has a pixel of its own. */
  for (int i = 0; i < N; i += 97) {
    double x, y;
    uint64_t a;
    VMS_CHECK(vms_layout_point_of(l, rs[i].start, &x, &y));
    VMS_CHECK(vms_layout_addr_at(l, x + 0.5, y + 0.5, &a));
    size_t k = vms_snapshot_find(s, a);
    VMS_CHECK(k != SIZE_MAX);
  }
  vms_layout_free(l);
  free(rs);
  test_snap_free(s);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(uint64_t n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return n ? rng % n : 0;
}

/* Random snapshots, sizes and views: every layout is whole, hit-testing
 * inverts the mapping, and no non-free region is lost to free space. */
static void test_random(void) {
  static const VmsRegionType types[] = {VMS_TYPE_IMAGE,  VMS_TYPE_MAPPED,  VMS_TYPE_SHAREABLE,
                                        VMS_TYPE_HEAP,   VMS_TYPE_STACK,   VMS_TYPE_PRIVATE,
                                        VMS_TYPE_SYSTEM, VMS_TYPE_UNUSABLE};
  double free_rgb[3];
  vms_palette_color(VMS_TYPE_FREE, free_rgb);
  uint32_t free_px = (uint32_t)lround(free_rgb[0] * 255) << 16 |
                     (uint32_t)lround(free_rgb[1] * 255) << 8 | (uint32_t)lround(free_rgb[2] * 255);
  int lost = 0, roundtrip_bad = 0, layouts = 0;
  for (int iter = 0; iter < 120; iter++) {
    bool wide = rnd(2);
    uint64_t lo = 0x10000, hi = wide ? 0x7ffffffff000ull : 0xffffe000ull;
    size_t n = 1 + rnd(400);
    TestRegion *rs = calloc(n, sizeof *rs);
    uint64_t at = lo, span = (hi - lo) / n;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
      uint64_t gap = rnd(3) == 0 ? 0 : (rnd(span / 4096 / 2) + 1) * 4096;
      uint64_t len = (rnd(1 + (rnd(4) == 0 ? span / 4096 / 2 : 4)) + 1) * 4096;
      if (at + gap + len > hi)
        break;
      rs[k++] = (TestRegion){at + gap, at + gap + len, types[rnd(8)], rnd(4) == 0 ? R_ : C_};
      at += gap + len;
    }
    VmsSnapshot *s = test_snap_new(rs, k, lo, hi, wide ? 64 : 32);
    int w = 1 + (int)rnd(500), h = 1 + (int)rnd(400);
    VmsViewport vp = vms_viewport_fit(s, rnd(2) ? VMS_LAYOUT_COMPRESSED : VMS_LAYOUT_LINEAR);
    vp.show_labels = rnd(2);
    if (rnd(2)) {
      uint64_t a = lo + rnd(hi - lo), b = lo + rnd(hi - lo);
      vp.start = a < b ? a : b;
      vp.end = a < b ? b : a + 4096;
    }
    VmsLayout *l = vms_layout_new(s, &vp, w, h);
    VMS_CHECK(l != NULL);
    if (!l) {
      free(rs);
      test_snap_free(s);
      continue;
    }
    layouts++;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(img);
    vms_render_map(cr, s, l, NULL);
    VMS_CHECK(cairo_status(cr) == CAIRO_STATUS_SUCCESS);
    cairo_destroy(cr);
    cairo_surface_flush(img);
    const unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);

    for (int t = 0; t < 50; t++) {
      double x = (double)rnd((uint64_t)w) + 0.5, y = (double)rnd((uint64_t)h) + 0.5, px, py;
      uint64_t a, b;
      if (!vms_layout_addr_at(l, x, y, &a))
        continue;
      VMS_CHECK(a >= vp.start / 4096 * 4096 && a < vp.end + 4096);
      if (!vms_layout_point_of(l, a, &px, &py) || px != floor(x) || py > y ||
          !vms_layout_addr_at(l, px, py, &b) || b != a) {
        size_t i = vms_snapshot_find(s, a);
        bool in_gap = vp.kind == VMS_LAYOUT_COMPRESSED && i != SIZE_MAX &&
                      s->regions[i].type == VMS_TYPE_FREE;
        if (!in_gap)
          roundtrip_bad++;
      }
    }
    for (size_t i = 0; i < s->n_regions; i++) {
      const VmsRegion *r = &s->regions[i];
      double px, py;
      if (r->type == VMS_TYPE_FREE || !vms_layout_point_of(l, r->start, &px, &py))
        continue;
      if (py >= h)
        continue;
      uint32_t v = ((const uint32_t *)(data + (size_t)py * (size_t)stride))[(int)px] & 0xFFFFFF;
      if (v == free_px || v == 0xFFFFFF)
        lost++;
    }
    cairo_surface_destroy(img);
    vms_layout_free(l);
    free(rs);
    test_snap_free(s);
  }
  VMS_CHECK_MSG(roundtrip_bad == 0, "%d pixels do not map back to themselves", roundtrip_bad);
  VMS_CHECK_MSG(lost == 0, "%d non-free regions drawn as free", lost);
  VMS_CHECK(layouts > 100);
}

int main(void) {
  test_random();
  test_linear_32();
  test_zoom_pan();
  test_compressed();
  test_compressed_many_gaps();
  return vms_test_end();
}
