/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-barriers.c: the walls between free blocks, ranked, grouped by owner, and the remedy facts. */
#include "vms-barriers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vms-units.h"

#define MiB (UINT64_C(1) << 20)

static const char *const group_names[VMS_BGROUP_COUNT + 1] = {
    "stacks", "images", "heaps", "private", "mapped", "system", "mixed"};
static const char *const group_titles[VMS_BGROUP_COUNT + 1] = {"Thread stacks",
                                                               "Images",
                                                               "Heaps and arenas",
                                                               "Other private data",
                                                               "Mapped files and shareable",
                                                               "System",
                                                               "Several owners"};

const char *vms_barrier_group_name(VmsBarrierGroup g) {
  return g <= VMS_BGROUP_MIXED ? group_names[g] : "?";
}

const char *vms_barrier_group_title(VmsBarrierGroup g) {
  return g <= VMS_BGROUP_MIXED ? group_titles[g] : "?";
}

const char *vms_barrier_scope_name(VmsBarrierScopeKind kind) {
  switch (kind) {
  case VMS_SCOPE_GIVEN: return "given";
  case VMS_SCOPE_USABLE: return "usable";
  case VMS_SCOPE_CLUSTER: return "cluster";
  }
  return "?";
}

static VmsBarrierGroup group_of_type(uint8_t type) {
  switch (type) {
  case VMS_TYPE_STACK: return VMS_BGROUP_STACKS;
  case VMS_TYPE_IMAGE: return VMS_BGROUP_IMAGES;
  case VMS_TYPE_HEAP: return VMS_BGROUP_HEAPS;
  case VMS_TYPE_PRIVATE: return VMS_BGROUP_PRIVATE;
  case VMS_TYPE_MAPPED:
  case VMS_TYPE_SHAREABLE: return VMS_BGROUP_MAPPED;
  default: return VMS_BGROUP_SYSTEM;
  }
}

/* ---- scope ---- */

void vms_barrier_scope_given(uint64_t lo, uint64_t hi, VmsBarrierScope *out) {
  memset(out, 0, sizeof *out);
  out->lo = lo;
  out->hi = hi;
  out->kind = VMS_SCOPE_GIVEN;
}

static bool is_mapped(const VmsRegion *r) {
  return r->type != VMS_TYPE_FREE && r->type != VMS_TYPE_UNUSABLE &&
         !(r->detail & VMS_DETAIL_OUTSIDE);
}

/* A free block this large splits a 64-bit space into clusters: no
 * allocation a program makes comes near a terabyte. */
#define HOLE (UINT64_C(1) << 40)

void vms_barrier_scope_default(const VmsSnapshot *snap, VmsBarrierScope *out) {
  memset(out, 0, sizeof *out);
  out->lo = snap->usable_lo;
  out->hi = snap->usable_hi;
  out->kind = VMS_SCOPE_USABLE;
  if (snap->bits != 64)
    return;
  /* The cluster between two holes with the most mapped regions (the higher
   * on a tie: on Linux, the mapping area beats the program and its brk). */
  uint64_t c_lo = snap->usable_lo, best_lo = 0, best_hi = 0, best_n = 0, n = 0;
  bool found = false, any_hole = false;
  for (size_t i = vms_snapshot_lower_bound(snap, snap->usable_lo); i <= snap->n_regions; i++) {
    const VmsRegion *r = i < snap->n_regions ? &snap->regions[i] : NULL;
    const bool end = !r || r->start >= snap->usable_hi;
    const bool hole = !end && r->type == VMS_TYPE_FREE && r->end - r->start >= HOLE;
    if (end || hole) {
      const uint64_t c_hi = end ? snap->usable_hi : r->start;
      if (n && n >= best_n) {
        found = true;
        best_n = n;
        best_lo = c_lo;
        best_hi = c_hi;
      }
      if (end)
        break;
      c_lo = r->end;
      any_hole = true;
      n = 0;
      continue;
    }
    if (is_mapped(r))
      n++;
  }
  if (!found || !any_hole)
    return;
  /* The cluster's own extent: its lowest mapping to its highest one below
   * the main stack. The free space above the highest mapping is where
   * mmap's top-down search does not go (it starts below mmap_base). */
  uint64_t m_lo = 0, m_hi = 0;
  for (size_t i = vms_snapshot_lower_bound(snap, best_lo); i < snap->n_regions; i++) {
    const VmsRegion *r = &snap->regions[i];
    if (r->start >= best_hi)
      break;
    if ((r->type == VMS_TYPE_UNUSABLE && (r->detail & VMS_DETAIL_GUARD)) ||
        (r->detail & VMS_DETAIL_MAIN_STACK)) {
      out->below_stack = true;
      break;
    }
    if (!is_mapped(r))
      continue;
    if (!m_hi)
      m_lo = r->start;
    m_hi = r->end;
  }
  if (!m_hi)
    return;
  out->kind = VMS_SCOPE_CLUSTER;
  out->lo = m_lo;
  out->hi = m_hi;
  /* What is left out either side, up to the next mapping. */
  size_t i = vms_snapshot_lower_bound(snap, m_lo);
  out->hole_below = i > 0 && snap->regions[i - 1].type == VMS_TYPE_FREE
                        ? snap->regions[i - 1].end - snap->regions[i - 1].start
                        : 0;
  i = vms_snapshot_lower_bound(snap, m_hi);
  out->hole_above = i < snap->n_regions && snap->regions[i].type == VMS_TYPE_FREE &&
                            snap->regions[i].start == m_hi
                        ? snap->regions[i].end - snap->regions[i].start
                        : 0;
}

void vms_barrier_scope_describe(const VmsBarrierScope *sc, char *buf, size_t len) {
  char below[32], above[32];
  vms_size_format(sc->hole_below, below, sizeof below);
  vms_size_format(sc->hole_above, above, sizeof above);
  int n = snprintf(buf, len, "0x%" PRIx64 "-0x%" PRIx64, sc->lo, sc->hi);
  if (n < 0 || (size_t)n >= len)
    return;
  switch (sc->kind) {
  case VMS_SCOPE_GIVEN: snprintf(buf + n, len - (size_t)n, " (the range given)"); break;
  case VMS_SCOPE_USABLE: snprintf(buf + n, len - (size_t)n, " (the usable range)"); break;
  case VMS_SCOPE_CLUSTER:
    snprintf(buf + n, len - (size_t)n,
             " (the busiest cluster of mappings; left out: %s free below it and %s above it%s)",
             below, above,
             sc->below_stack ? ", under the stack, where mmap does not place mappings" : "");
    break;
  }
}

/* ---- owners ---- */

static uint64_t arena_block(const VmsSnapshot *snap) {
  return snap->bits == 32 ? MiB : 64 * MiB;
}

static bool anon_private(const VmsRegion *r) {
  return r->type == VMS_TYPE_PRIVATE && r->name == 0 && !(r->prot & VMS_PROT_SHARED);
}

/* Is b, directly above a, the same owner as a's unit? bss_ok: the unit is
 * an image that has not yet taken the anonymous mapping after it. */
static bool same_owner(const VmsSnapshot *snap, const VmsRegion *a, const VmsRegion *b,
                       bool bss_ok) {
  if (b->type == VMS_TYPE_UNUSABLE)
    return true; /* only an allocation's alignment tail gets here */
  const bool windows = (snap->fields & VMS_FIELD_OS_TYPE) != 0;
  if (!windows && bss_ok && a->type == VMS_TYPE_IMAGE && (a->prot & VMS_PROT_WRITE) &&
      anon_private(b) && (b->prot & VMS_PROT_WRITE))
    return true; /* ld.so maps an object's .bss as anonymous memory right after its data */
  if (a->type != b->type)
    return false;
  if (windows)
    return a->alloc_base == b->alloc_base;
  switch (a->type) {
  case VMS_TYPE_STACK:
    /* A guard sits below its own stack; the next guard starts another. */
    return (a->detail & VMS_DETAIL_GUARD) && !(b->detail & VMS_DETAIL_GUARD);
  case VMS_TYPE_HEAP:
    if (a->detail & b->detail & VMS_DETAIL_ARENA)
      return (b->start & (arena_block(snap) - 1)) != 0;
    return a->name == b->name &&
           ((a->detail ^ b->detail) & (VMS_DETAIL_ARENA | VMS_DETAIL_BRK)) == 0;
  case VMS_TYPE_IMAGE:
  case VMS_TYPE_MAPPED: return a->name == b->name && a->inode == b->inode;
  default: return a->name == b->name;
  }
}

/* ---- ranking: the best `cap` kept in order, by insertion ---- */

static bool better_gain(const VmsBarrier *x, const VmsBarrier *y) {
  return x->merged != y->merged ? x->merged > y->merged : x->start < y->start;
}

static uint64_t smaller_side(const VmsBarrier *b) {
  return b->free_below < b->free_above ? b->free_below : b->free_above;
}

static bool better_split(const VmsBarrier *x, const VmsBarrier *y) {
  uint64_t a = smaller_side(x), b = smaller_side(y);
  return a != b ? a > b : x->start < y->start;
}

static void keep_top(VmsBarrier *top, size_t *n, size_t cap, const VmsBarrier *b,
                     bool (*better)(const VmsBarrier *, const VmsBarrier *)) {
  if (*n == cap && !better(b, &top[cap - 1]))
    return;
  size_t k = *n < cap ? (*n)++ : cap - 1;
  while (k > 0 && better(b, &top[k - 1])) {
    top[k] = top[k - 1];
    k--;
  }
  top[k] = *b;
}

/* ---- the pass ---- */

typedef struct {
  uint64_t acc, start;
} Run;

typedef struct {
  uint32_t name;
  uint64_t start, end;
  size_t first;
  uint64_t merged; /* the free block without its wall, when it alone made a barrier */
} ImageUnit;

typedef struct {
  const VmsSnapshot *snap;
  VmsBarriers *out;
  uint64_t usable;
  size_t top;
  /* free runs today and without each group */
  Run today, without[VMS_BGROUP_COUNT];
  /* the current free block (for the next wall's free_below) */
  uint64_t free_run;
  bool after_free;
  /* the current wall */
  bool in_wall;
  VmsBarrier wall;
  bool wall_single_mmap; /* one unit, one region, of the mmap-threshold shape */
  uint64_t wall_mmap_size;
  size_t wall_images_from; /* image units of this wall start here */
  /* the current unit */
  bool in_unit, unit_bss_ok, unit_main, unit_arena, unit_inferred;
  VmsBarrierGroup unit_group;
  uint64_t unit_start, unit_end, unit_committed;
  const VmsRegion *prev;
  /* image units */
  ImageUnit *images;
  size_t n_images, cap_images;
  bool nomem;
  /* mmap-shape buckets: 2^17 .. 2^25 */
  uint64_t mm_count[10], mm_barriers[10], mm_total[10], mm_min[10], mm_max[10];
} Pass;

static void run_close(Pass *p, Run *r, uint64_t *largest, uint64_t *largest_start,
                      uint64_t *usable_blocks, uint64_t *blocks) {
  if (r->acc) {
    if (r->acc > *largest) {
      *largest = r->acc;
      *largest_start = r->start;
    }
    if (r->acc >= p->usable)
      (*usable_blocks)++;
    if (blocks)
      (*blocks)++;
  }
  r->acc = 0;
}

static void run_add(Run *r, uint64_t start, uint64_t size) {
  if (!r->acc)
    r->start = start;
  r->acc += size;
}

static void close_without(Pass *p, int g) {
  VmsBarrierGroupStats *gs = &p->out->groups[g];
  run_close(p, &p->without[g], &gs->largest_without, &gs->largest_without_start,
            &gs->usable_without, NULL);
}

static void unit_close(Pass *p) {
  if (!p->in_unit)
    return;
  p->in_unit = false;
  VmsBarrierGroupStats *gs = &p->out->groups[p->unit_group];
  const uint64_t size = p->unit_end - p->unit_start;
  if (gs->units == 0 || size < gs->unit_min)
    gs->unit_min = size;
  if (size > gs->unit_max)
    gs->unit_max = size;
  if (gs->units == 0 || p->unit_start < gs->lowest)
    gs->lowest = p->unit_start;
  if (p->unit_end > gs->highest)
    gs->highest = p->unit_end;
  gs->units++;
  gs->bytes += size;
  if (p->unit_inferred)
    p->wall.inferred = true;
  VmsBarrierFacts *f = &p->out->facts;
  if (p->unit_group == VMS_BGROUP_STACKS && !p->unit_main) {
    if (f->thread_stacks == 0 || size < f->stack_min)
      f->stack_min = size;
    if (size > f->stack_max)
      f->stack_max = size;
    if (f->thread_stacks == 0 || p->unit_start < f->stack_lowest)
      f->stack_lowest = p->unit_start;
    if (p->unit_end > f->stack_highest)
      f->stack_highest = p->unit_end;
    f->thread_stacks++;
    f->stack_total += size;
    if (p->unit_inferred)
      f->thread_stacks_inferred++;
  }
  if (p->unit_arena) {
    f->arenas++;
    f->arena_total += size;
    f->arena_committed += p->unit_committed;
    if (size > f->arena_size)
      f->arena_size = size;
  }
  p->wall.n_units++;
  if (p->wall.n_units == 1)
    p->wall.group = (uint8_t)p->unit_group;
  else if (p->wall.group != p->unit_group)
    p->wall.group = VMS_BGROUP_MIXED;
}

static void image_unit_add(Pass *p, const VmsRegion *r, size_t idx) {
  if (p->n_images == p->cap_images) {
    size_t cap = p->cap_images ? p->cap_images * 2 : 64;
    ImageUnit *n = realloc(p->images, cap * sizeof *n);
    if (!n) {
      p->nomem = true;
      return;
    }
    p->images = n;
    p->cap_images = cap;
  }
  p->images[p->n_images++] = (ImageUnit){r->name, p->unit_start, p->unit_end, idx, 0};
}

static int mm_bucket(uint64_t size) {
  if (size < VMS_MMAP_BAND_LO || size > VMS_MMAP_BAND_HI)
    return -1;
  int k = 0;
  while ((size >> (k + 1)) != 0)
    k++;
  return k - 17; /* 0 .. 8 */
}

static bool mmap_shaped(const VmsSnapshot *snap, const VmsRegion *r, uint64_t size) {
  return !(snap->fields & VMS_FIELD_OS_TYPE) && anon_private(r) &&
         r->state == VMS_STATE_COMMITTED &&
         (r->prot & (VMS_PROT_READ | VMS_PROT_WRITE | VMS_PROT_EXEC)) ==
             (VMS_PROT_READ | VMS_PROT_WRITE) &&
         !(r->detail & VMS_DETAIL_INFERRED) && mm_bucket(size) >= 0;
}

/* The wall ends at start: a barrier when a free block follows. */
static void wall_close(Pass *p, bool free_above, uint64_t above) {
  unit_close(p);
  if (!p->in_wall)
    return;
  p->in_wall = false;
  VmsBarrier *w = &p->wall;
  if (w->free_below == 0 || !free_above)
    return;
  w->free_above = above;
  w->merged_start = w->start - w->free_below;
  w->merged = w->free_below + (w->end - w->start) + above;
  VmsBarriers *o = p->out;
  o->n_barriers++;
  const bool split = w->free_below >= p->usable && above >= p->usable;
  if (split)
    o->n_splits++;
  if (w->group != VMS_BGROUP_MIXED) {
    o->groups[w->group].walls++;
    if (split)
      o->groups[w->group].splits++;
  }
  if (p->wall_single_mmap && w->n_units == 1)
    p->mm_barriers[mm_bucket(p->wall_mmap_size)]++;
  keep_top(o->by_gain, &o->n_by_gain, p->top, w, better_gain);
  if (split)
    keep_top(o->by_split, &o->n_by_split, p->top, w, better_split);
  /* A barrier of one image alone: its units remember what removing it gives. */
  if (w->group == VMS_BGROUP_IMAGES) {
    bool one = true;
    for (size_t k = p->wall_images_from + 1; k < p->n_images; k++)
      one = one && p->images[k].name == p->images[p->wall_images_from].name;
    for (size_t k = p->wall_images_from; one && k < p->n_images; k++)
      p->images[k].merged = w->merged;
  }
}

static int cmp_image_unit(const void *a, const void *b) {
  const ImageUnit *x = a, *y = b;
  if (x->name != y->name)
    return x->name < y->name ? -1 : 1;
  return (x->start > y->start) - (x->start < y->start);
}

static int cmp_image(const void *a, const void *b) {
  const VmsBarrierImage *x = a, *y = b;
  if (x->best_merged != y->best_merged)
    return x->best_merged > y->best_merged ? -1 : 1;
  return (x->lowest > y->lowest) - (x->lowest < y->lowest);
}

VmsErrorCode vms_barriers_compute(const VmsSnapshot *snap, const VmsBarrierScope *scope,
                                  const VmsBarrierOptions *opts, VmsBarriers *out, VmsError *err) {
  memset(out, 0, sizeof *out);
  out->scope = *scope;
  Pass p;
  memset(&p, 0, sizeof p);
  p.snap = snap;
  p.out = out;
  p.usable = opts && opts->usable_min ? opts->usable_min : MiB;
  p.top = opts && opts->top ? opts->top : 10;
  if (p.top > VMS_BARRIERS_MAX_TOP)
    p.top = VMS_BARRIERS_MAX_TOP;
  out->usable_min = p.usable;
  const uint64_t lo = scope->lo, hi = scope->hi;

  for (size_t i = vms_snapshot_lower_bound(snap, lo); i < snap->n_regions && lo < hi; i++) {
    const VmsRegion *r = &snap->regions[i];
    if (r->start >= hi)
      break;
    const uint64_t start = r->start > lo ? r->start : lo, end = r->end < hi ? r->end : hi;
    const uint64_t size = end - start;
    const bool align_tail = r->type == VMS_TYPE_UNUSABLE && (r->detail & VMS_DETAIL_ALIGN) &&
                            p.in_unit && p.prev && p.prev->end == r->start;
    if (r->type == VMS_TYPE_FREE) {
      if (p.in_wall) {
        /* The free block above the wall is this one and any free after it. */
        uint64_t above = size;
        for (size_t j = i + 1; j < snap->n_regions && snap->regions[j].type == VMS_TYPE_FREE &&
                               snap->regions[j].start < hi;
             j++)
          above += (snap->regions[j].end < hi ? snap->regions[j].end : hi) - snap->regions[j].start;
        wall_close(&p, true, above);
      }
      if (!p.after_free)
        p.free_run = 0;
      p.free_run += size;
      p.after_free = true;
      run_add(&p.today, start, size);
      for (int g = 0; g < VMS_BGROUP_COUNT; g++)
        run_add(&p.without[g], start, size);
    } else if (r->type == VMS_TYPE_UNUSABLE && !align_tail) {
      /* Below mmap_min_addr, the main stack's guard gap: nothing removes it. */
      wall_close(&p, false, 0);
      p.after_free = false;
      run_close(&p, &p.today, &out->largest, &out->largest_start, &out->usable_blocks,
                &out->free_blocks);
      for (int g = 0; g < VMS_BGROUP_COUNT; g++)
        close_without(&p, g);
    } else {
      if (!p.in_wall) {
        p.in_wall = true;
        memset(&p.wall, 0, sizeof p.wall);
        p.wall.start = start;
        p.wall.first = i;
        p.wall.free_below = p.after_free ? p.free_run : 0;
        p.wall_single_mmap = true;
        p.wall_images_from = p.n_images;
      } else {
        p.wall_single_mmap = false;
      }
      p.after_free = false;
      p.wall.end = end;
      p.wall.last = i;
      if (p.in_unit && !align_tail) {
        /* An image's unit ends after its .bss. */
        const bool bss_done = p.unit_group == VMS_BGROUP_IMAGES && p.prev->type != VMS_TYPE_IMAGE;
        if (bss_done || !same_owner(snap, p.prev, r, p.unit_bss_ok)) {
          unit_close(&p);
        } else if (r->type != p.prev->type) {
          /* The image took its .bss: that much is a guess from the shape. */
          p.unit_bss_ok = false;
          p.unit_inferred = true;
        }
      }
      if (!p.in_unit) {
        p.in_unit = true;
        p.unit_group = group_of_type(r->type);
        p.unit_start = start;
        p.unit_bss_ok = r->type == VMS_TYPE_IMAGE;
        p.unit_main = p.unit_arena = p.unit_inferred = false;
        p.unit_committed = 0;
        if (r->type == VMS_TYPE_IMAGE)
          image_unit_add(&p, r, i);
      }
      p.unit_end = end;
      if (r->detail & VMS_DETAIL_MAIN_STACK)
        p.unit_main = true;
      if (r->detail & VMS_DETAIL_ARENA)
        p.unit_arena = true;
      if (r->detail & VMS_DETAIL_INFERRED)
        p.unit_inferred = true;
      if (r->state == VMS_STATE_COMMITTED)
        p.unit_committed += size;
      if (p.unit_group == VMS_BGROUP_IMAGES && p.n_images)
        p.images[p.n_images - 1].end = end;
      if (mmap_shaped(snap, r, r->end - r->start)) {
        int k = mm_bucket(r->end - r->start);
        uint64_t rs = r->end - r->start;
        if (!p.mm_count[k] || rs < p.mm_min[k])
          p.mm_min[k] = rs;
        if (rs > p.mm_max[k])
          p.mm_max[k] = rs;
        p.mm_count[k]++;
        p.mm_total[k] += rs;
        p.wall_mmap_size = rs;
      } else {
        p.wall_single_mmap = false;
      }
      run_close(&p, &p.today, &out->largest, &out->largest_start, &out->usable_blocks,
                &out->free_blocks);
      for (int g = 0; g < VMS_BGROUP_COUNT; g++) {
        if (g == (int)p.unit_group)
          run_add(&p.without[g], start, size);
        else
          close_without(&p, g);
      }
    }
    p.prev = r;
  }
  wall_close(&p, false, 0);
  run_close(&p, &p.today, &out->largest, &out->largest_start, &out->usable_blocks,
            &out->free_blocks);
  for (int g = 0; g < VMS_BGROUP_COUNT; g++)
    close_without(&p, g);
  if (p.nomem)
    goto nomem;

  for (size_t k = 0; k < out->n_by_gain; k++)
    out->by_gain[k].gain =
        out->by_gain[k].merged > out->largest ? out->by_gain[k].merged - out->largest : 0;
  for (size_t k = 0; k < out->n_by_split; k++)
    out->by_split[k].gain =
        out->by_split[k].merged > out->largest ? out->by_split[k].merged - out->largest : 0;

  if (p.n_images) {
    qsort(p.images, p.n_images, sizeof *p.images, cmp_image_unit);
    size_t n = 0;
    for (size_t k = 0; k < p.n_images; k++)
      if (k == 0 || p.images[k].name != p.images[k - 1].name)
        n++;
    out->images = calloc(n, sizeof *out->images);
    if (!out->images)
      goto nomem;
    VmsBarrierImage *im = NULL;
    for (size_t k = 0; k < p.n_images; k++) {
      const ImageUnit *u = &p.images[k];
      if (k == 0 || u->name != p.images[k - 1].name) {
        im = &out->images[out->n_images++];
        im->name = u->name;
        im->lowest = u->start;
        im->first = u->first;
      }
      im->highest = u->end > im->highest ? u->end : im->highest;
      im->bytes += u->end - u->start;
      im->units++;
      const uint64_t merged = u->merged;
      if (merged) {
        im->walls++;
        if (merged > im->best_merged) {
          im->best_merged = merged;
          im->best_start = u->start;
        }
      }
    }
    for (size_t k = 0; k < out->n_images; k++) {
      VmsBarrierImage *x = &out->images[k];
      x->best_gain = x->best_merged > out->largest ? x->best_merged - out->largest : 0;
    }
    qsort(out->images, out->n_images, sizeof *out->images, cmp_image);
  }
  free(p.images);

  /* Facts. */
  VmsBarrierFacts *f = &out->facts;
  if (snap->bits == 32 && (snap->fields & VMS_FIELD_OS_TYPE) && snap->os_bits == 64) {
    f->laa = !(snap->fields & VMS_FIELD_LAA) ? VMS_LAA_UNKNOWN
             : snap->large_address_aware     ? VMS_LAA_YES
                                             : VMS_LAA_NO;
    f->space_now = snap->usable_hi;
    f->space_laa = UINT64_C(0xffff0000);
  }
  f->windows = (snap->fields & VMS_FIELD_OS_TYPE) != 0;
  if (snap->fields & VMS_FIELD_STACK_SETTING) {
    f->stack_setting_known = true;
    f->stack_setting = snap->stack_setting;
  }
  int best = -1;
  uint64_t best_count = 0;
  for (int k = 0; k + 1 < 9; k++) {
    /* Two neighbouring powers of two: sizes within a factor of four. */
    uint64_t c = p.mm_count[k] + p.mm_count[k + 1];
    if (c > best_count) {
      best_count = c;
      best = k;
    }
  }
  if (best >= 0 && best_count >= VMS_MMAP_RUN_MIN) {
    f->mmap_shape = true;
    f->mmap_count = best_count;
    f->mmap_total = p.mm_total[best] + p.mm_total[best + 1];
    f->mmap_barriers = p.mm_barriers[best] + p.mm_barriers[best + 1];
    f->mmap_min = p.mm_count[best] ? p.mm_min[best] : p.mm_min[best + 1];
    f->mmap_max = p.mm_count[best + 1] ? p.mm_max[best + 1] : p.mm_max[best];
  }
  return VMS_OK;

nomem:
  free(p.images);
  vms_barriers_clear(out);
  return vms_error_set(err, VMS_ERR_NOMEM, "out of memory computing the barriers");
}

void vms_barriers_clear(VmsBarriers *b) {
  free(b->images);
  b->images = NULL;
  b->n_images = 0;
}

void vms_barrier_describe(const VmsSnapshot *snap, const VmsBarrier *b, char *buf, size_t len) {
  char first[512];
  const VmsRegion *r = &snap->regions[b->first];
  /* A stack's guard comes first; the stack itself says whose it is. */
  if ((r->detail & VMS_DETAIL_GUARD) && r->type == VMS_TYPE_STACK && b->last > b->first)
    r = &snap->regions[b->first + 1];
  vms_region_describe(snap, r, first, sizeof first);
  if (!first[0])
    snprintf(first, sizeof first, "anonymous %s",
             r->type == VMS_TYPE_PRIVATE ? "private data" : vms_type_name((VmsRegionType)r->type));
  if (b->n_units <= 1) {
    snprintf(buf, len, "%s", first);
  } else if (b->group == VMS_BGROUP_STACKS) {
    snprintf(buf, len, "%u thread stacks", b->n_units);
  } else if (b->group == VMS_BGROUP_HEAPS) {
    snprintf(buf, len, "%u heaps: %s, ...", b->n_units, first);
  } else {
    snprintf(buf, len, "%u owners: %s, ...", b->n_units, first);
  }
}

const char *vms_barrier_fact_name(VmsBarrierFact fact) {
  static const char *const names[VMS_FACT_COUNT] = {"large_address_aware", "thread_stacks",
                                                    "arenas", "mmap_threshold"};
  return fact < VMS_FACT_COUNT ? names[fact] : "?";
}

static void size_or_range(uint64_t lo, uint64_t hi, char *buf, size_t len) {
  char a[32], b[32];
  vms_size_format(lo, a, sizeof a);
  vms_size_format(hi, b, sizeof b);
  if (strcmp(a, b) == 0)
    snprintf(buf, len, "%s each", a);
  else
    snprintf(buf, len, "%s to %s each", a, b);
}

size_t vms_barrier_fact_text(const VmsBarriers *b, VmsBarrierFact fact, char *buf, size_t len) {
  const VmsBarrierFacts *f = &b->facts;
  char a[32], c[32], d[32], e[64];
  int n = 0;
  buf[0] = '\0';
  switch (fact) {
  case VMS_FACT_LAA:
    if (f->laa == VMS_LAA_NO) {
      vms_size_format(f->space_now, a, sizeof a);
      vms_size_format(f->space_laa, c, sizeof c);
      n = snprintf(buf, len,
                   "a 32-bit process on 64-bit Windows, not large-address-aware: it has %s of "
                   "address space; linked with /LARGEADDRESSAWARE it would have %s",
                   a, c);
    } else if (f->laa == VMS_LAA_UNKNOWN) {
      vms_size_format(f->space_now, a, sizeof a);
      n = snprintf(buf, len,
                   "a 32-bit process on 64-bit Windows whose image could not be read: whether it "
                   "is large-address-aware is unknown (%s of address space assumed)",
                   a);
    }
    break;
  case VMS_FACT_STACKS:
    if (!f->thread_stacks)
      break;
    size_or_range(f->stack_min, f->stack_max, e, sizeof e);
    vms_size_format(f->stack_total, a, sizeof a);
    n = snprintf(buf, len,
                 "%" PRIu64 " thread stack%s%s reserve %s, %s in all, at 0x%" PRIx64 "-0x%" PRIx64
                 "; ",
                 f->thread_stacks, f->thread_stacks == 1 ? "" : "s",
                 f->thread_stacks_inferred ? " (some inferred)" : "", e, a, f->stack_lowest,
                 f->stack_highest);
    if (n < 0 || (size_t)n >= len)
      break;
    if (!f->stack_setting_known) {
      n += snprintf(buf + n, len - (size_t)n, "the setting that sizes them (%s) is unknown",
                    f->windows ? "the image's stack reserve" : "the main thread's RLIMIT_STACK");
    } else if (f->windows) {
      vms_size_format(f->stack_setting, c, sizeof c);
      n += snprintf(buf + n, len - (size_t)n,
                    "the image's stack reserve (linker /STACK), the default for new threads, is %s",
                    c);
    } else if (f->stack_setting == UINT64_MAX) {
      n += snprintf(buf + n, len - (size_t)n,
                    "the main thread's RLIMIT_STACK is unlimited, so glibc gives new threads its "
                    "built-in default (2 MiB on x86)");
    } else {
      vms_size_format(f->stack_setting, c, sizeof c);
      n += snprintf(buf + n, len - (size_t)n,
                    "the main thread's RLIMIT_STACK, glibc's default size for new threads, is %s",
                    c);
    }
    break;
  case VMS_FACT_ARENAS:
    if (!f->arenas)
      break;
    vms_size_format(f->arena_size, a, sizeof a);
    vms_size_format(f->arena_total, c, sizeof c);
    vms_size_format(f->arena_committed, d, sizeof d);
    n = snprintf(buf, len,
                 "%" PRIu64 " glibc malloc arena block%s (inferred) reserve %s each, %s in all, %s "
                 "of it committed; MALLOC_ARENA_MAX caps how many arenas glibc creates",
                 f->arenas, f->arenas == 1 ? "" : "s", a, c, d);
    break;
  case VMS_FACT_MMAP:
    if (!f->mmap_shape)
      break;
    vms_size_format(f->mmap_min, a, sizeof a);
    vms_size_format(f->mmap_max, c, sizeof c);
    vms_size_format(f->mmap_total, d, sizeof d);
    n = snprintf(buf, len,
                 "%" PRIu64 " anonymous private mappings of %s to %s, %s in all, %" PRIu64
                 " of them alone between two free blocks: the shape of allocations just above "
                 "glibc's mmap threshold (M_MMAP_THRESHOLD, 128 KiB to 32 MiB), each left as a "
                 "mapping of its own (inferred)",
                 f->mmap_count, a, c, d, f->mmap_barriers);
    break;
  default: break;
  }
  return n > 0 ? strlen(buf) : 0;
}

void vms_barrier_top_line(const VmsSnapshot *snap, const VmsBarriers *b, char *buf, size_t len) {
  if (!b->n_by_gain) {
    snprintf(buf, len, "no barrier: no region lies between two free blocks in %s",
             b->largest ? "this range" : "this range (nothing is free)");
    return;
  }
  const VmsBarrier *t = &b->by_gain[0];
  char who[600], size[32], merged[32], gain[32];
  vms_barrier_describe(snap, t, who, sizeof who);
  vms_size_format(t->end - t->start, size, sizeof size);
  vms_size_format(t->merged, merged, sizeof merged);
  vms_size_format(t->gain, gain, sizeof gain);
  snprintf(buf, len,
           "top barrier: %s at 0x%" PRIx64 " (%s); without it the largest free block "
           "would be %s (+%s)",
           who, t->start, size, merged, gain);
}
