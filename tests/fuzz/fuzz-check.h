/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-check.h: what the classifier fuzz targets do with every snapshot they build, and the
 * promises they check.
 *
 * Each target decodes its input into a VmsSpace and hands the snapshot here:
 * the snapshot contract (sorted, non-empty regions covering [0, usable_hi)
 * without holes), statistics over windows that add up, fit answers that
 * really are free, a diff against the previous snapshot, and the table, CSV
 * and JSON writers into memory (JSON checked to be UTF-8 without raw
 * control bytes). A broken promise aborts, which the fuzzer reports. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vms-diff.h"
#include "vms-format.h"

static void fuzz_require(bool ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "fuzz: broken promise: %s\n", what);
    abort();
  }
}

static void fuzz_check_regions(const VmsSnapshot *s) {
  uint64_t cursor = 0;
  for (size_t i = 0; i < s->n_regions; i++) {
    const VmsRegion *r = &s->regions[i];
    fuzz_require(r->start < r->end, "a region is not empty");
    fuzz_require(i == 0 || r->start >= s->regions[i - 1].end, "regions are sorted and apart");
    fuzz_require(r->type < VMS_TYPE_COUNT && r->state < VMS_STATE_COUNT,
                 "type and state are known");
    fuzz_require((r->state == VMS_STATE_FREE) ==
                     (r->type == VMS_TYPE_FREE || r->type == VMS_TYPE_UNUSABLE),
                 "free state is exactly free and unusable space");
    fuzz_require(r->name < s->names.len || r->name == 0, "a name is in the pool");
    if (r->start < s->usable_hi) {
      fuzz_require(r->start == cursor, "the usable range has no holes");
      cursor = r->end;
    } else {
      fuzz_require((r->detail & VMS_DETAIL_OUTSIDE) && r->state != VMS_STATE_FREE,
                   "only mappings lie outside the usable range, marked so");
    }
  }
  fuzz_require(cursor >= s->usable_hi, "the regions reach the top of the usable range");
}

static void fuzz_check_stats(const VmsSnapshot *s, uint64_t lo, uint64_t hi) {
  VmsStats st;
  vms_stats_compute(s, lo, hi, &st);
  uint64_t sum = 0, free_sum = st.by_type[VMS_TYPE_FREE].size;
  for (int k = 0; k < VMS_TYPE_COUNT; k++) {
    sum += st.by_type[k].size;
    fuzz_require(st.by_type[k].committed <= st.by_type[k].size, "committed within size");
    fuzz_require(st.by_type[k].largest <= st.by_type[k].size, "largest within size");
  }
  /* Inside the usable range every byte is some region's. */
  if (lo < hi && hi <= s->usable_hi)
    fuzz_require(sum == hi - lo, "types add up to the window");
  fuzz_require(st.free_total == free_sum, "free blocks add up to Free");
  fuzz_require(st.free_largest <= st.free_total, "largest free block within the total");
  fuzz_require((st.free_blocks == 0) == (st.free_total == 0), "free blocks counted");
  fuzz_require(st.fragmentation >= 0 && st.fragmentation <= 1, "fragmentation in [0, 1]");
  uint64_t hist = 0;
  for (int k = 0; k < VMS_HIST_BUCKETS; k++)
    hist += st.free_hist[k];
  fuzz_require(hist == st.free_blocks, "the histogram counts every free block");
}

/* Every start vms_fit gives is aligned and free for size bytes. */
static void fuzz_check_fit(const VmsSnapshot *s, uint64_t lo, uint64_t hi, uint64_t size,
                           uint64_t align) {
  uint64_t starts[8];
  size_t n = vms_fit(s, lo, hi, size, align, starts, 8);
  uint64_t a = vms_fit_alignment(s, align);
  for (size_t k = 0; k < n && k < 8; k++) {
    uint64_t at = starts[k];
    fuzz_require(a && (at & (a - 1)) == 0, "a fit is aligned");
    fuzz_require(at >= lo && at < hi && size <= hi - at, "a fit lies in the window");
    fuzz_require(k == 0 || at > starts[k - 1], "fits are lowest first");
    for (uint64_t p = at; p - at < size;) {
      size_t i = vms_snapshot_find(s, p);
      fuzz_require(i != SIZE_MAX && s->regions[i].type == VMS_TYPE_FREE, "a fit is free space");
      if (s->regions[i].end - at >= size)
        break;
      p = s->regions[i].end;
    }
  }
}

static void fuzz_check_diff(const VmsSnapshot *old_snap, const VmsSnapshot *new_snap) {
  VmsChange *v = NULL;
  size_t n = vms_snapshot_diff(old_snap, new_snap, &v);
  for (size_t k = 0; k < n; k++) {
    fuzz_require(v[k].start < v[k].end, "a change is not empty");
    fuzz_require(k == 0 || v[k].start >= v[k - 1].start, "changes are sorted");
    const VmsSnapshot *in = v[k].kind == VMS_CHANGE_GONE ? old_snap : new_snap;
    size_t i = vms_snapshot_find(in, v[k].start);
    fuzz_require(i != SIZE_MAX && in->regions[i].start == v[k].start &&
                     in->regions[i].end == v[k].end,
                 "a change is a region of its snapshot");
  }
  free(v);
}

#ifndef _WIN32
/* JSON text is UTF-8 without raw control bytes but newlines. */
static void fuzz_check_json(const char *p, size_t n) {
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)p[i];
    fuzz_require(c >= 0x20 || c == '\n', "JSON has no raw control bytes");
    size_t k = c < 0x80                 ? 1
               : c >= 0xc2 && c <= 0xdf ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
    fuzz_require(k && i + k <= n, "JSON is UTF-8");
    for (size_t j = 1; j < k; j++)
      fuzz_require(((unsigned char)p[i + j] & 0xc0) == 0x80, "JSON is UTF-8");
    i += k;
  }
}
#endif

/* Runs a writer into memory where the C library can (open_memstream), so the
 * JSON can be checked; elsewhere into the null device. */
typedef void (*FuzzWriter)(FILE *f, const VmsSnapshot *s, VmsFormat fmt, const VmsFitQuery *fit);

static void fuzz_write(FuzzWriter w, const VmsSnapshot *s, VmsFormat fmt, const VmsFitQuery *fit) {
#ifdef _WIN32
  FILE *f = fopen("NUL", "w");
  if (!f)
    return;
  w(f, s, fmt, fit);
  fclose(f);
#else
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f)
    return;
  w(f, s, fmt, fit);
  fclose(f);
  if (fmt == VMS_FORMAT_JSON)
    fuzz_check_json(buf, len);
  free(buf);
#endif
}

static void fuzz_regions_writer(FILE *f, const VmsSnapshot *s, VmsFormat fmt,
                                const VmsFitQuery *fit) {
  vms_print_regions(f, s, fmt, 0, UINT64_MAX);
}
static void fuzz_summary_writer(FILE *f, const VmsSnapshot *s, VmsFormat fmt,
                                const VmsFitQuery *fit) {
  vms_print_summary(f, s, &s->stats, fmt, fit, NULL);
  vms_print_watch_line(f, s, fmt, true);
}

/* Everything a front end does with a snapshot. prev is the one before it,
 * NULL for the first: a refresh after it is checked for the contract, its
 * totals and its diffs both ways, and no more, since the rest would run the
 * same code again at half the rate. */
static void fuzz_exercise(const VmsSnapshot *s, const VmsSnapshot *prev, uint64_t seed) {
  fuzz_check_regions(s);
  if (prev) {
    fuzz_check_stats(s, 0, s->usable_hi);
    fuzz_check_diff(prev, s);
    fuzz_check_diff(s, prev);
    VmsChange *v = NULL;
    fuzz_require(vms_snapshot_diff(s, s, &v) == 0, "a snapshot has no changes from itself");
    free(v);
    return;
  }
  const uint64_t hi = s->usable_hi, lo = s->usable_lo < hi ? s->usable_lo : 0;
  fuzz_check_stats(s, 0, hi);
  fuzz_check_stats(s, lo, hi);
  fuzz_check_stats(s, lo + (hi - lo) / 3, lo + (hi - lo) / 2 + 1);
  if (s->n_regions) {
    const VmsRegion *r = &s->regions[seed % s->n_regions];
    fuzz_check_stats(s, r->start, r->end < hi ? r->end : hi);
  }
  fuzz_check_stats(s, hi / 2, UINT64_MAX);
  const uint64_t size = (uint64_t)4096 << (seed >> 8) % 32,
                 align = (uint64_t)1 << (seed >> 16) % 40;
  fuzz_check_fit(s, 0, UINT64_MAX, size, 0);
  fuzz_check_fit(s, lo, hi, size, align);
  fuzz_check_fit(s, hi / 4, hi / 2, 4096, 65536);
  char small[24], desc[4600];
  for (size_t i = 0; i < s->n_regions; i++) {
    vms_region_describe(s, &s->regions[i], desc, sizeof desc);
    vms_region_describe(s, &s->regions[i], small, sizeof small);
    fuzz_require(strlen(small) < sizeof small, "a description fits its buffer");
  }
  /* One writer in one format per snapshot, picked by the input: writing
   * costs most of a run, and the fuzzer reaches all six anyway. */
  const VmsFitQuery fit = {size, align};
  fuzz_write(seed % 2 ? fuzz_summary_writer : fuzz_regions_writer, s, (VmsFormat)(seed / 2 % 3),
             &fit);
}
