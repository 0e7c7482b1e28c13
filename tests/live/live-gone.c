/* SPDX-License-Identifier: GPL-3.0-or-later */
/* live-gone: processes that are not there to read: no such PID, a zombie, one that exits while vmscope reads it.
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
  VMS_CHECK_MSG(r.status == EXIT_NO_PROCESS, "no such process: exit %d, stderr: %s", r.status, r.err);
  VMS_CHECK_MSG(r.err_len > 0 && strstr(r.err, pid), "the message does not name the PID: %s", r.err);
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
    VMS_CHECK_MSG(r.status == EXIT_NO_ADDRESS_SPACE, "zombie: exit %d, stderr: %s", r.status, r.err);
    VMS_CHECK_MSG(r.err_len > 0, "no message for a zombie");
    VMS_CHECK_MSG(r.out_len == 0, "printed a summary of a zombie: %s", r.out);
    vms_run_free(&r);
  }
  vms_helper_stop(&h);
}

/* Counts the CSV header lines in a --watch run: each one opens a whole picture. */
static size_t count_lines_starting(const char *text, const char *prefix) {
  size_t n = 0, pl = strlen(prefix);
  for (const char *p = text; p && *p;) {
    if (strncmp(p, prefix, pl) == 0)
      n++;
    p = strchr(p, '\n');
    if (p)
      p++;
  }
  return n;
}

static void check_exit_while_read(const char *helper) {
  /* Tens of thousands of mappings make each read take milliseconds, so the
   * exit lands inside a read more often than not; between reads must be
   * handled the same way. */
  const char *const hargv[] = {helper, "many", "40000", "exit-after", "400", NULL};
  VmsHelper h;
  if (!vms_helper_start(&h, hargv)) {
    VMS_CHECK_MSG(false, "the helper did not start");
    return;
  }
  /* Reap it the moment it exits, so vmscope sees it gone, not a zombie. */
  vms_helper_reap_in_background(&h);
  char pid[16];
  snprintf(pid, sizeof pid, "%d", (int)h.pid);
  const char *const a[] = {vmscope, pid, "--summary", "--format", "csv", "--watch", "0.01", "--count", "100000", NULL};
  VmsRun r;
  VMS_CHECK(vms_run(a, &r));
  VMS_CHECK_MSG(r.status == EXIT_GONE, "exited while watched: exit %d, stderr: %s", r.status, r.err);
  VMS_CHECK_MSG(r.err_len > 0 && strstr(r.err, pid), "the message does not name the PID: %s", r.err);
  printf("the helper was read %zu times before it exited\n", count_lines_starting(r.out, "pid") ? 0 : 0);
  vms_run_free(&r);
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
  return vms_test_end();
}
