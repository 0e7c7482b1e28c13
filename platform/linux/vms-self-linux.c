/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-self-linux.c: vmscope's own executable and CPU time, and name patterns (POSIX regexes). */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "vms-platform.h"

bool vms_self_dir(char *out, size_t cap) {
  /* !out too: GCC's -Wnonnull, with UBSan's checks, otherwise sees a null
   * buffer reaching readlink. */
  if (!out || cap < 2)
    return false;
  ssize_t n = readlink("/proc/self/exe", out, cap);
  /* A result that fills the buffer may have been cut. */
  if (n <= 0 || (size_t)n >= cap)
    return false;
  out[n] = '\0';
  char *slash = strrchr(out, '/');
  if (!slash)
    return false;
  /* The root directory keeps its slash. */
  slash[slash == out] = '\0';
  return true;
}

static bool set_in(const char *name) {
  const char *v = getenv(name);
  return v && *v;
}

bool vms_display_available(void) {
  return set_in("DISPLAY") || set_in("WAYLAND_DISPLAY");
}

VmsErrorCode vms_exec(const char *path, char *const argv[], VmsError *err) {
  execv(path, argv);
  int e = errno;
  VmsErrorCode code = e == ENOENT || e == ENOTDIR ? VMS_ERR_UNSUPPORTED : VMS_ERR_IO;
  return vms_error_set(err, code, "cannot run %s: %s", path, strerror(e));
}

double vms_cpu_seconds(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0)
    return -1;
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
         ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

struct VmsPattern {
  regex_t re;
};

VmsErrorCode vms_pattern_compile(const char *text, VmsPattern **out, VmsError *err) {
  VmsPattern *p = malloc(sizeof *p);
  if (!p)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  int rc = regcomp(&p->re, text, REG_EXTENDED | REG_NOSUB);
  if (rc != 0) {
    char why[160];
    regerror(rc, &p->re, why, sizeof why);
    free(p);
    return vms_error_set(err, VMS_ERR_USAGE, "'%s' is not a regular expression: %s", text, why);
  }
  *out = p;
  return VMS_OK;
}

bool vms_pattern_match(const VmsPattern *p, const char *s) {
  return regexec(&p->re, s, 0, NULL, 0) == 0;
}

void vms_pattern_free(VmsPattern *p) {
  if (!p)
    return;
  regfree(&p->re);
  free(p);
}
