/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-recording-private.h: what vms-history.c shares with vms-recording.c (src/model only). */
#pragma once

#include "vms-recording.h"

#define VMS_REC_FILE_HEADER_SIZE  16
#define VMS_REC_FRAME_HEADER_SIZE 32

/* A recording's index over a buffer or a file. base is the number stored in
 * the first frame's header: 0 for a file, the frames dropped so far for a
 * live view's history, whose index is kept here frame by frame. */
struct VmsRecording {
  const uint8_t *data;
  size_t len;
  FILE *f;
  VmsFrameInfo *frames; /* index and key counted from the first frame held */
  size_t n, cap;
  bool truncated;
  uint32_t minor;
  uint32_t base;
};

/* The 16-byte file header and the 32-byte end mark after `frames` frames. */
void vms_recording_put_file_header(uint8_t h[VMS_REC_FILE_HEADER_SIZE]);
void vms_recording_put_end_mark(uint8_t h[VMS_REC_FRAME_HEADER_SIZE], uint32_t frames);
/* Rewrites a frame's index and key index (its header at h, its payload
 * after it) and its checksum. */
void vms_recording_renumber(uint8_t *frame, uint32_t index, uint32_t key);

/* Writes path atomically: write(f, ctx) fills a temporary file beside it,
 * which is synced and renamed over path; on failure nothing is left. */
VmsErrorCode vms_recording_write_atomic(const char *path,
                                        VmsErrorCode (*write)(FILE *f, void *ctx, VmsError *err),
                                        void *ctx, VmsError *err);
