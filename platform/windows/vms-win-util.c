/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-win-util.c: NT path to Win32 path, PAGE_* and MEM_* to vmscope bits, error codes. */
#include "vms-win-private.h"
#include "vms-pe.h"

#include <windows.h>

#include <string.h>
#include <wctype.h>

void vms_win_drives_add(VmsWinDrives *drives, const wchar_t *device, wchar_t letter) {
  if (drives->n >= 26 || wcslen(device) >= 128)
    return;
  wcscpy(drives->device[drives->n], device);
  drives->letter[drives->n] = letter;
  drives->n++;
}

void vms_win_drives_load(VmsWinDrives *drives) {
  drives->n = 0;
  DWORD mask = GetLogicalDrives();
  for (int i = 0; i < 26; i++) {
    if (!(mask & (1u << i)))
      continue;
    wchar_t name[3] = {(wchar_t)(L'A' + i), L':', 0};
    wchar_t target[512];
    /* QueryDosDeviceW answers a list; the first entry is the live one. */
    if (QueryDosDeviceW(name, target, 512) == 0)
      continue;
    vms_win_drives_add(drives, target, name[0]);
  }
}

size_t vms_win_utf8(const wchar_t *w, size_t wlen, char *out, size_t cap) {
  if (cap == 0)
    return 0;
  out[0] = '\0';
  if (wlen == 0)
    return 0;
  if (wlen > INT_MAX || cap > INT_MAX)
    return 0;
  int n = WideCharToMultiByte(CP_UTF8, 0, w, (int)wlen, out, (int)cap - 1, NULL, NULL);
  if (n <= 0) {
    out[0] = '\0';
    return 0;
  }
  out[n] = '\0';
  return (size_t)n;
}

static bool prefix_ci(const wchar_t *s, const wchar_t *prefix) {
  for (; *prefix; s++, prefix++)
    if (towlower(*s) != towlower(*prefix))
      return false;
  return true;
}

size_t vms_win_path_from_nt(const VmsWinDrives *drives, const wchar_t *nt, char *out, size_t cap) {
  wchar_t head[3] = {0};
  const wchar_t *rest = nt;

  if (prefix_ci(nt, L"\\??\\UNC\\") || prefix_ci(nt, L"\\\\?\\UNC\\")) {
    head[0] = L'\\'; /* \??\UNC\server\share -> \\server\share */
    rest = nt + 7;
  } else if (prefix_ci(nt, L"\\??\\") || prefix_ci(nt, L"\\\\?\\")) {
    rest = nt + 4; /* Wine answers \??\C:\...; Windows for some network paths */
  } else if (prefix_ci(nt, L"\\Device\\Mup\\")) {
    head[0] = L'\\';
    rest = nt + 11;
  } else if (prefix_ci(nt, L"\\Device\\LanmanRedirector\\")) {
    head[0] = L'\\';
    rest = nt + 24;
  } else {
    for (size_t i = 0; drives && i < drives->n; i++) {
      size_t dl = wcslen(drives->device[i]);
      if (dl > 0 && prefix_ci(nt, drives->device[i]) && (nt[dl] == L'\\' || nt[dl] == 0)) {
        head[0] = drives->letter[i];
        head[1] = L':';
        rest = nt + dl;
        break;
      }
    }
  }
  size_t hl = wcslen(head), rl = wcslen(rest);
  size_t n = hl ? vms_win_utf8(head, hl, out, cap) : 0;
  if (hl && n == 0)
    return 0;
  size_t m = vms_win_utf8(rest, rl, out + n, cap - n);
  if (rl && m == 0) {
    out[0] = '\0';
    return 0;
  }
  return n + m;
}

uint16_t vms_win_prot(uint32_t p) {
  uint16_t r = 0;
  switch (p & 0xffu) {
  case PAGE_NOACCESS: break;
  case PAGE_READONLY: r = VMS_PROT_READ; break;
  case PAGE_READWRITE: r = VMS_PROT_READ | VMS_PROT_WRITE; break;
  /* Copy-on-write is written "c" where "w" stands: a write makes a private copy. */
  case PAGE_WRITECOPY: r = VMS_PROT_READ | VMS_PROT_COPY; break;
  case PAGE_EXECUTE: r = VMS_PROT_EXEC; break;
  case PAGE_EXECUTE_READ: r = VMS_PROT_READ | VMS_PROT_EXEC; break;
  case PAGE_EXECUTE_READWRITE: r = VMS_PROT_READ | VMS_PROT_WRITE | VMS_PROT_EXEC; break;
  case PAGE_EXECUTE_WRITECOPY: r = VMS_PROT_READ | VMS_PROT_EXEC | VMS_PROT_COPY; break;
  default: break;
  }
  if (p & PAGE_GUARD)
    r |= VMS_PROT_GUARD;
  if (p & PAGE_NOCACHE)
    r |= VMS_PROT_NOCACHE;
  if (p & PAGE_WRITECOMBINE)
    r |= VMS_PROT_WRITECOMBINE;
  return r;
}

uint16_t vms_win_os_bits(uint32_t state, uint32_t type) {
  uint16_t r = 0;
  if (state == MEM_COMMIT)
    r |= VMS_OS_MEM_COMMIT;
  else if (state == MEM_RESERVE)
    r |= VMS_OS_MEM_RESERVE;
  else if (state == MEM_FREE)
    r |= VMS_OS_MEM_FREE;
  if (type == MEM_IMAGE)
    r |= VMS_OS_MEM_IMAGE | VMS_OS_FILE;
  else if (type == MEM_MAPPED)
    r |= VMS_OS_MEM_MAPPED;
  else if (type == MEM_PRIVATE)
    r |= VMS_OS_MEM_PRIVATE;
  return r;
}

VmsErrorCode vms_win_code_for_open_error(uint32_t e) {
  switch (e) {
  case ERROR_INVALID_PARAMETER: return VMS_ERR_NO_PROCESS;
  case ERROR_ACCESS_DENIED: return VMS_ERR_PERMISSION;
  case ERROR_PRIVILEGE_NOT_HELD: return VMS_ERR_PERMISSION;
  case ERROR_NOT_ENOUGH_MEMORY: return VMS_ERR_NOMEM;
  default: return VMS_ERR_INTERNAL;
  }
}

uint64_t vms_win_usable_hi(int bits, int laa, int os_is_64, uint64_t sys_max_app) {
  if (bits == 64)
    return sys_max_app + 1;
  if (laa && os_is_64)
    return 0xffff0000u;
  if (laa && sys_max_app > 0x7ffeffffu && sys_max_app < 0x100000000u)
    return sys_max_app + 1; /* /3GB boot */
  return 0x7fff0000u;
}

/* Reads IMAGE_FILE_LARGE_ADDRESS_AWARE from the image on disk: works with
 * any access right, unlike reading the mapped header. -1 when unknown. The
 * file is the target's to choose, so its header is parsed by vms-pe.c, which
 * checks every offset against what was read. */
int vms_win_image_large_address_aware(const wchar_t *path) {
  HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, OPEN_EXISTING, 0, NULL);
  if (f == INVALID_HANDLE_VALUE)
    return -1;
  unsigned char hdr[1024];
  DWORD got = 0;
  int r = -1;
  if (ReadFile(f, hdr, sizeof hdr, &got, NULL))
    r = vms_pe_large_address_aware(hdr, got);
  CloseHandle(f);
  return r;
}

/* The optional header's SizeOfStackReserve sits at offset 72 in PE32 (4
 * bytes) and PE32+ (8 bytes) alike. */
uint64_t vms_win_image_stack_reserve(const wchar_t *path) {
  const DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
  HANDLE f = CreateFileW(path, GENERIC_READ, share, NULL, OPEN_EXISTING, 0, NULL);
  if (f == INVALID_HANDLE_VALUE)
    return 0;
  unsigned char hdr[1024];
  DWORD got = 0;
  uint64_t r = 0;
  if (ReadFile(f, hdr, sizeof hdr, &got, NULL) && got >= 64 && hdr[0] == 'M' && hdr[1] == 'Z') {
    uint32_t lfanew;
    memcpy(&lfanew, hdr + 0x3c, 4);
    const uint32_t opt = lfanew + 24;
    if (lfanew < got && opt + 80 <= got && memcmp(hdr + lfanew, "PE\0\0", 4) == 0) {
      uint16_t magic;
      memcpy(&magic, hdr + opt, 2);
      if (magic == 0x10b) {
        uint32_t v;
        memcpy(&v, hdr + opt + 72, 4);
        r = v;
      } else if (magic == 0x20b) {
        memcpy(&r, hdr + opt + 72, 8);
      }
    }
  }
  CloseHandle(f);
  return r;
}
