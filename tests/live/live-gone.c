/* SPDX-License-Identifier: GPL-3.0-or-later */
/* live-gone: processes that are not there to read: no such PID, a zombie, one that exits while
 * vmscope reads it.
 *
 * usage: live-gone VMSCOPE VMS-HELPER
 *
 * Each case must end with its own exit status (vms-error.h) and one message
 * on stderr, and must never print a partial picture as if it were whole. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vms-live.h"
#include "vms-test.h"

enum { EXIT_NO_PROCESS = 3, EXIT_NO_ADDRESS_SPACE = 5, EXIT_GONE = 6 };

static const char *vmscope;

static void check_no_process(void) {
  /* A PID that just ended: reaped, so nothing has it until the kernel wraps. */
  pid_t child = fork();
  if (child == 0)
    _exit(0);
  waitpid(child, NULL, 0);
  char pid[16];
  snprintf(pid, sizeof pid, "%d", (int)child);
  const char *const a[] = {vmscope, pid, "--summary", NULL};
  VmsRun r;
  VMS_CHECK(vms_run(a, &r));
  VMS_CHECK_MSG(r.status == EXIT_NO_PROCESS, "no such process: exit %d, stderr: %s", r.status,
                r.err);
  VMS_CHECK_MSG(r.err_len > 0 && strstr(r.err, pid), "the message does not name the PID: %s",
                r.err);
  VMS_CHECK_MSG(r.out_len == 0, "printed for a process that does not exist: %s", r.out);
  vms_run_free(&r);
}

static void check_zombie(const char *helper) {
  const char *const hargv[] = {helper, "zombie", NULL};
  VmsHelper h;
  if (!vms_helper_start(&h, hargv)) {
    VMS_CHECK_MSG(false, "the helper did not start");
    return;
  }
  const char *zpid = vms_helper_fact(&h, "zombie", 0);
  VMS_CHECK(zpid != NULL);
  if (zpid) {
    const char *const a[] = {vmscope, zpid, "--summary", NULL};
    VmsRun r;
    VMS_CHECK(vms_run(a, &r));
    VMS_CHECK_MSG(r.status == EXIT_NO_ADDRESS_SPACE, "zombie: exit %d, stderr: %s", r.status,
                  r.err);
    VMS_CHECK_MSG(r.err_len > 0, "no message for a zombie");
    VMS_CHECK_MSG(r.out_len == 0, "printed a summary of a zombie: %s", r.out);
    vms_run_free(&r);
  }
  vms_helper_stop(&h);
}

/* Every sample of a --watch run is one whole CSV row: as many fields as the
 * header, this PID in the pid column. Returns the number of samples. */
static size_t check_watch_rows(const char *text, size_t len, const char *pid) {
  VmsCsv csv;
  size_t samples = 0;
  VMS_CHECK_MSG(vms_csv_parse(text, len, &csv), "the --watch CSV does not parse");
  int col = vms_csv_column(&csv, "pid");
  VMS_CHECK_MSG(col >= 0, "the --watch CSV has no pid column");
  for (size_t r = 1; col >= 0 && r < csv.n_rows; r++) {
    VMS_CHECK_MSG(csv.n_fields[r] == csv.n_fields[0], "sample %zu has %zu fields, the header %zu",
                  r, csv.n_fields[r], csv.n_fields[0]);
    if (csv.n_fields[r] == csv.n_fields[0]) {
      VMS_CHECK_STR(csv.rows[r][col], pid);
      samples++;
    }
  }
  vms_csv_free(&csv);
  return samples;
}

static void check_exit_while_read(const char *helper) {
  /* The watch reads it at least once before it exits; the exit then comes
   * while the sampler waits or reads (tens of thousands of mappings make a
   * read take milliseconds), and either way must end with "exited". */
  const char *const hargv[] = {helper, "many", "40000", "exit-after", "800", NULL};
  VmsHelper h;
  if (!vms_helper_start(&h, hargv)) {
    VMS_CHECK_MSG(false, "the helper did not start");
    return;
  }
  /* Reap it the moment it exits, so vmscope sees it gone, not a zombie. */
  vms_helper_reap_in_background(&h);
  char pid[16];
  snprintf(pid, sizeof pid, "%d", (int)h.pid);
  const char *const a[] = {vmscope,  pid,        "--watch", "0.01", "--count",
                           "100000", "--format", "csv",     NULL};
  VmsRun r;
  VMS_CHECK(vms_run(a, &r));
  VMS_CHECK_MSG(r.status == EXIT_GONE, "exited while watched: exit %d, stderr: %s", r.status,
                r.err);
  VMS_CHECK_MSG(r.err_len > 0 && strstr(r.err, pid), "the message does not name the PID: %s",
                r.err);
  size_t samples = check_watch_rows(r.out, r.out_len, pid);
  VMS_CHECK_MSG(samples >= 1, "not one sample before the process exited");
  printf("%zu whole samples before the helper exited; then: %s", samples, r.err);
  vms_run_free(&r);
  vms_helper_stop(&h);
}

/* One-shot reads back to back while the helper exits: each either shows a
 * whole summary or fails cleanly; which read meets the exit is up to the
 * scheduler, so every outcome is checked rather than one expected. */
static void check_reads_across_exit(const char *helper) {
  const char *const hargv[] = {helper, "many", "40000", "exit-after", "300", NULL};
  VmsHelper h;
  if (!vms_helper_start(&h, hargv)) {
    VMS_CHECK_MSG(false, "the helper did not start");
    return;
  }
  vms_helper_reap_in_background(&h);
  char pid[16];
  snprintf(pid, sizeof pid, "%d", (int)h.pid);
  const char *const a[] = {vmscope, pid, "--summary", "--format", "json", NULL};
  size_t whole = 0, failed = 0;
  for (int i = 0; i < 200; i++) {
    bool was_alive = !__atomic_load_n(&h.reaped, __ATOMIC_ACQUIRE);
    VmsRun r;
    VMS_CHECK(vms_run(a, &r));
    if (r.status == 0) {
      VmsJson *j = vms_json_parse(r.out, r.out_len);
      uint64_t vmas = 0;
      VMS_CHECK_MSG(j && vms_json_u64(j, "vma_count", &vmas) && vmas > 40000,
                    "a read that succeeded shows %" PRIu64 " mappings, not the helper's 40000+",
                    vmas);
      vms_json_free(j);
      whole++;
    } else {
      VMS_CHECK_MSG(r.status == EXIT_GONE || r.status == EXIT_NO_PROCESS ||
                        r.status == EXIT_NO_ADDRESS_SPACE,
                    "a read across the exit ended with %d: %s", r.status, r.err);
      VMS_CHECK_MSG(r.out_len == 0, "a failed read printed: %.200s", r.out);
      VMS_CHECK_MSG(r.err_len > 0, "a failed read said nothing");
      failed++;
    }
    vms_run_free(&r);
    if (!was_alive)
      break;
  }
  printf("reads across the exit: %zu whole, %zu failed cleanly\n", whole, failed);
  VMS_CHECK(whole >= 1);
  VMS_CHECK(failed >= 1);
  vms_helper_stop(&h);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: live-gone VMSCOPE VMS-HELPER\n");
    return 2;
  }
  vmscope = argv[1];
  check_no_process();
  check_zombie(argv[2]);
  check_exit_while_read(argv[2]);
  check_reads_across_exit(argv[2]);
  return vms_test_end();
}
