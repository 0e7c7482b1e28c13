/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-application.h: the GtkApplication: actions, shortcuts, theme, remembered settings. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define VMS_TYPE_APPLICATION (vms_application_get_type())
G_DECLARE_FINAL_TYPE(VmsApplication, vms_application, VMS, APPLICATION, GtkApplication)

/* pid > 0 attaches the first window to that process; otherwise the picker opens. */
VmsApplication *vms_application_new(int pid);
/* Opens the first window on a recording or saved snapshot instead (no sampler). */
void vms_application_set_file(VmsApplication *app, const char *path);
/* Opens the first window on a live recording stream instead: "-" is
 * standard input (`vmscope -`), an ssh://[USER@]HOST[:PORT]/PID URL (already
 * checked) the process read there over ssh. */
void vms_application_set_stream(VmsApplication *app, const char *source);

/* The remembered window size and refresh interval, in
 * g_get_user_config_dir()/vmscope/vmscope.ini. Missing or bad values keep the defaults. */
typedef struct {
  int width, height;
  gboolean maximized;
  double interval;
} VmsSettings;

void vms_settings_load(VmsSettings *settings);
gboolean vms_settings_save(const VmsSettings *settings, GError **error);
char *vms_settings_path(void);

/* Loads the CSS and the shortcuts window resources once GTK is initialised
 * (the widget tests call this instead of running the application). */
void vms_application_setup_style(void);

G_END_DECLS
