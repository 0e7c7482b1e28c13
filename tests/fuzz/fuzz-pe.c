/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-pe.c: fuzz target for the PE header reader (any file a Windows target names is hostile
 * input). */
#include <stdint.h>
#include <stdlib.h>

#include "vms-pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  VmsPeHeader h;
  bool ok = vms_pe_parse(data, size, &h);
  int laa = vms_pe_large_address_aware(data, size);
  /* What it says it read must lie inside what it was given. */
  if (ok && (h.nt_offset > size || size - h.nt_offset < 24))
    abort();
  if (ok != (laa >= 0))
    abort();
  if (ok && laa != ((h.characteristics & VMS_PE_LARGE_ADDRESS_AWARE) != 0))
    abort();
  if (ok && h.bits != 0 && h.bits != 32 && h.bits != 64)
    abort();
  return 0;
}
