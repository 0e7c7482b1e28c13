/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-export-threads.c: two threads exporting at once into one directory both succeed and leave no temporary file.
 *
 * The window exports on a worker thread while the CLI's code path may run
 * on another, so vms_export is called from two threads at the same moment
 * (a barrier before every round). Each export picks a temporary name beside
 * its target from a shared counter; under ThreadSanitizer an unsynchronized
 * counter is a reported race, and without it a name two threads chose alike
 * must still be handled by the exclusive create. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render-snapshot.h"
#include "vms-export.h"
#include "vms-test.h"

enum { THREADS = 2, ROUNDS = 12 };

static char dir[256];
static VmsSnapshot *snap;
static pthread_barrier_t barrier;

typedef struct {
  int id;
  int failures;
  char message[512];
} Worker;

static const TestRegion regions[] = {
    {0x00000000, 0x00010000, VMS_TYPE_UNUSABLE, VMS_STATE_FREE},
    {0x08048000, 0x08150000, VMS_TYPE_IMAGE, C_},
    {0x09000000, 0x0a000000, VMS_TYPE_HEAP, C_},
    {0x0a000000, 0x0c000000, VMS_TYPE_HEAP, R_},
    {0x40000000, 0x48000000, VMS_TYPE_PRIVATE, C_},
    {0xbf000000, 0xc0000000, VMS_TYPE_STACK, C_},
};

static void *export_rounds(void *arg) {
  Worker *w = arg;
  VmsViewport vp = {.kind = VMS_LAYOUT_LINEAR, .start = 0, .end = 4 * GiB};
  for (int round = 0; round < ROUNDS; round++) {
    char path[512];
    /* Odd rounds: both threads write the same file, which one of them wins. */
    if (round % 2) snprintf(path, sizeof path, "%s/shared.png", dir);
    else snprintf(path, sizeof path, "%s/map-%d-%d.%s", dir, w->id, round, round % 4 ? "png" : "svg");
    VmsError err = {0};
    pthread_barrier_wait(&barrier);
    VmsErrorCode rc = vms_export(snap, &vp, 400, 300, round % 4 ? VMS_EXPORT_PNG : VMS_EXPORT_SVG, path, &err);
    if (rc != VMS_OK) {
      w->failures++;
      snprintf(w->message, sizeof w->message, "%s: %s", path, err.message);
    }
  }
  return NULL;
}

/* Counts the directory's files: those named like a temporary and the rest. */
static void count_files(int *tmp, int *other) {
  *tmp = *other = 0;
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2]))) continue;
    if (strstr(e->d_name, ".tmp")) (*tmp)++;
    else (*other)++;
  }
  closedir(d);
}

int main(void) {
  snprintf(dir, sizeof dir, "%s/vms-export-threads-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(dir)) VMS_SKIP("cannot make a temporary directory: %s", strerror(errno));
  snap = test_snap_new(regions, sizeof regions / sizeof regions[0], 0, 4 * GiB, 32);
  pthread_barrier_init(&barrier, NULL, THREADS);
  Worker w[THREADS];
  pthread_t th[THREADS];
  for (int i = 0; i < THREADS; i++) {
    w[i] = (Worker){.id = i};
    VMS_CHECK(pthread_create(&th[i], NULL, export_rounds, &w[i]) == 0);
  }
  for (int i = 0; i < THREADS; i++) {
    pthread_join(th[i], NULL);
    VMS_CHECK_MSG(w[i].failures == 0, "thread %d: %d exports failed, the last: %s", i, w[i].failures, w[i].message);
  }
  pthread_barrier_destroy(&barrier);

  int tmp, other;
  count_files(&tmp, &other);
  VMS_CHECK_U64(tmp, 0);
  /* Every even round's own file per thread, and the shared one. */
  VMS_CHECK_U64(other, THREADS * (ROUNDS / 2) + 1);
  char p[512];
  snprintf(p, sizeof p, "%s/shared.png", dir);
  struct stat st;
  VMS_CHECK(stat(p, &st) == 0 && st.st_size > 0);
  test_snap_free(snap);

  if (!getenv("VMS_KEEP")) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  } else {
    printf("kept %s\n", dir);
  }
  return vms_test_end();
}
