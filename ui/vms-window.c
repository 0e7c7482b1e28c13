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
#include "vms-history.h"
#include "vms-recording.h"
#include "vms-remote.h"
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
  /* Until this monotonic time (µs) the status line keeps a message the
   * user must get to read (a file written); samples arriving meanwhile
   * leave it, anything the user does replaces it. */
  gint64 status_held_until;
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
  GtkFileChooserNative *save_dialog;
  gboolean disposed;
  /* A live view's history; while it shows a past moment (in_past) the
   * newest sample waits in live_snap. */
  VmsHistory *history;
  gboolean in_past;
  VmsSnapshot *live_snap;
  GtkSpinner *open_spinner; /* while a recording is read */
  gboolean opening;
  guint open_serial; /* the newest open or attach: older answers are dropped */
  char where[96];    /* the process's namespace PID and container, "" for none */
  VmsSampler *sampler;
  struct SamplerLink *link; /* the running sampler's */
  /* A live stream (standard input, or vmscope run over ssh) in the
   * sampler's place: its reader, while it runs; where it comes from
   * ("" for none: a process or a file), kept once it has ended. */
  struct StreamJob *stream;
  char source[300];
  gboolean remote;
  int remote_pid;      /* the process read over ssh */
  guint stream_frames; /* frames received from the stream */
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

static void take_live_snapshot(VmsWindow *self, VmsSnapshot *snap, unsigned flags);
static void history_append(VmsWindow *self, const VmsSnapshot *snap, unsigned flags);
static void history_note_error(VmsWindow *self, const VmsError *err);
static void history_reset(VmsWindow *self);
static VmsRecording *frames_of(VmsWindow *self);
static gboolean show_history_frame(VmsWindow *self, size_t k);
static gboolean history_status(VmsWindow *self);
static gboolean history_text(VmsWindow *self, char *out, size_t size);
static void set_opening(VmsWindow *self, gboolean opening);
static void read_proc_info(VmsWindow *self, int pid);
static void set_action_enabled(VmsWindow *self, const char *action, gboolean enabled);
static void stream_forget(VmsWindow *self);
static void stream_stop(VmsWindow *self);

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
  char sub[800];
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
  char from[320] = "";
  if (self->source[0])
    g_snprintf(from, sizeof from, "%s %s", self->remote ? "on" : "from", self->source);
  if (self->pid <= 0) {
    gtk_header_bar_set_title(self->header, "vmscope");
    g_autofree char *wait = from[0] ? g_strdup_printf("Waiting for the stream %s", from) : NULL;
    gtk_header_bar_set_subtitle(self->header, wait ? wait : "No process");
    g_autofree char *title = from[0] ? g_strdup_printf("stream %s — vmscope", from) : NULL;
    gtk_window_set_title(GTK_WINDOW(self), title ? title : "vmscope");
    return;
  }
  const VmsSnapshot *s = self->snap;
  const char *state = self->source[0] ? (self->ended ? " — the stream has ended" : "")
                      : self->ended   ? " — detached"
                      : self->paused  ? " — paused"
                                      : "";
  char ht[200], past[220] = "";
  if (history_text(self, ht, sizeof ht))
    g_snprintf(past, sizeof past, " — %s", ht);
  char where[440] = "";
  if (self->where[0] || from[0])
    g_snprintf(where, sizeof where, "%s%s%s%s", self->where[0] ? " · " : "", self->where,
               from[0] ? " · " : "", from);
  if (s)
    g_snprintf(sub, sizeof sub, "PID %d%s · %d-bit%s%s", self->pid, where, s->bits, state, past);
  else
    g_snprintf(sub, sizeof sub, "PID %d%s%s", self->pid, where, state);
  gtk_header_bar_set_title(self->header, self->name[0] ? self->name : "vmscope");
  gtk_header_bar_set_subtitle(self->header, sub);
  char title[900];
  g_snprintf(title, sizeof title, "%s (%d%s) — vmscope", self->name[0] ? self->name : "?",
             self->pid, where);
  gtk_window_set_title(GTK_WINDOW(self), title);
}

static void update_status(VmsWindow *self) {
  const VmsSnapshot *s = self->snap;
  self->status_held_until = 0;
  if (history_status(self))
    return;
  if (self->rec && s) {
    char rt[600], text[800];
    recording_text(self, rt, sizeof rt);
    rt[0] = g_ascii_toupper(rt[0]);
    g_snprintf(text, sizeof text, "%s · %zu regions · PID %d · no live sampling", rt, s->n_regions,
               s->pid);
    gtk_label_set_text(self->status_label, text);
    return;
  }
  if (self->source[0]) {
    char text[700];
    if (!s && self->remote && !self->ended) {
      g_snprintf(text, sizeof text, "Connecting to %s over ssh and starting vmscope %d there…",
                 self->source, self->remote_pid);
    } else if (!s) {
      g_snprintf(text, sizeof text, "%s", self->ended ? "" : "Waiting for the first frame…");
    } else {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local((gint64)s->taken_at);
      g_autofree char *hms = dt ? g_date_time_format(dt, "%H:%M:%S") : g_strdup("?");
      g_snprintf(text, sizeof text, "Frame %u %s %s, sampled at %s · %zu regions · %s",
                 self->stream_frames, self->remote ? "on" : "from", self->source, hms, s->n_regions,
                 self->ended ? "the stream has ended" : "live stream");
    }
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

/* The status after a sample: a held message stays until its time is up. */
static void update_status_sampled(VmsWindow *self) {
  if (self->status_held_until && g_get_monotonic_time() < self->status_held_until)
    return;
  update_status(self);
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
    update_status_sampled(self);
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
      take_live_snapshot(self, d->snap, 0);
      d->snap = NULL;
    } else if (d->has_err) {
      take_error(self, &d->err);
      history_note_error(self, &d->err);
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
  self->where[0] = '\0';
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
  history_reset(self);
}

void vms_window_detach(VmsWindow *self) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  self->generation++;
  stream_stop(self);
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
  stream_forget(self);
  close_recording(self);
  vms_summary_set_comparison(self->summary, NULL, NULL, 0, 0);
  hide_banner(self);
  self->pid = pid;
  clear_view(self);
  if (self->opening) {
    self->open_serial++; /* the recording being read is no longer wanted */
    set_opening(self, FALSE);
  }

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
  read_proc_info(self, pid);
  if (self->paused)
    vms_sampler_set_paused(sampler, TRUE);
  update_page_range(self);
  update_title(self);
  update_status(self);
  return TRUE;
}

/* The table lists the same difference as the map marks, row by row. */
static void compare_in_table(VmsWindow *self, VmsSnapshot *older, VmsSnapshot *newer) {
  vms_region_table_set_comparison(self->table, older == newer ? NULL : older,
                                  older == newer ? NULL : newer);
}

/* With a marked moment, the map marks what changed from the earlier of the
 * two to the later one (the existing change marks, held, not faded). */
static void mark_changes(VmsWindow *self) {
  size_t m = self->timeline ? vms_timeline_get_mark(self->timeline) : SIZE_MAX;
  VmsRecording *frames = frames_of(self);
  if (!frames || !self->snap || m == SIZE_MAX || m >= vms_recording_count(frames)) {
    g_clear_pointer(&self->mark_snap, vms_snapshot_unref);
    if (vms_map_view_get_n_changes(self->map))
      vms_map_view_set_changes(self->map, NULL, 0);
    vms_region_table_set_comparison(self->table, NULL, NULL);
    vms_summary_set_comparison(self->summary, NULL, NULL, 0, 0);
    return;
  }
  if (!self->mark_snap || self->mark_frame != m) {
    g_clear_pointer(&self->mark_snap, vms_snapshot_unref);
    VmsError err = {0};
    if (vms_recording_frame(frames, m, &self->mark_snap, &err) != VMS_OK) {
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
  compare_in_table(self, (VmsSnapshot *)older, (VmsSnapshot *)newer);
  /* And the summary how the barriers changed, as --diff says it. */
  vms_summary_set_comparison(self->summary, (VmsSnapshot *)older, (VmsSnapshot *)newer,
                             MIN(m, self->frame), MAX(m, self->frame));
}

static void on_timeline_cursor(VmsTimeline *tl, VmsWindow *self) {
  vms_window_show_frame(self, vms_timeline_get_cursor(tl));
}

static void on_timeline_mark(VmsTimeline *tl, VmsWindow *self) {
  mark_changes(self);
}

gboolean vms_window_show_frame(VmsWindow *self, size_t k) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), FALSE);
  VmsRecording *frames = frames_of(self);
  if (!frames || k >= vms_recording_count(frames))
    return FALSE;
  if (!self->rec)
    return show_history_frame(self, k);
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

/* ---- where the attached process lives: its namespace PID and container ---- */

/* Read on a worker (the main thread reads no /proc), once per attach; the
 * answer for an older attach is dropped. */
typedef struct {
  int pid;
  guint generation;
  VmsProcInfo info;
  gboolean ok;
} ProcInfoJob;

static void proc_info_job_free(gpointer p) {
  ProcInfoJob *job = p;
  free(job->info.cmdline);
  g_free(job);
}

static void proc_info_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel) {
  ProcInfoJob *job = data;
  VmsError err = {0};
  job->ok = vms_process_info(job->pid, 0, &job->info, &err) == VMS_OK;
  g_task_return_boolean(task, TRUE);
}

static void proc_info_done(GObject *source, GAsyncResult *res, gpointer data) {
  VmsWindow *self = VMS_WINDOW(source);
  ProcInfoJob *job = g_task_get_task_data(G_TASK(res));
  if (self->disposed || job->generation != self->generation || !job->ok || self->rec)
    return;
  vms_ui_container_text(job->info.ns_pid, job->info.container, self->where, sizeof self->where);
  update_title(self);
}

static void read_proc_info(VmsWindow *self, int pid) {
  self->where[0] = '\0';
  ProcInfoJob *job = g_new0(ProcInfoJob, 1);
  job->pid = pid;
  job->generation = self->generation;
  GTask *task = g_task_new(self, NULL, proc_info_done, NULL);
  g_task_set_task_data(task, job, proc_info_job_free);
  g_task_run_in_thread(task, proc_info_thread);
  g_object_unref(task);
}

const char *vms_window_get_container_text(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  return self->where;
}

/* ---- a live view's history ---- */

/* A live view keeps what it saw (vms-history.c: the recording encoding, in
 * memory, bounded) and shows it on the same timeline strip as a recording.
 * The cursor on the last frame follows the process; anywhere else the view
 * holds that moment while new samples go on into the history, and the last
 * frame (or End) brings it back to live. */

static void history_reset(VmsWindow *self) {
  g_clear_pointer(&self->history, vms_history_free);
  g_clear_pointer(&self->live_snap, vms_snapshot_unref);
  self->in_past = FALSE;
  if (!self->rec && self->timeline) {
    vms_timeline_set_recording(self->timeline, NULL);
    gtk_widget_set_tooltip_text(GTK_WIDGET(self->timeline), NULL);
    gtk_widget_hide(GTK_WIDGET(self->timeline));
  }
}

/* The recording whose frames the timeline shows: an opened one, else the history. */
static VmsRecording *frames_of(VmsWindow *self) {
  return self->rec ? self->rec : vms_history_recording(self->history);
}

static void history_tooltip(VmsWindow *self) {
  char held[32], bytes[32], max[32], text[600];
  vms_size_format(vms_history_held(self->history), held, sizeof held);
  vms_size_format(vms_history_bytes(self->history), bytes, sizeof bytes);
  vms_size_format(vms_history_max_bytes(self->history), max, sizeof max);
  g_snprintf(text, sizeof text,
             "What this view has seen: %zu frames, %s encoded (%s held).\n"
             "It keeps at most %zu frames and %s in all; past either, the oldest go "
             "(%" G_GUINT64_FORMAT " so far).\n"
             "Click or drag to go back; shift-click marks a second moment; End or the last "
             "frame returns to live. Ctrl+S saves it as a recording.",
             vms_history_count(self->history), bytes, held, vms_history_max_frames(self->history),
             max, vms_history_dropped(self->history));
  gtk_widget_set_tooltip_text(GTK_WIDGET(self->timeline), text);
}

/* The strip after frames came or went: the cursor and mark stay on their moments. */
static void history_sync(VmsWindow *self, size_t dropped) {
  VmsRecording *rec = vms_history_recording(self->history);
  if (!rec)
    return;
  vms_timeline_update(self->timeline, rec, dropped);
  if (!gtk_widget_get_visible(GTK_WIDGET(self->timeline)))
    gtk_widget_show(GTK_WIDGET(self->timeline));
  vms_timeline_set_max_map_count(self->timeline, self->snap ? self->snap->stats.max_map_count : 0);
  size_t n = vms_recording_count(rec);
  if (!self->in_past)
    self->frame = n - 1;
  else
    self->frame = self->frame >= dropped ? self->frame - dropped : 0;
  if (self->mark_snap && dropped)
    self->mark_frame = self->mark_frame >= dropped ? self->mark_frame - dropped : SIZE_MAX;
  history_tooltip(self);
}

static void history_append(VmsWindow *self, const VmsSnapshot *snap, unsigned flags) {
  VmsError err = {0};
  if (!self->history && vms_history_new(VMS_HISTORY_MAX_BYTES, VMS_HISTORY_MAX_FRAMES,
                                        &self->history, &err) != VMS_OK)
    return;
  if (vms_history_ended(self->history))
    return;
  size_t dropped = 0;
  if (vms_history_append(self->history, snap, flags, &dropped, &err) != VMS_OK) {
    char text[400];
    g_snprintf(text, sizeof text, "This view stopped keeping its history: %s", err.message);
    show_banner(self, GTK_MESSAGE_WARNING, text);
    vms_history_free(self->history);
    self->history = NULL;
    history_reset(self);
    return;
  }
  history_sync(self, dropped);
}

/* A sample from the sampler: into the history, and on show unless the view
 * holds a moment of the past. */
static void take_live_snapshot(VmsWindow *self, VmsSnapshot *snap, unsigned flags) {
  history_append(self, snap, flags);
  if (self->in_past) {
    vms_ui_snapshot_set(&self->live_snap, snap);
    if (snap->counters) {
      /* Asked-for counters answer now, on whatever frame is shown. */
      vms_ui_snapshot_set(&self->counters_snap, snap);
      self->counters_pending = FALSE;
      vms_region_table_set_counters_snapshot(self->table, snap);
      vms_map_view_set_counters_snapshot(self->map, snap);
    }
    vms_snapshot_unref(snap);
    self->n_snapshots++;
    update_status_sampled(self);
    return;
  }
  /* A sample leaves a held message on the status line. */
  gint64 held = self->status_held_until;
  g_autofree char *kept = held && g_get_monotonic_time() < held
                              ? g_strdup(gtk_label_get_text(self->status_label))
                              : NULL;
  take_snapshot(self, snap);
  if (kept) {
    gtk_label_set_text(self->status_label, kept);
    self->status_held_until = held;
  }
  if (self->mark_snap || vms_timeline_get_mark(self->timeline) != SIZE_MAX)
    mark_changes(self);
}

/* The process is gone: the history's last frame says so. */
static void history_note_error(VmsWindow *self, const VmsError *err) {
  if (!self->history || !vms_history_count(self->history) || vms_history_ended(self->history) ||
      (err->code != VMS_ERR_GONE && err->code != VMS_ERR_REUSED))
    return;
  size_t dropped = 0;
  VmsError e = {0};
  if (vms_history_append_exit(self->history, vms_time_now(), &dropped, &e) == VMS_OK)
    history_sync(self, dropped);
}

/* Shows frame k of the history: the last one is the live view again. */
static gboolean show_history_frame(VmsWindow *self, size_t k) {
  VmsRecording *rec = vms_history_recording(self->history);
  guint n_snapshots = self->n_snapshots; /* counts samples, not frames looked at */
  if (k + 1 == vms_recording_count(rec)) {
    if (self->in_past) {
      self->in_past = FALSE;
      VmsSnapshot *live = self->live_snap;
      self->live_snap = NULL;
      if (live)
        take_snapshot(self, live);
    }
  } else {
    if (self->snap && self->in_past && k == self->frame)
      return TRUE;
    VmsSnapshot *snap = NULL;
    VmsError err = {0};
    if (vms_recording_frame(rec, k, &snap, &err) != VMS_OK) {
      char text[700];
      g_snprintf(text, sizeof text, "Frame %zu of this view's history cannot be rebuilt: %s", k + 1,
                 err.message);
      show_banner(self, GTK_MESSAGE_ERROR, text);
      return FALSE;
    }
    if (!self->in_past) {
      vms_ui_snapshot_set(&self->live_snap, self->snap);
      self->in_past = TRUE;
    }
    take_snapshot(self, snap);
  }
  self->n_snapshots = n_snapshots;
  self->frame = k;
  vms_timeline_set_cursor(self->timeline, k, FALSE);
  mark_changes(self);
  update_title(self);
  update_status(self);
  return TRUE;
}

/* "history: frame N of M, TIME" while the live view shows a past moment. */
static gboolean history_text(VmsWindow *self, char *out, size_t size) {
  VmsRecording *rec = self->in_past ? vms_history_recording(self->history) : NULL;
  const VmsFrameInfo *fi = rec ? vms_recording_info(rec, self->frame) : NULL;
  if (!fi)
    return FALSE;
  char when[64];
  frame_time_text(fi->time, when, sizeof when);
  g_snprintf(out, size, "history: frame %zu of %zu, %s", self->frame + 1, vms_recording_count(rec),
             when);
  return TRUE;
}

static gboolean history_status(VmsWindow *self) {
  char ht[200], text[400];
  if (!history_text(self, ht, sizeof ht))
    return FALSE;
  ht[0] = g_ascii_toupper(ht[0]);
  g_snprintf(text, sizeof text,
             "%s · %zu regions · still sampling: End or the last frame returns to live", ht,
             self->snap ? self->snap->n_regions : 0);
  gtk_label_set_text(self->status_label, text);
  return TRUE;
}

VmsHistory *vms_window_get_history(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  return self->history;
}

gboolean vms_window_is_live(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), FALSE);
  return !self->rec && !self->in_past;
}

/* ---- a live stream: frames read as they arrive, in the sampler's place ---- */

/* `vmscope -` and ssh:// show a recording stream as it is written: a
 * thread of the stream's own blocks on the pipe and decodes each frame
 * there (the main thread never waits for the pipe), queues it and wakes
 * the main loop, which takes every frame queued into the history and shows
 * the newest, as a sample of a live view is shown. The queue holds at most
 * STREAM_QUEUE frames: a stream faster than the window waits on its pipe.
 * The job is shared by the window and its thread (reference-counted);
 * `stop` tells the thread the window went on to something else, after which
 * nothing it read is shown. */
#define STREAM_QUEUE 32

typedef enum { STREAM_END_MARK, STREAM_END_CUT, STREAM_END_FAILED } StreamEndKind;

typedef struct {
  StreamEndKind kind;
  gboolean opened; /* FALSE: ssh or the far side failed before a frame could come */
  guint frames;
  guint64 at;      /* the byte where the end mark, the cut or the damage begins */
  gboolean exited; /* the last frame said the process had exited */
  VmsError err;    /* STREAM_END_FAILED: why */
} StreamEnd;

typedef struct {
  VmsSnapshot *snap;
  unsigned flags;
} StreamFrame;

typedef struct StreamJob {
  gint refs;
  gint stop;
  GWeakRef win;
  guint generation;
  FILE *f;
  gboolean close_f;
  gboolean remote; /* f comes from `vmscope PID --record -` run over ssh */
  VmsRemoteTarget target;
  double interval;
  GMutex lock;
  GCond drained;
  GQueue frames; /* StreamFrame, under lock */
  gboolean idle_queued, ended;
  StreamEnd end;
} StreamJob;

static StreamJob *stream_job_ref(StreamJob *job) {
  g_atomic_int_inc(&job->refs);
  return job;
}

static void stream_job_unref(StreamJob *job) {
  if (!g_atomic_int_dec_and_test(&job->refs))
    return;
  StreamFrame *fr;
  while ((fr = g_queue_pop_head(&job->frames))) {
    vms_snapshot_unref(fr->snap);
    g_free(fr);
  }
  g_weak_ref_clear(&job->win);
  g_mutex_clear(&job->lock);
  g_cond_clear(&job->drained);
  g_free(job);
}

static void stream_take_end(VmsWindow *self, const StreamEnd *end);

/* On the main thread: every queued frame into the history, the newest on show. */
static gboolean stream_idle(gpointer data) {
  StreamJob *job = data;
  VmsWindow *self = g_weak_ref_get(&job->win);
  GQueue frames = G_QUEUE_INIT;
  g_mutex_lock(&job->lock);
  frames = job->frames;
  g_queue_init(&job->frames);
  job->idle_queued = FALSE;
  gboolean ended = job->ended;
  StreamEnd end = job->end;
  job->ended = FALSE; /* said once */
  g_cond_broadcast(&job->drained);
  g_mutex_unlock(&job->lock);
  gboolean ours = self && self->stream == job && !g_atomic_int_get(&job->stop);
  StreamFrame *fr;
  while ((fr = g_queue_pop_head(&frames))) {
    if (ours) {
      self->stream_frames++;
      self->pid = fr->snap->pid;
      if (g_queue_is_empty(&frames)) {
        take_live_snapshot(self, fr->snap, fr->flags);
        fr->snap = NULL;
      } else {
        history_append(self, fr->snap, fr->flags);
        self->n_snapshots++;
      }
    }
    g_clear_pointer(&fr->snap, vms_snapshot_unref);
    g_free(fr);
  }
  if (ours && ended)
    stream_take_end(self, &end);
  if (self)
    g_object_unref(self);
  stream_job_unref(job);
  return G_SOURCE_REMOVE;
}

/* On the stream's thread, with the lock held. */
static void stream_wake(StreamJob *job) {
  if (job->idle_queued)
    return;
  job->idle_queued = TRUE;
  g_idle_add_full(G_PRIORITY_DEFAULT, stream_idle, stream_job_ref(job), NULL);
}

static gpointer stream_thread(gpointer data) {
  StreamJob *job = data;
  StreamEnd end = {0};
  VmsRecordingStream *rs = NULL;
  VmsRemote *remote = NULL;
  VmsErrorCode code = VMS_OK;
  if (job->remote) {
    code = vms_remote_open(&job->target, job->interval, 0, 0, &remote, &job->f, &end.err);
    if (remote)
      free(vms_remote_take_notes(remote)); /* ssh's warnings: nowhere to show them */
  }
  end.opened = code == VMS_OK;
  if (code == VMS_OK)
    code = vms_recording_stream_new(job->f, &rs, &end.err);
  while (code == VMS_OK && !g_atomic_int_get(&job->stop)) {
    VmsSnapshot *snap = NULL;
    VmsFrameInfo fi;
    code = vms_recording_stream_next(rs, &snap, &fi, &end.err);
    if (code != VMS_OK || !snap)
      break;
    end.frames++;
    end.exited = (fi.flags & VMS_FRAME_EXITED) != 0;
    StreamFrame *fr = g_new(StreamFrame, 1);
    fr->snap = snap;
    fr->flags = fi.flags & VMS_FRAME_EXITED;
    g_mutex_lock(&job->lock);
    while (g_queue_get_length(&job->frames) >= STREAM_QUEUE && !g_atomic_int_get(&job->stop))
      g_cond_wait(&job->drained, &job->lock);
    g_queue_push_tail(&job->frames, fr);
    stream_wake(job);
    g_mutex_unlock(&job->lock);
  }
  if (rs) {
    end.at = vms_recording_stream_position(rs);
    end.kind = code != VMS_OK                       ? STREAM_END_FAILED
               : vms_recording_stream_truncated(rs) ? STREAM_END_CUT
                                                    : STREAM_END_MARK;
  } else {
    end.kind = STREAM_END_FAILED;
  }
  vms_recording_stream_free(rs);
  if (remote) {
    /* ssh's end explains the stream's: the far side's failure comes first. */
    VmsError fin = {0};
    char *notes = NULL;
    if (vms_remote_finish(remote, end.kind == STREAM_END_FAILED ? &end.err : NULL, &notes, &fin) !=
        VMS_OK) {
      end.kind = STREAM_END_FAILED;
      end.err = fin;
    }
    free(notes);
  } else if (job->close_f && job->f) {
    fclose(job->f);
  }
  job->f = NULL;
  g_mutex_lock(&job->lock);
  job->end = end;
  job->ended = TRUE;
  stream_wake(job);
  g_mutex_unlock(&job->lock);
  stream_job_unref(job);
  return NULL;
}

/* The window goes on to something else: the thread stops after the frame
 * it waits for (a pipe cannot be interrupted), and nothing more is shown. */
static void stream_stop(VmsWindow *self) {
  StreamJob *job = self->stream;
  if (!job)
    return;
  self->stream = NULL;
  g_atomic_int_set(&job->stop, 1);
  g_mutex_lock(&job->lock);
  g_cond_broadcast(&job->drained);
  g_mutex_unlock(&job->lock);
  stream_job_unref(job);
}

/* The controls that steer a sampler: a stream has none. */
static void stream_controls(VmsWindow *self, gboolean sampler) {
  set_action_enabled(self, "pause", sampler);
  set_action_enabled(self, "refresh", sampler);
  set_action_enabled(self, "read-counters", sampler);
  gtk_widget_set_sensitive(GTK_WIDGET(self->interval_combo), sampler);
}

/* Forgets the stream's source: the window shows a process or a file now. */
static void stream_forget(VmsWindow *self) {
  stream_stop(self);
  if (!self->source[0])
    return;
  self->source[0] = '\0';
  self->remote = FALSE;
  self->stream_frames = 0;
  stream_controls(self, TRUE);
}

static void stream_take_end(VmsWindow *self, const StreamEnd *end) {
  g_clear_pointer(&self->stream, stream_job_unref);
  self->ended = TRUE;
  char from[320], text[1200], line[sizeof end->err.message + sizeof end->err.remedy + 2];
  g_snprintf(from, sizeof from, "%s %s", self->remote ? "on" : "from", self->source);
  GtkMessageType type = GTK_MESSAGE_WARNING;
  const VmsFrameInfo *last = NULL;
  VmsRecording *rec = vms_history_recording(self->history);
  if (rec && vms_recording_count(rec))
    last = vms_recording_info(rec, vms_recording_count(rec) - 1);
  char when[64] = "?";
  if (last)
    frame_time_text(last->time, when, sizeof when);
  if (end->kind == STREAM_END_FAILED) {
    type = GTK_MESSAGE_ERROR;
    vms_error_line(&end->err, line, sizeof line);
    if (!end->opened)
      g_snprintf(text, sizeof text, "Cannot read process %d %s: %s", self->remote_pid, from, line);
    else if (self->remote && end->frames == 0)
      g_snprintf(text, sizeof text, "Reading process %d %s failed: %s", self->remote_pid, from,
                 line);
    else if (end->err.code == VMS_ERR_PARSE && end->frames == 0 && end->at == 0)
      g_snprintf(text, sizeof text, "The stream %s is not a recording vmscope can read: %s", from,
                 line);
    else if (end->err.code == VMS_ERR_PARSE || end->err.code == VMS_ERR_UNSUPPORTED)
      g_snprintf(text, sizeof text,
                 "The stream %s is damaged at byte %" G_GUINT64_FORMAT " after %u frames: %s.%s",
                 from, end->at, end->frames, line,
                 end->frames ? " The frames before it are still shown." : "");
    else
      g_snprintf(text, sizeof text, "The stream %s failed after %u frames: %s.%s", from,
                 end->frames, line, end->frames ? " The frames before it are still shown." : "");
  } else if (end->exited) {
    g_snprintf(text, sizeof text,
               "Process %d (%s) exited at %s; the stream %s has ended. The last map read is "
               "still shown.",
               self->pid, self->name[0] ? self->name : "?", when, from);
  } else if (end->kind == STREAM_END_CUT) {
    g_snprintf(text, sizeof text,
               "The stream %s ended at byte %" G_GUINT64_FORMAT " without its end mark, after %u "
               "frames: the recorder was stopped or the connection lost.",
               from, end->at, end->frames);
  } else {
    type = GTK_MESSAGE_INFO;
    g_snprintf(text, sizeof text,
               "The stream %s has ended after %u frames: the recorder finished (its count, its "
               "duration, or a signal). The last frame, of %s, is still shown.",
               from, end->frames, when);
  }
  show_banner(self, type, text);
  update_title(self);
  update_status(self);
}

/* Stops whatever the window shows and starts job's thread. */
static void stream_start(VmsWindow *self, StreamJob *job, const char *label, gboolean remote) {
  vms_window_detach(self);
  close_recording(self);
  hide_banner(self);
  self->pid = 0;
  clear_view(self);
  if (self->opening) {
    self->open_serial++;
    set_opening(self, FALSE);
  }
  g_strlcpy(self->source, label, sizeof self->source);
  self->remote = remote;
  self->remote_pid = remote ? job->target.pid : 0;
  self->stream_frames = 0;
  stream_controls(self, FALSE);
  job->refs = 2; /* the window's and the thread's */
  g_weak_ref_init(&job->win, self);
  job->generation = self->generation;
  g_mutex_init(&job->lock);
  g_cond_init(&job->drained);
  g_queue_init(&job->frames);
  self->stream = job;
  GError *error = NULL;
  GThread *t = g_thread_try_new("vms-stream", stream_thread, job, &error);
  if (!t) {
    char text[600];
    g_snprintf(text, sizeof text, "Cannot read the stream %s %s: no thread to read it on (%s)",
               remote ? "on" : "from", label, error->message);
    g_error_free(error);
    if (job->close_f && job->f)
      fclose(job->f);
    job->f = NULL;
    stream_job_unref(job); /* the thread's */
    g_clear_pointer(&self->stream, stream_job_unref);
    self->ended = TRUE;
    show_banner(self, GTK_MESSAGE_ERROR, text);
  } else {
    g_thread_unref(t);
  }
  update_title(self);
  update_status(self);
}

void vms_window_open_stream(VmsWindow *self, FILE *f, gboolean close_f, const char *label) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  g_return_if_fail(f != NULL && label != NULL);
  StreamJob *job = g_new0(StreamJob, 1);
  job->f = f;
  job->close_f = close_f;
  stream_start(self, job, label, FALSE);
}

void vms_window_open_remote(VmsWindow *self, const VmsRemoteTarget *target) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  g_return_if_fail(target != NULL && target->pid > 0);
  StreamJob *job = g_new0(StreamJob, 1);
  job->remote = TRUE;
  job->target = *target;
  job->interval = self->interval;
  stream_start(self, job, target->label, TRUE);
}

gboolean vms_window_is_streaming(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), FALSE);
  return self->stream != NULL;
}

const char *vms_window_get_source(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  return self->source;
}

guint vms_window_get_stream_frames(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), 0);
  return self->stream_frames;
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
  const VmsRemoteTarget *remote = vms_picker_get_remote(VMS_PICKER(dialog));
  VmsRemoteTarget target;
  if (remote)
    target = *remote;
  self->picker = NULL;
  gtk_widget_destroy(GTK_WIDGET(dialog));
  if (pid > 0 && remote) {
    target.pid = pid;
    vms_window_open_remote(self, &target);
  } else if (pid > 0) {
    vms_window_attach(self, pid);
  }
}

/* The picker of this machine's processes (remote NULL) or of another's. */
static void show_picker(VmsWindow *self, const VmsRemoteTarget *remote) {
  if (self->picker) {
    const VmsRemoteTarget *was = vms_picker_get_remote(self->picker);
    if ((!was && !remote) || (was && remote && strcmp(was->label, remote->label) == 0)) {
      gtk_window_present(GTK_WINDOW(self->picker));
      return;
    }
    gtk_widget_destroy(GTK_WIDGET(self->picker));
    self->picker = NULL;
  }
  self->picker = VMS_PICKER(remote ? vms_picker_new_remote(GTK_WINDOW(self), remote)
                                   : vms_picker_new(GTK_WINDOW(self)));
  g_signal_connect(self->picker, "response", G_CALLBACK(on_picker_response), self);
  gtk_window_present(GTK_WINDOW(self->picker));
}

void vms_window_show_picker(VmsWindow *self) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  show_picker(self, NULL);
}

void vms_window_show_remote_picker(VmsWindow *self, const VmsRemoteTarget *target) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  g_return_if_fail(target != NULL);
  show_picker(self, target);
}

VmsPicker *vms_window_get_picker(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  return self->picker;
}

/* ---- file jobs: a chooser, a worker that writes the file, one report ---- */

/* What a job's worker reads is all its own: immutable snapshots held by
 * reference, copies of the rest. The job's window action is disabled while
 * it runs, which is also how a second one is refused. */
typedef VmsErrorCode (*FileJobWrite)(gpointer data, const char *path, VmsError *err);

typedef struct {
  const char *action;  /* "export", "save" */
  const char *running; /* why a second one is refused */
  const char *failed;  /* the banner's first words on failure */
  char *done_text;     /* the status line once written */
  char *path;
  FileJobWrite write;
  gpointer data;
  GDestroyNotify free_data;
} FileJob;

static FileJob *file_job_new(const char *action, const char *running, const char *failed,
                             const char *path, FileJobWrite write, gpointer data,
                             GDestroyNotify free_data) {
  FileJob *job = g_new0(FileJob, 1);
  job->action = action;
  job->running = running;
  job->failed = failed;
  job->path = g_strdup(path);
  job->write = write;
  job->data = data;
  job->free_data = free_data;
  return job;
}

static void file_job_free(gpointer p) {
  FileJob *job = p;
  if (job->free_data && job->data)
    job->free_data(job->data);
  g_free(job->done_text);
  g_free(job->path);
  g_free(job);
}

static void file_job_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel) {
  FileJob *job = data;
  VmsError err = {0};
  if (job->write(job->data, job->path, &err) != VMS_OK)
    g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", err.message);
  else
    g_task_return_boolean(task, TRUE);
}

static void set_action_enabled(VmsWindow *self, const char *action, gboolean enabled) {
  GAction *a = g_action_map_lookup_action(G_ACTION_MAP(self), action);
  g_simple_action_set_enabled(G_SIMPLE_ACTION(a), enabled);
}

/* Back on the main thread: says how it went, then answers the caller. */
static void file_job_done(GObject *source, GAsyncResult *res, gpointer data) {
  VmsWindow *self = VMS_WINDOW(source);
  GTask *outer = data;
  FileJob *job = g_task_get_task_data(G_TASK(res));
  GError *error = NULL;
  gboolean ok = g_task_propagate_boolean(G_TASK(res), &error);
  if (!self->disposed) {
    set_action_enabled(self, job->action, TRUE);
    if (ok) {
      gtk_label_set_text(self->status_label, job->done_text);
      self->status_held_until = g_get_monotonic_time() + 8 * G_USEC_PER_SEC;
    } else {
      char text[700];
      g_snprintf(text, sizeof text, "%s: %s", job->failed, error->message);
      show_banner(self, GTK_MESSAGE_ERROR, text);
    }
  }
  if (ok)
    g_task_return_boolean(outer, TRUE);
  else
    g_task_return_error(outer, error);
  g_object_unref(outer);
}

/* Runs job (taken) on a worker, unless why (when not NULL) or a job of the
 * same action still running refuses it; callback answers either way. */
static void file_job_start(VmsWindow *self, FileJob *job, const char *why, const char *busy_text,
                           GAsyncReadyCallback callback, gpointer user_data) {
  GTask *outer = g_task_new(self, NULL, callback, user_data);
  GAction *a = g_action_map_lookup_action(G_ACTION_MAP(self), job->action);
  if (why || !g_action_get_enabled(a)) {
    const char *text = why ? why : job->running;
    show_banner(self, GTK_MESSAGE_ERROR, text);
    g_task_return_new_error(outer, G_IO_ERROR, why ? G_IO_ERROR_FAILED : G_IO_ERROR_BUSY, "%s",
                            text);
    g_object_unref(outer);
    file_job_free(job);
    return;
  }
  set_action_enabled(self, job->action, FALSE);
  gtk_label_set_text(self->status_label, busy_text);
  GTask *task = g_task_new(self, NULL, file_job_done, outer);
  g_task_set_task_data(task, job, file_job_free);
  g_task_run_in_thread(task, file_job_thread);
  g_object_unref(task);
}

static gboolean file_job_finish(VmsWindow *self, GAsyncResult *result, GError **error) {
  g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
  return g_task_propagate_boolean(G_TASK(result), error);
}

/* A chooser for a file to write: the native one (the desktop portal's on
 * GNOME and in sandboxes, the system dialog on Windows, GTK's own
 * elsewhere), which asks before replacing a file. The window owns it:
 * dispose destroys it, so no answer reaches a closed window. */
typedef struct {
  const char *title, *accept, *suffix;
  void (*add_filters)(VmsWindow *self, GtkFileChooser *chooser);
  /* Runs with the chosen path, the suffix added when it was missing. */
  void (*accepted)(VmsWindow *self, GtkFileChooser *chooser, const char *path);
  const char *not_local;
} ChooserSpec;

static void on_chooser_response(GtkNativeDialog *dialog, int response, VmsWindow *self) {
  const ChooserSpec *spec = g_object_get_data(G_OBJECT(dialog), "vms-spec");
  GtkFileChooserNative **slot = g_object_get_data(G_OBJECT(dialog), "vms-slot");
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autofree char *path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(dialog));
    if (path) {
      g_autofree char *lower = g_ascii_strdown(path, -1);
      g_autofree char *with = g_str_has_suffix(lower, spec->suffix)
                                  ? g_strdup(path)
                                  : g_strconcat(path, spec->suffix, NULL);
      spec->accepted(self, GTK_FILE_CHOOSER(dialog), with);
    } else {
      show_banner(self, GTK_MESSAGE_ERROR, spec->not_local);
    }
  }
  *slot = NULL;
  g_object_unref(dialog);
}

static void chooser_show(VmsWindow *self, GtkFileChooserNative **slot, const ChooserSpec *spec) {
  if (*slot) {
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(*slot));
    return;
  }
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new(
      spec->title, GTK_WINDOW(self), GTK_FILE_CHOOSER_ACTION_SAVE, spec->accept, "_Cancel");
  gtk_file_chooser_set_do_overwrite_confirmation(GTK_FILE_CHOOSER(dialog), TRUE);
  char name[320];
  g_snprintf(name, sizeof name, "%s-%d%s", self->name[0] ? self->name : "vmscope", self->pid,
             spec->suffix);
  for (char *c = name; *c; c++)
    if (*c == '/' || *c == ' ')
      *c = '_';
  gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(dialog), name);
  spec->add_filters(self, GTK_FILE_CHOOSER(dialog));
  g_object_set_data(G_OBJECT(dialog), "vms-spec", (gpointer)spec);
  g_object_set_data(G_OBJECT(dialog), "vms-slot", slot);
  *slot = dialog;
  g_signal_connect(dialog, "response", G_CALLBACK(on_chooser_response), self);
  gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

static void chooser_destroy(VmsWindow *self, GtkFileChooserNative **slot) {
  GtkFileChooserNative *dialog = *slot;
  if (!dialog)
    return;
  *slot = NULL;
  g_signal_handlers_disconnect_by_data(dialog, self);
  gtk_native_dialog_destroy(GTK_NATIVE_DIALOG(dialog));
  g_object_unref(dialog);
}

/* ---- the PNG export ---- */

typedef struct {
  VmsSnapshot *snap;
  VmsViewport vp;
  int width, height;
  /* The residency view, as the map draws it: its page states (a copy,
   * since the sampler replaces them) or why there are none. */
  gboolean residency;
  VmsPageMap *pages;
  char *pages_missing;
} ExportData;

static void export_data_free(gpointer p) {
  ExportData *d = p;
  vms_snapshot_unref(d->snap);
  vms_page_map_free(d->pages);
  g_free(d->pages_missing);
  g_free(d);
}

static VmsErrorCode export_write(gpointer data, const char *path, VmsError *err) {
  ExportData *d = data;
  const VmsExportOptions eo = {d->residency, d->pages, d->pages_missing};
  return vms_export_with(d->snap, &d->vp, d->width, d->height, VMS_EXPORT_PNG, path, &eo, err);
}

/* What the residency view shows, for an export of it. */
static void export_take_pages(VmsWindow *self, ExportData *d) {
  d->residency = vms_map_view_get_residency(self->map);
  if (!d->residency)
    return;
  const VmsPageMap *pm = vms_map_view_get_shown_pages(self->map);
  if (pm)
    d->pages = vms_page_map_copy(pm);
  if (pm && !d->pages)
    d->pages_missing = g_strdup("out of memory copying the page states");
  else if (!pm && self->pages_note[0])
    d->pages_missing = g_strdup(self->pages_note);
  else if (!pm)
    d->pages_missing = g_strdup(self->sampler ? "the page states have not been read yet"
                                              : "page states are read from a live process only");
}

void vms_window_export_png(VmsWindow *self, const char *path, int width, int height,
                           GAsyncReadyCallback callback, gpointer user_data) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  g_return_if_fail(path != NULL);
  ExportData *d = NULL;
  if (self->snap) {
    d = g_new0(ExportData, 1);
    d->snap = vms_snapshot_ref(self->snap);
    d->vp = *vms_map_view_get_viewport(self->map);
    d->width = width;
    d->height = height;
    export_take_pages(self, d);
  }
  FileJob *job = file_job_new("export", "An export is still being written.", "Export failed", path,
                              export_write, d, export_data_free);
  job->done_text = g_strdup_printf("Saved the map (%d × %d) to %s", width, height, path);
  file_job_start(self, job, self->snap ? NULL : "There is no map to export yet.",
                 "Exporting the map…", callback, user_data);
}

gboolean vms_window_export_png_finish(VmsWindow *self, GAsyncResult *result, GError **error) {
  return file_job_finish(self, result, error);
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

static void export_filters(VmsWindow *self, GtkFileChooser *chooser) {
  GtkFileFilter *filter = gtk_file_filter_new();
  gtk_file_filter_set_name(filter, "PNG images");
  gtk_file_filter_add_mime_type(filter, "image/png");
  gtk_file_filter_add_pattern(filter, "*.png");
  gtk_file_chooser_add_filter(chooser, filter);
  const char *ids[G_N_ELEMENTS(export_sizes) + 1], *labels[G_N_ELEMENTS(export_sizes) + 1];
  for (size_t i = 0; i < G_N_ELEMENTS(export_sizes); i++) {
    ids[i] = export_sizes[i].id;
    labels[i] = export_sizes[i].label;
  }
  ids[G_N_ELEMENTS(export_sizes)] = labels[G_N_ELEMENTS(export_sizes)] = NULL;
  gtk_file_chooser_add_choice(chooser, "size", "Image size", ids, labels);
  gtk_file_chooser_set_choice(chooser, "size", export_sizes[1].id);
}

static void export_accepted(VmsWindow *self, GtkFileChooser *chooser, const char *path) {
  const char *size = gtk_file_chooser_get_choice(chooser, "size");
  size_t i = 1;
  for (size_t k = 0; size && k < G_N_ELEMENTS(export_sizes); k++)
    if (strcmp(size, export_sizes[k].id) == 0)
      i = k;
  vms_window_export_png(self, path, export_sizes[i].w, export_sizes[i].h, NULL, NULL);
}

static const ChooserSpec export_chooser = {
    "Export Map as PNG",
    "_Export",
    ".png",
    export_filters,
    export_accepted,
    "Export needs a local file; the chosen place is not one."};

static void export_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  VmsWindow *self = data;
  if (!self->snap) {
    show_banner(self, GTK_MESSAGE_ERROR,
                "There is no map to export yet: attach to a process first.");
    return;
  }
  chooser_show(self, &self->export_dialog, &export_chooser);
}

/* ---- saving: the snapshot shown, or a live view's history ---- */

static VmsErrorCode snapshot_write(gpointer data, const char *path, VmsError *err) {
  VmsSnapshot *snap = data;
  return vms_recording_save(path, &snap, 1, false, err);
}

void vms_window_save(VmsWindow *self, const char *path, GAsyncReadyCallback callback,
                     gpointer user_data) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  g_return_if_fail(path != NULL);
  FileJob *job = file_job_new("save", "A save is still being written.", "Saving failed", path,
                              snapshot_write, self->snap ? vms_snapshot_ref(self->snap) : NULL,
                              (GDestroyNotify)vms_snapshot_unref);
  job->done_text = g_strdup_printf("Saved the snapshot to %s", path);
  file_job_start(self, job, self->snap ? NULL : "There is no map to save yet.", "Saving…", callback,
                 user_data);
}

gboolean vms_window_save_finish(VmsWindow *self, GAsyncResult *result, GError **error) {
  return file_job_finish(self, result, error);
}

static VmsErrorCode history_write(gpointer data, const char *path, VmsError *err) {
  return vms_history_save(data, path, err);
}

void vms_window_save_history(VmsWindow *self, const char *path, GAsyncReadyCallback callback,
                             gpointer user_data) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  g_return_if_fail(path != NULL);
  /* The worker writes a copy: the history goes on taking frames meanwhile. */
  size_t n = self->history ? vms_history_count(self->history) : 0;
  VmsHistory *copy = n ? vms_history_copy(self->history) : NULL;
  FileJob *job = file_job_new("save", "A save is still being written.", "Saving failed", path,
                              history_write, copy, (GDestroyNotify)vms_history_free);
  job->done_text = g_strdup_printf("Saved %zu frames (what this view has seen) to %s", n, path);
  const char *why = !n      ? "This view has no history to save yet."
                    : !copy ? "There is not enough memory to copy the history for saving."
                            : NULL;
  file_job_start(self, job, why, "Saving the history…", callback, user_data);
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

/* A live view with a history offers it beside the snapshot shown. */
static void save_filters(VmsWindow *self, GtkFileChooser *chooser) {
  add_recording_filter(chooser);
  size_t n = self->history && !self->rec ? vms_history_count(self->history) : 0;
  if (n < 2)
    return;
  char history[96];
  g_snprintf(history, sizeof history, "Everything seen (%zu frames)", n);
  const char *ids[] = {"history", "snapshot", NULL};
  const char *labels[] = {history, "The snapshot shown", NULL};
  gtk_file_chooser_add_choice(chooser, "what", "Save", ids, labels);
  gtk_file_chooser_set_choice(chooser, "what", "history");
}

static void save_accepted(VmsWindow *self, GtkFileChooser *chooser, const char *path) {
  if (g_strcmp0(gtk_file_chooser_get_choice(chooser, "what"), "history") == 0)
    vms_window_save_history(self, path, NULL, NULL);
  else
    vms_window_save(self, path, NULL, NULL);
}

static const ChooserSpec save_chooser = {"Save Snapshot or History",
                                         "_Save",
                                         ".vmsrec",
                                         save_filters,
                                         save_accepted,
                                         "Saving needs a local file; the chosen place is not one."};

static void save_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  VmsWindow *self = data;
  if (!self->snap) {
    show_banner(self, GTK_MESSAGE_ERROR, "There is no map to save yet: attach to a process first.");
    return;
  }
  /* The choice offered depends on the history's length: asked anew each time. */
  chooser_destroy(self, &self->save_dialog);
  chooser_show(self, &self->save_dialog, &save_chooser);
}

/* ---- opening a recording, read and decoded on a worker ---- */

/* The worker opens the file, indexes every frame (reading it through once)
 * and rebuilds the last one; the window meanwhile shows a spinner and keeps
 * what it showed. The answer is dropped when another open or an attach
 * came after it. */
typedef struct {
  char *path;
  guint serial;
  FILE *f;
  VmsRecording *rec;
  VmsSnapshot *last;
  char text[900]; /* why not, on failure */
} OpenJob;

static void open_job_free(gpointer p) {
  OpenJob *job = p;
  vms_recording_close(job->rec);
  if (job->f)
    fclose(job->f);
  g_clear_pointer(&job->last, vms_snapshot_unref);
  g_free(job->path);
  g_free(job);
}

static void open_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel) {
  OpenJob *job = data;
  VmsError err = {0};
  job->f = fopen(job->path, "rb");
  if (!job->f)
    g_snprintf(job->text, sizeof job->text, "Cannot open %s: %s", job->path, g_strerror(errno));
  else if (vms_recording_open_file(job->f, &job->rec, &err) != VMS_OK)
    g_snprintf(job->text, sizeof job->text, "%s is not a recording vmscope can read: %s", job->path,
               err.message);
  else if (vms_recording_frame(job->rec, vms_recording_count(job->rec) - 1, &job->last, &err) !=
           VMS_OK)
    g_snprintf(job->text, sizeof job->text, "The last frame of %s cannot be rebuilt: %s", job->path,
               err.message);
  if (job->last)
    g_task_return_boolean(task, TRUE);
  else
    g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", job->text);
}

static void set_opening(VmsWindow *self, gboolean opening) {
  self->opening = opening;
  set_action_enabled(self, "open", !opening);
  gtk_widget_set_visible(GTK_WIDGET(self->open_spinner), opening);
  if (opening)
    gtk_spinner_start(self->open_spinner);
  else
    gtk_spinner_stop(self->open_spinner);
}

/* Shows what the worker read: the recording at its last frame. */
static void take_recording(VmsWindow *self, OpenJob *job) {
  vms_window_detach(self);
  stream_forget(self);
  close_recording(self);
  vms_summary_set_comparison(self->summary, NULL, NULL, 0, 0);
  hide_banner(self);
  clear_view(self);
  self->rec = job->rec;
  self->rec_file = job->f;
  self->rec_path = job->path;
  job->rec = NULL;
  job->f = NULL;
  job->path = NULL;
  vms_timeline_set_recording(self->timeline, self->rec);
  gtk_widget_show(GTK_WIDGET(self->timeline));
  size_t last = vms_recording_count(self->rec) - 1;
  VmsSnapshot *snap = job->last;
  job->last = NULL;
  self->frame = last;
  self->pid = snap->pid;
  take_snapshot(self, snap);
  vms_timeline_set_cursor(self->timeline, last, FALSE);
  vms_timeline_set_max_map_count(self->timeline, snap->stats.max_map_count);
  if (vms_recording_truncated(self->rec)) {
    char text[900];
    g_snprintf(text, sizeof text,
               "%s ends before its end mark (cut short, or still being written): "
               "it is shown up to its last complete frame.",
               self->rec_path);
    show_banner(self, GTK_MESSAGE_WARNING, text);
  }
}

static void open_done(GObject *source, GAsyncResult *res, gpointer data) {
  VmsWindow *self = VMS_WINDOW(source);
  GTask *outer = data;
  OpenJob *job = g_task_get_task_data(G_TASK(res));
  GError *error = NULL;
  gboolean ok = g_task_propagate_boolean(G_TASK(res), &error);
  if (!self->disposed && job->serial == self->open_serial) {
    set_opening(self, FALSE);
    if (ok) {
      take_recording(self, job);
    } else {
      show_banner(self, GTK_MESSAGE_ERROR, job->text);
      update_status(self);
    }
  } else if (!error) {
    ok = FALSE;
    error = g_error_new(G_IO_ERROR, G_IO_ERROR_CANCELLED, "another view was chosen meanwhile");
  }
  if (ok)
    g_task_return_boolean(outer, TRUE);
  else
    g_task_return_error(outer, error);
  g_object_unref(outer);
}

void vms_window_open_recording(VmsWindow *self, const char *path, GAsyncReadyCallback callback,
                               gpointer user_data) {
  g_return_if_fail(VMS_IS_WINDOW(self));
  g_return_if_fail(path != NULL);
  GTask *outer = g_task_new(self, NULL, callback, user_data);
  OpenJob *job = g_new0(OpenJob, 1);
  job->path = g_strdup(path);
  job->serial = ++self->open_serial;
  set_opening(self, TRUE);
  g_autofree char *base = g_path_get_basename(path);
  char text[600];
  g_snprintf(text, sizeof text, "Opening %s…", base);
  gtk_label_set_text(self->status_label, text);
  GTask *task = g_task_new(self, NULL, open_done, outer);
  g_task_set_task_data(task, job, open_job_free);
  g_task_run_in_thread(task, open_thread);
  g_object_unref(task);
}

gboolean vms_window_open_recording_finish(VmsWindow *self, GAsyncResult *result, GError **error) {
  return file_job_finish(self, result, error);
}

gboolean vms_window_is_opening(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), FALSE);
  return self->opening;
}

const char *vms_window_get_status(VmsWindow *self) {
  g_return_val_if_fail(VMS_IS_WINDOW(self), NULL);
  return gtk_label_get_text(self->status_label);
}

static void on_open_response(GtkNativeDialog *dialog, int response, VmsWindow *self) {
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autofree char *path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(dialog));
    if (path)
      vms_window_open_recording(self, path, NULL, NULL);
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
  if (ev->keyval != GDK_KEY_space || (ev->state & gtk_accelerator_get_default_mod_mask()) != 0 ||
      self->source[0])
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
  chooser_destroy(self, &self->export_dialog);
  chooser_destroy(self, &self->save_dialog);
  chooser_destroy(self, &self->open_dialog);
  if (self->tick_id) {
    g_source_remove(self->tick_id);
    self->tick_id = 0;
  }
  g_clear_pointer(&self->snap, vms_snapshot_unref);
  g_clear_pointer(&self->counters_snap, vms_snapshot_unref);
  g_clear_pointer(&self->residency_snap, vms_snapshot_unref);
  close_recording(self);
  history_reset(self);
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
  self->open_spinner = GTK_SPINNER(gtk_spinner_new());
  vms_ui_set_accessible(GTK_WIDGET(self->open_spinner), "Opening a recording", NULL);
  gtk_widget_set_no_show_all(GTK_WIDGET(self->open_spinner), TRUE);
  gtk_header_bar_pack_end(self->header, GTK_WIDGET(self->open_spinner));
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
