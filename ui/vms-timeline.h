/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-timeline.h: the timeline strip of a recording: figures over time, a cursor to scrub, a mark.
 */
#pragma once

#include <gtk/gtk.h>

#include "vms-recording.h"

G_BEGIN_DECLS

#define VMS_TYPE_TIMELINE (vms_timeline_get_type())
G_DECLARE_FINAL_TYPE(VmsTimeline, vms_timeline, VMS, TIMELINE, GtkDrawingArea)

GtkWidget *vms_timeline_new(void);
/* Takes the frames' figures from rec's index (no frame is rebuilt); NULL
 * clears. The cursor goes to the last frame, the mark is cleared. */
void vms_timeline_set_recording(VmsTimeline *tl, VmsRecording *rec);
/* Follows a live view's history: takes rec's frames again after `dropped`
 * of the oldest went. The cursor and the mark stay on their moments (a mark
 * on a dropped frame is cleared, a cursor on one goes to the first); a
 * cursor on the last frame stays on the last. Emits nothing. */
void vms_timeline_update(VmsTimeline *tl, VmsRecording *rec, size_t dropped);
size_t vms_timeline_get_n_frames(VmsTimeline *tl);
/* The frame under the cursor; "cursor-changed" follows a move when emit. */
size_t vms_timeline_get_cursor(VmsTimeline *tl);
void vms_timeline_set_cursor(VmsTimeline *tl, size_t k, gboolean emit);
/* The second moment (shift-click), SIZE_MAX when none; "mark-changed" when emit. */
size_t vms_timeline_get_mark(VmsTimeline *tl);
void vms_timeline_set_mark(VmsTimeline *tl, size_t k, gboolean emit);
void vms_timeline_set_max_map_count(VmsTimeline *tl, guint64 max_map_count);
/* The x of frame k in widget pixels (for tests). */
double vms_timeline_x_of(VmsTimeline *tl, size_t k);

G_END_DECLS
