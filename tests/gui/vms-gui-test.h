/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-gui-test.h: running the GTK main loop until a condition holds, for the in-process GUI tests.
 */
#pragma once

#include <gtk/gtk.h>

typedef gboolean (*Cond)(gpointer);

/* Runs the main loop until cond holds or seconds pass; false on the deadline. */
static inline gboolean spin_until(Cond cond, gpointer data, double seconds) {
  gint64 end = g_get_monotonic_time() + (gint64)(seconds * 1e6);
  while (!cond(data)) {
    if (g_get_monotonic_time() > end)
      return FALSE;
    if (!g_main_context_iteration(NULL, FALSE))
      g_usleep(2000);
  }
  return TRUE;
}

static inline gboolean never(gpointer d) {
  (void)d;
  return FALSE;
}

/* Runs the main loop for that long. */
static inline void spin_for(double seconds) {
  spin_until(never, NULL, seconds);
}
