/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-win-demo.c: the Windows demo fragments its space until a large VirtualAlloc fails; vmscope's
 * figures must be its own.
 *
 * The demo prints its free figures from its own VirtualQuery walk and waits;
 * vmscope.exe, run as another process, must see the same space (2 GB for a
 * 32-bit image, 4 GB for a large-address-aware one on a 64-bit system, the
 * system's range for a 64-bit one) and the same total free, largest free
 * block and number of free blocks.
 *
 * A 32-bit demo on a 64-bit system also has the barriers' large-address-aware
 * fact checked to the letter: the plain build has it, with the space it has
 * (its own walk's top) and the space the large-address-aware build really
 * gets; the large-address-aware build has none, in the JSON (null) and in
 * --barriers. With --wow64 the reader is the 64-bit vmscope.exe named by
 * $VMS_WIN64_VMSCOPE (scripts/wine-test.sh sets it), reading a WoW64 target.
 *
 * Usage: test-win-demo [--wow64] VMSCOPE.exe DEMO.exe [DEMO-LAA.exe] */
#include "vms-test.h"
#include "vms-win-spawn.h"

#include <inttypes.h>

typedef struct {
  uint64_t total, largest, blocks, lo, hi, request;
} Figures;

/* Starts the demo and reads its output up to the "waiting:" line. */
static HANDLE start_demo(const char *exe, const char *args, DWORD *pid, HANDLE *stdin_w,
                         Figures *f) {
  char cmd[4096] = "";
  vms_win_quote(cmd, sizeof cmd, exe);
  strncat(cmd, args, sizeof cmd - strlen(cmd) - 1);
  HANDLE out;
  HANDLE p = vms_win_start(cmd, &out, stdin_w, pid);
  if (!p)
    return NULL;
  memset(f, 0, sizeof *f);
  char line[512];
  bool figures = false, waiting = false;
  while (vms_win_read_line(out, line, sizeof line)) {
    if (strncmp(line, "round ", 6) == 0 && strstr(line, "FAILED"))
      printf("%s\n", line);
    if (sscanf(line,
               "figures: free %" SCNu64 ", largest %" SCNu64 ", blocks %" SCNu64 ", space %" SCNx64
               "-%" SCNx64 ", request %" SCNu64,
               &f->total, &f->largest, &f->blocks, &f->lo, &f->hi, &f->request) == 6) {
      figures = true;
      printf("%s\n", line);
    }
    if (strncmp(line, "waiting:", 8) == 0) {
      waiting = true;
      break;
    }
  }
  CloseHandle(out);
  VMS_CHECK_MSG(figures && waiting, "%s printed no figures", exe);
  return p;
}

static uint64_t json_number(const char *json, const char *key) {
  const char *p = strstr(json, key);
  VMS_CHECK_MSG(p != NULL, "the JSON has no %s", key);
  return p ? strtoull(p + strlen(key), NULL, 0) : 0;
}

/* vmscope.exe PID ARGS: its output (free() it), its exit code in *code. */
static char *run_vmscope(const char *vmscope, DWORD pid, const char *args, DWORD *code) {
  char cmd[4096] = "", arg[128];
  vms_win_quote(cmd, sizeof cmd, vmscope);
  snprintf(arg, sizeof arg, " %lu %s", (unsigned long)pid, args);
  strncat(cmd, arg, sizeof cmd - strlen(cmd) - 1);
  *code = 0xffffffff;
  return vms_win_run(cmd, code);
}

/* What the barriers say of large-address-awareness: laa_fact is the JSON
 * object expected (NULL: null), and --barriers must carry its text on a
 * line of its own among the facts, or nothing about it. */
static void check_laa(const char *vmscope, DWORD pid, const char *json, const char *laa_text,
                      uint64_t space, uint64_t space_laa) {
  char want[1024];
  if (laa_text)
    snprintf(want, sizeof want,
             "\"large_address_aware\":{\"text\":\"%s\",\"state\":\"no\",\"space\":%" PRIu64
             ",\"space_laa\":%" PRIu64 "},",
             laa_text, space, space_laa);
  else
    snprintf(want, sizeof want, "\"large_address_aware\":null,");
  const char *p = strstr(json, "\"large_address_aware\":");
  VMS_CHECK_MSG(p && strncmp(p, want, strlen(want)) == 0, "the JSON has %.300s, not %s",
                p ? p : "no large_address_aware", want);
  DWORD code;
  char *table = run_vmscope(vmscope, pid, "--barriers", &code);
  VMS_CHECK_U64(code, 0);
  if (!table)
    return;
  if (laa_text) {
    snprintf(want, sizeof want, "\nFacts:\n  - %s\n", laa_text);
    /* The table came through a pipe from a Windows program: CRLF. */
    for (char *r = table, *w = table;; r++) {
      if (*r != '\r')
        *w++ = *r;
      if (!*r)
        break;
    }
    VMS_CHECK_MSG(strstr(table, want) != NULL, "--barriers lacks the fact %s:\n%s", laa_text,
                  table);
  } else {
    VMS_CHECK_MSG(strstr(table, "large-address-aware") == NULL,
                  "--barriers speaks of large-address-awareness:\n%s", table);
  }
  free(table);
}

static void stop_demo(HANDLE p, HANDLE stdin_w) {
  CloseHandle(stdin_w);
  if (WaitForSingleObject(p, 10000) != WAIT_OBJECT_0)
    TerminateProcess(p, 1);
  CloseHandle(p);
}

/* Runs the demo, then vmscope on it; want_hi is the top of the space the
 * demo must have, 0 for "whatever the demo says". laa_text and space_laa:
 * the large-address-aware fact expected (NULL: none). Returns the top of
 * the demo's space. */
static uint64_t check_demo(const char *vmscope, const char *demo, const char *args,
                           uint64_t want_hi, bool must_fail, const char *laa_text,
                           uint64_t space_laa) {
  DWORD pid = 0;
  HANDLE stdin_w = NULL;
  Figures f;
  HANDLE p = start_demo(demo, args, &pid, &stdin_w, &f);
  VMS_CHECK_MSG(p != NULL, "cannot start %s", demo);
  if (!p)
    return 0;
  DWORD code;
  char *json = run_vmscope(vmscope, pid, "--summary --format json", &code);
  VMS_CHECK_U64(code, 0);
  if (json) {
    VMS_CHECK_U64(json_number(json, "\"address_space\":{\"start\":\""), f.lo);
    VMS_CHECK_U64(json_number(json, "\"address_space\":{\"start\":\"0x10000\",\"end\":\""), f.hi);
    if (want_hi)
      VMS_CHECK_U64(f.hi, want_hi);
    const char *fr = strstr(json, "\"free\":{");
    VMS_CHECK_MSG(fr != NULL, "the JSON has no free figures");
    if (fr) {
      VMS_CHECK_U64(json_number(fr, "\"total\":"), f.total);
      VMS_CHECK_U64(json_number(fr, "\"largest\":"), f.largest);
      VMS_CHECK_U64(json_number(fr, "\"blocks\":"), f.blocks);
    }
    if (sizeof(void *) == 4 || laa_text)
      check_laa(vmscope, pid, json, laa_text, f.hi, space_laa);
    free(json);
  }
  if (must_fail) {
    /* The point of the demo: the request fails with far more than it free. */
    VMS_CHECK_MSG(f.request > 0, "%s never failed an allocation", demo);
    VMS_CHECK(f.largest < f.request);
    VMS_CHECK_MSG(f.total >= 100 * 1024 * 1024 && f.total > 4 * f.request,
                  "only %" PRIu64 " bytes free at the failure", f.total);
  }
  stop_demo(p, stdin_w);
  return f.hi;
}

/* The fact as vmscope words it, for a 32-bit process on 64-bit Windows. */
#define LAA_FACT                                                                                 \
  "a 32-bit process on 64-bit Windows, not large-address-aware: it has 2 GiB of address space; " \
  "linked with /LARGEADDRESSAWARE it would have 4 GiB"

int main(int argc, char **argv) {
  bool wow64 = argc > 1 && strcmp(argv[1], "--wow64") == 0;
  if (wow64) {
    /* The 64-bit vmscope.exe in place of the 32-bit one. */
    const char *v64 = getenv("VMS_WIN64_VMSCOPE");
    if (sizeof(void *) != 4)
      VMS_SKIP("--wow64 is for the 32-bit build's demos");
    if (!v64 || !*v64)
      VMS_SKIP("VMS_WIN64_VMSCOPE names no 64-bit vmscope.exe (scripts/wine-test.sh sets it)");
    if (argc < 3)
      VMS_SKIP("--wow64 needs VMSCOPE.exe DEMO.exe after it");
    argv[2] = (char *)v64;
    argv++;
    argc--;
  }
  if (argc < 3) {
    fprintf(stderr, "usage: test-win-demo [--wow64] VMSCOPE.exe DEMO.exe [DEMO-LAA.exe]\n");
    return 1;
  }
  BOOL self_wow = FALSE;
  IsWow64Process(GetCurrentProcess(), &self_wow);
  bool os64 = sizeof(void *) == 8 || self_wow;
  if (sizeof(void *) == 4) {
    /* Large-address-aware: 4 GB less the top 64 KiB on a 64-bit system
     * (WoW64, and 32-bit Wine on a 64-bit host), 2 GB on a 32-bit one
     * booted without /3GB. The plain build's fact names what it gets. */
    uint64_t laa_hi = 0;
    if (argc > 3)
      laa_hi = check_demo(argv[1], argv[3], " --interval 0", os64 ? 0xffff0000u : 0, true, NULL, 0);
    else
      VMS_CHECK_MSG(false, "no large-address-aware demo named");
    /* 2 GB less the top 64 KiB, whatever the system; the fact only on a 64-bit one. */
    check_demo(argv[1], argv[2], " --interval 0", 0x7fff0000u, true, os64 ? LAA_FACT : NULL,
               laa_hi);
  } else {
    /* 64-bit: no failure in a few rounds, but the same figures. */
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    check_demo(argv[1], argv[2], " --interval 0 --rounds 40",
               (uint64_t)(uintptr_t)si.lpMaximumApplicationAddress + 1, false, NULL, 0);
  }
  return vms_test_end();
}
