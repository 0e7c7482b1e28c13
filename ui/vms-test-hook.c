/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-test-hook.c: the window's visible state, written to a file for tests
 * (see vms-test-hook.h). It reads only what GTK draws: the table's cells
 * through their own cell data functions, the banner and status texts, the
 * buttons and entries of every window with their places on the screen. */
#include "vms-test-hook.h"

#include <gtk/gtk.h>

#include "vms-window.h"

#define HOOK_PERIOD_MS 500

static char *hook_path;

/* Tabs and newlines would break the line format. */
static void put_text(GString *out, const char *text) {
  for (const char *c = text ? text : ""; *c; c++)
    g_string_append_c(out, *c == '\t' || *c == '\n' || *c == '\r' ? ' ' : *c);
}

static void put_glyphs(GString *out, GtkWidget *widget, const char *family) {
  PangoLayout *layout = gtk_widget_create_pango_layout(widget, "0x00007ff0deadbeef 1.5 GiB");
  if (family) {
    PangoFontDescription *desc = pango_font_description_from_string(family);
    pango_layout_set_font_description(layout, desc);
    pango_font_description_free(desc);
  }
  g_string_append_printf(out, "glyphs %s %d\n", family ? family : "default",
                         pango_layout_get_unknown_glyphs_count(layout));
  g_object_unref(layout);
}

/* The text a column's first cell shows for the row at iter. */
static char *cell_text(GtkTreeViewColumn *col, GtkTreeModel *model, GtkTreeIter *iter) {
  gtk_tree_view_column_cell_set_cell_data(col, model, iter, FALSE, FALSE);
  GList *cells = gtk_cell_layout_get_cells(GTK_CELL_LAYOUT(col));
  char *text = NULL;
  if (cells)
    g_object_get(cells->data, "text", &text, NULL);
  g_list_free(cells);
  return text;
}

static void put_rows(GString *out, VmsRegionTable *table) {
  static const VmsRegionColumn wanted[] = {VMS_COL_START, VMS_COL_END,  VMS_COL_TYPE,
                                           VMS_COL_STATE, VMS_COL_PROT, VMS_COL_DETAILS};
  GtkTreeView *view = vms_region_table_get_view(table);
  GtkTreeModel *model = gtk_tree_view_get_model(view);
  GtkTreeViewColumn *cols[G_N_ELEMENTS(wanted)] = {0};
  GList *all = gtk_tree_view_get_columns(view);
  for (GList *l = all; l; l = l->next)
    for (size_t k = 0; k < G_N_ELEMENTS(wanted); k++)
      if (GPOINTER_TO_INT(g_object_get_data(l->data, "col")) == (int)wanted[k])
        cols[k] = l->data;
  g_list_free(all);
  GtkTreeIter iter;
  for (gboolean ok = model && gtk_tree_model_get_iter_first(model, &iter); ok;
       ok = gtk_tree_model_iter_next(model, &iter)) {
    g_string_append(out, "row ");
    for (size_t k = 0; k < G_N_ELEMENTS(wanted); k++) {
      char *text = cols[k] ? cell_text(cols[k], model, &iter) : NULL;
      if (k)
        g_string_append_c(out, '\t');
      put_text(out, text);
      g_free(text);
    }
    g_string_append_c(out, '\n');
  }
}

typedef struct {
  GString *out;
  const char *title;
  GtkWidget *top;
  int ox, oy;
} WidgetWalk;

static void put_widget(GtkWidget *w, gpointer data) {
  WidgetWalk *walk = data;
  if (!gtk_widget_is_visible(w) || !gtk_widget_get_mapped(w))
    return;
  const char *kind = NULL;
  char *label = NULL;
  if (GTK_IS_ENTRY(w)) {
    kind = "entry";
    label = g_strdup(gtk_entry_get_text(GTK_ENTRY(w)));
  } else if (GTK_IS_BUTTON(w)) {
    /* An icon button has no label: its tooltip names it. */
    kind = "button";
    const char *text = gtk_button_get_label(GTK_BUTTON(w));
    label = text ? g_strdup(text) : gtk_widget_get_tooltip_text(w);
  }
  if (kind) {
    int x = 0, y = 0;
    GtkAllocation a;
    gtk_widget_get_allocation(w, &a);
    if (gtk_widget_translate_coordinates(w, walk->top, 0, 0, &x, &y)) {
      g_string_append(walk->out, "widget ");
      put_text(walk->out, walk->title);
      g_string_append_printf(walk->out, "\t%s\t", kind);
      put_text(walk->out, label);
      g_string_append_printf(walk->out, "\t%d\t%d\t%d\t%d\n", walk->ox + x, walk->oy + y, a.width,
                             a.height);
    }
    g_free(label);
  }
  /* forall, not foreach: a header bar's and a dialog's buttons are internal children. */
  if (GTK_IS_CONTAINER(w))
    gtk_container_forall(GTK_CONTAINER(w), put_widget, walk);
}

static void put_widgets(GString *out) {
  GList *tops = gtk_window_list_toplevels();
  for (GList *l = tops; l; l = l->next) {
    GtkWidget *top = l->data;
    GdkWindow *gdk = gtk_widget_get_window(top);
    if (!gtk_widget_get_mapped(top) || !gdk)
      continue;
    WidgetWalk walk = {out, gtk_window_get_title(GTK_WINDOW(top)), top, 0, 0};
    gdk_window_get_origin(gdk, &walk.ox, &walk.oy);
    gtk_container_forall(GTK_CONTAINER(top), put_widget, &walk);
  }
  g_list_free(tops);
}

static VmsWindow *first_window(void) {
  VmsWindow *win = NULL;
  GList *tops = gtk_window_list_toplevels();
  for (GList *l = tops; l && !win; l = l->next)
    if (VMS_IS_WINDOW(l->data))
      win = l->data;
  g_list_free(tops);
  return win;
}

static gboolean hook_write(gpointer data) {
  VmsWindow *win = first_window();
  if (!win)
    return G_SOURCE_CONTINUE;
  GString *out = g_string_new(NULL);
  GtkMessageType type;
  const char *banner = vms_window_get_banner(win, &type);
  g_string_append(out, "banner");
  if (banner) {
    g_string_append_c(out, ' ');
    put_text(out, banner);
  }
  g_string_append(out, "\nstatus ");
  put_text(out, vms_window_get_status(win));
  g_string_append_c(out, '\n');
  put_glyphs(out, GTK_WIDGET(win), NULL);
  put_glyphs(out, GTK_WIDGET(win), "monospace");
  put_rows(out, vms_window_get_table(win));
  put_widgets(out);
  GError *error = NULL;
  /* g_file_set_contents writes beside the file and renames: a reader never sees half. */
  if (!g_file_set_contents(hook_path, out->str, (gssize)out->len, &error)) {
    g_printerr("vmscope test hook: %s\n", error->message);
    g_error_free(error);
  }
  g_string_free(out, TRUE);
  return G_SOURCE_CONTINUE;
}

void vms_test_hook_install(void) {
  const char *path = g_getenv("VMS_TEST_HOOK_FILE");
  if (!path || !*path || hook_path)
    return;
  hook_path = g_strdup(path);
  g_timeout_add(HOOK_PERIOD_MS, hook_write, NULL);
}
