/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-picker.c: the process picker dialog.
 *
 * The process list is read on a worker thread (vms_process_list reads
 * /proc/PID/{stat,status,cmdline} for each process) and merged into the
 * store keyed by PID and start time, so the selection and scroll position
 * survive each refresh and only changed rows are touched. */
#include "vms-picker.h"

#include "vms-platform.h"
#include "vms-remote.h"
#include "vms-ui-util.h"

#define REFRESH_SECONDS        2
/* Each list of another machine's costs two ssh sessions there. */
#define REMOTE_REFRESH_SECONDS 10

enum {
  COL_PID,
  COL_NAME,
  COL_USER,
  COL_CMDLINE,
  COL_MEMORY,
  COL_RSS,
  COL_SENSITIVE,
  COL_TOOLTIP,
  COL_KEY,
  COL_START,
  COL_SEEN,
  COL_CONTAINER, /* its PID in its namespace and its container (vms_ui_container_text) */
  N_COLS
};

struct _VmsPicker {
  GtkDialog parent_instance;
  GtkSearchEntry *search;
  GtkTreeView *view;
  GtkLabel *status;
  GtkListStore *store;
  GtkTreeModel *filter, *sort;
  char **terms;  /* casefolded search words, all must match */
  char *applied; /* the casefolded text terms came from */
  GCancellable *cancel;
  guint refresh_id;
  gboolean loading;
  guint n_loads, generation;
  gboolean activate_pending; /* Enter came before the first list */
  int pid;
  VmsRemoteTarget *remote; /* the machine whose processes are listed, NULL for this one */
};

G_DEFINE_TYPE(VmsPicker, vms_picker, GTK_TYPE_DIALOG)

typedef struct {
  VmsProcInfo *list;
  size_t n;
  VmsError err;
  VmsErrorCode code;
} LoadResult;

static void load_result_free(gpointer p) {
  LoadResult *r = p;
  if (r->list)
    vms_process_list_free(r->list, r->n);
  g_free(r);
}

/* data: a copy of the remote target, or NULL for this machine. */
static void load_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel) {
  LoadResult *r = g_new0(LoadResult, 1);
  if (data)
    r->code = vms_remote_processes(data, &r->list, &r->n, &r->err);
  else
    r->code = vms_process_list(0, &r->list, &r->n, &r->err);
  g_task_return_pointer(task, r, load_result_free);
}

static gboolean visible_func(GtkTreeModel *model, GtkTreeIter *iter, gpointer data) {
  VmsPicker *self = data;
  if (!self->terms || !self->terms[0])
    return TRUE;
  g_autofree char *key = NULL;
  gtk_tree_model_get(model, iter, COL_KEY, &key, -1);
  if (!key)
    return FALSE;
  for (char **t = self->terms; *t; t++)
    if (!strstr(key, *t))
      return FALSE;
  return TRUE;
}

static void update_status(VmsPicker *self, const char *error) {
  char text[1100];
  int total = gtk_tree_model_iter_n_children(GTK_TREE_MODEL(self->store), NULL);
  int shown = gtk_tree_model_iter_n_children(self->filter, NULL);
  char on[420] = "";
  if (self->remote)
    g_snprintf(on, sizeof on, " on %s", self->remote->label);
  if (error)
    g_snprintf(text, sizeof text, "Cannot list processes%s: %s", on, error);
  else if (!self->n_loads)
    g_snprintf(text, sizeof text, "Reading the process list%s…", on);
  else if (shown == total)
    g_snprintf(
        text, sizeof text,
        "%d processes. Enter or double-click attaches; dimmed ones cannot be read (hover for why).",
        total);
  else
    g_snprintf(text, sizeof text, "%d of %d processes match.", shown, total);
  gtk_label_set_text(self->status, text);
}

static void select_first_if_none(VmsPicker *self) {
  GtkTreeSelection *sel = gtk_tree_view_get_selection(self->view);
  if (gtk_tree_selection_count_selected_rows(sel) > 0)
    return;
  GtkTreeIter it;
  if (gtk_tree_model_get_iter_first(self->sort, &it))
    gtk_tree_selection_select_iter(sel, &it);
}

static void merge(VmsPicker *self, const VmsProcInfo *list, size_t n) {
  GtkTreeModel *m = GTK_TREE_MODEL(self->store);
  GHashTable *rows = g_hash_table_new(g_direct_hash, g_direct_equal);
  GtkTreeIter it;
  self->generation++;
  for (gboolean ok = gtk_tree_model_get_iter_first(m, &it); ok;
       ok = gtk_tree_model_iter_next(m, &it)) {
    int pid;
    gtk_tree_model_get(m, &it, COL_PID, &pid, -1);
    g_hash_table_insert(rows, GINT_TO_POINTER(pid), gtk_tree_iter_copy(&it));
  }
  for (size_t i = 0; i < n; i++) {
    const VmsProcInfo *p = &list[i];
    GtkTreeIter *found = g_hash_table_lookup(rows, GINT_TO_POINTER(p->pid));
    GtkTreeIter row;
    gboolean fresh = TRUE;
    if (found) {
      guint64 start;
      gtk_tree_model_get(m, found, COL_START, &start, -1);
      row = *found;
      fresh = start != p->start_time;
    } else {
      gtk_list_store_append(self->store, &row);
    }
    char mem[32], tip[256];
    if (p->rss)
      vms_size_format(p->rss, mem, sizeof mem);
    else
      g_strlcpy(mem, "", sizeof mem);
    gboolean readable = p->access == VMS_OK;
    if (readable)
      tip[0] = '\0';
    else
      g_strlcpy(tip, p->reason[0] ? p->reason : vms_error_code_name(p->access), sizeof tip);
    if (fresh) {
      const char *cmd = p->cmdline && *p->cmdline ? p->cmdline : "";
      char pidtext[16];
      g_snprintf(pidtext, sizeof pidtext, "%d", p->pid);
      char where[96];
      vms_ui_container_text(p->ns_pid, p->container, where, sizeof where);
      g_autofree char *joined = g_strjoin(" ", pidtext, p->name, p->user, where, cmd, NULL);
      g_autofree char *key = g_utf8_casefold(joined, -1);
      char cmdshown[512];
      g_snprintf(cmdshown, sizeof cmdshown, "%s",
                 *cmd              ? cmd
                 : p->state == 'Z' ? "(zombie)"
                                   : "(kernel thread)");
      gtk_list_store_set(self->store, &row, COL_PID, p->pid, COL_NAME, p->name, COL_USER, p->user,
                         COL_CMDLINE, cmdshown, COL_KEY, key, COL_START, p->start_time,
                         COL_CONTAINER, where, -1);
    }
    gtk_list_store_set(self->store, &row, COL_MEMORY, mem, COL_RSS, p->rss, COL_SENSITIVE, readable,
                       COL_TOOLTIP, readable ? NULL : tip, COL_SEEN, self->generation, -1);
  }
  GHashTableIter hi;
  gpointer key, value;
  g_hash_table_iter_init(&hi, rows);
  while (g_hash_table_iter_next(&hi, &key, &value)) {
    GtkTreeIter *old = value;
    guint seen;
    gtk_tree_model_get(m, old, COL_SEEN, &seen, -1);
    if (seen != self->generation)
      gtk_list_store_remove(self->store, old);
    gtk_tree_iter_free(old);
  }
  g_hash_table_unref(rows);
}

static void schedule_refresh(VmsPicker *self);
static void apply_search(VmsPicker *self);

static void load_done(GObject *source, GAsyncResult *res, gpointer data) {
  GTask *task = G_TASK(res);
  if (g_task_had_error(task) || g_cancellable_is_cancelled(g_task_get_cancellable(task))) {
    g_object_unref(data);
    return;
  }
  VmsPicker *self = data;
  LoadResult *r = g_task_propagate_pointer(task, NULL);
  self->loading = FALSE;
  if (r && r->code == VMS_OK) {
    vms_picker_set_processes(self, r->list, r->n);
  } else {
    update_status(self, r ? r->err.message : "unknown error");
  }
  if (r)
    load_result_free(r);
  schedule_refresh(self);
  g_object_unref(self);
}

static void start_load(VmsPicker *self) {
  if (self->loading)
    return;
  self->loading = TRUE;
  GTask *task = g_task_new(NULL, self->cancel, load_done, g_object_ref(self));
  if (self->remote)
    g_task_set_task_data(task, g_memdup2(self->remote, sizeof *self->remote), g_free);
  g_task_run_in_thread(task, load_thread);
  g_object_unref(task);
}

static gboolean refresh_tick(gpointer data) {
  VmsPicker *self = data;
  self->refresh_id = 0;
  if (gtk_widget_get_mapped(GTK_WIDGET(self)))
    start_load(self);
  else
    schedule_refresh(self);
  return G_SOURCE_REMOVE;
}

static void schedule_refresh(VmsPicker *self) {
  if (!self->refresh_id && !g_cancellable_is_cancelled(self->cancel))
    self->refresh_id = g_timeout_add_seconds(
        self->remote ? REMOTE_REFRESH_SECONDS : REFRESH_SECONDS, refresh_tick, self);
}

static void on_search_changed(GtkSearchEntry *entry, VmsPicker *self) {
  apply_search(self);
}

/* The search entry reports changes after a pause in typing; Enter applies
 * the text at once, so a quick "type, Enter" attaches to what was typed. */
static void apply_search(VmsPicker *self) {
  GtkSearchEntry *entry = self->search;
  char *folded = g_utf8_casefold(gtk_entry_get_text(GTK_ENTRY(entry)), -1);
  if (self->applied && strcmp(folded, self->applied) == 0) {
    g_free(folded);
    return; /* keeps a row the user picked */
  }
  g_free(self->applied);
  self->applied = folded;
  folded = g_strdup(folded);
  g_clear_pointer(&self->terms, g_strfreev);
  self->terms = g_strsplit_set(g_strstrip(folded), " \t", -1);
  /* Drop the empty words a double space leaves. */
  char **w = self->terms;
  for (char **r = self->terms; *r; r++) {
    if (**r)
      *w++ = *r;
    else
      g_free(*r);
  }
  *w = NULL;
  g_free(folded);
  gtk_tree_model_filter_refilter(GTK_TREE_MODEL_FILTER(self->filter));
  gtk_tree_selection_unselect_all(gtk_tree_view_get_selection(self->view));
  select_first_if_none(self);
  update_status(self, NULL);
}

static gboolean take_selected(VmsPicker *self) {
  GtkTreeModel *m;
  GtkTreeIter it;
  if (!gtk_tree_selection_get_selected(gtk_tree_view_get_selection(self->view), &m, &it))
    return FALSE;
  gtk_tree_model_get(m, &it, COL_PID, &self->pid, -1);
  return TRUE;
}

static void choose_selected(VmsPicker *self) {
  if (take_selected(self))
    gtk_dialog_response(GTK_DIALOG(self), GTK_RESPONSE_ACCEPT);
}

static void on_search_activate(GtkEntry *entry, VmsPicker *self) {
  apply_search(self);
  if (!self->n_loads) {
    /* Typed ahead of the first list: attach to the first match once it lands. */
    self->activate_pending = TRUE;
    return;
  }
  select_first_if_none(self);
  choose_selected(self);
}

static gboolean on_search_key(GtkWidget *w, GdkEventKey *ev, VmsPicker *self) {
  if (ev->keyval == GDK_KEY_Down || ev->keyval == GDK_KEY_Page_Down) {
    gtk_widget_grab_focus(GTK_WIDGET(self->view));
    GtkTreePath *path = NULL;
    gtk_tree_view_get_cursor(self->view, &path, NULL);
    if (!path)
      path = gtk_tree_path_new_first();
    gtk_tree_view_set_cursor(self->view, path, NULL, FALSE);
    gtk_tree_path_free(path);
    return TRUE;
  }
  return FALSE;
}

static void on_row_activated(GtkTreeView *view, GtkTreePath *path, GtkTreeViewColumn *col,
                             VmsPicker *self) {
  GtkTreeIter it;
  if (gtk_tree_model_get_iter(self->sort, &it, path)) {
    gtk_tree_model_get(self->sort, &it, COL_PID, &self->pid, -1);
    gtk_dialog_response(GTK_DIALOG(self), GTK_RESPONSE_ACCEPT);
  }
}

static void on_response(GtkDialog *dialog, int response, VmsPicker *self) {
  if (response == GTK_RESPONSE_ACCEPT && self->pid <= 0)
    take_selected(self);
}

static void vms_picker_dispose(GObject *obj) {
  VmsPicker *self = VMS_PICKER(obj);
  if (self->cancel)
    g_cancellable_cancel(self->cancel);
  if (self->refresh_id) {
    g_source_remove(self->refresh_id);
    self->refresh_id = 0;
  }
  g_clear_object(&self->cancel);
  g_clear_object(&self->sort);
  g_clear_object(&self->filter);
  g_clear_object(&self->store);
  g_clear_pointer(&self->terms, g_strfreev);
  g_clear_pointer(&self->applied, g_free);
  g_clear_pointer(&self->remote, g_free);
  G_OBJECT_CLASS(vms_picker_parent_class)->dispose(obj);
}

static void vms_picker_class_init(VmsPickerClass *klass) {
  GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);
  G_OBJECT_CLASS(klass)->dispose = vms_picker_dispose;
  gtk_widget_class_set_template_from_resource(wc, "/io/github/vmscope/Vmscope/vms-picker.ui");
  gtk_widget_class_bind_template_child(wc, VmsPicker, search);
  gtk_widget_class_bind_template_child(wc, VmsPicker, view);
  gtk_widget_class_bind_template_child(wc, VmsPicker, status);
  gtk_widget_class_bind_template_callback(wc, on_search_changed);
  gtk_widget_class_bind_template_callback(wc, on_search_activate);
  gtk_widget_class_bind_template_callback(wc, on_search_key);
  gtk_widget_class_bind_template_callback(wc, on_row_activated);
}

static int sort_text(GtkTreeModel *m, GtkTreeIter *a, GtkTreeIter *b, gpointer col) {
  g_autofree char *x = NULL, *y = NULL;
  gtk_tree_model_get(m, a, GPOINTER_TO_INT(col), &x, -1);
  gtk_tree_model_get(m, b, GPOINTER_TO_INT(col), &y, -1);
  return g_utf8_collate(x ? x : "", y ? y : "");
}

static void vms_picker_init(VmsPicker *self) {
  gtk_widget_init_template(GTK_WIDGET(self));
  self->cancel = g_cancellable_new();
  self->store = gtk_list_store_new(N_COLS, G_TYPE_INT, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                                   G_TYPE_STRING, G_TYPE_UINT64, G_TYPE_BOOLEAN, G_TYPE_STRING,
                                   G_TYPE_STRING, G_TYPE_UINT64, G_TYPE_UINT, G_TYPE_STRING);
  self->filter = gtk_tree_model_filter_new(GTK_TREE_MODEL(self->store), NULL);
  gtk_tree_model_filter_set_visible_func(GTK_TREE_MODEL_FILTER(self->filter), visible_func, self,
                                         NULL);
  self->sort = gtk_tree_model_sort_new_with_model(self->filter);
  gtk_tree_sortable_set_sort_func(GTK_TREE_SORTABLE(self->sort), COL_CONTAINER, sort_text,
                                  GINT_TO_POINTER(COL_CONTAINER), NULL);
  for (int c = COL_NAME; c <= COL_CMDLINE; c++)
    gtk_tree_sortable_set_sort_func(GTK_TREE_SORTABLE(self->sort), c, sort_text, GINT_TO_POINTER(c),
                                    NULL);
  gtk_tree_sortable_set_sort_column_id(GTK_TREE_SORTABLE(self->sort), COL_RSS, GTK_SORT_DESCENDING);
  gtk_tree_view_set_model(self->view, self->sort);
  gtk_dialog_add_button(GTK_DIALOG(self), "_Cancel", GTK_RESPONSE_CANCEL);
  GtkWidget *attach = gtk_dialog_add_button(GTK_DIALOG(self), "_Attach", GTK_RESPONSE_ACCEPT);
  gtk_style_context_add_class(gtk_widget_get_style_context(attach), "suggested-action");
  g_signal_connect(self, "response", G_CALLBACK(on_response), self);
  update_status(self, NULL);
}

GtkWidget *vms_picker_new(GtkWindow *parent) {
  VmsPicker *self =
      g_object_new(VMS_TYPE_PICKER, "transient-for", parent, "use-header-bar", TRUE, NULL);
  start_load(self);
  return GTK_WIDGET(self);
}

GtkWidget *vms_picker_new_remote(GtkWindow *parent, const VmsRemoteTarget *target) {
  g_return_val_if_fail(target != NULL, NULL);
  VmsPicker *self =
      g_object_new(VMS_TYPE_PICKER, "transient-for", parent, "use-header-bar", TRUE, NULL);
  self->remote = g_memdup2(target, sizeof *target);
  g_autofree char *title = g_strdup_printf("Processes on %s", target->label);
  gtk_window_set_title(GTK_WINDOW(self), title);
  update_status(self, NULL);
  start_load(self);
  return GTK_WIDGET(self);
}

const VmsRemoteTarget *vms_picker_get_remote(VmsPicker *self) {
  g_return_val_if_fail(VMS_IS_PICKER(self), NULL);
  return self->remote;
}

int vms_picker_get_pid(VmsPicker *self) {
  g_return_val_if_fail(VMS_IS_PICKER(self), -1);
  return self->pid;
}
GtkEntry *vms_picker_get_search_entry(VmsPicker *self) {
  g_return_val_if_fail(VMS_IS_PICKER(self), NULL);
  return GTK_ENTRY(self->search);
}
guint vms_picker_get_n_visible(VmsPicker *self) {
  g_return_val_if_fail(VMS_IS_PICKER(self), 0);
  return (guint)gtk_tree_model_iter_n_children(self->filter, NULL);
}
int vms_picker_get_visible_pid(VmsPicker *self, guint row) {
  g_return_val_if_fail(VMS_IS_PICKER(self), -1);
  GtkTreeIter it;
  int pid = -1;
  if (gtk_tree_model_iter_nth_child(self->sort, &it, NULL, (int)row))
    gtk_tree_model_get(self->sort, &it, COL_PID, &pid, -1);
  return pid;
}
guint vms_picker_get_n_loads(VmsPicker *self) {
  g_return_val_if_fail(VMS_IS_PICKER(self), 0);
  return self->n_loads;
}

void vms_picker_set_processes(VmsPicker *self, const VmsProcInfo *list, size_t n) {
  g_return_if_fail(VMS_IS_PICKER(self));
  merge(self, list, n);
  self->n_loads++;
  select_first_if_none(self);
  update_status(self, NULL);
  if (self->activate_pending) {
    self->activate_pending = FALSE;
    choose_selected(self);
  }
}

/* pid's row in the store. */
static gboolean find_row(VmsPicker *self, int pid, GtkTreeIter *it) {
  GtkTreeModel *m = GTK_TREE_MODEL(self->store);
  for (gboolean ok = gtk_tree_model_get_iter_first(m, it); ok;
       ok = gtk_tree_model_iter_next(m, it)) {
    int p;
    gtk_tree_model_get(m, it, COL_PID, &p, -1);
    if (p == pid)
      return TRUE;
  }
  return FALSE;
}

gboolean vms_picker_get_row_state(VmsPicker *self, int pid, gboolean *readable, char **reason) {
  g_return_val_if_fail(VMS_IS_PICKER(self), FALSE);
  GtkTreeIter it;
  if (!find_row(self, pid, &it))
    return FALSE;
  gtk_tree_model_get(GTK_TREE_MODEL(self->store), &it, COL_SENSITIVE, readable, COL_TOOLTIP, reason,
                     -1);
  return TRUE;
}

char *vms_picker_get_container_text(VmsPicker *self, int pid) {
  g_return_val_if_fail(VMS_IS_PICKER(self), NULL);
  GtkTreeIter it;
  char *text = NULL;
  if (find_row(self, pid, &it))
    gtk_tree_model_get(GTK_TREE_MODEL(self->store), &it, COL_CONTAINER, &text, -1);
  return text;
}
