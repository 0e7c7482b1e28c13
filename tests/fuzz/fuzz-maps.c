/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-maps.c: fuzz target for the maps/smaps/smaps_rollup parsers and everything a parsed space
 * feeds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vms-format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const VmsSnapshot *s) {
  uint64_t starts[4];
  vms_fit(s, 0, UINT64_MAX, 1 << 20, 1 << 16, starts, 4);
  vms_fit(s, s->usable_hi / 4, s->usable_hi / 2, 4096, 0, starts, 4);
  VmsStats st;
  vms_stats_compute(s, s->usable_hi / 3, s->usable_hi / 2 + 1, &st);
  char desc[4600];
  for (size_t i = 0; i < s->n_regions; i++)
    vms_region_describe(s, &s->regions[i], desc, sizeof desc);
  FILE *null = fopen("/dev/null", "w");
  if (null) {
    vms_print_regions(null, s, VMS_FORMAT_JSON, 0, UINT64_MAX);
    vms_print_summary(null, s, &s->stats, VMS_FORMAT_TABLE, NULL, NULL);
    VmsBarrierScope scope;
    vms_barrier_scope_default(s, &scope);
    VmsBarriers b;
    if (vms_barriers_compute(s, &scope, NULL, &b, NULL) == VMS_OK) {
      for (int fmt = 0; fmt < 3; fmt++)
        vms_print_barriers(null, s, &b, (VmsFormat)fmt);
      vms_barriers_clear(&b);
    }
    fclose(null);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  for (int mode = 0; mode < 3; mode++) {
    VmsSpace space;
    vms_space_init(&space);
    VmsError err = {0};
    VmsErrorCode code = mode == 0   ? vms_maps_parse(text, size, &space, &err)
                        : mode == 1 ? vms_smaps_parse(text, size, &space, &err)
                                    : vms_smaps_rollup_parse(text, size, &space, &err);
    if (code == VMS_OK && mode < 2) {
      /* Facts a live read would add, from the fuzzer's own bytes. */
      if (size > 2 && (data[0] & 1))
        space.bits = 32;
      if (size > 2 && (data[1] & 1))
        space.fields |= VMS_FIELD_THREADS;
      VmsThread t = {.tid = 1, .sp_known = true, .sp = size > 8 ? space.n_regions * 4096ULL : 0};
      vms_space_add_thread(&space, &t);
      VmsSnapshot *snap = NULL;
      if (vms_snapshot_build(&space, &snap, &err) == VMS_OK) {
        exercise(snap);
        vms_snapshot_unref(snap);
      }
    } else if (code != VMS_OK && !err.message[0]) {
      abort(); /* every failure must say why */
    }
    vms_space_clear(&space);
  }
  return 0;
}
