/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-win-private.h: the pure pieces of the Windows platform layer, exposed so tests can feed them
 * inputs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "vms-platform.h"

/* Which drive letter each volume device is ("\Device\HarddiskVolume3" is
 * "C:"), read once per target: GetMappedFileNameW answers in NT device
 * paths, and a person wants the path Explorer shows. */
typedef struct {
  wchar_t device[26][128];
  wchar_t letter[26];
  size_t n;
} VmsWinDrives;

void vms_win_drives_load(VmsWinDrives *drives);
/* Adds one device -> letter pair (tests build tables by hand). */
void vms_win_drives_add(VmsWinDrives *drives, const wchar_t *device, wchar_t letter);

/* Turns an NT path (\Device\HarddiskVolumeN\..., \??\C:\..., \Device\Mup\...)
 * into an ordinary Win32 path in UTF-8. Returns the length written, or 0 when
 * it does not fit in cap or cannot be converted. */
size_t vms_win_path_from_nt(const VmsWinDrives *drives, const wchar_t *nt, char *out, size_t cap);

/* UTF-16 to UTF-8 into out[cap] (always NUL-terminated); returns the length, 0 on failure. */
size_t vms_win_utf8(const wchar_t *w, size_t wlen, char *out, size_t cap);

/* PAGE_* protection -> VMS_PROT_* bits. */
uint16_t vms_win_prot(uint32_t page_protect);
/* MEM_* state and type -> VMS_OS_MEM_* bits. */
uint16_t vms_win_os_bits(uint32_t state, uint32_t type);

/* The code an OpenProcess failure means (ERROR_INVALID_PARAMETER: no such
 * process; ERROR_ACCESS_DENIED: permission). */
VmsErrorCode vms_win_code_for_open_error(uint32_t win32_error);

/* 1 when the PE image at path is large-address-aware, 0 when not, -1 when it cannot be read. */
int vms_win_image_large_address_aware(const wchar_t *path);

/* SizeOfStackReserve of the PE image at path (the default reserve of its
 * threads' stacks), or 0 when it cannot be read. */
uint64_t vms_win_image_stack_reserve(const wchar_t *path);

/* The highest address + 1 a process may allocate below, by bitness:
 * 64-bit: the system's maximum application address + 1; 32-bit: 2 GB, or
 * 4 GB (less the top 64 KiB) when large-address-aware on a 64-bit system. */
uint64_t vms_win_usable_hi(int bits, int large_address_aware, int os_is_64, uint64_t sys_max_app);

/* vms_target_open, but allow_read = false asks for PROCESS_QUERY_INFORMATION
 * alone: what vmscope falls back to where PROCESS_VM_READ is refused (tests
 * use it to see that path under Wine, which refuses nothing). */
VmsErrorCode vms_win_target_open_access(int pid, bool allow_read, VmsTarget **out, VmsError *err);
