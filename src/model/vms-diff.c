/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-diff.c: which regions appeared, grew, shrank or went away between two snapshots.
 *
 * A region keeps its identity across snapshots by its start address, or,
 * failing that, by its end address and type: a stack grows down, so its
 * start moves while its end stays. Free and unusable space is not a region
 * of anyone's, so it takes no part. */
#include <stdlib.h>

#include "vms-diff.h"

static bool counts(const VmsRegion *r) {
  return r->type != VMS_TYPE_FREE && r->type != VMS_TYPE_UNUSABLE;
}

typedef struct {
  VmsChange *v;
  size_t n, cap;
  bool oom;
} ChangeList;

static void add(ChangeList *l, uint64_t start, uint64_t end, VmsChangeKind kind) {
  if (l->oom)
    return;
  if (l->n == l->cap) {
    size_t nc = l->cap ? l->cap * 2 : 16;
    VmsChange *nv = realloc(l->v, nc * sizeof *nv);
    if (!nv) {
      l->oom = true;
      return;
    }
    l->v = nv;
    l->cap = nc;
  }
  l->v[l->n++] = (VmsChange){start, end, kind};
}

/* The region of snap (counting ones only) starting at addr, or NULL. */
static const VmsRegion *with_start(const VmsSnapshot *snap, uint64_t addr) {
  size_t i = vms_snapshot_find(snap, addr);
  if (i == SIZE_MAX)
    return NULL;
  const VmsRegion *r = &snap->regions[i];
  return r->start == addr && counts(r) ? r : NULL;
}

static const VmsRegion *with_end(const VmsSnapshot *snap, uint64_t end, uint8_t type) {
  if (end == 0)
    return NULL;
  size_t i = vms_snapshot_find(snap, end - 1);
  if (i == SIZE_MAX)
    return NULL;
  const VmsRegion *r = &snap->regions[i];
  return r->end == end && r->type == type && counts(r) ? r : NULL;
}

static int by_start(const void *a, const void *b) {
  const VmsChange *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start ? 1 : (int)x->kind - (int)y->kind;
}

size_t vms_snapshot_diff(const VmsSnapshot *old_snap, const VmsSnapshot *new_snap,
                         VmsChange **out) {
  ChangeList l = {0};
  *out = NULL;
  if (!old_snap || !new_snap)
    return 0;
  for (size_t i = 0; i < new_snap->n_regions; i++) {
    const VmsRegion *r = &new_snap->regions[i];
    if (!counts(r))
      continue;
    const VmsRegion *o = with_start(old_snap, r->start);
    if (!o)
      o = with_end(old_snap, r->end, r->type);
    if (!o)
      add(&l, r->start, r->end, VMS_CHANGE_NEW);
    else if (r->end - r->start > o->end - o->start)
      add(&l, r->start, r->end, VMS_CHANGE_GROWN);
    else if (r->end - r->start < o->end - o->start)
      add(&l, r->start, r->end, VMS_CHANGE_SHRUNK);
  }
  for (size_t i = 0; i < old_snap->n_regions; i++) {
    const VmsRegion *o = &old_snap->regions[i];
    if (!counts(o))
      continue;
    if (!with_start(new_snap, o->start) && !with_end(new_snap, o->end, o->type))
      add(&l, o->start, o->end, VMS_CHANGE_GONE);
  }
  if (l.oom) {
    free(l.v);
    return 0;
  }
  if (l.n > 1)
    qsort(l.v, l.n, sizeof *l.v, by_start);
  *out = l.v;
  return l.n;
}

static int by_address(const void *a, const void *b) {
  const VmsRegionChange *x = a, *y = b;
  const VmsRegion *rx = x->new_r ? x->new_r : x->old_r, *ry = y->new_r ? y->new_r : y->old_r;
  if (rx->start != ry->start)
    return rx->start < ry->start ? -1 : 1;
  return (int)x->kind - (int)y->kind;
}

size_t vms_snapshot_compare(const VmsSnapshot *old_snap, const VmsSnapshot *new_snap,
                            VmsRegionChange **out) {
  size_t n = 0, cap = 16;
  VmsRegionChange *v = malloc(cap * sizeof *v);
  *out = NULL;
  if (!v)
    return SIZE_MAX;
  for (int pass = 0; pass < 2; pass++) {
    const VmsSnapshot *a = pass ? old_snap : new_snap, *b = pass ? new_snap : old_snap;
    for (size_t i = 0; i < a->n_regions; i++) {
      const VmsRegion *r = &a->regions[i];
      if (!counts(r))
        continue;
      const VmsRegion *o = with_start(b, r->start);
      if (!o)
        o = with_end(b, r->end, r->type);
      VmsRegionChange c = {0};
      if (pass == 1) {
        if (o)
          continue;
        c.kind = VMS_REGION_VANISHED;
        c.old_r = r;
      } else if (!o) {
        c.kind = VMS_REGION_APPEARED;
        c.new_r = r;
      } else {
        c.old_r = o;
        c.new_r = r;
        if (o->type != r->type)
          c.what |= VMS_REGION_TYPE;
        if (o->state != r->state)
          c.what |= VMS_REGION_STATE;
        if (o->prot != r->prot)
          c.what |= VMS_REGION_PROT;
        uint64_t os = o->end - o->start, rs = r->end - r->start;
        if (rs > os)
          c.kind = VMS_REGION_GREW;
        else if (rs < os)
          c.kind = VMS_REGION_SHRANK;
        else if (c.what || o->start != r->start)
          c.kind = VMS_REGION_CHANGED;
        else
          continue;
      }
      if (n == cap) {
        VmsRegionChange *nv = realloc(v, 2 * cap * sizeof *v);
        if (!nv) {
          free(v);
          return SIZE_MAX;
        }
        v = nv;
        cap *= 2;
      }
      v[n++] = c;
    }
  }
  if (n > 1)
    qsort(v, n, sizeof *v, by_address);
  *out = v;
  return n;
}
