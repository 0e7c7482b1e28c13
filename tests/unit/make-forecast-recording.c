/* SPDX-License-Identifier: GPL-3.0-or-later */
/* make-forecast-recording.c: a recording whose timeline forecast a 32-bit x87 build reads off by
 * one in its last digit.
 *
 * usage: make-forecast-recording CASE OUT
 *
 * 60 frames of a 64-bit space whose largest free block shrinks unevenly at
 * uneven times: frame times and sizes from a xorshift generator run to its
 * CASE-th set (times in 1/1024 s, so every time is exact). The forecast's
 * least squares over them depends on every rounding: where x87 arithmetic
 * keeps 64-bit mantissas between steps its slope differs from IEEE double
 * arithmetic, which is what the cross-system test catches. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "vms-recording.h"

#define FRAMES 60

static uint64_t state = UINT64_C(88172645463325252);

static uint64_t next(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

int main(int argc, char **argv) {
  if (argc != 3)
    return 2;
  long which = strtol(argv[1], NULL, 10);
  double t[FRAMES];
  uint64_t largest[FRAMES];
  for (long k = 0; k <= which; k++) {
    int64_t t0 = INT64_C(1764670000) * 1024 + (int64_t)(next() % 10000000);
    uint64_t base = (next() % 1000000) * 4096;
    int64_t step = 50 + (int64_t)(next() % 200);
    for (int i = 0; i < FRAMES; i++) {
      t[i] = (double)(t0 + i * step + (int64_t)(next() % 50)) / 1024.0;
      largest[i] = base + UINT64_C(30000000000) - (uint64_t)i * (next() % 20000) * 4096;
    }
  }
  /* The largest free block lies below a page at 0x10000 + largest; above it
   * is less free space, up to a page at the top of the space. */
  uint64_t top = 0;
  for (int i = 0; i < FRAMES; i++)
    top = largest[i] > top ? largest[i] : top;
  const uint64_t lo = 0x10000, hi = lo + top + 3 * 4096;
  FILE *out = fopen(argv[2], "wb");
  VmsError err = {0};
  VmsRecordingWriter *w = NULL;
  if (!out || vms_recording_writer_new(out, &w, &err) != VMS_OK)
    return 1;
  for (int i = 0; i < FRAMES; i++) {
    VmsSpace space;
    vms_space_init(&space);
    space.pid = 4242;
    space.bits = 64;
    space.page_size = 4096;
    space.usable_lo = lo;
    space.usable_hi = hi;
    const uint64_t at[2] = {lo + largest[i], hi - 4096};
    for (int k = 0; k < 2; k++) {
      VmsRegion *r = vms_space_add_region(&space);
      r->start = at[k];
      r->end = at[k] + 4096;
      r->prot = VMS_PROT_READ | VMS_PROT_WRITE;
    }
    VmsSnapshot *snap = NULL;
    if (vms_snapshot_build(&space, &snap, &err) != VMS_OK) {
      fprintf(stderr, "%s\n", err.message);
      return 1;
    }
    snap->taken_at = t[i];
    if (snap->stats.free_largest != largest[i]) {
      fprintf(stderr, "frame %d: largest free block %" PRIu64 ", not %" PRIu64 "\n", i,
              snap->stats.free_largest, largest[i]);
      return 1;
    }
    if (vms_recording_writer_append(w, snap, 0, &err) != VMS_OK)
      return 1;
    vms_snapshot_unref(snap);
    vms_space_clear(&space);
  }
  if (vms_recording_writer_finish(w, &err) != VMS_OK)
    return 1;
  vms_recording_writer_free(w);
  return fclose(out) == 0 ? 0 : 1;
}
