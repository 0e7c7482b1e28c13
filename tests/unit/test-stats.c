/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-stats.c: the fragmentation figures against a straightforward independent computation. */
#include "vms-test-data.h"

/* The second opinion: free gaps computed from the maps text with sscanf,
 * knowing nothing of vmscope's parser or classifier. Usable space is
 * [64 KiB, top) less the 1 MiB guard gap below [stack]. */
typedef struct {
  uint64_t total, largest, blocks, hist[64];
} Gaps;

static void add_gap(Gaps *g, uint64_t size) {
  g->total += size;
  g->blocks++;
  if (size > g->largest)
    g->largest = size;
  int k = 0;
  while ((size >> (k + 1)) != 0)
    k++;
  g->hist[k]++;
}

static void independent_gaps(const char *text, uint64_t top, Gaps *g) {
  memset(g, 0, sizeof *g);
  uint64_t cursor = 0x10000;
  const char *p = text;
  for (;;) {
    unsigned long long a, b;
    char name[4200] = "";
    int n = 0;
    if (sscanf(p, "%llx-%llx %*s %*s %*s %*s%n", &a, &b, &n) < 2)
      break;
    sscanf(p + n, " %4199[^\n]", name);
    if (a >= top)
      break;
    uint64_t gap_end = a;
    if (strcmp(name, "[stack]") == 0)
      gap_end = a - 1048576;
    if (gap_end > cursor)
      add_gap(g, gap_end - cursor);
    if (b > cursor)
      cursor = b;
    const char *eol = strchr(p, '\n');
    if (!eol)
      break;
    p = eol + 1;
  }
  if (top > cursor)
    add_gap(g, top - cursor);
}

static void compare(const char *fixture) {
  size_t len;
  char *text = vms_test_read(fixture, &len);
  VmsSnapshot *s = vms_test_snapshot(fixture);
  Gaps g;
  independent_gaps(text, s->usable_hi, &g);
  VMS_CHECK_U64(s->stats.free_total, g.total);
  VMS_CHECK_U64(s->stats.free_largest, g.largest);
  VMS_CHECK_U64(s->stats.free_blocks, g.blocks);
  uint64_t hist_sum = 0;
  for (int k = 0; k < VMS_HIST_BUCKETS; k++) {
    VMS_CHECK_U64(s->stats.free_hist[k], g.hist[k]);
    hist_sum += s->stats.free_hist[k];
  }
  VMS_CHECK_U64(hist_sum, s->stats.free_blocks);
  double frag = 1.0 - (double)g.largest / (double)g.total;
  VMS_CHECK(s->stats.fragmentation > frag - 1e-12 && s->stats.fragmentation < frag + 1e-12);

  /* Every type's size adds up to the usable range, and the mapped ones to the maps text. */
  uint64_t sum = 0, mapped = 0, lines = 0;
  for (int k = 0; k < VMS_TYPE_COUNT; k++)
    sum += s->stats.by_type[k].size;
  VMS_CHECK_U64(s->stats.lo, 0x10000);
  VMS_CHECK_U64(sum, s->usable_hi - s->usable_lo);
  for (const char *p = text; *p;) {
    unsigned long long a, b;
    if (sscanf(p, "%llx-%llx", &a, &b) == 2 && a < s->usable_hi) {
      mapped += b - a;
      lines++;
    }
    const char *eol = strchr(p, '\n');
    if (!eol)
      break;
    p = eol + 1;
  }
  VMS_CHECK_U64(s->stats.total.size, mapped);
  VMS_CHECK_U64(s->stats.vma_count, lines);

  /* A window: the figures over part of the space, clipped at its edges. */
  const uint64_t lo = 0x7f0000000000ULL, hi = 0x7f8000000000ULL;
  VmsStats w;
  vms_stats_compute(s, lo, hi, &w);
  uint64_t wsum = 0;
  for (int k = 0; k < VMS_TYPE_COUNT; k++)
    wsum += w.by_type[k].size;
  VMS_CHECK_U64(wsum, hi - lo);
  VMS_CHECK(w.free_total <= s->stats.free_total);
  VMS_CHECK(w.free_largest <= hi - lo);
  VMS_CHECK(w.free_blocks >= 1);
  free(text);
  vms_snapshot_unref(s);
}

static void test_counters(void) {
  VmsSnapshot *s = vms_test_snapshot("python-fragmenting.smaps");
  VMS_CHECK(s->counters != NULL);
  VMS_CHECK(s->stats.resident_known);
  uint64_t rss = 0;
  for (size_t i = 0; i < s->n_regions; i++)
    rss += s->counters[i].rss;
  VMS_CHECK_U64(s->stats.total.resident, rss);
  VMS_CHECK(s->stats.by_type[VMS_TYPE_IMAGE].resident > 0);
  VMS_CHECK(s->stats.by_type[VMS_TYPE_IMAGE].resident <= s->stats.by_type[VMS_TYPE_IMAGE].size);
  /* Free gaps carry no counters. */
  VMS_CHECK_U64(s->stats.by_type[VMS_TYPE_FREE].resident, 0);
  /* Counters asked for and refused (each mask empty, as a working set or a
   * pagemap the system would not give leaves them): resident is unknown,
   * not 0. The snapshot is this test's alone, so its counters may change. */
  VmsCounters *c = (VmsCounters *)s->counters;
  for (size_t i = 0; i < s->n_regions; i++)
    c[i].mask = 0;
  VmsStats st;
  vms_stats_compute(s, 0, s->usable_hi, &st);
  VMS_CHECK(!st.resident_known);
  c[0].mask = VMS_CTR_RSS;
  vms_stats_compute(s, 0, s->usable_hi, &st);
  VMS_CHECK(st.resident_known);
  vms_snapshot_unref(s);
  VmsSnapshot *m = vms_test_snapshot("python-fragmenting.maps");
  VMS_CHECK(m->counters == NULL);
  VMS_CHECK(!m->stats.resident_known);
  vms_snapshot_unref(m);
}

int main(int argc, char **argv) {
  if (argc > 1)
    vms_test_data_dir = argv[1];
  compare("python-fragmenting.maps");
  compare("jvm.maps");
  compare("odd-names.maps");
  test_counters();
  return vms_test_end();
}
