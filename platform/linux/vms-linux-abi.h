/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-linux-abi.h: the two procfs ioctls vmscope uses, defined here from the kernel's UAPI.
 *
 * PROCMAP_QUERY (Linux 6.11, on /proc/PID/maps) and PAGEMAP_SCAN (Linux 6.7,
 * on /proc/PID/pagemap) postdate the headers of the distributions vmscope
 * builds on, so their ABI is spelled out here, under names of our own so a
 * newer <linux/fs.h> never clashes, and the sizes are checked: the kernel
 * reads `size` to know which version of the structure it was given. */
#pragma once

#include <stdint.h>
#include <sys/ioctl.h>

/* ---- PROCMAP_QUERY: one VMA per call, by address ---- */

enum {
  VMS_PMQ_VMA_READABLE = 0x01,
  VMS_PMQ_VMA_WRITABLE = 0x02,
  VMS_PMQ_VMA_EXECUTABLE = 0x04,
  VMS_PMQ_VMA_SHARED = 0x08,
  /* The VMA covering query_addr, or else the first one above it. */
  VMS_PMQ_COVERING_OR_NEXT_VMA = 0x10,
};

typedef struct {
  uint64_t size;          /* in: sizeof this structure */
  uint64_t query_flags;   /* in: VMS_PMQ_* */
  uint64_t query_addr;    /* in */
  uint64_t vma_start;     /* out */
  uint64_t vma_end;       /* out */
  uint64_t vma_flags;     /* out: VMS_PMQ_VMA_* */
  uint64_t vma_page_size; /* out */
  uint64_t vma_offset;    /* out: file offset, 0 for anonymous memory */
  uint64_t inode;         /* out */
  uint32_t dev_major;     /* out */
  uint32_t dev_minor;     /* out */
  uint32_t vma_name_size; /* in: buffer size, 0 = no name; out: length with the NUL, 0 = none */
  uint32_t build_id_size; /* in/out; vmscope passes 0 */
  uint64_t vma_name_addr; /* in: user buffer for the name */
  uint64_t build_id_addr; /* in */
} VmsProcmapQuery;

_Static_assert(sizeof(VmsProcmapQuery) == 104, "struct procmap_query is 104 bytes");

/* _IOWR('f', 17, struct procmap_query) */
#define VMS_PROCMAP_QUERY _IOWR('f', 17, VmsProcmapQuery)

/* ---- PAGEMAP_SCAN: runs of pages with the same categories ---- */

enum {
  VMS_PAGE_IS_WPALLOWED = 1u << 0,
  VMS_PAGE_IS_WRITTEN = 1u << 1,
  VMS_PAGE_IS_FILE = 1u << 2,
  VMS_PAGE_IS_PRESENT = 1u << 3,
  VMS_PAGE_IS_SWAPPED = 1u << 4,
  VMS_PAGE_IS_PFNZERO = 1u << 5,
  VMS_PAGE_IS_HUGE = 1u << 6,
};

/* pm_scan_arg.flags. vmscope sets neither: write-protecting the target's
 * pages (WP_MATCHING) would change it, and CHECK_WPASYNC only matters then.
 * Named so the code can say it never uses them. */
enum {
  VMS_PM_SCAN_WP_MATCHING = 1u << 0,
  VMS_PM_SCAN_CHECK_WPASYNC = 1u << 1,
};

typedef struct {
  uint64_t start, end; /* [start, end) */
  uint64_t categories; /* VMS_PAGE_IS_* of every page in the run, masked by return_mask */
} VmsPageRegion;

typedef struct {
  uint64_t size;                /* sizeof this structure */
  uint64_t flags;               /* VMS_PM_SCAN_*: always 0 here */
  uint64_t start, end;          /* the range to walk, page-aligned */
  uint64_t walk_end;            /* out: where the walk stopped (end, or where vec filled up) */
  uint64_t vec;                 /* user array of VmsPageRegion */
  uint64_t vec_len;             /* its length */
  uint64_t max_pages;           /* 0: no limit */
  uint64_t category_inverted;   /* categories tested for their absence */
  uint64_t category_mask;       /* a page must have all of these */
  uint64_t category_anyof_mask; /* ... and at least one of these */
  uint64_t return_mask;         /* the categories reported */
} VmsPmScanArg;

_Static_assert(sizeof(VmsPageRegion) == 24, "struct page_region is 24 bytes");
_Static_assert(sizeof(VmsPmScanArg) == 96, "struct pm_scan_arg is 96 bytes");

/* _IOWR('f', 16, struct pm_scan_arg) */
#define VMS_PAGEMAP_SCAN _IOWR('f', 16, VmsPmScanArg)

/* ---- /proc/PID/pagemap entries (8 bytes a page) ---- */

#define VMS_PM_PRESENT (1ULL << 63)
#define VMS_PM_SWAPPED (1ULL << 62)
