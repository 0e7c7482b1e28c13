/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-helper: a process that builds a known address-space layout for vmscope's live tests.
 *
 * usage: vms-helper ACTION... where each action adds to the layout:
 *   layout          one mapping per protection at fixed addresses, one page apart
 *   threads N       N threads that sleep; their stacks measured from inside
 *   arenas N        N threads that each allocate with malloc and keep it: glibc
 *                   gives each its own malloc arena
 *   files DIR       a memfd, a POSIX shm object, a file in DIR mapped and then
 *                   deleted, and a mapped file in DIR whose name has a space
 *                   and a newline
 *   barrier-stacks N  a reservation with a page kept at its foot, N threads whose
 *                   stacks (pthread_attr_setstack, 256 KiB, no guard) sit
 *                   inside it 32 MiB apart, and the rest given back, so each
 *                   stack stands alone between two free blocks (the top one
 *                   of 1 MiB)
 *   barrier-toggle  a 64 MiB room of free space kept inside the mapping area
 *                   by a page at its foot; SIGUSR1 maps 2 MiB of private
 *                   memory 16 MiB up in it (a barrier), SIGUSR2 unmaps it
 *   many N          N one-page mappings side by side, protections alternating so
 *                   the kernel cannot merge them
 *   zombie          a child that has exited and is never reaped
 *   fit             (last) the largest size an mmap can still get, by binary
 *                   search with real mmap calls
 *   exit-after MS   exit MS milliseconds after "ready" instead of waiting
 *   steps MS        (last) after "ready", at MS and 2*MS milliseconds: maps a
 *                   region A, then maps a region B and unmaps A; both are
 *                   chosen (and printed) before "ready"
 *   churn N         after "ready", keep changing the layout until the end: N
 *                   slots of mappings (anonymous private or shared, or part of
 *                   a memfd) each replaced in turn by one of another size and
 *                   protection every 200 us, and a thread that starts and ends
 *                   every 64 replacements
 *
 * It prints one fact per line on stdout (addresses 0x-hex, [start, end)):
 *   pid PID / bits 32|64 / page SIZE
 *   map START END PERMS                   (layout; PERMS as /proc prints them)
 *   thread TID STACK_LO STACK_HI GUARD SP (stack range from pthread_getattr_np)
 *   arena PTR                             (a block malloc gave a thread)
 *   memfd START END / shm START END NAME / deleted START END PATH_HEX /
 *   oddname START END PATH_HEX            (paths hex-encoded: they hold newlines)
 *   many START END N / zombie PID / largest BYTES
 *   rlimit-stack BYTES|unlimited / reservation START END (barrier-stacks;
 *   [START, END) is from the kept page's end to the reservation's end) /
 *   barrier-stack START END / barrier-room START END / barrier-at START END
 *                                         (barrier-toggle: the free room, the barrier's place)
 *   step 1 map START END / step 2 map START END / step 2 unmap START END
 *                                         (steps; A is rw-p, B r--p)
 * then "ready", and waits until stdin reaches end of file (or it is killed).
 * Exit status 0; 1 with a message on stderr when a layout cannot be built. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* stdout gets a static buffer so printing never allocates: the "fit" figure
 * must still hold when vmscope reads the process after "ready". */
static char out_buf[1 << 16];
static long page;
static char shm_name[64];

static void die(const char *what) {
  fprintf(stderr, "vms-helper: %s: %s\n", what, strerror(errno));
  if (shm_name[0])
    shm_unlink(shm_name);
  exit(1);
}

static void usage_die(const char *msg) {
  fprintf(stderr, "vms-helper: %s\n", msg);
  exit(2);
}

static uint64_t addr_of(const void *p) {
  return (uint64_t)(uintptr_t)p;
}

static void print_hex_path(const char *path) {
  for (const unsigned char *p = (const unsigned char *)path; *p; p++)
    printf("%02x", *p);
}

/* Finds a free gap of `size` bytes by letting the kernel place a PROT_NONE
 * reservation there, then gives it back: the fixed mappings go inside it. */
static char *reserve_gap(size_t size) {
  void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    die("reserving a gap");
  munmap(p, size);
  return p;
}

static void *map_fixed(char *at, size_t size, int prot, int flags, int fd) {
  void *p = mmap(at, size, prot, flags | MAP_FIXED_NOREPLACE, fd, 0);
  if (p == MAP_FAILED)
    die("mmap with MAP_FIXED_NOREPLACE");
  if (p != at) {
    /* Kernels before 4.17 ignore the flag and treat the address as a hint. */
    errno = EEXIST;
    die("the kernel placed a fixed mapping elsewhere (MAP_FIXED_NOREPLACE unsupported)");
  }
  return p;
}

static void do_layout(void) {
  static const struct {
    int prot;
    int shared;
    const char *perms;
  } kinds[] = {
      {PROT_READ, 0, "r--p"},
      {PROT_READ | PROT_WRITE, 0, "rw-p"},
      {PROT_READ | PROT_EXEC, 0, "r-xp"},
      {PROT_NONE, 0, "---p"},
      {PROT_READ | PROT_WRITE | PROT_EXEC, 0, "rwxp"},
      {PROT_EXEC, 0, "--xp"},
      {PROT_READ | PROT_WRITE, 1, "rw-s"},
      {PROT_READ, 1, "r--s"},
      {PROT_NONE, 1, "---s"},
  };
  size_t n = sizeof kinds / sizeof kinds[0];
  /* Mapping i is i + 1 pages long with a page of space after it, inside a
   * gap with a spare page at either end. */
  size_t total = 2 * (size_t)page;
  for (size_t i = 0; i < n; i++)
    total += (i + 2) * (size_t)page;
  char *gap = reserve_gap(total);
  char *at = gap + page;
  for (size_t i = 0; i < n; i++) {
    size_t size = (i + 1) * (size_t)page;
    int flags = (kinds[i].shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS;
    char *p = map_fixed(at, size, kinds[i].prot, flags, -1);
    /* Touch what can be written so the pages are really there. */
    if (kinds[i].prot & PROT_WRITE)
      memset(p, 0x5a, size);
    printf("map 0x%" PRIx64 " 0x%" PRIx64 " %s\n", addr_of(p), addr_of(p + size), kinds[i].perms);
    at += size + page;
  }
}

/* ---- threads ---- */

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int ready;
} Gate;

/* A thread has what the test will ask about: tell the starter. */
static void gate_arrive(Gate *g) {
  pthread_mutex_lock(&g->lock);
  g->ready++;
  pthread_cond_broadcast(&g->cond);
  pthread_mutex_unlock(&g->lock);
}

/* Starts n detached threads, thread i running fn on the i-th of the
 * stride-byte records at args, and waits until each has arrived at gate. */
static void run_threads(long n, void *(*fn)(void *), void *args, size_t stride, Gate *gate) {
  for (long i = 0; i < n; i++) {
    pthread_t t;
    int e = pthread_create(&t, NULL, fn, (char *)args + (size_t)i * stride);
    if (e) {
      errno = e;
      die("pthread_create");
    }
    pthread_detach(t);
  }
  pthread_mutex_lock(&gate->lock);
  while (gate->ready < n)
    pthread_cond_wait(&gate->cond, &gate->lock);
  pthread_mutex_unlock(&gate->lock);
}

typedef struct {
  Gate *gate;
  pid_t tid;
  uint64_t lo, hi, guard, sp;
  int error;
} ThreadFacts;

static void *thread_main(void *arg) {
  ThreadFacts *tf = arg;
  volatile char here = 0;
  pthread_attr_t attr;
  tf->tid = (pid_t)syscall(SYS_gettid);
  tf->sp = addr_of((const void *)&here);
  tf->error = pthread_getattr_np(pthread_self(), &attr);
  if (!tf->error) {
    void *addr;
    size_t size, guard;
    pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_getguardsize(&attr, &guard);
    tf->lo = addr_of(addr);
    tf->hi = addr_of(addr) + size;
    tf->guard = guard;
    pthread_attr_destroy(&attr);
  }
  gate_arrive(tf->gate);
  for (;;)
    pause();
  return NULL;
}

static void do_threads(long n) {
  static Gate gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
  ThreadFacts *facts = calloc((size_t)n, sizeof *facts);
  if (!facts)
    die("calloc");
  for (long i = 0; i < n; i++)
    facts[i].gate = &gate;
  run_threads(n, thread_main, facts, sizeof *facts, &gate);
  for (long i = 0; i < n; i++) {
    if (facts[i].error) {
      errno = facts[i].error;
      die("pthread_getattr_np");
    }
    printf("thread %d 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 "\n", (int)facts[i].tid,
           facts[i].lo, facts[i].hi, facts[i].guard, facts[i].sp);
  }
}

/* ---- malloc arenas ---- */

typedef struct {
  Gate *gate;
  void *block;
} ArenaFacts;

static void *arena_main(void *arg) {
  ArenaFacts *af = arg;
  /* The first malloc of a thread creates its arena (up to glibc's limit of
   * arenas per core); the block is kept, so the arena stays in use. */
  af->block = malloc(1000);
  gate_arrive(af->gate);
  for (;;)
    pause();
  return NULL;
}

static void do_arenas(long n) {
  static Gate gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
  ArenaFacts *facts = calloc((size_t)n, sizeof *facts);
  if (!facts)
    die("calloc");
  for (long i = 0; i < n; i++)
    facts[i].gate = &gate;
  run_threads(n, arena_main, facts, sizeof *facts, &gate);
  for (long i = 0; i < n; i++) {
    if (!facts[i].block)
      die("malloc");
    printf("arena 0x%" PRIx64 "\n", addr_of(facts[i].block));
  }
}

/* ---- stacks placed as barriers ---- */

static void *parked_main(void *arg) {
  gate_arrive(arg);
  for (;;)
    pause();
  return NULL;
}

static void do_barrier_stacks(long n) {
  static Gate gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
  const size_t piece = (size_t)32 << 20, stack = (size_t)256 << 10, top = (size_t)1 << 20;
  const size_t total = (size_t)page + (size_t)n * (piece + stack) + top;
  char *base = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED)
    die("reserving room for the stacks");
  /* The kept page: without it the lowest piece would run into the free
   * space below, outside the cluster. */
  if (mprotect(base, (size_t)page, PROT_READ) != 0)
    die("mprotect the foot");
  char *at = base + page;
  for (long i = 0; i < n; i++) {
    char *s = at + piece + (size_t)i * (piece + stack);
    if (mprotect(s, stack, PROT_READ | PROT_WRITE) != 0)
      die("mprotect a stack");
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    int e = pthread_attr_setstack(&attr, s, stack);
    pthread_t t;
    if (!e)
      e = pthread_create(&t, &attr, parked_main, &gate);
    pthread_attr_destroy(&attr);
    if (e) {
      errno = e;
      die("pthread_create on a given stack");
    }
    pthread_detach(t);
  }
  pthread_mutex_lock(&gate.lock);
  while (gate.ready < n)
    pthread_cond_wait(&gate.cond, &gate.lock);
  pthread_mutex_unlock(&gate.lock);
  /* Give back the space around the stacks. */
  for (long i = 0; i <= n; i++) {
    char *p = at + (size_t)i * (piece + stack);
    if (munmap(p, i < n ? piece : top) != 0)
      die("munmap around the stacks");
  }
  struct rlimit rl;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    printf("rlimit-stack %" PRIu64 "\n", (uint64_t)rl.rlim_cur);
  else
    printf("rlimit-stack unlimited\n");
  printf("reservation 0x%" PRIx64 " 0x%" PRIx64 "\n", addr_of(at), addr_of(base + total));
  for (long i = 0; i < n; i++) {
    char *s = at + piece + (size_t)i * (piece + stack);
    printf("barrier-stack 0x%" PRIx64 " 0x%" PRIx64 "\n", addr_of(s), addr_of(s + stack));
  }
}

/* ---- shared memory and files ---- */

static void do_files(const char *dir) {
  int fd = (int)syscall(SYS_memfd_create, "vms-memfd", 0u);
  if (fd < 0)
    die("memfd_create");
  size_t size = 3 * (size_t)page;
  if (ftruncate(fd, (off_t)size) != 0)
    die("ftruncate memfd");
  char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED)
    die("mmap memfd");
  memset(p, 1, size);
  close(fd);
  printf("memfd 0x%" PRIx64 " 0x%" PRIx64 "\n", addr_of(p), addr_of(p + size));

  snprintf(shm_name, sizeof shm_name, "/vms-helper-%d", (int)getpid());
  fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    shm_name[0] = '\0';
    die("shm_open");
  }
  size = 2 * (size_t)page;
  if (ftruncate(fd, (off_t)size) != 0)
    die("ftruncate shm");
  p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED)
    die("mmap shm");
  memset(p, 2, size);
  close(fd);
  printf("shm 0x%" PRIx64 " 0x%" PRIx64 " %s\n", addr_of(p), addr_of(p + size), shm_name);

  char path[4096];
  snprintf(path, sizeof path, "%s/vms-deleted-%d", dir, (int)getpid());
  fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    die("creating the file to delete");
  size = 2 * (size_t)page;
  if (ftruncate(fd, (off_t)size) != 0)
    die("ftruncate");
  p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED)
    die("mmap file");
  close(fd);
  if (unlink(path) != 0)
    die("unlink");
  printf("deleted 0x%" PRIx64 " 0x%" PRIx64 " ", addr_of(p), addr_of(p + size));
  print_hex_path(path);
  printf("\n");

  snprintf(path, sizeof path, "%s/vms name with space\nand newline-%d", dir, (int)getpid());
  fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    die("creating the file with an odd name");
  size = (size_t)page;
  if (ftruncate(fd, (off_t)size) != 0)
    die("ftruncate");
  p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED)
    die("mmap odd name");
  close(fd);
  printf("oddname 0x%" PRIx64 " 0x%" PRIx64 " ", addr_of(p), addr_of(p + size));
  print_hex_path(path);
  printf("\n");
}

/* ---- many mappings ---- */

static void do_many(long n) {
  size_t size = (size_t)n * (size_t)page;
  char *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    die("mmap for many mappings");
  /* Every other page read-write: each protection change splits a VMA. */
  for (long i = 1; i < n; i += 2)
    if (mprotect(p + (size_t)i * (size_t)page, (size_t)page, PROT_READ | PROT_WRITE) != 0)
      die("mprotect (vm.max_map_count reached?)");
  printf("many 0x%" PRIx64 " 0x%" PRIx64 " %ld\n", addr_of(p), addr_of(p + size), n);
}

/* ---- a layout that keeps changing ---- */

static long churn_slots;

static void *short_thread(void *arg) {
  return arg;
}

static void *churn_main(void *arg) {
  static const int prots[] = {PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE, PROT_READ | PROT_EXEC};
  char **slot = calloc((size_t)churn_slots, sizeof *slot);
  size_t *len = calloc((size_t)churn_slots, sizeof *len);
  int memfd = (int)syscall(SYS_memfd_create, "vms-churn", 0u);
  if (!slot || !len || memfd < 0 || ftruncate(memfd, 64 * (off_t)page) != 0)
    die("setting up churn");
  unsigned seed = 1;
  for (unsigned long step = 0;; step++) {
    seed = seed * 1103515245u + 12345u;
    long i = (long)(step % (unsigned long)churn_slots);
    if (slot[i])
      munmap(slot[i], len[i]);
    len[i] = (size_t)(1 + (seed >> 8) % 16) * (size_t)page;
    int prot = prots[(seed >> 12) % 4];
    switch ((seed >> 16) % 4) {
    case 0: slot[i] = mmap(NULL, len[i], prot, MAP_SHARED | MAP_ANONYMOUS, -1, 0); break;
    case 1:
      slot[i] = mmap(NULL, len[i], prot, MAP_SHARED, memfd, (off_t)((seed >> 20) % 48) * page);
      break;
    default: slot[i] = mmap(NULL, len[i], prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    if (slot[i] == MAP_FAILED)
      slot[i] = NULL;
    if (step % 64 == 0) {
      pthread_t t;
      if (pthread_create(&t, NULL, short_thread, NULL) == 0)
        pthread_detach(t);
    }
    nanosleep(&(struct timespec){0, 200000}, NULL);
  }
  return NULL;
}

static void start_churn(void) {
  pthread_t t;
  int e = pthread_create(&t, NULL, churn_main, NULL);
  if (e) {
    errno = e;
    die("pthread_create");
  }
  pthread_detach(t);
}

static void do_zombie(void) {
  pid_t child = fork();
  if (child < 0)
    die("fork");
  if (child == 0)
    _exit(0);
  /* Wait until it is a zombie without reaping it. */
  siginfo_t si;
  if (waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT) != 0)
    die("waitid");
  printf("zombie %d\n", (int)child);
}

/* The largest mmap the kernel still grants, in pages, found with real calls:
 * if n pages fit somewhere, every smaller size does too. */
static void do_fit(void) {
  uint64_t top = sizeof(void *) == 4 ? (UINT64_C(1) << 32) : (UINT64_C(1) << 47);
  uint64_t lo = 0, hi = top / (uint64_t)page; /* lo fits (trivially), hi does not */
  while (hi - lo > 1) {
    uint64_t mid = lo + (hi - lo) / 2;
    size_t size = (size_t)(mid * (uint64_t)page);
    void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED) {
      munmap(p, size);
      lo = mid;
    } else {
      hi = mid;
    }
  }
  printf("largest %" PRIu64 "\n", lo * (uint64_t)page);
}

/* ---- a barrier on request ---- */

static char *toggle_at;
static const size_t toggle_size = (size_t)2 << 20;

/* mmap and munmap are plain system calls: safe enough in a handler, and
 * the helper does nothing else meanwhile but wait on its standard input. */
static void toggle_signal(int sig) {
  if (sig == SIGUSR1) {
    void *p = mmap(toggle_at, toggle_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == toggle_at)
      memset(p, 1, (size_t)page);
  } else {
    munmap(toggle_at, toggle_size);
  }
}

static void do_barrier_toggle(void) {
  const size_t room = (size_t)64 << 20;
  char *base = reserve_gap((size_t)page + room);
  /* The foot page keeps the room inside the cluster of mappings. */
  map_fixed(base, (size_t)page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1);
  toggle_at = base + page + ((size_t)16 << 20);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = toggle_signal;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGUSR1, &sa, NULL) != 0 || sigaction(SIGUSR2, &sa, NULL) != 0)
    die("sigaction");
  printf("barrier-room 0x%" PRIx64 " 0x%" PRIx64 "\n", addr_of(base + page),
         addr_of(base + page + room));
  printf("barrier-at 0x%" PRIx64 " 0x%" PRIx64 "\n", addr_of(toggle_at),
         addr_of(toggle_at + toggle_size));
}

/* ---- timed steps ---- */

static char *step_a, *step_b;
static size_t step_a_size, step_b_size;

/* Picks the places now, so they can be printed before "ready": each in a gap
 * with a free page either side, so the kernel cannot merge it. */
static void plan_steps(void) {
  step_a_size = 3 * (size_t)page;
  step_b_size = 5 * (size_t)page;
  char *gap = reserve_gap(step_a_size + step_b_size + 3 * (size_t)page);
  step_a = gap + page;
  step_b = step_a + step_a_size + page;
  printf("step 1 map 0x%" PRIx64 " 0x%" PRIx64 "\n", addr_of(step_a),
         addr_of(step_a + step_a_size));
  printf("step 2 map 0x%" PRIx64 " 0x%" PRIx64 "\n", addr_of(step_b),
         addr_of(step_b + step_b_size));
  printf("step 2 unmap 0x%" PRIx64 " 0x%" PRIx64 "\n", addr_of(step_a),
         addr_of(step_a + step_a_size));
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static void run_steps(long ms) {
  sleep_ms(ms);
  char *a = map_fixed(step_a, step_a_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
  memset(a, 1, step_a_size);
  sleep_ms(ms);
  map_fixed(step_b, step_b_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1);
  munmap(a, step_a_size);
}

static long parse_count(const char *s, long max) {
  char *end;
  errno = 0;
  long v = s ? strtol(s, &end, 10) : -1;
  if (!s || errno || *end || v < 1 || v > max)
    usage_die("a count must be a whole number in range");
  return v;
}

int main(int argc, char **argv) {
  setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
  page = sysconf(_SC_PAGESIZE);
  long exit_after_ms = -1, steps_ms = -1;
  bool fit = false;
  printf("pid %d\nbits %d\npage %ld\n", (int)getpid(), (int)(sizeof(void *) * 8), page);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "layout") == 0) {
      do_layout();
    } else if (strcmp(a, "threads") == 0) {
      do_threads(parse_count(i + 1 < argc ? argv[++i] : NULL, 1000));
    } else if (strcmp(a, "arenas") == 0) {
      do_arenas(parse_count(i + 1 < argc ? argv[++i] : NULL, 64));
    } else if (strcmp(a, "files") == 0) {
      if (i + 1 >= argc)
        usage_die("files wants a directory");
      do_files(argv[++i]);
    } else if (strcmp(a, "barrier-stacks") == 0) {
      do_barrier_stacks(parse_count(i + 1 < argc ? argv[++i] : NULL, 16));
    } else if (strcmp(a, "barrier-toggle") == 0) {
      do_barrier_toggle();
    } else if (strcmp(a, "many") == 0) {
      do_many(parse_count(i + 1 < argc ? argv[++i] : NULL, 1000000));
    } else if (strcmp(a, "zombie") == 0) {
      do_zombie();
    } else if (strcmp(a, "fit") == 0) {
      fit = true;
    } else if (strcmp(a, "steps") == 0) {
      steps_ms = parse_count(i + 1 < argc ? argv[++i] : NULL, 3600000);
      plan_steps();
    } else if (strcmp(a, "churn") == 0) {
      churn_slots = parse_count(i + 1 < argc ? argv[++i] : NULL, 100000);
    } else if (strcmp(a, "exit-after") == 0) {
      exit_after_ms = parse_count(i + 1 < argc ? argv[++i] : NULL, 3600000);
    } else {
      fprintf(stderr, "vms-helper: unknown action '%s'\n", a);
      return 2;
    }
  }
  if (fit)
    do_fit();
  printf("ready\n");
  fflush(stdout);
  if (steps_ms >= 0)
    run_steps(steps_ms);
  if (churn_slots)
    start_churn();

  if (exit_after_ms >= 0) {
    /* Not a wait for a condition: exiting at a chosen moment (while vmscope
     * reads or samples the process) is the behaviour asked for. */
    struct timespec ts = {exit_after_ms / 1000, (exit_after_ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
  } else {
    char buf[256];
    ssize_t r;
    while ((r = read(STDIN_FILENO, buf, sizeof buf)) != 0)
      if (r < 0 && errno != EINTR)
        break;
  }
  if (shm_name[0])
    shm_unlink(shm_name);
  return 0;
}
