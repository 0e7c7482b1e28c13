/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-procmap-linux.c: the regions of a process through the PROCMAP_QUERY ioctl on its maps.
 *
 * One ioctl returns one VMA in binary (no hex to print or parse), and a
 * name only when asked: the kernel's d_path is most of the cost of a file
 * mapping's line in the text. So the walk asks for a name only where it can
 * be new. It guesses each next VMA from the previous walk (or, on the first,
 * from the one before it): where a file mapping is expected it asks without
 * a name, and takes the path from an earlier mapping of the same (device,
 * inode) in this walk or from the same region in the previous one; where
 * anonymous memory is expected it asks with the name buffer, which costs the
 * kernel nothing for unnamed memory. A wrong guess costs a second call. */
#include "vms-linux-private.h"
#include "vms-procmaps-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define NAME_CAP 4096 /* PATH_MAX: the kernel's own limit on the name */

void vms_query_cache_init(VmsQueryCache *cache) {
  memset(cache, 0, sizeof *cache);
  vms_name_pool_init(&cache->names);
}

void vms_query_cache_clear(VmsQueryCache *cache) {
  free(cache->prev);
  free(cache->files);
  free(cache->name_buf);
  vms_name_pool_clear(&cache->names);
  memset(cache, 0, sizeof *cache);
}

static int query(int fd, uint64_t addr, char *name, VmsProcmapQuery *q, uint64_t *calls) {
  memset(q, 0, sizeof *q);
  q->size = sizeof *q;
  q->query_flags = VMS_PMQ_COVERING_OR_NEXT_VMA;
  q->query_addr = addr;
  if (name) {
    q->vma_name_size = NAME_CAP;
    q->vma_name_addr = (uint64_t)(uintptr_t)name;
  }
  (*calls)++;
  while (ioctl(fd, VMS_PROCMAP_QUERY, q) != 0)
    if (errno != EINTR)
      return errno;
  return 0;
}

static void region_of(const VmsProcmapQuery *q, VmsRegion *r) {
  memset(r, 0, sizeof *r);
  r->start = q->vma_start;
  r->end = q->vma_end;
  r->offset = q->vma_offset;
  r->inode = q->inode;
  r->dev = (q->dev_major & 0xfff) << 20 | (q->dev_minor & 0xfffff);
  if (q->vma_flags & VMS_PMQ_VMA_READABLE)
    r->prot |= VMS_PROT_READ;
  if (q->vma_flags & VMS_PMQ_VMA_WRITABLE)
    r->prot |= VMS_PROT_WRITE;
  if (q->vma_flags & VMS_PMQ_VMA_EXECUTABLE)
    r->prot |= VMS_PROT_EXEC;
  if (q->vma_flags & VMS_PMQ_VMA_SHARED)
    r->prot |= VMS_PROT_SHARED;
  if (r->inode)
    r->os |= VMS_OS_FILE; /* as the text parser sets it */
}

/* A file mapping: its path depends on (device, inode) alone. The kernel's
 * pseudo files named in brackets ([anon_shmem:x]) can be renamed in place,
 * so they are asked every time, like anonymous memory. */
static bool file_like(const VmsRegion *r) {
  return r->inode != 0 || r->dev != 0;
}

static bool same_region(const VmsRegion *a, const VmsRegion *b) {
  return a->start == b->start && a->end == b->end && a->offset == b->offset &&
         a->inode == b->inode && a->dev == b->dev && a->prot == b->prot;
}

static size_t file_hash(uint64_t inode, uint32_t dev, size_t cap) {
  uint64_t h = (inode ^ ((uint64_t)dev << 32)) * 0x9e3779b97f4a7c15ULL;
  return (size_t)(h >> 32) & (cap - 1);
}

/* The slot holding (inode, dev), or the empty one where it would go. */
static struct VmsFileSlot *file_slot(VmsQueryCache *c, uint64_t inode, uint32_t dev) {
  for (size_t i = file_hash(inode, dev, c->cap_files);; i = (i + 1) & (c->cap_files - 1)) {
    struct VmsFileSlot *s = &c->files[i];
    if (!s->name || (s->inode == inode && s->dev == dev))
      return s;
  }
}

static const struct VmsFileSlot *file_find(VmsQueryCache *c, const VmsRegion *r) {
  if (!c->cap_files)
    return NULL;
  const struct VmsFileSlot *s = file_slot(c, r->inode, r->dev);
  return s->name ? s : NULL;
}

static bool file_add(VmsQueryCache *c, const VmsRegion *r) {
  if ((c->n_files + 1) * 2 > c->cap_files) {
    size_t ocap = c->cap_files, ncap = ocap ? ocap * 2 : 256;
    struct VmsFileSlot *old = c->files, *nf = calloc(ncap, sizeof *nf);
    if (!nf)
      return false;
    c->files = nf;
    c->cap_files = ncap;
    for (size_t i = 0; i < ocap; i++)
      if (old[i].name)
        *file_slot(c, old[i].inode, old[i].dev) = old[i];
    free(old);
  }
  struct VmsFileSlot *s = file_slot(c, r->inode, r->dev);
  if (!s->name)
    c->n_files++;
  *s = (struct VmsFileSlot){.inode = r->inode, .dev = r->dev, .name = r->name + 1, .os = r->os};
  return true;
}

/* Does the walk expect a file mapping at or after addr? From the previous
 * walk where there is one (cursor *j moves forward only), else from the
 * region just found. */
static bool expect_file(const VmsQueryCache *c, size_t *j, uint64_t addr, const VmsRegion *last) {
  if (c->n_prev) {
    while (*j < c->n_prev && c->prev[*j].end <= addr)
      (*j)++;
    if (*j == c->n_prev)
      return false;
    const VmsRegion *p = &c->prev[*j];
    return file_like(p) && !(p->os & VMS_OS_PSEUDO);
  }
  return last && file_like(last) && !(last->os & VMS_OS_PSEUDO);
}

/* The name of region r (found without one) from what is known, or false. */
static bool known_name(VmsQueryCache *c, size_t j, VmsSpace *space, VmsRegion *r) {
  if (!file_like(r))
    return false;
  const struct VmsFileSlot *s = file_find(c, r);
  if (s) {
    r->name = s->name - 1;
    r->os = s->os;
    return true;
  }
  if (j < c->n_prev && same_region(&c->prev[j], r) && c->prev[j].name) {
    const VmsRegion *p = &c->prev[j];
    const char *name = vms_name_pool_get(&c->names, p->name);
    uint32_t off = vms_name_pool_add(&space->names, name, strlen(name));
    if (off == UINT32_MAX)
      return false;
    r->name = off;
    r->os = p->os;
    return true;
  }
  return false;
}

/* Keeps this walk's file names for the next one. */
static int remember(VmsQueryCache *c, const VmsSpace *space) {
  if (space->n_regions > c->cap_prev) {
    size_t ncap = space->n_regions + space->n_regions / 4 + 16;
    VmsRegion *p = realloc(c->prev, ncap * sizeof *p);
    if (!p)
      return ENOMEM;
    c->prev = p;
    c->cap_prev = ncap;
  }
  vms_name_pool_reset(&c->names);
  for (size_t i = 0; i < space->n_regions; i++) {
    VmsRegion p = space->regions[i];
    if (p.name && file_like(&p) && !(p.os & VMS_OS_PSEUDO)) {
      const char *name = vms_name_pool_get(&space->names, p.name);
      p.name = vms_name_pool_add(&c->names, name, strlen(name));
      if (p.name == UINT32_MAX)
        return ENOMEM;
    } else {
      p.name = 0;
    }
    c->prev[i] = p;
  }
  c->n_prev = space->n_regions;
  return 0;
}

int vms_query_walk(int fd, VmsQueryCache *c, VmsSpace *space) {
  if (!c->name_buf && !(c->name_buf = malloc(NAME_CAP)))
    return ENOMEM;
  if (c->cap_files)
    memset(c->files, 0, c->cap_files * sizeof *c->files);
  c->n_files = 0;
  c->calls = 0;
  size_t j = 0;
  uint64_t addr = 0;
  const VmsRegion *last = NULL;
  for (;;) {
    VmsProcmapQuery q;
    bool asked = !expect_file(c, &j, addr, last);
    int e = query(fd, addr, asked ? c->name_buf : NULL, &q, &c->calls);
    if (e == ENOENT)
      break; /* no VMA at or above addr: the walk is done */
    if (e)
      return e;
    VmsRegion r;
    region_of(&q, &r);
    if (!asked) {
      while (j < c->n_prev && c->prev[j].start < r.start)
        j++;
      if (!known_name(c, j, space, &r)) {
        /* Ask again with the name; the answer replaces the first. */
        if ((e = query(fd, r.start, c->name_buf, &q, &c->calls)) != 0)
          return e == ENOENT ? ESRCH : e;
        region_of(&q, &r);
        asked = true;
      }
    }
    if (space->n_regions && r.start < space->regions[space->n_regions - 1].end)
      return EIO; /* the kernel never answers out of order */
    VmsRegion *slot = vms_space_add_region(space);
    if (!slot)
      return ENOMEM;
    *slot = r;
    if (asked && q.vma_name_size > 1) {
      const char *name = c->name_buf;
      size_t n = q.vma_name_size - 1; /* the size counts the NUL */
      if (vms_maps_store_name(space, slot, name, strnlen(name, n), false))
        return ENOMEM;
    }
    if (asked && slot->name && file_like(slot) && !(slot->os & VMS_OS_PSEUDO) && !file_add(c, slot))
      return ENOMEM;
    last = slot;
    if (r.end <= addr)
      return EIO;
    addr = r.end;
  }
  space->fields |= VMS_FIELD_OFFSET | VMS_FIELD_DEV_INODE | VMS_FIELD_NAMES | VMS_FIELD_MAPS_QUERY;
  return remember(c, space);
}

int vms_query_walk_bare(int fd, VmsSpace *check) {
  uint64_t addr = 0, calls = 0;
  for (;;) {
    VmsProcmapQuery q;
    int e = query(fd, addr, NULL, &q, &calls);
    if (e == ENOENT)
      return 0;
    if (e)
      return e;
    VmsRegion *r = vms_space_add_region(check);
    if (!r)
      return ENOMEM;
    region_of(&q, r);
    if (r->end <= addr)
      return EIO;
    addr = r->end;
  }
}
