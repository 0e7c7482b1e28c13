/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-timeline.c: snapshots and recordings in the window, driven in-process under Xvfb.
 *
 * Usage: test-gui-timeline GUI_TARGET_EXE. The window attaches to a
 * vms-gui-target, saves what it shows through its own API, and the file is
 * read back with the recording reader. */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <sys/wait.h>

#include "vms-application.h"
#include "vms-gui-test.h"
#include "vms-recording.h"
#include "vms-test.h"
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

typedef struct {
  gboolean done, ok;
  GError *error;
} Result;

static void on_saved(GObject *source, GAsyncResult *res, gpointer data) {
  Result *r = data;
  r->ok = vms_window_save_finish(VMS_WINDOW(source), res, &r->error);
  r->done = TRUE;
}

static gboolean result_done(gpointer d) {
  return ((Result *)d)->done;
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

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s GUI_TARGET_EXE\n", argv[0]);
    return 2;
  }
  g_autofree char *dir = g_dir_make_tmp("vmscope-timeline-XXXXXX", NULL);
  g_setenv("XDG_CONFIG_HOME", dir, TRUE);
  if (!gtk_init_check(NULL, NULL))
    VMS_SKIP("no display (run under xvfb-run)");
  g_object_set(gtk_settings_get_default(), "gtk-cursor-blink", FALSE, "gtk-enable-animations",
               FALSE, NULL);
  vms_application_setup_style();

  char *target_argv[] = {argv[1], "50", NULL};
  GPid target = spawn_ready(target_argv, NULL);
  VmsWindow *win = vms_window_new(NULL);
  gtk_window_set_default_size(GTK_WINDOW(win), 1200, 780);
  gtk_widget_show(GTK_WIDGET(win));
  spin_for(0.3);
  test_save_snapshot(win, target, dir);
  stop_child(target);
  gtk_widget_destroy(GTK_WIDGET(win));
  spin_for(0.1);

  g_autofree char *cfg = g_build_filename(dir, "vmscope", "vmscope.ini", NULL);
  g_unlink(cfg);
  g_autofree char *cfgdir = g_build_filename(dir, "vmscope", NULL);
  g_rmdir(cfgdir);
  g_rmdir(dir);
  return vms_test_end();
}
