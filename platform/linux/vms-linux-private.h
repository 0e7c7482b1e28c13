/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-linux-private.h: the ioctl walk of /proc/PID/maps and the page scan, for the Linux target. */
#pragma once

#include "vms-platform.h"
#include "vms-linux-abi.h"

/* What the previous walk of one target learnt about its file mappings, so a
 * path is fetched (d_path in the kernel, the dearest part of a query) only
 * where it can be new. Anonymous names are not kept: they cost the kernel
 * a short snprintf, and one can change without its region changing (glibc
 * renames a cached thread stack for its next thread). */
typedef struct {
  VmsRegion *prev; /* the previous walk, sorted; names offsets in `names` */
  size_t n_prev, cap_prev;
  VmsNamePool names;
  /* (device, inode) -> name within one walk: open addressing, 0 = empty */
  struct VmsFileSlot {
    uint64_t inode;
    uint32_t dev, name; /* name: offset in the space's pool, plus one */
    uint16_t os;
  } * files;
  size_t n_files, cap_files;
  char *name_buf; /* PATH_MAX bytes for names the kernel writes */
  uint64_t calls; /* ioctls made by the last walk, for the benchmark */
} VmsQueryCache;

void vms_query_cache_init(VmsQueryCache *cache);
void vms_query_cache_clear(VmsQueryCache *cache);

/* Appends the regions of maps_fd (an open /proc/PID/maps) to space with
 * PROCMAP_QUERY. Returns 0 or the errno that stopped it: ENOTTY (a kernel
 * without the ioctl), EACCES or EPERM (refused), ESRCH (the address space is
 * gone), ENOMEM, or another. On failure space holds a partial walk. */
int vms_query_walk(int maps_fd, VmsQueryCache *cache, VmsSpace *space);
/* The same walk without names (a check of what changed), into check. */
int vms_query_walk_bare(int maps_fd, VmsSpace *check);

/* Per-region residency into space->counters (reserved by the caller, one
 * per region): resident, swapped and huge bytes of every region below hi.
 * only_huge: smaps has filled rss and swap already. covered: scratch, one
 * per region. A region the scan does not find mapped whole is left unread
 * and counted in *uncovered. Returns 0 or an errno (ENOTTY: no
 * PAGEMAP_SCAN). Sets the VMS_CTR_* bits it filled in *mask. */
int vms_pagemap_scan(int pagemap_fd, VmsSpace *space, uint64_t hi, bool only_huge,
                     VmsPageRegion *vec, size_t vec_len, uint64_t *covered, uint32_t *mask,
                     size_t *uncovered);
/* The same from 8-byte pagemap entries: rss and swap, no huge pages;
 * regions larger than max_region are left unread. Entries cannot tell an
 * unmapped page from an absent one: the caller looks at the regions again. */
int vms_pagemap_entries(int pagemap_fd, VmsSpace *space, uint64_t hi, bool only_huge,
                        uint64_t page_size, uint64_t max_region, uint64_t *buf, size_t buf_len,
                        uint32_t *mask);

/* The page states of [start, end) into map (runs appended, read_end
 * advanced) with PAGEMAP_SCAN; stops early, read_end saying where, when
 * the map holds VMS_PAGE_MAP_MAX_RUNS. Returns 0 or an errno. */
int vms_pagemap_scan_pages(int pagemap_fd, uint64_t start, uint64_t end, VmsPageRegion *vec,
                           size_t vec_len, VmsPageMap *map);
/* The same from 8-byte entries, page by page within the regions of vmas
 * (which the caller read just before and checks again after: entries
 * cannot tell an unmapped page from an untouched one); regions larger than
 * max_region are left unread. */
int vms_pagemap_entries_pages(int pagemap_fd, const VmsSpace *vmas, uint64_t start, uint64_t end,
                              uint64_t page_size, uint64_t max_region, uint64_t *buf,
                              size_t buf_len, VmsPageMap *map);
