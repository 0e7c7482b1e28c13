/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-win-spawn.h: starting the Windows helper and other programs from a test, and reading their
 * output. */
#pragma once

#include <windows.h>
#include <psapi.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One region of the helper's own VirtualQuery walk of itself. */
typedef struct {
  uint64_t base, size, alloc_base;
  uint32_t state, protect, type, alloc_protect;
} VmsWalkRegion;

typedef struct {
  HANDLE process;
  HANDLE stdin_w; /* closing it tells the helper to exit */
  DWORD pid;
  char keys[64][32];
  char values[64][1024];
  int n;
  VmsWalkRegion *walk; /* its "region" lines, in address order */
  size_t n_walk;
} VmsHelper;

/* Quotes one argument for CreateProcess's command line (spaces, quotes). */
static inline void vms_win_quote(char *cmd, size_t cap, const char *arg) {
  size_t len = strlen(cmd);
  if (len + 1 < cap)
    cmd[len++] = '"';
  for (const char *p = arg; *p && len + 3 < cap; p++) {
    if (*p == '"')
      cmd[len++] = '\\';
    cmd[len++] = *p;
  }
  if (len + 2 < cap) {
    cmd[len++] = '"';
    cmd[len++] = ' ';
  }
  cmd[len] = '\0';
}

/* Runs cmd with its stdout in a pipe; returns the process or NULL. */
static inline HANDLE vms_win_start(char *cmd, HANDLE *stdout_r, HANDLE *stdin_w, DWORD *pid) {
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
  HANDLE out_r, out_w, in_r, in_w;
  if (!CreatePipe(&out_r, &out_w, &sa, 0))
    return NULL;
  if (!CreatePipe(&in_r, &in_w, &sa, 0))
    return NULL;
  SetHandleInformation(out_r, HANDLE_FLAG_INHERIT, 0);
  SetHandleInformation(in_w, HANDLE_FLAG_INHERIT, 0);
  STARTUPINFOA si;
  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = in_r;
  si.hStdOutput = out_w;
  si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  PROCESS_INFORMATION pi;
  BOOL ok = CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi);
  CloseHandle(out_w);
  CloseHandle(in_r);
  if (!ok) {
    fprintf(stderr, "CreateProcess(%s) failed: error %lu\n", cmd, (unsigned long)GetLastError());
    CloseHandle(out_r);
    CloseHandle(in_w);
    return NULL;
  }
  CloseHandle(pi.hThread);
  *stdout_r = out_r;
  if (stdin_w)
    *stdin_w = in_w;
  else
    CloseHandle(in_w);
  if (pid)
    *pid = pi.dwProcessId;
  return pi.hProcess;
}

/* Starts exe with args (appended as they are) on the caller's standard
 * input and the given standard output and error, which must be
 * inheritable; returns the process (its thread handle closed) or NULL. */
static inline HANDLE vms_win_start_std(const char *exe, const char *args, HANDLE out, HANDLE err) {
  char cmd[4096] = "";
  vms_win_quote(cmd, sizeof cmd, exe);
  strncat(cmd, args, sizeof cmd - strlen(cmd) - 1);
  STARTUPINFOA si;
  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  si.hStdOutput = out;
  si.hStdError = err;
  PROCESS_INFORMATION pi;
  if (!CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
    fprintf(stderr, "CreateProcess(%s) failed: error %lu\n", cmd, (unsigned long)GetLastError());
    return NULL;
  }
  CloseHandle(pi.hThread);
  return pi.hProcess;
}

/* Runs cmd to its end; returns its output (malloc'd) and exit code. */
static inline char *vms_win_run(char *cmd, DWORD *exit_code) {
  HANDLE out;
  HANDLE p = vms_win_start(cmd, &out, NULL, NULL);
  if (!p)
    return NULL;
  size_t len = 0, cap = 1 << 16;
  char *buf = malloc(cap);
  for (;;) {
    if (len + 4096 + 1 > cap) {
      cap *= 2;
      buf = realloc(buf, cap);
    }
    DWORD got = 0;
    if (!ReadFile(out, buf + len, 4096, &got, NULL) || got == 0)
      break;
    len += got;
  }
  buf[len] = '\0';
  WaitForSingleObject(p, 30000);
  GetExitCodeProcess(p, exit_code);
  CloseHandle(p);
  CloseHandle(out);
  return buf;
}

/* One line of a program's output, without its \r\n, cut to cap - 1
 * bytes; false at the end of the output. */
static inline bool vms_win_read_line(HANDLE out, char *line, size_t cap) {
  size_t len = 0;
  for (;;) {
    char c;
    DWORD got = 0;
    if (!ReadFile(out, &c, 1, &got, NULL) || got == 0)
      return false;
    if (c == '\r')
      continue;
    if (c == '\n')
      break;
    if (len + 1 < cap)
      line[len++] = c;
  }
  line[len] = '\0';
  return true;
}

/* Starts the helper and reads its facts up to "ready". */
static inline bool vms_helper_start(VmsHelper *h, const char *helper_exe, const char *dll) {
  char cmd[4096] = "";
  memset(h, 0, sizeof *h);
  vms_win_quote(cmd, sizeof cmd, helper_exe);
  vms_win_quote(cmd, sizeof cmd, dll);
  HANDLE out;
  h->process = vms_win_start(cmd, &out, &h->stdin_w, &h->pid);
  if (!h->process)
    return false;
  char line[1100];
  bool ready = false;
  while (vms_win_read_line(out, line, sizeof line)) {
    if (strcmp(line, "ready") == 0) {
      ready = true;
      break;
    }
    if (strncmp(line, "region ", 7) == 0) {
      VmsWalkRegion w;
      char *p = line + 7;
      w.base = strtoull(p, &p, 0);
      w.size = strtoull(p, &p, 0);
      w.state = (uint32_t)strtoul(p, &p, 0);
      w.protect = (uint32_t)strtoul(p, &p, 0);
      w.type = (uint32_t)strtoul(p, &p, 0);
      w.alloc_base = strtoull(p, &p, 0);
      w.alloc_protect = (uint32_t)strtoul(p, &p, 0);
      VmsWalkRegion *grown = realloc(h->walk, (h->n_walk + 1) * sizeof *grown);
      if (!grown)
        continue;
      h->walk = grown;
      h->walk[h->n_walk++] = w;
      continue;
    }
    char *sp = strchr(line, ' ');
    if (!sp || h->n >= 64)
      continue;
    *sp = '\0';
    snprintf(h->keys[h->n], sizeof h->keys[0], "%s", line);
    snprintf(h->values[h->n], sizeof h->values[0], "%s", sp + 1);
    h->n++;
  }
  CloseHandle(out);
  if (!ready)
    fprintf(stderr, "the helper did not get ready\n");
  return ready;
}

static inline const char *vms_helper_get(const VmsHelper *h, const char *key) {
  for (int i = 0; i < h->n; i++)
    if (strcmp(h->keys[i], key) == 0)
      return h->values[i];
  fprintf(stderr, "the helper did not say %s\n", key);
  return "";
}

static inline uint64_t vms_helper_addr(const VmsHelper *h, const char *key) {
  return strtoull(vms_helper_get(h, key), NULL, 0);
}

/* Lets the helper exit and waits for it. */
static inline void vms_helper_stop(VmsHelper *h) {
  if (!h->process)
    return;
  if (h->stdin_w)
    CloseHandle(h->stdin_w);
  h->stdin_w = NULL;
  if (WaitForSingleObject(h->process, 10000) != WAIT_OBJECT_0)
    TerminateProcess(h->process, 1);
  CloseHandle(h->process);
  h->process = NULL;
  free(h->walk);
  h->walk = NULL;
  h->n_walk = 0;
}

/* Whether this system answers QueryWorkingSetEx for process pid through a
 * handle opened as vmscope opens it (Windows does; Wine 8 only for the
 * calling process's pseudo-handle). Sets *error to the refusal's. */
static inline bool vms_win_answers_working_set(DWORD pid, uint64_t addr, DWORD *error) {
  *error = 0;
  HANDLE h = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, pid);
  if (!h) {
    *error = GetLastError();
    return false;
  }
  PSAPI_WORKING_SET_EX_INFORMATION ws;
  memset(&ws, 0, sizeof ws);
  ws.VirtualAddress = (PVOID)(uintptr_t)addr;
  bool ok = QueryWorkingSetEx(h, &ws, sizeof ws) != 0;
  if (!ok)
    *error = GetLastError();
  CloseHandle(h);
  return ok;
}
