/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-metrics.c: the OpenMetrics text exposition of one collection.
 *
 * Names follow Prometheus's conventions: a vmscope_ prefix, base units
 * (bytes, seconds) in the name, _ratio for fractions, and no _total, since
 * every figure here is a gauge of the moment it was read. */
#include "vms-metrics.h"

#include <inttypes.h>
#include <string.h>

const char *vms_metrics_reason(VmsErrorCode code) {
  switch (code) {
  case VMS_ERR_PERMISSION: return "permission";
  case VMS_ERR_NO_ADDRESS_SPACE: return "no_address_space";
  case VMS_ERR_GONE: return "exited";
  case VMS_ERR_REUSED: return "pid_reused";
  case VMS_ERR_NO_PROCESS: return "no_process";
  case VMS_ERR_NOMEM: return "out_of_memory";
  case VMS_ERR_UNSUPPORTED: return "unsupported";
  case VMS_ERR_IO: return "io";
  case VMS_ERR_PARSE: return "malformed";
  default: return "other";
  }
}

/* A label value: backslash, double quote and newline escaped, invalid
 * UTF-8 and other control bytes replaced, so the line always parses. */
static void put_label(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '\\' || *p == '"')
      fprintf(f, "\\%c", *p);
    else if (*p == '\n')
      fputs("\\n", f);
    else if (*p < 0x20 || *p == 0x7f || *p >= 0x80)
      fputc('?', f); /* names of processes are bytes; a label is UTF-8 */
    else
      fputc(*p, f);
  }
  fputc('"', f);
}

static void put_target_labels(FILE *f, const VmsMetricsTarget *t) {
  fprintf(f, "pid=\"%d\",name=", t->snap->pid);
  put_label(f, t->snap->name);
  if (t->container && t->container[0]) {
    fputs(",container=", f);
    put_label(f, t->container);
  }
  if (t->ns_pid)
    fprintf(f, ",ns_pid=\"%d\"", t->ns_pid);
}

typedef double (*Figure)(const VmsSnapshot *s);

static double fig_space(const VmsSnapshot *s) {
  return (double)(s->usable_hi - s->usable_lo);
}
static double fig_free(const VmsSnapshot *s) {
  return (double)s->stats.free_total;
}
static double fig_largest(const VmsSnapshot *s) {
  return (double)s->stats.free_largest;
}
static double fig_blocks(const VmsSnapshot *s) {
  return (double)s->stats.free_blocks;
}
static double fig_frag(const VmsSnapshot *s) {
  return s->stats.fragmentation;
}
static double fig_vmas(const VmsSnapshot *s) {
  return (double)s->stats.vma_count;
}
static double fig_max_map(const VmsSnapshot *s) {
  return (double)s->stats.max_map_count;
}
static double fig_threads(const VmsSnapshot *s) {
  return (double)s->n_threads;
}

static void family(FILE *f, const char *name, const char *unit, const char *help) {
  fprintf(f, "# TYPE %s gauge\n", name);
  if (unit)
    fprintf(f, "# UNIT %s %s\n", name, unit);
  fprintf(f, "# HELP %s %s\n", name, help);
}

static void per_target(FILE *f, const VmsMetricsRun *run, const char *name, const char *unit,
                       const char *help, Figure fig, bool skip_zero) {
  family(f, name, unit, help);
  for (size_t i = 0; i < run->n_targets; i++) {
    const VmsMetricsTarget *t = &run->targets[i];
    double v = fig(t->snap);
    if (skip_zero && v == 0)
      continue;
    fprintf(f, "%s{", name);
    put_target_labels(f, t);
    fprintf(f, "} %.17g\n", v);
  }
}

bool vms_metrics_write(FILE *f, const VmsMetricsRun *run) {
  per_target(f, run, "vmscope_address_space_bytes", "bytes",
             "Usable address space of the process (its bitness and the kernel's limits).",
             fig_space, false);
  per_target(f, run, "vmscope_free_bytes", "bytes", "Free address space in the usable range.",
             fig_free, false);
  per_target(f, run, "vmscope_free_largest_block_bytes", "bytes",
             "The largest free block: the largest allocation that can still be placed.",
             fig_largest, false);
  per_target(f, run, "vmscope_free_blocks", NULL, "Free blocks (maximal runs of free space).",
             fig_blocks, false);
  per_target(f, run, "vmscope_fragmentation_ratio", "ratio",
             "1 - largest free block / free bytes; 0 when nothing is free.", fig_frag, false);
  per_target(f, run, "vmscope_mappings", NULL, "Mappings (VMAs) as the kernel counts them.",
             fig_vmas, false);
  per_target(f, run, "vmscope_mappings_limit", NULL,
             "The kernel's limit on mappings per process (vm.max_map_count); absent where none.",
             fig_max_map, true);
  family(f, "vmscope_process_info", NULL, "Always 1; its labels say what the process is.");
  for (size_t i = 0; i < run->n_targets; i++) {
    fputs("vmscope_process_info{", f);
    put_target_labels(f, &run->targets[i]);
    fprintf(f, ",bits=\"%d\"} 1\n", run->targets[i].snap->bits);
  }
  per_target(f, run, "vmscope_threads", NULL, "Threads of the process.", fig_threads, false);

  family(f, "vmscope_region_bytes", "bytes",
         "Address space by region type and state (committed or reserved), as VMMap's summary.");
  for (size_t i = 0; i < run->n_targets; i++) {
    const VmsMetricsTarget *t = &run->targets[i];
    for (int k = 0; k < VMS_TYPE_COUNT; k++) {
      if (k == VMS_TYPE_FREE)
        continue;
      const VmsTypeStats *ts = &t->snap->stats.by_type[k];
      if (!ts->size)
        continue;
      uint64_t parts[2] = {ts->committed, ts->size - ts->committed};
      static const char *const states[2] = {"committed", "reserved"};
      for (int st = 0; st < 2; st++) {
        if (!parts[st])
          continue;
        fputs("vmscope_region_bytes{", f);
        put_target_labels(f, t);
        fprintf(f, ",type=\"%s\",state=\"%s\"} %" PRIu64 "\n", vms_type_name((VmsRegionType)k),
                states[st], parts[st]);
      }
    }
  }
  family(f, "vmscope_resident_bytes", "bytes",
         "Resident memory by region type, where the per-region counters were read.");
  for (size_t i = 0; i < run->n_targets; i++) {
    const VmsMetricsTarget *t = &run->targets[i];
    if (!t->snap->stats.resident_known)
      continue;
    for (int k = 0; k < VMS_TYPE_COUNT; k++) {
      const VmsTypeStats *ts = &t->snap->stats.by_type[k];
      if (k == VMS_TYPE_FREE || k == VMS_TYPE_UNUSABLE || !ts->size)
        continue;
      fputs("vmscope_resident_bytes{", f);
      put_target_labels(f, t);
      fprintf(f, ",type=\"%s\"} %" PRIu64 "\n", vms_type_name((VmsRegionType)k), ts->resident);
    }
  }

  family(f, "vmscope_processes_read", NULL, "Processes read in this collection.");
  fprintf(f, "vmscope_processes_read %zu\n", run->n_targets);
  family(f, "vmscope_processes_unreadable", NULL,
         "Processes that could not be read in this collection, by reason.");
  static const VmsErrorCode reasons[] = {VMS_ERR_PERMISSION, VMS_ERR_NO_ADDRESS_SPACE,
                                         VMS_ERR_GONE,       VMS_ERR_REUSED,
                                         VMS_ERR_NO_PROCESS, VMS_ERR_NOMEM,
                                         VMS_ERR_UNSUPPORTED};
  size_t other = 0;
  for (int c = 0; c <= VMS_ERR_UNSUPPORTED; c++) {
    bool listed = false;
    for (size_t k = 0; k < sizeof reasons / sizeof reasons[0]; k++)
      listed = listed || reasons[k] == (VmsErrorCode)c;
    if (!listed)
      other += run->unreadable[c];
  }
  /* Every reason always, zeros included, so an alert can rate() them. */
  for (size_t k = 0; k < sizeof reasons / sizeof reasons[0]; k++)
    fprintf(f, "vmscope_processes_unreadable{reason=\"%s\"} %zu\n", vms_metrics_reason(reasons[k]),
            run->unreadable[reasons[k]]);
  fprintf(f, "vmscope_processes_unreadable{reason=\"other\"} %zu\n", other);
  family(f, "vmscope_collection_duration_seconds", "seconds", "Wall time the collection took.");
  fprintf(f, "vmscope_collection_duration_seconds %.6f\n", run->collection_seconds);
  if (run->cpu_seconds >= 0) {
    family(f, "vmscope_collection_cpu_seconds", "seconds", "CPU time the collection took.");
    fprintf(f, "vmscope_collection_cpu_seconds %.6f\n", run->cpu_seconds);
  }
  fputs("# EOF\n", f);
  return !ferror(f);
}
