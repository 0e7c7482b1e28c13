/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-pagemap-linux.c: resident, swapped and huge-page bytes per region from the page tables.
 *
 * PAGEMAP_SCAN walks the whole user range in one call per few thousand runs
 * and answers with runs of pages that share their categories, so its cost
 * follows the number of resident runs, not of pages. Where the kernel lacks
 * it, the 8-byte pagemap entries of each region are read instead (8 bytes a
 * page of address space, and no word on huge pages). Either only reads: no
 * write-protection is asked (VMS_PM_SCAN_WP_MATCHING is never set) and
 * nothing is cleared, so the target's memory and its soft-dirty or
 * written-since state are left as they were. */
#include "vms-linux-private.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Set in covered[] for a region next to pages the walk did not see. */
#define CHANGED (1ULL << 63)

static inline void add_run(VmsCounters *c, uint64_t len, uint64_t categories, bool only_huge) {
  if (categories & VMS_PAGE_IS_PRESENT) {
    /* The shared zero page is mapped but is no memory of the process:
     * smaps leaves it out of Rss, and so does this. */
    if (!only_huge && !(categories & VMS_PAGE_IS_PFNZERO))
      c->rss += len;
    if (categories & VMS_PAGE_IS_HUGE)
      c->huge += len;
  } else if ((categories & VMS_PAGE_IS_SWAPPED) && !only_huge) {
    c->swap += len;
  }
}

/* Clears what this pass will add to, so a counter read twice never sums. */
static void start_counters(VmsSpace *space, uint64_t hi, bool only_huge, uint32_t bits) {
  for (size_t i = 0; i < space->n_regions && space->regions[i].start < hi; i++) {
    VmsCounters *c = &space->counters[i];
    if (!only_huge) {
      c->rss = 0;
      c->swap = 0;
    }
    c->huge = 0;
    c->mask &= ~bits;
  }
}

/* The kernel's own special mappings the scan skips (VM_PFNMAP, VM_IO), which
 * hold no memory of the process's: smaps shows them with Rss 0 too. */
static bool kernel_special(const VmsSpace *space, const VmsRegion *g) {
  if (!(g->os & VMS_OS_PSEUDO) || (g->os & (VMS_OS_ANON_NAME | VMS_OS_ANON_SHMEM)))
    return false;
  const char *name = vms_name_pool_get(&space->names, g->name);
  return strcmp(name, "[vvar]") == 0 || strcmp(name, "[vvar_vclock]") == 0;
}

/* One PAGEMAP_SCAN call over [at, end): the runs into vec, their count
 * returned, or -errno. Every page of every VMA, present or not (no
 * category masks): the runs then also say which addresses are mapped at
 * the time of the scan, which is how a region that moved, grew or went
 * since the walk is told apart. */
static long scan_once(int fd, VmsPmScanArg *arg, uint64_t at, uint64_t end, VmsPageRegion *vec,
                      size_t vec_len, uint64_t return_mask) {
  memset(arg, 0, sizeof *arg);
  arg->size = sizeof *arg;
  arg->flags = 0; /* never VMS_PM_SCAN_WP_MATCHING: a scan must not change the target */
  arg->start = at;
  arg->end = end;
  arg->vec = (uint64_t)(uintptr_t)vec;
  arg->vec_len = vec_len;
  arg->return_mask = return_mask;
  long n;
  while ((n = ioctl(fd, VMS_PAGEMAP_SCAN, arg)) < 0)
    if (errno != EINTR)
      return -errno;
  return n;
}

int vms_pagemap_scan(int fd, VmsSpace *space, uint64_t hi, bool only_huge, VmsPageRegion *vec,
                     size_t vec_len, uint64_t *covered, uint32_t *mask, size_t *uncovered) {
  const uint32_t bits = only_huge ? VMS_CTR_HUGE : VMS_CTR_RSS | VMS_CTR_SWAP | VMS_CTR_HUGE;
  *mask = 0;
  *uncovered = 0;
  if (space->n_regions == 0 || space->regions[0].start >= hi)
    return 0;
  start_counters(space, hi, only_huge, bits);
  memset(covered, 0, space->n_regions * sizeof *covered);
  VmsPmScanArg arg;
  uint64_t at = space->regions[0].start;
  size_t i = 0;          /* the first region that can hold the next run */
  uint64_t counted = at; /* pages below this are counted */
  while (at < hi) {
    long n = scan_once(fd, &arg, at, hi, vec, vec_len,
                       VMS_PAGE_IS_PRESENT | VMS_PAGE_IS_SWAPPED | VMS_PAGE_IS_HUGE |
                           VMS_PAGE_IS_PFNZERO);
    if (n < 0)
      return (int)-n;
    for (long k = 0; k < n; k++) {
      /* Counted once: a run is clipped to what no earlier answer covered
       * and to where this walk says it ended (with a full vec the kernel
       * can return a run reaching past walk_end, which the next call then
       * reports again). */
      VmsPageRegion clipped = vec[k];
      if (clipped.start < counted)
        clipped.start = counted;
      if (clipped.end > arg.walk_end)
        clipped.end = arg.walk_end;
      if (clipped.start >= clipped.end)
        continue;
      counted = clipped.end;
      const VmsPageRegion *run = &clipped;
      while (i < space->n_regions && space->regions[i].end <= run->start)
        i++;
      /* A run may span regions that touch: split it at their bounds. Pages
       * between regions were mapped since the walk: they count for none,
       * and the regions on either side may have grown or been replaced. */
      uint64_t cur = run->start;
      size_t r = i;
      for (; r < space->n_regions && space->regions[r].start < run->end; r++) {
        const VmsRegion *g = &space->regions[r];
        if (g->start > cur) {
          covered[r] |= CHANGED;
          if (r > 0)
            covered[r - 1] |= CHANGED;
        }
        uint64_t a = run->start > g->start ? run->start : g->start;
        uint64_t b = run->end < g->end ? run->end : g->end;
        if (a < b) {
          covered[r] += b - a;
          add_run(&space->counters[r], b - a, run->categories, only_huge);
        }
        if (g->end > cur)
          cur = g->end;
      }
      if (cur < run->end) {
        if (r > 0)
          covered[r - 1] |= CHANGED;
        if (r < space->n_regions)
          covered[r] |= CHANGED;
      }
    }
    if (arg.walk_end <= at || arg.walk_end > hi)
      return EIO;
    at = arg.walk_end;
  }
  /* A region the scan did not cover whole changed since the walk (or is
   * device memory the scan skips): its counters stay unread. */
  for (size_t r = 0; r < space->n_regions && space->regions[r].start < hi; r++) {
    const VmsRegion *g = &space->regions[r];
    if (g->end > hi)
      break;
    if (covered[r] == g->end - g->start || (covered[r] == 0 && kernel_special(space, g)))
      space->counters[r].mask |= bits;
    else
      (*uncovered)++;
  }
  *mask = bits;
  return 0;
}

/* The entries of pages [page, last), as many as fit in buf: their count,
 * or -errno (-ESRCH when the address space is gone). */
static long entries_at(int fd, uint64_t *buf, size_t buf_len, uint64_t page, uint64_t last) {
  size_t want = last - page < buf_len ? (size_t)(last - page) : buf_len;
  for (;;) {
    ssize_t got = pread(fd, buf, want * sizeof *buf, (off_t)(page * sizeof *buf));
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      return -errno;
    return got == 0 ? -ESRCH : (long)((size_t)got / sizeof *buf);
  }
}

int vms_pagemap_entries(int fd, VmsSpace *space, uint64_t hi, bool only_huge, uint64_t page_size,
                        uint64_t max_region, uint64_t *buf, size_t buf_len, uint32_t *mask) {
  *mask = 0;
  if (only_huge)
    return 0; /* entries say nothing of huge pages, and smaps has the rest */
  const uint32_t bits = VMS_CTR_RSS | VMS_CTR_SWAP;
  start_counters(space, hi, false, bits);
  for (size_t i = 0; i < space->n_regions; i++) {
    const VmsRegion *g = &space->regions[i];
    if (g->end > hi)
      break;
    if (g->end - g->start > max_region)
      continue; /* left unread: its mask says so */
    VmsCounters *c = &space->counters[i];
    uint64_t page = g->start / page_size, last = g->end / page_size;
    while (page < last) {
      long got = entries_at(fd, buf, buf_len, page, last);
      if (got < 0)
        return (int)-got;
      size_t k = (size_t)got;
      for (size_t e = 0; e < k; e++) {
        if (buf[e] & VMS_PM_PRESENT)
          c->rss += page_size;
        else if (buf[e] & VMS_PM_SWAPPED)
          c->swap += page_size;
      }
      page += k;
    }
    c->mask |= bits;
  }
  *mask = bits;
  return 0;
}

static VmsPageState state_of(uint64_t categories) {
  if ((categories & VMS_PAGE_IS_PRESENT) && !(categories & VMS_PAGE_IS_PFNZERO))
    return VMS_PAGE_RESIDENT;
  if (!(categories & VMS_PAGE_IS_PRESENT) && (categories & VMS_PAGE_IS_SWAPPED))
    return VMS_PAGE_SWAPPED;
  return VMS_PAGE_UNTOUCHED;
}

/* Adds a run unless the map is full, then says where reading stopped. */
static int add_page_run(VmsPageMap *map, uint64_t a, uint64_t b, VmsPageState state) {
  if (map->n_runs >= VMS_PAGE_MAP_MAX_RUNS &&
      !(map->runs[map->n_runs - 1].end == a && map->runs[map->n_runs - 1].state == state)) {
    map->read_end = a;
    return E2BIG;
  }
  if (vms_page_map_add(map, a, b, state) != VMS_OK)
    return ENOMEM;
  map->read_end = b;
  return 0;
}

int vms_pagemap_scan_pages(int fd, uint64_t start, uint64_t end, VmsPageRegion *vec, size_t vec_len,
                           VmsPageMap *map) {
  VmsPmScanArg arg;
  uint64_t at = start, counted = start;
  while (at < end) {
    long n = scan_once(fd, &arg, at, end, vec, vec_len,
                       VMS_PAGE_IS_PRESENT | VMS_PAGE_IS_SWAPPED | VMS_PAGE_IS_PFNZERO);
    if (n < 0)
      return (int)-n;
    for (long k = 0; k < n; k++) {
      /* Clipped as in vms_pagemap_scan: each page once, none past walk_end. */
      uint64_t a = vec[k].start < counted ? counted : vec[k].start;
      uint64_t b = vec[k].end > arg.walk_end ? arg.walk_end : vec[k].end;
      if (a >= b)
        continue;
      counted = b;
      int e = add_page_run(map, a, b, state_of(vec[k].categories));
      if (e == E2BIG)
        return 0;
      if (e)
        return e;
    }
    if (arg.walk_end <= at || arg.walk_end > end)
      return EIO;
    at = arg.walk_end;
  }
  map->read_end = end;
  return 0;
}

int vms_pagemap_entries_pages(int fd, const VmsSpace *vmas, uint64_t start, uint64_t end,
                              uint64_t page_size, uint64_t max_region, uint64_t *buf,
                              size_t buf_len, VmsPageMap *map) {
  for (size_t i = vms_space_lower_bound(vmas, start);
       i < vmas->n_regions && vmas->regions[i].start < end; i++) {
    const VmsRegion *g = &vmas->regions[i];
    if (g->end - g->start > max_region)
      continue; /* left unread: no runs, so not covered */
    uint64_t page = (g->start > start ? g->start : start) / page_size;
    uint64_t last = (g->end < end ? g->end : end) / page_size;
    while (page < last) {
      long got = entries_at(fd, buf, buf_len, page, last);
      if (got < 0)
        return (int)-got;
      size_t k = (size_t)got;
      for (size_t e = 0; e < k; e++) {
        VmsPageState s = (buf[e] & VMS_PM_PRESENT)   ? VMS_PAGE_RESIDENT
                         : (buf[e] & VMS_PM_SWAPPED) ? VMS_PAGE_SWAPPED
                                                     : VMS_PAGE_UNTOUCHED;
        uint64_t a = (page + e) * page_size;
        int err = add_page_run(map, a, a + page_size, s);
        if (err == E2BIG)
          return 0;
        if (err)
          return err;
      }
      page += k;
    }
  }
  map->read_end = end;
  return 0;
}
