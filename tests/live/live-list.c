/* SPDX-License-Identifier: GPL-3.0-or-later */
/* live-list: `vmscope --list` shows known processes as they are: bitness, mapping count, readable
 * or why not.
 *
 * usage: live-list VMSCOPE VMS-HELPER [VMS-HELPER-32] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vms-live.h"
#include "vms-test.h"

#define SETPRIV "/usr/bin/setpriv"

typedef struct {
  VmsCsv csv;
  int pid, ppid, state, bits, maps, name, readable, reason, cmdline;
} List;

static bool list_run(const char *const argv[], List *l) {
  VmsRun r;
  memset(l, 0, sizeof *l);
  if (!vms_run(argv, &r))
    return false;
  VMS_CHECK_MSG(r.status == 0, "--list exit %d: %s", r.status, r.err);
  bool ok = r.status == 0 && vms_csv_parse(r.out, r.out_len, &l->csv);
  vms_run_free(&r);
  if (!ok)
    return false;
  static const char *const names[] = {"pid",  "ppid",     "state",  "bits",   "maps",
                                      "name", "readable", "reason", "cmdline"};
  int *cols[] = {&l->pid,  &l->ppid,     &l->state,  &l->bits,   &l->maps,
                 &l->name, &l->readable, &l->reason, &l->cmdline};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    *cols[i] = vms_csv_column(&l->csv, names[i]);
    VMS_CHECK_MSG(*cols[i] >= 0, "--list CSV has no column '%s'", names[i]);
    ok &= *cols[i] >= 0;
  }
  for (size_t r2 = 1; r2 < l->csv.n_rows; r2++)
    VMS_CHECK_MSG(l->csv.n_fields[r2] == l->csv.n_fields[0],
                  "--list row %zu has %zu fields, the header %zu", r2 + 1, l->csv.n_fields[r2],
                  l->csv.n_fields[0]);
  return ok;
}

static char **list_row(const List *l, pid_t pid) {
  char want[16];
  snprintf(want, sizeof want, "%d", (int)pid);
  for (size_t r = 1; r < l->csv.n_rows; r++)
    if (l->csv.n_fields[r] == l->csv.n_fields[0] && strcmp(l->csv.rows[r][l->pid], want) == 0)
      return l->csv.rows[r];
  return NULL;
}

static long maps_lines(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
  size_t len = 0;
  char *t = vms_live_slurp(path, &len);
  long n = 0;
  for (size_t i = 0; t && i < len; i++)
    n += t[i] == '\n';
  free(t);
  return t ? n : -1;
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: live-list VMSCOPE VMS-HELPER [VMS-HELPER-32]\n");
    return 2;
  }
  const char *const h64_argv[] = {argv[2], "threads", "2", "zombie", NULL};
  VmsHelper h64, h32;
  bool have32 = argc == 4;
  if (!vms_helper_start(&h64, h64_argv))
    return 1;
  if (have32) {
    const char *const h32_argv[] = {argv[3], "layout", NULL};
    if (!vms_helper_start(&h32, h32_argv))
      return 1;
  }
  pid_t zombie = (pid_t)atoi(vms_helper_fact(&h64, "zombie", 0));
  char me[16];
  snprintf(me, sizeof me, "%d", (int)getpid());

  const char *const a[] = {argv[1], "--list", "--format", "csv", NULL};
  List l;
  if (list_run(a, &l)) {
    char **row = list_row(&l, h64.pid);
    VMS_CHECK_MSG(row != NULL, "the helper %d is not listed", (int)h64.pid);
    if (row) {
      VMS_CHECK_STR(row[l.name], "vms-helper");
      VMS_CHECK_STR(row[l.ppid], me);
      VMS_CHECK_STR(row[l.bits], "64");
      VMS_CHECK_STR(row[l.readable], "yes");
      VMS_CHECK_STR(row[l.reason], "");
      VMS_CHECK_MSG(strstr(row[l.cmdline], "threads 2 zombie") != NULL, "cmdline: %s",
                    row[l.cmdline]);
      long want = maps_lines(h64.pid);
      VMS_CHECK_MSG(atol(row[l.maps]) == want, "maps: listed %s, /proc has %ld lines", row[l.maps],
                    want);
    }
    row = list_row(&l, zombie);
    VMS_CHECK_MSG(row != NULL, "the zombie %d is not listed", (int)zombie);
    if (row) {
      VMS_CHECK_STR(row[l.state], "Z");
      VMS_CHECK_STR(row[l.readable], "no");
      VMS_CHECK_MSG(strstr(row[l.reason], "zombie") != NULL, "the zombie's reason: %s",
                    row[l.reason]);
    }
    if (have32) {
      row = list_row(&l, h32.pid);
      VMS_CHECK_MSG(row != NULL, "the 32-bit helper %d is not listed", (int)h32.pid);
      if (row) {
        VMS_CHECK_STR(row[l.bits], "32");
        VMS_CHECK_STR(row[l.readable], "yes");
      }
    }
    vms_csv_free(&l.csv);
  }

  /* Listed by another user, the helper is there but not readable, with why. */
  if (geteuid() != 0 || access(SETPRIV, X_OK) != 0) {
    printf("note: not root or no %s: the other-user listing is not checked\n", SETPRIV);
  } else {
    const char *const b[] = {SETPRIV,          "--reuid=65533", "--regid=65533",
                             "--clear-groups", argv[1],         "--list",
                             "--format",       "csv",           NULL};
    if (list_run(b, &l)) {
      char **row = list_row(&l, h64.pid);
      VMS_CHECK_MSG(row != NULL, "uid 65533 does not see the helper %d", (int)h64.pid);
      if (row) {
        VMS_CHECK_STR(row[l.readable], "no");
        VMS_CHECK_MSG(strstr(row[l.reason], "root") != NULL,
                      "the reason does not name the owner: %s", row[l.reason]);
        VMS_CHECK_STR(row[l.maps], "-1");
      }
      vms_csv_free(&l.csv);
    } else {
      printf("note: uid 65533 cannot run %s here; the other-user listing is not checked\n",
             argv[1]);
    }
  }

  vms_helper_stop(&h64);
  if (have32)
    vms_helper_stop(&h32);
  return vms_test_end();
}
