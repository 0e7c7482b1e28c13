/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-cli-metrics.h: --metrics and --metrics-dir, the Prometheus side of the command line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct {
  const int *pids; /* the PIDs asked for; none with all or match */
  size_t n_pids;
  bool all;
  const char *match; /* a regular expression over names and command lines */
  bool smaps;        /* read per-region counters for the resident figures */
  const char *dir;   /* --metrics-dir: write DIR/vmscope.prom for node_exporter */
  double interval;   /* with dir: again every interval seconds; 0: once */
} VmsCliMetrics;

/* Runs one collection (or, with dir and an interval, one per interval until
 * SIGINT or SIGTERM) and returns the exit status. */
int vms_cli_metrics(const VmsCliMetrics *m);
