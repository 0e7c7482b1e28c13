/* SPDX-License-Identifier: GPL-3.0-or-later */
/* live-32: a 32-bit process: its space ends below 4 GiB, and vmscope's largest free block is what
 * mmap can still get.
 *
 * usage: live-32 VMSCOPE VMS-HELPER-32 VMSCOPE-DEMO-32
 *
 * The helper finds the largest mmap it can still get by binary search with
 * real mmap calls; vmscope must report exactly that as the largest free
 * block. The demo runs until a large allocation fails, and vmscope must then
 * show hundreds of MB free with no block large enough. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "vms-live.h"
#include "vms-test.h"

#define MIB (UINT64_C(1) << 20)

static VmsJson *summary(const char *vmscope, const char *pid) {
  const char *const a[] = {vmscope, pid, "--summary", "--format", "json", NULL};
  VmsRun r;
  VMS_CHECK(vms_run(a, &r));
  VMS_CHECK_MSG(r.status == 0, "--summary exit %d: %s", r.status, r.err);
  VmsJson *j = vms_json_parse(r.out, r.out_len);
  VMS_CHECK_MSG(j != NULL, "the JSON summary does not parse");
  vms_run_free(&r);
  return j;
}

static void check_helper(const char *vmscope, const char *helper) {
  const char *const hargv[] = {helper, "layout", "threads", "2", "fit", NULL};
  VmsHelper h;
  if (!vms_helper_start(&h, hargv)) {
    VMS_CHECK_MSG(false, "the 32-bit helper did not start");
    return;
  }
  char pid[16];
  snprintf(pid, sizeof pid, "%d", (int)h.pid);
  VMS_CHECK_STR(vms_helper_fact(&h, "bits", 0), "32");
  uint64_t largest_mmap = strtoull(vms_helper_fact(&h, "largest", 0), NULL, 10);
  uint64_t page = strtoull(vms_helper_fact(&h, "page", 0), NULL, 10);

  VmsJson *j = summary(vmscope, pid);
  uint64_t v = 0, hi = 0, largest = 0;
  VMS_CHECK(vms_json_u64(j, "bits", &v) && v == 32);
  VMS_CHECK(vms_json_u64(j, "threads", &v) && v == 3);
  VMS_CHECK(vms_json_u64(j, "stacks_found", &v) && v == 3);
  VMS_CHECK(vms_json_u64(j, "address_space.end", &hi));
  /* A 32-bit process on a 64-bit x86 kernel ends one page short of 4 GiB. */
  VMS_CHECK_MSG(hi <= (UINT64_C(1) << 32) && hi >= (UINT64_C(1) << 31),
                "address space ends at 0x%" PRIx64, hi);
  struct utsname un;
  if (uname(&un) == 0 && strcmp(un.machine, "x86_64") == 0)
    VMS_CHECK_U64(hi, 0xffffe000u); /* IA32_PAGE_OFFSET: the top page stays the kernel's */
  VMS_CHECK(vms_json_u64(j, "free.largest", &largest));
  VMS_CHECK_MSG(largest == largest_mmap,
                "vmscope's largest free block is %" PRIu64 " bytes; mmap can still get %" PRIu64,
                largest, largest_mmap);

  /* --fit agrees: the largest size fits (in one block, at vmscope's largest
   * free block), one page more does not. */
  char fits[32], too_big[32];
  snprintf(fits, sizeof fits, "%" PRIu64, largest_mmap);
  snprintf(too_big, sizeof too_big, "%" PRIu64, largest_mmap + page);
  const char *const f1[] = {vmscope, pid, "--summary", "--fit", fits, "--format", "json", NULL};
  const char *const f2[] = {vmscope, pid, "--summary", "--fit", too_big, "--format", "json", NULL};
  VmsRun r1, r2;
  VMS_CHECK(vms_run(f1, &r1));
  VMS_CHECK(vms_run(f2, &r2));
  VMS_CHECK_MSG(r1.status == 0, "--fit %s exit %d: %s", fits, r1.status, r1.err);
  VMS_CHECK_MSG(r2.status == 0, "--fit %s exit %d: %s", too_big, r2.status, r2.err);
  VmsJson *j1 = vms_json_parse(r1.out, r1.out_len), *j2 = vms_json_parse(r2.out, r2.out_len);
  bool yes = false, no = true;
  uint64_t fit_size = 0, at = 0, largest_start = 0;
  VMS_CHECK(vms_json_u64(j1, "fit.size", &fit_size) && fit_size == largest_mmap);
  VMS_CHECK_MSG(vms_json_bool(j1, "fit.fits", &yes) && yes,
                "the largest size mmap can get does not fit: %s", r1.out);
  VMS_CHECK(vms_json_u64(j1, "fit.blocks", &v) && v >= 1);
  VMS_CHECK(vms_json_u64(j1, "fit.starts.0", &at));
  VMS_CHECK(vms_json_u64(j1, "free.largest_start", &largest_start));
  if (v == 1)
    VMS_CHECK_U64(at, largest_start);
  VMS_CHECK_MSG(vms_json_bool(j2, "fit.fits", &no) && !no,
                "one page more than mmap can get fits: %s", r2.out);
  VMS_CHECK_MSG(vms_json_len(j2, "fit.starts") == 0,
                "a size that fits nowhere has start addresses");
  vms_json_free(j1);
  vms_json_free(j2);
  vms_run_free(&r1);
  vms_run_free(&r2);

  /* Nothing of the space lies above 4 GiB. */
  const char *const a[] = {vmscope, pid, "--regions", "--format", "csv", NULL};
  VmsRun r;
  VMS_CHECK(vms_run(a, &r));
  VmsLiveRegions rs;
  if (vms_live_regions_parse(r.out, r.out_len, &rs)) {
    VMS_CHECK(rs.n > 0);
    for (size_t i = 0; i < rs.n; i++)
      VMS_CHECK_MSG(rs.r[i].end <= (UINT64_C(1) << 32), "a region ends at 0x%" PRIx64, rs.r[i].end);
    /* The fixed mappings, exactly, in the 32-bit space too. */
    VMS_CHECK(vms_helper_count(&h, "map") == 9);
    for (size_t i = 0; i < vms_helper_count(&h, "map"); i++) {
      uint64_t s, e;
      char perms[8];
      VMS_CHECK(
          sscanf(vms_helper_fact(&h, "map", i), "%" SCNx64 " %" SCNx64 " %7s", &s, &e, perms) == 3);
      const VmsLiveRegion *g = vms_live_region_at(&rs, s);
      VMS_CHECK_MSG(g && g->start == s && g->end == e && !strcmp(g->prot, perms),
                    "the %s mapping at 0x%" PRIx64 " is shown as 0x%" PRIx64 "-0x%" PRIx64 " %s",
                    perms, s, g ? g->start : 0, g ? g->end : 0, g ? g->prot : "");
    }
    vms_live_regions_free(&rs);
  } else {
    VMS_CHECK_MSG(false, "the CSV regions do not parse");
  }
  vms_run_free(&r);
  vms_json_free(j);
  vms_helper_stop(&h);
}

static void check_demo(const char *vmscope, const char *demo) {
  const char *const dargv[] = {demo, "--interval", "0", NULL};
  VmsHelper d;
  if (!vms_helper_start_until(&d, dargv, "waiting:")) {
    VMS_CHECK_MSG(false, "the 32-bit demo did not finish its rounds");
    return;
  }
  /* "figures: free T, largest L, blocks N, space LO-HI, request R" */
  const char *failed = NULL, *figures = NULL;
  for (size_t i = 0; i < d.n_lines; i++) {
    if (strstr(d.lines[i], "FAILED"))
      failed = d.lines[i];
    if (strncmp(d.lines[i], "figures: ", 9) == 0)
      figures = d.lines[i];
  }
  VMS_CHECK_MSG(failed != NULL, "the 32-bit demo never failed an allocation");
  const char *req = figures ? strstr(figures, ", request ") : NULL;
  VMS_CHECK_MSG(req != NULL, "the 32-bit demo printed no figures line with its request");
  if (failed && req) {
    uint64_t request = strtoull(req + strlen(", request "), NULL, 10);
    char pid[16];
    snprintf(pid, sizeof pid, "%d", (int)d.pid);
    VmsJson *j = summary(vmscope, pid);
    uint64_t total = 0, largest = 0, page = 4096;
    VMS_CHECK(vms_json_u64(j, "free.total", &total));
    VMS_CHECK(vms_json_u64(j, "free.largest", &largest));
    printf("demo-32: malloc(%" PRIu64 ") failed; vmscope: %" PRIu64
           " MiB free, largest block %" PRIu64 " KiB\n",
           request, total / MIB, largest / 1024);
    /* malloc asks mmap for the request plus its header, page-rounded. */
    VMS_CHECK_MSG(largest < request + page,
                  "the largest free block (%" PRIu64 ") could have held the request", largest);
    VMS_CHECK_MSG(total >= 256 * MIB, "only %" PRIu64 " MiB free: the failure is not fragmentation",
                  total / MIB);
    vms_json_free(j);
  }
  vms_helper_terminate(&d);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: live-32 VMSCOPE VMS-HELPER-32 VMSCOPE-DEMO-32\n");
    return 2;
  }
  check_helper(argv[1], argv[2]);
  check_demo(argv[1], argv[3]);
  return vms_test_end();
}
