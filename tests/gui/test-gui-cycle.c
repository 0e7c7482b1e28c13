/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-cycle.c: the window attached, exported and detached over and over, under Xvfb.
 *
 * usage: test-gui-cycle TARGET_EXE
 *
 * Each round attaches to one of two targets sampled every 50 ms, waits for
 * its map, exports it on the export thread, checks the PNG, and detaches
 * (the sampler is stopped on a thread of its own); one round detaches with
 * the export still running. Between them the sampler, stopper and export
 * threads hand snapshots to the main loop the whole time: the test is
 * written for ThreadSanitizer (the tsan suite) as much as for the facts. */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vms-gui-test.h"
#include "vms-test.h"
#include "vms-window.h"

#define ROUNDS 4

typedef struct {
  VmsWindow *win;
  guint n;
} Snapshots;

static gboolean has_snapshots(gpointer d) {
  Snapshots *s = d;
  return vms_window_get_n_snapshots(s->win) >= s->n;
}

typedef struct {
  gboolean done, ok;
  GError *error;
} ExportResult;

static void on_export_done(GObject *source, GAsyncResult *res, gpointer data) {
  ExportResult *r = data;
  r->ok = vms_window_export_png_finish(VMS_WINDOW(source), res, &r->error);
  r->done = TRUE;
}

static gboolean export_finished(gpointer d) {
  return ((ExportResult *)d)->done;
}

static void check_png(const char *path, int w, int h) {
  cairo_surface_t *img = cairo_image_surface_create_from_png(path);
  VMS_CHECK_MSG(cairo_surface_status(img) == CAIRO_STATUS_SUCCESS, "%s: %s", path,
                cairo_status_to_string(cairo_surface_status(img)));
  VMS_CHECK_U64(cairo_image_surface_get_width(img), w);
  VMS_CHECK_U64(cairo_image_surface_get_height(img), h);
  cairo_surface_destroy(img);
}

static void cycle(VmsWindow *win, GPid pid, int round, const char *dir) {
  VMS_CHECK(vms_window_attach(win, pid));
  /* Three maps: the sampler runs at its interval, not just once. */
  Snapshots want = {win, 3};
  VMS_CHECK_MSG(spin_until(has_snapshots, &want, 20), "round %d: %u maps of %d in 20 s", round,
                vms_window_get_n_snapshots(win), (int)pid);
  VmsSnapshot *snap = vms_window_get_snapshot(win);
  VMS_CHECK_MSG(snap && snap->pid == pid, "round %d: the map is of %d, not %d", round,
                snap ? snap->pid : -1, (int)pid);

  g_autofree char *path = g_strdup_printf("%s/cycle-%d.png", dir, round);
  int w = 800 + 40 * round, h = 500;
  ExportResult r = {0};
  vms_window_export_png(win, path, w, h, on_export_done, &r);
  if (round == ROUNDS - 1) {
    /* Detach with the export in flight: it still finishes, and whole. */
    vms_window_detach(win);
    guint after = vms_window_get_n_snapshots(win);
    VMS_CHECK_MSG(spin_until(export_finished, &r, 30), "round %d: the export never finished",
                  round);
    VMS_CHECK_MSG(r.ok, "round %d: %s", round, r.error ? r.error->message : "no error");
    spin_for(0.5); /* ten sample intervals: no map may arrive after detaching */
    VMS_CHECK_U64(vms_window_get_n_snapshots(win), after);
  } else {
    VMS_CHECK_MSG(spin_until(export_finished, &r, 30), "round %d: the export never finished",
                  round);
    VMS_CHECK_MSG(r.ok, "round %d: %s", round, r.error ? r.error->message : "no error");
    vms_window_detach(win);
    guint after = vms_window_get_n_snapshots(win);
    spin_for(0.3); /* six sample intervals: no map may arrive after detaching */
    VMS_CHECK_U64(vms_window_get_n_snapshots(win), after);
  }
  g_clear_error(&r.error);
  check_png(path, w, h);
  g_unlink(path);
  /* The last map stays after detaching. */
  VMS_CHECK(vms_window_get_snapshot(win) != NULL);
}

int main(int argc, char **argv) {
  g_autofree char *dir = gui_test_setup(argc, argv, 1, "TARGET_EXE", "vmscope-gui-XXXXXX");
  if (!dir)
    VMS_SKIP("no display (run under xvfb-run)");
  GPid targets[2] = {spawn_target(argv[1], "200"), spawn_target(argv[1], "600")};

  VmsWindow *win = vms_window_new(NULL);
  gtk_window_set_default_size(GTK_WINDOW(win), 1000, 700);
  gtk_widget_show(GTK_WIDGET(win));
  vms_window_set_interval(win, 0.05);
  for (int round = 0; round < ROUNDS; round++)
    cycle(win, targets[round % 2], round, dir);
  gtk_widget_destroy(GTK_WIDGET(win));
  spin_for(0.1);

  for (int i = 0; i < 2; i++) {
    kill(targets[i], SIGKILL);
    waitpid(targets[i], NULL, 0);
  }
  g_autofree char *cfg = g_build_filename(dir, "vmscope", "vmscope.ini", NULL);
  g_unlink(cfg);
  g_autofree char *cfgdir = g_build_filename(dir, "vmscope", NULL);
  g_rmdir(cfgdir);
  g_rmdir(dir);
  return vms_test_end();
}
