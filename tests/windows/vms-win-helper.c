/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-win-helper.c: a Windows process with a known layout for vmscope's tests to read.
 *
 * It reserves and commits private memory at fixed addresses (falling back to
 * any address when one is taken), maps a file and a pagefile-backed section,
 * loads a DLL, grows a private heap past its first segment, starts threads
 * with stacks of a known size and commits a reservation of which it writes
 * known pages only (and says what its own QueryWorkingSetEx finds there),
 * then prints one "key value" line per fact, its
 * own VirtualQuery walk of itself (one "region" line per region, the second
 * opinion a test holds vmscope's reading against) and "ready", and waits
 * until its standard input closes (or for 60 s, so a forgotten helper never
 * lingers).
 *
 * Usage: vms-win-helper DLL-PATH */
#include <windows.h>
#include <psapi.h>
#include <winternl.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_THREADS      3
#define THREAD_STACK   (256 * 1024)
#define RESIDENT_PAGES 256

static HANDLE g_go;
static volatile uintptr_t g_thread_local[N_THREADS];
static HANDLE g_started[N_THREADS];
static volatile uintptr_t g_thread_teb[N_THREADS];
static volatile DWORD g_thread_id[N_THREADS];

/* The calling thread's TEB, read from its segment register. GCC 12 takes
 * the inline read of fs:/gs: for an access past an empty array. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
static TEB *current_teb(void) {
  return NtCurrentTeb();
}
#pragma GCC diagnostic pop

static DWORD WINAPI thread_main(LPVOID arg) {
  volatile char local[64];
  uintptr_t i = (uintptr_t)arg;
  local[0] = (char)i;
  g_thread_local[i] = (uintptr_t)&local[0];
  g_thread_teb[i] = (uintptr_t)current_teb();
  g_thread_id[i] = GetCurrentThreadId();
  SetEvent(g_started[i]);
  WaitForSingleObject(g_go, INFINITE);
  return (DWORD)local[0];
}

static DWORD WINAPI read_stdin(LPVOID arg) {
  HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  char buf[64];
  DWORD got;
  while (ReadFile(in, buf, sizeof buf, &got, NULL) && got > 0) {
  }
  return 0;
}

static void fail(const char *what) {
  fprintf(stderr, "vms-win-helper: %s failed (error %lu)\n", what, (unsigned long)GetLastError());
  exit(1);
}

/* VirtualAlloc at want, or anywhere when want is taken. */
static char *alloc_at(uintptr_t want, SIZE_T size, DWORD type, DWORD prot) {
  void *p = VirtualAlloc((void *)want, size, type, prot);
  if (!p)
    p = VirtualAlloc(NULL, size, type, prot);
  if (!p)
    fail("VirtualAlloc");
  return p;
}

static void put(const char *key, const void *p) {
  printf("%s 0x%" PRIxPTR "\n", key, (uintptr_t)p);
}

/* The walk is taken whole before any of it is printed, so printing (which
 * may allocate) cannot change what it describes. */
#define MAX_WALK 8192
static MEMORY_BASIC_INFORMATION g_walk[MAX_WALK];

static size_t walk_self(void) {
  size_t n = 0;
  uintptr_t addr = 0;
  while (n < MAX_WALK) {
    MEMORY_BASIC_INFORMATION *m = &g_walk[n];
    if (VirtualQuery((LPCVOID)addr, m, sizeof *m) == 0)
      break;
    uintptr_t next = (uintptr_t)m->BaseAddress + m->RegionSize;
    n++;
    if (next <= addr)
      break; /* the top of the address space */
    addr = next;
  }
  return n;
}

/* The process heap grown past its first segment (Windows and Wine both
 * start it at about 1 MiB), and one block too large for any segment (the
 * heap gives it an allocation of its own). HeapWalk, which reads only its
 * own process, says where the segments are. */
static void *g_heap_large;

/* Each segment of the process heap, as HeapWalk reports it; put prints them. */
static int heap_segments(bool put_them) {
  PROCESS_HEAP_ENTRY e;
  memset(&e, 0, sizeof e);
  int n = 0;
  while (HeapWalk(GetProcessHeap(), &e) && n < 16) {
    if (!(e.wFlags & PROCESS_HEAP_REGION))
      continue;
    char key[32];
    snprintf(key, sizeof key, "heap_segment%d", n++);
    if (put_them)
      put(key, e.lpData);
  }
  return n;
}

static void grow_heap(void) {
  /* 48 KiB blocks, under any large-block threshold, until a second
   * segment is there (Wine's 64-bit process heap starts larger). */
  for (int i = 0; i < 1280 && (i % 32 || heap_segments(false) < 2); i++)
    if (!HeapAlloc(GetProcessHeap(), 0, 48 * 1024))
      fail("HeapAlloc");
  g_heap_large = HeapAlloc(GetProcessHeap(), 0, 4 << 20);
  if (!g_heap_large)
    fail("HeapAlloc(large)");
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: vms-win-helper DLL-PATH\n");
    return 2;
  }
  /* Private reserved: 1 MiB, no page committed. */
  char *reserved = alloc_at(0x30000000u, 1 << 20, MEM_RESERVE, PAGE_NOACCESS);
  /* Private committed, read-write, with one guard page inside. */
  char *committed = alloc_at(0x30200000u, 256 * 1024, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  memset(committed, 0x5a, 256 * 1024);
  DWORD old;
  if (!VirtualProtect(committed + 0x10000, 0x1000, PAGE_READWRITE | PAGE_GUARD, &old))
    fail("VirtualProtect");
  /* Half committed read-only, half reserved. */
  char *partial = alloc_at(0x30400000u, 1 << 20, MEM_RESERVE, PAGE_NOACCESS);
  if (!VirtualAlloc(partial, 0x10000, MEM_COMMIT, PAGE_READONLY))
    fail("VirtualAlloc commit");
  /* Execute-read-write, committed. */
  char *rwx = alloc_at(0x30600000u, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE);
  /* One page reserved where the system puts it, as a program would: at a
   * 64 KiB boundary, the rest of the granule outside the reservation and
   * unusable for another one. */
  char *small = VirtualAlloc(NULL, 0x1000, MEM_RESERVE, PAGE_NOACCESS);
  if (!small)
    fail("VirtualAlloc(small)");
  SetLastError(0);
  void *again = VirtualAlloc(small + 0x1000, 0x1000, MEM_RESERVE, PAGE_NOACCESS);
  DWORD again_error = again ? 0 : GetLastError();
  if (again)
    VirtualFree(again, 0, MEM_RELEASE);

  /* A mapped file, with a space in its name. */
  wchar_t dir[MAX_PATH], path[MAX_PATH + 64];
  if (!GetTempPathW(MAX_PATH, dir))
    fail("GetTempPathW");
  swprintf(path, MAX_PATH + 64, L"%lsvmscope helper %lu.dat", dir,
           (unsigned long)GetCurrentProcessId());
  HANDLE f =
      CreateFileW(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL,
                  CREATE_ALWAYS, FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, NULL);
  if (f == INVALID_HANDLE_VALUE)
    fail("CreateFileW");
  static char block[128 * 1024];
  memset(block, 'v', sizeof block);
  DWORD wrote;
  if (!WriteFile(f, block, sizeof block, &wrote, NULL) || wrote != sizeof block)
    fail("WriteFile");
  HANDLE fm = CreateFileMappingW(f, NULL, PAGE_READONLY, 0, 0, NULL);
  if (!fm)
    fail("CreateFileMappingW(file)");
  void *mapped = MapViewOfFileEx(fm, FILE_MAP_READ, 0, 0, 0, (void *)(uintptr_t)0x30800000u);
  if (!mapped)
    mapped = MapViewOfFile(fm, FILE_MAP_READ, 0, 0, 0);
  if (!mapped)
    fail("MapViewOfFile(file)");

  /* A pagefile-backed section: shareable. */
  HANDLE sm = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 192 * 1024, NULL);
  if (!sm)
    fail("CreateFileMappingW(pagefile)");
  char *shared = MapViewOfFileEx(sm, FILE_MAP_WRITE, 0, 0, 0, (void *)(uintptr_t)0x30a00000u);
  if (!shared)
    shared = MapViewOfFile(sm, FILE_MAP_WRITE, 0, 0, 0);
  if (!shared)
    fail("MapViewOfFile(pagefile)");
  shared[0] = 1;

  /* A DLL of our own, so its path is known. */
  HMODULE dll = LoadLibraryA(argv[1]);
  if (!dll)
    fail("LoadLibrary");
  wchar_t dll_path[MAX_PATH];
  GetModuleFileNameW(dll, dll_path, MAX_PATH);

  /* The process heap, with a block in it. */
  HANDLE heap = GetProcessHeap();
  void *block_in_heap = HeapAlloc(heap, 0, 100);
  grow_heap();

  /* A committed reservation of which only known pages are written: the
   * others were never touched, so the system has not made them resident. */
  char *resident =
      alloc_at(0x30c00000u, RESIDENT_PAGES * 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  static const int touched[] = {0, 1, 2, 7, 64, 65, 200, RESIDENT_PAGES - 1};
  for (size_t i = 0; i < sizeof touched / sizeof touched[0]; i++)
    resident[touched[i] * 0x1000] = 1;

  g_go = CreateEventW(NULL, TRUE, FALSE, NULL);
  HANDLE threads[N_THREADS];
  for (int i = 0; i < N_THREADS; i++) {
    g_started[i] = CreateEventW(NULL, TRUE, FALSE, NULL);
    threads[i] = CreateThread(NULL, THREAD_STACK, thread_main, (LPVOID)(uintptr_t)i,
                              STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
    if (!threads[i])
      fail("CreateThread");
  }
  WaitForMultipleObjects(N_THREADS, g_started, TRUE, INFINITE);

  /* Wait for stdin to close (the test is done), with a 60 s safety net.
   * A thread reads it, since a Unix pipe under Wine cannot be peeked; it
   * starts before the walk, so its stack is in it. */
  HANDLE reader = CreateThread(NULL, 0, read_stdin, NULL, 0, NULL);
  static char out_buf[1 << 16];
  setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
  size_t n_walk = walk_self();
  /* Its resident pages as the system tells the process itself (the pseudo-
   * handle: Wine answers QueryWorkingSetEx for no other). */
  static PSAPI_WORKING_SET_EX_INFORMATION ws[RESIDENT_PAGES];
  for (int i = 0; i < RESIDENT_PAGES; i++)
    ws[i].VirtualAddress = resident + i * 0x1000;
  long resident_self = -1;
  if (QueryWorkingSetEx(GetCurrentProcess(), ws, sizeof ws)) {
    resident_self = 0;
    for (int i = 0; i < RESIDENT_PAGES; i++)
      resident_self += ws[i].VirtualAttributes.Valid ? 0x1000 : 0;
  }

  volatile char main_local = 1;
  printf("pid %lu\n", (unsigned long)GetCurrentProcessId());
  printf("bits %d\n", (int)(sizeof(void *) * 8));
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  put("max_app", si.lpMaximumApplicationAddress);
  put("reserved", reserved);
  put("committed", committed);
  put("guard", committed + 0x10000);
  put("partial", partial);
  put("rwx", rwx);
  put("small", small);
  printf("small_again_error %lu\n", (unsigned long)again_error);
  put("mapped", mapped);
  printf("mapped_path %ls\n", path);
  put("shareable", shared);
  put("dll", dll);
  printf("dll_path %ls\n", dll_path);
  put("heap", heap);
  put("heap_block", block_in_heap);
  put("heap_large", g_heap_large);
  put("resident", resident);
  printf("resident_touched %d\n", (int)(sizeof touched / sizeof touched[0]) * 0x1000);
  printf("resident_self %ld\n", resident_self);
  put("peb", current_teb()->ProcessEnvironmentBlock);
  put("main_teb", current_teb());
  printf("main_tid %lu\n", (unsigned long)GetCurrentThreadId());
  printf("heap_segments %d\n", heap_segments(true));
  put("main_stack", (const void *)&main_local);
  for (int i = 0; i < N_THREADS; i++) {
    char key[32];
    snprintf(key, sizeof key, "thread_stack%d", i);
    put(key, (const void *)g_thread_local[i]);
    snprintf(key, sizeof key, "thread_teb%d", i);
    put(key, (const void *)g_thread_teb[i]);
    snprintf(key, sizeof key, "thread_tid%d", i);
    printf("%s %lu\n", key, (unsigned long)g_thread_id[i]);
  }
  /* base size state protect type allocation-base allocation-protect */
  for (size_t i = 0; i < n_walk; i++) {
    const MEMORY_BASIC_INFORMATION *m = &g_walk[i];
    printf("region 0x%" PRIxPTR " 0x%" PRIxPTR " 0x%lx 0x%lx 0x%lx 0x%" PRIxPTR " 0x%lx\n",
           (uintptr_t)m->BaseAddress, (uintptr_t)m->RegionSize, (unsigned long)m->State,
           (unsigned long)m->Protect, (unsigned long)m->Type, (uintptr_t)m->AllocationBase,
           (unsigned long)m->AllocationProtect);
  }
  printf("ready\n");
  fflush(stdout);

  if (reader)
    WaitForSingleObject(reader, 60000);
  SetEvent(g_go);
  WaitForMultipleObjects(N_THREADS, threads, TRUE, 5000);
  return (int)main_local - 1;
}
