/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-self-linux.c: vmscope's own CPU time, and name patterns (POSIX extended regular expressions). */
#include <regex.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "vms-platform.h"

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
