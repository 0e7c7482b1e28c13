/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-classify-linux.c: fuzz target for the Linux classification rules: parsed text plus the facts
 * a live read adds.
 *
 * The input is a 32-byte header of facts, then maps (or smaps) text:
 *   h[0]   bit 0 32-bit, bit 1 leave bitness and range to be guessed (a
 *          capture), bit 2 smaps, bit 3 the thread list is complete
 *          (VMS_FIELD_THREADS), bit 4 the main stack's start is known,
 *          bit 5 thread 0 is the main thread, bit 6 vm.max_map_count known,
 *          bit 7 many threads (the descriptors repeated)
 *   h[1]   vm.mmap_min_addr (bits 0-1) and the top of user space (bits 2-3)
 *   h[2]   how many thread descriptors (mod 9), with bit 7 of h[0] times
 *          64 * (h[2] >> 4)
 *   h[3..] 8 thread descriptors of 3 bytes: flags (bit 0 stack pointer
 *          known, the rest the TID), a region index and a signed page
 *          offset from that region's start (so a pointer may fall in a gap)
 *   h[27]  seed for the statistics windows, the fit sizes and the output formats
 * The text is parsed as a live read would parse it, the thread facts are
 * added, and the snapshot goes through fuzz-check.h; a second snapshot of
 * the same text without the thread facts (what a capture gives) is diffed
 * against it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { HEADER = 32 };

static VmsErrorCode parse(const uint8_t *h, const char *text, size_t len, bool with_facts,
                          VmsSpace *sp) {
  VmsError err = {0};
  VmsErrorCode code =
      (h[0] & 4) ? vms_smaps_parse(text, len, sp, &err) : vms_maps_parse(text, len, sp, &err);
  if (code != VMS_OK) {
    fuzz_require(err.message[0] != '\0', "every failure says why");
    return code;
  }
  if (!with_facts)
    return VMS_OK;
  sp->pid = 1000;
  snprintf(sp->name, sizeof sp->name, "fuzz");
  sp->page_size = 4096;
  sp->alloc_granularity = 4096;
  static const uint64_t min_addr[] = {0, 4096, 65536, 1 << 20};
  sp->mmap_min_addr = min_addr[h[1] & 3];
  if (!(h[0] & 2)) {
    static const uint64_t tops32[] = {0xffffe000ULL, 0xc0000000ULL, 1ULL << 32, 0x80000000ULL};
    static const uint64_t tops64[] = {(1ULL << 47) - 4096, 1ULL << 48, (1ULL << 56) - 4096,
                                      0x7fff0000ULL};
    sp->bits = (h[0] & 1) ? 32 : 64;
    sp->usable_hi = sp->bits == 32 ? tops32[(h[1] >> 2) & 3] : tops64[(h[1] >> 2) & 3];
  }
  if (h[0] & 8)
    sp->fields |= VMS_FIELD_THREADS;
  if (h[0] & 0x40) {
    sp->max_map_count = 65530;
    sp->fields |= VMS_FIELD_MAX_MAP_COUNT;
  }
  if ((h[0] & 0x10) && sp->n_regions) {
    sp->main_stack.start = sp->regions[h[27] % sp->n_regions].end - 8;
    sp->fields |= VMS_FIELD_MAIN_STACK;
  }
  size_t n = h[2] % 9;
  if (h[0] & 0x80)
    n *= 64 * (size_t)(h[2] >> 4);
  for (size_t k = 0; k < n; k++) {
    const uint8_t *d = &h[3 + 3 * (k % 8)];
    VmsThread t = {.tid = sp->pid + (int)(d[0] >> 1) + (int)(k / 8) * 128};
    if (k == 0 && (h[0] & 0x20))
      t.tid = sp->pid;
    t.sp_known = (d[0] & 1) != 0;
    if (t.sp_known && sp->n_regions) {
      const VmsRegion *r = &sp->regions[(d[1] + k / 8) % sp->n_regions];
      int64_t off = (int64_t)(int8_t)d[2] * 4096;
      t.sp = off < 0 && (uint64_t)-off > r->start ? 0 : r->start + (uint64_t)off;
    }
    if (vms_space_add_thread(sp, &t) != VMS_OK)
      return VMS_ERR_NOMEM;
  }
  return VMS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t h[HEADER] = {0};
  memcpy(h, data, size < HEADER ? size : HEADER);
  const char *text = size > HEADER ? (const char *)data + HEADER : "";
  const size_t len = size > HEADER ? size - HEADER : 0;
  const uint64_t seed = h[27] * 0x9e3779b97f4a7c15ULL;
  VmsSnapshot *prev = NULL;
  for (int pass = 0; pass < 2; pass++) {
    VmsSpace sp;
    vms_space_init(&sp);
    VmsSnapshot *snap = NULL;
    VmsError err = {0};
    if (parse(h, text, len, pass == 0, &sp) == VMS_OK &&
        vms_snapshot_build(&sp, &snap, &err) == VMS_OK) {
      fuzz_exercise(snap, prev, seed + (uint64_t)pass);
      vms_snapshot_unref(prev);
      prev = snap;
    }
    vms_space_clear(&sp);
  }
  vms_snapshot_unref(prev);
  return 0;
}
