/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-region-table.c: the sortable, filterable table of a snapshot's regions.
 *
 * A GtkListStore of 65,000 rows costs a second to fill and its sort model
 * longer to sort; here the model is a thin GtkTreeModel over an array of
 * region indices, and cells are formatted only when they are drawn. Each
 * change tells the view as little as it needs: a sort is one rows-reordered
 * signal, a live refresh deletes and inserts only the rows that changed, and
 * only a filter change re-attaches the model (the view walks every row then). */
#include "vms-region-table.h"

#include <stdlib.h>
#include <string.h>

#include "vms-diff.h"
#include "vms-ui-util.h"

/* ---- VmsRegionModel: rows are indices into a snapshot's region array ---- */

#define VMS_TYPE_REGION_MODEL (vms_region_model_get_type())
G_DECLARE_FINAL_TYPE(VmsRegionModel, vms_region_model, VMS, REGION_MODEL, GObject)

struct _VmsRegionModel {
  GObject parent_instance;
  guint32 *rows;
  guint n_rows;
  int stamp;
};

static void vms_region_model_iface_init(GtkTreeModelIface *iface);
G_DEFINE_TYPE_WITH_CODE(VmsRegionModel, vms_region_model, G_TYPE_OBJECT,
                        G_IMPLEMENT_INTERFACE(GTK_TYPE_TREE_MODEL, vms_region_model_iface_init))

static GtkTreeModelFlags rm_get_flags(GtkTreeModel *m) {
  /* Iters are row positions: they do not outlive a change of the rows. */
  return GTK_TREE_MODEL_LIST_ONLY;
}
static int rm_get_n_columns(GtkTreeModel *m) {
  return 1;
}
static GType rm_get_column_type(GtkTreeModel *m, int col) {
  return G_TYPE_UINT;
}

static gboolean rm_set_iter(VmsRegionModel *self, GtkTreeIter *iter, guint i) {
  if (i >= self->n_rows) {
    iter->stamp = 0;
    return FALSE;
  }
  iter->stamp = self->stamp;
  iter->user_data = GUINT_TO_POINTER(i);
  return TRUE;
}

static gboolean rm_get_iter(GtkTreeModel *m, GtkTreeIter *iter, GtkTreePath *path) {
  if (gtk_tree_path_get_depth(path) != 1)
    return FALSE;
  int i = gtk_tree_path_get_indices(path)[0];
  return i >= 0 && rm_set_iter(VMS_REGION_MODEL(m), iter, (guint)i);
}

static GtkTreePath *rm_get_path(GtkTreeModel *m, GtkTreeIter *iter) {
  return gtk_tree_path_new_from_indices((int)GPOINTER_TO_UINT(iter->user_data), -1);
}

static void rm_get_value(GtkTreeModel *m, GtkTreeIter *iter, int col, GValue *value) {
  VmsRegionModel *self = VMS_REGION_MODEL(m);
  guint i = GPOINTER_TO_UINT(iter->user_data);
  g_value_init(value, G_TYPE_UINT);
  g_value_set_uint(value, i < self->n_rows ? self->rows[i] : 0);
}

static gboolean rm_iter_next(GtkTreeModel *m, GtkTreeIter *iter) {
  return rm_set_iter(VMS_REGION_MODEL(m), iter, GPOINTER_TO_UINT(iter->user_data) + 1);
}

static gboolean rm_iter_children(GtkTreeModel *m, GtkTreeIter *iter, GtkTreeIter *parent) {
  return !parent && rm_set_iter(VMS_REGION_MODEL(m), iter, 0);
}
static gboolean rm_iter_has_child(GtkTreeModel *m, GtkTreeIter *iter) {
  return FALSE;
}
static int rm_iter_n_children(GtkTreeModel *m, GtkTreeIter *iter) {
  return iter ? 0 : (int)VMS_REGION_MODEL(m)->n_rows;
}
static gboolean rm_iter_nth_child(GtkTreeModel *m, GtkTreeIter *iter, GtkTreeIter *parent, int n) {
  return !parent && n >= 0 && rm_set_iter(VMS_REGION_MODEL(m), iter, (guint)n);
}
static gboolean rm_iter_parent(GtkTreeModel *m, GtkTreeIter *iter, GtkTreeIter *child) {
  return FALSE;
}

static void vms_region_model_iface_init(GtkTreeModelIface *iface) {
  iface->get_flags = rm_get_flags;
  iface->get_n_columns = rm_get_n_columns;
  iface->get_column_type = rm_get_column_type;
  iface->get_iter = rm_get_iter;
  iface->get_path = rm_get_path;
  iface->get_value = rm_get_value;
  iface->iter_next = rm_iter_next;
  iface->iter_children = rm_iter_children;
  iface->iter_has_child = rm_iter_has_child;
  iface->iter_n_children = rm_iter_n_children;
  iface->iter_nth_child = rm_iter_nth_child;
  iface->iter_parent = rm_iter_parent;
}

static void vms_region_model_finalize(GObject *obj) {
  g_free(VMS_REGION_MODEL(obj)->rows);
  G_OBJECT_CLASS(vms_region_model_parent_class)->finalize(obj);
}
static void vms_region_model_class_init(VmsRegionModelClass *k) {
  G_OBJECT_CLASS(k)->finalize = vms_region_model_finalize;
}
static void vms_region_model_init(VmsRegionModel *self) {
  self->stamp = g_random_int();
}

/* ---- VmsRegionTable ---- */

struct _VmsRegionTable {
  GtkBox parent_instance;
  GtkWidget *type_combo, *search, *counters_button, *counters_label, *spinner, *count_label;
  GtkTreeView *view;
  GtkTreeViewColumn *columns[VMS_COL_COUNT];
  VmsRegionModel *model;

  VmsSnapshot *snap;
  VmsSnapshot *counters_snap;
  char **desc; /* lazily built descriptions, parallel to snap->regions */
  char *desc_buf;
  char *desc_lower; /* desc_buf in ASCII lower case, for the text filter */
  int type_filter;
  char *text_filter;       /* ASCII lower case, NULL when empty */
  gboolean filter_hexlike; /* text_filter could be part of an address */
  VmsRegionColumn sort_col;
  gboolean sort_desc;
  gboolean blocking; /* selection changes made by code, not the user */
  gboolean counters_pending;

  /* Two moments compared (vms-diff.c): each row's change, and the regions
   * of the other moment that the shown one lacks, as extra rows whose
   * indices follow the shown snapshot's regions. */
  GtkWidget *changes_check;
  VmsSnapshot *cmp_other;
  VmsRegionChange *cmp;
  size_t n_cmp;
  gint32 *cmp_of; /* per row index: its change in cmp, or -1 */
  const VmsRegion **extra;
  size_t n_extra;
  size_t n_kind[VMS_REGION_CHANGED + 1];
  gboolean changes_only;
};

G_DEFINE_TYPE(VmsRegionTable, vms_region_table, GTK_TYPE_BOX)

enum { SIG_SELECTION_CHANGED, SIG_COUNTERS_WANTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *const column_titles[VMS_COL_COUNT] = {
    "Start",   "End",      "Size", "Type",          "State", "Protection",
    "Details", "Resident", "PSS",  "Private dirty", "Swap",  "Change"};

static gboolean is_counter_col(VmsRegionColumn c) {
  return c >= VMS_COL_RSS && c <= VMS_COL_SWAP;
}

/* ---- rows of a comparison: the shown snapshot's regions, then the extras ---- */

static size_t n_indices(VmsRegionTable *self) {
  return self->snap ? self->snap->n_regions + self->n_extra : 0;
}

static const VmsRegion *region_at(VmsRegionTable *self, size_t idx) {
  size_t n = self->snap->n_regions;
  return idx < n ? &self->snap->regions[idx] : self->extra[idx - n];
}

static const VmsSnapshot *snap_of(VmsRegionTable *self, size_t idx) {
  return idx < self->snap->n_regions ? self->snap : self->cmp_other;
}

static const VmsRegionChange *change_of(VmsRegionTable *self, size_t idx) {
  return self->cmp_of && self->cmp_of[idx] >= 0 ? &self->cmp[self->cmp_of[idx]] : NULL;
}

static void clear_comparison(VmsRegionTable *self) {
  g_clear_pointer(&self->cmp_other, vms_snapshot_unref);
  g_clear_pointer(&self->cmp, free);
  g_clear_pointer(&self->cmp_of, g_free);
  g_clear_pointer(&self->extra, g_free);
  self->n_cmp = self->n_extra = 0;
  memset(self->n_kind, 0, sizeof self->n_kind);
}

static void build_descriptions(VmsRegionTable *self) {
  if (self->desc || !self->snap)
    return;
  size_t n = n_indices(self);
  GString *buf = g_string_sized_new(n * 24);
  gsize *offs = g_new(gsize, n ? n : 1);
  char tmp[512];
  for (size_t i = 0; i < n; i++) {
    vms_region_describe(snap_of(self, i), region_at(self, i), tmp, sizeof tmp);
    offs[i] = buf->len;
    g_string_append_len(buf, tmp, (gssize)strlen(tmp) + 1);
  }
  gsize total = buf->len;
  self->desc_buf = g_string_free(buf, FALSE);
  self->desc_lower = g_malloc(total + 1);
  for (gsize k = 0; k < total; k++)
    self->desc_lower[k] = g_ascii_tolower(self->desc_buf[k]);
  self->desc = g_new(char *, n ? n : 1);
  for (size_t i = 0; i < n; i++)
    self->desc[i] = self->desc_buf + offs[i];
  g_free(offs);
}

static void clear_descriptions(VmsRegionTable *self) {
  g_clear_pointer(&self->desc, g_free);
  g_clear_pointer(&self->desc_buf, g_free);
  g_clear_pointer(&self->desc_lower, g_free);
}

static uint32_t counter_bit(VmsRegionColumn col) {
  switch (col) {
  case VMS_COL_RSS: return VMS_CTR_RSS;
  case VMS_COL_PSS: return VMS_CTR_PSS;
  case VMS_COL_PRIVATE_DIRTY: return VMS_CTR_PRIVATE_DIRTY;
  case VMS_COL_SWAP: return VMS_CTR_SWAP;
  default: return 0;
  }
}

/* A column's counter from wherever it was read: residency or smaps. */
static const VmsCounters *counters_of(VmsRegionTable *self, size_t idx, VmsRegionColumn col) {
  if (idx >= self->snap->n_regions)
    return NULL; /* a region of the other moment: its counters are not at hand */
  return vms_ui_counters_for(self->snap, idx, self->counters_snap, counter_bit(col));
}

static uint64_t counter_value(const VmsCounters *c, VmsRegionColumn col) {
  switch (col) {
  case VMS_COL_RSS: return c->rss;
  case VMS_COL_PSS: return c->pss;
  case VMS_COL_PRIVATE_DIRTY: return c->private_dirty;
  case VMS_COL_SWAP: return c->swap;
  default: return 0;
  }
}

static int cmp_u64(uint64_t a, uint64_t b) {
  return a < b ? -1 : a > b;
}

static gint row_cmp(gconstpointer pa, gconstpointer pb, gpointer data) {
  VmsRegionTable *self = data;
  guint32 a = *(const guint32 *)pa, b = *(const guint32 *)pb;
  const VmsRegion *ra = region_at(self, a), *rb = region_at(self, b);
  int c = 0;
  switch (self->sort_col) {
  case VMS_COL_START: c = cmp_u64(ra->start, rb->start); break;
  case VMS_COL_END: c = cmp_u64(ra->end, rb->end); break;
  case VMS_COL_SIZE: c = cmp_u64(ra->end - ra->start, rb->end - rb->start); break;
  case VMS_COL_TYPE: c = strcmp(vms_type_title(ra->type), vms_type_title(rb->type)); break;
  case VMS_COL_STATE: c = (int)ra->state - (int)rb->state; break;
  case VMS_COL_PROT: c = (int)ra->prot - (int)rb->prot; break;
  case VMS_COL_DETAILS: c = strcmp(self->desc[a], self->desc[b]); break;
  case VMS_COL_CHANGE: {
    /* Changed rows first in either direction, by kind. */
    const VmsRegionChange *ca = change_of(self, a), *cb = change_of(self, b);
    if (!ca || !cb)
      return ca ? -1 : cb ? 1 : cmp_u64(ra->start, rb->start);
    c = (int)ca->kind - (int)cb->kind;
    break;
  }
  default: {
    const VmsCounters *ca = counters_of(self, a, self->sort_col),
                      *cb = counters_of(self, b, self->sort_col);
    /* Unknown sorts below every known value, whatever the direction. */
    if (!ca || !cb)
      return ca ? -1 : cb ? 1 : cmp_u64(ra->start, rb->start);
    c = cmp_u64(counter_value(ca, self->sort_col), counter_value(cb, self->sort_col));
  }
  }
  if (self->sort_desc)
    c = -c;
  return c ? c : cmp_u64(ra->start, rb->start);
}

/* Case-insensitive for ASCII, without allocating: 65,000 rows are filtered
 * per key press, so addresses are only formatted when the text could be part
 * of one. */
static gboolean row_matches(VmsRegionTable *self, size_t i) {
  const VmsRegion *r = region_at(self, i);
  if (self->changes_only && self->cmp_of && !change_of(self, i))
    return FALSE;
  if (self->type_filter < VMS_TYPE_COUNT && r->type != self->type_filter)
    return FALSE;
  if (!self->text_filter)
    return TRUE;
  char buf[160], prot[8];
  if (self->filter_hexlike) {
    g_snprintf(buf, sizeof buf, "%016" G_GINT64_MODIFIER "x %016" G_GINT64_MODIFIER "x", r->start,
               r->end);
    if (strstr(buf, self->text_filter))
      return TRUE;
  }
  vms_prot_format(r->prot, prot);
  g_strlcpy(buf, vms_type_title(r->type), sizeof buf);
  g_strlcat(buf, " ", sizeof buf);
  g_strlcat(buf, vms_state_name(r->state), sizeof buf);
  g_strlcat(buf, " ", sizeof buf);
  g_strlcat(buf, prot, sizeof buf);
  for (char *c = buf; *c; c++)
    *c = g_ascii_tolower(*c);
  if (strstr(buf, self->text_filter))
    return TRUE;
  return strstr(self->desc_lower + (self->desc[i] - self->desc_buf), self->text_filter) != NULL;
}

static size_t selected_region(VmsRegionTable *self) {
  GtkTreeModel *m;
  GtkTreeIter it;
  if (!self->snap ||
      !gtk_tree_selection_get_selected(gtk_tree_view_get_selection(self->view), &m, &it))
    return SIZE_MAX;
  guint i = GPOINTER_TO_UINT(it.user_data);
  /* A row of the other moment is no region of the shown snapshot. */
  return i < self->model->n_rows && self->model->rows[i] < self->snap->n_regions
             ? self->model->rows[i]
             : SIZE_MAX;
}

static gboolean row_of_region(VmsRegionTable *self, size_t idx, guint *row) {
  for (guint i = 0; i < self->model->n_rows; i++)
    if (self->model->rows[i] == idx) {
      *row = i;
      return TRUE;
    }
  return FALSE;
}

/* The filtered, sorted rows of self->snap under the current settings. */
static guint32 *compute_rows(VmsRegionTable *self, guint *n_out) {
  guint n = 0;
  if (!self->snap) {
    *n_out = 0;
    return NULL;
  }
  if (self->text_filter || self->sort_col == VMS_COL_DETAILS)
    build_descriptions(self);
  size_t total = n_indices(self);
  guint32 *rows = g_new(guint32, total ? total : 1);
  for (size_t i = 0; i < total; i++)
    if (row_matches(self, i))
      rows[n++] = (guint32)i;
  if (self->sort_col != VMS_COL_START || self->sort_desc) {
    g_qsort_with_data(rows, (gint)n, sizeof *rows, row_cmp, self);
  }
  *n_out = n;
  return rows;
}

/* Start address of the selected row (read in ref, the snapshot the rows index). */
static uint64_t selected_start(VmsRegionTable *self, const VmsSnapshot *ref) {
  GtkTreeModel *m;
  GtkTreeIter it;
  if (!ref || !gtk_tree_selection_get_selected(gtk_tree_view_get_selection(self->view), &m, &it))
    return UINT64_MAX;
  guint i = GPOINTER_TO_UINT(it.user_data);
  return i < self->model->n_rows && self->model->rows[i] < ref->n_regions
             ? ref->regions[self->model->rows[i]].start
             : UINT64_MAX;
}

static void restore_selection(VmsRegionTable *self, uint64_t start) {
  GtkTreeSelection *sel = gtk_tree_view_get_selection(self->view);
  guint row;
  size_t idx = start == UINT64_MAX || !self->snap ? SIZE_MAX : vms_snapshot_find(self->snap, start);
  if (idx != SIZE_MAX && row_of_region(self, idx, &row)) {
    GtkTreePath *p = gtk_tree_path_new_from_indices((int)row, -1);
    if (!gtk_tree_selection_path_is_selected(sel, p))
      gtk_tree_selection_select_path(sel, p);
    gtk_tree_path_free(p);
  } else if (gtk_tree_selection_count_selected_rows(sel)) {
    gtk_tree_selection_unselect_all(sel);
  }
}

static void update_count_label(VmsRegionTable *self) {
  char text[256];
  if (self->snap && self->cmp_of)
    g_snprintf(text, sizeof text,
               "%u rows of %zu regions + %zu of the other moment · %zu appeared, %zu vanished, "
               "%zu grew, %zu shrank, %zu changed",
               self->model->n_rows, self->snap->n_regions, self->n_extra,
               self->n_kind[VMS_REGION_APPEARED], self->n_kind[VMS_REGION_VANISHED],
               self->n_kind[VMS_REGION_GREW], self->n_kind[VMS_REGION_SHRANK],
               self->n_kind[VMS_REGION_CHANGED]);
  else if (self->snap)
    g_snprintf(text, sizeof text, "%u of %zu regions", self->model->n_rows, self->snap->n_regions);
  else
    text[0] = '\0';
  gtk_label_set_text(GTK_LABEL(self->count_label), text);
  /* The label is ellipsized in a narrow pane: the whole of it on hover. */
  gtk_widget_set_tooltip_text(self->count_label, text[0] ? text : NULL);
}

/* Replaces every row: the view is detached meanwhile, so it never hears
 * 65,000 signals, but re-attaching walks every row (about 75 ms at 65,000),
 * so this is only for filter changes and large differences. Keeps the
 * selected region and the first visible one by their start addresses. */
static void replace_rows(VmsRegionTable *self, const VmsSnapshot *ref, guint32 *rows, guint n) {
  uint64_t sel_start = selected_start(self, ref), top_start = UINT64_MAX;
  GtkTreePath *top = NULL;
  if (ref && self->model->n_rows && gtk_widget_get_realized(GTK_WIDGET(self->view)) &&
      gtk_tree_view_get_visible_range(self->view, &top, NULL)) {
    int i = gtk_tree_path_get_indices(top)[0];
    if (i >= 0 && (guint)i < self->model->n_rows && self->model->rows[i] < ref->n_regions)
      top_start = ref->regions[self->model->rows[i]].start;
    gtk_tree_path_free(top);
  }
  self->blocking = TRUE;
  gtk_tree_view_set_model(self->view, NULL);
  g_free(self->model->rows);
  self->model->rows = rows;
  self->model->n_rows = n;
  self->model->stamp++;
  gtk_tree_view_set_model(self->view, GTK_TREE_MODEL(self->model));
  guint row;
  size_t idx =
      top_start == UINT64_MAX || !self->snap ? SIZE_MAX : vms_snapshot_find(self->snap, top_start);
  if (idx != SIZE_MAX && row_of_region(self, idx, &row)) {
    GtkTreePath *p = gtk_tree_path_new_from_indices((int)row, -1);
    gtk_tree_view_scroll_to_cell(self->view, p, NULL, TRUE, 0, 0);
    gtk_tree_path_free(p);
  }
  restore_selection(self, sel_start);
  self->blocking = FALSE;
}

/* Same rows in a new order (a sort): one rows-reordered signal, and the view
 * keeps its selection and cursor on the rows they were on. */
static void reorder_rows(VmsRegionTable *self, guint32 *rows, guint n) {
  guint32 *old = self->model->rows;
  guint *pos = g_new(guint, n_indices(self) ? n_indices(self) : 1);
  for (guint i = 0; i < n; i++)
    pos[old[i]] = i;
  int *order = g_new(int, n ? n : 1);
  for (guint i = 0; i < n; i++)
    order[i] = (int)pos[rows[i]];
  g_free(pos);
  self->blocking = TRUE;
  self->model->rows = rows;
  self->model->stamp++;
  GtkTreePath *root = gtk_tree_path_new();
  gtk_tree_model_rows_reordered(GTK_TREE_MODEL(self->model), root, NULL, order);
  gtk_tree_path_free(root);
  self->blocking = FALSE;
  g_free(order);
  g_free(old);
}

/* A new snapshot of the same process, rows in address order on both sides:
 * deletes the rows whose start address went away and inserts the new ones,
 * so a live refresh costs the view only what changed. Returns FALSE (and
 * does nothing) when too much changed to be worth it. */
static gboolean patch_rows(VmsRegionTable *self, const VmsSnapshot *old_snap, guint32 *rows,
                           guint n) {
  guint32 *cur = self->model->rows;
  guint n_old = self->model->n_rows;
  GArray *del = g_array_new(FALSE, FALSE, sizeof(guint)),
         *ins = g_array_new(FALSE, FALSE, sizeof(guint));
  guint i = 0, j = 0;
  while (i < n_old || j < n) {
    uint64_t a = i < n_old ? old_snap->regions[cur[i]].start : UINT64_MAX;
    uint64_t b = j < n ? self->snap->regions[rows[j]].start : UINT64_MAX;
    if (i < n_old && (j >= n || a < b)) {
      g_array_append_val(del, i);
      i++;
    } else if (j < n && (i >= n_old || b < a)) {
      g_array_append_val(ins, j);
      j++;
    } else {
      i++;
      j++;
    }
  }
  gboolean ok = del->len + ins->len <= 4096;
  if (ok) {
    uint64_t sel_start = selected_start(self, old_snap);
    self->blocking = TRUE;
    GtkTreeModel *m = GTK_TREE_MODEL(self->model);
    guint len = n_old;
    /* The view reads cells while it handles each signal (the cursor row, the
     * focus): the rows must index the snapshot the cells are read from at
     * every one. Deletions run over the old snapshot, without the new one's
     * descriptions; then the survivors take their new indices and the
     * insertions run over the new snapshot. */
    VmsSnapshot *new_snap = self->snap;
    char **new_desc = self->desc;
    self->snap = (VmsSnapshot *)old_snap;
    self->desc = NULL;
    for (guint k = del->len; k-- > 0;) {
      guint p = g_array_index(del, guint, k);
      memmove(cur + p, cur + p + 1, (len - p - 1) * sizeof *cur);
      self->model->n_rows = --len;
      GtkTreePath *path = gtk_tree_path_new_from_indices((int)p, -1);
      gtk_tree_model_row_deleted(m, path);
      gtk_tree_path_free(path);
    }
    cur = g_renew(guint32, cur, n ? n : 1);
    self->model->rows = cur;
    for (guint k = 0, at = 0, q = 0; q < n; q++) {
      if (k < ins->len && g_array_index(ins, guint, k) == q)
        k++;
      else
        cur[at++] = rows[q];
    }
    self->snap = new_snap;
    self->desc = new_desc;
    for (guint k = 0; k < ins->len; k++) {
      guint q = g_array_index(ins, guint, k);
      memmove(cur + q + 1, cur + q, (len - q) * sizeof *cur);
      cur[q] = rows[q];
      self->model->n_rows = ++len;
      GtkTreePath *path = gtk_tree_path_new_from_indices((int)q, -1);
      GtkTreeIter it = {self->model->stamp, GUINT_TO_POINTER(q), NULL, NULL};
      gtk_tree_model_row_inserted(m, path, &it);
      gtk_tree_path_free(path);
    }
    g_free(rows);
    restore_selection(self, sel_start);
    self->blocking = FALSE;
    gtk_widget_queue_draw(GTK_WIDGET(self->view));
  }
  g_array_unref(del);
  g_array_unref(ins);
  return ok;
}

/* Re-applies the filter and sort to the same snapshot. */
static void rebuild(VmsRegionTable *self, gboolean same_set) {
  guint n;
  guint32 *rows = compute_rows(self, &n);
  if (same_set && self->snap && n > 0 && n == self->model->n_rows && self->model->rows)
    reorder_rows(self, rows, n);
  else
    replace_rows(self, self->snap, rows, n);
  update_count_label(self);
}

static void update_sort_indicators(VmsRegionTable *self) {
  for (int c = 0; c < VMS_COL_COUNT; c++) {
    gtk_tree_view_column_set_sort_indicator(self->columns[c], c == (int)self->sort_col);
    gtk_tree_view_column_set_sort_order(self->columns[c],
                                        self->sort_desc ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
  }
}

/* Has any read filled col? Residency fills Resident and Swap on most
 * refreshes; the others wait for an smaps read. */
static gboolean have_counters(VmsRegionTable *self, VmsRegionColumn col) {
  const uint32_t bit = counter_bit(col);
  if (bit & (VMS_CTR_RSS | VMS_CTR_SWAP) && self->snap && self->snap->counters)
    return TRUE;
  return vms_snapshot_has_smaps(self->snap) || vms_snapshot_has_smaps(self->counters_snap);
}

void vms_region_table_sort(VmsRegionTable *self, VmsRegionColumn col, gboolean descending) {
  g_return_if_fail(VMS_IS_REGION_TABLE(self));
  self->sort_col = col;
  self->sort_desc = descending;
  update_sort_indicators(self);
  if (is_counter_col(col) && !have_counters(self, col))
    g_signal_emit(self, signals[SIG_COUNTERS_WANTED], 0);
  rebuild(self, TRUE);
}

static void on_column_clicked(GtkTreeViewColumn *column, VmsRegionTable *self) {
  VmsRegionColumn col =
      (VmsRegionColumn)GPOINTER_TO_INT(g_object_get_data(G_OBJECT(column), "col"));
  gboolean desc =
      col == self->sort_col ? !self->sort_desc : (col == VMS_COL_SIZE || is_counter_col(col));
  vms_region_table_sort(self, col, desc);
}

static void cell_data(GtkTreeViewColumn *column, GtkCellRenderer *cell, GtkTreeModel *model,
                      GtkTreeIter *iter, gpointer data) {
  VmsRegionTable *self = data;
  VmsRegionColumn col =
      (VmsRegionColumn)GPOINTER_TO_INT(g_object_get_data(G_OBJECT(column), "col"));
  guint i = GPOINTER_TO_UINT(iter->user_data);
  if (!self->snap || i >= self->model->n_rows) {
    g_object_set(cell, "text", "", NULL);
    return;
  }
  size_t idx = self->model->rows[i];
  const VmsRegion *r = region_at(self, idx);
  const VmsRegionChange *chg = change_of(self, idx);
  char buf[512];
  gboolean dim = FALSE;
  switch (col) {
  case VMS_COL_CHANGE: vms_region_change_text(chg, buf, sizeof buf); break;
  case VMS_COL_START: g_snprintf(buf, sizeof buf, "%012" G_GINT64_MODIFIER "x", r->start); break;
  case VMS_COL_END: g_snprintf(buf, sizeof buf, "%012" G_GINT64_MODIFIER "x", r->end); break;
  case VMS_COL_SIZE: vms_size_format(r->end - r->start, buf, sizeof buf); break;
  case VMS_COL_TYPE: g_strlcpy(buf, vms_type_title(r->type), sizeof buf); break;
  case VMS_COL_STATE: g_strlcpy(buf, vms_state_name(r->state), sizeof buf); break;
  case VMS_COL_PROT:
    if (r->type == VMS_TYPE_FREE || r->type == VMS_TYPE_UNUSABLE)
      buf[0] = '\0';
    else
      vms_prot_format(r->prot, buf);
    break;
  case VMS_COL_DETAILS:
    if (self->desc)
      g_strlcpy(buf, self->desc[idx], sizeof buf);
    else
      vms_region_describe(snap_of(self, idx), r, buf, sizeof buf);
    break;
  default: {
    const VmsCounters *c = counters_of(self, idx, col);
    if (c) {
      vms_size_format(counter_value(c, col), buf, sizeof buf);
    } else {
      g_strlcpy(buf, r->type == VMS_TYPE_FREE || r->type == VMS_TYPE_UNUSABLE ? "" : "not read",
                sizeof buf);
      dim = TRUE;
    }
  }
  }
  g_object_set(cell, "text", buf, "foreground-rgba", NULL, "style",
               dim ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL, "cell-background-rgba",
               chg ? vms_region_change_tint(chg->kind) : NULL, NULL);
}

static void on_selection_changed(GtkTreeSelection *sel, VmsRegionTable *self) {
  if (!self->blocking)
    g_signal_emit(self, signals[SIG_SELECTION_CHANGED], 0);
}

static void on_type_changed(GtkComboBox *combo, VmsRegionTable *self) {
  int active = gtk_combo_box_get_active(combo);
  self->type_filter = active <= 0 ? VMS_TYPE_COUNT : active - 1;
  rebuild(self, FALSE);
}

static void on_search_changed(GtkSearchEntry *entry, VmsRegionTable *self) {
  vms_region_table_set_text_filter(self, gtk_entry_get_text(GTK_ENTRY(entry)));
}

static void on_counters_clicked(GtkButton *b, VmsRegionTable *self) {
  g_signal_emit(self, signals[SIG_COUNTERS_WANTED], 0);
}

static void on_changes_toggled(GtkToggleButton *b, VmsRegionTable *self) {
  self->changes_only = gtk_toggle_button_get_active(b);
  if (self->cmp_of)
    rebuild(self, FALSE);
}

/* The Change column leads while it is shown (the counters' columns are
 * often scrolled out of sight) and goes back behind them after. */
static void show_comparison_widgets(VmsRegionTable *self, gboolean on) {
  gtk_tree_view_move_column_after(self->view, self->columns[VMS_COL_CHANGE],
                                  on ? NULL : self->columns[VMS_COL_SWAP]);
  gtk_tree_view_column_set_visible(self->columns[VMS_COL_CHANGE], on);
  gtk_widget_set_visible(self->changes_check, on);
}

static void vms_region_table_dispose(GObject *obj) {
  VmsRegionTable *self = VMS_REGION_TABLE(obj);
  clear_descriptions(self);
  clear_comparison(self);
  g_clear_pointer(&self->snap, vms_snapshot_unref);
  g_clear_pointer(&self->counters_snap, vms_snapshot_unref);
  g_clear_object(&self->model);
  g_clear_pointer(&self->text_filter, g_free);
  G_OBJECT_CLASS(vms_region_table_parent_class)->dispose(obj);
}

static void vms_region_table_class_init(VmsRegionTableClass *klass) {
  G_OBJECT_CLASS(klass)->dispose = vms_region_table_dispose;
  signals[SIG_SELECTION_CHANGED] =
      g_signal_new("selection-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                   NULL, G_TYPE_NONE, 0);
  signals[SIG_COUNTERS_WANTED] =
      g_signal_new("counters-wanted", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                   NULL, G_TYPE_NONE, 0);
}

static void vms_region_table_init(VmsRegionTable *self) {
  gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing(GTK_BOX(self), 4);
  self->type_filter = VMS_TYPE_COUNT;
  self->model = g_object_new(VMS_TYPE_REGION_MODEL, NULL);

  GtkWidget *bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_start(bar, 6);
  gtk_widget_set_margin_end(bar, 6);
  gtk_widget_set_margin_top(bar, 4);
  self->type_combo = gtk_combo_box_text_new();
  gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(self->type_combo), "All types");
  for (int t = 0; t < VMS_TYPE_COUNT; t++)
    gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(self->type_combo), vms_type_title(t));
  gtk_combo_box_set_active(GTK_COMBO_BOX(self->type_combo), 0);
  vms_ui_set_accessible(self->type_combo, "Region type filter", NULL);
  g_signal_connect(self->type_combo, "changed", G_CALLBACK(on_type_changed), self);
  self->search = gtk_search_entry_new();
  gtk_entry_set_placeholder_text(GTK_ENTRY(self->search), "Filter regions (Ctrl+F)");
  gtk_entry_set_width_chars(GTK_ENTRY(self->search), 16);
  vms_ui_set_accessible(self->search, "Region text filter", NULL);
  g_signal_connect(self->search, "search-changed", G_CALLBACK(on_search_changed), self);
  self->count_label = gtk_label_new("");
  gtk_label_set_ellipsize(GTK_LABEL(self->count_label), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars(GTK_LABEL(self->count_label), 6);
  gtk_style_context_add_class(gtk_widget_get_style_context(self->count_label), "dim-label");
  self->counters_button = gtk_button_new_with_mnemonic("Read _counters");
  gtk_widget_set_tooltip_text(self->counters_button,
                              "Read resident, PSS, dirty and swap sizes per region (smaps); "
                              "costs more than a map read");
  vms_ui_set_accessible(self->counters_button, "Read counters", NULL);
  g_signal_connect(self->counters_button, "clicked", G_CALLBACK(on_counters_clicked), self);
  self->spinner = gtk_spinner_new();
  vms_ui_set_accessible(self->spinner, "Reading counters", NULL);
  self->counters_label = gtk_label_new("Counters not read");
  gtk_label_set_ellipsize(GTK_LABEL(self->counters_label), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars(GTK_LABEL(self->counters_label), 6);
  gtk_style_context_add_class(gtk_widget_get_style_context(self->counters_label), "dim-label");
  gtk_box_pack_start(GTK_BOX(bar), self->type_combo, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(bar), self->search, FALSE, FALSE, 0);
  self->changes_check = gtk_check_button_new_with_mnemonic("C_hanges only");
  gtk_widget_set_tooltip_text(self->changes_check,
                              "Show only the regions that differ between the two moments marked "
                              "on the timeline");
  gtk_widget_set_no_show_all(self->changes_check, TRUE);
  g_signal_connect(self->changes_check, "toggled", G_CALLBACK(on_changes_toggled), self);
  gtk_box_pack_start(GTK_BOX(bar), self->changes_check, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(bar), self->count_label, TRUE, TRUE, 0);
  gtk_label_set_xalign(GTK_LABEL(self->count_label), 0);
  gtk_box_pack_end(GTK_BOX(bar), self->counters_button, FALSE, FALSE, 0);
  gtk_box_pack_end(GTK_BOX(bar), self->counters_label, TRUE, TRUE, 0);
  gtk_label_set_xalign(GTK_LABEL(self->counters_label), 1);
  gtk_box_pack_end(GTK_BOX(bar), self->spinner, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(self), bar, FALSE, FALSE, 0);

  self->view = GTK_TREE_VIEW(gtk_tree_view_new());
  vms_ui_set_accessible(GTK_WIDGET(self->view), "Regions", "The regions of the address space");
  static const int widths[VMS_COL_COUNT] = {120, 120, 80, 100, 80, 80, 320, 80, 80, 90, 70, 190};
  for (int c = 0; c < VMS_COL_COUNT; c++) {
    GtkCellRenderer *cell = gtk_cell_renderer_text_new();
    if (c <= VMS_COL_SIZE || is_counter_col(c))
      g_object_set(cell, "xalign", 1.0, "family", c <= VMS_COL_END ? "monospace" : NULL, NULL);
    if (c == VMS_COL_DETAILS)
      g_object_set(cell, "ellipsize", PANGO_ELLIPSIZE_MIDDLE, NULL);
    GtkTreeViewColumn *col = gtk_tree_view_column_new();
    gtk_tree_view_column_set_title(col, column_titles[c]);
    gtk_tree_view_column_pack_start(col, cell, TRUE);
    gtk_tree_view_column_set_cell_data_func(col, cell, cell_data, self, NULL);
    gtk_tree_view_column_set_sizing(col, GTK_TREE_VIEW_COLUMN_FIXED);
    gtk_tree_view_column_set_fixed_width(col, widths[c]);
    gtk_tree_view_column_set_resizable(col, TRUE);
    gtk_tree_view_column_set_clickable(col, TRUE);
    gtk_tree_view_column_set_expand(col, c == VMS_COL_DETAILS);
    g_object_set_data(G_OBJECT(col), "col", GINT_TO_POINTER(c));
    g_signal_connect(col, "clicked", G_CALLBACK(on_column_clicked), self);
    gtk_tree_view_append_column(self->view, col);
    self->columns[c] = col;
  }
  /* The change column is shown only while two moments are compared. */
  gtk_tree_view_column_set_visible(self->columns[VMS_COL_CHANGE], FALSE);
  /* Every row the same height lets the view skip measuring 65,000 rows. */
  gtk_tree_view_set_fixed_height_mode(self->view, TRUE);
  gtk_tree_view_set_enable_search(self->view, FALSE);
  gtk_tree_view_set_model(self->view, GTK_TREE_MODEL(self->model));
  update_sort_indicators(self);
  g_signal_connect(gtk_tree_view_get_selection(self->view), "changed",
                   G_CALLBACK(on_selection_changed), self);
  GtkWidget *sw = gtk_scrolled_window_new(NULL, NULL);
  gtk_container_add(GTK_CONTAINER(sw), GTK_WIDGET(self->view));
  gtk_widget_set_vexpand(sw, TRUE);
  gtk_box_pack_start(GTK_BOX(self), sw, TRUE, TRUE, 0);
  gtk_widget_show_all(GTK_WIDGET(self));
  gtk_widget_hide(self->spinner);
}

/* Empties the rows with the view detached, so it reads none meanwhile. */
static void drop_rows(VmsRegionTable *self) {
  self->blocking = TRUE;
  gtk_tree_view_set_model(self->view, NULL);
  g_clear_pointer(&self->model->rows, g_free);
  self->model->n_rows = 0;
  self->model->stamp++;
  gtk_tree_view_set_model(self->view, GTK_TREE_MODEL(self->model));
  self->blocking = FALSE;
}

GtkWidget *vms_region_table_new(void) {
  return g_object_new(VMS_TYPE_REGION_TABLE, NULL);
}

void vms_region_table_set_snapshot(VmsRegionTable *self, VmsSnapshot *snap) {
  g_return_if_fail(VMS_IS_REGION_TABLE(self));
  /* The rows are patched against the old snapshot: released on return. */
  g_autoptr(VmsSnapshot) old = self->snap;
  /* A comparison's rows belong to its two moments: a new snapshot ends it
   * (the window compares again when it still wants to). */
  gboolean comparing = self->cmp_of != NULL;
  gboolean same_target =
      !comparing && old && snap && old->pid == snap->pid && old->start_time == snap->start_time;
  clear_descriptions(self);
  if (!same_target)
    drop_rows(self); /* they index the old snapshot: gone before anything reads them */
  if (comparing) {
    clear_comparison(self);
    show_comparison_widgets(self, FALSE);
  }
  self->snap = snap ? vms_snapshot_ref(snap) : NULL;
  if (!same_target) {
    rebuild(self, FALSE);
  } else {
    guint n;
    guint32 *rows = compute_rows(self, &n);
    /* Equal rows under a filter say nothing of the regions outside it: the
     * region arrays are compared whole, and only when equally long. */
    if (n == self->model->n_rows && old->n_regions == snap->n_regions &&
        memcmp(rows, self->model->rows, n * sizeof *rows) == 0 &&
        memcmp(old->regions, snap->regions, snap->n_regions * sizeof *snap->regions) == 0) {
      /* Nothing moved: the rows stay, only counters may differ. */
      g_free(rows);
      gtk_widget_queue_draw(GTK_WIDGET(self->view));
    } else if (!(self->sort_col == VMS_COL_START && !self->sort_desc &&
                 patch_rows(self, old, rows, n))) {
      replace_rows(self, old, rows, n);
    }
    update_count_label(self);
  }
  if (vms_snapshot_has_smaps(snap))
    vms_region_table_set_counters_snapshot(self, snap);
}

static void update_counters_label(VmsRegionTable *self) {
  const VmsSnapshot *snap = self->counters_snap;
  if (snap && snap->counters_at > 0) {
    char age[32], text[64];
    vms_ui_format_age(vms_time_now() - snap->counters_at, age, sizeof age);
    g_snprintf(text, sizeof text, "Counters read %s", age);
    gtk_label_set_text(GTK_LABEL(self->counters_label), text);
  } else {
    gtk_label_set_text(GTK_LABEL(self->counters_label), "Counters not read");
  }
}

void vms_region_table_set_counters_snapshot(VmsRegionTable *self, VmsSnapshot *snap) {
  g_return_if_fail(VMS_IS_REGION_TABLE(self));
  /* Handing back the counters already shown (a plain sample arrived) is no
   * answer to a pending read: the table stays busy until new ones come. */
  gboolean fresh = snap != self->counters_snap;
  vms_ui_snapshot_set(&self->counters_snap, snap);
  if (fresh || !self->counters_pending)
    vms_region_table_set_counters_busy(self, FALSE);
  if (is_counter_col(self->sort_col))
    rebuild(self, TRUE);
  else
    gtk_widget_queue_draw(GTK_WIDGET(self->view));
}

void vms_region_table_set_counters_busy(VmsRegionTable *self, gboolean busy) {
  g_return_if_fail(VMS_IS_REGION_TABLE(self));
  self->counters_pending = busy;
  gtk_widget_set_visible(self->spinner, busy);
  if (busy) {
    gtk_spinner_start(GTK_SPINNER(self->spinner));
    gtk_label_set_text(GTK_LABEL(self->counters_label), "Reading counters…");
  } else {
    gtk_spinner_stop(GTK_SPINNER(self->spinner));
    update_counters_label(self);
  }
  gtk_widget_set_sensitive(self->counters_button, !busy);
}

void vms_region_table_tick(VmsRegionTable *self) {
  g_return_if_fail(VMS_IS_REGION_TABLE(self));
  if (self->counters_pending || !self->counters_snap || !(self->counters_snap->counters_at > 0))
    return;
  update_counters_label(self);
}

void vms_region_table_set_type_filter(VmsRegionTable *self, int type) {
  g_return_if_fail(VMS_IS_REGION_TABLE(self));
  gtk_combo_box_set_active(GTK_COMBO_BOX(self->type_combo),
                           type >= 0 && type < VMS_TYPE_COUNT ? type + 1 : 0);
}

void vms_region_table_set_text_filter(VmsRegionTable *self, const char *text) {
  g_return_if_fail(VMS_IS_REGION_TABLE(self));
  char *folded = text && *text ? g_ascii_strdown(text, -1) : NULL;
  if (g_strcmp0(folded, self->text_filter) == 0) {
    g_free(folded);
    return;
  }
  g_free(self->text_filter);
  self->text_filter = folded;
  self->filter_hexlike = folded != NULL;
  for (const char *c = folded; c && *c; c++)
    if (!g_ascii_isxdigit(*c) && *c != 'x' && *c != ' ')
      self->filter_hexlike = FALSE;
  /* The entry's delayed search-changed comes back here with the same text and stops above. */
  if (g_strcmp0(gtk_entry_get_text(GTK_ENTRY(self->search)), text ? text : "") != 0) {
    gtk_entry_set_text(GTK_ENTRY(self->search), text ? text : "");
  }
  rebuild(self, FALSE);
}

void vms_region_table_focus_filter(VmsRegionTable *self) {
  g_return_if_fail(VMS_IS_REGION_TABLE(self));
  gtk_widget_grab_focus(self->search);
}

size_t vms_region_table_get_selected(VmsRegionTable *self) {
  g_return_val_if_fail(VMS_IS_REGION_TABLE(self), SIZE_MAX);
  return selected_region(self);
}

void vms_region_table_select(VmsRegionTable *self, size_t idx, gboolean emit) {
  g_return_if_fail(VMS_IS_REGION_TABLE(self));
  GtkTreeSelection *sel = gtk_tree_view_get_selection(self->view);
  self->blocking = !emit;
  guint row;
  if (idx != SIZE_MAX && self->snap && row_of_region(self, idx, &row)) {
    GtkTreePath *p = gtk_tree_path_new_from_indices((int)row, -1);
    gtk_tree_view_set_cursor(self->view, p, NULL, FALSE);
    gtk_tree_view_scroll_to_cell(self->view, p, NULL, TRUE, 0.5, 0);
    gtk_tree_path_free(p);
  } else {
    gtk_tree_selection_unselect_all(sel);
  }
  self->blocking = FALSE;
}

size_t vms_region_table_get_n_rows(VmsRegionTable *self) {
  g_return_val_if_fail(VMS_IS_REGION_TABLE(self), 0);
  return self->model->n_rows;
}
size_t vms_region_table_get_row_region(VmsRegionTable *self, size_t row) {
  g_return_val_if_fail(VMS_IS_REGION_TABLE(self), SIZE_MAX);
  return row < self->model->n_rows ? self->model->rows[row] : SIZE_MAX;
}
GtkTreeView *vms_region_table_get_view(VmsRegionTable *self) {
  g_return_val_if_fail(VMS_IS_REGION_TABLE(self), NULL);
  return self->view;
}

/* ---- two moments compared ---- */

void vms_region_change_text(const VmsRegionChange *c, char *buf, size_t size) {
  if (!c) {
    if (size)
      buf[0] = '\0';
    return;
  }
  const VmsRegion *o = c->old_r, *n = c->new_r;
  char sz[32] = "", what[200] = "";
  if (c->kind == VMS_REGION_GREW || c->kind == VMS_REGION_SHRANK) {
    uint64_t os = o->end - o->start, ns = n->end - n->start;
    vms_size_format(ns > os ? ns - os : os - ns, sz, sizeof sz);
  }
  if (o && n) {
    char op[8], np[8];
    if (c->what & VMS_REGION_TYPE)
      g_snprintf(what + strlen(what), sizeof what - strlen(what), ", %s → %s",
                 vms_type_title(o->type), vms_type_title(n->type));
    if (c->what & VMS_REGION_STATE)
      g_snprintf(what + strlen(what), sizeof what - strlen(what), ", %s → %s",
                 vms_state_name(o->state), vms_state_name(n->state));
    if (c->what & VMS_REGION_PROT) {
      vms_prot_format(o->prot, op);
      vms_prot_format(n->prot, np);
      g_snprintf(what + strlen(what), sizeof what - strlen(what), ", %s → %s", op, np);
    }
  }
  switch (c->kind) {
  case VMS_REGION_APPEARED: g_strlcpy(buf, "appeared", size); break;
  case VMS_REGION_VANISHED: g_strlcpy(buf, "vanished", size); break;
  case VMS_REGION_GREW: g_snprintf(buf, size, "grew +%s%s", sz, what); break;
  case VMS_REGION_SHRANK: g_snprintf(buf, size, "shrank −%s%s", sz, what); break;
  default: g_snprintf(buf, size, "changed%s", what[0] ? what + 1 : ""); break;
  }
}

/* Okabe-Ito hues, light enough under dark text on either theme's rows. */
const GdkRGBA *vms_region_change_tint(VmsRegionChangeKind kind) {
  static const GdkRGBA tints[] = {
      {0, 0, 0, 0},
      {0.000, 0.620, 0.451, 0.30}, /* appeared: bluish green */
      {0.835, 0.369, 0.000, 0.30}, /* vanished: vermillion */
      {0.337, 0.706, 0.914, 0.30}, /* grew: sky blue */
      {0.902, 0.624, 0.000, 0.30}, /* shrank: orange */
      {0.800, 0.475, 0.655, 0.30}, /* changed: reddish purple */
  };
  return kind >= VMS_REGION_APPEARED && kind <= VMS_REGION_CHANGED ? &tints[kind] : NULL;
}

void vms_region_table_set_comparison(VmsRegionTable *self, VmsSnapshot *older, VmsSnapshot *newer) {
  g_return_if_fail(VMS_IS_REGION_TABLE(self));
  gboolean was = self->cmp_of != NULL;
  gboolean shown_newer = self->snap && newer == self->snap;
  gboolean on =
      older && newer && older != newer && self->snap && (shown_newer || older == self->snap);
  if (!on && !was)
    return;
  uint64_t sel = selected_start(self, self->snap);
  drop_rows(self); /* they may index extras about to go */
  clear_descriptions(self);
  clear_comparison(self);
  if (on) {
    VmsRegionChange *v = NULL;
    size_t n = vms_snapshot_compare(older, newer, &v);
    if (n == SIZE_MAX) {
      n = 0; /* out of memory: shown without marks rather than not at all */
      v = NULL;
    }
    self->cmp = v;
    self->n_cmp = n;
    self->cmp_other = vms_snapshot_ref(shown_newer ? older : newer);
    size_t nr = self->snap->n_regions;
    self->extra = g_new(const VmsRegion *, n ? n : 1);
    for (size_t k = 0; k < n; k++) {
      const VmsRegion *mine = shown_newer ? v[k].new_r : v[k].old_r;
      if (!mine)
        self->extra[self->n_extra++] = shown_newer ? v[k].old_r : v[k].new_r;
    }
    self->cmp_of = g_new(gint32, nr + self->n_extra ? nr + self->n_extra : 1);
    for (size_t k = 0; k < nr + self->n_extra; k++)
      self->cmp_of[k] = -1;
    for (size_t k = 0, e = 0; k < n; k++) {
      const VmsRegion *mine = shown_newer ? v[k].new_r : v[k].old_r;
      size_t idx = mine ? (size_t)(mine - self->snap->regions) : nr + e++;
      self->cmp_of[idx] = (gint32)k;
      self->n_kind[v[k].kind]++;
    }
  }
  show_comparison_widgets(self, on);
  rebuild(self, FALSE);
  restore_selection(self, sel);
}

size_t vms_region_table_get_n_changes(VmsRegionTable *self, int kind) {
  g_return_val_if_fail(VMS_IS_REGION_TABLE(self), 0);
  if (kind == 0)
    return self->n_cmp;
  return kind >= VMS_REGION_APPEARED && kind <= VMS_REGION_CHANGED ? self->n_kind[kind] : 0;
}

void vms_region_table_set_changes_only(VmsRegionTable *self, gboolean only) {
  g_return_if_fail(VMS_IS_REGION_TABLE(self));
  gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(self->changes_check), only);
}

gboolean vms_region_table_get_row_change(VmsRegionTable *self, size_t row, uint64_t *start,
                                         uint64_t *end, char *text, size_t size) {
  g_return_val_if_fail(VMS_IS_REGION_TABLE(self), FALSE);
  if (!self->snap || row >= self->model->n_rows)
    return FALSE;
  size_t idx = self->model->rows[row];
  const VmsRegion *r = region_at(self, idx);
  if (start)
    *start = r->start;
  if (end)
    *end = r->end;
  const VmsRegionChange *c = change_of(self, idx);
  if (text)
    vms_region_change_text(c, text, size);
  return c != NULL;
}

const char *vms_region_table_get_count_text(VmsRegionTable *self) {
  g_return_val_if_fail(VMS_IS_REGION_TABLE(self), NULL);
  return gtk_label_get_text(GTK_LABEL(self->count_label));
}
