/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-win-resources.c: what Explorer reads from vmscope's executables, read with Windows' own
 * calls.
 *
 * For each .exe: the version resource (GetFileVersionInfo, VerQueryValue)
 * names vmscope and the build's version, in the strings and in the fixed
 * numbers; and when the build made the icon, ExtractIconEx finds it and
 * LoadImage gets it at the sizes Explorer and the taskbar ask for, each
 * with colour and a mask, and the 256-pixel one that large icon views use.
 *
 * Usage: test-win-resources VERSION icon|noicon EXE... */
#include "vms-test.h"

#include <windows.h>

#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void wide(const char *s, wchar_t *out, int cap) {
  if (!MultiByteToWideChar(CP_UTF8, 0, s, -1, out, cap))
    out[0] = 0;
}

static void check_version(const char *exe, const char *version) {
  wchar_t path[MAX_PATH];
  wide(exe, path, MAX_PATH);
  DWORD ignored = 0, size = GetFileVersionInfoSizeW(path, &ignored);
  VMS_CHECK_MSG(size > 0, "%s: no version resource (error %lu)", exe,
                (unsigned long)GetLastError());
  if (!size)
    return;
  void *info = malloc(size);
  VMS_CHECK(info && GetFileVersionInfoW(path, 0, size, info));
  if (!info)
    return;
  const char *keys[] = {"ProductName", "ProductVersion", "FileVersion", "OriginalFilename",
                        "FileDescription"};
  const char *base = strrchr(exe, '\\') ? strrchr(exe, '\\') + 1 : exe;
  base = strrchr(base, '/') ? strrchr(base, '/') + 1 : base;
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    wchar_t q[128];
    swprintf(q, 128, L"\\StringFileInfo\\040904B0\\%hs", keys[i]);
    wchar_t *value = NULL;
    UINT len = 0;
    BOOL ok = VerQueryValueW(info, q, (void **)&value, &len);
    VMS_CHECK_MSG(ok && value && len > 0, "%s: no %s", exe, keys[i]);
    if (!ok || !value)
      continue;
    char got[256];
    WideCharToMultiByte(CP_UTF8, 0, value, -1, got, sizeof got, NULL, NULL);
    if (i == 0)
      VMS_CHECK_STR(got, "vmscope");
    else if (i == 1 || i == 2)
      VMS_CHECK_STR(got, version);
    else if (i == 3)
      VMS_CHECK_MSG(_stricmp(got, base) == 0, "%s: OriginalFilename %s", exe, got);
    else
      VMS_CHECK_MSG(strncmp(got, "vmscope", 7) == 0, "%s: FileDescription %s", exe, got);
  }
  VS_FIXEDFILEINFO *fixed = NULL;
  UINT len = 0;
  VMS_CHECK(VerQueryValueW(info, L"\\", (void **)&fixed, &len) && fixed && len >= sizeof *fixed);
  if (fixed) {
    unsigned v0 = 0, v1 = 0, v2 = 0;
    VMS_CHECK(sscanf(version, "%u.%u.%u", &v0, &v1, &v2) == 3);
    VMS_CHECK_U64(fixed->dwSignature, 0xFEEF04BD);
    VMS_CHECK_U64(fixed->dwProductVersionMS, (uint64_t)v0 << 16 | v1);
    VMS_CHECK_U64(fixed->dwProductVersionLS, (uint64_t)v2 << 16);
    VMS_CHECK_U64(fixed->dwFileVersionMS, (uint64_t)v0 << 16 | v1);
    VMS_CHECK_U64(fixed->dwFileType, VFT_APP);
  }
  free(info);
}

static void check_icon(const char *exe) {
  wchar_t path[MAX_PATH];
  wide(exe, path, MAX_PATH);
  UINT n = ExtractIconExW(path, -1, NULL, NULL, 0);
  VMS_CHECK_MSG(n >= 1, "%s: ExtractIconEx finds %u icons", exe, n);
  HMODULE m = LoadLibraryExW(path, NULL, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
  VMS_CHECK_MSG(m != NULL, "%s: cannot be opened for its resources (error %lu)", exe,
                (unsigned long)GetLastError());
  if (!m)
    return;
  const int sizes[] = {16, 24, 32, 48, 256};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    int s = sizes[i];
    HICON icon = LoadImageW(m, MAKEINTRESOURCEW(1), IMAGE_ICON, s, s, 0);
    VMS_CHECK_MSG(icon != NULL, "%s: no %dx%d icon (error %lu)", exe, s, s,
                  (unsigned long)GetLastError());
    if (!icon)
      continue;
    ICONINFO ii;
    VMS_CHECK(GetIconInfo(icon, &ii));
    BITMAP bm = {0};
    VMS_CHECK(ii.hbmColor && GetObjectW(ii.hbmColor, sizeof bm, &bm));
    VMS_CHECK_MSG(bm.bmWidth == s && bm.bmHeight == s, "%s: asked %d, got a %ldx%ld icon", exe, s,
                  (long)bm.bmWidth, (long)bm.bmHeight);
    VMS_CHECK(ii.hbmMask != NULL);
    if (ii.hbmColor)
      DeleteObject(ii.hbmColor);
    if (ii.hbmMask)
      DeleteObject(ii.hbmMask);
    DestroyIcon(icon);
  }
  FreeLibrary(m);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: test-win-resources VERSION icon|noicon EXE...\n");
    return 2;
  }
  for (int i = 3; i < argc; i++) {
    check_version(argv[i], argv[1]);
    if (strcmp(argv[2], "icon") == 0)
      check_icon(argv[i]);
  }
  return vms_test_end();
}
