/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-timeline-plot.c: the timeline strip's geometry and drawing, plain cairo.
 *
 * Each band is scaled to its own figures' range, since on 64-bit the free
 * space is about 128 TiB whatever happens and a change of a few pages would
 * otherwise be a flat line. */
#include "vms-timeline-plot.h"

#include <math.h>
#include <stdio.h>

#define PAD 6.0

static double span(const VmsTimelinePoint *pts, size_t n) {
  return n > 1 ? pts[n - 1].time - pts[0].time : 0;
}

double vms_timeline_plot_x(const VmsTimelinePoint *pts, size_t n, size_t k, double width) {
  double w = width - 2 * PAD;
  if (n <= 1 || w <= 0)
    return width / 2;
  double s = span(pts, n);
  if (!(s > 0))
    return PAD + w * (double)k / (double)(n - 1);
  return PAD + w * (pts[k].time - pts[0].time) / s;
}

size_t vms_timeline_plot_frame_at(const VmsTimelinePoint *pts, size_t n, double x, double width) {
  size_t best = 0;
  double best_d = INFINITY;
  for (size_t k = 0; k < n; k++) {
    double d = fabs(vms_timeline_plot_x(pts, n, k, width) - x);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best;
}

static void series(cairo_t *cr, const VmsTimelinePoint *pts, size_t n, double width, double top,
                   double h, double lo, double hi, int which) {
  for (size_t k = 0; k < n; k++) {
    double v = which == 0   ? (double)pts[k].free_total
               : which == 1 ? (double)pts[k].free_largest
                            : (double)pts[k].vma_count;
    double f = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    /* Whole pixels, so that a flat stretch is drawn in its own colour. */
    double x = vms_timeline_plot_x(pts, n, k, width), y = round(top + h - f * h);
    if (k == 0)
      cairo_move_to(cr, x, y);
    else
      cairo_line_to(cr, x, y);
  }
  if (n == 1)
    cairo_rel_line_to(cr, 1, 0);
  cairo_stroke(cr);
}

static void label(cairo_t *cr, double x, double y, const char *text) {
  cairo_move_to(cr, x, y);
  cairo_show_text(cr, text);
}

void vms_timeline_plot_draw(cairo_t *cr, const VmsTimelinePoint *pts, size_t n, double width,
                            double height, const VmsTimelineMarks *m) {
  if (!n || width <= 2 * PAD || height <= 2 * PAD)
    return;
  double band = (height - 3 * PAD) / 2, top1 = PAD, top2 = 2 * PAD + band;
  double lo = INFINITY, hi = 0, vlo = INFINITY, vhi = 0;
  for (size_t k = 0; k < n; k++) {
    lo = fmin(lo, fmin((double)pts[k].free_total, (double)pts[k].free_largest));
    hi = fmax(hi, fmax((double)pts[k].free_total, (double)pts[k].free_largest));
    vlo = fmin(vlo, (double)pts[k].vma_count);
    vhi = fmax(vhi, (double)pts[k].vma_count);
  }
  cairo_save(cr);
  cairo_set_line_width(cr, 2);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  /* Total free in green, the largest free block in orange, VMAs in blue. */
  cairo_set_source_rgb(cr, 0.20, 0.60, 0.30);
  series(cr, pts, n, width, top1, band, lo, hi, 0);
  cairo_set_source_rgb(cr, 0.90, 0.45, 0.10);
  series(cr, pts, n, width, top1, band, lo, hi, 1);
  cairo_set_source_rgb(cr, 0.20, 0.40, 0.85);
  series(cr, pts, n, width, top2, band, vlo, vhi, 2);
  cairo_set_font_size(cr, 10);
  cairo_set_source_rgb(cr, m->text[0], m->text[1], m->text[2]);
  label(cr, PAD + 2, top1 + 10, "free: total (green), largest block (orange)");
  char buf[96];
  if (m->max_map_count)
    snprintf(buf, sizeof buf, "VMAs %.0f to %.0f of max_map_count %llu (blue)", vlo, vhi,
             (unsigned long long)m->max_map_count);
  else
    snprintf(buf, sizeof buf, "VMAs %.0f to %.0f (blue)", vlo, vhi);
  label(cr, PAD + 2, top2 + 10, buf);
  if (m->mark < n) {
    double x = floor(vms_timeline_plot_x(pts, n, m->mark, width)) + 0.5;
    double dash = 3;
    cairo_set_dash(cr, &dash, 1, 0);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, x, 0);
    cairo_line_to(cr, x, height);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
  }
  if (m->cursor < n) {
    double x = floor(vms_timeline_plot_x(pts, n, m->cursor, width)) + 0.5;
    cairo_set_line_width(cr, 2);
    cairo_move_to(cr, x, 0);
    cairo_line_to(cr, x, height);
    cairo_stroke(cr);
  }
  cairo_restore(cr);
}
