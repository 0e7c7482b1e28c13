/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vmsrec-patch.c: rewrites a recording's format version (with a valid header checksum), for the CLI
 * tests.
 *
 * usage: vmsrec-patch IN OUT MAJOR MINOR. A file from a newer vmscope cannot
 * be written by this one, so the tests make one this way. */
#include <stdio.h>
#include <stdlib.h>

#include "vms-recording.h"

int main(int argc, char **argv) {
  if (argc != 5)
    return 2;
  FILE *in = fopen(argv[1], "rb");
  if (!in)
    return 1;
  static unsigned char buf[1 << 22];
  size_t len = fread(buf, 1, sizeof buf, in);
  fclose(in);
  if (len < 16)
    return 1;
  unsigned major = (unsigned)atoi(argv[3]), minor = (unsigned)atoi(argv[4]);
  buf[8] = (unsigned char)major;
  buf[9] = (unsigned char)(major >> 8);
  buf[10] = (unsigned char)minor;
  buf[11] = (unsigned char)(minor >> 8);
  uint32_t crc = vms_crc32c(0, buf, 12);
  for (int i = 0; i < 4; i++)
    buf[12 + i] = (unsigned char)(crc >> (8 * i));
  FILE *out = fopen(argv[2], "wb");
  if (!out || fwrite(buf, 1, len, out) != len)
    return 1;
  return fclose(out) == 0 ? 0 : 1;
}
