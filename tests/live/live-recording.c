/* SPDX-License-Identifier: GPL-3.0-or-later */
/* live-recording: a recording of a helper that maps and unmaps known regions at known moments.
 *
 * usage: live-recording VMSCOPE VMS-HELPER
 *
 * The helper maps region A at 1 s and, at 2 s, maps B and unmaps A. While
 * vmscope records it, the test asks the live process for its --summary in
 * the middle of each phase; the recording's --timeline must show those same
 * figures in that order, and --diff must name exactly A and B. A snapshot
 * saved with --save prints byte for byte what the live one printed. */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vms-live.h"
#include "vms-test.h"

static const char *vmscope;

typedef struct {
  uint64_t vma_count, free_total, free_largest, committed;
} Figures;

static void sleep_s(double s) {
  struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  nanosleep(&ts, NULL);
}

static bool live_figures(const char *pid, Figures *f) {
  const char *const a[] = {vmscope, pid, "--summary", "--format", "json", NULL};
  VmsRun r;
  if (!vms_run(a, &r) || r.status != 0) {
    fprintf(stderr, "live summary failed: %s\n", r.err);
    return false;
  }
  VmsJson *j = vms_json_parse(r.out, r.out_len);
  bool ok = j && vms_json_u64(j, "vma_count", &f->vma_count) &&
            vms_json_u64(j, "free.total", &f->free_total) &&
            vms_json_u64(j, "free.largest", &f->free_largest) &&
            vms_json_u64(j, "total.committed", &f->committed);
  vms_json_free(j);
  vms_run_free(&r);
  return ok;
}

static uint64_t cell(const VmsCsv *csv, size_t row, const char *name) {
  int c = vms_csv_column(csv, name);
  return c < 0 || (size_t)c >= csv->n_fields[row] ? UINT64_MAX
                                                  : strtoull(csv->rows[row][c], NULL, 0);
}

/* The region rows of `--diff A B --format csv` as "change start end" lines
 * (not the figures, barriers or groups). */
static char *diff_regions(const char *file, const char *a, const char *b) {
  const char *const argv[] = {vmscope, file, "--diff", a, b, "--format", "csv", NULL};
  VmsRun r;
  if (!vms_run(argv, &r) || r.status != 0) {
    fprintf(stderr, "--diff failed: %s\n", r.err);
    return strdup("");
  }
  VmsCsv csv;
  char *out = calloc(1, 4096);
  size_t n = 0;
  if (vms_csv_parse(r.out, r.out_len, &csv)) {
    for (size_t i = 1; i < csv.n_rows; i++)
      if (csv.n_fields[i] > 3 && strcmp(csv.rows[i][0], "figure") != 0 &&
          strncmp(csv.rows[i][0], "barrier-", 8) != 0 && strncmp(csv.rows[i][0], "group-", 6) != 0)
        n += (size_t)snprintf(out + n, 4096 - n, "%s %s %s\n", csv.rows[i][0], csv.rows[i][1],
                              csv.rows[i][2]);
    vms_csv_free(&csv);
  }
  vms_run_free(&r);
  return out;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: live-recording VMSCOPE VMS-HELPER\n");
    return 2;
  }
  vmscope = argv[1];
  const char *const hargv[] = {argv[2], "steps", "1000", NULL};
  VmsHelper h;
  if (!vms_helper_start(&h, hargv)) {
    VMS_CHECK_MSG(false, "the helper did not start");
    return vms_test_end();
  }
  char pid[16];
  snprintf(pid, sizeof pid, "%d", (int)h.pid);
  char dir[] = "/tmp/vms-live-recording-XXXXXX";
  if (!mkdtemp(dir))
    VMS_SKIP("cannot make a temporary directory");
  char file[256];
  snprintf(file, sizeof file, "%s/helper.vmsrec", dir);

  pid_t rec = fork();
  if (rec == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execl(vmscope, vmscope, pid, "--record", file, "--interval", "0.1", "--duration", "3.4s",
          (char *)NULL);
    _exit(127);
  }
  Figures live[3];
  bool have = true;
  sleep_s(0.5);
  have = live_figures(pid, &live[0]) && have;
  sleep_s(1.0);
  have = live_figures(pid, &live[1]) && have;
  sleep_s(1.0);
  have = live_figures(pid, &live[2]) && have;
  int status;
  waitpid(rec, &status, 0);
  VMS_CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the recorder ended with %d",
                status);
  VMS_CHECK(have);

  /* The timeline holds the live figures of each phase, in order. */
  const char *const ta[] = {vmscope, file, "--timeline", "--format", "csv", NULL};
  VmsRun r;
  VMS_CHECK(vms_run(ta, &r) && r.status == 0);
  VmsCsv csv;
  size_t found[3] = {0, 0, 0};
  if (r.status == 0 && vms_csv_parse(r.out, r.out_len, &csv)) {
    VMS_CHECK_MSG(csv.n_rows > 20, "only %zu timeline rows", csv.n_rows);
    size_t from = 1;
    for (int k = 0; k < 3; k++) {
      for (size_t i = from; i < csv.n_rows && !found[k]; i++)
        if (cell(&csv, i, "vma_count") == live[k].vma_count &&
            cell(&csv, i, "free_total") == live[k].free_total &&
            cell(&csv, i, "free_largest") == live[k].free_largest &&
            cell(&csv, i, "committed") == live[k].committed)
          found[k] = i;
      VMS_CHECK_MSG(found[k],
                    "phase %d: the live figures (%" PRIu64 " VMAs, %" PRIu64 " free, %" PRIu64
                    " committed) are not in the timeline after row %zu",
                    k, live[k].vma_count, live[k].free_total, live[k].committed, from);
      if (found[k])
        from = found[k] + 1;
    }
    vms_csv_free(&csv);
  }
  vms_run_free(&r);

  const char *a_map = vms_helper_fact(&h, "step", 0), *b_map = vms_helper_fact(&h, "step", 1);
  char a_start[32] = "", a_end[32] = "", b_start[32] = "", b_end[32] = "";
  if (a_map && b_map) {
    sscanf(a_map, "1 map %31s %31s", a_start, a_end);
    sscanf(b_map, "2 map %31s %31s", b_start, b_end);
  }
  char want[512];
  /* From the first frame to the last only B is new: A came and went between. */
  snprintf(want, sizeof want, "appeared %s %s\n", b_start, b_end);
  char *got = diff_regions(file, "0", "last");
  VMS_CHECK_STR(got, want);
  free(got);
  /* From a frame of the first phase: A vanished and B appeared. */
  if (found[1]) {
    char ref[16];
    snprintf(ref, sizeof ref, "%zu", found[1] - 1);
    uint64_t as = vms_live_parse_hex(a_start), bs = vms_live_parse_hex(b_start);
    if (as < bs)
      snprintf(want, sizeof want, "vanished %s %s\nappeared %s %s\n", a_start, a_end, b_start,
               b_end);
    else
      snprintf(want, sizeof want, "appeared %s %s\nvanished %s %s\n", b_start, b_end, a_start,
               a_end);
    got = diff_regions(file, ref, "last");
    VMS_CHECK_STR(got, want);
    free(got);
  }
  /* Saved and loaded, a live snapshot prints byte for byte what it printed
   * live: --save with an output prints the very snapshot it saves. */
  char snap[256];
  snprintf(snap, sizeof snap, "%s/helper-snap.vmsrec", dir);
  const char *const outs[][4] = {{"--regions", "--format", "csv", NULL},
                                 {"--summary", "--format", "json", NULL},
                                 {"--regions", "--format", "json", "--smaps"},
                                 {"--summary", "--format", "table", "--smaps"}};
  for (size_t k = 0; k < sizeof outs / sizeof outs[0]; k++) {
    const char *const la[] = {vmscope,    pid,        "--save",   snap, outs[k][0],
                              outs[k][1], outs[k][2], outs[k][3], NULL};
    const char *const ra[] = {vmscope, snap, outs[k][0], outs[k][1], outs[k][2], NULL};
    VmsRun lr, rr;
    VMS_CHECK(vms_run(la, &lr) && lr.status == 0);
    VMS_CHECK(vms_run(ra, &rr) && rr.status == 0);
    VMS_CHECK_MSG(lr.out_len > 100 && lr.out_len == rr.out_len &&
                      memcmp(lr.out, rr.out, lr.out_len) == 0,
                  "%s %s %s: the saved snapshot prints differently from the live one", outs[k][0],
                  outs[k][2], outs[k][3] ? outs[k][3] : "");
    vms_run_free(&lr);
    vms_run_free(&rr);
  }
  unlink(snap);
  vms_helper_stop(&h);
  unlink(file);
  rmdir(dir);
  return vms_test_end();
}
