/* SPDX-License-Identifier: GPL-3.0-or-later */
/* render-helper.c: a live process with a known layout for the CLI PNG test: 256 MiB committed, 256
 * MiB reserved.
 *
 * Maps anonymous private memory at a fixed address, read-write then
 * PROT_NONE, prints "ready" and waits until its standard input closes.
 * With the argument "pages" it also maps PAGES_N read-write pages at
 * PAGES_BASE, writes those pages_written() says, leaves the others
 * untouched (no huge pages), and before "ready" prints the line
 * "pages START END STATES", STATES one letter a page: r written, u not. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BASE       0x200000000000ull
#define HALF       (256ull << 20)
#define PAGES_BASE 0x200040000000ull
#define PAGES_N    300

/* A pattern with no period a layout could hide: runs of one, two and five
 * written pages between runs of untouched ones of other lengths. */
static int pages_written(int i) {
  return i % 7 == 0 || i % 11 == 3 || (i >= 150 && i < 155);
}

static void *map_at(unsigned long long addr, unsigned long long len, int prot) {
  int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
#ifdef MAP_FIXED_NOREPLACE
  flags |= MAP_FIXED_NOREPLACE;
#endif
  void *p = mmap((void *)(uintptr_t)addr, len, prot, flags, -1, 0);
  return p == (void *)(uintptr_t)addr ? p : NULL;
}

int main(int argc, char **argv) {
  if (sizeof(void *) < 8) {
    fprintf(stderr, "render-helper: needs a 64-bit address space\n");
    return 77;
  }
  if (!map_at(BASE, HALF, PROT_READ | PROT_WRITE) || !map_at(BASE + HALF, HALF, PROT_NONE)) {
    perror("render-helper: mmap at a fixed address");
    return 1;
  }
  if (argc > 1 && strcmp(argv[1], "pages") == 0) {
    long page = sysconf(_SC_PAGESIZE);
    char *p = map_at(PAGES_BASE, (unsigned long long)PAGES_N * (unsigned long long)page,
                     PROT_READ | PROT_WRITE);
    if (!p) {
      perror("render-helper: mmap of the pages at a fixed address");
      return 1;
    }
    madvise(p, (size_t)PAGES_N * (size_t)page, MADV_NOHUGEPAGE);
    char states[PAGES_N + 1];
    for (int i = 0; i < PAGES_N; i++) {
      if (pages_written(i))
        p[(size_t)i * (size_t)page] = 1;
      states[i] = pages_written(i) ? 'r' : 'u';
    }
    states[PAGES_N] = '\0';
    printf("pages 0x%llx 0x%llx %s\n", PAGES_BASE,
           PAGES_BASE + (unsigned long long)PAGES_N * (unsigned long long)page, states);
  }
  printf("ready\n");
  fflush(stdout);
  char c;
  while (read(0, &c, 1) > 0) {
  }
  return 0;
}
