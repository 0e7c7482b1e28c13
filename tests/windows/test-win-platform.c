/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-win-platform.c: the Windows platform layer against the helper: regions, threads, heaps,
 * errors.
 *
 * Usage: test-win-platform HELPER.exe HELPER-DLL.dll */
#include "vms-platform.h"
#include "vms-test.h"
#include "vms-win-private.h"
#include "vms-win-spawn.h"

#include <inttypes.h>
#include <wctype.h>

static const VmsRegion *region_at(const VmsSpace *s, uint64_t addr) {
  for (size_t i = 0; i < s->n_regions; i++)
    if (s->regions[i].start <= addr && addr < s->regions[i].end)
      return &s->regions[i];
  return NULL;
}

static bool path_eq(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    char ca = *a == '/' ? '\\' : *a, cb = *b == '/' ? '\\' : *b;
    if (towlower((unsigned char)ca) != towlower((unsigned char)cb))
      return false;
  }
  return *a == *b;
}

/* Writes len bytes of a crafted image header to a temporary file and asks
 * vms_win_image_large_address_aware about it. */
static int laa_of_file(const unsigned char *bytes, DWORD len) {
  wchar_t dir[MAX_PATH], path[MAX_PATH];
  if (!GetTempPathW(MAX_PATH, dir) || !GetTempFileNameW(dir, L"vms", 0, path))
    return -2;
  HANDLE f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
  if (f == INVALID_HANDLE_VALUE)
    return -2;
  DWORD put = 0;
  BOOL ok = WriteFile(f, bytes, len, &put, NULL) && put == len;
  CloseHandle(f);
  int r = ok ? vms_win_image_large_address_aware(path) : -2;
  DeleteFileW(path);
  return r;
}

/* A file the target names is the target's to craft: an e_lfanew near 4 GiB
 * (lfanew + 24 wraps to a small number) or a header cut short is unknown,
 * never a read outside what was read. */
static void test_crafted_images(void) {
  unsigned char b[512];
  memset(b, 0, sizeof b);
  b[0] = 'M';
  b[1] = 'Z';
  b[0x3c] = 0x80;
  memcpy(b + 0x80, "PE\0\0", 4);
  b[0x80 + 4 + 18] = IMAGE_FILE_LARGE_ADDRESS_AWARE | IMAGE_FILE_EXECUTABLE_IMAGE;
  VMS_CHECK_U64(laa_of_file(b, sizeof b), 1);
  b[0x80 + 4 + 18] = IMAGE_FILE_EXECUTABLE_IMAGE;
  VMS_CHECK_U64(laa_of_file(b, sizeof b), 0);
  VMS_CHECK_U64(laa_of_file(b, 0x80 + 23), (uint64_t)-1);
  static const uint32_t hostile[] = {0xffffffe8u, 0xfffffff0u, 0xffffffffu, 0x80000000u};
  for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
    memcpy(b + 0x3c, &hostile[i], 4);
    VMS_CHECK_MSG(laa_of_file(b, sizeof b) == -1, "e_lfanew %#x", hostile[i]);
  }
}

static void test_pure(void) {
  VmsWinDrives d = {0};
  vms_win_drives_add(&d, L"\\Device\\HarddiskVolume3", L'C');
  vms_win_drives_add(&d, L"\\Device\\HarddiskVolume12", L'E');
  char out[512];
  VMS_CHECK(vms_win_path_from_nt(&d, L"\\Device\\HarddiskVolume3\\Windows\\System32\\ntdll.dll",
                                 out, sizeof out));
  VMS_CHECK_STR(out, "C:\\Windows\\System32\\ntdll.dll");
  /* HarddiskVolume1 must not match HarddiskVolume12's prefix and vice versa. */
  vms_win_path_from_nt(&d, L"\\Device\\HarddiskVolume12\\data\\x.bin", out, sizeof out);
  VMS_CHECK_STR(out, "E:\\data\\x.bin");
  vms_win_path_from_nt(&d, L"\\Device\\HarddiskVolume1\\y", out, sizeof out);
  VMS_CHECK_STR(out, "\\Device\\HarddiskVolume1\\y");
  vms_win_path_from_nt(&d, L"\\??\\Z:\\tmp\\a b.dat", out, sizeof out);
  VMS_CHECK_STR(out, "Z:\\tmp\\a b.dat");
  vms_win_path_from_nt(&d, L"\\??\\UNC\\srv\\share\\f.dll", out, sizeof out);
  VMS_CHECK_STR(out, "\\\\srv\\share\\f.dll");
  vms_win_path_from_nt(&d, L"\\Device\\Mup\\srv\\share\\f.dll", out, sizeof out);
  VMS_CHECK_STR(out, "\\\\srv\\share\\f.dll");
  vms_win_path_from_nt(&d, L"\\??\\C:\\caf\x00e9.dll", out, sizeof out);
  VMS_CHECK_STR(out, "C:\\caf\xc3\xa9.dll");
  VMS_CHECK(vms_win_path_from_nt(&d, L"\\??\\C:\\long name", out, 8) == 0);

  VMS_CHECK_U64(vms_win_prot(PAGE_NOACCESS), 0);
  VMS_CHECK_U64(vms_win_prot(PAGE_READWRITE | PAGE_GUARD),
                VMS_PROT_READ | VMS_PROT_WRITE | VMS_PROT_GUARD);
  VMS_CHECK_U64(vms_win_prot(PAGE_EXECUTE_WRITECOPY),
                VMS_PROT_READ | VMS_PROT_EXEC | VMS_PROT_COPY);
  VMS_CHECK_U64(vms_win_prot(PAGE_WRITECOPY), VMS_PROT_READ | VMS_PROT_COPY);
  VMS_CHECK_U64(vms_win_prot(PAGE_READONLY | PAGE_NOCACHE), VMS_PROT_READ | VMS_PROT_NOCACHE);
  VMS_CHECK_U64(vms_win_os_bits(MEM_RESERVE, MEM_PRIVATE), VMS_OS_MEM_RESERVE | VMS_OS_MEM_PRIVATE);
  VMS_CHECK_U64(vms_win_os_bits(MEM_FREE, 0), VMS_OS_MEM_FREE);

  VMS_CHECK_U64(vms_win_code_for_open_error(ERROR_INVALID_PARAMETER), VMS_ERR_NO_PROCESS);
  VMS_CHECK_U64(vms_win_code_for_open_error(ERROR_ACCESS_DENIED), VMS_ERR_PERMISSION);

  /* The flag read from our own image on disk, against the loaded header. */
  wchar_t self[MAX_PATH];
  GetModuleFileNameW(NULL, self, MAX_PATH);
  const unsigned char *base = (const unsigned char *)GetModuleHandleW(NULL);
  const IMAGE_NT_HEADERS *nt =
      (const IMAGE_NT_HEADERS *)(base + ((const IMAGE_DOS_HEADER *)base)->e_lfanew);
  VMS_CHECK_U64(vms_win_image_large_address_aware(self),
                (nt->FileHeader.Characteristics & IMAGE_FILE_LARGE_ADDRESS_AWARE) ? 1 : 0);
  VMS_CHECK_U64(vms_win_image_large_address_aware(L"Z:\\no\\such\\file.exe"), (uint64_t)-1);
  test_crafted_images();

  VMS_CHECK_U64(vms_win_usable_hi(32, 0, 1, 0x7fffffeffffull), 0x7fff0000u);
  VMS_CHECK_U64(vms_win_usable_hi(32, 1, 1, 0x7fffffeffffull), 0xffff0000u);
  VMS_CHECK_U64(vms_win_usable_hi(32, 1, 0, 0x7ffeffffu), 0x7fff0000u);
  VMS_CHECK_U64(vms_win_usable_hi(64, 1, 1, 0x7ffffffeffffull), 0x7fffffff0000ull);
}

static void check_sorted(const VmsSpace *s) {
  for (size_t i = 0; i < s->n_regions; i++) {
    VMS_CHECK_MSG(s->regions[i].start < s->regions[i].end, "region %zu is empty", i);
    if (i)
      VMS_CHECK_MSG(s->regions[i - 1].end <= s->regions[i].start, "regions %zu and %zu overlap",
                    i - 1, i);
  }
}

/* vmscope's raw regions against the helper's own VirtualQuery walk of
 * itself, region for region: base, size, state, type, protection and
 * allocation base; free space only inside the usable range, as vmscope
 * keeps it. */
static void check_walk(const VmsSpace *s, const VmsHelper *h) {
  VMS_CHECK_MSG(h->n_walk > 10, "the helper printed %zu regions of its walk", h->n_walk);
  size_t want = 0, mismatches = 0;
  for (size_t k = 0; k < h->n_walk; k++) {
    const VmsWalkRegion *w = &h->walk[k];
    uint64_t start = w->base, end = w->base + w->size;
    uint16_t os = vms_win_os_bits(w->state, w->type), prot = 0;
    if (w->state == MEM_FREE) {
      if (start < s->usable_lo)
        start = s->usable_lo;
      if (end > s->usable_hi)
        end = s->usable_hi;
      if (start >= end)
        continue;
    } else if (w->state == MEM_COMMIT) {
      prot = vms_win_prot(w->protect);
      if (w->type == MEM_MAPPED && !(prot & VMS_PROT_COPY))
        prot |= VMS_PROT_SHARED;
    }
    want++;
    const VmsRegion *r = region_at(s, start);
    bool same =
        r && r->start == start && r->end == end &&
        (r->os & (VMS_OS_MEM_COMMIT | VMS_OS_MEM_RESERVE | VMS_OS_MEM_FREE | VMS_OS_MEM_IMAGE |
                  VMS_OS_MEM_MAPPED | VMS_OS_MEM_PRIVATE)) == (os & ~VMS_OS_FILE) &&
        (w->state == MEM_FREE || (r->prot == prot && r->alloc_base == w->alloc_base));
    if (!same && mismatches++ < 5)
      VMS_CHECK_MSG(false,
                    "the helper's region [0x%" PRIx64 ", 0x%" PRIx64
                    ") state 0x%x protect 0x%x type 0x%x base 0x%" PRIx64 " is read as [0x%" PRIx64
                    ", 0x%" PRIx64 ") os 0x%x prot 0x%x base 0x%" PRIx64,
                    start, end, (unsigned)w->state, (unsigned)w->protect, (unsigned)w->type,
                    w->alloc_base, r ? r->start : 0, r ? r->end : 0, r ? (unsigned)r->os : 0,
                    r ? (unsigned)r->prot : 0, r ? r->alloc_base : 0);
  }
  VMS_CHECK_MSG(mismatches == 0, "%zu of the helper's regions read otherwise", mismatches);
  VMS_CHECK_U64(s->n_regions, want);
}

static bool in_some_stack(const VmsSpace *s, uint64_t addr) {
  for (size_t i = 0; i < s->n_threads; i++)
    if (s->threads[i].range_known && s->threads[i].stack.start <= addr &&
        addr < s->threads[i].stack.end)
      return true;
  return false;
}

/* The helper's resident pages per region (--residency): what its own
 * QueryWorkingSetEx says of its partly written reservation where this
 * system answers for another process, else every counter unread and the
 * note saying why. */
static void check_residency(VmsTarget *t, VmsSpace *s, const VmsHelper *h) {
  VmsError err;
  VMS_CHECK_MSG(vms_target_read(t, VMS_READ_RESIDENCY, s, &err) == VMS_OK, "%s", err.message);
  const uint64_t addr = vms_helper_addr(h, "resident");
  const long touched = strtol(vms_helper_get(h, "resident_touched"), NULL, 10);
  const long self = strtol(vms_helper_get(h, "resident_self"), NULL, 10);
  /* The helper's own view: the pages it wrote and no others. */
  VMS_CHECK_U64((uint64_t)self, (uint64_t)touched);
  const VmsRegion *r = region_at(s, addr);
  VMS_CHECK(r && r->start == addr && r->end == addr + 256 * 4096);
  VMS_CHECK((s->fields & (VMS_FIELD_COUNTERS | VMS_FIELD_RESIDENCY)) ==
            (VMS_FIELD_COUNTERS | VMS_FIELD_RESIDENCY));
  if (!r || !s->counters)
    return;
  const VmsCounters *c = &s->counters[r - s->regions];
  DWORD refused;
  if (vms_win_answers_working_set(h->pid, addr, &refused)) {
    VMS_CHECK(c->mask & VMS_CTR_RSS);
    VMS_CHECK_U64(c->rss, (uint64_t)self);
    VMS_CHECK(strstr(s->note, "resident pages not read") == NULL);
  } else {
    printf("QueryWorkingSetEx of another process refused here (error %lu): checking that "
           "vmscope says so\n",
           (unsigned long)refused);
    size_t read = 0;
    for (size_t i = 0; i < s->n_regions; i++)
      read += (s->counters[i].mask & VMS_CTR_RSS) != 0;
    VMS_CHECK_U64(read, 0);
    VMS_CHECK_MSG(strstr(s->note, "resident pages not read: QueryWorkingSetEx refused ("),
                  "note: %s", s->note);
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    if (ntdll && GetProcAddress(ntdll, "wine_get_version"))
      VMS_CHECK_MSG(strstr(s->note, "only for a process's own pages"), "note: %s", s->note);
  }
}

/* Our own resident pages through vmscope (the calling process is the one
 * QueryWorkingSetEx answers for everywhere): a committed reservation larger
 * than one batch of queries, written at known pages on both sides of a
 * batch's end, must read as exactly those pages, as our own query says. */
static void test_residency_self(void) {
  enum { PAGES = 5000 };
  const SIZE_T page = 4096;
  char *p = VirtualAlloc(NULL, PAGES * page, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  char *reserved = VirtualAlloc(NULL, 16 * page, MEM_RESERVE, PAGE_NOACCESS);
  VMS_CHECK(p && reserved);
  if (!p || !reserved)
    return;
  static const int touched[] = {0, 5, 4095, 4096, 4097, PAGES - 1};
  for (size_t i = 0; i < sizeof touched / sizeof *touched; i++)
    p[touched[i] * page] = 1;
  static PSAPI_WORKING_SET_EX_INFORMATION ws[PAGES];
  for (int i = 0; i < PAGES; i++)
    ws[i].VirtualAddress = p + i * page;
  uint64_t own = 0;
  VMS_CHECK(QueryWorkingSetEx(GetCurrentProcess(), ws, sizeof ws));
  for (int i = 0; i < PAGES; i++)
    own += ws[i].VirtualAttributes.Valid ? page : 0;
  VMS_CHECK_U64(own, sizeof touched / sizeof *touched * page);

  VmsError err;
  VmsTarget *t = NULL;
  VMS_CHECK_MSG(vms_target_open((int)GetCurrentProcessId(), &t, &err) == VMS_OK, "%s", err.message);
  if (!t)
    return;
  VmsSpace s;
  vms_space_init(&s);
  VMS_CHECK_MSG(vms_target_read(t, VMS_READ_RESIDENCY, &s, &err) == VMS_OK, "%s", err.message);
  VMS_CHECK(s.fields & VMS_FIELD_RESIDENCY);
  const VmsRegion *r = region_at(&s, (uint64_t)(uintptr_t)p);
  const VmsRegion *q = region_at(&s, (uint64_t)(uintptr_t)reserved);
  VMS_CHECK(r && r->start == (uint64_t)(uintptr_t)p && r->end == r->start + PAGES * page);
  VMS_CHECK(q != NULL);
  if (r && q && s.counters) {
    const VmsCounters *c = &s.counters[r - s.regions], *cq = &s.counters[q - s.regions];
    VMS_CHECK_MSG(c->mask & VMS_CTR_RSS, "note: %s", s.note);
    VMS_CHECK_U64(c->rss, own);
    VMS_CHECK_U64(c->huge, 0);
    /* Reserved: no page, known. */
    VMS_CHECK(cq->mask & VMS_CTR_RSS);
    VMS_CHECK_U64(cq->rss, 0);
  }
  vms_space_clear(&s);
  vms_target_close(t);
  VirtualFree(p, 0, MEM_RELEASE);
  VirtualFree(reserved, 0, MEM_RELEASE);
}

static void test_live(const char *helper_exe, const char *dll) {
  VmsHelper h;
  if (!vms_helper_start(&h, helper_exe, dll)) {
    VMS_CHECK_MSG(false, "cannot start %s", helper_exe);
    return;
  }
  VmsError err;
  vms_error_clear(&err);
  VmsTarget *t = NULL;
  VMS_CHECK_MSG(vms_target_open((int)h.pid, &t, &err) == VMS_OK, "%s", err.message);
  if (!t) {
    vms_helper_stop(&h);
    return;
  }
  VMS_CHECK_U64(vms_target_pid(t), h.pid);
  /* Not the helper under a neighbouring number (Windows drops a PID's low bits). */
  VmsTarget *t1 = NULL;
  VMS_CHECK_U64(vms_target_open((int)h.pid + 1, &t1, &err), VMS_ERR_NO_PROCESS);
  VMS_CHECK(t1 == NULL);
  VmsSpace s;
  vms_space_init(&s);
  VmsErrorCode code = vms_target_read(t, VMS_READ_THREADS | VMS_READ_COUNTERS, &s, &err);
  VMS_CHECK_MSG(code == VMS_OK, "%s", err.message);
  if (code == VMS_OK) {
    check_sorted(&s);
    VMS_CHECK_U64(s.pid, h.pid);
    VMS_CHECK_STR(s.name, "vms-win-helper.exe");
    VMS_CHECK_U64(s.bits, strtoul(vms_helper_get(&h, "bits"), NULL, 10));
    VMS_CHECK_U64(s.alloc_granularity, 65536);
    VMS_CHECK_U64(s.page_size, 4096);
    VMS_CHECK_U64(s.usable_lo, 0x10000);
    /* A 32-bit helper is not large-address-aware: 2 GB less the top 64 KiB. */
    if (s.bits == 32)
      VMS_CHECK_U64(s.usable_hi, 0x7fff0000u);
    else
      VMS_CHECK(s.usable_hi > UINT64_C(0x100000000));
    VMS_CHECK(s.fields & VMS_FIELD_OS_TYPE);
    VMS_CHECK(s.fields & VMS_FIELD_THREADS);
    VMS_CHECK(s.fields & VMS_FIELD_HEAPS);
    printf("note: \"%s\"\n", s.note);

    uint64_t a = vms_helper_addr(&h, "reserved");
    const VmsRegion *r = region_at(&s, a);
    VMS_CHECK(r && r->start == a && r->end == a + (1 << 20));
    VMS_CHECK(r && r->os == (VMS_OS_MEM_PRIVATE | VMS_OS_MEM_RESERVE));
    VMS_CHECK(r && r->alloc_base == a && r->prot == 0);

    a = vms_helper_addr(&h, "committed");
    r = region_at(&s, a);
    VMS_CHECK(r && r->start == a && r->end == a + 0x10000);
    VMS_CHECK(r && r->os == (VMS_OS_MEM_PRIVATE | VMS_OS_MEM_COMMIT));
    VMS_CHECK(r && r->prot == (VMS_PROT_READ | VMS_PROT_WRITE));
    VMS_CHECK(r && r->alloc_prot == (VMS_PROT_READ | VMS_PROT_WRITE));
    r = region_at(&s, vms_helper_addr(&h, "guard"));
    VMS_CHECK(r && r->prot == (VMS_PROT_READ | VMS_PROT_WRITE | VMS_PROT_GUARD) &&
              r->end - r->start == 0x1000);
    VMS_CHECK(r && r->alloc_base == a);

    a = vms_helper_addr(&h, "partial");
    r = region_at(&s, a);
    VMS_CHECK(r && r->end == a + 0x10000 && (r->os & VMS_OS_MEM_COMMIT) &&
              r->prot == VMS_PROT_READ);
    r = region_at(&s, a + 0x10000);
    VMS_CHECK(r && r->end == a + (1 << 20) && (r->os & VMS_OS_MEM_RESERVE) && r->alloc_base == a);

    r = region_at(&s, vms_helper_addr(&h, "rwx"));
    VMS_CHECK(r && r->prot == (VMS_PROT_READ | VMS_PROT_WRITE | VMS_PROT_EXEC));

    /* One page reserved: the reservation is that page, at a granule
     * boundary, and nothing else can be reserved in the rest of the
     * granule (ERROR_INVALID_ADDRESS). Windows reports that rest MEM_FREE;
     * 32-bit Wine reports free space outside its own reserved areas
     * MEM_RESERVE, as an allocation of its own. Either way it is not part
     * of this reservation, and vmscope reads it as the helper does. */
    a = vms_helper_addr(&h, "small");
    VMS_CHECK_U64(a & 0xffff, 0);
    r = region_at(&s, a);
    VMS_CHECK(r && r->start == a && r->end == a + 0x1000 && r->alloc_base == a);
    VMS_CHECK(r && r->os == (VMS_OS_MEM_PRIVATE | VMS_OS_MEM_RESERVE));
    VMS_CHECK_STR(vms_helper_get(&h, "small_again_error"), "487");
    r = region_at(&s, a + 0x1000);
    VMS_CHECK(r && r->start == a + 0x1000 && r->alloc_base != a);
    check_walk(&s, &h);

    r = region_at(&s, vms_helper_addr(&h, "mapped"));
    VMS_CHECK(r && (r->os & VMS_OS_MEM_MAPPED) && (r->os & VMS_OS_FILE));
    VMS_CHECK_MSG(
        r && path_eq(vms_name_pool_get(&s.names, r->name), vms_helper_get(&h, "mapped_path")),
        "mapped name \"%s\"", r ? vms_name_pool_get(&s.names, r->name) : "?");

    r = region_at(&s, vms_helper_addr(&h, "shareable"));
    VMS_CHECK(r && (r->os & VMS_OS_MEM_MAPPED) && r->name == 0 && (r->prot & VMS_PROT_SHARED));

    r = region_at(&s, vms_helper_addr(&h, "dll"));
    VMS_CHECK(r && (r->os & VMS_OS_MEM_IMAGE));
    VMS_CHECK_MSG(r &&
                      path_eq(vms_name_pool_get(&s.names, r->name), vms_helper_get(&h, "dll_path")),
                  "dll name \"%s\"", r ? vms_name_pool_get(&s.names, r->name) : "?");

    /* The helper's main thread plus its three. */
    VMS_CHECK(s.n_threads >= 4);
    VMS_CHECK(in_some_stack(&s, vms_helper_addr(&h, "main_stack")));
    for (int i = 0; i < 3; i++) {
      char key[32];
      snprintf(key, sizeof key, "thread_stack%d", i);
      VMS_CHECK_MSG(in_some_stack(&s, vms_helper_addr(&h, key)), "%s", key);
    }
    uint64_t heap = vms_helper_addr(&h, "heap");
    bool heap_found = false;
    for (size_t i = 0; i < s.n_heaps; i++)
      heap_found |= s.heaps[i].start <= heap && heap < s.heaps[i].end;
    VMS_CHECK(heap_found);
    /* Every segment of the grown process heap, and its large block (an
     * allocation of its own), are heap allocations too. */
    int n_seg = atoi(vms_helper_get(&h, "heap_segments"));
    VMS_CHECK_MSG(n_seg >= 2, "the helper's process heap has %d segments", n_seg);
    for (int k = 0; k <= n_seg; k++) {
      char key[32];
      if (k < n_seg)
        snprintf(key, sizeof key, "heap_segment%d", k);
      else
        snprintf(key, sizeof key, "heap_large");
      uint64_t at = vms_helper_addr(&h, key);
      bool in_heap = false;
      for (size_t i = 0; i < s.n_heaps; i++)
        in_heap |= s.heaps[i].start <= at && at < s.heaps[i].end;
      VMS_CHECK_MSG(in_heap, "%s (0x%" PRIx64 ") is in no heap", key, at);
    }

    /* The PEB and each TEB are named, as System Informer's Use column does. */
    r = region_at(&s, vms_helper_addr(&h, "peb"));
    VMS_CHECK_MSG(r && strstr(vms_name_pool_get(&s.names, r->name), "PEB"),
                  "the PEB's region is \"%s\"", r ? vms_name_pool_get(&s.names, r->name) : "?");
    for (int k = -1; k < 3; k++) {
      char key[32], tid_key[32], want[48];
      snprintf(key, sizeof key, k < 0 ? "main_teb" : "thread_teb%d", k);
      snprintf(tid_key, sizeof tid_key, k < 0 ? "main_tid" : "thread_tid%d", k);
      snprintf(want, sizeof want, "TEB of thread %s", vms_helper_get(&h, tid_key));
      r = region_at(&s, vms_helper_addr(&h, key));
      const char *name = r ? vms_name_pool_get(&s.names, r->name) : "?";
      const char *hit = strstr(name, want);
      VMS_CHECK_MSG(hit && (hit[strlen(want)] == '\0' || hit[strlen(want)] == ','),
                    "%s's region is \"%s\"", key, name);
    }

    VMS_CHECK(s.fields & VMS_FIELD_ROLLUP);
    /* The committed block was written to: resident, where it is read. */
    size_t i = (size_t)(region_at(&s, vms_helper_addr(&h, "committed")) - s.regions);
    VMS_CHECK(s.fields & VMS_FIELD_COUNTERS);
    if (s.counters[i].mask & VMS_CTR_RSS)
      VMS_CHECK(s.counters[i].rss > 0);
    else
      VMS_CHECK_MSG(strstr(s.note, "resident pages not read"), "note: %s", s.note);
  }
  check_residency(t, &s, &h);

  /* Opened without PROCESS_VM_READ: the regions and their types still, no
   * stacks or heaps, and the note says so. */
  VmsTarget *tq = NULL;
  VMS_CHECK_MSG(vms_win_target_open_access((int)h.pid, false, &tq, &err) == VMS_OK, "%s",
                err.message);
  if (tq) {
    VmsSpace q;
    vms_space_init(&q);
    VMS_CHECK_MSG(vms_target_read(tq, VMS_READ_THREADS, &q, &err) == VMS_OK, "%s", err.message);
    check_sorted(&q);
    VMS_CHECK(q.fields & VMS_FIELD_OS_TYPE);
    VMS_CHECK(!(q.fields & VMS_FIELD_THREADS) && q.n_threads == 0);
    VMS_CHECK(!(q.fields & VMS_FIELD_HEAPS) && q.n_heaps == 0);
    VMS_CHECK(strstr(q.note, "without read access") != NULL);
    VMS_CHECK_U64(q.n_regions, s.n_regions);
    const VmsRegion *rq = region_at(&q, vms_helper_addr(&h, "partial") + 0x10000);
    VMS_CHECK(rq && rq->os == (VMS_OS_MEM_PRIVATE | VMS_OS_MEM_RESERVE));
    rq = region_at(&q, vms_helper_addr(&h, "shareable"));
    VMS_CHECK(rq && (rq->os & VMS_OS_MEM_MAPPED) && (rq->os & VMS_OS_MEM_COMMIT));
    vms_space_clear(&q);
    vms_target_close(tq);
  }

  /* In the process list, readable. */
  VmsProcInfo *list = NULL;
  size_t n = 0;
  VMS_CHECK_MSG(vms_process_list(VMS_LIST_COUNT_MAPS, &list, &n, &err) == VMS_OK, "%s",
                err.message);
  bool listed = false;
  for (size_t i = 0; i < n; i++) {
    if (list[i].pid != (int)h.pid)
      continue;
    listed = true;
    VMS_CHECK_STR(list[i].name, "vms-win-helper.exe");
    VMS_CHECK_U64(list[i].access, VMS_OK);
    VMS_CHECK(list[i].bits == (int)s.bits);
    VMS_CHECK(list[i].n_maps > 10);
    VMS_CHECK_MSG(list[i].cmdline && strstr(list[i].cmdline, "vms-win-helper-dll"),
                  "cmdline \"%s\"", list[i].cmdline ? list[i].cmdline : "(null)");
    VMS_CHECK(list[i].vsize > (1u << 20));
  }
  VMS_CHECK(listed);
  vms_process_list_free(list, n);

  /* Exited: the handle is kept by the test, so the PID is not reused; the read must fail as GONE.
   */
  HANDLE keep;
  DuplicateHandle(GetCurrentProcess(), h.process, GetCurrentProcess(), &keep, 0, FALSE,
                  DUPLICATE_SAME_ACCESS);
  vms_helper_stop(&h);
  VMS_CHECK_U64(vms_target_read(t, VMS_READ_THREADS, &s, &err), VMS_ERR_GONE);
  VMS_CHECK_U64(err.code, VMS_ERR_GONE);
  VmsTarget *t2 = NULL;
  VMS_CHECK_U64(vms_target_open((int)h.pid, &t2, &err), VMS_ERR_GONE);
  VMS_CHECK(t2 == NULL);
  CloseHandle(keep);
  vms_target_close(t);
  vms_space_clear(&s);
}

/* The large-address-aware helper: 4 GB (less 64 KiB) for a 32-bit process on
 * a 64-bit system, the system's range for a 64-bit one. */
static void test_large_address_aware(const char *helper_exe, const char *dll) {
  VmsHelper h;
  if (!vms_helper_start(&h, helper_exe, dll)) {
    VMS_CHECK_MSG(false, "cannot start %s", helper_exe);
    return;
  }
  VmsError err;
  VmsTarget *t = NULL;
  VMS_CHECK_MSG(vms_target_open((int)h.pid, &t, &err) == VMS_OK, "%s", err.message);
  if (t) {
    VmsSpace s;
    vms_space_init(&s);
    VMS_CHECK_MSG(vms_target_read(t, 0, &s, &err) == VMS_OK, "%s", err.message);
    BOOL self_wow = FALSE;
    IsWow64Process(GetCurrentProcess(), &self_wow);
    bool os64 = sizeof(void *) == 8 || self_wow;
    if (s.bits == 32)
      VMS_CHECK_U64(s.usable_hi, os64 ? 0xffff0000u : 0x7fff0000u);
    else
      VMS_CHECK(s.usable_hi > UINT64_C(0x100000000));
    vms_space_clear(&s);
    vms_target_close(t);
  }
  vms_helper_stop(&h);
}

int main(int argc, char **argv) {
  test_pure();

  VmsError err;
  VmsTarget *t = NULL;
  /* PIDs are multiples of 4 on Windows; this one is never handed out. */
  VMS_CHECK_U64(vms_target_open(0x7ffffff1, &t, &err), VMS_ERR_NO_PROCESS);
  VMS_CHECK(strstr(err.message, "no process with PID") != NULL);
  VMS_CHECK_U64(vms_target_open(0, &t, &err), VMS_ERR_NO_ADDRESS_SPACE);

  /* Our own process: the walk covers the usable range. */
  VMS_CHECK_MSG(vms_target_open((int)GetCurrentProcessId(), &t, &err) == VMS_OK, "%s", err.message);
  if (t) {
    VmsSpace s;
    vms_space_init(&s);
    VMS_CHECK_MSG(vms_target_read(t, VMS_READ_THREADS, &s, &err) == VMS_OK, "%s", err.message);
    check_sorted(&s);
    int local = 0;
    const VmsRegion *r = region_at(&s, (uint64_t)(uintptr_t)&local);
    VMS_CHECK(r && (r->os & VMS_OS_MEM_PRIVATE) && (r->os & VMS_OS_MEM_COMMIT));
    VMS_CHECK(in_some_stack(&s, (uint64_t)(uintptr_t)&local));
    vms_space_clear(&s);
    vms_target_close(t);
  }
  test_residency_self();
  VMS_CHECK(vms_time_now() > 1.6e9);
  double m0 = vms_time_monotonic();
  VMS_CHECK(vms_time_monotonic() >= m0);

  if (argc == 4) {
    test_live(argv[1], argv[2]);
    test_large_address_aware(argv[3], argv[2]);
  } else {
    VMS_CHECK_MSG(false, "usage: test-win-platform HELPER.exe HELPER-DLL.dll HELPER-LAA.exe");
  }
  return vms_test_end();
}
