/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-refresh: what one refresh of a large target costs, against reading its /proc files alone.
 *
 * usage: bench-refresh [MAPPINGS...]   (default: 1000 10000 65000)
 *
 * For each size it forks a target holding that many mappings (one page each,
 * protections alternating so the kernel cannot merge them; capped below
 * vm.max_map_count) and measures, in the same run and interleaved:
 *   - the floor: open + read() loop + close of /proc/PID/maps into a buffer
 *   - a full refresh as the sampler does it: vms_target_read (regions and
 *     threads) + vms_snapshot_build (parse, classify, gap-fill, statistics)
 *   - the same pair for smaps (counters)
 *   - the barriers of each built snapshot over its whole usable range (every
 *     region visited), as the window's summary computes them per refresh
 *   - procps pmap's CPU time for the same target (a whole run, for scale)
 *   - the bytes a built snapshot holds per region (allocator sizes, so the
 *     spare capacity of its arrays counts too), and ("all held") everything
 *     a sampler keeps between refreshes: snapshot, target and read buffers
 * Medians of interleaved runs of this thread's CPU time; the ratios are
 * what to compare across machines. Exit status 0 unless something could not be measured. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-target.h"
#include "vms-barriers.h"
#include "vms-platform.h"
#include "vms-snapshot.h"

#define RATIO_TARGET 1.15
#define BYTES_TARGET 64.0

/* CPU time of this thread (user + system): the read's kernel work and the
 * parse both run here, and time the scheduler gives to other processes on
 * a shared machine is left out, so the ratios hold still under load. */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static long read_long(const char *path, long fallback) {
  FILE *f = fopen(path, "r");
  long v = fallback;
  if (f) {
    if (fscanf(f, "%ld", &v) != 1)
      v = fallback;
    fclose(f);
  }
  return v;
}

static long count_maps(pid_t pid) {
  char path[64], buf[65536];
  snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  long lines = 0;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    for (ssize_t i = 0; i < n; i++)
      lines += buf[i] == '\n';
  close(fd);
  return lines;
}

/* A child with n more mappings, each one page of the same file (offsets 0
 * and two pages alternating, so neighbours never merge): what a process
 * that maps many libraries, fonts or data files looks like, where every
 * line of the maps text costs the kernel a d_path. */
static bool setup_files(void *arg) {
  long n = *(const long *)arg;
  long page = sysconf(_SC_PAGESIZE);
  char dir[] = "/tmp/vmscope-bench-XXXXXX", path[128];
  bool ok = mkdtemp(dir) != NULL;
  snprintf(path, sizeof path, "%s/libvmscope-bench-mapping.so.1", dir);
  int fd = ok ? open(path, O_RDWR | O_CREAT | O_TRUNC, 0600) : -1;
  ok = fd >= 0 && ftruncate(fd, 3 * page) == 0;
  char *p = ok ? mmap(NULL, (size_t)n * (size_t)page, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
               : MAP_FAILED;
  ok = p != MAP_FAILED;
  for (long i = 0; ok && i < n; i++)
    ok = mmap(p + (size_t)i * (size_t)page, (size_t)page, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd,
              (off_t)(i % 2) * 2 * page) != MAP_FAILED;
  if (fd >= 0)
    close(fd);
  unlink(path);
  rmdir(dir);
  return ok;
}

static bool target_start_files(long n, Target *t) {
  return target_spawn(setup_files, &n, t);
}

/* The floor: the kernel's cost of producing the text plus one copy into a
 * buffer that is kept between reads (it grows only on the warm-up run). */
static bool plain_read(const char *path, char **buf, size_t *cap, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  size_t n = 0;
  ssize_t r;
  for (;;) {
    if (*cap - n < 65536) {
      size_t ncap = *cap * 2 + (1 << 20);
      char *nb = realloc(*buf, ncap);
      if (!nb) {
        close(fd);
        return false;
      }
      *buf = nb;
      *cap = ncap;
    }
    r = read(fd, *buf + n, *cap - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    n += (size_t)r;
  }
  close(fd);
  *len = n;
  return r == 0;
}

/* CPU time (user + system) of one `pmap PID` run, procps's view of the same
 * maps file, for comparison; -1 when pmap is not installed. */
static double pmap_cpu(pid_t target) {
  if (access("/usr/bin/pmap", X_OK) != 0)
    return -1;
  pid_t child = fork();
  if (child < 0)
    return -1;
  if (child == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
      dup2(devnull, STDOUT_FILENO);
      dup2(devnull, STDERR_FILENO);
    }
    char pid[16];
    snprintf(pid, sizeof pid, "%d", (int)target);
    execl("/usr/bin/pmap", "pmap", pid, (char *)NULL);
    _exit(127);
  }
  int st;
  struct rusage ru;
  if (wait4(child, &st, 0, &ru) != child || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
    return -1;
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static size_t held(const void *p) {
  return p ? malloc_usable_size((void *)p) : 0;
}

/* Bytes the allocator has handed out (arena and mmapped chunks). */
static size_t heap_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

/* Everything one sampler keeps for a target between refreshes: the target
 * (with its read buffer), the reusable space and the latest snapshot. */
static bool measure_held(pid_t pid, size_t *all, size_t *snapshot, size_t *regions) {
  VmsError err;
  VmsTarget *target = NULL;
  VmsSpace space;
  VmsSnapshot *snap = NULL;
  size_t base = heap_in_use();
  vms_space_init(&space);
  bool ok = vms_target_open(pid, &target, &err) == VMS_OK &&
            vms_target_read(target, VMS_READ_REGIONS | VMS_READ_THREADS, &space, &err) == VMS_OK &&
            vms_snapshot_build(&space, &snap, &err) == VMS_OK;
  if (ok) {
    *all = heap_in_use() - base;
    *snapshot = held(snap) + held(snap->regions) + held(snap->counters) + held(snap->names.data) +
                held(snap->names.slots);
    *regions = snap->n_regions;
  } else {
    fprintf(stderr, "bench-refresh: %s\n", err.message);
  }
  if (snap)
    vms_snapshot_unref(snap);
  vms_space_clear(&space);
  if (target)
    vms_target_close(target);
  return ok;
}

typedef struct {
  long mappings;
  size_t regions;
  double maps_read, refresh, smaps_read, smaps_refresh;
  double text_refresh;                 /* the same refresh through the maps text */
  double best_maps_read, best_refresh; /* fastest runs: least disturbed by other load */
  double best_text_refresh;
  double pmap; /* CPU time of procps pmap, or -1 */
  double bytes_per_region, bytes_all_per_region;
  double barriers; /* computing the barriers of the refreshed snapshot */
  uint64_t barrier_walls;
} Result;

/* The barriers' worst case: n mappings each between two free pages, so
 * every one is a barrier (the target's mappings are adjacent, one wall).
 * Built by hand, not read; returns the median time, or -1. */
static double spread_barriers(long n, int reps, uint64_t *walls) {
  VmsSpace space;
  vms_space_init(&space);
  space.bits = 64;
  space.page_size = 4096;
  space.usable_lo = 0x10000;
  space.usable_hi = UINT64_C(0x7ffffffff000);
  const uint64_t base = UINT64_C(0x7f0000000000);
  for (long i = 0; i < n; i++) {
    VmsRegion *r = vms_space_add_region(&space);
    if (!r)
      return -1;
    /* Sizes vary so the ranking keeps changing its top. */
    r->start = base + (uint64_t)i * 0x40000;
    r->end = r->start + 4096 * (uint64_t)(1 + (i * 7919) % 31);
    r->prot = VMS_PROT_READ | VMS_PROT_WRITE;
  }
  VmsSnapshot *snap = NULL;
  VmsError err;
  if (vms_snapshot_build(&space, &snap, &err) != VMS_OK) {
    vms_space_clear(&space);
    return -1;
  }
  vms_space_clear(&space);
  double *t = calloc((size_t)reps, sizeof *t);
  VmsBarrierScope scope;
  vms_barrier_scope_given(snap->usable_lo, snap->usable_hi, &scope);
  bool ok = t != NULL;
  for (int i = -1; ok && i < reps; i++) {
    VmsBarriers b;
    double t0 = now();
    ok = vms_barriers_compute(snap, &scope, NULL, &b, &err) == VMS_OK;
    double t1 = now();
    if (ok) {
      *walls = b.n_barriers;
      vms_barriers_clear(&b);
    }
    if (i >= 0)
      t[i] = t1 - t0;
  }
  double m = ok ? median(t, (size_t)reps) : -1;
  free(t);
  vms_snapshot_unref(snap);
  return m;
}

static bool measure(long want, int reps, Result *res) {
  long max_map = read_long("/proc/sys/vm/max_map_count", 65530);
  long base = count_maps(getpid());
  /* Leave room for what the child inherits and a few the kernel adds. */
  long extra = want - base;
  if (extra > max_map - base - 16)
    extra = max_map - base - 16;
  if (extra < 2)
    extra = 2;
  Target t;
  if (!target_start(extra, &t)) {
    fprintf(stderr, "bench-refresh: could not build a target with %ld mappings\n", extra);
    return false;
  }
  memset(res, 0, sizeof *res);
  res->mappings = count_maps(t.pid);

  char maps_path[64], smaps_path[64];
  snprintf(maps_path, sizeof maps_path, "/proc/%d/maps", (int)t.pid);
  snprintf(smaps_path, sizeof smaps_path, "/proc/%d/smaps", (int)t.pid);
  size_t cap = 0, scap = 0;
  char *buf = NULL, *sbuf = NULL;
  double *a = calloc((size_t)reps, sizeof *a), *b = calloc((size_t)reps, sizeof *b);
  double *c = calloc((size_t)reps, sizeof *c), *d = calloc((size_t)reps, sizeof *d);
  double *e = calloc((size_t)reps, sizeof *e);
  double *g = calloc((size_t)reps, sizeof *g);
  VmsTarget *target = NULL;
  VmsError err;
  VmsSpace space;
  vms_space_init(&space);
  bool ok = a && b && c && d && e && g;
  if (ok && vms_target_open(t.pid, &target, &err) != VMS_OK) {
    fprintf(stderr, "bench-refresh: %s\n", err.message);
    ok = false;
  }
  const unsigned sample = VMS_READ_REGIONS | VMS_READ_THREADS;
  VmsSnapshot *snap = NULL;
  /* One warm-up of each so page cache, allocator and kernel caches settle. */
  for (int i = -1; ok && i < reps; i++) {
    size_t len;
    double t0 = now();
    ok = plain_read(maps_path, &buf, &cap, &len);
    double t1 = now();
    VmsSnapshot *s = NULL;
    if (ok && (vms_target_read(target, sample | VMS_READ_MAPS_QUERY, &space, &err) != VMS_OK ||
               vms_snapshot_build(&space, &s, &err) != VMS_OK)) {
      fprintf(stderr, "bench-refresh: refresh: %s\n", err.message);
      ok = false;
    }
    double t2 = now();
    VmsSnapshot *ts = NULL;
    if (ok && (vms_target_read(target, sample | VMS_READ_MAPS_TEXT, &space, &err) != VMS_OK ||
               vms_snapshot_build(&space, &ts, &err) != VMS_OK)) {
      fprintf(stderr, "bench-refresh: text refresh: %s\n", err.message);
      ok = false;
    }
    double t3 = now();
    if (ok && s) {
      VmsBarrierScope scope;
      vms_barrier_scope_given(s->usable_lo, s->usable_hi, &scope);
      VmsBarriers bars;
      if (vms_barriers_compute(s, &scope, NULL, &bars, &err) != VMS_OK) {
        fprintf(stderr, "bench-refresh: barriers: %s\n", err.message);
        ok = false;
      } else {
        res->barrier_walls = bars.n_barriers;
        vms_barriers_clear(&bars);
      }
    }
    double t4 = now();
    if (ts)
      vms_snapshot_unref(ts);
    if (i >= 0) {
      a[i] = t1 - t0;
      b[i] = t2 - t1;
      e[i] = t3 - t2;
      g[i] = t4 - t3;
    }
    if (s) {
      if (snap)
        vms_snapshot_unref(snap);
      snap = s;
    }
  }
  /* smaps costs about five times more; fewer runs keep the bench short. */
  int sreps = reps > 5 ? reps / 2 : reps;
  for (int i = -1; ok && i < sreps; i++) {
    size_t len;
    double t0 = now();
    ok = plain_read(smaps_path, &sbuf, &scap, &len);
    double t1 = now();
    VmsSnapshot *s = NULL;
    if (ok && (vms_target_read(target, sample | VMS_READ_COUNTERS, &space, &err) != VMS_OK ||
               vms_snapshot_build(&space, &s, &err) != VMS_OK)) {
      fprintf(stderr, "bench-refresh: smaps refresh: %s\n", err.message);
      ok = false;
    }
    double t2 = now();
    if (i >= 0) {
      c[i] = t1 - t0;
      d[i] = t2 - t1;
    }
    if (s)
      vms_snapshot_unref(s);
  }
  if (ok && snap) {
    res->maps_read = median(a, (size_t)reps);
    res->refresh = median(b, (size_t)reps);
    res->best_maps_read = a[0]; /* median() sorted them */
    res->best_refresh = b[0];
    res->smaps_read = median(c, (size_t)sreps);
    res->smaps_refresh = median(d, (size_t)sreps);
    res->barriers = median(g, (size_t)reps);
    res->text_refresh = median(e, (size_t)reps);
    res->best_text_refresh = e[0];
  }
  if (snap)
    vms_snapshot_unref(snap);
  vms_space_clear(&space);
  if (target)
    vms_target_close(target);
  /* pmap's time is a whole process (exec and libraries included), measured
   * with the rusage clock, whose resolution is coarser: a few runs. */
  double pm[5];
  int npm = 0;
  for (int i = 0; ok && i < 5; i++) {
    double v = pmap_cpu(t.pid);
    if (v >= 0)
      pm[npm++] = v;
  }
  res->pmap = npm ? median(pm, (size_t)npm) : -1;
  size_t all = 0, snap_bytes = 0;
  if (ok && measure_held(t.pid, &all, &snap_bytes, &res->regions)) {
    res->bytes_per_region = (double)snap_bytes / (double)res->regions;
    res->bytes_all_per_region = (double)all / (double)res->regions;
  } else {
    ok = false;
  }
  target_stop(&t);
  free(buf);
  free(sbuf);
  free(a);
  free(b);
  free(c);
  free(d);
  free(e);
  free(g);
  return ok;
}

/* ---- file mappings: where the text pays a d_path per line ---- */

static bool timed_refresh(VmsTarget *target, unsigned what, VmsSpace *space, double *out) {
  VmsError err;
  VmsSnapshot *s = NULL;
  double t0 = now();
  bool ok = vms_target_read(target, what, space, &err) == VMS_OK &&
            vms_snapshot_build(space, &s, &err) == VMS_OK;
  *out = now() - t0;
  if (!ok)
    fprintf(stderr, "bench-refresh: residency: %s\n", err.message);
  if (s)
    vms_snapshot_unref(s);
  return ok;
}

static bool measure_files(long want, int reps, double *floor, double *query, double *text,
                          long *mappings) {
  long max_map = read_long("/proc/sys/vm/max_map_count", 65530);
  long base = count_maps(getpid()) + 1;
  long extra = want - base;
  if (extra > max_map - base - 16)
    extra = max_map - base - 16;
  Target t;
  if (!target_start_files(extra, &t)) {
    fprintf(stderr, "bench-refresh: could not build a target with %ld file mappings\n", extra);
    return false;
  }
  *mappings = count_maps(t.pid);
  char maps_path[64];
  snprintf(maps_path, sizeof maps_path, "/proc/%d/maps", (int)t.pid);
  double *v[3];
  bool ok = true;
  for (int k = 0; k < 3; k++)
    ok &= (v[k] = calloc((size_t)reps, sizeof *v[k])) != NULL;
  VmsTarget *target = NULL;
  VmsError err;
  VmsSpace space;
  vms_space_init(&space);
  if (ok && vms_target_open(t.pid, &target, &err) != VMS_OK)
    ok = false;
  const unsigned sample = VMS_READ_REGIONS | VMS_READ_THREADS;
  char *buf = NULL;
  size_t cap = 0;
  for (int i = -1; ok && i < reps; i++) {
    size_t len;
    double t0 = now();
    ok = plain_read(maps_path, &buf, &cap, &len);
    double f = now() - t0, q = 0, x = 0;
    ok = ok && timed_refresh(target, sample | VMS_READ_MAPS_QUERY, &space, &q) &&
         timed_refresh(target, sample | VMS_READ_MAPS_TEXT, &space, &x);
    if (ok && i >= 0) {
      v[0][i] = f;
      v[1][i] = q;
      v[2][i] = x;
    }
  }
  if (ok) {
    *floor = median(v[0], (size_t)reps);
    *query = median(v[1], (size_t)reps);
    *text = median(v[2], (size_t)reps);
  }
  vms_space_clear(&space);
  if (target)
    vms_target_close(target);
  target_stop(&t);
  free(buf);
  for (int k = 0; k < 3; k++)
    free(v[k]);
  return ok;
}

/* ---- residency: resident pages per region against the maps read ---- */

typedef struct {
  long mappings;
  double maps_read, refresh, res_query, res_text, res_entries, smaps;
  uint64_t rss, huge;
} ResResult;

/* A target of `want` mappings with `resident` bytes written: the maps read,
 * a plain refresh, residency through the ioctl walk and PAGEMAP_SCAN, the
 * same through the text and through 8-byte pagemap entries, and smaps. */
static bool measure_residency(long want, size_t resident, int reps, ResResult *res) {
  long max_map = read_long("/proc/sys/vm/max_map_count", 65530);
  long base = count_maps(getpid()) + 1;
  long extra = want - base;
  if (extra > max_map - base - 16)
    extra = max_map - base - 16;
  Target t;
  if (!target_start_resident(extra, resident, &t)) {
    fprintf(stderr, "bench-refresh: could not build a target with %ld mappings and %zu MiB\n",
            extra, resident >> 20);
    return false;
  }
  memset(res, 0, sizeof *res);
  res->mappings = count_maps(t.pid);
  char maps_path[64];
  snprintf(maps_path, sizeof maps_path, "/proc/%d/maps", (int)t.pid);
  double *v[6];
  bool ok = true;
  for (int k = 0; k < 6; k++)
    ok &= (v[k] = calloc((size_t)reps, sizeof *v[k])) != NULL;
  VmsTarget *target = NULL;
  VmsError err;
  VmsSpace space;
  vms_space_init(&space);
  if (ok && vms_target_open(t.pid, &target, &err) != VMS_OK) {
    fprintf(stderr, "bench-refresh: %s\n", err.message);
    ok = false;
  }
  const unsigned sample = VMS_READ_REGIONS | VMS_READ_THREADS;
  const unsigned q = sample | VMS_READ_MAPS_QUERY;
  const unsigned modes[5] = {
      q, q | VMS_READ_RESIDENCY, sample | VMS_READ_RESIDENCY | VMS_READ_MAPS_TEXT,
      q | VMS_READ_RESIDENCY | VMS_READ_PAGEMAP_ENTRIES, sample | VMS_READ_COUNTERS};
  char *buf = NULL;
  size_t cap = 0;
  for (int i = -1; ok && i < reps; i++) {
    size_t len;
    double t0 = now();
    ok = plain_read(maps_path, &buf, &cap, &len);
    double floor = now() - t0;
    double d[5];
    for (int k = 0; ok && k < 5; k++)
      ok = timed_refresh(target, modes[k], &space, &d[k]);
    if (ok && i == -1) {
      /* The residency the ioctl path found, read once more to report it. */
      ok = vms_target_read(target, modes[1], &space, &err) == VMS_OK;
      for (size_t r = 0; ok && r < space.n_regions; r++) {
        res->rss += space.counters[r].rss;
        res->huge += space.counters[r].huge;
      }
    }
    if (ok && i >= 0) {
      v[0][i] = floor;
      for (int k = 0; k < 5; k++)
        v[k + 1][i] = d[k];
    }
  }
  if (ok) {
    res->maps_read = median(v[0], (size_t)reps);
    res->refresh = median(v[1], (size_t)reps);
    res->res_query = median(v[2], (size_t)reps);
    res->res_text = median(v[3], (size_t)reps);
    res->res_entries = median(v[4], (size_t)reps);
    res->smaps = median(v[5], (size_t)reps);
  }
  vms_space_clear(&space);
  if (target)
    vms_target_close(target);
  target_stop(&t);
  free(buf);
  for (int k = 0; k < 6; k++)
    free(v[k]);
  return ok;
}

int main(int argc, char **argv) {
  long sizes[16] = {1000, 10000, 65000};
  int n_sizes = 3;
  if (argc > 1) {
    n_sizes = 0;
    for (int i = 1; i < argc && n_sizes < 16; i++) {
      char *end;
      long v = strtol(argv[i], &end, 10);
      if (*end || v < 10 || v > 10000000) {
        fprintf(stderr, "bench-refresh: '%s' is not a mapping count (10 or more)\n", argv[i]);
        return 2;
      }
      sizes[n_sizes++] = v;
    }
  }
  printf("vmscope refresh benchmark: a full refresh (read + parse + classify + statistics) against "
         "the read alone\n");
  printf("thread CPU time, medians of interleaved runs; vm.max_map_count %ld; sizeof(VmsRegion) "
         "%zu\n\n",
         read_long("/proc/sys/vm/max_map_count", -1), sizeof(VmsRegion));
  printf(
      "refresh: regions through the PROCMAP_QUERY ioctl; text: the same through the maps text\n\n");
  printf("%9s %8s | %10s %10s %6s %10s %6s | %10s %10s %6s | %9s %9s\n", "mappings", "regions",
         "maps read", "refresh", "ratio", "text", "ratio", "smaps read", "refresh", "ratio",
         "B/region", "all held");
  Result last = {0};
  bool all_ok = true;
  for (int s = 0; s < n_sizes; s++) {
    Result r;
    int reps = sizes[s] >= 50000 ? 21 : sizes[s] >= 5000 ? 31 : 101;
    if (!measure(sizes[s], reps, &r)) {
      all_ok = false;
      continue;
    }
    printf("%9ld %8zu | %8.3f ms %7.3f ms %5.2fx %7.3f ms %5.2fx | %8.3f ms %7.3f ms %5.2fx | "
           "%9.1f %9.1f\n",
           r.mappings, r.regions, r.maps_read * 1e3, r.refresh * 1e3, r.refresh / r.maps_read,
           r.text_refresh * 1e3, r.text_refresh / r.maps_read, r.smaps_read * 1e3,
           r.smaps_refresh * 1e3, r.smaps_refresh / r.smaps_read, r.bytes_per_region,
           r.bytes_all_per_region);
    fflush(stdout);
    last = r;
  }
  if (last.mappings > 0) {
    /* vmscope reads a target whichever way its own reads measured cheaper. */
    const bool by_text = last.text_refresh < last.refresh;
    double ratio = (by_text ? last.text_refresh : last.refresh) / last.maps_read;
    double best = by_text ? last.best_text_refresh : last.best_refresh;
    printf("\nat %ld mappings: refresh (the cheaper way here: %s) %.2fx the maps read alone, "
           "median (fastest runs: %.2fx); target <= %.2fx (procps pmap 2.2x, libgtop 7.3x): %s\n",
           last.mappings, by_text ? "the text" : "the ioctl", ratio, best / last.best_maps_read,
           RATIO_TARGET, ratio <= RATIO_TARGET ? "met" : "MISSED");
    if (last.pmap > 0)
      printf("at %ld mappings: procps pmap (a whole run) took %.2fx the maps read alone, measured "
             "here\n",
             last.mappings, last.pmap / last.maps_read);
    printf("at %ld mappings: %.1f bytes held per region of the snapshot (target <= %.0f): %s\n",
           last.mappings, last.bytes_per_region, BYTES_TARGET,
           last.bytes_per_region <= BYTES_TARGET ? "met" : "MISSED");
    printf("with the read buffers kept for the next refresh (target, space): %.1f bytes per region "
           "in all\n",
           last.bytes_all_per_region);
    printf("at %ld mappings: barriers over the whole usable range (%zu regions, %" PRIu64
           " barriers) %.3f ms, %.3fx the refresh\n",
           last.mappings, last.regions, last.barrier_walls, last.barriers * 1e3,
           last.barriers / last.refresh);
    uint64_t walls = 0;
    double spread = spread_barriers(last.mappings, 21, &walls);
    if (spread >= 0)
      printf("at %ld mappings each between two free blocks (built by hand, %" PRIu64
             " barriers): barriers %.3f ms, %.3fx the refresh above\n",
             last.mappings, walls, spread * 1e3, spread / last.refresh);
    printf("at %ld mappings: the text path's refresh %.2fx the maps read, the ioctl's %.2fx "
           "(ioctl/text %.2f)\n",
           last.mappings, last.text_refresh / last.maps_read, last.refresh / last.maps_read,
           last.refresh / last.text_refresh);
  }

  /* File mappings: the same file mapped a page at a time. */
  double ff, fq, fx;
  long fm;
  if (measure_files(sizes[n_sizes - 1], 11, &ff, &fq, &fx, &fm)) {
    printf("\nat %ld mappings of one file: maps read %.3f ms, refresh through the ioctl %.3f ms "
           "%.2fx, through the text %.3f ms %.2fx (ioctl/text %.2f)\n",
           fm, ff * 1e3, fq * 1e3, fq / ff, fx * 1e3, fx / ff, fq / fx);
  } else {
    all_ok = false;
  }

  /* Residency: the largest size asked, with 1 GiB written. */
  long res_size = sizes[n_sizes - 1];
  ResResult rr;
  printf("\nresidency at %ld mappings with 1 GiB written (transparent huge pages as the system "
         "sets them):\n",
         res_size);
  if (measure_residency(res_size, (size_t)1 << 30, 11, &rr)) {
    printf("  %ld mappings, %.0f MiB resident (%.0f MiB in huge pages) as the scan read it\n",
           rr.mappings, (double)rr.rss / 1048576.0, (double)rr.huge / 1048576.0);
    printf("  maps read %.3f ms | refresh without residency %.3f ms %.2fx\n", rr.maps_read * 1e3,
           rr.refresh * 1e3, rr.refresh / rr.maps_read);
    const double cheaper = rr.res_text < rr.res_query ? rr.res_text : rr.res_query;
    printf("  residency, ioctl walk + PAGEMAP_SCAN: %.3f ms %.2fx\n", rr.res_query * 1e3,
           rr.res_query / rr.maps_read);
    printf("  residency, maps text + PAGEMAP_SCAN:  %.3f ms %.2fx\n", rr.res_text * 1e3,
           rr.res_text / rr.maps_read);
    printf("  residency the way vmscope reads this target (the cheaper): %.2fx the maps read "
           "(goal <= 2x): %s\n",
           cheaper / rr.maps_read, cheaper / rr.maps_read <= 2.0 ? "met" : "MISSED");
    printf("  residency, ioctl walk + pagemap entries: %.3f ms %.2fx\n", rr.res_entries * 1e3,
           rr.res_entries / rr.maps_read);
    printf("  smaps refresh (counters):             %.3f ms %.2fx\n", rr.smaps * 1e3,
           rr.smaps / rr.maps_read);
  } else {
    all_ok = false;
  }
  return all_ok ? 0 : 1;
}
