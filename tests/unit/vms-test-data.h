/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-test-data.h: loading the captured address spaces in tests/data into spaces and snapshots. */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#include "vms-snapshot.h"
#include "vms-test.h"

static const char *vms_test_data_dir = "tests/data";

static inline char *vms_test_read(const char *name, size_t *len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", vms_test_data_dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  if (!b || fread(b, 1, (size_t)n, f) != (size_t)n)
    exit(1);
  fclose(f);
  b[n] = '\0';
  *len = (size_t)n;
  return b;
}

/* Parses a maps (or, by its name, smaps) fixture and builds its snapshot. */
static inline VmsSnapshot *vms_test_snapshot(const char *name) {
  size_t len;
  char *buf = vms_test_read(name, &len);
  VmsSpace space;
  vms_space_init(&space);
  VmsError err = {0};
  const char *dot = strrchr(name, '.');
  VmsErrorCode code = (dot && strcmp(dot, ".smaps") == 0) ? vms_smaps_parse(buf, len, &space, &err)
                                                          : vms_maps_parse(buf, len, &space, &err);
  free(buf);
  VmsSnapshot *snap = NULL;
  if (code == VMS_OK)
    code = vms_snapshot_build(&space, &snap, &err);
  vms_space_clear(&space);
  if (code != VMS_OK) {
    fprintf(stderr, "%s: %s\n", name, err.message);
    exit(1);
  }
  return snap;
}
