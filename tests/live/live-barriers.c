/* SPDX-License-Identifier: GPL-3.0-or-later */
/* live-barriers: thread stacks placed inside a freed reservation are exactly the barriers named.
 *
 * usage: live-barriers VMSCOPE VMS-HELPER
 *
 * The helper reserves a block, starts threads on stacks at known places
 * inside it (pthread_attr_setstack) and gives the rest back, so each stack
 * stands alone between two free blocks. Within the reservation vmscope must
 * name exactly those stacks, with the free blocks and gains computed here
 * from /proc/PID/maps; over its default scope the barriers that gain
 * anything must be the same stacks; and the stack fact must give their
 * count, size and the RLIMIT_STACK the helper reports. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vms-live.h"
#include "vms-test.h"

#define N_STACKS 3

typedef struct {
  uint64_t lo, hi, below, above, merged;
} Stack;

/* Free blocks in [lo, hi) from the maps lines: the one ending at addr and the one starting at it.
 */
static uint64_t gap_ending_at(const VmsMaps *m, uint64_t lo, uint64_t addr) {
  uint64_t prev_end = lo;
  for (size_t i = 0; i < m->n; i++) {
    if (m->v[i].end <= lo)
      continue;
    if (m->v[i].start >= addr)
      return m->v[i].start == addr ? addr - prev_end : 0;
    prev_end = m->v[i].end > lo ? m->v[i].end : lo;
  }
  return 0;
}

static uint64_t gap_starting_at(const VmsMaps *m, uint64_t addr, uint64_t hi) {
  for (size_t i = 0; i < m->n; i++)
    if (m->v[i].start >= addr)
      return (m->v[i].start < hi ? m->v[i].start : hi) - addr;
  return hi - addr;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: live-barriers VMSCOPE VMS-HELPER\n");
    return 2;
  }
  const char *const hargv[] = {argv[2], "barrier-stacks", "3", NULL};
  VmsHelper h;
  if (!vms_helper_start(&h, hargv)) {
    VMS_CHECK_MSG(false, "%s did not start", argv[2]);
    return vms_test_end();
  }
  char pid[16], range[64];
  snprintf(pid, sizeof pid, "%d", (int)h.pid);
  const char *res = vms_helper_fact(&h, "reservation", 0);
  uint64_t lo = 0, hi = 0;
  VMS_CHECK(res && sscanf(res, "%" SCNx64 " %" SCNx64, &lo, &hi) == 2);
  snprintf(range, sizeof range, "0x%" PRIx64 "-0x%" PRIx64, lo, hi);
  VMS_CHECK_U64(vms_helper_count(&h, "barrier-stack"), N_STACKS);

  /* The second opinion: the kernel's own list. */
  VmsMaps maps;
  VMS_CHECK(vms_maps_read(h.pid, &maps));
  Stack st[N_STACKS];
  uint64_t largest = 0;
  for (int i = 0; i < N_STACKS; i++) {
    const char *f = vms_helper_fact(&h, "barrier-stack", (size_t)i);
    VMS_CHECK(f && sscanf(f, "%" SCNx64 " %" SCNx64, &st[i].lo, &st[i].hi) == 2);
    st[i].below = gap_ending_at(&maps, lo, st[i].lo);
    st[i].above = gap_starting_at(&maps, st[i].hi, hi);
    st[i].merged = st[i].below + (st[i].hi - st[i].lo) + st[i].above;
    VMS_CHECK_MSG(st[i].below > 0 && st[i].above > 0,
                  "stack %d at 0x%" PRIx64 " is not between two gaps", i, st[i].lo);
    if (st[i].below > largest)
      largest = st[i].below;
    if (st[i].above > largest)
      largest = st[i].above;
  }

  /* Within the reservation: exactly the stacks. */
  const char *const a[] = {argv[1], pid, "--barriers", "--format", "json", "--range", range, NULL};
  VmsRun r;
  VMS_CHECK(vms_run(a, &r));
  VMS_CHECK_MSG(r.status == 0, "--barriers exit %d: %s", r.status, r.err);
  VmsJson *j = vms_json_parse(r.out, r.out_len);
  VMS_CHECK_MSG(j != NULL, "not JSON: %.300s", r.out);
  if (j) {
    uint64_t v = 0;
    VMS_CHECK_STR(vms_json_str(j, "barriers.scope.kind"), "given");
    VMS_CHECK(vms_json_u64(j, "barriers.count", &v) && v == N_STACKS);
    VMS_CHECK(vms_json_u64(j, "barriers.largest", &v) && v == largest);
    VMS_CHECK_U64(vms_json_len(j, "barriers.by_gain"), N_STACKS);
    bool seen[N_STACKS] = {false};
    for (size_t k = 0; k < vms_json_len(j, "barriers.by_gain"); k++) {
      char path[96];
      uint64_t start = 0, end = 0, merged = 0, gain = 0;
      snprintf(path, sizeof path, "barriers.by_gain.%zu.start", k);
      VMS_CHECK(vms_json_u64(j, path, &start));
      snprintf(path, sizeof path, "barriers.by_gain.%zu.end", k);
      VMS_CHECK(vms_json_u64(j, path, &end));
      snprintf(path, sizeof path, "barriers.by_gain.%zu.merged", k);
      VMS_CHECK(vms_json_u64(j, path, &merged));
      snprintf(path, sizeof path, "barriers.by_gain.%zu.gain", k);
      VMS_CHECK(vms_json_u64(j, path, &gain));
      snprintf(path, sizeof path, "barriers.by_gain.%zu.group", k);
      VMS_CHECK_STR(vms_json_str(j, path), "stacks");
      int which = -1;
      for (int i = 0; i < N_STACKS; i++)
        if (st[i].lo == start && st[i].hi == end)
          which = i;
      VMS_CHECK_MSG(which >= 0, "barrier 0x%" PRIx64 "-0x%" PRIx64 " is not one of the stacks",
                    start, end);
      if (which < 0)
        continue;
      VMS_CHECK(!seen[which]);
      seen[which] = true;
      VMS_CHECK_U64(merged, st[which].merged);
      VMS_CHECK_U64(gain, st[which].merged > largest ? st[which].merged - largest : 0);
    }
    /* The fact: the count, each one's reserve, and the limit the helper saw. */
    VMS_CHECK(vms_json_u64(j, "barriers.facts.thread_stacks.count", &v) && v == N_STACKS);
    VMS_CHECK(vms_json_u64(j, "barriers.facts.thread_stacks.min", &v) && v == st[0].hi - st[0].lo);
    VMS_CHECK(vms_json_u64(j, "barriers.facts.thread_stacks.max", &v) && v == st[0].hi - st[0].lo);
    const char *lim = vms_helper_fact(&h, "rlimit-stack", 0);
    bool known = false, unlimited = false;
    VMS_CHECK(vms_json_bool(j, "barriers.facts.thread_stacks.setting.known", &known) && known);
    VMS_CHECK(vms_json_bool(j, "barriers.facts.thread_stacks.setting.unlimited", &unlimited));
    if (lim && strcmp(lim, "unlimited") == 0)
      VMS_CHECK(unlimited);
    else if (lim)
      VMS_CHECK(vms_json_u64(j, "barriers.facts.thread_stacks.setting.bytes", &v) &&
                v == strtoull(lim, NULL, 10));
    vms_json_free(j);
  }
  vms_run_free(&r);

  /* The default scope (the busiest cluster): what gains anything is the stacks. */
  const char *const b[] = {argv[1], pid, "--barriers", "--format", "csv", NULL};
  VMS_CHECK(vms_run(b, &r));
  VMS_CHECK_MSG(r.status == 0, "--barriers exit %d: %s", r.status, r.err);
  VmsCsv csv;
  VMS_CHECK(vms_csv_parse(r.out, r.out_len, &csv));
  int c_section = vms_csv_column(&csv, "section"), c_start = vms_csv_column(&csv, "start");
  int c_gain = vms_csv_column(&csv, "gain");
  VMS_CHECK(c_section >= 0 && c_start >= 0 && c_gain >= 0);
  size_t gaining = 0;
  for (size_t row = 1; row < csv.n_rows && c_section >= 0 && c_start >= 0 && c_gain >= 0; row++) {
    if (strcmp(csv.rows[row][c_section], "gain") != 0 ||
        strtoull(csv.rows[row][c_gain], NULL, 10) == 0)
      continue;
    gaining++;
    uint64_t start = vms_live_parse_hex(csv.rows[row][c_start]);
    bool is_stack = false;
    for (int i = 0; i < N_STACKS; i++)
      is_stack = is_stack || st[i].lo == start;
    VMS_CHECK_MSG(is_stack, "a barrier at 0x%" PRIx64 " gains but is not one of the stacks", start);
  }
  VMS_CHECK_U64(gaining, N_STACKS);
  vms_csv_free(&csv);
  vms_run_free(&r);
  vms_maps_free(&maps);
  vms_helper_stop(&h);
  return vms_test_end();
}
