/* SPDX-License-Identifier: GPL-3.0-or-later */
/* render-helper.c: a live process with a known layout for the CLI PNG test: 256 MiB committed, 256
 * MiB reserved.
 *
 * Maps anonymous private memory at a fixed address, read-write then
 * PROT_NONE, prints "ready" and waits until its standard input closes. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define BASE 0x200000000000ull
#define HALF (256ull << 20)

static void *map_at(unsigned long long addr, unsigned long long len, int prot) {
  int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
#ifdef MAP_FIXED_NOREPLACE
  flags |= MAP_FIXED_NOREPLACE;
#endif
  void *p = mmap((void *)(uintptr_t)addr, len, prot, flags, -1, 0);
  return p == (void *)(uintptr_t)addr ? p : NULL;
}

int main(void) {
  if (sizeof(void *) < 8) {
    fprintf(stderr, "render-helper: needs a 64-bit address space\n");
    return 77;
  }
  if (!map_at(BASE, HALF, PROT_READ | PROT_WRITE) || !map_at(BASE + HALF, HALF, PROT_NONE)) {
    perror("render-helper: mmap at a fixed address");
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  char c;
  while (read(0, &c, 1) > 0) {
  }
  return 0;
}
