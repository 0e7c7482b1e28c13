/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-gui-target.c: a process with a known number of mappings for the GUI tests and benchmark.
 *
 * Usage: vms-gui-target N [churn]. Maps N anonymous one-page regions with
 * alternating protections (so the kernel cannot merge neighbours), prints
 * "ready" and sleeps until killed. With "churn" it flips the protection of
 * eight pages every 100 ms, so each sample sees regions merge and split.
 * With VMS_GUI_TARGET_PAGES=K in the environment it also maps one
 * read-write region of K pages and writes every fourth one (from the
 * first), leaving the others untouched, for the residency view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
  if (n < 0 || n > 1000000) {
    fprintf(stderr, "vms-gui-target: bad count %s\n", argv[1]);
    return 2;
  }
  long page = sysconf(_SC_PAGESIZE);
  /* One reservation carved into pages keeps the mappings adjacent and cheap. */
  char *base =
      mmap(NULL, (size_t)(n + 1) * (size_t)page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
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
  const char *pages = getenv("VMS_GUI_TARGET_PAGES");
  long npages = pages ? strtol(pages, NULL, 10) : 0;
  if (npages > 0) {
    char *p = mmap(NULL, (size_t)npages * (size_t)page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      perror("vms-gui-target: mmap");
      return 1;
    }
    madvise(p, (size_t)npages * (size_t)page, MADV_NOHUGEPAGE);
    for (long i = 0; i < npages; i += 4)
      p[i * page] = 1;
  }
  printf("ready\n");
  fflush(stdout);
  if (argc > 2 && strcmp(argv[2], "churn") == 0 && n > 0) {
    unsigned seed = 1;
    for (;;) {
      for (int k = 0; k < 8; k++) {
        seed = seed * 1103515245u + 12345u;
        long i = (long)(seed >> 8) % n;
        static char flipped[1 << 20];
        int rw = (i % 2 == 0) != (flipped[i % (1 << 20)] ^= 1);
        mprotect(base + i * page, (size_t)page, rw ? PROT_READ | PROT_WRITE : PROT_NONE);
      }
      /* The churn's pace, not a wait for anything: the layout changes ten
       * times a second, so every sample sees a different map. */
      nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
  }
  for (;;)
    pause();
}
