/* SPDX-License-Identifier: GPL-3.0-or-later */
/* live-second-opinion: vmscope agrees with /proc/PID/maps read here, with procps pmap -XX, and with
 * free gaps computed here.
 *
 * usage: live-second-opinion VMSCOPE VMS-HELPER
 *
 * The helper's layout does not change while it waits, so /proc/PID/maps read
 * before and after vmscope's own read must be equal; the test retries when
 * they are not, and then compares the three views of that one layout. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vms-live.h"
#include "vms-test.h"

typedef struct {
  uint64_t total, largest, blocks;
  uint64_t hist[64];
} Gaps;

static uint64_t read_u64_file(const char *path, uint64_t fallback) {
  char *t = vms_live_slurp(path, NULL);
  uint64_t v = t ? strtoull(t, NULL, 10) : fallback;
  free(t);
  return v;
}

/* The kernel keeps stack_guard_gap (256 pages unless the command line says
 * otherwise) free below a stack that grows down; mmap never places there. */
static uint64_t stack_guard_gap(uint64_t page) {
  uint64_t pages = 256;
  char *cmd = vms_live_slurp("/proc/cmdline", NULL);
  const char *p = cmd ? strstr(cmd, "stack_guard_gap=") : NULL;
  if (p)
    pages = strtoull(p + strlen("stack_guard_gap="), NULL, 0);
  free(cmd);
  return pages * page;
}

static void add_gap(Gaps *g, uint64_t s, uint64_t e) {
  if (e <= s)
    return;
  uint64_t size = e - s;
  g->total += size;
  g->blocks++;
  if (size > g->largest)
    g->largest = size;
  int k = 63;
  while (k > 0 && !(size >> k))
    k--;
  g->hist[k]++;
}

/* Free space in [lo, hi) between the mappings, minus the stack guard gap. */
static void compute_gaps(const VmsMaps *m, uint64_t lo, uint64_t hi, uint64_t guard, Gaps *g) {
  memset(g, 0, sizeof *g);
  uint64_t prev = lo;
  for (size_t i = 0; i <= m->n; i++) {
    uint64_t s = i < m->n ? m->v[i].start : hi;
    if (i < m->n && strcmp(m->v[i].name, "[stack]") == 0)
      s = s - guard > s ? 0 : s - guard;
    if (s > hi)
      s = hi;
    if (s > prev)
      add_gap(g, prev, s);
    if (i < m->n && m->v[i].end > prev)
      prev = m->v[i].end;
    if (prev >= hi)
      break;
  }
}

/* Rss of each mapping from /proc/PID/smaps, in order, in bytes. */
static size_t smaps_rss(pid_t pid, uint64_t *starts, uint64_t *rss, size_t max) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/smaps", (int)pid);
  char *t = vms_live_slurp(path, NULL);
  size_t n = 0;
  char *save = NULL;
  for (char *line = t ? strtok_r(t, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
    uint64_t s, e, off, kb;
    char perms[8];
    /* A mapping's header: "start-end perms offset ..."; its fields follow
     * ("Rss:   12 kB"), and none of them parses this far. */
    if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64, &s, &e, perms, &off) == 4) {
      if (n < max)
        starts[n] = s;
      n++;
    } else if (sscanf(line, "Rss: %" SCNu64 " kB", &kb) == 1 && n > 0 && n <= max) {
      rss[n - 1] = kb * 1024;
    }
  }
  free(t);
  return n;
}

static bool maps_equal(const VmsMaps *a, const VmsMaps *b) {
  return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

static bool perms_ok(const char *p) {
  return strlen(p) == 4 && strchr("r-", p[0]) && strchr("w-", p[1]) && strchr("x-", p[2]) &&
         strchr("ps", p[3]);
}

static void compare_pmap(int pid, const VmsMaps *m) {
  char cmd[64];
  snprintf(cmd, sizeof cmd, "pmap -XX %d", pid);
  const char *const argv[] = {"/usr/bin/pmap", "-XX", cmd + 9, NULL};
  /* procps is among the test packages (scripts/setup.sh --test): without
   * it this half of the test cannot run, and that is not a pass. */
  if (access(argv[0], X_OK) != 0) {
    VMS_CHECK_MSG(false, "%s not found (Debian: apt-get install procps): no pmap comparison",
                  argv[0]);
    return;
  }
  VmsRun r;
  VMS_CHECK(vms_run(argv, &r));
  VMS_CHECK_MSG(r.status == 0, "pmap exit %d: %s", r.status, r.err);
  size_t n = 0, mismatches = 0;
  char *save = NULL;
  for (char *line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    uint64_t start, kib;
    char perms[8], off[32], dev[32];
    unsigned long long inode;
    if (sscanf(line, " %" SCNx64 " %7s %31s %31s %llu %" SCNu64, &start, perms, off, dev, &inode,
               &kib) != 6 ||
        !perms_ok(perms))
      continue; /* the header, the totals (a row of numbers) */
    if (n < m->n && (m->v[n].start != start || m->v[n].end != start + kib * 1024 ||
                     strcmp(m->v[n].perms, perms) != 0)) {
      if (mismatches++ < 5)
        fprintf(stderr,
                "pmap row %zu: %" PRIx64 " %s %" PRIu64 " KiB; maps says %" PRIx64 "-%" PRIx64
                " %s\n",
                n + 1, start, perms, kib, m->v[n].start, m->v[n].end, m->v[n].perms);
    }
    n++;
  }
  VMS_CHECK_U64(n, m->n);
  VMS_CHECK_U64(mismatches, 0);
  if (n != m->n)
    fprintf(stderr, "pmap -XX printed:\n%s\n", r.out);
  vms_run_free(&r);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: live-second-opinion VMSCOPE VMS-HELPER\n");
    return 2;
  }
  char dir[] = "/tmp/vms-live-XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  const char *const hargv[] = {argv[2], "layout", "threads", "3", "files",
                               dir,     "many",   "200",     NULL};
  VmsHelper h;
  if (!vms_helper_start(&h, hargv)) {
    rmdir(dir);
    return 1;
  }
  char pid[16];
  snprintf(pid, sizeof pid, "%d", (int)h.pid);
  uint64_t page = strtoull(vms_helper_fact(&h, "page", 0), NULL, 10);
  const char *const a_csv[] = {argv[1], pid, "--regions", "--format", "csv", NULL};
  const char *const a_json[] = {argv[1], pid, "--summary", "--format", "json", NULL};

  VmsMaps before, after;
  VmsRun csv, json;
  bool stable = false;
  for (int attempt = 0; attempt < 3 && !stable; attempt++) {
    if (attempt) {
      vms_maps_free(&before);
      vms_maps_free(&after);
      vms_run_free(&csv);
      vms_run_free(&json);
    }
    VMS_CHECK(vms_maps_read(h.pid, &before));
    VMS_CHECK(vms_run(a_csv, &csv));
    VMS_CHECK(vms_run(a_json, &json));
    VMS_CHECK(vms_maps_read(h.pid, &after));
    stable = maps_equal(&before, &after);
  }
  VMS_CHECK_MSG(stable, "the helper's maps kept changing; nothing to compare against");
  VMS_CHECK_MSG(csv.status == 0, "csv exit %d: %s", csv.status, csv.err);
  VMS_CHECK_MSG(json.status == 0, "json exit %d: %s", json.status, json.err);

  /* 1. Region boundaries and counts against /proc/PID/maps. */
  VmsLiveRegions rs;
  bool parsed = vms_live_regions_parse(csv.out, csv.out_len, &rs);
  VMS_CHECK(parsed);
  if (parsed) {
    size_t k = 0, mismatches = 0;
    for (size_t i = 0; i < rs.n; i++) {
      if (vms_live_region_is_free(&rs.r[i]))
        continue;
      if (k < before.n && (rs.r[i].start != before.v[k].start || rs.r[i].end != before.v[k].end ||
                           strcmp(rs.r[i].prot, before.v[k].perms) != 0)) {
        if (mismatches++ < 5)
          fprintf(stderr,
                  "region %zu: vmscope %" PRIx64 "-%" PRIx64 " %s, maps %" PRIx64 "-%" PRIx64
                  " %s\n",
                  k + 1, rs.r[i].start, rs.r[i].end, rs.r[i].prot, before.v[k].start,
                  before.v[k].end, before.v[k].perms);
      }
      k++;
    }
    VMS_CHECK_MSG(k == before.n, "vmscope shows %zu mappings, /proc/%s/maps has %zu", k, pid,
                  before.n);
    VMS_CHECK_U64(mismatches, 0);
  }

  /* 1b. With --smaps, each mapping's Rss is what /proc/PID/smaps says. */
  const char *const a_smaps[] = {argv[1], pid, "--regions", "--smaps", "--format", "csv", NULL};
  VmsRun sm;
  VMS_CHECK(vms_run(a_smaps, &sm));
  VMS_CHECK_MSG(sm.status == 0, "--smaps exit %d: %s", sm.status, sm.err);
  size_t cap = before.n + 16;
  uint64_t *starts = calloc(cap, sizeof *starts), *rss = calloc(cap, sizeof *rss);
  size_t ns = smaps_rss(h.pid, starts, rss, cap);
  VmsLiveRegions srs;
  if (starts && rss && vms_live_regions_parse(sm.out, sm.out_len, &srs)) {
    size_t k = 0, mismatches = 0;
    for (size_t i = 0; i < srs.n; i++) {
      if (vms_live_region_is_free(&srs.r[i]))
        continue;
      if (k < ns && k < cap && (srs.r[i].start != starts[k] || srs.r[i].rss != rss[k]) &&
          mismatches++ < 5)
        fprintf(stderr,
                "smaps mapping %zu: vmscope 0x%" PRIx64 " rss %" PRIu64 ", smaps 0x%" PRIx64
                " Rss %" PRIu64 "\n",
                k + 1, srs.r[i].start, srs.r[i].rss, starts[k], rss[k]);
      k++;
    }
    VMS_CHECK_MSG(ns == k, "vmscope --smaps shows %zu mappings, smaps has %zu", k, ns);
    VMS_CHECK_U64(mismatches, 0);
    vms_live_regions_free(&srs);
  } else {
    VMS_CHECK_MSG(false, "the --smaps CSV does not parse");
  }
  free(starts);
  free(rss);
  vms_run_free(&sm);

  /* 2. procps pmap -XX sees the same mappings as maps (so as vmscope). */
  compare_pmap(h.pid, &before);

  /* 3. The summary's figures against an independent computation. */
  VmsJson *j = vms_json_parse(json.out, json.out_len);
  VMS_CHECK(j != NULL);
  uint64_t lo = 0, hi = 0, v = 0;
  VMS_CHECK(vms_json_u64(j, "address_space.start", &lo));
  VMS_CHECK(vms_json_u64(j, "address_space.end", &hi));
  uint64_t min_addr = read_u64_file("/proc/sys/vm/mmap_min_addr", 65536);
  uint64_t want_lo = min_addr < page ? page : (min_addr + page - 1) / page * page;
  VMS_CHECK_U64(lo, want_lo);
  VMS_CHECK_U64(hi, (UINT64_C(1) << 47) - page);
  /* The kernel's own count (mm->map_count, what vm.max_map_count limits)
   * leaves out the [vsyscall] gate area that maps lists last. */
  size_t kernel_vmas = before.n;
  if (kernel_vmas > 0 && strcmp(before.v[kernel_vmas - 1].name, "[vsyscall]") == 0)
    kernel_vmas--;
  VMS_CHECK(vms_json_u64(j, "vma_count", &v));
  VMS_CHECK_U64(v, kernel_vmas);
  VMS_CHECK(vms_json_u64(j, "max_map_count", &v) &&
            v == read_u64_file("/proc/sys/vm/max_map_count", 0));

  Gaps g;
  compute_gaps(&before, lo, hi, stack_guard_gap(page), &g);
  uint64_t total = 0, largest = 0, blocks = 0;
  VMS_CHECK(vms_json_u64(j, "free.total", &total));
  VMS_CHECK(vms_json_u64(j, "free.largest", &largest));
  VMS_CHECK(vms_json_u64(j, "free.blocks", &blocks));
  VMS_CHECK_U64(total, g.total);
  VMS_CHECK_U64(largest, g.largest);
  VMS_CHECK_U64(blocks, g.blocks);
  /* The histogram lists the non-empty power-of-two buckets by their lower
   * bound: {"min": 2^k, "count": n}. */
  size_t nh = vms_json_len(j, "free.histogram");
  VMS_CHECK_MSG(nh > 0, "free.histogram is missing or empty");
  uint64_t hist_sum = 0, buckets_seen = 0;
  for (size_t k = 0; k < nh; k++) {
    char path[64];
    uint64_t min = 0, c = 0;
    snprintf(path, sizeof path, "free.histogram.%zu.min", k);
    VMS_CHECK(vms_json_u64(j, path, &min));
    snprintf(path, sizeof path, "free.histogram.%zu.count", k);
    VMS_CHECK(vms_json_u64(j, path, &c));
    int b = 0;
    while (b < 63 && (UINT64_C(1) << b) < min)
      b++;
    VMS_CHECK_MSG(min == (UINT64_C(1) << b),
                  "histogram bucket starts at %" PRIu64 ", not a power of two", min);
    VMS_CHECK_MSG(c == g.hist[b],
                  "histogram bucket %" PRIu64 ": %" PRIu64 " blocks, computed %" PRIu64, min, c,
                  g.hist[b]);
    hist_sum += c;
  }
  for (int b = 0; b < 64; b++)
    buckets_seen += g.hist[b] != 0;
  VMS_CHECK_U64(nh, buckets_seen);
  VMS_CHECK_U64(hist_sum, g.blocks);

  /* The CSV's free rows inside the usable range add up to the same. */
  if (parsed) {
    uint64_t csv_free = 0, csv_blocks = 0;
    for (size_t i = 0; i < rs.n; i++)
      if (!strcmp(rs.r[i].type, "free") && rs.r[i].start >= lo && rs.r[i].end <= hi) {
        csv_free += rs.r[i].end - rs.r[i].start;
        csv_blocks++;
      }
    VMS_CHECK_U64(csv_free, g.total);
    VMS_CHECK_U64(csv_blocks, g.blocks);
    vms_live_regions_free(&rs);
  }

  vms_json_free(j);
  vms_maps_free(&before);
  vms_maps_free(&after);
  vms_run_free(&csv);
  vms_run_free(&json);
  vms_helper_stop(&h);
  char path[4200];
  snprintf(path, sizeof path, "%s/vms name with space\nand newline-%s", dir, pid);
  unlink(path);
  rmdir(dir);
  return vms_test_end();
}
