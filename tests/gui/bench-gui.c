/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-gui.c: the GTK application's speed with a 65,000-mapping target (a benchmark: prints
 * figures, asserts nothing timed).
 *
 * Usage (under Xvfb): bench-gui TARGET_EXE [MAPPINGS] [SECONDS]. Reports
 *  - hand-off to drawn frame: from a snapshot reaching the main loop to the
 *    end of the first frame painted with it (table, summary and map updated);
 *  - frame time while zooming and panning: from the viewport change to the
 *    end of its painted frame;
 *  - sorting the region table by size and filtering it by text;
 *  - residency: the page-table read on a refresh (snapshot residency_seconds)
 *    and the residency view's page states of the viewed range, each against
 *    the floor of reading /proc/PID/maps as text (as cat does);
 *  - the CPU share of the whole process (UI and sampler threads) in a 1 Hz
 *    live view, SECONDS/2 (default 60 in all) on the static target and as
 *    long on one whose regions churn, and what the view's history then holds;
 * each beside the floor measured in the same run: the sampler's own read and
 * build of one snapshot (read_seconds). */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "vms-application.h"
#include "vms-gui-test.h"
#include "vms-window.h"

static guint frames;
static void on_after_paint(GdkFrameClock *c, gpointer d) {
  frames++;
}

/* Runs the loop until a frame ends; returns seconds since t0 (µs clock). */
static double until_frame(gint64 t0) {
  guint f = frames;
  gint64 deadline = t0 + 5000000;
  while (frames == f && g_get_monotonic_time() < deadline)
    g_main_context_iteration(NULL, TRUE);
  return (double)(g_get_monotonic_time() - t0) / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}
static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n ? v[n / 2] : 0;
}
static double p95(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n ? v[(n * 95) / 100 < n ? (n * 95) / 100 : n - 1] : 0;
}

/* Reading /proc/PID/maps whole, as cat does: the median of five reads. */
static double maps_read_seconds(GPid pid) {
  char path[64];
  g_snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
  double t[5];
  for (int i = 0; i < 5; i++) {
    gint64 t0 = g_get_monotonic_time();
    gchar *text = NULL;
    gsize len = 0;
    g_file_get_contents(path, &text, &len, NULL);
    t[i] = (double)(g_get_monotonic_time() - t0) / 1e6;
    g_free(text);
  }
  return median(t, 5);
}

/* Turns the residency view on over the whole space and takes the seconds
 * of the next n page-state reads of the viewed range. */
static int view_page_reads(VmsWindow *win, double *out, int n) {
  VmsMapView *map = vms_window_get_map(win);
  vms_map_view_zoom_fit(map);
  vms_window_set_residency_view(win, TRUE);
  const VmsPageMap *last = NULL;
  int got = 0;
  gint64 deadline = g_get_monotonic_time() + 30000000;
  while (got < n && g_get_monotonic_time() < deadline) {
    g_main_context_iteration(NULL, TRUE);
    const VmsPageMap *pm = vms_map_view_get_pages(map);
    if (pm && pm != last) {
      out[got++] = pm->seconds;
      last = pm;
    }
  }
  vms_window_set_residency_view(win, FALSE);
  return got;
}

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s TARGET_EXE [MAPPINGS] [SECONDS]\n", argv[0]);
    return 2;
  }
  const char *count = argc > 2 ? argv[2] : "65000";
  double seconds = argc > 3 ? g_ascii_strtod(argv[3], NULL) : 60;
  g_autofree char *dir = g_dir_make_tmp("vmscope-bench-XXXXXX", NULL);
  g_setenv("XDG_CONFIG_HOME", dir, TRUE);
  if (!gtk_init_check(NULL, NULL)) {
    printf("SKIP: no display (run under xvfb-run)\n");
    return 77;
  }
  g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
  vms_application_setup_style();

  char *targv[] = {argv[1], (char *)count, NULL};
  GPid target;
  int out;
  if (!g_spawn_async_with_pipes(NULL, targv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &target,
                                NULL, &out, NULL, NULL)) {
    fprintf(stderr, "cannot start %s\n", argv[1]);
    return 1;
  }
  char buf[8] = {0};
  if (read(out, buf, 5) != 5) {
    fprintf(stderr, "the target did not get ready\n");
    return 1;
  }
  close(out);

  VmsWindow *win = vms_window_new(NULL);
  gtk_window_set_default_size(GTK_WINDOW(win), 1200, 780);
  gtk_widget_show(GTK_WIDGET(win));
  g_signal_connect(gtk_widget_get_frame_clock(GTK_WIDGET(win)), "after-paint",
                   G_CALLBACK(on_after_paint), NULL);
  spin_for(0.3);
  vms_window_attach(win, target);
  gint64 deadline = g_get_monotonic_time() + 30000000;
  while (vms_window_get_n_snapshots(win) < 1 && g_get_monotonic_time() < deadline)
    g_main_context_iteration(NULL, TRUE);
  VmsSnapshot *snap = vms_window_get_snapshot(win);
  if (!snap) {
    fprintf(stderr, "no snapshot of the target\n");
    return 1;
  }
  VmsMapView *map = vms_window_get_map(win);
  VmsRegionTable *table = vms_window_get_table(win);
  printf("target: %zu regions (%" G_GUINT64_FORMAT " mappings)\n", snap->n_regions,
         snap->stats.vma_count);

  /* Hand-off to frame, over the next few live samples (1 Hz). */
  double lat[8], floor_read[8], res_read[8];
  int nl = 0, n_res = 0;
  for (guint seen = vms_window_get_n_snapshots(win); nl < 5;) {
    g_main_context_iteration(NULL, TRUE);
    if (vms_window_get_n_snapshots(win) != seen && vms_window_get_frame_latency(win) >= 0) {
      seen = vms_window_get_n_snapshots(win);
      spin_for(0.05);
      lat[nl] = vms_window_get_frame_latency(win);
      floor_read[nl] = vms_window_get_snapshot(win)->read_seconds;
      if (vms_window_get_snapshot(win)->residency_seconds > 0)
        res_read[n_res++] = vms_window_get_snapshot(win)->residency_seconds;
      nl++;
    }
  }
  double read_s = median(floor_read, nl);
  printf("floor: the sampler reads and builds one snapshot in %.1f ms (median of %d)\n",
         read_s * 1e3, nl);
  double hand = median(lat, nl);
  printf("snapshot hand-off to drawn frame: %.1f ms median (%.2fx the read floor)\n", hand * 1e3,
         hand / read_s);

  /* Residency: what the window's refreshes spend on it, and the view's reads. */
  double maps_s = maps_read_seconds(target), view_s[4];
  int n_view = view_page_reads(win, view_s, 4);
  double res_s = median(res_read, n_res), view_med = median(view_s, n_view);
  printf("floor: reading /proc/PID/maps as text %.1f ms (median of 5)\n", maps_s * 1e3);
  printf("residency on a refresh: read on %d of %d refreshes, %.1f ms median (%.2fx the maps text "
         "read; the refresh as a whole %.1f ms, %.2fx)\n",
         n_res, nl, res_s * 1e3, res_s / maps_s, read_s * 1e3, read_s / maps_s);
  printf("residency view, page states of the whole space: %.1f ms median of %d (%.2fx the maps "
         "text read)\n",
         view_med * 1e3, n_view, view_med / maps_s);

  /* Zoom and pan frames (paused so samples do not interleave). */
  vms_window_set_paused(win, TRUE);
  spin_for(0.3);
  double zt[64], pt[64], lay = 0, ren = 0;
  int nz = 0, np = 0;
  int w = gtk_widget_get_allocated_width(GTK_WIDGET(map)),
      h = gtk_widget_get_allocated_height(GTK_WIDGET(map));
  vms_map_view_set_layout_kind(map, VMS_LAYOUT_LINEAR);
  for (int layout = 0; layout < 2; layout++) {
    vms_map_view_set_layout_kind(map, layout ? VMS_LAYOUT_COMPRESSED : VMS_LAYOUT_LINEAR);
    until_frame(g_get_monotonic_time());
    for (int i = 0; i < 16; i++) {
      gint64 t0 = g_get_monotonic_time();
      vms_map_view_zoom_at(map, w * 0.55, h * 0.4, i < 8 ? 1.5 : 1 / 1.5);
      zt[nz++] = until_frame(t0);
      double l, r;
      vms_map_view_get_timings(map, &l, &r);
      lay += l;
      ren += r;
    }
    vms_map_view_zoom_at(map, w * 0.55, h * 0.4, 8);
    until_frame(g_get_monotonic_time());
    for (int i = 0; i < 16; i++) {
      gint64 t0 = g_get_monotonic_time();
      vms_map_view_pan(map, i < 8 ? -25 : 25, i % 2 ? 6 : -6);
      pt[np++] = until_frame(t0);
    }
  }
  printf("zoom frame: %.1f ms median, %.1f ms p95 (layout %.1f ms + render %.1f ms per step on "
         "average)\n",
         median(zt, nz) * 1e3, p95(zt, nz) * 1e3, lay / nz * 1e3, ren / nz * 1e3);
  printf("pan frame: %.1f ms median, %.1f ms p95\n", median(pt, np) * 1e3, p95(pt, np) * 1e3);

  /* The table at full size: sort by size, filter by text. */
  snap = vms_window_get_snapshot(win);
  gint64 t0 = g_get_monotonic_time();
  vms_region_table_sort(table, VMS_COL_SIZE, TRUE);
  double sort_s = (double)(g_get_monotonic_time() - t0) / 1e6;
  double sort_frame = until_frame(t0);
  t0 = g_get_monotonic_time();
  vms_region_table_set_text_filter(table, "rw-p");
  double filter_s = (double)(g_get_monotonic_time() - t0) / 1e6;
  printf("table: sort %zu rows by size %.1f ms (%.1f ms to the frame), text filter %.1f ms -> %zu "
         "rows\n",
         snap->n_regions, sort_s * 1e3, sort_frame * 1e3, filter_s * 1e3,
         vms_region_table_get_n_rows(table));
  vms_region_table_set_text_filter(table, "");
  vms_region_table_sort(table, VMS_COL_START, FALSE);

  /* The picker with a thousand processes: fill, refresh, one keystroke. */
  {
    enum { N = 1000 };
    VmsProcInfo *procs = g_new0(VmsProcInfo, N);
    for (int i = 0; i < N; i++) {
      procs[i].pid = 100000 + i;
      g_snprintf(procs[i].name, sizeof procs[i].name, "worker-%d", i);
      g_snprintf(procs[i].user, sizeof procs[i].user, i % 3 ? "alice" : "postgres");
      procs[i].cmdline = g_strdup_printf("/usr/bin/worker --id %d --pool %d", i, i % 17);
      procs[i].rss = (uint64_t)(i + 1) * 4096 * 37;
      procs[i].start_time = (uint64_t)i;
      procs[i].access = i % 3 ? VMS_OK : VMS_ERR_PERMISSION;
      if (i % 3 == 0)
        g_strlcpy(procs[i].reason, "belongs to user postgres", sizeof procs[i].reason);
    }
    GtkWidget *picker = vms_picker_new(GTK_WINDOW(win));
    gtk_widget_show(picker);
    /* Let its own first read of /proc land, so the next one is 2 s away. */
    while (vms_picker_get_n_loads(VMS_PICKER(picker)) < 1)
      g_main_context_iteration(NULL, TRUE);
    spin_for(0.1);
    g_signal_connect(gtk_widget_get_frame_clock(picker), "after-paint", G_CALLBACK(on_after_paint),
                     NULL);
    gint64 p0 = g_get_monotonic_time();
    vms_picker_set_processes(VMS_PICKER(picker), procs, N);
    double merge_s = (double)(g_get_monotonic_time() - p0) / 1e6;
    double fill = until_frame(p0);
    for (int i = 0; i < N; i++)
      procs[i].rss += 4096;
    p0 = g_get_monotonic_time();
    vms_picker_set_processes(VMS_PICKER(picker), procs, N);
    double refresh_merge = (double)(g_get_monotonic_time() - p0) / 1e6;
    double refresh = until_frame(p0);
    p0 = g_get_monotonic_time();
    gtk_entry_set_text(vms_picker_get_search_entry(VMS_PICKER(picker)), "worker-777");
    while (vms_picker_get_n_visible(VMS_PICKER(picker)) > 1 &&
           g_get_monotonic_time() - p0 < 5000000)
      g_main_context_iteration(NULL, TRUE);
    double filt = (double)(g_get_monotonic_time() - p0) / 1e6;
    printf(
        "picker, %d processes: first fill %.1f ms (%.1f ms to the frame), refresh with every row's "
        "memory changed %.1f ms (%.1f ms to the frame), search to %u rows %.1f ms (includes the "
        "entry's 150 ms typing pause)\n",
        N, merge_s * 1e3, fill * 1e3, refresh_merge * 1e3, refresh * 1e3,
        vms_picker_get_n_visible(VMS_PICKER(picker)), filt * 1e3);
    gtk_widget_destroy(picker);
    for (int i = 0; i < N; i++)
      g_free(procs[i].cmdline);
    g_free(procs);
  }

  /* CPU share in a 1 Hz live view: the static target, then one whose regions churn. */
  for (int phase = 0; phase < 2; phase++) {
    if (phase == 1) {
      kill(target, SIGKILL);
      waitpid(target, NULL, 0);
      char *cargv[] = {argv[1], (char *)count, "churn", NULL};
      if (!g_spawn_async_with_pipes(NULL, cargv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                    &target, NULL, &out, NULL, NULL) ||
          read(out, buf, 5) != 5) {
        fprintf(stderr, "cannot start the churning target\n");
        return 1;
      }
      close(out);
      vms_window_attach(win, target);
    }
    vms_window_set_interval(win, 1.0);
    vms_window_set_paused(win, FALSE);
    spin_for(2.5);
    guint n0 = vms_window_get_n_snapshots(win);
    double c0 = cpu_seconds(), upd = 0, upd_max = 0, lat_sum = 0;
    gint64 w0 = g_get_monotonic_time();
    gint64 end = w0 + (gint64)(seconds / 2 * 1e6);
    guint seen = n0;
    while (g_get_monotonic_time() < end) {
      g_main_context_iteration(NULL, TRUE);
      if (vms_window_get_n_snapshots(win) != seen) {
        seen = vms_window_get_n_snapshots(win);
        double u = vms_window_get_update_seconds(win);
        upd += u;
        if (u > upd_max)
          upd_max = u;
        lat_sum += vms_window_get_frame_latency(win) > 0 ? vms_window_get_frame_latency(win) : 0;
      }
    }
    double cpu = cpu_seconds() - c0, wall = (double)(g_get_monotonic_time() - w0) / 1e6;
    guint ns = vms_window_get_n_snapshots(win) - n0;
    read_s = vms_window_get_snapshot(win)->read_seconds;
    printf(
        "live view at 1 Hz, %s target, %.0f s: %u snapshots (the sampler stretched to every %.2f "
        "s), "
        "CPU %.2f s = %.1f %% of one core (target at most 5 %%); per snapshot: %.0f ms CPU, "
        "main thread %.1f ms mean / %.1f ms max to update the widgets, %.1f ms mean to the frame; "
        "read floor %.0f ms\n",
        phase ? "churning" : "static", wall, ns, ns ? wall / ns : 0, cpu, 100 * cpu / wall,
        ns ? cpu / ns * 1e3 : 0, ns ? upd / ns * 1e3 : 0, upd_max * 1e3,
        ns ? lat_sum / ns * 1e3 : 0, read_s * 1e3);
    VmsHistory *hist = vms_window_get_history(win);
    if (hist)
      printf("  the view's history: %zu frames (%" G_GUINT64_FORMAT " dropped), %.2f MiB encoded "
             "(%.0f bytes per frame), %.2f MiB held in all (bounds: %zu frames, %.0f MiB)\n",
             vms_history_count(hist), vms_history_dropped(hist),
             vms_history_bytes(hist) / 1048576.0,
             (double)vms_history_bytes(hist) / (double)vms_history_count(hist),
             vms_history_held(hist) / 1048576.0, vms_history_max_frames(hist),
             vms_history_max_bytes(hist) / 1048576.0);
  }

  gtk_widget_destroy(GTK_WIDGET(win));
  kill(target, SIGKILL);
  waitpid(target, NULL, 0);
  g_rmdir(dir);
  return 0;
}
