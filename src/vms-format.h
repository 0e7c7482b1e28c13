/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-format.h: sizes, addresses and the table/CSV/JSON writers behind the CLI. */
#pragma once

#include <stdio.h>

#include "vms-snapshot.h"

typedef enum { VMS_FORMAT_TABLE = 0, VMS_FORMAT_CSV, VMS_FORMAT_JSON } VmsFormat;

/* "1.5 MiB", "128 TiB", "4 KiB", "812 B". */
void vms_format_size(uint64_t bytes, char *buf, size_t len);
/* Parses "512M", "1G", "64k", "4096", "1.5GiB", "0x1000" (binary units).
 * Returns false for anything else, zero included when !allow_zero. */
bool vms_parse_size(const char *s, bool allow_zero, uint64_t *out);
/* Parses an address: hex with or without 0x. */
bool vms_parse_addr(const char *s, uint64_t *out);

typedef struct {
  uint64_t size, align; /* size 0: no fit question */
} VmsFitQuery;

void vms_print_regions(FILE *f, const VmsSnapshot *snap, VmsFormat fmt, uint64_t lo, uint64_t hi);
void vms_print_summary(FILE *f, const VmsSnapshot *snap, const VmsStats *st, VmsFormat fmt,
                       const VmsFitQuery *fit);
void vms_print_process_list(FILE *f, const VmsProcInfo *list, size_t n, VmsFormat fmt);
/* One line per sample for --watch. */
void vms_print_watch_line(FILE *f, const VmsSnapshot *snap, VmsFormat fmt, bool header);
