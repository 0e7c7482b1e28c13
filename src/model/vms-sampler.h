/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-sampler.h: a POSIX thread that reads a target at an interval and hands over finished
 * snapshots.
 *
 * Every read, classification and statistic happens on the sampler's thread;
 * the callback runs there too and receives a reference it owns. A GUI hands
 * that reference to its main loop (g_idle_add) and returns at once. */
#pragma once

#include "vms-snapshot.h"

typedef struct VmsSampler VmsSampler;

/* snap is NULL when err is set. The callback owns snap's reference. After an
 * error that ends the target (gone, reused, permission), the sampler stops
 * sampling by itself. */
typedef void (*VmsSamplerFunc)(VmsSnapshot *snap, const VmsError *err, void *user);
/* Page states of the range set with vms_sampler_set_page_range, read on the
 * sampler's thread after each sample and whenever the range changes. map is
 * NULL when err is set; the callback owns map (vms_page_map_free). */
typedef void (*VmsSamplerPagesFunc)(VmsPageMap *map, const VmsError *err, void *user);

typedef struct {
  double interval;       /* seconds between samples; default 1.0 */
  double max_cpu_share;  /* stretch the interval so reads cost at most this
                            share of one core; default 0.03; 0 = fixed interval */
  double counters_every; /* also read counters every this many seconds; 0 = only on request */
  unsigned what;         /* VMS_READ_* for ordinary samples (REGIONS|THREADS by default);
                            with VMS_READ_RESIDENCY every sample carries resident, swapped
                            and huge-page bytes per region (about 0.7x a maps read more
                            at 65,000 mappings, and the stretching above still bounds it) */
  /* > 0: read residency on a sample while it is cheap enough: while the last
   * read of it took at most this many times the rest of its refresh, or
   * under VMS_SAMPLER_RESIDENCY_FLOOR seconds; otherwise it is left out (the
   * snapshot's note says why) and tried again every
   * VMS_SAMPLER_RESIDENCY_RETRY samples, and on every vms_sampler_request.
   * 0: residency as `what` says. */
  double residency_budget;
  VmsSamplerPagesFunc pages_func; /* NULL: no page states are read */
} VmsSamplerOptions;

#define VMS_SAMPLER_RESIDENCY_FLOOR 0.002
#define VMS_SAMPLER_RESIDENCY_RETRY 16

void vms_sampler_options_default(VmsSamplerOptions *opts);

VmsErrorCode vms_sampler_start(int pid, const VmsSamplerOptions *opts, VmsSamplerFunc func,
                               void *user, VmsSampler **out, VmsError *err);
/* Stops the thread and waits for it; no callback runs after this returns. */
void vms_sampler_stop(VmsSampler *sampler);

void vms_sampler_set_interval(VmsSampler *sampler, double seconds);
double vms_sampler_effective_interval(VmsSampler *sampler); /* after stretching */
void vms_sampler_set_paused(VmsSampler *sampler, bool paused);
/* Samples now (with counters when with_counters), even while paused. */
void vms_sampler_request(VmsSampler *sampler, bool with_counters);
/* The address range whose page states go to pages_func (start >= end:
 * none). A new range is read at once, even while paused. */
void vms_sampler_set_page_range(VmsSampler *sampler, uint64_t start, uint64_t end);
