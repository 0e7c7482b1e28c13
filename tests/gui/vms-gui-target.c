/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-gui-target.c: a process with a known number of mappings for the GUI tests and benchmark.
 *
 * Usage: vms-gui-target N. Maps N anonymous one-page regions with alternating
 * protections (so the kernel cannot merge neighbours), prints "ready" and
 * sleeps until killed. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
  if (n < 0 || n > 1000000) {
    fprintf(stderr, "vms-gui-target: bad count %s\n", argv[1]);
    return 2;
  }
  long page = sysconf(_SC_PAGESIZE);
  /* One reservation carved into pages keeps the mappings adjacent and cheap. */
  char *base = mmap(NULL, (size_t)(n + 1) * (size_t)page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) {
    perror("vms-gui-target: mmap");
    return 1;
  }
  for (long i = 0; i < n; i++)
    if (i % 2 == 0 && mprotect(base + i * page, (size_t)page, PROT_READ | PROT_WRITE) != 0) {
      perror("vms-gui-target: mprotect");
      return 1;
    }
  for (long i = 0; i < n; i += 2)
    base[i * page] = 1;
  printf("ready\n");
  fflush(stdout);
  for (;;)
    pause();
}
