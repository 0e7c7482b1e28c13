/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-pe.h: the few facts vmscope reads from a PE (Windows executable) header, over a buffer.
 *
 * OS-independent, like the maps parser: the Windows layer hands it the first
 * bytes of an image file, and tests and the fuzz target hand it crafted ones.
 * Any file a target names is hostile input, so every offset is checked
 * against the buffer's length before it is read. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* IMAGE_FILE_LARGE_ADDRESS_AWARE in the file header's Characteristics. */
#define VMS_PE_LARGE_ADDRESS_AWARE 0x0020u

typedef struct {
  uint32_t nt_offset;       /* e_lfanew: where "PE\0\0" starts */
  uint16_t machine;         /* IMAGE_FILE_MACHINE_* */
  uint16_t characteristics; /* IMAGE_FILE_* flags */
  int bits; /* 32 (PE32), 64 (PE32+), 0 when the optional header is missing or unknown */
} VmsPeHeader;

/* Reads the DOS header, the NT signature and the file header from the first
 * len bytes of a file. Returns false when they are not all inside buf: not
 * "MZ", e_lfanew past the end, a short file header, no "PE\0\0". */
bool vms_pe_parse(const void *buf, size_t len, VmsPeHeader *out);

/* 1 when the image in buf is large-address-aware, 0 when not, -1 when buf
 * holds no whole PE header. */
int vms_pe_large_address_aware(const void *buf, size_t len);
