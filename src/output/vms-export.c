/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-export.c: the map with a header and a legend, written to PNG, SVG or PDF atomically.
 *
 * The picture is drawn by vms_render_map at the export's own size. The file
 * is written to a temporary name in the target's directory and renamed over
 * the target only once every byte is out, so a failure (a full disk, a size
 * limit) never leaves a partial file where the caller asked for one. */
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "vms-barriers.h"
#include "vms-export.h"

#include "vms-render.h"
#include "vms-units.h"

/* cairo's limit for an image surface side, and 1 GiB of pixels: beyond
 * that, refuse rather than swap. */
#define MAX_SIDE   32767
#define MAX_PIXELS (16384ull * 16384ull)
enum { MARGIN = 12, MIN_MAP_H = 32 };

/* ---- The output file ---- */

typedef struct {
  FILE *f;
  char tmp[4096];
  int write_errno; /* first failed write, 0 when none */
} Out;

static VmsErrorCode out_open(const char *path, Out *o, VmsError *err) {
  memset(o, 0, sizeof *o);
  const char *slash = strrchr(path, '/');
  const char *bslash = strrchr(path, '\\');
  if (bslash && (!slash || bslash > slash))
    slash = bslash;
  size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
  const char *base = slash ? slash + 1 : path;
  if (!*base)
    return vms_error_set(err, VMS_ERR_IO, "%s: is a directory", path);
  /* Shared by every thread that exports (the window's worker, a CLI run):
   * atomic, so two exports at once never race on it and draw distinct tags. */
  static atomic_uint counter;
  unsigned seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)&seed ^ (unsigned)clock();
  for (int attempt = 0; attempt < 100; attempt++) {
    unsigned n_tag = atomic_fetch_add_explicit(&counter, 1u, memory_order_relaxed) + 1u;
    unsigned tag = seed * 2654435761u + n_tag * 40503u;
    int n = snprintf(o->tmp, sizeof o->tmp, "%.*s.%s.%08x.tmp", (int)dir_len, path, base, tag);
    if (n < 0 || (size_t)n >= sizeof o->tmp)
      return vms_error_set(err, VMS_ERR_USAGE, "%s: path too long", path);
    /* "x": C11's exclusive create, so a name someone else holds is never reused. */
    o->f = fopen(o->tmp, "wbx");
    if (o->f)
      return VMS_OK;
    if (errno != EEXIST) {
      int e = errno;
      return vms_error_set(err, VMS_ERR_IO, "cannot write %s: cannot create a file in %s: %s", path,
                           dir_len ? "its directory" : "the current directory", strerror(e));
    }
  }
  return vms_error_set(err, VMS_ERR_IO, "cannot write %s: no free temporary name beside it", path);
}

static cairo_status_t out_write(void *closure, const unsigned char *data, unsigned int length) {
  Out *o = closure;
  if (o->write_errno)
    return CAIRO_STATUS_WRITE_ERROR;
  errno = 0;
  if (fwrite(data, 1, length, o->f) != length) {
    o->write_errno = errno ? errno : EIO;
    return CAIRO_STATUS_WRITE_ERROR;
  }
  return CAIRO_STATUS_SUCCESS;
}

static void out_abandon(Out *o) {
  if (o->f)
    fclose(o->f);
  o->f = NULL;
  remove(o->tmp);
}

static VmsErrorCode out_commit(Out *o, const char *path, VmsError *err) {
  errno = 0;
  if (!o->write_errno && !vms_file_sync(o->f))
    o->write_errno = errno ? errno : EIO;
  if (!o->write_errno && ferror(o->f))
    o->write_errno = EIO;
  int rc = fclose(o->f);
  o->f = NULL;
  if (!o->write_errno && rc != 0)
    o->write_errno = errno ? errno : EIO;
  if (o->write_errno) {
    remove(o->tmp);
    return vms_error_set(err, VMS_ERR_IO, "cannot write %s: %s", path, strerror(o->write_errno));
  }
  if (!vms_file_replace(o->tmp, path)) {
    int e = errno;
    remove(o->tmp);
    return vms_error_set(err, VMS_ERR_IO, "cannot write %s: %s", path, strerror(e));
  }
  return VMS_OK;
}

/* ---- Checks ---- */

static VmsErrorCode check_args(const VmsSnapshot *snap, const VmsViewport *vp, int width,
                               int height, VmsExportFormat format, const char *path,
                               VmsError *err) {
  if (!snap || !vp)
    return vms_error_set(err, VMS_ERR_INTERNAL, "export: no snapshot");
  if (!path || !*path)
    return vms_error_set(err, VMS_ERR_USAGE, "export: no output file given");
  if (format != VMS_EXPORT_PNG && format != VMS_EXPORT_SVG && format != VMS_EXPORT_PDF)
    return vms_error_set(err, VMS_ERR_USAGE, "%s: unknown export format", path);
  if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE)
    return vms_error_set(err, VMS_ERR_USAGE,
                         "size %dx%d: width and height must be between 1 and %d", width, height,
                         MAX_SIDE);
  if (format == VMS_EXPORT_PNG && (uint64_t)width * (uint64_t)height > MAX_PIXELS)
    return vms_error_set(err, VMS_ERR_USAGE,
                         "size %dx%d: more than %" PRIu64 " pixels; choose a smaller picture",
                         width, height, (uint64_t)MAX_PIXELS);
  uint64_t top = snap->usable_hi;
  if (snap->n_regions && snap->regions[snap->n_regions - 1].end > top)
    top = snap->regions[snap->n_regions - 1].end;
  if (snap->bits == 32 && top < (1ull << 32))
    top = 1ull << 32;
  if (vp->start >= vp->end)
    return vms_error_set(err, VMS_ERR_USAGE,
                         "range %#" PRIx64 "-%#" PRIx64 ": the start must be below the end",
                         vp->start, vp->end);
  if (vp->end > top)
    return vms_error_set(err, VMS_ERR_USAGE,
                         "range %#" PRIx64 "-%#" PRIx64
                         ": outside the address space of process %d (0-%#" PRIx64 ")",
                         vp->start, vp->end, snap->pid, top);
  struct stat st;
  if (stat(path, &st) == 0) {
    if (S_ISDIR(st.st_mode))
      return vms_error_set(err, VMS_ERR_IO, "cannot write %s: it is a directory", path);
    /* Renaming over a device (/dev/full, /dev/null) would replace the node. */
    if (!S_ISREG(st.st_mode))
      return vms_error_set(err, VMS_ERR_IO, "cannot write %s: not a regular file", path);
  }
  return VMS_OK;
}

/* ---- The picture ---- */

/* cairo's toy text API wants UTF-8; a process name may be any bytes. */
static void printable(const char *in, char *out, size_t len) {
  size_t j = 0;
  for (; *in && j + 1 < len; in++)
    out[j++] = (*in >= 0x20 && *in < 0x7f) ? *in : '?';
  out[j] = '\0';
}

typedef struct {
  char text[96];
  VmsRegionType type; /* VMS_TYPE_COUNT: a note, not a type */
  int swatch;         /* 0 committed, 1 reserved, 2 break mark, 3 a page state */
  VmsPageState state; /* swatch 3 */
  double w;
} LegendItem;

/* The page states an export draws: opts' pages when they are of snap's
 * process and say something (runs, or nothing to say), else NULL. */
static const VmsPageMap *shown_pages(const VmsSnapshot *snap, const VmsExportOptions *opts) {
  const VmsPageMap *pm = opts && opts->residency ? opts->pages : NULL;
  if (!pm || pm->pid != snap->pid || pm->start_time != snap->start_time)
    return NULL;
  if (!pm->n_runs && pm->note[0])
    return NULL; /* nothing read, and the note says why */
  return pm;
}

bool vms_export_residency_line(const VmsSnapshot *snap, const VmsViewport *vp,
                               const VmsExportOptions *opts, char *buf, size_t len) {
  if (!len)
    return false;
  buf[0] = '\0';
  if (!snap || !vp || !opts || !opts->residency)
    return false;
  const VmsPageMap *pm = shown_pages(snap, opts);
  if (!pm) {
    const char *why = opts->pages_missing && opts->pages_missing[0] ? opts->pages_missing
                      : opts->pages && opts->pages->pid == snap->pid &&
                              opts->pages->start_time == snap->start_time && opts->pages->note[0]
                          ? opts->pages->note
                      : opts->pages ? "the page states read are of another process"
                                    : "the page states were not read";
    snprintf(buf, len, "Residency not shown: %s; the map shows types", why);
    return false;
  }
  uint64_t bytes[VMS_PAGE_STATE_COUNT];
  size_t unread;
  vms_render_page_bytes(snap, pm, vp->start, vp->end, bytes, &unread);
  char res[32], swp[32], unt[32];
  vms_size_format_short(bytes[VMS_PAGE_RESIDENT], res, sizeof res);
  vms_size_format_short(bytes[VMS_PAGE_SWAPPED], swp, sizeof swp);
  vms_size_format_short(bytes[VMS_PAGE_UNTOUCHED], unt, sizeof unt);
  int n = snprintf(buf, len,
                   "Residency shown: each region's pages by state, resident %s, swapped %s, "
                   "untouched %s",
                   res, swp, unt);
  if (n > 0 && (size_t)n < len && unread)
    n += snprintf(buf + n, len - (size_t)n, "; %zu region%s not read keep%s the type's colour",
                  unread, unread == 1 ? "" : "s", unread == 1 ? "s" : "");
  if (n > 0 && (size_t)n < len && pm->note[0])
    snprintf(buf + n, len - (size_t)n, " (%s)", pm->note);
  return true;
}

static size_t legend_items(const VmsStats *st, const VmsLayoutInfo *l, const VmsSnapshot *snap,
                           const VmsViewport *vp, const VmsPageMap *pages, LegendItem *items) {
  size_t n = 0;
  for (int t = 0; t < VMS_TYPE_COUNT; t++) {
    char size[32];
    vms_size_format_short(st->by_type[t].size, size, sizeof size);
    LegendItem *it = &items[n++];
    snprintf(it->text, sizeof it->text, "%s %s", vms_type_title((VmsRegionType)t), size);
    it->type = (VmsRegionType)t;
    it->swatch = 0;
  }
  LegendItem *r = &items[n++];
  snprintf(r->text, sizeof r->text, "reserved (lighter, hatched)");
  r->type = VMS_TYPE_HEAP;
  r->swatch = 1;
  if (l->kind == VMS_LAYOUT_COMPRESSED) {
    char size[32];
    vms_size_format_short(l->gap_threshold, size, sizeof size);
    LegendItem *g = &items[n++];
    snprintf(g->text, sizeof g->text, "free gap of %s or more, shrunk", size);
    g->type = VMS_TYPE_FREE;
    g->swatch = 2;
  }
  if (pages) {
    uint64_t bytes[VMS_PAGE_STATE_COUNT];
    size_t unread;
    vms_render_page_bytes(snap, pages, vp->start, vp->end, bytes, &unread);
    static const char *const names[VMS_PAGE_STATE_COUNT] = {[VMS_PAGE_RESIDENT] = "resident pages",
                                                            [VMS_PAGE_SWAPPED] = "swapped pages",
                                                            [VMS_PAGE_UNTOUCHED] =
                                                                "untouched pages"};
    static const VmsPageState order[] = {VMS_PAGE_RESIDENT, VMS_PAGE_SWAPPED, VMS_PAGE_UNTOUCHED};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
      char size[32];
      vms_size_format_short(bytes[order[k]], size, sizeof size);
      LegendItem *it = &items[n++];
      snprintf(it->text, sizeof it->text, "%s %s", names[order[k]], size);
      it->type = VMS_TYPE_COUNT;
      it->swatch = 3;
      it->state = order[k];
    }
  }
  return n;
}

enum { SWATCH = 14, ITEM_GAP = 18, LEGEND_ROW = 20, FONT_LEGEND = 11 };

/* Lays the legend out in rows across width; returns its height. */
static int legend_height(cairo_t *cr, LegendItem *items, size_t n, int width) {
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, FONT_LEGEND);
  int rows = 1;
  double x = 0;
  for (size_t i = 0; i < n; i++) {
    cairo_text_extents_t te;
    cairo_text_extents(cr, items[i].text, &te);
    items[i].w = SWATCH + 5 + te.x_advance + ITEM_GAP;
    if (x > 0 && x + items[i].w > width) {
      rows++;
      x = 0;
    }
    x += items[i].w;
  }
  return rows * LEGEND_ROW;
}

static void draw_swatch(cairo_t *cr, const LegendItem *it, double x, double y) {
  double rgb[3];
  cairo_save(cr);
  cairo_rectangle(cr, x, y, SWATCH, SWATCH);
  if (it->swatch == 1) {
    vms_palette_reserved_color(it->type, rgb);
  } else if (it->swatch == 3) {
    for (int i = 0; i < 3; i++)
      rgb[i] = vms_page_state_rgb[it->state][i] / 255.0;
  } else {
    vms_palette_color(it->type, rgb);
  }
  cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
  cairo_fill_preserve(cr);
  cairo_clip_preserve(cr);
  if (it->swatch == 1) {
    vms_palette_color(it->type, rgb);
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    cairo_set_line_width(cr, 1);
    for (int d = -SWATCH; d < SWATCH; d += 4) {
      cairo_move_to(cr, x + d, y + SWATCH);
      cairo_line_to(cr, x + d + SWATCH, y);
    }
    cairo_stroke(cr);
  } else if (it->swatch == 2) {
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 1.5);
    for (int k = 0; k < 2; k++) {
      cairo_move_to(cr, x + 3 + k * 4, y + SWATCH);
      cairo_line_to(cr, x + 7 + k * 4, y);
    }
    cairo_stroke(cr);
  }
  cairo_reset_clip(cr);
  cairo_new_path(cr);
  cairo_rectangle(cr, x + 0.5, y + 0.5, SWATCH - 1, SWATCH - 1);
  cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  cairo_restore(cr);
}

static void draw_legend(cairo_t *cr, const LegendItem *items, size_t n, double x0, double y0,
                        int width) {
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, FONT_LEGEND);
  double x = 0, y = y0;
  for (size_t i = 0; i < n; i++) {
    if (x > 0 && x + items[i].w > width) {
      x = 0;
      y += LEGEND_ROW;
    }
    draw_swatch(cr, &items[i], x0 + x, y + 3);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_move_to(cr, x0 + x + SWATCH + 5, y + 3 + SWATCH - 3);
    cairo_show_text(cr, items[i].text);
    x += items[i].w;
  }
}

enum { FONT_TITLE = 14, FONT_TEXT = 11, MIN_W = 320 };

/* The title, the layout, the figures, the top barrier, residency, the snapshot's note. */
enum { N_LINES = 6 };

static void header_lines(const VmsSnapshot *snap, const VmsLayoutInfo *l, const VmsStats *st,
                         bool whole, const char *barrier, const char *residency,
                         char lines[N_LINES][320]) {
  char name[128], when[64] = "unknown time";
  printable(snap->name[0] ? snap->name : "?", name, sizeof name);
  if (snap->taken_at > 0)
    vms_time_format(snap->taken_at, VMS_TIME_READABLE, when, sizeof when);
  snprintf(lines[0], sizeof lines[0], "%s (PID %d, %d-bit), %s", name, snap->pid, snap->bits, when);

  char bpp[32], span[32];
  vms_size_format_short(l->bytes_per_pixel, bpp, sizeof bpp);
  vms_size_format_short(l->end - l->start, span, sizeof span);
  if (l->kind == VMS_LAYOUT_COMPRESSED) {
    char thr[32];
    vms_size_format_short(l->gap_threshold, thr, sizeof thr);
    snprintf(lines[1], sizeof lines[1],
             "Compressed layout: %zu free gaps of %s or more shrunk to %d px (marked //); "
             "elsewhere 1 px = %s; %#" PRIx64 "-%#" PRIx64 " (%s)",
             l->n_gaps, thr, l->gap_px, bpp, l->start, l->end, span);
  } else {
    snprintf(lines[1], sizeof lines[1], "Linear layout: 1 px = %s; %#" PRIx64 "-%#" PRIx64 " (%s)",
             bpp, l->start, l->end, span);
  }

  char used[32], committed[32], free_total[32], largest[32];
  vms_size_format_short(st->total.size, used, sizeof used);
  vms_size_format_short(st->total.committed, committed, sizeof committed);
  vms_size_format_short(st->free_total, free_total, sizeof free_total);
  vms_size_format_short(st->free_largest, largest, sizeof largest);
  snprintf(lines[2], sizeof lines[2],
           "%s %s in use (%s committed), %" PRIu64 " mappings; free %s in %" PRIu64
           " blocks, largest free block %s at %#" PRIx64,
           whole ? "Whole space:" : "In view:", used, committed, st->vma_count, free_total,
           st->free_blocks, largest, st->free_largest_start);
  printable(barrier, lines[3], sizeof lines[3]);
  printable(residency, lines[4], sizeof lines[4]);
  printable(snap->note, lines[5], sizeof lines[5]);
}

/* Shows text from (x, baseline y) wrapped at spaces to width; returns the
 * lines used. Only measures when draw is false. */
static int show_wrapped(cairo_t *cr, const char *text, double x, double y, double width,
                        double line_h, bool draw) {
  char buf[320];
  int lines = 0;
  const char *p = text;
  while (*p) {
    /* The longest prefix ending at a space (or the end) that fits. */
    size_t best = 0, len = strlen(p);
    for (size_t i = 1; i <= len && i < sizeof buf; i++) {
      if (i < len && p[i] != ' ')
        continue;
      memcpy(buf, p, i);
      buf[i] = '\0';
      cairo_text_extents_t te;
      cairo_text_extents(cr, buf, &te);
      if (te.x_advance > width && best)
        break;
      best = i;
      if (te.x_advance > width)
        break;
    }
    if (!best)
      best = len < sizeof buf - 1 ? len : sizeof buf - 1;
    memcpy(buf, p, best);
    buf[best] = '\0';
    if (draw) {
      cairo_move_to(cr, x, y + lines * line_h);
      cairo_show_text(cr, buf);
    }
    lines++;
    p += best;
    while (*p == ' ')
      p++;
  }
  return lines;
}

/* Draws (or measures) the header; returns its height. */
static int draw_header(cairo_t *cr, char lines[N_LINES][320], double x, double y, double width,
                       bool draw) {
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, FONT_TITLE);
  double at = y + 14;
  at += 18 * show_wrapped(cr, lines[0], x, at, width, 18, draw);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, FONT_TEXT);
  at += 16 * show_wrapped(cr, lines[1], x, at, width, 16, draw);
  at += 16 * show_wrapped(cr, lines[2], x, at, width, 16, draw);
  at += 16 * show_wrapped(cr, lines[3], x, at, width, 16, draw);
  if (lines[4][0])
    at += 16 * show_wrapped(cr, lines[4], x, at, width, 16, draw);
  if (lines[5][0]) {
    cairo_set_source_rgb(cr, 0.55, 0.1, 0.0);
    at += 16 * show_wrapped(cr, lines[5], x, at, width, 16, draw);
  }
  return (int)(at - y - 14 + 8);
}

/* Draws the whole export picture on cr (width x height). */
static VmsErrorCode draw_export(cairo_t *cr, const VmsSnapshot *snap, const VmsViewport *vp,
                                int width, int height, const VmsExportOptions *opts,
                                VmsError *err) {
  int inner_w = width - 2 * MARGIN;
  if (width < MIN_W)
    return vms_error_set(
        err, VMS_ERR_USAGE,
        "size %dx%d: too narrow for the map with its header and legend (at least %d wide)", width,
        height, MIN_W);
  LegendItem items[VMS_TYPE_COUNT + 2 + VMS_PAGE_STATE_COUNT];
  const VmsPageMap *pages = shown_pages(snap, opts);
  char residency[320];
  vms_export_residency_line(snap, vp, opts, residency, sizeof residency);
  /* Figures over what the picture shows: the whole space's own when it
   * shows the whole space. */
  uint64_t page = snap->page_size ? snap->page_size : 4096;
  uint64_t v_lo = vp->start / page * page, v_hi = (vp->end + page - 1) / page * page;
  bool whole = v_lo <= snap->usable_lo && v_hi >= snap->usable_hi;
  VmsStats st = snap->stats;
  if (!whole)
    vms_stats_compute(snap, v_lo, v_hi, &st);
  /* The top barrier, over the view (the whole space: its busiest cluster on 64-bit). */
  VmsBarrierScope scope;
  if (whole)
    vms_barrier_scope_default(snap, &scope);
  else
    vms_barrier_scope_given(v_lo, v_hi, &scope);
  VmsBarriers bars;
  const VmsBarrierOptions bopts = {.top = 1};
  VmsErrorCode bcode = vms_barriers_compute(snap, &scope, &bopts, &bars, err);
  if (bcode != VMS_OK)
    return bcode;
  char barrier[320];
  vms_barrier_top_line(snap, &bars, barrier, sizeof barrier);
  vms_barriers_clear(&bars);
  /* The layout needs the map's height, which needs the header's and the
   * legend's; those need only the kind and the range, so a probe will do. */
  VmsLayoutInfo probe = {.kind = vp->kind,
                         .start = vp->start,
                         .end = vp->end,
                         .bytes_per_pixel = 4096,
                         .gap_threshold = 64ull << 20};
  size_t n = legend_items(&st, &probe, snap, vp, pages, items);
  int legend_h = legend_height(cr, items, n, inner_w);
  char lines[N_LINES][320];
  header_lines(snap, &probe, &st, whole, barrier, residency, lines);
  int header_h = draw_header(cr, lines, MARGIN, MARGIN, inner_w, false);
  int map_h = height - 2 * MARGIN - header_h - legend_h - 8;
  if (map_h < MIN_MAP_H)
    return vms_error_set(
        err, VMS_ERR_USAGE,
        "size %dx%d: too low for the map with its header and legend (at least %d high)", width,
        height, height - map_h + MIN_MAP_H);
  VmsLayout *l = NULL;
  VmsLayoutInfo info;
  /* The real header may wrap differently from the probe's: settle it. */
  for (int round = 0; round < 3; round++) {
    vms_layout_free(l);
    l = vms_layout_new(snap, vp, inner_w, map_h);
    if (!l)
      return vms_error_set(err, VMS_ERR_NOMEM, "out of memory laying out the map");
    vms_layout_get_info(l, &info);
    header_lines(snap, &info, &st, whole, barrier, residency, lines);
    int h = draw_header(cr, lines, MARGIN, MARGIN, inner_w, false);
    if (h <= header_h)
      break;
    map_h -= h - header_h;
    header_h = h;
    if (map_h < MIN_MAP_H) {
      vms_layout_free(l);
      return vms_error_set(err, VMS_ERR_USAGE,
                           "size %dx%d: too low for the map with its header and legend", width,
                           height);
    }
  }
  n = legend_items(&st, &info, snap, vp, pages, items);
  legend_height(cr, items, n, inner_w);

  cairo_save(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  draw_header(cr, lines, MARGIN, MARGIN, inner_w, true);
  cairo_save(cr);
  cairo_translate(cr, MARGIN, MARGIN + header_h);
  cairo_rectangle(cr, 0, 0, inner_w, map_h);
  cairo_clip(cr);
  const VmsRenderExtras extras = {.pages = pages};
  vms_render_map(cr, snap, l, &extras);
  cairo_restore(cr);
  draw_legend(cr, items, n, MARGIN, MARGIN + header_h + map_h + 8, inner_w);
  cairo_restore(cr);
  vms_layout_free(l);
  cairo_status_t cst = cairo_status(cr);
  if (cst != CAIRO_STATUS_SUCCESS)
    return vms_error_set(err, VMS_ERR_INTERNAL, "drawing the map failed: %s",
                         cairo_status_to_string(cst));
  return VMS_OK;
}

VmsErrorCode vms_export(const VmsSnapshot *snap, const VmsViewport *vp, int width, int height,
                        VmsExportFormat format, const char *path, VmsError *err) {
  return vms_export_with(snap, vp, width, height, format, path, NULL, err);
}

VmsErrorCode vms_export_with(const VmsSnapshot *snap, const VmsViewport *vp, int width, int height,
                             VmsExportFormat format, const char *path, const VmsExportOptions *opts,
                             VmsError *err) {
  VmsErrorCode rc = check_args(snap, vp, width, height, format, path, err);
  if (rc != VMS_OK)
    return rc;

  if (format == VMS_EXPORT_PNG) {
    /* Draw first, so a drawing failure costs no file at all. */
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
      cairo_surface_destroy(s);
      return vms_error_set(err, VMS_ERR_NOMEM, "size %dx%d: cannot allocate the picture", width,
                           height);
    }
    cairo_t *cr = cairo_create(s);
    rc = draw_export(cr, snap, vp, width, height, opts, err);
    cairo_destroy(cr);
    Out o;
    if (rc == VMS_OK)
      rc = out_open(path, &o, err);
    if (rc == VMS_OK) {
      cairo_status_t st = cairo_surface_write_to_png_stream(s, out_write, &o);
      if (st != CAIRO_STATUS_SUCCESS && !o.write_errno) {
        out_abandon(&o);
        rc =
            vms_error_set(err, VMS_ERR_IO, "cannot write %s: %s", path, cairo_status_to_string(st));
      } else {
        rc = out_commit(&o, path, err);
      }
    }
    cairo_surface_destroy(s);
    return rc;
  }

  Out o;
  rc = out_open(path, &o, err);
  if (rc != VMS_OK)
    return rc;
  cairo_surface_t *s = format == VMS_EXPORT_SVG
                           ? cairo_svg_surface_create_for_stream(out_write, &o, width, height)
                           : cairo_pdf_surface_create_for_stream(out_write, &o, width, height);
  cairo_t *cr = cairo_create(s);
  rc = draw_export(cr, snap, vp, width, height, opts, err);
  cairo_destroy(cr);
  cairo_surface_finish(s);
  cairo_status_t st = cairo_surface_status(s);
  cairo_surface_destroy(s);
  if (rc != VMS_OK) {
    out_abandon(&o);
    return rc;
  }
  if (st != CAIRO_STATUS_SUCCESS && !o.write_errno) {
    out_abandon(&o);
    return vms_error_set(err, VMS_ERR_IO, "cannot write %s: %s", path, cairo_status_to_string(st));
  }
  return out_commit(&o, path, err);
}
