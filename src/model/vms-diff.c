/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-diff.c: which regions appeared, grew, shrank or went away between two snapshots.
 *
 * A region keeps its identity across snapshots by its start address, or,
 * failing that, by its end address and type: a stack grows down, so its
 * start moves while its end stays. Free and unusable space is not a region
 * of anyone's, so it takes no part. */
#include <stdlib.h>
#include <string.h>

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

/* ---- barriers ---- */

const char *vms_barrier_change_name(VmsBarrierChangeKind kind) {
  switch (kind) {
  case VMS_BARRIER_APPEARED: return "appeared";
  case VMS_BARRIER_VANISHED: return "vanished";
  case VMS_BARRIER_GAIN: return "gain";
  }
  return "?";
}

const char *vms_group_change_name(VmsGroupChangeKind kind) {
  switch (kind) {
  case VMS_GROUP_APPEARED: return "appeared";
  case VMS_GROUP_VANISHED: return "vanished";
  case VMS_GROUP_CHANGED: return "changed";
  }
  return "?";
}

static int by_barrier_address(const void *a, const void *b) {
  const VmsBarrierChange *x = a, *y = b;
  const VmsBarrier *bx = x->new_b ? x->new_b : x->old_b, *by = y->new_b ? y->new_b : y->old_b;
  if (bx->start != by->start)
    return bx->start < by->start ? -1 : 1;
  return (int)x->kind - (int)y->kind;
}

static uint64_t group_gain(const VmsBarriers *b, const VmsBarrierGroupStats *g) {
  return g->largest_without > b->largest ? g->largest_without - b->largest : 0;
}

VmsErrorCode vms_barriers_diff(const VmsSnapshot *older, const VmsSnapshot *newer, bool ranged,
                               uint64_t lo, uint64_t hi, uint64_t usable_min, VmsBarriers *a,
                               VmsBarriers *b, VmsBarrierDiff *out, VmsError *err) {
  memset(a, 0, sizeof *a);
  memset(b, 0, sizeof *b);
  out->n_barriers = out->n_groups = 0;
  const VmsBarrierOptions bo = {.top = VMS_BARRIER_DIFF_TOP, .usable_min = usable_min};
  const VmsSnapshot *side[2] = {older, newer};
  VmsBarriers *into[2] = {a, b};
  for (int k = 0; k < 2; k++) {
    VmsBarrierScope scope;
    if (ranged)
      vms_barrier_scope_given(lo, hi, &scope);
    else
      vms_barrier_scope_default(side[k], &scope);
    VmsErrorCode rc = vms_barriers_compute(side[k], &scope, &bo, into[k], err);
    if (rc != VMS_OK)
      return rc;
  }
  vms_barriers_compare(a, b, out);
  return VMS_OK;
}

void vms_barriers_compare(const VmsBarriers *a, const VmsBarriers *b, VmsBarrierDiff *out) {
  out->n_barriers = out->n_groups = 0;
  /* match[i]: the index in b->by_gain of a->by_gain[i]'s barrier, or SIZE_MAX. */
  size_t match[VMS_BARRIERS_MAX_TOP];
  bool taken[VMS_BARRIERS_MAX_TOP] = {false};
  for (size_t i = 0; i < a->n_by_gain; i++)
    match[i] = SIZE_MAX;
  /* By start first, then by end for what is left: a start match is the stronger. */
  for (int by_end = 0; by_end < 2; by_end++)
    for (size_t i = 0; i < a->n_by_gain; i++)
      for (size_t k = 0; match[i] == SIZE_MAX && k < b->n_by_gain; k++) {
        const VmsBarrier *x = &a->by_gain[i], *y = &b->by_gain[k];
        if (!taken[k] && (by_end ? x->end == y->end : x->start == y->start)) {
          match[i] = k;
          taken[k] = true;
        }
      }
  for (size_t i = 0; i < a->n_by_gain; i++) {
    const VmsBarrier *x = &a->by_gain[i];
    if (match[i] == SIZE_MAX)
      out->barriers[out->n_barriers++] = (VmsBarrierChange){VMS_BARRIER_VANISHED, x, NULL};
    else if (b->by_gain[match[i]].gain != x->gain)
      out->barriers[out->n_barriers++] =
          (VmsBarrierChange){VMS_BARRIER_GAIN, x, &b->by_gain[match[i]]};
  }
  for (size_t k = 0; k < b->n_by_gain; k++)
    if (!taken[k])
      out->barriers[out->n_barriers++] =
          (VmsBarrierChange){VMS_BARRIER_APPEARED, NULL, &b->by_gain[k]};
  if (out->n_barriers > 1)
    qsort(out->barriers, out->n_barriers, sizeof *out->barriers, by_barrier_address);

  for (int g = 0; g < VMS_BGROUP_COUNT; g++) {
    const VmsBarrierGroupStats *x = &a->groups[g], *y = &b->groups[g];
    VmsGroupChange c = {0, (VmsBarrierGroup)g, x, y, group_gain(a, x), group_gain(b, y)};
    if (!x->units && y->units)
      c.kind = VMS_GROUP_APPEARED;
    else if (x->units && !y->units)
      c.kind = VMS_GROUP_VANISHED;
    else if (x->units != y->units || x->bytes != y->bytes || x->walls != y->walls ||
             c.old_gain != c.new_gain)
      c.kind = VMS_GROUP_CHANGED;
    else
      continue;
    out->groups[out->n_groups++] = c;
  }
}
