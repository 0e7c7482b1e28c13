/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-recording.c: writing, indexing and rebuilding frames of vmscope's recording format.
 *
 * docs/recording-format.md is the layout; this file follows it field by
 * field, byte by byte, so that nothing depends on the host's endianness,
 * word size or struct padding. A frame's regions are stored as they are in
 * the snapshot (classified and gap-filled), so a rebuilt frame needs no
 * classification: only its statistics are computed again, by the same code
 * that computed the live ones. */
#include "vms-recording-private.h"
#include "vms-units.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "vms-platform.h"

#define FILE_HEADER_SIZE  VMS_REC_FILE_HEADER_SIZE
#define FRAME_HEADER_SIZE VMS_REC_FRAME_HEADER_SIZE
#define MAX_PAYLOAD       (UINT32_C(1) << 30)

static const uint8_t file_magic[8] = {0x89, 'V', 'M', 'S', '\r', '\n', 0x1a, '\n'};
static const uint8_t frame_tag[4] = {'V', 'F', 'R', 'M'};
static const uint8_t end_tag[4] = {'V', 'E', 'N', 'D'};

#define CHUNK(a, b, c, d) \
  ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
enum {
  CH_INFO = CHUNK('I', 'N', 'F', 'O'),
  CH_SAMP = CHUNK('S', 'A', 'M', 'P'),
  CH_STAT = CHUNK('S', 'T', 'A', 'T'),
  CH_NAME = CHUNK('N', 'A', 'M', 'E'),
  CH_REGS = CHUNK('R', 'E', 'G', 'S'),
  CH_DELT = CHUNK('D', 'E', 'L', 'T'),
};

/* A region record's field mask: the fields that follow, in this order. */
enum {
  R_START = 1u << 0,
  R_END = 1u << 1,
  R_OFFSET = 1u << 2,
  R_INODE = 1u << 3,
  R_NAME = 1u << 4,
  R_DEV = 1u << 5,
  R_PROT = 1u << 6,
  R_OS = 1u << 7,
  R_TYPE = 1u << 8,
  R_STATE = 1u << 9,
  R_DETAIL = 1u << 10,
  R_COUNTERS = 1u << 11,
  R_KNOWN = (1u << 12) - 1,
};
static const uint8_t field_width[12] = {8, 8, 8, 8, 4, 4, 2, 2, 1, 1, 2, 68};

#define INFO_FIXED 152 /* the INFO chunk's bytes before its two strings */

/* ---- CRC-32C, eight bytes at a time ---- */

static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++)
      c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    crc_table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++)
      crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
}

uint32_t vms_crc32c(uint32_t crc, const void *data, size_t len) {
  pthread_once(&crc_once, crc_init);
  const uint8_t *p = data;
  crc = ~crc;
  while (len >= 8) {
    uint32_t lo =
        crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
    uint32_t hi =
        (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
    crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
          crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^ crc_table[3][hi & 0xff] ^
          crc_table[2][(hi >> 8) & 0xff] ^ crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
    p += 8;
    len -= 8;
  }
  while (len--)
    crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
  return ~crc;
}

/* ---- little-endian bytes ---- */

static void le16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static void le64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t rd16(const uint8_t *p) {
  return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p) {
  return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Doubles travel as their IEEE 754 binary64 bits, so they come back exact. */
static uint64_t f64_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}

static double bits_f64(uint64_t u) {
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

/* ---- a growing byte buffer (writer) ---- */

typedef struct {
  uint8_t *p;
  size_t n, cap;
  bool oom;
} Buf;

static uint8_t *buf_grow(Buf *b, size_t k) {
  if (b->oom)
    return NULL;
  if (b->n + k > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + k)
      cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
      b->oom = true;
      return NULL;
    }
    b->p = p;
    b->cap = cap;
  }
  uint8_t *at = b->p + b->n;
  b->n += k;
  return at;
}

static void put16(Buf *b, uint16_t v) {
  uint8_t *p = buf_grow(b, 2);
  if (p)
    le16(p, v);
}

static void put32(Buf *b, uint32_t v) {
  uint8_t *p = buf_grow(b, 4);
  if (p)
    le32(p, v);
}

static void put64(Buf *b, uint64_t v) {
  uint8_t *p = buf_grow(b, 8);
  if (p)
    le64(p, v);
}

static void put_bytes(Buf *b, const void *s, size_t n) {
  uint8_t *p = buf_grow(b, n);
  if (p && n)
    memcpy(p, s, n);
}

/* Starts a chunk; returns where its length goes. */
static size_t chunk_begin(Buf *b, uint32_t id) {
  put32(b, id);
  size_t at = b->n;
  put32(b, 0);
  return at;
}

static void chunk_end(Buf *b, size_t at) {
  if (!b->oom)
    le32(b->p + at, (uint32_t)(b->n - at - 4));
}

/* ---- a bounded reader (decoder) ---- */

typedef struct {
  const uint8_t *p;
  size_t n;
  bool bad;
} Cur;

static const uint8_t *take(Cur *c, size_t k) {
  if (c->bad || c->n < k) {
    c->bad = true;
    return NULL;
  }
  const uint8_t *p = c->p;
  c->p += k;
  c->n -= k;
  return p;
}

static uint16_t get16(Cur *c) {
  const uint8_t *p = take(c, 2);
  return p ? rd16(p) : 0;
}

static uint32_t get32(Cur *c) {
  const uint8_t *p = take(c, 4);
  return p ? rd32(p) : 0;
}

static uint64_t get64(Cur *c) {
  const uint8_t *p = take(c, 8);
  return p ? rd64(p) : 0;
}

/* ---- the side facts of a frame ---- */

typedef struct {
  int32_t pid;
  uint32_t bits;
  uint64_t start_time, usable_lo, usable_hi, page_size, alloc_granularity, max_map_count;
  uint32_t fields;
  uint64_t n_threads, n_stacks;
  VmsCounters rollup;
  char name[256], note[256];
} Info;

static void info_of(const VmsSnapshot *s, Info *i) {
  memset(i, 0, sizeof *i);
  i->pid = s->pid;
  i->bits = (uint32_t)s->bits;
  i->start_time = s->start_time;
  i->usable_lo = s->usable_lo;
  i->usable_hi = s->usable_hi;
  i->page_size = s->page_size;
  i->alloc_granularity = s->alloc_granularity;
  i->max_map_count = s->stats.max_map_count;
  i->fields = s->fields;
  i->n_threads = s->n_threads;
  i->n_stacks = s->n_stacks_found;
  i->rollup = s->rollup;
  snprintf(i->name, sizeof i->name, "%s", s->name);
  snprintf(i->note, sizeof i->note, "%s", s->note);
}

static bool counters_equal(const VmsCounters *a, const VmsCounters *b) {
  return a->mask == b->mask && a->rss == b->rss && a->pss == b->pss &&
         a->shared_clean == b->shared_clean && a->shared_dirty == b->shared_dirty &&
         a->private_clean == b->private_clean && a->private_dirty == b->private_dirty &&
         a->swap == b->swap && a->locked == b->locked;
}

static bool info_equal(const Info *a, const Info *b) {
  return a->pid == b->pid && a->bits == b->bits && a->start_time == b->start_time &&
         a->usable_lo == b->usable_lo && a->usable_hi == b->usable_hi &&
         a->page_size == b->page_size && a->alloc_granularity == b->alloc_granularity &&
         a->max_map_count == b->max_map_count && a->fields == b->fields &&
         a->n_threads == b->n_threads && a->n_stacks == b->n_stacks &&
         counters_equal(&a->rollup, &b->rollup) && strcmp(a->name, b->name) == 0 &&
         strcmp(a->note, b->note) == 0;
}

/* Format 1 stores eight counters; the huge-page bytes are not among them, so
 * their bit is dropped rather than read back as a 0 that was never read. */
#define STORED_COUNTERS (~(uint32_t)VMS_CTR_HUGE)

static void put_counters(Buf *b, const VmsCounters *c) {
  put32(b, c->mask & STORED_COUNTERS);
  put64(b, c->rss);
  put64(b, c->pss);
  put64(b, c->shared_clean);
  put64(b, c->shared_dirty);
  put64(b, c->private_clean);
  put64(b, c->private_dirty);
  put64(b, c->swap);
  put64(b, c->locked);
}

static void get_counters(Cur *c, VmsCounters *v) {
  v->mask = get32(c);
  v->rss = get64(c);
  v->pss = get64(c);
  v->shared_clean = get64(c);
  v->shared_dirty = get64(c);
  v->private_clean = get64(c);
  v->private_dirty = get64(c);
  v->swap = get64(c);
  v->locked = get64(c);
}

static void put_string(Buf *b, const char *s) {
  size_t n = strlen(s);
  put16(b, (uint16_t)n);
  put_bytes(b, s, n);
}

static void put_info(Buf *b, const Info *i) {
  size_t at = chunk_begin(b, CH_INFO);
  put32(b, (uint32_t)i->pid);
  put32(b, i->bits);
  put64(b, i->start_time);
  put64(b, i->usable_lo);
  put64(b, i->usable_hi);
  put64(b, i->page_size);
  put64(b, i->alloc_granularity);
  put64(b, i->max_map_count);
  put32(b, i->fields);
  put32(b, 0);
  put64(b, i->n_threads);
  put64(b, i->n_stacks);
  put_counters(b, &i->rollup);
  put32(b, 0);
  put_string(b, i->name);
  put_string(b, i->note);
  chunk_end(b, at);
}

static bool get_string(Cur *c, char *out, size_t cap) {
  uint16_t n = get16(c);
  const uint8_t *p = take(c, n);
  if (!p || n >= cap || memchr(p, 0, n))
    return false;
  memcpy(out, p, n);
  out[n] = '\0';
  return true;
}

static bool get_info(Cur *c, Info *i) {
  memset(i, 0, sizeof *i);
  i->pid = (int32_t)get32(c);
  i->bits = get32(c);
  i->start_time = get64(c);
  i->usable_lo = get64(c);
  i->usable_hi = get64(c);
  i->page_size = get64(c);
  i->alloc_granularity = get64(c);
  i->max_map_count = get64(c);
  i->fields = get32(c);
  get32(c);
  i->n_threads = get64(c);
  i->n_stacks = get64(c);
  get_counters(c, &i->rollup);
  get32(c);
  if (!get_string(c, i->name, sizeof i->name) || !get_string(c, i->note, sizeof i->note))
    return false;
  /* Bytes after the note are fields of a later minor version: skipped. */
  return !c->bad && i->usable_lo <= i->usable_hi;
}

void vms_recording_figures(const VmsSnapshot *snap, uint64_t fig[VMS_FIG_COUNT]) {
  const VmsStats *st = &snap->stats;
  fig[VMS_FIG_REGIONS] = snap->n_regions;
  fig[VMS_FIG_VMA_COUNT] = st->vma_count;
  fig[VMS_FIG_FREE_TOTAL] = st->free_total;
  fig[VMS_FIG_FREE_LARGEST] = st->free_largest;
  fig[VMS_FIG_FREE_LARGEST_START] = st->free_largest_start;
  fig[VMS_FIG_FREE_BLOCKS] = st->free_blocks;
  fig[VMS_FIG_COMMITTED] = st->total.committed;
  fig[VMS_FIG_SIZE] = st->total.size;
  for (int k = 0; k < VMS_TYPE_COUNT; k++) {
    fig[VMS_FIG_TYPE_COMMITTED + k] = st->by_type[k].committed;
    fig[VMS_FIG_TYPE_SIZE + k] = st->by_type[k].size;
  }
}

/* ---- region records ---- */

static uint32_t record_mask(const VmsRegion *r, uint32_t name, const VmsCounters *c,
                            const VmsRegion *b, uint32_t bname, const VmsCounters *bc) {
  uint32_t m = 0;
  if (r->start != b->start)
    m |= R_START;
  if (r->end != b->end)
    m |= R_END;
  if (r->offset != b->offset)
    m |= R_OFFSET;
  if (r->inode != b->inode)
    m |= R_INODE;
  if (name != bname)
    m |= R_NAME;
  if (r->dev != b->dev)
    m |= R_DEV;
  if (r->prot != b->prot)
    m |= R_PROT;
  if (r->os != b->os)
    m |= R_OS;
  if (r->type != b->type)
    m |= R_TYPE;
  if (r->state != b->state)
    m |= R_STATE;
  if (r->detail != b->detail)
    m |= R_DETAIL;
  if (c && !counters_equal(c, bc))
    m |= R_COUNTERS;
  return m;
}

static void put_record(Buf *b, uint32_t m, const VmsRegion *r, uint32_t name,
                       const VmsCounters *c) {
  size_t len = 2;
  for (int k = 0; k < 12; k++)
    if (m & (1u << k))
      len += field_width[k];
  uint8_t *p = buf_grow(b, len);
  if (!p)
    return;
  le16(p, (uint16_t)m);
  p += 2;
  if (m & R_START)
    le64(p, r->start), p += 8;
  if (m & R_END)
    le64(p, r->end), p += 8;
  if (m & R_OFFSET)
    le64(p, r->offset), p += 8;
  if (m & R_INODE)
    le64(p, r->inode), p += 8;
  if (m & R_NAME)
    le32(p, name), p += 4;
  if (m & R_DEV)
    le32(p, r->dev), p += 4;
  if (m & R_PROT)
    le16(p, r->prot), p += 2;
  if (m & R_OS)
    le16(p, r->os), p += 2;
  if (m & R_TYPE)
    *p++ = r->type;
  if (m & R_STATE)
    *p++ = r->state;
  if (m & R_DETAIL)
    le16(p, r->detail), p += 2;
  if (m & R_COUNTERS) {
    le32(p, c->mask & STORED_COUNTERS);
    const uint64_t v[8] = {c->rss,           c->pss,           c->shared_clean, c->shared_dirty,
                           c->private_clean, c->private_dirty, c->swap,         c->locked};
    for (int k = 0; k < 8; k++)
      le64(p + 4 + 8 * k, v[k]);
  }
}

/* The length of the record at p (at most n bytes), or 0 when it is cut short
 * or names a field this version does not know. */
static size_t record_len(const uint8_t *p, size_t n, bool counters) {
  if (n < 2)
    return 0;
  uint32_t m = rd16(p);
  if ((m & ~R_KNOWN) || ((m & R_COUNTERS) && !counters))
    return 0;
  size_t len = 2;
  for (int k = 0; k < 12; k++)
    if (m & (1u << k))
      len += field_width[k];
  return len <= n ? len : 0;
}

/* ---- the decoder: one frame's state, frame after frame ---- */

typedef struct {
  VmsRegion *regs, *tmp; /* name: a byte offset into names */
  size_t n, cap, tmp_cap;
  VmsCounters *ctrs, *tmp_ctrs;
  size_t ctr_cap, tmp_ctr_cap;
  bool has_ctrs;
  char *names;
  uint32_t names_len, names_cap;
  Info info;
  double read_seconds, counters_at;
  uint64_t serial;
  uint64_t fig[VMS_FIG_COUNT];
  bool have_key;
  uint32_t key;
} Decoder;

static void decoder_free(Decoder *d) {
  free(d->regs);
  free(d->tmp);
  free(d->ctrs);
  free(d->tmp_ctrs);
  free(d->names);
  memset(d, 0, sizeof *d);
}

static bool grow(void **p, size_t *cap, size_t want, size_t elem) {
  if (want <= *cap)
    return true;
  size_t n = *cap ? *cap : 64;
  while (n < want)
    n *= 2;
  if (n > SIZE_MAX / elem)
    return false;
  void *q = realloc(*p, n * elem);
  if (!q)
    return false;
  *p = q;
  *cap = n;
  return true;
}

typedef struct {
  uint32_t len, index, key;
  uint8_t kind, flags;
  double time;
  uint32_t crc;
} FrameHeader;

static VmsErrorCode parse_header(const uint8_t *h, uint32_t expect, FrameHeader *fh,
                                 VmsError *err) {
  if (memcmp(h, frame_tag, 4) != 0)
    return vms_error_set(err, VMS_ERR_PARSE, "frame %u does not start with a frame tag (damaged)",
                         expect);
  fh->len = rd32(h + 4);
  fh->index = rd32(h + 8);
  fh->key = rd32(h + 12);
  fh->kind = h[16];
  fh->flags = h[17];
  fh->time = bits_f64(rd64(h + 20));
  fh->crc = rd32(h + 28);
  if (!vms_time_valid(fh->time))
    return vms_error_set(err, VMS_ERR_PARSE, "frame %u has an impossible time (damaged)", expect);
  if (fh->len > MAX_PAYLOAD)
    return vms_error_set(err, VMS_ERR_PARSE, "frame %u claims %u bytes (damaged)", expect, fh->len);
  if (fh->index != expect)
    return vms_error_set(err, VMS_ERR_PARSE, "frame %u is numbered %u (damaged)", expect,
                         fh->index);
  if (fh->kind > VMS_FRAME_DELTA || (fh->kind == VMS_FRAME_KEY && fh->key != fh->index) ||
      (fh->kind == VMS_FRAME_DELTA && fh->key >= fh->index))
    return vms_error_set(err, VMS_ERR_PARSE, "frame %u has a bad kind or key frame (damaged)",
                         expect);
  return VMS_OK;
}

static bool check_crc(const uint8_t *h, const uint8_t *payload, uint32_t len, uint32_t want) {
  uint32_t crc = vms_crc32c(0, h, FRAME_HEADER_SIZE - 4);
  return vms_crc32c(crc, payload, len) == want;
}

static bool name_ok(const Decoder *d, uint32_t off) {
  return off == 0 || (off < d->names_len && d->names[off - 1] == '\0');
}

/* Reads one record over base; p holds at least its record_len bytes. */
static bool decode_record(Decoder *d, const uint8_t *p, VmsRegion *r, VmsCounters *c) {
  uint32_t m = rd16(p);
  p += 2;
  if (m & R_START)
    r->start = rd64(p), p += 8;
  if (m & R_END)
    r->end = rd64(p), p += 8;
  if (m & R_OFFSET)
    r->offset = rd64(p), p += 8;
  if (m & R_INODE)
    r->inode = rd64(p), p += 8;
  if (m & R_NAME)
    r->name = rd32(p), p += 4;
  if (m & R_DEV)
    r->dev = rd32(p), p += 4;
  if (m & R_PROT)
    r->prot = rd16(p), p += 2;
  if (m & R_OS)
    r->os = rd16(p), p += 2;
  if (m & R_TYPE)
    r->type = *p++;
  if (m & R_STATE)
    r->state = *p++;
  if (m & R_DETAIL)
    r->detail = rd16(p), p += 2;
  if (m & R_COUNTERS) {
    Cur cur = {p, 68, false};
    get_counters(&cur, c);
  }
  return r->start < r->end && r->type < VMS_TYPE_COUNT && r->state < VMS_STATE_COUNT &&
         name_ok(d, r->name);
}

static VmsErrorCode bad_frame(VmsError *err, uint32_t index, const char *what) {
  return vms_error_set(err, VMS_ERR_PARSE, "frame %u: %s (damaged or not written by vmscope)",
                       index, what);
}

static VmsErrorCode decode_regs(Decoder *d, Cur *c, uint32_t index, VmsError *err) {
  uint32_t count = get32(c);
  if (c->bad || count > c->n / 2)
    return bad_frame(err, index, "its region list is cut short");
  if (!grow((void **)&d->regs, &d->cap, count, sizeof *d->regs) ||
      (d->has_ctrs && !grow((void **)&d->ctrs, &d->ctr_cap, count, sizeof *d->ctrs)))
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory rebuilding frame %u", index);
  uint64_t prev_end = 0;
  for (uint32_t i = 0; i < count; i++) {
    size_t len = record_len(c->p, c->n, d->has_ctrs);
    if (!len)
      return bad_frame(err, index, "a region record is cut short or unknown");
    VmsRegion *r = &d->regs[i];
    memset(r, 0, sizeof *r);
    r->start = prev_end;
    VmsCounters zero = {0};
    VmsCounters *ctr = d->has_ctrs ? &d->ctrs[i] : &zero;
    memset(ctr, 0, sizeof *ctr);
    if (!decode_record(d, c->p, r, ctr) || r->start < prev_end)
      return bad_frame(err, index, "its regions overlap, are out of order or have bad fields");
    take(c, len);
    prev_end = r->end;
  }
  d->n = count;
  return VMS_OK;
}

/* The first of d->regs[lo, n) starting at or above addr. */
static size_t first_at(const Decoder *d, size_t lo, uint64_t addr) {
  size_t hi = d->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (d->regs[mid].start < addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

typedef struct {
  uint64_t start;
  const uint8_t *p;
} Upsert;

static VmsErrorCode decode_delta(Decoder *d, Cur *c, uint32_t index, VmsError *err) {
  uint32_t nr = get32(c);
  if (c->bad || nr > c->n / 8)
    return bad_frame(err, index, "its list of removed regions is cut short");
  const uint8_t *removed = take(c, (size_t)nr * 8);
  uint32_t nu = get32(c);
  if (c->bad || nu > c->n / 10)
    return bad_frame(err, index, "its list of changed regions is cut short");
  Upsert *ups = malloc((nu ? nu : 1) * sizeof *ups);
  if (!ups)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory rebuilding frame %u", index);
  VmsErrorCode code = VMS_OK;
  for (uint32_t k = 0; k < nu && code == VMS_OK; k++) {
    size_t len = record_len(c->p, c->n, d->has_ctrs);
    if (!len || !(rd16(c->p) & R_START))
      code = bad_frame(err, index, "a changed region is cut short or has no start");
    else {
      ups[k].start = rd64(c->p + 2);
      ups[k].p = c->p;
      take(c, len);
      if (k && ups[k].start <= ups[k - 1].start)
        code = bad_frame(err, index, "its changed regions are out of order");
    }
  }
  for (uint32_t j = 1; j < nr && code == VMS_OK; j++)
    if (rd64(removed + 8 * j) <= rd64(removed + 8 * (j - 1)))
      code = bad_frame(err, index, "its removed regions are out of order");
  size_t want = d->n + nu;
  if (code == VMS_OK &&
      (!grow((void **)&d->tmp, &d->tmp_cap, want, sizeof *d->tmp) ||
       (d->has_ctrs && !grow((void **)&d->tmp_ctrs, &d->tmp_ctr_cap, want, sizeof *d->tmp_ctrs))))
    code = vms_error_set(err, VMS_ERR_NOMEM, "out of memory rebuilding frame %u", index);
  if (code != VMS_OK) {
    free(ups);
    return code;
  }

  /* Merge by start: runs of unchanged regions are copied whole. */
  size_t i = 0, o = 0;
  uint32_t j = 0, k = 0;
  const char *broken = NULL;
  for (;;) {
    uint64_t e = UINT64_MAX;
    bool have = false;
    if (j < nr) {
      e = rd64(removed + 8 * j);
      have = true;
    }
    if (k < nu && (!have || ups[k].start < e)) {
      e = ups[k].start;
      have = true;
    }
    size_t to = have ? first_at(d, i, e) : d->n;
    if (to > i) {
      if (o && d->regs[i].start < d->tmp[o - 1].end) {
        broken = "a changed region overlaps the next";
        break;
      }
      memcpy(d->tmp + o, d->regs + i, (to - i) * sizeof *d->tmp);
      if (d->has_ctrs)
        memcpy(d->tmp_ctrs + o, d->ctrs + i, (to - i) * sizeof *d->tmp_ctrs);
      o += to - i;
      i = to;
    }
    if (!have)
      break;
    bool exists = i < d->n && d->regs[i].start == e;
    if (j < nr && rd64(removed + 8 * j) == e) {
      if (!exists || (k < nu && ups[k].start == e)) {
        broken = "it removes a region that is not there";
        break;
      }
      i++;
      j++;
      continue;
    }
    VmsRegion *r = &d->tmp[o];
    VmsCounters zero = {0};
    VmsCounters *ctr = d->has_ctrs ? &d->tmp_ctrs[o] : &zero;
    if (exists) {
      *r = d->regs[i];
      if (d->has_ctrs)
        *ctr = d->ctrs[i];
      i++;
    } else {
      memset(r, 0, sizeof *r);
      memset(ctr, 0, sizeof *ctr);
    }
    if (!decode_record(d, ups[k].p, r, ctr) || (o && r->start < d->tmp[o - 1].end)) {
      broken = "a changed region overlaps another or has bad fields";
      break;
    }
    o++;
    k++;
  }
  free(ups);
  if (broken)
    return bad_frame(err, index, broken);
  VmsRegion *t = d->regs;
  d->regs = d->tmp;
  d->tmp = t;
  size_t tc = d->cap;
  d->cap = d->tmp_cap;
  d->tmp_cap = tc;
  VmsCounters *tctr = d->ctrs;
  d->ctrs = d->tmp_ctrs;
  d->tmp_ctrs = tctr;
  tc = d->ctr_cap;
  d->ctr_cap = d->tmp_ctr_cap;
  d->tmp_ctr_cap = tc;
  d->n = o;
  return VMS_OK;
}

static VmsErrorCode decode_names(Decoder *d, Cur *c, uint32_t index, VmsError *err) {
  uint32_t at = get32(c);
  uint32_t len = get32(c);
  const uint8_t *p = take(c, len);
  if (!p || at != d->names_len || (len && p[len - 1] != '\0') ||
      (uint64_t)d->names_len + len > UINT32_MAX / 2)
    return bad_frame(err, index, "its names do not follow the ones before");
  size_t cap = d->names_cap;
  if (!grow((void **)&d->names, &cap, (size_t)d->names_len + len, 1))
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory rebuilding frame %u", index);
  d->names_cap = (uint32_t)cap;
  memcpy(d->names + d->names_len, p, len);
  d->names_len += len;
  return VMS_OK;
}

/* Applies one frame to d. With regions false only the side facts and
 * figures are decoded (building the index). */
static VmsErrorCode decode_frame(Decoder *d, const FrameHeader *fh, const uint8_t *payload,
                                 bool regions, VmsError *err) {
  const bool key = fh->kind == VMS_FRAME_KEY;
  const uint32_t idx = fh->index;
  if (key) {
    d->have_key = true;
    d->key = idx;
    d->has_ctrs = (fh->flags & VMS_FRAME_COUNTERS) != 0;
    d->n = 0;
    if (regions) {
      size_t cap = d->names_cap;
      if (!grow((void **)&d->names, &cap, 1, 1))
        return vms_error_set(err, VMS_ERR_NOMEM, "out of memory rebuilding frame %u", idx);
      d->names_cap = (uint32_t)cap;
      d->names[0] = '\0';
      d->names_len = 1;
    }
  } else if (!d->have_key || d->key != fh->key) {
    return bad_frame(err, idx, "its key frame is missing");
  } else if (d->has_ctrs != ((fh->flags & VMS_FRAME_COUNTERS) != 0)) {
    return bad_frame(err, idx, "counters come or go without a key frame");
  }
  Cur c = {payload, fh->len, false};
  bool seen_info = false, seen_samp = false, seen_stat = false, seen_regs = false;
  while (c.n) {
    uint32_t id = get32(&c);
    uint32_t len = get32(&c);
    const uint8_t *body = take(&c, len);
    if (!body)
      return bad_frame(err, idx, "a chunk is cut short");
    Cur b = {body, len, false};
    VmsErrorCode code = VMS_OK;
    switch (id) {
    case CH_INFO:
      if (seen_info || !get_info(&b, &d->info))
        return bad_frame(err, idx, "its process facts are malformed");
      seen_info = true;
      break;
    case CH_SAMP:
      d->read_seconds = bits_f64(get64(&b));
      d->counters_at = bits_f64(get64(&b));
      d->serial = get64(&b);
      if (b.bad || seen_samp || !isfinite(d->read_seconds) || d->read_seconds < 0 ||
          (d->counters_at != 0 && !vms_time_valid(d->counters_at)))
        return bad_frame(err, idx, "its sample facts are malformed");
      seen_samp = true;
      break;
    case CH_STAT: {
      uint32_t mask = get32(&b);
      const uint32_t all = (UINT32_C(1) << VMS_FIG_COUNT) - 1;
      if (seen_stat || (key && (mask & all) != all))
        return bad_frame(err, idx, "its figures are incomplete");
      for (int f = 0; f < 32; f++) {
        if (!(mask & (UINT32_C(1) << f)))
          continue;
        uint64_t v = get64(&b);
        if (f < VMS_FIG_COUNT)
          d->fig[f] = v;
      }
      if (b.bad)
        return bad_frame(err, idx, "its figures are cut short");
      seen_stat = true;
      break;
    }
    case CH_NAME:
      if (seen_regs)
        return bad_frame(err, idx, "names after its regions");
      if (regions)
        code = decode_names(d, &b, idx, err);
      break;
    case CH_REGS:
    case CH_DELT:
      if (seen_regs || (id == CH_REGS) != key)
        return bad_frame(err, idx, "its regions are not of its kind");
      seen_regs = true;
      if (regions)
        code = key ? decode_regs(d, &b, idx, err) : decode_delta(d, &b, idx, err);
      break;
    default:
      /* An upper-case first letter marks a chunk a reader must understand. */
      if ((id & 0xff) >= 'A' && (id & 0xff) <= 'Z') {
        char name[5];
        for (int q = 0; q < 4; q++) {
          unsigned char ch = (unsigned char)(id >> (8 * q));
          name[q] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
        }
        name[4] = '\0';
        return vms_error_set(err, VMS_ERR_UNSUPPORTED,
                             "frame %u holds a '%s' chunk, which this vmscope does not know: a "
                             "newer vmscope wrote it",
                             idx, name);
      }
      break;
    }
    if (code != VMS_OK)
      return code;
  }
  if ((key && !seen_info) || !seen_samp || !seen_stat || !seen_regs)
    return bad_frame(err, idx, "a required chunk is missing");
  return VMS_OK;
}

static VmsErrorCode materialize(const Decoder *d, const FrameHeader *fh, VmsSnapshot **out,
                                VmsError *err) {
  *out = NULL;
  VmsSnapshot *s = vms_snapshot_new();
  VmsRegion *regions = malloc((d->n ? d->n : 1) * sizeof *regions);
  VmsCounters *ctrs = d->has_ctrs ? malloc((d->n ? d->n : 1) * sizeof *ctrs) : NULL;
  char *names = malloc(d->names_len ? d->names_len : 1);
  if (!s || !regions || (d->has_ctrs && !ctrs) || !names) {
    free(regions);
    free(ctrs);
    free(names);
    vms_snapshot_unref(s);
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory rebuilding frame %u", fh->index);
  }
  /* A frame with no region has no arrays at all: memcpy from NULL is undefined even for 0. */
  if (d->n)
    memcpy(regions, d->regs, d->n * sizeof *regions);
  if (ctrs && d->n)
    memcpy(ctrs, d->ctrs, d->n * sizeof *ctrs);
  if (d->names_len)
    memcpy(names, d->names, d->names_len);
  else
    names[0] = '\0';
  const Info *i = &d->info;
  s->pid = i->pid;
  snprintf(s->name, sizeof s->name, "%s", i->name);
  s->bits = (int)i->bits;
  s->start_time = i->start_time;
  s->usable_lo = i->usable_lo;
  s->usable_hi = i->usable_hi;
  s->page_size = i->page_size;
  s->alloc_granularity = i->alloc_granularity;
  s->fields = i->fields;
  s->taken_at = fh->time;
  s->read_seconds = d->read_seconds;
  s->counters_at = d->counters_at;
  s->serial = d->serial;
  snprintf(s->note, sizeof s->note, "%s", i->note);
  s->regions = regions;
  s->n_regions = d->n;
  s->counters = ctrs;
  s->rollup = i->rollup;
  s->names.data = names;
  s->names.len = s->names.cap = d->names_len ? d->names_len : 1;
  s->n_threads = (size_t)i->n_threads;
  s->n_stacks_found = (size_t)i->n_stacks;
  s->stats.max_map_count = i->max_map_count;
  vms_stats_compute(s, s->usable_lo, s->usable_hi, &s->stats);
  *out = s;
  return VMS_OK;
}

static void fill_info(const Decoder *d, const FrameHeader *fh, uint64_t offset, VmsFrameInfo *fi) {
  memset(fi, 0, sizeof *fi);
  fi->index = fh->index;
  fi->key = fh->key;
  fi->kind = fh->kind;
  fi->flags = fh->flags;
  fi->time = fh->time;
  fi->offset = offset;
  fi->size = FRAME_HEADER_SIZE + (uint64_t)fh->len;
  fi->pid = d->info.pid;
  memcpy(fi->fig, d->fig, sizeof fi->fig);
}

/* ---- sources: a buffer, or a FILE read in order ---- */

typedef struct {
  const uint8_t *data;
  size_t len, pos;
  FILE *f;
  uint8_t *buf;
  size_t cap;
  int read_errno;
} Src;

/* Up to n bytes at the current position (fewer at the end); NULL with got 0
 * on a read error or when out of memory (read_errno set). */
static const uint8_t *src_take(Src *s, size_t n, size_t *got) {
  *got = 0;
  if (!s->f) {
    size_t k = s->len - s->pos < n ? s->len - s->pos : n;
    const uint8_t *p = s->data + s->pos;
    s->pos += k;
    *got = k;
    return p;
  }
  if (n > s->cap) {
    uint8_t *b = realloc(s->buf, n);
    if (!b) {
      s->read_errno = ENOMEM;
      return NULL;
    }
    s->buf = b;
    s->cap = n;
  }
  size_t k = n ? fread(s->buf, 1, n, s->f) : 0;
  if (k < n && ferror(s->f)) {
    s->read_errno = errno ? errno : EIO;
    return NULL;
  }
  s->pos += k;
  *got = k;
  return s->buf;
}

static bool is_text(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] < 0x09 || (p[i] > 0x0d && p[i] < 0x20) || p[i] == 0x7f)
      return false;
  return n > 0;
}

static VmsErrorCode read_file_header(Src *s, uint32_t *minor, VmsError *err) {
  size_t got;
  const uint8_t *h = src_take(s, FILE_HEADER_SIZE, &got);
  if (!h)
    return vms_error_set(err, s->read_errno == ENOMEM ? VMS_ERR_NOMEM : VMS_ERR_IO,
                         "cannot read it: %s", strerror(s->read_errno));
  if (got == 0)
    return vms_error_set(err, VMS_ERR_PARSE, "empty: no recording in it");
  static const uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  size_t cmp = got < 8 ? got : 8;
  if (memcmp(h, file_magic, cmp) != 0) {
    if (got >= 8 && memcmp(h, png, 8) == 0)
      return vms_error_set(err, VMS_ERR_PARSE,
                           "a PNG image, not a vmscope recording (vmscope writes maps as PNG "
                           "with --png; it cannot read them back)");
    if (is_text(h, got))
      return vms_error_set(err, VMS_ERR_PARSE,
                           "text, not a vmscope recording (for captured /proc/PID/maps text "
                           "use --maps-file)");
    return vms_error_set(err, VMS_ERR_PARSE, "not a vmscope recording or snapshot");
  }
  if (got < FILE_HEADER_SIZE)
    return vms_error_set(err, VMS_ERR_PARSE, "truncated inside its file header: no frame in it");
  if (vms_crc32c(0, h, 12) != rd32(h + 12))
    return vms_error_set(err, VMS_ERR_PARSE, "its file header is damaged (checksum)");
  uint16_t major = rd16(h + 8);
  *minor = rd16(h + 10);
  if (major != VMS_RECORDING_MAJOR)
    return vms_error_set(err, VMS_ERR_UNSUPPORTED,
                         "recording format %u.%u, which this vmscope (format %d.%d) cannot read: "
                         "a newer vmscope wrote it",
                         major, *minor, VMS_RECORDING_MAJOR, VMS_RECORDING_MINOR);
  return VMS_OK;
}

/* Reads the next frame's header and payload into hdr and *payload. *end is
 * set at the end mark; *cut when the source ends before it (inside a frame
 * or between two). */
static VmsErrorCode read_frame(Src *s, uint32_t index, uint8_t hdr[FRAME_HEADER_SIZE],
                               FrameHeader *fh, const uint8_t **payload, bool *end, bool *cut,
                               VmsError *err) {
  *end = *cut = false;
  size_t got;
  const uint8_t *h = src_take(s, FRAME_HEADER_SIZE, &got);
  if (!h)
    return vms_error_set(err, s->read_errno == ENOMEM ? VMS_ERR_NOMEM : VMS_ERR_IO,
                         "cannot read frame %u: %s", index, strerror(s->read_errno));
  if (got < FRAME_HEADER_SIZE) {
    *cut = true;
    return VMS_OK;
  }
  memcpy(hdr, h, FRAME_HEADER_SIZE);
  if (memcmp(hdr, end_tag, 4) == 0) {
    if (vms_crc32c(0, hdr, FRAME_HEADER_SIZE - 4) != rd32(hdr + 28) || rd32(hdr + 4) != 0 ||
        rd32(hdr + 8) != index)
      return vms_error_set(err, VMS_ERR_PARSE, "its end mark after frame %u is damaged",
                           index ? index - 1 : 0);
    *end = true;
    return VMS_OK;
  }
  VmsErrorCode code = parse_header(hdr, index, fh, err);
  if (code != VMS_OK)
    return code;
  *payload = src_take(s, fh->len, &got);
  if (!*payload)
    return vms_error_set(err, s->read_errno == ENOMEM ? VMS_ERR_NOMEM : VMS_ERR_IO,
                         "cannot read frame %u: %s", index, strerror(s->read_errno));
  if (got < fh->len) {
    *cut = true;
    return VMS_OK;
  }
  if (!check_crc(hdr, *payload, fh->len, fh->crc))
    return vms_error_set(err, VMS_ERR_PARSE,
                         "frame %u is damaged: its checksum does not match its bytes", index);
  return VMS_OK;
}

/* ---- the whole-file reader ---- */

static VmsErrorCode scan(VmsRecording *rec, Src *s, VmsError *err) {
  VmsErrorCode code = read_file_header(s, &rec->minor, err);
  if (code != VMS_OK)
    return code;
  Decoder d = {0};
  for (;;) {
    uint8_t hdr[FRAME_HEADER_SIZE];
    FrameHeader fh;
    const uint8_t *payload = NULL;
    bool end, cut;
    uint64_t offset = s->pos;
    code = read_frame(s, (uint32_t)rec->n, hdr, &fh, &payload, &end, &cut, err);
    if (code != VMS_OK)
      break;
    if (end)
      break;
    if (cut) {
      rec->truncated = true;
      break;
    }
    code = decode_frame(&d, &fh, payload, false, err);
    if (code != VMS_OK)
      break;
    if (rec->n == UINT32_MAX ||
        !grow((void **)&rec->frames, &rec->cap, rec->n + 1, sizeof *rec->frames)) {
      code = vms_error_set(err, VMS_ERR_NOMEM, "out of memory indexing its frames");
      break;
    }
    fill_info(&d, &fh, offset, &rec->frames[rec->n++]);
  }
  decoder_free(&d);
  if (code == VMS_OK && rec->n && rec->cap > rec->n) {
    /* The index is what an open recording holds: no spare capacity. */
    VmsFrameInfo *exact = realloc(rec->frames, rec->n * sizeof *exact);
    if (exact) {
      rec->frames = exact;
      rec->cap = rec->n;
    }
  }
  if (code == VMS_OK && rec->n == 0)
    code = vms_error_set(err, VMS_ERR_PARSE,
                         rec->truncated ? "truncated before its first complete frame"
                                        : "no frame in it");
  return code;
}

static VmsErrorCode open_src(VmsRecording *rec, Src *s, VmsRecording **out, VmsError *err) {
  VmsErrorCode code = scan(rec, s, err);
  free(s->buf);
  if (code != VMS_OK) {
    vms_recording_close(rec);
    return code;
  }
  *out = rec;
  return VMS_OK;
}

VmsErrorCode vms_recording_open_buffer(const void *data, size_t len, VmsRecording **out,
                                       VmsError *err) {
  *out = NULL;
  VmsRecording *rec = calloc(1, sizeof *rec);
  if (!rec)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  rec->data = data;
  rec->len = len;
  Src s = {.data = data, .len = len};
  return open_src(rec, &s, out, err);
}

VmsErrorCode vms_recording_open_file(FILE *f, VmsRecording **out, VmsError *err) {
  *out = NULL;
  VmsRecording *rec = calloc(1, sizeof *rec);
  if (!rec)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  rec->f = f;
  if (!vms_file_seek(f, 0)) {
    int e = errno;
    free(rec);
    return vms_error_set(err, VMS_ERR_IO, "cannot read it from the start: %s", strerror(e));
  }
  Src s = {.f = f};
  return open_src(rec, &s, out, err);
}

void vms_recording_close(VmsRecording *rec) {
  if (!rec)
    return;
  free(rec->frames);
  free(rec);
}

size_t vms_recording_count(const VmsRecording *rec) {
  return rec->n;
}

const VmsFrameInfo *vms_recording_info(const VmsRecording *rec, size_t k) {
  return k < rec->n ? &rec->frames[k] : NULL;
}

bool vms_recording_truncated(const VmsRecording *rec) {
  return rec->truncated;
}

uint32_t vms_recording_minor(const VmsRecording *rec) {
  return rec->minor;
}

VmsErrorCode vms_recording_frame(VmsRecording *rec, size_t k, VmsSnapshot **out, VmsError *err) {
  *out = NULL;
  if (k >= rec->n)
    return vms_error_set(err, VMS_ERR_USAGE, "no frame %zu: the recording has frames 0 to %zu", k,
                         rec->n - 1);
  Decoder d = {0};
  uint8_t *buf = NULL;
  size_t cap = 0;
  VmsErrorCode code = VMS_OK;
  FrameHeader fh = {0};
  for (size_t j = rec->frames[k].key; j <= k && code == VMS_OK; j++) {
    const VmsFrameInfo *fi = &rec->frames[j];
    const uint8_t *bytes;
    if (rec->f) {
      if (!grow((void **)&buf, &cap, (size_t)fi->size, 1)) {
        code = vms_error_set(err, VMS_ERR_NOMEM, "out of memory reading frame %zu", j);
        break;
      }
      if (!vms_file_seek(rec->f, fi->offset) ||
          fread(buf, 1, (size_t)fi->size, rec->f) != fi->size) {
        code = vms_error_set(err, VMS_ERR_IO, "cannot read frame %zu again: %s", j,
                             ferror(rec->f) ? strerror(errno) : "the file got shorter");
        break;
      }
      bytes = buf;
    } else {
      bytes = rec->data + fi->offset;
    }
    code = parse_header(bytes, rec->base + (uint32_t)j, &fh, err);
    if (code == VMS_OK && !check_crc(bytes, bytes + FRAME_HEADER_SIZE, fh.len, fh.crc))
      code = vms_error_set(err, VMS_ERR_PARSE, "frame %zu changed since it was opened", j);
    if (code == VMS_OK)
      code = decode_frame(&d, &fh, bytes + FRAME_HEADER_SIZE, true, err);
  }
  free(buf);
  if (code == VMS_OK)
    code = materialize(&d, &fh, out, err);
  decoder_free(&d);
  return code;
}

/* ---- the stream reader ---- */

struct VmsRecordingStream {
  Src src;
  Decoder dec;
  uint32_t next, minor;
  uint64_t at; /* where the frame last read, or failed, begins */
  bool started, done, truncated;
};

VmsErrorCode vms_recording_stream_new(FILE *f, VmsRecordingStream **out, VmsError *err) {
  *out = calloc(1, sizeof **out);
  if (!*out)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  (*out)->src.f = f;
  return VMS_OK;
}

VmsErrorCode vms_recording_stream_next(VmsRecordingStream *s, VmsSnapshot **snap,
                                       VmsFrameInfo *info, VmsError *err) {
  *snap = NULL;
  if (s->done)
    return VMS_OK;
  VmsErrorCode code = VMS_OK;
  if (!s->started) {
    code = read_file_header(&s->src, &s->minor, err);
    if (code != VMS_OK) {
      s->done = true;
      return code;
    }
    s->started = true;
  }
  uint8_t hdr[FRAME_HEADER_SIZE];
  FrameHeader fh;
  const uint8_t *payload = NULL;
  bool end, cut;
  uint64_t offset = s->src.pos;
  s->at = offset;
  code = read_frame(&s->src, s->next, hdr, &fh, &payload, &end, &cut, err);
  if (code == VMS_OK && (end || cut)) {
    s->done = true;
    s->truncated = cut;
    if (s->next == 0)
      return vms_error_set(err, VMS_ERR_PARSE,
                           cut ? "truncated before its first complete frame" : "no frame in it");

    return VMS_OK;
  }
  if (code == VMS_OK)
    code = decode_frame(&s->dec, &fh, payload, true, err);
  if (code == VMS_OK)
    code = materialize(&s->dec, &fh, snap, err);
  if (code != VMS_OK) {
    s->done = true;
    return code;
  }
  if (info)
    fill_info(&s->dec, &fh, offset, info);
  s->next++;
  return VMS_OK;
}

bool vms_recording_stream_truncated(const VmsRecordingStream *s) {
  return s->truncated;
}

uint64_t vms_recording_stream_position(const VmsRecordingStream *s) {
  return s->at;
}

void vms_recording_stream_free(VmsRecordingStream *s) {
  if (!s)
    return;
  decoder_free(&s->dec);
  free(s->src.buf);
  free(s);
}

/* ---- the writer ---- */

struct VmsRecordingWriter {
  FILE *f;
  bool failed, header_done;
  uint32_t frames, key_index, since_key;
  unsigned key_every;
  size_t key_size, delta_since_key;
  VmsSnapshot *prev;
  uint32_t *prev_names, *cur_names;
  size_t prev_cap, cur_cap;
  bool prev_ctrs;
  VmsNamePool pool;
  uint32_t pool_sent;
  uint32_t *cache;
  size_t cache_cap;
  Info info;
  uint64_t fig[VMS_FIG_COUNT];
  Buf frame, regs, rem;
  size_t last_start, last_size;
  bool last_key;
};

VmsErrorCode vms_recording_writer_new(FILE *f, VmsRecordingWriter **out, VmsError *err) {
  *out = calloc(1, sizeof **out);
  if (!*out)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  (*out)->f = f;
  (*out)->key_every = 64;
  vms_name_pool_init(&(*out)->pool);
  return VMS_OK;
}

void vms_recording_writer_set_key_interval(VmsRecordingWriter *w, unsigned frames) {
  w->key_every = frames ? frames : 1;
}

uint32_t vms_recording_writer_frames(const VmsRecordingWriter *w) {
  return w->frames;
}

size_t vms_recording_writer_last_size(const VmsRecordingWriter *w, bool *was_key) {
  if (was_key)
    *was_key = w->last_key;
  return w->last_size;
}

const uint8_t *vms_recording_writer_last_frame(const VmsRecordingWriter *w, size_t *len) {
  *len = w->frames ? w->frame.n - w->last_start : 0;
  return w->frames ? w->frame.p + w->last_start : NULL;
}

size_t vms_recording_writer_held(const VmsRecordingWriter *w) {
  return sizeof *w + w->frame.cap + w->regs.cap + w->rem.cap +
         (w->prev_cap + w->cur_cap + w->cache_cap + w->pool.nslots) * sizeof(uint32_t) +
         w->pool.cap;
}

void vms_recording_writer_free(VmsRecordingWriter *w) {
  if (!w)
    return;
  vms_snapshot_unref(w->prev);
  free(w->prev_names);
  free(w->cur_names);
  free(w->cache);
  vms_name_pool_clear(&w->pool);
  free(w->frame.p);
  free(w->regs.p);
  free(w->rem.p);
  free(w);
}

/* The writer's name offsets for snap's regions, into cur_names. */
static bool map_names(VmsRecordingWriter *w, const VmsSnapshot *snap) {
  if (!grow((void **)&w->cur_names, &w->cur_cap, snap->n_regions ? snap->n_regions : 1,
            sizeof *w->cur_names))
    return false;
  size_t len = snap->names.data ? snap->names.len : 0;
  if (!grow((void **)&w->cache, &w->cache_cap, len ? len : 1, sizeof *w->cache))
    return false;
  memset(w->cache, 0, (len ? len : 1) * sizeof *w->cache);
  for (size_t i = 0; i < snap->n_regions; i++) {
    uint32_t off = snap->regions[i].name;
    if (off == 0) {
      w->cur_names[i] = 0;
      continue;
    }
    if (off < len && w->cache[off]) {
      w->cur_names[i] = w->cache[off] - 1;
      continue;
    }
    const char *s = vms_snapshot_name_of(snap, &snap->regions[i]);
    uint32_t woff = vms_name_pool_add(&w->pool, s, strlen(s));
    if (woff == UINT32_MAX)
      return false;
    if (off < len)
      w->cache[off] = woff + 1;
    w->cur_names[i] = woff;
  }
  return true;
}

static void build_key(VmsRecordingWriter *w, const VmsSnapshot *snap) {
  Buf *b = &w->regs;
  b->n = 0;
  size_t at = chunk_begin(b, CH_REGS);
  put32(b, (uint32_t)snap->n_regions);
  VmsRegion base = {0};
  const VmsCounters zero = {0};
  for (size_t i = 0; i < snap->n_regions; i++) {
    const VmsRegion *r = &snap->regions[i];
    const VmsCounters *c = snap->counters ? &snap->counters[i] : NULL;
    uint32_t m = record_mask(r, w->cur_names[i], c, &base, 0, &zero);
    put_record(b, m, r, w->cur_names[i], c);
    base.start = r->end;
  }
  chunk_end(b, at);
}

static void build_delta(VmsRecordingWriter *w, const VmsSnapshot *snap) {
  const VmsSnapshot *p = w->prev;
  Buf *b = &w->regs, *rem = &w->rem;
  b->n = 0;
  rem->n = 0;
  size_t at = chunk_begin(b, CH_DELT);
  put32(b, 0); /* removed count, then upserts after the removed list: fixed up below */
  uint32_t nr = 0, nu = 0;
  Buf ups = {0};
  size_t i = 0, j = 0;
  const VmsRegion zero_r = {0};
  const VmsCounters zero_c = {0};
  const bool ctr = snap->counters != NULL;
  while (i < p->n_regions || j < snap->n_regions) {
    const VmsRegion *o = i < p->n_regions ? &p->regions[i] : NULL;
    const VmsRegion *r = j < snap->n_regions ? &snap->regions[j] : NULL;
    if (o && (!r || o->start < r->start)) {
      put64(rem, o->start);
      nr++;
      i++;
      continue;
    }
    const VmsCounters *c = ctr ? &snap->counters[j] : NULL;
    if (!o || r->start < o->start) {
      uint32_t m = record_mask(r, w->cur_names[j], c, &zero_r, 0, &zero_c) | R_START;
      put_record(&ups, m, r, w->cur_names[j], c);
      nu++;
      j++;
      continue;
    }
    const VmsCounters *oc = ctr ? &p->counters[i] : NULL;
    uint32_t m = record_mask(r, w->cur_names[j], c, o, w->prev_names[i], oc);
    if (m) {
      put_record(&ups, m | R_START, r, w->cur_names[j], c);
      nu++;
    }
    i++;
    j++;
  }
  b->n = at + 4;
  put32(b, nr);
  put_bytes(b, rem->p, rem->n);
  put32(b, nu);
  put_bytes(b, ups.p, ups.n);
  if (ups.oom)
    b->oom = true;
  free(ups.p);
  chunk_end(b, at);
}

static VmsErrorCode write_frame(VmsRecordingWriter *w, const VmsSnapshot *snap, double time,
                                uint8_t kind, uint8_t flags, const Info *info, VmsError *err) {
  /* A reader refuses such a frame as damaged: never write one. */
  if (!vms_time_valid(time))
    return vms_error_set(err, VMS_ERR_INTERNAL, "frame %u has an impossible time", w->frames);
  Buf *f = &w->frame;
  f->n = 0;
  if (!w->header_done) {
    uint8_t *h = buf_grow(f, FILE_HEADER_SIZE);
    if (h)
      vms_recording_put_file_header(h);
  }
  size_t start = f->n;
  buf_grow(f, FRAME_HEADER_SIZE);
  const bool key = kind == VMS_FRAME_KEY;
  if (key || !info_equal(info, &w->info))
    put_info(f, info);
  size_t at = chunk_begin(f, CH_SAMP);
  put64(f, f64_bits(snap->read_seconds));
  put64(f, f64_bits(snap->counters_at));
  put64(f, snap->serial);
  chunk_end(f, at);
  uint64_t fig[VMS_FIG_COUNT];
  vms_recording_figures(snap, fig);
  uint32_t mask = 0;
  for (int k = 0; k < VMS_FIG_COUNT; k++)
    if (key || fig[k] != w->fig[k])
      mask |= UINT32_C(1) << k;
  at = chunk_begin(f, CH_STAT);
  put32(f, mask);
  for (int k = 0; k < VMS_FIG_COUNT; k++)
    if (mask & (UINT32_C(1) << k))
      put64(f, fig[k]);
  chunk_end(f, at);
  uint32_t plen = w->pool.data ? w->pool.len : 1;
  if (plen > w->pool_sent) {
    at = chunk_begin(f, CH_NAME);
    put32(f, w->pool_sent);
    put32(f, plen - w->pool_sent);
    put_bytes(f, w->pool.data + w->pool_sent, plen - w->pool_sent);
    chunk_end(f, at);
  }
  put_bytes(f, w->regs.p, w->regs.n);
  if (f->oom || w->regs.oom)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory encoding frame %u", w->frames);
  uint8_t *h = f->p + start;
  size_t payload = f->n - start - FRAME_HEADER_SIZE;
  if (payload > MAX_PAYLOAD)
    return vms_error_set(err, VMS_ERR_UNSUPPORTED, "frame %u would be larger than 1 GiB",
                         w->frames);
  memcpy(h, frame_tag, 4);
  le32(h + 4, (uint32_t)payload);
  le32(h + 8, w->frames);
  le32(h + 12, key ? w->frames : w->key_index);
  h[16] = kind;
  h[17] = flags;
  le16(h + 18, 0);
  le64(h + 20, f64_bits(time));
  uint32_t crc = vms_crc32c(0, h, FRAME_HEADER_SIZE - 4);
  le32(h + 28, vms_crc32c(crc, h + FRAME_HEADER_SIZE, payload));

  errno = 0;
  if (w->f && (fwrite(f->p, 1, f->n, w->f) != f->n || fflush(w->f) != 0)) {
    int e = errno ? errno : EIO;
    w->failed = true;
    return vms_error_set(err, VMS_ERR_IO, "writing frame %u failed: %s", w->frames, strerror(e));
  }
  w->last_start = start;
  w->header_done = true;
  w->pool_sent = plen;
  w->info = *info;
  memcpy(w->fig, fig, sizeof fig);
  w->last_size = f->n - start;
  w->last_key = key;
  if (key) {
    w->key_index = w->frames;
    w->since_key = 0;
    w->key_size = w->regs.n;
    w->delta_since_key = 0;
  } else {
    w->since_key++;
    w->delta_since_key += w->regs.n;
  }
  w->frames++;
  return VMS_OK;
}

VmsErrorCode vms_recording_writer_append(VmsRecordingWriter *w, const VmsSnapshot *snap,
                                         unsigned flags, VmsError *err) {
  if (w->failed)
    return vms_error_set(err, VMS_ERR_IO, "an earlier write of the recording failed");
  if (w->frames == UINT32_MAX)
    return vms_error_set(err, VMS_ERR_UNSUPPORTED, "a recording holds at most %u frames",
                         UINT32_MAX);
  const bool ctrs = snap->counters != NULL;
  /* A key frame every key_every frames, when counters come or go, and when
   * the changes since the last key frame outweigh it: rebuilding any frame
   * then decodes at most about two key frames' worth of bytes. */
  bool key = w->frames == 0 || !w->prev || w->since_key + 1 >= w->key_every ||
             ctrs != w->prev_ctrs || w->delta_since_key > w->key_size;
  if (!key) {
    if (!map_names(w, snap))
      return vms_error_set(err, VMS_ERR_NOMEM, "out of memory encoding frame %u", w->frames);
    build_delta(w, snap);
    if (w->regs.n > w->key_size)
      key = true;
  }
  if (key) {
    vms_name_pool_reset(&w->pool);
    w->pool_sent = 1;
    if (!map_names(w, snap))
      return vms_error_set(err, VMS_ERR_NOMEM, "out of memory encoding frame %u", w->frames);
    build_key(w, snap);
  }
  Info info;
  info_of(snap, &info);
  uint8_t fl = (uint8_t)((flags & VMS_FRAME_EXITED) | (ctrs ? VMS_FRAME_COUNTERS : 0));
  VmsErrorCode code =
      write_frame(w, snap, snap->taken_at, key ? VMS_FRAME_KEY : VMS_FRAME_DELTA, fl, &info, err);
  if (code != VMS_OK)
    return code;
  vms_snapshot_unref(w->prev);
  w->prev = vms_snapshot_ref((VmsSnapshot *)snap);
  uint32_t *t = w->prev_names;
  w->prev_names = w->cur_names;
  w->cur_names = t;
  size_t tc = w->prev_cap;
  w->prev_cap = w->cur_cap;
  w->cur_cap = tc;
  w->prev_ctrs = ctrs;
  return VMS_OK;
}

VmsErrorCode vms_recording_writer_append_exit(VmsRecordingWriter *w, double when, VmsError *err) {
  if (w->failed)
    return vms_error_set(err, VMS_ERR_IO, "an earlier write of the recording failed");
  if (!w->prev)
    return vms_error_set(err, VMS_ERR_INTERNAL, "no frame to end the recording after");
  Buf *b = &w->regs;
  b->n = 0;
  size_t at = chunk_begin(b, CH_DELT);
  put32(b, 0);
  put32(b, 0);
  chunk_end(b, at);
  Info info = w->info;
  uint8_t fl = (uint8_t)(VMS_FRAME_EXITED | (w->prev_ctrs ? VMS_FRAME_COUNTERS : 0));
  return write_frame(w, w->prev, when, VMS_FRAME_DELTA, fl, &info, err);
}

VmsErrorCode vms_recording_writer_finish(VmsRecordingWriter *w, VmsError *err) {
  if (w->failed)
    return vms_error_set(err, VMS_ERR_IO, "an earlier write of the recording failed");
  if (!w->frames)
    return vms_error_set(err, VMS_ERR_INTERNAL, "a recording without frames cannot be ended");
  uint8_t h[FRAME_HEADER_SIZE];
  vms_recording_put_end_mark(h, w->frames);
  errno = 0;
  if (fwrite(h, 1, sizeof h, w->f) != sizeof h || fflush(w->f) != 0) {
    int e = errno ? errno : EIO;
    w->failed = true;
    return vms_error_set(err, VMS_ERR_IO, "writing the end of the recording failed: %s",
                         strerror(e));
  }
  w->failed = true; /* nothing may follow the end mark */
  return VMS_OK;
}

/* ---- saving a whole recording to a path ---- */

void vms_recording_put_file_header(uint8_t h[FILE_HEADER_SIZE]) {
  memcpy(h, file_magic, 8);
  le16(h + 8, VMS_RECORDING_MAJOR);
  le16(h + 10, VMS_RECORDING_MINOR);
  le32(h + 12, vms_crc32c(0, h, 12));
}

void vms_recording_put_end_mark(uint8_t h[FRAME_HEADER_SIZE], uint32_t frames) {
  memset(h, 0, FRAME_HEADER_SIZE);
  memcpy(h, end_tag, 4);
  le32(h + 8, frames);
  le32(h + 28, vms_crc32c(0, h, FRAME_HEADER_SIZE - 4));
}

void vms_recording_renumber(uint8_t *frame, uint32_t index, uint32_t key) {
  le32(frame + 8, index);
  le32(frame + 12, key);
  uint32_t crc = vms_crc32c(0, frame, FRAME_HEADER_SIZE - 4);
  le32(frame + 28, vms_crc32c(crc, frame + FRAME_HEADER_SIZE, rd32(frame + 4)));
}

VmsErrorCode vms_recording_write_atomic(const char *path,
                                        VmsErrorCode (*write)(FILE *f, void *ctx, VmsError *err),
                                        void *ctx, VmsError *err) {
  if (!path || !*path)
    return vms_error_set(err, VMS_ERR_USAGE, "nothing to save");
  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
    return vms_error_set(err, VMS_ERR_IO, "cannot write %s: %s", path,
                         S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file");
  /* A name of our own beside path, so that the rename stays on one file
   * system; "x" refuses a name another writer holds. */
  static _Atomic unsigned counter;
  char tmp[4096];
  FILE *f = NULL;
  for (int attempt = 0; attempt < 100 && !f; attempt++) {
    unsigned tag = (unsigned)time(NULL) * 2654435761u + ++counter * 40503u;
    int len = snprintf(tmp, sizeof tmp, "%s.%08x.tmp", path, tag);
    if (len < 0 || (size_t)len >= sizeof tmp)
      return vms_error_set(err, VMS_ERR_USAGE, "%s: path too long", path);
    f = fopen(tmp, "wbx");
    if (!f && errno != EEXIST)
      return vms_error_set(err, VMS_ERR_IO, "cannot write %s: %s", path, strerror(errno));
  }
  if (!f)
    return vms_error_set(err, VMS_ERR_IO, "cannot write %s: no free temporary name beside it",
                         path);
  VmsErrorCode code = write(f, ctx, err);
  if (code == VMS_OK && !vms_file_sync(f))
    code = vms_error_set(err, VMS_ERR_IO, "cannot write %s: %s", path, strerror(errno));
  if (fclose(f) != 0 && code == VMS_OK)
    code = vms_error_set(err, VMS_ERR_IO, "cannot write %s: %s", path, strerror(errno));
  if (code == VMS_OK && !vms_file_replace(tmp, path))
    code = vms_error_set(err, VMS_ERR_IO, "cannot write %s: %s", path, strerror(errno));
  if (code != VMS_OK)
    remove(tmp);
  return code;
}

typedef struct {
  VmsSnapshot *const *snaps;
  size_t n;
  bool last_exited;
} SaveCtx;

static VmsErrorCode write_snapshots(FILE *f, void *ctx, VmsError *err) {
  const SaveCtx *c = ctx;
  VmsRecordingWriter *w = NULL;
  VmsErrorCode code = vms_recording_writer_new(f, &w, err);
  for (size_t i = 0; code == VMS_OK && i < c->n; i++)
    code = vms_recording_writer_append(w, c->snaps[i],
                                       c->last_exited && i + 1 == c->n ? VMS_FRAME_EXITED : 0, err);
  if (code == VMS_OK)
    code = vms_recording_writer_finish(w, err);
  vms_recording_writer_free(w);
  return code;
}

VmsErrorCode vms_recording_save(const char *path, VmsSnapshot *const *snaps, size_t n,
                                bool last_exited, VmsError *err) {
  if (!snaps || n == 0)
    return vms_error_set(err, VMS_ERR_USAGE, "nothing to save");
  SaveCtx c = {snaps, n, last_exited};
  return vms_recording_write_atomic(path, write_snapshots, &c, err);
}

bool vms_recording_file_looks_like(const char *path) {
  FILE *f = path ? fopen(path, "rb") : NULL;
  if (!f)
    return false;
  uint8_t h[sizeof file_magic];
  bool yes = fread(h, 1, sizeof h, f) == sizeof h && memcmp(h, file_magic, sizeof h) == 0;
  fclose(f);
  return yes;
}
