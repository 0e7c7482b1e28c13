/* SPDX-License-Identifier: GPL-3.0-or-later */
/* live-barrier-diff: --diff names a barrier that came and went, with the figures /proc gives.
 *
 * usage: live-barrier-diff VMSCOPE VMS-HELPER
 *
 * The helper keeps a 64 MiB room free in its mapping area and maps 2 MiB
 * of private memory in it on SIGUSR1, unmapping it on SIGUSR2. vmscope
 * records it through the three moments (before, with the barrier, after);
 * the test waits for each change in /proc/PID/maps, then for two more
 * frames, and takes the free blocks around the barrier from the maps it
 * read itself. --diff from before to with must say the barrier appeared
 * (its extent, the free blocks below and above, the block without it and
 * the gain over the largest one, within the room and over the default
 * scope) and that the private group appeared; from with to after, that it
 * vanished; from before to after, nothing. */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vms-live.h"
#include "vms-test-wait.h"
#include "vms-test.h"

static const char *vmscope, *file;

/* Frames in the recording so far (it opens up to its last complete frame). */
static size_t frames(void) {
  const char *const a[] = {vmscope, file, "--timeline", "--format", "csv", NULL};
  VmsRun r;
  size_t n = 0;
  if (vms_run(a, &r) && r.status == 0)
    for (const char *p = r.out; (p = strchr(p, '\n')) != NULL; p++)
      n++;
  vms_run_free(&r);
  return n ? n - 1 : 0;
}

/* The index of a frame sampled wholly after now. */
static size_t frame_after_now(void) {
  size_t n = frames();
  double end = vms_test_now() + 30;
  while (frames() < n + 2 && vms_test_now() < end)
    vms_test_hold(0.02);
  VMS_CHECK_MSG(frames() >= n + 2, "the recording stopped at %zu frames", n);
  return n + 1;
}

typedef struct {
  pid_t pid;
  uint64_t at;
  bool want;
} Mapped;

static bool maps_has(void *data) {
  const Mapped *m = data;
  VmsMaps maps;
  if (!vms_maps_read(m->pid, &maps))
    return false;
  bool has = false;
  for (size_t i = 0; i < maps.n; i++)
    has = has || maps.v[i].start == m->at;
  vms_maps_free(&maps);
  return has == m->want;
}

/* The free space directly below and above [lo, hi) in the maps, clipped to [flo, fhi). */
static void gaps_around(const VmsMaps *m, uint64_t lo, uint64_t hi, uint64_t flo, uint64_t fhi,
                        uint64_t *below, uint64_t *above) {
  uint64_t under = flo, over = fhi;
  for (size_t i = 0; i < m->n; i++) {
    if (m->v[i].end <= lo && m->v[i].end > under)
      under = m->v[i].end;
    if (m->v[i].start >= hi && m->v[i].start < over)
      over = m->v[i].start;
  }
  *below = lo - under;
  *above = over - hi;
}

/* The largest free block in [flo, fhi) between the maps lines. */
static uint64_t largest_gap(const VmsMaps *m, uint64_t flo, uint64_t fhi) {
  uint64_t cursor = flo, best = 0;
  for (size_t i = 0; i <= m->n; i++) {
    uint64_t s = i < m->n ? m->v[i].start : fhi, e = i < m->n ? m->v[i].end : fhi;
    if (e <= flo || s >= fhi + (i == m->n))
      continue;
    if (s > fhi)
      s = fhi;
    if (s > cursor && s - cursor > best)
      best = s - cursor;
    if (e > cursor)
      cursor = e;
  }
  return best;
}

static VmsJson *diff_json(const char *a, const char *b, const char *range) {
  const char *const with_range[] = {vmscope,    file,   "--diff",  a,     b,
                                    "--format", "json", "--range", range, NULL};
  const char *const without[] = {vmscope, file, "--diff", a, b, "--format", "json", NULL};
  VmsRun r;
  VmsJson *j = NULL;
  VMS_CHECK(vms_run(range ? with_range : without, &r));
  VMS_CHECK_MSG(r.status == 0, "--diff %s %s exit %d: %s", a, b, r.status, r.err);
  if (r.status == 0) {
    j = vms_json_parse(r.out, r.out_len);
    VMS_CHECK_MSG(j != NULL, "not JSON: %.300s", r.out);
  }
  vms_run_free(&r);
  return j;
}

static uint64_t u64_at(const VmsJson *j, const char *path) {
  uint64_t v = UINT64_MAX;
  VMS_CHECK_MSG(vms_json_u64(j, path, &v), "no %s", path);
  return v;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: live-barrier-diff VMSCOPE VMS-HELPER\n");
    return 2;
  }
  vmscope = argv[1];
  const char *const hargv[] = {argv[2], "barrier-toggle", NULL};
  VmsHelper h;
  if (!vms_helper_start(&h, hargv)) {
    VMS_CHECK_MSG(false, "%s did not start", argv[2]);
    return vms_test_end();
  }
  uint64_t room_lo = 0, room_hi = 0, x_lo = 0, x_hi = 0;
  const char *room = vms_helper_fact(&h, "barrier-room", 0),
             *at = vms_helper_fact(&h, "barrier-at", 0);
  VMS_CHECK(room && sscanf(room, "%" SCNx64 " %" SCNx64, &room_lo, &room_hi) == 2);
  VMS_CHECK(at && sscanf(at, "%" SCNx64 " %" SCNx64, &x_lo, &x_hi) == 2);
  char pid[16], range[64], dir[] = "/tmp/vms-live-barrier-diff-XXXXXX", path[256];
  snprintf(pid, sizeof pid, "%d", (int)h.pid);
  snprintf(range, sizeof range, "0x%" PRIx64 "-0x%" PRIx64, room_lo, room_hi);
  if (!mkdtemp(dir))
    VMS_SKIP("cannot make a temporary directory");
  snprintf(path, sizeof path, "%s/toggle.vmsrec", dir);
  file = path;

  pid_t rec = fork();
  if (rec == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execl(vmscope, vmscope, pid, "--record", file, "--interval", "0.1", "--duration", "120s",
          (char *)NULL);
    _exit(127);
  }
  /* Before: the room is free. */
  double end = vms_test_now() + 30;
  while (frames() < 1 && vms_test_now() < end)
    vms_test_hold(0.02);
  size_t before = frame_after_now();
  /* With the barrier: the free blocks around it, as the kernel lists them. */
  kill(h.pid, SIGUSR1);
  Mapped m = {h.pid, x_lo, true};
  VMS_CHECK_MSG(vms_test_wait(maps_has, &m, 30), "the barrier at 0x%" PRIx64 " was never mapped",
                x_lo);
  VmsMaps maps;
  VMS_CHECK(vms_maps_read(h.pid, &maps));
  uint64_t below, above, wide_below, wide_above;
  gaps_around(&maps, x_lo, x_hi, room_lo, room_hi, &below, &above);
  gaps_around(&maps, x_lo, x_hi, 0, UINT64_MAX, &wide_below, &wide_above);
  const uint64_t size = x_hi - x_lo, merged = below + size + above;
  const uint64_t largest_with = largest_gap(&maps, room_lo, room_hi);
  vms_maps_free(&maps);
  VMS_CHECK_U64(below, UINT64_C(16) << 20);
  VMS_CHECK_U64(merged, room_hi - room_lo);
  size_t with = frame_after_now();
  /* After: gone again. */
  kill(h.pid, SIGUSR2);
  m.want = false;
  VMS_CHECK_MSG(vms_test_wait(maps_has, &m, 30), "the barrier was never unmapped");
  size_t after = frame_after_now();
  kill(rec, SIGINT);
  int status;
  waitpid(rec, &status, 0);
  VMS_CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the recorder ended with %d",
                status);

  char fa[16], fw[16], fz[16];
  snprintf(fa, sizeof fa, "%zu", before);
  snprintf(fw, sizeof fw, "%zu", with);
  snprintf(fz, sizeof fz, "%zu", after);

  /* Within the room: the barrier and the private group appear. */
  VmsJson *j = diff_json(fa, fw, range);
  if (j) {
    VMS_CHECK_U64(vms_json_len(j, "barriers"), 1);
    VMS_CHECK_STR(vms_json_str(j, "barriers.0.change"), "appeared");
    VMS_CHECK_U64(u64_at(j, "barriers.0.start"), x_lo);
    VMS_CHECK_U64(u64_at(j, "barriers.0.end"), x_hi);
    VMS_CHECK(vms_json_get(j, "barriers.0.old") == NULL);
    VMS_CHECK_STR(vms_json_str(j, "barriers.0.new.group"), "private");
    VMS_CHECK_U64(u64_at(j, "barriers.0.new.size"), size);
    VMS_CHECK_U64(u64_at(j, "barriers.0.new.free_below"), below);
    VMS_CHECK_U64(u64_at(j, "barriers.0.new.free_above"), above);
    VMS_CHECK_U64(u64_at(j, "barriers.0.new.merged"), merged);
    VMS_CHECK_U64(u64_at(j, "barriers.0.new.gain"), merged - largest_with);
    VMS_CHECK_U64(vms_json_len(j, "barrier_groups"), 1);
    VMS_CHECK_STR(vms_json_str(j, "barrier_groups.0.change"), "appeared");
    VMS_CHECK_STR(vms_json_str(j, "barrier_groups.0.group"), "private");
    VMS_CHECK_U64(u64_at(j, "barrier_groups.0.old.units"), 0);
    VMS_CHECK_U64(u64_at(j, "barrier_groups.0.new.units"), 1);
    VMS_CHECK_U64(u64_at(j, "barrier_groups.0.new.bytes"), size);
    VMS_CHECK_U64(u64_at(j, "barrier_groups.0.new.barriers"), 1);
    VMS_CHECK_U64(u64_at(j, "barrier_groups.0.new.largest_without"), merged);
    VMS_CHECK_U64(u64_at(j, "barrier_groups.0.new.gain"), merged - largest_with);
    vms_json_free(j);
  }
  /* And it vanishes, with the figures it had. */
  j = diff_json(fw, fz, range);
  if (j) {
    VMS_CHECK_U64(vms_json_len(j, "barriers"), 1);
    VMS_CHECK_STR(vms_json_str(j, "barriers.0.change"), "vanished");
    VMS_CHECK_U64(u64_at(j, "barriers.0.start"), x_lo);
    VMS_CHECK(vms_json_get(j, "barriers.0.new") == NULL);
    VMS_CHECK_U64(u64_at(j, "barriers.0.old.merged"), merged);
    VMS_CHECK_STR(vms_json_str(j, "barrier_groups.0.change"), "vanished");
    vms_json_free(j);
  }
  /* Before and after are alike. */
  j = diff_json(fa, fz, range);
  if (j) {
    VMS_CHECK_U64(vms_json_len(j, "barriers"), 0);
    VMS_CHECK_U64(vms_json_len(j, "barrier_groups"), 0);
    vms_json_free(j);
  }
  /* Over the default scope (the mapping area) the same barrier appears,
   * between the free blocks the whole maps show around it. */
  j = diff_json(fa, fw, NULL);
  if (j) {
    bool seen = false;
    for (size_t k = 0; k < vms_json_len(j, "barriers"); k++) {
      char p[64];
      snprintf(p, sizeof p, "barriers.%zu.start", k);
      if (u64_at(j, p) != x_lo)
        continue;
      seen = true;
      snprintf(p, sizeof p, "barriers.%zu.change", k);
      VMS_CHECK_STR(vms_json_str(j, p), "appeared");
      snprintf(p, sizeof p, "barriers.%zu.new.free_below", k);
      VMS_CHECK_U64(u64_at(j, p), wide_below);
      snprintf(p, sizeof p, "barriers.%zu.new.free_above", k);
      VMS_CHECK_U64(u64_at(j, p), wide_above);
      snprintf(p, sizeof p, "barriers.%zu.new.merged", k);
      VMS_CHECK_U64(u64_at(j, p), wide_below + size + wide_above);
    }
    VMS_CHECK_MSG(seen, "the barrier at 0x%" PRIx64 " is not among the changes", x_lo);
    vms_json_free(j);
  }
  /* The CSV row and the table line carry the same figures. */
  const char *const c[] = {vmscope,   file,  "--diff",   fa,    fw,
                           "--range", range, "--format", "csv", NULL};
  VmsRun r;
  VMS_CHECK(vms_run(c, &r) && r.status == 0);
  char want[256];
  snprintf(want, sizeof want,
           "\nbarrier-appeared,0x%" PRIx64 ",0x%" PRIx64 ",,%" PRIu64 ",,private,,,,,"
           "anonymous private data,,%" PRIu64 ",,%" PRIu64 ",,1,,\n",
           x_lo, x_hi, size, merged, merged - largest_with);
  VMS_CHECK_MSG(strstr(r.out, want) != NULL, "no row %s in:\n%s", want, r.out);
  vms_run_free(&r);
  const char *const t[] = {vmscope, file, "--diff", fa, fw, "--range", range, NULL};
  VMS_CHECK(vms_run(t, &r) && r.status == 0);
  /* 16 digits: [vsyscall] sits at the top of the 64-bit space. */
  snprintf(want, sizeof want, "\nappeared  %016" PRIx64 " %016" PRIx64 " ", x_lo, x_hi);
  VMS_CHECK_MSG(strstr(r.out, want) != NULL, "no line %s in:\n%s", want, r.out);
  VMS_CHECK(strstr(r.out, "Top barriers (ranked by gain): 1 change\n") != NULL);
  vms_run_free(&r);

  vms_helper_stop(&h);
  unlink(file);
  rmdir(dir);
  return vms_test_end();
}
