/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-units.c: the one grammar for sizes, addresses and intervals that the
 * CLI and the window share, and the renderings of sizes and times. */
#include <locale.h>
#include <math.h>

#include "vms-test.h"
#include "vms-units.h"

static bool size_is(const char *s, uint64_t want) {
  uint64_t v = 0xdeadbeef;
  return vms_size_parse(s, false, &v) && v == want;
}

static bool not_size(const char *s) {
  uint64_t v = 0xdeadbeef;
  return !vms_size_parse(s, false, &v) && v == 0xdeadbeef;
}

static void test_size_parse(void) {
  VMS_CHECK(size_is("512M", 512ULL << 20));
  VMS_CHECK(size_is("1G", 1ULL << 30));
  VMS_CHECK(size_is("1.5GiB", 3ULL << 29));
  VMS_CHECK(size_is("1.5 GiB", 3ULL << 29)); /* what the window shows, typed back */
  VMS_CHECK(size_is(" 1.5 gib ", 3ULL << 29));
  VMS_CHECK(size_is("1.3k", 1331)); /* 1331.2 rounds down to a whole byte */
  VMS_CHECK(size_is("1P", 1ULL << 50));
  VMS_CHECK(size_is("2E", 2ULL << 60));
  VMS_CHECK(size_is("15.5E", 31ULL << 59));
  VMS_CHECK(size_is("64k", 65536));
  VMS_CHECK(size_is("64 KiB", 65536));
  VMS_CHECK(size_is(".5M", 512 << 10));
  VMS_CHECK(size_is("4096", 4096));
  VMS_CHECK(size_is("4096B", 4096));
  VMS_CHECK(size_is("4096 b", 4096));
  VMS_CHECK(size_is("0x1000", 4096));
  VMS_CHECK(size_is("0X10000", 65536));
  VMS_CHECK(size_is("2TB", 2ULL << 40));
  VMS_CHECK(size_is("18446744073709551615", UINT64_MAX));
  VMS_CHECK(size_is("0xffffffffffffffff", UINT64_MAX));
  uint64_t v;
  VMS_CHECK(vms_size_parse("0", true, &v) && v == 0);
  VMS_CHECK(not_size("0"));
  VMS_CHECK(not_size("0K"));
  VMS_CHECK(not_size(""));
  VMS_CHECK(not_size("   "));
  VMS_CHECK(not_size(NULL));
  VMS_CHECK(not_size("-5M"));
  VMS_CHECK(not_size("+5M"));
  VMS_CHECK(not_size("12Q"));
  VMS_CHECK(not_size("1.0000001")); /* a fraction of a byte */
  VMS_CHECK(not_size("M"));
  VMS_CHECK(not_size("."));
  VMS_CHECK(not_size("16E"));
  VMS_CHECK(not_size("20000P"));
  VMS_CHECK(not_size("18446744073709551616"));
  VMS_CHECK(not_size("0x10000000000000000"));
  VMS_CHECK(not_size("nan"));
  VMS_CHECK(not_size("inf"));
  VMS_CHECK(not_size("1e6"));
  VMS_CHECK(not_size("5MiBs"));
  VMS_CHECK(not_size("5 M B"));
  VMS_CHECK(not_size("0x"));
  VMS_CHECK(not_size("0x10M"));
  VMS_CHECK(not_size("1,5G")); /* a size is never typed with a decimal comma */
}

static void test_size_format(void) {
  char b[32];
  static const struct {
    uint64_t v;
    const char *want;
  } cases[] = {{0, "0 B"},
               {812, "812 B"},
               {1023, "1023 B"},
               {1024, "1 KiB"},
               {1536, "1.50 KiB"},
               {10752, "10.5 KiB"},
               {65536, "64 KiB"},
               {128ULL << 40, "128 TiB"},
               {(1ULL << 30) + 1, "1 GiB"},
               {UINT64_MAX, "16 EiB"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    vms_size_format(cases[i].v, b, sizeof b);
    VMS_CHECK_STR(b, cases[i].want);
  }
  /* What is written reads back as the same size, to its precision. */
  for (uint64_t x = 1000; x < (1ULL << 62); x = x * 7 + 13) {
    vms_size_format(x, b, sizeof b);
    uint64_t back = 0;
    VMS_CHECK_MSG(vms_size_parse(b, false, &back), "%s", b);
    double err = fabs((double)back - (double)x) / (double)x;
    VMS_CHECK_MSG(err < 0.01, "%" PRIu64 " -> %s -> %" PRIu64, x, b, back);
  }
  vms_size_format_short(640 << 10, b, sizeof b);
  VMS_CHECK_STR(b, "640 KiB");
  vms_size_format_short((13ULL << 40) / 2, b, sizeof b);
  VMS_CHECK_STR(b, "6.5 TiB");
  vms_size_format_short(100, b, sizeof b);
  VMS_CHECK_STR(b, "100 B");
}

static void test_addr(void) {
  uint64_t v;
  VMS_CHECK(vms_addr_parse("0x7fff0000", &v) && v == 0x7fff0000);
  VMS_CHECK(vms_addr_parse("ffff", &v) && v == 0xffff);
  VMS_CHECK(vms_addr_parse("0xFFFFFFFFFFFFFFFF", &v) && v == UINT64_MAX);
  VMS_CHECK(!vms_addr_parse("0x", &v));
  VMS_CHECK(!vms_addr_parse("", &v));
  VMS_CHECK(!vms_addr_parse("12g", &v));
  VMS_CHECK(!vms_addr_parse(" 12", &v));
  VMS_CHECK(!vms_addr_parse("0x11111111111111111", &v));
}

static bool interval_is(const char *s, double want) {
  double v = -1;
  return vms_interval_parse(s, 0.1, 3600, &v) && fabs(v - want) < 1e-9;
}

static bool not_interval(const char *s) {
  double v = -1;
  return !vms_interval_parse(s, 0.1, 3600, &v) && v == -1;
}

static void test_interval(void) {
  VMS_CHECK(interval_is("0.5", 0.5));
  VMS_CHECK(interval_is("2 s", 2));
  VMS_CHECK(interval_is("2s", 2));
  VMS_CHECK(interval_is("250 ms", 0.25));
  VMS_CHECK(interval_is("1 min", 60));
  VMS_CHECK(interval_is("1.5 minutes", 90));
  VMS_CHECK(interval_is("1,5 s", 1.5));
  VMS_CHECK(interval_is("Every 2 s", 2));
  VMS_CHECK(interval_is("  every 3 SECONDS ", 3));
  VMS_CHECK(interval_is("1 h", 3600));
  VMS_CHECK(interval_is("0.1234", 0.123));
  VMS_CHECK(not_interval(""));
  VMS_CHECK(not_interval(NULL));
  VMS_CHECK(not_interval("fast"));
  VMS_CHECK(not_interval("every"));
  VMS_CHECK(not_interval("2 parsecs"));
  VMS_CHECK(not_interval("2 s s"));
  VMS_CHECK(not_interval("-1"));
  VMS_CHECK(not_interval("0.05")); /* under the minimum */
  VMS_CHECK(not_interval("2 h"));  /* over the maximum */
  VMS_CHECK(not_interval("1e3"));
  VMS_CHECK(not_interval("99999999999999999999999 s"));
  char b[32];
  vms_interval_format(0.5, b, sizeof b);
  VMS_CHECK_STR(b, "0.5 s");
  vms_interval_format(90, b, sizeof b);
  VMS_CHECK_STR(b, "90 s");
  vms_interval_format(120, b, sizeof b);
  VMS_CHECK_STR(b, "2 min");
}

static void test_time(void) {
  char b[40];
  vms_time_format(0, VMS_TIME_ISO8601, b, sizeof b);
  VMS_CHECK_STR(b, "1970-01-01T00:00:00Z");
  vms_time_format(1764120000.7, VMS_TIME_ISO8601, b, sizeof b);
  VMS_CHECK_STR(b, "2025-11-26T01:20:00Z");
  vms_time_format(1764120000, VMS_TIME_READABLE, b, sizeof b);
  VMS_CHECK_STR(b, "2025-11-26 01:20:00 UTC");
  vms_time_format(951782400, VMS_TIME_ISO8601, b, sizeof b); /* a leap day */
  VMS_CHECK_STR(b, "2000-02-29T00:00:00Z");
  /* Before 1970, past year 9999 or not a number: never a date computed from
   * an overflowing integer (a recording's damaged time reaches here). */
  const double bad[] = {-1, -3.25762e19, 253402300800.0, 1e300, NAN, INFINITY, -INFINITY};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    VMS_CHECK(!vms_time_valid(bad[i]));
    vms_time_format(bad[i], VMS_TIME_ISO8601, b, sizeof b);
    VMS_CHECK_STR(b, "invalid time");
  }
  VMS_CHECK(vms_time_valid(253402300799.0));
  vms_time_format(253402300799.0, VMS_TIME_READABLE, b, sizeof b);
  VMS_CHECK_STR(b, "9999-12-31 23:59:59 UTC");
}

int main(void) {
  test_size_parse();
  test_size_format();
  test_addr();
  test_interval();
  test_time();
  /* A window calls setlocale(LC_ALL, ""): the grammar must not follow it. */
  if (setlocale(LC_NUMERIC, "de_DE.UTF-8") || setlocale(LC_NUMERIC, "fr_FR.UTF-8"))
    VMS_CHECK(size_is("1.5 GiB", 3ULL << 29));
  return vms_test_end();
}
