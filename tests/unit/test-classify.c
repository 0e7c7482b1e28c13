/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-classify.c: region types, states and gaps from captured and constructed address spaces. */
#include "vms-test-data.h"

static const VmsRegion *region_at(const VmsSnapshot *s, uint64_t addr) {
  size_t i = vms_snapshot_find(s, addr);
  return i == SIZE_MAX ? NULL : &s->regions[i];
}

static int type_at(const VmsSnapshot *s, uint64_t addr) {
  const VmsRegion *r = region_at(s, addr);
  return r ? r->type : -1;
}

/* Every snapshot covers [0, usable_hi) without holes or overlaps. */
static void check_cover(const VmsSnapshot *s) {
  uint64_t cursor = 0;
  for (size_t i = 0; i < s->n_regions; i++) {
    const VmsRegion *r = &s->regions[i];
    VMS_CHECK(r->end > r->start);
    if (r->start >= s->usable_hi) {
      VMS_CHECK(r->detail & VMS_DETAIL_OUTSIDE);
      continue;
    }
    VMS_CHECK_U64(r->start, cursor);
    cursor = r->end;
    VMS_CHECK((r->state == VMS_STATE_FREE) ==
              (r->type == VMS_TYPE_FREE || r->type == VMS_TYPE_UNUSABLE));
    if (i > 0 && r->type == VMS_TYPE_FREE)
      VMS_CHECK(s->regions[i - 1].type != VMS_TYPE_FREE);
  }
  VMS_CHECK_U64(cursor, s->usable_hi);
}

static size_t count_detail(const VmsSnapshot *s, uint16_t detail, int type, bool guards) {
  size_t n = 0;
  for (size_t i = 0; i < s->n_regions; i++) {
    const VmsRegion *r = &s->regions[i];
    if ((r->detail & detail) && (type < 0 || r->type == type) &&
        guards == ((r->detail & VMS_DETAIL_GUARD) != 0))
      n++;
  }
  return n;
}

static void test_python(void) {
  VmsSnapshot *s = vms_test_snapshot("python-fragmenting.maps");
  check_cover(s);
  VMS_CHECK_U64(s->bits, 64);
  VMS_CHECK_U64(s->usable_hi, 0x7ffffffff000ULL);
  /* 7 threads: [stack] and six thread stacks, each with its 4 KiB guard. */
  VMS_CHECK_U64(s->n_stacks_found, 7);
  VMS_CHECK_U64(count_detail(s, VMS_DETAIL_THREAD_STACK, VMS_TYPE_STACK, false), 6);
  VMS_CHECK_U64(count_detail(s, VMS_DETAIL_THREAD_STACK, VMS_TYPE_STACK, true), 6);
  VMS_CHECK_U64(count_detail(s, VMS_DETAIL_MAIN_STACK, VMS_TYPE_STACK, false), 1);
  const VmsRegion *stack = region_at(s, 0x7f23a335b000ULL);
  VMS_CHECK_U64(stack->type, VMS_TYPE_STACK);
  VMS_CHECK(stack->detail & VMS_DETAIL_INFERRED);
  const VmsRegion *guard = region_at(s, 0x7f23a335a000ULL);
  VMS_CHECK_U64(guard->type, VMS_TYPE_STACK);
  VMS_CHECK_U64(guard->state, VMS_STATE_RESERVED);
  /* The region just above a stack (same prot, not merged) is not stack. */
  VMS_CHECK_U64(type_at(s, 0x7f23a3b5b000ULL), VMS_TYPE_PRIVATE);
  /* Six arenas: 64 MiB each, read-write head and reserved tail, all Heap. */
  VMS_CHECK_U64(count_detail(s, VMS_DETAIL_ARENA, VMS_TYPE_HEAP, false), 12);
  const VmsRegion *tail = region_at(s, 0x7f232c021000ULL);
  VMS_CHECK_U64(tail->type, VMS_TYPE_HEAP);
  VMS_CHECK_U64(tail->state, VMS_STATE_RESERVED);
  VMS_CHECK_U64(type_at(s, 0x55fcc027e000ULL), VMS_TYPE_HEAP); /* [heap] */
  VMS_CHECK_U64(s->stats.by_type[VMS_TYPE_HEAP].size,
                6 * 64 * 1048576ULL + (0x55fcc0440000ULL - 0x55fcc027e000ULL));
  VMS_CHECK_U64(s->stats.by_type[VMS_TYPE_HEAP].committed,
                6 * 0x21000ULL + (0x55fcc0440000ULL - 0x55fcc027e000ULL));
  /* The interpreter and libraries are images; a large anonymous chunk is private data. */
  VMS_CHECK_U64(type_at(s, 0x55fc9641d000ULL), VMS_TYPE_IMAGE);
  VMS_CHECK_U64(type_at(s, 0x7f2349763000ULL), VMS_TYPE_PRIVATE);
  VMS_CHECK_U64(type_at(s, 0x7f23ae102000ULL), VMS_TYPE_SYSTEM); /* [vdso] */
  VMS_CHECK_U64(type_at(s, 0xffffffffff600000ULL), VMS_TYPE_SYSTEM);
  VMS_CHECK(region_at(s, 0xffffffffff600000ULL)->detail & VMS_DETAIL_OUTSIDE);
  /* Below vm.mmap_min_addr (assumed 64 KiB for a capture) is unusable, and
   * so is the guard gap under [stack]. */
  VMS_CHECK_U64(type_at(s, 0), VMS_TYPE_UNUSABLE);
  VMS_CHECK_U64(region_at(s, 0)->end, 0x10000);
  const VmsRegion *gap = region_at(s, 0x7ffe36042000ULL - 1);
  VMS_CHECK_U64(gap->type, VMS_TYPE_UNUSABLE);
  VMS_CHECK_U64(gap->end - gap->start, 1048576);
  VMS_CHECK_U64(type_at(s, 0x7ffe36042000ULL - 1048576 - 1), VMS_TYPE_FREE);
  vms_snapshot_unref(s);
}

static void test_jvm(void) {
  VmsSnapshot *s = vms_test_snapshot("jvm.maps");
  check_cover(s);
  /* 20 threads: [stack], 19 thread stacks with 4 KiB (native) or 16 KiB (Java) guards. */
  VMS_CHECK_U64(s->n_stacks_found, 20);
  VMS_CHECK_U64(count_detail(s, VMS_DETAIL_THREAD_STACK, VMS_TYPE_STACK, false), 19);
  VMS_CHECK_U64(type_at(s, 0x7f428822c000ULL), VMS_TYPE_STACK); /* 16 KiB guard */
  VMS_CHECK_U64(type_at(s, 0x7f4288228000ULL), VMS_TYPE_STACK);
  /* Not stacks: a 4 KiB PROT_NONE under a read-only page, a 920 KiB reservation. */
  VMS_CHECK_U64(type_at(s, 0x7f42a73c0000ULL), VMS_TYPE_PRIVATE);
  VMS_CHECK_U64(type_at(s, 0x7f42a58ef000ULL), VMS_TYPE_PRIVATE);
  /* Not an arena: a 64 MiB run that does not start on a 64 MiB boundary. */
  VMS_CHECK_U64(type_at(s, 0x7f4227000000ULL), VMS_TYPE_PRIVATE);
  VMS_CHECK_U64(type_at(s, 0x7f4208000000ULL), VMS_TYPE_HEAP);
  VMS_CHECK_U64(type_at(s, 0x7f420806c000ULL), VMS_TYPE_HEAP);
  /* The compressed-oops Java heap under 4 GiB and the code cache are private data. */
  VMS_CHECK_U64(type_at(s, 0xe0000000ULL), VMS_TYPE_PRIVATE);
  VMS_CHECK_U64(type_at(s, 0x7f4289400000ULL), VMS_TYPE_PRIVATE);
  VMS_CHECK_U64(region_at(s, 0x7f4289670000ULL)->state, VMS_STATE_RESERVED);
  /* The module image is a mapped file, the JDK's libraries images. */
  bool modules = false, libjvm = false;
  for (size_t i = 0; i < s->n_regions; i++) {
    const char *n = vms_snapshot_name_of(s, &s->regions[i]);
    if (strstr(n, "/lib/modules"))
      modules = s->regions[i].type == VMS_TYPE_MAPPED;
    if (strstr(n, "libjvm.so"))
      libjvm = s->regions[i].type == VMS_TYPE_IMAGE;
  }
  VMS_CHECK(modules);
  VMS_CHECK(libjvm);
  vms_snapshot_unref(s);
}

static void test_odd_names(void) {
  VmsSnapshot *s = vms_test_snapshot("odd-names.maps");
  check_cover(s);
  const uint64_t t = 0x7f0000000000ULL;
  VMS_CHECK_U64(type_at(s, 0x555500000000ULL), VMS_TYPE_IMAGE); /* r--p part of an executable */
  VMS_CHECK_U64(type_at(s, 0x555500003000ULL), VMS_TYPE_IMAGE);
  VMS_CHECK_U64(type_at(s, t), VMS_TYPE_MAPPED);
  VMS_CHECK_U64(type_at(s, t + 0x2000), VMS_TYPE_SHAREABLE); /* memfd */
  VMS_CHECK(region_at(s, t + 0x2000)->detail & VMS_DETAIL_MEMFD);
  VMS_CHECK_U64(type_at(s, t + 0x3000), VMS_TYPE_SHAREABLE); /* /dev/shm */
  VMS_CHECK_U64(type_at(s, t + 0x4000), VMS_TYPE_SHAREABLE); /* SYSV */
  VMS_CHECK_U64(type_at(s, t + 0x5000), VMS_TYPE_SHAREABLE); /* shared anonymous */
  VMS_CHECK_U64(type_at(s, t + 0x6000), VMS_TYPE_PRIVATE);   /* [anon:my cache] */
  VMS_CHECK_U64(type_at(s, t + 0x7000), VMS_TYPE_SHAREABLE); /* [anon_shmem:ring] */
  VMS_CHECK_U64(type_at(s, t + 0x8000), VMS_TYPE_HEAP);      /* named by glibc */
  VMS_CHECK_U64(type_at(s, t + 0xc000), VMS_TYPE_IMAGE);
  VMS_CHECK_U64(type_at(s, t + 0xd000), VMS_TYPE_IMAGE);
  VMS_CHECK_U64(type_at(s, t + 0x10000), VMS_TYPE_SYSTEM);
  VMS_CHECK_U64(type_at(s, t + 0x14000), VMS_TYPE_SYSTEM);
  VMS_CHECK_U64(type_at(s, t + 0x18000), VMS_TYPE_SYSTEM);
  char d[256];
  vms_region_describe(s, region_at(s, t), d, sizeof d);
  VMS_CHECK_STR(d, "/tmp/data file.bin (deleted)");
  vms_snapshot_unref(s);
}

/* Builds a space by hand. */
static VmsRegion *add(VmsSpace *sp, uint64_t a, uint64_t b, uint16_t prot) {
  VmsRegion *r = vms_space_add_region(sp);
  r->start = a;
  r->end = b;
  r->prot = prot;
  return r;
}

static void test_32bit_and_live_facts(void) {
  VmsSpace sp;
  vms_space_init(&sp);
  sp.bits = 32;
  sp.page_size = 4096;
  sp.usable_hi = 0xffffe000ULL;
  sp.mmap_min_addr = 65536;
  sp.fields = VMS_FIELD_THREADS;
  sp.pid = 100;
  add(&sp, 0x08048000, 0x08049000, VMS_PROT_READ | VMS_PROT_EXEC)->os = VMS_OS_FILE;
  /* two stack-shaped regions; only one thread (besides main) exists, and its SP is known */
  add(&sp, 0x40000000, 0x40001000, 0);
  add(&sp, 0x40001000, 0x40801000, VMS_PROT_READ | VMS_PROT_WRITE);
  add(&sp, 0x50000000, 0x50001000, 0);
  add(&sp, 0x50001000, 0x50801000, VMS_PROT_READ | VMS_PROT_WRITE);
  VmsThread main_t = {.tid = 100};
  VmsThread t1 = {.tid = 101, .sp_known = true, .sp = 0x507ff000};
  vms_space_add_thread(&sp, &main_t);
  vms_space_add_thread(&sp, &t1);
  VmsSnapshot *s;
  VMS_CHECK_U64(vms_snapshot_build(&sp, &s, NULL), VMS_OK);
  check_cover(s);
  VMS_CHECK_U64(type_at(s, 0x50001000), VMS_TYPE_STACK);
  VMS_CHECK(!(region_at(s, 0x50001000)->detail & VMS_DETAIL_INFERRED));
  VMS_CHECK_U64(type_at(s, 0x50000000), VMS_TYPE_STACK);
  /* All threads are placed, so the other stack-shaped region stays private. */
  VMS_CHECK_U64(type_at(s, 0x40001000), VMS_TYPE_PRIVATE);
  VMS_CHECK_U64(s->usable_hi, 0xffffe000ULL);
  VMS_CHECK_U64(s->stats.free_largest, 0xffffe000ULL - 0x50801000ULL);
  VMS_CHECK_U64(s->stats.free_largest_start, 0x50801000ULL);
  VMS_CHECK_U64(s->stats.free_blocks, 4);
  uint64_t starts[4];
  /* The fit question is exact to the page. */
  VMS_CHECK_U64(vms_fit(s, 0, UINT64_MAX, s->stats.free_largest + 4096, 0, starts, 4), 0);
  VMS_CHECK_U64(vms_fit(s, 0, UINT64_MAX, s->stats.free_largest, 0, starts, 4), 1);
  VMS_CHECK_U64(starts[0], 0x50801000ULL);
  VMS_CHECK_U64(vms_fit(s, 0, UINT64_MAX, 64 << 20, 1 << 20, starts, 4), 4);
  VMS_CHECK_U64(starts[0], 0x00100000ULL);
  VMS_CHECK_U64(starts[1], 0x08100000ULL);
  VMS_CHECK_U64(starts[2], 0x40900000ULL); /* aligned up to 1 MiB */
  VMS_CHECK_U64(vms_fit(s, 0, UINT64_MAX, 0, 0, starts, 4), 0);
  /* Within a window only its free space counts, clipped to it. */
  VMS_CHECK_U64(vms_fit(s, 0x40000000, 0x50000000, 64 << 20, 0, starts, 4), 1);
  VMS_CHECK_U64(starts[0], 0x40801000ULL);
  VMS_CHECK_U64(vms_fit(s, 0x40000000, 0x50000000, 0x10000000, 0, starts, 4), 0);
  VMS_CHECK_U64(vms_fit(s, 0x40900000, 0x4a000000, 0x9700000, 0, starts, 4), 1);
  VMS_CHECK_U64(starts[0], 0x40900000ULL);
  VMS_CHECK_U64(vms_fit_alignment(s, 0), 4096);
  VMS_CHECK_U64(vms_fit_alignment(s, 1 << 20), 1 << 20);
  VMS_CHECK_U64(vms_fit_alignment(s, 3000), 0);
  vms_snapshot_unref(s);
  vms_space_clear(&sp);
}

/* A Windows-style walk: the OS says the types; free space has the 64 KiB rule. */
static void test_windows_rules(void) {
  VmsSpace sp;
  vms_space_init(&sp);
  sp.bits = 64;
  sp.page_size = 4096;
  sp.alloc_granularity = 65536;
  sp.usable_lo = 0x10000;
  sp.usable_hi = 0x7ffffffeffffULL + 1;
  sp.fields = VMS_FIELD_OS_TYPE | VMS_FIELD_THREADS | VMS_FIELD_HEAPS;
  VmsRegion *r;
  /* a thread stack allocation: reserved, guard, committed */
  r = add(&sp, 0x100000, 0x1f0000, 0);
  r->os = VMS_OS_MEM_PRIVATE | VMS_OS_MEM_RESERVE;
  r->alloc_base = 0x100000;
  r = add(&sp, 0x1f0000, 0x1f3000, VMS_PROT_READ | VMS_PROT_WRITE | VMS_PROT_GUARD);
  r->os = VMS_OS_MEM_PRIVATE | VMS_OS_MEM_COMMIT;
  r->alloc_base = 0x100000;
  r = add(&sp, 0x1f3000, 0x200000, VMS_PROT_READ | VMS_PROT_WRITE);
  r->os = VMS_OS_MEM_PRIVATE | VMS_OS_MEM_COMMIT;
  r->alloc_base = 0x100000;
  /* free, then a heap segment, a pagefile section, a mapped file, an image */
  r = add(&sp, 0x200000, 0x300000, 0);
  r->os = VMS_OS_MEM_FREE;
  r = add(&sp, 0x300000, 0x310000, VMS_PROT_READ | VMS_PROT_WRITE);
  r->os = VMS_OS_MEM_PRIVATE | VMS_OS_MEM_COMMIT;
  r->alloc_base = 0x300000;
  r = add(&sp, 0x310000, 0x400000, 0);
  r->os = VMS_OS_MEM_PRIVATE | VMS_OS_MEM_RESERVE;
  r->alloc_base = 0x300000;
  r = add(&sp, 0x400000, 0x410000, VMS_PROT_READ | VMS_PROT_WRITE);
  r->os = VMS_OS_MEM_MAPPED | VMS_OS_MEM_COMMIT;
  r->alloc_base = 0x400000;
  r = add(&sp, 0x410000, 0x411000, VMS_PROT_READ);
  r->os = VMS_OS_MEM_MAPPED | VMS_OS_MEM_COMMIT;
  r->alloc_base = 0x410000;
  r->name = vms_name_pool_add(&sp.names, "C:\\data.bin", 11);
  /* 0x411000..0x420000 is free but below the next 64 KiB boundary */
  r = add(&sp, 0x140000000ULL, 0x140001000ULL, VMS_PROT_READ);
  r->os = VMS_OS_MEM_IMAGE | VMS_OS_MEM_COMMIT;
  r->alloc_base = 0x140000000ULL;
  VmsThread th = {.tid = 7, .range_known = true, .stack = {0x1f3000, 0x200000}};
  vms_space_add_thread(&sp, &th);
  /* A heap range reported from below its first segment still finds it. */
  vms_space_add_heap(&sp, 0x2f0000, 0x310000);
  VmsSnapshot *s;
  VMS_CHECK_U64(vms_snapshot_build(&sp, &s, NULL), VMS_OK);
  check_cover(s);
  VMS_CHECK_U64(type_at(s, 0x100000), VMS_TYPE_STACK);
  VMS_CHECK_U64(region_at(s, 0x100000)->state, VMS_STATE_RESERVED);
  VMS_CHECK(region_at(s, 0x1f0000)->detail & VMS_DETAIL_GUARD);
  VMS_CHECK_U64(type_at(s, 0x1f3000), VMS_TYPE_STACK);
  VMS_CHECK_U64(s->n_stacks_found, 1);
  VMS_CHECK_U64(type_at(s, 0x200000), VMS_TYPE_FREE);
  VMS_CHECK_U64(type_at(s, 0x300000), VMS_TYPE_HEAP);
  VMS_CHECK_U64(type_at(s, 0x310000), VMS_TYPE_HEAP);
  VMS_CHECK_U64(type_at(s, 0x400000), VMS_TYPE_SHAREABLE);
  VMS_CHECK_U64(type_at(s, 0x410000), VMS_TYPE_MAPPED);
  VMS_CHECK_U64(type_at(s, 0x411000), VMS_TYPE_UNUSABLE);
  VMS_CHECK_U64(region_at(s, 0x411000)->end, 0x420000);
  VMS_CHECK_U64(type_at(s, 0x420000), VMS_TYPE_FREE);
  VMS_CHECK_U64(type_at(s, 0x140000000ULL), VMS_TYPE_IMAGE);
  VMS_CHECK_U64(type_at(s, 0), VMS_TYPE_UNUSABLE); /* below the minimum application address */
  VMS_CHECK_U64(region_at(s, 0)->end, 0x10000);
  vms_snapshot_unref(s);
  vms_space_clear(&sp);
}

/* What a capture without live facts is taken to be. */
static void test_guessed_facts(void) {
  static const struct {
    const char *maps;
    int bits;
    uint64_t top;
  } cases[] = {
      /* 32-bit kernel: the vDSO sits in the last pages below 4 GiB */
      {"08048000-08049000 r-xp 00000000 08:01 5 /bin/x\nffffe000-fffff000 r-xp 00000000 00:00 0 "
       "[vdso]\n",
       32, 1ULL << 32},
      {"08048000-08049000 r-xp 00000000 08:01 5 /bin/x\nf7f00000-f7f01000 r-xp 00000000 00:00 0 "
       "[vdso]\n",
       32, 0xffffe000ULL},
      /* arm64 with 48-bit addresses: the stack near 2^48 */
      {"aaaab0000000-aaaab0001000 r-xp 00000000 08:01 5 /bin/x\nfffff7fde000-fffff7fff000 rw-p "
       "00000000 00:00 0 [stack]\n",
       64, 1ULL << 48},
      {"555500000000-555500001000 r-xp 00000000 08:01 5 /bin/x\n7ffc00000000-7ffc00001000 rw-p "
       "00000000 00:00 0 [stack]\n",
       64, (1ULL << 47) - 4096},
  };
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    VmsSpace sp;
    vms_space_init(&sp);
    VMS_CHECK_U64(vms_maps_parse(cases[k].maps, strlen(cases[k].maps), &sp, NULL), VMS_OK);
    VmsSnapshot *s;
    VMS_CHECK_U64(vms_snapshot_build(&sp, &s, NULL), VMS_OK);
    VMS_CHECK_U64(s->bits, cases[k].bits);
    VMS_CHECK_U64(s->usable_hi, cases[k].top);
    /* The space is left empty (its names moved into the snapshot) and reusable. */
    VMS_CHECK_U64(sp.n_regions, 0);
    VMS_CHECK_U64(vms_maps_parse(cases[k].maps, strlen(cases[k].maps), &sp, NULL), VMS_OK);
    VmsSnapshot *again;
    VMS_CHECK_U64(vms_snapshot_build(&sp, &again, NULL), VMS_OK);
    VMS_CHECK_U64(again->n_regions, s->n_regions);
    vms_snapshot_unref(again);
    vms_snapshot_unref(s);
    vms_space_clear(&sp);
  }
}

/* A space keeps its counters buffer across reads; a later read without
 * counters and with more regions must not touch it. */
static void test_stale_counters(void) {
  VmsSpace sp;
  vms_space_init(&sp);
  VMS_CHECK_U64(vms_space_reserve_counters(&sp, 2), VMS_OK);
  sp.bits = 64;
  sp.page_size = 4096;
  sp.alloc_granularity = 65536;
  sp.usable_lo = 0x10000;
  sp.usable_hi = 1ULL << 40;
  sp.fields = VMS_FIELD_OS_TYPE;
  for (uint64_t i = 0; i < 200; i++) {
    VmsRegion *r = add(&sp, 0x100000 + i * 0x20000, 0x110000 + i * 0x20000, VMS_PROT_READ);
    r->os = VMS_OS_MEM_PRIVATE | VMS_OS_MEM_COMMIT;
    r->alloc_base = r->start;
  }
  VmsSnapshot *s;
  VMS_CHECK_U64(vms_snapshot_build(&sp, &s, NULL), VMS_OK);
  VMS_CHECK(s->counters == NULL);
  VMS_CHECK_U64(s->stats.by_type[VMS_TYPE_PRIVATE].blocks, 200);
  vms_snapshot_unref(s);
  vms_space_clear(&sp);
}

/* glibc 2.39+ with glibc.mem.decorate_maps=1 names its mappings: every one
 * is typed from its name, exactly, and says so. */
static void test_glibc_names(void) {
  VmsSnapshot *s = vms_test_snapshot("glibc-decorated.maps");
  check_cover(s);
  char desc[256];
  const VmsRegion *arena = region_at(s, 0x7f5a34000000ULL);
  VMS_CHECK_U64(arena->type, VMS_TYPE_HEAP);
  VMS_CHECK(arena->detail & VMS_DETAIL_ARENA);
  VMS_CHECK(arena->detail & VMS_DETAIL_NAMED);
  VMS_CHECK(!(arena->detail & VMS_DETAIL_INFERRED));
  /* The unnamed rest of a block whose head glibc named is the arena too. */
  const VmsRegion *grown = region_at(s, 0x7f5a34021000ULL);
  VMS_CHECK_U64(grown->type, VMS_TYPE_HEAP);
  VMS_CHECK(!(grown->detail & VMS_DETAIL_INFERRED));
  const VmsRegion *tail = region_at(s, 0x7f5a34042000ULL);
  VMS_CHECK_U64(tail->type, VMS_TYPE_HEAP);
  VMS_CHECK_U64(tail->state, VMS_STATE_RESERVED);
  VMS_CHECK(!(tail->detail & VMS_DETAIL_INFERRED));
  const uint64_t heaps[] = {0x7f5a39000000ULL, 0x7f5a3c300000ULL}; /* malloc, loader malloc */
  for (int k = 0; k < 2; k++) {
    const VmsRegion *r = region_at(s, heaps[k]);
    VMS_CHECK_U64(r->type, VMS_TYPE_HEAP);
    VMS_CHECK(r->detail & VMS_DETAIL_NAMED);
    VMS_CHECK(!(r->detail & (VMS_DETAIL_INFERRED | VMS_DETAIL_ARENA)));
  }
  /* Thread stacks with their thread, and their guards; the unused one too. */
  const VmsRegion *st = region_at(s, 0x7f5a3a001000ULL);
  VMS_CHECK_U64(st->type, VMS_TYPE_STACK);
  VMS_CHECK(st->detail & VMS_DETAIL_THREAD_STACK);
  VMS_CHECK(st->detail & VMS_DETAIL_NAMED);
  VMS_CHECK(!(st->detail & VMS_DETAIL_INFERRED));
  VMS_CHECK_U64(vms_region_glibc_stack_tid(vms_snapshot_name_of(s, st)), 4242);
  vms_region_describe(s, st, desc, sizeof desc);
  VMS_CHECK_STR(desc, "thread 4242 stack (named by its allocator)");
  VMS_CHECK_U64(
      vms_region_glibc_stack_tid(vms_snapshot_name_of(s, region_at(s, 0x7f5a3a802000ULL))), 4243);
  const VmsRegion *guard = region_at(s, 0x7f5a3a000000ULL);
  VMS_CHECK_U64(guard->type, VMS_TYPE_STACK);
  VMS_CHECK(guard->detail & VMS_DETAIL_GUARD);
  VMS_CHECK(!(guard->detail & VMS_DETAIL_INFERRED));
  const VmsRegion *unused = region_at(s, 0x7f5a3b003000ULL);
  VMS_CHECK_U64(unused->type, VMS_TYPE_STACK);
  VMS_CHECK(!(unused->detail & VMS_DETAIL_INFERRED));
  VMS_CHECK(vms_region_glibc_unused_stack(vms_snapshot_name_of(s, unused)));
  VMS_CHECK_U64(type_at(s, 0x7f5a3b002000ULL), VMS_TYPE_STACK); /* its guard */
  /* [stack] and the two threads' stacks; a stack in the cache is nobody's. */
  VMS_CHECK_U64(s->n_stacks_found, 3);
  VMS_CHECK_U64(vms_region_glibc_stack_tid("[anon: glibc: pthread stack: x]"), 0);
  VMS_CHECK_U64(vms_region_glibc_stack_tid("[anon:glibc: pthread stack: 7]"), 7);
  VMS_CHECK_U64(vms_region_glibc_stack_tid("[anon: glibc: malloc]"), 0);
  /* The pymalloc shapes: said in the details, inferred, still Private. */
  const uint64_t py[] = {0x7f5a39200000ULL, 0x7f5a39400000ULL};
  for (int k = 0; k < 2; k++) {
    const VmsRegion *r = region_at(s, py[k]);
    VMS_CHECK_U64(r->type, VMS_TYPE_PRIVATE);
    VMS_CHECK(r->detail & VMS_DETAIL_PYMALLOC);
    VMS_CHECK(r->detail & VMS_DETAIL_INFERRED);
    vms_region_describe(s, r, desc, sizeof desc);
    VMS_CHECK_STR(desc, "the shape of a CPython pymalloc arena (inferred)");
  }
  vms_snapshot_unref(s);
}

/* CPython 3.11 on 64-bit: its 1 MiB arenas are the only anonymous regions of
 * exactly that size (the bytearrays malloc maps are 1 MiB and a page). */
static void test_python_pymalloc(void) {
  VmsSnapshot *s = vms_test_snapshot("python-fragmenting.maps");
  VMS_CHECK_U64(count_detail(s, VMS_DETAIL_PYMALLOC, VMS_TYPE_PRIVATE, false), 3);
  const VmsRegion *r = region_at(s, 0x7f237c5f9000ULL);
  VMS_CHECK(r->detail & VMS_DETAIL_PYMALLOC);
  VMS_CHECK_U64(r->end - r->start, 1048576);
  /* Nothing in the capture is named by its allocator (glibc 2.36). */
  VMS_CHECK_U64(count_detail(s, VMS_DETAIL_NAMED, -1, false), 0);
  vms_snapshot_unref(s);
}

int main(int argc, char **argv) {
  if (argc > 1)
    vms_test_data_dir = argv[1];
  test_python();
  test_glibc_names();
  test_python_pymalloc();
  test_jvm();
  test_odd_names();
  test_32bit_and_live_facts();
  test_windows_rules();
  test_guessed_facts();
  test_stale_counters();
  return vms_test_end();
}
