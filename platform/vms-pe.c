/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-pe.c: PE header facts over a buffer; every offset checked against the length by subtraction.
 */
#include "vms-pe.h"

#include <string.h>

enum {
  DOS_HEADER = 64,   /* IMAGE_DOS_HEADER */
  DOS_LFANEW = 0x3c, /* its e_lfanew */
  NT_SIGNATURE = 4,  /* "PE\0\0" */
  FILE_HEADER = 20,  /* IMAGE_FILE_HEADER */
  FH_MACHINE = 0,
  FH_OPT_SIZE = 16, /* SizeOfOptionalHeader */
  FH_CHARACTERISTICS = 18,
  OPT_MAGIC_SIZE = 2, /* the optional header's Magic */
};

/* Little-endian whatever the host, and no unaligned loads. */
static uint16_t le16(const unsigned char *p) {
  return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool vms_pe_parse(const void *buf, size_t len, VmsPeHeader *out) {
  const unsigned char *b = buf;
  memset(out, 0, sizeof *out);
  if (!b || len < DOS_HEADER || b[0] != 'M' || b[1] != 'Z')
    return false;
  uint32_t lfanew = le32(b + DOS_LFANEW);
  /* lfanew is 32 bits from the file: compare by subtraction, never lfanew + n. */
  if (lfanew > len || len - lfanew < NT_SIGNATURE + FILE_HEADER)
    return false;
  const unsigned char *nt = b + lfanew;
  if (memcmp(nt, "PE\0\0", NT_SIGNATURE) != 0)
    return false;
  const unsigned char *fh = nt + NT_SIGNATURE;
  out->nt_offset = lfanew;
  out->machine = le16(fh + FH_MACHINE);
  out->characteristics = le16(fh + FH_CHARACTERISTICS);
  size_t opt_at = (size_t)lfanew + NT_SIGNATURE + FILE_HEADER; /* <= len, checked above */
  if (le16(fh + FH_OPT_SIZE) >= OPT_MAGIC_SIZE && len - opt_at >= OPT_MAGIC_SIZE) {
    uint16_t magic = le16(b + opt_at);
    out->bits = magic == 0x10b ? 32 : magic == 0x20b ? 64 : 0;
  }
  return true;
}

int vms_pe_large_address_aware(const void *buf, size_t len) {
  VmsPeHeader h;
  if (!vms_pe_parse(buf, len, &h))
    return -1;
  return (h.characteristics & VMS_PE_LARGE_ADDRESS_AWARE) ? 1 : 0;
}
