/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-concurrent.c: two live targets read at once from two threads, then by two samplers.
 *
 * usage: test-concurrent VMS-HELPER
 *
 * Each thread reads its own helper process (platform read, then snapshot
 * build) over and over, checks the helper's known mappings and threads in
 * every snapshot, and hands each snapshot to the other thread through a
 * shared slot: the other takes a reference, reads it and drops it, so
 * snapshots and their reference counts cross threads as in the window. The
 * same then runs with two samplers. Written for ThreadSanitizer (the tsan
 * suite) as much as for the facts. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vms-live.h"
#include "vms-sampler.h"
#include "vms-test-wait.h"
#include "vms-test.h"

#define ROUNDS   25
#define MAX_MAPS 16

typedef struct {
  pid_t pid;
  size_t n_threads; /* the helper's own threads plus its main one */
  size_t n_maps;
  uint64_t maps[MAX_MAPS][2];
} Known;

static Known known[2];

/* The latest snapshot of each target, shared by both threads. */
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static VmsSnapshot *latest[2];
static int crossed; /* snapshots of the other target read, under slot_lock */

/* Checks that snap is a whole, right snapshot of target i; the number of failures. */
static int check_snapshot(int i, const VmsSnapshot *snap) {
  int bad = 0;
  if (snap->pid != known[i].pid) {
    fprintf(stderr, "target %d: snapshot of pid %d, not %d\n", i, snap->pid, (int)known[i].pid);
    bad++;
  }
  if (snap->n_threads != known[i].n_threads) {
    fprintf(stderr, "target %d: %zu threads, not %zu\n", i, snap->n_threads, known[i].n_threads);
    bad++;
  }
  for (size_t m = 0; m < known[i].n_maps; m++) {
    size_t k = vms_snapshot_find(snap, known[i].maps[m][0]);
    if (k == SIZE_MAX || snap->regions[k].start != known[i].maps[m][0] ||
        snap->regions[k].end != known[i].maps[m][1]) {
      fprintf(stderr, "target %d: mapping 0x%" PRIx64 "-0x%" PRIx64 " is not a region of its own\n",
              i, known[i].maps[m][0], known[i].maps[m][1]);
      bad++;
    }
  }
  return bad;
}

/* Publishes snap (a reference the caller keeps) as target i's latest and
 * checks the other target's latest under a reference of its own. */
static int swap_and_cross(int i, VmsSnapshot *snap) {
  pthread_mutex_lock(&slot_lock);
  VmsSnapshot *old = latest[i];
  latest[i] = vms_snapshot_ref(snap);
  VmsSnapshot *other = latest[1 - i] ? vms_snapshot_ref(latest[1 - i]) : NULL;
  if (other)
    crossed++;
  pthread_mutex_unlock(&slot_lock);
  if (old)
    vms_snapshot_unref(old);
  int bad = 0;
  if (other) {
    bad = check_snapshot(1 - i, other);
    vms_snapshot_unref(other);
  }
  return bad;
}

typedef struct {
  int i;
  int failures, snapshots;
} Reader;

static void *reader_main(void *data) {
  Reader *r = data;
  VmsTarget *t;
  VmsError err = {0};
  VmsErrorCode code = vms_target_open(known[r->i].pid, &t, &err);
  if (code != VMS_OK) {
    fprintf(stderr, "target %d: open: %s\n", r->i, err.message);
    r->failures++;
    return NULL;
  }
  VmsSpace sp;
  vms_space_init(&sp);
  for (int round = 0; round < ROUNDS; round++) {
    unsigned what = VMS_READ_REGIONS | VMS_READ_THREADS | (round % 5 == 0 ? VMS_READ_COUNTERS : 0);
    VmsSnapshot *snap = NULL;
    code = vms_target_read(t, what, &sp, &err);
    if (code == VMS_OK)
      code = vms_snapshot_build(&sp, &snap, &err);
    if (code != VMS_OK) {
      fprintf(stderr, "target %d round %d: %s\n", r->i, round, err.message);
      r->failures++;
      break;
    }
    r->snapshots++;
    r->failures += check_snapshot(r->i, snap);
    if ((what & VMS_READ_COUNTERS) && !snap->counters) {
      fprintf(stderr, "target %d round %d: counters asked for and not read\n", r->i, round);
      r->failures++;
    }
    r->failures += swap_and_cross(r->i, snap);
    vms_snapshot_unref(snap);
  }
  vms_space_clear(&sp);
  vms_target_close(t);
  return NULL;
}

static void clear_slots(void) {
  for (int i = 0; i < 2; i++) {
    if (latest[i])
      vms_snapshot_unref(latest[i]);
    latest[i] = NULL;
  }
  crossed = 0;
}

static void test_two_readers(void) {
  Reader r[2] = {{.i = 0}, {.i = 1}};
  pthread_t th[2];
  for (int i = 0; i < 2; i++)
    VMS_CHECK(pthread_create(&th[i], NULL, reader_main, &r[i]) == 0);
  for (int i = 0; i < 2; i++)
    pthread_join(th[i], NULL);
  for (int i = 0; i < 2; i++) {
    VMS_CHECK_U64(r[i].failures, 0);
    VMS_CHECK_U64(r[i].snapshots, ROUNDS);
  }
  /* At least the later thread saw the other's snapshots. */
  VMS_CHECK(crossed >= ROUNDS);
  clear_slots();
}

/* ---- two samplers ---- */

typedef struct {
  int i;
  pthread_mutex_t lock;
  int samples, errors, failures;
} Sampled;

static void on_sample(VmsSnapshot *snap, const VmsError *err, void *user) {
  Sampled *s = user;
  int bad = 0;
  if (snap)
    bad = check_snapshot(s->i, snap) + swap_and_cross(s->i, snap);
  pthread_mutex_lock(&s->lock);
  if (snap)
    s->samples++;
  else
    s->errors++;
  s->failures += bad;
  pthread_mutex_unlock(&s->lock);
  vms_snapshot_unref(snap);
}

static bool both_sampled(void *d) {
  Sampled *s = d;
  bool done = true;
  for (int i = 0; i < 2; i++) {
    pthread_mutex_lock(&s[i].lock);
    if (s[i].samples < ROUNDS)
      done = false;
    pthread_mutex_unlock(&s[i].lock);
  }
  return done;
}

static void test_two_samplers(void) {
  Sampled s[2] = {{.i = 0}, {.i = 1}};
  VmsSampler *sm[2] = {NULL, NULL};
  VmsSamplerOptions o;
  vms_sampler_options_default(&o);
  o.interval = 0.01;
  o.max_cpu_share = 0;
  o.counters_every = 0.05;
  for (int i = 0; i < 2; i++) {
    pthread_mutex_init(&s[i].lock, NULL);
    VmsError err = {0};
    VMS_CHECK_U64(vms_sampler_start(known[i].pid, &o, on_sample, &s[i], &sm[i], &err), VMS_OK);
  }
  bool done = vms_test_wait(both_sampled, s, 60);
  for (int i = 0; i < 2; i++)
    vms_sampler_stop(sm[i]);
  VMS_CHECK_MSG(done, "the samplers took %d and %d samples in 60 s", s[0].samples, s[1].samples);
  for (int i = 0; i < 2; i++) {
    VMS_CHECK_U64(s[i].errors, 0);
    VMS_CHECK_U64(s[i].failures, 0);
    VMS_CHECK(s[i].samples >= ROUNDS);
    pthread_mutex_destroy(&s[i].lock);
  }
  VMS_CHECK(crossed >= ROUNDS);
  clear_slots();
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test-concurrent VMS-HELPER\n");
    return 2;
  }
  VmsHelper h[2];
  const char *const a0[] = {argv[1], "layout", "threads", "2", NULL};
  const char *const a1[] = {argv[1], "layout", "threads", "3", NULL};
  const char *const *args[2] = {a0, a1};
  for (int i = 0; i < 2; i++) {
    if (!vms_helper_start(&h[i], args[i])) {
      VMS_CHECK_MSG(false, "helper %d did not start", i);
      return vms_test_end();
    }
    known[i].pid = h[i].pid;
    known[i].n_threads = vms_helper_count(&h[i], "thread") + 1;
    known[i].n_maps = vms_helper_count(&h[i], "map");
    VMS_CHECK(known[i].n_maps > 0 && known[i].n_maps <= MAX_MAPS);
    if (known[i].n_maps > MAX_MAPS)
      known[i].n_maps = MAX_MAPS;
    for (size_t m = 0; m < known[i].n_maps; m++) {
      const char *f = vms_helper_fact(&h[i], "map", m);
      known[i].maps[m][0] = vms_live_parse_hex(f);
      const char *sp = strchr(f, ' ');
      known[i].maps[m][1] = sp ? vms_live_parse_hex(sp + 1) : 0;
    }
  }
  VMS_CHECK_U64(known[0].n_threads, 3);
  VMS_CHECK_U64(known[1].n_threads, 4);
  test_two_readers();
  test_two_samplers();
  for (int i = 0; i < 2; i++)
    vms_helper_stop(&h[i]);
  return vms_test_end();
}
