/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-pages.c: the window's residency view under Xvfb, pixel by pixel at one page a pixel.
 *
 * The target maps a read-write region of PAGES pages and writes every
 * fourth one. The window is attached, the map zoomed to that region at one
 * page per pixel and the residency view turned on through its action; the
 * drawn map must then show every written page in the resident colour and
 * every other one in the untouched colour, and the region's type colour
 * again once the view is off. The summary's Resident column is filled from
 * the residency the window reads on refreshes. The window's export of the
 * region, decoded, shows the same page states while the view is on, and
 * none once it is off. */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <sys/wait.h>

#include "render/png-pages.h"
#include "vms-application.h"
#include "vms-gui-test.h"
#include "vms-test.h"
#include "vms-window.h"

#define PAGES 48

static gboolean has_snapshot(gpointer d) {
  return vms_window_get_n_snapshots(d) >= 1;
}

typedef struct {
  VmsMapView *map;
  uint64_t start, end;
} Wait;

static gboolean pages_cover(gpointer d) {
  const Wait *w = d;
  const VmsPageMap *pm = vms_map_view_get_pages(w->map);
  return pm && vms_page_map_covers(pm, w->start, w->end);
}

static uint32_t pixel(cairo_surface_t *s, double x, double y) {
  cairo_surface_flush(s);
  const unsigned char *d = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s);
  return ((const uint32_t *)(d + (size_t)y * (size_t)stride))[(size_t)x] & 0xFFFFFFu;
}

static uint32_t rgb_of(const uint8_t c[3]) {
  return (uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2];
}

/* The target's region of PAGES read-write pages. */
static size_t find_region(const VmsSnapshot *s) {
  for (size_t i = 0; i < s->n_regions; i++) {
    const VmsRegion *r = &s->regions[i];
    if (r->end - r->start == PAGES * s->page_size && r->type == VMS_TYPE_PRIVATE &&
        (r->prot & (VMS_PROT_READ | VMS_PROT_WRITE)) == (VMS_PROT_READ | VMS_PROT_WRITE))
      return i;
  }
  return SIZE_MAX;
}

/* Counts the region's pages drawn in the colour expected of them. */
static int check_pages(VmsMapView *map, uint64_t start, uint64_t page, bool residency) {
  cairo_surface_t *s = draw_widget(GTK_WIDGET(map));
  const uint32_t resident = rgb_of(vms_page_state_rgb[VMS_PAGE_RESIDENT]);
  const uint32_t untouched = rgb_of(vms_page_state_rgb[VMS_PAGE_UNTOUCHED]);
  const uint32_t type = rgb_of(vms_palette_rgb[VMS_TYPE_PRIVATE]);
  int right = 0;
  double last_x = -1;
  for (int i = 0; i < PAGES; i++) {
    double x, y;
    if (!vms_map_view_point_of(map, start + (uint64_t)i * page, &x, &y)) {
      VMS_CHECK_MSG(false, "page %d is not on the map", i);
      continue;
    }
    /* One page a pixel: neighbours one pixel apart (or a new row). */
    VMS_CHECK_MSG(last_x < 0 || x == last_x + 1 || x < last_x, "page %d at x %.1f after %.1f", i, x,
                  last_x);
    last_x = x;
    uint32_t want = !residency ? type : i % 4 == 0 ? resident : untouched;
    uint32_t got = pixel(s, x, y);
    VMS_CHECK_MSG(got == want, "page %d at (%.0f, %.0f) is #%06x, want #%06x", i, x, y, got, want);
    right += got == want;
  }
  cairo_surface_destroy(s);
  return right;
}

typedef struct {
  gboolean done, ok;
  GError *error;
} Export;

static void on_export_done(GObject *source, GAsyncResult *res, gpointer data) {
  Export *e = data;
  e->ok = vms_window_export_png_finish(VMS_WINDOW(source), res, &e->error);
  e->done = TRUE;
}

static gboolean export_done(gpointer d) {
  return ((Export *)d)->done;
}

/* Exports the window's view as Ctrl+E's chooser would, and reads the page
 * states back from the decoded PNG. */
static void export_pages(VmsWindow *win, const char *path, char *got, size_t cap) {
  Export e = {0};
  got[0] = '\0';
  vms_window_export_png(win, path, 1280, 800, on_export_done, &e);
  VMS_CHECK_MSG(spin_until(export_done, &e, 20), "the export never finished");
  VMS_CHECK_MSG(e.ok, "export: %s", e.error ? e.error->message : "failed");
  g_clear_error(&e.error);
  cairo_surface_t *img = cairo_image_surface_create_from_png(path);
  VMS_CHECK_MSG(cairo_surface_status(img) == CAIRO_STATUS_SUCCESS, "%s: not a PNG", path);
  int rows = 0;
  if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS)
    VMS_CHECK(png_pages_read(img, got, cap, &rows));
  cairo_surface_destroy(img);
  g_unlink(path);
}

int main(int argc, char **argv) {
  g_autofree char *dir = gui_test_setup(argc, argv, 1, "TARGET_EXE", "vmscope-gui-XXXXXX");
  if (!dir)
    VMS_SKIP("no display (run under xvfb-run)");
  vms_application_setup_style();
  char pages[16];
  g_snprintf(pages, sizeof pages, "%d", PAGES);
  g_setenv("VMS_GUI_TARGET_PAGES", pages, TRUE);
  GPid target = spawn_target(argv[1], "20");
  g_unsetenv("VMS_GUI_TARGET_PAGES");

  VmsWindow *win = vms_window_new(NULL);
  gtk_window_set_default_size(GTK_WINDOW(win), 1200, 780);
  gtk_widget_show(GTK_WIDGET(win));
  VMS_CHECK(vms_window_attach(win, target));
  VMS_CHECK_MSG(spin_until(has_snapshot, win, 15), "no snapshot arrived after attaching");
  VmsSnapshot *snap = vms_window_get_snapshot(win);
  if (!snap)
    VMS_SKIP("cannot go on without a snapshot");
  size_t idx = find_region(snap);
  VMS_CHECK_MSG(idx != SIZE_MAX, "the target's %d-page region is not in the snapshot", PAGES);
  if (idx == SIZE_MAX)
    return vms_test_end();
  const uint64_t page = snap->page_size, start = snap->regions[idx].start;

  /* The Resident column from the residency read on refreshes. */
  VMS_CHECK_MSG(vms_window_get_residency_snapshot(win) != NULL,
                "no residency on the first refresh");
  const char *resident = vms_summary_get_figure(vms_window_get_summary(win), "resident:total");
  VMS_CHECK_MSG(resident && strcmp(resident, "–") != 0, "Resident column: %s",
                resident ? resident : "(none)");

  /* The region and as much again after it, linear: one page a pixel. */
  VmsMapView *map = vms_window_get_map(win);
  VmsViewport vp = *vms_map_view_get_viewport(map);
  vp.kind = VMS_LAYOUT_LINEAR;
  vp.start = start;
  vp.end = start + 2 * PAGES * page;
  vms_map_view_set_viewport(map, &vp);
  spin_for(0.2);
  VMS_CHECK_U64(check_pages(map, start, page, false), PAGES);

  g_action_group_activate_action(G_ACTION_GROUP(win), "residency", NULL);
  VMS_CHECK(vms_window_get_residency_view(win));
  Wait w = {map, start, start + PAGES * page};
  VMS_CHECK_MSG(spin_until(pages_cover, &w, 10), "no page states for the viewed range");
  spin_for(0.1);
  int right = check_pages(map, start, page, true);
  VMS_CHECK_U64(right, PAGES);
  printf("residency view: %d of %d pages in their colour at one page a pixel\n", right, PAGES);

  /* The export of the region alone, in the residency view: what it shows. */
  char want[PAGES + 1], got[4096];
  for (int i = 0; i < PAGES; i++)
    want[i] = i % 4 == 0 ? 'r' : 'u';
  want[PAGES] = '\0';
  vp.end = start + PAGES * page;
  vms_map_view_set_viewport(map, &vp);
  Wait exact = {map, start, vp.end};
  VMS_CHECK_MSG(spin_until(pages_cover, &exact, 10), "no page states for the region alone");
  g_autofree char *png = g_build_filename(dir, "pages.png", NULL);
  export_pages(win, png, got, sizeof got);
  VMS_CHECK_MSG(strcmp(got, want) == 0, "exported page states %s, want %s", got, want);
  printf("export in the residency view: %zu page-state pixels, %s\n", strlen(got),
         strcmp(got, want) == 0 ? "each page as written" : "WRONG");

  g_action_group_activate_action(G_ACTION_GROUP(win), "residency", NULL);
  VMS_CHECK(!vms_window_get_residency_view(win));
  spin_for(0.1);
  VMS_CHECK_U64(check_pages(map, start, page, false), PAGES);
  export_pages(win, png, got, sizeof got);
  VMS_CHECK_MSG(got[0] == '\0', "the export without the residency view shows page states: %s", got);

  gtk_widget_destroy(GTK_WIDGET(win));
  spin_for(0.1);
  kill(target, SIGKILL);
  waitpid(target, NULL, 0);
  g_autofree char *cfg = g_build_filename(dir, "vmscope", "vmscope.ini", NULL);
  g_unlink(cfg);
  g_autofree char *sub = g_build_filename(dir, "vmscope", NULL);
  g_rmdir(sub);
  g_rmdir(dir);
  return vms_test_end();
}
