/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-summary.c: the summary panel (VMMap's table by type, fragmentation, free-block histogram,
 * fit) and the legend. */
#include "vms-summary.h"

#include <math.h>
#include <string.h>

#include "vms-barriers.h"
#include "vms-diff.h"
#include "vms-render.h"
#include "vms-ui-util.h"

enum { N_BARRIER_ROWS = 5 };

enum { C_SIZE, C_COMMITTED, C_PRIVATE, C_RESIDENT, C_BLOCKS, C_LARGEST, N_C };
#define N_ROWS (VMS_TYPE_COUNT + 1) /* the types, then Total */

struct _VmsSummary {
  GtkBox parent_instance;
  GtkWidget *cells[N_ROWS][N_C];
  GtkWidget *free_total, *free_largest, *free_blocks, *frag, *vma, *window_label;
  GtkWidget *histogram;
  GtkWidget *fit_entry, *fit_result;
  VmsSnapshot *snap;
  VmsSnapshot *counters_snap;
  GtkWidget *range_check;
  uint64_t range_lo, range_hi; /* the map's viewed range */
  VmsStats stats;
  gboolean resident_known;
  GHashTable *figures; /* key -> text, for tests and accessibility */
  GtkWidget *barrier_scope, *barrier_list;
  VmsBarriers barriers;
  /* Two marked moments: how the barriers changed from the older to the
   * newer (vms_barriers_diff, as --diff), over the scope cmp_ranged says. */
  GtkWidget *cmp_heading, *cmp_label, *cmp_list;
  VmsSnapshot *cmp_old, *cmp_new;
  size_t cmp_old_frame, cmp_new_frame;
  VmsBarriers cmp_a, cmp_b;
  VmsBarrierDiff cmp_diff;
  gboolean cmp_valid, cmp_ranged;
  uint64_t cmp_lo, cmp_hi;
};

enum { SIGNAL_REGION_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE(VmsSummary, vms_summary, GTK_TYPE_BOX)

/* Swatch data: a VmsRegionType, or PAGE_SWATCH + a VmsPageState. */
#define PAGE_SWATCH 100

static gboolean swatch_draw(GtkWidget *w, cairo_t *cr, gpointer data) {
  double rgb[3];
  int what = GPOINTER_TO_INT(data);
  VmsRegionType type = (VmsRegionType)what;
  if (what >= PAGE_SWATCH) {
    for (int i = 0; i < 3; i++)
      rgb[i] = vms_page_state_rgb[what - PAGE_SWATCH][i] / 255.0;
  } else if (type == VMS_TYPE_FREE) {
    /* As the map draws it: the theme's background. */
    VmsRenderExtras theme = {0};
    vms_ui_theme_colors(w, &theme);
    vms_render_free_color(&theme, rgb);
  } else {
    vms_palette_color(type, rgb);
  }
  int width = gtk_widget_get_allocated_width(w), height = gtk_widget_get_allocated_height(w);
  cairo_rectangle(cr, 0.5, 0.5, width - 1, height - 1);
  cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
  cairo_fill_preserve(cr);
  cairo_set_source_rgba(cr, 0, 0, 0, 0.45);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  return TRUE;
}

static GtkWidget *swatch_new(int what) {
  GtkWidget *w = gtk_drawing_area_new();
  gtk_widget_set_size_request(w, 14, 14);
  gtk_widget_set_valign(w, GTK_ALIGN_CENTER);
  g_signal_connect(w, "draw", G_CALLBACK(swatch_draw), GINT_TO_POINTER(what));
  return w;
}

static GtkWidget *legend_item(GtkWidget *box, int what, const char *label) {
  GtkWidget *item = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 4);
  gtk_box_pack_start(GTK_BOX(item), swatch_new(what), FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(item), gtk_label_new(label), FALSE, FALSE, 0);
  gtk_container_add(GTK_CONTAINER(box), item);
  GtkWidget *child = gtk_widget_get_parent(item);
  gtk_widget_set_can_focus(child, FALSE);
  return child;
}

GtkWidget *vms_legend_new(void) {
  GtkWidget *box = gtk_flow_box_new();
  gtk_flow_box_set_selection_mode(GTK_FLOW_BOX(box), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line(GTK_FLOW_BOX(box), VMS_TYPE_COUNT + VMS_PAGE_STATE_COUNT);
  gtk_flow_box_set_min_children_per_line(GTK_FLOW_BOX(box), 3);
  gtk_flow_box_set_column_spacing(GTK_FLOW_BOX(box), 6);
  gtk_widget_set_can_focus(box, FALSE);
  vms_ui_set_accessible(box, "Legend", "The colour of each region type on the map");
  for (int t = 0; t < VMS_TYPE_COUNT; t++)
    legend_item(box, t, vms_type_title(t));
  /* The residency view's colours, shown while it is on. */
  static const char *const pages[VMS_PAGE_STATE_COUNT] = {
      [VMS_PAGE_RESIDENT] = "Resident page",
      [VMS_PAGE_SWAPPED] = "Swapped page",
      [VMS_PAGE_UNTOUCHED] = "Untouched page",
  };
  static const VmsPageState order[] = {VMS_PAGE_RESIDENT, VMS_PAGE_SWAPPED, VMS_PAGE_UNTOUCHED};
  for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
    GtkWidget *child = legend_item(box, PAGE_SWATCH + (int)order[i], pages[order[i]]);
    gtk_widget_set_no_show_all(child, TRUE);
    g_object_set_data(G_OBJECT(child), "vms-page-state", GINT_TO_POINTER(1));
  }
  gtk_style_context_add_class(gtk_widget_get_style_context(box), "vms-legend");
  return box;
}

void vms_legend_show_pages(GtkWidget *legend, gboolean show) {
  g_autoptr(GList) children = gtk_container_get_children(GTK_CONTAINER(legend));
  for (GList *c = children; c; c = c->next) {
    if (!g_object_get_data(G_OBJECT(c->data), "vms-page-state"))
      continue;
    gtk_widget_set_visible(GTK_WIDGET(c->data), show);
    if (show)
      gtk_widget_show_all(GTK_WIDGET(c->data));
  }
}

static void set_figure(VmsSummary *self, GtkWidget *label, const char *key, const char *text) {
  gtk_label_set_text(GTK_LABEL(label), text);
  g_hash_table_replace(self->figures, g_strdup(key), g_strdup(text));
}

static GtkWidget *heading(const char *text) {
  GtkWidget *l = gtk_label_new(text);
  gtk_label_set_xalign(GTK_LABEL(l), 0);
  gtk_style_context_add_class(gtk_widget_get_style_context(l), "vms-heading");
  return l;
}

static GtkWidget *value_label(void) {
  GtkWidget *l = gtk_label_new("–");
  gtk_label_set_xalign(GTK_LABEL(l), 1);
  gtk_label_set_selectable(GTK_LABEL(l), TRUE);
  gtk_widget_set_can_focus(l, FALSE);
  gtk_style_context_add_class(gtk_widget_get_style_context(l), "vms-number");
  return l;
}

static gboolean histogram_draw(GtkWidget *w, cairo_t *cr, VmsSummary *self) {
  GtkStyleContext *sc = gtk_widget_get_style_context(w);
  int width = gtk_widget_get_allocated_width(w), height = gtk_widget_get_allocated_height(w);
  GdkRGBA fg;
  gtk_style_context_get_color(sc, gtk_style_context_get_state(sc), &fg);
  const uint64_t *h = self->stats.free_hist;
  int lo = -1, hi = -1;
  uint64_t max = 0;
  for (int k = 0; k < VMS_HIST_BUCKETS; k++)
    if (h[k]) {
      if (lo < 0)
        lo = k;
      hi = k;
      if (h[k] > max)
        max = h[k];
    }
  if (!self->snap || lo < 0) {
    PangoLayout *pl = gtk_widget_create_pango_layout(w, self->snap ? "No free blocks" : "");
    gtk_render_layout(sc, cr, 4, 4, pl);
    g_object_unref(pl);
    return TRUE;
  }
  int label_h = 16, n = hi - lo + 1;
  double bw = (double)width / n, plot_h = height - label_h - 2;
  double rgb[3];
  vms_palette_color(VMS_TYPE_FREE, rgb);
  for (int k = lo; k <= hi; k++) {
    /* Square-root scale so a single huge gap does not flatten the rest. */
    double bh = h[k] ? fmax(2, plot_h * sqrt((double)h[k] / (double)max)) : 0;
    cairo_rectangle(cr, (k - lo) * bw + 1, plot_h - bh, fmax(1, bw - 2), bh);
  }
  cairo_set_source_rgb(cr, rgb[0] * 0.8, rgb[1] * 0.8, rgb[2] * 0.8);
  cairo_fill_preserve(cr);
  gdk_cairo_set_source_rgba(cr, &fg);
  cairo_set_line_width(cr, 0.5);
  cairo_stroke(cr);
  char a[32], b[32], text[80];
  vms_size_format((uint64_t)1 << lo, a, sizeof a);
  vms_size_format((uint64_t)1 << hi, b, sizeof b);
  g_snprintf(text, sizeof text, "%s … %s (largest bar: %" G_GUINT64_FORMAT ")", a, b, max);
  PangoLayout *pl = gtk_widget_create_pango_layout(w, text);
  gtk_render_layout(sc, cr, 2, height - label_h, pl);
  g_object_unref(pl);
  return TRUE;
}

static void refresh_figures(VmsSummary *self);
static void on_range_toggled(GtkToggleButton *b, VmsSummary *self) {
  refresh_figures(self);
}

static void on_fit_changed(GtkEntry *entry, VmsSummary *self) {
  vms_summary_ask_fit(self, gtk_entry_get_text(entry));
}

static void vms_summary_dispose(GObject *obj) {
  VmsSummary *self = VMS_SUMMARY(obj);
  g_clear_pointer(&self->snap, vms_snapshot_unref);
  g_clear_pointer(&self->counters_snap, vms_snapshot_unref);
  g_clear_pointer(&self->figures, g_hash_table_unref);
  vms_barriers_clear(&self->barriers);
  g_clear_pointer(&self->cmp_old, vms_snapshot_unref);
  g_clear_pointer(&self->cmp_new, vms_snapshot_unref);
  vms_barriers_clear(&self->cmp_a);
  vms_barriers_clear(&self->cmp_b);
  self->cmp_valid = FALSE;
  G_OBJECT_CLASS(vms_summary_parent_class)->dispose(obj);
}

static void vms_summary_class_init(VmsSummaryClass *klass) {
  G_OBJECT_CLASS(klass)->dispose = vms_summary_dispose;
  /* A barrier or group row was activated: select region (an index in the
   * snapshot shown) and show [start, end) on the map. */
  signals[SIGNAL_REGION_ACTIVATED] =
      g_signal_new("region-activated", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                   NULL, G_TYPE_NONE, 3, G_TYPE_UINT64, G_TYPE_UINT64, G_TYPE_UINT64);
}

static void on_barrier_row(GtkListBox *box, GtkListBoxRow *row, VmsSummary *self) {
  if (!self->snap)
    return;
  guint64 *where = g_object_get_data(G_OBJECT(row), "vms-where");
  if (where)
    g_signal_emit(self, signals[SIGNAL_REGION_ACTIVATED], 0, where[0], where[1], where[2]);
}

/* One clickable row of list: text, and the region and range it stands for. */
static void list_row_add(VmsSummary *self, GtkWidget *list, const char *key, const char *text,
                         uint64_t start, uint64_t end, size_t idx) {
  GtkWidget *l = gtk_label_new(text);
  gtk_label_set_xalign(GTK_LABEL(l), 0);
  gtk_label_set_line_wrap(GTK_LABEL(l), TRUE);
  gtk_label_set_max_width_chars(GTK_LABEL(l), 48);
  GtkWidget *row = gtk_list_box_row_new();
  gtk_container_add(GTK_CONTAINER(row), l);
  guint64 *where = g_new(guint64, 3);
  where[0] = start;
  where[1] = end;
  where[2] = idx;
  g_object_set_data_full(G_OBJECT(row), "vms-where", where, g_free);
  gtk_widget_set_tooltip_text(row, "Select it and zoom the map to it");
  gtk_widget_show_all(row);
  gtk_container_add(GTK_CONTAINER(list), row);
  g_hash_table_replace(self->figures, g_strdup(key), g_strdup(text));
}

static void barrier_row_add(VmsSummary *self, const char *key, const char *text, uint64_t start,
                            uint64_t end, size_t idx) {
  list_row_add(self, self->barrier_list, key, text, start, end, idx);
}

static void clear_rows(VmsSummary *self, GtkWidget *list, const char *prefix) {
  GList *rows = gtk_container_get_children(GTK_CONTAINER(list));
  for (GList *l = rows; l; l = l->next)
    gtk_widget_destroy(l->data);
  g_list_free(rows);
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init(&it, self->figures);
  while (g_hash_table_iter_next(&it, &key, NULL))
    if (g_str_has_prefix(key, prefix))
      g_hash_table_iter_remove(&it);
}

/* "A → B", or A alone when they are equal. */
static void size_pair(uint64_t a, uint64_t b, const char *sign, char *buf, size_t len) {
  char x[32], y[32];
  vms_size_format(a, x, sizeof x);
  vms_size_format(b, y, sizeof y);
  if (a == b)
    g_snprintf(buf, len, "%s%s", sign, x);
  else
    g_snprintf(buf, len, "%s%s → %s%s", sign, x, sign, y);
}

static void count_pair(uint64_t a, uint64_t b, char *buf, size_t len) {
  if (a == b)
    g_snprintf(buf, len, "%" G_GUINT64_FORMAT, a);
  else
    g_snprintf(buf, len, "%" G_GUINT64_FORMAT " → %" G_GUINT64_FORMAT, a, b);
}

/* The rows of the comparison: each barrier that appeared, vanished or
 * gained otherwise, then each group that changed, as --diff lists them.
 * Activating one selects the region at its start in the frame shown and
 * zooms the map to its span. */
static void refresh_comparison(VmsSummary *self, gboolean ranged) {
  clear_rows(self, self->cmp_list, "barrier_change");
  vms_barriers_clear(&self->cmp_a);
  vms_barriers_clear(&self->cmp_b);
  self->cmp_valid = FALSE;
  self->cmp_ranged = ranged;
  self->cmp_lo = self->range_lo;
  self->cmp_hi = self->range_hi;
  gboolean on = self->cmp_old && self->cmp_new;
  gtk_widget_set_visible(self->cmp_heading, on);
  gtk_widget_set_visible(self->cmp_label, on);
  gtk_widget_set_visible(self->cmp_list, on);
  if (!on) {
    g_hash_table_remove(self->figures, "barrier_changes");
    return;
  }
  char text[1200], who[600], a[96], b[96], c[96], d[96];
  VmsError err = {0};
  if (vms_barriers_diff(self->cmp_old, self->cmp_new, ranged, self->range_lo, self->range_hi, 0,
                        &self->cmp_a, &self->cmp_b, &self->cmp_diff, &err) != VMS_OK) {
    vms_barriers_clear(&self->cmp_a);
    vms_barriers_clear(&self->cmp_b);
    set_figure(self, self->cmp_label, "barrier_changes", "Out of memory comparing the barriers.");
    return;
  }
  self->cmp_valid = TRUE;
  const VmsBarrierDiff *bd = &self->cmp_diff;
  if (!bd->n_barriers && !bd->n_groups)
    g_snprintf(text, sizeof text,
               "From frame %zu to frame %zu the top barriers and their owners did not change.",
               self->cmp_old_frame + 1, self->cmp_new_frame + 1);
  else
    g_snprintf(text, sizeof text,
               "From frame %zu to frame %zu: %zu barrier%s and %zu group%s changed.",
               self->cmp_old_frame + 1, self->cmp_new_frame + 1, bd->n_barriers,
               bd->n_barriers == 1 ? "" : "s", bd->n_groups, bd->n_groups == 1 ? "" : "s");
  set_figure(self, self->cmp_label, "barrier_changes", text);
  const VmsSnapshot *shown = self->snap ? self->snap : self->cmp_new;
  for (size_t i = 0; i < bd->n_barriers; i++) {
    const VmsBarrierChange *ch = &bd->barriers[i];
    const VmsBarrier *o = ch->old_b, *n = ch->new_b, *any = n ? n : o;
    vms_barrier_describe(n ? self->cmp_new : self->cmp_old, any, who, sizeof who);
    g_autofree char *valid = g_utf8_make_valid(who, -1);
    vms_size_format(any->end - any->start, a, sizeof a);
    if (ch->kind == VMS_BARRIER_GAIN) {
      size_pair(o->merged, n->merged, "", b, sizeof b);
      size_pair(o->gain, n->gain, "+", c, sizeof c);
      g_snprintf(text, sizeof text,
                 "Gain changed: %s at 0x%" G_GINT64_MODIFIER "x (%s): without it %s free (%s)",
                 valid, any->start, a, b, c);
    } else {
      vms_size_format(any->merged, b, sizeof b);
      vms_size_format(any->gain, c, sizeof c);
      /* The figures of the moment it stands in. */
      g_snprintf(
          text, sizeof text, "%s: %s at 0x%" G_GINT64_MODIFIER "x (%s): without it %s free (+%s)",
          ch->kind == VMS_BARRIER_APPEARED ? "Appeared" : "Vanished", valid, any->start, a, b, c);
    }
    char key[40];
    g_snprintf(key, sizeof key, "barrier_change:%zu", i);
    size_t idx = vms_snapshot_find(shown, any->start);
    list_row_add(self, self->cmp_list, key, text, any->start, any->end,
                 idx == SIZE_MAX ? shown->n_regions : idx);
  }
  for (size_t i = 0; i < bd->n_groups; i++) {
    const VmsGroupChange *ch = &bd->groups[i];
    const VmsBarrierGroupStats *o = ch->old_g, *n = ch->new_g, *any = n->units ? n : o;
    const char *title = vms_barrier_group_title(ch->group);
    if (ch->kind == VMS_GROUP_CHANGED) {
      count_pair(o->units, n->units, a, sizeof a);
      size_pair(o->bytes, n->bytes, "", b, sizeof b);
      count_pair(o->walls, n->walls, c, sizeof c);
      size_pair(o->largest_without, n->largest_without, "", d, sizeof d);
      g_snprintf(text, sizeof text, "%s changed: %s (%s), %s barriers; without all of them %s free",
                 title, a, b, c, d);
    } else {
      vms_size_format(any->bytes, b, sizeof b);
      vms_size_format(any->largest_without, d, sizeof d);
      g_snprintf(text, sizeof text,
                 "%s %s: %" G_GUINT64_FORMAT " (%s), %" G_GUINT64_FORMAT
                 " barrier%s; without all of them %s free",
                 title, ch->kind == VMS_GROUP_APPEARED ? "appeared" : "vanished", any->units, b,
                 any->walls, any->walls == 1 ? "" : "s", d);
    }
    char key[48];
    g_snprintf(key, sizeof key, "barrier_change_group:%s", vms_barrier_group_name(ch->group));
    size_t idx = vms_snapshot_find(shown, any->lowest);
    list_row_add(self, self->cmp_list, key, text, any->lowest, any->highest,
                 idx == SIZE_MAX ? shown->n_regions : idx);
  }
}

/* The barriers over the viewed range when figures are for it, else over
 * the default scope (a 64-bit space's busiest cluster). */
static void refresh_barriers(VmsSummary *self, gboolean ranged) {
  clear_rows(self, self->barrier_list, "barrier:");
  clear_rows(self, self->barrier_list, "barrier_group:");
  clear_rows(self, self->barrier_list, "barrier_fact:");
  g_hash_table_remove(self->figures, "barriers_scope");
  /* The comparison follows the scope: again only when that changed. */
  if (self->cmp_old && self->cmp_new &&
      (ranged != self->cmp_ranged ||
       (ranged && (self->cmp_lo != self->range_lo || self->cmp_hi != self->range_hi))))
    refresh_comparison(self, ranged);
  vms_barriers_clear(&self->barriers);
  memset(&self->barriers, 0, sizeof self->barriers);
  if (!self->snap) {
    gtk_label_set_text(GTK_LABEL(self->barrier_scope), "");
    return;
  }
  VmsBarrierScope scope;
  if (ranged)
    vms_barrier_scope_given(self->range_lo, self->range_hi, &scope);
  else
    vms_barrier_scope_default(self->snap, &scope);
  VmsBarrierOptions opts = {.top = N_BARRIER_ROWS};
  char text[1024], who[600], a[32], b[32], c[32];
  if (vms_barriers_compute(self->snap, &scope, &opts, &self->barriers, NULL) != VMS_OK) {
    set_figure(self, self->barrier_scope, "barriers_scope",
               "Out of memory computing the barriers.");
    return;
  }
  const VmsBarriers *bs = &self->barriers;
  char sc[320];
  vms_barrier_scope_describe(&bs->scope, sc, sizeof sc);
  vms_size_format(bs->largest, a, sizeof a);
  g_snprintf(text, sizeof text, "Over %s: %" G_GUINT64_FORMAT " barrier%s, largest free block %s.",
             sc, bs->n_barriers, bs->n_barriers == 1 ? "" : "s", a);
  set_figure(self, self->barrier_scope, "barriers_scope", text);
  for (size_t k = 0; k < bs->n_by_gain; k++) {
    const VmsBarrier *br = &bs->by_gain[k];
    vms_barrier_describe(self->snap, br, who, sizeof who);
    g_autofree char *valid = g_utf8_make_valid(who, -1);
    vms_size_format(br->end - br->start, a, sizeof a);
    vms_size_format(br->merged, b, sizeof b);
    vms_size_format(br->gain, c, sizeof c);
    g_snprintf(text, sizeof text, "%s at 0x%" G_GINT64_MODIFIER "x (%s): without it %s free (+%s)",
               valid, br->start, a, b, c);
    char fk[32];
    g_snprintf(fk, sizeof fk, "barrier:%zu", k);
    barrier_row_add(self, fk, text, br->start, br->end, br->first);
  }
  for (int g = 0; g < VMS_BGROUP_COUNT; g++) {
    const VmsBarrierGroupStats *gs = &bs->groups[g];
    if (!gs->units || g == VMS_BGROUP_SYSTEM)
      continue;
    vms_size_format(gs->bytes, a, sizeof a);
    vms_size_format(gs->largest_without, b, sizeof b);
    g_snprintf(text, sizeof text,
               "%s: %" G_GUINT64_FORMAT " (%s), %" G_GUINT64_FORMAT
               " barrier%s; without all of them %s free",
               vms_barrier_group_title((VmsBarrierGroup)g), gs->units, a, gs->walls,
               gs->walls == 1 ? "" : "s", b);
    char fk[40];
    g_snprintf(fk, sizeof fk, "barrier_group:%s", vms_barrier_group_name((VmsBarrierGroup)g));
    size_t idx = vms_snapshot_find(self->snap, gs->lowest);
    barrier_row_add(self, fk, text, gs->lowest, gs->highest, idx);
  }
  for (int k = 0; k < VMS_FACT_COUNT; k++) {
    if (!vms_barrier_fact_text(bs, (VmsBarrierFact)k, text, sizeof text))
      continue;
    char fk[40];
    g_snprintf(fk, sizeof fk, "barrier_fact:%s", vms_barrier_fact_name((VmsBarrierFact)k));
    g_hash_table_replace(self->figures, g_strdup(fk), g_strdup(text));
    GtkWidget *l = gtk_label_new(text);
    gtk_label_set_xalign(GTK_LABEL(l), 0);
    gtk_label_set_line_wrap(GTK_LABEL(l), TRUE);
    gtk_label_set_max_width_chars(GTK_LABEL(l), 48);
    gtk_style_context_add_class(gtk_widget_get_style_context(l), "dim-label");
    GtkWidget *row = gtk_list_box_row_new();
    gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), FALSE);
    gtk_container_add(GTK_CONTAINER(row), l);
    gtk_widget_show_all(row);
    gtk_container_add(GTK_CONTAINER(self->barrier_list), row);
  }
}

static GtkWidget *pair_row(GtkGrid *grid, int row, const char *title) {
  GtkWidget *l = gtk_label_new(title);
  gtk_label_set_xalign(GTK_LABEL(l), 0);
  gtk_style_context_add_class(gtk_widget_get_style_context(l), "dim-label");
  GtkWidget *v = value_label();
  gtk_grid_attach(grid, l, 0, row, 1, 1);
  gtk_grid_attach(grid, v, 1, row, 1, 1);
  return v;
}

static void vms_summary_init(VmsSummary *self) {
  self->figures = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing(GTK_BOX(self), 8);
  g_object_set(self, "margin", 10, NULL);
  gtk_style_context_add_class(gtk_widget_get_style_context(GTK_WIDGET(self)), "vms-summary");

  gtk_box_pack_start(GTK_BOX(self), heading("By type"), FALSE, FALSE, 0);
  GtkWidget *grid = gtk_grid_new();
  gtk_grid_set_column_spacing(GTK_GRID(grid), 8);
  gtk_grid_set_row_spacing(GTK_GRID(grid), 2);
  static const char *const cols[N_C] = {"Size",     "Committed", "Private",
                                        "Resident", "Blocks",    "Largest"};
  for (int c = 0; c < N_C; c++) {
    GtkWidget *l = gtk_label_new(cols[c]);
    gtk_label_set_xalign(GTK_LABEL(l), 1);
    gtk_style_context_add_class(gtk_widget_get_style_context(l), "dim-label");
    gtk_grid_attach(GTK_GRID(grid), l, c + 2, 0, 1, 1);
  }
  for (int r = 0; r < N_ROWS; r++) {
    if (r < VMS_TYPE_COUNT)
      gtk_grid_attach(GTK_GRID(grid), swatch_new(r), 0, r + 1, 1, 1);
    GtkWidget *name = gtk_label_new(r < VMS_TYPE_COUNT ? vms_type_title(r) : "Total");
    gtk_label_set_xalign(GTK_LABEL(name), 0);
    if (r == VMS_TYPE_COUNT)
      gtk_style_context_add_class(gtk_widget_get_style_context(name), "vms-total");
    gtk_grid_attach(GTK_GRID(grid), name, 1, r + 1, 1, 1);
    for (int c = 0; c < N_C; c++) {
      self->cells[r][c] = value_label();
      gtk_grid_attach(GTK_GRID(grid), self->cells[r][c], c + 2, r + 1, 1, 1);
    }
  }
  vms_ui_set_accessible(grid, "Summary by region type", NULL);
  gtk_box_pack_start(GTK_BOX(self), grid, FALSE, FALSE, 0);

  gtk_box_pack_start(GTK_BOX(self), heading("Fragmentation"), FALSE, FALSE, 0);
  self->range_check = gtk_check_button_new_with_mnemonic("Figures for the _viewed range only");
  gtk_widget_set_tooltip_text(
      self->range_check, "On 64-bit the 128 TiB hole dominates whole-space figures: zoom the map "
                         "to the region you care about (the mmap area, say) and count only that");
  vms_ui_set_accessible(self->range_check, "Figures for the viewed range only", NULL);
  g_signal_connect(self->range_check, "toggled", G_CALLBACK(on_range_toggled), self);
  gtk_box_pack_start(GTK_BOX(self), self->range_check, FALSE, FALSE, 0);
  GtkWidget *fg = gtk_grid_new();
  gtk_grid_set_column_spacing(GTK_GRID(fg), 12);
  gtk_grid_set_row_spacing(GTK_GRID(fg), 2);
  self->window_label = pair_row(GTK_GRID(fg), 0, "Over");
  self->free_total = pair_row(GTK_GRID(fg), 1, "Total free");
  self->free_largest = pair_row(GTK_GRID(fg), 2, "Largest free block");
  self->free_blocks = pair_row(GTK_GRID(fg), 3, "Free blocks");
  self->frag = pair_row(GTK_GRID(fg), 4, "Fragmentation (1 − largest/total)");
  self->vma = pair_row(GTK_GRID(fg), 5, "Mappings (vm.max_map_count)");
  gtk_box_pack_start(GTK_BOX(self), fg, FALSE, FALSE, 0);

  gtk_box_pack_start(GTK_BOX(self), heading("Free block sizes"), FALSE, FALSE, 0);
  self->histogram = gtk_drawing_area_new();
  gtk_widget_set_size_request(self->histogram, 240, 90);
  vms_ui_set_accessible(self->histogram, "Histogram of free block sizes", NULL);
  g_signal_connect(self->histogram, "draw", G_CALLBACK(histogram_draw), self);
  gtk_box_pack_start(GTK_BOX(self), self->histogram, FALSE, FALSE, 0);

  gtk_box_pack_start(GTK_BOX(self), heading("Does it fit?"), FALSE, FALSE, 0);
  self->fit_entry = gtk_entry_new();
  gtk_entry_set_placeholder_text(GTK_ENTRY(self->fit_entry), "A size, e.g. 256M or 1.5G");
  vms_ui_set_accessible(self->fit_entry, "Size to fit",
                        "Type a size to see whether a block that large can still be mapped");
  g_signal_connect(self->fit_entry, "changed", G_CALLBACK(on_fit_changed), self);
  gtk_box_pack_start(GTK_BOX(self), self->fit_entry, FALSE, FALSE, 0);
  self->fit_result = gtk_label_new("");
  gtk_label_set_xalign(GTK_LABEL(self->fit_result), 0);
  gtk_label_set_line_wrap(GTK_LABEL(self->fit_result), TRUE);
  gtk_label_set_selectable(GTK_LABEL(self->fit_result), TRUE);
  gtk_widget_set_can_focus(self->fit_result, FALSE);
  gtk_box_pack_start(GTK_BOX(self), self->fit_result, FALSE, FALSE, 0);

  gtk_box_pack_start(GTK_BOX(self), heading("What splits the free space"), FALSE, FALSE, 0);
  self->barrier_scope = gtk_label_new("");
  gtk_label_set_xalign(GTK_LABEL(self->barrier_scope), 0);
  gtk_label_set_line_wrap(GTK_LABEL(self->barrier_scope), TRUE);
  gtk_label_set_max_width_chars(GTK_LABEL(self->barrier_scope), 48);
  gtk_box_pack_start(GTK_BOX(self), self->barrier_scope, FALSE, FALSE, 0);
  self->barrier_list = gtk_list_box_new();
  gtk_list_box_set_selection_mode(GTK_LIST_BOX(self->barrier_list), GTK_SELECTION_NONE);
  gtk_list_box_set_activate_on_single_click(GTK_LIST_BOX(self->barrier_list), TRUE);
  vms_ui_set_accessible(self->barrier_list, "Barriers",
                        "The regions between free blocks whose removal would grow the largest free "
                        "block most, and the owners by kind; activate one to show it on the map");
  g_signal_connect(self->barrier_list, "row-activated", G_CALLBACK(on_barrier_row), self);
  gtk_box_pack_start(GTK_BOX(self), self->barrier_list, FALSE, FALSE, 0);

  self->cmp_heading = heading("How the barriers changed between the two moments");
  gtk_box_pack_start(GTK_BOX(self), self->cmp_heading, FALSE, FALSE, 0);
  self->cmp_label = gtk_label_new("");
  gtk_label_set_xalign(GTK_LABEL(self->cmp_label), 0);
  gtk_label_set_line_wrap(GTK_LABEL(self->cmp_label), TRUE);
  gtk_label_set_max_width_chars(GTK_LABEL(self->cmp_label), 48);
  gtk_box_pack_start(GTK_BOX(self), self->cmp_label, FALSE, FALSE, 0);
  self->cmp_list = gtk_list_box_new();
  gtk_list_box_set_selection_mode(GTK_LIST_BOX(self->cmp_list), GTK_SELECTION_NONE);
  gtk_list_box_set_activate_on_single_click(GTK_LIST_BOX(self->cmp_list), TRUE);
  vms_ui_set_accessible(self->cmp_list, "Barrier changes",
                        "The barriers and owner groups that changed between the two moments "
                        "marked on the timeline; activate one to show it on the map");
  g_signal_connect(self->cmp_list, "row-activated", G_CALLBACK(on_barrier_row), self);
  gtk_box_pack_start(GTK_BOX(self), self->cmp_list, FALSE, FALSE, 0);
  gtk_widget_show_all(GTK_WIDGET(self));
  for (GtkWidget **w = (GtkWidget *[]){self->cmp_heading, self->cmp_label, self->cmp_list, NULL};
       *w; w++) {
    gtk_widget_set_no_show_all(*w, TRUE);
    gtk_widget_hide(*w);
  }
}

GtkWidget *vms_summary_new(void) {
  return g_object_new(VMS_TYPE_SUMMARY, NULL);
}

const char *vms_summary_ask_fit(VmsSummary *self, const char *text) {
  g_return_val_if_fail(VMS_IS_SUMMARY(self), NULL);
  char buf[512];
  uint64_t size;
  if (!text || !*text) {
    buf[0] = '\0';
  } else if (!self->snap) {
    g_strlcpy(buf, "No process attached.", sizeof buf);
  } else if (!vms_size_parse(text, false, &size)) {
    /* Echo at most 80 characters, cut on a character boundary: the label
     * takes valid UTF-8 only. */
    g_autofree char *valid = g_utf8_make_valid(text, -1);
    const char *cut = g_utf8_offset_to_pointer(valid, MIN(g_utf8_strlen(valid, -1), 80));
    g_snprintf(buf, sizeof buf, "“%.*s%s” is not a size: try 4096, 64K, 256M or 1.5G.",
               (int)(cut - valid), valid, *cut ? "…" : "");
  } else {
    uint64_t page = self->snap->alloc_granularity ? self->snap->alloc_granularity
                    : self->snap->page_size       ? self->snap->page_size
                                                  : 4096;
    uint64_t starts[4];
    size_t n = vms_fit(self->snap, self->stats.lo, self->stats.hi, size, page, starts, 4);
    char sz[32];
    vms_size_format(size, sz, sizeof sz);
    if (n == 0) {
      char largest[32];
      vms_size_format(self->stats.free_largest, largest, sizeof largest);
      g_snprintf(buf, sizeof buf, "%s does not fit: the largest free block is %s.", sz, largest);
    } else {
      int len = g_snprintf(buf, sizeof buf, "%s fits in %zu free block%s; lowest at", sz, n,
                           n == 1 ? "" : "s");
      for (size_t i = 0; i < n && i < 4 && len < (int)sizeof buf - 24; i++)
        len += g_snprintf(buf + len, sizeof buf - (size_t)len, "%s 0x%" G_GINT64_MODIFIER "x",
                          i ? "," : "", starts[i]);
      if (n > 4 && len < (int)sizeof buf - 8)
        g_strlcat(buf, ", …", sizeof buf);
    }
  }
  set_figure(self, self->fit_result, "fit", buf);
  return gtk_label_get_text(GTK_LABEL(self->fit_result));
}

static gboolean over_range(VmsSummary *self) {
  return gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(self->range_check)) &&
         self->range_hi > self->range_lo;
}

/* Fills every figure from the snapshot: its own statistics over the usable
 * range, or figures computed here over the viewed range (pure arithmetic on
 * the snapshot, about a millisecond at 65,000 regions). */
static void refresh_figures(VmsSummary *self) {
  VmsSnapshot *snap = self->snap, *counters_snap = self->counters_snap;
  memset(&self->stats, 0, sizeof self->stats);
  if (!snap) {
    gtk_widget_queue_draw(self->histogram);
    refresh_barriers(self, FALSE);
    return;
  }
  gboolean ranged = over_range(self);
  refresh_barriers(self, ranged);
  VmsStats cstats;
  if (ranged)
    vms_stats_compute(snap, self->range_lo, self->range_hi, &self->stats);
  else
    self->stats = snap->stats;
  const VmsStats *rs = NULL; /* where resident sizes come from */
  if (self->stats.resident_known) {
    rs = &self->stats;
  } else if (counters_snap && counters_snap->stats.resident_known &&
             counters_snap->pid == snap->pid && counters_snap->start_time == snap->start_time) {
    if (ranged) {
      vms_stats_compute(counters_snap, self->range_lo, self->range_hi, &cstats);
      rs = &cstats;
    } else {
      rs = &counters_snap->stats;
    }
  }
  char buf[64], key[64];
  for (int r = 0; r < N_ROWS; r++) {
    const VmsTypeStats *t = r < VMS_TYPE_COUNT ? &self->stats.by_type[r] : &self->stats.total;
    const VmsTypeStats *rt = rs ? (r < VMS_TYPE_COUNT ? &rs->by_type[r] : &rs->total) : NULL;
    uint64_t v[N_C] = {t->size,   t->committed, t->private_bytes, rt ? rt->resident : 0,
                       t->blocks, t->largest};
    for (int c = 0; c < N_C; c++) {
      if (c == C_BLOCKS)
        g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, v[c]);
      else if (c == C_RESIDENT && !rt)
        g_strlcpy(buf, "–", sizeof buf);
      else if (v[c] == 0)
        g_strlcpy(buf, "", sizeof buf);
      else
        vms_size_format(v[c], buf, sizeof buf);
      static const char *const ck[N_C] = {"size",     "committed", "private",
                                          "resident", "blocks",    "largest"};
      g_snprintf(key, sizeof key, "%s:%s", ck[c], r < VMS_TYPE_COUNT ? vms_type_name(r) : "total");
      set_figure(self, self->cells[r][c], key, buf);
    }
  }
  char a[32];
  g_snprintf(buf, sizeof buf, "0x%" G_GINT64_MODIFIER "x – 0x%" G_GINT64_MODIFIER "x%s",
             self->stats.lo, self->stats.hi, ranged ? " (viewed)" : "");
  set_figure(self, self->window_label, "window", buf);
  vms_size_format(self->stats.free_total, buf, sizeof buf);
  set_figure(self, self->free_total, "free_total", buf);
  vms_size_format(self->stats.free_largest, a, sizeof a);
  if (self->stats.free_largest)
    g_snprintf(buf, sizeof buf, "%s at 0x%" G_GINT64_MODIFIER "x", a,
               self->stats.free_largest_start);
  else
    g_strlcpy(buf, a, sizeof buf);
  set_figure(self, self->free_largest, "free_largest", buf);
  g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, self->stats.free_blocks);
  set_figure(self, self->free_blocks, "free_blocks", buf);
  g_snprintf(buf, sizeof buf, "%.1f %%", self->stats.fragmentation * 100);
  set_figure(self, self->frag, "fragmentation", buf);
  if (self->stats.max_map_count)
    g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " (%.1f %%)",
               self->stats.vma_count, self->stats.max_map_count,
               100.0 * (double)self->stats.vma_count / (double)self->stats.max_map_count);
  else
    g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, self->stats.vma_count);
  set_figure(self, self->vma, "vma_count", buf);
  gtk_widget_queue_draw(self->histogram);
  const char *fit = gtk_entry_get_text(GTK_ENTRY(self->fit_entry));
  if (fit && *fit)
    vms_summary_ask_fit(self, fit);
}

void vms_summary_set_snapshot(VmsSummary *self, VmsSnapshot *snap, VmsSnapshot *counters_snap) {
  g_return_if_fail(VMS_IS_SUMMARY(self));
  if (snap)
    vms_snapshot_ref(snap);
  if (counters_snap)
    vms_snapshot_ref(counters_snap);
  g_clear_pointer(&self->snap, vms_snapshot_unref);
  g_clear_pointer(&self->counters_snap, vms_snapshot_unref);
  self->snap = snap;
  self->counters_snap = counters_snap;
  refresh_figures(self);
}

void vms_summary_set_viewed_range(VmsSummary *self, uint64_t lo, uint64_t hi) {
  g_return_if_fail(VMS_IS_SUMMARY(self));
  if (lo == self->range_lo && hi == self->range_hi)
    return;
  self->range_lo = lo;
  self->range_hi = hi;
  if (over_range(self))
    refresh_figures(self);
}

void vms_summary_set_over_viewed_range(VmsSummary *self, gboolean viewed) {
  g_return_if_fail(VMS_IS_SUMMARY(self));
  gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(self->range_check), viewed);
}

void vms_summary_set_comparison(VmsSummary *self, VmsSnapshot *older, VmsSnapshot *newer,
                                size_t older_frame, size_t newer_frame) {
  g_return_if_fail(VMS_IS_SUMMARY(self));
  if (!older || !newer || older == newer)
    older = newer = NULL;
  if (older == self->cmp_old && newer == self->cmp_new &&
      (!older || (older_frame == self->cmp_old_frame && newer_frame == self->cmp_new_frame)))
    return;
  if (older)
    vms_snapshot_ref(older);
  if (newer)
    vms_snapshot_ref(newer);
  g_clear_pointer(&self->cmp_old, vms_snapshot_unref);
  g_clear_pointer(&self->cmp_new, vms_snapshot_unref);
  self->cmp_old = older;
  self->cmp_new = newer;
  self->cmp_old_frame = older_frame;
  self->cmp_new_frame = newer_frame;
  refresh_comparison(self, over_range(self));
}

const VmsBarrierDiff *vms_summary_get_barrier_diff(VmsSummary *self) {
  g_return_val_if_fail(VMS_IS_SUMMARY(self), NULL);
  return self->cmp_valid ? &self->cmp_diff : NULL;
}

GtkListBox *vms_summary_get_barrier_changes(VmsSummary *self) {
  g_return_val_if_fail(VMS_IS_SUMMARY(self), NULL);
  return GTK_LIST_BOX(self->cmp_list);
}

GtkListBox *vms_summary_get_barrier_list(VmsSummary *self) {
  g_return_val_if_fail(VMS_IS_SUMMARY(self), NULL);
  return GTK_LIST_BOX(self->barrier_list);
}

const char *vms_summary_get_figure(VmsSummary *self, const char *key) {
  g_return_val_if_fail(VMS_IS_SUMMARY(self), NULL);
  return g_hash_table_lookup(self->figures, key);
}
