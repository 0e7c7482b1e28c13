/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-oom.c: every allocation the core makes may fail; the caller then gets VMS_ERR_NOMEM, and nothing leaks.
 *
 * Linked with -Wl,--wrap for malloc, calloc, realloc, strdup and free, so
 * that every call from vmscope's own code (the static libraries and this
 * file, not libc's insides) goes through the wrappers below. For N = 1, 2,
 * ... the Nth allocation of one call is refused; the call must then answer
 * VMS_ERR_NOMEM (or, where an allocation only trims, the same result as
 * without the failure), and the blocks handed out and freed must balance
 * once its results are released. Run it in the ASan build as well: LSan
 * then checks the balance independently. */
#include <unistd.h>

#include "vms-classify.h"
#include "vms-test-data.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
void __wrap_free(void *p);

static long fail_at;  /* the allocation (counted from arming) to refuse; 0: none */
static long calls;    /* allocations since arming */
static bool refused;  /* one was refused since arming */
static long live;     /* blocks handed out by the wrappers and not yet freed */

static bool refuse(void) {
  if (!fail_at) return false;
  if (++calls != fail_at) return false;
  refused = true;
  return true;
}

void *__wrap_malloc(size_t n) {
  if (refuse()) return NULL;
  void *p = __real_malloc(n);
  if (p) live++;
  return p;
}

void *__wrap_calloc(size_t n, size_t size) {
  if (refuse()) return NULL;
  void *p = __real_calloc(n, size);
  if (p) live++;
  return p;
}

void *__wrap_realloc(void *old, size_t n) {
  if (refuse()) return NULL;
  void *p = __real_realloc(old, n);
  if (p && !old) live++;
  return p;
}

char *__wrap_strdup(const char *s) {
  if (refuse()) return NULL;
  char *p = __real_strdup(s);
  if (p) live++;
  return p;
}

void __wrap_free(void *p) {
  if (p) live--;
  __real_free(p);
}

static void arm(long n) {
  fail_at = n;
  calls = 0;
  refused = false;
}

static void disarm(void) { fail_at = 0; }

enum { MAX_STEPS = 200000 };

/* The parsers: a refused allocation is NOMEM, never a malformed line. */
static void parse_under_oom(const char *what, const char *text, size_t len, int kind) {
  long step = 1;
  for (; step < MAX_STEPS; step++) {
    long before = live;
    VmsSpace sp;
    vms_space_init(&sp);
    VmsError err = {0};
    arm(step);
    VmsErrorCode rc = kind == 0   ? vms_maps_parse(text, len, &sp, &err)
                      : kind == 1 ? vms_smaps_parse(text, len, &sp, &err)
                                  : vms_smaps_rollup_parse(text, len, &sp, &err);
    disarm();
    bool was_refused = refused;
    if (was_refused)
      VMS_CHECK_MSG(rc == VMS_ERR_NOMEM, "%s: allocation %ld refused: %s (%s)", what, step,
                    vms_error_code_name(rc), err.message);
    else VMS_CHECK_U64(rc, VMS_OK);
    vms_space_clear(&sp);
    VMS_CHECK_MSG(live == before, "%s: allocation %ld refused: %ld blocks leaked", what, step, live - before);
    if (!was_refused) break;
  }
  VMS_CHECK_MSG(step < MAX_STEPS, "%s: %ld steps", what, step);
}

int main(int argc, char **argv) {
  if (argc > 1) vms_test_data_dir = argv[1];
  size_t maps_len, smaps_len;
  char *maps = vms_test_read("python-fragmenting.maps", &maps_len);
  char *smaps = vms_test_read("python-fragmenting.smaps", &smaps_len);

  parse_under_oom("parse maps", maps, maps_len, 0);
  parse_under_oom("parse smaps", smaps, smaps_len, 1);
  const char *rollup = "55d0-7ffe ---p 00000000 00:00 0 [rollup]\nRss: 100 kB\nPss: 50 kB\n";
  parse_under_oom("parse smaps_rollup", rollup, strlen(rollup), 2);

  free(maps);
  free(smaps);
  return vms_test_end();
}
