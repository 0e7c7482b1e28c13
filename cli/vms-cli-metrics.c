/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-cli-metrics.c: collect every selected process's figures and write them for Prometheus.
 *
 * A process that cannot be read is counted under its reason, never left out
 * in silence; a PID asked for by name that does not exist is said on stderr
 * and gives exit status 3, while the exposition stays whole. In a directory
 * the file is written beside its final name and renamed over it, so
 * node_exporter's textfile collector never reads half of one. */
#include "vms-cli-metrics.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vms-metrics.h"
#include "vms-snapshot.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig) {
  (void)sig;
  stop_requested = 1;
}

typedef struct {
  VmsMetricsTarget *targets;
  VmsSnapshot **snaps;
  char (*containers)[80];
  size_t n, cap;
  VmsMetricsRun run;
  int missing_pid; /* the first PID asked for that does not exist */
} Collection;

static void collection_clear(Collection *c) {
  for (size_t i = 0; i < c->n; i++)
    vms_snapshot_unref(c->snaps[i]);
  free(c->targets);
  free(c->snaps);
  free(c->containers);
  memset(c, 0, sizeof *c);
}

static bool wanted(const VmsCliMetrics *m, const VmsPattern *pat, const VmsProcInfo *p) {
  if (m->all)
    return true;
  if (pat)
    return vms_pattern_match(pat, p->name) || (p->cmdline && vms_pattern_match(pat, p->cmdline));
  for (size_t i = 0; i < m->n_pids; i++)
    if (m->pids[i] == p->pid)
      return true;
  return false;
}

static VmsErrorCode read_one(const VmsCliMetrics *m, const VmsProcInfo *p, Collection *c,
                             VmsError *err) {
  if (c->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 64;
    VmsMetricsTarget *t = realloc(c->targets, cap * sizeof *t);
    if (t)
      c->targets = t;
    VmsSnapshot **s = realloc(c->snaps, cap * sizeof *s);
    if (s)
      c->snaps = s;
    char(*k)[80] = realloc(c->containers, cap * sizeof *k);
    if (k)
      c->containers = k;
    if (!t || !s || !k)
      return vms_error_set(err, VMS_ERR_NOMEM, "out of memory collecting metrics");
    c->cap = cap;
  }
  VmsTarget *target;
  VmsErrorCode code = vms_target_open(p->pid, &target, err);
  if (code != VMS_OK)
    return code;
  VmsSpace space;
  vms_space_init(&space);
  unsigned what = VMS_READ_REGIONS | VMS_READ_THREADS | (m->smaps ? VMS_READ_COUNTERS : 0);
  code = vms_target_read(target, what, &space, err);
  VmsSnapshot *snap = NULL;
  if (code == VMS_OK)
    code = vms_snapshot_build(&space, &snap, err);
  vms_space_clear(&space);
  vms_target_close(target);
  if (code != VMS_OK)
    return code;
  size_t i = c->n++;
  c->snaps[i] = snap;
  snprintf(c->containers[i], sizeof c->containers[i], "%s", p->container);
  c->targets[i] = (VmsMetricsTarget){snap, c->containers[i], p->ns_pid};
  return VMS_OK;
}

/* One collection into c. A failure that is a process's own (gone,
 * forbidden, ...) is counted; only running out of memory ends it. */
static VmsErrorCode collect(const VmsCliMetrics *m, const VmsPattern *pat, Collection *c,
                            VmsError *err) {
  double t0 = vms_time_monotonic(), cpu0 = vms_cpu_seconds();
  VmsProcInfo *list;
  size_t n;
  VmsErrorCode code = vms_process_list(0, &list, &n, err);
  if (code != VMS_OK)
    return code;
  bool *found = m->n_pids ? calloc(m->n_pids, sizeof *found) : NULL;
  if (m->n_pids && !found) {
    vms_process_list_free(list, n);
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory collecting metrics");
  }
  for (size_t i = 0; i < n && code == VMS_OK; i++) {
    const VmsProcInfo *p = &list[i];
    if (!wanted(m, pat, p))
      continue;
    for (size_t k = 0; k < m->n_pids; k++)
      if (m->pids[k] == p->pid)
        found[k] = true;
    if (p->access != VMS_OK) {
      c->run.unreadable[p->access <= VMS_ERR_UNSUPPORTED ? p->access : VMS_ERR_INTERNAL]++;
      continue;
    }
    VmsError one = {0};
    VmsErrorCode rc = read_one(m, p, c, &one);
    if (rc == VMS_ERR_NOMEM) {
      *err = one;
      code = rc;
    } else if (rc != VMS_OK) {
      /* Listed a moment ago and gone now: it exited. */
      if (rc == VMS_ERR_NO_PROCESS)
        rc = VMS_ERR_GONE;
      c->run.unreadable[rc <= VMS_ERR_UNSUPPORTED ? rc : VMS_ERR_INTERNAL]++;
    }
  }
  for (size_t k = 0; k < m->n_pids; k++)
    if (!found[k]) {
      c->run.unreadable[VMS_ERR_NO_PROCESS]++;
      if (!c->missing_pid)
        c->missing_pid = m->pids[k];
    }
  free(found);
  vms_process_list_free(list, n);
  c->run.targets = c->targets;
  c->run.n_targets = c->n;
  c->run.collection_seconds = vms_time_monotonic() - t0;
  double cpu1 = vms_cpu_seconds();
  c->run.cpu_seconds = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
  return code;
}

/* DIR/vmscope.prom, written beside itself and renamed into place; on any
 * failure the previous file stays as it was. */
static VmsErrorCode write_dir(const char *dir, const VmsMetricsRun *run, VmsError *err) {
  char path[4096], tmp[4200];
  int n = snprintf(path, sizeof path, "%s/vmscope.prom", dir);
  if (n < 0 || (size_t)n >= sizeof path)
    return vms_error_set(err, VMS_ERR_USAGE, "--metrics-dir: the path is too long");
  snprintf(tmp, sizeof tmp, "%s/.vmscope.prom.%ld.tmp", dir, (long)vms_time_now());
  FILE *f = fopen(tmp, "wb");
  if (!f)
    return vms_error_set(err, VMS_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
  bool ok = vms_metrics_write(f, run) && vms_file_sync(f);
  int e = errno;
  if (fclose(f) != 0 && ok) {
    ok = false;
    e = errno;
  }
  if (!ok || !vms_file_replace(tmp, path)) {
    if (ok)
      e = errno;
    remove(tmp);
    return vms_error_set(err, VMS_ERR_IO, "cannot write %s (the previous file is kept): %s", path,
                         strerror(e));
  }
  return VMS_OK;
}

/* Waits up to seconds, returning early when a stop was asked for. */
static void pause_for(double seconds) {
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
  double end = vms_time_now() + seconds;
  pthread_mutex_lock(&lock);
  while (!stop_requested) {
    double now = vms_time_now();
    if (now >= end)
      break;
    /* Short steps, so a signal's flag is seen soon. */
    double until = now + 0.1 < end ? now + 0.1 : end;
    struct timespec ts = {(time_t)until, (long)((until - (double)(time_t)until) * 1e9)};
    pthread_cond_timedwait(&cond, &lock, &ts);
  }
  pthread_mutex_unlock(&lock);
}

int vms_cli_metrics(const VmsCliMetrics *m) {
  VmsPattern *pat = NULL;
  VmsError err = {0};
  if (m->match && vms_pattern_compile(m->match, &pat, &err) != VMS_OK) {
    fprintf(stderr, "vmscope: --match: %s\n", err.message);
    return err.code;
  }
  if (m->dir && m->interval > 0) {
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
  }
  int status = VMS_OK;
  do {
    Collection c = {0};
    VmsErrorCode code = collect(m, pat, &c, &err);
    if (code != VMS_OK) {
      fprintf(stderr, "vmscope: %s\n", err.message);
      status = code;
    } else if (m->dir) {
      code = write_dir(m->dir, &c.run, &err);
      if (code != VMS_OK) {
        fprintf(stderr, "vmscope: %s\n", err.message);
        status = code;
      } else {
        status = VMS_OK;
      }
    } else if (!vms_metrics_write(stdout, &c.run)) {
      status = VMS_ERR_IO; /* said by the caller's check of stdout */
    }
    if (c.missing_pid && status == VMS_OK) {
      fprintf(stderr,
              "vmscope: no process with PID %d (counted as unreadable, reason no_process)\n",
              c.missing_pid);
      status = VMS_ERR_NO_PROCESS;
    }
    collection_clear(&c);
    if (m->dir && m->interval > 0 && !stop_requested)
      pause_for(m->interval);
  } while (m->dir && m->interval > 0 && !stop_requested);
  vms_pattern_free(pat);
  return status;
}
