/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-timeline-plot.h: the timeline strip's geometry (time <-> pixel) and its cairo drawing. */
#pragma once

#include <cairo.h>
#include <stddef.h>
#include <stdint.h>

/* One frame's figures, as the recording's index holds them. */
typedef struct {
  double time; /* seconds since the epoch */
  uint64_t free_total, free_largest, vma_count;
} VmsTimelinePoint;

/* What to draw besides the series: the cursor and a second moment
 * (SIZE_MAX: none), the limit the VMA count runs into (0: not known), and
 * the theme's text colour for lines and labels. */
typedef struct {
  size_t cursor, mark;
  uint64_t max_map_count;
  double text[3];
} VmsTimelineMarks;

/* The x of frame k in a strip width pixels wide (by time; evenly spaced
 * when the times do not increase). */
double vms_timeline_plot_x(const VmsTimelinePoint *pts, size_t n, size_t k, double width);
/* The frame nearest x (n > 0). */
size_t vms_timeline_plot_frame_at(const VmsTimelinePoint *pts, size_t n, double x, double width);
/* Draws the strip: the upper band the largest free block and the total free
 * on one scale (they part as fragmentation grows), the lower band the VMA
 * count with max_map_count in its label, then the cursor and the mark. */
void vms_timeline_plot_draw(cairo_t *cr, const VmsTimelinePoint *pts, size_t n, double width,
                            double height, const VmsTimelineMarks *marks);
