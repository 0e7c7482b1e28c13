/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-classify-windows.c: fuzz target for the Windows classification rules, fed with decoded
 * region walks.
 *
 * The input is a walk as vms-platform-windows.c would report it: a header
 * byte of facts (bitness, page size and granularity, the usable range,
 * counters), then records, each a tag byte and its fields:
 *   tag & 3 == 0 or 1: a region after a gap, with its MEM_* bits, protection,
 *                      allocation base (its own, the previous region's, a
 *                      granularity boundary or any), an optional name, and
 *                      with counters its resident and locked bytes;
 *   tag & 3 == 2:      a thread, its TEB stack range inside a region so far
 *                      (or any range), its TID from a small set (WoW64
 *                      threads report two stacks under one TID);
 *   tag & 3 == 3:      a heap range from the PEB, inside a region or any.
 * Regions come out sorted and apart, as VirtualQueryEx walks them. The walk
 * is decoded twice, the second time without the records whose tag has bit 7
 * set and with some regions a page longer or shorter (the next refresh), and
 * both snapshots go through fuzz-check.h, the second diffed against the first
 * (the last byte seeds the statistics windows, fit sizes and output formats). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
  const uint8_t *p, *end;
} Reader;

static uint8_t take(Reader *r) {
  return r->p < r->end ? *r->p++ : 0;
}
static uint64_t take64(Reader *r) {
  uint64_t v = 0;
  for (int k = 0; k < 8; k++)
    v = v << 8 | take(r);
  return v;
}

static const char *const names[] = {"C:\\Windows\\System32\\ntdll.dll",
                                    "C:\\data.bin",
                                    "\\Device\\HarddiskVolume3\\x.dat",
                                    "",
                                    "C:\\Program Files\\\xc3\xa9t\xc3\xa9\\app.exe",
                                    "a,b\"c\nd"};

/* A range inside the idx-th region so far, or anywhere with the escape bit. */
static VmsRange pick_range(Reader *in, const VmsSpace *sp) {
  uint8_t how = take(in), off = take(in), len = take(in);
  if ((how & 0x80) || sp->n_regions == 0) {
    uint64_t a = take64(in), b = take64(in);
    return (VmsRange){a, b};
  }
  const VmsRegion *r = &sp->regions[how % sp->n_regions];
  uint64_t a = r->start + (uint64_t)(off % 64) * sp->page_size;
  return (VmsRange){a, a + (uint64_t)len * sp->page_size};
}

static bool decode(const uint8_t *data, size_t size, bool second, VmsSpace *sp) {
  Reader in = {data, data + size};
  const uint8_t h = take(&in);
  sp->pid = 4 * (1 + (h >> 4));
  snprintf(sp->name, sizeof sp->name, "fuzz.exe");
  sp->bits = (h & 1) ? 32 : 64;
  sp->page_size = (h & 2) ? 8192 : 4096;
  sp->alloc_granularity = (h & 4) ? 65536 : sp->page_size;
  sp->usable_lo = (h & 8) ? 0x10000 : sp->page_size;
  static const uint64_t tops32[] = {0x7fff0000ULL, 0xbfff0000ULL, 0xffff0000ULL, 0x80000000ULL};
  static const uint64_t tops64[] = {0x7ffffffeffffULL + 1, 0x7fff0000ULL, 1ULL << 47,
                                    0x7ffffffffff0000ULL};
  sp->usable_hi = sp->bits == 32 ? tops32[(h >> 4) & 3] : tops64[(h >> 4) & 3];
  sp->fields = VMS_FIELD_OS_TYPE | VMS_FIELD_NAMES | VMS_FIELD_THREADS | VMS_FIELD_HEAPS;
  const bool counters = (h & 0x40) != 0;
  if (counters)
    sp->fields |= VMS_FIELD_COUNTERS;
  const uint64_t walk_end = sp->bits == 32 ? 1ULL << 32 : UINT64_MAX;
  uint64_t cursor = 0, prev_base = 0, prev_start = 0;
  while (in.p < in.end) {
    const uint8_t tag = take(&in);
    const bool skip = second && (tag & 0x80);
    if ((tag & 3) == 2) {
      VmsThread t = {.tid = 4 * (1 + ((tag >> 2) & 7))};
      t.stack = pick_range(&in, sp);
      t.range_known = (tag & 0x20) == 0;
      if (!skip && vms_space_add_thread(sp, &t) != VMS_OK)
        return false;
      continue;
    }
    if ((tag & 3) == 3) {
      VmsRange hr = pick_range(&in, sp);
      if (!skip && vms_space_add_heap(sp, hr.start, hr.end) != VMS_OK)
        return false;
      continue;
    }
    const uint8_t g = take(&in), l = take(&in), kind = take(&in), prot = take(&in);
    const uint64_t gap = (uint64_t)(g & 0x1f) << ((g >> 5) * 6);
    uint64_t len = (uint64_t)((l & 0x1f) + 1) << ((l >> 5) * 3);
    if (second && (tag & 0x60) == 0x20)
      len++;
    else if (second && (tag & 0x60) == 0x40 && len > 1)
      len--;
    const uint64_t page = sp->page_size;
    if (gap > (walk_end - cursor) / page)
      break;
    const uint64_t start = cursor + gap * page;
    if (len > (walk_end - start) / page)
      break;
    const uint64_t end = start + len * page;
    uint64_t base = start;
    switch (kind >> 5) {
    case 1: base = prev_base; break;
    case 2: base = prev_start; break;
    case 3: base = start & ~(sp->alloc_granularity - 1); break;
    case 4: base = take64(&in); break;
    default: break;
    }
    const char *name = NULL;
    size_t name_len = 0;
    if (kind & 0x10) {
      uint8_t n = take(&in);
      if (n & 0x80) { /* any bytes, control and invalid UTF-8 included */
        name_len = (size_t)(n & 0x3f);
        if (name_len > (size_t)(in.end - in.p))
          name_len = (size_t)(in.end - in.p);
        name = (const char *)in.p;
        in.p += name_len;
      } else {
        name = names[n % (sizeof names / sizeof *names)];
        name_len = strlen(name);
      }
    }
    uint8_t rss = counters ? take(&in) : 0, mask = counters ? take(&in) : 0;
    if (skip)
      continue;
    VmsRegion *r = vms_space_add_region(sp);
    if (!r)
      return false;
    r->start = start;
    r->end = end;
    r->alloc_base = base;
    static const uint16_t types[] = {VMS_OS_MEM_IMAGE, VMS_OS_MEM_MAPPED, VMS_OS_MEM_PRIVATE,
                                     VMS_OS_MEM_FREE};
    r->os = types[kind & 3];
    if ((kind & 3) != 3)
      r->os |= (kind & 4) ? VMS_OS_MEM_RESERVE : VMS_OS_MEM_COMMIT;
    if (kind & 8)
      r->os |= VMS_OS_PSEUDO;
    /* A reserved or free region has no protection of its own. */
    r->prot = (r->os & VMS_OS_MEM_COMMIT) ? (uint16_t)(prot & ~VMS_PROT_SHARED) : 0;
    r->alloc_prot = (uint32_t)(prot >> 4 | prot << 4) & 0xff;
    if (name) {
      r->name = vms_name_pool_add(&sp->names, name, name_len);
      if (r->name == UINT32_MAX)
        return false;
    }
    if (counters) {
      if (vms_space_reserve_counters(sp, sp->n_regions) != VMS_OK)
        return false;
      VmsCounters *c = &sp->counters[sp->n_regions - 1];
      memset(c, 0, sizeof *c);
      c->mask = mask & (VMS_CTR_RSS | VMS_CTR_LOCKED);
      c->rss = (uint64_t)rss * page;
      c->locked = (uint64_t)(rss >> 4) * page;
    }
    prev_base = base;
    prev_start = start;
    cursor = end;
  }
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  VmsSnapshot *prev = NULL;
  for (int pass = 0; pass < 2; pass++) {
    VmsSpace sp;
    vms_space_init(&sp);
    VmsSnapshot *snap = NULL;
    VmsError err = {0};
    if (decode(data, size, pass == 1, &sp) && vms_snapshot_build(&sp, &snap, &err) == VMS_OK) {
      fuzz_exercise(snap, prev,
                    (size ? data[size - 1] * 0x9e3779b97f4a7c15ULL : 0) + (uint64_t)pass);
      vms_snapshot_unref(prev);
      prev = snap;
    }
    vms_space_clear(&sp);
  }
  vms_snapshot_unref(prev);
  return 0;
}
