/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-classify.c: raw region facts -> typed regions, with the free gaps filled in.
 *
 * Pure: the same facts give the same types on every OS, so captured /proc text
 * and recorded Windows walks are classified by the tests exactly as live reads
 * are. The rules are DESIGN.md's table; a rule that guesses from the shape of
 * the mappings marks its regions VMS_DETAIL_INFERRED. */
#include "vms-classify.h"

#include <stdlib.h>
#include <string.h>

#define KiB 1024ULL
#define MiB (1024ULL * 1024ULL)

/* The kernel keeps stack_guard_gap (256 pages by default) free below a
 * grows-down stack; mmap never hands it out. */
#define STACK_GUARD_GAP (256 * 4096ULL)

static bool prefix(const char *s, const char *p) {
  return strncmp(s, p, strlen(p)) == 0;
}

static bool is_anon_private(const VmsRegion *r) {
  if (r->prot & VMS_PROT_SHARED)
    return false;
  if (r->os & VMS_OS_FILE)
    return false;
  return !(r->os & VMS_OS_PSEUDO) || (r->os & VMS_OS_ANON_NAME);
}

static bool is_none(const VmsRegion *r) {
  return (r->prot & (VMS_PROT_READ | VMS_PROT_WRITE | VMS_PROT_EXEC)) == 0;
}

static bool is_rw(const VmsRegion *r) {
  return (r->prot & (VMS_PROT_READ | VMS_PROT_WRITE | VMS_PROT_EXEC)) ==
         (VMS_PROT_READ | VMS_PROT_WRITE);
}

/* Fills in what a capture without live facts (a maps file) does not say. */
void vms_space_guess_facts(VmsSpace *space) {
  if (space->bits && space->usable_hi && space->page_size && space->alloc_granularity)
    return;
  uint64_t top = 0;
  for (size_t i = 0; i < space->n_regions; i++)
    if (space->regions[i].start < (1ULL << 63))
      top = space->regions[i].end;
  if (!space->bits)
    space->bits = top > (1ULL << 32) ? 64 : 32;
  if (!space->page_size)
    space->page_size = 4096;
  if (!space->alloc_granularity)
    space->alloc_granularity = space->page_size;
  if (!space->usable_hi) {
    /* The x86 tops (4 GiB less a page for 32-bit tasks on a 64-bit kernel,
     * 2^47 less a page), widened to the next architectural limit only as
     * far as the mappings show: a 32-bit kernel's vDSO at 0xffffe000 means
     * 4 GiB, an arm64 stack near 2^48 means 2^48, only beyond that 2^56. */
    if (space->bits == 32) {
      space->usable_hi = top > 0xffffe000ULL ? 1ULL << 32 : 0xffffe000ULL;
    } else {
      space->usable_hi = (1ULL << 47) - 4096;
      if (top > space->usable_hi)
        space->usable_hi = top <= (1ULL << 48) ? 1ULL << 48 : (1ULL << 56) - space->page_size;
    }
    if (!space->mmap_min_addr && !(space->fields & VMS_FIELD_OS_TYPE))
      space->mmap_min_addr = 65536; /* the usual vm.mmap_min_addr */
  }
}

/* ---- Linux rules ---- */

/* glibc 2.39 and later name their mappings when run with the tunable
 * glibc.mem.decorate_maps=1; the kernel prints "[anon:" NAME "]" and glibc's
 * names start with a space: "[anon: glibc: malloc arena]". Sets *rest to
 * what follows "glibc: ". The space-less form is taken too. */
static bool glibc_name(const char *name, const char **rest) {
  if (prefix(name, "[anon: glibc: "))
    *rest = name + strlen("[anon: glibc: ");
  else if (prefix(name, "[anon:glibc: "))
    *rest = name + strlen("[anon:glibc: ");
  else
    return false;
  return true;
}

/* "malloc arena" (a heap_info block), "malloc" (a chunk malloc mapped by
 * itself, or the main arena's memory where brk failed), "loader malloc"
 * (ld.so's own allocator), "pthread stack: TID", "unused stack" (kept in
 * glibc's cache for the next thread). Exact: no rule guesses these. */
static void classify_glibc(VmsRegion *r, const char *rest) {
  if (strcmp(rest, "malloc arena]") == 0) {
    r->type = VMS_TYPE_HEAP;
    r->detail |= VMS_DETAIL_ARENA | VMS_DETAIL_NAMED;
  } else if (strcmp(rest, "malloc]") == 0 || strcmp(rest, "loader malloc]") == 0) {
    r->type = VMS_TYPE_HEAP;
    r->detail |= VMS_DETAIL_NAMED;
  } else if (prefix(rest, "pthread stack: ") || strcmp(rest, "unused stack]") == 0) {
    r->type = VMS_TYPE_STACK;
    r->detail |= VMS_DETAIL_THREAD_STACK | VMS_DETAIL_NAMED;
  } else {
    r->type = (r->prot & VMS_PROT_SHARED) ? VMS_TYPE_SHAREABLE : VMS_TYPE_PRIVATE;
  }
}

bool vms_region_glibc_unused_stack(const char *name) {
  const char *rest;
  return glibc_name(name, &rest) && strcmp(rest, "unused stack]") == 0;
}

/* The thread a "[anon: glibc: pthread stack: TID]" region belongs to, or 0. */
int vms_region_glibc_stack_tid(const char *name) {
  const char *rest;
  if (!glibc_name(name, &rest) || !prefix(rest, "pthread stack: "))
    return 0;
  long tid = strtol(rest + strlen("pthread stack: "), NULL, 10);
  return tid > 0 && tid <= 0x7fffffff ? (int)tid : 0;
}

static void classify_pseudo(VmsRegion *r, const char *name) {
  if (strcmp(name, "[heap]") == 0) {
    r->type = VMS_TYPE_HEAP;
    r->detail |= VMS_DETAIL_BRK;
  } else if (strcmp(name, "[stack]") == 0) {
    r->type = VMS_TYPE_STACK;
    r->detail |= VMS_DETAIL_MAIN_STACK;
  } else if (strcmp(name, "[vdso]") == 0 || strcmp(name, "[vvar]") == 0 ||
             strcmp(name, "[vvar_vclock]") == 0 || strcmp(name, "[vsyscall]") == 0 ||
             strcmp(name, "[uprobes]") == 0 || strcmp(name, "[sigpage]") == 0 ||
             strcmp(name, "[vectors]") == 0) {
    r->type = VMS_TYPE_SYSTEM;
  } else if (r->os & VMS_OS_ANON_SHMEM) {
    r->type = VMS_TYPE_SHAREABLE;
  } else if (glibc_name(name, &name)) {
    classify_glibc(r, name);
  } else if (prefix(name, "[anon:libc_malloc") || prefix(name, "[anon:scudo:") ||
             prefix(name, "[anon:jemalloc")) {
    /* Allocators that name their mappings (PR_SET_VMA_ANON_NAME) say so. */
    r->type = VMS_TYPE_HEAP;
    r->detail |= VMS_DETAIL_NAMED;
  } else if (prefix(name, "[anon:stack_and_tls:") || prefix(name, "[anon:thread stack")) {
    r->type = VMS_TYPE_STACK;
    r->detail |= VMS_DETAIL_THREAD_STACK | VMS_DETAIL_NAMED;
  } else {
    r->type = (r->prot & VMS_PROT_SHARED) ? VMS_TYPE_SHAREABLE : VMS_TYPE_PRIVATE;
  }
}

static void classify_file(VmsRegion *r, const char *name, const uint8_t *exec_names) {
  if (prefix(name, "/memfd:")) {
    r->type = VMS_TYPE_SHAREABLE;
    r->detail |= VMS_DETAIL_MEMFD;
  } else if (prefix(name, "/dev/shm/")) {
    r->type = VMS_TYPE_SHAREABLE;
    r->detail |= VMS_DETAIL_DEV_SHM;
  } else if (prefix(name, "/SYSV")) {
    r->type = VMS_TYPE_SHAREABLE;
    r->detail |= VMS_DETAIL_SYSV;
  } else if (strcmp(name, "/dev/zero") == 0 && (r->prot & VMS_PROT_SHARED)) {
    /* MAP_SHARED|MAP_ANONYMOUS is backed by a deleted /dev/zero shmem file. */
    r->type = VMS_TYPE_SHAREABLE;
  } else if (r->name && exec_names[r->name]) {
    r->type = VMS_TYPE_IMAGE;
  } else {
    r->type = VMS_TYPE_MAPPED;
  }
}

/* glibc malloc arenas other than the main one live in heap_info blocks of
 * HEAP_MAX_SIZE (2 * DEFAULT_MMAP_THRESHOLD_MAX: 64 MiB on 64-bit, 1 MiB on
 * 32-bit), aligned to that size: a read-write head that grows by mprotect
 * and a PROT_NONE tail up to the block's end. A run of anonymous private
 * regions of that shape is an arena; its tail is Heap, reserved. */
static void mark_arenas(VmsSpace *space) {
  const uint64_t heap_max = space->bits == 32 ? 1 * MiB : 64 * MiB;
  VmsRegion *rg = space->regions;
  for (size_t i = 0; i < space->n_regions; i++) {
    VmsRegion *r = &rg[i];
    if ((r->start & (heap_max - 1)) != 0 || !is_anon_private(r) || !is_rw(r))
      continue;
    if (r->type != VMS_TYPE_PRIVATE && r->type != VMS_TYPE_HEAP)
      continue;
    const uint64_t block_end = r->start + heap_max;
    size_t j = i;
    bool tail = false, ok = false;
    for (; j < space->n_regions; j++) {
      VmsRegion *q = &rg[j];
      if (j > i && q->start != rg[j - 1].end)
        break;
      if (!is_anon_private(q) || q->end > block_end)
        break;
      if (is_none(q))
        tail = true;
      else if (!is_rw(q) || tail)
        break;
      if (q->end == block_end) {
        ok = true;
        break;
      }
    }
    /* A head alone that fills the block is an arena too only when it shows
     * a PROT_NONE tail somewhere: a plain 64 MiB buffer is not one. */
    if (!ok || !tail)
      continue;
    /* A head glibc named says what the block is: no guess. */
    const uint16_t how = (r->detail & VMS_DETAIL_NAMED) ? 0 : VMS_DETAIL_INFERRED;
    for (size_t k = i; k <= j; k++) {
      rg[k].type = VMS_TYPE_HEAP;
      rg[k].detail |= VMS_DETAIL_ARENA | how;
    }
    i = j;
  }
}

/* A thread stack as glibc lays it out: a PROT_NONE guard directly below the
 * read-write stack. */
static bool guard_below(const VmsSpace *space, size_t i) {
  if (i == 0)
    return false;
  const VmsRegion *g = &space->regions[i - 1];
  return g->end == space->regions[i].start && is_anon_private(g) && is_none(g) &&
         g->type == VMS_TYPE_PRIVATE && g->end - g->start <= 1 * MiB;
}

static void mark_stack(VmsSpace *space, size_t i, uint16_t how) {
  VmsRegion *r = &space->regions[i];
  r->type = VMS_TYPE_STACK;
  r->detail |= VMS_DETAIL_THREAD_STACK | how;
  if (guard_below(space, i)) {
    VmsRegion *g = &space->regions[i - 1];
    g->type = VMS_TYPE_STACK;
    g->detail |= VMS_DETAIL_THREAD_STACK | VMS_DETAIL_GUARD | how;
  }
}

/* Thread stacks: exact where the thread's stack pointer was read; for the
 * rest, the shape (a guard of at most 64 KiB under at least 16 KiB of
 * read-write memory), and only as many as there are threads left unplaced
 * when the thread count is known. Returns the number of stacks found,
 * counting the main one. */
static size_t mark_stacks(VmsSpace *space) {
  size_t found = 0, unplaced = 0;
  bool main_seen = false;
  /* Stacks glibc named: exact, with their guard; their threads are placed. */
  int *named_tids = NULL;
  size_t n_named = 0;
  for (size_t i = 0; i < space->n_regions; i++) {
    VmsRegion *r = &space->regions[i];
    if (r->detail & VMS_DETAIL_MAIN_STACK)
      main_seen = true;
    if ((r->detail & (VMS_DETAIL_NAMED | VMS_DETAIL_THREAD_STACK)) !=
        (VMS_DETAIL_NAMED | VMS_DETAIL_THREAD_STACK))
      continue;
    mark_stack(space, i, 0);
    int tid = vms_region_glibc_stack_tid(vms_name_pool_get(&space->names, r->name));
    if (!tid)
      continue; /* an unused stack in glibc's cache: no thread's */
    found++;
    if (!named_tids && !(named_tids = calloc(space->n_threads + 1, sizeof *named_tids)))
      break; /* out of memory: the shape rule below still runs */
    if (n_named < space->n_threads)
      named_tids[n_named++] = tid;
  }
  if (main_seen)
    found++;

  for (size_t t = 0; t < space->n_threads; t++) {
    const VmsThread *th = &space->threads[t];
    /* The main thread's stack is [stack], never a shape to look for. */
    if (th->tid == space->pid && !th->sp_known)
      continue;
    bool named = false;
    for (size_t k = 0; k < n_named && !named; k++)
      named = named_tids[k] == th->tid;
    if (named)
      continue;
    if (!th->sp_known) {
      unplaced++;
      continue;
    }
    size_t i = vms_space_find(space, th->sp);
    if (i == SIZE_MAX) {
      unplaced++;
      continue;
    }
    VmsRegion *r = &space->regions[i];
    if (r->detail & VMS_DETAIL_MAIN_STACK)
      continue; /* the main thread */
    if (r->type == VMS_TYPE_STACK && (r->detail & VMS_DETAIL_THREAD_STACK))
      continue;
    if (r->type != VMS_TYPE_PRIVATE && r->type != VMS_TYPE_STACK) {
      unplaced++; /* a stack inside a heap or a file: leave it be */
      continue;
    }
    mark_stack(space, i, 0);
    found++;
  }
  /* Without thread facts (a capture) every stack-shaped region counts. */
  bool limit = (space->fields & VMS_FIELD_THREADS) != 0;
  for (size_t i = 1; i < space->n_regions && (!limit || unplaced > 0); i++) {
    VmsRegion *r = &space->regions[i];
    if (r->type != VMS_TYPE_PRIVATE || !is_anon_private(r) || !is_rw(r))
      continue;
    if (r->end - r->start < 16 * KiB || !guard_below(space, i))
      continue;
    const VmsRegion *g = &space->regions[i - 1];
    if (g->end - g->start > 64 * KiB)
      continue;
    mark_stack(space, i, VMS_DETAIL_INFERRED);
    found++;
    if (limit)
      unplaced--;
  }
  free(named_tids);
  return found;
}

/* CPython's small-object allocator maps arenas of ARENA_SIZE: 256 KiB, or
 * 1 MiB on 64-bit since 3.10. An unnamed private read-write region of
 * exactly that size is said to look like one; its type stays Private. */
static void mark_pymalloc(VmsSpace *space) {
  for (size_t i = 0; i < space->n_regions; i++) {
    VmsRegion *r = &space->regions[i];
    const uint64_t size = r->end - r->start;
    if (r->type != VMS_TYPE_PRIVATE || r->name || !is_anon_private(r) || !is_rw(r))
      continue;
    if (size == 256 * KiB || (space->bits == 64 && size == 1 * MiB))
      r->detail |= VMS_DETAIL_PYMALLOC | VMS_DETAIL_INFERRED;
  }
}

static void classify_linux(VmsSpace *space, uint8_t *exec_names, size_t *stacks_found) {
  VmsRegion *rg = space->regions;
  for (size_t i = 0; i < space->n_regions; i++)
    if ((rg[i].os & VMS_OS_FILE) && (rg[i].prot & VMS_PROT_EXEC) && rg[i].name)
      exec_names[rg[i].name] = 1;

  for (size_t i = 0; i < space->n_regions; i++) {
    VmsRegion *r = &rg[i];
    const char *name = vms_name_pool_get(&space->names, r->name);
    r->state = is_none(r) ? VMS_STATE_RESERVED : VMS_STATE_COMMITTED;
    if (r->os & VMS_OS_PSEUDO)
      classify_pseudo(r, name);
    else if (r->os & VMS_OS_FILE)
      classify_file(r, name, exec_names);
    else
      r->type = (r->prot & VMS_PROT_SHARED) ? VMS_TYPE_SHAREABLE : VMS_TYPE_PRIVATE;
  }
  mark_arenas(space);
  *stacks_found = mark_stacks(space);
  mark_pymalloc(space);
}

/* ---- Windows rules ---- */

static bool base_in(const uint64_t *bases, size_t n, uint64_t b) {
  for (size_t i = 0; i < n; i++)
    if (bases[i] == b)
      return true;
  return false;
}

/* Marks as `type` every private region that overlaps one of the ranges, and
 * every region of the same allocations (a stack's reserved part and guard
 * share its AllocationBase). Sets *matched to how many ranges matched a
 * region; fails only for memory, and then marks nothing. */
static VmsErrorCode mark_allocations(VmsSpace *space, const VmsRange *ranges, size_t n_ranges,
                                     size_t stride, VmsRegionType type, uint16_t detail,
                                     size_t *matched_out) {
  *matched_out = 0;
  if (n_ranges == 0)
    return VMS_OK;
  uint64_t *bases = calloc(n_ranges * 4 + 1, sizeof *bases);
  size_t n_bases = 0, matched = 0;
  if (!bases)
    return VMS_ERR_NOMEM;
  for (size_t k = 0; k < n_ranges; k++) {
    const VmsRange *rr = (const VmsRange *)((const char *)ranges + k * stride);
    if (rr->end <= rr->start)
      continue;
    bool hit = false;
    for (size_t i = vms_space_lower_bound(space, rr->start); i < space->n_regions; i++) {
      VmsRegion *r = &space->regions[i];
      if (r->start >= rr->end)
        break;
      if (!(r->os & VMS_OS_MEM_PRIVATE))
        continue;
      hit = true;
      if (n_bases < n_ranges * 4 && !base_in(bases, n_bases, r->alloc_base))
        bases[n_bases++] = r->alloc_base;
    }
    if (hit)
      matched++;
  }
  for (size_t i = 0; i < space->n_regions; i++) {
    VmsRegion *r = &space->regions[i];
    if ((r->os & VMS_OS_MEM_PRIVATE) && base_in(bases, n_bases, r->alloc_base)) {
      r->type = (uint8_t)type;
      r->detail |= detail;
      if (r->prot & VMS_PROT_GUARD)
        r->detail |= VMS_DETAIL_GUARD;
    }
  }
  free(bases);
  *matched_out = matched;
  return VMS_OK;
}

static VmsErrorCode classify_windows(VmsSpace *space, size_t *stacks_found) {
  for (size_t i = 0; i < space->n_regions; i++) {
    VmsRegion *r = &space->regions[i];
    r->state = (r->os & VMS_OS_MEM_RESERVE) ? VMS_STATE_RESERVED : VMS_STATE_COMMITTED;
    if (r->os & VMS_OS_MEM_IMAGE)
      r->type = VMS_TYPE_IMAGE;
    else if (r->os & VMS_OS_MEM_MAPPED)
      r->type = r->name ? VMS_TYPE_MAPPED : VMS_TYPE_SHAREABLE;
    else if (r->os & VMS_OS_PSEUDO)
      r->type = VMS_TYPE_SYSTEM; /* the platform named it (KUSER_SHARED_DATA) */
    else
      r->type = VMS_TYPE_PRIVATE;
  }
  size_t heaps_found;
  VmsErrorCode code = mark_allocations(space, space->heaps, space->n_heaps, sizeof(VmsRange),
                                       VMS_TYPE_HEAP, 0, &heaps_found);
  if (code != VMS_OK)
    return code;
  VmsRange *stacks = calloc(space->n_threads + 1, sizeof *stacks);
  if (!stacks)
    return VMS_ERR_NOMEM;
  size_t n = 0;
  for (size_t t = 0; t < space->n_threads; t++)
    if (space->threads[t].range_known)
      stacks[n++] = space->threads[t].stack;
  code = mark_allocations(space, stacks, n, sizeof(VmsRange), VMS_TYPE_STACK,
                          VMS_DETAIL_THREAD_STACK, stacks_found);
  free(stacks);
  return code;
}

/* ---- gaps ---- */

typedef struct {
  VmsRegion *out;
  VmsCounters *ctr; /* parallel to out when counters were read */
  size_t n, cap;
  bool counting; /* only count what would be written */
} Out;

static bool emit(Out *o, uint64_t start, uint64_t end, uint8_t type, uint16_t detail) {
  if (end <= start)
    return true;
  if (o->counting) {
    o->n++;
    return true;
  }
  if (o->n == o->cap)
    return false;
  if (o->ctr)
    memset(&o->ctr[o->n], 0, sizeof *o->ctr);
  VmsRegion *g = &o->out[o->n++];
  memset(g, 0, sizeof *g);
  g->start = start;
  g->end = end;
  g->type = type;
  g->state = VMS_STATE_FREE;
  g->detail = detail;
  return true;
}

/* Fills [a, b) with free space, cutting off what the OS will not hand out:
 * below the minimum address, the guard gap under a grows-down stack, and on
 * Windows the sliver before the next allocation-granularity boundary. */
static bool emit_gap(Out *o, const VmsSpace *space, uint64_t lo, uint64_t a, uint64_t b,
                     const VmsRegion *next) {
  if (a >= b)
    return true;
  if (a < lo) {
    uint64_t e = b < lo ? b : lo;
    if (!emit(o, a, e, VMS_TYPE_UNUSABLE, VMS_DETAIL_MIN_ADDR))
      return false;
    a = e;
  }
  uint64_t gran = space->alloc_granularity;
  if (a < b && gran > space->page_size && (a & (gran - 1))) {
    uint64_t e = (a | (gran - 1)) + 1;
    if (e > b)
      e = b;
    if (!emit(o, a, e, VMS_TYPE_UNUSABLE, VMS_DETAIL_ALIGN))
      return false;
    a = e;
  }
  uint64_t guard_start = b;
  if (next && (next->detail & VMS_DETAIL_MAIN_STACK) && !(space->fields & VMS_FIELD_OS_TYPE))
    guard_start = b - a > STACK_GUARD_GAP ? b - STACK_GUARD_GAP : a;
  if (!emit(o, a, guard_start, VMS_TYPE_FREE, 0))
    return false;
  return emit(o, guard_start, b, VMS_TYPE_UNUSABLE, VMS_DETAIL_GUARD);
}

/* Writes the typed regions with the gaps between them into o (or, while
 * o->counting, only counts them). */
static bool fill(Out *o, VmsSpace *space) {
  const uint64_t lo =
      space->usable_lo > space->mmap_min_addr ? space->usable_lo : space->mmap_min_addr;
  const uint64_t hi = space->usable_hi;
  uint64_t cursor = 0;
  for (size_t i = 0; i < space->n_regions; i++) {
    const VmsRegion *r = &space->regions[i];
    if (r->start > cursor && cursor < hi &&
        !emit_gap(o, space, lo, cursor, r->start < hi ? r->start : hi, r))
      return false;
    if (!o->counting) {
      if (o->n == o->cap)
        return false;
      if (o->ctr)
        o->ctr[o->n] = space->counters[i];
      o->out[o->n] = *r;
      if (r->start >= hi)
        o->out[o->n].detail |= VMS_DETAIL_OUTSIDE;
    }
    o->n++;
    if (r->end > cursor)
      cursor = r->end;
  }
  return cursor >= hi || emit_gap(o, space, lo, cursor, hi, NULL);
}

VmsErrorCode vms_classify(VmsSpace *space, VmsRegion **out, VmsCounters **ctr_out, size_t *n_out,
                          size_t *stacks_found, VmsError *err) {
  vms_space_guess_facts(space);
  *stacks_found = 0;
  const bool windows = (space->fields & VMS_FIELD_OS_TYPE) != 0;

  if (windows) {
    /* MEM_FREE blocks are rebuilt as gaps below, with the Unusable rule. */
    size_t k = 0;
    for (size_t i = 0; i < space->n_regions; i++) {
      if (space->regions[i].os & VMS_OS_MEM_FREE)
        continue;
      if (space->fields & VMS_FIELD_COUNTERS)
        space->counters[k] = space->counters[i];
      space->regions[k++] = space->regions[i];
    }
    space->n_regions = k;
    if (classify_windows(space, stacks_found) != VMS_OK)
      return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  } else {
    uint8_t *exec_names = calloc(space->names.len + 1, 1);
    if (!exec_names)
      return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
    classify_linux(space, exec_names, stacks_found);
    free(exec_names);
  }

  *out = NULL;
  *ctr_out = NULL;
  const bool counters = space->counters && (space->fields & VMS_FIELD_COUNTERS);
  /* Two passes: count the pieces, then fill an array of exactly that size.
   * The array is what a snapshot holds, and an exact allocation is reused
   * by malloc from one refresh to the next instead of being mapped,
   * faulted in and shrunk every time. */
  Out o = {.counting = true};
  fill(&o, space);
  o = (Out){.cap = o.n ? o.n : 1};
  o.out = malloc(o.cap * sizeof *o.out);
  o.ctr = counters ? malloc(o.cap * sizeof *o.ctr) : NULL;
  if (!o.out || (counters && !o.ctr) || !fill(&o, space)) {
    free(o.out);
    free(o.ctr);
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  }
  *out = o.out;
  *ctr_out = o.ctr;
  *n_out = o.n;
  return VMS_OK;
}
