/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-platform-windows.c: processes and address spaces on Windows, read with VirtualQueryEx and the
 * TEB/PEB.
 *
 * A target is opened for PROCESS_QUERY_INFORMATION | PROCESS_VM_READ; where
 * reading is refused it is opened for PROCESS_QUERY_INFORMATION alone, which
 * still lets VirtualQueryEx walk the regions (types, states, protections),
 * and the space's note says what is missing. PROCESS_QUERY_LIMITED_INFORMATION
 * is not enough for VirtualQueryEx, so such a process is unreadable.
 *
 * Side facts for the classifier: each thread's stack from its TEB (the whole
 * allocation [DeallocationStack, StackBase)), heaps from the PEB (process heap
 * and heap list), the usable range by bitness and large-address-awareness.
 * A 64-bit vmscope reads a WoW64 target's 32-bit TEBs and PEB; a 32-bit
 * vmscope cannot read a 64-bit target and says so. */
#include "vms-platform.h"
#include "vms-win-private.h"

#include <windows.h>
#include <psapi.h>
#include <tlhelp32.h>
#include <winternl.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- ntdll pieces winternl.h leaves out ---- */

typedef struct {
  LONG exit_status;
  PVOID teb_base;
  PVOID client_pid, client_tid;
  ULONG_PTR affinity;
  LONG priority, base_priority;
} VmsThreadBasicInfo;

typedef struct {
  SIZE_T peak_virtual_size, virtual_size;
  ULONG page_fault_count;
  SIZE_T peak_working_set, working_set;
  SIZE_T quota_peak_paged, quota_paged, quota_peak_nonpaged, quota_nonpaged;
  SIZE_T pagefile, peak_pagefile;
} VmsVmCounters;

enum {
  VMS_NT_THREAD_BASIC_INFORMATION = 0,
  VMS_NT_PROCESS_VM_COUNTERS = 3,
  VMS_NT_PROCESS_WOW64_INFORMATION = 26,
  VMS_NT_PROCESS_COMMAND_LINE = 60,
};

/* Offsets in the TEB and PEB (stable since Windows XP; Wine keeps them). */
#define TEB64_DEALLOCATION_STACK 0x1478
#define TEB32_DEALLOCATION_STACK 0x0e0c
#define TEB64_TO_TEB32           0x2000 /* a WoW64 thread's 32-bit TEB follows its 64-bit one */
#define PEB64_PROCESS_HEAP       0x30
#define PEB64_NUMBER_OF_HEAPS    0xe8
#define PEB64_PROCESS_HEAPS      0xf0
#define PEB32_PROCESS_HEAP       0x18
#define PEB32_NUMBER_OF_HEAPS    0x88
#define PEB32_PROCESS_HEAPS      0x90
#define VMS_MAX_HEAPS            1024
#define NAME_WCHARS              32768 /* the longest NT path, in UTF-16 units */
#define KUSER_SHARED_DATA_ADDR   UINT64_C(0x7ffe0000)

typedef BOOL(WINAPI *IsWow64Process2Fn)(HANDLE, USHORT *, USHORT *);

struct VmsTarget {
  int pid;
  HANDLE h;
  bool can_read;       /* PROCESS_VM_READ granted */
  int bits;            /* the target's */
  bool wow64;          /* a 32-bit target on a 64-bit system */
  uint64_t start_time; /* FILETIME of creation */
  uint64_t usable_lo, usable_hi;
  uint64_t walk_end; /* the walk stops here (4 GB for a WoW64 target) */
  uint64_t page_size, granularity;
  char name[256];
  char laa_note[128];
  int laa; /* -1 not read (or not a 32-bit target), 0 no, 1 yes */
  bool os64;
  uint64_t stack_reserve; /* the image's, 0 when not read */
  VmsWinDrives drives;
  PSAPI_WORKING_SET_EX_INFORMATION *ws; /* QueryWorkingSetEx's batch, kept between reads */
  uint32_t *ws_region;                  /* the region of each entry of ws */
};

/* ---- small helpers ---- */

static int self_bits(void) {
  return (int)(sizeof(void *) * 8);
}

static void win_message(DWORD e, char *buf, size_t len) {
  wchar_t w[256];
  DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e, 0,
                           w, 256, NULL);
  while (n > 0 && (w[n - 1] == L'\r' || w[n - 1] == L'\n' || w[n - 1] == L'.'))
    n--;
  if (n == 0 || vms_win_utf8(w, n, buf, len) == 0)
    snprintf(buf, len, "Windows error %lu", (unsigned long)e);
}

static uint64_t filetime_u64(FILETIME ft) {
  return ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

static bool process_exited(HANDLE h) {
  DWORD w = WaitForSingleObject(h, 0);
  if (w == WAIT_OBJECT_0)
    return true;
  if (w == WAIT_TIMEOUT)
    return false;
  DWORD code;
  return GetExitCodeProcess(h, &code) && code != STILL_ACTIVE;
}

/* Bitness of a process: 32 when it runs under WoW64, else the system's. */
static int process_bits(HANDLE h, bool *wow64, bool *os64) {
  /* Windows 10 1511+; looked up each time, which is cheap and needs no lock. */
  IsWow64Process2Fn is_wow64_2 = NULL;
  HMODULE k32 = GetModuleHandleW(L"kernel32.dll");
  FARPROC f = k32 ? GetProcAddress(k32, "IsWow64Process2") : NULL;
  memcpy(&is_wow64_2, &f, sizeof f < sizeof is_wow64_2 ? sizeof f : sizeof is_wow64_2);
  USHORT pm = 0, nm = 0;
  if (is_wow64_2 && is_wow64_2(h, &pm, &nm)) {
    *wow64 = pm != IMAGE_FILE_MACHINE_UNKNOWN;
    *os64 =
        nm == IMAGE_FILE_MACHINE_AMD64 || nm == IMAGE_FILE_MACHINE_ARM64 || nm == 0x0200 /* IA64 */;
    return *wow64 ? 32 : (*os64 ? 64 : 32);
  }
  BOOL target_wow = FALSE, self_wow = FALSE;
  if (!IsWow64Process(h, &target_wow))
    return 0;
  IsWow64Process(GetCurrentProcess(), &self_wow);
  *wow64 = target_wow;
  *os64 = self_bits() == 64 || self_wow;
  return target_wow ? 32 : (*os64 ? 64 : 32);
}

/* The image's path, UTF-8, in out (the basename in base when non-NULL). */
static bool process_image_path(HANDLE h, char *out, size_t cap, wchar_t *wpath, DWORD wcap) {
  DWORD n = wcap;
  if (!QueryFullProcessImageNameW(h, 0, wpath, &n))
    return false;
  return vms_win_utf8(wpath, n, out, cap) > 0;
}

static const char *basename_of(const char *path) {
  const char *b = path;
  for (const char *p = path; *p; p++)
    if (*p == '\\' || *p == '/')
      b = p + 1;
  return b;
}

/* ---- opening ---- */

static VmsErrorCode open_error(int pid, DWORD e, VmsError *err) {
  VmsErrorCode code = vms_win_code_for_open_error(e);
  char msg[256];
  win_message(e, msg, sizeof msg);
  switch (code) {
  case VMS_ERR_NO_PROCESS:
    if (pid == 0)
      return vms_error_set(err, VMS_ERR_NO_ADDRESS_SPACE,
                           "PID 0 is the System Idle Process; it has no address space to show");
    return vms_error_set(err, code, "no process with PID %d", pid);
  case VMS_ERR_PERMISSION: {
    /* Limited query access is what protected and elevated processes still
     * grant; say that it is not enough rather than just "denied". */
    HANDLE lim = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)pid);
    if (lim) {
      wchar_t wpath[MAX_PATH];
      char path[MAX_PATH * 3] = "";
      process_image_path(lim, path, sizeof path, wpath, MAX_PATH);
      CloseHandle(lim);
      vms_error_set(err, code,
                    "permission denied: process %d (%s) grants only limited query access "
                    "(a protected process, or one running elevated or as another user); "
                    "reading its regions needs PROCESS_QUERY_INFORMATION",
                    pid, path[0] ? basename_of(path) : "?");
      vms_error_set_remedy(err, "run vmscope as administrator");
      return code;
    }
    vms_error_set(err, code, "permission denied: process %d cannot be opened for query (%s)", pid,
                  msg);
    vms_error_set_remedy(err, "run vmscope as administrator, or as the user who owns it");
    return code;
  }
  default: return vms_error_set(err, code, "cannot open process %d: %s", pid, msg);
  }
}

/* Opens pid with the most access it grants; *can_read says whether VM_READ came with it. */
static HANDLE open_process(int pid, bool allow_read, bool *can_read, DWORD *error) {
  static const DWORD tries[] = {
      PROCESS_QUERY_INFORMATION | PROCESS_VM_READ | SYNCHRONIZE,
      PROCESS_QUERY_INFORMATION | PROCESS_VM_READ,
      PROCESS_QUERY_INFORMATION | SYNCHRONIZE,
      PROCESS_QUERY_INFORMATION,
  };
  DWORD first = 0;
  for (size_t i = allow_read ? 0 : 2; i < sizeof tries / sizeof tries[0]; i++) {
    HANDLE h = OpenProcess(tries[i], FALSE, (DWORD)pid);
    if (h) {
      *can_read = (tries[i] & PROCESS_VM_READ) != 0;
      return h;
    }
    DWORD e = GetLastError();
    if (!first)
      first = e;
    if (e != ERROR_ACCESS_DENIED)
      break; /* no such process: no point asking for less */
  }
  *error = first;
  return NULL;
}

VmsErrorCode vms_target_open(int pid, VmsTarget **out, VmsError *err) {
  return vms_win_target_open_access(pid, true, out, err);
}

VmsErrorCode vms_win_target_open_access(int pid, bool allow_read, VmsTarget **out, VmsError *err) {
  *out = NULL;
  if (pid < 0)
    return vms_error_set(err, VMS_ERR_NO_PROCESS, "no process with PID %d", pid);
  bool can_read = false;
  DWORD e = 0;
  wchar_t *wpath = NULL;
  char path[1024] = "";
  HANDLE h = open_process(pid, allow_read, &can_read, &e);
  if (!h)
    return open_error(pid, e, err);
  /* Windows ignores the low two bits of a PID (they are multiples of 4):
   * PID 1233 would open process 1232 and show its map under the wrong number. */
  if (GetProcessId(h) != (DWORD)pid) {
    CloseHandle(h);
    return vms_error_set(err, VMS_ERR_NO_PROCESS, "no process with PID %d", pid);
  }

  VmsTarget *t = calloc(1, sizeof *t);
  if (!t) {
    CloseHandle(h);
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory opening process %d", pid);
  }
  t->pid = pid;
  t->h = h;
  t->can_read = can_read;

  VmsErrorCode code = VMS_OK;
  if (process_exited(h)) {
    code = vms_error_set(err, VMS_ERR_GONE, "process %d has exited", pid);
    goto fail;
  }
  FILETIME c, x, k, u;
  if (GetProcessTimes(h, &c, &x, &k, &u))
    t->start_time = filetime_u64(c);

  bool os64 = false;
  t->bits = process_bits(h, &t->wow64, &os64);
  if (t->bits == 0) {
    char msg[256];
    win_message(GetLastError(), msg, sizeof msg);
    code =
        vms_error_set(err, VMS_ERR_INTERNAL, "cannot tell the bitness of process %d: %s", pid, msg);
    goto fail;
  }
  if (t->bits > self_bits()) {
    code = vms_error_set(err, VMS_ERR_UNSUPPORTED,
                         "process %d is a 64-bit process and this vmscope is a 32-bit build, which "
                         "cannot read a 64-bit address space: use the 64-bit vmscope.exe",
                         pid);
    goto fail;
  }

  wpath = malloc(NAME_WCHARS * sizeof(wchar_t));
  if (!wpath) {
    code = vms_error_set(err, VMS_ERR_NOMEM, "out of memory opening process %d", pid);
    goto fail;
  }
  if (process_image_path(h, path, sizeof path, wpath, NAME_WCHARS))
    snprintf(t->name, sizeof t->name, "%s", basename_of(path));
  else
    snprintf(t->name, sizeof t->name, "process %d", pid);

  SYSTEM_INFO si;
  GetSystemInfo(&si);
  t->page_size = si.dwPageSize;
  t->granularity = si.dwAllocationGranularity;
  t->usable_lo = (uint64_t)(uintptr_t)si.lpMinimumApplicationAddress;
  uint64_t sys_max = (uint64_t)(uintptr_t)si.lpMaximumApplicationAddress;
  int laa = 0;
  t->laa = -1;
  t->os64 = os64;
  t->stack_reserve = path[0] ? vms_win_image_stack_reserve(wpath) : 0;
  if (t->bits == 32) {
    laa = path[0] ? vms_win_image_large_address_aware(wpath) : -1;
    t->laa = laa;
    if (laa < 0) {
      snprintf(t->laa_note, sizeof t->laa_note,
               "large-address-awareness not read from the image; assumed 2 GB of address space");
      laa = 0;
    }
    if (t->usable_lo < 0x10000)
      t->usable_lo = 0x10000;
  }
  t->usable_hi = vms_win_usable_hi(t->bits, laa, os64, sys_max);
  /* A 64-bit vmscope sees a WoW64 target's 64-bit system DLLs too; the walk
   * stays inside the 32-bit space the program itself can use. */
  t->walk_end = t->bits == 32 ? UINT64_C(0x100000000) : UINT64_MAX;
  vms_win_drives_load(&t->drives);
  free(wpath);
  *out = t;
  return VMS_OK;

fail:
  CloseHandle(h);
  free(wpath);
  free(t);
  return code;
}

int vms_target_pid(const VmsTarget *target) {
  return target->pid;
}

/* Page states per page would come from QueryWorkingSetEx, which Wine does
 * not allow; until it is written and tested, the window says so. */
VmsErrorCode vms_target_read_pages(VmsTarget *target, uint64_t start, uint64_t end, VmsPageMap *map,
                                   VmsError *err) {
  (void)target;
  map->n_runs = 0;
  map->start = map->read_end = start;
  map->end = end;
  return vms_error_set(err, VMS_ERR_UNSUPPORTED, "page states are read on Linux only");
}

void vms_target_close(VmsTarget *target) {
  if (!target)
    return;
  CloseHandle(target->h);
  free(target->ws);
  free(target->ws_region);
  free(target);
}

/* ---- reading ---- */

static bool read_mem(HANDLE h, uint64_t addr, void *buf, size_t n) {
  SIZE_T got = 0;
  if (addr == 0 || addr > (uint64_t)UINTPTR_MAX)
    return false;
  return ReadProcessMemory(h, (LPCVOID)(uintptr_t)addr, buf, n, &got) && got == n;
}

static uint64_t read_ptr(HANDLE h, uint64_t addr, int bits, bool *ok) {
  if (bits == 32) {
    uint32_t v = 0;
    *ok = read_mem(h, addr, &v, 4);
    return v;
  }
  uint64_t v = 0;
  *ok = read_mem(h, addr, &v, 8);
  return v;
}

/* The last allocation's name (an image's regions share one), and the
 * buffers GetMappedFileNameW answers in, per read so threads never share. */
typedef struct {
  uint64_t alloc_base;
  uint32_t name;
  bool valid;
  wchar_t *wbuf; /* NAME_WCHARS */
  char *ubuf;    /* NAME_WCHARS * 3 */
} NameCache;

static uint32_t region_name(VmsTarget *t, VmsSpace *space, uint64_t addr, uint64_t alloc_base,
                            NameCache *cache, VmsErrorCode *code) {
  if (cache->valid && cache->alloc_base == alloc_base)
    return cache->name;
  uint32_t off = 0;
  DWORD n = GetMappedFileNameW(t->h, (LPVOID)(uintptr_t)addr, cache->wbuf, NAME_WCHARS - 1);
  if (n > 0) {
    cache->wbuf[n] = 0;
    size_t len = vms_win_path_from_nt(&t->drives, cache->wbuf, cache->ubuf, NAME_WCHARS * 3);
    if (len > 0) {
      off = vms_name_pool_add(&space->names, cache->ubuf, len);
      if (off == UINT32_MAX) {
        *code = VMS_ERR_NOMEM;
        off = 0;
      }
    }
  }
  cache->alloc_base = alloc_base;
  cache->name = off;
  cache->valid = true;
  return off;
}

static VmsErrorCode walk_regions_with(VmsTarget *t, VmsSpace *space, NameCache *cache,
                                      VmsError *err) {
  uint64_t addr = 0;
  while (addr < t->walk_end) {
    MEMORY_BASIC_INFORMATION mbi;
    if (addr > (uint64_t)UINTPTR_MAX)
      break;
    SIZE_T n = VirtualQueryEx(t->h, (LPCVOID)(uintptr_t)addr, &mbi, sizeof mbi);
    if (n == 0) {
      DWORD e = GetLastError();
      if (process_exited(t->h))
        return vms_error_set(err, VMS_ERR_GONE, "process %d exited while its regions were read",
                             t->pid);
      if (e == ERROR_INVALID_PARAMETER)
        break; /* past the highest application address */
      char msg[256];
      win_message(e, msg, sizeof msg);
      return vms_error_set(err, e == ERROR_ACCESS_DENIED ? VMS_ERR_PERMISSION : VMS_ERR_INTERNAL,
                           "VirtualQueryEx on process %d at 0x%" PRIx64 " failed: %s", t->pid, addr,
                           msg);
    }
    uint64_t start = (uint64_t)(uintptr_t)mbi.BaseAddress;
    uint64_t end = start + (uint64_t)mbi.RegionSize;
    if (end <= addr || start > addr)
      return vms_error_set(err, VMS_ERR_INTERNAL,
                           "VirtualQueryEx on process %d answered [0x%" PRIx64 ", 0x%" PRIx64
                           ") for address 0x%" PRIx64,
                           t->pid, start, end, addr);
    if (end > t->walk_end)
      end = t->walk_end;
    addr = end;

    if (mbi.State == MEM_FREE) {
      /* Free space outside the usable range is not the program's to use. */
      if (start < t->usable_lo)
        start = t->usable_lo;
      if (end > t->usable_hi)
        end = t->usable_hi;
      if (start >= end)
        continue;
    }
    VmsRegion *r = vms_space_add_region(space);
    if (!r)
      return vms_error_set(err, VMS_ERR_NOMEM, "out of memory reading process %d", t->pid);
    r->start = start;
    r->end = end;
    r->os = vms_win_os_bits(mbi.State, mbi.Type);
    if (mbi.State == MEM_FREE)
      continue;
    r->alloc_base = (uint64_t)(uintptr_t)mbi.AllocationBase;
    r->alloc_prot = vms_win_prot(mbi.AllocationProtect);
    /* Protect is undefined for reserved pages. */
    r->prot = mbi.State == MEM_COMMIT ? vms_win_prot(mbi.Protect) : 0;
    /* A view of a section is shared unless mapped copy-on-write; an image
     * is shown like a Linux one ("r-xp"), its sharing being implied. */
    if (mbi.Type == MEM_MAPPED && mbi.State == MEM_COMMIT && !(r->prot & VMS_PROT_COPY))
      r->prot |= VMS_PROT_SHARED;
    if (mbi.Type == MEM_PRIVATE && start == KUSER_SHARED_DATA_ADDR) {
      /* The kernel's read-only page of clocks and versions, at the same
       * address in every process, 32- or 64-bit: System, not the program's. */
      static const char kuser[] = "shared user data (KUSER_SHARED_DATA)";
      r->name = vms_name_pool_add(&space->names, kuser, sizeof kuser - 1);
      if (r->name == UINT32_MAX)
        return vms_error_set(err, VMS_ERR_NOMEM, "out of memory reading process %d", t->pid);
      r->os |= VMS_OS_PSEUDO;
    }
    if (mbi.Type == MEM_MAPPED || mbi.Type == MEM_IMAGE) {
      VmsErrorCode code = VMS_OK;
      r->name = region_name(t, space, start, r->alloc_base, cache, &code);
      if (code != VMS_OK)
        return vms_error_set(err, code, "out of memory reading process %d", t->pid);
      if (r->name)
        r->os |= VMS_OS_FILE;
    }
  }
  if (space->n_regions == 0)
    return vms_error_set(err, VMS_ERR_INTERNAL, "VirtualQueryEx found no region in process %d",
                         t->pid);
  return VMS_OK;
}

static VmsErrorCode walk_regions(VmsTarget *t, VmsSpace *space, VmsError *err) {
  NameCache cache = {0};
  cache.wbuf = malloc(NAME_WCHARS * sizeof(wchar_t));
  cache.ubuf = malloc(NAME_WCHARS * 3);
  VmsErrorCode code =
      cache.wbuf && cache.ubuf
          ? walk_regions_with(t, space, &cache, err)
          : vms_error_set(err, VMS_ERR_NOMEM, "out of memory reading process %d", t->pid);
  free(cache.wbuf);
  free(cache.ubuf);
  return code;
}

/* The whole allocation containing addr: [AllocationBase, end of its last region). */
static bool allocation_of(const VmsSpace *space, uint64_t addr, VmsRange *out) {
  size_t i = vms_space_find(space, addr);
  if (i == SIZE_MAX || (space->regions[i].os & VMS_OS_MEM_FREE))
    return false;
  uint64_t base = space->regions[i].alloc_base;
  size_t a = i, b = i;
  while (a > 0 && !(space->regions[a - 1].os & VMS_OS_MEM_FREE) &&
         space->regions[a - 1].alloc_base == base)
    a--;
  while (b + 1 < space->n_regions && !(space->regions[b + 1].os & VMS_OS_MEM_FREE) &&
         space->regions[b + 1].alloc_base == base)
    b++;
  out->start = space->regions[a].start;
  out->end = space->regions[b].end;
  return true;
}

/* Names the private region holding addr for what lives there ("PEB", "TEB
 * of thread N"), as System Informer's Use column does; a region holding
 * several (Wine packs TEBs together) lists them. */
static VmsErrorCode name_private_region(VmsSpace *space, uint64_t addr, const char *what) {
  size_t i = vms_space_find(space, addr);
  if (i == SIZE_MAX)
    return VMS_OK;
  VmsRegion *r = &space->regions[i];
  if ((r->os & (VMS_OS_MEM_FREE | VMS_OS_MEM_PRIVATE | VMS_OS_PSEUDO)) != VMS_OS_MEM_PRIVATE)
    return VMS_OK;
  const char *old = r->name ? vms_name_pool_get(&space->names, r->name) : "";
  size_t len = strlen(old);
  if (len > 160) {
    if (len >= 3 && strcmp(old + len - 3, "...") == 0)
      return VMS_OK;
    what = "...";
  }
  char buf[256];
  int n = snprintf(buf, sizeof buf, "%s%s%s", old, len ? ", " : "", what);
  if (n <= 0 || (size_t)n >= sizeof buf)
    return VMS_OK;
  uint32_t off = vms_name_pool_add(&space->names, buf, (size_t)n);
  if (off == UINT32_MAX)
    return VMS_ERR_NOMEM;
  r->name = off;
  return VMS_OK;
}

/* One thread's stack from its TEB. bits picks the TEB layout. */
static bool stack_from_teb(const VmsTarget *t, uint64_t teb, int bits, VmsRange *out) {
  /* NT_TIB: ExceptionList, StackBase, StackLimit, ..., Self at 6 pointers in. */
  uint64_t ps = bits == 32 ? 4 : 8;
  bool ok1, ok2, ok3;
  uint64_t base = read_ptr(t->h, teb + ps, bits, &ok1);
  uint64_t limit = read_ptr(t->h, teb + 2 * ps, bits, &ok2);
  uint64_t self = read_ptr(t->h, teb + 6 * ps, bits, &ok3);
  if (!ok1 || !ok2 || !ok3 || self != teb || limit >= base || base == 0)
    return false;
  bool ok4;
  uint64_t dealloc = read_ptr(
      t->h, teb + (bits == 32 ? TEB32_DEALLOCATION_STACK : TEB64_DEALLOCATION_STACK), bits, &ok4);
  out->start = ok4 && dealloc != 0 && dealloc <= limit ? dealloc : limit;
  out->end = base;
  return true;
}

static VmsErrorCode read_threads(VmsTarget *t, VmsSpace *space, unsigned *missed) {
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
  if (snap == INVALID_HANDLE_VALUE) {
    (*missed)++;
    return VMS_OK;
  }
  THREADENTRY32 te;
  te.dwSize = sizeof te;
  VmsErrorCode code = VMS_OK;
  for (BOOL more = Thread32First(snap, &te); more && code == VMS_OK;
       more = Thread32Next(snap, &te)) {
    if (te.th32OwnerProcessID != (DWORD)t->pid)
      continue;
    VmsThread th = {.tid = (int)te.th32ThreadID};
    HANDLE hth = OpenThread(THREAD_QUERY_INFORMATION, FALSE, te.th32ThreadID);
    if (!hth)
      hth = OpenThread(THREAD_QUERY_LIMITED_INFORMATION, FALSE, te.th32ThreadID);
    VmsThreadBasicInfo tbi;
    memset(&tbi, 0, sizeof tbi);
    if (hth &&
        NtQueryInformationThread(hth, (THREADINFOCLASS)VMS_NT_THREAD_BASIC_INFORMATION, &tbi,
                                 sizeof tbi, NULL) >= 0 &&
        tbi.teb_base) {
      uint64_t teb = (uint64_t)(uintptr_t)tbi.teb_base;
      char what[64];
      if (t->wow64 && self_bits() == 64) {
        snprintf(what, sizeof what, "64-bit TEB of thread %d", th.tid);
        code = name_private_region(space, teb, what);
        snprintf(what, sizeof what, "TEB of thread %d", th.tid);
        if (code == VMS_OK)
          code = name_private_region(space, teb + TEB64_TO_TEB32, what);
      } else {
        snprintf(what, sizeof what, "TEB of thread %d", th.tid);
        code = name_private_region(space, teb, what);
      }
      if (code == VMS_OK && t->wow64 && self_bits() == 64) {
        /* The 32-bit stack is the one the program runs on; the 64-bit
         * one the WoW64 layer uses is a stack too, so both are kept. */
        VmsThread th64 = th;
        if (stack_from_teb(t, teb, 64, &th64.stack)) {
          th64.range_known = true;
          code = vms_space_add_thread(space, &th64);
        }
        th.range_known = stack_from_teb(t, teb + TEB64_TO_TEB32, 32, &th.stack);
      } else {
        th.range_known = stack_from_teb(t, teb, self_bits(), &th.stack);
      }
    }
    if (!th.range_known)
      (*missed)++;
    if (hth)
      CloseHandle(hth);
    if (code == VMS_OK)
      code = vms_space_add_thread(space, &th);
  }
  CloseHandle(snap);
  return code;
}

static VmsErrorCode add_heap_at(VmsSpace *space, uint64_t addr) {
  VmsRange a;
  if (!allocation_of(space, addr, &a))
    return VMS_OK;
  for (size_t i = 0; i < space->n_heaps; i++)
    if (space->heaps[i].start == a.start)
      return VMS_OK;
  return vms_space_add_heap(space, a.start, a.end);
}

/* A heap's later segments and its large blocks are allocations of their
 * own, chained to the heap by doubly linked lists (LIST_ENTRY: the next
 * pointer, then the previous) whose heads and links lie in the first page of
 * the heap and of each segment: Windows' HEAP.SegmentList and
 * VirtualAllocdBlocks, Wine's sub-heap and large-block lists. A pointer in
 * such a page that lands in the first page of another private allocation is
 * taken as a link only when the list agrees both ways (its target's
 * previous pointer points back at it, and its target's next entry's
 * previous pointer at the target), which chance values do not. The layout of
 * the structures is not read, so it holds whatever their version. */
#define HEAP_HEADER_BYTES        4096
#define VMS_MAX_HEAP_ALLOCATIONS 4096

static bool is_private_allocation(const VmsSpace *space, uint64_t addr) {
  size_t i = vms_space_find(space, addr);
  if (i == SIZE_MAX)
    return false;
  const VmsRegion *r = &space->regions[i];
  return (r->os & (VMS_OS_MEM_FREE | VMS_OS_MEM_PRIVATE | VMS_OS_MEM_COMMIT)) ==
         (VMS_OS_MEM_PRIVATE | VMS_OS_MEM_COMMIT);
}

static bool is_heap_start(const VmsSpace *space, uint64_t start) {
  for (size_t i = 0; i < space->n_heaps; i++)
    if (space->heaps[i].start == start)
      return true;
  return false;
}

static VmsErrorCode add_heap_segments(VmsTarget *t, VmsSpace *space, int bits) {
  const size_t ps = bits == 32 ? 4 : 8;
  unsigned char page[HEAP_HEADER_BYTES];
  VmsErrorCode code = VMS_OK;
  for (size_t h = 0; h < space->n_heaps && h < VMS_MAX_HEAP_ALLOCATIONS && code == VMS_OK; h++) {
    uint64_t base = space->heaps[h].start;
    size_t n = space->heaps[h].end - base < HEAP_HEADER_BYTES ? (size_t)(space->heaps[h].end - base)
                                                              : HEAP_HEADER_BYTES;
    if (!is_private_allocation(space, base) || !read_mem(t->h, base, page, n))
      continue;
    for (size_t o = 0; o + 2 * ps <= n && code == VMS_OK; o += ps) {
      uint64_t link = 0;
      memcpy(&link, page + o, ps);
      VmsRange a;
      if (!is_private_allocation(space, link) || !allocation_of(space, link, &a))
        continue;
      if (link - a.start > HEAP_HEADER_BYTES - 2 * ps || is_heap_start(space, a.start))
        continue;
      bool ok1, ok2, ok3;
      uint64_t next = read_ptr(t->h, link, bits, &ok1);
      uint64_t prev = read_ptr(t->h, link + ps, bits, &ok2);
      if (!ok1 || !ok2 || prev != base + o)
        continue;
      if (read_ptr(t->h, next + ps, bits, &ok3) != link || !ok3)
        continue;
      code = vms_space_add_heap(space, a.start, a.end);
    }
  }
  return code;
}

/* Heaps from the PEB: the process heap and the heap list. Each becomes the
 * allocation holding its first segment; the others are reached from it. */
/* The PEB the program itself uses: the 32-bit one of a WoW64 target seen
 * from a 64-bit vmscope (*bits says which layout), else the native one. */
static uint64_t peb_address(HANDLE h, bool wow64, int *bits) {
  *bits = self_bits();
  if (wow64 && self_bits() == 64) {
    ULONG_PTR peb32 = 0;
    *bits = 32;
    if (NtQueryInformationProcess(h, (PROCESSINFOCLASS)VMS_NT_PROCESS_WOW64_INFORMATION, &peb32,
                                  sizeof peb32, NULL) >= 0)
      return peb32;
    return 0;
  }
  PROCESS_BASIC_INFORMATION pbi;
  memset(&pbi, 0, sizeof pbi);
  if (NtQueryInformationProcess(h, ProcessBasicInformation, &pbi, sizeof pbi, NULL) >= 0)
    return (uint64_t)(uintptr_t)pbi.PebBaseAddress;
  return 0;
}

static VmsErrorCode read_heaps(VmsTarget *t, VmsSpace *space, bool *found) {
  int bits;
  uint64_t peb = peb_address(t->h, t->wow64, &bits);
  *found = false;
  if (!peb)
    return VMS_OK;
  bool ok;
  uint64_t process_heap =
      read_ptr(t->h, peb + (bits == 32 ? PEB32_PROCESS_HEAP : PEB64_PROCESS_HEAP), bits, &ok);
  VmsErrorCode code = name_private_region(space, peb, "PEB");
  if (code != VMS_OK)
    return code;
  if (t->wow64 && self_bits() == 64) {
    /* The 64-bit PEB the WoW64 layer keeps beside the program's. */
    PROCESS_BASIC_INFORMATION pbi;
    memset(&pbi, 0, sizeof pbi);
    if (NtQueryInformationProcess(t->h, ProcessBasicInformation, &pbi, sizeof pbi, NULL) >= 0 &&
        pbi.PebBaseAddress &&
        (code = name_private_region(space, (uint64_t)(uintptr_t)pbi.PebBaseAddress,
                                    "64-bit PEB")) != VMS_OK)
      return code;
  }
  if (ok && process_heap) {
    *found = true;
    code = add_heap_at(space, process_heap);
  }
  uint32_t count = 0;
  uint64_t list = 0;
  if (code == VMS_OK &&
      read_mem(t->h, peb + (bits == 32 ? PEB32_NUMBER_OF_HEAPS : PEB64_NUMBER_OF_HEAPS), &count, 4))
    list =
        read_ptr(t->h, peb + (bits == 32 ? PEB32_PROCESS_HEAPS : PEB64_PROCESS_HEAPS), bits, &ok);
  if (!ok)
    list = 0;
  if (count > VMS_MAX_HEAPS)
    count = VMS_MAX_HEAPS;
  for (uint32_t i = 0; list && i < count && code == VMS_OK; i++) {
    uint64_t heap = read_ptr(t->h, list + (uint64_t)i * (bits == 32 ? 4 : 8), bits, &ok);
    if (ok && heap)
      code = add_heap_at(space, heap);
  }
  if (code == VMS_OK && *found)
    code = add_heap_segments(t, space, bits);
  return code;
}

/* Wine's version when vmscope runs under Wine (ntdll's wine_get_version),
 * else NULL: Wine 8 answers QueryWorkingSetEx only for the calling process
 * (through GetCurrentProcess()), so a refusal there is said as Wine's. */
static const char *wine_version(void) {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  FARPROC f = ntdll ? GetProcAddress(ntdll, "wine_get_version") : NULL;
  const char *(*get)(void) = NULL;
  memcpy(&get, &f, sizeof f < sizeof get ? sizeof f : sizeof get);
  return get ? get() : NULL;
}

/* Resident bytes per region from QueryWorkingSetEx: one entry per page of
 * every committed region, WS_BATCH pages a call across regions (reserved and
 * free regions hold none: 0, known). Locked and large pages are counted from
 * the same entries. Fills space->counters and their masks (VMS_CTR_RSS,
 * VMS_CTR_LOCKED, VMS_CTR_HUGE); false when the system refuses a call, with
 * its error in *refused and every mask cleared: not read, never zero. */
enum { WS_BATCH = 4096 };
static VmsErrorCode read_working_set(VmsTarget *t, VmsSpace *space, DWORD *refused) {
  *refused = 0;
  if (!t->ws && !(t->ws = malloc(WS_BATCH * sizeof *t->ws)))
    return VMS_ERR_NOMEM;
  if (!t->ws_region && !(t->ws_region = malloc(WS_BATCH * sizeof *t->ws_region)))
    return VMS_ERR_NOMEM;
  if (vms_space_reserve_counters(space, space->n_regions) != VMS_OK)
    return VMS_ERR_NOMEM;
  memset(space->counters, 0, space->n_regions * sizeof *space->counters);
  /* Windows answers for a handle with PROCESS_QUERY_INFORMATION; Wine only
   * for the pseudo-handle of the calling process, which is therefore the
   * one used when vmscope reads itself (the same pages either way). */
  HANDLE h = t->pid == (int)GetCurrentProcessId() ? GetCurrentProcess() : t->h;
  size_t i = 0;
  uint64_t p = 0;
  while (i < space->n_regions) {
    size_t n = 0;
    for (; i < space->n_regions && n < WS_BATCH; i++, p = 0) {
      const VmsRegion *r = &space->regions[i];
      if (!(r->os & VMS_OS_MEM_COMMIT))
        continue;
      if (p < r->start)
        p = r->start;
      for (; p < r->end && n < WS_BATCH; p += t->page_size, n++) {
        t->ws[n].VirtualAddress = (PVOID)(uintptr_t)p;
        t->ws_region[n] = (uint32_t)i;
      }
      if (p < r->end)
        break; /* the batch is full: this region goes on in the next one, at p */
    }
    if (n == 0)
      break;
    if (!QueryWorkingSetEx(h, t->ws, (DWORD)(n * sizeof *t->ws))) {
      *refused = GetLastError();
      memset(space->counters, 0, space->n_regions * sizeof *space->counters);
      return VMS_OK;
    }
    for (size_t k = 0; k < n; k++) {
      PSAPI_WORKING_SET_EX_BLOCK a = t->ws[k].VirtualAttributes;
      if (!a.Valid)
        continue;
      VmsCounters *c = &space->counters[t->ws_region[k]];
      c->rss += t->page_size;
      if (a.Locked)
        c->locked += t->page_size;
      if (a.LargePage)
        c->huge += t->page_size;
    }
  }
  for (size_t k = 0; k < space->n_regions; k++)
    space->counters[k].mask = VMS_CTR_RSS | VMS_CTR_LOCKED | VMS_CTR_HUGE;
  return VMS_OK;
}

static void append_note(VmsSpace *space, const char *text) {
  size_t len = strlen(space->note);
  if (!text[0])
    return;
  snprintf(space->note + len, sizeof space->note - len, "%s%s", len ? "; " : "", text);
}

/* The handle held since vms_target_open keeps the PID from being handed to
 * another process, so a read never meets a reused PID (no VMS_ERR_REUSED). */
VmsErrorCode vms_target_read(VmsTarget *t, unsigned what, VmsSpace *space, VmsError *err) {
  vms_space_reset(space);
  if (process_exited(t->h))
    return vms_error_set(err, VMS_ERR_GONE, "process %d has exited", t->pid);

  space->pid = t->pid;
  snprintf(space->name, sizeof space->name, "%s", t->name);
  space->bits = t->bits;
  space->start_time = t->start_time;
  space->usable_lo = t->usable_lo;
  space->usable_hi = t->usable_hi;
  space->mmap_min_addr = 0;
  space->page_size = t->page_size;
  space->alloc_granularity = t->granularity;
  space->max_map_count = 0;
  space->fields = VMS_FIELD_OS_TYPE | VMS_FIELD_NAMES;
  space->os_bits = t->os64 ? 64 : 32;
  if (t->laa >= 0) {
    space->large_address_aware = t->laa == 1;
    space->fields |= VMS_FIELD_LAA;
  }
  if (t->stack_reserve) {
    space->stack_setting = t->stack_reserve;
    space->fields |= VMS_FIELD_STACK_SETTING;
  }

  VmsErrorCode code = walk_regions(t, space, err);
  if (code != VMS_OK)
    return code;
  append_note(space, t->laa_note);

  /* Threads and heaps are read whatever `what` asks: on Windows they cost a
   * few reads, and without them no stack or heap is typed. */
  if (!t->can_read) {
    append_note(
        space,
        "opened without read access (PROCESS_VM_READ refused): regions and their types only; "
        "thread stacks and heaps not found");
  } else {
    unsigned missed = 0;
    code = read_threads(t, space, &missed);
    if (code != VMS_OK)
      return vms_error_set(err, code, "out of memory reading threads of process %d", t->pid);
    space->fields |= VMS_FIELD_THREADS;
    if (missed) {
      char note[96];
      snprintf(note, sizeof note, "stack of %u thread%s not read", missed, missed == 1 ? "" : "s");
      append_note(space, note);
    }
    bool found = false;
    code = read_heaps(t, space, &found);
    if (code != VMS_OK)
      return vms_error_set(err, code, "out of memory reading heaps of process %d", t->pid);
    if (found)
      space->fields |= VMS_FIELD_HEAPS;
    else
      append_note(space, "heap list not read from the PEB");
  }

  /* --smaps and --residency ask the same of Windows: the working set. */
  if (what & (VMS_READ_COUNTERS | VMS_READ_RESIDENCY)) {
    DWORD refused = 0;
    if (read_working_set(t, space, &refused) != VMS_OK)
      return vms_error_set(err, VMS_ERR_NOMEM,
                           "out of memory reading the working set of process %d", t->pid);
    space->fields |= VMS_FIELD_COUNTERS;
    if (what & VMS_READ_RESIDENCY)
      space->fields |= VMS_FIELD_RESIDENCY;
    if (refused) {
      char why[256], note[400];
      win_message(refused, why, sizeof why);
      const char *wine = wine_version();
      if (wine)
        snprintf(note, sizeof note,
                 "resident pages not read: QueryWorkingSetEx refused (%s): Wine %s answers it "
                 "only for a process's own pages",
                 why, wine);
      else
        snprintf(note, sizeof note, "resident pages not read: QueryWorkingSetEx refused (%s)", why);
      append_note(space, note);
    }
  }
  PROCESS_MEMORY_COUNTERS pmc;
  if (GetProcessMemoryInfo(t->h, &pmc, sizeof pmc)) {
    memset(&space->rollup, 0, sizeof space->rollup);
    space->rollup.rss = pmc.WorkingSetSize;
    space->rollup.mask = VMS_CTR_RSS;
    space->fields |= VMS_FIELD_ROLLUP;
  }

  /* The walk took time; a process that exited meanwhile may have answered
   * with a torn-down space. */
  if (process_exited(t->h))
    return vms_error_set(err, VMS_ERR_GONE, "process %d exited while its regions were read",
                         t->pid);
  return VMS_OK;
}

/* ---- process list ---- */

typedef struct {
  PSID sid;
  uint32_t rid;
  char user[64];
} SidName;

static void process_user(HANDLE h, SidName **cache, size_t *n_cache, uint32_t *uid, char *user,
                         size_t len) {
  HANDLE tok;
  user[0] = '\0';
  *uid = UINT32_MAX;
  if (!OpenProcessToken(h, TOKEN_QUERY, &tok))
    return;
  union {
    TOKEN_USER tu;
    char buf[256];
  } u;
  DWORD got = 0;
  if (GetTokenInformation(tok, TokenUser, &u, sizeof u, &got) && IsValidSid(u.tu.User.Sid)) {
    PSID sid = u.tu.User.Sid;
    for (size_t i = 0; i < *n_cache; i++) {
      if (EqualSid((*cache)[i].sid, sid)) {
        snprintf(user, len, "%s", (*cache)[i].user);
        *uid = (*cache)[i].rid;
        CloseHandle(tok);
        return;
      }
    }
    uint32_t rid = *GetSidSubAuthority(sid, *GetSidSubAuthorityCount(sid) - 1u);
    wchar_t name[64], domain[64];
    DWORD nl = 64, dl = 64;
    SID_NAME_USE use;
    char uname[64] = "";
    if (LookupAccountSidW(NULL, sid, name, &nl, domain, &dl, &use))
      vms_win_utf8(name, nl, uname, sizeof uname);
    *uid = rid;
    snprintf(user, len, "%s", uname);
    SidName *grown = realloc(*cache, (*n_cache + 1) * sizeof **cache);
    DWORD sl = GetLengthSid(sid);
    PSID copy = malloc(sl);
    if (grown && copy && CopySid(sl, copy, sid)) {
      *cache = grown;
      (*cache)[*n_cache].sid = copy;
      (*cache)[*n_cache].rid = rid;
      snprintf((*cache)[*n_cache].user, sizeof(*cache)[*n_cache].user, "%s", uname);
      (*n_cache)++;
    } else {
      if (grown)
        *cache = grown;
      free(copy);
    }
  }
  CloseHandle(tok);
}

/* The command line out of RTL_USER_PROCESS_PARAMETERS, for systems (and
 * Wine) without ProcessCommandLineInformation; needs PROCESS_VM_READ. */
static char *process_cmdline_from_peb(HANDLE h, bool wow64) {
  int bits;
  uint64_t peb = peb_address(h, wow64, &bits);
  if (!peb)
    return NULL;
  bool ok;
  uint64_t params = read_ptr(h, peb + (bits == 32 ? 0x10 : 0x20), bits, &ok);
  if (!ok || !params)
    return NULL;
  uint64_t us = params + (bits == 32 ? 0x40 : 0x70); /* CommandLine */
  uint16_t len = 0;
  if (!read_mem(h, us, &len, 2) || len == 0)
    return NULL;
  uint64_t buf = read_ptr(h, us + (bits == 32 ? 4 : 8), bits, &ok);
  if (!ok || !buf)
    return NULL;
  wchar_t *w = malloc(len + sizeof(wchar_t));
  if (!w)
    return NULL;
  char *s = NULL;
  if (read_mem(h, buf, w, len)) {
    size_t wl = len / sizeof(wchar_t), cap = wl * 3 + 1;
    s = malloc(cap);
    if (s && vms_win_utf8(w, wl, s, cap) == 0) {
      free(s);
      s = NULL;
    }
  }
  free(w);
  return s;
}

static char *process_cmdline(HANDLE h, bool can_read, bool wow64, const char *fallback) {
  /* ProcessCommandLineInformation (Windows 8.1+) needs only limited query
   * access, unlike reading RTL_USER_PROCESS_PARAMETERS out of the PEB. */
  union {
    UNICODE_STRING us;
    unsigned char buf[8192];
  } u;
  ULONG got = 0;
  if (NtQueryInformationProcess(h, (PROCESSINFOCLASS)VMS_NT_PROCESS_COMMAND_LINE, &u, sizeof u,
                                &got) >= 0 &&
      u.us.Buffer && u.us.Length > 0) {
    size_t wl = u.us.Length / sizeof(wchar_t);
    size_t cap = wl * 3 + 1;
    char *s = malloc(cap);
    if (s && vms_win_utf8(u.us.Buffer, wl, s, cap) > 0)
      return s;
    free(s);
  }
  if (can_read) {
    char *s = process_cmdline_from_peb(h, wow64);
    if (s)
      return s;
  }
  size_t n = strlen(fallback);
  char *s = malloc(n + 1);
  if (s)
    memcpy(s, fallback, n + 1);
  return s;
}

static long count_regions(HANDLE h, int bits) {
  uint64_t addr = 0, end = bits == 32 ? UINT64_C(0x100000000) : UINT64_MAX;
  long n = 0;
  while (addr < end && addr <= (uint64_t)UINTPTR_MAX) {
    MEMORY_BASIC_INFORMATION mbi;
    if (VirtualQueryEx(h, (LPCVOID)(uintptr_t)addr, &mbi, sizeof mbi) == 0)
      break;
    uint64_t next = (uint64_t)(uintptr_t)mbi.BaseAddress + mbi.RegionSize;
    if (next <= addr)
      return -1;
    if (mbi.State != MEM_FREE)
      n++;
    addr = next;
  }
  return n;
}

static void fill_proc_info(VmsProcInfo *p, const PROCESSENTRY32W *pe, unsigned flags,
                           SidName **cache, size_t *n_cache) {
  p->pid = (int)pe->th32ProcessID;
  p->ppid = (int)pe->th32ParentProcessID;
  p->state = '?';
  p->n_maps = -1;
  p->uid = UINT32_MAX;
  vms_win_utf8(pe->szExeFile, wcslen(pe->szExeFile), p->name, sizeof p->name);

  bool can_read = false;
  DWORD e = 0;
  HANDLE h = open_process(p->pid, true, &can_read, &e);
  HANDLE info = h ? h : OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)p->pid);
  if (h) {
    p->access = VMS_OK;
    if (!can_read)
      snprintf(p->reason, sizeof p->reason,
               "memory cannot be read (PROCESS_VM_READ refused): regions and types only");
  } else {
    VmsError err;
    vms_error_clear(&err);
    p->access = open_error(p->pid, e, &err);
    char line[sizeof err.message + sizeof err.remedy + 2];
    snprintf(p->reason, sizeof p->reason, "%s", vms_error_line(&err, line, sizeof line));
  }
  if (info) {
    bool wow = false, os64 = false;
    p->bits = process_bits(info, &wow, &os64);
    if (p->access == VMS_OK && p->bits > self_bits()) {
      p->access = VMS_ERR_UNSUPPORTED;
      snprintf(p->reason, sizeof p->reason, "a 64-bit process: this 32-bit vmscope cannot read it");
    }
    FILETIME c, x, k, u;
    if (GetProcessTimes(info, &c, &x, &k, &u))
      p->start_time = filetime_u64(c);
    VmsVmCounters vm;
    memset(&vm, 0, sizeof vm);
    if (NtQueryInformationProcess(info, (PROCESSINFOCLASS)VMS_NT_PROCESS_VM_COUNTERS, &vm,
                                  sizeof vm, NULL) >= 0) {
      p->vsize = vm.virtual_size;
      p->rss = vm.working_set;
    }
    process_user(info, cache, n_cache, &p->uid, p->user, sizeof p->user);
    p->cmdline = process_cmdline(info, h && can_read, wow, p->name);
    if ((flags & VMS_LIST_COUNT_MAPS) && p->access == VMS_OK)
      p->n_maps = count_regions(info, p->bits);
    if (info != h)
      CloseHandle(info);
  }
  if (h)
    CloseHandle(h);
  if (!p->cmdline) {
    size_t n = strlen(p->name);
    p->cmdline = malloc(n + 1);
    if (p->cmdline)
      memcpy(p->cmdline, p->name, n + 1);
  }
}

VmsErrorCode vms_process_list(unsigned flags, VmsProcInfo **out, size_t *n_out, VmsError *err) {
  *out = NULL;
  *n_out = 0;
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (snap == INVALID_HANDLE_VALUE) {
    char msg[256];
    win_message(GetLastError(), msg, sizeof msg);
    return vms_error_set(err, VMS_ERR_INTERNAL, "cannot list processes: %s", msg);
  }
  VmsProcInfo *list = NULL;
  size_t n = 0, cap = 0;
  SidName *cache = NULL;
  size_t n_cache = 0;
  VmsErrorCode code = VMS_OK;
  PROCESSENTRY32W pe;
  pe.dwSize = sizeof pe;
  for (BOOL more = Process32FirstW(snap, &pe); more; more = Process32NextW(snap, &pe)) {
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 256;
      VmsProcInfo *grown = realloc(list, ncap * sizeof *list);
      if (!grown) {
        code = vms_error_set(err, VMS_ERR_NOMEM, "out of memory listing processes");
        break;
      }
      list = grown;
      cap = ncap;
    }
    VmsProcInfo *p = &list[n];
    memset(p, 0, sizeof *p);
    fill_proc_info(p, &pe, flags, &cache, &n_cache);
    if (!p->cmdline) {
      code = vms_error_set(err, VMS_ERR_NOMEM, "out of memory listing processes");
      break;
    }
    if (p->access == VMS_ERR_NO_PROCESS) {
      /* It exited between the snapshot and the open: not a process any more. */
      free(p->cmdline);
      continue;
    }
    n++;
  }
  CloseHandle(snap);
  for (size_t i = 0; i < n_cache; i++)
    free(cache[i].sid);
  free(cache);
  if (code != VMS_OK) {
    vms_process_list_free(list, n);
    return code;
  }
  *out = list;
  *n_out = n;
  return VMS_OK;
}

void vms_process_list_free(VmsProcInfo *list, size_t n) {
  if (!list)
    return;
  for (size_t i = 0; i < n; i++)
    free(list[i].cmdline);
  free(list);
}

/* ---- clocks ---- */

double vms_time_now(void) {
  FILETIME ft;
  GetSystemTimePreciseAsFileTime(&ft);
  /* 100 ns ticks since 1601 -> seconds since 1970 */
  return (double)(filetime_u64(ft) - UINT64_C(116444736000000000)) / 1e7;
}

/* Windows has no SIGXFSZ: a write past a quota fails with an error already. */
void vms_platform_init(void) {
}

bool vms_file_sync(FILE *f) {
  if (fflush(f) != 0)
    return false;
  HANDLE h = (HANDLE)_get_osfhandle(_fileno(f));
  if (h == INVALID_HANDLE_VALUE || !FlushFileBuffers(h)) {
    errno = EIO;
    return false;
  }
  return true;
}

static bool is_closed_pipe_error(DWORD e) {
  return e == ERROR_NO_DATA || e == ERROR_BROKEN_PIPE || e == ERROR_PIPE_NOT_CONNECTED;
}

int vms_stream_write_errno(FILE *f, int e) {
  if (e == EPIPE || is_closed_pipe_error(GetLastError()))
    return EPIPE;
  /* The error may be an earlier write's: ask the pipe with an empty write. */
  HANDLE h = (HANDLE)_get_osfhandle(_fileno(f));
  DWORD wrote;
  if (h != INVALID_HANDLE_VALUE && GetFileType(h) == FILE_TYPE_PIPE &&
      !WriteFile(h, "", 0, &wrote, NULL) && is_closed_pipe_error(GetLastError()))
    return EPIPE;
  return e;
}

/* rename() on Windows refuses to replace an existing file. A read-only
 * file is one its owner asked to keep: Windows refuses to replace it
 * (ERROR_ACCESS_DENIED), and Wine, whose rename is the host's, would
 * replace it; so it is refused here first, the same on both. */
bool vms_file_replace(const char *from, const char *to) {
  wchar_t wfrom[MAX_PATH * 4], wto[MAX_PATH * 4];
  if (!MultiByteToWideChar(CP_UTF8, 0, from, -1, wfrom, (int)(sizeof wfrom / sizeof *wfrom)) ||
      !MultiByteToWideChar(CP_UTF8, 0, to, -1, wto, (int)(sizeof wto / sizeof *wto))) {
    errno = ENAMETOOLONG;
    return false;
  }
  DWORD attrs = GetFileAttributesW(wto);
  if (attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_READONLY)) {
    errno = EACCES;
    return false;
  }
  if (!MoveFileExW(wfrom, wto, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
    errno = GetLastError() == ERROR_ACCESS_DENIED ? EACCES : EIO;
    return false;
  }
  return true;
}

bool vms_file_seek(FILE *f, uint64_t offset) {
  if (offset > (uint64_t)INT64_MAX) {
    errno = EINVAL;
    return false;
  }
  return _fseeki64(f, (__int64)offset, SEEK_SET) == 0;
}

void vms_file_set_binary(FILE *f) {
  _setmode(_fileno(f), _O_BINARY);
}

double vms_time_monotonic(void) {
  LARGE_INTEGER freq, now;
  QueryPerformanceFrequency(&freq);
  QueryPerformanceCounter(&now);
  return (double)now.QuadPart / (double)freq.QuadPart;
}

/* One row: the list's, found by PID (a process snapshot is the only way to
 * a process's name and parent here). */
VmsErrorCode vms_process_info(int pid, unsigned flags, VmsProcInfo *out, VmsError *err) {
  memset(out, 0, sizeof *out);
  VmsProcInfo *list = NULL;
  size_t n = 0;
  VmsErrorCode code = vms_process_list(flags, &list, &n, err);
  if (code != VMS_OK)
    return code;
  bool found = false;
  for (size_t i = 0; i < n && !found; i++)
    if (list[i].pid == pid) {
      *out = list[i];
      list[i].cmdline = NULL;
      found = true;
    }
  vms_process_list_free(list, n);
  return found ? VMS_OK : vms_error_set(err, VMS_ERR_NO_PROCESS, "no process with PID %d", pid);
}
