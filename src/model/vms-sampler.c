/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-sampler.c: the sampling thread behind --watch and the live window. */
#include "vms-sampler.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct VmsSampler {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  VmsTarget *target;
  VmsSamplerOptions opts;
  VmsSamplerFunc func;
  void *user;
  /* under lock */
  bool stop, paused, request, request_counters;
  double effective_interval;
  uint64_t page_lo, page_hi; /* the range of page states wanted (empty: none) */
  bool pages_request;        /* the range changed: read it without a sample */
};

void vms_sampler_options_default(VmsSamplerOptions *opts) {
  opts->interval = 1.0;
  opts->max_cpu_share = 0.03;
  opts->counters_every = 0;
  opts->what = VMS_READ_REGIONS | VMS_READ_THREADS;
  opts->residency_budget = 0;
  opts->pages_func = NULL;
}

/* When residency is read by budget: what the last reads cost. */
typedef struct {
  double cost;      /* wall seconds of the last page-table read (0: none yet) */
  double rest;      /* the rest of the refresh it came with, or of the last one */
  unsigned skipped; /* samples since the last read */
} ResidencyCost;

static bool residency_wanted(const VmsSampler *s, const ResidencyCost *rc, bool requested) {
  const double budget = s->opts.residency_budget;
  if (budget <= 0)
    return (s->opts.what & VMS_READ_RESIDENCY) != 0;
  return requested || rc->cost <= 0 || rc->cost < VMS_SAMPLER_RESIDENCY_FLOOR ||
         rc->cost <= budget * rc->rest || rc->skipped + 1 >= VMS_SAMPLER_RESIDENCY_RETRY;
}

static void note_residency_skipped(VmsSpace *space, const VmsSampler *s, const ResidencyCost *rc) {
  size_t len = strlen(space->note);
  if (len + 3 >= sizeof space->note)
    return;
  snprintf(space->note + len, sizeof space->note - len,
           "%sresident pages not read: the last read took %.1f ms, %.1fx the rest of a refresh "
           "(over the %gx budget); read again within %u refreshes",
           len ? "; " : "", rc->cost * 1000, rc->rest > 0 ? rc->cost / rc->rest : 0,
           s->opts.residency_budget, VMS_SAMPLER_RESIDENCY_RETRY - rc->skipped);
}

/* Reads the page states of [lo, hi) and hands them over (unlocked);
 * returns the seconds it took. */
static double read_pages(VmsSampler *s, uint64_t lo, uint64_t hi) {
  const double t0 = vms_time_monotonic();
  VmsError err = {0};
  VmsPageMap *map = vms_page_map_new();
  VmsErrorCode code = map ? vms_target_read_pages(s->target, lo, hi, map, &err)
                          : vms_error_set(&err, VMS_ERR_NOMEM, "out of memory");
  if (code != VMS_OK) {
    vms_page_map_free(map);
    map = NULL;
  }
  s->opts.pages_func(map, code == VMS_OK ? NULL : &err, s->user);
  return vms_time_monotonic() - t0;
}

static struct timespec deadline_in(double seconds) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  double whole = (double)(long long)seconds;
  ts.tv_sec += (time_t)whole;
  ts.tv_nsec += (long)((seconds - whole) * 1e9);
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

static void *sampler_main(void *data) {
  VmsSampler *s = data;
  VmsSpace space;
  vms_space_init(&space);
  uint64_t serial = 0;
  double last_counters = 0, last_start = 0;
  ResidencyCost rc = {0};
  bool first = true;
  pthread_mutex_lock(&s->lock);
  while (!s->stop) {
    if (!first && !s->request) {
      if (s->paused && !s->pages_request) {
        pthread_cond_wait(&s->wake, &s->lock);
        continue;
      }
      /* The deadline is recomputed on every wake, so a new interval takes
       * effect at once; each wait is at most a second, so a wall clock set
       * back (the condition variable's clock) delays a sample by no more. */
      bool due = false;
      while (!s->stop && !s->request && !s->pages_request && !s->paused) {
        double left = last_start + s->effective_interval - vms_time_monotonic();
        if (left <= 0) {
          due = true;
          break;
        }
        struct timespec until = deadline_in(left < 1.0 ? left : 1.0);
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
      }
      if (s->stop)
        break;
      if (!due && !s->request && s->pages_request) {
        /* The range changed: its pages now, the next sample when due. */
        uint64_t lo = s->page_lo, hi = s->page_hi;
        s->pages_request = false;
        pthread_mutex_unlock(&s->lock);
        if (s->opts.pages_func && lo < hi)
          read_pages(s, lo, hi);
        pthread_mutex_lock(&s->lock);
        continue;
      }
      if (s->paused && !s->request)
        continue;
    }
    first = false;
    unsigned what = s->opts.what | VMS_READ_REGIONS;
    double now = vms_time_monotonic();
    if (s->request_counters ||
        (s->opts.counters_every > 0 && now - last_counters >= s->opts.counters_every))
      what |= VMS_READ_COUNTERS;
    if (residency_wanted(s, &rc, s->request))
      what |= VMS_READ_RESIDENCY;
    else
      what &= ~(unsigned)VMS_READ_RESIDENCY;
    s->request = false;
    s->request_counters = false;
    s->pages_request = false;
    uint64_t page_lo = s->page_lo, page_hi = s->page_hi;
    pthread_mutex_unlock(&s->lock);

    double t0 = vms_time_monotonic();
    last_start = t0;
    VmsError err = {0};
    VmsSnapshot *snap = NULL;
    VmsErrorCode code = vms_target_read(s->target, what, &space, &err);
    if (code == VMS_OK && s->opts.residency_budget > 0) {
      if (what & VMS_READ_RESIDENCY) {
        rc.cost = space.residency_seconds;
        rc.rest = vms_time_monotonic() - t0 - rc.cost;
        rc.skipped = 0;
      } else {
        rc.rest = vms_time_monotonic() - t0;
        rc.skipped++;
        note_residency_skipped(&space, s, &rc);
      }
    }
    if (code == VMS_OK)
      code = vms_snapshot_build(&space, &snap, &err);
    double cost = vms_time_monotonic() - t0;
    if (snap) {
      snap->serial = ++serial;
      snap->read_seconds = cost;
      if (what & VMS_READ_COUNTERS)
        last_counters = now;
    }
    s->func(snap, code == VMS_OK ? NULL : &err, s->user);
    /* The pages on show, read right after the walk they go with. */
    if (code == VMS_OK && s->opts.pages_func && page_lo < page_hi)
      cost += read_pages(s, page_lo, page_hi);

    pthread_mutex_lock(&s->lock);
    /* Stretch the interval so sampling stays a few percent of one core. */
    double need = s->opts.max_cpu_share > 0 ? cost / s->opts.max_cpu_share : 0;
    s->effective_interval = need > s->opts.interval ? need : s->opts.interval;
    if (code != VMS_OK && vms_error_ends_target(code)) {
      while (!s->stop)
        pthread_cond_wait(&s->wake, &s->lock);
      break;
    }
  }
  pthread_mutex_unlock(&s->lock);
  vms_space_clear(&space);
  return NULL;
}

VmsErrorCode vms_sampler_start(int pid, const VmsSamplerOptions *opts, VmsSamplerFunc func,
                               void *user, VmsSampler **out, VmsError *err) {
  *out = NULL;
  VmsSampler *s = calloc(1, sizeof *s);
  if (!s)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  if (opts)
    s->opts = *opts;
  else
    vms_sampler_options_default(&s->opts);
  if (s->opts.interval <= 0)
    s->opts.interval = 1.0;
  s->effective_interval = s->opts.interval;
  s->func = func;
  s->user = user;
  VmsErrorCode code = vms_target_open(pid, &s->target, err);
  if (code != VMS_OK) {
    free(s);
    return code;
  }
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->wake, NULL);
  if (pthread_create(&s->thread, NULL, sampler_main, s) != 0) {
    vms_target_close(s->target);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    free(s);
    return vms_error_set(err, VMS_ERR_INTERNAL, "cannot start the sampler thread");
  }
  *out = s;
  return VMS_OK;
}

void vms_sampler_stop(VmsSampler *s) {
  if (!s)
    return;
  pthread_mutex_lock(&s->lock);
  s->stop = true;
  pthread_cond_broadcast(&s->wake);
  pthread_mutex_unlock(&s->lock);
  pthread_join(s->thread, NULL);
  vms_target_close(s->target);
  pthread_mutex_destroy(&s->lock);
  pthread_cond_destroy(&s->wake);
  free(s);
}

void vms_sampler_set_interval(VmsSampler *s, double seconds) {
  pthread_mutex_lock(&s->lock);
  if (seconds > 0) {
    /* The next sample stretches it again if reads cost too much. */
    s->opts.interval = seconds;
    s->effective_interval = seconds;
  }
  pthread_cond_broadcast(&s->wake);
  pthread_mutex_unlock(&s->lock);
}

double vms_sampler_effective_interval(VmsSampler *s) {
  pthread_mutex_lock(&s->lock);
  double v = s->effective_interval;
  pthread_mutex_unlock(&s->lock);
  return v;
}

void vms_sampler_set_paused(VmsSampler *s, bool paused) {
  pthread_mutex_lock(&s->lock);
  s->paused = paused;
  pthread_cond_broadcast(&s->wake);
  pthread_mutex_unlock(&s->lock);
}

void vms_sampler_request(VmsSampler *s, bool with_counters) {
  pthread_mutex_lock(&s->lock);
  s->request = true;
  if (with_counters)
    s->request_counters = true;
  pthread_cond_broadcast(&s->wake);
  pthread_mutex_unlock(&s->lock);
}

void vms_sampler_set_page_range(VmsSampler *s, uint64_t start, uint64_t end) {
  pthread_mutex_lock(&s->lock);
  if (start != s->page_lo || end != s->page_hi) {
    s->page_lo = start;
    s->page_hi = end;
    s->pages_request = start < end;
    pthread_cond_broadcast(&s->wake);
  }
  pthread_mutex_unlock(&s->lock);
}
