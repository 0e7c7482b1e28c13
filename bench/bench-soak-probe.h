/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-soak-probe.h: what the soaks (bench-soak, tests/gui/soak-gui.c) measure of themselves. */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The leak goal of a soak: resident memory within this of the start. */
#define SOAK_RSS_GOAL 1048576

/* Resident bytes of this process (VmRSS), -1024 when it cannot be read. */
static long long soak_rss_bytes(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %lld kB", &kb) == 1)
      break;
  if (f)
    fclose(f);
  return kb * 1024;
}

/* Open descriptors of this process, not counting the one that lists them. */
static int soak_open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d)
    return -1;
  int n = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL)
    if (de->d_name[0] != '.')
      n++;
  closedir(d);
  return n - 1;
}

/* Reads the helper's output up to its "ready" line; false when it ends first. */
static bool soak_wait_ready(FILE *out) {
  char line[256];
  while (out && fgets(line, sizeof line, out))
    if (strcmp(line, "ready\n") == 0)
      return true;
  fprintf(stderr, "the helper did not get ready\n");
  return false;
}

/* The two closing lines: resident memory against the goal, and the
 * descriptors at the start and the end, and after the sampler or window
 * (`what`) is gone against before it was made. True when the descriptors
 * are as they were. */
static bool soak_print_verdict(long long rss0, long long rss, int fds0, int fds, int fds_after,
                               int fds_before, const char *after, const char *before) {
  const long long drss = rss - rss0;
  printf("RSS: start %.2f MiB, end %.2f MiB, difference %+.2f MiB (%+lld bytes); goal within 1 "
         "MiB: %s\n",
         rss0 / 1048576.0, rss / 1048576.0, drss / 1048576.0, drss,
         drss <= SOAK_RSS_GOAL ? "met" : "MISSED");
  const bool fds_ok = fds == fds0 && fds_after == fds_before;
  printf("descriptors: start %d, end %d, difference %+d; %s %d, %s %d: %s\n", fds0, fds, fds - fds0,
         after, fds_after, before, fds_before, fds_ok ? "met" : "MISSED");
  return fds_ok;
}
