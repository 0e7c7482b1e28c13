/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-textmap.c: the map as text, one letter per equal share of the viewed range. */
#include "vms-textmap.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vms-palette.h"
#include "vms-units.h"

enum { GAP_CELLS = 3, MIN_CELLS = 16 };

char vms_textmap_letter(VmsRegionType type, VmsRegionState state) {
  static const char letters[VMS_TYPE_COUNT] = {
      [VMS_TYPE_IMAGE] = 'I',  [VMS_TYPE_MAPPED] = 'M',   [VMS_TYPE_SHAREABLE] = 'S',
      [VMS_TYPE_HEAP] = 'H',   [VMS_TYPE_STACK] = 'T',    [VMS_TYPE_PRIVATE] = 'P',
      [VMS_TYPE_SYSTEM] = 'Y', [VMS_TYPE_UNUSABLE] = ':', [VMS_TYPE_FREE] = '.',
  };
  char c = (unsigned)type < VMS_TYPE_COUNT ? letters[type] : 'P';
  if (state == VMS_STATE_RESERVED && c >= 'A' && c <= 'Z')
    c = (char)(c - 'A' + 'a');
  return c;
}

/* A piece of the range: bytes drawn at bpc bytes per cell, or a shrunk gap. */
typedef struct {
  uint64_t start, end;
  bool gap;
} Piece;

static uint64_t ceil_div(uint64_t a, uint64_t b) {
  return a / b + (a % b != 0);
}

/* Splits [lo, hi) into pieces around the free runs of at least min_gap. */
static Piece *cut_pieces(const VmsSnapshot *snap, uint64_t lo, uint64_t hi, uint64_t min_gap,
                         size_t *n_out) {
  size_t cap = 16, n = 0;
  Piece *p = malloc(cap * sizeof *p);
  if (!p)
    return NULL;
  uint64_t at = lo, run_start = 0, run_end = 0;
  bool in_run = false;
  for (size_t i = vms_regions_lower_bound(snap->regions, snap->n_regions, lo);; i++) {
    const VmsRegion *r =
        i < snap->n_regions && snap->regions[i].start < hi ? &snap->regions[i] : NULL;
    bool is_free = r && r->type == VMS_TYPE_FREE;
    uint64_t a = r ? (r->start < lo ? lo : r->start) : hi;
    uint64_t b = r ? (r->end > hi ? hi : r->end) : hi;
    if (is_free && in_run && run_end == a) {
      run_end = b;
      continue;
    }
    if (in_run && min_gap && run_end - run_start >= min_gap) {
      if (n + 2 > cap) {
        Piece *np = realloc(p, (cap *= 2) * sizeof *p);
        if (!np) {
          free(p);
          return NULL;
        }
        p = np;
      }
      if (run_start > at)
        p[n++] = (Piece){at, run_start, false};
      p[n++] = (Piece){run_start, run_end, true};
      at = run_end;
    }
    in_run = is_free;
    run_start = a;
    run_end = b;
    if (!r)
      break;
  }
  if (at < hi) {
    if (n + 1 > cap) {
      Piece *np = realloc(p, (cap + 1) * sizeof *p);
      if (!np) {
        free(p);
        return NULL;
      }
      p = np;
    }
    p[n++] = (Piece){at, hi, false};
  }
  *n_out = n;
  return p;
}

/* Cells the pieces need at bpc bytes per cell. */
static uint64_t cells_needed(const Piece *p, size_t n, uint64_t bpc) {
  uint64_t cells = 0;
  for (size_t i = 0; i < n; i++)
    cells += p[i].gap ? GAP_CELLS : ceil_div(p[i].end - p[i].start, bpc);
  return cells;
}

/* The most important region in [a, b), from region index *i on (which
 * advances: cells are visited in address order). */
static const VmsRegion *cell_region(const VmsSnapshot *snap, size_t *i, uint64_t a, uint64_t b) {
  while (*i < snap->n_regions && snap->regions[*i].end <= a)
    (*i)++;
  const VmsRegion *best = NULL;
  int best_rank = -1;
  for (size_t k = *i; k < snap->n_regions && snap->regions[k].start < b; k++) {
    const VmsRegion *r = &snap->regions[k];
    int rank = vms_type_rank(r->type) * 2 + (r->state != VMS_STATE_RESERVED);
    if (rank > best_rank) {
      best = r;
      best_rank = rank;
    }
  }
  return best;
}

static void put_color(FILE *f, const VmsRegion *r, int *current) {
  /* An index per drawn colour: type * 2 + reserved, or -1 for none. */
  int want = -1;
  if (r && r->type != VMS_TYPE_FREE)
    want = (int)r->type * 2 + (r->state == VMS_STATE_RESERVED);
  if (want == *current)
    return;
  *current = want;
  if (want < 0) {
    fputs("\033[0m", f);
    return;
  }
  const uint8_t *c = vms_palette_rgb[want / 2];
  uint8_t rgb[3] = {c[0], c[1], c[2]};
  if (want & 1)
    for (int k = 0; k < 3; k++)
      rgb[k] = vms_palette_tint(rgb[k]);
  fprintf(f, "\033[38;2;%u;%u;%um", rgb[0], rgb[1], rgb[2]);
}

static void print_legend(FILE *f, bool color, bool gaps) {
  static const VmsRegionType order[] = {VMS_TYPE_IMAGE,  VMS_TYPE_MAPPED,   VMS_TYPE_SHAREABLE,
                                        VMS_TYPE_HEAP,   VMS_TYPE_STACK,    VMS_TYPE_PRIVATE,
                                        VMS_TYPE_SYSTEM, VMS_TYPE_UNUSABLE, VMS_TYPE_FREE};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
    VmsRegion r = {.type = order[i], .state = VMS_STATE_COMMITTED};
    int cur = -1;
    if (color)
      put_color(f, &r, &cur);
    fputc(vms_textmap_letter(order[i], VMS_STATE_COMMITTED), f);
    if (color)
      put_color(f, NULL, &cur);
    fprintf(f, " %s%s", vms_type_title(order[i]),
            i + 1 < sizeof order / sizeof order[0] ? "  " : "");
  }
  fputs("\nlower case: reserved (i m s h t p)", f);
  if (gaps)
    fprintf(f, "; %.*s free gap of 64 MiB or more, shrunk", GAP_CELLS, "//////");
  fputc('\n', f);
}

bool vms_textmap_print(FILE *f, const VmsSnapshot *snap, const VmsTextMapOptions *o,
                       VmsError *err) {
  uint64_t page = snap->page_size ? snap->page_size : 4096;
  uint64_t lo = o->start, hi = o->end;
  if (lo == 0 && hi == 0) {
    lo = snap->usable_lo;
    hi = snap->usable_hi;
  }
  lo = lo / page * page;
  hi = hi > UINT64_MAX - page ? hi : ceil_div(hi, page) * page;
  if (lo >= hi) {
    vms_error_set(err, VMS_ERR_USAGE, "the range to map is empty");
    return false;
  }
  int digits = vms_addr_digits(snap->bits, hi);
  int label = 2 + digits + 1;
  int cols = o->columns - label;
  if (cols < MIN_CELLS || o->rows < 1) {
    vms_error_set(err, VMS_ERR_USAGE, "%dx%d characters is too small for the map (at least %dx1)",
                  o->columns, o->rows, label + MIN_CELLS);
    return false;
  }
  uint64_t total = (uint64_t)cols * (uint64_t)o->rows;
  size_t n = 0;
  Piece *pieces = cut_pieces(snap, lo, hi, o->compressed ? VMS_TEXTMAP_GAP : 0, &n);
  if (!pieces) {
    vms_error_set(err, VMS_ERR_NOMEM, "out of memory laying out the map");
    return false;
  }
  /* Too many gaps for the cells: the linear layout, which always fits. */
  size_t n_gaps = 0, n_bytes = 0;
  for (size_t i = 0; i < n; i++)
    if (pieces[i].gap)
      n_gaps++;
    else
      n_bytes++;
  if ((uint64_t)n_gaps * GAP_CELLS + n_bytes > total) {
    free(pieces);
    pieces = cut_pieces(snap, lo, hi, 0, &n);
    if (!pieces) {
      vms_error_set(err, VMS_ERR_NOMEM, "out of memory laying out the map");
      return false;
    }
    n_gaps = 0;
  }
  uint64_t bytes = 0;
  for (size_t i = 0; i < n; i++)
    if (!pieces[i].gap)
      bytes += pieces[i].end - pieces[i].start;
  uint64_t spare = total - (uint64_t)n_gaps * GAP_CELLS;
  uint64_t bpc = ceil_div(ceil_div(bytes, spare), page) * page;
  while (cells_needed(pieces, n, bpc) > total)
    bpc += page;

  char size[32], cell[32];
  vms_size_format(hi - lo, size, sizeof size);
  vms_size_format(bpc, cell, sizeof cell);
  fprintf(f,
          "%s (PID %d, %d-bit): %#0*" PRIx64 "-%#0*" PRIx64 " (%s), 1 cell = %s (%" PRIu64
          " bytes)%s\n",
          snap->name[0] ? snap->name : "?", snap->pid, snap->bits, digits + 2, lo, digits + 2, hi,
          size, cell, bpc, n_gaps ? ", free gaps of 64 MiB or more shrunk" : "");
  int current = -1, col = 0;
  size_t ri = vms_regions_lower_bound(snap->regions, snap->n_regions, lo);
  for (size_t i = 0; i < n; i++) {
    const Piece *p = &pieces[i];
    uint64_t ncells = p->gap ? GAP_CELLS : ceil_div(p->end - p->start, bpc);
    for (uint64_t k = 0; k < ncells; k++) {
      uint64_t a = p->gap ? p->start : p->start + k * bpc;
      uint64_t b = p->gap ? p->end : (a + bpc > p->end || a + bpc < a ? p->end : a + bpc);
      if (col == 0)
        fprintf(f, "%#0*" PRIx64 " ", digits + 2, a);
      if (p->gap) {
        if (o->color)
          put_color(f, NULL, &current);
        fputc('/', f);
      } else {
        const VmsRegion *r = cell_region(snap, &ri, a, b);
        if (o->color)
          put_color(f, r, &current);
        fputc(r ? vms_textmap_letter(r->type, r->state) : ' ', f);
      }
      if (++col == cols) {
        if (o->color)
          put_color(f, NULL, &current);
        fputc('\n', f);
        col = 0;
      }
    }
  }
  if (col) {
    if (o->color)
      put_color(f, NULL, &current);
    fputc('\n', f);
  }
  print_legend(f, o->color, n_gaps > 0);
  free(pieces);
  return true;
}
