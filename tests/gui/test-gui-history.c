/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-history.c: a live view's own history, two moments compared in the table, recordings
 * opened on a worker, and a process in another PID namespace; in-process under Xvfb.
 *
 * Usage: test-gui-history history VMS_HELPER | namespace. "history"
 * attaches to a helper that maps A at 0.7 s and B (unmapping A) at 1.4 s,
 * samples it ten times a second, scrubs back to the first frame while
 * sampling goes on, marks the last frame and reads the table's difference
 * (B appeared; A, which came and went, nowhere), returns to live, saves the
 * history (through its API and through Ctrl+S's chooser, both choices) and
 * opens it again. "namespace" attaches to a sleep that is PID 1
 * of its own PID namespace (unshare --pid --fork --mount-proc). */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <sys/wait.h>

#include "vms-application.h"
#include "vms-container.h"
#include "vms-gui-test.h"
#include "vms-recording.h"
#include "vms-test.h"
#include "vms-window.h"

static void on_saved(GObject *source, GAsyncResult *res, gpointer data) {
  Result *r = data;
  r->ok = vms_window_save_finish(VMS_WINDOW(source), res, &r->error);
  r->done = TRUE;
}

static void on_opened(GObject *source, GAsyncResult *res, gpointer data) {
  Result *r = data;
  r->ok = vms_window_open_recording_finish(VMS_WINDOW(source), res, &r->error);
  r->done = TRUE;
}

static gboolean wait_result(Result *r, const char *what) {
  VMS_CHECK_MSG(spin_until(result_done, r, 30), "%s never finished", what);
  if (r->error)
    fprintf(stderr, "  %s: %s\n", what, r->error->message);
  g_clear_error(&r->error);
  return r->ok;
}

typedef struct {
  VmsWindow *win;
  size_t n;
} Frames;

static gboolean has_frames(gpointer d) {
  Frames *f = d;
  VmsHistory *h = vms_window_get_history(f->win);
  return h && vms_history_count(h) >= f->n;
}

static gboolean holds(const VmsSnapshot *s, uint64_t start, uint64_t end) {
  size_t i = vms_snapshot_find(s, start);
  return i != SIZE_MAX && s->regions[i].start == start && s->regions[i].end == end &&
         s->regions[i].type != VMS_TYPE_FREE;
}

/* Table rows whose range is [start, end), with their change text. */
static int rows_with(VmsRegionTable *t, uint64_t start, uint64_t end, char *text, size_t size) {
  int found = 0;
  for (size_t r = 0; r < vms_region_table_get_n_rows(t); r++) {
    uint64_t s, e;
    char tx[200];
    vms_region_table_get_row_change(t, r, &s, &e, tx, sizeof tx);
    if (s == start && e == end) {
      found++;
      g_strlcpy(text, tx, size);
    }
  }
  return found;
}

/* Pixels of the table drawn in the "appeared" tint (bluish green at 30%
 * over the theme's white rows). */
static long appeared_pixels(GtkWidget *w) {
  int width = gtk_widget_get_allocated_width(w), height = gtk_widget_get_allocated_height(w);
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create(s);
  gtk_widget_draw(w, cr);
  cairo_destroy(cr);
  cairo_surface_flush(s);
  const GdkRGBA *t = vms_region_change_tint(VMS_REGION_APPEARED);
  int want[3] = {(int)(255 * (1 - t->alpha) + 255 * t->red * t->alpha),
                 (int)(255 * (1 - t->alpha) + 255 * t->green * t->alpha),
                 (int)(255 * (1 - t->alpha) + 255 * t->blue * t->alpha)};
  const unsigned char *d = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s);
  long n = 0;
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++) {
      uint32_t p = *(const uint32_t *)(const void *)(d + y * stride + x * 4);
      int c[3] = {(p >> 16) & 255, (p >> 8) & 255, p & 255};
      n += abs(c[0] - want[0]) < 10 && abs(c[1] - want[1]) < 10 && abs(c[2] - want[2]) < 10;
    }
  if (g_getenv("VMS_TEST_SCREENSHOT"))
    cairo_surface_write_to_png(s, g_getenv("VMS_TEST_SCREENSHOT"));
  cairo_surface_destroy(s);
  return n;
}

typedef struct {
  VmsWindow *win;
  const char *text;
} StatusWait;

static gboolean status_is(gpointer d) {
  StatusWait *w = d;
  return g_strcmp0(vms_window_get_status(w->win), w->text) == 0;
}

static void test_history(const char *helper) {
  GPid h = 0;
  int in = -1, out = -1;
  char facts[2][2][32];
  if (!spawn_steps_helper(helper, "700", &h, &in, &out, facts))
    exit(1);
  char(*fa)[32] = facts[0], (*fb)[32] = facts[1];
  uint64_t as = g_ascii_strtoull(fa[0], NULL, 0), ae = g_ascii_strtoull(fa[1], NULL, 0);
  uint64_t bs = g_ascii_strtoull(fb[0], NULL, 0), be = g_ascii_strtoull(fb[1], NULL, 0);

  VmsWindow *win = vms_window_new(NULL);
  gtk_window_set_default_size(GTK_WINDOW(win), 1200, 780);
  gtk_widget_show(GTK_WIDGET(win));
  vms_window_set_interval(win, 0.1);
  VMS_CHECK(vms_window_attach(win, h));
  Frames want = {win, 3};
  VMS_CHECK_MSG(spin_until(has_frames, &want, 15), "the history never held 3 frames");
  VmsTimeline *tl = vms_window_get_timeline(win);
  GtkWidget *tw = GTK_WIDGET(tl);
  VMS_CHECK_MSG(gtk_widget_get_visible(tw), "a live view shows no timeline");
  VMS_CHECK(vms_window_is_live(win));
  g_autofree char *tip = gtk_widget_get_tooltip_text(tw);
  VMS_CHECK_MSG(tip && strstr(tip, "It keeps at most 3600 frames and 64 MiB in all"), "tooltip: %s",
                tip ? tip : "none");
  /* Past both steps (sampling is every 0.1 s). */
  spin_for(1.9);
  VmsHistory *hist = vms_window_get_history(win);
  size_t n = vms_history_count(hist);
  VMS_CHECK_MSG(n >= 10, "only %zu frames in 2 s at 0.1 s", n);
  VMS_CHECK_U64(vms_timeline_get_n_frames(tl), n);
  VMS_CHECK_U64(vms_window_get_frame(win), n - 1);
  VMS_CHECK_MSG(holds(vms_window_get_snapshot(win), bs, be), "B is not in the live view");
  VMS_CHECK_MSG(strip_drawn(tw), "the live view's timeline strip draws no series");

  /* Back to the first frame: held while samples go on into the history. */
  spin_for(0.2);
  double y = gtk_widget_get_allocated_height(tw) / 2.0;
  send_button(tw, GDK_BUTTON_PRESS, vms_timeline_x_of(tl, 0), y, 0);
  VMS_CHECK_U64(vms_window_get_frame(win), 0);
  VMS_CHECK(!vms_window_is_live(win));
  VmsSnapshot *first = vms_snapshot_ref(vms_window_get_snapshot(win));
  VMS_CHECK(!holds(first, as, ae) && !holds(first, bs, be));
  char want_title[64];
  n = vms_history_count(hist);
  g_snprintf(want_title, sizeof want_title, "history: frame 1 of %zu", n);
  const char *sub =
      gtk_header_bar_get_subtitle(GTK_HEADER_BAR(gtk_window_get_titlebar(GTK_WINDOW(win))));
  VMS_CHECK_MSG(sub && strstr(sub, want_title), "subtitle: %s", sub ? sub : "none");
  const char *status = vms_window_get_status(win);
  VMS_CHECK_MSG(g_str_has_prefix(status, "History: frame 1 of") &&
                    strstr(status, "still sampling: End or the last frame returns to live"),
                "status: %s", status);
  guint samples = vms_window_get_n_snapshots(win);
  spin_for(0.6);
  VMS_CHECK_MSG(vms_window_get_n_snapshots(win) > samples, "sampling stopped in the past");
  VMS_CHECK_MSG(vms_history_count(hist) > n, "the history stopped growing in the past");
  VMS_CHECK(vms_window_get_snapshot(win) == first);
  VMS_CHECK_U64(vms_window_get_frame(win), 0);
  n = vms_history_count(hist);
  VMS_CHECK_U64(vms_timeline_get_n_frames(tl), n);

  /* The last frame marked: the table lists what the map marks. */
  VmsRegionTable *table = vms_window_get_table(win);
  send_button(tw, GDK_BUTTON_PRESS, vms_timeline_x_of(tl, n - 1), y, GDK_SHIFT_MASK);
  VMS_CHECK_U64(vms_timeline_get_mark(tl), n - 1);
  GtkTreeView *view = vms_region_table_get_view(table);
  GtkTreeViewColumn *lead = gtk_tree_view_get_column(view, 0);
  VMS_CHECK_STR(gtk_tree_view_column_get_title(lead), "Change");
  VMS_CHECK(gtk_tree_view_column_get_visible(lead));
  char change[200] = "";
  VMS_CHECK_MSG(rows_with(table, bs, be, change, sizeof change) == 1,
                "B (%s-%s) is not one row of the table", fb[0], fb[1]);
  VMS_CHECK_STR(change, "appeared");
  VMS_CHECK_MSG(rows_with(table, as, ae, change, sizeof change) == 0,
                "A (%s-%s), which came and went, is in the table", fa[0], fa[1]);
  size_t nc = vms_region_table_get_n_changes(table, 0);
  VMS_CHECK(vms_region_table_get_n_changes(table, VMS_REGION_APPEARED) >= 1);
  VMS_CHECK_U64(vms_region_table_get_n_rows(table),
                first->n_regions + vms_region_table_get_n_changes(table, VMS_REGION_APPEARED));
  char count[200];
  g_snprintf(count, sizeof count,
             "%zu rows of %zu regions + %zu of the other moment · %zu appeared, %zu vanished, "
             "%zu grew, %zu shrank, %zu changed",
             vms_region_table_get_n_rows(table), first->n_regions,
             vms_region_table_get_n_changes(table, VMS_REGION_APPEARED),
             vms_region_table_get_n_changes(table, VMS_REGION_APPEARED),
             vms_region_table_get_n_changes(table, VMS_REGION_VANISHED),
             vms_region_table_get_n_changes(table, VMS_REGION_GREW),
             vms_region_table_get_n_changes(table, VMS_REGION_SHRANK),
             vms_region_table_get_n_changes(table, VMS_REGION_CHANGED));
  VMS_CHECK_STR(vms_region_table_get_count_text(table), count);
  VMS_CHECK_U64(vms_region_table_get_n_changes(table, VMS_REGION_VANISHED), 0);
  vms_region_table_set_changes_only(table, TRUE);
  VMS_CHECK_U64(vms_region_table_get_n_rows(table), nc);
  spin_for(0.3);
  long tinted = appeared_pixels(GTK_WIDGET(view));
  VMS_CHECK_MSG(tinted > 500, "the appeared row is not tinted (%ld pixels)", tinted);
  vms_region_table_set_changes_only(table, FALSE);
  /* The mark cleared: no comparison left. */
  send_button(tw, GDK_BUTTON_PRESS, vms_timeline_x_of(tl, n - 1), y, GDK_SHIFT_MASK);
  VMS_CHECK_U64(vms_timeline_get_mark(tl), SIZE_MAX);
  VMS_CHECK(!gtk_tree_view_column_get_visible(lead));
  VMS_CHECK_STR(gtk_tree_view_column_get_title(gtk_tree_view_get_column(view, 0)), "Start");
  VMS_CHECK_U64(vms_region_table_get_n_rows(table), first->n_regions);

  /* End: live again, on the newest sample. */
  gtk_widget_grab_focus(tw);
  send_key(tw, GDK_KEY_End);
  VMS_CHECK(vms_window_is_live(win));
  VMS_CHECK_U64(vms_window_get_frame(win), vms_history_count(hist) - 1);
  VMS_CHECK(holds(vms_window_get_snapshot(win), bs, be));

  /* Saved: the frames held when asked, the first one as it was. */
  vms_window_set_paused(win, TRUE);
  spin_for(0.3);
  g_autofree char *dir = g_dir_make_tmp("vmscope-history-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "hist.vmsrec", NULL);
  n = vms_history_count(hist);
  Result r = {0};
  vms_window_save_history(win, path, on_saved, &r);
  VMS_CHECK(wait_result(&r, "saving the history"));
  g_autofree char *done =
      g_strdup_printf("Saved %zu frames (what this view has seen) to %s", n, path);
  VMS_CHECK_STR(vms_window_get_status(win), done);
  FILE *f = fopen(path, "rb");
  VmsRecording *rec = NULL;
  VmsError err = {0};
  VMS_CHECK_MSG(f && vms_recording_open_file(f, &rec, &err) == VMS_OK, "%s", err.message);
  if (rec) {
    VMS_CHECK_U64(vms_recording_count(rec), n);
    VMS_CHECK(!vms_recording_truncated(rec));
    VmsSnapshot *back = NULL;
    VMS_CHECK(vms_recording_frame(rec, 0, &back, &err) == VMS_OK);
    if (back) {
      VMS_CHECK_U64(back->n_regions, first->n_regions);
      VMS_CHECK(back->taken_at == first->taken_at);
      VMS_CHECK(!holds(back, bs, be));
    }
    vms_snapshot_unref(back);
    VMS_CHECK(vms_recording_frame(rec, n - 1, &back, &err) == VMS_OK);
    if (back)
      VMS_CHECK(holds(back, bs, be));
    vms_snapshot_unref(back);
    vms_recording_close(rec);
  }
  if (f)
    fclose(f);

  /* Ctrl+S offers both; each choice writes what it says. */
  const char *choices[] = {"history", "snapshot"};
  for (int c = 0; c < 2; c++) {
    g_action_group_activate_action(G_ACTION_GROUP(win), "save", NULL);
    GtkWidget *dialog = NULL;
    spin_until(find_file_chooser, &dialog, 5);
    VMS_CHECK_MSG(dialog != NULL, "Ctrl+S opened no file chooser");
    if (!dialog)
      break;
    GtkFileChooser *fc = GTK_FILE_CHOOSER(dialog);
    VMS_CHECK_STR(gtk_file_chooser_get_choice(fc, "what"), "history");
    gtk_file_chooser_set_choice(fc, "what", choices[c]);
    gtk_file_chooser_set_current_folder(fc, dir);
    gtk_file_chooser_set_current_name(fc, choices[c]);
    spin_for(0.3); /* the chooser loads the folder before it names a file in it */
    gtk_dialog_response(GTK_DIALOG(dialog), GTK_RESPONSE_ACCEPT);
    g_object_unref(dialog);
    g_autofree char *chosen = g_strdup_printf("%s/%s.vmsrec", dir, choices[c]);
    g_autofree char *said = c == 0 ? g_strdup_printf("Saved %zu frames (what this view has seen) "
                                                     "to %s",
                                                     n, chosen)
                                   : g_strdup_printf("Saved the snapshot to %s", chosen);
    StatusWait sw = {win, said};
    VMS_CHECK_MSG(spin_until(status_is, &sw, 20), "after Ctrl+S the status says: %s",
                  vms_window_get_status(win));
    FILE *cf = fopen(chosen, "rb");
    VmsRecording *crec = NULL;
    VMS_CHECK_MSG(cf && vms_recording_open_file(cf, &crec, &err) == VMS_OK, "%s: %s", chosen,
                  cf ? err.message : "not written");
    if (crec) {
      VMS_CHECK_U64(vms_recording_count(crec), c == 0 ? n : 1);
      vms_recording_close(crec);
    }
    if (cf)
      fclose(cf);
    g_unlink(chosen);
  }

  /* Opened again, on a worker: the window says so until it is read. */
  r = (Result){0};
  vms_window_open_recording(win, path, on_opened, &r);
  VMS_CHECK(!r.done && vms_window_is_opening(win));
  VMS_CHECK_STR(vms_window_get_status(win), "Opening hist.vmsrec…");
  VMS_CHECK(!g_action_group_get_action_enabled(G_ACTION_GROUP(win), "open"));
  VMS_CHECK(wait_result(&r, "opening the history"));
  VMS_CHECK(!vms_window_is_opening(win));
  VMS_CHECK(vms_window_get_recording(win) != NULL);
  if (vms_window_get_recording(win))
    VMS_CHECK_U64(vms_recording_count(vms_window_get_recording(win)), n);
  VMS_CHECK(vms_window_get_history(win) == NULL);
  /* A file that cannot be read: said in the window, which keeps its view. */
  g_autofree char *missing = g_build_filename(dir, "missing.vmsrec", NULL);
  r = (Result){0};
  vms_window_open_recording(win, missing, on_opened, &r);
  VMS_CHECK(!wait_result(&r, "opening a missing file"));
  const char *banner = vms_window_get_banner(win, NULL);
  VMS_CHECK_MSG(banner && g_str_has_prefix(banner, "Cannot open ") &&
                    strstr(banner, "missing.vmsrec"),
                "banner: %s", banner ? banner : "none");
  VMS_CHECK(vms_window_get_recording(win) != NULL);

  vms_snapshot_unref(first);
  gtk_widget_destroy(GTK_WIDGET(win));
  spin_for(0.1);
  g_unlink(path);
  g_rmdir(dir);
  close(in);
  close(out);
  kill(h, SIGKILL);
  waitpid(h, NULL, 0);
}

typedef struct {
  VmsWindow *win;
  VmsPicker *picker;
} Where;

static gboolean where_known(gpointer d) {
  return vms_window_get_container_text(((Where *)d)->win)[0] != '\0';
}

static gboolean picker_loaded(gpointer d) {
  return vms_picker_get_n_loads(((Where *)d)->picker) > 0;
}

/* The namespaced sleep: unshare's one child. */
static int child_of(GPid parent) {
  char path[64];
  g_snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)parent, (int)parent);
  for (int i = 0; i < 100; i++) {
    g_autofree char *text = NULL;
    if (g_file_get_contents(path, &text, NULL, NULL) && atoi(text) > 0)
      return atoi(text);
    g_usleep(50000);
  }
  return 0;
}

static void test_namespace(void) {
  g_autofree char *unshare = g_find_program_in_path("unshare");
  if (!unshare)
    VMS_SKIP("unshare is not installed (util-linux)");
  char *probe[] = {unshare, "--pid", "--fork", "--mount-proc", "true", NULL};
  g_autofree char *why = NULL;
  int status = -1;
  if (!g_spawn_sync(NULL, probe, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &why, &status,
                    NULL) ||
      !g_spawn_check_wait_status(status, NULL)) {
    fprintf(stderr, "SKIP: cannot make a PID namespace here: %s\n", why ? why : "?");
    exit(77);
  }
  char *argv[] = {unshare, "--pid", "--fork", "--mount-proc", "sleep", "60", NULL};
  GPid u = 0;
  VMS_CHECK(g_spawn_async(NULL, argv, NULL,
                          G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                              G_SPAWN_STDERR_TO_DEV_NULL,
                          NULL, NULL, &u, NULL));
  int child = child_of(u);
  VMS_CHECK_MSG(child > 0, "the namespaced sleep never started");
  if (child <= 0)
    return;
  /* What the title must say: PID 1, and a runtime's container ID if its cgroup has one. */
  char path[64], container[80] = "", want[120];
  g_snprintf(path, sizeof path, "/proc/%d/cgroup", child);
  g_autofree char *cg = NULL;
  if (g_file_get_contents(path, &cg, NULL, NULL))
    vms_cgroup_container(cg, container, sizeof container);
  gboolean runtime = strlen(container) == 64 && strspn(container, "0123456789abcdef") == 64;
  if (runtime)
    g_snprintf(want, sizeof want, "PID 1 in %.12s", container);
  else
    g_strlcpy(want, "PID 1 in its namespace", sizeof want);

  VmsWindow *win = vms_window_new(NULL);
  gtk_widget_show(GTK_WIDGET(win));
  VMS_CHECK(vms_window_attach(win, child));
  Where w = {win, NULL};
  VMS_CHECK_MSG(spin_until(where_known, &w, 10), "the window never learned where PID %d lives",
                child);
  VMS_CHECK_STR(vms_window_get_container_text(win), want);
  char title[200];
  g_snprintf(title, sizeof title, "sleep (%d · %s) — vmscope", child, want);
  VMS_CHECK_STR(gtk_window_get_title(GTK_WINDOW(win)), title);
  const char *sub =
      gtk_header_bar_get_subtitle(GTK_HEADER_BAR(gtk_window_get_titlebar(GTK_WINDOW(win))));
  g_snprintf(title, sizeof title, "PID %d · %s · ", child, want);
  VMS_CHECK_MSG(sub && g_str_has_prefix(sub, title), "subtitle: %s", sub ? sub : "none");

  /* The picker's Container column: the same words; nothing of the kind for us. */
  vms_window_show_picker(win);
  w.picker = vms_window_get_picker(win);
  VMS_CHECK_MSG(spin_until(picker_loaded, &w, 10), "the picker never listed the processes");
  g_autofree char *row = vms_picker_get_container_text(w.picker, child);
  VMS_CHECK_STR(row ? row : "(no row)", want);
  g_autofree char *mine = vms_picker_get_container_text(w.picker, getpid());
  VMS_CHECK_MSG(mine && !g_str_has_prefix(mine, "PID "), "this test's row: %s",
                mine ? mine : "(no row)");
  gtk_widget_destroy(GTK_WIDGET(win));
  spin_for(0.1);
  kill(child, SIGKILL);
  kill(u, SIGKILL);
  waitpid(u, NULL, 0);
}

int main(int argc, char **argv) {
  if (argc < 2 || (strcmp(argv[1], "history") == 0 && argc < 3)) {
    fprintf(stderr, "usage: %s history VMS_HELPER | namespace\n", argv[0]);
    return 2;
  }
  g_autofree char *cfg =
      gui_test_setup(argc, argv, 1, "history VMS_HELPER | namespace", "vmscope-history-cfg-XXXXXX");
  if (!cfg)
    VMS_SKIP("no display (run under xvfb-run)");
  vms_application_setup_style();
  if (strcmp(argv[1], "history") == 0)
    test_history(argv[2]);
  else
    test_namespace();
  gui_test_remove_config(cfg);
  return vms_test_end();
}
