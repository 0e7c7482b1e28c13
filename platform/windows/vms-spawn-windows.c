/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-spawn-windows.c: running a program with its standard output piped back, by CreateProcess. */
#include <windows.h>

#include <fcntl.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>

#include "vms-platform.h"

struct VmsChild {
  HANDLE process;
};

/* Appends arg to a command line as CommandLineToArgvW and the C runtime
 * split it again: quoted when it holds a blank or a quote, backslashes
 * doubled only where a quote follows them. False when cap is too small. */
static bool append_arg(char *cmd, size_t *n, size_t cap, const char *arg) {
  bool quote = !*arg || strpbrk(arg, " \t\n\v\"") != NULL;
  size_t k = *n;
#define PUT(ch)       \
  do {                \
    if (k + 1 >= cap) \
      return false;   \
    cmd[k++] = (ch);  \
  } while (0)
  if (k)
    PUT(' ');
  if (quote)
    PUT('"');
  for (const char *p = arg;; p++) {
    size_t slashes = 0;
    while (*p == '\\') {
      slashes++;
      p++;
    }
    size_t times = quote && (*p == '"' || *p == '\0') ? 2 : 1;
    for (size_t i = 0; i < slashes * times; i++)
      PUT('\\');
    if (!*p)
      break;
    if (*p == '"')
      PUT('\\');
    PUT(*p);
  }
  if (quote)
    PUT('"');
#undef PUT
  cmd[k] = '\0';
  *n = k;
  return true;
}

VmsErrorCode vms_spawn_pipe(char *const argv[], FILE *err_to, VmsChild **child, FILE **out,
                            VmsError *err) {
  *child = NULL;
  *out = NULL;
  char cmd[8192];
  size_t n = 0;
  cmd[0] = '\0';
  for (char *const *a = argv; *a; a++)
    if (!append_arg(cmd, &n, sizeof cmd, *a))
      return vms_error_set(err, VMS_ERR_USAGE, "the command line for %s is too long", argv[0]);
  wchar_t wcmd[8192];
  if (!MultiByteToWideChar(CP_UTF8, 0, cmd, -1, wcmd, (int)(sizeof wcmd / sizeof *wcmd)))
    return vms_error_set(err, VMS_ERR_USAGE, "the command line for %s is not UTF-8", argv[0]);
  VmsChild *c = malloc(sizeof *c);
  if (!c)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory starting %s", argv[0]);
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
  HANDLE rd = NULL, wr = NULL, nul = INVALID_HANDLE_VALUE, errh = NULL;
  VmsErrorCode code = VMS_OK;
  if (!CreatePipe(&rd, &wr, &sa, 0) || !SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0)) {
    code = vms_error_set(err, VMS_ERR_IO, "cannot make a pipe for %s (Windows error %lu)", argv[0],
                         (unsigned long)GetLastError());
  }
  if (code == VMS_OK) {
    nul = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_EXISTING,
                      0, NULL);
    HANDLE e = err_to ? (HANDLE)_get_osfhandle(_fileno(err_to)) : GetStdHandle(STD_ERROR_HANDLE);
    /* The child's standard error must be an inheritable handle of its own. */
    if (e && e != INVALID_HANDLE_VALUE)
      DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(), &errh, 0, TRUE,
                      DUPLICATE_SAME_ACCESS);
    STARTUPINFOW si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = nul;
    si.hStdOutput = wr;
    si.hStdError = errh;
    PROCESS_INFORMATION pi;
    /* A NULL application name: CreateProcess finds the program on PATH
     * (adding .exe), as cmd.exe would. */
    if (!CreateProcessW(NULL, wcmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
      DWORD le = GetLastError();
      if (le == ERROR_FILE_NOT_FOUND || le == ERROR_PATH_NOT_FOUND)
        code = vms_error_set(err, VMS_ERR_IO, "'%s' is not installed: no such program on PATH",
                             argv[0]);
      else
        code = vms_error_set(err, VMS_ERR_IO, "cannot run '%s' (Windows error %lu)", argv[0],
                             (unsigned long)le);
    } else {
      CloseHandle(pi.hThread);
      c->process = pi.hProcess;
    }
  }
  if (wr)
    CloseHandle(wr);
  if (nul != INVALID_HANDLE_VALUE)
    CloseHandle(nul);
  if (errh)
    CloseHandle(errh);
  if (code == VMS_OK) {
    int fd = _open_osfhandle((intptr_t)rd, _O_RDONLY | _O_BINARY);
    FILE *f = fd >= 0 ? _fdopen(fd, "rb") : NULL;
    if (!f) {
      if (fd >= 0)
        _close(fd);
      else
        CloseHandle(rd);
      TerminateProcess(c->process, 1);
      CloseHandle(c->process);
      free(c);
      return vms_error_set(err, VMS_ERR_NOMEM, "out of memory reading %s", argv[0]);
    }
    *child = c;
    *out = f;
    return VMS_OK;
  }
  if (rd)
    CloseHandle(rd);
  free(c);
  return code;
}

VmsErrorCode vms_child_wait(VmsChild *c, int *status, VmsError *err) {
  DWORD code = 255;
  bool ok = WaitForSingleObject(c->process, INFINITE) == WAIT_OBJECT_0 &&
            GetExitCodeProcess(c->process, &code);
  DWORD le = GetLastError();
  CloseHandle(c->process);
  free(c);
  if (!ok)
    return vms_error_set(err, VMS_ERR_INTERNAL, "waiting for a child process (Windows error %lu)",
                         (unsigned long)le);
  *status = code > 255 ? 255 : (int)code; /* an NTSTATUS of a crash, past a shell's range */
  return VMS_OK;
}
