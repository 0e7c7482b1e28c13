/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-procmaps.c: hand parser of /proc/PID/maps, smaps and smaps_rollup text over a buffer.
 *
 * It runs on every refresh, over up to 65,530 lines, and must cost a small
 * fraction of what the kernel spends producing the text (about 0.55 us per
 * line). sscanf and per-line stdio cost several times that, so this walks the
 * buffer once by hand. It takes a buffer rather than a PID so fixtures and
 * saved captures go through exactly the code live reads use, on every OS. */
#include "vms-platform.h"
#include "vms-procmaps-private.h"

#include <string.h>

/* The value of each byte as a hex digit, 16 for a byte that is not one: one
 * load a character, which is what keeps parse_hex off the profile. */
static const unsigned char hex_value[256] = {
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  16, 16, 16, 16, 16, 16, 16, 10, 11, 12, 13, 14, 15, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
};

static bool parse_hex(const char **pp, const char *end, uint64_t *out) {
  const char *p = *pp, *first = p;
  uint64_t v = 0;
  unsigned d;
  while (p < end && (d = hex_value[(unsigned char)*p]) < 16) {
    v = (v << 4) | d;
    p++;
  }
  if (p == first || p - first > 16)
    return false; /* none, or more than 64 bits */
  *pp = p;
  *out = v;
  return true;
}

static bool parse_dec(const char **pp, const char *end, uint64_t *out) {
  const char *p = *pp;
  uint64_t v = 0;
  int n = 0;
  while (p < end && *p >= '0' && *p <= '9') {
    uint64_t d = (uint64_t)(*p - '0');
    if (v > (UINT64_MAX - d) / 10)
      return false; /* more than 64 bits */
    v = v * 10 + d;
    p++;
    n++;
  }
  if (n == 0)
    return false;
  *pp = p;
  *out = v;
  return true;
}

static inline bool expect(const char **pp, const char *end, char c) {
  if (*pp < end && **pp == c) {
    (*pp)++;
    return true;
  }
  return false;
}

static bool has_prefix(const char *s, size_t n, const char *prefix) {
  size_t k = strlen(prefix);
  return n >= k && memcmp(s, prefix, k) == 0;
}

#define DELETED_SUFFIX " (deleted)"

/* What the line parsers answer when an allocation fails: compared by
 * address, so that it is reported as VMS_ERR_NOMEM, not as a bad line. */
static const char out_of_memory[] = "out of memory";

/* Stores the name of a mapping. The maps text escapes a newline in a path
 * as the four characters "\012" (and nothing else), so that one is decoded
 * when `escaped`; any other backslash is part of the name. The PROCMAP_QUERY
 * ioctl gives the raw bytes, so both reach the classifier alike. Returns
 * NULL or what is wrong. */
const char *vms_maps_store_name(VmsSpace *space, VmsRegion *r, const char *s, size_t n,
                                bool escaped) {
  if (n == 0)
    return NULL;
  /* The kernel never prints one; a capture file might. */
  if (memchr(s, '\0', n))
    return "NUL byte in the name";
  char scratch[4 * 4096 + 64]; /* PATH_MAX bytes, each escape 4 characters */
  if (escaped && memchr(s, '\\', n) && n <= sizeof scratch) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
      if (s[i] == '\\' && i + 3 < n && s[i + 1] == '0' && s[i + 2] == '1' && s[i + 3] == '2') {
        scratch[o++] = '\n';
        i += 3;
      } else {
        scratch[o++] = s[i];
      }
    }
    s = scratch;
    n = o;
  }
  if (s[0] == '[' && s[n - 1] == ']') {
    r->os |= VMS_OS_PSEUDO;
    if (has_prefix(s, n, "[anon:"))
      r->os |= VMS_OS_ANON_NAME;
    else if (has_prefix(s, n, "[anon_shmem:"))
      r->os |= VMS_OS_ANON_SHMEM;
  } else {
    size_t k = sizeof DELETED_SUFFIX - 1;
    if (n > k && memcmp(s + n - k, DELETED_SUFFIX, k) == 0) {
      r->os |= VMS_OS_DELETED;
      n -= k;
    }
    r->os |= VMS_OS_FILE;
  }
  uint32_t off = vms_name_pool_add(&space->names, s, n);
  if (off == UINT32_MAX)
    return out_of_memory;
  r->name = off;
  return NULL;
}

static size_t line_number(const char *buf, const char *at) {
  size_t n = 1;
  for (const char *p = buf; p < at; p++)
    if (*p == '\n')
      n++;
  return n;
}

static VmsErrorCode malformed(VmsError *err, const char *buf, const char *line, const char *end,
                              const char *what) {
  if (what == out_of_memory)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory at line %zu", line_number(buf, line));
  const char *nl = memchr(line, '\n', (size_t)(end - line));
  int shown = (int)((nl ? nl : end) - line);
  if (shown > 80)
    shown = 80;
  return vms_error_set(err, VMS_ERR_PARSE, "line %zu: %s: \"%.*s\"", line_number(buf, line), what,
                       shown, line);
}

/* Parses one maps-format header line at p into a new region and sets *eol_out
 * to its newline (or the end). The fields stop at any byte they do not
 * expect, a newline included, so they are parsed against the buffer's end
 * and only a name is searched for its newline: most mappings have none.
 * Returns NULL on success or a description of what is wrong. */
static const char *parse_header(VmsSpace *space, const char *p, const char *limit,
                                const char **eol_out) {
  const char *eol = limit;
  *eol_out = limit;
  uint64_t start, end, offset, major, minor, inode;
  if (!parse_hex(&p, eol, &start) || !expect(&p, eol, '-') || !parse_hex(&p, eol, &end))
    return "bad address range";
  if (end <= start)
    return "range ends before it starts";
  if (space->n_regions && start < space->regions[space->n_regions - 1].end)
    return "range overlaps or precedes the previous one";
  if (!expect(&p, eol, ' ') || eol - p < 5)
    return "missing permissions";
  /* Any newline inside the fixed fields fails one of the checks below. */
  uint16_t prot = 0;
  if (p[0] == 'r')
    prot |= VMS_PROT_READ;
  else if (p[0] != '-')
    return "bad permissions";
  if (p[1] == 'w')
    prot |= VMS_PROT_WRITE;
  else if (p[1] != '-')
    return "bad permissions";
  if (p[2] == 'x')
    prot |= VMS_PROT_EXEC;
  else if (p[2] != '-')
    return "bad permissions";
  if (p[3] == 's')
    prot |= VMS_PROT_SHARED;
  else if (p[3] != 'p')
    return "bad permissions";
  p += 4;
  if (!expect(&p, eol, ' ') || !parse_hex(&p, eol, &offset))
    return "bad offset";
  if (!expect(&p, eol, ' ') || !parse_hex(&p, eol, &major) || !expect(&p, eol, ':') ||
      !parse_hex(&p, eol, &minor))
    return "bad device";
  if (!expect(&p, eol, ' ') || !parse_dec(&p, eol, &inode))
    return "bad inode";
  if (p < eol && *p != ' ' && *p != '\n')
    return "junk after the inode";
  while (p < eol && *p == ' ')
    p++;
  if (p < limit && *p != '\n') {
    const char *nl = memchr(p, '\n', (size_t)(limit - p));
    eol = nl ? nl : limit;
  } else {
    eol = p;
  }
  *eol_out = eol;

  VmsRegion *r = vms_space_add_region(space);
  if (!r)
    return out_of_memory;
  r->start = start;
  r->end = end;
  r->offset = offset;
  r->inode = inode;
  r->dev = (uint32_t)((major & 0xfff) << 20 | (minor & 0xfffff));
  r->prot = prot;
  if (inode)
    r->os |= VMS_OS_FILE;
  return vms_maps_store_name(space, r, p, (size_t)(eol - p), true);
}

static void set_fields(VmsSpace *space) {
  space->fields |= VMS_FIELD_OFFSET | VMS_FIELD_DEV_INODE | VMS_FIELD_NAMES;
}

VmsErrorCode vms_maps_parse(const char *buf, size_t len, VmsSpace *space, VmsError *err) {
  const char *p = buf, *end = buf + len;
  while (p < end) {
    const char *eol = p;
    if (*p != '\n') { /* blank lines are skipped */
      const char *why = parse_header(space, p, end, &eol);
      if (why)
        return malformed(err, buf, p, end, why);
    }
    p = eol + 1; /* a last line without a newline is still a line */
  }
  set_fields(space);
  return VMS_OK;
}

/* "Key:   123 kB" -> the counter it feeds, or NULL for keys we do not keep. */
static uint64_t *counter_for(VmsCounters *c, const char *key, size_t n, uint32_t *bit) {
#define KEY(name, field, flag)                             \
  if (n == sizeof name - 1 && memcmp(key, name, n) == 0) { \
    *bit = flag;                                           \
    return &c->field;                                      \
  }
  switch (key[0]) {
  case 'R': KEY("Rss", rss, VMS_CTR_RSS); break;
  case 'P':
    KEY("Pss", pss, VMS_CTR_PSS);
    KEY("Private_Clean", private_clean, VMS_CTR_PRIVATE_CLEAN);
    KEY("Private_Dirty", private_dirty, VMS_CTR_PRIVATE_DIRTY);
    break;
  case 'S':
    KEY("Shared_Clean", shared_clean, VMS_CTR_SHARED_CLEAN);
    KEY("Shared_Dirty", shared_dirty, VMS_CTR_SHARED_DIRTY);
    KEY("Swap", swap, VMS_CTR_SWAP);
    break;
  case 'L': KEY("Locked", locked, VMS_CTR_LOCKED); break;
  default: break;
  }
#undef KEY
  return NULL;
}

/* Parses the "Key: value kB" lines of smaps and smaps_rollup into c. */
static const char *parse_counter_line(VmsCounters *c, const char *p, const char *eol) {
  const char *colon = memchr(p, ':', (size_t)(eol - p));
  if (!colon || colon == p)
    return "expected \"Key: value\"";
  uint32_t bit = 0;
  uint64_t *field = counter_for(c, p, (size_t)(colon - p), &bit);
  if (!field)
    return NULL; /* VmFlags, THPeligible, ... */
  const char *q = colon + 1;
  while (q < eol && *q == ' ')
    q++;
  uint64_t v;
  if (!parse_dec(&q, eol, &v))
    return "bad counter value";
  while (q < eol && *q == ' ')
    q++;
  if (eol - q >= 2 && q[0] == 'k' && q[1] == 'B') {
    /* The kernel never prints this much; a capture may, and a wrapped
     * byte count would pass for a small one. */
    if (v > UINT64_MAX / 1024)
      return "counter too large: its bytes do not fit in 64 bits";
    v *= 1024;
  }
  *field = v;
  c->mask |= bit;
  return NULL;
}

VmsErrorCode vms_smaps_parse(const char *buf, size_t len, VmsSpace *space, VmsError *err) {
  const char *p = buf, *end = buf + len;
  VmsCounters *cur = NULL;
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol)
      eol = end;
    if (eol > p) {
      const char *why;
      unsigned char c0 = (unsigned char)*p;
      /* Headers start with a lower-case hex address, keys with a capital. */
      if ((c0 >= '0' && c0 <= '9') || (c0 >= 'a' && c0 <= 'f')) {
        const char *header_eol;
        why = parse_header(space, p, eol, &header_eol);
        if (!why && vms_space_reserve_counters(space, space->n_regions) != VMS_OK)
          why = out_of_memory;
        if (!why) {
          cur = &space->counters[space->n_regions - 1];
          memset(cur, 0, sizeof *cur);
        }
      } else if (!cur) {
        why = "counter line before the first mapping";
      } else {
        why = parse_counter_line(cur, p, eol);
      }
      if (why)
        return malformed(err, buf, p, end, why);
    }
    p = eol + 1;
  }
  set_fields(space);
  space->fields |= VMS_FIELD_COUNTERS;
  return VMS_OK;
}

VmsErrorCode vms_smaps_rollup_parse(const char *buf, size_t len, VmsSpace *space, VmsError *err) {
  const char *p = buf, *end = buf + len;
  VmsCounters c = {0};
  bool header = false;
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol)
      eol = end;
    if (eol > p) {
      unsigned char c0 = (unsigned char)*p;
      if (!header && ((c0 >= '0' && c0 <= '9') || (c0 >= 'a' && c0 <= 'f'))) {
        header = true; /* "00400000-7ffe... ---p 00000000 00:00 0 [rollup]" */
      } else {
        const char *why = parse_counter_line(&c, p, eol);
        if (why)
          return malformed(err, buf, p, end, why);
      }
    }
    p = eol + 1;
  }
  if (!c.mask)
    return vms_error_set(err, VMS_ERR_PARSE, "smaps_rollup has no counters");
  space->rollup = c;
  space->fields |= VMS_FIELD_ROLLUP;
  return VMS_OK;
}
