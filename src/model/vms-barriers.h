/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-barriers.h: why the free space is fragmented: what splits it, what removing it would give.
 *
 * A barrier is a wall: a maximal run of adjacent mapped regions with a free
 * block directly below and directly above it. Removing the wall would merge
 * the two free blocks with the space it covers; the barriers are ranked by
 * how much that would grow today's largest free block, and by how much
 * usable space they cut in two. A wall is made of owners (units): a stack
 * with its guard, an image's mappings (and the .bss right after them), an
 * arena's head and tail, a Windows allocation. Groups sum the units by kind
 * and say how large the largest free block would be without all of them.
 *
 * Everything is one pass over the regions of the scope (O(regions), with a
 * constant amount of work per region), plus a sort of the image units, of
 * which a process has a few hundred at most. Plain C11, no allocation but
 * the image list. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vms-snapshot.h"

typedef enum {
  VMS_BGROUP_STACKS = 0,
  VMS_BGROUP_IMAGES,
  VMS_BGROUP_HEAPS,   /* [heap] and malloc arenas */
  VMS_BGROUP_PRIVATE, /* other private data */
  VMS_BGROUP_MAPPED,  /* mapped files and shareable memory */
  VMS_BGROUP_SYSTEM,
  VMS_BGROUP_COUNT,
  VMS_BGROUP_MIXED = VMS_BGROUP_COUNT /* a wall of owners of several groups */
} VmsBarrierGroup;

/* "stacks", "images", "heaps", "private", "mapped", "system", "mixed". */
const char *vms_barrier_group_name(VmsBarrierGroup g);
/* "Thread stacks", "Images", "Heaps and arenas", "Other private data", ... */
const char *vms_barrier_group_title(VmsBarrierGroup g);

/* Where barriers are ranked. On 64-bit, free blocks of tens of TiB (below
 * the program, between its brk heap and the mapping area) are the largest
 * whatever is removed, so without a range given the ranking is over the
 * cluster of mappings between two free blocks of at least 1 TiB that holds
 * the most regions (Linux: the mapping area), up to the main stack. */
typedef enum {
  VMS_SCOPE_GIVEN = 0, /* a range the user chose (--range, the viewed range) */
  VMS_SCOPE_USABLE,    /* the whole usable range (32-bit spaces) */
  VMS_SCOPE_CLUSTER,   /* 64-bit: the busiest cluster between holes of 1 TiB or more */
} VmsBarrierScopeKind;

typedef struct {
  uint64_t lo, hi;
  VmsBarrierScopeKind kind;
  uint64_t hole_below, hole_above; /* CLUSTER: the holes left out either side (0: none) */
  bool below_stack;                /* CLUSTER: it ends where the main stack's guard gap starts */
} VmsBarrierScope;

void vms_barrier_scope_default(const VmsSnapshot *snap, VmsBarrierScope *out);
void vms_barrier_scope_given(uint64_t lo, uint64_t hi, VmsBarrierScope *out);
/* "0x7f23..-0x7ffc.. (the cluster with the most mappings, above the 41.2 TiB free block, up to
 * the stack)". */
void vms_barrier_scope_describe(const VmsBarrierScope *scope, char *buf, size_t len);
/* "given", "usable", "cluster". */
const char *vms_barrier_scope_name(VmsBarrierScopeKind kind);

typedef struct {
  uint64_t start, end;             /* the wall, [start, end), clipped to the scope */
  size_t first, last;              /* its regions in the snapshot, [first, last] */
  uint32_t n_units;                /* owners in it */
  uint8_t group;                   /* VmsBarrierGroup of its units, or VMS_BGROUP_MIXED */
  bool inferred;                   /* some unit's type or extent is a guess from the shape */
  uint64_t free_below, free_above; /* the free blocks directly below and above */
  uint64_t merged_start, merged;   /* the free block there would be without it */
  uint64_t gain;                   /* merged - today's largest free block; 0 when not larger */
} VmsBarrier;

#define VMS_BARRIERS_MAX_TOP 32

typedef struct {
  uint64_t units;              /* owners of this group in the scope */
  uint64_t bytes;              /* the space they cover */
  uint64_t unit_min, unit_max; /* the smallest and largest owner (stacks: each one's reserve) */
  uint64_t lowest, highest;    /* [lowest, highest): where they sit */
  uint64_t walls;              /* barriers made of this group alone */
  uint64_t splits;             /* of which with a usable free block on both sides */
  uint64_t largest_without, largest_without_start; /* were every unit of the group gone */
  uint64_t usable_without;                         /* usable free blocks then */
} VmsBarrierGroupStats;

/* One library or DLL: its mappings in the scope, and the best barrier it alone makes. */
typedef struct {
  uint32_t name; /* in the snapshot's name pool */
  uint64_t lowest, highest;
  uint64_t bytes;
  uint32_t units;                              /* separate runs of its mappings */
  uint32_t walls;                              /* barriers it alone makes */
  uint64_t best_merged, best_gain, best_start; /* its best barrier (0 when none) */
  size_t first;                                /* its lowest region's index */
} VmsBarrierImage;

typedef enum {
  VMS_LAA_NOT_APPLICABLE = 0, /* not a 32-bit process on 64-bit Windows */
  VMS_LAA_UNKNOWN,            /* the image could not be read */
  VMS_LAA_NO,
  VMS_LAA_YES,
} VmsLaaState;

/* Facts that point at a remedy; each says whether the snapshot supports it. */
typedef struct {
  VmsLaaState laa;
  uint64_t space_now, space_laa; /* the usable range today, and with /LARGEADDRESSAWARE */

  uint64_t thread_stacks; /* thread stacks (the main thread's left out) */
  uint64_t thread_stacks_inferred;
  uint64_t stack_min, stack_max, stack_total, stack_lowest, stack_highest;
  bool windows;             /* a Windows snapshot: the setting is the image's */
  bool stack_setting_known; /* Linux RLIMIT_STACK / Windows image stack reserve */
  uint64_t stack_setting;   /* bytes; UINT64_MAX unlimited */

  uint64_t arenas; /* glibc malloc arena blocks (Linux) */
  uint64_t arena_size, arena_total, arena_committed;

  /* Inferred from the shape: at least VMS_MMAP_RUN_MIN anonymous private
   * read-write mappings whose sizes lie within a factor of four of each other
   * in [128 KiB, 32 MiB], glibc's range for M_MMAP_THRESHOLD. */
  bool mmap_shape;
  uint64_t mmap_count, mmap_min, mmap_max, mmap_total;
  uint64_t mmap_barriers; /* of which standing alone between two free blocks */
} VmsBarrierFacts;

#define VMS_MMAP_RUN_MIN 16
#define VMS_MMAP_BAND_LO (UINT64_C(128) << 10)
#define VMS_MMAP_BAND_HI (UINT64_C(32) << 20)

typedef struct {
  VmsBarrierScope scope;
  uint64_t usable_min;             /* a free block at least this large is "usable" */
  uint64_t largest, largest_start; /* today, in the scope */
  uint64_t free_blocks, usable_blocks;
  uint64_t n_barriers; /* walls with a free block on both sides */
  uint64_t n_splits;   /* of which with a usable block on both sides */
  size_t n_by_gain, n_by_split;
  VmsBarrier by_gain[VMS_BARRIERS_MAX_TOP]; /* the most merged first (ties: lowest first) */
  VmsBarrier
      by_split[VMS_BARRIERS_MAX_TOP]; /* usable on both sides, the larger smaller side first */
  VmsBarrierGroupStats groups[VMS_BGROUP_COUNT];
  VmsBarrierImage *images; /* the best barrier first, then by address */
  size_t n_images;
  VmsBarrierFacts facts;
} VmsBarriers;

typedef struct {
  size_t top;          /* how many to rank; 0: 10; at most VMS_BARRIERS_MAX_TOP */
  uint64_t usable_min; /* 0: 1 MiB */
} VmsBarrierOptions;

/* Computes the barriers of snap over scope. Fails only when out of memory. */
VmsErrorCode vms_barriers_compute(const VmsSnapshot *snap, const VmsBarrierScope *scope,
                                  const VmsBarrierOptions *opts, VmsBarriers *out, VmsError *err);
void vms_barriers_clear(VmsBarriers *b);

/* "thread stack (inferred)", "/usr/lib/libc.so.6", "3 thread stacks",
 * "2 owners: libfoo.so, anonymous private data". */
void vms_barrier_describe(const VmsSnapshot *snap, const VmsBarrier *b, char *buf, size_t len);

/* The facts, each as one sentence with its figures; 0 (and "") when the
 * snapshot does not support it. */
typedef enum {
  VMS_FACT_LAA = 0,
  VMS_FACT_STACKS,
  VMS_FACT_ARENAS,
  VMS_FACT_MMAP,
  VMS_FACT_COUNT
} VmsBarrierFact;
/* "large_address_aware", "thread_stacks", "arenas", "mmap_threshold". */
const char *vms_barrier_fact_name(VmsBarrierFact fact);
size_t vms_barrier_fact_text(const VmsBarriers *b, VmsBarrierFact fact, char *buf, size_t len);
/* The top barrier in one line ("no barrier: ..." when there is none). */
void vms_barrier_top_line(const VmsSnapshot *snap, const VmsBarriers *b, char *buf, size_t len);
