/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-export.c: PNG/SVG/PDF export: header, legend and map present; bad input leaves no file. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "png-pages.h"
#include "render-snapshot.h"
#include "vms-export.h"
#include "vms-render.h"
#include "vms-test.h"

static char dir[256];

static void path_in(char *out, size_t len, const char *name) {
  snprintf(out, len, "%s/%s", dir, name);
}

static bool exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

/* Files in the test directory whose name contains ".tmp": leftovers. */
static int leftovers(void) {
  int n = 0;
  DIR *d = opendir(dir);
  if (!d)
    return -1;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strstr(e->d_name, ".tmp"))
      n++;
  closedir(d);
  return n;
}

static uint32_t rgb_u32(VmsRegionType t) {
  double c[3];
  vms_palette_color(t, c);
  return (uint32_t)lround(c[0] * 255) << 16 | (uint32_t)lround(c[1] * 255) << 8 |
         (uint32_t)lround(c[2] * 255);
}

/* Pixels of colour rgb in rows [y0, y1) of an RGB24/ARGB32 surface. */
static int count_color(cairo_surface_t *s, int y0, int y1, uint32_t rgb) {
  const unsigned char *d = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s), w = cairo_image_surface_get_width(s), n = 0;
  for (int y = y0; y < y1; y++)
    for (int x = 0; x < w; x++)
      n += (((const uint32_t *)(d + (size_t)y * (size_t)stride))[x] & 0xFFFFFF) == rgb;
  return n;
}

static int count_dark(cairo_surface_t *s, int y0, int y1) {
  const unsigned char *d = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s), w = cairo_image_surface_get_width(s), n = 0;
  for (int y = y0; y < y1; y++)
    for (int x = 0; x < w; x++) {
      uint32_t v = ((const uint32_t *)(d + (size_t)y * (size_t)stride))[x];
      n += ((v >> 16) & 0xFF) < 0x60 && ((v >> 8) & 0xFF) < 0x60 && (v & 0xFF) < 0x60;
    }
  return n;
}

static const TestRegion regions[] = {
    {0x00000000, 0x00010000, VMS_TYPE_UNUSABLE, VMS_STATE_FREE},
    {0x08048000, 0x08150000, VMS_TYPE_IMAGE, C_},
    {0x09000000, 0x0a000000, VMS_TYPE_HEAP, C_},
    {0x0a000000, 0x0c000000, VMS_TYPE_HEAP, R_},
    {0x20000000, 0x24000000, VMS_TYPE_MAPPED, C_},
    {0x30000000, 0x34000000, VMS_TYPE_SHAREABLE, C_},
    {0x40000000, 0x48000000, VMS_TYPE_PRIVATE, C_},
    {0xb7000000, 0xb7100000, VMS_TYPE_SYSTEM, C_},
    {0xbf000000, 0xc0000000, VMS_TYPE_STACK, C_},
};

static void test_png(VmsSnapshot *s) {
  char p[512];
  path_in(p, sizeof p, "map.png");
  VmsViewport vp = vms_viewport_fit(s, VMS_LAYOUT_LINEAR);
  VmsError err = {0};
  VMS_CHECK_U64(vms_export(s, &vp, 900, 700, VMS_EXPORT_PNG, p, &err), VMS_OK);
  cairo_surface_t *img = cairo_image_surface_create_from_png(p);
  VMS_CHECK(cairo_surface_status(img) == CAIRO_STATUS_SUCCESS);
  if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
    VMS_CHECK_U64(cairo_image_surface_get_width(img), 900);
    VMS_CHECK_U64(cairo_image_surface_get_height(img), 700);
    /* Header: three lines of text in the top band. */
    VMS_CHECK(count_dark(img, 0, 60) > 300);
    /* Legend: a 14 x 14 swatch of each type's colour in the bottom band
     * (the map above holds free space, which is why free is not counted). */
    for (int t = 0; t < VMS_TYPE_COUNT; t++) {
      int n = count_color(img, 640, 700, rgb_u32((VmsRegionType)t));
      VMS_CHECK_MSG(n >= 100, "%s: %d pixels of its colour in the legend band",
                    vms_type_title((VmsRegionType)t), n);
    }
    /* The map between them holds every type the snapshot has. */
    for (int t = 0; t < VMS_TYPE_COUNT; t++) {
      int n = count_color(img, 72, 600, rgb_u32((VmsRegionType)t));
      VMS_CHECK_MSG(n > 0, "%s: not in the map", vms_type_title((VmsRegionType)t));
    }
  }
  cairo_surface_destroy(img);

  /* Compressed, into the same file: replaced whole. */
  vp.kind = VMS_LAYOUT_COMPRESSED;
  VMS_CHECK_U64(vms_export(s, &vp, 640, 480, VMS_EXPORT_PNG, p, &err), VMS_OK);
  img = cairo_image_surface_create_from_png(p);
  VMS_CHECK(cairo_surface_status(img) == CAIRO_STATUS_SUCCESS &&
            cairo_image_surface_get_width(img) == 640 &&
            cairo_image_surface_get_height(img) == 480);
  cairo_surface_destroy(img);
  VMS_CHECK_U64(leftovers(), 0);
}

static bool starts_with(const char *p, const char *magic) {
  char buf[16] = {0};
  FILE *f = fopen(p, "rb");
  if (!f)
    return false;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  return n >= strlen(magic) && memcmp(buf, magic, strlen(magic)) == 0;
}

static void test_vector(VmsSnapshot *s) {
  char p[512];
  VmsViewport vp = vms_viewport_fit(s, VMS_LAYOUT_LINEAR);
  VmsError err = {0};
  path_in(p, sizeof p, "map.svg");
  VMS_CHECK_U64(vms_export(s, &vp, 800, 600, VMS_EXPORT_SVG, p, &err), VMS_OK);
  VMS_CHECK(starts_with(p, "<?xml"));
  path_in(p, sizeof p, "map.pdf");
  VMS_CHECK_U64(vms_export(s, &vp, 800, 600, VMS_EXPORT_PDF, p, &err), VMS_OK);
  VMS_CHECK(starts_with(p, "%PDF-"));
  VMS_CHECK_U64(leftovers(), 0);
}

#define PAGE  4096ull
#define PBASE 0x10000000ull

static void add_run(VmsPageMap *pm, uint64_t p0, uint64_t p1, VmsPageState st) {
  VMS_CHECK(vms_page_map_add(pm, PBASE + p0 * PAGE, PBASE + p1 * PAGE, st) == VMS_OK);
}

static int count_rgb(cairo_surface_t *s, int y0, int y1, const uint8_t c[3]) {
  return count_color(s, y0, y1, (uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2]);
}

/* The residency view exported: every page of the region the page map
 * covers in its state's colour, a region it covers in part in its type's,
 * the three states in the legend and the header line; and where the page
 * states are missing, the types alone and the reason. */
static void test_residency(void) {
  static const TestRegion regs[] = {
      {PBASE, PBASE + 64 * PAGE, VMS_TYPE_PRIVATE, C_},
      {PBASE + 64 * PAGE, PBASE + 128 * PAGE, VMS_TYPE_HEAP, C_},
  };
  VmsSnapshot *s = test_snap_new(regs, 2, 0, 4 * GiB, 32);
  s->page_size = PAGE;
  VmsPageMap pm;
  vms_page_map_init(&pm);
  pm.pid = s->pid;
  pm.start_time = s->start_time;
  pm.start = PBASE;
  pm.end = pm.read_end = PBASE + 128 * PAGE;
  add_run(&pm, 0, 10, VMS_PAGE_RESIDENT);
  add_run(&pm, 10, 20, VMS_PAGE_UNTOUCHED);
  add_run(&pm, 20, 23, VMS_PAGE_SWAPPED);
  add_run(&pm, 23, 64, VMS_PAGE_UNTOUCHED);
  add_run(&pm, 64, 96, VMS_PAGE_RESIDENT); /* half the heap: it changed since the walk */
  char want[129];
  for (int i = 0; i < 64; i++)
    want[i] = i < 10 ? 'r' : i < 20 ? 'u' : i < 23 ? 's' : 'u';
  want[64] = '\0';

  VmsViewport vp = {VMS_LAYOUT_LINEAR, PBASE, PBASE + 128 * PAGE, UINT64_MAX, true};
  VmsExportOptions eo = {.residency = true, .pages = &pm};
  char line[320], p[512], got[4096];
  VMS_CHECK(vms_export_residency_line(s, &vp, &eo, line, sizeof line));
  printf("%s\n", line);
  VMS_CHECK_MSG(strcmp(line, "Residency shown: each region's pages by state, resident 40 KiB, "
                             "swapped 12 KiB, untouched 204 KiB; 1 region not read keeps the "
                             "type's colour") == 0,
                "%s", line);
  path_in(p, sizeof p, "pages.png");
  VmsError err = {0};
  VMS_CHECK_U64(vms_export_with(s, &vp, 800, 600, VMS_EXPORT_PNG, p, &eo, &err), VMS_OK);
  cairo_surface_t *img = cairo_image_surface_create_from_png(p);
  VMS_CHECK(cairo_surface_status(img) == CAIRO_STATUS_SUCCESS);
  int rows = 0;
  VMS_CHECK(png_pages_read(img, got, sizeof got, &rows));
  VMS_CHECK_MSG(strcmp(got, want) == 0, "page states read back: %s, want %s", got, want);
  VMS_CHECK(count_color(img, 0, 600, rgb_u32(VMS_TYPE_HEAP)) > 64);
  /* The legend's swatches: the band below the map holds each state's colour. */
  for (int st = 0; st < VMS_PAGE_STATE_COUNT; st++)
    VMS_CHECK_MSG(count_rgb(img, 520, 600, vms_page_state_rgb[st]) >= 100,
                  "state %d: %d pixels in the legend band", st,
                  count_rgb(img, 520, 600, vms_page_state_rgb[st]));
  cairo_surface_destroy(img);

  /* The same without the option: types, no page state. */
  VMS_CHECK_U64(vms_export(s, &vp, 800, 600, VMS_EXPORT_PNG, p, &err), VMS_OK);
  img = cairo_image_surface_create_from_png(p);
  VMS_CHECK(png_pages_read(img, got, sizeof got, &rows) && got[0] == '\0');
  VMS_CHECK(count_color(img, 0, 600, rgb_u32(VMS_TYPE_PRIVATE)) > 64);
  cairo_surface_destroy(img);

  /* Missing page states: the map is written with types, and the line says why. */
  VmsPageMap refused;
  vms_page_map_init(&refused);
  refused.pid = s->pid;
  refused.start_time = s->start_time;
  snprintf(refused.note, sizeof refused.note,
           "page states not read: /proc/1/pagemap: Permission denied");
  VmsPageMap other = pm;
  other.pid = s->pid + 1;
  const struct {
    VmsExportOptions o;
    const char *line;
  } missing[] = {
      {{true, NULL, NULL},
       "Residency not shown: the page states were not read; the map shows types"},
      {{true, NULL, "page states not read: process 7 has exited"},
       "Residency not shown: page states not read: process 7 has exited; the map shows types"},
      {{true, &refused, NULL},
       "Residency not shown: page states not read: /proc/1/pagemap: Permission denied; the map "
       "shows types"},
      {{true, &other, NULL},
       "Residency not shown: the page states read are of another process; the map shows types"},
  };
  for (size_t k = 0; k < sizeof missing / sizeof missing[0]; k++) {
    VMS_CHECK(!vms_export_residency_line(s, &vp, &missing[k].o, line, sizeof line));
    VMS_CHECK_MSG(strcmp(line, missing[k].line) == 0, "%zu: %s", k, line);
    VMS_CHECK_U64(vms_export_with(s, &vp, 800, 600, VMS_EXPORT_PNG, p, &missing[k].o, &err),
                  VMS_OK);
    img = cairo_image_surface_create_from_png(p);
    VMS_CHECK_MSG(png_pages_read(img, got, sizeof got, &rows) && got[0] == '\0',
                  "%zu: page states drawn: %s", k, got);
    VMS_CHECK(count_color(img, 0, 520, rgb_u32(VMS_TYPE_PRIVATE)) > 64);
    cairo_surface_destroy(img);
  }

  /* Vector output draws the states too. */
  path_in(p, sizeof p, "pages.svg");
  VMS_CHECK_U64(vms_export_with(s, &vp, 800, 600, VMS_EXPORT_SVG, p, &eo, &err), VMS_OK);
  VMS_CHECK(starts_with(p, "<?xml"));
  VMS_CHECK_U64(leftovers(), 0);
  vms_page_map_clear(&pm);
  test_snap_free(s);
}

static void expect_fail(VmsSnapshot *s, const VmsViewport *vp, int w, int h, const char *p,
                        VmsErrorCode code, const char *why) {
  VmsError err = {0};
  bool existed = exists(p);
  VmsErrorCode rc = vms_export(s, vp, w, h, VMS_EXPORT_PNG, p, &err);
  VMS_CHECK_MSG(rc == code, "%s: got %d (%s), want %d", why, (int)rc, err.message, (int)code);
  VMS_CHECK_MSG(err.message[0] != '\0', "%s: no message", why);
  if (!existed)
    VMS_CHECK_MSG(!exists(p), "%s: %s was left behind", why, p);
  printf("%s: %s\n", why, err.message);
}

static void test_bad_input(VmsSnapshot *s) {
  char p[512], sub[512];
  path_in(p, sizeof p, "bad.png");
  VmsViewport vp = vms_viewport_fit(s, VMS_LAYOUT_LINEAR);
  expect_fail(s, &vp, 0, 600, p, VMS_ERR_USAGE, "width 0");
  expect_fail(s, &vp, 800, 0, p, VMS_ERR_USAGE, "height 0");
  expect_fail(s, &vp, 32768, 100, p, VMS_ERR_USAGE, "width 32768");
  expect_fail(s, &vp, -5, 100, p, VMS_ERR_USAGE, "negative width");
  expect_fail(s, &vp, 30000, 30000, p, VMS_ERR_USAGE, "900 megapixels");
  expect_fail(s, &vp, 40, 30, p, VMS_ERR_USAGE, "too small for header and legend");
  VmsViewport r = vp;
  r.start = 0x20000000;
  r.end = 0x10000000;
  expect_fail(s, &r, 800, 600, p, VMS_ERR_USAGE, "start above end");
  r.end = r.start;
  expect_fail(s, &r, 800, 600, p, VMS_ERR_USAGE, "start equal to end");
  r.start = 0x100000000ull;
  r.end = 0x200000000ull;
  expect_fail(s, &r, 800, 600, p, VMS_ERR_USAGE, "range beyond 4 GB");
  expect_fail(s, &vp, 800, 600, dir, VMS_ERR_IO, "a directory");
  path_in(sub, sizeof sub, "no-such-dir/map.png");
  expect_fail(s, &vp, 800, 600, sub, VMS_ERR_IO, "a missing directory");
  expect_fail(s, &vp, 800, 600, "/proc/vmscope-map.png", VMS_ERR_IO, "an unwritable place");
  if (exists("/dev/full"))
    expect_fail(s, &vp, 800, 600, "/dev/full", VMS_ERR_IO, "/dev/full");
  VMS_CHECK(exists("/dev/full"));
  expect_fail(s, &vp, 800, 600, "", VMS_ERR_USAGE, "an empty path");

  /* A file already there survives a failed export untouched. */
  path_in(p, sizeof p, "keep.png");
  FILE *f = fopen(p, "w");
  fputs("old", f);
  fclose(f);
  expect_fail(s, &vp, 0, 0, p, VMS_ERR_USAGE, "bad size over an existing file");
  struct stat st;
  VMS_CHECK(stat(p, &st) == 0 && st.st_size == 3);

  /* A write that fails half way (a file size limit standing in for a full
   * disk): an error, the old file intact, no temporary left. */
  struct rlimit old, lim;
  getrlimit(RLIMIT_FSIZE, &old);
  lim = old;
  lim.rlim_cur = 2000;
  signal(SIGXFSZ, SIG_IGN);
  VMS_CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
  expect_fail(s, &vp, 800, 600, p, VMS_ERR_IO, "a write cut short");
  VmsError err = {0};
  char svg[512];
  path_in(svg, sizeof svg, "cut.svg");
  VMS_CHECK_U64(vms_export(s, &vp, 800, 600, VMS_EXPORT_SVG, svg, &err), VMS_ERR_IO);
  VMS_CHECK(!exists(svg));
  setrlimit(RLIMIT_FSIZE, &old);
  VMS_CHECK(stat(p, &st) == 0 && st.st_size == 3);
  VMS_CHECK_U64(leftovers(), 0);
}

int main(void) {
  snprintf(dir, sizeof dir, "%s/vms-export-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(dir))
    VMS_SKIP("cannot make a temporary directory: %s", strerror(errno));
  VmsSnapshot *s = test_snap_new(regions, sizeof regions / sizeof regions[0], 0, 4 * GiB, 32);
  test_png(s);
  test_vector(s);
  test_bad_input(s);
  test_residency();
  test_snap_free(s);
  if (!getenv("VMS_KEEP")) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
      fprintf(stderr, "could not remove %s\n", dir);
  } else {
    printf("kept %s\n", dir);
  }
  return vms_test_end();
}
