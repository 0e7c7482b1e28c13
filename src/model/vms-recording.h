/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-recording.h: saved snapshots and recordings (frames over time) in vmscope's own file format.
 *
 * The layout is docs/recording-format.md. A writer appends snapshots to a
 * FILE as frames: the first and every so often a key frame holding the whole
 * snapshot, the others the changes against the frame before. A reader opens
 * a buffer or a seekable FILE, checks every frame's checksum, keeps an index
 * of the frames with their figures (not their regions), and rebuilds any
 * frame as a VmsSnapshot that every output treats like the live one. A
 * stream reader decodes frames one after another as they arrive (a pipe).
 * Plain C11; nothing here prints. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vms-snapshot.h"

#define VMS_RECORDING_MAJOR 1 /* a reader refuses any other major version */
#define VMS_RECORDING_MINOR 0 /* later minors only add what a 1.0 reader may skip */

/* Frame kinds and flags, as stored. */
enum { VMS_FRAME_KEY = 0, VMS_FRAME_DELTA = 1 };
enum {
  VMS_FRAME_EXITED = 1u << 0,   /* the process had exited: this is its last map again */
  VMS_FRAME_COUNTERS = 1u << 1, /* the regions carry counters (smaps) */
};

/* The figures every frame stores, so that a timeline needs no region. */
enum {
  VMS_FIG_REGIONS = 0,
  VMS_FIG_VMA_COUNT,
  VMS_FIG_FREE_TOTAL,
  VMS_FIG_FREE_LARGEST,
  VMS_FIG_FREE_LARGEST_START,
  VMS_FIG_FREE_BLOCKS,
  VMS_FIG_COMMITTED,      /* total over every type but Free and Unusable */
  VMS_FIG_SIZE,           /* the same types' address space, committed or reserved */
  VMS_FIG_TYPE_COMMITTED, /* + VmsRegionType */
  VMS_FIG_TYPE_SIZE = VMS_FIG_TYPE_COMMITTED + VMS_TYPE_COUNT, /* + VmsRegionType */
  VMS_FIG_COUNT = VMS_FIG_TYPE_SIZE + VMS_TYPE_COUNT
};

/* The figures of a snapshot's whole-space statistics, as a frame stores them. */
void vms_recording_figures(const VmsSnapshot *snap, uint64_t fig[VMS_FIG_COUNT]);

typedef struct {
  uint32_t index;        /* 0-based position in the recording */
  uint32_t key;          /* the key frame it is rebuilt from (itself for a key frame) */
  uint8_t kind;          /* VMS_FRAME_KEY or VMS_FRAME_DELTA */
  uint8_t flags;         /* VMS_FRAME_* */
  double time;           /* wall clock, seconds since the epoch (the snapshot's taken_at) */
  uint64_t offset, size; /* the whole frame's bytes in the file */
  int pid;
  uint64_t fig[VMS_FIG_COUNT];
} VmsFrameInfo;

/* CRC-32C (Castagnoli, reflected, as iSCSI and ext4 use), continuing from crc
 * (0 to start). */
uint32_t vms_crc32c(uint32_t crc, const void *data, size_t len);

/* ---- writing ---- */

typedef struct VmsRecordingWriter VmsRecordingWriter;

/* A writer appending to f (which it does not close; NULL: memory only, see
 * vms_recording_writer_last_frame). Nothing is written until the first frame. */
VmsErrorCode vms_recording_writer_new(FILE *f, VmsRecordingWriter **out, VmsError *err);
/* At most this many frames from one key frame to the next (default 64). */
void vms_recording_writer_set_key_interval(VmsRecordingWriter *w, unsigned frames);
/* Appends snap as the next frame (flags: VMS_FRAME_EXITED or 0) and flushes
 * it, so that a reader at the other end of a pipe sees it whole. After a
 * failed write every later call fails: the file then ends in a partial frame,
 * which readers drop (it opens up to the last complete frame). */
VmsErrorCode vms_recording_writer_append(VmsRecordingWriter *w, const VmsSnapshot *snap,
                                         unsigned flags, VmsError *err);
/* A last frame saying the process exited at time `when`: the map of the frame
 * before, unchanged. Fails when nothing was appended yet. */
VmsErrorCode vms_recording_writer_append_exit(VmsRecordingWriter *w, double when, VmsError *err);
/* Writes the end mark: a reader takes a recording without one for cut
 * short. Nothing can be appended after it. */
VmsErrorCode vms_recording_writer_finish(VmsRecordingWriter *w, VmsError *err);
/* Frames written, and the last frame's size and kind (for benchmarks). */
uint32_t vms_recording_writer_frames(const VmsRecordingWriter *w);
size_t vms_recording_writer_last_size(const VmsRecordingWriter *w, bool *was_key);
/* With f NULL the writer keeps each frame in memory only: the last one's
 * bytes (its header and payload, without the file header) until the next
 * append. */
const uint8_t *vms_recording_writer_last_frame(const VmsRecordingWriter *w, size_t *len);
/* Bytes the writer itself holds between frames (its buffers and name tables). */
size_t vms_recording_writer_held(const VmsRecordingWriter *w);
void vms_recording_writer_free(VmsRecordingWriter *w);

/* Writes snaps[0..n) (n >= 1, in time order) to path as a recording,
 * atomically: a temporary file beside it, synced, then renamed over path, so
 * that path holds either its old content or the whole new recording. A
 * snapshot alone is a recording of one frame. The last frame is marked
 * exited when last_exited. On failure nothing is left beside path. */
VmsErrorCode vms_recording_save(const char *path, VmsSnapshot *const *snaps, size_t n,
                                bool last_exited, VmsError *err);

/* ---- reading a whole file ---- */

/* True when the file at path starts as a recording or saved snapshot does
 * (its magic), whatever follows: what "vmscope FILE" opens in the window. */
bool vms_recording_file_looks_like(const char *path);

typedef struct VmsRecording VmsRecording;

/* Opens a recording held in memory; data must outlive the recording.
 * Fails with VMS_ERR_PARSE when it is not one or a complete frame is damaged,
 * VMS_ERR_UNSUPPORTED when a newer vmscope wrote it. A file cut short opens
 * up to its last complete frame, and vms_recording_truncated says so. */
VmsErrorCode vms_recording_open_buffer(const void *data, size_t len, VmsRecording **out,
                                       VmsError *err);
/* The same from a seekable file, read through once; the recording keeps f
 * (without closing it) and reads a frame's bytes again when it is rebuilt,
 * so it holds the index, never the file. */
VmsErrorCode vms_recording_open_file(FILE *f, VmsRecording **out, VmsError *err);
void vms_recording_close(VmsRecording *rec);

size_t vms_recording_count(const VmsRecording *rec);
const VmsFrameInfo *vms_recording_info(const VmsRecording *rec, size_t k);
/* True when the file ends before its end mark (inside a frame or between
 * two: cut short, or still being written): frames after
 * vms_recording_count() - 1 may be lost. */
bool vms_recording_truncated(const VmsRecording *rec);
uint32_t vms_recording_minor(const VmsRecording *rec);
/* Rebuilds frame k (from its key frame and the changes after it). */
VmsErrorCode vms_recording_frame(VmsRecording *rec, size_t k, VmsSnapshot **out, VmsError *err);

/* ---- reading a stream as it arrives ---- */

typedef struct VmsRecordingStream VmsRecordingStream;

VmsErrorCode vms_recording_stream_new(FILE *f, VmsRecordingStream **out, VmsError *err);
/* Blocks for the next frame and rebuilds it into *snap (the caller's
 * reference) with its info. At the end of the stream *snap is NULL and the
 * call returns VMS_OK; vms_recording_stream_truncated then says whether it
 * ended before the end mark. An empty stream fails with VMS_ERR_PARSE. */
VmsErrorCode vms_recording_stream_next(VmsRecordingStream *s, VmsSnapshot **snap,
                                       VmsFrameInfo *info, VmsError *err);
bool vms_recording_stream_truncated(const VmsRecordingStream *s);
/* The byte of the stream where the frame last read begins: after a failure
 * the damaged frame's (0 for a damaged file header), at the end where the
 * end mark or the cut begins. */
uint64_t vms_recording_stream_position(const VmsRecordingStream *s);
void vms_recording_stream_free(VmsRecordingStream *s);
