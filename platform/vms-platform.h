/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-platform.h: the per-OS facts about processes and their address spaces.
 *
 * One file per OS implements this header (platform/linux, platform/windows);
 * meson picks it. The platform returns raw facts and says which fields it
 * could fill (VmsSpace.fields, VmsCounters.mask); the classifier in src/
 * turns them into typed regions. Plain C11, no GLib. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vms-error.h"

/* ---- Region types and states (one set for both OSes; see DESIGN.md) ---- */

/* Declaration order is VMMap's display order; VMS_TYPE_FREE is last. */
typedef enum {
  VMS_TYPE_IMAGE = 0,
  VMS_TYPE_MAPPED,
  VMS_TYPE_SHAREABLE,
  VMS_TYPE_HEAP,
  VMS_TYPE_STACK,
  VMS_TYPE_PRIVATE,
  VMS_TYPE_SYSTEM,
  VMS_TYPE_UNUSABLE,
  VMS_TYPE_FREE,
  VMS_TYPE_COUNT
} VmsRegionType;

typedef enum {
  VMS_STATE_COMMITTED = 0, /* accessible (Linux: any PROT but none; Windows: MEM_COMMIT) */
  VMS_STATE_RESERVED,      /* Linux PROT_NONE; Windows MEM_RESERVE */
  VMS_STATE_FREE,
  VMS_STATE_COUNT
} VmsRegionState;

/* Protection. Linux sets R/W/X/SHARED; Windows maps PAGE_* onto these and
 * adds the modifiers. */
enum {
  VMS_PROT_READ = 1u << 0,
  VMS_PROT_WRITE = 1u << 1,
  VMS_PROT_EXEC = 1u << 2,
  VMS_PROT_SHARED = 1u << 3,  /* Linux 's' (MAP_SHARED) */
  VMS_PROT_COPY = 1u << 4,    /* Windows PAGE_WRITECOPY / EXECUTE_WRITECOPY */
  VMS_PROT_GUARD = 1u << 5,   /* Windows PAGE_GUARD */
  VMS_PROT_NOCACHE = 1u << 6, /* Windows PAGE_NOCACHE */
  VMS_PROT_WRITECOMBINE = 1u << 7,
};

/* What the OS itself said about a region (VmsRegion.os). */
enum {
  VMS_OS_MEM_IMAGE = 1u << 0,   /* Windows MEM_IMAGE */
  VMS_OS_MEM_MAPPED = 1u << 1,  /* Windows MEM_MAPPED */
  VMS_OS_MEM_PRIVATE = 1u << 2, /* Windows MEM_PRIVATE */
  VMS_OS_MEM_COMMIT = 1u << 3,
  VMS_OS_MEM_RESERVE = 1u << 4,
  VMS_OS_MEM_FREE = 1u << 5,
  VMS_OS_DELETED = 1u << 6,    /* Linux: the path ended in " (deleted)" (stripped from the name) */
  VMS_OS_PSEUDO = 1u << 7,     /* Linux: a kernel name in brackets ([heap], [vdso], [anon:x]...);
                                  Windows: a region the system itself places (shared user data) */
  VMS_OS_ANON_NAME = 1u << 8,  /* Linux: [anon:name] set with PR_SET_VMA_ANON_NAME */
  VMS_OS_ANON_SHMEM = 1u << 9, /* Linux: [anon_shmem:name] */
  VMS_OS_FILE = 1u << 10,      /* backed by a file (Linux: inode != 0 or a path) */
};

/* What the classifier concluded beyond the type (VmsRegion.detail). */
enum {
  VMS_DETAIL_INFERRED = 1u << 0, /* the type is a guess from the shape; say so */
  VMS_DETAIL_GUARD = 1u << 1,    /* a stack guard page / gap */
  VMS_DETAIL_MAIN_STACK = 1u << 2,
  VMS_DETAIL_THREAD_STACK = 1u << 3,
  VMS_DETAIL_ARENA = 1u << 4, /* glibc malloc arena (heap_info block) */
  VMS_DETAIL_BRK = 1u << 5,   /* the [heap] brk area */
  VMS_DETAIL_SYSV = 1u << 6,
  VMS_DETAIL_MEMFD = 1u << 7,
  VMS_DETAIL_DEV_SHM = 1u << 8,
  VMS_DETAIL_OUTSIDE = 1u << 9,   /* mapped outside the usable range (e.g. [vsyscall]) */
  VMS_DETAIL_MIN_ADDR = 1u << 10, /* unusable: below vm.mmap_min_addr */
  VMS_DETAIL_ALIGN = 1u << 11,    /* unusable: below the next allocation-granularity boundary */
  VMS_DETAIL_NAMED = 1u << 12,    /* typed from the name its allocator gave it: no guess needed */
  VMS_DETAIL_PYMALLOC = 1u << 13, /* the shape of a CPython pymalloc arena (always inferred) */
};

/* One region of the address space, [start, end). 48 bytes: the snapshot
 * keeps an array of these, and a target may have 65,530 of them. */
typedef struct {
  uint64_t start, end;
  union {
    uint64_t offset;     /* Linux: file offset */
    uint64_t alloc_base; /* Windows: AllocationBase */
  };
  uint64_t inode; /* Linux inode; 0 elsewhere */
  uint32_t name;  /* offset in the owner's VmsNamePool; 0 is "" */
  union {
    uint32_t dev;        /* Linux: major << 20 | minor, as the kernel's new_encode_dev */
    uint32_t alloc_prot; /* Windows: AllocationProtect as VMS_PROT_* bits */
  };
  uint16_t prot;   /* VMS_PROT_* */
  uint16_t os;     /* VMS_OS_* */
  uint8_t type;    /* VmsRegionType, set by the classifier */
  uint8_t state;   /* VmsRegionState, set by the classifier */
  uint16_t detail; /* VMS_DETAIL_*, set by the classifier */
} VmsRegion;

/* Per-region counters (Linux smaps; Windows working-set queries), in bytes.
 * mask says which were read: "not read" is not zero. */
enum {
  VMS_CTR_RSS = 1u << 0,
  VMS_CTR_PSS = 1u << 1,
  VMS_CTR_SHARED_CLEAN = 1u << 2,
  VMS_CTR_SHARED_DIRTY = 1u << 3,
  VMS_CTR_PRIVATE_CLEAN = 1u << 4,
  VMS_CTR_PRIVATE_DIRTY = 1u << 5,
  VMS_CTR_SWAP = 1u << 6,
  VMS_CTR_LOCKED = 1u << 7,
  VMS_CTR_HUGE = 1u << 8, /* resident in huge pages (THP or hugetlb), from pagemap */
};
/* rss, swap and huge come from smaps or from the page tables (pagemap,
 * VMS_FIELD_RESIDENCY); the others from smaps only. A region that changed
 * between the walk and the page scan has its residency bits cleared: not
 * read, never a count of some other mapping's pages. */
typedef struct {
  uint64_t rss, pss, shared_clean, shared_dirty, private_clean, private_dirty, swap, locked;
  uint64_t huge;
  uint32_t mask;
} VmsCounters;

/* Interned strings: region names are offsets into one buffer; equal names
 * share storage (a library's five mappings keep one copy of its path). */
typedef struct {
  char *data; /* data[0] == '\0': offset 0 is the empty name */
  uint32_t len, cap;
  uint32_t *slots; /* open-addressing hash of offsets, 0 = empty */
  uint32_t nslots, count;
} VmsNamePool;

void vms_name_pool_init(VmsNamePool *pool);
void vms_name_pool_clear(VmsNamePool *pool); /* frees; pool can be reused after init */
void vms_name_pool_reset(VmsNamePool *pool); /* empties, keeps the memory */
/* Returns the offset of a NUL-terminated copy of s[0..n), or UINT32_MAX when out of memory. */
uint32_t vms_name_pool_add(VmsNamePool *pool, const char *s, size_t n);
static inline const char *vms_name_pool_get(const VmsNamePool *pool, uint32_t off) {
  return pool->data ? pool->data + off : "";
}
/* Releases the hash table (lookups are no longer needed once the pool is final). */
void vms_name_pool_seal(VmsNamePool *pool);

typedef struct {
  uint64_t start, end;
} VmsRange;

typedef struct {
  int tid;
  bool sp_known;    /* sp holds the thread's stack pointer */
  bool range_known; /* stack holds the exact stack range (Windows TEB) */
  uint64_t sp;
  VmsRange stack;
} VmsThread;

/* Which whole-space facts the platform filled (VmsSpace.fields). */
enum {
  VMS_FIELD_OFFSET = 1u << 0,
  VMS_FIELD_DEV_INODE = 1u << 1,
  VMS_FIELD_NAMES = 1u << 2,
  VMS_FIELD_OS_TYPE = 1u << 3,  /* VMS_OS_MEM_* bits are meaningful */
  VMS_FIELD_COUNTERS = 1u << 4, /* counters[] parallel to regions */
  VMS_FIELD_THREADS = 1u << 5,
  VMS_FIELD_HEAPS = 1u << 6,
  VMS_FIELD_MAIN_STACK = 1u << 7,
  VMS_FIELD_MAX_MAP_COUNT = 1u << 8,
  VMS_FIELD_ROLLUP = 1u << 9,         /* rollup holds smaps_rollup totals */
  VMS_FIELD_STACK_SETTING = 1u << 10, /* stack_setting was read */
  VMS_FIELD_LAA = 1u << 11,           /* large_address_aware was read from the image */
  VMS_FIELD_RESIDENCY = 1u << 12,     /* counters[] hold page-table residency (rss, swap, huge) */
  VMS_FIELD_MAPS_QUERY = 1u << 13,    /* Linux: regions came from the PROCMAP_QUERY ioctl */
  VMS_FIELD_PAGEMAP_SCAN = 1u << 14,  /* Linux: residency came from PAGEMAP_SCAN (else 8-byte
                                         pagemap entries, which cannot tell huge pages) */
};

/* The raw facts of one read of one process. Buffers are reused across reads
 * of the same target (vms_space_reset keeps capacity). */
typedef struct {
  int pid;
  char name[256];
  int bits;            /* 32 or 64 */
  uint64_t start_time; /* OS ticks since boot (Linux) / FILETIME (Windows): identity with pid */
  uint64_t usable_lo, usable_hi; /* [lo, hi): where the process may map */
  uint64_t mmap_min_addr;        /* Linux vm.mmap_min_addr; 0 elsewhere */
  uint64_t page_size, alloc_granularity;
  uint64_t max_map_count; /* Linux vm.max_map_count; 0 = no such limit */
  VmsRange main_stack;    /* main thread's stack start (start_stack) in .start; .end unused */
  VmsRange brk;           /* Linux start_brk..brk */
  /* What sizes a new thread's stack (VMS_FIELD_STACK_SETTING): Linux, the
   * soft RLIMIT_STACK from /proc/PID/limits, glibc's default size for
   * pthread stacks (UINT64_MAX: unlimited); Windows, the image's
   * SizeOfStackReserve. */
  uint64_t stack_setting;
  /* Windows 32-bit targets (VMS_FIELD_LAA): IMAGE_FILE_LARGE_ADDRESS_AWARE
   * as read from the image; without the field nothing was read. */
  bool large_address_aware;
  int os_bits;     /* the system's bitness where the platform knows it, else 0 */
  uint32_t fields; /* VMS_FIELD_* */

  VmsRegion *regions; /* sorted by start, non-overlapping */
  size_t n_regions, cap_regions;
  VmsCounters *counters; /* NULL unless VMS_FIELD_COUNTERS */
  size_t cap_counters;
  VmsCounters rollup; /* whole-process totals (smaps_rollup) */
  VmsNamePool names;

  VmsThread *threads;
  size_t n_threads, cap_threads;
  VmsRange *heaps; /* heap ranges the OS reports (Windows PEB heap list) */
  size_t n_heaps, cap_heaps;

  double residency_seconds; /* wall time the page-table read took (VMS_READ_RESIDENCY) */
  char note[256];           /* what could not be read, for the UI ("" when all) */
} VmsSpace;

void vms_space_init(VmsSpace *space);
void vms_space_reset(VmsSpace *space); /* empty, keep buffers */
void vms_space_clear(VmsSpace *space); /* free everything */
/* Appends a zeroed region (NULL when out of memory). */
VmsRegion *vms_space_add_region(VmsSpace *space);
/* Index of the first of n sorted regions ending above addr (n when none). */
size_t vms_regions_lower_bound(const VmsRegion *regions, size_t n, uint64_t addr);
/* The same over a space, and the region containing addr (SIZE_MAX when addr
 * is in a gap). */
size_t vms_space_lower_bound(const VmsSpace *space, uint64_t addr);
size_t vms_space_find(const VmsSpace *space, uint64_t addr);
VmsErrorCode vms_space_add_thread(VmsSpace *space, const VmsThread *t);
VmsErrorCode vms_space_add_heap(VmsSpace *space, uint64_t start, uint64_t end);
/* Makes sure counters[] can hold n entries (zeroing new ones). */
VmsErrorCode vms_space_reserve_counters(VmsSpace *space, size_t n);

/* ---- Reading captured /proc text (OS-independent: fixtures and files) ---- */

/* Parses /proc/PID/maps text and appends its regions to space. The buffer
 * need not be NUL-terminated. Malformed lines fail with VMS_ERR_PARSE naming
 * the line. */
VmsErrorCode vms_maps_parse(const char *buf, size_t len, VmsSpace *space, VmsError *err);
/* Parses /proc/PID/smaps text: regions as in maps, plus per-region counters. */
VmsErrorCode vms_smaps_parse(const char *buf, size_t len, VmsSpace *space, VmsError *err);
/* Parses smaps_rollup into space->rollup. */
VmsErrorCode vms_smaps_rollup_parse(const char *buf, size_t len, VmsSpace *space, VmsError *err);

/* ---- Processes ---- */

typedef struct {
  int pid, ppid;
  uint32_t uid;
  char name[64];
  char user[64];
  char *cmdline;  /* spaces between arguments; "" for kernel threads */
  char state;     /* Linux state letter (R, S, Z...); '?' unknown */
  int bits;       /* 32, 64, or 0 when unknown */
  uint64_t rss;   /* bytes; 0 when unknown */
  uint64_t vsize; /* bytes */
  uint64_t start_time;
  long n_maps;         /* -1 when not counted or unreadable */
  VmsErrorCode access; /* VMS_OK when its address space can be read */
  char reason[320];    /* why not and what would help, when access != VMS_OK */
  int ns_pid;          /* its PID inside its own PID namespace; 0 when it shares ours */
  char container[80];  /* container ID or cgroup path (vms-container.h); "" for none */
} VmsProcInfo;

enum {
  VMS_LIST_COUNT_MAPS =
      1u << 0, /* count each readable process's mappings (costs a maps read each) */
};

VmsErrorCode vms_process_list(unsigned flags, VmsProcInfo **out, size_t *n_out, VmsError *err);
void vms_process_list_free(VmsProcInfo *list, size_t n);
/* One process's row of the list (flags as there); free out->cmdline after.
 * VMS_ERR_NO_PROCESS when there is none. */
VmsErrorCode vms_process_info(int pid, unsigned flags, VmsProcInfo *out, VmsError *err);

/* ---- A target process ---- */

typedef struct VmsTarget VmsTarget;

enum {
  VMS_READ_REGIONS = 1u << 0,  /* always implied */
  VMS_READ_COUNTERS = 1u << 1, /* per-region counters (smaps): costly */
  VMS_READ_THREADS = 1u << 2,  /* thread stack pointers / ranges */
  VMS_READ_ROLLUP = 1u << 3,   /* whole-process counter totals only (smaps_rollup) */
  /* Resident, swapped and huge-page bytes per region from the page tables
   * (Linux pagemap): a fraction of what smaps costs, and it never changes
   * the target. With VMS_READ_COUNTERS it only adds what smaps lacks. */
  VMS_READ_RESIDENCY = 1u << 4,
  /* Linux: take the regions from the maps text even where the PROCMAP_QUERY
   * ioctl works (also forced by the environment variable VMSCOPE_MAPS=text). */
  VMS_READ_MAPS_TEXT = 1u << 5,
  /* Linux: read residency from 8-byte pagemap entries even where PAGEMAP_SCAN
   * works (also forced by VMSCOPE_PAGEMAP=entries). */
  VMS_READ_PAGEMAP_ENTRIES = 1u << 6,
  /* Linux: take the regions through PROCMAP_QUERY wherever the kernel has
   * it (also VMSCOPE_MAPS=ioctl). Without this or VMS_READ_MAPS_TEXT a target
   * uses whichever of the two its own reads measured cheaper. */
  VMS_READ_MAPS_QUERY = 1u << 7,
};

/* Opens pid. Checks it exists, has an address space and can be read; fails
 * with a message that says why not and what would help. */
VmsErrorCode vms_target_open(int pid, VmsTarget **out, VmsError *err);
/* Reads the address space into space (reset first). Fails with VMS_ERR_GONE
 * when the process exited and VMS_ERR_REUSED when its PID now names another
 * process; never returns a partial space as success. */
VmsErrorCode vms_target_read(VmsTarget *target, unsigned what, VmsSpace *space, VmsError *err);
int vms_target_pid(const VmsTarget *target);
void vms_target_close(VmsTarget *target);

/* ---- Page states of an address range (Linux pagemap) ---- */

/* What one page of a mapping holds. */
typedef enum {
  VMS_PAGE_UNTOUCHED = 0, /* mapped, never brought in (or only the shared zero page) */
  VMS_PAGE_RESIDENT,      /* in memory */
  VMS_PAGE_SWAPPED,       /* out in swap */
  VMS_PAGE_STATE_COUNT
} VmsPageState;

/* Pages [start, end) in one state. */
typedef struct {
  uint64_t start, end;
  uint32_t state; /* VmsPageState */
} VmsPageRun;

/* The page states of one range as one read saw them. An address in no run
 * was not mapped when it was read (or lies past read_end): a region of a
 * snapshot that the runs do not cover whole changed between its walk and
 * this read, and its pages count as not read. */
typedef struct {
  int pid;
  uint64_t start_time; /* the process, as in VmsSpace */
  uint64_t start, end; /* the range asked for, widened to whole pages */
  uint64_t read_end;   /* pages at and above this were not read (a run limit); end when all */
  VmsPageRun *runs;    /* sorted, not overlapping */
  size_t n_runs, cap_runs;
  double seconds; /* how long the read took (wall clock) */
  char note[160]; /* what could not be read ("" when all) */
} VmsPageMap;

/* Runs a page map holds at most; past them read_end says where it stopped. */
#define VMS_PAGE_MAP_MAX_RUNS (1u << 20)

void vms_page_map_init(VmsPageMap *map);
void vms_page_map_clear(VmsPageMap *map); /* frees the runs; map can be reused */
VmsPageMap *vms_page_map_new(void);       /* malloc'd and initialised; NULL without memory */
void vms_page_map_free(VmsPageMap *map);  /* clears and frees; NULL is ignored */
/* A malloc'd copy of map, its runs its own (for a reader on another
 * thread while the original is replaced); NULL without memory. */
VmsPageMap *vms_page_map_copy(const VmsPageMap *map);
/* Appends [start, end) in state, merged with the last run when they touch. */
VmsErrorCode vms_page_map_add(VmsPageMap *map, uint64_t start, uint64_t end, VmsPageState state);
/* Index of the first run ending above addr (n_runs when none). */
size_t vms_page_map_lower_bound(const VmsPageMap *map, uint64_t addr);
/* True when the runs cover [start, end) whole: every page was mapped and read. */
bool vms_page_map_covers(const VmsPageMap *map, uint64_t start, uint64_t end);

/* Fills map with the state of every page of target in [start, end), read
 * from the page tables without changing anything in the target (no
 * clear_refs, no write-protection). Fails with VMS_ERR_GONE or
 * VMS_ERR_REUSED as vms_target_read does, VMS_ERR_NOMEM, or
 * VMS_ERR_UNSUPPORTED where the OS has no such view; a pagemap that cannot
 * be read leaves no runs and says why in map->note. */
VmsErrorCode vms_target_read_pages(VmsTarget *target, uint64_t start, uint64_t end, VmsPageMap *map,
                                   VmsError *err);

/* ---- The process and its files ---- */

/* Once at start-up: a write past a file-size limit (ulimit -f) then fails
 * with an error vmscope reports and cleans up after, instead of killing the
 * process with SIGXFSZ and leaving a temporary file behind. */
void vms_platform_init(void);
/* Pushes f's data to the disk, so that a rename after it never exposes an
 * empty file after a crash. False (errno set) on failure. */
bool vms_file_sync(FILE *f);
/* The errno a failed write to f means, given the errno e it left: EPIPE
 * when the reading end of a pipe has gone. On Windows such a write fails
 * with ERROR_NO_DATA, which the C runtime reports as EINVAL. */
int vms_stream_write_errno(FILE *f, int e);
/* Renames from over to, replacing to when it exists. False (errno set) on failure. */
bool vms_file_replace(const char *from, const char *to);
/* Moves f to byte offset from its start, past 2 GiB too (where long is 32
 * bits). False (errno set) on failure, or when f cannot seek (a pipe). */
bool vms_file_seek(FILE *f, uint64_t offset);
/* Makes stdin or stdout carry bytes unchanged (Windows' text mode would
 * rewrite line ends in a recording); nothing to do on Linux. */
void vms_file_set_binary(FILE *f);

/* The size of the terminal f writes to, in characters; false when f is no
 * terminal or it does not say. */
bool vms_terminal_size(FILE *f, int *columns, int *rows);
/* True when f is a terminal (on Windows, a console that takes escape
 * sequences; this turns them on). */
bool vms_terminal_is(FILE *f);

/* ---- vmscope's own executable ---- */

/* The directory holding the running executable (Linux: /proc/self/exe;
 * Windows: GetModuleFileNameW), in UTF-8, without a trailing separator.
 * False when it cannot be read or does not fit in cap. */
bool vms_self_dir(char *out, size_t cap);
/* True when a window could be shown: on Linux, DISPLAY or WAYLAND_DISPLAY is
 * set and not empty; on Windows, always. */
bool vms_display_available(void);
/* Replaces this process with the program at path, run with argv (argv[0]
 * first, NULL last): on Linux by execv, keeping the PID; on Windows, which
 * has no exec, by starting it on the same standard handles and exiting
 * with its status when it ends. Returns only on failure:
 * VMS_ERR_UNSUPPORTED when there is no such file, VMS_ERR_IO for any other,
 * the message naming path. */
VmsErrorCode vms_exec(const char *path, char *const argv[], VmsError *err);

/* CPU time (user + system) vmscope has used, in seconds; < 0 unknown. */
double vms_cpu_seconds(void);

/* A pattern to pick processes by name (POSIX extended regular expressions,
 * where the C library has them; VMS_ERR_UNSUPPORTED elsewhere). */
typedef struct VmsPattern VmsPattern;
VmsErrorCode vms_pattern_compile(const char *text, VmsPattern **out, VmsError *err);
bool vms_pattern_match(const VmsPattern *pattern, const char *s);
void vms_pattern_free(VmsPattern *pattern);

/* ---- Child processes ---- */

/* A program vmscope runs with its standard output piped back (the user's
 * ssh, for a process on another machine). */
typedef struct VmsChild VmsChild;

/* Runs argv[0], found on PATH as a shell would find it, with the arguments
 * argv (NULL-terminated, UTF-8). Its standard input is the null device, its
 * standard output a pipe whose reading end *out becomes (binary; the caller
 * fcloses it), its standard error err_to (NULL: vmscope's own). Fails with
 * VMS_ERR_IO and a message naming the program when it cannot be run (not
 * installed, not executable), VMS_ERR_UNSUPPORTED where the OS layer cannot
 * start programs. */
VmsErrorCode vms_spawn_pipe(char *const argv[], FILE *err_to, VmsChild **child, FILE **out,
                            VmsError *err);
/* Waits for the child to end and frees it: *status is its exit status
 * (0-255), or 128 plus the signal's number when a signal ended it, as a
 * shell says. */
VmsErrorCode vms_child_wait(VmsChild *child, int *status, VmsError *err);

/* Seconds since the epoch, wall clock, and a monotonic clock for intervals. */
double vms_time_now(void);
double vms_time_monotonic(void);
