/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vmscope-demo-win.c: the demo's Windows parts: VirtualAlloc, its own VirtualQuery walk.
 *
 * The free figures are counted as vmscope counts them: free space inside
 * [minimum application address, maximum + 1), each free stretch from its
 * first 64 KiB boundary (the sliver before it cannot be allocated). The
 * wait at the end lasts until the standard input ends or Enter is pressed. */
#include "vmscope-demo.h"

#include <windows.h>

#include <string.h>

static uint64_t g_gran;
static HANDLE g_reader;

static DWORD WINAPI read_stdin(LPVOID arg) {
  (void)arg;
  HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  char buf[64];
  DWORD got;
  while (ReadFile(in, buf, sizeof buf, &got, NULL) && got > 0)
    if (memchr(buf, '\n', got))
      break;
  return 0;
}

void demo_os_init(bool wait_at_end, DemoSpace *space) {
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  space->lo = (uint64_t)(uintptr_t)si.lpMinimumApplicationAddress;
  space->hi = (uint64_t)(uintptr_t)si.lpMaximumApplicationAddress + 1;
  if (space->lo < 0x10000)
    space->lo = 0x10000;
  g_gran = si.dwAllocationGranularity;
  space->alloc_name = "VirtualAlloc";
  space->how_to_end = "Enter (or the end of input) ends";
  /* The thread that waits for the end of input starts now: its stack is
   * part of the space the figures describe. */
  if (wait_at_end)
    g_reader = CreateThread(NULL, 0, read_stdin, NULL, 0, NULL);
}

void *demo_os_alloc(size_t size) {
  return VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
}

void demo_os_free(void *p) {
  VirtualFree(p, 0, MEM_RELEASE);
}

static void end_stretch(const DemoSpace *space, DemoFree *ff, uint64_t a, uint64_t b) {
  if (a < space->lo)
    a = space->lo;
  if (b > space->hi)
    b = space->hi;
  a = (a + g_gran - 1) & ~(g_gran - 1);
  if (a >= b)
    return;
  ff->total += b - a;
  ff->blocks++;
  if (b - a > ff->largest)
    ff->largest = b - a;
}

/* Wine may answer one free stretch in pieces; a stretch ends at the first
 * region that is not free. */
bool demo_os_free_figures(const DemoSpace *space, DemoFree *ff) {
  memset(ff, 0, sizeof *ff);
  uint64_t addr = 0, run_start = 0, run_end = 0;
  bool in_run = false;
  while (addr < space->hi) {
    MEMORY_BASIC_INFORMATION m;
    if (VirtualQuery((LPCVOID)(uintptr_t)addr, &m, sizeof m) == 0)
      break;
    uint64_t start = (uint64_t)(uintptr_t)m.BaseAddress, end = start + m.RegionSize;
    if (end <= addr)
      break;
    if (m.State == MEM_FREE) {
      if (!in_run)
        run_start = start;
      in_run = true;
      run_end = end;
    } else if (in_run) {
      end_stretch(space, ff, run_start, run_end);
      in_run = false;
    }
    addr = end;
  }
  if (in_run)
    end_stretch(space, ff, run_start, run_end);
  return true;
}

void demo_os_sleep_ms(unsigned long ms) {
  Sleep(ms);
}

bool demo_os_stop_requested(void) {
  return false;
}

unsigned long demo_os_pid(void) {
  return (unsigned long)GetCurrentProcessId();
}

void demo_os_wait(void) {
  if (g_reader)
    WaitForSingleObject(g_reader, INFINITE);
}
