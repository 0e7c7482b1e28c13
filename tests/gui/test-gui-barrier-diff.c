/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-barrier-diff.c: the summary lists how the barriers changed between two marked moments.
 *
 * Usage: test-gui-barrier-diff VMSCOPE VMS_HELPER. The helper keeps a free
 * room in its mapping area and maps a 2 MiB barrier in it on SIGUSR1,
 * unmapping it on SIGUSR2; the window samples it ten times a second
 * through the three moments. With the moment with the barrier shown and
 * the one before marked on the timeline (shift-click), the summary's
 * section must list the barrier as appeared, exactly where the helper
 * mapped it, and its group as changed, and a click on its row select it on the map and zoom to it;
 * from the barrier to after, vanished. Each time the rows must be those of
 * `vmscope FILE --diff A B --format json` on the window's own history,
 * saved: every barrier change (kind, start, end) and group change (kind,
 * group), in order. Unmarking hides the section. */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/wait.h>

#include "vms-application.h"
#include "vms-gui-test.h"
#include "vms-live.h"
#include "vms-test.h"
#include "vms-window.h"

static const char *vmscope;

typedef struct {
  VmsWindow *win;
  size_t n;
} Frames;

static size_t n_frames(VmsWindow *win) {
  VmsHistory *h = vms_window_get_history(win);
  return h ? vms_history_count(h) : 0;
}

static gboolean has_frames(gpointer d) {
  Frames *f = d;
  return n_frames(f->win) >= f->n;
}

typedef struct {
  pid_t pid;
  uint64_t at;
  bool want;
} Mapped;

static gboolean maps_has(gpointer data) {
  const Mapped *m = data;
  VmsMaps maps;
  if (!vms_maps_read(m->pid, &maps))
    return FALSE;
  bool has = false;
  for (size_t i = 0; i < maps.n; i++)
    has = has || maps.v[i].start == m->at;
  vms_maps_free(&maps);
  return has == m->want;
}

/* The index of a frame sampled wholly after now. */
static size_t frame_after_now(VmsWindow *win) {
  Frames f = {win, n_frames(win) + 2};
  VMS_CHECK_MSG(spin_until(has_frames, &f, 20), "the history stopped at %zu frames", n_frames(win));
  return f.n - 1;
}

static void on_saved(GObject *source, GAsyncResult *res, gpointer data) {
  Result *r = data;
  r->ok = vms_window_save_finish(VMS_WINDOW(source), res, &r->error);
  r->done = TRUE;
}

typedef struct {
  guint n;
  guint64 start, end, idx;
} Activated;

static void on_region_activated(VmsSummary *s, guint64 start, guint64 end, guint64 idx,
                                gpointer data) {
  Activated *a = data;
  a->n++;
  a->start = start;
  a->end = end;
  a->idx = idx;
}

/* The window's comparison of older and newer against --diff on the saved history. */
static void check_against_cli(VmsWindow *win, const char *dir, size_t older, size_t newer) {
  VmsSummary *sum = vms_window_get_summary(win);
  const VmsBarrierDiff *bd = vms_summary_get_barrier_diff(sum);
  VMS_CHECK_MSG(bd != NULL, "no barrier comparison in the summary");
  if (!bd)
    return;
  g_autofree char *path = g_build_filename(dir, "history.vmsrec", NULL);
  Result r = {0};
  vms_window_save_history(win, path, on_saved, &r);
  VMS_CHECK_MSG(spin_until(result_done, &r, 30), "saving the history never finished");
  VMS_CHECK_MSG(r.ok, "saving the history: %s", r.error ? r.error->message : "failed");
  g_clear_error(&r.error);
  char a[24], b[24];
  g_snprintf(a, sizeof a, "%zu", older);
  g_snprintf(b, sizeof b, "%zu", newer);
  const char *const argv[] = {vmscope, path, "--diff", a, b, "--format", "json", NULL};
  VmsRun run;
  VMS_CHECK(vms_run(argv, &run));
  VMS_CHECK_MSG(run.status == 0, "--diff %s %s: exit %d: %s", a, b, run.status, run.err);
  VmsJson *j = run.status == 0 ? vms_json_parse(run.out, run.out_len) : NULL;
  VMS_CHECK_MSG(j != NULL, "not JSON: %.300s", run.out);
  if (j) {
    VMS_CHECK_U64(vms_json_len(j, "barriers"), bd->n_barriers);
    for (size_t i = 0; i < bd->n_barriers && i < vms_json_len(j, "barriers"); i++) {
      const VmsBarrierChange *c = &bd->barriers[i];
      const VmsBarrier *any = c->new_b ? c->new_b : c->old_b;
      char p[64];
      uint64_t start = 0, end = 0;
      g_snprintf(p, sizeof p, "barriers.%zu.change", i);
      VMS_CHECK_STR(vms_json_str(j, p), vms_barrier_change_name(c->kind));
      g_snprintf(p, sizeof p, "barriers.%zu.start", i);
      VMS_CHECK(vms_json_u64(j, p, &start));
      g_snprintf(p, sizeof p, "barriers.%zu.end", i);
      VMS_CHECK(vms_json_u64(j, p, &end));
      VMS_CHECK_MSG(start == any->start && end == any->end,
                    "barrier change %zu: window 0x%" PRIx64 "-0x%" PRIx64 ", --diff 0x%" PRIx64
                    "-0x%" PRIx64,
                    i, any->start, any->end, start, end);
    }
    VMS_CHECK_U64(vms_json_len(j, "barrier_groups"), bd->n_groups);
    for (size_t i = 0; i < bd->n_groups && i < vms_json_len(j, "barrier_groups"); i++) {
      char p[64];
      g_snprintf(p, sizeof p, "barrier_groups.%zu.change", i);
      VMS_CHECK_STR(vms_json_str(j, p), vms_group_change_name(bd->groups[i].kind));
      g_snprintf(p, sizeof p, "barrier_groups.%zu.group", i);
      VMS_CHECK_STR(vms_json_str(j, p), vms_barrier_group_name(bd->groups[i].group));
    }
    printf("frames %zu -> %zu: %zu barrier and %zu group changes, as --diff lists them\n", older,
           newer, bd->n_barriers, bd->n_groups);
    vms_json_free(j);
  }
  vms_run_free(&run);
  g_unlink(path);
  /* One row a change, each with its text. */
  size_t rows = 0;
  while (gtk_list_box_get_row_at_index(vms_summary_get_barrier_changes(sum), (int)rows))
    rows++;
  VMS_CHECK_U64(rows, bd->n_barriers + bd->n_groups);
  for (size_t i = 0; i < bd->n_barriers; i++) {
    char key[40];
    g_snprintf(key, sizeof key, "barrier_change:%zu", i);
    VMS_CHECK_MSG(vms_summary_get_figure(sum, key) != NULL, "no row text for %s", key);
  }
}

/* The change of kind at [lo, hi) in the summary's comparison: its index, or SIZE_MAX. */
static size_t change_at(VmsWindow *win, VmsBarrierChangeKind kind, uint64_t lo, uint64_t hi) {
  const VmsBarrierDiff *bd = vms_summary_get_barrier_diff(vms_window_get_summary(win));
  for (size_t i = 0; bd && i < bd->n_barriers; i++) {
    const VmsBarrier *any = bd->barriers[i].new_b ? bd->barriers[i].new_b : bd->barriers[i].old_b;
    if (bd->barriers[i].kind == kind && any->start == lo && any->end == hi)
      return i;
  }
  return SIZE_MAX;
}

/* Over the default scope the helper's other private walls stay, so its
 * group changed (or appeared, or vanished, where it was alone) with it. */
static bool group_changed(VmsWindow *win, VmsBarrierGroup g) {
  const VmsBarrierDiff *bd = vms_summary_get_barrier_diff(vms_window_get_summary(win));
  for (size_t i = 0; bd && i < bd->n_groups; i++)
    if (bd->groups[i].group == g)
      return true;
  return false;
}

/* Shows frame shown and marks frame marked by a shift-click on the strip. */
static void compare(VmsWindow *win, size_t shown, size_t marked) {
  VMS_CHECK(vms_window_show_frame(win, shown));
  VmsTimeline *tl = vms_window_get_timeline(win);
  GtkWidget *tw = GTK_WIDGET(tl);
  send_button(tw, GDK_BUTTON_PRESS, vms_timeline_x_of(tl, marked),
              gtk_widget_get_allocated_height(tw) / 2.0, GDK_SHIFT_MASK);
  spin_for(0.1);
  VMS_CHECK_U64(vms_window_get_frame(win), shown);
  VMS_CHECK_U64(vms_timeline_get_mark(tl), marked);
}

int main(int argc, char **argv) {
  g_autofree char *dir =
      gui_test_setup(argc, argv, 2, "VMSCOPE VMS_HELPER", "vmscope-gui-barrier-diff-XXXXXX");
  if (!dir)
    VMS_SKIP("no display (run under xvfb-run)");
  vmscope = argv[1];
  vms_application_setup_style();
  const char *const hargv[] = {argv[2], "barrier-toggle", NULL};
  VmsHelper h;
  if (!vms_helper_start(&h, hargv)) {
    VMS_CHECK_MSG(false, "%s did not start", argv[2]);
    return vms_test_end();
  }
  uint64_t x_lo = 0, x_hi = 0;
  const char *at = vms_helper_fact(&h, "barrier-at", 0);
  VMS_CHECK(at && sscanf(at, "%" SCNx64 " %" SCNx64, &x_lo, &x_hi) == 2);

  VmsWindow *win = vms_window_new(NULL);
  gtk_window_set_default_size(GTK_WINDOW(win), 1200, 780);
  gtk_widget_show(GTK_WIDGET(win));
  vms_window_set_interval(win, 0.1);
  VMS_CHECK(vms_window_attach(win, h.pid));
  Frames first = {win, 1};
  VMS_CHECK_MSG(spin_until(has_frames, &first, 15), "no sample arrived");
  size_t before = frame_after_now(win);
  kill(h.pid, SIGUSR1);
  Mapped m = {h.pid, x_lo, true};
  VMS_CHECK_MSG(spin_until(maps_has, &m, 30), "the barrier at 0x%" PRIx64 " was never mapped",
                x_lo);
  size_t with = frame_after_now(win);
  kill(h.pid, SIGUSR2);
  m.want = false;
  VMS_CHECK_MSG(spin_until(maps_has, &m, 30), "the barrier was never unmapped");
  size_t after = frame_after_now(win);
  VmsSummary *sum = vms_window_get_summary(win);
  VMS_CHECK_MSG(vms_summary_get_barrier_diff(sum) == NULL, "a comparison with no moment marked");

  /* Before -> with: the barrier appeared, and the private group changed with it. */
  compare(win, with, before);
  size_t k = change_at(win, VMS_BARRIER_APPEARED, x_lo, x_hi);
  VMS_CHECK_MSG(k != SIZE_MAX,
                "the barrier at 0x%" PRIx64 "-0x%" PRIx64 " is not listed as appeared", x_lo, x_hi);
  VMS_CHECK(group_changed(win, VMS_BGROUP_PRIVATE));
  const char *label = vms_summary_get_figure(sum, "barrier_changes");
  char want[64];
  g_snprintf(want, sizeof want, "From frame %zu to frame %zu", before + 1, with + 1);
  VMS_CHECK_MSG(label && g_str_has_prefix(label, want), "section: %s", label ? label : "(none)");
  VMS_CHECK(gtk_widget_get_visible(GTK_WIDGET(vms_summary_get_barrier_changes(sum))));
  check_against_cli(win, dir, before, with);
  if (g_getenv("VMS_TEST_SCREENSHOT")) {
    cairo_surface_t *shot = draw_widget(GTK_WIDGET(sum));
    cairo_surface_write_to_png(shot, g_getenv("VMS_TEST_SCREENSHOT"));
    cairo_surface_destroy(shot);
  }

  /* A click on its row selects the barrier on the map and zooms to it. */
  if (k != SIZE_MAX) {
    char key[40];
    g_snprintf(key, sizeof key, "barrier_change:%zu", k);
    const char *text = vms_summary_get_figure(sum, key);
    VMS_CHECK_MSG(text && g_str_has_prefix(text, "Appeared: "), "row: %s", text ? text : "none");
    Activated act = {0};
    gulong id = g_signal_connect(sum, "region-activated", G_CALLBACK(on_region_activated), &act);
    GtkListBoxRow *row =
        gtk_list_box_get_row_at_index(vms_summary_get_barrier_changes(sum), (int)k);
    VMS_CHECK(row != NULL);
    if (row)
      g_signal_emit_by_name(row, "activate");
    spin_for(0.1);
    g_signal_handler_disconnect(sum, id);
    VMS_CHECK_U64(act.n, 1);
    VMS_CHECK_U64(act.start, x_lo);
    VMS_CHECK_U64(act.end, x_hi);
    VmsSnapshot *snap = vms_window_get_snapshot(win);
    VmsMapView *map = vms_window_get_map(win);
    size_t sel = vms_map_view_get_selected(map);
    VMS_CHECK_MSG(snap && sel < snap->n_regions && snap->regions[sel].start == x_lo,
                  "the row selected region %zu, not the barrier", sel);
    const VmsViewport *vp = vms_map_view_get_viewport(map);
    VMS_CHECK_MSG(vp->start <= x_lo && vp->end >= x_hi && vp->end - vp->start < 64 * (x_hi - x_lo),
                  "the map shows 0x%" PRIx64 "-0x%" PRIx64 ", not the barrier", vp->start, vp->end);
  }

  /* With -> after: it vanished. */
  compare(win, after, with);
  VMS_CHECK_MSG(change_at(win, VMS_BARRIER_VANISHED, x_lo, x_hi) != SIZE_MAX,
                "the barrier is not listed as vanished");
  VMS_CHECK(group_changed(win, VMS_BGROUP_PRIVATE));
  check_against_cli(win, dir, with, after);

  /* The mark cleared: no comparison, the section hidden. */
  vms_timeline_set_mark(vms_window_get_timeline(win), SIZE_MAX, TRUE);
  spin_for(0.1);
  VMS_CHECK(vms_summary_get_barrier_diff(sum) == NULL);
  VMS_CHECK(!gtk_widget_get_visible(GTK_WIDGET(vms_summary_get_barrier_changes(sum))));

  gtk_widget_destroy(GTK_WIDGET(win));
  spin_for(0.1);
  vms_helper_stop(&h);
  gui_test_remove_config(dir);
  return vms_test_end();
}
