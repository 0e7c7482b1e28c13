/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-window.h: the main window: one attached process, its live map, table and summary. */
#pragma once

#include <gtk/gtk.h>

#include "vms-history.h"
#include "vms-map-view.h"
#include "vms-picker.h"
#include "vms-recording.h"
#include "vms-remote.h"
#include "vms-region-table.h"
#include "vms-summary.h"
#include "vms-timeline.h"

G_BEGIN_DECLS

#define VMS_TYPE_WINDOW (vms_window_get_type())
G_DECLARE_FINAL_TYPE(VmsWindow, vms_window, VMS, WINDOW, GtkApplicationWindow)

VmsWindow *vms_window_new(GtkApplication *app);
/* Starts sampling pid; on failure shows why in the banner and returns FALSE. */
gboolean vms_window_attach(VmsWindow *win, int pid);
void vms_window_detach(VmsWindow *win);
/* Shows a recording or saved snapshot read from path, at its last frame,
 * instead of a live process (the sampler stops). The file is read and its
 * last frame rebuilt on a worker thread; meanwhile a spinner turns in the
 * header bar, the status line says so, the open action is disabled and the
 * window keeps what it showed. On failure the banner says why and the
 * window keeps what it showed. Then callback (may be NULL) runs on the main
 * thread; an open overtaken by another open or an attach answers
 * G_IO_ERROR_CANCELLED. */
void vms_window_open_recording(VmsWindow *win, const char *path, GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean vms_window_open_recording_finish(VmsWindow *win, GAsyncResult *result, GError **error);
/* Shows a live recording stream read from f as it arrives (`vmscope -`:
 * standard input) instead of a process: a thread of its own reads and
 * decodes the frames, the window appends each to its history and shows the
 * newest, so the timeline grows and the user can scrub back. label says
 * where it comes from in the title ("stdin"). The window closes f at the
 * end when close_f. When the stream ends (its end mark, a cut, damage, a
 * failure) the banner says how, and the frames seen stay on show; another
 * attach or open stops reading. */
void vms_window_open_stream(VmsWindow *win, FILE *f, gboolean close_f, const char *label);
/* The same for a process on another machine: `vmscope PID --record -
 * --interval S` run there over the user's ssh (S the window's interval),
 * the title saying "on HOST". Connecting happens on the stream's thread;
 * a failure of ssh or of the far side is the end banner. */
void vms_window_open_remote(VmsWindow *win, const VmsRemoteTarget *target);
/* TRUE while a stream is being read (it has not ended). */
gboolean vms_window_is_streaming(VmsWindow *win);
/* Where the stream shown comes from ("stdin", a host), "" when none is. */
const char *vms_window_get_source(VmsWindow *win);
/* Frames received from the stream. */
guint vms_window_get_stream_frames(VmsWindow *win);
/* TRUE while a recording is being read. */
gboolean vms_window_is_opening(VmsWindow *win);
/* The attached process's namespace PID and container as the title shows
 * them ("PID 1 in 0123456789ab"), "" for a process in neither. */
const char *vms_window_get_container_text(VmsWindow *win);
/* The status line's text. */
const char *vms_window_get_status(VmsWindow *win);
/* The opened recording (NULL for a live view) and the frame shown. */
VmsRecording *vms_window_get_recording(VmsWindow *win);
size_t vms_window_get_frame(VmsWindow *win);
/* The timeline strip (shown for a recording). */
VmsTimeline *vms_window_get_timeline(VmsWindow *win);
/* Shows frame k of the opened recording (rebuilt from it); FALSE when there is none. */
gboolean vms_window_show_frame(VmsWindow *win, size_t k);
/* Opens the process picker (the window attaches to the chosen process). */
void vms_window_show_picker(VmsWindow *win);
/* The picker over another machine's processes (target's PID unused): the
 * chosen one opens as vms_window_open_remote does. */
void vms_window_show_remote_picker(VmsWindow *win, const VmsRemoteTarget *target);
VmsPicker *vms_window_get_picker(VmsWindow *win); /* NULL when closed */

void vms_window_set_interval(VmsWindow *win, double seconds);
double vms_window_get_interval(VmsWindow *win);
/* The interval box's text entry, where a person types an interval of their own. */
GtkEntry *vms_window_get_interval_entry(VmsWindow *win);
void vms_window_set_paused(VmsWindow *win, gboolean paused);
/* The residency view (win.residency, Ctrl+R): the map draws pages by
 * state, read for the viewed range by the sampler's thread. */
void vms_window_set_residency_view(VmsWindow *win, gboolean on);
gboolean vms_window_get_residency_view(VmsWindow *win);
/* The last snapshot whose residency was read (NULL = none yet). */
VmsSnapshot *vms_window_get_residency_snapshot(VmsWindow *win);
/* Asks for a sample now (with smaps counters when with_counters). */
void vms_window_refresh(VmsWindow *win, gboolean with_counters);

/* Writes the current view of the map as a PNG of width x height with header
 * and legend (in the residency view, with the page states the map shows, or
 * a header line saying why there are none), atomically, on a worker thread;
 * the export action is disabled
 * meanwhile. When it is written the status line says so (on failure the
 * banner says why), then callback (may be NULL) runs on the main thread. */
void vms_window_export_png(VmsWindow *win, const char *path, int width, int height,
                           GAsyncReadyCallback callback, gpointer user_data);
gboolean vms_window_export_png_finish(VmsWindow *win, GAsyncResult *result, GError **error);

/* Saves what the window shows as a recording at path (a snapshot: one
 * frame), atomically, on a worker thread; the save action is disabled
 * meanwhile. The status line says when it is written, the banner why not;
 * then callback (may be NULL) runs on the main thread. */
void vms_window_save(VmsWindow *win, const char *path, GAsyncReadyCallback callback,
                     gpointer user_data);
gboolean vms_window_save_finish(VmsWindow *win, GAsyncResult *result, GError **error);
/* Saves what a live view has seen (its history, vms_window_get_history) as
 * a recording at path, as vms_window_save does; finish with
 * vms_window_save_finish. */
void vms_window_save_history(VmsWindow *win, const char *path, GAsyncReadyCallback callback,
                             gpointer user_data);
/* A live view's history (NULL for an opened recording or before the first sample). */
VmsHistory *vms_window_get_history(VmsWindow *win);
/* TRUE when the window follows a live process (not a recording, not a past moment). */
gboolean vms_window_is_live(VmsWindow *win);

VmsMapView *vms_window_get_map(VmsWindow *win);
VmsRegionTable *vms_window_get_table(VmsWindow *win);
VmsSummary *vms_window_get_summary(VmsWindow *win);
VmsSnapshot *vms_window_get_snapshot(VmsWindow *win);
/* The last snapshot whose smaps counters were read (NULL = never). */
VmsSnapshot *vms_window_get_counters_snapshot(VmsWindow *win);
/* Snapshots received since the last attach. */
guint vms_window_get_n_snapshots(VmsWindow *win);
/* The banner's text, or NULL when it is hidden; and its kind. */
const char *vms_window_get_banner(VmsWindow *win, GtkMessageType *type);
/* Seconds from a snapshot's hand-off to the end of its first drawn frame (last one; -1 = none yet).
 */
double vms_window_get_frame_latency(VmsWindow *win);
/* Seconds the main thread spent handing the last snapshot to the map, table and summary. */
double vms_window_get_update_seconds(VmsWindow *win);

G_END_DECLS
