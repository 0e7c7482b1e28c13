/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-gui-win.c: the window's speed on Windows (under Wine here), beside the floors measured in
 * the same run.
 *
 * Usage (with a display): bench-gui-win TARGET_EXE [ALLOCATIONS] [SECONDS]
 * Starts bench-win-target.exe (default 1,000 allocations, about 2,000
 * regions: under Wine another process's VirtualQueryEx costs 40 to 200 µs
 * a call, so Linux's 65,000 would take seconds a read, and the sampler,
 * which keeps a read below 3 % of the time, would sample once a minute)
 * and reports
 *  - the floor: the sampler's own read and build of one snapshot
 *    (read_seconds), and a plain VirtualQueryEx walk of the target;
 *  - hand-off to drawn frame: from a snapshot reaching the main loop to the
 *    end of the first frame painted with it, against that floor;
 *  - zoom and pan frames, each from the viewport change to its painted frame;
 *  - a live view at 1 Hz for SECONDS (default 30): snapshots taken (the
 *    sampler stretches the interval to 33 times a read's cost), the main
 *    thread's update per snapshot, and the CPU of this process and of the
 *    target (which answers the walk's calls) as a share of one core.
 * The same figures as tests/gui/bench-gui.c on Linux, to compare the ratios. */
#include <windows.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <stdlib.h>

#include "vms-application.h"
#include "vms-win-spawn.h"
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

static void spin(double seconds) {
  gint64 end = g_get_monotonic_time() + (gint64)(seconds * 1e6);
  while (g_get_monotonic_time() < end)
    g_main_context_iteration(NULL, FALSE) || (g_usleep(1000), TRUE);
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

static double cpu_of(HANDLE h) {
  FILETIME c, e, k, u;
  if (!GetProcessTimes(h, &c, &e, &k, &u))
    return 0;
  ULARGE_INTEGER kk = {.LowPart = k.dwLowDateTime, .HighPart = k.dwHighDateTime};
  ULARGE_INTEGER uu = {.LowPart = u.dwLowDateTime, .HighPart = u.dwHighDateTime};
  return (double)(kk.QuadPart + uu.QuadPart) * 1e-7;
}

/* A plain walk of the target: one VirtualQueryEx a region, nothing kept. */
static double walk_seconds(HANDLE h) {
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  uintptr_t addr = 0, end = (uintptr_t)si.lpMaximumApplicationAddress;
  MEMORY_BASIC_INFORMATION mbi;
  gint64 t0 = g_get_monotonic_time();
  while (addr < end && VirtualQueryEx(h, (LPCVOID)addr, &mbi, sizeof mbi) == sizeof mbi) {
    uintptr_t next = (uintptr_t)mbi.BaseAddress + mbi.RegionSize;
    if (next <= addr)
      break;
    addr = next;
  }
  return (double)(g_get_monotonic_time() - t0) / 1e6;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s TARGET_EXE [ALLOCATIONS] [SECONDS]\n", argv[0]);
    return 2;
  }
  const char *count = argc > 2 ? argv[2] : "1000";
  double seconds = argc > 3 ? g_ascii_strtod(argv[3], NULL) : 30;
  g_autofree char *dir = g_dir_make_tmp("vmscope-bench-XXXXXX", NULL);
  g_setenv("XDG_CONFIG_HOME", dir, TRUE);
  if (!gtk_init_check(NULL, NULL)) {
    printf("SKIP: no display\n");
    return 77;
  }
  g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
  vms_application_setup_style();

  char cmd[1024] = "";
  vms_win_quote(cmd, sizeof cmd, argv[1]);
  vms_win_quote(cmd, sizeof cmd, count);
  HANDLE out, in;
  DWORD pid;
  HANDLE target = vms_win_start(cmd, &out, &in, &pid);
  char line[64] = "";
  if (!target || !vms_win_read_line(out, line, sizeof line) || strncmp(line, "ready ", 6) != 0) {
    fprintf(stderr, "the target did not get ready\n");
    return 1;
  }

  VmsWindow *win = vms_window_new(NULL);
  gtk_window_set_default_size(GTK_WINDOW(win), 1200, 780);
  gtk_widget_show(GTK_WIDGET(win));
  g_signal_connect(gtk_widget_get_frame_clock(GTK_WIDGET(win)), "after-paint",
                   G_CALLBACK(on_after_paint), NULL);
  spin(0.3);
  vms_window_attach(win, (int)pid);
  gint64 deadline = g_get_monotonic_time() + 60000000;
  while (vms_window_get_n_snapshots(win) < 1 && g_get_monotonic_time() < deadline)
    g_main_context_iteration(NULL, TRUE);
  VmsSnapshot *snap = vms_window_get_snapshot(win);
  if (!snap) {
    fprintf(stderr, "no snapshot of the target\n");
    return 1;
  }
  VmsMapView *map = vms_window_get_map(win);
  printf("target: %s allocations, %zu regions\n", line + 6, snap->n_regions);

  /* Hand-off to frame, over the next live samples. */
  double lat[8], floor_read[8];
  int nl = 0;
  deadline = g_get_monotonic_time() + 120000000;
  for (guint seen = vms_window_get_n_snapshots(win); nl < 5 && g_get_monotonic_time() < deadline;) {
    g_main_context_iteration(NULL, TRUE);
    if (vms_window_get_n_snapshots(win) != seen && vms_window_get_frame_latency(win) >= 0) {
      seen = vms_window_get_n_snapshots(win);
      spin(0.05);
      lat[nl] = vms_window_get_frame_latency(win);
      floor_read[nl] = vms_window_get_snapshot(win)->read_seconds;
      nl++;
    }
  }
  if (nl == 0) {
    fprintf(stderr, "no live sample arrived\n");
    return 1;
  }
  double read_s = median(floor_read, nl), hand = median(lat, nl);
  vms_window_set_paused(win, TRUE);
  spin(0.3);
  HANDLE h = OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, pid);
  double walks[3];
  for (int i = 0; i < 3; i++)
    walks[i] = h ? walk_seconds(h) : 0;
  double walk_s = median(walks, 3);
  printf(
      "floor: a plain VirtualQueryEx walk of the target %.1f ms (median of 3); the sampler reads "
      "and builds one snapshot in %.1f ms (median of %d, %.2fx the walk)\n",
      walk_s * 1e3, read_s * 1e3, nl, read_s / walk_s);
  printf("snapshot hand-off to drawn frame: %.1f ms median (%.3fx the read floor)\n", hand * 1e3,
         hand / read_s);

  /* Zoom and pan frames (paused so samples do not interleave). */
  double zt[64], pt[64], lay = 0, ren = 0;
  int nz = 0, np = 0;
  int w = gtk_widget_get_allocated_width(GTK_WIDGET(map)),
      ht = gtk_widget_get_allocated_height(GTK_WIDGET(map));
  for (int layout = 0; layout < 2; layout++) {
    vms_map_view_set_layout_kind(map, layout ? VMS_LAYOUT_COMPRESSED : VMS_LAYOUT_LINEAR);
    until_frame(g_get_monotonic_time());
    for (int i = 0; i < 16; i++) {
      gint64 t0 = g_get_monotonic_time();
      vms_map_view_zoom_at(map, w * 0.55, ht * 0.4, i < 8 ? 1.5 : 1 / 1.5);
      zt[nz++] = until_frame(t0);
      double l, r;
      vms_map_view_get_timings(map, &l, &r);
      lay += l;
      ren += r;
    }
    vms_map_view_zoom_at(map, w * 0.55, ht * 0.4, 8);
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

  /* A live view at 1 Hz: what it costs this process and the target. */
  vms_window_set_interval(win, 1.0);
  vms_window_set_paused(win, FALSE);
  spin(2.5);
  guint n0 = vms_window_get_n_snapshots(win), seen = n0;
  double c0 = cpu_of(GetCurrentProcess()), t0c = cpu_of(target), upd = 0, upd_max = 0;
  gint64 w0 = g_get_monotonic_time(), end = w0 + (gint64)(seconds * 1e6);
  while (g_get_monotonic_time() < end) {
    g_main_context_iteration(NULL, TRUE);
    if (vms_window_get_n_snapshots(win) != seen) {
      seen = vms_window_get_n_snapshots(win);
      double u = vms_window_get_update_seconds(win);
      upd += u;
      if (u > upd_max)
        upd_max = u;
    }
  }
  double wall = (double)(g_get_monotonic_time() - w0) / 1e6;
  double cpu = cpu_of(GetCurrentProcess()) - c0, tcpu = cpu_of(target) - t0c;
  guint ns = vms_window_get_n_snapshots(win) - n0;
  printf("live view at 1 Hz, %.0f s: %u snapshots (the sampler stretched to every %.2f s); CPU: "
         "vmscope %.1f %% of one "
         "core (%.0f ms a snapshot), the target answering the walk %.1f %%; main thread %.1f ms "
         "mean / %.1f ms max to update the widgets; read floor %.0f ms\n",
         wall, ns, ns ? wall / ns : 0, 100 * cpu / wall, ns ? cpu / ns * 1e3 : 0, 100 * tcpu / wall,
         ns ? upd / ns * 1e3 : 0, upd_max * 1e3, vms_window_get_snapshot(win)->read_seconds * 1e3);

  gtk_widget_destroy(GTK_WIDGET(win));
  if (h)
    CloseHandle(h);
  CloseHandle(in);
  CloseHandle(out);
  WaitForSingleObject(target, 10000);
  CloseHandle(target);
  g_rmdir(dir);
  return 0;
}
