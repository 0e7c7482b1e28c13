/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-win-target.c: a Windows process with a given number of allocations, for the benchmarks.
 *
 * Usage: bench-win-target ALLOCATIONS
 * Reserves ALLOCATIONS blocks of 64 KiB (one allocation granule each) and
 * commits the first page of each, read-write and read-only in turn, so a
 * walk of the space meets two regions per block (the committed page and
 * the reserved rest). Prints "ready N" with the number it got (a 32-bit
 * space holds fewer than 32,768) and waits until its standard input
 * closes. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench-win-target ALLOCATIONS\n");
    return 2;
  }
  long want = strtol(argv[1], NULL, 10), got = 0;
  for (; got < want; got++) {
    char *p = VirtualAlloc(NULL, 65536, MEM_RESERVE, PAGE_NOACCESS);
    if (!p || !VirtualAlloc(p, 4096, MEM_COMMIT, got % 2 ? PAGE_READONLY : PAGE_READWRITE))
      break;
  }
  printf("ready %ld\n", got);
  fflush(stdout);
  char buf[64];
  DWORD n;
  while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), buf, sizeof buf, &n, NULL) && n > 0)
    ;
  return 0;
}
