/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-picker.h: the process picker dialog. */
#pragma once

#include <gtk/gtk.h>

#include "vms-platform.h"
#include "vms-remote.h"

G_BEGIN_DECLS

#define VMS_TYPE_PICKER (vms_picker_get_type())
G_DECLARE_FINAL_TYPE(VmsPicker, vms_picker, VMS, PICKER, GtkDialog)

/* Responds GTK_RESPONSE_ACCEPT when a process was chosen (Enter, double-click
 * or the Attach button); vms_picker_get_pid() then names it. */
GtkWidget *vms_picker_new(GtkWindow *parent);
/* The same over the processes of another machine (`vmscope --list` run
 * there over ssh, every 10 s while open). */
GtkWidget *vms_picker_new_remote(GtkWindow *parent, const VmsRemoteTarget *target);
/* The machine listed, NULL for this one. */
const VmsRemoteTarget *vms_picker_get_remote(VmsPicker *picker);
int vms_picker_get_pid(VmsPicker *picker);
GtkEntry *vms_picker_get_search_entry(VmsPicker *picker);
/* Rows shown by the current search, and the PID in visible row `row`. */
guint vms_picker_get_n_visible(VmsPicker *picker);
int vms_picker_get_visible_pid(VmsPicker *picker, guint row);
/* Number of completed process-list loads (the list refreshes while open). */
guint vms_picker_get_n_loads(VmsPicker *picker);
/* Merges a process list into the rows, as each refresh does (for tests and benchmarks). */
void vms_picker_set_processes(VmsPicker *picker, const VmsProcInfo *list, size_t n);
/* Whether pid's row is shown as readable, and the reason on hover when not;
 * FALSE when there is no such row. */
gboolean vms_picker_get_row_state(VmsPicker *picker, int pid, gboolean *readable, char **reason);

/* The Container column's text of pid's row ("PID 1 in 0123456789ab"; g_free
 * it), NULL when there is no such row. */
char *vms_picker_get_container_text(VmsPicker *picker, int pid);

G_END_DECLS
