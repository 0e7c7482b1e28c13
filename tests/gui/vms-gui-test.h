/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-gui-test.h: what the in-process GUI tests share: running the main loop until a
 * condition holds, starting the target program, and synthesized input. */
#pragma once

#include <glib/gstdio.h>
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

/* Removes the settings the window wrote into dir, and dir when it is empty. */
static inline void gui_test_remove_config(const char *dir) {
  char *ini = g_build_filename(dir, "vmscope", "vmscope.ini", NULL);
  char *sub = g_build_filename(dir, "vmscope", NULL);
  g_unlink(ini);
  g_rmdir(sub);
  g_rmdir(dir);
  g_free(ini);
  g_free(sub);
}

/* An asynchronous call's answer, for spin_until(result_done, ...). */
typedef struct {
  gboolean done, ok;
  GError *error;
} Result;

static inline gboolean result_done(gpointer d) {
  return ((Result *)d)->done;
}

/* Starts `helper steps MS` (it maps A at MS, then B and unmaps A at 2 MS)
 * and reads its facts up to "ready": facts[0] is A's start and end, facts[1]
 * B's, as 0x-hex text. Its stdin stays open in *in (its end ends it). */
static inline gboolean spawn_steps_helper(const char *helper, const char *ms, GPid *pid, int *in,
                                          int *out, char facts[2][2][32]) {
  char *argv[] = {(char *)helper, "steps", (char *)ms, NULL};
  GError *e = NULL;
  if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, pid, in,
                                out, NULL, &e)) {
    fprintf(stderr, "cannot start %s: %s\n", helper, e->message);
    g_clear_error(&e);
    return FALSE;
  }
  GString *text = g_string_new(NULL);
  char buf[512];
  while (!strstr(text->str, "ready\n")) {
    ssize_t n = read(*out, buf, sizeof buf);
    if (n <= 0)
      break;
    g_string_append_len(text, buf, n);
  }
  const char *a = strstr(text->str, "step 1 map "), *b = strstr(text->str, "step 2 map ");
  gboolean ok = a && b && sscanf(a, "step 1 map %31s %31s", facts[0][0], facts[0][1]) == 2 &&
                sscanf(b, "step 2 map %31s %31s", facts[1][0], facts[1][1]) == 2;
  if (!ok)
    fprintf(stderr, "%s gave no steps: %s\n", helper, text->str);
  g_string_free(text, TRUE);
  return ok;
}

/* The visible file chooser (GTK's own dialog behind GtkFileChooserNative
 * when no portal runs), referenced into *out. */
static inline gboolean find_file_chooser(gpointer data) {
  GtkWidget **out = data;
  GList *top = gtk_window_list_toplevels();
  for (GList *l = top; l && !*out; l = l->next)
    if (GTK_IS_FILE_CHOOSER(l->data) && gtk_widget_get_visible(l->data))
      *out = g_object_ref(l->data);
  g_list_free(top);
  return *out != NULL;
}

/* The strip draws its three series: pixels of the orange and blue lines. */
static inline gboolean strip_drawn(GtkWidget *w) {
  int width = gtk_widget_get_allocated_width(w), height = gtk_widget_get_allocated_height(w);
  if (width <= 100 || height < 40) {
    fprintf(stderr, "  the strip is %d x %d\n", width, height);
    return FALSE;
  }
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create(s);
  gtk_widget_draw(w, cr);
  cairo_destroy(cr);
  cairo_surface_flush(s);
  const unsigned char *d = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s);
  long orange = 0, blue = 0;
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++) {
      uint32_t p = *(const uint32_t *)(const void *)(d + y * stride + x * 4);
      int r = (p >> 16) & 255, g = (p >> 8) & 255, b = p & 255;
      orange += r > 200 && g > 90 && g < 140 && b < 60;
      blue += r < 80 && g > 80 && g < 130 && b > 190;
    }
  cairo_surface_destroy(s);
  if (orange <= 20 || blue <= 20)
    fprintf(stderr, "  strip pixels: orange %ld, blue %ld\n", orange, blue);
  return orange > 20 && blue > 20;
}
