/* SPDX-License-Identifier: GPL-3.0-or-later */
/* live-demo: vmscope-demo leaves the holes it says it does, and vmscope sees each of them.
 *
 * usage: live-demo VMSCOPE VMSCOPE-DEMO
 *
 * After 2N rounds the demo has freed N large blocks (1 MiB and up) pinned
 * between small ones; later small blocks fill some of those holes, but at
 * least half stay 1 MiB or more. The demo's own count of free blocks (from
 * its maps, without vmscope's stack guard rule) is at most one off
 * vmscope's. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vms-live.h"
#include "vms-test.h"

#define ROUNDS 40

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: live-demo VMSCOPE VMSCOPE-DEMO\n");
    return 2;
  }
  char rounds[16];
  snprintf(rounds, sizeof rounds, "%d", ROUNDS);
  const char *const dargv[] = {argv[2], "--rounds", rounds, "--interval", "0", NULL};
  VmsHelper d;
  if (!vms_helper_start_until(&d, dargv, "waiting:"))
    return 1;
  /* "round 40: live X; free Y in N blocks, largest Z (...)" */
  uint64_t demo_blocks = 0;
  for (size_t i = 0; i < d.n_lines; i++) {
    const char *in = strstr(d.lines[i], " in ");
    if (strncmp(d.lines[i], "round 40:", 9) == 0 && in)
      demo_blocks = strtoull(in + 4, NULL, 10);
  }
  VMS_CHECK_MSG(demo_blocks > 0, "the demo printed no progress line for round %d", ROUNDS);

  char pid[16];
  snprintf(pid, sizeof pid, "%d", (int)d.pid);
  const char *const a[] = {argv[1], pid, "--summary", "--format", "json", NULL};
  VmsRun r;
  VMS_CHECK(vms_run(a, &r));
  VMS_CHECK_MSG(r.status == 0, "--summary exit %d: %s", r.status, r.err);
  VmsJson *j = vms_json_parse(r.out, r.out_len);
  uint64_t blocks = 0, mib_blocks = 0;
  VMS_CHECK(vms_json_u64(j, "free.blocks", &blocks));
  for (size_t k = 0; k < vms_json_len(j, "free.histogram"); k++) {
    char path[64];
    uint64_t min = 0, count = 0;
    snprintf(path, sizeof path, "free.histogram.%zu.min", k);
    vms_json_u64(j, path, &min);
    snprintf(path, sizeof path, "free.histogram.%zu.count", k);
    vms_json_u64(j, path, &count);
    if (min >= (UINT64_C(1) << 20))
      mib_blocks += count;
  }
  printf("demo after %d rounds: vmscope sees %" PRIu64 " free blocks (%" PRIu64
         " of 1 MiB or more); the demo counted %" PRIu64 "\n",
         ROUNDS, blocks, mib_blocks, demo_blocks);
  VMS_CHECK_MSG(mib_blocks >= ROUNDS / 4, "only %" PRIu64 " free blocks of 1 MiB or more",
                mib_blocks);
  VMS_CHECK_MSG(blocks + 1 >= demo_blocks && blocks <= demo_blocks + 1,
                "vmscope counts %" PRIu64 " free blocks, the demo %" PRIu64, blocks, demo_blocks);
  vms_json_free(j);
  vms_run_free(&r);
  vms_helper_terminate(&d);
  VMS_CHECK_MSG(d.status == 0, "the demo ended with %d after SIGTERM", d.status);
  return vms_test_end();
}
