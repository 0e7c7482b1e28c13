/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-barriers.c: the ranked barriers and groups against a brute force over the maps text, and bad
 * input. */
#include "vms-barriers.h"
#include "vms-diff.h"
#include "vms-format.h"
#include "vms-test-data.h"

/* ---- the second opinion: sscanf over the text, and for every wall a
 * rescan of all lines with that wall taken out ---- */

typedef struct {
  uint64_t start, end;
  char perms[8];
  char name[512];
  bool image; /* its path has an executable mapping, or it is the .bss after one */
} Line;

typedef struct {
  Line *v;
  size_t n;
} Lines;

static void read_lines(const char *text, uint64_t lo, uint64_t hi, Lines *out) {
  out->v = calloc(4096, sizeof *out->v);
  out->n = 0;
  const char *p = text;
  while (*p && out->n < 4096) {
    unsigned long long a, b;
    char perms[8] = "";
    int n = 0;
    if (sscanf(p, "%llx-%llx %7s %*s %*s %*s%n", &a, &b, perms, &n) < 3)
      break;
    Line *l = &out->v[out->n];
    /* The name runs to the end of the line (" %[^\n]" would skip an empty
     * one's newline and take the next line). */
    const char *q = p + n, *eol_name = strchr(q, '\n');
    while (*q == ' ')
      q++;
    size_t nl = eol_name ? (size_t)(eol_name - q) : strlen(q);
    if (eol_name && eol_name < q)
      nl = 0;
    snprintf(l->name, sizeof l->name, "%.*s", (int)nl, q);
    if (a >= lo && b <= hi) {
      l->start = a;
      l->end = b;
      snprintf(l->perms, sizeof l->perms, "%s", perms);
      out->n++;
    }
    const char *eol = strchr(p, '\n');
    if (!eol)
      break;
    p = eol + 1;
  }
  for (size_t i = 0; i < out->n; i++) {
    Line *l = &out->v[i];
    if (l->name[0] != '/')
      continue;
    for (size_t j = 0; j < out->n; j++)
      if (strcmp(out->v[j].name, l->name) == 0 && out->v[j].perms[2] == 'x')
        l->image = true;
  }
  /* ld.so maps a library's .bss as anonymous memory right after its data. */
  for (size_t i = 1; i < out->n; i++) {
    Line *l = &out->v[i], *prev = &out->v[i - 1];
    if (!l->name[0] && prev->image && prev->name[0] && prev->end == l->start &&
        prev->perms[1] == 'w' && strncmp(l->perms, "rw-p", 4) == 0)
      l->image = true;
  }
}

/* The largest free block in [lo, hi) with the lines for which gone() holds
 * taken out; also the free block containing addr (when addr is not 0). */
static uint64_t scan(const Lines *ls, uint64_t lo, uint64_t hi,
                     bool (*gone)(const Line *, size_t, void *), void *data, uint64_t addr,
                     uint64_t *around) {
  uint64_t cursor = lo, largest = 0;
  if (around)
    *around = 0;
  for (size_t i = 0; i <= ls->n; i++) {
    uint64_t a = i < ls->n ? ls->v[i].start : hi, b = i < ls->n ? ls->v[i].end : hi;
    if (i < ls->n && gone(&ls->v[i], i, data))
      continue;
    if (a > cursor) {
      if (a - cursor > largest)
        largest = a - cursor;
      if (around && addr >= cursor && addr < a)
        *around = a - cursor;
    }
    if (b > cursor)
      cursor = b;
  }
  return largest;
}

static bool keep_all(const Line *l, size_t i, void *data) {
  return false;
}

typedef struct {
  size_t first, last;
} Wall;

static bool in_wall(const Line *l, size_t i, void *data) {
  const Wall *w = data;
  return i >= w->first && i <= w->last;
}

static bool is_image(const Line *l, size_t i, void *data) {
  return l->image;
}

typedef struct {
  uint64_t start, end, merged, below, above;
} Expect;

static int cmp_merged(const void *a, const void *b) {
  const Expect *x = a, *y = b;
  if (x->merged != y->merged)
    return x->merged > y->merged ? -1 : 1;
  return (x->start > y->start) - (x->start < y->start);
}

static uint64_t min_side(const Expect *e) {
  return e->below < e->above ? e->below : e->above;
}

static int cmp_split(const void *a, const void *b) {
  const Expect *x = a, *y = b;
  if (min_side(x) != min_side(y))
    return min_side(x) > min_side(y) ? -1 : 1;
  return (x->start > y->start) - (x->start < y->start);
}

static void compare(const char *fixture, size_t stacks, uint64_t stack_size, size_t arenas,
                    bool mmap_shape) {
  size_t len;
  char *text = vms_test_read(fixture, &len);
  VmsSnapshot *s = vms_test_snapshot(fixture);

  /* The default scope of a 64-bit capture: the mapping area, from its
   * lowest mapping to its highest one under [stack]. */
  Lines all;
  read_lines(text, 0, s->usable_hi, &all);
  uint64_t lo = UINT64_MAX, hi = 0;
  for (size_t i = 0; i < all.n; i++)
    if (all.v[i].start >= UINT64_C(0x7f0000000000) && strcmp(all.v[i].name, "[stack]") != 0) {
      lo = all.v[i].start < lo ? all.v[i].start : lo;
      hi = all.v[i].end > hi ? all.v[i].end : hi;
    }
  free(all.v);
  VmsBarrierScope scope;
  vms_barrier_scope_default(s, &scope);
  VMS_CHECK_U64(scope.kind, VMS_SCOPE_CLUSTER);
  VMS_CHECK_U64(scope.lo, lo);
  VMS_CHECK_U64(scope.hi, hi);
  VMS_CHECK(scope.below_stack);

  VmsBarriers b;
  VmsBarrierOptions opts = {.top = VMS_BARRIERS_MAX_TOP};
  VMS_CHECK(vms_barriers_compute(s, &scope, &opts, &b, NULL) == VMS_OK);

  Lines ls;
  read_lines(text, lo, hi, &ls);
  const uint64_t today = scan(&ls, lo, hi, keep_all, NULL, 0, NULL);
  VMS_CHECK_U64(b.largest, today);

  /* Walls: runs of touching lines, a gap on either side inside the scope. */
  Expect *ex = calloc(ls.n, sizeof *ex);
  size_t n_ex = 0;
  for (size_t i = 0; i < ls.n;) {
    size_t j = i;
    while (j + 1 < ls.n && ls.v[j + 1].start == ls.v[j].end)
      j++;
    const bool gap_below = i > 0 && ls.v[i].start > ls.v[i - 1].end;
    const bool gap_above = j + 1 < ls.n && ls.v[j + 1].start > ls.v[j].end;
    if (gap_below && gap_above) {
      Wall w = {i, j};
      uint64_t around = 0;
      uint64_t largest = scan(&ls, lo, hi, in_wall, &w, ls.v[i].start, &around);
      Expect *e = &ex[n_ex++];
      e->start = ls.v[i].start;
      e->end = ls.v[j].end;
      e->merged = around;
      e->below = ls.v[i].start - ls.v[i - 1].end;
      e->above = ls.v[j + 1].start - ls.v[j].end;
      /* Brute force agrees with the merged block: the largest after removal. */
      VMS_CHECK_U64(largest, around > today ? around : today);
    }
    i = j + 1;
  }
  VMS_CHECK_U64(b.n_barriers, n_ex);
  qsort(ex, n_ex, sizeof *ex, cmp_merged);
  size_t top = n_ex < VMS_BARRIERS_MAX_TOP ? n_ex : VMS_BARRIERS_MAX_TOP;
  VMS_CHECK_U64(b.n_by_gain, top);
  for (size_t k = 0; k < top && k < b.n_by_gain; k++) {
    VMS_CHECK_U64(b.by_gain[k].start, ex[k].start);
    VMS_CHECK_U64(b.by_gain[k].end, ex[k].end);
    VMS_CHECK_U64(b.by_gain[k].merged, ex[k].merged);
    VMS_CHECK_U64(b.by_gain[k].gain, ex[k].merged > today ? ex[k].merged - today : 0);
  }
  /* Splits: a usable (1 MiB) block on both sides, the larger smaller side first. */
  size_t n_split = 0;
  for (size_t k = 0; k < n_ex; k++)
    if (ex[k].below >= (1u << 20) && ex[k].above >= (1u << 20))
      ex[n_split++] = ex[k];
  qsort(ex, n_split, sizeof *ex, cmp_split);
  VMS_CHECK_U64(b.n_splits, n_split);
  top = n_split < VMS_BARRIERS_MAX_TOP ? n_split : VMS_BARRIERS_MAX_TOP;
  VMS_CHECK_U64(b.n_by_split, top);
  for (size_t k = 0; k < top && k < b.n_by_split; k++) {
    VMS_CHECK_U64(b.by_split[k].start, ex[k].start);
    VMS_CHECK_U64(b.by_split[k].merged, ex[k].below + (ex[k].end - ex[k].start) + ex[k].above);
  }

  /* Images: the largest free block without every image (and its .bss). */
  const VmsBarrierGroupStats *img = &b.groups[VMS_BGROUP_IMAGES];
  VMS_CHECK_U64(img->largest_without, scan(&ls, lo, hi, is_image, NULL, 0, NULL));
  uint64_t image_bytes = 0;
  for (size_t i = 0; i < ls.n; i++)
    if (ls.v[i].image)
      image_bytes += ls.v[i].end - ls.v[i].start;
  VMS_CHECK_U64(img->bytes, image_bytes);

  /* The ground truth of the captures (tests/data/README.md). */
  VMS_CHECK_U64(b.facts.thread_stacks, stacks);
  VMS_CHECK_U64(b.groups[VMS_BGROUP_STACKS].units, stacks); /* [stack] is outside the scope */
  if (stack_size) {
    VMS_CHECK_U64(b.facts.stack_min, stack_size);
    VMS_CHECK_U64(b.facts.stack_max, stack_size);
    VMS_CHECK_U64(b.facts.stack_total, stack_size * stacks);
  }
  VMS_CHECK_U64(b.facts.arenas, arenas);
  VMS_CHECK_U64(b.facts.arena_size, UINT64_C(64) << 20);
  VMS_CHECK(b.facts.mmap_shape == mmap_shape);
  /* A capture has no /proc/PID/limits: the setting is unknown, never a guess. */
  char line[1024];
  VMS_CHECK(vms_barrier_fact_text(&b, VMS_FACT_STACKS, line, sizeof line) > 0);
  VMS_CHECK_MSG(strstr(line, "unknown") != NULL, "%s", line);
  VMS_CHECK(vms_barrier_fact_text(&b, VMS_FACT_LAA, line, sizeof line) == 0);

  free(ex);
  free(ls.v);
  vms_barriers_clear(&b);
  vms_snapshot_unref(s);
  free(text);
}

/* ---- bad input ---- */

static VmsSnapshot *build(VmsSpace *space) {
  VmsSnapshot *snap = NULL;
  VmsError err = {0};
  VMS_CHECK(vms_snapshot_build(space, &snap, &err) == VMS_OK);
  vms_space_clear(space);
  return snap;
}

static void add(VmsSpace *space, uint64_t start, uint64_t end, uint16_t prot) {
  VmsRegion *r = vms_space_add_region(space);
  r->start = start;
  r->end = end;
  r->prot = prot;
}

static void test_no_free_block(void) {
  VmsSpace space;
  vms_space_init(&space);
  space.bits = 32;
  space.page_size = 4096;
  space.usable_lo = 0x10000;
  space.usable_hi = 0x40000;
  add(&space, 0x10000, 0x20000, VMS_PROT_READ);
  add(&space, 0x20000, 0x40000, VMS_PROT_READ | VMS_PROT_WRITE);
  VmsSnapshot *s = build(&space);
  VmsBarrierScope scope;
  vms_barrier_scope_default(s, &scope);
  VMS_CHECK_U64(scope.kind, VMS_SCOPE_USABLE);
  VmsBarriers b;
  VMS_CHECK(vms_barriers_compute(s, &scope, NULL, &b, NULL) == VMS_OK);
  VMS_CHECK_U64(b.largest, 0);
  VMS_CHECK_U64(b.n_barriers, 0);
  VMS_CHECK_U64(b.n_by_gain, 0);
  char line[512];
  vms_barrier_top_line(s, &b, line, sizeof line);
  VMS_CHECK_MSG(strstr(line, "nothing is free") != NULL, "%s", line);
  vms_barriers_clear(&b);
  vms_snapshot_unref(s);
}

static void test_one_region(void) {
  VmsSpace space;
  vms_space_init(&space);
  space.bits = 32;
  space.page_size = 4096;
  space.usable_lo = 0x10000;
  space.usable_hi = 0x100000;
  add(&space, 0x40000, 0x50000, VMS_PROT_READ | VMS_PROT_WRITE);
  VmsSnapshot *s = build(&space);
  VmsBarrierScope scope;
  vms_barrier_scope_default(s, &scope);
  VmsBarriers b;
  VMS_CHECK(vms_barriers_compute(s, &scope, NULL, &b, NULL) == VMS_OK);
  /* One mapping between [0x10000, 0x40000) and [0x50000, 0x100000). */
  VMS_CHECK_U64(b.largest, 0xb0000);
  VMS_CHECK_U64(b.n_barriers, 1);
  VMS_CHECK_U64(b.by_gain[0].start, 0x40000);
  VMS_CHECK_U64(b.by_gain[0].merged, 0xf0000);
  VMS_CHECK_U64(b.by_gain[0].gain, 0xf0000 - 0xb0000);
  VMS_CHECK_U64(b.groups[VMS_BGROUP_PRIVATE].largest_without, 0xf0000);
  /* An empty range and one past the mapping: no barrier, no crash. */
  vms_barriers_clear(&b);
  vms_barrier_scope_given(0x20000, 0x20000, &scope);
  VMS_CHECK(vms_barriers_compute(s, &scope, NULL, &b, NULL) == VMS_OK);
  VMS_CHECK_U64(b.n_barriers, 0);
  vms_barrier_scope_given(0x48000, 0x60000, &scope);
  VMS_CHECK(vms_barriers_compute(s, &scope, NULL, &b, NULL) == VMS_OK);
  VMS_CHECK_U64(b.n_barriers, 0); /* clipped: no free block below it in the range */
  VMS_CHECK_U64(b.largest, 0x10000);
  vms_barriers_clear(&b);
  vms_snapshot_unref(s);
}

/* A 47-bit space: a few mappings low, a cluster high, 100 TiB between. */
static void test_dominant_hole(void) {
  VmsSpace space;
  vms_space_init(&space);
  space.bits = 64;
  space.page_size = 4096;
  space.usable_lo = 0x10000;
  space.usable_hi = UINT64_C(0x7ffffffff000);
  add(&space, 0x400000, 0x500000, VMS_PROT_READ);
  const uint64_t c = UINT64_C(0x7f0000000000);
  add(&space, c, c + 0x100000, VMS_PROT_READ | VMS_PROT_WRITE);
  add(&space, c + 0x300000, c + 0x400000, VMS_PROT_READ | VMS_PROT_WRITE);
  add(&space, c + 0x500000, c + 0x600000, VMS_PROT_READ | VMS_PROT_WRITE);
  VmsSnapshot *s = build(&space);
  VmsBarrierScope scope;
  vms_barrier_scope_default(s, &scope);
  VMS_CHECK_U64(scope.kind, VMS_SCOPE_CLUSTER);
  VMS_CHECK_U64(scope.lo, c);
  VMS_CHECK_U64(scope.hi, c + 0x600000);
  char text[512];
  vms_barrier_scope_describe(&scope, text, sizeof text);
  VMS_CHECK_MSG(strstr(text, "busiest cluster") != NULL, "%s", text);
  VmsBarriers b;
  VMS_CHECK(vms_barriers_compute(s, &scope, NULL, &b, NULL) == VMS_OK);
  VMS_CHECK_U64(b.largest, 0x200000);
  /* The lowest and highest mappings have no free block outside the cluster. */
  VMS_CHECK_U64(b.n_barriers, 1);
  VMS_CHECK_U64(b.by_gain[0].start, c + 0x300000);
  VMS_CHECK_U64(b.by_gain[0].merged, 0x400000);
  VMS_CHECK_U64(b.by_gain[0].gain, 0x200000);
  vms_barriers_clear(&b);
  /* Over the whole usable range the hole wins and nothing gains. */
  vms_barrier_scope_given(s->usable_lo, s->usable_hi, &scope);
  VMS_CHECK(vms_barriers_compute(s, &scope, NULL, &b, NULL) == VMS_OK);
  VMS_CHECK(b.largest > (UINT64_C(100) << 40));
  vms_barriers_clear(&b);
  vms_snapshot_unref(s);
}

/* A 32-bit Windows process's space, up to hi, on a system of os_bits. */
static void windows_space_init(VmsSpace *space, int os_bits, uint64_t hi) {
  vms_space_init(space);
  space->bits = 32;
  space->os_bits = os_bits;
  space->page_size = 4096;
  space->alloc_granularity = 65536;
  space->usable_lo = 0x10000;
  space->usable_hi = hi;
  space->fields = VMS_FIELD_OS_TYPE;
}

/* A 32-bit Windows process on 64-bit Windows whose image flags were not read. */
static void test_laa(void) {
  for (int known = 0; known < 2; known++) {
    VmsSpace space;
    windows_space_init(&space, 64, 0x7fff0000);
    space.fields |= known ? VMS_FIELD_LAA : 0;
    space.large_address_aware = false;
    VmsRegion *r = vms_space_add_region(&space);
    r->start = 0x400000;
    r->end = 0x410000;
    r->prot = VMS_PROT_READ;
    r->os = VMS_OS_MEM_IMAGE | VMS_OS_MEM_COMMIT;
    r->alloc_base = 0x400000;
    VmsSnapshot *s = build(&space);
    VmsBarrierScope scope;
    vms_barrier_scope_default(s, &scope);
    VmsBarriers b;
    VMS_CHECK(vms_barriers_compute(s, &scope, NULL, &b, NULL) == VMS_OK);
    VMS_CHECK_U64(b.facts.laa, known ? VMS_LAA_NO : VMS_LAA_UNKNOWN);
    char line[1024];
    VMS_CHECK(vms_barrier_fact_text(&b, VMS_FACT_LAA, line, sizeof line) > 0);
    VMS_CHECK_MSG(strstr(line, known ? "4 GiB" : "unknown") != NULL, "%s", line);
    VMS_CHECK_MSG(strstr(line, "2 GiB") != NULL, "%s", line);
    /* The image's stack reserve was not read either: unknown, not a guess. */
    VMS_CHECK(vms_barrier_fact_text(&b, VMS_FACT_STACKS, line, sizeof line) == 0);
    vms_barriers_clear(&b);
    vms_snapshot_unref(s);
  }
}

/* ---- two moments ---- */

/* A 32-bit Windows-style space over [0x10000, 0x1000000): a 64 KiB
 * allocation of kind os (VMS_OS_MEM_*) at each start. */
static VmsSnapshot *windows_space(const uint64_t *starts, const uint16_t *os, size_t n) {
  VmsSpace space;
  windows_space_init(&space, 32, 0x1000000);
  for (size_t i = 0; i < n; i++) {
    VmsRegion *r = vms_space_add_region(&space);
    r->start = r->alloc_base = starts[i];
    r->end = starts[i] + 0x10000;
    r->prot = VMS_PROT_READ | VMS_PROT_WRITE;
    r->os = os[i] | VMS_OS_MEM_COMMIT;
  }
  return build(&space);
}

/* A: private P1 at 1 MiB, private P2 at 4 MiB, an image at 8 MiB. B: P2
 * gone and shareable memory at 12 MiB. Free blocks A: 0xf0000, 0x2f0000,
 * 0x3f0000, 0x7f0000 (largest); B: 0xf0000, 0x6f0000 (largest), 0x3f0000,
 * 0x3f0000. So P1 merges 0x3f0000 then 0x7f0000 (gain 0 then 0x100000), P2
 * vanishes, the image merges 0xbf0000 then 0xaf0000 (gain 0x400000 both
 * times: unchanged), the shareable block appears (0x7f0000, gain 0x100000). */
static void test_barrier_diff(void) {
  const uint64_t sa[] = {0x100000, 0x400000, 0x800000}, sb[] = {0x100000, 0x800000, 0xc00000};
  const uint16_t oa[] = {VMS_OS_MEM_PRIVATE, VMS_OS_MEM_PRIVATE, VMS_OS_MEM_IMAGE};
  const uint16_t ob[] = {VMS_OS_MEM_PRIVATE, VMS_OS_MEM_IMAGE, VMS_OS_MEM_MAPPED};
  VmsSnapshot *a = windows_space(sa, oa, 3), *b = windows_space(sb, ob, 3);
  VmsBarrierScope scope;
  VmsBarriers ba, bb;
  vms_barrier_scope_default(a, &scope);
  VMS_CHECK(vms_barriers_compute(a, &scope, NULL, &ba, NULL) == VMS_OK);
  vms_barrier_scope_default(b, &scope);
  VMS_CHECK(vms_barriers_compute(b, &scope, NULL, &bb, NULL) == VMS_OK);
  VMS_CHECK_U64(ba.largest, 0x7f0000);
  VMS_CHECK_U64(bb.largest, 0x6f0000);
  VmsBarrierDiff d;
  vms_barriers_compare(&ba, &bb, &d);
  VMS_CHECK_U64(d.n_barriers, 3);
  if (d.n_barriers == 3) {
    const VmsBarrierChange *c = d.barriers;
    VMS_CHECK_U64(c[0].kind, VMS_BARRIER_GAIN);
    VMS_CHECK(c[0].old_b && c[0].new_b);
    if (c[0].old_b && c[0].new_b) {
      VMS_CHECK_U64(c[0].old_b->start, 0x100000);
      VMS_CHECK_U64(c[0].old_b->merged, 0x3f0000);
      VMS_CHECK_U64(c[0].old_b->gain, 0);
      VMS_CHECK_U64(c[0].new_b->merged, 0x7f0000);
      VMS_CHECK_U64(c[0].new_b->gain, 0x100000);
    }
    VMS_CHECK_U64(c[1].kind, VMS_BARRIER_VANISHED);
    VMS_CHECK(c[1].old_b && !c[1].new_b);
    if (c[1].old_b) {
      VMS_CHECK_U64(c[1].old_b->start, 0x400000);
      VMS_CHECK_U64(c[1].old_b->end, 0x410000);
      VMS_CHECK_U64(c[1].old_b->merged, 0x6f0000);
    }
    VMS_CHECK_U64(c[2].kind, VMS_BARRIER_APPEARED);
    VMS_CHECK(!c[2].old_b && c[2].new_b);
    if (c[2].new_b) {
      VMS_CHECK_U64(c[2].new_b->start, 0xc00000);
      VMS_CHECK_U64(c[2].new_b->group, VMS_BGROUP_MAPPED);
      VMS_CHECK_U64(c[2].new_b->free_below, 0x3f0000);
      VMS_CHECK_U64(c[2].new_b->free_above, 0x3f0000);
      VMS_CHECK_U64(c[2].new_b->merged, 0x7f0000);
      VMS_CHECK_U64(c[2].new_b->gain, 0x100000);
    }
  }
  /* Groups: private lost an owner and now gains 1 MiB without it; images
   * did not change; mapped appeared. */
  VMS_CHECK_U64(d.n_groups, 2);
  if (d.n_groups == 2) {
    const VmsGroupChange *g = d.groups;
    VMS_CHECK_U64(g[0].group, VMS_BGROUP_PRIVATE);
    VMS_CHECK_U64(g[0].kind, VMS_GROUP_CHANGED);
    VMS_CHECK_U64(g[0].old_g->units, 2);
    VMS_CHECK_U64(g[0].new_g->units, 1);
    VMS_CHECK_U64(g[0].old_g->bytes, 0x20000);
    VMS_CHECK_U64(g[0].new_g->bytes, 0x10000);
    VMS_CHECK_U64(g[0].old_g->walls, 2);
    VMS_CHECK_U64(g[0].new_g->walls, 1);
    VMS_CHECK_U64(g[0].old_g->largest_without, 0x7f0000);
    VMS_CHECK_U64(g[0].new_g->largest_without, 0x7f0000);
    VMS_CHECK_U64(g[0].old_gain, 0);
    VMS_CHECK_U64(g[0].new_gain, 0x100000);
    VMS_CHECK_U64(g[1].group, VMS_BGROUP_MAPPED);
    VMS_CHECK_U64(g[1].kind, VMS_GROUP_APPEARED);
    VMS_CHECK_U64(g[1].old_g->units, 0);
    VMS_CHECK_U64(g[1].new_g->units, 1);
    VMS_CHECK_U64(g[1].new_g->largest_without, 0x7f0000);
    VMS_CHECK_U64(g[1].new_gain, 0x100000);
  }
  /* The other way round: the same changes, mirrored. */
  vms_barriers_compare(&bb, &ba, &d);
  VMS_CHECK_U64(d.n_barriers, 3);
  if (d.n_barriers == 3) {
    VMS_CHECK_U64(d.barriers[1].kind, VMS_BARRIER_APPEARED);
    VMS_CHECK_U64(d.barriers[2].kind, VMS_BARRIER_VANISHED);
  }
  VMS_CHECK(d.n_groups == 2 && d.groups[1].kind == VMS_GROUP_VANISHED);
  /* A moment against itself: nothing. */
  vms_barriers_compare(&ba, &ba, &d);
  VMS_CHECK_U64(d.n_barriers + d.n_groups, 0);

  /* A 32-bit target's addresses take 8 hex digits in the table. */
  FILE *f = tmpfile();
  VMS_CHECK(f != NULL);
  if (f) {
    vms_print_barriers(f, b, &bb, VMS_FORMAT_TABLE);
    long n = ftell(f);
    rewind(f);
    char *text = calloc(1, (size_t)n + 1);
    VMS_CHECK(text && fread(text, 1, (size_t)n, f) == (size_t)n);
    VMS_CHECK_MSG(text && strstr(text, "\n  1 00800000 ") != NULL &&
                      strstr(text, "\n  # START    ") != NULL,
                  "%s", text ? text : "");
    free(text);
    fclose(f);
  }
  VMS_CHECK_U64(vms_addr_digits(32, 0xffffe000), 8);
  VMS_CHECK_U64(vms_addr_digits(64, UINT64_C(0x7ffffffff000)), 12);
  VMS_CHECK_U64(vms_addr_digits(64, UINT64_C(0xffffffffff601000)), 16);
  vms_barriers_clear(&ba);
  vms_barriers_clear(&bb);
  vms_snapshot_unref(a);
  vms_snapshot_unref(b);
}

int main(int argc, char **argv) {
  if (argc > 1)
    vms_test_data_dir = argv[1];
  /* glibc's 8 MiB default and a 4 KiB guard below it. */
  compare("python-fragmenting.maps", 6, (UINT64_C(8) << 20) + 4096, 6, true);
  compare("jvm.maps", 19, 0, 15, false);
  test_no_free_block();
  test_one_region();
  test_dominant_hole();
  test_laa();
  test_barrier_diff();
  return vms_test_end();
}
