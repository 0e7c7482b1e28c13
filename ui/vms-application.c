/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-application.c: the GtkApplication: actions, shortcuts, theme, remembered settings. */
#include "vms-application.h"

#include "vms-config.h"
#include "vms-platform.h"
#include "vms-remote.h"
#include "vms-window.h"

struct _VmsApplication {
  GtkApplication parent_instance;
  int pid;
  char *file;   /* a recording to open the first window on, or NULL */
  char *stream; /* "-" or an ssh:// URL with a PID: the first window reads that stream */
  GSettings *interface_settings; /* org.gnome.desktop.interface, when installed */
};

G_DEFINE_TYPE(VmsApplication, vms_application, GTK_TYPE_APPLICATION)

char *vms_settings_path(void) {
  return g_build_filename(g_get_user_config_dir(), "vmscope", "vmscope.ini", NULL);
}

void vms_settings_load(VmsSettings *s) {
  s->width = 1200;
  s->height = 780;
  s->maximized = FALSE;
  s->interval = 1.0;
  g_autofree char *path = vms_settings_path();
  g_autoptr(GKeyFile) kf = g_key_file_new();
  if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL))
    return;
  GError *e = NULL;
  int w = g_key_file_get_integer(kf, "window", "width", &e);
  if (!e && w >= 400 && w <= 16384)
    s->width = w;
  g_clear_error(&e);
  int h = g_key_file_get_integer(kf, "window", "height", &e);
  if (!e && h >= 300 && h <= 16384)
    s->height = h;
  g_clear_error(&e);
  gboolean m = g_key_file_get_boolean(kf, "window", "maximized", &e);
  if (!e)
    s->maximized = m;
  g_clear_error(&e);
  double i = g_key_file_get_double(kf, "refresh", "interval", &e);
  if (!e && i >= 0.1 && i <= 3600)
    s->interval = i;
  g_clear_error(&e);
}

gboolean vms_settings_save(const VmsSettings *s, GError **error) {
  g_autofree char *path = vms_settings_path();
  g_autofree char *dir = g_path_get_dirname(path);
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot create %s", dir);
    return FALSE;
  }
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_key_file_load_from_file(kf, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  g_key_file_set_integer(kf, "window", "width", s->width);
  g_key_file_set_integer(kf, "window", "height", s->height);
  g_key_file_set_boolean(kf, "window", "maximized", s->maximized);
  g_key_file_set_double(kf, "refresh", "interval", s->interval);
  /* g_key_file_save_to_file writes a temporary file and renames it. */
  return g_key_file_save_to_file(kf, path, error);
}

static void apply_color_scheme(VmsApplication *self) {
  if (!self->interface_settings)
    return;
  g_autofree char *scheme = g_settings_get_string(self->interface_settings, "color-scheme");
  g_object_set(gtk_settings_get_default(), "gtk-application-prefer-dark-theme",
               g_strcmp0(scheme, "prefer-dark") == 0, NULL);
}

static void on_scheme_changed(GSettings *settings, const char *key, VmsApplication *self) {
  apply_color_scheme(self);
}

/* GNOME 42+ says light or dark in org.gnome.desktop.interface color-scheme;
 * GTK 3 only follows the theme name, so the preference is applied here. */
static void follow_system_theme(VmsApplication *self) {
  GSettingsSchemaSource *src = g_settings_schema_source_get_default();
  if (!src)
    return;
  g_autoptr(GSettingsSchema) schema =
      g_settings_schema_source_lookup(src, "org.gnome.desktop.interface", TRUE);
  if (!schema || !g_settings_schema_has_key(schema, "color-scheme"))
    return;
  self->interface_settings = g_settings_new("org.gnome.desktop.interface");
  g_signal_connect(self->interface_settings, "changed::color-scheme", G_CALLBACK(on_scheme_changed),
                   self);
  apply_color_scheme(self);
}

void vms_application_setup_style(void) {
  static gboolean done;
  if (done)
    return;
  done = TRUE;
  GtkCssProvider *css = gtk_css_provider_new();
  gtk_css_provider_load_from_resource(css, "/io/github/vmscope/Vmscope/style.css");
  gtk_style_context_add_provider_for_screen(gdk_screen_get_default(), GTK_STYLE_PROVIDER(css),
                                            GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_unref(css);
}

static void save_window(GtkWindow *w) {
  if (!VMS_IS_WINDOW(w))
    return;
  VmsSettings s;
  vms_settings_load(&s);
  s.maximized = gtk_window_is_maximized(w);
  if (!s.maximized)
    gtk_window_get_size(w, &s.width, &s.height);
  s.interval = vms_window_get_interval(VMS_WINDOW(w));
  g_autoptr(GError) error = NULL;
  if (!vms_settings_save(&s, &error))
    g_printerr("vmscope: could not save settings: %s\n", error->message);
}

static void quit_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  /* gtk_window_close only queues a delete event, which quitting would never
   * deliver: save and destroy each window here. */
  GList *windows = g_list_copy(gtk_application_get_windows(GTK_APPLICATION(data)));
  for (GList *l = windows; l; l = l->next) {
    save_window(l->data);
    gtk_widget_destroy(l->data);
  }
  g_list_free(windows);
  g_application_quit(G_APPLICATION(data));
}

static void about_activated(GSimpleAction *a, GVariant *p, gpointer data) {
  GtkWindow *parent = gtk_application_get_active_window(GTK_APPLICATION(data));
  static const char *authors[] = {"The vmscope authors", NULL};
  gtk_show_about_dialog(parent, "program-name", "vmscope", "version", VMS_VERSION, "comments",
                        "See a process's virtual address space as a live map, and how "
                        "fragmented it is.",
                        "logo-icon-name", "io.github.vmscope.Vmscope", "license-type",
                        GTK_LICENSE_GPL_3_0, "authors", authors, "website",
                        "https://github.com/vmscope/vmscope", NULL);
}

static const GActionEntry app_actions[] = {
    {"quit", quit_activated, NULL, NULL, NULL, {0}},
    {"about", about_activated, NULL, NULL, NULL, {0}},
};

static void vms_application_startup(GApplication *app) {
  G_APPLICATION_CLASS(vms_application_parent_class)->startup(app);
  VmsApplication *self = VMS_APPLICATION(app);
  g_action_map_add_action_entries(G_ACTION_MAP(app), app_actions, G_N_ELEMENTS(app_actions), app);
  static const struct {
    const char *action;
    const char *accels[4];
  } accels[] = {
      {"app.quit", {"<Primary>q", NULL}},
      {"win.pick", {"<Primary>o", NULL}},
      {"win.open", {"<Primary><Shift>o", NULL}},
      {"win.export", {"<Primary>e", NULL}},
      {"win.save", {"<Primary>s", NULL}},
      {"win.refresh", {"F5", NULL}},
      {"win.zoom-in", {"<Primary>plus", "<Primary>equal", "<Primary>KP_Add", NULL}},
      {"win.zoom-out", {"<Primary>minus", "<Primary>KP_Subtract", NULL}},
      {"win.zoom-fit", {"<Primary>0", "<Primary>KP_0", NULL}},
      {"win.filter", {"<Primary>f", NULL}},
      {"win.residency", {"<Primary>r", NULL}},
      {"win.show-help-overlay", {"<Primary>question", "<Primary>F1", NULL}},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(accels); i++)
    gtk_application_set_accels_for_action(GTK_APPLICATION(app), accels[i].action, accels[i].accels);
  vms_application_setup_style();
  follow_system_theme(self);
  /* Every window's icon where the desktop gives none from the launcher
   * (a run from a terminal, and Windows: the zip's hicolor PNGs). */
  gtk_window_set_default_icon_name("io.github.vmscope.Vmscope");
}

static gboolean on_window_delete(GtkWidget *w, GdkEvent *ev, gpointer data) {
  save_window(GTK_WINDOW(w));
  return FALSE;
}

static void vms_application_activate(GApplication *app) {
  VmsApplication *self = VMS_APPLICATION(app);
  VmsSettings s;
  vms_settings_load(&s);
  VmsWindow *win = vms_window_new(GTK_APPLICATION(app));
  gtk_window_set_default_size(GTK_WINDOW(win), s.width, s.height);
  if (s.maximized)
    gtk_window_maximize(GTK_WINDOW(win));
  vms_window_set_interval(win, s.interval);
  g_autoptr(GtkBuilder) b =
      gtk_builder_new_from_resource("/io/github/vmscope/Vmscope/vms-shortcuts.ui");
  gtk_application_window_set_help_overlay(
      GTK_APPLICATION_WINDOW(win), GTK_SHORTCUTS_WINDOW(gtk_builder_get_object(b, "shortcuts")));
  g_signal_connect(win, "delete-event", G_CALLBACK(on_window_delete), NULL);
  gtk_window_present(GTK_WINDOW(win));
  VmsRemoteTarget target;
  char why[300];
  if (self->stream && vms_remote_parse(self->stream, &target, why, sizeof why)) {
    if (target.pid > 0)
      vms_window_open_remote(win, &target);
    else
      vms_window_show_remote_picker(win, &target);
  } else if (self->stream) {
    vms_file_set_binary(stdin);
    vms_window_open_stream(win, stdin, FALSE, "stdin");
  } else if (self->file)
    vms_window_open_recording(win, self->file, NULL, NULL);
  else if (self->pid > 0)
    vms_window_attach(win, self->pid);
  else
    vms_window_show_picker(win);
  self->pid = 0;
  g_clear_pointer(&self->file, g_free);
  g_clear_pointer(&self->stream, g_free);
}

static void vms_application_dispose(GObject *obj) {
  g_clear_object(&VMS_APPLICATION(obj)->interface_settings);
  g_clear_pointer(&VMS_APPLICATION(obj)->file, g_free);
  g_clear_pointer(&VMS_APPLICATION(obj)->stream, g_free);
  G_OBJECT_CLASS(vms_application_parent_class)->dispose(obj);
}

static void vms_application_class_init(VmsApplicationClass *klass) {
  G_OBJECT_CLASS(klass)->dispose = vms_application_dispose;
  G_APPLICATION_CLASS(klass)->startup = vms_application_startup;
  G_APPLICATION_CLASS(klass)->activate = vms_application_activate;
}

static void vms_application_init(VmsApplication *self) {
}

VmsApplication *vms_application_new(int pid) {
  VmsApplication *app =
      g_object_new(VMS_TYPE_APPLICATION, "application-id", "io.github.vmscope.Vmscope", "flags",
                   G_APPLICATION_NON_UNIQUE, NULL);
  app->pid = pid;
  return app;
}

void vms_application_set_file(VmsApplication *app, const char *path) {
  g_return_if_fail(VMS_IS_APPLICATION(app));
  g_free(app->file);
  app->file = g_strdup(path);
}

void vms_application_set_stream(VmsApplication *app, const char *source) {
  g_return_if_fail(VMS_IS_APPLICATION(app));
  g_return_if_fail(g_strcmp0(source, "-") == 0 || vms_remote_is_url(source));
  g_free(app->stream);
  app->stream = g_strdup(source);
}
