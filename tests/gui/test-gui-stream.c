/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-stream.c: the window on a live recording stream (vmscope -), in-process under Xvfb.
 *
 * Usage: test-gui-stream live|ends|remote VMSCOPE VMS_HELPER [HOST:PORT]. "live" pipes a real
 * `vmscope PID --record - --interval 0.2` of a helper that exits after
 * 3 s into the window: frames arrive while it lives (its VMA count that of
 * /proc/PID/maps, read here), the timeline grows with the history, a past
 * moment is held while frames go on arriving, and when the helper exits
 * the banner says so and the last frame is marked exited. "ends" records a
 * helper to a file, then pipes it through cat whole, cut inside a frame,
 * with a byte flipped inside a frame, empty, and as a PNG: each ends with
 * its own banner, naming the byte where the stream went wrong. "remote"
 * (run by tests/remote/test-ssh.sh, its sshd at HOST:PORT) opens the window
 * on ssh://HOST:PORT/PID of such a helper, and its picker on ssh://HOST:PORT. */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <sys/wait.h>

#include "vms-application.h"
#include "vms-gui-test.h"
#include "vms-recording.h"
#include "vms-remote.h"
#include "vms-test.h"
#include "vms-window.h"

/* Starts argv with its stdout on a pipe, returned as a FILE (NULL on
 * failure); its stdin a pipe too when in is not NULL. */
static FILE *spawn_reading(char **argv, GPid *pid, int *in) {
  int out = -1;
  GError *e = NULL;
  if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, pid, in, &out,
                                NULL, &e)) {
    fprintf(stderr, "cannot start %s: %s\n", argv[0], e->message);
    g_error_free(e);
    return NULL;
  }
  return fdopen(out, "rb");
}

/* A static helper (exit_ms > 0: exiting that long after it is ready); its PID. */
static int start_helper(const char *helper, const char *exit_ms, FILE **keep, int *in) {
  char *argv[] = {(char *)helper, exit_ms ? "exit-after" : NULL, (char *)exit_ms, NULL};
  GPid pid;
  FILE *f = spawn_reading(argv, &pid, in);
  if (!f)
    exit(1);
  char line[128];
  int hp = 0;
  while (fgets(line, sizeof line, f) && strncmp(line, "ready", 5) != 0)
    sscanf(line, "pid %d", &hp);
  if (hp <= 0) {
    fprintf(stderr, "%s did not get ready\n", helper);
    exit(1);
  }
  *keep = f; /* its stdout stays open, and its stdin: without exit-after it lives until EOF */
  return hp;
}

/* The VMAs that count against vm.max_map_count: the lines of maps but the
 * gate area ([vsyscall]), which the kernel adds to the text without a VMA. */
static guint64 proc_maps_lines(int pid) {
  char path[64], *text = NULL;
  g_snprintf(path, sizeof path, "/proc/%d/maps", pid);
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return 0;
  guint64 n = 0;
  for (const char *c = text; *c; c++)
    n += *c == '\n';
  if (strstr(text, "[vsyscall]"))
    n--;
  g_free(text);
  return n;
}

typedef struct {
  VmsWindow *win;
  guint n;
} Wait;

static gboolean has_frames(gpointer d) {
  Wait *w = d;
  return vms_window_get_stream_frames(w->win) >= w->n;
}

static gboolean stream_over(gpointer d) {
  return !vms_window_is_streaming(((Wait *)d)->win);
}

static gboolean picker_loaded(gpointer d) {
  return vms_picker_get_n_loads(d) >= 1;
}

typedef struct {
  VmsPicker *picker;
  int pid;
} PickerFirst;

static gboolean picker_first_is(gpointer d) {
  PickerFirst *p = d;
  return vms_picker_get_n_visible(p->picker) >= 1 &&
         vms_picker_get_visible_pid(p->picker, 0) == p->pid;
}

static const char *subtitle(VmsWindow *win) {
  return gtk_header_bar_get_subtitle(GTK_HEADER_BAR(gtk_window_get_titlebar(GTK_WINDOW(win))));
}

static VmsWindow *new_window(void) {
  VmsWindow *win = vms_window_new(NULL);
  gtk_window_set_default_size(GTK_WINDOW(win), 1200, 780);
  gtk_widget_show(GTK_WIDGET(win));
  return win;
}

static void test_live(const char *vmscope, const char *helper) {
  FILE *hout;
  int hin;
  int hp = start_helper(helper, "3000", &hout, &hin);
  guint64 vmas = proc_maps_lines(hp);
  char pid_text[16];
  g_snprintf(pid_text, sizeof pid_text, "%d", hp);
  char *argv[] = {(char *)vmscope, pid_text, "--record", "-", "--interval", "0.2", NULL};
  GPid rp;
  FILE *stream = spawn_reading(argv, &rp, NULL);
  if (!stream)
    exit(1);

  VmsWindow *win = new_window();
  vms_window_open_stream(win, stream, TRUE, "stdin");
  VMS_CHECK(vms_window_is_streaming(win));
  VMS_CHECK_STR(vms_window_get_source(win), "stdin");
  VMS_CHECK_STR(gtk_window_get_title(GTK_WINDOW(win)), "stream from stdin — vmscope");
  Wait w = {win, 3};
  VMS_CHECK_MSG(spin_until(has_frames, &w, 10), "3 frames never arrived (%u did)",
                vms_window_get_stream_frames(win));

  /* Every frame is in the history and on the timeline; the newest is on show. */
  VmsHistory *hist = vms_window_get_history(win);
  VMS_CHECK(hist != NULL);
  if (!hist)
    exit(1);
  VmsRecording *rec = vms_history_recording(hist);
  size_t n = vms_history_count(hist);
  VMS_CHECK_U64(n, vms_window_get_stream_frames(win));
  VmsTimeline *tl = vms_window_get_timeline(win);
  VMS_CHECK_MSG(gtk_widget_get_visible(GTK_WIDGET(tl)), "no timeline for a stream");
  VMS_CHECK_U64(vms_timeline_get_n_frames(tl), n);
  VMS_CHECK(vms_window_is_live(win));
  VmsSnapshot *shown = vms_window_get_snapshot(win);
  const VmsFrameInfo *last = vms_recording_info(rec, n - 1);
  VMS_CHECK(shown && shown->pid == hp);
  VMS_CHECK_MSG(shown && shown->taken_at == last->time, "the frame shown is not the newest");
  VMS_CHECK_U64(last->fig[VMS_FIG_VMA_COUNT], vmas);
  VMS_CHECK_U64(shown ? shown->stats.vma_count : 0, vmas);
  char want[300];
  g_snprintf(want, sizeof want, "vms-helper (%d · from stdin) — vmscope", hp);
  VMS_CHECK_STR(gtk_window_get_title(GTK_WINDOW(win)), want);
  g_snprintf(want, sizeof want, "PID %d · from stdin · ", hp);
  VMS_CHECK_MSG(g_str_has_prefix(subtitle(win), want), "subtitle: %s", subtitle(win));
  VMS_CHECK_MSG(g_str_has_prefix(vms_window_get_status(win), "Frame "), "status: %s",
                vms_window_get_status(win));
  /* No sampler to steer. */
  GAction *pause = g_action_map_lookup_action(G_ACTION_MAP(win), "pause");
  VMS_CHECK(!g_action_get_enabled(pause));

  /* Back to the first frame: held while the stream goes on into the history. */
  VMS_CHECK(vms_window_show_frame(win, 0));
  VMS_CHECK(!vms_window_is_live(win));
  w.n = vms_window_get_stream_frames(win) + 2;
  VMS_CHECK_MSG(spin_until(has_frames, &w, 10), "frames stopped arriving in the past");
  VMS_CHECK_U64(vms_window_get_frame(win), 0);
  VMS_CHECK(vms_history_count(hist) >= n + 2);
  VMS_CHECK_U64(vms_timeline_get_n_frames(tl), vms_history_count(hist));
  rec = vms_history_recording(hist);
  VMS_CHECK(vms_window_get_snapshot(win)->taken_at == vms_recording_info(rec, 0)->time);
  VMS_CHECK(vms_window_show_frame(win, vms_history_count(hist) - 1));
  VMS_CHECK(vms_window_is_live(win));

  /* The helper exits: the recorder's last frame says so, and the banner. */
  VMS_CHECK_MSG(spin_until(stream_over, &w, 15), "the stream never ended");
  GtkMessageType type;
  const char *banner = vms_window_get_banner(win, &type);
  g_snprintf(want, sizeof want, "Process %d (vms-helper) exited at ", hp);
  VMS_CHECK_MSG(banner && g_str_has_prefix(banner, want) &&
                    strstr(banner, "the stream from stdin has ended"),
                "banner: %s", banner ? banner : "none");
  VMS_CHECK(type == GTK_MESSAGE_WARNING);
  rec = vms_history_recording(hist);
  n = vms_history_count(hist);
  VMS_CHECK_U64(n, vms_window_get_stream_frames(win));
  VMS_CHECK(vms_recording_info(rec, n - 1)->flags & VMS_FRAME_EXITED);
  VMS_CHECK(vms_history_ended(hist));
  VMS_CHECK_MSG(strstr(subtitle(win), "the stream has ended"), "subtitle: %s", subtitle(win));
  VMS_CHECK_MSG(strstr(vms_window_get_status(win), "the stream has ended"), "status: %s",
                vms_window_get_status(win));
  /* What was seen can still be scrubbed. */
  VMS_CHECK(vms_window_show_frame(win, 1));
  VMS_CHECK_U64(vms_window_get_frame(win), 1);
  gtk_widget_destroy(GTK_WIDGET(win));
  spin_for(0.1);
  fclose(hout);
  close(hin);
}

/* Pipes bytes through cat into a window; the banner once the stream has
 * ended (or NULL), and the frames it received. */
static char *through_cat(const char *dir, const char *name, const void *bytes, size_t len,
                         guint *frames, GtkMessageType *type) {
  g_autofree char *path = g_build_filename(dir, name, NULL);
  if (!g_file_set_contents(path, bytes, (gssize)len, NULL))
    exit(1);
  char *argv[] = {"cat", path, NULL};
  GPid pid;
  FILE *f = spawn_reading(argv, &pid, NULL);
  if (!f)
    exit(1);
  VmsWindow *win = new_window();
  vms_window_open_stream(win, f, TRUE, "stdin");
  Wait w = {win, 0};
  VMS_CHECK_MSG(spin_until(stream_over, &w, 15), "%s: the stream never ended", name);
  const char *banner = vms_window_get_banner(win, type);
  char *text = g_strdup(banner);
  *frames = vms_window_get_stream_frames(win);
  VmsHistory *h = vms_window_get_history(win);
  VMS_CHECK_U64(h ? vms_history_count(h) : 0, *frames);
  if (*frames) {
    VmsTimeline *tl = vms_window_get_timeline(win);
    VMS_CHECK_U64(vms_timeline_get_n_frames(tl), *frames);
    VMS_CHECK(vms_window_get_snapshot(win) != NULL);
  }
  gtk_widget_destroy(GTK_WIDGET(win));
  g_unlink(path);
  return text;
}

static void check_banner(const char *what, const char *banner, const char *part,
                         GtkMessageType type, GtkMessageType want_type) {
  VMS_CHECK_MSG(banner && strstr(banner, part), "%s: banner '%s' lacks '%s'", what,
                banner ? banner : "(none)", part);
  VMS_CHECK_MSG(type == want_type, "%s: banner type %d, not %d", what, type, want_type);
}

static void test_ends(const char *vmscope, const char *helper) {
  FILE *hout;
  int hin;
  int hp = start_helper(helper, NULL, &hout, &hin);
  g_autofree char *dir = g_dir_make_tmp("vmscope-stream-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "six.vmsrec", NULL);
  char pid_text[16];
  g_snprintf(pid_text, sizeof pid_text, "%d", hp);
  char *argv[] = {(char *)vmscope, pid_text,  "--record", path, "--interval",
                  "0.1",           "--count", "6",        NULL};
  int status;
  GError *e = NULL;
  if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
                    &e) ||
      !g_spawn_check_wait_status(status, &e)) {
    fprintf(stderr, "recording the helper failed: %s\n", e->message);
    exit(1);
  }
  fclose(hout);
  close(hin); /* the helper exits */
  g_autofree char *bytes = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &bytes, &len, NULL))
    exit(1);
  VmsRecording *rec = NULL;
  VmsError err = {0};
  if (vms_recording_open_buffer(bytes, len, &rec, &err) != VMS_OK ||
      vms_recording_count(rec) != 6) {
    fprintf(stderr, "the recording does not read back: %s\n", err.message);
    exit(1);
  }
  const VmsFrameInfo *f3 = vms_recording_info(rec, 3), *f4 = vms_recording_info(rec, 4);
  const VmsFrameInfo *f5 = vms_recording_info(rec, 5);
  guint frames;
  GtkMessageType type;
  char want[200];

  g_autofree char *whole = through_cat(dir, "whole", bytes, len, &frames, &type);
  VMS_CHECK_U64(frames, 6);
  check_banner("whole", whole,
               "The stream from stdin has ended after 6 frames: the recorder "
               "finished",
               type, GTK_MESSAGE_INFO);

  /* Cut 10 bytes into frame 4: frames 0 to 3 arrive. */
  g_autofree char *cut = through_cat(dir, "cut", bytes, (size_t)f4->offset + 10, &frames, &type);
  VMS_CHECK_U64(frames, 4);
  g_snprintf(want, sizeof want,
             "ended at byte %" G_GUINT64_FORMAT " without its end mark, after 4 "
             "frames",
             f4->offset);
  check_banner("cut", cut, want, type, GTK_MESSAGE_WARNING);

  /* Cut just before the end mark: every frame, but no mark. */
  g_autofree char *nomark =
      through_cat(dir, "nomark", bytes, (size_t)(f5->offset + f5->size), &frames, &type);
  VMS_CHECK_U64(frames, 6);
  g_snprintf(want, sizeof want, "ended at byte %" G_GUINT64_FORMAT " without its end mark",
             f5->offset + f5->size);
  check_banner("no end mark", nomark, want, type, GTK_MESSAGE_WARNING);

  /* A bit flipped in the middle of frame 3: frames 0 to 2, then the damage. */
  g_autofree char *flipped = g_memdup2(bytes, len);
  flipped[f3->offset + f3->size / 2] ^= 0x10;
  g_autofree char *damaged = through_cat(dir, "damaged", flipped, len, &frames, &type);
  VMS_CHECK_U64(frames, 3);
  g_snprintf(want, sizeof want, "is damaged at byte %" G_GUINT64_FORMAT " after 3 frames",
             f3->offset);
  check_banner("damaged", damaged, want, type, GTK_MESSAGE_ERROR);
  VMS_CHECK_MSG(damaged && strstr(damaged, "checksum"), "damaged: %s", damaged);

  g_autofree char *empty = through_cat(dir, "empty", "", 0, &frames, &type);
  VMS_CHECK_U64(frames, 0);
  check_banner("empty", empty, "The stream from stdin is not a recording vmscope can read", type,
               GTK_MESSAGE_ERROR);

  static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                      'I',  'H', 'D', 'R', 0,    0,    0,    1,    0, 0, 0, 1};
  g_autofree char *notrec = through_cat(dir, "png", png, sizeof png, &frames, &type);
  VMS_CHECK_U64(frames, 0);
  check_banner("png", notrec, "The stream from stdin is not a recording vmscope can read", type,
               GTK_MESSAGE_ERROR);

  vms_recording_close(rec);
  g_unlink(path);
  g_rmdir(dir);
}

/* ssh://HOST:PORT/PID through the sshd test-ssh.sh started (VMSCOPE_SSH
 * holds its keys): the same frames as from stdin, the title saying where,
 * the helper's exit, and a PID that does not exist there. */
static void test_remote(const char *vmscope, const char *helper, const char *hostport) {
  (void)vmscope; /* the far side's vmscope is found on sshd's PATH */
  FILE *hout;
  int hin;
  int hp = start_helper(helper, "4000", &hout, &hin);
  guint64 vmas = proc_maps_lines(hp);
  char url[300], why[300];
  g_snprintf(url, sizeof url, "ssh://%s/%d", hostport, hp);
  VmsRemoteTarget t;
  VMS_CHECK_MSG(vms_remote_parse(url, &t, why, sizeof why), "%s: %s", url, why);

  VmsWindow *win = new_window();
  vms_window_set_interval(win, 0.2);
  vms_window_open_remote(win, &t);
  char want[400];
  g_snprintf(want, sizeof want, "stream on %s — vmscope", hostport);
  VMS_CHECK_STR(gtk_window_get_title(GTK_WINDOW(win)), want);
  g_snprintf(want, sizeof want, "Connecting to %s over ssh and starting vmscope %d there…",
             hostport, hp);
  VMS_CHECK_STR(vms_window_get_status(win), want);
  Wait w = {win, 3};
  VMS_CHECK_MSG(spin_until(has_frames, &w, 20), "3 frames never came over ssh (%u did; %s)",
                vms_window_get_stream_frames(win),
                vms_window_get_banner(win, NULL) ? vms_window_get_banner(win, NULL) : "no banner");
  VmsHistory *hist = vms_window_get_history(win);
  VMS_CHECK(hist && vms_history_count(hist) == vms_window_get_stream_frames(win));
  VmsSnapshot *shown = vms_window_get_snapshot(win);
  VMS_CHECK(shown && shown->pid == hp);
  VMS_CHECK_U64(shown ? shown->stats.vma_count : 0, vmas);
  /* Frames a fifth of a second apart: the window's interval went to the far side. */
  VmsRecording *rec = vms_history_recording(hist);
  double gap = vms_recording_info(rec, 2)->time - vms_recording_info(rec, 1)->time;
  VMS_CHECK_MSG(gap > 0.1 && gap < 0.6, "frames %.3f s apart, not about 0.2", gap);
  g_snprintf(want, sizeof want, "vms-helper (%d · on %s) — vmscope", hp, hostport);
  VMS_CHECK_STR(gtk_window_get_title(GTK_WINDOW(win)), want);
  VMS_CHECK_MSG(spin_until(stream_over, &w, 20), "the stream over ssh never ended");
  const char *banner = vms_window_get_banner(win, NULL);
  g_snprintf(want, sizeof want, "Process %d (vms-helper) exited at ", hp);
  VMS_CHECK_MSG(banner && g_str_has_prefix(banner, want) && strstr(banner, "the stream on ") &&
                    strstr(banner, hostport),
                "banner: %s", banner ? banner : "none");
  rec = vms_history_recording(hist);
  VMS_CHECK(vms_recording_info(rec, vms_recording_count(rec) - 1)->flags & VMS_FRAME_EXITED);
  fclose(hout);
  close(hin);

  /* A PID that does not exist there: the far side's own message. */
  int nopid = 0x7ffffff0;
  g_snprintf(url, sizeof url, "ssh://%s/%d", hostport, nopid);
  VMS_CHECK(vms_remote_parse(url, &t, why, sizeof why));
  vms_window_open_remote(win, &t);
  VMS_CHECK_MSG(spin_until(stream_over, &w, 20), "the stream for no process never ended");
  GtkMessageType type = GTK_MESSAGE_OTHER;
  banner = vms_window_get_banner(win, &type);
  g_snprintf(want, sizeof want, "Reading process %d on %s failed: ", nopid, hostport);
  VMS_CHECK_MSG(banner && g_str_has_prefix(banner, want) && strstr(banner, "no process with PID"),
                "banner: %s", banner ? banner : "none");
  VMS_CHECK(type == GTK_MESSAGE_ERROR);
  VMS_CHECK_U64(vms_window_get_stream_frames(win), 0);

  /* ssh://HOST alone: the picker lists the far side's processes (a static
   * helper readable, a kernel thread not, with the far side's reason), and
   * Enter on the helper's PID opens its stream. */
  int sp = start_helper(helper, NULL, &hout, &hin);
  g_snprintf(url, sizeof url, "ssh://%s", hostport);
  VMS_CHECK(vms_remote_parse(url, &t, why, sizeof why) && t.pid == 0);
  vms_window_show_remote_picker(win, &t);
  VmsPicker *picker = vms_window_get_picker(win);
  VMS_CHECK(picker && vms_picker_get_remote(picker));
  g_snprintf(want, sizeof want, "Processes on %s", hostport);
  VMS_CHECK_STR(gtk_window_get_title(GTK_WINDOW(picker)), want);
  VMS_CHECK_MSG(spin_until(picker_loaded, picker, 20), "the far side's list never loaded");
  gboolean readable = FALSE;
  char *reason = NULL;
  VMS_CHECK_MSG(vms_picker_get_row_state(picker, sp, &readable, &reason) && readable,
                "no readable row for the helper %d", sp);
  g_clear_pointer(&reason, g_free);
  VMS_CHECK_MSG(vms_picker_get_row_state(picker, 2, &readable, &reason) && !readable && reason &&
                    strstr(reason, "kernel thread"),
                "kthreadd's row: %s", reason ? reason : "none");
  g_clear_pointer(&reason, g_free);
  GtkEntry *entry = vms_picker_get_search_entry(picker);
  char search[64];
  g_snprintf(search, sizeof search, "%d vms-helper", sp);
  gtk_entry_set_text(entry, search);
  PickerFirst pf = {picker, sp};
  VMS_CHECK_MSG(spin_until(picker_first_is, &pf, 5), "searching '%s' does not show %d first",
                search, sp);
  gtk_widget_activate(GTK_WIDGET(entry));
  VMS_CHECK(vms_window_get_picker(win) == NULL);
  VMS_CHECK(vms_window_is_streaming(win));
  w.n = 2;
  VMS_CHECK_MSG(spin_until(has_frames, &w, 20), "the chosen process's frames never came");
  shown = vms_window_get_snapshot(win);
  VMS_CHECK(shown && shown->pid == sp);
  g_snprintf(want, sizeof want, "vms-helper (%d · on %s) — vmscope", sp, hostport);
  VMS_CHECK_STR(gtk_window_get_title(GTK_WINDOW(win)), want);
  fclose(hout);
  close(hin); /* the helper exits, and the stream with it */
  VMS_CHECK_MSG(spin_until(stream_over, &w, 20), "the chosen process's stream never ended");
  banner = vms_window_get_banner(win, NULL);
  g_snprintf(want, sizeof want, "Process %d (vms-helper) exited at ", sp);
  VMS_CHECK_MSG(banner && g_str_has_prefix(banner, want), "banner: %s", banner ? banner : "none");
  gtk_widget_destroy(GTK_WIDGET(win));
  spin_for(0.1);
}

int main(int argc, char **argv) {
  g_autofree char *cfg =
      gui_test_setup(argc, argv, 3, "live|ends VMSCOPE VMS_HELPER", "vmscope-stream-cfg-XXXXXX");
  if (!cfg)
    VMS_SKIP("no display (run under xvfb-run)");
  vms_application_setup_style();
  signal(SIGPIPE, SIG_IGN);
  if (strcmp(argv[1], "live") == 0)
    test_live(argv[2], argv[3]);
  else if (strcmp(argv[1], "remote") == 0 && argc > 4)
    test_remote(argv[2], argv[3], argv[4]);
  else
    test_ends(argv[2], argv[3]);
  gui_test_remove_config(cfg);
  return vms_test_end();
}
