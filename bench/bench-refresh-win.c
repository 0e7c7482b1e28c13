/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-refresh-win: what one refresh of a large Windows target costs, against walking its regions
 * alone.
 *
 * usage: bench-refresh-win TARGET_EXE [ALLOCATIONS...]   (default: 500 5000 32500)
 *
 * For each size it starts bench-win-target.exe with that many allocations
 * (two regions each: about 1,000, 10,000 and 65,000 regions) and measures,
 * in the same run and interleaved:
 *   - the floor: the VirtualQueryEx walk of the target's whole space, one
 *     call per region and nothing kept: what any reader of the map must do
 *   - a full refresh as the window's sampler does it: vms_target_read
 *     (regions, their file names, thread stacks and heaps) and
 *     vms_snapshot_build (classify, gap-fill, statistics)
 * Medians of wall time (QueryPerformanceCounter): another process's
 * VirtualQueryEx is answered by that process (under Wine by a call queued
 * to one of its threads), so this thread's CPU time would leave most of it
 * out. Also this process's CPU per refresh (GetProcessTimes). The ratio is
 * what to compare with Linux's bench-refresh (a refresh against reading
 * /proc/PID/maps). Exit status 0 unless something could not be measured. */
#include "vms-platform.h"
#include "vms-snapshot.h"
#include "vms-win-spawn.h"

#include <inttypes.h>

static double now(void) {
  static LARGE_INTEGER freq;
  LARGE_INTEGER t;
  if (!freq.QuadPart)
    QueryPerformanceFrequency(&freq);
  QueryPerformanceCounter(&t);
  return (double)t.QuadPart / (double)freq.QuadPart;
}

static double cpu_self(void) {
  FILETIME c, e, k, u;
  if (!GetProcessTimes(GetCurrentProcess(), &c, &e, &k, &u))
    return 0;
  ULARGE_INTEGER kk = {.LowPart = k.dwLowDateTime, .HighPart = k.dwHighDateTime};
  ULARGE_INTEGER uu = {.LowPart = u.dwLowDateTime, .HighPart = u.dwHighDateTime};
  return (double)(kk.QuadPart + uu.QuadPart) * 1e-7;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The floor: every region of the space, one VirtualQueryEx each. */
static long walk(HANDLE h) {
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  uintptr_t addr = 0, end = (uintptr_t)si.lpMaximumApplicationAddress;
  long n = 0;
  MEMORY_BASIC_INFORMATION mbi;
  while (addr < end && VirtualQueryEx(h, (LPCVOID)addr, &mbi, sizeof mbi) == sizeof mbi) {
    uintptr_t next = (uintptr_t)mbi.BaseAddress + mbi.RegionSize;
    if (next <= addr)
      break;
    addr = next;
    n++;
  }
  return n;
}

enum { REPS = 9 };

static bool measure(const char *target_exe, long allocations) {
  char cmd[1024] = "";
  char count[32];
  snprintf(count, sizeof count, "%ld", allocations);
  vms_win_quote(cmd, sizeof cmd, target_exe);
  vms_win_quote(cmd, sizeof cmd, count);
  HANDLE out, in;
  DWORD pid;
  HANDLE proc = vms_win_start(cmd, &out, &in, &pid);
  char line[128] = "";
  if (!proc || !vms_win_read_line(out, line, sizeof line) || strncmp(line, "ready ", 6) != 0) {
    fprintf(stderr, "bench-refresh-win: %s did not get ready\n", target_exe);
    return false;
  }
  long got = strtol(line + 6, NULL, 10);
  HANDLE h = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, pid);
  VmsTarget *target = NULL;
  VmsError err = {0};
  bool ok = h && vms_target_open((int)pid, &target, &err) == VMS_OK;
  if (!ok)
    fprintf(stderr, "bench-refresh-win: cannot open the target: %s\n", err.message);
  VmsSpace space;
  vms_space_init(&space);
  double floor_s[REPS], full_s[REPS], read_s[REPS], cpu_s[REPS];
  long regions = 0;
  size_t snap_regions = 0;
  /* Fewer runs of the largest: under Wine one walk of it takes seconds. */
  int reps = got > 10000 ? 3 : REPS;
  for (int i = 0; ok && i < reps; i++) {
    double t0 = now();
    regions = walk(h);
    floor_s[i] = now() - t0;

    double c0 = cpu_self();
    t0 = now();
    vms_space_reset(&space);
    VmsSnapshot *snap = NULL;
    ok = vms_target_read(target, VMS_READ_REGIONS | VMS_READ_THREADS, &space, &err) == VMS_OK;
    read_s[i] = now() - t0;
    ok = ok && vms_snapshot_build(&space, &snap, &err) == VMS_OK;
    full_s[i] = now() - t0;
    cpu_s[i] = cpu_self() - c0;
    if (!ok)
      fprintf(stderr, "bench-refresh-win: refresh failed: %s\n", err.message);
    if (snap)
      snap_regions = snap->n_regions;
    vms_snapshot_unref(snap);
  }
  if (ok) {
    double f = median(floor_s, reps), full = median(full_s, reps), r = median(read_s, reps);
    printf("%ld allocations: %ld regions walked (%zu in the snapshot)\n", got, regions,
           snap_regions);
    printf("  floor: VirtualQueryEx walk %.2f ms\n", f * 1e3);
    printf("  refresh: %.2f ms = %.2fx the floor (read %.2f ms, build %.2f ms; this process's CPU "
           "%.2f ms)\n",
           full * 1e3, full / f, r * 1e3, (full - r) * 1e3, median(cpu_s, reps) * 1e3);
  }
  vms_space_clear(&space);
  if (target)
    vms_target_close(target);
  if (h)
    CloseHandle(h);
  CloseHandle(in);
  CloseHandle(out);
  WaitForSingleObject(proc, 10000);
  CloseHandle(proc);
  return ok;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench-refresh-win TARGET_EXE [ALLOCATIONS...]\n");
    return 2;
  }
  vms_platform_init();
  long sizes[16] = {500, 5000, 32500};
  int n = 3;
  if (argc > 2)
    for (n = 0; n < argc - 2 && n < 16; n++)
      sizes[n] = strtol(argv[n + 2], NULL, 10);
  printf("refresh against the VirtualQueryEx walk, medians of %d interleaved runs (3 above 10,000 "
         "allocations; Linux: bench-refresh, against reading /proc/PID/maps)\n",
         REPS);
  bool ok = true;
  for (int i = 0; i < n; i++)
    ok = measure(argv[1], sizes[i]) && ok;
  return ok ? 0 : 1;
}
