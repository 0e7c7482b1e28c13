/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-widgets.c: the picker, window, map, table and export, driven in-process under Xvfb.
 *
 * Usage: test-gui-widgets TARGET_EXE. TARGET_EXE is vms-gui-target, spawned
 * as the process to attach to. Every wait has a generous deadline and fails
 * the check when it passes; nothing here measures speed. */
#include <cairo.h>
#include <math.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <sys/wait.h>

#include "vms-application.h"
#include "vms-barriers.h"
#include "vms-gui-test.h"
#include "vms-render.h"
#include "vms-test.h"
#include "vms-ui-util.h"
#include "vms-window.h"

/* Counts pixels within tol (0..255) of rgb. */
static long count_colour(cairo_surface_t *s, const double rgb[3], int tol) {
  cairo_surface_flush(s);
  int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  int stride = cairo_image_surface_get_stride(s);
  const unsigned char *d = cairo_image_surface_get_data(s);
  int r = (int)(rgb[0] * 255 + 0.5), g = (int)(rgb[1] * 255 + 0.5), b = (int)(rgb[2] * 255 + 0.5);
  long n = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      uint32_t p = *(const uint32_t *)(d + y * stride + x * 4);
      int pr = (p >> 16) & 255, pg = (p >> 8) & 255, pb = p & 255;
      if (abs(pr - r) <= tol && abs(pg - g) <= tol && abs(pb - b) <= tol)
        n++;
    }
  return n;
}

static void send_scroll(GtkWidget *w, double x, double y, GdkScrollDirection dir) {
  GdkEvent *ev = gdk_event_new(GDK_SCROLL);
  ev->scroll.window = g_object_ref(gtk_widget_get_window(w));
  ev->scroll.direction = dir;
  ev->scroll.x = x;
  ev->scroll.y = y;
  ev->scroll.time = GDK_CURRENT_TIME;
  gdk_event_set_device(
      ev, gdk_seat_get_pointer(gdk_display_get_default_seat(gdk_display_get_default())));
  gtk_widget_event(w, ev);
  gdk_event_free(ev);
}

/* The first descendant of root of type t (in GtkContainer order), or NULL. */
static void find_cb(GtkWidget *w, gpointer data) {
  gpointer *st = data; /* {GType as pointer-sized, result, prefix} */
  if (st[1])
    return;
  if (G_TYPE_CHECK_INSTANCE_TYPE(w, (GType)GPOINTER_TO_SIZE(st[0]))) {
    const char *prefix = st[2];
    if (!prefix ||
        (GTK_IS_LABEL(w) && g_str_has_prefix(gtk_label_get_text(GTK_LABEL(w)), prefix)) ||
        (GTK_IS_BUTTON(w) && g_strcmp0(gtk_button_get_label(GTK_BUTTON(w)), prefix) == 0)) {
      st[1] = w;
      return;
    }
  }
  if (GTK_IS_CONTAINER(w))
    gtk_container_forall(GTK_CONTAINER(w), find_cb, data);
}

static GtkWidget *find_widget(GtkWidget *root, GType t, const char *text) {
  gpointer st[3] = {GSIZE_TO_POINTER(t), NULL, (gpointer)text};
  if (GTK_IS_CONTAINER(root))
    gtk_container_forall(GTK_CONTAINER(root), find_cb, st);
  return st[1];
}

static void hide_banner_of(VmsWindow *win) {
  GtkWidget *bar = find_widget(GTK_WIDGET(win), GTK_TYPE_INFO_BAR, NULL);
  if (bar)
    gtk_info_bar_response(GTK_INFO_BAR(bar), GTK_RESPONSE_CLOSE);
}

/* ---- the picker ---- */

typedef struct {
  VmsPicker *picker;
  guint want;
  int response, pid;
} PickerState;

static gboolean picker_loaded(gpointer d) {
  return vms_picker_get_n_loads(((PickerState *)d)->picker) >= 1;
}
static gboolean picker_reloaded(gpointer d) {
  return vms_picker_get_n_loads(((PickerState *)d)->picker) >= ((PickerState *)d)->want;
}
static gboolean picker_has_visible_pid(gpointer d) {
  PickerState *st = d;
  guint n = vms_picker_get_n_visible(st->picker);
  for (guint i = 0; i < n; i++)
    if (vms_picker_get_visible_pid(st->picker, i) == st->pid)
      return n <= 3; /* the search narrowed it down */
  return FALSE;
}
static gboolean picker_empty(gpointer d) {
  return vms_picker_get_n_visible(((PickerState *)d)->picker) == 0;
}
static gboolean picker_full(gpointer d) {
  return vms_picker_get_n_visible(((PickerState *)d)->picker) > 3;
}
static void on_picker_response(GtkDialog *dlg, int response, PickerState *st) {
  st->response = response;
}

static void test_picker(GPid target) {
  /* A zombie: listed, dimmed, and the reason on hover. */
  char *zargv[] = {"true", NULL};
  GPid zombie = 0;
  VMS_CHECK(g_spawn_async(NULL, zargv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                          NULL, &zombie, NULL));
  siginfo_t info;
  VMS_CHECK(waitid(P_PID, (id_t)zombie, &info, WEXITED | WNOWAIT) == 0); /* exited, left unreaped */
  PickerState st = {0};
  st.pid = target;
  st.picker = VMS_PICKER(vms_picker_new(NULL));
  g_signal_connect(st.picker, "response", G_CALLBACK(on_picker_response), &st);
  gtk_widget_show(GTK_WIDGET(st.picker));
  VMS_CHECK_MSG(spin_until(picker_loaded, &st, 15), "the process list never loaded");
  guint all = vms_picker_get_n_visible(st.picker);
  VMS_CHECK_MSG(all > 3, "only %u processes listed", all);
  gboolean readable = TRUE;
  char *reason = NULL;
  VMS_CHECK_MSG(vms_picker_get_row_state(st.picker, zombie, &readable, &reason),
                "the zombie is not listed");
  VMS_CHECK_MSG(!readable && reason && strstr(reason, "zombie"),
                "zombie row: readable %d, reason %s", readable, reason ? reason : "(none)");
  g_free(reason);
  reason = NULL;
  VMS_CHECK(vms_picker_get_row_state(st.picker, target, &readable, &reason));
  VMS_CHECK(readable && reason == NULL);
  g_free(reason);
  waitpid(zombie, NULL, 0);

  /* Type the target's PID a character at a time, as a person would. */
  GtkEntry *entry = vms_picker_get_search_entry(st.picker);
  gtk_widget_grab_focus(GTK_WIDGET(entry));
  char pidtext[16];
  g_snprintf(pidtext, sizeof pidtext, "%d", (int)target);
  for (const char *c = pidtext; *c; c++) {
    int pos = -1;
    gtk_editable_insert_text(GTK_EDITABLE(entry), c, 1, &pos);
    spin_for(0.05);
  }
  VMS_CHECK_MSG(spin_until(picker_has_visible_pid, &st, 5),
                "searching \"%s\" does not narrow the list to the target (%u shown)", pidtext,
                vms_picker_get_n_visible(st.picker));
  /* The list refreshes while open; the filter holds across a refresh. */
  st.want = vms_picker_get_n_loads(st.picker) + 1;
  VMS_CHECK_MSG(spin_until(picker_reloaded, &st, 10), "the list did not refresh while open");
  VMS_CHECK(picker_has_visible_pid(&st));

  gtk_entry_set_text(entry, "no-such-process-name-at-all");
  VMS_CHECK_MSG(spin_until(picker_empty, &st, 5), "a search matching nothing still shows %u rows",
                vms_picker_get_n_visible(st.picker));
  /* Words match any column: the target's name and its user. */
  gtk_entry_set_text(entry, "vms-gui-target");
  VMS_CHECK_MSG(spin_until(picker_has_visible_pid, &st, 5), "searching by name misses the target");
  gtk_entry_set_text(entry, "");
  VMS_CHECK_MSG(spin_until(picker_full, &st, 5), "clearing the search does not bring rows back");

  /* Enter in the search entry attaches to the first match, even when it
   * comes before the entry's pause after typing. */
  gtk_entry_set_text(entry, pidtext);
  gtk_widget_activate(GTK_WIDGET(entry));
  VMS_CHECK_U64(st.response, (uint64_t)GTK_RESPONSE_ACCEPT);
  VMS_CHECK_U64(vms_picker_get_pid(st.picker), target);
  gtk_widget_destroy(GTK_WIDGET(st.picker));
}

/* ---- the window ---- */

static gboolean has_snapshot(gpointer d) {
  return vms_window_get_n_snapshots(d) >= 1;
}
static gboolean has_two_snapshots(gpointer d) {
  return vms_window_get_n_snapshots(d) >= 2;
}
static gboolean has_banner(gpointer d) {
  return vms_window_get_banner(d, NULL) != NULL;
}
static gboolean has_exit_banner(gpointer d) {
  const char *b = vms_window_get_banner(d, NULL);
  return b && strstr(b, "exited");
}
static gboolean has_counters(gpointer d) {
  return vms_window_get_counters_snapshot(d) != NULL;
}
static gboolean map_drawn(gpointer d) {
  return vms_window_get_frame_latency(d) >= 0;
}

static size_t first_of_type(const VmsSnapshot *s, VmsRegionType t) {
  for (size_t i = 0; i < s->n_regions; i++)
    if (s->regions[i].type == t)
      return i;
  return SIZE_MAX;
}

static void test_attach_and_map(VmsWindow *win, GPid target) {
  VMS_CHECK(vms_window_attach(win, target));
  VMS_CHECK_MSG(spin_until(has_snapshot, win, 15), "no snapshot arrived after attaching");
  VmsSnapshot *snap = vms_window_get_snapshot(win);
  if (!snap)
    VMS_SKIP("cannot go on without a snapshot");
  VMS_CHECK_U64(snap->pid, target);
  VMS_CHECK(snap->n_regions > 50); /* the target maps 200 pages */
  VmsMapView *map = vms_window_get_map(win);
  VmsRegionTable *table = vms_window_get_table(win);
  VMS_CHECK(vms_map_view_get_snapshot(map) == snap);
  VMS_CHECK_U64(vms_region_table_get_n_rows(table), snap->n_regions);
  VMS_CHECK_MSG(spin_until(map_drawn, win, 5), "the map was never drawn");
  const char *banner = vms_window_get_banner(win, NULL);
  VMS_CHECK_MSG(banner == NULL, "unexpected banner: %s", banner);

  /* The drawn map shows the palette: images and private data are there. */
  cairo_surface_t *s = draw_widget(GTK_WIDGET(map));
  double rgb[3];
  vms_palette_color(VMS_TYPE_IMAGE, rgb);
  long image_px = count_colour(s, rgb, 3);
  vms_palette_color(VMS_TYPE_PRIVATE, rgb);
  long private_px = count_colour(s, rgb, 3);
  VMS_CHECK_MSG(image_px > 0 && private_px > 0, "map pixels: image %ld, private %ld", image_px,
                private_px);
  cairo_surface_destroy(s);

  /* The summary shows the same figures as the snapshot. */
  VmsSummary *sum = vms_window_get_summary(win);
  char expect[32];
  g_snprintf(expect, sizeof expect, "%" G_GUINT64_FORMAT, snap->stats.free_blocks);
  VMS_CHECK_STR(vms_summary_get_figure(sum, "free_blocks"), expect);
  const char *fit = vms_summary_ask_fit(sum, "64K");
  VMS_CHECK_MSG(strstr(fit, "fits") != NULL, "fit answer: %s", fit);
  fit = vms_summary_ask_fit(sum, "1000000T");
  VMS_CHECK_MSG(strstr(fit, "does not fit") != NULL, "fit answer: %s", fit);
  fit = vms_summary_ask_fit(sum, "lots");
  VMS_CHECK_MSG(strstr(fit, "not a size") != NULL, "fit answer: %s", fit);
  /* A long answer that is no size is echoed cut on a character boundary. */
  GString *long_text = g_string_new(NULL);
  for (int i = 0; i < 400; i++)
    g_string_append(long_text, i % 3 ? "é" : "€");
  fit = vms_summary_ask_fit(sum, long_text->str);
  VMS_CHECK_MSG(g_utf8_validate(fit, -1, NULL) && strstr(fit, "not a size"), "fit answer: %s", fit);
  fit = vms_summary_ask_fit(sum, "\xff\xfe 12 parsecs");
  VMS_CHECK(g_utf8_validate(fit, -1, NULL) && strstr(fit, "not a size"));
  g_string_free(long_text, TRUE);

  /* Live: a second sample arrives by itself. */
  VMS_CHECK_MSG(spin_until(has_two_snapshots, win, 10), "no second sample at a 1 s interval");

  /* smaps counters on demand: sorting by a column only smaps fills asks
   * for them (residency fills Resident on refreshes by itself). */
  VmsRegionTable *t = vms_window_get_table(win);
  vms_region_table_sort(t, VMS_COL_PSS, TRUE);
  VMS_CHECK_MSG(spin_until(has_counters, win, 10), "sorting by PSS read no counters");
  vms_region_table_sort(t, VMS_COL_RSS, TRUE);
  VmsSnapshot *cs = vms_window_get_counters_snapshot(win);
  if (cs) {
    VMS_CHECK(cs->counters != NULL);
    VMS_CHECK(cs->counters_at > 0);
    /* The biggest resident region sorts first, and has a known value. */
    VmsSnapshot *now = vms_window_get_snapshot(win);
    size_t top = vms_region_table_get_row_region(t, 0);
    const VmsCounters *c = vms_ui_counters_for(now, top, cs, VMS_CTR_RSS);
    VMS_CHECK_MSG(c && c->rss > 0, "the first row by resident size has no resident bytes");
  }
  vms_region_table_sort(t, VMS_COL_START, FALSE);
}

/* In a dark theme the map is no white block: free space and the gutter take
 * the theme's background, and a theme switch redraws the cached map. The map
 * is zoomed into the middle of the largest free block, so what the view
 * holds is free space whatever the target's layout (an ASan build's shadow
 * memory moves everything else). */
static void test_dark_theme(VmsWindow *win) {
  GtkSettings *settings = gtk_settings_get_default();
  VmsMapView *mv = vms_window_get_map(win);
  VmsViewport saved = *vms_map_view_get_viewport(mv), vp = saved;
  VmsSnapshot *snap = vms_map_view_get_snapshot(mv);
  VmsViewport space = vms_viewport_fit(snap, VMS_LAYOUT_LINEAR);
  uint64_t best = 0;
  for (size_t i = 0; i < snap->n_regions; i++) {
    const VmsRegion *r = &snap->regions[i];
    uint64_t lo = MAX(r->start, space.start), hi = MIN(r->end, space.end);
    if (r->type == VMS_TYPE_FREE && hi > lo && hi - lo > best) {
      best = hi - lo;
      vp.start = lo + (hi - lo) / 4;
      vp.end = hi - (hi - lo) / 4;
    }
  }
  VMS_CHECK_MSG(best > 0, "the target has no free block");
  vp.kind = VMS_LAYOUT_LINEAR;
  vms_map_view_set_viewport(mv, &vp);
  g_object_set(settings, "gtk-application-prefer-dark-theme", TRUE, NULL);
  spin_for(0.3);
  GtkWidget *map = GTK_WIDGET(mv);
  VmsRenderExtras theme = {0};
  vms_ui_theme_colors(map, &theme);
  double luma =
      0.2126 * theme.background[0] + 0.7152 * theme.background[1] + 0.0722 * theme.background[2];
  VMS_CHECK_MSG(luma < 0.35, "the dark theme's map background has luma %.2f", luma);
  double free_rgb[3], white[3] = {1, 1, 1}, old_free[3];
  vms_render_free_color(&theme, free_rgb);
  vms_render_free_color(NULL, old_free);
  cairo_surface_t *s = draw_widget(map);
  long area = (long)gtk_widget_get_allocated_width(map) * gtk_widget_get_allocated_height(map);
  long free_px = count_colour(s, free_rgb, 2);
  long light_px = count_colour(s, white, 2) + count_colour(s, old_free, 2);
  VMS_CHECK_MSG(free_px > area / 2, "%ld of %ld map pixels in the dark background", free_px, area);
  VMS_CHECK_MSG(light_px < area / 100, "%ld map pixels still white or near-white", light_px);
  cairo_surface_destroy(s);
  g_object_set(settings, "gtk-application-prefer-dark-theme", FALSE, NULL);
  spin_for(0.3);
  vms_ui_theme_colors(map, &theme);
  vms_render_free_color(&theme, free_rgb);
  s = draw_widget(map);
  VMS_CHECK_MSG(count_colour(s, free_rgb, 2) > area / 2,
                "the light theme's background is not back");
  cairo_surface_destroy(s);
  vms_map_view_set_viewport(mv, &saved);
}

static void test_zoom_pan(VmsWindow *win) {
  VmsMapView *map = vms_window_get_map(win);
  GtkWidget *w = GTK_WIDGET(map);
  VmsSnapshot *snap = vms_window_get_snapshot(win);
  vms_map_view_set_layout_kind(map, VMS_LAYOUT_LINEAR);
  VmsViewport fit = vms_viewport_fit(snap, VMS_LAYOUT_LINEAR);
  VmsViewport vp0 = *vms_map_view_get_viewport(map);
  VMS_CHECK_U64(vp0.start, fit.start);
  VMS_CHECK_U64(vp0.end, fit.end);
  double cx = gtk_widget_get_allocated_width(w) * 0.6,
         cy = gtk_widget_get_allocated_height(w) * 0.5;
  uint64_t before = 0, after = 0;
  VMS_CHECK(vms_map_view_addr_at(map, cx, cy, &before));
  for (int i = 0; i < 6; i++)
    send_scroll(w, cx, cy, GDK_SCROLL_UP);
  VmsViewport vp1 = *vms_map_view_get_viewport(map);
  uint64_t span0 = vp0.end - vp0.start, span1 = vp1.end - vp1.start;
  VMS_CHECK_MSG(span1 < span0 / 3, "six wheel steps in: span %" PRIu64 " -> %" PRIu64, span0,
                span1);
  VMS_CHECK(vms_map_view_addr_at(map, cx, cy, &after));
  uint64_t drift = after > before ? after - before : before - after;
  VMS_CHECK_MSG(drift <= span1 / 20,
                "the address under the pointer moved by %" PRIu64 " of %" PRIu64, drift, span1);

  /* The summary can count only what the map shows. */
  VmsSummary *sum = vms_window_get_summary(win);
  vms_summary_set_over_viewed_range(sum, TRUE);
  VmsStats in_view;
  vms_stats_compute(snap, vp1.start, vp1.end, &in_view);
  char expect[32];
  g_snprintf(expect, sizeof expect, "%" G_GUINT64_FORMAT, in_view.free_blocks);
  VMS_CHECK_STR(vms_summary_get_figure(sum, "free_blocks"), expect);
  const char *over = vms_summary_get_figure(sum, "window");
  VMS_CHECK_MSG(over && strstr(over, "(viewed)"), "summary window: %s", over ? over : "(none)");
  vms_summary_set_over_viewed_range(sum, FALSE);
  g_snprintf(expect, sizeof expect, "%" G_GUINT64_FORMAT, snap->stats.free_blocks);
  VMS_CHECK_STR(vms_summary_get_figure(sum, "free_blocks"), expect);

  /* Dragging left shows higher addresses, by the dragged distance. */
  send_button(w, GDK_BUTTON_PRESS, cx, cy, 0);
  send_motion(w, cx - 40, cy);
  send_motion(w, cx - 120, cy);
  send_button(w, GDK_BUTTON_RELEASE, cx - 120, cy, 0);
  VmsViewport vp2 = *vms_map_view_get_viewport(map);
  VMS_CHECK_MSG(vp2.start > vp1.start, "drag left: start %" PRIx64 " -> %" PRIx64, vp1.start,
                vp2.start);
  VMS_CHECK_U64(vp2.end - vp2.start, span1);
  VMS_CHECK_U64(vms_map_view_get_selected(map), SIZE_MAX); /* a drag is not a click */

  /* Wheel down zooms back out; Ctrl+0 (win.zoom-fit) shows the whole space. */
  send_scroll(w, cx, cy, GDK_SCROLL_DOWN);
  VmsViewport vp3 = *vms_map_view_get_viewport(map);
  VMS_CHECK(vp3.end - vp3.start > span1);
  g_action_group_activate_action(G_ACTION_GROUP(win), "zoom-fit", NULL);
  VmsViewport vp4 = *vms_map_view_get_viewport(map);
  VMS_CHECK_U64(vp4.start, fit.start);
  VMS_CHECK_U64(vp4.end, fit.end);
  g_action_group_activate_action(G_ACTION_GROUP(win), "zoom-in", NULL);
  VmsViewport vp5 = *vms_map_view_get_viewport(map);
  VMS_CHECK(vp5.end - vp5.start < vp4.end - vp4.start);

  /* The compressed layout also fits the whole space. */
  vms_map_view_set_layout_kind(map, VMS_LAYOUT_COMPRESSED);
  VMS_CHECK_U64(vms_map_view_get_viewport(map)->kind, VMS_LAYOUT_COMPRESSED);
  vms_map_view_set_layout_kind(map, VMS_LAYOUT_LINEAR);
}

static void test_selection(VmsWindow *win) {
  VmsMapView *map = vms_window_get_map(win);
  VmsRegionTable *table = vms_window_get_table(win);
  GtkWidget *w = GTK_WIDGET(map);
  VmsSnapshot *snap = vms_window_get_snapshot(win);
  size_t idx = first_of_type(snap, VMS_TYPE_IMAGE);
  VMS_CHECK(idx != SIZE_MAX);
  if (idx == SIZE_MAX)
    return;
  const VmsRegion *r = &snap->regions[idx];
  /* Zoom to the region so one pixel holds it alone, then click its middle. */
  vms_map_view_zoom_to_region(map, idx);
  double x, y;
  VMS_CHECK(vms_map_view_point_of(map, r->start + (r->end - r->start) / 2, &x, &y));
  guint layouts = vms_map_view_get_n_layouts(map);
  send_button(w, GDK_BUTTON_PRESS, x, y, 0);
  send_button(w, GDK_BUTTON_RELEASE, x, y, 0);
  VMS_CHECK_U64(vms_map_view_get_selected(map), idx);
  /* A click moves the outline; the geometry stays, so no layout is built. */
  spin_for(0.05);
  VMS_CHECK_U64(vms_map_view_get_n_layouts(map), layouts);
  VMS_CHECK_U64(vms_region_table_get_selected(table), idx);
  VMS_CHECK_U64(vms_map_view_get_viewport(map)->selected_start, r->start);

  /* The other way: a row selected in the table is selected and shown on the map. */
  size_t other = snap->n_regions - 2;
  vms_region_table_select(table, other, TRUE);
  VMS_CHECK_U64(vms_region_table_get_selected(table), other);
  VMS_CHECK_U64(vms_map_view_get_selected(map), other);
  const VmsViewport *vp = vms_map_view_get_viewport(map);
  VMS_CHECK_MSG(snap->regions[other].start >= vp->start && snap->regions[other].start < vp->end,
                "the selected region is out of view");

  /* Keyboard: the arrows walk the regions, Home and End go to the ends. */
  gtk_widget_grab_focus(w);
  send_key(w, GDK_KEY_Left);
  VMS_CHECK_U64(vms_map_view_get_selected(map), other - 1);
  VMS_CHECK_U64(vms_region_table_get_selected(table), other - 1);
  send_key(w, GDK_KEY_Home);
  VMS_CHECK_U64(vms_map_view_get_selected(map), 0);
  const char *said = atk_object_get_description(gtk_widget_get_accessible(w));
  VMS_CHECK_MSG(said && strstr(said, vms_type_title((VmsRegionType)snap->regions[0].type)),
                "the map's accessible description does not name the selected region: %s",
                said ? said : "(null)");
  send_key(w, GDK_KEY_End);
  VMS_CHECK_U64(vms_map_view_get_selected(map), snap->n_regions - 1);
  VMS_CHECK_U64(vms_region_table_get_selected(table), snap->n_regions - 1);

  /* Enter zooms to the selected region, also to the first and last ones,
   * which lie (partly) outside the drawable space: below mmap_min_addr and,
   * with [vsyscall], above the top. The view stays a forward range inside
   * the space, and the map still answers the pointer. */
  for (int end = 0; end < 2; end++) {
    send_key(w, end ? GDK_KEY_End : GDK_KEY_Home);
    send_key(w, GDK_KEY_Return);
    VmsSnapshot *now = vms_map_view_get_snapshot(map);
    VmsViewport space = vms_viewport_fit(now, VMS_LAYOUT_LINEAR);
    const VmsViewport *zv = vms_map_view_get_viewport(map);
    const VmsRegion *zr = &now->regions[vms_map_view_get_selected(map)];
    VMS_CHECK_MSG(zv->start < zv->end && zv->start >= space.start && zv->end <= space.end,
                  "Enter on the %s region (%#" G_GINT64_MODIFIER "x-%#" G_GINT64_MODIFIER
                  "x) viewed %#" G_GINT64_MODIFIER "x-%#" G_GINT64_MODIFIER "x",
                  end ? "last" : "first", zr->start, zr->end, zv->start, zv->end);
    uint64_t near = MIN(MAX(zr->start, space.start), space.end - 1);
    VMS_CHECK_MSG(near >= zv->start && near <= zv->end,
                  "the zoom left the region's edge out of view");
    uint64_t addr = 0;
    double px = -1, py = -1;
    VMS_CHECK_MSG(vms_map_view_point_of(map, near, &px, &py) &&
                      vms_map_view_addr_at(map, px, py, &addr) && addr >= zv->start &&
                      addr < zv->end,
                  "the zoomed map does not map %#" G_GINT64_MODIFIER "x to a point and back", near);
    vms_map_view_zoom_fit(map);
  }

  /* The table filters by type and by text; the selection survives a refresh. */
  vms_region_table_set_type_filter(table, VMS_TYPE_IMAGE);
  size_t n_image = 0;
  for (size_t i = 0; i < snap->n_regions; i++)
    n_image += snap->regions[i].type == VMS_TYPE_IMAGE;
  VMS_CHECK_U64(vms_region_table_get_n_rows(table), n_image);
  vms_region_table_set_type_filter(table, VMS_TYPE_COUNT);
  vms_region_table_set_text_filter(table, "libc");
  size_t n_text = vms_region_table_get_n_rows(table);
  VMS_CHECK(n_text >= 1 && n_text < snap->n_regions);
  vms_region_table_set_text_filter(table, "");
  VMS_CHECK_U64(vms_region_table_get_n_rows(table), snap->n_regions);
  vms_region_table_sort(table, VMS_COL_SIZE, TRUE);
  uint64_t prev = UINT64_MAX;
  gboolean sorted = TRUE;
  for (size_t row = 0; row < vms_region_table_get_n_rows(table); row++) {
    const VmsRegion *rr = &snap->regions[vms_region_table_get_row_region(table, row)];
    if (rr->end - rr->start > prev)
      sorted = FALSE;
    prev = rr->end - rr->start;
  }
  VMS_CHECK_MSG(sorted, "sorting by size (descending) is out of order");
  vms_region_table_sort(table, VMS_COL_START, FALSE);
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

static gboolean export_enabled(VmsWindow *win) {
  return g_action_group_get_action_enabled(G_ACTION_GROUP(win), "export");
}

static gboolean export_action_enabled(gpointer d) {
  return export_enabled(d);
}

/* Exports on the worker thread and waits for the answer on the main loop. */
static gboolean export_and_wait(VmsWindow *win, const char *path, int w, int h, GError **error) {
  ExportResult r = {0};
  vms_window_export_png(win, path, w, h, on_export_done, &r);
  /* Until it is written the export cannot be started again. */
  if (!r.done)
    VMS_CHECK_MSG(!export_enabled(win), "the export action stays enabled while an export runs");
  VMS_CHECK_MSG(spin_until(export_finished, &r, 20), "the export never finished");
  VMS_CHECK(export_enabled(win));
  if (error)
    *error = r.error;
  else
    g_clear_error(&r.error);
  return r.ok;
}

typedef struct {
  VmsWindow *win;
  guint n;
} SampleWait;

static gboolean sample_arrived(gpointer d) {
  SampleWait *w = d;
  return vms_window_get_n_snapshots(w->win) >= w->n;
}

static void test_export(VmsWindow *win, const char *dir) {
  g_autofree char *path = g_build_filename(dir, "map.png", NULL);
  GError *e = NULL;
  VMS_CHECK(export_and_wait(win, path, 900, 560, &e));
  VMS_CHECK(e == NULL);
  g_clear_error(&e);
  VMS_CHECK_MSG(find_widget(GTK_WIDGET(win), GTK_TYPE_LABEL, "Saved the map") != NULL,
                "the status line does not say the map was saved");
  /* The next sample leaves the message for the user to read. */
  SampleWait sw = {win, vms_window_get_n_snapshots(win) + 1};
  VMS_CHECK_MSG(spin_until(sample_arrived, &sw, 10), "no sample arrived after the export");
  VMS_CHECK_MSG(g_str_has_prefix(vms_window_get_status(win), "Saved the map"),
                "a sample replaced the saved message at once: \"%s\"", vms_window_get_status(win));
  cairo_surface_t *s = cairo_image_surface_create_from_png(path);
  VMS_CHECK_MSG(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS, "%s is not a PNG", path);
  if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
    VMS_CHECK_U64(cairo_image_surface_get_width(s), 900);
    VMS_CHECK_U64(cairo_image_surface_get_height(s), 560);
    double rgb[3];
    vms_palette_color(VMS_TYPE_IMAGE, rgb);
    VMS_CHECK_MSG(count_colour(s, rgb, 3) > 0, "the PNG has no Image-coloured pixel");
    vms_palette_color(VMS_TYPE_FREE, rgb);
    VMS_CHECK_MSG(count_colour(s, rgb, 3) > 0, "the PNG has no Free-coloured pixel");
  }
  cairo_surface_destroy(s);

  /* An unwritable place: an error in the window, nothing left behind. */
  g_autofree char *bad = g_build_filename(dir, "no-such-dir", "map.png", NULL);
  VMS_CHECK(!export_and_wait(win, bad, 640, 400, &e));
  VMS_CHECK(e != NULL);
  g_clear_error(&e);
  GtkMessageType type = GTK_MESSAGE_OTHER;
  const char *banner = vms_window_get_banner(win, &type);
  VMS_CHECK_MSG(banner && strstr(banner, "Export failed"), "banner: %s",
                banner ? banner : "(none)");
  VMS_CHECK_U64(type, GTK_MESSAGE_ERROR);
  VMS_CHECK(!g_file_test(bad, G_FILE_TEST_EXISTS));

  /* A failed export gives Ctrl+E back. (Its file chooser is answered by a
   * person in the end-to-end test.) */
  VMS_CHECK_MSG(spin_until(export_action_enabled, win, 5), "the export action stayed disabled");
  g_autofree char *preset = g_build_filename(dir, "second.png", NULL);
  g_unlink(path);
  g_unlink(preset);

  /* A second export asked for while one runs is refused, not queued over it. */
  ExportResult r1 = {0}, r2 = {0};
  vms_window_export_png(win, path, 1920, 1200, on_export_done, &r1);
  vms_window_export_png(win, preset, 640, 400, on_export_done, &r2);
  VMS_CHECK(spin_until(export_finished, &r1, 20) && spin_until(export_finished, &r2, 5));
  VMS_CHECK_MSG(r1.ok && !r2.ok && g_error_matches(r2.error, G_IO_ERROR, G_IO_ERROR_BUSY),
                "two overlapping exports: first %d (%s), second %d (%s)", r1.ok,
                r1.error ? r1.error->message : "no error", r2.ok,
                r2.error ? r2.error->message : "no error");
  VMS_CHECK(!g_file_test(preset, G_FILE_TEST_EXISTS));
  g_clear_error(&r1.error);
  g_clear_error(&r2.error);
  g_unlink(path);
  hide_banner_of(win);
}

/* Attaching to another process while a read of the first is in flight: what
 * that read brings back, a map or an error, belongs to the old attachment
 * and is dropped. The first process is a large one read with counters, so
 * its read is still running when the window moves on. */
static void test_reattach(VmsWindow *win, const char *exe, GPid target) {
  GPid big = spawn_target(exe, "8000");
  for (int round = 0; round < 3; round++) {
    VMS_CHECK(vms_window_attach(win, big));
    VMS_CHECK(spin_until(has_snapshot, win, 15));
    vms_window_refresh(win, TRUE);
    /* Not a wait for a condition: 2 ms lets the sampler thread start the
     * counters read of 8000 mappings (far longer than that), so the attach
     * below lands while it is in flight, which is the case under test. */
    g_usleep(2000);
    VMS_CHECK(vms_window_attach(win, target));
    if (round == 2) {
      /* The old process exits while its last read is pending: no
       * "exited" for the new one. */
      kill(big, SIGKILL);
      waitpid(big, NULL, 0);
    }
    VMS_CHECK(spin_until(has_snapshot, win, 15));
    VmsSnapshot *snap = vms_window_get_snapshot(win);
    VMS_CHECK_MSG(snap && snap->pid == target,
                  "round %d: the first map after attaching to %d is of %d", round, (int)target,
                  snap ? snap->pid : -1);
  }
  spin_for(0.5);
  const char *banner = vms_window_get_banner(win, NULL);
  VMS_CHECK_MSG(banner == NULL, "the new attachment shows a banner: %s", banner);
  VMS_CHECK_U64(vms_window_get_snapshot(win)->pid, target);
}

/* The export file chooser goes with its window: closing the window while it
 * is open leaves no dialog that would answer a disposed window. */
static void test_export_dialog_closes(GPid target) {
  VmsWindow *win = vms_window_new(NULL);
  gtk_widget_show(GTK_WIDGET(win));
  VMS_CHECK(vms_window_attach(win, target));
  VMS_CHECK(spin_until(has_snapshot, win, 15));
  g_action_group_activate_action(G_ACTION_GROUP(win), "export", NULL);
  GtkWidget *dialog = NULL;
  spin_until(find_file_chooser, &dialog, 5);
  if (!dialog) {
    VMS_CHECK_MSG(FALSE, "Ctrl+E opened no file chooser");
  } else {
    gtk_widget_destroy(GTK_WIDGET(win));
    spin_for(0.2);
    VMS_CHECK_MSG(!gtk_widget_get_visible(dialog), "the export dialog outlived its window");
    /* Were it still there, this answer would reach the disposed window. */
    if (gtk_widget_get_visible(dialog))
      gtk_dialog_response(GTK_DIALOG(dialog), GTK_RESPONSE_CANCEL);
    g_object_unref(dialog);
    spin_for(0.1);
  }
}

static void test_exit_banner(VmsWindow *win, GPid target) {
  guint n_before = vms_window_get_n_snapshots(win);
  VmsSnapshot *last = vms_window_get_snapshot(win);
  kill(target, SIGKILL);
  waitpid(target, NULL, 0);
  VMS_CHECK_MSG(spin_until(has_exit_banner, win, 10), "no banner after the target exited");
  GtkMessageType type = GTK_MESSAGE_OTHER;
  const char *banner = vms_window_get_banner(win, &type);
  VMS_CHECK_MSG(banner && strstr(banner, "exited"), "banner: %s", banner ? banner : "(none)");
  VMS_CHECK_U64(type, GTK_MESSAGE_WARNING);
  /* The last map stays. */
  VMS_CHECK(vms_window_get_snapshot(win) != NULL);
  VMS_CHECK(vms_map_view_get_snapshot(vms_window_get_map(win)) != NULL);
  VMS_CHECK(vms_window_get_n_snapshots(win) >= n_before);
  (void)last;
}

static void test_no_address_space(VmsWindow *win) {
  /* A zombie: a child that exited and is not reaped yet. */
  char *argv[] = {"true", NULL};
  GPid z = 0;
  if (!g_spawn_async(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                     &z, NULL)) {
    VMS_CHECK_MSG(FALSE, "cannot start true");
    return;
  }
  siginfo_t info;
  VMS_CHECK(waitid(P_PID, (id_t)z, &info, WEXITED | WNOWAIT) == 0); /* exited, left unreaped */
  VMS_CHECK(!vms_window_attach(win, z) || spin_until(has_banner, win, 10));
  spin_until(has_banner, win, 5);
  const char *banner = vms_window_get_banner(win, NULL);
  VMS_CHECK_MSG(banner && strstr(banner, "no address space"), "zombie banner: %s",
                banner ? banner : "(none)");
  waitpid(z, NULL, 0);

  /* No such process. */
  VMS_CHECK(!vms_window_attach(win, 0x3ffffff));
  banner = vms_window_get_banner(win, NULL);
  VMS_CHECK_MSG(banner && strstr(banner, "no process"), "missing-process banner: %s",
                banner ? banner : "(none)");
}

/* A snapshot of n one-page mappings 8 KiB apart, skipping those in [skip_lo, skip_hi),
 * plus one mapping at extra (0 = none). */
static VmsSnapshot *synthetic(int n, int skip_lo, int skip_hi, uint64_t extra) {
  GString *t = g_string_new(NULL);
  uint64_t base = 0x7f0000000000ull;
  for (int i = 0; i < n; i++) {
    uint64_t a = base + (uint64_t)i * 0x2000;
    if (extra && extra < a && (i == 0 || extra > a - 0x2000))
      g_string_append_printf(
          t, "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x rw-p 00000000 00:00 0\n", extra,
          extra + 0x1000);
    if (i >= skip_lo && i < skip_hi)
      continue;
    g_string_append_printf(t,
                           "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %s 00000000 00:00 0\n",
                           a, a + 0x1000, i % 2 ? "r--p" : "rw-p");
  }
  VmsSpace space;
  vms_space_init(&space);
  VmsError err = {0};
  VmsSnapshot *snap = NULL;
  if (vms_maps_parse(t->str, t->len, &space, &err) != VMS_OK ||
      vms_snapshot_build(&space, &snap, &err) != VMS_OK) {
    fprintf(stderr, "synthetic snapshot: %s\n", err.message);
    exit(1);
  }
  vms_space_clear(&space);
  g_string_free(t, TRUE);
  return snap;
}

typedef struct {
  guint64 start, end, idx;
  int n;
} Activated;

static void on_region_activated(VmsSummary *sum, guint64 start, guint64 end, guint64 idx,
                                Activated *a) {
  a->start = start;
  a->end = end;
  a->idx = idx;
  a->n++;
}

/* The summary lists the model's barriers and groups; a click names the region. */
static void test_summary_barriers(void) {
  GtkWidget *win = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  VmsSummary *sum = VMS_SUMMARY(vms_summary_new());
  gtk_container_add(GTK_CONTAINER(win), GTK_WIDGET(sum));
  gtk_widget_show_all(win);
  /* Pages 0x2000 apart with pages 10-19 missing: every page is a barrier. */
  VmsSnapshot *snap = synthetic(50, 10, 20, 0);
  vms_summary_set_snapshot(sum, snap, NULL);
  spin_for(0.1);
  VmsBarrierScope scope;
  vms_barrier_scope_default(snap, &scope);
  VmsBarriers b;
  VMS_CHECK(vms_barriers_compute(snap, &scope, &(VmsBarrierOptions){.top = 5}, &b, NULL) == VMS_OK);
  VMS_CHECK(b.n_by_gain == 5);
  const char *scope_text = vms_summary_get_figure(sum, "barriers_scope");
  VMS_CHECK_MSG(scope_text && strstr(scope_text, "busiest cluster"), "scope: %s",
                scope_text ? scope_text : "(none)");
  char want[32];
  g_snprintf(want, sizeof want, "0x%" G_GINT64_MODIFIER "x", b.by_gain[0].start);
  const char *top = vms_summary_get_figure(sum, "barrier:0");
  VMS_CHECK_MSG(top && strstr(top, want), "top barrier row: %s (want %s)", top ? top : "(none)",
                want);
  VMS_CHECK(vms_summary_get_figure(sum, "barrier:4") != NULL);
  VMS_CHECK(vms_summary_get_figure(sum, "barrier:5") == NULL);
  VMS_CHECK(vms_summary_get_figure(sum, "barrier_group:private") != NULL);
  /* A click on the first row names the top barrier's region. */
  Activated act = {0};
  g_signal_connect(sum, "region-activated", G_CALLBACK(on_region_activated), &act);
  GtkListBoxRow *row = gtk_list_box_get_row_at_index(vms_summary_get_barrier_list(sum), 0);
  VMS_CHECK(row != NULL);
  if (row)
    g_signal_emit_by_name(row, "activate");
  spin_for(0.05);
  VMS_CHECK_U64(act.n, 1);
  VMS_CHECK_U64(act.idx, b.by_gain[0].first);
  VMS_CHECK_U64(act.start, b.by_gain[0].start);
  VMS_CHECK_U64(act.end, b.by_gain[0].end);
  vms_barriers_clear(&b);
  /* No snapshot: no rows. */
  vms_summary_set_snapshot(sum, NULL, NULL);
  VMS_CHECK(gtk_list_box_get_row_at_index(vms_summary_get_barrier_list(sum), 0) == NULL);
  vms_snapshot_unref(snap);
  gtk_widget_destroy(win);
}

/* In the window a barrier picked in the summary is selected on the map and in the table. */
static void test_barrier_click(VmsWindow *win) {
  VmsSnapshot *snap = vms_window_get_snapshot(win);
  if (!snap)
    return;
  VmsSummary *sum = vms_window_get_summary(win);
  VmsMapView *map = vms_window_get_map(win);
  VmsRegionTable *table = vms_window_get_table(win);
  size_t idx = first_of_type(snap, VMS_TYPE_IMAGE);
  VMS_CHECK(idx != SIZE_MAX);
  if (idx == SIZE_MAX)
    return;
  g_signal_emit_by_name(sum, "region-activated", (guint64)snap->regions[idx].start,
                        (guint64)snap->regions[idx].end, (guint64)idx);
  spin_for(0.1);
  VMS_CHECK_U64(vms_map_view_get_selected(map), idx);
  VMS_CHECK_U64(vms_region_table_get_selected(table), idx);
  const VmsViewport *vp = vms_map_view_get_viewport(map);
  VMS_CHECK(vp->start <= snap->regions[idx].start && vp->end >= snap->regions[idx].end);
  VMS_CHECK(vp->end - vp->start < snap->usable_hi - snap->usable_lo);
  /* And a real row, when this process has a barrier in its busiest cluster. */
  GtkListBoxRow *row = gtk_list_box_get_row_at_index(vms_summary_get_barrier_list(sum), 0);
  if (row && gtk_list_box_row_get_activatable(row)) {
    /* Copied first: a sample arriving meanwhile rebuilds the rows. */
    const guint64 *where_p = g_object_get_data(G_OBJECT(row), "vms-where");
    guint64 where[1] = {where_p ? where_p[0] : 0};
    g_signal_emit_by_name(row, "activate");
    spin_for(0.1);
    /* A sample may arrive in between and renumber the regions: the one
     * selected is the one that starts where the row says. */
    VmsSnapshot *now = vms_window_get_snapshot(win);
    size_t sel = vms_map_view_get_selected(map);
    if (where_p && now)
      VMS_CHECK_MSG(sel < now->n_regions && now->regions[sel].start <= where[0] &&
                        now->regions[sel].end > where[0],
                    "the barrier row at 0x%" G_GINT64_MODIFIER "x selected region %zu", where[0],
                    sel);
  }
  vms_map_view_zoom_fit(map);
  spin_for(0.05);
}

/* A region table alone in a shown window. */
static VmsRegionTable *shown_table(GtkWidget **win) {
  *win = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  gtk_window_set_default_size(GTK_WINDOW(*win), 900, 500);
  VmsRegionTable *t = VMS_REGION_TABLE(vms_region_table_new());
  gtk_container_add(GTK_CONTAINER(*win), GTK_WIDGET(t));
  gtk_widget_show_all(*win);
  spin_for(0.2);
  return t;
}

static gboolean rows_are_identity(VmsRegionTable *t, const VmsSnapshot *s) {
  if (vms_region_table_get_n_rows(t) != s->n_regions)
    return FALSE;
  for (size_t r = 0; r < s->n_regions; r++)
    if (vms_region_table_get_row_region(t, r) != r)
      return FALSE;
  return TRUE;
}

/* Live refreshes patch the table; sorts reorder it; the selection follows its region. */
static void test_table_updates(void) {
  GtkWidget *win;
  VmsRegionTable *t = shown_table(&win);
  VmsSnapshot *a = synthetic(3000, 0, 0, 0);
  vms_region_table_set_snapshot(t, a);
  VMS_CHECK(rows_are_identity(t, a));
  size_t sel = vms_snapshot_find(a, 0x7f0000000000ull + 2500 * 0x2000);
  VMS_CHECK(sel != SIZE_MAX);
  vms_region_table_select(t, sel, FALSE);
  uint64_t sel_start = a->regions[sel].start;

  /* Ten mappings gone before the selection, one new one: rows patched, selection kept. */
  VmsSnapshot *b = synthetic(3000, 100, 110, 0x7e0000000000ull);
  vms_region_table_set_snapshot(t, b);
  VMS_CHECK(rows_are_identity(t, b));
  size_t now = vms_region_table_get_selected(t);
  VMS_CHECK_MSG(now != SIZE_MAX && b->regions[now].start == sel_start,
                "the selection did not follow its region across a refresh");

  /* A sort reorders the same rows and keeps the selection on its region. */
  vms_region_table_sort(t, VMS_COL_PROT, TRUE);
  VMS_CHECK_U64(vms_region_table_get_n_rows(t), b->n_regions);
  now = vms_region_table_get_selected(t);
  VMS_CHECK_MSG(now != SIZE_MAX && b->regions[now].start == sel_start,
                "the selection moved in a sort");
  gboolean ordered = TRUE;
  for (size_t r = 1; r < vms_region_table_get_n_rows(t); r++)
    if (b->regions[vms_region_table_get_row_region(t, r - 1)].prot <
        b->regions[vms_region_table_get_row_region(t, r)].prot)
      ordered = FALSE;
  VMS_CHECK(ordered);

  /* A refresh while sorted by something else re-sorts the new rows. */
  vms_region_table_set_snapshot(t, a);
  VMS_CHECK_U64(vms_region_table_get_n_rows(t), a->n_regions);
  vms_region_table_sort(t, VMS_COL_START, FALSE);
  VMS_CHECK(rows_are_identity(t, a));
  now = vms_region_table_get_selected(t);
  VMS_CHECK(now != SIZE_MAX && a->regions[now].start == sel_start);

  /* With a filter on, a refresh patches the filtered rows. */
  vms_region_table_set_text_filter(t, "r--p");
  size_t n_ro = vms_region_table_get_n_rows(t);
  VMS_CHECK(n_ro > 1000 && n_ro < a->n_regions);
  vms_region_table_set_snapshot(t, b);
  size_t expect = 0;
  for (size_t i = 0; i < b->n_regions; i++)
    expect += b->regions[i].type != VMS_TYPE_FREE && b->regions[i].type != VMS_TYPE_UNUSABLE &&
              b->regions[i].prot == VMS_PROT_READ;
  VMS_CHECK_U64(vms_region_table_get_n_rows(t), expect);
  gtk_widget_destroy(win);
  vms_snapshot_unref(a);
  vms_snapshot_unref(b);
}

/* What the view sees at every row signal of a live refresh: the Start cell
 * of each row, formatted by the table itself, matched against a shadow list
 * that applies the same deletions and insertions. */
typedef struct {
  GtkTreeView *view;
  GArray *shadow;      /* uint64 starts, as the model should read now */
  const GArray *final; /* the rows' starts once the refresh is done */
  int signals, bad;
} RowWatch;

static uint64_t start_cell(GtkTreeView *view, GtkTreeModel *m, int row) {
  GtkTreeIter it;
  if (!gtk_tree_model_iter_nth_child(m, &it, NULL, row))
    return UINT64_MAX;
  GtkTreeViewColumn *col = gtk_tree_view_get_column(view, VMS_COL_START);
  gtk_tree_view_column_cell_set_cell_data(col, m, &it, FALSE, FALSE);
  GList *cells = gtk_cell_layout_get_cells(GTK_CELL_LAYOUT(col));
  g_autofree char *text = NULL;
  g_object_get(cells->data, "text", &text, NULL);
  g_list_free(cells);
  return text && *text ? g_ascii_strtoull(text, NULL, 16) : UINT64_MAX;
}

static void watch_check(RowWatch *w, GtkTreeModel *m) {
  w->signals++;
  int n = gtk_tree_model_iter_n_children(m, NULL);
  if ((guint)n != w->shadow->len) {
    w->bad++;
    return;
  }
  for (int r = 0; r < n; r++)
    if (start_cell(w->view, m, r) != g_array_index(w->shadow, uint64_t, r)) {
      w->bad++;
      return;
    }
}

static void on_watch_deleted(GtkTreeModel *m, GtkTreePath *path, RowWatch *w) {
  g_array_remove_index(w->shadow, (guint)gtk_tree_path_get_indices(path)[0]);
  watch_check(w, m);
}

static void on_watch_inserted(GtkTreeModel *m, GtkTreePath *path, GtkTreeIter *it, RowWatch *w) {
  guint q = (guint)gtk_tree_path_get_indices(path)[0];
  g_array_insert_val(w->shadow, q, g_array_index(w->final, uint64_t, q));
  watch_check(w, m);
}

static GArray *row_starts(VmsRegionTable *t, const VmsSnapshot *s) {
  GArray *a = g_array_new(FALSE, FALSE, sizeof(uint64_t));
  for (size_t r = 0; r < vms_region_table_get_n_rows(t); r++)
    g_array_append_val(a, s->regions[vms_region_table_get_row_region(t, r)].start);
  return a;
}

/* A live refresh that removes and adds regions keeps the model readable at
 * every signal (the focused view formats its cursor row while a row is
 * deleted); under a filter, a snapshot with more regions but the same
 * filtered rows is no "nothing moved". */
static void test_table_consistency(void) {
  GtkWidget *win;
  VmsRegionTable *t = shown_table(&win);
  GtkTreeView *view = vms_region_table_get_view(t);
  VmsSnapshot *a = synthetic(60, 0, 0, 0), *b = synthetic(60, 20, 40, 0x7e0000000000ull);
  vms_region_table_set_snapshot(t, a);
  spin_for(0.1);
  /* The cursor on a region that goes away, the table focused. */
  gtk_widget_grab_focus(GTK_WIDGET(view));
  size_t gone = vms_snapshot_find(a, 0x7f0000000000ull + 35 * 0x2000);
  VMS_CHECK(gone != SIZE_MAX);
  vms_region_table_select(t, gone, FALSE);
  spin_for(0.1);

  /* The expected rows after the refresh: b's regions in address order. */
  RowWatch w = {view, row_starts(t, a), NULL, 0, 0};
  GArray *final = g_array_new(FALSE, FALSE, sizeof(uint64_t));
  for (size_t i = 0; i < b->n_regions; i++)
    g_array_append_val(final, b->regions[i].start);
  w.final = final;
  GtkTreeModel *m = gtk_tree_view_get_model(view);
  gulong h1 = g_signal_connect(m, "row-deleted", G_CALLBACK(on_watch_deleted), &w);
  gulong h2 = g_signal_connect(m, "row-inserted", G_CALLBACK(on_watch_inserted), &w);
  vms_region_table_set_snapshot(t, b);
  g_signal_handler_disconnect(m, h1);
  g_signal_handler_disconnect(m, h2);
  spin_for(0.1);
  VMS_CHECK_MSG(w.signals > 20, "the refresh was not patched row by row (%d signals)", w.signals);
  VMS_CHECK_MSG(w.bad == 0, "%d of %d row signals saw rows that index another snapshot", w.bad,
                w.signals);
  VMS_CHECK(rows_are_identity(t, b));
  g_array_unref(w.shadow);

  /* And back: rows reappear where they were. */
  vms_region_table_set_snapshot(t, a);
  VMS_CHECK(rows_are_identity(t, a));

  /* A filter shows the same rows of a snapshot that has more regions past
   * them: the table takes the new snapshot (its count says so). */
  VmsSnapshot *c = synthetic(61, 0, 0, 0); /* one more rw-p mapping at the top */
  vms_region_table_set_text_filter(t, "r--p");
  size_t n_ro = vms_region_table_get_n_rows(t);
  VMS_CHECK(n_ro == 30);
  vms_region_table_set_snapshot(t, c);
  VMS_CHECK_U64(vms_region_table_get_n_rows(t), n_ro);
  char expect[64];
  g_snprintf(expect, sizeof expect, "%zu of %zu regions", n_ro, c->n_regions);
  VMS_CHECK_MSG(find_widget(GTK_WIDGET(t), GTK_TYPE_LABEL, expect) != NULL,
                "the count does not read \u201c%s\u201d", expect);
  vms_region_table_set_snapshot(t, a); /* fewer regions, same rows */
  g_snprintf(expect, sizeof expect, "%zu of %zu regions", n_ro, a->n_regions);
  VMS_CHECK_MSG(find_widget(GTK_WIDGET(t), GTK_TYPE_LABEL, expect) != NULL,
                "the count does not read \u201c%s\u201d", expect);
  vms_region_table_set_text_filter(t, NULL);

  /* A plain sample handing back the counters already shown keeps a pending
   * counters read busy; new counters end it. */
  GtkWidget *button = find_widget(GTK_WIDGET(t), GTK_TYPE_BUTTON, "Read _counters");
  GtkWidget *spinner = find_widget(GTK_WIDGET(t), GTK_TYPE_SPINNER, NULL);
  VMS_CHECK(button && spinner);
  if (button && spinner) {
    vms_region_table_set_counters_snapshot(t, a);
    vms_region_table_set_counters_busy(t, TRUE);
    vms_region_table_set_snapshot(t, b);
    vms_region_table_set_counters_snapshot(t, a);
    VMS_CHECK_MSG(gtk_widget_get_visible(spinner) && !gtk_widget_get_sensitive(button),
                  "the counters read looks finished while it is pending");
    VMS_CHECK(find_widget(GTK_WIDGET(t), GTK_TYPE_LABEL, "Reading counters") != NULL);
    vms_region_table_set_counters_snapshot(t, b);
    VMS_CHECK(!gtk_widget_get_visible(spinner) && gtk_widget_get_sensitive(button));
  }
  gtk_widget_destroy(win);
  g_array_unref(final);
  vms_snapshot_unref(a);
  vms_snapshot_unref(b);
  vms_snapshot_unref(c);
}

/* Every control a person can reach has a name a screen reader can say. */
static void check_names(GtkWidget *w, int *unnamed) {
  if (!gtk_widget_get_visible(w))
    return;
  gboolean control = GTK_IS_BUTTON(w) || GTK_IS_COMBO_BOX(w) || GTK_IS_ENTRY(w) ||
                     GTK_IS_TREE_VIEW(w) || VMS_IS_MAP_VIEW(w);
  if (control) {
    const char *name = atk_object_get_name(gtk_widget_get_accessible(w));
    if (!name || !*name) {
      fprintf(stderr, "unnamed control: %s\n", G_OBJECT_TYPE_NAME(w));
      (*unnamed)++;
    }
  }
  if (GTK_IS_CONTAINER(w) && !GTK_IS_COMBO_BOX(w) && !GTK_IS_BUTTON(w)) {
    GList *kids = gtk_container_get_children(GTK_CONTAINER(w));
    for (GList *l = kids; l; l = l->next)
      check_names(l->data, unnamed);
    g_list_free(kids);
  }
}

static void test_accessible_names(VmsWindow *win) {
  int unnamed = 0;
  check_names(GTK_WIDGET(win), &unnamed);
  GtkWidget *titlebar = gtk_window_get_titlebar(GTK_WINDOW(win));
  if (titlebar)
    check_names(titlebar, &unnamed);
  VMS_CHECK_U64(unnamed, 0);
  VMS_CHECK(gtk_widget_get_can_focus(GTK_WIDGET(vms_window_get_map(win))));
}

/* The interval box takes typed intervals, lists the last one among the
 * presets, and refuses nonsense with a visible hint. */
static gboolean type_interval(VmsWindow *win, const char *text) {
  GtkEntry *entry = vms_window_get_interval_entry(win);
  gtk_widget_grab_focus(GTK_WIDGET(entry));
  gtk_entry_set_text(entry, text);
  gtk_widget_activate(GTK_WIDGET(entry));
  spin_for(0.05);
  /* TRUE when no complaint is shown. */
  return !gtk_style_context_has_class(gtk_widget_get_style_context(GTK_WIDGET(entry)),
                                      GTK_STYLE_CLASS_ERROR) &&
         gtk_entry_get_icon_name(entry, GTK_ENTRY_ICON_SECONDARY) == NULL;
}

static int combo_rows(GtkEntry *entry) {
  GtkComboBox *combo =
      GTK_COMBO_BOX(gtk_widget_get_ancestor(GTK_WIDGET(entry), GTK_TYPE_COMBO_BOX));
  return gtk_tree_model_iter_n_children(gtk_combo_box_get_model(combo), NULL);
}

static void test_interval_entry(VmsWindow *win) {
  GtkEntry *entry = vms_window_get_interval_entry(win);
  VMS_CHECK(GTK_IS_COMBO_BOX(gtk_widget_get_ancestor(GTK_WIDGET(entry), GTK_TYPE_COMBO_BOX)));
  GtkComboBox *combo =
      GTK_COMBO_BOX(gtk_widget_get_ancestor(GTK_WIDGET(entry), GTK_TYPE_COMBO_BOX));
  int presets = combo_rows(entry);
  static const struct {
    const char *text;
    double seconds;
    const char *shown;
  } good[] = {
      {"0.7", 0.7, "Every 0.7 s"},        {"2", 2, "Every 2 s"},
      {"10 s", 10, "Every 10 s"},         {"1 min", 60, "Every 1 min"},
      {"1,5 s", 1.5, "Every 1.5 s"},      {"250ms", 0.25, "Every 0.25 s"},
      {" 90 seconds ", 90, "Every 90 s"}, {"Every 3 s", 3, "Every 3 s"},
      {"2 min", 120, "Every 2 min"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
    gboolean clean = type_interval(win, good[i].text);
    VMS_CHECK_MSG(clean, "\"%s\" was refused", good[i].text);
    VMS_CHECK_MSG(fabs(vms_window_get_interval(win) - good[i].seconds) < 1e-9, "\"%s\" set %g s",
                  good[i].text, vms_window_get_interval(win));
    VMS_CHECK_STR(gtk_entry_get_text(entry), good[i].shown);
    VMS_CHECK(gtk_combo_box_get_active(combo) >= 0);
    /* Presets stay; at most one typed interval is listed beside them. */
    VMS_CHECK(combo_rows(entry) == presets || combo_rows(entry) == presets + 1);
  }
  /* The listed typed interval can be picked again, in its place by value. */
  VMS_CHECK(gtk_combo_box_set_active_id(combo, "0.5"));
  VMS_CHECK(vms_window_get_interval(win) == 0.5);
  VMS_CHECK(gtk_combo_box_set_active_id(combo, "120"));
  VMS_CHECK(vms_window_get_interval(win) == 120);
  VMS_CHECK_U64(combo_rows(entry), presets + 1);
  static const char *bad[] = {"banana", "0",   "-3", "0.01", "2 hours and a bit", "5000",
                              "1e9",    "nan", "",   "s",    "3 parsecs"};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    gboolean clean = type_interval(win, bad[i]);
    VMS_CHECK_MSG(!clean, "\"%s\" was accepted", bad[i]);
    VMS_CHECK_MSG(vms_window_get_interval(win) == 120, "\"%s\" changed the interval to %g s",
                  bad[i], vms_window_get_interval(win));
    const char *tip = gtk_entry_get_icon_tooltip_text(entry, GTK_ENTRY_ICON_SECONDARY);
    VMS_CHECK_MSG(tip && strstr(tip, "not a refresh interval") && strstr(tip, "1 min"), "hint: %s",
                  tip ? tip : "(none)");
    g_free((char *)tip);
  }
  /* Editing again clears the complaint. */
  gtk_entry_set_text(entry, "4");
  VMS_CHECK(gtk_entry_get_icon_name(entry, GTK_ENTRY_ICON_SECONDARY) == NULL);
  /* Moving away applies what was typed, as Enter does. */
  gtk_widget_grab_focus(GTK_WIDGET(vms_window_get_map(win)));
  spin_for(0.05);
  VMS_CHECK_MSG(vms_window_get_interval(win) == 4, "leaving the box set %g s",
                vms_window_get_interval(win));
  /* Remembered like a preset: a new window lists the saved typed interval. */
  type_interval(win, "0.7");
  VmsSettings st;
  vms_settings_load(&st);
  st.interval = vms_window_get_interval(win);
  VMS_CHECK(vms_settings_save(&st, NULL));
  vms_settings_load(&st);
  VMS_CHECK(st.interval == 0.7);
  VmsWindow *other = vms_window_new(NULL);
  vms_window_set_interval(other, st.interval);
  VMS_CHECK_STR(gtk_entry_get_text(vms_window_get_interval_entry(other)), "Every 0.7 s");
  VMS_CHECK_STR(gtk_combo_box_get_active_id(GTK_COMBO_BOX(gtk_widget_get_ancestor(
                    GTK_WIDGET(vms_window_get_interval_entry(other)), GTK_TYPE_COMBO_BOX))),
                "0.7");
  gtk_widget_destroy(GTK_WIDGET(other));
  vms_window_set_interval(win, 1.0);
  VMS_CHECK_STR(gtk_entry_get_text(entry), "Every 1 s");
}

static void test_settings(void) {
  VmsSettings s = {1000, 700, FALSE, 2.0};
  GError *e = NULL;
  VMS_CHECK(vms_settings_save(&s, &e));
  g_clear_error(&e);
  VmsSettings t;
  vms_settings_load(&t);
  VMS_CHECK_U64(t.width, 1000);
  VMS_CHECK_U64(t.height, 700);
  VMS_CHECK(t.interval == 2.0);
  g_autofree char *path = vms_settings_path();
  VMS_CHECK(
      g_file_set_contents(path, "[window]\nwidth=banana\n[refresh]\ninterval=-4\n", -1, NULL));
  vms_settings_load(&t);
  VMS_CHECK_U64(t.width, 1200); /* the defaults, not garbage */
  VMS_CHECK(t.interval == 1.0);
}

int main(int argc, char **argv) {
  g_autofree char *dir = gui_test_setup(argc, argv, 1, "TARGET_EXE", "vmscope-gui-XXXXXX");
  if (!dir)
    VMS_SKIP("no display (run under xvfb-run)");
  vms_application_setup_style();
  test_settings();
  test_table_updates();
  test_table_consistency();
  test_summary_barriers();

  GPid target = spawn_target(argv[1], "200");
  test_picker(target);

  VmsWindow *win = vms_window_new(NULL);
  gtk_window_set_default_size(GTK_WINDOW(win), 1200, 780);
  gtk_widget_show(GTK_WIDGET(win));
  spin_for(0.3);
  test_accessible_names(win);
  test_interval_entry(win);
  test_attach_and_map(win, target);
  test_dark_theme(win);
  test_zoom_pan(win);
  test_selection(win);
  test_barrier_click(win);
  test_export(win, dir);
  test_reattach(win, argv[1], target);
  test_export_dialog_closes(target);
  test_exit_banner(win, target);
  test_no_address_space(win);
  gtk_widget_destroy(GTK_WIDGET(win));
  spin_for(0.1);

  g_autofree char *cfg = g_build_filename(dir, "vmscope", "vmscope.ini", NULL);
  g_unlink(cfg);
  g_autofree char *cfgdir = g_build_filename(dir, "vmscope", NULL);
  g_rmdir(cfgdir);
  g_rmdir(dir);
  return vms_test_end();
}
