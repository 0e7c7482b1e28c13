/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-space.c: the raw-facts container (VmsSpace) and its interned name pool. */
#include "vms-platform.h"

#include <stdlib.h>
#include <string.h>

/* ---- Name pool ---- */

void vms_name_pool_init(VmsNamePool *pool) {
  memset(pool, 0, sizeof *pool);
}

void vms_name_pool_clear(VmsNamePool *pool) {
  free(pool->data);
  free(pool->slots);
  memset(pool, 0, sizeof *pool);
}

void vms_name_pool_reset(VmsNamePool *pool) {
  if (pool->data) {
    pool->data[0] = '\0';
    pool->len = 1;
  }
  if (pool->slots)
    memset(pool->slots, 0, pool->nslots * sizeof *pool->slots);
  pool->count = 0;
}

void vms_name_pool_seal(VmsNamePool *pool) {
  free(pool->slots);
  pool->slots = NULL;
  pool->nslots = 0;
  pool->count = 0;
  /* Give back the slack: a sealed pool never grows again. */
  if (pool->data && pool->cap > pool->len) {
    char *p = realloc(pool->data, pool->len);
    if (p) {
      pool->data = p;
      pool->cap = pool->len;
    }
  }
}

static uint32_t name_hash(const char *s, size_t n) {
  /* FNV-1a: names are short and this runs once per mapping. */
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

static bool pool_grow_slots(VmsNamePool *pool) {
  uint32_t n = pool->nslots ? pool->nslots * 2 : 256;
  uint32_t *slots = calloc(n, sizeof *slots);
  if (!slots)
    return false;
  for (uint32_t i = 0; i < pool->nslots; i++) {
    uint32_t off = pool->slots[i];
    if (!off)
      continue;
    const char *s = pool->data + off;
    uint32_t j = name_hash(s, strlen(s)) & (n - 1);
    while (slots[j])
      j = (j + 1) & (n - 1);
    slots[j] = off;
  }
  free(pool->slots);
  pool->slots = slots;
  pool->nslots = n;
  return true;
}

uint32_t vms_name_pool_add(VmsNamePool *pool, const char *s, size_t n) {
  if (n == 0)
    return 0;
  if (n > UINT32_MAX / 4)
    return UINT32_MAX;
  if (!pool->data) {
    pool->cap = 4096;
    pool->data = malloc(pool->cap);
    if (!pool->data)
      return UINT32_MAX;
    pool->data[0] = '\0';
    pool->len = 1;
  }
  if ((pool->count + 1) * 2 > pool->nslots && !pool_grow_slots(pool))
    return UINT32_MAX;
  uint32_t mask = pool->nslots - 1;
  uint32_t j = name_hash(s, n) & mask;
  while (pool->slots[j]) {
    const char *have = pool->data + pool->slots[j];
    /* strnlen first: never read past the stored name's terminator. */
    if (strnlen(have, n + 1) == n && memcmp(have, s, n) == 0)
      return pool->slots[j];
    j = (j + 1) & mask;
  }
  if ((uint64_t)pool->len + n + 1 > UINT32_MAX)
    return UINT32_MAX;
  if (pool->len + n + 1 > pool->cap) {
    uint64_t cap = pool->cap;
    while (cap < (uint64_t)pool->len + n + 1)
      cap *= 2;
    if (cap > UINT32_MAX)
      cap = UINT32_MAX;
    char *p = realloc(pool->data, cap);
    if (!p)
      return UINT32_MAX;
    pool->data = p;
    pool->cap = (uint32_t)cap;
  }
  uint32_t off = pool->len;
  memcpy(pool->data + off, s, n);
  pool->data[off + n] = '\0';
  pool->len += (uint32_t)n + 1;
  pool->slots[j] = off;
  pool->count++;
  return off;
}

/* ---- Space ---- */

void vms_space_init(VmsSpace *space) {
  memset(space, 0, sizeof *space);
  vms_name_pool_init(&space->names);
}

void vms_space_reset(VmsSpace *space) {
  VmsRegion *regions = space->regions;
  size_t cap_regions = space->cap_regions;
  VmsCounters *counters = space->counters;
  size_t cap_counters = space->cap_counters;
  VmsThread *threads = space->threads;
  size_t cap_threads = space->cap_threads;
  VmsRange *heaps = space->heaps;
  size_t cap_heaps = space->cap_heaps;
  VmsNamePool names = space->names;

  memset(space, 0, sizeof *space);
  space->regions = regions;
  space->cap_regions = cap_regions;
  space->counters = counters;
  space->cap_counters = cap_counters;
  space->threads = threads;
  space->cap_threads = cap_threads;
  space->heaps = heaps;
  space->cap_heaps = cap_heaps;
  space->names = names;
  vms_name_pool_reset(&space->names);
}

void vms_space_clear(VmsSpace *space) {
  free(space->regions);
  free(space->counters);
  free(space->threads);
  free(space->heaps);
  vms_name_pool_clear(&space->names);
  vms_space_init(space);
}

static bool grow(void **buf, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap)
    return true;
  size_t n = *cap ? *cap : 64;
  while (n < need)
    n *= 2;
  void *p = realloc(*buf, n * elem);
  if (!p)
    return false;
  *buf = p;
  *cap = n;
  return true;
}

VmsRegion *vms_space_add_region(VmsSpace *space) {
  if (!grow((void **)&space->regions, &space->cap_regions, space->n_regions + 1,
            sizeof *space->regions))
    return NULL;
  VmsRegion *r = &space->regions[space->n_regions++];
  memset(r, 0, sizeof *r);
  return r;
}

size_t vms_regions_lower_bound(const VmsRegion *regions, size_t n, uint64_t addr) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (regions[mid].end <= addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

size_t vms_space_lower_bound(const VmsSpace *space, uint64_t addr) {
  return vms_regions_lower_bound(space->regions, space->n_regions, addr);
}

size_t vms_space_find(const VmsSpace *space, uint64_t addr) {
  size_t i = vms_space_lower_bound(space, addr);
  return i < space->n_regions && space->regions[i].start <= addr ? i : SIZE_MAX;
}

VmsErrorCode vms_space_add_thread(VmsSpace *space, const VmsThread *t) {
  if (!grow((void **)&space->threads, &space->cap_threads, space->n_threads + 1,
            sizeof *space->threads))
    return VMS_ERR_NOMEM;
  space->threads[space->n_threads++] = *t;
  return VMS_OK;
}

VmsErrorCode vms_space_add_heap(VmsSpace *space, uint64_t start, uint64_t end) {
  if (!grow((void **)&space->heaps, &space->cap_heaps, space->n_heaps + 1, sizeof *space->heaps))
    return VMS_ERR_NOMEM;
  space->heaps[space->n_heaps++] = (VmsRange){start, end};
  return VMS_OK;
}

VmsErrorCode vms_space_reserve_counters(VmsSpace *space, size_t n) {
  size_t old = space->counters ? space->cap_counters : 0;
  if (!grow((void **)&space->counters, &space->cap_counters, n, sizeof *space->counters))
    return VMS_ERR_NOMEM;
  if (space->cap_counters > old)
    memset(space->counters + old, 0, (space->cap_counters - old) * sizeof *space->counters);
  return VMS_OK;
}

/* ---- Page maps ---- */

void vms_page_map_init(VmsPageMap *map) {
  memset(map, 0, sizeof *map);
}

void vms_page_map_clear(VmsPageMap *map) {
  free(map->runs);
  vms_page_map_init(map);
}

VmsPageMap *vms_page_map_new(void) {
  VmsPageMap *map = malloc(sizeof *map);
  if (map)
    vms_page_map_init(map);
  return map;
}

void vms_page_map_free(VmsPageMap *map) {
  if (!map)
    return;
  free(map->runs);
  free(map);
}

VmsPageMap *vms_page_map_copy(const VmsPageMap *map) {
  VmsPageMap *copy = vms_page_map_new();
  if (!copy)
    return NULL;
  *copy = *map;
  copy->runs = NULL;
  copy->cap_runs = copy->n_runs;
  if (map->n_runs) {
    copy->runs = malloc(map->n_runs * sizeof *copy->runs);
    if (!copy->runs) {
      free(copy);
      return NULL;
    }
    memcpy(copy->runs, map->runs, map->n_runs * sizeof *copy->runs);
  }
  return copy;
}

VmsErrorCode vms_page_map_add(VmsPageMap *map, uint64_t start, uint64_t end, VmsPageState state) {
  if (start >= end)
    return VMS_OK;
  if (map->n_runs) {
    VmsPageRun *last = &map->runs[map->n_runs - 1];
    if (last->end == start && last->state == (uint32_t)state) {
      last->end = end;
      return VMS_OK;
    }
  }
  if (!grow((void **)&map->runs, &map->cap_runs, map->n_runs + 1, sizeof *map->runs))
    return VMS_ERR_NOMEM;
  map->runs[map->n_runs++] = (VmsPageRun){start, end, (uint32_t)state};
  return VMS_OK;
}

size_t vms_page_map_lower_bound(const VmsPageMap *map, uint64_t addr) {
  size_t lo = 0, hi = map->n_runs;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (map->runs[mid].end <= addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

bool vms_page_map_covers(const VmsPageMap *map, uint64_t start, uint64_t end) {
  if (start < map->start || end > map->read_end)
    return false;
  uint64_t at = start;
  for (size_t i = vms_page_map_lower_bound(map, start); i < map->n_runs && at < end; i++) {
    if (map->runs[i].start > at)
      return false;
    at = map->runs[i].end;
  }
  return at >= end;
}
