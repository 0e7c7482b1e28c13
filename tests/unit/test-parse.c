/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-parse.c: the maps/smaps parser on every name the kernel prints, and on malformed text. */
#include "vms-test-data.h"

static const VmsRegion *at(const VmsSpace *s, uint64_t start) {
  for (size_t i = 0; i < s->n_regions; i++)
    if (s->regions[i].start == start)
      return &s->regions[i];
  return NULL;
}

static const char *name_at(const VmsSpace *s, uint64_t start) {
  const VmsRegion *r = at(s, start);
  return r ? vms_name_pool_get(&s->names, r->name) : "(no region)";
}

static void test_odd_names(void) {
  size_t len;
  char *buf = vms_test_read("odd-names.maps", &len);
  VmsSpace s;
  vms_space_init(&s);
  VmsError err = {0};
  VMS_CHECK_U64(vms_maps_parse(buf, len, &s, &err), VMS_OK);
  VMS_CHECK_U64(s.n_regions, 24);
  const uint64_t t = 0x7f0000000000ULL;
  VMS_CHECK_STR(name_at(&s, 0x555500000000ULL), "/usr/bin/odd prog");
  VMS_CHECK_STR(name_at(&s, t), "/tmp/data file.bin");
  VMS_CHECK(at(&s, t)->os & VMS_OS_DELETED);
  VMS_CHECK_STR(name_at(&s, t + 0x1000), "/tmp/new\nline.txt");
  VMS_CHECK(!(at(&s, t + 0x1000)->os & VMS_OS_DELETED));
  VMS_CHECK_STR(name_at(&s, t + 0x2000), "/memfd:pool");
  VMS_CHECK(at(&s, t + 0x2000)->prot & VMS_PROT_SHARED);
  VMS_CHECK_STR(name_at(&s, t + 0x4000), "/SYSV0000abcd");
  VMS_CHECK_U64(at(&s, t + 0x4000)->inode, 0x1234);
  VMS_CHECK_STR(name_at(&s, t + 0x6000), "[anon:my cache]");
  VMS_CHECK(at(&s, t + 0x6000)->os & VMS_OS_ANON_NAME);
  VMS_CHECK(at(&s, t + 0x7000)->os & VMS_OS_ANON_SHMEM);
  VMS_CHECK_STR(name_at(&s, t + 0x9000), "");
  VMS_CHECK_U64(at(&s, t + 0x9000)->name, 0);
  VMS_CHECK_U64(strlen(name_at(&s, t + 0xa000)), 4095);
  VMS_CHECK_STR(name_at(&s, t + 0xb000), "/tmp/tricky (deleted) name");
  VMS_CHECK(!(at(&s, t + 0xb000)->os & VMS_OS_DELETED));
  VMS_CHECK_STR(name_at(&s, t + 0x14000), "[vvar_vclock]");
  VMS_CHECK_STR(name_at(&s, 0xffffffffff600000ULL), "[vsyscall]");
  /* Equal names share one copy. */
  VMS_CHECK_U64(at(&s, t + 0xc000)->name, at(&s, t + 0xd000)->name);
  const VmsRegion *lib = at(&s, t + 0xd000);
  VMS_CHECK_U64(lib->offset, 0x1000);
  VMS_CHECK_U64(lib->dev, (0xfeu << 20) | 0);
  VMS_CHECK_U64(lib->prot, VMS_PROT_READ);
  VMS_CHECK_U64(at(&s, 0xffffffffff600000ULL)->prot, VMS_PROT_EXEC);
  VMS_CHECK(s.fields & VMS_FIELD_NAMES);
  vms_space_clear(&s);
  free(buf);
}

static void expect_parse_error(const char *text, const char *what, size_t line) {
  VmsSpace s;
  vms_space_init(&s);
  VmsError err = {0};
  VmsErrorCode code = vms_maps_parse(text, strlen(text), &s, &err);
  VMS_CHECK_MSG(code == VMS_ERR_PARSE, "accepted: %s", text);
  char want[32];
  snprintf(want, sizeof want, "line %zu:", line);
  VMS_CHECK_MSG(strncmp(err.message, want, strlen(want)) == 0, "message '%s' for %s", err.message,
                what);
  vms_space_clear(&s);
}

static void test_malformed(void) {
  expect_parse_error("zz-1000 r--p 0 00:00 0\n", "bad start", 1);
  expect_parse_error("1000-2000 r--p 0 00:00 0\n2000-1000 r--p 0 00:00 0\n", "end < start", 2);
  expect_parse_error("1000-2000 rqxp 0 00:00 0\n", "bad perms", 1);
  expect_parse_error("1000-2000 r--p 0 00:00\n", "no inode", 1);
  expect_parse_error("1000-2000 r--p 0 0000 0\n", "bad dev", 1);
  expect_parse_error("1000-2000 r--p\n", "truncated", 1);
  expect_parse_error("1000-3000 r--p 0 00:00 0\n2000-4000 r--p 0 00:00 0\n", "overlap", 2);
  expect_parse_error("11111111111111111-2 r--p 0 00:00 0\n", "too long", 1);
  expect_parse_error("1000-2000 r--p 0 00:00 12x /a\n", "junk inode", 1);
  expect_parse_error("1000-2000 r--p 0 00:00 18446744073709551616 /a\n", "inode past 64 bits", 1);
  {
    /* A NUL inside a name (only a file can hold one) is refused, not cut. */
    static const char nul[] = "1000-2000 r--p 0 00:00 1 /a\0b\n";
    VmsSpace s0;
    vms_space_init(&s0);
    VmsError e0 = {0};
    VMS_CHECK_U64(vms_maps_parse(nul, sizeof nul - 1, &s0, &e0), VMS_ERR_PARSE);
    VMS_CHECK(strstr(e0.message, "NUL byte") != NULL);
    vms_space_clear(&s0);
  }
  /* A last line without its newline is still read; blank lines are skipped. */
  VmsSpace s;
  vms_space_init(&s);
  const char *ok = "1000-2000 r--p 0 00:00 0\n\n3000-4000 rw-p 0 00:00 0 [heap]";
  VMS_CHECK_U64(vms_maps_parse(ok, strlen(ok), &s, NULL), VMS_OK);
  VMS_CHECK_U64(s.n_regions, 2);
  VMS_CHECK_STR(vms_name_pool_get(&s.names, s.regions[1].name), "[heap]");
  /* An empty text is no mappings, not an error. */
  vms_space_reset(&s);
  VMS_CHECK_U64(vms_maps_parse("", 0, &s, NULL), VMS_OK);
  VMS_CHECK_U64(s.n_regions, 0);
  vms_space_clear(&s);
}

static void test_smaps(void) {
  size_t len;
  char *buf = vms_test_read("python-fragmenting.smaps", &len);
  VmsSpace s;
  vms_space_init(&s);
  VmsError err = {0};
  VMS_CHECK_U64(vms_smaps_parse(buf, len, &s, &err), VMS_OK);
  size_t mlen;
  char *mbuf = vms_test_read("python-fragmenting.maps", &mlen);
  VmsSpace m;
  vms_space_init(&m);
  VMS_CHECK_U64(vms_maps_parse(mbuf, mlen, &m, &err), VMS_OK);
  /* smaps lists the same mappings as maps taken at the same moment. */
  VMS_CHECK_U64(s.n_regions, m.n_regions);
  VMS_CHECK(s.fields & VMS_FIELD_COUNTERS);
  uint64_t rss = 0, size_sum = 0;
  for (size_t i = 0; i < s.n_regions; i++) {
    VMS_CHECK(s.counters[i].mask & VMS_CTR_RSS);
    rss += s.counters[i].rss;
    size_sum += s.regions[i].end - s.regions[i].start;
    VMS_CHECK(s.counters[i].rss <= s.regions[i].end - s.regions[i].start);
  }
  VMS_CHECK(rss > 0 && rss < size_sum);
  /* The [heap] entry of this capture: Rss 1800 kB... read its first counters by hand. */
  const char *h = strstr(buf, "[heap]");
  const char *rl = strstr(h, "Rss:");
  unsigned long kb = strtoul(rl + 4, NULL, 10);
  for (size_t i = 0; i < s.n_regions; i++)
    if (strcmp(vms_name_pool_get(&s.names, s.regions[i].name), "[heap]") == 0)
      VMS_CHECK_U64(s.counters[i].rss, kb * 1024);
  vms_space_clear(&s);
  vms_space_clear(&m);
  free(buf);
  free(mbuf);

  const char *rollup = "55d0-7ffe ---p 00000000 00:00 0 [rollup]\nRss: 100 kB\nPss: 50 kB\n"
                       "Pss_Anon: 10 kB\nSwap: 4 kB\nLocked: 0 kB\n";
  VmsSpace r;
  vms_space_init(&r);
  VMS_CHECK_U64(vms_smaps_rollup_parse(rollup, strlen(rollup), &r, NULL), VMS_OK);
  VMS_CHECK_U64(r.rollup.rss, 100 * 1024);
  VMS_CHECK_U64(r.rollup.pss, 50 * 1024);
  VMS_CHECK_U64(r.rollup.swap, 4 * 1024);
  VMS_CHECK(r.rollup.mask & VMS_CTR_LOCKED);
  VMS_CHECK(!(r.rollup.mask & VMS_CTR_PRIVATE_DIRTY));
  const char *bad = "Rss: lots\n";
  VMS_CHECK_U64(vms_smaps_rollup_parse(bad, strlen(bad), &r, NULL), VMS_ERR_PARSE);
  const char *orphan = "Rss: 4 kB\n";
  VMS_CHECK_U64(vms_smaps_parse(orphan, strlen(orphan), &r, NULL), VMS_ERR_PARSE);
  vms_space_clear(&r);
}

/* A count in kB is multiplied by 1024: one that would not fit in 64 bits as
 * bytes is malformed, reported with its line, never a wrapped number. */
static void test_counter_overflow(void) {
  VmsSpace s;
  vms_space_init(&s);
  VmsError err = {0};
  /* 2^54 - 1 kB is 2^64 - 1024 bytes: the largest that fits. */
  const char *most = "1000-2000 rw-p 00000000 00:00 0\nSize: 4 kB\nRss: 18014398509481983 kB\n";
  VMS_CHECK_U64(vms_smaps_parse(most, strlen(most), &s, &err), VMS_OK);
  VMS_CHECK_U64(s.counters[0].rss, UINT64_MAX - 1023);
  vms_space_clear(&s);

  vms_space_init(&s);
  const char *over = "1000-2000 rw-p 00000000 00:00 0\nSize: 4 kB\nRss: 4 kB\n"
                     "2000-3000 rw-p 00000000 00:00 0\nRss: 4 kB\nPss: 18014398509481984 kB\n";
  err = (VmsError){0};
  VMS_CHECK_U64(vms_smaps_parse(over, strlen(over), &s, &err), VMS_ERR_PARSE);
  VMS_CHECK_MSG(strstr(err.message, "line 6") && strstr(err.message, "Pss: 18014398509481984 kB"),
                "%s", err.message);
  vms_space_clear(&s);

  /* What wraps to a small number (2^64 + 1024 bytes) is refused as well. */
  vms_space_init(&s);
  const char *wraps =
      "55d0-7ffe ---p 00000000 00:00 0 [rollup]\nRss: 100 kB\nSwap: 18014398509481985 kB\n";
  err = (VmsError){0};
  VMS_CHECK_U64(vms_smaps_rollup_parse(wraps, strlen(wraps), &s, &err), VMS_ERR_PARSE);
  VMS_CHECK_MSG(strstr(err.message, "line 3"), "%s", err.message);
  VMS_CHECK(!(s.fields & VMS_FIELD_ROLLUP));
  vms_space_clear(&s);

  /* Without a unit the number is bytes already: all 64 bits are fine. */
  vms_space_init(&s);
  const char *bytes = "1000-2000 rw-p 00000000 00:00 0\nRss: 18446744073709551615\n";
  VMS_CHECK_U64(vms_smaps_parse(bytes, strlen(bytes), &s, &err), VMS_OK);
  VMS_CHECK_U64(s.counters[0].rss, UINT64_MAX);
  vms_space_clear(&s);
}

static void test_name_pool(void) {
  VmsNamePool p;
  vms_name_pool_init(&p);
  char name[32];
  uint32_t first = vms_name_pool_add(&p, "lib", 3);
  for (int i = 0; i < 5000; i++) {
    snprintf(name, sizeof name, "/lib/%d.so", i);
    uint32_t off = vms_name_pool_add(&p, name, strlen(name));
    VMS_CHECK(off != UINT32_MAX);
    if (i % 1000 == 0)
      VMS_CHECK_STR(vms_name_pool_get(&p, off), name);
  }
  VMS_CHECK_U64(vms_name_pool_add(&p, "lib", 3), first);
  VMS_CHECK_U64(vms_name_pool_add(&p, "", 0), 0);
  VMS_CHECK_U64(p.count, 5001);
  vms_name_pool_seal(&p);
  VMS_CHECK_STR(vms_name_pool_get(&p, first), "lib");
  vms_name_pool_clear(&p);
}

int main(int argc, char **argv) {
  if (argc > 1)
    vms_test_data_dir = argv[1];
  test_odd_names();
  test_malformed();
  test_smaps();
  test_counter_overflow();
  test_name_pool();
  return vms_test_end();
}
