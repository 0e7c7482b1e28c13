/* SPDX-License-Identifier: GPL-3.0-or-later */
/* live-permission: a process of another user cannot be read, and vmscope says so with status 4 and
 * a reason.
 *
 * usage: live-permission VMSCOPE VMS-HELPER
 *
 * Needs root to run the helper and vmscope as two different unprivileged
 * users (with setpriv); skips with the reason otherwise. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vms-live.h"
#include "vms-test.h"

enum { EXIT_PERMISSION = 4 };

#define SETPRIV "/usr/bin/setpriv"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: live-permission VMSCOPE VMS-HELPER\n");
    return 2;
  }
  if (geteuid() != 0)
    VMS_SKIP("not root: cannot start processes as two other users to test a denied read");
  if (access(SETPRIV, X_OK) != 0)
    VMS_SKIP("%s (util-linux) not found", SETPRIV);

  /* Both binaries must be reachable by the unprivileged users. */
  const char *const probe[] = {
      SETPRIV, "--reuid=65533", "--regid=65533", "--clear-groups", argv[1], "--version", NULL};
  VmsRun pr;
  VMS_CHECK(vms_run(probe, &pr));
  if (pr.status == 126 || pr.status == 127 || strstr(pr.err, "ermission denied"))
    VMS_SKIP("uid 65533 cannot execute %s (a directory on its path is closed to other users)",
             argv[1]);
  vms_run_free(&pr);

  const char *const hargv[] = {
      SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups", argv[2], "layout", NULL};
  VmsHelper h;
  if (!vms_helper_start(&h, hargv))
    return 1;
  /* setpriv execs the helper, so the pid is the helper's. */
  char pid[16];
  snprintf(pid, sizeof pid, "%d", (int)h.pid);
  VMS_CHECK_STR(vms_helper_fact(&h, "pid", 0), pid);

  const char *const denied[] = {
      SETPRIV, "--reuid=65533", "--regid=65533", "--clear-groups", argv[1], pid, "--summary", NULL};
  VmsRun r;
  VMS_CHECK(vms_run(denied, &r));
  VMS_CHECK_MSG(r.status == EXIT_PERMISSION, "another user's process: exit %d, stderr: %s",
                r.status, r.err);
  VMS_CHECK_MSG(r.err_len > 0 && strstr(r.err, pid), "the message does not name the PID: %s",
                r.err);
  VMS_CHECK_MSG(r.out_len == 0, "printed a summary it could not read: %s", r.out);
  printf("vmscope said: %s", r.err);
  vms_run_free(&r);

  /* The same process is readable by root. */
  const char *const allowed[] = {argv[1], pid, "--summary", NULL};
  VMS_CHECK(vms_run(allowed, &r));
  VMS_CHECK_MSG(r.status == 0, "root reading it: exit %d, stderr: %s", r.status, r.err);
  vms_run_free(&r);

  vms_helper_stop(&h);
  return vms_test_end();
}
