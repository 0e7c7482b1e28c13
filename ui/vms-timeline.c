/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-timeline.c: the timeline strip widget; src/map/vms-timeline-plot.c does the drawing.
 *
 * A click or drag moves the cursor, Left/Right/Home/End step it, and a
 * shift-click marks a second moment; the window shows the frame under the
 * cursor and, with a mark, what changed between the two. */
#include "vms-timeline.h"

#include "vms-timeline-plot.h"
#include "vms-ui-util.h"

struct _VmsTimeline {
  GtkDrawingArea parent_instance;
  GArray *pts; /* VmsTimelinePoint */
  size_t cursor, mark;
  guint64 max_map_count;
};

enum { SIG_CURSOR_CHANGED, SIG_MARK_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE(VmsTimeline, vms_timeline, GTK_TYPE_DRAWING_AREA)

static double width_of(VmsTimeline *self) {
  return gtk_widget_get_allocated_width(GTK_WIDGET(self));
}

static gboolean vms_timeline_draw(GtkWidget *w, cairo_t *cr) {
  VmsTimeline *self = VMS_TIMELINE(w);
  GtkStyleContext *sc = gtk_widget_get_style_context(w);
  int width = gtk_widget_get_allocated_width(w), height = gtk_widget_get_allocated_height(w);
  gtk_render_background(sc, cr, 0, 0, width, height);
  GdkRGBA fg;
  gtk_style_context_get_color(sc, gtk_style_context_get_state(sc), &fg);
  VmsTimelineMarks m = {self->cursor, self->mark, self->max_map_count, {fg.red, fg.green, fg.blue}};
  vms_timeline_plot_draw(cr, (const VmsTimelinePoint *)(void *)self->pts->data, self->pts->len,
                         width, height, &m);
  if (gtk_widget_has_visible_focus(w))
    gtk_render_focus(sc, cr, 1, 1, width - 2, height - 2);
  return FALSE;
}

static size_t frame_at(VmsTimeline *self, double x) {
  return vms_timeline_plot_frame_at((const VmsTimelinePoint *)(void *)self->pts->data,
                                    self->pts->len, x, width_of(self));
}

static gboolean vms_timeline_button_press(GtkWidget *w, GdkEventButton *ev) {
  VmsTimeline *self = VMS_TIMELINE(w);
  gtk_widget_grab_focus(w);
  if (ev->button != 1 || ev->type != GDK_BUTTON_PRESS || !self->pts->len)
    return FALSE;
  size_t k = frame_at(self, ev->x);
  if (ev->state & GDK_SHIFT_MASK)
    vms_timeline_set_mark(self, k == self->mark ? SIZE_MAX : k, TRUE);
  else
    vms_timeline_set_cursor(self, k, TRUE);
  return TRUE;
}

static gboolean vms_timeline_motion(GtkWidget *w, GdkEventMotion *ev) {
  VmsTimeline *self = VMS_TIMELINE(w);
  if (!(ev->state & GDK_BUTTON1_MASK) || (ev->state & GDK_SHIFT_MASK) || !self->pts->len)
    return FALSE;
  vms_timeline_set_cursor(self, frame_at(self, ev->x), TRUE);
  return TRUE;
}

static gboolean vms_timeline_key_press(GtkWidget *w, GdkEventKey *ev) {
  VmsTimeline *self = VMS_TIMELINE(w);
  size_t n = self->pts->len;
  if (!n)
    return FALSE;
  size_t k = self->cursor;
  switch (ev->keyval) {
  case GDK_KEY_Left:
  case GDK_KEY_KP_Left: k = k > 0 ? k - 1 : 0; break;
  case GDK_KEY_Right:
  case GDK_KEY_KP_Right: k = k + 1 < n ? k + 1 : n - 1; break;
  case GDK_KEY_Home: k = 0; break;
  case GDK_KEY_End: k = n - 1; break;
  default: return FALSE;
  }
  vms_timeline_set_cursor(self, k, TRUE);
  return TRUE;
}

static void vms_timeline_get_preferred_height(GtkWidget *w, int *min, int *nat) {
  *min = 60;
  *nat = 80;
}

static void vms_timeline_finalize(GObject *obj) {
  g_array_unref(VMS_TIMELINE(obj)->pts);
  G_OBJECT_CLASS(vms_timeline_parent_class)->finalize(obj);
}

static void vms_timeline_class_init(VmsTimelineClass *klass) {
  GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
  G_OBJECT_CLASS(klass)->finalize = vms_timeline_finalize;
  wc->draw = vms_timeline_draw;
  wc->button_press_event = vms_timeline_button_press;
  wc->motion_notify_event = vms_timeline_motion;
  wc->key_press_event = vms_timeline_key_press;
  wc->get_preferred_height = vms_timeline_get_preferred_height;
  signals[SIG_CURSOR_CHANGED] =
      g_signal_new("cursor-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                   NULL, G_TYPE_NONE, 0);
  signals[SIG_MARK_CHANGED] = g_signal_new("mark-changed", G_TYPE_FROM_CLASS(klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void vms_timeline_init(VmsTimeline *self) {
  self->pts = g_array_new(FALSE, FALSE, sizeof(VmsTimelinePoint));
  self->mark = SIZE_MAX;
  gtk_widget_set_can_focus(GTK_WIDGET(self), TRUE);
  gtk_widget_add_events(GTK_WIDGET(self),
                        GDK_BUTTON_PRESS_MASK | GDK_BUTTON1_MOTION_MASK | GDK_KEY_PRESS_MASK);
  vms_ui_set_accessible(GTK_WIDGET(self), "Timeline",
                        "Click or drag to show a moment; arrows step; shift-click marks a "
                        "second moment to compare with");
}

GtkWidget *vms_timeline_new(void) {
  return g_object_new(VMS_TYPE_TIMELINE, NULL);
}

static size_t take_points(VmsTimeline *self, VmsRecording *rec) {
  g_array_set_size(self->pts, 0);
  size_t n = rec ? vms_recording_count(rec) : 0;
  for (size_t k = 0; k < n; k++) {
    const VmsFrameInfo *fi = vms_recording_info(rec, k);
    VmsTimelinePoint p = {fi->time, fi->fig[VMS_FIG_FREE_TOTAL], fi->fig[VMS_FIG_FREE_LARGEST],
                          fi->fig[VMS_FIG_VMA_COUNT]};
    g_array_append_val(self->pts, p);
  }
  gtk_widget_queue_draw(GTK_WIDGET(self));
  return n;
}

void vms_timeline_set_recording(VmsTimeline *self, VmsRecording *rec) {
  g_return_if_fail(VMS_IS_TIMELINE(self));
  size_t n = take_points(self, rec);
  self->cursor = n ? n - 1 : 0;
  self->mark = SIZE_MAX;
}

void vms_timeline_update(VmsTimeline *self, VmsRecording *rec, size_t dropped) {
  g_return_if_fail(VMS_IS_TIMELINE(self));
  gboolean at_end = self->cursor + 1 >= self->pts->len;
  size_t n = take_points(self, rec);
  if (at_end || !n)
    self->cursor = n ? n - 1 : 0;
  else
    self->cursor = self->cursor >= dropped ? MIN(self->cursor - dropped, n - 1) : 0;
  if (self->mark != SIZE_MAX)
    self->mark =
        self->mark >= dropped && self->mark - dropped < n ? self->mark - dropped : SIZE_MAX;
}

size_t vms_timeline_get_n_frames(VmsTimeline *self) {
  g_return_val_if_fail(VMS_IS_TIMELINE(self), 0);
  return self->pts->len;
}

size_t vms_timeline_get_cursor(VmsTimeline *self) {
  g_return_val_if_fail(VMS_IS_TIMELINE(self), 0);
  return self->cursor;
}

void vms_timeline_set_cursor(VmsTimeline *self, size_t k, gboolean emit) {
  g_return_if_fail(VMS_IS_TIMELINE(self));
  if (k >= self->pts->len || k == self->cursor)
    return;
  self->cursor = k;
  gtk_widget_queue_draw(GTK_WIDGET(self));
  if (emit)
    g_signal_emit(self, signals[SIG_CURSOR_CHANGED], 0);
}

size_t vms_timeline_get_mark(VmsTimeline *self) {
  g_return_val_if_fail(VMS_IS_TIMELINE(self), SIZE_MAX);
  return self->mark;
}

void vms_timeline_set_mark(VmsTimeline *self, size_t k, gboolean emit) {
  g_return_if_fail(VMS_IS_TIMELINE(self));
  if (k != SIZE_MAX && k >= self->pts->len)
    return;
  self->mark = k;
  gtk_widget_queue_draw(GTK_WIDGET(self));
  if (emit)
    g_signal_emit(self, signals[SIG_MARK_CHANGED], 0);
}

void vms_timeline_set_max_map_count(VmsTimeline *self, guint64 max_map_count) {
  g_return_if_fail(VMS_IS_TIMELINE(self));
  if (self->max_map_count == max_map_count)
    return;
  self->max_map_count = max_map_count;
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

double vms_timeline_x_of(VmsTimeline *self, size_t k) {
  g_return_val_if_fail(VMS_IS_TIMELINE(self), 0);
  return vms_timeline_plot_x((const VmsTimelinePoint *)(void *)self->pts->data, self->pts->len, k,
                             width_of(self));
}
