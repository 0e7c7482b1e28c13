/* SPDX-License-Identifier: GPL-3.0-or-later */
/* live-layout: vmscope's regions of a helper match the layout it built (protections, threads,
 * shared memory, files).
 *
 * usage: live-layout VMSCOPE VMS-HELPER */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vms-live.h"
#include "vms-test.h"

static const char *vmscope;

static bool has_text(const char *hay, const char *needle) {
  return hay && strstr(hay, needle) != NULL;
}

/* The regions cover the space without holes or overlaps, in order. */
static void check_shape(const VmsLiveRegions *rs, uint64_t lo, uint64_t hi) {
  VMS_CHECK(rs->n > 0);
  if (rs->n == 0)
    return;
  /* Inside the address space rows follow each other without a hole; above
   * it only mappings the kernel puts there ([vsyscall]) may follow. */
  size_t inside = 0;
  while (inside < rs->n && rs->r[inside].start < hi)
    inside++;
  for (size_t i = 1; i < inside; i++)
    VMS_CHECK_MSG(rs->r[i].start == rs->r[i - 1].end,
                  "row %zu starts at 0x%" PRIx64 ", the row before ends at 0x%" PRIx64, i + 1,
                  rs->r[i].start, rs->r[i - 1].end);
  for (size_t i = inside; i < rs->n; i++) {
    VMS_CHECK_MSG(!vms_live_region_is_free(&rs->r[i]),
                  "a free row at 0x%" PRIx64 ", above the address space", rs->r[i].start);
    VMS_CHECK(i == 0 || rs->r[i].start >= rs->r[i - 1].end);
  }
  VMS_CHECK_MSG(rs->r[0].start <= lo, "the first region starts at 0x%" PRIx64 ", above 0x%" PRIx64,
                rs->r[0].start, lo);
  VMS_CHECK_MSG(inside > 0 && rs->r[inside - 1].end == hi,
                "the address space's last row ends at 0x%" PRIx64 ", not 0x%" PRIx64,
                inside > 0 ? rs->r[inside - 1].end : 0, hi);
  static const char *const types[] = {"image",   "mapped", "shareable", "heap", "stack",
                                      "private", "system", "unusable",  "free"};
  for (size_t i = 0; i < rs->n; i++) {
    bool known = false;
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
      known |= strcmp(rs->r[i].type, types[t]) == 0;
    VMS_CHECK_MSG(known, "row %zu has type '%s'", i + 1, rs->r[i].type);
    const char *st = rs->r[i].state;
    VMS_CHECK_MSG(!strcmp(st, "committed") || !strcmp(st, "reserved") || !strcmp(st, "free"),
                  "row %zu has state '%s'", i + 1, st);
    bool gap = !strcmp(rs->r[i].type, "free") || !strcmp(rs->r[i].type, "unusable");
    VMS_CHECK_MSG(gap == !strcmp(st, "free"), "row %zu: type %s with state %s", i + 1,
                  rs->r[i].type, st);
  }
}

static void check_fixed(const VmsHelper *h, const VmsLiveRegions *rs, uint64_t page) {
  size_t n = vms_helper_count(h, "map");
  VMS_CHECK_U64(n, 9);
  for (size_t i = 0; i < n; i++) {
    char perms[8];
    uint64_t s, e;
    VMS_CHECK(sscanf(vms_helper_fact(h, "map", i), "%" SCNx64 " %" SCNx64 " %7s", &s, &e, perms) ==
              3);
    const VmsLiveRegion *r = vms_live_region_at(rs, s);
    VMS_CHECK_MSG(r != NULL, "no region holds the %s mapping at 0x%" PRIx64, perms, s);
    if (!r)
      continue;
    VMS_CHECK_U64(r->start, s);
    VMS_CHECK_U64(r->end, e);
    VMS_CHECK_STR(r->prot, perms);
    bool none = strncmp(perms, "---", 3) == 0, shared = perms[3] == 's';
    VMS_CHECK_STR(r->state, none ? "reserved" : "committed");
    /* Anonymous MAP_SHARED memory is shareable; anonymous private memory
     * nobody named is private data. */
    VMS_CHECK_STR(r->type, shared ? "shareable" : "private");
    /* The page after each one was left free; after the last, the free
     * space may go on. */
    const VmsLiveRegion *g = vms_live_region_at(rs, e);
    VMS_CHECK_MSG(g && vms_live_region_is_free(g),
                  "the page after the %s mapping at 0x%" PRIx64 " is not free", perms, s);
    if (g && vms_live_region_is_free(g)) {
      VMS_CHECK_U64(g->start, e);
      if (i + 1 < n)
        VMS_CHECK_U64(g->end, e + page);
      else
        VMS_CHECK(g->end >= e + 2 * page);
      VMS_CHECK_STR(g->type, "free");
    }
  }
}

/* With --smaps: the mappings the helper wrote to are resident and dirty to
 * the byte, the ones it never touched hold nothing. */
static void check_counters(const VmsHelper *h, const char *pid) {
  const char *const a[] = {vmscope, pid, "--regions", "--smaps", "--format", "csv", NULL};
  VmsRun run;
  VMS_CHECK(vms_run(a, &run));
  VMS_CHECK_MSG(run.status == 0, "--regions --smaps exit %d: %s", run.status, run.err);
  VmsLiveRegions rs;
  if (!vms_live_regions_parse(run.out, run.out_len, &rs)) {
    VMS_CHECK_MSG(false, "the --smaps CSV does not parse");
    vms_run_free(&run);
    return;
  }
  for (size_t i = 0; i < vms_helper_count(h, "map"); i++) {
    char perms[8];
    uint64_t s, e;
    if (sscanf(vms_helper_fact(h, "map", i), "%" SCNx64 " %" SCNx64 " %7s", &s, &e, perms) != 3)
      continue;
    const VmsLiveRegion *r = vms_live_region_at(&rs, s);
    if (!r)
      continue;
    bool written = perms[1] == 'w';
    VMS_CHECK_MSG(r->rss == (written ? e - s : 0), "%s mapping at 0x%" PRIx64 ": rss %" PRIu64,
                  perms, s, r->rss);
    if (perms[3] == 'p')
      VMS_CHECK_MSG(r->private_dirty == (written ? e - s : 0),
                    "%s mapping at 0x%" PRIx64 ": private_dirty %" PRIu64, perms, s,
                    r->private_dirty);
  }
  /* Free gaps have no counters: empty cells, not zeros. */
  for (size_t i = 0; i < rs.n; i++)
    if (vms_live_region_is_free(&rs.r[i]))
      VMS_CHECK_MSG(rs.r[i].rss == VMS_LIVE_NOT_READ,
                    "a free gap at 0x%" PRIx64 " has rss %" PRIu64, rs.r[i].start, rs.r[i].rss);
  vms_live_regions_free(&rs);
  vms_run_free(&run);
}

static void check_threads(const VmsHelper *h, const VmsLiveRegions *rs, size_t want) {
  size_t n = vms_helper_count(h, "thread");
  VMS_CHECK_U64(n, want);
  size_t found = 0;
  for (size_t i = 0; i < n; i++) {
    int tid;
    uint64_t lo, hi, guard, sp;
    VMS_CHECK(sscanf(vms_helper_fact(h, "thread", i),
                     "%d %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64, &tid, &lo, &hi, &guard,
                     &sp) == 5);
    const VmsLiveRegion *at_sp = vms_live_region_at(rs, sp);
    const VmsLiveRegion *at_lo = vms_live_region_at(rs, lo);
    const VmsLiveRegion *at_hi = vms_live_region_at(rs, hi - 1);
    bool ok = at_sp && at_lo && at_hi && !strcmp(at_sp->type, "stack") &&
              !strcmp(at_lo->type, "stack") && !strcmp(at_hi->type, "stack");
    VMS_CHECK_MSG(ok,
                  "thread %d: its stack [0x%" PRIx64 ", 0x%" PRIx64 ") is shown as %s / %s / %s",
                  tid, lo, hi, at_lo ? at_lo->type : "nothing", at_sp ? at_sp->type : "nothing",
                  at_hi ? at_hi->type : "nothing");
    found += ok;
    if (guard) {
      /* glibc puts the guard right below the stack, PROT_NONE: it belongs
       * to the stack, reserved. */
      const VmsLiveRegion *g = vms_live_region_at(rs, lo - 1);
      VMS_CHECK_MSG(g && !strcmp(g->type, "stack") && !strcmp(g->state, "reserved"),
                    "thread %d: its guard page below 0x%" PRIx64 " is shown as %s %s", tid, lo,
                    g ? g->type : "nothing", g ? g->state : "");
    }
  }
  VMS_CHECK_MSG(found == want, "%zu of %zu thread stacks found", found, want);
}

static void check_files(const VmsHelper *h, const VmsLiveRegions *rs) {
  uint64_t s, e;
  char text[4200], hex[8400];
  const VmsLiveRegion *r;

  VMS_CHECK(sscanf(vms_helper_fact(h, "memfd", 0), "%" SCNx64 " %" SCNx64, &s, &e) == 2);
  r = vms_live_region_at(rs, s);
  VMS_CHECK(r && r->start == s && r->end == e);
  VMS_CHECK_MSG(r && !strcmp(r->type, "shareable"), "memfd shown as %s", r ? r->type : "nothing");
  VMS_CHECK_MSG(r && has_text(r->details, "vms-memfd"), "memfd details: %s", r ? r->details : "");

  VMS_CHECK(sscanf(vms_helper_fact(h, "shm", 0), "%" SCNx64 " %" SCNx64 " %4199s", &s, &e, text) ==
            3);
  r = vms_live_region_at(rs, s);
  VMS_CHECK(r && r->start == s && r->end == e);
  VMS_CHECK_MSG(r && !strcmp(r->type, "shareable"), "POSIX shm shown as %s",
                r ? r->type : "nothing");
  VMS_CHECK_MSG(r && has_text(r->details, text + 1), "shm details: %s", r ? r->details : "");

  VMS_CHECK(
      sscanf(vms_helper_fact(h, "deleted", 0), "%" SCNx64 " %" SCNx64 " %8399s", &s, &e, hex) == 3);
  vms_live_unhex(hex, text, sizeof text);
  r = vms_live_region_at(rs, s);
  VMS_CHECK(r && r->start == s && r->end == e);
  VMS_CHECK_MSG(r && !strcmp(r->type, "mapped"), "deleted file shown as %s",
                r ? r->type : "nothing");
  VMS_CHECK_MSG(r && has_text(r->details, text), "deleted file details: '%s', want its path '%s'",
                r ? r->details : "", text);
  VMS_CHECK_MSG(r && has_text(r->details, "deleted"), "deleted file details do not say so: %s",
                r ? r->details : "");

  VMS_CHECK(
      sscanf(vms_helper_fact(h, "oddname", 0), "%" SCNx64 " %" SCNx64 " %8399s", &s, &e, hex) == 3);
  vms_live_unhex(hex, text, sizeof text);
  r = vms_live_region_at(rs, s);
  VMS_CHECK(r && r->start == s && r->end == e);
  VMS_CHECK_MSG(r && !strcmp(r->type, "mapped"), "oddly named file shown as %s",
                r ? r->type : "nothing");
  /* The kernel prints the newline as \012; vmscope may decode it or keep
   * the escape, but the space and the rest of the name must survive. */
  char escaped[4300];
  const char *nl = strchr(text, '\n');
  snprintf(escaped, sizeof escaped, "%.*s\\012%s", (int)(nl - text), text, nl + 1);
  VMS_CHECK_MSG(r && (has_text(r->details, text) || has_text(r->details, escaped)),
                "oddly named file details: '%s'", r ? r->details : "");
  VMS_CHECK_MSG(r && !has_text(r->details, "deleted"), "a file that exists is called deleted: %s",
                r ? r->details : "");
}

/* The JSON region list says the same as the CSV, row for row, and carries
 * the odd file name whole (a real newline in a JSON string escape). */
static void check_json_regions(const VmsHelper *h, const VmsLiveRegions *rs, const char *pid) {
  const char *const a[] = {vmscope, pid, "--regions", "--format", "json", NULL};
  VmsRun run;
  VMS_CHECK(vms_run(a, &run));
  VMS_CHECK_MSG(run.status == 0, "--regions --format json exit %d: %s", run.status, run.err);
  VmsJson *j = vms_json_parse(run.out, run.out_len);
  VMS_CHECK_MSG(j != NULL, "the JSON regions do not parse");
  size_t n = vms_json_len(j, "regions");
  VMS_CHECK_U64(n, rs->n);
  size_t mismatches = 0;
  for (size_t i = 0; i < n && i < rs->n; i++) {
    char path[64];
    uint64_t s = 0, e = 0;
    snprintf(path, sizeof path, "regions.%zu.start", i);
    vms_json_u64(j, path, &s);
    snprintf(path, sizeof path, "regions.%zu.end", i);
    vms_json_u64(j, path, &e);
    snprintf(path, sizeof path, "regions.%zu.type", i);
    const char *type = vms_json_str(j, path);
    if ((s != rs->r[i].start || e != rs->r[i].end || !type || strcmp(type, rs->r[i].type) != 0) &&
        mismatches++ < 5)
      fprintf(stderr,
              "JSON region %zu: 0x%" PRIx64 "-0x%" PRIx64 " %s; CSV 0x%" PRIx64 "-0x%" PRIx64
              " %s\n",
              i, s, e, type ? type : "?", rs->r[i].start, rs->r[i].end, rs->r[i].type);
    if (s == strtoull(vms_helper_fact(h, "oddname", 0), NULL, 16)) {
      char text[4200], hex[8400];
      if (sscanf(vms_helper_fact(h, "oddname", 0), "%*s %*s %8399s", hex) == 1) {
        vms_live_unhex(hex, text, sizeof text);
        snprintf(path, sizeof path, "regions.%zu.details", i);
        const char *d = vms_json_str(j, path);
        VMS_CHECK_MSG(d && strstr(d, text), "JSON details of the odd name: '%s', want '%s'",
                      d ? d : "", text);
      }
    }
  }
  VMS_CHECK_U64(mismatches, 0);
  vms_json_free(j);
  vms_run_free(&run);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: live-layout VMSCOPE VMS-HELPER\n");
    return 2;
  }
  vmscope = argv[1];
  char dir[] = "/tmp/vms-live-XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  const char *const hargv[] = {argv[2], "layout", "threads", "4", "files", dir, NULL};
  VmsHelper h;
  if (!vms_helper_start(&h, hargv)) {
    rmdir(dir);
    return 1;
  }
  char pid[16];
  snprintf(pid, sizeof pid, "%d", (int)h.pid);
  uint64_t page = strtoull(vms_helper_fact(&h, "page", 0), NULL, 10);

  VmsRun csv_run, json_run, table_run;
  const char *const a1[] = {vmscope, pid, "--regions", "--format", "csv", NULL};
  const char *const a2[] = {vmscope, pid, "--summary", "--format", "json", NULL};
  const char *const a3[] = {vmscope, pid, "--regions", NULL};
  VMS_CHECK(vms_run(a1, &csv_run));
  VMS_CHECK(vms_run(a2, &json_run));
  VMS_CHECK(vms_run(a3, &table_run));
  VMS_CHECK_MSG(csv_run.status == 0, "--regions --format csv exit %d: %s", csv_run.status,
                csv_run.err);
  VMS_CHECK_MSG(json_run.status == 0, "--summary --format json exit %d: %s", json_run.status,
                json_run.err);
  VMS_CHECK_MSG(table_run.status == 0, "--regions exit %d: %s", table_run.status, table_run.err);

  VmsJson *j = vms_json_parse(json_run.out, json_run.out_len);
  VMS_CHECK_MSG(j != NULL, "the JSON summary does not parse");
  uint64_t v, lo = 0, hi = 0;
  VMS_CHECK(vms_json_u64(j, "pid", &v) && v == (uint64_t)h.pid);
  VMS_CHECK(vms_json_u64(j, "bits", &v) && v == 64);
  VMS_CHECK(vms_json_u64(j, "address_space.start", &lo));
  VMS_CHECK(vms_json_u64(j, "address_space.end", &hi));
  VMS_CHECK_STR(vms_json_str(j, "name"), "vms-helper");
  /* Four threads and the main one, each stack found. */
  VMS_CHECK(vms_json_u64(j, "threads", &v) && v == 5);
  VMS_CHECK(vms_json_u64(j, "stacks_found", &v) && v == 5);

  VmsLiveRegions rs;
  bool parsed = vms_live_regions_parse(csv_run.out, csv_run.out_len, &rs);
  VMS_CHECK_MSG(parsed, "the CSV regions do not parse");
  if (parsed) {
    check_shape(&rs, lo, hi);
    check_fixed(&h, &rs, page);
    check_threads(&h, &rs, 4);
    check_files(&h, &rs);
    check_counters(&h, pid);
    check_json_regions(&h, &rs, pid);
    /* The table shows the same regions: every fixed mapping's start is in it. */
    for (size_t i = 0; i < vms_helper_count(&h, "map"); i++) {
      uint64_t s = strtoull(vms_helper_fact(&h, "map", i), NULL, 16);
      char needle[32];
      snprintf(needle, sizeof needle, "%" PRIx64, s);
      VMS_CHECK_MSG(has_text(table_run.out, needle), "the table lacks the mapping at 0x%s", needle);
    }
    vms_live_regions_free(&rs);
  }

  vms_json_free(j);
  vms_run_free(&csv_run);
  vms_run_free(&json_run);
  vms_run_free(&table_run);
  vms_helper_stop(&h);
  VMS_CHECK_MSG(h.status == 0, "the helper exited with %d", h.status);
  char path[4200];
  snprintf(path, sizeof path, "%s/vms name with space\nand newline-%s", dir, pid);
  unlink(path);
  rmdir(dir);
  return vms_test_end();
}
