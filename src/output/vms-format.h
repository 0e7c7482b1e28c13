/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-format.h: the table, CSV and JSON writers behind the CLI. */
#pragma once

#include <stdio.h>

#include "vms-barriers.h"
#include "vms-snapshot.h"

typedef enum { VMS_FORMAT_TABLE = 0, VMS_FORMAT_CSV, VMS_FORMAT_JSON } VmsFormat;

typedef struct {
  uint64_t size, align; /* size 0: no fit question */
} VmsFitQuery;

/* A JSON string (quoted and escaped; a byte that is not UTF-8 is U+FFFD) and a
 * CSV field (quoted where it holds a comma, a quote or a line break). */
void vms_write_json_string(FILE *f, const char *s);
void vms_write_csv_field(FILE *f, const char *s);

void vms_print_regions(FILE *f, const VmsSnapshot *snap, VmsFormat fmt, uint64_t lo, uint64_t hi);
/* barriers (may be NULL) adds them to the JSON summary as "barriers". */
void vms_print_summary(FILE *f, const VmsSnapshot *snap, const VmsStats *st, VmsFormat fmt,
                       const VmsFitQuery *fit, const VmsBarriers *barriers);
/* What splits the free space: the ranked barriers, the groups and the facts. */
void vms_print_barriers(FILE *f, const VmsSnapshot *snap, const VmsBarriers *b, VmsFormat fmt);
void vms_print_process_list(FILE *f, const VmsProcInfo *list, size_t n, VmsFormat fmt);
/* One line per sample for --watch. */
void vms_print_watch_line(FILE *f, const VmsSnapshot *snap, VmsFormat fmt, bool header);
