/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-self-windows.c: vmscope's own CPU time; name patterns are not in this build. */
#include <windows.h>

#include "vms-platform.h"

double vms_cpu_seconds(void) {
  FILETIME created, exited, kernel, user;
  if (!GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user))
    return -1;
  ULARGE_INTEGER k = {.LowPart = kernel.dwLowDateTime, .HighPart = kernel.dwHighDateTime};
  ULARGE_INTEGER u = {.LowPart = user.dwLowDateTime, .HighPart = user.dwHighDateTime};
  return (double)(k.QuadPart + u.QuadPart) / 1e7; /* 100 ns units */
}

/* MinGW's C library has no regcomp; rather than a pattern language of our
 * own, --match says it is not here. */
VmsErrorCode vms_pattern_compile(const char *text, VmsPattern **out, VmsError *err) {
  (void)text;
  *out = NULL;
  return vms_error_set(err, VMS_ERR_UNSUPPORTED,
                       "--match needs POSIX regular expressions, which this Windows build lacks; "
                       "give PIDs or --all");
}

bool vms_pattern_match(const VmsPattern *p, const char *s) {
  (void)p;
  (void)s;
  return false;
}

void vms_pattern_free(VmsPattern *p) {
  (void)p;
}
