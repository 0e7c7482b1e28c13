/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-timeline.c: snapshots and recordings in the window, driven in-process under Xvfb.
 *
 * Usage: test-gui-timeline GUI_TARGET_EXE VMSCOPE VMS_HELPER. The window
 * attaches to a vms-gui-target, saves what it shows through its own API,
 * and the file is read back with the recording reader. Then the CLI records
 * a helper that maps and unmaps known regions at known moments, the window
 * opens that recording, and every frame it shows is checked against what
 * `vmscope FILE --at K --summary --format json` says of the same frame. */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <sys/wait.h>

#include "vms-application.h"
#include "vms-diff.h"
#include "vms-gui-test.h"
#include "vms-recording.h"
#include "vms-summary.h"
#include "vms-test.h"
#include "vms-units.h"
#include "vms-window.h"

static GPid spawn_ready(char **argv, int *out_fd) {
  GPid pid = 0;
  int out = -1;
  GError *e = NULL;
  if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, NULL,
                                &out, NULL, &e)) {
    fprintf(stderr, "cannot start %s: %s\n", argv[0], e->message);
    exit(1);
  }
  char buf[16] = {0};
  ssize_t n = read(out, buf, sizeof buf - 1);
  if (n < 5 || strncmp(buf, "ready", 5) != 0) {
    fprintf(stderr, "%s did not get ready\n", argv[0]);
    exit(1);
  }
  if (out_fd)
    *out_fd = out;
  else
    close(out);
  return pid;
}

static void stop_child(GPid pid) {
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

static gboolean has_snapshot(gpointer d) {
  return vms_window_get_snapshot(d) != NULL;
}

static void on_saved(GObject *source, GAsyncResult *res, gpointer data) {
  Result *r = data;
  r->ok = vms_window_save_finish(VMS_WINDOW(source), res, &r->error);
  r->done = TRUE;
}

static gboolean save_and_wait(VmsWindow *win, const char *path, GError **error) {
  Result r = {0};
  vms_window_save(win, path, on_saved, &r);
  if (!r.done)
    VMS_CHECK_MSG(!g_action_group_get_action_enabled(G_ACTION_GROUP(win), "save"),
                  "the save action stays enabled while a save runs");
  VMS_CHECK_MSG(spin_until(result_done, &r, 20), "the save never finished");
  VMS_CHECK(g_action_group_get_action_enabled(G_ACTION_GROUP(win), "save"));
  if (error)
    *error = r.error;
  else
    g_clear_error(&r.error);
  return r.ok;
}

static void on_opened(GObject *source, GAsyncResult *res, gpointer data) {
  Result *r = data;
  r->ok = vms_window_open_recording_finish(VMS_WINDOW(source), res, &r->error);
  r->done = TRUE;
}

/* Opens path in the window; while the worker reads it the window says so. */
static gboolean open_and_wait(VmsWindow *win, const char *path, GError **error) {
  Result r = {0};
  vms_window_open_recording(win, path, on_opened, &r);
  if (!r.done) {
    VMS_CHECK(vms_window_is_opening(win));
    VMS_CHECK_MSG(!g_action_group_get_action_enabled(G_ACTION_GROUP(win), "open"),
                  "the open action stays enabled while a recording is read");
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *want = g_strdup_printf("Opening %s…", base);
    VMS_CHECK_STR(vms_window_get_status(win), want);
  }
  VMS_CHECK_MSG(spin_until(result_done, &r, 30), "the open never finished");
  VMS_CHECK(!vms_window_is_opening(win));
  VMS_CHECK(g_action_group_get_action_enabled(G_ACTION_GROUP(win), "open"));
  if (error)
    *error = r.error;
  else
    g_clear_error(&r.error);
  return r.ok;
}

/* The same regions, field by field, names by their text. */
static gboolean same_regions(const VmsSnapshot *a, const VmsSnapshot *b) {
  if (a->n_regions != b->n_regions) {
    fprintf(stderr, "  regions: %zu and %zu\n", a->n_regions, b->n_regions);
    return FALSE;
  }
  for (size_t i = 0; i < a->n_regions; i++) {
    const VmsRegion *x = &a->regions[i], *y = &b->regions[i];
    if (x->start != y->start || x->end != y->end || x->type != y->type || x->state != y->state ||
        x->prot != y->prot ||
        g_strcmp0(vms_snapshot_name_of(a, x), vms_snapshot_name_of(b, y)) != 0) {
      fprintf(stderr, "  region %zu differs: %#llx-%#llx and %#llx-%#llx\n", i,
              (unsigned long long)x->start, (unsigned long long)x->end,
              (unsigned long long)y->start, (unsigned long long)y->end);
      return FALSE;
    }
  }
  return TRUE;
}

static VmsRecording *open_recording(const char *path, FILE **f) {
  *f = fopen(path, "rb");
  VMS_CHECK_MSG(*f != NULL, "cannot open %s", path);
  if (!*f)
    return NULL;
  VmsRecording *rec = NULL;
  VmsError err = {0};
  VMS_CHECK_MSG(vms_recording_open_file(*f, &rec, &err) == VMS_OK, "%s does not read back: %s",
                path, err.message);
  return rec;
}

/* Ctrl+S's save: the file holds one frame, the regions the window shows. */
static void test_save_snapshot(VmsWindow *win, GPid target, const char *dir) {
  VMS_CHECK(vms_window_attach(win, target));
  VMS_CHECK_MSG(spin_until(has_snapshot, win, 15), "no snapshot arrived after attaching");
  VmsSnapshot *shown = vms_window_get_snapshot(win);
  if (!shown)
    VMS_SKIP("cannot go on without a snapshot");
  vms_window_set_paused(win, TRUE);
  shown = vms_snapshot_ref(vms_window_get_snapshot(win));
  g_autofree char *path = g_build_filename(dir, "saved.vmsrec", NULL);
  GError *e = NULL;
  VMS_CHECK_MSG(save_and_wait(win, path, &e), "saving failed: %s", e ? e->message : "?");
  g_clear_error(&e);
  FILE *f = NULL;
  VmsRecording *rec = open_recording(path, &f);
  if (rec) {
    VMS_CHECK_U64(vms_recording_count(rec), 1);
    VMS_CHECK(!vms_recording_truncated(rec));
    VmsSnapshot *back = NULL;
    VmsError err = {0};
    VMS_CHECK(vms_recording_frame(rec, 0, &back, &err) == VMS_OK);
    if (back) {
      VMS_CHECK(same_regions(shown, back));
      VMS_CHECK_U64(back->pid, target);
      VMS_CHECK_U64(back->stats.free_largest, shown->stats.free_largest);
      vms_snapshot_unref(back);
    }
    vms_recording_close(rec);
  }
  if (f)
    fclose(f);
  /* No temporary file is left beside it. */
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  for (const char *n; d && (n = g_dir_read_name(d));)
    VMS_CHECK_MSG(!g_str_has_suffix(n, ".tmp"), "a temporary file was left: %s", n);

  /* A place that cannot be written: the banner says why, nothing is left. */
  g_autofree char *bad = g_build_filename(dir, "no-such-dir", "x.vmsrec", NULL);
  VMS_CHECK(!save_and_wait(win, bad, &e));
  VMS_CHECK(e != NULL);
  g_clear_error(&e);
  const char *banner = vms_window_get_banner(win, NULL);
  VMS_CHECK_MSG(banner && strstr(banner, "Saving failed"), "banner: %s", banner ? banner : "none");
  /* A directory in the way is refused, not replaced. */
  VMS_CHECK(!save_and_wait(win, dir, NULL));
  VMS_CHECK(g_file_test(dir, G_FILE_TEST_IS_DIR));
  g_unlink(path);
  vms_snapshot_unref(shown);
  vms_window_set_paused(win, FALSE);
  vms_window_detach(win);
}

/* The number after "key": in a JSON text (the first one; nested keys are
 * distinct in the summary: "regions", "total", "largest", "blocks"). */
static uint64_t json_u64(const char *json, const char *key) {
  g_autofree char *pat = g_strdup_printf("\"%s\":", key);
  const char *p = json ? strstr(json, pat) : NULL;
  if (!p)
    return UINT64_MAX;
  p += strlen(pat);
  if (*p == '"')
    return g_ascii_strtoull(p + 1, NULL, 0);
  return g_ascii_strtoull(p, NULL, 10);
}

static char *cli_summary(const char *vmscope, const char *file, size_t k) {
  char at[32];
  g_snprintf(at, sizeof at, "%zu", k);
  char *argv[] = {(char *)vmscope, (char *)file, "--at", at, "--summary", "--format", "json", NULL};
  char *out = NULL;
  int status = -1;
  GError *e = NULL;
  if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status,
                    &e)) {
    VMS_CHECK_MSG(FALSE, "cannot run %s: %s", vmscope, e->message);
    g_clear_error(&e);
    return NULL;
  }
  VMS_CHECK_MSG(g_spawn_check_wait_status(status, NULL), "%s %s --at %zu failed", vmscope, file, k);
  return out;
}

/* Records the helper's steps with the CLI into path; FALSE when it could not. */
static gboolean record_helper(const char *vmscope, const char *helper, const char *path,
                              char facts[2][2][32]) {
  GPid h = 0;
  int in = -1, out = -1;
  GError *e = NULL;
  gboolean ok = spawn_steps_helper(helper, "400", &h, &in, &out, facts);
  if (!h)
    return FALSE;
  char pid[16];
  g_snprintf(pid, sizeof pid, "%d", (int)h);
  char *rargv[] = {(char *)vmscope, pid,          "--record", (char *)path, "--interval",
                   "0.1",           "--duration", "1.4s",     NULL};
  int status = -1;
  if (ok && !g_spawn_sync(NULL, rargv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                          &status, &e)) {
    fprintf(stderr, "cannot run %s: %s\n", vmscope, e->message);
    g_clear_error(&e);
    ok = FALSE;
  }
  ok = ok && g_spawn_check_wait_status(status, NULL);
  close(in);
  close(out);
  stop_child(h);
  return ok;
}

static char *size_text(uint64_t v) {
  char buf[32];
  vms_size_format(v, buf, sizeof buf);
  return g_strdup(buf);
}

/* The recording opened in the window: its last frame first, then every
 * frame as the CLI rebuilds it. */
static void test_open_recording(VmsWindow *win, const char *path, const char *vmscope,
                                char facts[2][2][32]) {
  GError *e = NULL;
  VMS_CHECK_MSG(open_and_wait(win, path, &e), "opening failed: %s", e ? e->message : "?");
  g_clear_error(&e);
  VmsRecording *rec = vms_window_get_recording(win);
  if (!rec)
    VMS_SKIP("cannot go on without the recording");
  size_t n = vms_recording_count(rec);
  VMS_CHECK_MSG(n >= 8, "only %zu frames recorded", n);
  VMS_CHECK_U64(vms_window_get_frame(win), n - 1);
  char want[64];
  g_snprintf(want, sizeof want, "frame %zu of %zu", n, n);
  const char *title = gtk_window_get_title(GTK_WINDOW(win));
  VMS_CHECK_MSG(title && strstr(title, "recording: tl.vmsrec") && strstr(title, want), "title: %s",
                title ? title : "none");
  VmsSummary *sum = vms_window_get_summary(win);
  VmsRegionTable *table = vms_window_get_table(win);
  for (size_t k = 0; k < n; k++) {
    VMS_CHECK(vms_window_show_frame(win, k));
    VMS_CHECK_U64(vms_window_get_frame(win), k);
    g_autofree char *json = cli_summary(vmscope, path, k);
    if (!json)
      continue;
    VmsSnapshot *shown = vms_window_get_snapshot(win);
    VMS_CHECK_U64(shown->n_regions, json_u64(json, "regions"));
    VMS_CHECK_U64(vms_region_table_get_n_rows(table), json_u64(json, "regions"));
    const char *free_json = strstr(json, "\"free\":");
    g_autofree char *total = size_text(json_u64(free_json, "total"));
    VMS_CHECK_STR(vms_summary_get_figure(sum, "free_total"), total);
    char blocks[32];
    g_snprintf(blocks, sizeof blocks, "%" G_GUINT64_FORMAT, json_u64(free_json, "blocks"));
    VMS_CHECK_STR(vms_summary_get_figure(sum, "free_blocks"), blocks);
    g_autofree char *largest = size_text(json_u64(free_json, "largest"));
    const char *got = vms_summary_get_figure(sum, "free_largest");
    VMS_CHECK_MSG(got && g_str_has_prefix(got, largest), "frame %zu: largest %s, want %s", k,
                  got ? got : "none", largest);
    char vma[32];
    g_snprintf(vma, sizeof vma, "%" G_GUINT64_FORMAT, json_u64(json, "vma_count"));
    got = vms_summary_get_figure(sum, "vma_count");
    VMS_CHECK_MSG(got && g_str_has_prefix(got, vma), "frame %zu: VMAs %s, want %s", k,
                  got ? got : "none", vma);
  }
  /* The strip: shown, drawn, scrubbed by click, drag and keys. */
  VmsTimeline *tl = vms_window_get_timeline(win);
  VMS_CHECK(gtk_widget_get_visible(GTK_WIDGET(tl)));
  spin_for(0.3);
  VMS_CHECK_U64(vms_timeline_get_n_frames(tl), n);
  VMS_CHECK(strip_drawn(GTK_WIDGET(tl)));
  GtkWidget *tw = GTK_WIDGET(tl);
  double y = gtk_widget_get_allocated_height(tw) / 2.0;
  send_button(tw, GDK_BUTTON_PRESS, vms_timeline_x_of(tl, 2), y, 0);
  VMS_CHECK_U64(vms_window_get_frame(win), 2);
  send_motion(tw, vms_timeline_x_of(tl, 5), y);
  VMS_CHECK_U64(vms_window_get_frame(win), 5);
  send_key(tw, GDK_KEY_Right);
  VMS_CHECK_U64(vms_window_get_frame(win), 6);
  send_key(tw, GDK_KEY_Home);
  VMS_CHECK_U64(vms_window_get_frame(win), 0);
  send_key(tw, GDK_KEY_End);
  VMS_CHECK_U64(vms_window_get_frame(win), n - 1);
  /* Two moments: the first frame marked, the last shown. Only B is new
   * between them (A came and went), and that is what the map marks. */
  send_button(tw, GDK_BUTTON_PRESS, vms_timeline_x_of(tl, 0), y, GDK_SHIFT_MASK);
  VMS_CHECK_U64(vms_timeline_get_mark(tl), 0);
  VmsMapView *map = vms_window_get_map(win);
  size_t nc = vms_map_view_get_n_changes(map);
  const VmsChange *ch = vms_map_view_get_changes(map);
  uint64_t bs = g_ascii_strtoull(facts[1][0], NULL, 0), be = g_ascii_strtoull(facts[1][1], NULL, 0);
  gboolean b_new = FALSE;
  for (size_t i = 0; i < nc; i++)
    if (ch[i].kind == VMS_CHANGE_NEW && ch[i].start == bs && ch[i].end == be)
      b_new = TRUE;
  VMS_CHECK_MSG(b_new, "the map marks %zu changes, B (%s-%s) not new among them", nc, facts[1][0],
                facts[1][1]);
  /* The same moment as both: nothing marked; the mark cleared: nothing. */
  send_button(tw, GDK_BUTTON_PRESS, vms_timeline_x_of(tl, n - 1), y, GDK_SHIFT_MASK);
  VMS_CHECK_U64(vms_map_view_get_n_changes(map), 0);
  send_button(tw, GDK_BUTTON_PRESS, vms_timeline_x_of(tl, n - 1), y, GDK_SHIFT_MASK);
  VMS_CHECK_U64(vms_timeline_get_mark(tl), SIZE_MAX);

  /* A file that is no recording: the banner says so, the view stays. */
  g_autofree char *dir = g_path_get_dirname(path);
  g_autofree char *junk = g_build_filename(dir, "junk.vmsrec", NULL);
  g_file_set_contents(junk, "not a recording\n", -1, NULL);
  VMS_CHECK(!open_and_wait(win, junk, NULL));
  VMS_CHECK(vms_window_get_recording(win) == rec);
  const char *banner = vms_window_get_banner(win, NULL);
  VMS_CHECK_MSG(banner && strstr(banner, "not a recording"), "banner: %s",
                banner ? banner : "none");
  g_unlink(junk);
}

int main(int argc, char **argv) {
  g_autofree char *dir =
      gui_test_setup(argc, argv, 3, "GUI_TARGET_EXE VMSCOPE VMS_HELPER", "vmscope-timeline-XXXXXX");
  if (!dir)
    VMS_SKIP("no display (run under xvfb-run)");
  vms_application_setup_style();

  char *target_argv[] = {argv[1], "50", NULL};
  GPid target = spawn_ready(target_argv, NULL);
  VmsWindow *win = vms_window_new(NULL);
  gtk_window_set_default_size(GTK_WINDOW(win), 1200, 780);
  gtk_widget_show(GTK_WIDGET(win));
  spin_for(0.3);
  test_save_snapshot(win, target, dir);
  stop_child(target);

  g_autofree char *rec_path = g_build_filename(dir, "tl.vmsrec", NULL);
  char facts[2][2][32];
  if (record_helper(argv[2], argv[3], rec_path, facts))
    test_open_recording(win, rec_path, argv[2], facts);
  else
    VMS_CHECK_MSG(FALSE, "the CLI could not record the helper");
  gtk_widget_destroy(GTK_WIDGET(win));
  spin_for(0.1);

  g_unlink(rec_path);
  gui_test_remove_config(dir);
  return vms_test_end();
}
