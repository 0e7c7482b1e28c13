/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-soak.c: 10,000 refreshes of a target whose mappings keep changing, in the sampler; memory
 * and descriptors before and after.
 *
 * Usage: bench-soak HELPER [REFRESHES]. Starts `HELPER churn 64` (mappings
 * replaced every 200 us, a thread started and ended every 64 of them),
 * runs vms_sampler on it at a 1 ms interval with counters every 0.25 s,
 * keeping the latest snapshot as the window does, and prints this process's
 * resident memory and open descriptors after a warm-up (the start), every
 * 2,000 refreshes, and at the end, with the differences; and the
 * descriptors once the sampler has stopped against those before it started.
 * Exits 1 only when the leak goal (resident within 1 MiB, descriptors
 * unchanged) is missed; it never judges timings. */
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-soak-probe.h"
#include "vms-sampler.h"

enum { WARMUP = 200 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long n_snapshots, n_errors, n_counters;
static VmsSnapshot *latest;
static VmsError last_err;

static void on_sample(VmsSnapshot *snap, const VmsError *err, void *user) {
  pthread_mutex_lock(&lock);
  if (snap) {
    if (latest)
      vms_snapshot_unref(latest);
    latest = snap;
    n_snapshots++;
    if (snap->counters)
      n_counters++;
  } else {
    n_errors++;
    last_err = *err;
  }
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
}

static bool wait_for(long count, double timeout) {
  double end = vms_time_monotonic() + timeout;
  pthread_mutex_lock(&lock);
  while (n_snapshots < count && n_errors == 0 && vms_time_monotonic() < end) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 100000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&cond, &lock, &ts);
  }
  bool ok = n_snapshots >= count;
  pthread_mutex_unlock(&lock);
  return ok;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s HELPER [REFRESHES]\n", argv[0]);
    return 2;
  }
  const long refreshes = argc > 2 ? strtol(argv[2], NULL, 10) : 10000;
  int to_child[2], from_child[2];
  if (pipe(to_child) != 0 || pipe(from_child) != 0) {
    perror("pipe");
    return 1;
  }
  pid_t child = fork();
  if (child == 0) {
    dup2(to_child[0], 0);
    dup2(from_child[1], 1);
    close(to_child[1]);
    close(from_child[0]);
    execl(argv[1], argv[1], "churn", "64", (char *)NULL);
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  FILE *out = fdopen(from_child[0], "r");
  if (!soak_wait_ready(out))
    return 1;

  const int fds_before = soak_open_fds();
  VmsSamplerOptions opts;
  vms_sampler_options_default(&opts);
  opts.interval = 0.001;
  opts.max_cpu_share = 0; /* no stretching: as fast as the interval allows */
  opts.counters_every = 0.25;
  VmsSampler *sampler;
  VmsError err = {0};
  if (vms_sampler_start((int)child, &opts, on_sample, NULL, &sampler, &err) != VMS_OK) {
    fprintf(stderr, "cannot sample the helper: %s\n", err.message);
    return 1;
  }
  if (!wait_for(WARMUP, 60)) {
    fprintf(stderr, "no warm-up: %ld snapshots, %ld errors (%s)\n", n_snapshots, n_errors,
            last_err.message);
    return 1;
  }
  pthread_mutex_lock(&lock);
  const long first = n_snapshots;
  const long regions0 = latest ? (long)latest->n_regions : 0;
  pthread_mutex_unlock(&lock);
  const long long rss0 = soak_rss_bytes();
  const int fds0 = soak_open_fds();
  const double t0 = vms_time_monotonic();
  printf("sampler soak: %ld refreshes of a target changing its mappings every 200 us (%ld regions "
         "at the start)\n",
         refreshes, regions0);
  printf("%10s %12s %8s\n", "refreshes", "RSS", "fds");
  printf("%10s %9.1f MiB %8d   (start, after %ld warm-up refreshes; %d descriptors before the "
         "sampler)\n",
         "0", rss0 / 1048576.0, fds0, first, fds_before);
  long long rss = rss0;
  int fds = fds0;
  bool ok = true;
  for (long at = 2000;; at += 2000) {
    if (at > refreshes)
      at = refreshes;
    if (!wait_for(first + at, 600)) {
      fprintf(stderr, "stalled after %ld refreshes: %ld errors (%s)\n", n_snapshots - first,
              n_errors, last_err.message);
      ok = false;
      break;
    }
    rss = soak_rss_bytes();
    fds = soak_open_fds();
    printf("%10ld %9.1f MiB %8d\n", at, rss / 1048576.0, fds);
    fflush(stdout);
    if (at == refreshes)
      break;
  }
  const double wall = vms_time_monotonic() - t0;
  pthread_mutex_lock(&lock);
  const long done = n_snapshots - first, counters = n_counters;
  pthread_mutex_unlock(&lock);
  vms_sampler_stop(sampler);
  pthread_mutex_lock(&lock);
  if (latest)
    vms_snapshot_unref(latest);
  latest = NULL;
  pthread_mutex_unlock(&lock);
  const int fds_after = soak_open_fds();
  close(to_child[1]); /* the helper ends at end of file on stdin */
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);

  const long long drss = rss - rss0;
  printf("%ld refreshes in %.1f s (%.0f per second, %ld with counters)\n", done, wall, done / wall,
         counters);
  const bool fds_ok = soak_print_verdict(rss0, rss, fds0, fds, fds_after, fds_before,
                                         "after stopping", "before starting");
  if (!ok || done < refreshes)
    return 1;
  return drss <= SOAK_RSS_GOAL && fds_ok ? 0 : 1;
}
