/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-recording.c: fuzz target for the recording loader: the index, every frame's rebuild, the
 * stream reader.
 *
 * Checksums would stop almost every mutation at the first frame, so each
 * input is also tried with its checksums recomputed: then the decoders
 * behind them (chunks, names, region records, deltas) see the damage. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vms-format.h"
#include "vms-recording.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

/* Rewrites the header's and each frame's CRC to match their bytes. */
static void fix_checksums(uint8_t *b, size_t len) {
  if (len < 16)
    return;
  wr32(b + 12, vms_crc32c(0, b, 12));
  size_t at = 16;
  while (at + 32 <= len) {
    uint32_t n = memcmp(b + at, "VEND", 4) == 0 ? 0 : rd32(b + at + 4);
    if (n > len - at - 32)
      break;
    uint32_t crc = vms_crc32c(0, b + at, 28);
    wr32(b + at + 28, vms_crc32c(crc, b + at + 32, n));
    at += 32 + (size_t)n;
  }
}

static void exercise(const VmsSnapshot *s) {
  FILE *null = fopen("/dev/null", "w");
  if (!null)
    null = tmpfile();
  if (!null)
    return;
  vms_print_regions(null, s, VMS_FORMAT_JSON, 0, UINT64_MAX);
  vms_print_summary(null, s, &s->stats, VMS_FORMAT_TABLE, NULL, NULL);
  uint64_t starts[4];
  vms_fit(s, 0, UINT64_MAX, 1 << 20, 0, starts, 4);
  fclose(null);
}

static void load(const uint8_t *data, size_t size) {
  VmsRecording *rec = NULL;
  VmsError err = {0};
  VmsErrorCode code = vms_recording_open_buffer(data, size, &rec, &err);
  if (code != VMS_OK) {
    if (!err.message[0])
      abort(); /* every failure must say why */
    return;
  }
  size_t n = vms_recording_count(rec);
  for (size_t k = 0; k < n && k < 64; k++) {
    VmsSnapshot *s = NULL;
    if (vms_recording_frame(rec, k, &s, &err) == VMS_OK) {
      exercise(s);
      vms_snapshot_unref(s);
    } else if (!err.message[0]) {
      abort();
    }
  }
  vms_recording_close(rec);

  FILE *f = tmpfile();
  if (!f)
    return;
  fwrite(data, 1, size, f);
  rewind(f);
  VmsRecordingStream *st;
  vms_recording_stream_new(f, &st, &err);
  for (int k = 0; k < 64; k++) {
    VmsSnapshot *s = NULL;
    if (vms_recording_stream_next(st, &s, NULL, &err) != VMS_OK || !s)
      break;
    vms_snapshot_unref(s);
  }
  vms_recording_stream_free(st);
  fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  load(data, size);
  uint8_t *fixed = malloc(size ? size : 1);
  if (!fixed)
    return 0;
  memcpy(fixed, data, size);
  fix_checksums(fixed, size);
  load(fixed, size);
  free(fixed);
  return 0;
}
