/* SPDX-License-Identifier: GPL-3.0-or-later */
/* live-arenas: glibc's per-thread malloc arenas in real 64- and 32-bit processes are Heap, head and
 * tail.
 *
 * usage: live-arenas VMSCOPE VMS-HELPER [VMS-HELPER-32]
 *
 * The helper's threads each malloc a block; glibc serves it from the
 * thread's arena, a heap_info block of HEAP_MAX_SIZE (64 MiB for 64-bit,
 * 1 MiB for 32-bit) aligned to its size: a read-write head and a PROT_NONE
 * tail. vmscope must show that whole block as Heap, the head committed and
 * the tail reserved, marked as a malloc arena. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vms-live.h"
#include "vms-test.h"

static void check(const char *vmscope, const char *helper, uint64_t heap_max) {
  const char *const hargv[] = {helper, "arenas", "3", NULL};
  VmsHelper h;
  if (!vms_helper_start(&h, hargv)) {
    VMS_CHECK_MSG(false, "%s did not start", helper);
    return;
  }
  char pid[16];
  snprintf(pid, sizeof pid, "%d", (int)h.pid);
  const char *const a[] = {vmscope, pid, "--regions", "--format", "csv", NULL};
  VmsRun r;
  VMS_CHECK(vms_run(a, &r));
  VMS_CHECK_MSG(r.status == 0, "--regions exit %d: %s", r.status, r.err);
  VmsLiveRegions rs;
  VMS_CHECK(vms_live_regions_parse(r.out, r.out_len, &rs));
  size_t n = vms_helper_count(&h, "arena");
  VMS_CHECK_U64(n, 3);
  size_t in_arena = 0;
  for (size_t i = 0; i < n; i++) {
    uint64_t block = vms_live_parse_hex(vms_helper_fact(&h, "arena", i));
    uint64_t base = block & ~(heap_max - 1);
    const VmsLiveRegion *head = vms_live_region_at(&rs, block);
    /* glibc falls back to the main arena (brk) when it cannot make one. */
    if (head && head->details && strcmp(head->details, "[heap]") == 0)
      continue;
    in_arena++;
    VMS_CHECK_MSG(head && strcmp(head->type, "heap") == 0 && strstr(head->details, "malloc arena"),
                  "block 0x%" PRIx64 " lies in %s (%s)", block, head ? head->type : "nothing",
                  head && head->details ? head->details : "");
    /* The whole heap_info block, head and tail, is Heap. */
    uint64_t committed = 0, reserved = 0;
    for (uint64_t at = base; at < base + heap_max;) {
      const VmsLiveRegion *q = vms_live_region_at(&rs, at);
      if (!q) {
        VMS_CHECK_MSG(false, "no region at 0x%" PRIx64, at);
        break;
      }
      VMS_CHECK_MSG(strcmp(q->type, "heap") == 0,
                    "0x%" PRIx64 " in the arena at 0x%" PRIx64 " is %s", at, base, q->type);
      uint64_t end = q->end < base + heap_max ? q->end : base + heap_max;
      if (strcmp(q->state, "committed") == 0)
        committed += end - at;
      else if (strcmp(q->state, "reserved") == 0)
        reserved += end - at;
      at = end;
    }
    VMS_CHECK_U64(committed + reserved, heap_max);
    VMS_CHECK_MSG(committed > 0 && reserved > 0,
                  "arena at 0x%" PRIx64 ": %" PRIu64 " committed, %" PRIu64 " reserved", base,
                  committed, reserved);
  }
  /* Two cores allow glibc at least 3 arenas besides the main one on 32-bit, 15 on 64-bit. */
  VMS_CHECK_MSG(in_arena >= 1, "no thread got an arena of its own");
  vms_live_regions_free(&rs);
  vms_run_free(&r);
  vms_helper_stop(&h);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: live-arenas VMSCOPE VMS-HELPER [VMS-HELPER-32]\n");
    return 2;
  }
  check(argv[1], argv[2], UINT64_C(64) << 20);
  if (argc > 3)
    check(argv[1], argv[3], UINT64_C(1) << 20);
  return vms_test_end();
}
