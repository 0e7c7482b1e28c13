/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-history.h: a live view's own history: its frames in memory, in the recording encoding,
 * bounded.
 *
 * Every snapshot appended is encoded as the next frame of a recording (a key
 * frame, or the changes against the frame before), so a history costs what
 * the same frames cost in a file. It holds at most max_bytes in all (the
 * encoded frames, their index and the encoder's buffers) and at most
 * max_frames frames: past either bound the oldest frames go, a key frame's
 * run at a time (a frame is rebuilt from its key frame); only the newest
 * run is kept whatever it weighs.
 * vms_history_recording() reads it as an opened recording does; a copy of
 * it is saved to a file as a recording, from any thread. Plain C11. */
#pragma once

#include "vms-recording.h"

/* What a live view keeps by default: 64 MiB in all, 3,600 frames (an hour at 1 s). */
#define VMS_HISTORY_MAX_BYTES  ((size_t)64 << 20)
#define VMS_HISTORY_MAX_FRAMES ((size_t)3600)

typedef struct VmsHistory VmsHistory;

VmsErrorCode vms_history_new(size_t max_bytes, size_t max_frames, VmsHistory **out, VmsError *err);
void vms_history_free(VmsHistory *h);
/* Appends snap as the newest frame (flags: VMS_FRAME_EXITED or 0); *dropped
 * (may be NULL) is how many of the oldest frames went to keep the bounds. */
VmsErrorCode vms_history_append(VmsHistory *h, const VmsSnapshot *snap, unsigned flags,
                                size_t *dropped, VmsError *err);
/* A last frame saying the process exited at `when` (the map before it, unchanged). */
VmsErrorCode vms_history_append_exit(VmsHistory *h, double when, size_t *dropped, VmsError *err);

/* The frames held as a recording (frame 0 the oldest kept), NULL while
 * empty; it belongs to h and is valid until the next append. */
VmsRecording *vms_history_recording(VmsHistory *h);
size_t vms_history_count(const VmsHistory *h);
/* The encoded frames' bytes, and everything h holds (those, their index,
 * the encoder's buffers), in bytes. */
size_t vms_history_bytes(const VmsHistory *h);
size_t vms_history_held(const VmsHistory *h);
/* Frames dropped for the bounds since h was made. */
uint64_t vms_history_dropped(const VmsHistory *h);
size_t vms_history_max_bytes(const VmsHistory *h);
size_t vms_history_max_frames(const VmsHistory *h);
/* True when the last frame says the process exited (nothing may follow). */
bool vms_history_ended(const VmsHistory *h);

/* A frozen copy of the frames (its own bytes): it can be saved on another
 * thread while h goes on. NULL when out of memory. A copy takes no appends. */
VmsHistory *vms_history_copy(const VmsHistory *h);
/* Writes the frames to path as a recording (numbered from 0, with its end
 * mark), atomically as vms_recording_save does. */
VmsErrorCode vms_history_save(const VmsHistory *h, const char *path, VmsError *err);
