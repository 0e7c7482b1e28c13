/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-format.c: the escaping of names in table, CSV and JSON output. */
#include "vms-format.h"
#include "vms-test-data.h"

static char *capture(void (*fn)(FILE *, const VmsSnapshot *, VmsFormat), const VmsSnapshot *s,
                     VmsFormat fmt) {
  FILE *f = tmpfile();
  fn(f, s, fmt);
  long n = ftell(f);
  rewind(f);
  char *b = calloc(1, (size_t)n + 1);
  if (fread(b, 1, (size_t)n, f) != (size_t)n)
    VMS_CHECK(!"short read");
  fclose(f);
  return b;
}

static void regions(FILE *f, const VmsSnapshot *s, VmsFormat fmt) {
  vms_print_regions(f, s, fmt, 0, UINT64_MAX);
}

static void test_escaping(void) {
  VmsSnapshot *s = vms_test_snapshot("odd-names.maps");
  char *csv = capture(regions, s, VMS_FORMAT_CSV);
  VMS_CHECK(strncmp(csv, "start,end,size,type,state,protection,details,", 45) == 0);
  /* A newline in a name is quoted in CSV, escaped in JSON and the table. */
  VMS_CHECK(strstr(csv, ",\"/tmp/new\nline.txt\",") != NULL);
  VMS_CHECK(strstr(csv, "0x7f0000000000,0x7f0000001000,4096,mapped,committed,r--p,/tmp/data "
                        "file.bin (deleted),") != NULL);
  VMS_CHECK(strstr(csv, "0x0,0x10000,65536,unusable,free,----,below vm.mmap_min_addr,") != NULL);
  char *json = capture(regions, s, VMS_FORMAT_JSON);
  VMS_CHECK(strstr(json, "\"details\":\"/tmp/new\\nline.txt\"") != NULL);
  VMS_CHECK(strstr(json, "\"type\":\"shareable\",\"state\":\"committed\",\"protection\":\"rw-s\","
                         "\"details\":\"/memfd:pool (deleted)\"") != NULL);
  char *table = capture(regions, s, VMS_FORMAT_TABLE);
  VMS_CHECK(strstr(table, "/tmp/new\\012line.txt") != NULL);
  free(csv);
  free(json);
  free(table);
  vms_snapshot_unref(s);
}

/* Bytes that are not well-formed UTF-8 reach JSON as U+FFFD, never raw. */
static void test_json_utf8(void) {
  static const char maps[] = "1000-2000 r--p 0 00:00 1 /bad\xff\x80\x80\n"
                             "2000-3000 r--p 0 00:00 2 /surrogate\xed\xa0\x80\n"
                             "3000-4000 r--p 0 00:00 3 /overlong\xe0\x80\x80\n"
                             "4000-5000 r--p 0 00:00 4 /ok\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\n";
  VmsSpace sp;
  vms_space_init(&sp);
  VMS_CHECK_U64(vms_maps_parse(maps, sizeof maps - 1, &sp, NULL), VMS_OK);
  VmsSnapshot *s;
  VMS_CHECK_U64(vms_snapshot_build(&sp, &s, NULL), VMS_OK);
  char *json = capture(regions, s, VMS_FORMAT_JSON);
  VMS_CHECK(strstr(json, "\"/bad\\ufffd\\ufffd\\ufffd\"") != NULL);
  VMS_CHECK(strstr(json, "\"/surrogate\\ufffd\\ufffd\\ufffd\"") != NULL);
  VMS_CHECK(strstr(json, "\"/overlong\\ufffd\\ufffd\\ufffd\"") != NULL);
  VMS_CHECK(strstr(json, "\"/ok\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"") != NULL);
  for (const unsigned char *p = (const unsigned char *)json; *p; p++)
    VMS_CHECK_MSG(*p != 0xff && !(p[0] == 0xed && p[1] == 0xa0), "raw invalid byte in JSON");
  free(json);
  vms_snapshot_unref(s);
  vms_space_clear(&sp);
}

int main(int argc, char **argv) {
  if (argc > 1)
    vms_test_data_dir = argv[1];
  test_escaping();
  test_json_utf8();
  return vms_test_end();
}
