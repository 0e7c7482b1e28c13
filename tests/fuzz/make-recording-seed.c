/* SPDX-License-Identifier: GPL-3.0-or-later */
/* make-recording-seed.c: writes a small recording of a fixture, with key and delta frames, as a
 * fuzz seed.
 *
 * usage: make-recording-seed MAPS_FILE OUT: the fixture's snapshot, then
 * three frames that change a protection, a name and a region each, and the
 * exit frame; a key frame every two frames. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vms-recording.h"

int main(int argc, char **argv) {
  if (argc != 3)
    return 2;
  FILE *in = fopen(argv[1], "rb");
  if (!in)
    return 1;
  static char buf[1 << 20];
  size_t len = fread(buf, 1, sizeof buf, in);
  fclose(in);
  VmsSpace space;
  vms_space_init(&space);
  VmsError err = {0};
  VmsSnapshot *snap = NULL;
  if (vms_maps_parse(buf, len, &space, &err) != VMS_OK ||
      vms_snapshot_build(&space, &snap, &err) != VMS_OK) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  FILE *out = fopen(argv[2], "wb");
  VmsRecordingWriter *w;
  vms_recording_writer_new(out, &w, &err);
  vms_recording_writer_set_key_interval(w, 2);
  vms_recording_writer_append(w, snap, 0, &err);
  VmsRegion *r = (VmsRegion *)snap->regions;
  for (int step = 1; step <= 3; step++) {
    /* The snapshot's arrays are its own: edit them between frames. */
    for (size_t i = (size_t)step; i < snap->n_regions; i += 7)
      if (r[i].state == VMS_STATE_COMMITTED)
        r[i].prot ^= VMS_PROT_WRITE;
    if (snap->n_regions > 4)
      r[2 + step].name = 0;
    snap->taken_at += 1;
    vms_recording_writer_append(w, snap, 0, &err);
  }
  vms_recording_writer_append_exit(w, snap->taken_at + 1, &err);
  vms_recording_writer_finish(w, &err);
  vms_recording_writer_free(w);
  vms_snapshot_unref(snap);
  vms_space_clear(&space);
  return fclose(out) == 0 ? 0 : 1;
}
