/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-self-windows.c: vmscope's own executable, starting another, CPU time; no name patterns. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
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

/* Appends arg to cmd[cap] as CommandLineToArgvW reads it back: quoted,
 * with the backslashes before a quote (or the closing one) doubled. */
static bool cmd_append(wchar_t *cmd, size_t cap, size_t *len, const wchar_t *arg) {
  size_t n = *len;
  if (n > 0 && n + 1 < cap)
    cmd[n++] = L' ';
  if (n + 1 >= cap)
    return false;
  cmd[n++] = L'"';
  for (const wchar_t *p = arg;; p++) {
    size_t slashes = 0;
    while (*p == L'\\') {
      slashes++;
      p++;
    }
    size_t emit = *p == L'"' || *p == 0 ? 2 * slashes : slashes;
    if (n + emit + 3 >= cap)
      return false;
    for (size_t i = 0; i < emit; i++)
      cmd[n++] = L'\\';
    if (*p == 0)
      break;
    if (*p == L'"')
      cmd[n++] = L'\\';
    cmd[n++] = *p;
  }
  cmd[n++] = L'"';
  cmd[n] = 0;
  *len = n;
  return true;
}

static VmsErrorCode exec_failed(VmsError *err, const char *path, DWORD e) {
  wchar_t w[256];
  char why[512];
  DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e, 0,
                           w, 256, NULL);
  while (n > 0 && (w[n - 1] == L'\r' || w[n - 1] == L'\n' || w[n - 1] == L'.'))
    n--;
  if (n == 0 || vms_win_utf8(w, n, why, sizeof why) == 0)
    snprintf(why, sizeof why, "Windows error %lu", (unsigned long)e);
  bool missing = e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND;
  return vms_error_set(err, missing ? VMS_ERR_UNSUPPORTED : VMS_ERR_IO, "cannot run %s: %s", path,
                       why);
}

/* Windows has no exec: the program is started on the same standard handles
 * and waited for, and this process exits with its status, so a console or
 * a script sees what the program itself would have given them. */
VmsErrorCode vms_exec(const char *path, char *const argv[], VmsError *err) {
  enum { CAP = 32768 }; /* CreateProcessW's longest command line */
  wchar_t *wpath = malloc(CAP * sizeof *wpath), *cmd = malloc(CAP * sizeof *cmd);
  wchar_t *warg = malloc(CAP * sizeof *warg);
  VmsErrorCode code = VMS_OK;
  if (!wpath || !cmd || !warg) {
    code = vms_error_set(err, VMS_ERR_NOMEM, "cannot run %s: out of memory", path);
    goto out;
  }
  size_t len = 0;
  cmd[0] = 0;
  bool fits = MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath, CAP) > 0 &&
              cmd_append(cmd, CAP, &len, wpath);
  /* main's arguments are in the ANSI code page. */
  for (size_t i = 1; fits && argv[0] && argv[i]; i++)
    fits = MultiByteToWideChar(CP_ACP, 0, argv[i], -1, warg, CAP) > 0 &&
           cmd_append(cmd, CAP, &len, warg);
  if (!fits) {
    code = vms_error_set(err, VMS_ERR_IO, "cannot run %s: its command line does not fit", path);
    goto out;
  }
  STARTUPINFOW si = {.cb = sizeof si, .dwFlags = STARTF_USESTDHANDLES};
  si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
  si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  PROCESS_INFORMATION pi;
  if (!CreateProcessW(wpath, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
    code = exec_failed(err, path, GetLastError());
    goto out;
  }
  CloseHandle(pi.hThread);
  free(wpath);
  free(cmd);
  free(warg);
  DWORD status = 1;
  WaitForSingleObject(pi.hProcess, INFINITE);
  GetExitCodeProcess(pi.hProcess, &status);
  fflush(NULL);
  ExitProcess(status);
out:
  free(wpath);
  free(cmd);
  free(warg);
  return code;
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
