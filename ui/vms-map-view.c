/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-map-view.c: the map canvas, a GtkDrawingArea that draws a snapshot through the renderer.
 *
 * Geometry is cached in two steps: the VmsLayout depends on (snapshot,
 * viewport, size) and is rebuilt only when one of them changes; the map is
 * rendered into an image once per layout, and, while changes are marked, a
 * second time with the marks at full strength, which the fade then blends
 * over the first. A frame that changes nothing (an expose, a tooltip, a fade
 * step) only composites images: at 65,000 regions a render costs milliseconds,
 * a composite much less. */
#include "vms-map-view.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "vms-ui-util.h"

#define FADE_STEPS   12
#define FADE_TICK_MS 125

struct _VmsMapView {
  GtkDrawingArea parent_instance;

  VmsSnapshot *snap;
  VmsSnapshot *counters_snap;
  VmsViewport vp;
  VmsLayoutKind kind;

  VmsLayout *layout;
  int layout_w, layout_h;
  gboolean layout_dirty;

  cairo_surface_t *surface;       /* the map without change marks */
  cairo_surface_t *marks_surface; /* the map with the marks at full strength */
  int surface_w, surface_h, surface_scale;
  gboolean surface_dirty;

  VmsChange *changes;
  size_t n_changes;
  int fade_step;
  guint fade_id;

  size_t selected;
  uint64_t selected_start;

  gboolean pressed, dragging;
  double press_x, press_y, last_x, last_y;

  double layout_seconds, render_seconds;
  VmsRenderExtras theme; /* the colours the cached images were drawn in */
  guint n_layouts;       /* layouts built so far */

  gboolean residency; /* the residency view: pages by state */
  VmsPageMap *pages;  /* the last page states read (owned), or NULL */
};

G_DEFINE_TYPE(VmsMapView, vms_map_view, GTK_TYPE_DRAWING_AREA)

enum { SIG_SELECTION_CHANGED, SIG_VIEWPORT_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void invalidate_layout(VmsMapView *self) {
  self->layout_dirty = TRUE;
  self->surface_dirty = TRUE;
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

static void viewport_changed(VmsMapView *self) {
  invalidate_layout(self);
  g_signal_emit(self, signals[SIG_VIEWPORT_CHANGED], 0);
}

static gboolean ensure_layout(VmsMapView *self) {
  GtkWidget *w = GTK_WIDGET(self);
  int width = gtk_widget_get_allocated_width(w), height = gtk_widget_get_allocated_height(w);
  if (!self->snap || width < 2 || height < 2)
    return FALSE;
  if (self->layout && !self->layout_dirty && width == self->layout_w && height == self->layout_h)
    return TRUE;
  gint64 t0 = g_get_monotonic_time();
  g_clear_pointer(&self->layout, vms_layout_free);
  self->vp.selected_start = self->selected == SIZE_MAX ? UINT64_MAX : self->selected_start;
  self->layout = vms_layout_new(self->snap, &self->vp, width, height);
  self->n_layouts++;
  self->layout_w = width;
  self->layout_h = height;
  self->layout_dirty = FALSE;
  self->surface_dirty = TRUE;
  self->layout_seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
  return self->layout != NULL;
}

static double change_alpha(VmsMapView *self) {
  if (!self->n_changes || self->fade_step >= FADE_STEPS)
    return 0;
  return 1.0 - (double)self->fade_step / FADE_STEPS;
}

static void draw_placeholder(GtkWidget *w, cairo_t *cr, const char *text) {
  GtkStyleContext *sc = gtk_widget_get_style_context(w);
  int width = gtk_widget_get_allocated_width(w), height = gtk_widget_get_allocated_height(w);
  PangoLayout *pl = gtk_widget_create_pango_layout(w, text);
  int tw, th;
  pango_layout_get_pixel_size(pl, &tw, &th);
  gtk_render_layout(sc, cr, (width - tw) / 2.0, (height - th) / 2.0, pl);
  g_object_unref(pl);
}

static cairo_surface_t *new_surface(int width, int height, int scale) {
  cairo_surface_t *s =
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width * scale, height * scale);
  cairo_surface_set_device_scale(s, scale, scale);
  return s;
}

/* The page states to draw: the residency view's, of this process. */
static const VmsPageMap *shown_pages(VmsMapView *self) {
  const VmsPageMap *pm = self->pages;
  if (!self->residency || !pm || !self->snap || pm->pid != self->snap->pid ||
      pm->start_time != self->snap->start_time)
    return NULL;
  return pm;
}

static void render_into(VmsMapView *self, cairo_surface_t *target, VmsRenderExtras *extras) {
  extras->pages = shown_pages(self);
  extras->themed = self->theme.themed;
  memcpy(extras->background, self->theme.background, sizeof extras->background);
  memcpy(extras->text, self->theme.text, sizeof extras->text);
  cairo_t *scr = cairo_create(target);
  cairo_set_operator(scr, CAIRO_OPERATOR_CLEAR);
  cairo_paint(scr);
  cairo_set_operator(scr, CAIRO_OPERATOR_OVER);
  vms_render_map(scr, self->snap, self->layout, extras);
  cairo_destroy(scr);
}

static gboolean vms_map_view_draw(GtkWidget *w, cairo_t *cr) {
  VmsMapView *self = VMS_MAP_VIEW(w);
  GtkStyleContext *sc = gtk_widget_get_style_context(w);
  int width = gtk_widget_get_allocated_width(w), height = gtk_widget_get_allocated_height(w);
  gtk_render_background(sc, cr, 0, 0, width, height);
  if (!self->snap) {
    draw_placeholder(w, cr, "No process attached. Press Ctrl+O to pick one.");
    return FALSE;
  }
  if (!ensure_layout(self)) {
    draw_placeholder(w, cr, "The map cannot be laid out at this size.");
    return FALSE;
  }
  int scale = gtk_widget_get_scale_factor(w);
  if (!self->surface || self->surface_w != width || self->surface_h != height ||
      self->surface_scale != scale) {
    g_clear_pointer(&self->surface, cairo_surface_destroy);
    g_clear_pointer(&self->marks_surface, cairo_surface_destroy);
    self->surface = new_surface(width, height, scale);
    self->surface_w = width;
    self->surface_h = height;
    self->surface_scale = scale;
    self->surface_dirty = TRUE;
  }
  /* The theme's colours: free space reads as the window's background, a
   * theme switch redraws the cached images. */
  VmsRenderExtras theme = {0};
  vms_ui_theme_colors(w, &theme);
  if (theme.themed != self->theme.themed ||
      memcmp(theme.background, self->theme.background, sizeof theme.background) != 0 ||
      memcmp(theme.text, self->theme.text, sizeof theme.text) != 0) {
    self->theme = theme;
    self->surface_dirty = TRUE;
  }
  double alpha = change_alpha(self);
  if (self->surface_dirty) {
    gint64 t0 = g_get_monotonic_time();
    VmsRenderExtras plain = {0};
    render_into(self, self->surface, &plain);
    g_clear_pointer(&self->marks_surface, cairo_surface_destroy);
    self->surface_dirty = FALSE;
    self->render_seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
  }
  if (alpha > 0 && !self->marks_surface) {
    self->marks_surface = new_surface(width, height, scale);
    VmsRenderExtras extras = {self->changes, self->n_changes, 1.0};
    render_into(self, self->marks_surface, &extras);
  }
  cairo_set_source_surface(cr, self->surface, 0, 0);
  cairo_paint(cr);
  if (alpha > 0 && self->marks_surface) {
    cairo_set_source_surface(cr, self->marks_surface, 0, 0);
    cairo_paint_with_alpha(cr, alpha);
  }
  if (gtk_widget_has_visible_focus(w))
    gtk_render_focus(sc, cr, 1, 1, width - 2, height - 2);
  return FALSE;
}

static void vms_map_view_size_allocate(GtkWidget *w, GtkAllocation *alloc) {
  GTK_WIDGET_CLASS(vms_map_view_parent_class)->size_allocate(w, alloc);
  VmsMapView *self = VMS_MAP_VIEW(w);
  if (alloc->width != self->layout_w || alloc->height != self->layout_h)
    invalidate_layout(self);
}

/* The space the renderer clamps viewports to. */
static uint64_t space_lo(const VmsSnapshot *s) {
  return vms_viewport_fit(s, VMS_LAYOUT_LINEAR).start;
}
static uint64_t space_hi(const VmsSnapshot *s) {
  return vms_viewport_fit(s, VMS_LAYOUT_LINEAR).end;
}

/* Centres the view on [start, end) keeping the zoom, unless it is already visible. */
static void bring_into_view(VmsMapView *self, size_t idx) {
  if (!self->snap || idx >= self->snap->n_regions)
    return;
  const VmsRegion *r = &self->snap->regions[idx];
  if (r->start >= self->vp.start && r->start < self->vp.end)
    return;
  uint64_t span = self->vp.end - self->vp.start;
  uint64_t lo = space_lo(self->snap), hi = space_hi(self->snap);
  if (span > hi - lo)
    span = hi - lo;
  /* Regions outside the usable range ([vsyscall]) pull the view to its edge. */
  uint64_t start = r->start > span / 2 ? r->start - span / 2 : 0;
  if (start > hi - span)
    start = hi - span;
  if (start < lo)
    start = lo;
  self->vp.start = start;
  self->vp.end = start + span;
  viewport_changed(self);
}

/* Screen readers hear the selected region: the arrow keys are the map's only
 * non-visual way in. */
static void describe_selection(VmsMapView *self) {
  char text[700] = "No region selected. Arrow keys move between regions.";
  if (self->snap && self->selected != SIZE_MAX) {
    const VmsRegion *r = &self->snap->regions[self->selected];
    char size[32], desc[512];
    vms_size_format(r->end - r->start, size, sizeof size);
    vms_region_describe(self->snap, r, desc, sizeof desc);
    g_snprintf(text, sizeof text, "%s, %s, %s at 0x%" G_GINT64_MODIFIER "x%s%s",
               vms_type_title((VmsRegionType)r->type), vms_state_name((VmsRegionState)r->state),
               size, r->start, *desc ? ": " : "", desc);
  }
  AtkObject *acc = gtk_widget_get_accessible(GTK_WIDGET(self));
  if (acc)
    atk_object_set_description(acc, text);
}

void vms_map_view_select(VmsMapView *self, size_t idx, gboolean emit) {
  g_return_if_fail(VMS_IS_MAP_VIEW(self));
  if (!self->snap || idx >= self->snap->n_regions)
    idx = SIZE_MAX;
  gboolean changed = idx != self->selected;
  self->selected = idx;
  self->selected_start = idx == SIZE_MAX ? UINT64_MAX : self->snap->regions[idx].start;
  self->vp.selected_start = self->selected_start;
  if (changed) {
    /* The geometry stays: only the outline moves, so the layout is kept. */
    if (self->layout && !self->layout_dirty)
      vms_layout_set_selected(self->layout, self->selected_start);
    self->surface_dirty = TRUE;
    gtk_widget_queue_draw(GTK_WIDGET(self));
    describe_selection(self);
  }
  if (idx != SIZE_MAX)
    bring_into_view(self, idx);
  if (changed && emit)
    g_signal_emit(self, signals[SIG_SELECTION_CHANGED], 0);
}

size_t vms_map_view_get_selected(VmsMapView *self) {
  g_return_val_if_fail(VMS_IS_MAP_VIEW(self), SIZE_MAX);
  return self->selected;
}

guint vms_map_view_get_n_layouts(VmsMapView *self) {
  g_return_val_if_fail(VMS_IS_MAP_VIEW(self), 0);
  return self->n_layouts;
}

static size_t region_at(VmsMapView *self, double x, double y) {
  uint64_t addr;
  if (!ensure_layout(self) || !vms_layout_addr_at(self->layout, x, y, &addr))
    return SIZE_MAX;
  return vms_snapshot_find(self->snap, addr);
}

gboolean vms_map_view_select_at(VmsMapView *self, double x, double y) {
  g_return_val_if_fail(VMS_IS_MAP_VIEW(self), FALSE);
  size_t idx = region_at(self, x, y);
  if (idx == SIZE_MAX)
    return FALSE;
  vms_map_view_select(self, idx, TRUE);
  return TRUE;
}

gboolean vms_map_view_point_of(VmsMapView *self, uint64_t addr, double *x, double *y) {
  g_return_val_if_fail(VMS_IS_MAP_VIEW(self), FALSE);
  if (!ensure_layout(self) || !vms_layout_point_of(self->layout, addr, x, y))
    return FALSE;
  *x += 0.5;
  *y += 0.5;
  return TRUE;
}

gboolean vms_map_view_addr_at(VmsMapView *self, double x, double y, uint64_t *addr) {
  g_return_val_if_fail(VMS_IS_MAP_VIEW(self), FALSE);
  return ensure_layout(self) && vms_layout_addr_at(self->layout, x, y, addr);
}

void vms_map_view_zoom_at(VmsMapView *self, double x, double y, double factor) {
  g_return_if_fail(VMS_IS_MAP_VIEW(self));
  if (!ensure_layout(self))
    return;
  if (x < 0) {
    x = self->layout_w / 2.0;
    y = self->layout_h / 2.0;
  }
  VmsViewport vp = vms_viewport_zoom(self->layout, self->snap, &self->vp, x, y, factor);
  if (vp.start == self->vp.start && vp.end == self->vp.end)
    return;
  self->vp = vp;
  viewport_changed(self);
}

void vms_map_view_pan(VmsMapView *self, double dx, double dy) {
  g_return_if_fail(VMS_IS_MAP_VIEW(self));
  if (!ensure_layout(self))
    return;
  VmsViewport vp = vms_viewport_pan(self->layout, self->snap, &self->vp, dx, dy);
  if (vp.start == self->vp.start && vp.end == self->vp.end)
    return;
  self->vp = vp;
  viewport_changed(self);
}

void vms_map_view_zoom_fit(VmsMapView *self) {
  g_return_if_fail(VMS_IS_MAP_VIEW(self));
  if (!self->snap)
    return;
  VmsViewport vp = vms_viewport_fit(self->snap, self->kind);
  vp.show_labels = TRUE;
  vp.selected_start = self->vp.selected_start;
  self->vp = vp;
  viewport_changed(self);
}

void vms_map_view_zoom_to_region(VmsMapView *self, size_t idx) {
  g_return_if_fail(VMS_IS_MAP_VIEW(self));
  if (!self->snap || idx >= self->snap->n_regions)
    return;
  const VmsRegion *r = &self->snap->regions[idx];
  uint64_t lo = space_lo(self->snap), hi = space_hi(self->snap);
  uint64_t page = self->snap->page_size ? self->snap->page_size : 4096;
  /* Regions may lie partly or wholly outside the drawable space (the one
   * below mmap_min_addr, [vsyscall] above the top): zoom to their part in it,
   * or to the edge they lie beyond. */
  uint64_t rs = MIN(MAX(r->start, lo), hi), re = MIN(MAX(r->end, lo), hi);
  uint64_t margin = (re - rs) / 16;
  uint64_t start = rs - lo > margin ? rs - margin : lo;
  uint64_t end = hi - re > margin ? re + margin : hi;
  if (end - start < 16 * page) {
    end = hi - start > 16 * page ? start + 16 * page : hi;
    start = end - lo > 16 * page ? end - 16 * page : lo;
  }
  if (end <= start)
    return; /* a space smaller than a page: nothing to zoom to */
  self->vp.start = start;
  self->vp.end = end;
  viewport_changed(self);
}

static void fade_stop(VmsMapView *self) {
  if (self->fade_id) {
    g_source_remove(self->fade_id);
    self->fade_id = 0;
  }
}

static gboolean fade_tick(gpointer data) {
  VmsMapView *self = data;
  self->fade_step++;
  gtk_widget_queue_draw(GTK_WIDGET(self));
  if (self->fade_step >= FADE_STEPS) {
    g_clear_pointer(&self->changes, free);
    self->n_changes = 0;
    self->fade_id = 0;
    g_clear_pointer(&self->marks_surface, cairo_surface_destroy);
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

void vms_map_view_set_snapshot(VmsMapView *self, VmsSnapshot *snap) {
  g_return_if_fail(VMS_IS_MAP_VIEW(self));
  /* Released on return, after the diff against it. */
  g_autoptr(VmsSnapshot) old = self->snap;
  self->snap = snap ? vms_snapshot_ref(snap) : NULL;
  gboolean same = old && snap && old->pid == snap->pid && old->start_time == snap->start_time;
  if (same && old->n_regions == snap->n_regions &&
      memcmp(old->regions, snap->regions, snap->n_regions * sizeof *snap->regions) == 0) {
    /* Nothing moved: the layout holds no pointer into the snapshot, so it
     * and the drawn image stay valid; a static target costs no repaint. */
    return;
  }
  fade_stop(self);
  g_clear_pointer(&self->changes, free);
  self->n_changes = 0;
  if (same) {
    VmsChange *changes = NULL;
    size_t n = vms_snapshot_diff(old, snap, &changes);
    if (n) {
      self->changes = changes;
      self->n_changes = n;
      self->fade_step = 0;
      self->fade_id = g_timeout_add(FADE_TICK_MS, fade_tick, self);
    } else {
      free(changes);
    }
  }
  if (!same) {
    self->selected = SIZE_MAX;
    self->selected_start = UINT64_MAX;
    if (snap)
      vms_map_view_zoom_fit(self);
  } else if (self->selected != SIZE_MAX) {
    size_t idx = vms_snapshot_find(snap, self->selected_start);
    self->selected = idx;
    if (idx != SIZE_MAX)
      self->selected_start = snap->regions[idx].start;
  }
  invalidate_layout(self);
}

void vms_map_view_set_changes(VmsMapView *self, VmsChange *changes, size_t n) {
  g_return_if_fail(VMS_IS_MAP_VIEW(self));
  fade_stop(self);
  g_clear_pointer(&self->changes, free);
  self->changes = n ? changes : NULL;
  self->n_changes = n;
  if (!n)
    free(changes);
  /* Held at full strength: no fade runs until the next snapshot. */
  self->fade_step = 0;
  g_clear_pointer(&self->marks_surface, cairo_surface_destroy);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

size_t vms_map_view_get_n_changes(VmsMapView *self) {
  g_return_val_if_fail(VMS_IS_MAP_VIEW(self), 0);
  return self->n_changes;
}

const VmsChange *vms_map_view_get_changes(VmsMapView *self) {
  g_return_val_if_fail(VMS_IS_MAP_VIEW(self), NULL);
  return self->changes;
}

VmsSnapshot *vms_map_view_get_snapshot(VmsMapView *self) {
  g_return_val_if_fail(VMS_IS_MAP_VIEW(self), NULL);
  return self->snap;
}

void vms_map_view_set_counters_snapshot(VmsMapView *self, VmsSnapshot *snap) {
  g_return_if_fail(VMS_IS_MAP_VIEW(self));
  vms_ui_snapshot_set(&self->counters_snap, snap);
}

void vms_map_view_set_layout_kind(VmsMapView *self, VmsLayoutKind kind) {
  g_return_if_fail(VMS_IS_MAP_VIEW(self));
  if (kind == self->kind)
    return;
  self->kind = kind;
  vms_map_view_zoom_fit(self);
}

VmsLayoutKind vms_map_view_get_layout_kind(VmsMapView *self) {
  g_return_val_if_fail(VMS_IS_MAP_VIEW(self), VMS_LAYOUT_LINEAR);
  return self->kind;
}
const VmsViewport *vms_map_view_get_viewport(VmsMapView *self) {
  g_return_val_if_fail(VMS_IS_MAP_VIEW(self), NULL);
  return &self->vp;
}

void vms_map_view_set_viewport(VmsMapView *self, const VmsViewport *vp) {
  g_return_if_fail(VMS_IS_MAP_VIEW(self));
  self->vp = *vp;
  self->kind = vp->kind;
  viewport_changed(self);
}

void vms_map_view_get_timings(VmsMapView *self, double *layout_s, double *render_s) {
  g_return_if_fail(VMS_IS_MAP_VIEW(self));
  *layout_s = self->layout_seconds;
  *render_s = self->render_seconds;
}

static gboolean vms_map_view_scroll(GtkWidget *w, GdkEventScroll *ev) {
  VmsMapView *self = VMS_MAP_VIEW(w);
  double dy = 0;
  switch (ev->direction) {
  case GDK_SCROLL_UP: dy = -1; break;
  case GDK_SCROLL_DOWN: dy = 1; break;
  case GDK_SCROLL_SMOOTH: dy = ev->delta_y; break;
  default: return FALSE;
  }
  if (dy == 0)
    return TRUE;
  vms_map_view_zoom_at(self, ev->x, ev->y, pow(1.25, -dy));
  return TRUE;
}

static gboolean vms_map_view_button_press(GtkWidget *w, GdkEventButton *ev) {
  VmsMapView *self = VMS_MAP_VIEW(w);
  if (ev->button != GDK_BUTTON_PRIMARY)
    return FALSE;
  gtk_widget_grab_focus(w);
  if (ev->type == GDK_2BUTTON_PRESS) {
    size_t idx = region_at(self, ev->x, ev->y);
    if (idx != SIZE_MAX)
      vms_map_view_zoom_to_region(self, idx);
    self->pressed = FALSE;
    return TRUE;
  }
  if (ev->type != GDK_BUTTON_PRESS)
    return TRUE;
  self->pressed = TRUE;
  self->dragging = FALSE;
  self->press_x = self->last_x = ev->x;
  self->press_y = self->last_y = ev->y;
  return TRUE;
}

static gboolean vms_map_view_motion(GtkWidget *w, GdkEventMotion *ev) {
  VmsMapView *self = VMS_MAP_VIEW(w);
  if (!self->pressed)
    return FALSE;
  if (!self->dragging && hypot(ev->x - self->press_x, ev->y - self->press_y) < 4)
    return TRUE;
  if (!self->dragging) {
    self->dragging = TRUE;
    GdkCursor *c = gdk_cursor_new_from_name(gtk_widget_get_display(w), "grabbing");
    gdk_window_set_cursor(gtk_widget_get_window(w), c);
    if (c)
      g_object_unref(c);
  }
  vms_map_view_pan(self, ev->x - self->last_x, ev->y - self->last_y);
  self->last_x = ev->x;
  self->last_y = ev->y;
  return TRUE;
}

static gboolean vms_map_view_button_release(GtkWidget *w, GdkEventButton *ev) {
  VmsMapView *self = VMS_MAP_VIEW(w);
  if (ev->button != GDK_BUTTON_PRIMARY || !self->pressed)
    return FALSE;
  self->pressed = FALSE;
  if (self->dragging) {
    self->dragging = FALSE;
    gdk_window_set_cursor(gtk_widget_get_window(w), NULL);
  } else {
    vms_map_view_select_at(self, ev->x, ev->y);
  }
  return TRUE;
}

static gboolean vms_map_view_key_press(GtkWidget *w, GdkEventKey *ev) {
  VmsMapView *self = VMS_MAP_VIEW(w);
  if (!self->snap || !self->snap->n_regions)
    return GTK_WIDGET_CLASS(vms_map_view_parent_class)->key_press_event(w, ev);
  size_t n = self->snap->n_regions, cur = self->selected;
  GdkModifierType mods = ev->state & gtk_accelerator_get_default_mod_mask();
  if (mods & ~GDK_SHIFT_MASK)
    return GTK_WIDGET_CLASS(vms_map_view_parent_class)->key_press_event(w, ev);
  switch (ev->keyval) {
  case GDK_KEY_Left:
  case GDK_KEY_Up:
  case GDK_KEY_KP_Left:
  case GDK_KEY_KP_Up:
    vms_map_view_select(self, cur == SIZE_MAX ? 0 : cur > 0 ? cur - 1 : 0, TRUE);
    return TRUE;
  case GDK_KEY_Right:
  case GDK_KEY_Down:
  case GDK_KEY_KP_Right:
  case GDK_KEY_KP_Down:
    vms_map_view_select(self, cur == SIZE_MAX ? 0 : cur + 1 < n ? cur + 1 : n - 1, TRUE);
    return TRUE;
  case GDK_KEY_Home:
  case GDK_KEY_KP_Home: vms_map_view_select(self, 0, TRUE); return TRUE;
  case GDK_KEY_End:
  case GDK_KEY_KP_End: vms_map_view_select(self, n - 1, TRUE); return TRUE;
  case GDK_KEY_Return:
  case GDK_KEY_KP_Enter:
    if (cur != SIZE_MAX)
      vms_map_view_zoom_to_region(self, cur);
    return TRUE;
  case GDK_KEY_plus:
  case GDK_KEY_equal:
  case GDK_KEY_KP_Add: vms_map_view_zoom_at(self, -1, -1, 1.5); return TRUE;
  case GDK_KEY_minus:
  case GDK_KEY_KP_Subtract: vms_map_view_zoom_at(self, -1, -1, 1 / 1.5); return TRUE;
  default: return GTK_WIDGET_CLASS(vms_map_view_parent_class)->key_press_event(w, ev);
  }
}

/* The residency view says what the page under the pointer holds. */
static void page_tooltip(VmsMapView *self, gboolean keyboard, int x, int y, GString *m) {
  static const char *const what[VMS_PAGE_STATE_COUNT] = {[VMS_PAGE_UNTOUCHED] = "untouched",
                                                         [VMS_PAGE_RESIDENT] = "resident",
                                                         [VMS_PAGE_SWAPPED] = "swapped"};
  uint64_t addr;
  VmsPageState st;
  if (!keyboard && self->layout && vms_layout_addr_at(self->layout, x, y, &addr) &&
      vms_render_page_state(self->snap, shown_pages(self), addr, &st))
    g_string_append_printf(m, "\nPage at <tt>%" G_GINT64_MODIFIER "x</tt>: %s", addr, what[st]);
}

static gboolean vms_map_view_query_tooltip(GtkWidget *w, int x, int y, gboolean keyboard,
                                           GtkTooltip *tooltip) {
  VmsMapView *self = VMS_MAP_VIEW(w);
  size_t idx = keyboard ? self->selected : region_at(self, x, y);
  if (!self->snap || idx == SIZE_MAX)
    return FALSE;
  const VmsSnapshot *s = self->snap;
  const VmsRegion *r = &s->regions[idx];
  char size[32], prot[8], desc[512];
  vms_size_format(r->end - r->start, size, sizeof size);
  vms_prot_format(r->prot, prot);
  vms_region_describe(s, r, desc, sizeof desc);
  GString *m = g_string_new(NULL);
  g_autofree char *edesc = g_markup_escape_text(desc, -1);
  g_string_append_printf(
      m, "<b>%s</b>, %s\n<tt>%016" G_GINT64_MODIFIER "x–%016" G_GINT64_MODIFIER "x</tt>\n%s",
      vms_type_title((VmsRegionType)r->type), vms_state_name((VmsRegionState)r->state), r->start,
      r->end, size);
  if (r->type != VMS_TYPE_FREE && r->type != VMS_TYPE_UNUSABLE)
    g_string_append_printf(m, ", <tt>%s</tt>", prot);
  if (*desc)
    g_string_append_printf(m, "\n%s", edesc);
  /* Each counter from the read that had it: residency or smaps. */
  static const struct {
    uint32_t bit;
    const char *label;
    size_t off;
  } shown[] = {
      {VMS_CTR_RSS, "Resident", offsetof(VmsCounters, rss)},
      {VMS_CTR_PSS, "PSS", offsetof(VmsCounters, pss)},
      {VMS_CTR_PRIVATE_DIRTY, "private dirty", offsetof(VmsCounters, private_dirty)},
      {VMS_CTR_SWAP, "swap", offsetof(VmsCounters, swap)},
  };
  const char *sep = "\n";
  for (size_t k = 0; k < G_N_ELEMENTS(shown); k++) {
    const VmsCounters *c = vms_ui_counters_for(s, idx, self->counters_snap, shown[k].bit);
    if (!c)
      continue;
    uint64_t v;
    memcpy(&v, (const char *)c + shown[k].off, sizeof v);
    char size_text[32];
    vms_size_format(v, size_text, sizeof size_text);
    g_string_append_printf(m, "%s%s %s", sep, shown[k].label, size_text);
    sep = ", ";
  }
  page_tooltip(self, keyboard, x, y, m);
  gtk_tooltip_set_markup(tooltip, m->str);
  g_string_free(m, TRUE);
  return TRUE;
}

static void vms_map_view_dispose(GObject *obj) {
  VmsMapView *self = VMS_MAP_VIEW(obj);
  fade_stop(self);
  g_clear_pointer(&self->layout, vms_layout_free);
  g_clear_pointer(&self->surface, cairo_surface_destroy);
  g_clear_pointer(&self->marks_surface, cairo_surface_destroy);
  g_clear_pointer(&self->changes, free);
  self->n_changes = 0;
  g_clear_pointer(&self->snap, vms_snapshot_unref);
  g_clear_pointer(&self->counters_snap, vms_snapshot_unref);
  g_clear_pointer(&self->pages, vms_page_map_free);
  G_OBJECT_CLASS(vms_map_view_parent_class)->dispose(obj);
}

static void vms_map_view_class_init(VmsMapViewClass *klass) {
  GObjectClass *oc = G_OBJECT_CLASS(klass);
  GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
  oc->dispose = vms_map_view_dispose;
  wc->draw = vms_map_view_draw;
  wc->size_allocate = vms_map_view_size_allocate;
  wc->scroll_event = vms_map_view_scroll;
  wc->button_press_event = vms_map_view_button_press;
  wc->button_release_event = vms_map_view_button_release;
  wc->motion_notify_event = vms_map_view_motion;
  wc->key_press_event = vms_map_view_key_press;
  wc->query_tooltip = vms_map_view_query_tooltip;
  signals[SIG_SELECTION_CHANGED] =
      g_signal_new("selection-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                   NULL, G_TYPE_NONE, 0);
  signals[SIG_VIEWPORT_CHANGED] =
      g_signal_new("viewport-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                   NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_css_name(wc, "vmsmap");
}

static void vms_map_view_init(VmsMapView *self) {
  GtkWidget *w = GTK_WIDGET(self);
  self->selected = SIZE_MAX;
  self->selected_start = UINT64_MAX;
  self->vp.selected_start = UINT64_MAX;
  self->vp.show_labels = TRUE;
  self->kind = VMS_LAYOUT_LINEAR;
  gtk_widget_set_can_focus(w, TRUE);
  gtk_widget_set_has_tooltip(w, TRUE);
  gtk_widget_add_events(w, GDK_SCROLL_MASK | GDK_SMOOTH_SCROLL_MASK | GDK_BUTTON_PRESS_MASK |
                               GDK_BUTTON_RELEASE_MASK | GDK_POINTER_MOTION_MASK |
                               GDK_KEY_PRESS_MASK);
  gtk_widget_set_size_request(w, 200, 120);
  vms_ui_set_accessible(w, "Address space map",
                        "Map of the process's address space; arrow keys move between regions, "
                        "plus and minus zoom, Enter zooms to the selected region");
}

GtkWidget *vms_map_view_new(void) {
  return g_object_new(VMS_TYPE_MAP_VIEW, NULL);
}

void vms_map_view_set_residency(VmsMapView *self, gboolean on) {
  g_return_if_fail(VMS_IS_MAP_VIEW(self));
  on = !!on;
  if (on == self->residency)
    return;
  self->residency = on;
  self->surface_dirty = TRUE;
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

gboolean vms_map_view_get_residency(VmsMapView *self) {
  g_return_val_if_fail(VMS_IS_MAP_VIEW(self), FALSE);
  return self->residency;
}

void vms_map_view_set_pages(VmsMapView *self, VmsPageMap *pages) {
  g_return_if_fail(VMS_IS_MAP_VIEW(self));
  vms_page_map_free(self->pages);
  self->pages = pages;
  if (self->residency) {
    self->surface_dirty = TRUE;
    gtk_widget_queue_draw(GTK_WIDGET(self));
  }
}

const VmsPageMap *vms_map_view_get_shown_pages(VmsMapView *self) {
  g_return_val_if_fail(VMS_IS_MAP_VIEW(self), NULL);
  return shown_pages(self);
}

const VmsPageMap *vms_map_view_get_pages(VmsMapView *self) {
  g_return_val_if_fail(VMS_IS_MAP_VIEW(self), NULL);
  return self->pages;
}
