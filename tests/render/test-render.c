/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-render.c: the map's pixels on image surfaces, no display: colours, priorities, marks, diff.
 */
#include <math.h>

#include "render-snapshot.h"
#include "vms-render.h"
#include "vms-test.h"

typedef struct {
  uint8_t r, g, b;
} Rgb;

static Rgb pixel(cairo_surface_t *s, int x, int y) {
  cairo_surface_flush(s);
  const unsigned char *d = cairo_image_surface_get_data(s);
  uint32_t v = ((const uint32_t *)(d + (size_t)y * (size_t)cairo_image_surface_get_stride(s)))[x];
  return (Rgb){(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
}

static Rgb rgb_of(const double c[3]) {
  return (Rgb){(uint8_t)lround(c[0] * 255), (uint8_t)lround(c[1] * 255),
               (uint8_t)lround(c[2] * 255)};
}
static Rgb color(VmsRegionType t) {
  double c[3];
  vms_palette_color(t, c);
  return rgb_of(c);
}
static Rgb reserved(VmsRegionType t) {
  double c[3];
  vms_palette_reserved_color(t, c);
  return rgb_of(c);
}
static bool same(Rgb a, Rgb b) {
  return a.r == b.r && a.g == b.g && a.b == b.b;
}
static bool dark(Rgb a) {
  return a.r < 0x80 && a.g < 0x80 && a.b < 0x80;
}

#define CHECK_RGB(s, x, y, want)                                                           \
  do {                                                                                     \
    Rgb got_ = pixel(s, x, y), want_ = (want);                                             \
    VMS_CHECK_MSG(same(got_, want_), "pixel (%d,%d) is #%02x%02x%02x, want #%02x%02x%02x", \
                  (int)(x), (int)(y), got_.r, got_.g, got_.b, want_.r, want_.g, want_.b);  \
  } while (0)

/* ---- The palette under simulated colour-vision deficiencies ---- */

static double to_linear(double c) {
  return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static void lab_of(const double lin[3], double lab[3]) {
  double X = 0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2];
  double Y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  double Z = 0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2];
  double f[3] = {X / 0.95047, Y, Z / 1.08883};
  for (int i = 0; i < 3; i++)
    f[i] = f[i] > 0.008856 ? cbrt(f[i]) : 7.787 * f[i] + 16.0 / 116;
  lab[0] = 116 * f[1] - 16;
  lab[1] = 500 * (f[0] - f[1]);
  lab[2] = 200 * (f[1] - f[2]);
}

/* Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB. */
static const double cvd[4][3][3] = {
    {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
    {{0.152286, 1.052583, -0.204868},
     {0.114503, 0.786281, 0.099216},
     {-0.003882, -0.048116, 1.051998}},
    {{0.367322, 0.860646, -0.227968},
     {0.280085, 0.672501, 0.047413},
     {-0.011820, 0.042940, 0.968881}},
    {{1.255528, -0.076749, -0.178779},
     {-0.078411, 0.930809, 0.147602},
     {0.004733, 0.691367, 0.303900}},
};
static const char *cvd_name[4] = {"normal vision", "protanopia", "deuteranopia", "tritanopia"};

static void test_palette(void) {
  for (int v = 0; v < 4; v++) {
    double lab[VMS_TYPE_COUNT][3];
    for (int t = 0; t < VMS_TYPE_COUNT; t++) {
      double c[3], lin[3], sim[3];
      vms_palette_color((VmsRegionType)t, c);
      for (int i = 0; i < 3; i++)
        lin[i] = to_linear(c[i]);
      for (int i = 0; i < 3; i++) {
        sim[i] = cvd[v][i][0] * lin[0] + cvd[v][i][1] * lin[1] + cvd[v][i][2] * lin[2];
        sim[i] = sim[i] < 0 ? 0 : sim[i] > 1 ? 1 : sim[i];
      }
      lab_of(sim, lab[t]);
    }
    /* CIE76 delta E of 12: clearly different side by side, with margin. */
    for (int a = 0; a < VMS_TYPE_COUNT; a++)
      for (int b = a + 1; b < VMS_TYPE_COUNT; b++) {
        double d = sqrt(pow(lab[a][0] - lab[b][0], 2) + pow(lab[a][1] - lab[b][1], 2) +
                        pow(lab[a][2] - lab[b][2], 2));
        VMS_CHECK_MSG(d >= 12, "%s: %s and %s are only %.1f apart", cvd_name[v],
                      vms_type_title((VmsRegionType)a), vms_type_title((VmsRegionType)b), d);
      }
  }
  /* Reserved is lighter than committed, in the same hue. */
  for (int t = 0; t < VMS_TYPE_FREE; t++) {
    Rgb c = color((VmsRegionType)t), r = reserved((VmsRegionType)t);
    VMS_CHECK(r.r >= c.r && r.g >= c.g && r.b >= c.b && !same(r, c));
  }
}

/* ---- A known 32-bit snapshot: 1024 x 512, 32 KiB per pixel, rows of 4 px ---- */

static const TestRegion known[] = {
    {0x00000000, 0x00010000, VMS_TYPE_UNUSABLE, VMS_STATE_FREE}, /* pixels 0, 1 */
    {0x10000000, 0x14000000, VMS_TYPE_HEAP, C_},                 /* rows 8, 9 */
    {0x14000000, 0x18000000, VMS_TYPE_HEAP, R_},                 /* rows 10, 11 */
    {0x40000000, 0x40001000, VMS_TYPE_STACK, C_},                /* one page: pixel (0, row 32) */
    {0x50000000, 0x50001000, VMS_TYPE_IMAGE, C_}, /* image and stack share pixel (0, row 40) */
    {0x50002000, 0x50003000, VMS_TYPE_STACK, C_},
    {0x60000000, 0x60001000, VMS_TYPE_PRIVATE, R_}, /* reserved and committed share (0, row 48) */
    {0x60001000, 0x60002000, VMS_TYPE_PRIVATE, C_},
    {0x70000000, 0x70001000, VMS_TYPE_HEAP, R_}, /* reserved heap beats committed private */
    {0x70004000, 0x70005000, VMS_TYPE_PRIVATE, C_},
    {0x80000000, 0x80100000, VMS_TYPE_MAPPED, C_}, /* 32 pixels from (0, row 64) */
    {0x80100000, 0x80200000, VMS_TYPE_SHAREABLE, C_},
    {0x80200000, 0x80300000, VMS_TYPE_SYSTEM, C_},
    {0x80300000, 0x80400000, VMS_TYPE_IMAGE, C_},
};

static cairo_surface_t *render_known(VmsSnapshot *s, const VmsViewport *vp,
                                     const VmsRenderExtras *ex, VmsLayout **out) {
  cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1024, 512);
  cairo_t *cr = cairo_create(img);
  VmsLayout *l = vms_layout_new(s, vp, 1024, 512);
  vms_render_map(cr, s, l, ex);
  VMS_CHECK(cairo_status(cr) == CAIRO_STATUS_SUCCESS);
  cairo_destroy(cr);
  if (out)
    *out = l;
  else
    vms_layout_free(l);
  return img;
}

static void check_reserved_pixel(cairo_surface_t *img, int x, int y, VmsRegionType t) {
  /* The hatch falls where surface x + y is a multiple of 4. */
  Rgb want = ((x + y) & 3) == 0 ? color(t) : reserved(t);
  CHECK_RGB(img, x, y, want);
}

static void test_known_pixels(void) {
  VmsSnapshot *s = test_snap_new(known, sizeof known / sizeof known[0], 0, 4 * GiB, 32);
  VmsViewport vp = {VMS_LAYOUT_LINEAR, 0, 4 * GiB, UINT64_MAX, false};
  VmsLayout *l;
  cairo_surface_t *img = render_known(s, &vp, NULL, &l);
  VMS_CHECK_U64(vms_layout_bytes_per_pixel(l), 32 * KiB);

  CHECK_RGB(img, 0, 0, color(VMS_TYPE_UNUSABLE));
  CHECK_RGB(img, 1, 3, color(VMS_TYPE_UNUSABLE));
  CHECK_RGB(img, 2, 0, color(VMS_TYPE_FREE));
  for (int x = 0; x < 1024; x += 73) {
    CHECK_RGB(img, x, 8 * 4, color(VMS_TYPE_HEAP));
    CHECK_RGB(img, x, 9 * 4 + 3, color(VMS_TYPE_HEAP));
    for (int y = 10 * 4; y < 12 * 4; y++)
      check_reserved_pixel(img, x, y, VMS_TYPE_HEAP);
  }
  CHECK_RGB(img, 0, 7 * 4 + 3, color(VMS_TYPE_FREE));
  CHECK_RGB(img, 0, 12 * 4, color(VMS_TYPE_FREE));

  /* A single page in a 4 GB view still owns its pixel, every line of it. */
  for (int y = 32 * 4; y < 33 * 4; y++)
    CHECK_RGB(img, 0, y, color(VMS_TYPE_STACK));
  CHECK_RGB(img, 1, 32 * 4, color(VMS_TYPE_FREE));
  /* Priorities within one pixel. */
  CHECK_RGB(img, 0, 40 * 4, color(VMS_TYPE_STACK));
  CHECK_RGB(img, 0, 48 * 4 + 1, color(VMS_TYPE_PRIVATE));
  check_reserved_pixel(img, 0, 56 * 4 + 1, VMS_TYPE_HEAP);
  check_reserved_pixel(img, 0, 56 * 4 + 3, VMS_TYPE_HEAP);
  /* 1 MiB regions: 32 pixels each, on the computed columns. */
  CHECK_RGB(img, 0, 64 * 4, color(VMS_TYPE_MAPPED));
  CHECK_RGB(img, 31, 64 * 4, color(VMS_TYPE_MAPPED));
  CHECK_RGB(img, 32, 64 * 4, color(VMS_TYPE_SHAREABLE));
  CHECK_RGB(img, 64, 64 * 4 + 2, color(VMS_TYPE_SYSTEM));
  CHECK_RGB(img, 127, 64 * 4 + 3, color(VMS_TYPE_IMAGE));
  CHECK_RGB(img, 128, 64 * 4, color(VMS_TYPE_FREE));
  /* Nothing drawn in ink without labels, selection or marks. */
  int dark_count = 0;
  for (int y = 0; y < 512; y++)
    for (int x = 0; x < 1024; x++)
      dark_count += dark(pixel(img, x, y)) && !same(pixel(img, x, y), color(VMS_TYPE_UNUSABLE));
  VMS_CHECK_U64(dark_count, 0);
  cairo_surface_destroy(img);
  vms_layout_free(l);

  /* The selected region is outlined: black on its edge, its colour inside. */
  vp.selected_start = 0x12345000;
  img = render_known(s, &vp, NULL, NULL);
  VMS_CHECK(dark(pixel(img, 500, 32)));
  VMS_CHECK(dark(pixel(img, 500, 39)));
  CHECK_RGB(img, 500, 35, color(VMS_TYPE_HEAP));
  VMS_CHECK(!dark(pixel(img, 500, 20)));
  cairo_surface_destroy(img);

  /* Selection changes without a new layout. */
  vp.selected_start = UINT64_MAX;
  img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1024, 512);
  l = vms_layout_new(s, &vp, 1024, 512);
  vms_layout_set_selected(l, 0x80100000);
  cairo_t *cr = cairo_create(img);
  vms_render_map(cr, s, l, NULL);
  cairo_destroy(cr);
  VMS_CHECK(dark(pixel(img, 40, 64 * 4)));                /* the shareable region's top edge */
  VMS_CHECK(dark(pixel(img, 32, 64 * 4 + 2)));            /* and its left edge */
  CHECK_RGB(img, 20, 64 * 4 + 2, color(VMS_TYPE_MAPPED)); /* its neighbour, clear of the outline */
  VMS_CHECK(!dark(pixel(img, 500, 32)));                  /* the heap is no longer outlined */
  cairo_surface_destroy(img);
  vms_layout_free(l);

  /* A change mark around the one-page stack, gone when its alpha is 0. */
  VmsChange ch = {0x40000000, 0x40001000, VMS_CHANGE_NEW};
  VmsRenderExtras ex = {&ch, 1, 1.0};
  vp.selected_start = UINT64_MAX;
  img = render_known(s, &vp, &ex, NULL);
  int marks = 0;
  for (int y = 126; y < 134; y++)
    for (int x = 0; x < 4; x++)
      marks += dark(pixel(img, x, y));
  VMS_CHECK(marks > 0);
  cairo_surface_destroy(img);
  ex.change_alpha = 0;
  img = render_known(s, &vp, &ex, NULL);
  CHECK_RGB(img, 1, 128, color(VMS_TYPE_FREE));
  CHECK_RGB(img, 0, 127, color(VMS_TYPE_FREE));
  cairo_surface_destroy(img);

  /* Row labels write in the gutter, left of the cells. */
  vp.show_labels = true;
  l = vms_layout_new(s, &vp, 1024, 512);
  double x0, y0;
  VMS_CHECK(vms_layout_point_of(l, 0, &x0, &y0));
  VMS_CHECK(x0 > 0);
  vms_layout_free(l);
  img = render_known(s, &vp, NULL, NULL);
  int ink = 0;
  for (int y = 0; y < 512; y++)
    for (int x = 0; x < (int)x0; x++)
      ink += dark(pixel(img, x, y));
  VMS_CHECK_MSG(ink > 50, "%d dark pixels in the label gutter", ink);
  cairo_surface_destroy(img);
  test_snap_free(s);
}

/* Every path to the pixels draws the same map: a translated and clipped
 * context, a group (device offset), a scaled context (rasterised then
 * painted) and a vector surface (a recording, replayed). */
static void test_paths_agree(void) {
  VmsSnapshot *s = test_snap_new(known, sizeof known / sizeof known[0], 0, 4 * GiB, 32);
  VmsViewport vp = {VMS_LAYOUT_LINEAR, 0, 4 * GiB, UINT64_MAX, false};
  VmsLayout *l;
  cairo_surface_t *ref = render_known(s, &vp, NULL, &l);

  cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1100, 600);
  cairo_t *cr = cairo_create(img);
  cairo_set_source_rgb(cr, 1, 0, 0);
  cairo_paint(cr);
  cairo_translate(cr, 7, 9);
  cairo_rectangle(cr, 0, 0, 1024, 300);
  cairo_clip(cr);
  vms_render_map(cr, s, l, NULL);
  cairo_destroy(cr);
  int bad = 0;
  for (int y = 0; y < 512; y += 3)
    for (int x = 0; x < 1024; x += 5) {
      Rgb got = pixel(img, x + 7, y + 9);
      if (y < 300 ? !same(got, pixel(ref, x, y)) : !(got.r == 255 && got.g == 0 && got.b == 0))
        bad++;
    }
  VMS_CHECK_MSG(bad == 0, "%d pixels differ with a translation and a clip", bad);
  CHECK_RGB(img, 3, 3, ((Rgb){255, 0, 0}));
  cairo_surface_destroy(img);

  img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1024, 512);
  cr = cairo_create(img);
  cairo_push_group(cr);
  vms_render_map(cr, s, l, NULL);
  cairo_pop_group_to_source(cr);
  cairo_paint(cr);
  cairo_destroy(cr);
  bad = 0;
  for (int y = 0; y < 512; y += 3)
    for (int x = 0; x < 1024; x += 5)
      bad += !same(pixel(img, x, y), pixel(ref, x, y));
  VMS_CHECK_MSG(bad == 0, "%d pixels differ through a group", bad);
  cairo_surface_destroy(img);

  img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 2048, 1024);
  cr = cairo_create(img);
  cairo_scale(cr, 2, 2);
  vms_render_map(cr, s, l, NULL);
  cairo_destroy(cr);
  bad = 0;
  for (int y = 0; y < 512; y += 3)
    for (int x = 0; x < 1024; x += 5)
      bad += !same(pixel(img, 2 * x + 1, 2 * y + 1), pixel(ref, x, y));
  VMS_CHECK_MSG(bad == 0, "%d pixels differ on a scaled context", bad);
  cairo_surface_destroy(img);

  cairo_surface_t *rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
  cr = cairo_create(rec);
  vms_render_map(cr, s, l, NULL);
  cairo_destroy(cr);
  img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1024, 512);
  cr = cairo_create(img);
  cairo_set_source_surface(cr, rec, 0, 0);
  cairo_paint(cr);
  cairo_destroy(cr);
  bad = 0;
  for (int y = 0; y < 512; y += 3)
    for (int x = 0; x < 1024; x += 5)
      bad += !same(pixel(img, x, y), pixel(ref, x, y));
  VMS_CHECK_MSG(bad == 0, "%d pixels differ on a vector surface", bad);
  cairo_surface_destroy(img);
  cairo_surface_destroy(rec);

  cairo_surface_destroy(ref);
  vms_layout_free(l);
  test_snap_free(s);
}

/* The compressed layout draws break marks in its shrunk gaps and nowhere else. */
static void test_break_marks(void) {
  TestRegion rs[] = {
      {0x555555554000, 0x555555560000, VMS_TYPE_IMAGE, C_},
      {0x555555560000, 0x555555600000, VMS_TYPE_HEAP, C_},
      {0x555565600000, 0x555565700000, VMS_TYPE_PRIVATE, C_}, /* after a 256 MiB gap */
      {0x7f0000000000, 0x7f0004000000, VMS_TYPE_HEAP, R_},
      {0x7f0004000000, 0x7f0004100000, VMS_TYPE_MAPPED, C_},
      {0x7f0004200000, 0x7f0004300000, VMS_TYPE_MAPPED, C_}, /* after a 1 MiB hole: not a gap */
      {0x7ffffffde000, 0x7ffffffff000, VMS_TYPE_STACK, C_},
  };
  size_t n = sizeof rs / sizeof rs[0];
  VmsSnapshot *s = test_snap_new(rs, n, 0x10000, 0x7ffffffff000, 64);
  for (int kind = 0; kind < 2; kind++) {
    VmsViewport vp = vms_viewport_fit(s, kind ? VMS_LAYOUT_COMPRESSED : VMS_LAYOUT_LINEAR);
    vp.show_labels = false;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1000, 600);
    cairo_t *cr = cairo_create(img);
    VmsLayout *l = vms_layout_new(s, &vp, 1000, 600);
    vms_render_map(cr, s, l, NULL);
    cairo_destroy(cr);
    int in_gap[16] = {0}, elsewhere = 0;
    for (int y = 0; y < 600; y++)
      for (int x = 0; x < 1000; x++) {
        if (!dark(pixel(img, x, y)))
          continue;
        uint64_t a;
        size_t i = vms_layout_addr_at(l, x + 0.5, y + 0.5, &a) ? vms_snapshot_find(s, a) : SIZE_MAX;
        if (i != SIZE_MAX && s->regions[i].type == VMS_TYPE_FREE &&
            s->regions[i].end - s->regions[i].start >= 64 * MiB && i < 16)
          in_gap[i]++;
        else
          elsewhere++;
      }
    VMS_CHECK_MSG(elsewhere == 0, "%s: %d dark pixels outside the gaps",
                  kind ? "compressed" : "linear", elsewhere);
    int gaps_marked = 0, gaps = 0;
    for (size_t i = 0; i < s->n_regions && i < 16; i++) {
      const VmsRegion *r = &s->regions[i];
      if (r->type != VMS_TYPE_FREE || r->end - r->start < 64 * MiB)
        continue;
      gaps++;
      gaps_marked += in_gap[i] > 3;
    }
    if (kind)
      VMS_CHECK_MSG(gaps_marked == gaps && gaps >= 4, "%d of %d gaps marked", gaps_marked, gaps);
    else
      VMS_CHECK_U64(gaps_marked, 0);
    /* The 1 MiB hole between the mapped regions stays free, unmarked. */
    double hx, hy;
    VMS_CHECK(vms_layout_point_of(l, 0x7f0004100000, &hx, &hy));
    if (kind)
      CHECK_RGB(img, (int)hx, (int)hy, color(VMS_TYPE_FREE));
    vms_layout_free(l);
    cairo_surface_destroy(img);
  }
  test_snap_free(s);
}

static void test_diff(void) {
  TestRegion a[] = {
      {0x10000, 0x20000, VMS_TYPE_IMAGE, C_},     {0x100000, 0x200000, VMS_TYPE_HEAP, C_},
      {0x400000, 0x500000, VMS_TYPE_PRIVATE, C_}, {0x800000, 0x900000, VMS_TYPE_MAPPED, C_},
      {0xa00000, 0xb00000, VMS_TYPE_STACK, C_},
  };
  TestRegion b[] = {
      {0x10000, 0x20000, VMS_TYPE_IMAGE, C_},       /* same */
      {0x100000, 0x300000, VMS_TYPE_HEAP, C_},      /* grown */
      {0x400000, 0x480000, VMS_TYPE_PRIVATE, C_},   /* shrunk */
      {0x600000, 0x610000, VMS_TYPE_SHAREABLE, C_}, /* new; 0x800000 gone */
      {0x9f0000, 0xb00000, VMS_TYPE_STACK, C_},     /* grown down: same end */
  };
  VmsSnapshot *o = test_snap_new(a, 5, 0x10000, 0x1000000, 32),
              *nw = test_snap_new(b, 5, 0x10000, 0x1000000, 32);
  VmsChange *c = NULL;
  size_t n = vms_snapshot_diff(o, nw, &c);
  VMS_CHECK_U64(n, 5);
  if (n == 5) {
    VMS_CHECK(c[0].start == 0x100000 && c[0].end == 0x300000 && c[0].kind == VMS_CHANGE_GROWN);
    VMS_CHECK(c[1].start == 0x400000 && c[1].end == 0x480000 && c[1].kind == VMS_CHANGE_SHRUNK);
    VMS_CHECK(c[2].start == 0x600000 && c[2].end == 0x610000 && c[2].kind == VMS_CHANGE_NEW);
    VMS_CHECK(c[3].start == 0x800000 && c[3].end == 0x900000 && c[3].kind == VMS_CHANGE_GONE);
    VMS_CHECK(c[4].start == 0x9f0000 && c[4].end == 0xb00000 && c[4].kind == VMS_CHANGE_GROWN);
  }
  free(c);
  n = vms_snapshot_diff(o, o, &c);
  VMS_CHECK_U64(n, 0);
  free(c);
  test_snap_free(o);
  test_snap_free(nw);
}

/* A window's theme: free space and the gutter in its background, row
 * labels in its text colour, the types' colours as they are; a background
 * too near a type's colour moves free space away from it. */
static bool between(Rgb p, Rgb a, Rgb b) {
#define IN_(c) (p.c >= (a.c < b.c ? a.c : b.c) && p.c <= (a.c > b.c ? a.c : b.c))
  return IN_(r) && IN_(g) && IN_(b);
#undef IN_
}

static void check_themed(cairo_surface_t *img, const VmsLayout *l, Rgb bg, Rgb text,
                         const char *path) {
  double fx, fy, hx, hy, x0, y0;
  VMS_CHECK(vms_layout_point_of(l, 0x18000000, &fx, &fy)); /* free, row 12 */
  VMS_CHECK(vms_layout_point_of(l, 0x10000000, &hx, &hy)); /* heap */
  VMS_CHECK(vms_layout_point_of(l, 0, &x0, &y0));
  VMS_CHECK_MSG(x0 > 20, "%s: no label gutter", path);
  CHECK_RGB(img, (int)fx + 5, (int)fy + 1, bg);
  CHECK_RGB(img, (int)hx + 5, (int)hy + 1, color(VMS_TYPE_HEAP));
  CHECK_RGB(img, (int)x0 - 1, 500, bg);
  int text_px = 0, off = 0;
  for (int y = 0; y < 512; y++)
    for (int x = 0; x < (int)x0; x++) {
      Rgb p = pixel(img, x, y);
      text_px += abs(p.r - text.r) <= 4 && abs(p.g - text.g) <= 4 && abs(p.b - text.b) <= 4;
      off += !between(p, bg, text);
    }
  VMS_CHECK_MSG(text_px > 30, "%s: %d label pixels in the text colour", path, text_px);
  VMS_CHECK_MSG(off == 0, "%s: %d gutter pixels are neither background, text nor a blend", path,
                off);
}

static void test_theme_colors(void) {
  VmsSnapshot *s = test_snap_new(known, sizeof known / sizeof known[0], 0, 4 * GiB, 32);
  VmsViewport vp = {VMS_LAYOUT_LINEAR, 0, 4 * GiB, UINT64_MAX, true};
  Rgb bg = {0x24, 0x24, 0x24}, text = {0xDE, 0xDD, 0xDA};
  VmsRenderExtras ex = {NULL,
                        0,
                        0,
                        true,
                        {0x24 / 255.0, 0x24 / 255.0, 0x24 / 255.0},
                        {0xDE / 255.0, 0xDD / 255.0, 0xDA / 255.0}};
  VmsLayout *l;
  cairo_surface_t *img = render_known(s, &vp, &ex, &l);
  check_themed(img, l, bg, text, "image surface");
  cairo_surface_destroy(img);

  /* The vector path (labels as text) agrees. */
  cairo_surface_t *rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
  cairo_t *cr = cairo_create(rec);
  vms_render_map(cr, s, l, &ex);
  cairo_destroy(cr);
  img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1024, 512);
  cr = cairo_create(img);
  cairo_set_source_surface(cr, rec, 0, 0);
  cairo_paint(cr);
  cairo_destroy(cr);
  check_themed(img, l, bg, text, "vector surface");
  cairo_surface_destroy(img);
  cairo_surface_destroy(rec);

  /* The legend's colour for free space is the one drawn. */
  double c[3];
  vms_render_free_color(&ex, c);
  VMS_CHECK(same(rgb_of(c), bg));
  vms_render_free_color(NULL, c);
  VMS_CHECK(same(rgb_of(c), color(VMS_TYPE_FREE)));

  /* A background that is Unusable's grey: free space moves off it, the
   * gutter keeps it. */
  Rgb grey = color(VMS_TYPE_UNUSABLE);
  vms_palette_color(VMS_TYPE_UNUSABLE, ex.background);
  vms_render_free_color(&ex, c);
  Rgb moved = rgb_of(c);
  VMS_CHECK_MSG(!same(moved, grey) && moved.r < grey.r,
                "free space on a grey background: #%02x%02x%02x", moved.r, moved.g, moved.b);
  img = render_known(s, &vp, &ex, NULL);
  double fx, fy, x0, y0;
  VMS_CHECK(vms_layout_point_of(l, 0x18000000, &fx, &fy));
  VMS_CHECK(vms_layout_point_of(l, 0, &x0, &y0));
  CHECK_RGB(img, (int)fx + 5, (int)fy + 1, moved);
  CHECK_RGB(img, (int)x0 - 1, 500, grey);
  cairo_surface_destroy(img);
  vms_layout_free(l);
  test_snap_free(s);
}

/* ---- The residency view: page states to pixels ---- */

static Rgb state_rgb(VmsPageState st) {
  return (Rgb){vms_page_state_rgb[st][0], vms_page_state_rgb[st][1], vms_page_state_rgb[st][2]};
}

#define PAGE  4096ull
#define PBASE 0x10000000ull

static void add_run(VmsPageMap *pm, uint64_t p0, uint64_t p1, VmsPageState st) {
  VMS_CHECK(vms_page_map_add(pm, PBASE + p0 * PAGE, PBASE + p1 * PAGE, st) == VMS_OK);
}

/* Each page of a region the page map covers is its state's colour on every
 * line of its cell; a region it covers only in part keeps its type's. */
static void test_page_states(void) {
  static const TestRegion regions[] = {
      {PBASE, PBASE + 64 * PAGE, VMS_TYPE_PRIVATE, C_},
      {PBASE + 64 * PAGE, PBASE + 128 * PAGE, VMS_TYPE_HEAP, C_},
  };
  VmsSnapshot *s = test_snap_new(regions, 2, 0, 4 * GiB, 32);
  s->page_size = PAGE;
  VmsPageMap pm;
  vms_page_map_init(&pm);
  pm.start = PBASE;
  pm.end = pm.read_end = PBASE + 1024 * PAGE;
  add_run(&pm, 0, 10, VMS_PAGE_RESIDENT);
  add_run(&pm, 10, 20, VMS_PAGE_UNTOUCHED);
  add_run(&pm, 20, 23, VMS_PAGE_SWAPPED);
  add_run(&pm, 23, 64, VMS_PAGE_UNTOUCHED);
  add_run(&pm, 64, 96, VMS_PAGE_RESIDENT); /* half the heap: it changed since the walk */

  VmsViewport vp = {VMS_LAYOUT_LINEAR, PBASE, PBASE + 1024 * PAGE, UINT64_MAX, false};
  VmsRenderExtras ex = {0};
  ex.pages = &pm;
  cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 256, 64);
  cairo_t *cr = cairo_create(img);
  VmsLayout *l = vms_layout_new(s, &vp, 256, 64);
  VMS_CHECK_U64(vms_layout_bytes_per_pixel(l), PAGE);
  vms_render_map(cr, s, l, &ex);
  for (uint64_t p = 0; p < 160; p++) {
    double x, y;
    VMS_CHECK(vms_layout_point_of(l, PBASE + p * PAGE, &x, &y));
    Rgb want = p < 10    ? state_rgb(VMS_PAGE_RESIDENT)
               : p < 20  ? state_rgb(VMS_PAGE_UNTOUCHED)
               : p < 23  ? state_rgb(VMS_PAGE_SWAPPED)
               : p < 64  ? state_rgb(VMS_PAGE_UNTOUCHED)
               : p < 128 ? color(VMS_TYPE_HEAP)
                         : color(VMS_TYPE_FREE);
    for (int j = 0; j < 3; j++)
      CHECK_RGB(img, (int)x, (int)y + j, want);
  }
  vms_layout_free(l);
  cairo_destroy(cr);
  cairo_surface_destroy(img);

  /* Two pages a pixel: the more important state wins (swapped > resident
   * > untouched); without a page map the same layout draws types. */
  vp.end = PBASE + 8192 * PAGE;
  img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 256, 64);
  cr = cairo_create(img);
  l = vms_layout_new(s, &vp, 256, 64);
  VMS_CHECK_U64(vms_layout_bytes_per_pixel(l), 2 * PAGE);
  vms_render_map(cr, s, l, &ex);
  double x, y;
  VMS_CHECK(vms_layout_point_of(l, PBASE + 9 * PAGE, &x, &y)); /* pages 8, 9: resident */
  CHECK_RGB(img, (int)x, (int)y, state_rgb(VMS_PAGE_RESIDENT));
  VMS_CHECK(vms_layout_point_of(l, PBASE + 20 * PAGE, &x, &y)); /* 20, 21: swapped */
  CHECK_RGB(img, (int)x, (int)y, state_rgb(VMS_PAGE_SWAPPED));
  VMS_CHECK(vms_layout_point_of(l, PBASE + 22 * PAGE, &x, &y)); /* 22 swapped, 23 untouched */
  CHECK_RGB(img, (int)x, (int)y, state_rgb(VMS_PAGE_SWAPPED));
  VMS_CHECK(vms_layout_point_of(l, PBASE + 10 * PAGE, &x, &y)); /* 10, 11: untouched */
  CHECK_RGB(img, (int)x, (int)y, state_rgb(VMS_PAGE_UNTOUCHED));
  cairo_destroy(cr);
  cairo_surface_destroy(img);
  img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 256, 64);
  cr = cairo_create(img);
  vms_render_map(cr, s, l, NULL);
  VMS_CHECK(vms_layout_point_of(l, PBASE + 9 * PAGE, &x, &y));
  CHECK_RGB(img, (int)x, (int)y, color(VMS_TYPE_PRIVATE));
  cairo_destroy(cr);
  cairo_surface_destroy(img);
  vms_layout_free(l);

  /* What the tooltip says follows the same rule. */
  VmsPageState st;
  VMS_CHECK(vms_render_page_state(s, &pm, PBASE + 21 * PAGE, &st) && st == VMS_PAGE_SWAPPED);
  VMS_CHECK(vms_render_page_state(s, &pm, PBASE + 5 * PAGE + 7, &st) && st == VMS_PAGE_RESIDENT);
  VMS_CHECK(!vms_render_page_state(s, &pm, PBASE + 70 * PAGE, &st));  /* the heap: not covered */
  VMS_CHECK(!vms_render_page_state(s, &pm, PBASE + 200 * PAGE, &st)); /* free space */
  /* The covering rule itself. */
  VMS_CHECK(vms_page_map_covers(&pm, PBASE, PBASE + 64 * PAGE));
  VMS_CHECK(!vms_page_map_covers(&pm, PBASE + 64 * PAGE, PBASE + 128 * PAGE));
  VMS_CHECK(!vms_page_map_covers(&pm, PBASE - PAGE, PBASE + PAGE));
  pm.read_end = PBASE + 32 * PAGE; /* a read cut short covers nothing past it */
  VMS_CHECK(!vms_page_map_covers(&pm, PBASE, PBASE + 64 * PAGE));
  vms_page_map_clear(&pm);
  test_snap_free(s);
}

int main(void) {
  test_palette();
  test_known_pixels();
  test_paths_agree();
  test_break_marks();
  test_diff();
  test_theme_colors();
  test_page_states();
  return vms_test_end();
}
