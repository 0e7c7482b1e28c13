/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-self-windows.c: vmscope's own executable and CPU time; no name patterns, no window. */
#include <windows.h>

#include <string.h>

#include "vms-platform.h"
#include "vms-win-private.h"

bool vms_self_dir(char *out, size_t cap) {
  wchar_t w[32768];
  DWORD n = GetModuleFileNameW(NULL, w, sizeof w / sizeof w[0]);
  /* A result that fills the buffer was cut. */
  if (n == 0 || n >= sizeof w / sizeof w[0])
    return false;
  if (vms_win_utf8(w, n, out, cap) == 0)
    return false;
  char *sep = strrchr(out, '\\');
  char *slash = strrchr(out, '/');
  if (!sep || (slash && slash > sep))
    sep = slash;
  if (!sep)
    return false;
  *sep = '\0';
  return true;
}

bool vms_display_available(void) {
  return true;
}

/* The window is built with GTK, which the MinGW cross build has not; and
 * Windows has no exec that keeps the process, so starting it would be a
 * CreateProcessW and a wait, not written until there is a window to start. */
VmsErrorCode vms_exec(const char *path, char *const argv[], VmsError *err) {
  (void)argv;
  return vms_error_set(err, VMS_ERR_UNSUPPORTED,
                       "cannot run %s: this Windows build of vmscope has no window; use "
                       "--summary, --regions, --map or --png",
                       path);
}

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
