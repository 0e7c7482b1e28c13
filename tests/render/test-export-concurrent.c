/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-export-concurrent.c: two threads export one live snapshot into the same directory at once.
 *
 * Both threads write the same path over and over (their temporary names
 * beside it must never collide, and each rename leaves a whole file) and a
 * path of their own each. Every export must succeed, every file must decode
 * at its size, and no temporary file may be left. Written for
 * ThreadSanitizer (the tsan suite) as much as for the facts. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include <cairo.h>

#include "vms-export.h"
#include "vms-test.h"

#define ROUNDS 6

static char dir[256];
static VmsSnapshot *snap;

typedef struct {
  int i;
  int failures;
  char own[512];
} Exporter;

static void *export_main(void *data) {
  Exporter *e = data;
  char shared[512];
  snprintf(shared, sizeof shared, "%s/shared.png", dir);
  snprintf(e->own, sizeof e->own, "%s/own-%d.png", dir, e->i);
  VmsViewport vp = vms_viewport_fit(snap, e->i ? VMS_LAYOUT_COMPRESSED : VMS_LAYOUT_LINEAR);
  for (int round = 0; round < ROUNDS; round++) {
    VmsError err = {0};
    const char *path = round % 2 ? e->own : shared;
    VmsErrorCode code = vms_export(snap, &vp, 640, 400, VMS_EXPORT_PNG, path, &err);
    if (code != VMS_OK) {
      fprintf(stderr, "thread %d round %d: %s: %s\n", e->i, round, path, err.message);
      e->failures++;
    }
  }
  return NULL;
}

static void check_png(const char *path) {
  cairo_surface_t *img = cairo_image_surface_create_from_png(path);
  VMS_CHECK_MSG(cairo_surface_status(img) == CAIRO_STATUS_SUCCESS, "%s: %s", path,
                cairo_status_to_string(cairo_surface_status(img)));
  VMS_CHECK_U64(cairo_image_surface_get_width(img), 640);
  VMS_CHECK_U64(cairo_image_surface_get_height(img), 400);
  cairo_surface_destroy(img);
}

int main(void) {
  snprintf(dir, sizeof dir, "%s/vms-export-mt-XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(dir)) {
    VMS_CHECK_MSG(false, "cannot make a temporary directory: %s", strerror(errno));
    return vms_test_end();
  }
  /* A snapshot of this very process: a real layout, read once, shared. */
  VmsTarget *t;
  VmsError err = {0};
  VMS_CHECK_U64(vms_target_open(getpid(), &t, &err), VMS_OK);
  VmsSpace sp;
  vms_space_init(&sp);
  VMS_CHECK_U64(vms_target_read(t, VMS_READ_REGIONS | VMS_READ_THREADS, &sp, &err), VMS_OK);
  VMS_CHECK_U64(vms_snapshot_build(&sp, &snap, &err), VMS_OK);
  vms_space_clear(&sp);
  vms_target_close(t);
  if (!snap)
    return vms_test_end();

  Exporter e[2] = {{.i = 0}, {.i = 1}};
  pthread_t th[2];
  for (int i = 0; i < 2; i++)
    VMS_CHECK(pthread_create(&th[i], NULL, export_main, &e[i]) == 0);
  for (int i = 0; i < 2; i++)
    pthread_join(th[i], NULL);

  char shared[512];
  snprintf(shared, sizeof shared, "%s/shared.png", dir);
  for (int i = 0; i < 2; i++) {
    VMS_CHECK_U64(e[i].failures, 0);
    check_png(e[i].own);
  }
  check_png(shared);
  /* Exactly the three files, nothing temporary beside them. */
  int files = 0, leftovers = 0;
  DIR *d = opendir(dir);
  VMS_CHECK(d != NULL);
  struct dirent *de;
  while (d && (de = readdir(d))) {
    if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
      continue;
    files++;
    if (strstr(de->d_name, ".tmp")) {
      fprintf(stderr, "left behind: %s\n", de->d_name);
      leftovers++;
    }
  }
  if (d)
    closedir(d);
  VMS_CHECK_U64(leftovers, 0);
  VMS_CHECK_U64(files, 3);

  unlink(shared);
  for (int i = 0; i < 2; i++)
    unlink(e[i].own);
  rmdir(dir);
  vms_snapshot_unref(snap);
  return vms_test_end();
}
