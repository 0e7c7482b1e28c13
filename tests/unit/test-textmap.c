/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-textmap.c: the terminal map read back cell by cell against the regions.
 *
 * Each linear cell's letter must be the one an independent scan of the
 * snapshot's regions gives for the cell's bytes (the most important type,
 * committed over reserved); in the compressed layout every run of '/' must be
 * a free run of 64 MiB or more, and every such run must be shown. */
#include <inttypes.h>

#include "vms-test-data.h"
#include "vms-textmap.h"

/* The importance order, written out again: stack, heap, image, private,
 * shareable, mapped, system, unusable, free. */
static int rank_of(const VmsRegion *r) {
  static const VmsRegionType order[] = {VMS_TYPE_FREE,   VMS_TYPE_UNUSABLE,  VMS_TYPE_SYSTEM,
                                        VMS_TYPE_MAPPED, VMS_TYPE_SHAREABLE, VMS_TYPE_PRIVATE,
                                        VMS_TYPE_IMAGE,  VMS_TYPE_HEAP,      VMS_TYPE_STACK};
  for (int i = 0; i < 9; i++)
    if (order[i] == r->type)
      return i * 2 + (r->state != VMS_STATE_RESERVED);
  return -1;
}

static char expected(const VmsSnapshot *s, uint64_t a, uint64_t b) {
  const VmsRegion *best = NULL;
  for (size_t i = 0; i < s->n_regions; i++) {
    const VmsRegion *r = &s->regions[i];
    if (r->end > a && r->start < b && (!best || rank_of(r) > rank_of(best)))
      best = r;
  }
  return best ? vms_textmap_letter(best->type, best->state) : ' ';
}

static char *render(const VmsSnapshot *s, const VmsTextMapOptions *o, size_t *len) {
  FILE *f = tmpfile();
  VMS_CHECK(f != NULL);
  if (!f)
    exit(1);
  VmsError err = {0};
  VMS_CHECK_MSG(vms_textmap_print(f, s, o, &err), "%s", err.message);
  long n = ftell(f);
  rewind(f);
  char *buf = calloc(1, (size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
    exit(1);
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static void check_linear(const char *name, int columns, int rows) {
  VmsSnapshot *s = vms_test_snapshot(name);
  VmsTextMapOptions o = {.columns = columns, .rows = rows};
  size_t len;
  char *text = render(s, &o, &len);
  uint64_t bpc = 0;
  const char *p = strstr(text, "1 cell = ");
  p = p ? strchr(p, '(') : NULL;
  VMS_CHECK(p && sscanf(p, "(%" SCNu64 " bytes)", &bpc) == 1 && bpc > 0);
  size_t cells = 0, wrong = 0, lines = 0;
  uint64_t next = s->usable_lo;
  const char *line = strchr(text, '\n') + 1;
  while (*line == '0') {
    uint64_t row_start;
    int off = 0;
    if (sscanf(line, "%" SCNx64 " %n", &row_start, &off) != 1 || off == 0)
      break;
    /* Rows follow each other without a hole in the linear layout. */
    VMS_CHECK_U64(row_start, next);
    const char *c = line + off;
    uint64_t a = row_start;
    for (; *c && *c != '\n'; c++, a += bpc) {
      uint64_t b = a + bpc > s->usable_hi ? s->usable_hi : a + bpc;
      char want = expected(s, a, b);
      cells++;
      if (*c != want && wrong++ < 5)
        fprintf(stderr, "%s: cell at 0x%" PRIx64 " is '%c', the regions say '%c'\n", name, a, *c,
                want);
    }
    VMS_CHECK_MSG(c - (line + off) <= columns - off, "row longer than the terminal");
    next = a;
    lines++;
    line = *c ? c + 1 : c;
  }
  VMS_CHECK_MSG(wrong == 0, "%s: %zu of %zu cells differ", name, wrong, cells);
  VMS_CHECK_MSG(next >= s->usable_hi && next - s->usable_hi < bpc,
                "%s: the cells end at 0x%" PRIx64 ", the space at 0x%" PRIx64, name, next,
                s->usable_hi);
  VMS_CHECK_MSG(lines <= (size_t)rows, "%s: %zu rows for %d", name, lines, rows);
  VMS_CHECK(strstr(text, "lower case: reserved") != NULL);
  free(text);
  vms_snapshot_unref(s);
}

/* Free runs of at least 64 MiB inside the usable range. */
static size_t big_free_runs(const VmsSnapshot *s) {
  size_t n = 0;
  uint64_t start = 0, end = 0;
  bool in = false;
  for (size_t i = 0; i <= s->n_regions; i++) {
    const VmsRegion *r = i < s->n_regions ? &s->regions[i] : NULL;
    if (r && (r->start >= s->usable_hi || r->end <= s->usable_lo))
      r = NULL;
    if (r && r->type == VMS_TYPE_FREE && in && r->start == end) {
      end = r->end;
      continue;
    }
    if (in && end - start >= VMS_TEXTMAP_GAP)
      n++;
    in = r && r->type == VMS_TYPE_FREE;
    if (in) {
      start = r->start;
      end = r->end;
    }
  }
  return n;
}

static void check_compressed(const char *name) {
  VmsSnapshot *s = vms_test_snapshot(name);
  VmsTextMapOptions o = {.columns = 120, .rows = 40, .compressed = true};
  size_t len;
  char *text = render(s, &o, &len);
  size_t groups = 0;
  for (const char *c = text; *c; c++)
    if (*c == '/' && c[-1] != '/' && c[1] == '/' && c[2] == '/' && c[3] != '/')
      groups++;
  /* The legend shows one group of its own. */
  VMS_CHECK_U64(groups, big_free_runs(s) + 1);
  /* Colour changes the bytes, not the cells. */
  o.color = true;
  size_t clen;
  char *colored = render(s, &o, &clen);
  VMS_CHECK(strstr(colored, "\033[38;2;") != NULL);
  char *plain = calloc(1, clen + 1);
  size_t k = 0;
  for (size_t i = 0; i < clen; i++) {
    if (colored[i] == '\033') {
      while (i < clen && colored[i] != 'm')
        i++;
      continue;
    }
    plain[k++] = colored[i];
  }
  VMS_CHECK_STR(plain, text);
  free(plain);
  free(colored);
  free(text);
  vms_snapshot_unref(s);
}

static void check_bad(void) {
  VmsSnapshot *s = vms_test_snapshot("jvm.maps");
  VmsError err = {0};
  FILE *f = tmpfile();
  VmsTextMapOptions narrow = {.columns = 20, .rows = 10};
  VMS_CHECK(!vms_textmap_print(f, s, &narrow, &err) && err.code == VMS_ERR_USAGE);
  VmsTextMapOptions empty = {.start = 0x5000, .end = 0x5000, .columns = 80, .rows = 10};
  VMS_CHECK(!vms_textmap_print(f, s, &empty, &err) && err.code == VMS_ERR_USAGE);
  /* One row: still every byte, in fewer cells. */
  VmsTextMapOptions one = {.columns = 80, .rows = 1};
  VMS_CHECK(vms_textmap_print(f, s, &one, &err));
  fclose(f);
  vms_snapshot_unref(s);
}

int main(int argc, char **argv) {
  if (argc > 1)
    vms_test_data_dir = argv[1];
  check_linear("python-fragmenting.maps", 120, 40);
  check_linear("jvm.maps", 100, 30);
  check_linear("odd-names.maps", 80, 12);
  check_compressed("python-fragmenting.maps");
  check_compressed("jvm.maps");
  check_bad();
  return vms_test_end();
}
