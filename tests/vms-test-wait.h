/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-test-wait.h: waiting for a condition with a deadline, for the POSIX tests.
 *
 * A test that waits for something to happen polls for it until a generous
 * deadline, then asserts: a fixed sleep would be a guess that fails on a
 * loaded machine and wastes time on an idle one. Only where the absence of
 * an event is under test does a test hold still for a while (vms_test_hold),
 * and it says why there. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <time.h>

static inline double vms_test_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Sleeps for that long, whatever signals arrive. */
static inline void vms_test_hold(double seconds) {
  struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* Polls cond every millisecond until it holds (true) or seconds pass (false). */
static inline bool vms_test_wait(bool (*cond)(void *), void *data, double seconds) {
  double end = vms_test_now() + seconds;
  while (!cond(data)) {
    if (vms_test_now() > end)
      return cond(data);
    vms_test_hold(0.001);
  }
  return true;
}
