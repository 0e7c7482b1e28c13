/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-gui-test.h: what the in-process GUI tests share: running the main loop until a
 * condition holds, starting the target program, and synthesized input. */
#pragma once

#include <gtk/gtk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* What every GUI test does first: checks it has min_args arguments (else
 * prints usage and exits 2), gives itself a configuration folder of its
 * own (returned, for the caller to remove) and starts GTK with no cursor
 * blinking or animations. NULL when there is no display. */
static inline char *gui_test_setup(int argc, char **argv, int min_args, const char *usage,
                                   const char *dir_template) {
  if (argc < min_args + 1) {
    fprintf(stderr, "usage: %s %s\n", argv[0], usage);
    exit(2);
  }
  char *dir = g_dir_make_tmp(dir_template, NULL);
  g_setenv("XDG_CONFIG_HOME", dir, TRUE);
  if (!gtk_init_check(NULL, NULL)) {
    g_free(dir);
    return NULL;
  }
  g_object_set(gtk_settings_get_default(), "gtk-cursor-blink", FALSE, "gtk-enable-animations",
               FALSE, NULL);
  return dir;
}

/* Starts the GUI test target with count mappings and waits for its "ready". */
static inline GPid spawn_target(const char *exe, const char *count) {
  char *argv[] = {(char *)exe, (char *)count, NULL};
  GPid pid = 0;
  int out = -1;
  GError *e = NULL;
  if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, NULL,
                                &out, NULL, &e)) {
    fprintf(stderr, "cannot start %s: %s\n", exe, e->message);
    exit(1);
  }
  char buf[16] = {0};
  ssize_t n = read(out, buf, sizeof buf - 1);
  close(out);
  if (n < 5 || strncmp(buf, "ready", 5) != 0) {
    fprintf(stderr, "%s did not get ready\n", exe);
    exit(1);
  }
  return pid;
}

/* What w draws, as the screen would show it, on an RGB24 image surface. */
static inline cairo_surface_t *draw_widget(GtkWidget *w) {
  int width = gtk_widget_get_allocated_width(w), height = gtk_widget_get_allocated_height(w);
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create(s);
  gtk_widget_draw(w, cr);
  cairo_destroy(cr);
  return s;
}

/* A primary-button press or release at (x, y) with modifier state. */
static inline void send_button(GtkWidget *w, GdkEventType type, double x, double y, guint state) {
  GdkEvent *ev = gdk_event_new(type);
  ev->button.window = g_object_ref(gtk_widget_get_window(w));
  ev->button.button = 1;
  ev->button.x = x;
  ev->button.y = y;
  ev->button.state = state;
  ev->button.time = GDK_CURRENT_TIME;
  gdk_event_set_device(
      ev, gdk_seat_get_pointer(gdk_display_get_default_seat(gdk_display_get_default())));
  gtk_widget_event(w, ev);
  gdk_event_free(ev);
}

/* A drag's motion to (x, y) with the primary button held. */
static inline void send_motion(GtkWidget *w, double x, double y) {
  GdkEvent *ev = gdk_event_new(GDK_MOTION_NOTIFY);
  ev->motion.window = g_object_ref(gtk_widget_get_window(w));
  ev->motion.x = x;
  ev->motion.y = y;
  ev->motion.state = GDK_BUTTON1_MASK;
  ev->motion.time = GDK_CURRENT_TIME;
  gdk_event_set_device(
      ev, gdk_seat_get_pointer(gdk_display_get_default_seat(gdk_display_get_default())));
  gtk_widget_event(w, ev);
  gdk_event_free(ev);
}

static inline void send_key(GtkWidget *w, guint keyval) {
  GdkEvent *ev = gdk_event_new(GDK_KEY_PRESS);
  ev->key.window = g_object_ref(gtk_widget_get_window(w));
  ev->key.keyval = keyval;
  ev->key.time = GDK_CURRENT_TIME;
  gdk_event_set_device(
      ev, gdk_seat_get_keyboard(gdk_display_get_default_seat(gdk_display_get_default())));
  gtk_widget_event(w, ev);
  gdk_event_free(ev);
}
