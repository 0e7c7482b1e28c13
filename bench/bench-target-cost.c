/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-target-cost: what being watched costs the watched process, measured by the process itself.
 *
 * usage: bench-target-cost [MAPPINGS [SECONDS]]   (default: 65000 mappings, 4 s a phase)
 *
 * A target holding MAPPINGS mappings maps 16 KiB, writes a byte to it and
 * unmaps it, in a tight loop, timing each mmap and munmap; it reports their
 * latency (p50, p99, p99.9) and its throughput for each phase: unwatched,
 * then watched by vmscope's sampler at 1 Hz and at 10 Hz, regions through
 * the maps text, through the PROCMAP_QUERY ioctl, and with residency (the
 * page scan) on. The sampler runs at a fixed interval here (no stretching),
 * on this process's thread, as the window runs it. Ratios are against the
 * unwatched phases measured in the same run (one first, one last); nothing
 * is asserted. */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vms-sampler.h"

#define MAX_OPS    (4u << 20)
#define MAX_PHASES 16

typedef struct {
  double mmap_p50, mmap_p99, mmap_p999;
  double munmap_p50, munmap_p99, munmap_p999;
  double mmap_max, munmap_max; /* the longest stall: a read that holds the lock shows here */
  double ops_per_s;
  unsigned long ops;
  long blocked, preempted; /* voluntary and involuntary context switches of the target */
} PhaseResult;

typedef struct {
  atomic_int phase; /* the controller's: phase number, -1 to end */
  atomic_int done;  /* the target's: last phase whose result is written */
  atomic_int ready;
  PhaseResult result[MAX_PHASES];
} Shared;

static double mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static double pct(uint32_t *v, size_t n, double p) {
  if (!n)
    return 0;
  size_t i = (size_t)(p * (double)(n - 1));
  return (double)v[i] * 1e-3; /* ns -> us */
}

static void summarise(uint32_t *mm, uint32_t *um, size_t n, double seconds, PhaseResult *r) {
  qsort(mm, n, sizeof *mm, cmp_u32);
  qsort(um, n, sizeof *um, cmp_u32);
  r->mmap_p50 = pct(mm, n, 0.50);
  r->mmap_p99 = pct(mm, n, 0.99);
  r->mmap_p999 = pct(mm, n, 0.999);
  r->munmap_p50 = pct(um, n, 0.50);
  r->munmap_p99 = pct(um, n, 0.99);
  r->munmap_p999 = pct(um, n, 0.999);
  r->mmap_max = pct(mm, n, 1.0);
  r->munmap_max = pct(um, n, 1.0);
  r->ops = n;
  r->ops_per_s = seconds > 0 ? (double)n / seconds : 0;
}

static uint32_t ns_between(struct timespec a, struct timespec b) {
  long long d = (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
  return d < 0 ? 0 : d > 0xffffffffLL ? 0xffffffffu : (uint32_t)d;
}

static void target_main(Shared *sh, long mappings) {
  long page = sysconf(_SC_PAGESIZE);
  char *p = mmap(NULL, (size_t)mappings * (size_t)page, PROT_READ,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    _exit(1);
  for (long i = 1; i < mappings; i += 2)
    mprotect(p + (size_t)i * (size_t)page, (size_t)page, PROT_READ | PROT_WRITE);
  uint32_t *mm = malloc(MAX_OPS * sizeof *mm), *um = malloc(MAX_OPS * sizeof *um);
  if (!mm || !um)
    _exit(1);
  memset(mm, 0, MAX_OPS * sizeof *mm); /* fault them in before measuring */
  memset(um, 0, MAX_OPS * sizeof *um);
  atomic_store(&sh->ready, 1);
  int phase = -2;
  size_t n = 0;
  double started = 0;
  struct rusage ru0 = {0}, ru1;
  for (;;) {
    int want = atomic_load_explicit(&sh->phase, memory_order_relaxed);
    if (want != phase) {
      getrusage(RUSAGE_SELF, &ru1);
      if (phase >= 0 && phase < MAX_PHASES) {
        summarise(mm, um, n, mono() - started, &sh->result[phase]);
        sh->result[phase].blocked = ru1.ru_nvcsw - ru0.ru_nvcsw;
        sh->result[phase].preempted = ru1.ru_nivcsw - ru0.ru_nivcsw;
        atomic_store(&sh->done, phase);
      }
      if (want == -1)
        _exit(0);
      phase = want;
      n = 0;
      started = mono();
      ru0 = ru1;
    }
    struct timespec t0, t1, t2, t3;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *q = mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (q == MAP_FAILED)
      _exit(1);
    q[0] = 1;
    clock_gettime(CLOCK_MONOTONIC, &t2);
    munmap(q, 16384);
    clock_gettime(CLOCK_MONOTONIC, &t3);
    if (phase >= 0 && n < MAX_OPS) {
      mm[n] = ns_between(t0, t1);
      um[n] = ns_between(t2, t3);
      n++;
    }
  }
}

static void on_sample(VmsSnapshot *snap, const VmsError *err, void *user) {
  atomic_int *count = user;
  if (snap)
    atomic_fetch_add(count, 1);
  else if (err)
    fprintf(stderr, "bench-target-cost: sample: %s\n", err->message);
  if (snap)
    vms_snapshot_unref(snap);
}

typedef struct {
  const char *name;
  double hz;     /* 0: unwatched */
  unsigned what; /* VMS_READ_* */
} Phase;

int main(int argc, char **argv) {
  long mappings = argc > 1 ? strtol(argv[1], NULL, 10) : 65000;
  double seconds = argc > 2 ? strtod(argv[2], NULL) : 4.0;
  long max_map = 65530;
  FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
  if (f) {
    if (fscanf(f, "%ld", &max_map) != 1)
      max_map = 65530;
    fclose(f);
  }
  if (mappings > max_map - 200)
    mappings = max_map - 200;
  if (mappings < 2 || seconds <= 0) {
    fprintf(stderr, "usage: bench-target-cost [MAPPINGS [SECONDS]]\n");
    return 2;
  }
  Shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (sh == MAP_FAILED)
    return 1;
  atomic_store(&sh->phase, -2);
  atomic_store(&sh->done, -1);
  pid_t pid = fork();
  if (pid < 0)
    return 1;
  if (pid == 0)
    target_main(sh, mappings);
  while (!atomic_load(&sh->ready)) {
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid) {
      fprintf(stderr, "bench-target-cost: the target could not build its mappings\n");
      return 1;
    }
    usleep(10000);
  }
  const unsigned base = VMS_READ_REGIONS | VMS_READ_THREADS;
  const Phase phases[] = {
      {"unwatched", 0, 0},
      {"1 Hz, text", 1, base | VMS_READ_MAPS_TEXT},
      {"1 Hz, ioctl", 1, base | VMS_READ_MAPS_QUERY},
      {"1 Hz, ioctl + residency", 1, base | VMS_READ_MAPS_QUERY | VMS_READ_RESIDENCY},
      {"10 Hz, text", 10, base | VMS_READ_MAPS_TEXT},
      {"10 Hz, ioctl", 10, base | VMS_READ_MAPS_QUERY},
      {"10 Hz, ioctl + residency", 10, base | VMS_READ_MAPS_QUERY | VMS_READ_RESIDENCY},
      {"10 Hz, text + residency", 10, base | VMS_READ_MAPS_TEXT | VMS_READ_RESIDENCY},
      {"unwatched again", 0, 0},
  };
  const int n_phases = (int)(sizeof phases / sizeof phases[0]);
  int samples[MAX_PHASES] = {0};
  bool ok = true;
  for (int k = 0; k < n_phases && ok; k++) {
    atomic_int count = 0;
    VmsSampler *s = NULL;
    atomic_store(&sh->phase, k);
    if (phases[k].hz > 0) {
      VmsSamplerOptions o;
      vms_sampler_options_default(&o);
      o.interval = 1.0 / phases[k].hz;
      o.max_cpu_share = 0; /* a fixed interval: the cost asked for, not a stretched one */
      o.what = phases[k].what;
      VmsError err = {0};
      if (vms_sampler_start(pid, &o, on_sample, &count, &s, &err) != VMS_OK) {
        fprintf(stderr, "bench-target-cost: %s\n", err.message);
        ok = false;
      }
    }
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(long)seconds) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    if (s)
      vms_sampler_stop(s);
    samples[k] = atomic_load(&count);
  }
  atomic_store(&sh->phase, -1);
  int st;
  waitpid(pid, &st, 0);
  if (!ok || atomic_load(&sh->done) != n_phases - 1) {
    fprintf(stderr, "bench-target-cost: the target did not report every phase\n");
    return 1;
  }
  printf("vmscope's cost to its target: a process with %ld mappings maps 16 KiB, writes a byte and "
         "unmaps it in a loop\n",
         mappings);
  printf("latency in us (CLOCK_MONOTONIC around each call), %.0f s a phase; the sampler at a fixed "
         "interval;\nblocked: the target slept (a lock the reader held), preempt: it lost its CPU "
         "(on a shared machine, to anyone)\n\n",
         seconds);
  printf("%-26s %7s | %8s %8s %8s %8s | %8s %8s %8s %8s | %10s %7s %7s\n", "phase", "samples",
         "mmap p50", "p99", "p99.9", "max", "unmap p50", "p99", "p99.9", "max", "ops/s", "blocked",
         "preempt");
  for (int k = 0; k < n_phases; k++) {
    const PhaseResult *r = &sh->result[k];
    printf("%-26s %7d | %8.2f %8.2f %8.2f %8.0f | %8.2f %8.2f %8.2f %8.0f | %10.0f %7ld %7ld\n",
           phases[k].name, samples[k], r->mmap_p50, r->mmap_p99, r->mmap_p999, r->mmap_max,
           r->munmap_p50, r->munmap_p99, r->munmap_p999, r->munmap_max, r->ops_per_s, r->blocked,
           r->preempted);
  }
  /* Against the better of the two unwatched phases, so drift shows as a
   * ratio above 1 in the second rather than flattering the watched ones. */
  const PhaseResult *u0 = &sh->result[0], *u1 = &sh->result[n_phases - 1];
  const PhaseResult *u = u0->ops_per_s >= u1->ops_per_s ? u0 : u1;
  printf("\nratios against unwatched (latency: watched / unwatched; throughput: watched / "
         "unwatched):\n");
  printf("%-26s | %8s %8s %8s | %8s %8s %8s | %10s\n", "phase", "mmap p50", "p99", "p99.9",
         "unmap p50", "p99", "p99.9", "ops/s");
  for (int k = 1; k < n_phases; k++) {
    const PhaseResult *r = &sh->result[k];
    printf("%-26s | %8.2f %8.2f %8.2f | %8.2f %8.2f %8.2f | %10.3f\n", phases[k].name,
           r->mmap_p50 / u->mmap_p50, r->mmap_p99 / u->mmap_p99, r->mmap_p999 / u->mmap_p999,
           r->munmap_p50 / u->munmap_p50, r->munmap_p99 / u->munmap_p99,
           r->munmap_p999 / u->munmap_p999, r->ops_per_s / u->ops_per_s);
  }
  return 0;
}
