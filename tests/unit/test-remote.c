/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-remote.c: ssh:// URLs taken apart, and a far side's process list read back from its CSV.
 *
 * The list goes through the writer `vmscope --list --format csv` uses
 * (vms_print_process_list) and back through vms_process_list_from_csv:
 * commas, quotes and line breaks in names, reasons and command lines,
 * empty fields and a column a later vmscope might add must all come back
 * as they were. */
#include <stdlib.h>
#include <string.h>

#include "vms-format.h"
#include "vms-remote.h"
#include "vms-test.h"

static VmsProcInfo proc(int pid, const char *name, const char *user, const char *cmd,
                        const char *reason, const char *container) {
  VmsProcInfo p;
  memset(&p, 0, sizeof p);
  p.pid = pid;
  p.ppid = pid > 1 ? 1 : 0;
  snprintf(p.name, sizeof p.name, "%s", name);
  snprintf(p.user, sizeof p.user, "%s", user);
  p.cmdline = (char *)cmd;
  p.state = 'S';
  p.bits = 64;
  p.rss = (uint64_t)pid * 4096;
  p.vsize = (uint64_t)pid * 65536;
  p.n_maps = reason ? -1 : pid % 100;
  p.access = reason ? VMS_ERR_PERMISSION : VMS_OK;
  snprintf(p.reason, sizeof p.reason, "%s", reason ? reason : "");
  p.ns_pid = container ? 1 : 0;
  snprintf(p.container, sizeof p.container, "%s", container ? container : "");
  return p;
}

/* What vmscope --list --format csv prints (through a temporary file:
 * Windows has no memory streams). */
static char *csv_of(const VmsProcInfo *list, size_t n) {
  FILE *f = tmpfile();
  if (!f)
    exit(1);
  vms_print_process_list(f, list, n, VMS_FORMAT_CSV);
  long len = ftell(f);
  char *text = len >= 0 ? malloc((size_t)len + 1) : NULL;
  if (!text || fseek(f, 0, SEEK_SET) != 0)
    exit(1);
  /* In Windows' text mode the bytes read are fewer than ftell counts. */
  size_t got = fread(text, 1, (size_t)len, f);
  text[got] = '\0';
  fclose(f);
  return text;
}

static void round_trip(void) {
  VmsProcInfo in[] = {
      proc(1, "init", "root", "/sbin/init splash", NULL, NULL),
      proc(4242, "py,\"worker\"", "svc,1", "python3 -c \"print(1, 2)\"\nsecond line", NULL,
           "0123456789ab"),
      proc(77, "sshd", "root", "", "permission denied: owned by root, \"ptrace\" refused", NULL),
      proc(65000, "", "", "", "kernel thread: no user address space", NULL),
  };
  size_t n = sizeof in / sizeof in[0];
  char *text = csv_of(in, n);
  VmsProcInfo *out = NULL;
  size_t got = 0;
  VmsError err = {0};
  VMS_CHECK_MSG(vms_process_list_from_csv(text, &out, &got, &err) == VMS_OK, "%s", err.message);
  VMS_CHECK_U64(got, n);
  for (size_t i = 0; i < n && i < got; i++) {
    const VmsProcInfo *a = &in[i], *b = &out[i];
    VMS_CHECK_U64(b->pid, a->pid);
    VMS_CHECK_U64(b->ppid, a->ppid);
    VMS_CHECK_STR(b->name, a->name);
    VMS_CHECK_STR(b->user, a->user);
    VMS_CHECK_STR(b->cmdline, a->cmdline);
    VMS_CHECK_STR(b->reason, a->reason);
    VMS_CHECK_STR(b->container, a->container);
    VMS_CHECK_U64(b->state, a->state);
    VMS_CHECK_U64(b->bits, a->bits);
    VMS_CHECK_U64(b->rss, a->rss);
    VMS_CHECK_U64(b->vsize, a->vsize);
    VMS_CHECK_U64((uint64_t)b->n_maps, (uint64_t)a->n_maps);
    VMS_CHECK_U64(b->access == VMS_OK, a->access == VMS_OK);
    VMS_CHECK_U64(b->ns_pid, a->ns_pid);
  }
  vms_process_list_free(out, got);
  free(text);
}

static void columns(void) {
  VmsError err = {0};
  VmsProcInfo *out = NULL;
  size_t n = 0;
  /* A later vmscope's extra column, in front, and the rows' order kept. */
  char later[] = "extra,pid,name,readable,cmdline\r\n"
                 "x,12,a,yes,\"a \"\"b\"\", c\"\r\n"
                 "\n"
                 "y,13,b,no,\r\n";
  VMS_CHECK(vms_process_list_from_csv(later, &out, &n, &err) == VMS_OK);
  VMS_CHECK_U64(n, 2);
  if (n == 2) {
    VMS_CHECK_U64(out[0].pid, 12);
    VMS_CHECK_STR(out[0].cmdline, "a \"b\", c");
    VMS_CHECK(out[0].access == VMS_OK);
    VMS_CHECK_U64((uint64_t)out[0].n_maps, (uint64_t)-1); /* not listed: not counted */
    VMS_CHECK_U64(out[1].pid, 13);
    VMS_CHECK(out[1].access != VMS_OK);
    VMS_CHECK_STR(out[1].cmdline, "");
  }
  vms_process_list_free(out, n);
  /* Not a process list: one clear error. */
  char table[] =
      "    PID USER         S BITS        RSS   MAPS NAME\n      1 root S 64 1 -1 init\n";
  VMS_CHECK(vms_process_list_from_csv(table, &out, &n, &err) == VMS_ERR_PARSE);
  VMS_CHECK(out == NULL && n == 0);
  VMS_CHECK_MSG(strstr(err.message, "no pid, name and readable columns"), "%s", err.message);
  char empty[] = "";
  VMS_CHECK(vms_process_list_from_csv(empty, &out, &n, &err) == VMS_ERR_PARSE);
  /* A header alone is an empty list. */
  char header[] = "pid,ppid,user,state,bits,rss,vsize,maps,name,readable,reason,cmdline,ns_pid,"
                  "container\n";
  VMS_CHECK(vms_process_list_from_csv(header, &out, &n, &err) == VMS_OK && n == 0);
  vms_process_list_free(out, n);
}

static void urls(void) {
  VmsRemoteTarget t;
  char why[300];
  VMS_CHECK(vms_remote_parse("ssh://admin@db1:2222/4242", &t, why, sizeof why));
  VMS_CHECK_STR(t.user, "admin");
  VMS_CHECK_STR(t.host, "db1");
  VMS_CHECK_STR(t.label, "admin@db1:2222");
  VMS_CHECK_U64(t.port, 2222);
  VMS_CHECK_U64(t.pid, 4242);
  /* The window's picker takes a host alone. */
  VMS_CHECK(vms_remote_parse("ssh://[::1]", &t, why, sizeof why));
  VMS_CHECK_STR(t.host, "::1");
  VMS_CHECK_U64(t.pid, 0);
  VMS_CHECK(!vms_remote_parse("ssh://-oProxyCommand=x/1", &t, why, sizeof why));
  VMS_CHECK_MSG(strstr(why, "is not a host name"), "%s", why);
}

int main(void) {
  round_trip();
  columns();
  urls();
  return vms_test_end();
}
