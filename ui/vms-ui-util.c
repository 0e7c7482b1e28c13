/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-ui-util.c: small helpers the GTK widgets share (sizes, accessible names, counters lookup). */
#include "vms-ui-util.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void vms_ui_format_size(uint64_t bytes, char *buf, size_t len) {
  static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = (double)bytes;
  int u = 0;
  while (v >= 1024.0 && u < 6) {
    v /= 1024.0;
    u++;
  }
  if (u == 0)
    g_snprintf(buf, len, "%" G_GUINT64_FORMAT " B", bytes);
  else if (v >= 100.0 || fabs(v - round(v)) < 0.005)
    g_snprintf(buf, len, "%.0f %s", v, units[u]);
  else if (v >= 10.0)
    g_snprintf(buf, len, "%.1f %s", v, units[u]);
  else
    g_snprintf(buf, len, "%.2f %s", v, units[u]);
}

gboolean vms_ui_parse_size(const char *text, uint64_t *out) {
  if (!text)
    return FALSE;
  while (isspace((unsigned char)*text))
    text++;
  if (!*text)
    return FALSE;
  char *end = NULL;
  if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    guint64 v = g_ascii_strtoull(text + 2, &end, 16);
    if (end == text + 2)
      return FALSE;
    while (isspace((unsigned char)*end))
      end++;
    if (*end)
      return FALSE;
    *out = v;
    return v > 0;
  }
  double v = g_ascii_strtod(text, &end);
  if (end == text || !(v > 0) || !isfinite(v))
    return FALSE;
  while (isspace((unsigned char)*end))
    end++;
  double mult = 1;
  switch (g_ascii_tolower(*end)) {
  case '\0': break;
  case 'b': mult = 1; end++; break;
  case 'k': mult = 1024.0; end++; break;
  case 'm': mult = 1024.0 * 1024; end++; break;
  case 'g': mult = 1024.0 * 1024 * 1024; end++; break;
  case 't': mult = 1024.0 * 1024 * 1024 * 1024; end++; break;
  default: return FALSE;
  }
  if (mult > 1) {
    if (*end == 'i' || *end == 'I')
      end++;
    if (*end == 'b' || *end == 'B')
      end++;
  }
  while (isspace((unsigned char)*end))
    end++;
  if (*end)
    return FALSE;
  double bytes = v * mult;
  if (bytes < 1 || bytes > 1.8e19)
    return FALSE;
  *out = (uint64_t)bytes;
  return TRUE;
}

void vms_ui_set_accessible(GtkWidget *widget, const char *name, const char *description) {
  AtkObject *acc = gtk_widget_get_accessible(widget);
  if (!acc)
    return;
  atk_object_set_name(acc, name);
  if (description)
    atk_object_set_description(acc, description);
}

const VmsCounters *vms_ui_counters_for(const VmsSnapshot *snap, size_t idx,
                                       const VmsSnapshot *counters_snap) {
  if (!snap || idx >= snap->n_regions)
    return NULL;
  if (snap->counters)
    return snap->counters[idx].mask ? &snap->counters[idx] : NULL;
  if (!counters_snap || !counters_snap->counters)
    return NULL;
  const VmsRegion *r = &snap->regions[idx];
  size_t j = vms_snapshot_find(counters_snap, r->start);
  if (j == SIZE_MAX || counters_snap->regions[j].start != r->start ||
      counters_snap->regions[j].end != r->end)
    return NULL;
  return counters_snap->counters[j].mask ? &counters_snap->counters[j] : NULL;
}

void vms_ui_format_age(double seconds, char *buf, size_t len) {
  if (seconds < 2)
    g_snprintf(buf, len, "just now");
  else if (seconds < 120)
    g_snprintf(buf, len, "%.0f s ago", seconds);
  else if (seconds < 7200)
    g_snprintf(buf, len, "%.0f min ago", seconds / 60);
  else
    g_snprintf(buf, len, "%.0f h ago", seconds / 3600);
}

void vms_ui_theme_colors(GtkWidget *widget, VmsRenderExtras *extras) {
  GtkStyleContext *sc = gtk_widget_get_style_context(widget);
  GtkStateFlags state = gtk_style_context_get_state(sc);
  GdkRGBA *bg = NULL, fg, base;
  gtk_style_context_get(sc, state, GTK_STYLE_PROPERTY_BACKGROUND_COLOR, &bg, NULL);
  gtk_style_context_get_color(sc, state, &fg);
  /* A translucent background would show what is behind the widget, which
   * the renderer cannot know: take the theme's base colour instead. */
  if (bg && bg->alpha >= 0.99)
    base = *bg;
  else if (!gtk_style_context_lookup_color(sc, "theme_base_color", &base))
    base = (GdkRGBA){1, 1, 1, 1};
  if (bg)
    gdk_rgba_free(bg);
  extras->themed = true;
  extras->background[0] = base.red;
  extras->background[1] = base.green;
  extras->background[2] = base.blue;
  /* Text drawn translucent reads as a blend with the background. */
  extras->text[0] = base.red + (fg.red - base.red) * fg.alpha;
  extras->text[1] = base.green + (fg.green - base.green) * fg.alpha;
  extras->text[2] = base.blue + (fg.blue - base.blue) * fg.alpha;
}

gboolean vms_ui_parse_interval(const char *text, double *seconds) {
  if (!text)
    return FALSE;
  while (g_ascii_isspace(*text))
    text++;
  if (g_ascii_strncasecmp(text, "every", 5) == 0)
    text += 5;
  while (g_ascii_isspace(*text))
    text++;
  /* A decimal comma too: people type what their locale writes. */
  char num[32];
  size_t n = 0;
  while (n + 1 < sizeof num && (g_ascii_isdigit(text[n]) || text[n] == '.' || text[n] == ',')) {
    num[n] = text[n] == ',' ? '.' : text[n];
    n++;
  }
  num[n] = '\0';
  if (n == 0 || (!g_ascii_isdigit(num[0]) && !(num[0] == '.' && g_ascii_isdigit(num[1]))))
    return FALSE;
  char *end = NULL;
  double v = g_ascii_strtod(num, &end);
  if (*end != '\0')
    return FALSE;
  const char *unit = text + n;
  while (g_ascii_isspace(*unit))
    unit++;
  g_autofree char *u = g_ascii_strdown(unit, -1);
  g_strchomp(u);
  static const struct {
    const char *name;
    double scale;
  } units[] = {{"", 1},      {"s", 1},        {"sec", 1},     {"secs", 1},   {"second", 1},
               {"seconds", 1}, {"ms", 0.001}, {"m", 60},     {"min", 60},   {"mins", 60},
               {"minute", 60}, {"minutes", 60}, {"h", 3600}, {"hour", 3600}};
  gboolean known = FALSE;
  for (size_t i = 0; i < G_N_ELEMENTS(units) && !known; i++)
    if (strcmp(u, units[i].name) == 0) {
      v *= units[i].scale;
      known = TRUE;
    }
  if (!known || !isfinite(v))
    return FALSE;
  v = round(v * 1000) / 1000;
  if (v < VMS_UI_INTERVAL_MIN || v > VMS_UI_INTERVAL_MAX)
    return FALSE;
  *seconds = v;
  return TRUE;
}

void vms_ui_format_interval(double seconds, char *buf, size_t len) {
  if (seconds >= 60 && fmod(seconds, 60) == 0)
    g_snprintf(buf, len, "Every %g min", seconds / 60);
  else
    g_snprintf(buf, len, "Every %g s", seconds);
}
