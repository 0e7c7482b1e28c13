/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-window.c: the main window: one attached process, its live map, table and summary.
 *
 * The sampler thread reads the target; its callback only wraps the finished
 * snapshot (or error) with the attachment's generation and queues it to the
 * main loop. The main thread never reads /proc: it swaps snapshots in and
 * hands them to the map, the table and the summary. A result from an older
 * attachment (the user picked another process meanwhile) is dropped.
 *
 * The main thread never waits for the target either: an old sampler is
 * stopped (joined, which waits out a read in flight) on a thread of its
 * own, and an export renders and writes on a GTask thread. */
#include "vms-window.h"

#include <math.h>
#include <string.h>

#include "vms-export.h"
#include "vms-recording.h"
#include "vms-diff.h"
#include "vms-sampler.h"
#include "vms-timeline.h"
#include "vms-ui-util.h"

struct _VmsWindow {
  GtkApplicationWindow parent_instance;

  GtkHeaderBar *header;
  GtkToggleButton *pause_button;
  GtkImage *pause_image;
  GtkComboBoxText *interval_combo;
  GtkEntry *interval_entry;
  char custom_id[32]; /* the one typed interval listed beside the presets ("" = none) */
  GtkInfoBar *banner;
  GtkLabel *banner_label;
  GtkToggleButton *linear_button, *compressed_button;
  GtkLabel *view_label, *status_label;
  GtkBox *legend_box;
  VmsMapView *map;
  VmsRegionTable *table;
  VmsSummary *summary;

  VmsPicker *picker;
  /* An opened recording or saved snapshot (no sampler meanwhile): the
   * reader keeps the file and rebuilds the frame shown, which is self->snap
   * (the last rebuilt frame, kept until another is asked for). */
  VmsRecording *rec;
  FILE *rec_file;
  char *rec_path;
  size_t frame;
  GtkFileChooserNative *open_dialog;
  VmsTimeline *timeline;
  VmsSnapshot *mark_snap; /* the marked moment's frame, rebuilt once per mark */
  size_t mark_frame;
  GtkFileChooserNative *export_dialog;
  gboolean exporting;
  GtkFileChooserNative *save_dialog;
  gboolean saving;
  gboolean disposed;
  VmsSampler *sampler;
  struct SamplerLink *link; /* the running sampler's */
  guint generation;
  int pid;
  char name[256];
  VmsSnapshot *snap;
  VmsSnapshot *counters_snap;
  VmsSnapshot *residency_snap; /* the last snapshot whose residency was read */
  GtkWidget *legend;
  /* Why the residency view's last page read fell short ("" when it did not). */
  char pages_note[200];
  gboolean counters_pending;
  gboolean ended; /* the target exited, was reused or cannot be read: no sampler */
  double interval;
  gboolean paused;
  guint n_snapshots;
  gboolean syncing;
  gboolean layout_chosen; /* the user picked a layout: stop choosing by bitness */
  guint tick_id;
  gint64 handoff_time;
  double frame_latency;
  double update_seconds;
  gulong after_paint_id;
};

G_DEFINE_TYPE(VmsWindow, vms_window, GTK_TYPE_APPLICATION_WINDOW)

/* The sampler's user data. It lives as long as the sampler (freed once
 * vms_sampler_stop has returned), which may be longer than the window: the
 * window is reached through a weak reference, and every result carries the
 * generation of the attachment that started this sampler, never the
 * window's current one. */
typedef struct SamplerLink {
  GWeakRef win;
  guint generation;
} SamplerLink;

static void link_free(SamplerLink *link) {
  g_weak_ref_clear(&link->win);
  g_free(link);
}

typedef struct {
  VmsSampler *sampler;
  SamplerLink *link;
} Stopper;

static gpointer stop_thread(gpointer data) {
  Stopper *st = data;
  vms_sampler_stop(st->sampler);
  link_free(st->link);
  g_free(st);
  return NULL;
}

typedef struct {
  VmsWindow *win; /* a reference */
  guint generation;
  VmsSnapshot *snap;
  VmsError err;
  gboolean has_err;
} Delivery;

static void show_banner(VmsWindow *self, GtkMessageType type, const char *text) {
  gtk_info_bar_set_message_type(self->banner, type);
  gtk_label_set_text(self->banner_label, text);
  gtk_widget_set_no_show_all(GTK_WIDGET(self->banner), FALSE);
  gtk_widget_show_all(GTK_WIDGET(self->banner));
  gtk_info_bar_set_revealed(self->banner, TRUE);
}

static void hide_banner(VmsWindow *self) {
  gtk_widget_hide(GTK_WIDGET(self->banner));
  gtk_label_set_text(self->banner_label, "");
}

static void on_banner_response(GtkInfoBar *bar, int response, VmsWindow *self) {
  hide_banner(self);
}

static void frame_time_text(double t, char *out, size_t size) {
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local((gint64)t);
  g_autofree char *text = dt ? g_date_time_format(dt, "%Y-%m-%d %H:%M:%S") : g_strdup("?");
  g_strlcpy(out, text, size);
}

/* "recording: FILE, frame N of M, TIME", N counted from 1 as a person does. */
static void recording_text(VmsWindow *self, char *out, size_t size) {
  g_autofree char *base = g_path_get_basename(self->rec_path);
  size_t n = vms_recording_count(self->rec);
  const VmsFrameInfo *fi = vms_recording_info(self->rec, self->frame);
  char when[64];
  frame_time_text(fi->time, when, sizeof when);
  g_snprintf(out, size, "recording: %s, frame %zu of %zu, %s%s", base, self->frame + 1, n, when,
             (fi->flags & VMS_FRAME_EXITED) ? " (the process had exited)" : "");
}

static void update_title(VmsWindow *self) {
  char sub[400];
  if (self->rec) {
    char text[600];
    recording_text(self, text, sizeof text);
    gtk_header_bar_set_title(self->header, self->name[0] ? self->name : "vmscope");
    gtk_header_bar_set_subtitle(self->header, text);
    char title[900];
    g_snprintf(title, sizeof title, "%s — vmscope", text);
    gtk_window_set_title(GTK_WINDOW(self), title);
    return;
  }
  if (self->pid <= 0) {
    gtk_header_bar_set_title(self->header, "vmscope");
    gtk_header_bar_set_subtitle(self->header, "No process");
    gtk_window_set_title(GTK_WINDOW(self), "vmscope");
    return;
  }
  const VmsSnapshot *s = self->snap;
  const char *state = self->ended ? " — detached" : self->paused ? " — paused" : "";
  if (s)
    g_snprintf(sub, sizeof sub, "PID %d · %d-bit%s", self->pid, s->bits, state);
  else
    g_snprintf(sub, sizeof sub, "PID %d%s", self->pid, state);
  gtk_header_bar_set_title(self->header, self->name[0] ? self->name : "vmscope");
  gtk_header_bar_set_subtitle(self->header, sub);
  char title[512];
  g_snprintf(title, sizeof title, "%s (%d) — vmscope", self->name[0] ? self->name : "?", self->pid);
  gtk_window_set_title(GTK_WINDOW(self), title);
}

static void update_status(VmsWindow *self) {
  const VmsSnapshot *s = self->snap;
  if (self->rec && s) {
    char rt[600], text[800];
    recording_text(self, rt, sizeof rt);
    rt[0] = g_ascii_toupper(rt[0]);
    g_snprintf(text, sizeof text, "%s · %zu regions · PID %d · no live sampling", rt, s->n_regions,
               s->pid);
    gtk_label_set_text(self->status_label, text);
    return;
  }
  if (!s) {
    gtk_label_set_text(self->status_label, self->pid > 0 ? "Waiting for the first sample…" : "");
    return;
  }
  char when[32], text[512];
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local((gint64)s->taken_at);
  g_autofree char *hms = dt ? g_date_time_format(dt, "%H:%M:%S") : g_strdup("?");
  g_strlcpy(when, hms, sizeof when);
  int len = g_snprintf(text, sizeof text, "Sampled at %s · %zu regions · read in %.1f ms", when,
                       s->n_regions, s->read_seconds * 1000);
  if (self->sampler && !self->ended) {
    double eff = vms_sampler_effective_interval(self->sampler);
    if (self->paused)
      len += g_snprintf(text + len, sizeof text - (size_t)len, " · paused (F5 samples once)");
    else if (eff > self->interval * 1.05)
      len += g_snprintf(text + len, sizeof text - (size_t)len,
                        " · every %.1f s (stretched from %g s to keep sampling cheap)", eff,
                        self->interval);
    else
      len += g_snprintf(text + len, sizeof text - (size_t)len, " · every %g s", self->interval);
  }
  if (vms_map_view_get_residency(self->map) && self->pages_note[0] && len < (int)sizeof text - 8)
    len += g_snprintf(text + len, sizeof text - (size_t)len, " · %s", self->pages_note);
  if (s->residency_seconds > 0 && len < (int)sizeof text - 40)
    len += g_snprintf(text + len, sizeof text - (size_t)len, " · resident pages in %.1f ms",
                      s->residency_seconds * 1000);
  if (s->note[0] && len < (int)sizeof text - 8)
    g_snprintf(text + len, sizeof text - (size_t)len, " · %s", s->note);
  gtk_label_set_text(self->status_label, text);
}

static void update_view_label(VmsWindow *self) {
  const VmsViewport *vp = vms_map_view_get_viewport(self->map);
  if (!self->snap) {
    gtk_label_set_text(self->view_label, "");
    return;
  }
  char span[32], text[160];
  vms_size_format(vp->end - vp->start, span, sizeof span);
  g_snprintf(text, sizeof text,
             "Viewing 0x%" G_GINT64_MODIFIER "x – 0x%" G_GINT64_MODIFIER "x (%s)", vp->start,
             vp->end, span);
  gtk_label_set_text(self->view_label, text);
}

static void on_after_paint(GdkFrameClock *clock, VmsWindow *self) {
  if (self->handoff_time) {
    self->frame_latency = (double)(g_get_monotonic_time() - self->handoff_time) / 1e6;
    self->handoff_time = 0;
  }
}

/* ---- residency: read by the sampler, shown in the summary and on the map ---- */

/* Residency is read on a refresh while its last read took at most this
 * many times the rest of the refresh (README, docs/design.md). */
#define RESIDENCY_BUDGET 1.0

static void take_residency(VmsWindow *self, VmsSnapshot *snap) {
  if (snap->fields & VMS_FIELD_RESIDENCY)
    vms_ui_snapshot_set(&self->residency_snap, snap);
}

/* Where the summary's Resident column comes from when the snapshot shown
 * has no residency of its own: the later of the last residency read and
 * the last smaps read. */
static VmsSnapshot *resident_source(VmsWindow *self) {
  VmsSnapshot *r = self->residency_snap, *c = self->counters_snap;
  if (!r)
    return c;
  if (!c)
    return r;
  return r->taken_at >= c->taken_at ? r : c;
}

/* The sampler reads the page states of what the map shows while the
 * residency view is on, and none otherwise. */
static void update_page_range(VmsWindow *self) {
  if (!self->sampler)
    return;
  const VmsViewport *vp = vms_map_view_get_viewport(self->map);
  if (vms_map_view_get_residency(self->map) && self->snap)
    vms_sampler_set_page_range(self->sampler, vp->start, vp->end);
  else
    vms_sampler_set_page_range(self->sampler, 0, 0);
}

typedef struct {
  VmsWindow *win; /* a reference */
  guint generation;
  VmsPageMap *pages; /* NULL when err says why not */
  VmsError err;
} PagesDelivery;

static gboolean deliver_pages_idle(gpointer data) {
  PagesDelivery *d = data;
  VmsWindow *self = d->win;
  if (d->generation == self->generation && self->sampler) {
    g_strlcpy(self->pages_note, d->pages ? d->pages->note : d->err.message,
              sizeof self->pages_note);
    if (d->pages)
      vms_map_view_set_pages(self->map, d->pages);
    d->pages = NULL;
    update_status(self);
  }
  vms_page_map_free(d->pages);
  g_object_unref(d->win);
  g_free(d);
  return G_SOURCE_REMOVE;
}

/* Runs on the sampler's thread, like sampler_cb; a failed page read
 * leaves the last states, and the status line says why. */
static void sampler_pages_cb(VmsPageMap *pages, const VmsError *err, void *user) {
  SamplerLink *link = user;
  VmsWindow *win = g_weak_ref_get(&link->win);
  if (!win) {
    vms_page_map_free(pages);
    return;
  }
  PagesDelivery *d = g_new0(PagesDelivery, 1);
  d->win = win;
  d->generation = link->generation;
  d->pages = pages;
  if (!pages && err)
    d->err = *err;
  g_idle_add_full(G_PRIORITY_DEFAULT, deliver_pages_idle, d, NULL);
}

void vms_window_set_residency_view(VmsWindow *self, gboolean on) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  vms_map_view_set_residency(self->map, on);
  GAction *a = g_action_map_lookup_action(G_ACTION_MAP(self), "residency");
  g_simple_action_set_state(G_SIMPLE_ACTION(a), g_variant_new_boolean(on));
  vms_legend_show_pages(self->legend, on);
  update_page_range(self);
  update_status(self);
}

gboolean vms_window_get_residency_view(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), FALSE);
  return vms_map_view_get_residency(self->map);
}

VmsSnapshot *vms_window_get_residency_snapshot(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  return self->residency_snap;
}

static void residency_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  VmsWindow *self = data;
  vms_window_set_residency_view(self, !vms_map_view_get_residency(self->map));
}

static void take_snapshot(VmsWindow *self, VmsSnapshot *snap) {
  self->handoff_time = g_get_monotonic_time();
  g_strlcpy(self->name, snap->name, sizeof self->name);
  g_clear_pointer(&self->snap, vms_snapshot_unref);
  self->snap = snap; /* takes the delivered reference */
  self->n_snapshots++;
  take_residency(self, snap);
  if (vms_snapshot_has_smaps(snap)) {
    vms_ui_snapshot_set(&self->counters_snap, snap);
    if (self->counters_pending) {
      self->counters_pending = FALSE;
      vms_region_table_set_counters_busy(self->table, FALSE);
    }
  }
  if (self->n_snapshots == 1 && !self->layout_chosen) {
    /* A 64-bit space is almost all one free gap: compress it unless told otherwise. */
    self->syncing = TRUE;
    gtk_toggle_button_set_active(snap->bits == 64 ? self->compressed_button : self->linear_button,
                                 TRUE);
    vms_map_view_set_layout_kind(self->map,
                                 snap->bits == 64 ? VMS_LAYOUT_COMPRESSED : VMS_LAYOUT_LINEAR);
    self->syncing = FALSE;
  }
  self->syncing = TRUE;
  vms_map_view_set_counters_snapshot(self->map, self->counters_snap);
  vms_map_view_set_snapshot(self->map, snap);
  vms_region_table_set_snapshot(self->table, snap);
  if (self->counters_snap && self->counters_snap != snap)
    vms_region_table_set_counters_snapshot(self->table, self->counters_snap);
  size_t sel = vms_map_view_get_selected(self->map);
  if (sel != SIZE_MAX && vms_region_table_get_selected(self->table) != sel)
    vms_region_table_select(self->table, sel, FALSE);
  self->syncing = FALSE;
  vms_summary_set_snapshot(self->summary, snap, resident_source(self));
  update_title(self);
  update_status(self);
  update_view_label(self);
  self->update_seconds = (double)(g_get_monotonic_time() - self->handoff_time) / 1e6;
}

/* The banner shows why on its first line and the remedy on the second. */
static void permission_text(const VmsError *err, char *text, size_t size) {
  static const char prefix[] = "permission denied: ";
  const char *why = err->message;
  if (g_ascii_strncasecmp(why, prefix, sizeof prefix - 1) == 0)
    why += sizeof prefix - 1;
  if (!err->remedy[0]) {
    g_snprintf(text, size, "Permission denied: %s.", why);
    return;
  }
  g_autofree char *help = g_strdup(err->remedy);
  help[0] = g_ascii_toupper(help[0]);
  g_snprintf(text, size, "Permission denied: %s.\n%s.", why, help);
}

static void take_error(VmsWindow *self, const VmsError *err) {
  char text[800];
  GtkMessageType type = GTK_MESSAGE_ERROR;
  g_autoptr(GDateTime) now = g_date_time_new_now_local();
  g_autofree char *hms = g_date_time_format(now, "%H:%M:%S");
  switch (err->code) {
  case VMS_ERR_GONE:
    type = GTK_MESSAGE_WARNING;
    g_snprintf(text, sizeof text,
               "Process %d (%s) exited at %s. The last map read is still shown; "
               "press Ctrl+O to pick another process.",
               self->pid, self->name[0] ? self->name : "?", hms);
    break;
  case VMS_ERR_REUSED:
    type = GTK_MESSAGE_WARNING;
    g_snprintf(text, sizeof text,
               "Process %d (%s) exited and its PID now belongs to another process; detached at %s. "
               "The last map of the original process is still shown.",
               self->pid, self->name[0] ? self->name : "?", hms);
    break;
  case VMS_ERR_PERMISSION: permission_text(err, text, sizeof text); break;
  case VMS_ERR_NO_ADDRESS_SPACE:
    type = GTK_MESSAGE_INFO;
    g_snprintf(text, sizeof text,
               "Process %d has no address space to show: it is a kernel thread or a zombie. (%s)",
               self->pid, err->message);
    break;
  case VMS_ERR_NO_PROCESS:
    g_snprintf(text, sizeof text, "There is no process %d: %s", self->pid, err->message);
    break;
  default: g_snprintf(text, sizeof text, "Reading process %d failed: %s", self->pid, err->message);
  }
  if (vms_error_ends_target(err->code))
    self->ended = TRUE;
  if (self->counters_pending) {
    self->counters_pending = FALSE;
    vms_region_table_set_counters_busy(self->table, FALSE);
  }
  show_banner(self, type, text);
  update_title(self);
  update_status(self);
}

static gboolean deliver_idle(gpointer data) {
  Delivery *d = data;
  VmsWindow *self = d->win;
  if (d->generation == self->generation && self->sampler) {
    if (d->snap) {
      take_snapshot(self, d->snap);
      d->snap = NULL;
    } else if (d->has_err) {
      take_error(self, &d->err);
    }
  }
  g_clear_pointer(&d->snap, vms_snapshot_unref);
  g_object_unref(d->win);
  g_free(d);
  return G_SOURCE_REMOVE;
}

/* Runs on the sampler's thread: hand over and return at once. */
static void sampler_cb(VmsSnapshot *snap, const VmsError *err, void *user) {
  SamplerLink *link = user;
  VmsWindow *win = g_weak_ref_get(&link->win);
  if (!win) {
    if (snap)
      vms_snapshot_unref(snap);
    return;
  }
  Delivery *d = g_new0(Delivery, 1);
  d->win = win;
  d->generation = link->generation;
  d->snap = snap;
  if (err) {
    d->err = *err;
    d->has_err = TRUE;
  }
  g_idle_add_full(G_PRIORITY_DEFAULT, deliver_idle, d, NULL);
}

static void close_recording(VmsWindow *self) {
  if (self->timeline) {
    vms_timeline_set_recording(self->timeline, NULL);
    gtk_widget_hide(GTK_WIDGET(self->timeline));
  }
  g_clear_pointer(&self->mark_snap, vms_snapshot_unref);
  g_clear_pointer(&self->rec, vms_recording_close);
  if (self->rec_file)
    fclose(self->rec_file);
  self->rec_file = NULL;
  g_clear_pointer(&self->rec_path, g_free);
  self->frame = 0;
}

/* Forgets what was shown: the next snapshot is another process's. */
static void clear_view(VmsWindow *self) {
  self->name[0] = '\0';
  self->ended = FALSE;
  self->n_snapshots = 0;
  self->counters_pending = FALSE;
  vms_region_table_set_counters_busy(self->table, FALSE);
  g_clear_pointer(&self->snap, vms_snapshot_unref);
  g_clear_pointer(&self->counters_snap, vms_snapshot_unref);
  g_clear_pointer(&self->residency_snap, vms_snapshot_unref);
  self->pages_note[0] = '\0';
  vms_map_view_set_pages(self->map, NULL);
  vms_map_view_set_counters_snapshot(self->map, NULL);
  vms_map_view_set_snapshot(self->map, NULL);
  vms_region_table_set_counters_snapshot(self->table, NULL);
  vms_region_table_set_snapshot(self->table, NULL);
  vms_summary_set_snapshot(self->summary, NULL, NULL);
}

void vms_window_detach(VmsWindow *self) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  self->generation++;
  if (!self->sampler)
    return;
  Stopper *st = g_new(Stopper, 1);
  st->sampler = self->sampler;
  st->link = self->link;
  self->sampler = NULL;
  self->link = NULL;
  GThread *t = g_thread_try_new("vms-sampler-stop", stop_thread, st, NULL);
  if (t)
    g_thread_unref(t);
  else
    stop_thread(st); /* no thread to spare: wait here rather than leak a sampler */
}

gboolean vms_window_attach(VmsWindow *self, int pid) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), FALSE);
  vms_window_detach(self);
  close_recording(self);
  hide_banner(self);
  self->pid = pid;
  clear_view(self);

  VmsSamplerOptions opts;
  vms_sampler_options_default(&opts);
  opts.interval = self->interval;
  opts.residency_budget = RESIDENCY_BUDGET;
  opts.pages_func = sampler_pages_cb;
  VmsError err = {0};
  VmsSampler *sampler = NULL;
  SamplerLink *link = g_new0(SamplerLink, 1);
  g_weak_ref_init(&link->win, self);
  link->generation = self->generation;
  if (vms_sampler_start(pid, &opts, sampler_cb, link, &sampler, &err) != VMS_OK) {
    link_free(link);
    self->sampler = NULL;
    take_error(self, &err);
    update_title(self);
    return FALSE;
  }
  self->sampler = sampler;
  self->link = link;
  if (self->paused)
    vms_sampler_set_paused(sampler, TRUE);
  update_page_range(self);
  update_title(self);
  update_status(self);
  return TRUE;
}

/* With a marked moment, the map marks what changed from the earlier of the
 * two to the later one (the existing change marks, held, not faded). */
static void mark_changes(VmsWindow *self) {
  size_t m = self->timeline ? vms_timeline_get_mark(self->timeline) : SIZE_MAX;
  if (!self->rec || !self->snap || m == SIZE_MAX || m >= vms_recording_count(self->rec)) {
    g_clear_pointer(&self->mark_snap, vms_snapshot_unref);
    if (vms_map_view_get_n_changes(self->map))
      vms_map_view_set_changes(self->map, NULL, 0);
    return;
  }
  if (!self->mark_snap || self->mark_frame != m) {
    g_clear_pointer(&self->mark_snap, vms_snapshot_unref);
    VmsError err = {0};
    if (vms_recording_frame(self->rec, m, &self->mark_snap, &err) != VMS_OK) {
      char text[600];
      g_snprintf(text, sizeof text, "Frame %zu cannot be rebuilt: %s", m + 1, err.message);
      show_banner(self, GTK_MESSAGE_ERROR, text);
      return;
    }
    self->mark_frame = m;
  }
  /* The marks sit on the shown frame's regions: new and grown ones are in
   * it when it is the later moment, gone ones when it is the earlier. */
  const VmsSnapshot *older = m < self->frame ? self->mark_snap : self->snap;
  const VmsSnapshot *newer = m < self->frame ? self->snap : self->mark_snap;
  VmsChange *changes = NULL;
  size_t n = m == self->frame ? 0 : vms_snapshot_diff(older, newer, &changes);
  vms_map_view_set_changes(self->map, changes, n);
}

static void on_timeline_cursor(VmsTimeline *tl, VmsWindow *self) {
  vms_window_show_frame(self, vms_timeline_get_cursor(tl));
}

static void on_timeline_mark(VmsTimeline *tl, VmsWindow *self) {
  mark_changes(self);
}

gboolean vms_window_show_frame(VmsWindow *self, size_t k) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), FALSE);
  if (!self->rec || k >= vms_recording_count(self->rec))
    return FALSE;
  if (self->snap && k == self->frame)
    return TRUE;
  VmsSnapshot *snap = NULL;
  VmsError err = {0};
  if (vms_recording_frame(self->rec, k, &snap, &err) != VMS_OK) {
    char text[700];
    g_snprintf(text, sizeof text, "Frame %zu of %s cannot be rebuilt: %s", k + 1, self->rec_path,
               err.message);
    show_banner(self, GTK_MESSAGE_ERROR, text);
    return FALSE;
  }
  self->frame = k;
  self->pid = snap->pid;
  take_snapshot(self, snap);
  vms_timeline_set_cursor(self->timeline, k, FALSE);
  vms_timeline_set_max_map_count(self->timeline, snap->stats.max_map_count);
  mark_changes(self);
  return TRUE;
}

gboolean vms_window_open_recording(VmsWindow *self, const char *path, GError **error) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), FALSE);
  g_return_val_if_fail(path != NULL, FALSE);
  char text[900];
  FILE *f = fopen(path, "rb");
  VmsRecording *rec = NULL;
  VmsError err = {0};
  if (!f)
    g_snprintf(text, sizeof text, "Cannot open %s: %s", path, g_strerror(errno));
  else if (vms_recording_open_file(f, &rec, &err) != VMS_OK)
    g_snprintf(text, sizeof text, "%s is not a recording vmscope can read: %s", path, err.message);
  if (!rec) {
    if (f)
      fclose(f);
    show_banner(self, GTK_MESSAGE_ERROR, text);
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", text);
    return FALSE;
  }
  vms_window_detach(self);
  close_recording(self);
  hide_banner(self);
  clear_view(self);
  self->rec = rec;
  self->rec_file = f;
  self->rec_path = g_strdup(path);
  vms_timeline_set_recording(self->timeline, rec);
  gtk_widget_show(GTK_WIDGET(self->timeline));
  size_t last = vms_recording_count(rec) - 1;
  if (!vms_window_show_frame(self, last)) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", gtk_label_get_text(self->banner_label));
    return FALSE;
  }
  if (vms_recording_truncated(rec)) {
    g_snprintf(text, sizeof text,
               "%s ends before its end mark (cut short, or still being written): "
               "it is shown up to its last complete frame.",
               path);
    show_banner(self, GTK_MESSAGE_WARNING, text);
  }
  return TRUE;
}

VmsTimeline *vms_window_get_timeline(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  return self->timeline;
}

VmsRecording *vms_window_get_recording(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  return self->rec;
}

size_t vms_window_get_frame(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), 0);
  return self->frame;
}

/* Position of the custom interval's row in the list, or -1. */
static int custom_row(VmsWindow *self) {
  GtkTreeModel *m = gtk_combo_box_get_model(GTK_COMBO_BOX(self->interval_combo));
  int id_col = gtk_combo_box_get_id_column(GTK_COMBO_BOX(self->interval_combo));
  GtkTreeIter it;
  int row = 0;
  for (gboolean ok = gtk_tree_model_get_iter_first(m, &it); ok;
       ok = gtk_tree_model_iter_next(m, &it), row++) {
    g_autofree char *id = NULL;
    gtk_tree_model_get(m, &it, id_col, &id, -1);
    if (self->custom_id[0] && g_strcmp0(id, self->custom_id) == 0)
      return row;
  }
  return -1;
}

/* Lists a typed interval in order among the presets, replacing the last
 * typed one, so the list stays short and the choice is still on show. */
static void list_custom_interval(VmsWindow *self, const char *id, double seconds) {
  int old = custom_row(self);
  if (old >= 0)
    gtk_combo_box_text_remove(self->interval_combo, old);
  GtkTreeModel *m = gtk_combo_box_get_model(GTK_COMBO_BOX(self->interval_combo));
  int id_col = gtk_combo_box_get_id_column(GTK_COMBO_BOX(self->interval_combo));
  GtkTreeIter it;
  int pos = 0;
  for (gboolean ok = gtk_tree_model_get_iter_first(m, &it); ok;
       ok = gtk_tree_model_iter_next(m, &it), pos++) {
    g_autofree char *row_id = NULL;
    gtk_tree_model_get(m, &it, id_col, &row_id, -1);
    if (row_id && g_ascii_strtod(row_id, NULL) > seconds)
      break;
  }
  char label[48];
  vms_ui_format_interval(seconds, label, sizeof label);
  gtk_combo_box_text_insert(self->interval_combo, pos, id, label);
  g_strlcpy(self->custom_id, id, sizeof self->custom_id);
}

static void set_interval_hint(VmsWindow *self, const char *hint) {
  GtkStyleContext *sc = gtk_widget_get_style_context(GTK_WIDGET(self->interval_entry));
  if (hint)
    gtk_style_context_add_class(sc, GTK_STYLE_CLASS_ERROR);
  else
    gtk_style_context_remove_class(sc, GTK_STYLE_CLASS_ERROR);
  gtk_entry_set_icon_from_icon_name(self->interval_entry, GTK_ENTRY_ICON_SECONDARY,
                                    hint ? "dialog-warning-symbolic" : NULL);
  gtk_entry_set_icon_tooltip_text(self->interval_entry, GTK_ENTRY_ICON_SECONDARY, hint);
  gtk_widget_set_tooltip_text(GTK_WIDGET(self->interval_entry), hint);
}

void vms_window_set_interval(VmsWindow *self, double seconds) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  if (!(seconds > 0))
    return;
  self->interval = seconds;
  if (self->sampler)
    vms_sampler_set_interval(self->sampler, seconds);
  char id[32];
  g_snprintf(id, sizeof id, "%g", seconds);
  if (g_strcmp0(gtk_combo_box_get_active_id(GTK_COMBO_BOX(self->interval_combo)), id) != 0 &&
      !gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->interval_combo), id)) {
    list_custom_interval(self, id, seconds);
    gtk_combo_box_set_active_id(GTK_COMBO_BOX(self->interval_combo), id);
  }
  set_interval_hint(self, NULL);
  update_status(self);
}

/* Applies what was typed in the interval box, or says why it cannot. */
static void apply_typed_interval(VmsWindow *self) {
  const char *text = gtk_entry_get_text(self->interval_entry);
  if (gtk_combo_box_get_active(GTK_COMBO_BOX(self->interval_combo)) >= 0)
    return; /* a listed choice, already applied */
  double seconds;
  if (vms_ui_parse_interval(text, &seconds)) {
    vms_window_set_interval(self, seconds);
    return;
  }
  char hint[200];
  g_snprintf(hint, sizeof hint,
             "\u201c%.40s\u201d is not a refresh interval: type one such as 0.5, 3 s or 1 min "
             "(from 0.1 s to 1 hour). Still every %g s.",
             text, self->interval);
  set_interval_hint(self, hint);
}

static void on_interval_activate(GtkEntry *entry, VmsWindow *self) {
  apply_typed_interval(self);
}

static gboolean on_interval_focus_out(GtkWidget *entry, GdkEventFocus *ev, VmsWindow *self) {
  apply_typed_interval(self);
  return GDK_EVENT_PROPAGATE;
}

/* A new edit clears the last complaint until it is applied in turn. */
static void on_interval_edited(GtkEditable *entry, VmsWindow *self) {
  if (gtk_entry_get_icon_name(self->interval_entry, GTK_ENTRY_ICON_SECONDARY))
    set_interval_hint(self, NULL);
}

GtkEntry *vms_window_get_interval_entry(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  return self->interval_entry;
}

double vms_window_get_interval(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), 0);
  return self->interval;
}

static void on_interval_changed(GtkComboBox *combo, VmsWindow *self) {
  const char *id = gtk_combo_box_get_active_id(combo);
  if (id)
    vms_window_set_interval(self, g_ascii_strtod(id, NULL));
}

void vms_window_set_paused(VmsWindow *self, gboolean paused) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  self->paused = paused;
  if (self->sampler)
    vms_sampler_set_paused(self->sampler, paused);
  GAction *a = g_action_map_lookup_action(G_ACTION_MAP(self), "pause");
  g_simple_action_set_state(G_SIMPLE_ACTION(a), g_variant_new_boolean(paused));
  gtk_image_set_from_icon_name(
      self->pause_image, paused ? "media-playback-start-symbolic" : "media-playback-pause-symbolic",
      GTK_ICON_SIZE_BUTTON);
  vms_ui_set_accessible(GTK_WIDGET(self->pause_button),
                        paused ? "Resume live refresh" : "Pause live refresh", NULL);
  update_title(self);
  update_status(self);
}

void vms_window_refresh(VmsWindow *self, gboolean with_counters) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  if (!self->sampler || self->ended)
    return;
  if (with_counters && !self->counters_pending) {
    self->counters_pending = TRUE;
    vms_region_table_set_counters_busy(self->table, TRUE);
  }
  vms_sampler_request(self->sampler, with_counters);
}

static void on_picker_response(GtkDialog *dialog, int response, VmsWindow *self) {
  int pid = response == GTK_RESPONSE_ACCEPT ? vms_picker_get_pid(VMS_PICKER(dialog)) : 0;
  self->picker = NULL;
  gtk_widget_destroy(GTK_WIDGET(dialog));
  if (pid > 0)
    vms_window_attach(self, pid);
}

void vms_window_show_picker(VmsWindow *self) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  if (self->picker) {
    gtk_window_present(GTK_WINDOW(self->picker));
    return;
  }
  self->picker = VMS_PICKER(vms_picker_new(GTK_WINDOW(self)));
  g_signal_connect(self->picker, "response", G_CALLBACK(on_picker_response), self);
  gtk_window_present(GTK_WINDOW(self->picker));
}

VmsPicker *vms_window_get_picker(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  return self->picker;
}

/* What the export thread needs, all its own: the snapshot is immutable and
 * referenced, the viewport a copy. */
typedef struct {
  VmsSnapshot *snap;
  VmsViewport vp;
  int width, height;
  char *path;
} ExportJob;

static void export_job_free(gpointer data) {
  ExportJob *job = data;
  vms_snapshot_unref(job->snap);
  g_free(job->path);
  g_free(job);
}

static void export_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel) {
  ExportJob *job = data;
  VmsError err = {0};
  if (vms_export(job->snap, &job->vp, job->width, job->height, VMS_EXPORT_PNG, job->path, &err) !=
      VMS_OK)
    g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", err.message);
  else
    g_task_return_boolean(task, TRUE);
}

static void set_exporting(VmsWindow *self, gboolean exporting) {
  self->exporting = exporting;
  GAction *a = g_action_map_lookup_action(G_ACTION_MAP(self), "export");
  g_simple_action_set_enabled(G_SIMPLE_ACTION(a), !exporting);
}

/* Back on the main thread: says how it went, then answers the caller. */
static void export_done(GObject *source, GAsyncResult *res, gpointer data) {
  VmsWindow *self = VMS_WINDOW(source);
  GTask *outer = data;
  ExportJob *job = g_task_get_task_data(G_TASK(res));
  GError *error = NULL;
  gboolean ok = g_task_propagate_boolean(G_TASK(res), &error);
  if (!self->disposed) {
    set_exporting(self, FALSE);
    if (ok) {
      char text[600];
      g_snprintf(text, sizeof text, "Saved the map (%d × %d) to %s", job->width, job->height,
                 job->path);
      gtk_label_set_text(self->status_label, text);
    } else {
      char text[700];
      g_snprintf(text, sizeof text, "Export failed: %s", error->message);
      show_banner(self, GTK_MESSAGE_ERROR, text);
    }
  }
  if (ok)
    g_task_return_boolean(outer, TRUE);
  else
    g_task_return_error(outer, error);
  g_object_unref(outer);
}

void vms_window_export_png(VmsWindow *self, const char *path, int width, int height,
                           GAsyncReadyCallback callback, gpointer user_data) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  g_return_if_fail(path != NULL);
  GTask *outer = g_task_new(self, NULL, callback, user_data);
  const char *why = !self->snap       ? "There is no map to export yet."
                    : self->exporting ? "An export is still being written."
                                      : NULL;
  if (why) {
    show_banner(self, GTK_MESSAGE_ERROR, why);
    g_task_return_new_error(outer, G_IO_ERROR, self->snap ? G_IO_ERROR_BUSY : G_IO_ERROR_FAILED,
                            "%s", why);
    g_object_unref(outer);
    return;
  }
  ExportJob *job = g_new0(ExportJob, 1);
  job->snap = vms_snapshot_ref(self->snap);
  job->vp = *vms_map_view_get_viewport(self->map);
  job->width = width;
  job->height = height;
  job->path = g_strdup(path);
  set_exporting(self, TRUE);
  gtk_label_set_text(self->status_label, "Exporting the map…");
  GTask *task = g_task_new(self, NULL, export_done, outer);
  g_task_set_task_data(task, job, export_job_free);
  g_task_run_in_thread(task, export_thread);
  g_object_unref(task);
}

gboolean vms_window_export_png_finish(VmsWindow *self, GAsyncResult *result, GError **error) {
  g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
  return g_task_propagate_boolean(G_TASK(result), error);
}

/* ---- saving what the window shows as a recording ---- */

/* The save thread's own: referenced snapshots (immutable) and the path. */
typedef struct {
  GPtrArray *snaps; /* VmsSnapshot, unreffed with the array */
  gboolean last_exited;
  char *path;
} SaveJob;

static void save_job_free(gpointer data) {
  SaveJob *job = data;
  g_ptr_array_unref(job->snaps);
  g_free(job->path);
  g_free(job);
}

static void save_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel) {
  SaveJob *job = data;
  VmsError err = {0};
  if (vms_recording_save(job->path, (VmsSnapshot *const *)job->snaps->pdata, job->snaps->len,
                         job->last_exited, &err) != VMS_OK)
    g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", err.message);
  else
    g_task_return_boolean(task, TRUE);
}

static void set_saving(VmsWindow *self, gboolean saving) {
  self->saving = saving;
  GAction *a = g_action_map_lookup_action(G_ACTION_MAP(self), "save");
  g_simple_action_set_enabled(G_SIMPLE_ACTION(a), !saving);
}

static void save_done(GObject *source, GAsyncResult *res, gpointer data) {
  VmsWindow *self = VMS_WINDOW(source);
  GTask *outer = data;
  SaveJob *job = g_task_get_task_data(G_TASK(res));
  GError *error = NULL;
  gboolean ok = g_task_propagate_boolean(G_TASK(res), &error);
  if (!self->disposed) {
    set_saving(self, FALSE);
    char text[700];
    if (ok) {
      if (job->snaps->len == 1)
        g_snprintf(text, sizeof text, "Saved the snapshot to %s", job->path);
      else
        g_snprintf(text, sizeof text, "Saved %u frames to %s", job->snaps->len, job->path);
      gtk_label_set_text(self->status_label, text);
    } else {
      g_snprintf(text, sizeof text, "Saving failed: %s", error->message);
      show_banner(self, GTK_MESSAGE_ERROR, text);
    }
  }
  if (ok)
    g_task_return_boolean(outer, TRUE);
  else
    g_task_return_error(outer, error);
  g_object_unref(outer);
}

void vms_window_save(VmsWindow *self, const char *path, GAsyncReadyCallback callback,
                     gpointer user_data) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  g_return_if_fail(path != NULL);
  GTask *outer = g_task_new(self, NULL, callback, user_data);
  const char *why = !self->snap    ? "There is no map to save yet."
                    : self->saving ? "A save is still being written."
                                   : NULL;
  if (why) {
    show_banner(self, GTK_MESSAGE_ERROR, why);
    g_task_return_new_error(outer, G_IO_ERROR, self->snap ? G_IO_ERROR_BUSY : G_IO_ERROR_FAILED,
                            "%s", why);
    g_object_unref(outer);
    return;
  }
  SaveJob *job = g_new0(SaveJob, 1);
  job->snaps = g_ptr_array_new_with_free_func((GDestroyNotify)vms_snapshot_unref);
  g_ptr_array_add(job->snaps, vms_snapshot_ref(self->snap));
  job->path = g_strdup(path);
  set_saving(self, TRUE);
  gtk_label_set_text(self->status_label, "Saving…");
  GTask *task = g_task_new(self, NULL, save_done, outer);
  g_task_set_task_data(task, job, save_job_free);
  g_task_run_in_thread(task, save_thread);
  g_object_unref(task);
}

gboolean vms_window_save_finish(VmsWindow *self, GAsyncResult *result, GError **error) {
  g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
  return g_task_propagate_boolean(G_TASK(result), error);
}

static void on_save_response(GtkNativeDialog *dialog, int response, VmsWindow *self) {
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autofree char *path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(dialog));
    if (path) {
      if (!g_str_has_suffix(path, ".vmsrec")) {
        char *with = g_strconcat(path, ".vmsrec", NULL);
        g_free(path);
        path = with;
      }
      vms_window_save(self, path, NULL, NULL);
    } else {
      show_banner(self, GTK_MESSAGE_ERROR,
                  "Saving needs a local file; the chosen place is not one.");
    }
  }
  self->save_dialog = NULL;
  g_object_unref(dialog);
}

static void add_recording_filter(GtkFileChooser *chooser) {
  GtkFileFilter *filter = gtk_file_filter_new();
  gtk_file_filter_set_name(filter, "vmscope recordings and snapshots");
  gtk_file_filter_add_pattern(filter, "*.vmsrec");
  gtk_file_chooser_add_filter(chooser, filter);
  filter = gtk_file_filter_new();
  gtk_file_filter_set_name(filter, "All files");
  gtk_file_filter_add_pattern(filter, "*");
  gtk_file_chooser_add_filter(chooser, filter);
}

static void save_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  VmsWindow *self = data;
  if (!self->snap) {
    show_banner(self, GTK_MESSAGE_ERROR, "There is no map to save yet: attach to a process first.");
    return;
  }
  if (self->save_dialog) {
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(self->save_dialog));
    return;
  }
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new(
      "Save Snapshot", GTK_WINDOW(self), GTK_FILE_CHOOSER_ACTION_SAVE, "_Save", "_Cancel");
  gtk_file_chooser_set_do_overwrite_confirmation(GTK_FILE_CHOOSER(dialog), TRUE);
  char name[320];
  g_snprintf(name, sizeof name, "%s-%d.vmsrec", self->name[0] ? self->name : "vmscope", self->pid);
  for (char *c = name; *c; c++)
    if (*c == '/' || *c == ' ')
      *c = '_';
  gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(dialog), name);
  add_recording_filter(GTK_FILE_CHOOSER(dialog));
  /* Owned by the window as the export's is: dispose destroys it. */
  self->save_dialog = dialog;
  g_signal_connect(dialog, "response", G_CALLBACK(on_save_response), self);
  gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

static const struct {
  const char *id, *label;
  int w, h;
} export_sizes[] = {
    {"1280x800", "1280 × 800", 1280, 800},
    {"1920x1200", "1920 × 1200", 1920, 1200},
    {"2560x1600", "2560 × 1600", 2560, 1600},
    {"3840x2400", "3840 × 2400", 3840, 2400},
};

static void on_export_response(GtkNativeDialog *dialog, int response, VmsWindow *self) {
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autofree char *path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(dialog));
    const char *size = gtk_file_chooser_get_choice(GTK_FILE_CHOOSER(dialog), "size");
    size_t i = 1;
    for (size_t k = 0; size && k < G_N_ELEMENTS(export_sizes); k++)
      if (strcmp(size, export_sizes[k].id) == 0)
        i = k;
    if (path) {
      if (!g_str_has_suffix(path, ".png") && !g_str_has_suffix(path, ".PNG")) {
        char *with = g_strconcat(path, ".png", NULL);
        g_free(path);
        path = with;
      }
      vms_window_export_png(self, path, export_sizes[i].w, export_sizes[i].h, NULL, NULL);
    } else {
      show_banner(self, GTK_MESSAGE_ERROR,
                  "Export needs a local file; the chosen place is not one.");
    }
  }
  self->export_dialog = NULL;
  g_object_unref(dialog);
}

static void export_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  VmsWindow *self = data;
  if (!self->snap) {
    show_banner(self, GTK_MESSAGE_ERROR,
                "There is no map to export yet: attach to a process first.");
    return;
  }
  if (self->export_dialog) {
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(self->export_dialog));
    return;
  }
  /* The native chooser: the desktop portal's on GNOME (and in sandboxes),
   * the system dialog on Windows, GTK's own elsewhere. */
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new(
      "Export Map as PNG", GTK_WINDOW(self), GTK_FILE_CHOOSER_ACTION_SAVE, "_Export", "_Cancel");
  gtk_file_chooser_set_do_overwrite_confirmation(GTK_FILE_CHOOSER(dialog), TRUE);
  char name[320];
  g_snprintf(name, sizeof name, "%s-%d.png", self->name[0] ? self->name : "vmscope", self->pid);
  for (char *c = name; *c; c++)
    if (*c == '/' || *c == ' ')
      *c = '_';
  gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(dialog), name);
  GtkFileFilter *filter = gtk_file_filter_new();
  gtk_file_filter_set_name(filter, "PNG images");
  gtk_file_filter_add_mime_type(filter, "image/png");
  gtk_file_filter_add_pattern(filter, "*.png");
  gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(dialog), filter);
  const char *ids[G_N_ELEMENTS(export_sizes) + 1], *labels[G_N_ELEMENTS(export_sizes) + 1];
  for (size_t i = 0; i < G_N_ELEMENTS(export_sizes); i++) {
    ids[i] = export_sizes[i].id;
    labels[i] = export_sizes[i].label;
  }
  ids[G_N_ELEMENTS(export_sizes)] = labels[G_N_ELEMENTS(export_sizes)] = NULL;
  gtk_file_chooser_add_choice(GTK_FILE_CHOOSER(dialog), "size", "Image size", ids, labels);
  gtk_file_chooser_set_choice(GTK_FILE_CHOOSER(dialog), "size", export_sizes[1].id);
  /* The window owns the dialog: dispose destroys it, so no answer reaches a closed window. */
  self->export_dialog = dialog;
  g_signal_connect(dialog, "response", G_CALLBACK(on_export_response), self);
  gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

static void on_open_response(GtkNativeDialog *dialog, int response, VmsWindow *self) {
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autofree char *path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(dialog));
    if (path)
      vms_window_open_recording(self, path, NULL);
    else
      show_banner(self, GTK_MESSAGE_ERROR, "Opening needs a local file; the chosen one is not.");
  }
  self->open_dialog = NULL;
  g_object_unref(dialog);
}

static void open_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  VmsWindow *self = data;
  if (self->open_dialog) {
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(self->open_dialog));
    return;
  }
  GtkFileChooserNative *dialog =
      gtk_file_chooser_native_new("Open Snapshot or Recording", GTK_WINDOW(self),
                                  GTK_FILE_CHOOSER_ACTION_OPEN, "_Open", "_Cancel");
  add_recording_filter(GTK_FILE_CHOOSER(dialog));
  self->open_dialog = dialog;
  g_signal_connect(dialog, "response", G_CALLBACK(on_open_response), self);
  gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

static void pick_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  vms_window_show_picker(data);
}
static void refresh_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  vms_window_refresh(data, FALSE);
}
static void counters_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  vms_window_refresh(data, TRUE);
}
static void pause_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  VmsWindow *self = data;
  vms_window_set_paused(self, !self->paused);
}
static void zoom_in_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  vms_map_view_zoom_at(VMS_WINDOW(data)->map, -1, -1, 1.5);
}
static void zoom_out_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  vms_map_view_zoom_at(VMS_WINDOW(data)->map, -1, -1, 1 / 1.5);
}
static void zoom_fit_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  vms_map_view_zoom_fit(VMS_WINDOW(data)->map);
}
static void filter_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  vms_region_table_focus_filter(VMS_WINDOW(data)->table);
}

static const GActionEntry win_actions[] = {
    {"pick", pick_activated, NULL, NULL, NULL, {0}},
    {"export", export_activated, NULL, NULL, NULL, {0}},
    {"save", save_activated, NULL, NULL, NULL, {0}},
    {"open", open_activated, NULL, NULL, NULL, {0}},
    {"refresh", refresh_activated, NULL, NULL, NULL, {0}},
    {"read-counters", counters_activated, NULL, NULL, NULL, {0}},
    {"pause", pause_activated, NULL, "false", NULL, {0}},
    {"zoom-in", zoom_in_activated, NULL, NULL, NULL, {0}},
    {"zoom-out", zoom_out_activated, NULL, NULL, NULL, {0}},
    {"zoom-fit", zoom_fit_activated, NULL, NULL, NULL, {0}},
    {"filter", filter_activated, NULL, NULL, NULL, {0}},
    {"residency", residency_activated, NULL, "false", NULL, {0}},
};

static void on_map_selection(VmsMapView *map, VmsWindow *self) {
  if (self->syncing)
    return;
  self->syncing = TRUE;
  vms_region_table_select(self->table, vms_map_view_get_selected(map), FALSE);
  self->syncing = FALSE;
}

static void on_table_selection(VmsRegionTable *table, VmsWindow *self) {
  if (self->syncing)
    return;
  size_t idx = vms_region_table_get_selected(table);
  if (idx == SIZE_MAX)
    return;
  self->syncing = TRUE;
  vms_map_view_select(self->map, idx, FALSE);
  self->syncing = FALSE;
}

/* A barrier picked in the summary: select it everywhere and zoom to it. */
static void on_summary_region(VmsSummary *summary, guint64 start, guint64 end, guint64 idx,
                              VmsWindow *self) {
  if (!self->snap || idx >= self->snap->n_regions)
    return;
  vms_map_view_select(self->map, (size_t)idx, TRUE);
  const VmsRegion *r = &self->snap->regions[idx];
  if (r->start == start && r->end >= end) {
    vms_map_view_zoom_to_region(self->map, (size_t)idx);
    return;
  }
  /* A wall of several regions or a group: its whole span, with a margin. */
  VmsViewport vp = *vms_map_view_get_viewport(self->map);
  uint64_t margin = (end - start) / 16;
  vp.start = start > self->snap->usable_lo + margin ? start - margin : self->snap->usable_lo;
  vp.end = end + margin < self->snap->usable_hi && end + margin > end ? end + margin
                                                                      : self->snap->usable_hi;
  vms_map_view_set_viewport(self->map, &vp);
}

static void on_map_viewport(VmsMapView *map, VmsWindow *self) {
  update_view_label(self);
  const VmsViewport *vp = vms_map_view_get_viewport(map);
  vms_summary_set_viewed_range(self->summary, vp->start, vp->end);
  update_page_range(self);
}

static void on_counters_wanted(VmsRegionTable *table, VmsWindow *self) {
  vms_window_refresh(self, TRUE);
}

static void on_layout_toggled(GtkToggleButton *button, VmsWindow *self) {
  if (!self->syncing)
    self->layout_chosen = TRUE;
  vms_map_view_set_layout_kind(self->map, gtk_toggle_button_get_active(self->compressed_button)
                                              ? VMS_LAYOUT_COMPRESSED
                                              : VMS_LAYOUT_LINEAR);
}

/* Space pauses, except where it types or toggles something. */
static gboolean on_key_press(GtkWidget *w, GdkEventKey *ev, gpointer data) {
  VmsWindow *self = VMS_WINDOW(w);
  if (ev->keyval != GDK_KEY_space || (ev->state & gtk_accelerator_get_default_mod_mask()) != 0)
    return FALSE;
  GtkWidget *focus = gtk_window_get_focus(GTK_WINDOW(w));
  if (focus && (GTK_IS_EDITABLE(focus) || GTK_IS_BUTTON(focus) || GTK_IS_TREE_VIEW(focus) ||
                GTK_IS_COMBO_BOX(focus)))
    return FALSE;
  vms_window_set_paused(self, !self->paused);
  return TRUE;
}

static gboolean tick(gpointer data) {
  VmsWindow *self = data;
  vms_region_table_tick(self->table);
  return G_SOURCE_CONTINUE;
}

static void on_realize(GtkWidget *w, gpointer data) {
  VmsWindow *self = VMS_WINDOW(w);
  GdkFrameClock *clock = gtk_widget_get_frame_clock(w);
  if (clock)
    self->after_paint_id = g_signal_connect(clock, "after-paint", G_CALLBACK(on_after_paint), self);
}

static void on_unrealize(GtkWidget *w, gpointer data) {
  VmsWindow *self = VMS_WINDOW(w);
  GdkFrameClock *clock = gtk_widget_get_frame_clock(w);
  if (clock && self->after_paint_id)
    g_signal_handler_disconnect(clock, self->after_paint_id);
  self->after_paint_id = 0;
}

static void vms_window_dispose(GObject *obj) {
  VmsWindow *self = VMS_WINDOW(obj);
  self->disposed = TRUE;
  vms_window_detach(self);
  if (self->export_dialog) {
    GtkFileChooserNative *dialog = self->export_dialog;
    self->export_dialog = NULL;
    g_signal_handlers_disconnect_by_data(dialog, self);
    gtk_native_dialog_destroy(GTK_NATIVE_DIALOG(dialog));
    g_object_unref(dialog);
  }
  GtkFileChooserNative **dialogs[] = {&self->save_dialog, &self->open_dialog};
  for (size_t i = 0; i < G_N_ELEMENTS(dialogs); i++) {
    GtkFileChooserNative *dialog = *dialogs[i];
    if (!dialog)
      continue;
    *dialogs[i] = NULL;
    g_signal_handlers_disconnect_by_data(dialog, self);
    gtk_native_dialog_destroy(GTK_NATIVE_DIALOG(dialog));
    g_object_unref(dialog);
  }
  if (self->tick_id) {
    g_source_remove(self->tick_id);
    self->tick_id = 0;
  }
  g_clear_pointer(&self->snap, vms_snapshot_unref);
  g_clear_pointer(&self->counters_snap, vms_snapshot_unref);
  g_clear_pointer(&self->residency_snap, vms_snapshot_unref);
  close_recording(self);
  self->timeline = NULL; /* a child: destroyed with the others below */
  G_OBJECT_CLASS(vms_window_parent_class)->dispose(obj);
}

static void vms_window_class_init(VmsWindowClass *klass) {
  GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
  G_OBJECT_CLASS(klass)->dispose = vms_window_dispose;
  g_type_ensure(VMS_TYPE_MAP_VIEW);
  g_type_ensure(VMS_TYPE_REGION_TABLE);
  g_type_ensure(VMS_TYPE_SUMMARY);
  gtk_widget_class_set_template_from_resource(wc, "/io/github/vmscope/Vmscope/vms-window.ui");
  gtk_widget_class_bind_template_child(wc, VmsWindow, header);
  gtk_widget_class_bind_template_child(wc, VmsWindow, pause_button);
  gtk_widget_class_bind_template_child(wc, VmsWindow, pause_image);
  gtk_widget_class_bind_template_child(wc, VmsWindow, interval_combo);
  gtk_widget_class_bind_template_child(wc, VmsWindow, interval_entry);
  gtk_widget_class_bind_template_child(wc, VmsWindow, banner);
  gtk_widget_class_bind_template_child(wc, VmsWindow, banner_label);
  gtk_widget_class_bind_template_child(wc, VmsWindow, linear_button);
  gtk_widget_class_bind_template_child(wc, VmsWindow, compressed_button);
  gtk_widget_class_bind_template_child(wc, VmsWindow, view_label);
  gtk_widget_class_bind_template_child(wc, VmsWindow, status_label);
  gtk_widget_class_bind_template_child(wc, VmsWindow, legend_box);
  gtk_widget_class_bind_template_child(wc, VmsWindow, map);
  gtk_widget_class_bind_template_child(wc, VmsWindow, table);
  gtk_widget_class_bind_template_child(wc, VmsWindow, summary);
  gtk_widget_class_bind_template_callback(wc, on_banner_response);
  gtk_widget_class_bind_template_callback(wc, on_interval_changed);
  gtk_widget_class_bind_template_callback(wc, on_interval_activate);
  gtk_widget_class_bind_template_callback(wc, on_interval_focus_out);
  gtk_widget_class_bind_template_callback(wc, on_interval_edited);
  gtk_widget_class_bind_template_callback(wc, on_layout_toggled);
  gtk_widget_class_bind_template_callback(wc, on_map_selection);
  gtk_widget_class_bind_template_callback(wc, on_map_viewport);
  gtk_widget_class_bind_template_callback(wc, on_table_selection);
  gtk_widget_class_bind_template_callback(wc, on_counters_wanted);
}

static void vms_window_init(VmsWindow *self) {
  self->interval = 1.0;
  self->frame_latency = -1;
  gtk_widget_init_template(GTK_WIDGET(self));
  g_action_map_add_action_entries(G_ACTION_MAP(self), win_actions, G_N_ELEMENTS(win_actions), self);
  GtkWidget *legend = vms_legend_new();
  gtk_widget_show_all(legend);
  gtk_box_pack_start(self->legend_box, legend, TRUE, TRUE, 0);
  self->legend = legend;
  g_signal_connect(self->summary, "region-activated", G_CALLBACK(on_summary_region), self);
  g_signal_connect(self, "key-press-event", G_CALLBACK(on_key_press), NULL);
  g_signal_connect(self, "realize", G_CALLBACK(on_realize), NULL);
  g_signal_connect(self, "unrealize", G_CALLBACK(on_unrealize), NULL);
  self->tick_id = g_timeout_add_seconds(1, tick, self);
  /* The timeline strip, under the header bar, shown for a recording. */
  self->timeline = VMS_TIMELINE(vms_timeline_new());
  gtk_widget_set_no_show_all(GTK_WIDGET(self->timeline), TRUE);
  GtkWidget *box = gtk_widget_get_parent(GTK_WIDGET(self->banner));
  gtk_box_pack_start(GTK_BOX(box), GTK_WIDGET(self->timeline), FALSE, FALSE, 0);
  gtk_box_reorder_child(GTK_BOX(box), GTK_WIDGET(self->timeline), 0);
  g_signal_connect(self->timeline, "cursor-changed", G_CALLBACK(on_timeline_cursor), self);
  g_signal_connect(self->timeline, "mark-changed", G_CALLBACK(on_timeline_mark), self);
  gtk_widget_grab_focus(GTK_WIDGET(self->map));
  update_title(self);
}

VmsWindow *vms_window_new(GtkApplication *app) {
  return g_object_new(VMS_TYPE_WINDOW, "application", app, NULL);
}

VmsMapView *vms_window_get_map(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  return self->map;
}
VmsRegionTable *vms_window_get_table(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  return self->table;
}
VmsSummary *vms_window_get_summary(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  return self->summary;
}
VmsSnapshot *vms_window_get_snapshot(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  return self->snap;
}
VmsSnapshot *vms_window_get_counters_snapshot(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  return self->counters_snap;
}
guint vms_window_get_n_snapshots(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), 0);
  return self->n_snapshots;
}
double vms_window_get_frame_latency(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), 0);
  return self->frame_latency;
}
double vms_window_get_update_seconds(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), 0);
  return self->update_seconds;
}

const char *vms_window_get_banner(VmsWindow *self, GtkMessageType *type) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  if (!gtk_widget_get_visible(GTK_WIDGET(self->banner)))
    return NULL;
  if (type)
    *type = gtk_info_bar_get_message_type(self->banner);
  return gtk_label_get_text(self->banner_label);
}
