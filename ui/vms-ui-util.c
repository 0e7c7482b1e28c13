/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-ui-util.c: small helpers the GTK widgets share (sizes, accessible names, counters lookup). */
#include "vms-ui-util.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void vms_ui_set_accessible(GtkWidget *widget, const char *name, const char *description) {
  AtkObject *acc = gtk_widget_get_accessible(widget);
  if (!acc)
    return;
  atk_object_set_name(acc, name);
  if (description)
    atk_object_set_description(acc, description);
}

const VmsCounters *vms_ui_counters_for(const VmsSnapshot *snap, size_t idx,
                                       const VmsSnapshot *counters_snap, uint32_t bit) {
  if (!snap || idx >= snap->n_regions)
    return NULL;
  if (snap->counters && (snap->counters[idx].mask & bit))
    return &snap->counters[idx];
  if (!counters_snap || !counters_snap->counters || counters_snap == snap)
    return NULL;
  const VmsRegion *r = &snap->regions[idx];
  size_t j = vms_snapshot_find(counters_snap, r->start);
  if (j == SIZE_MAX || counters_snap->regions[j].start != r->start ||
      counters_snap->regions[j].end != r->end)
    return NULL;
  return (counters_snap->counters[j].mask & bit) ? &counters_snap->counters[j] : NULL;
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
  return vms_interval_parse(text, VMS_UI_INTERVAL_MIN, VMS_UI_INTERVAL_MAX, seconds);
}

void vms_ui_format_interval(double seconds, char *buf, size_t len) {
  char t[32];
  vms_interval_format(seconds, t, sizeof t);
  g_snprintf(buf, len, "Every %s", t);
}

static gboolean is_runtime_id(const char *c) {
  size_t n = 0;
  for (; c[n]; n++)
    if (!g_ascii_isxdigit(c[n]))
      return FALSE;
  return n == 64;
}

void vms_ui_container_text(int ns_pid, const char *container, char *buf, size_t len) {
  gboolean named = container && is_runtime_id(container);
  if (ns_pid > 0 && named)
    g_snprintf(buf, len, "PID %d in %.12s", ns_pid, container);
  else if (ns_pid > 0)
    g_snprintf(buf, len, "PID %d in its namespace", ns_pid);
  else if (named)
    g_snprintf(buf, len, "in %.12s", container);
  else if (len)
    buf[0] = '\0';
}
