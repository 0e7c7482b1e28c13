/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pe.c: the PE header reader on crafted buffers: hostile e_lfanew, truncation, PE32 and PE32+,
 * the LAA flag. */
#include <stdlib.h>
#include <string.h>

#include "vms-pe.h"
#include "vms-test.h"

enum { CAP = 1024 };

static void put16(unsigned char *p, unsigned v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

/* A header as a linker writes it: "MZ", e_lfanew, "PE\0\0", the file header,
 * the optional header's magic (0 writes no optional header). Only what fits
 * in cap is written. */
static void craft(unsigned char *b, size_t cap, uint32_t lfanew, uint16_t machine,
                  uint16_t characteristics, uint16_t magic) {
  memset(b, 0, cap);
  b[0] = 'M';
  b[1] = 'Z';
  put32(b + 0x3c, lfanew);
  if (lfanew > cap || cap - lfanew < 24)
    return;
  memcpy(b + lfanew, "PE\0\0", 4);
  put16(b + lfanew + 4, machine);
  put16(b + lfanew + 4 + 16, magic ? (magic == 0x20b ? 0xf0 : 0xe0) : 0);
  put16(b + lfanew + 4 + 18, characteristics);
  if (magic && cap - lfanew >= 26)
    put16(b + lfanew + 24, magic);
}

/* Parses the first len bytes of b from an exact-size copy, so that a read
 * past len is a read past the allocation (ASan reports it). */
static bool parse_exact(const unsigned char *b, size_t len, VmsPeHeader *h, int *laa) {
  unsigned char *copy = malloc(len ? len : 1);
  if (!copy)
    abort();
  memcpy(copy, b, len);
  bool ok = vms_pe_parse(copy, len, h);
  *laa = vms_pe_large_address_aware(copy, len);
  free(copy);
  return ok;
}

static void test_pe32_and_pe32plus(void) {
  unsigned char b[CAP];
  VmsPeHeader h;
  int laa;
  craft(b, sizeof b, 0x80, 0x14c, 0x0102 | VMS_PE_LARGE_ADDRESS_AWARE, 0x10b);
  VMS_CHECK(parse_exact(b, sizeof b, &h, &laa));
  VMS_CHECK_U64(h.nt_offset, 0x80);
  VMS_CHECK_U64(h.machine, 0x14c);
  VMS_CHECK_U64(h.bits, 32);
  VMS_CHECK_U64(laa, 1);

  craft(b, sizeof b, 0x80, 0x14c, 0x0102, 0x10b);
  VMS_CHECK(parse_exact(b, sizeof b, &h, &laa));
  VMS_CHECK_U64(h.bits, 32);
  VMS_CHECK_U64(laa, 0);

  craft(b, sizeof b, 0xf8, 0x8664, 0x0022, 0x20b);
  VMS_CHECK(parse_exact(b, sizeof b, &h, &laa));
  VMS_CHECK_U64(h.machine, 0x8664);
  VMS_CHECK_U64(h.bits, 64);
  VMS_CHECK_U64(laa, 1);

  /* An unknown magic, and no optional header at all: the header still reads. */
  craft(b, sizeof b, 0x80, 0x14c, 0x0002, 0x107);
  VMS_CHECK(parse_exact(b, sizeof b, &h, &laa));
  VMS_CHECK_U64(h.bits, 0);
  VMS_CHECK_U64(laa, 0);
  craft(b, sizeof b, 0x80, 0x14c, VMS_PE_LARGE_ADDRESS_AWARE, 0);
  VMS_CHECK(parse_exact(b, sizeof b, &h, &laa));
  VMS_CHECK_U64(h.bits, 0);
  VMS_CHECK_U64(laa, 1);
}

/* e_lfanew is 32 bits of the file's choosing: lfanew + 24 wraps to a small
 * number for the values here, which must not pass for "inside the buffer". */
static void test_hostile_lfanew(void) {
  static const uint32_t bad[] = {0xffffffffu, 0xfffffffcu, 0xfffffff0u, 0xffffffe8u, 0xffffffe9u,
                                 0x80000000u, CAP,         CAP + 1,     CAP - 1,     CAP - 23};
  unsigned char b[CAP];
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    craft(b, sizeof b, 0x80, 0x14c, VMS_PE_LARGE_ADDRESS_AWARE,
          0x10b); /* a real header elsewhere */
    put32(b + 0x3c, bad[i]);
    VmsPeHeader h;
    int laa;
    VMS_CHECK_MSG(!parse_exact(b, sizeof b, &h, &laa), "e_lfanew %#x", bad[i]);
    VMS_CHECK_MSG(laa == -1, "e_lfanew %#x: laa %d", bad[i], laa);
  }
}

/* A file cut short anywhere before the end of the file header is unknown;
 * cut inside the optional header's magic, the flag still reads. */
static void test_truncated(void) {
  unsigned char b[CAP];
  craft(b, sizeof b, 0x40, 0x14c, VMS_PE_LARGE_ADDRESS_AWARE, 0x10b);
  VmsPeHeader h;
  int laa;
  for (size_t len = 0; len < 0x40 + 24; len++) {
    VMS_CHECK_MSG(!parse_exact(b, len, &h, &laa), "%zu bytes", len);
    VMS_CHECK_MSG(laa == -1, "%zu bytes: laa %d", len, laa);
  }
  VMS_CHECK(parse_exact(b, 0x40 + 24, &h, &laa));
  VMS_CHECK_U64(h.bits, 0);
  VMS_CHECK_U64(laa, 1);
  VMS_CHECK(parse_exact(b, 0x40 + 25, &h, &laa));
  VMS_CHECK_U64(h.bits, 0);
  VMS_CHECK(parse_exact(b, 0x40 + 26, &h, &laa));
  VMS_CHECK_U64(h.bits, 32);

  /* The file header ending exactly at the end of the buffer. */
  craft(b, sizeof b, CAP - 24, 0x14c, VMS_PE_LARGE_ADDRESS_AWARE, 0x10b);
  VMS_CHECK(parse_exact(b, sizeof b, &h, &laa));
  VMS_CHECK_U64(h.bits, 0);
  VMS_CHECK_U64(laa, 1);
}

static void test_not_pe(void) {
  unsigned char b[CAP];
  VmsPeHeader h;
  int laa;
  craft(b, sizeof b, 0x80, 0x14c, VMS_PE_LARGE_ADDRESS_AWARE, 0x10b);
  b[0] = 'Z';
  VMS_CHECK(!parse_exact(b, sizeof b, &h, &laa));
  craft(b, sizeof b, 0x80, 0x14c, VMS_PE_LARGE_ADDRESS_AWARE, 0x10b);
  b[0x82] = 'X'; /* "PEX\0" */
  VMS_CHECK(!parse_exact(b, sizeof b, &h, &laa));
  VMS_CHECK_U64(laa, -1);
  /* e_lfanew pointing at the DOS header itself: "MZ" is not "PE". */
  craft(b, sizeof b, 0x80, 0x14c, 0, 0x10b);
  put32(b + 0x3c, 0);
  VMS_CHECK(!parse_exact(b, sizeof b, &h, &laa));
  VMS_CHECK(!vms_pe_parse(NULL, 0, &h));
  VMS_CHECK_U64(vms_pe_large_address_aware(NULL, 0), -1);
}

int main(void) {
  test_pe32_and_pe32plus();
  test_hostile_lfanew();
  test_truncated();
  test_not_pe();
  return vms_test_end();
}
