/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-metrics.h: vmscope's figures for Prometheus, as OpenMetrics text.
 *
 * One collection: the snapshots of the processes that could be read, and a
 * count by reason of those that could not, never dropped in silence. The
 * text is valid OpenMetrics (and Prometheus text format) whatever the
 * collection held, ending in "# EOF". */
#pragma once

#include <stdio.h>

#include "vms-snapshot.h"

typedef struct {
  const VmsSnapshot *snap;
  const char *container; /* "" or NULL: no container label */
  int ns_pid;            /* 0: none */
} VmsMetricsTarget;

typedef struct {
  const VmsMetricsTarget *targets;
  size_t n_targets;
  /* Processes that could not be read, by VmsErrorCode. */
  size_t unreadable[VMS_ERR_UNSUPPORTED + 1];
  double collection_seconds; /* wall time the collection took */
  double cpu_seconds;        /* CPU time it took, < 0 unknown */
} VmsMetricsRun;

/* The reason label for a code: "permission", "no_address_space", "exited", ... */
const char *vms_metrics_reason(VmsErrorCode code);
/* Writes run to f; false when writing failed (errno set by stdio). */
bool vms_metrics_write(FILE *f, const VmsMetricsRun *run);
