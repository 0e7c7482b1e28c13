/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-recording.c: saved snapshots and recordings give back what was saved, and bad files say so.
 *
 * Every output (regions and summary in table, CSV and JSON, the watch line)
 * of a rebuilt frame is compared byte for byte with the same output of the
 * snapshot that was written; recordings are cut at every byte and have every
 * bit flipped, and must then fail or say they were cut, never pass as whole. */
#include "vms-format.h"
#include "vms-history.h"
#include "vms-recording.h"
#include "vms-test-data.h"

#include <math.h>

/* ---- outputs as strings ---- */

static char *slurp_tmp(FILE *f) {
  long n = ftell(f);
  rewind(f);
  char *b = calloc(1, (size_t)n + 1);
  if (fread(b, 1, (size_t)n, f) != (size_t)n)
    VMS_CHECK(!"short read");
  fclose(f);
  return b;
}

/* Everything the CLI can print about one snapshot, one document after another. */
static char *all_outputs(const VmsSnapshot *s) {
  FILE *f = tmpfile();
  for (int fmt = VMS_FORMAT_TABLE; fmt <= VMS_FORMAT_JSON; fmt++) {
    VmsFitQuery fit = {1 << 20, 0};
    vms_print_summary(f, s, &s->stats, (VmsFormat)fmt, &fit, NULL);
    vms_print_regions(f, s, (VmsFormat)fmt, 0, UINT64_MAX);
    VmsStats st;
    vms_stats_compute(s, s->usable_hi / 4, s->usable_hi / 2, &st);
    vms_print_summary(f, s, &st, (VmsFormat)fmt, NULL, NULL);
    vms_print_watch_line(f, s, (VmsFormat)fmt, true);
  }
  fprintf(f, "serial %llu fields %u start %llu page %llu gran %llu counters_at %.17g\n",
          (unsigned long long)s->serial, s->fields, (unsigned long long)s->start_time,
          (unsigned long long)s->page_size, (unsigned long long)s->alloc_granularity,
          s->counters_at);
  return slurp_tmp(f);
}

static bool same_outputs(const VmsSnapshot *a, const VmsSnapshot *b) {
  char *x = all_outputs(a), *y = all_outputs(b);
  bool same = strcmp(x, y) == 0;
  if (!same) {
    size_t i = 0;
    while (x[i] && x[i] == y[i])
      i++;
    fprintf(stderr, "outputs differ at byte %zu:\n--- written: %.120s\n--- rebuilt: %.120s\n", i,
            x + (i > 40 ? i - 40 : 0), y + (i > 40 ? i - 40 : 0));
  }
  free(x);
  free(y);
  return same;
}

/* ---- synthetic change: a copy of a snapshot with deterministic edits ---- */

static uint64_t rng = 0x243f6a8885a308d3ULL;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* A copy of base with a few regions changed: protections flipped, a free gap
 * split by a new named mapping, a mapping freed, counters nudged. */
static VmsSnapshot *mutate(const VmsSnapshot *base, int step) {
  VmsSnapshot *s = vms_snapshot_new();
  s->pid = base->pid;
  memcpy(s->name, base->name, sizeof s->name);
  memcpy(s->note, base->note, sizeof s->note);
  s->bits = base->bits;
  s->start_time = base->start_time;
  s->usable_lo = base->usable_lo;
  s->usable_hi = base->usable_hi;
  s->page_size = base->page_size;
  s->alloc_granularity = base->alloc_granularity;
  s->fields = base->fields;
  s->counters_at = base->counters_at;
  s->rollup = base->rollup;
  s->n_threads = base->n_threads;
  s->n_stacks_found = base->n_stacks_found;
  VmsRegion *r = malloc((2 * base->n_regions + 1) * sizeof *r);
  VmsCounters *c = base->counters ? malloc((2 * base->n_regions + 1) * sizeof *c) : NULL;
  VmsNamePool pool;
  vms_name_pool_init(&pool);
  size_t n = 0;
  for (size_t i = 0; i < base->n_regions; i++) {
    VmsRegion x = base->regions[i];
    const char *name = vms_snapshot_name_of(base, &base->regions[i]);
    x.name = vms_name_pool_add(&pool, name, strlen(name));
    VmsCounters cx = c ? base->counters[i] : (VmsCounters){0};
    uint64_t roll = next_rand() % 97;
    if (x.state == VMS_STATE_COMMITTED && roll == 0)
      x.prot ^= VMS_PROT_WRITE;
    if (c && roll == 1)
      cx.rss += 4096;
    if (x.type == VMS_TYPE_FREE && x.end - x.start >= 0x4000 && roll == 2 &&
        x.start >= base->usable_lo) {
      /* A new mapping at the start of the gap, with a name never seen. */
      char nm[64];
      snprintf(nm, sizeof nm, "/tmp/new-%d-%zu", step, i);
      VmsRegion m = {.start = x.start,
                     .end = x.start + 0x1000,
                     .prot = VMS_PROT_READ,
                     .os = VMS_OS_FILE,
                     .type = VMS_TYPE_MAPPED,
                     .state = VMS_STATE_COMMITTED,
                     .inode = 1000u + (uint64_t)step,
                     .dev = 0x800001};
      m.name = vms_name_pool_add(&pool, nm, strlen(nm));
      if (c)
        c[n] = (VmsCounters){.rss = 4096, .mask = VMS_CTR_RSS};
      r[n++] = m;
      x.start += 0x1000;
    }
    if (c)
      c[n] = cx;
    r[n++] = x;
  }
  /* Merge free neighbours away again now and then so regions also vanish. */
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (o && r[o - 1].type == VMS_TYPE_MAPPED && r[o - 1].inode >= 1000 &&
        r[i].type == VMS_TYPE_FREE && next_rand() % 3 == 0) {
      r[o - 1] = r[i];
      r[o - 1].start = r[o - 1].start - 0x1000;
      if (c)
        c[o - 1] = c[i];
      continue;
    }
    if (c)
      c[o] = c[i];
    r[o++] = r[i];
  }
  vms_name_pool_seal(&pool);
  s->regions = r;
  s->n_regions = o;
  s->counters = c;
  s->names = pool;
  s->taken_at = base->taken_at + 1.5;
  s->read_seconds = base->read_seconds * 1.01;
  s->serial = base->serial + 1;
  if (step % 7 == 3)
    s->n_threads++;
  if (step % 11 == 5)
    snprintf(s->note, sizeof s->note, "note at step %d", step);
  s->stats.max_map_count = base->stats.max_map_count;
  vms_stats_compute(s, s->usable_lo, s->usable_hi, &s->stats);
  return s;
}

/* ---- writing into memory ---- */

typedef struct {
  uint8_t *data;
  size_t len;
} Bytes;

static Bytes write_frames(VmsSnapshot *const *snaps, size_t n, unsigned key_every, bool exit_frame,
                          bool finish) {
  FILE *f = tmpfile();
  VmsRecordingWriter *w;
  VmsError err = {0};
  VMS_CHECK(vms_recording_writer_new(f, &w, &err) == VMS_OK);
  vms_recording_writer_set_key_interval(w, key_every);
  for (size_t i = 0; i < n; i++)
    VMS_CHECK_MSG(vms_recording_writer_append(w, snaps[i], 0, &err) == VMS_OK, "%s", err.message);
  if (exit_frame)
    VMS_CHECK(vms_recording_writer_append_exit(w, snaps[n - 1]->taken_at + 2, &err) == VMS_OK);
  if (finish)
    VMS_CHECK(vms_recording_writer_finish(w, &err) == VMS_OK);
  vms_recording_writer_free(w);
  Bytes b;
  b.len = (size_t)ftell(f);
  b.data = (uint8_t *)slurp_tmp(f);
  return b;
}

static void test_crc(void) {
  VMS_CHECK_U64(vms_crc32c(0, "123456789", 9), 0xe3069283u);
  /* In pieces, unaligned: the same value. */
  uint32_t c = vms_crc32c(0, "1234", 4);
  VMS_CHECK_U64(vms_crc32c(c, "56789", 5), 0xe3069283u);
  VMS_CHECK_U64(vms_crc32c(0, "", 0), 0);
}

/* A snapshot saved and loaded prints exactly what the live one printed. */
static void test_round_trip(const char *fixture) {
  VmsSnapshot *s = vms_test_snapshot(fixture);
  s->serial = 42;
  s->n_threads = 3;
  s->n_stacks_found = 1;
  snprintf(s->note, sizeof s->note, "counters of 2 threads were not read");
  Bytes b = write_frames(&s, 1, 64, false, true);
  VmsRecording *rec;
  VmsError err = {0};
  VMS_CHECK_MSG(vms_recording_open_buffer(b.data, b.len, &rec, &err) == VMS_OK, "%s: %s", fixture,
                err.message);
  VMS_CHECK_U64(vms_recording_count(rec), 1);
  VMS_CHECK(!vms_recording_truncated(rec));
  VmsSnapshot *back = NULL;
  VMS_CHECK(vms_recording_frame(rec, 0, &back, &err) == VMS_OK);
  if (back) {
    VMS_CHECK_MSG(same_outputs(s, back), "%s", fixture);
    VMS_CHECK(back->taken_at == s->taken_at);
    VMS_CHECK((back->counters != NULL) == (s->counters != NULL));
  }
  uint64_t fig[VMS_FIG_COUNT];
  vms_recording_figures(s, fig);
  VMS_CHECK(memcmp(fig, vms_recording_info(rec, 0)->fig, sizeof fig) == 0);
  vms_snapshot_unref(back);
  vms_recording_close(rec);
  free(b.data);
  vms_snapshot_unref(s);
}

/* Many frames with changes, key frames every few: every frame rebuilds to
 * what was written, through a buffer, a file and a stream. */
static void test_sequence(const char *fixture, unsigned key_every) {
  enum { N = 150 };
  VmsSnapshot *snaps[N];
  snaps[0] = vms_test_snapshot(fixture);
  for (int i = 1; i < N; i++)
    snaps[i] = mutate(snaps[i - 1], i);
  Bytes b = write_frames(snaps, N, key_every, true, true);
  VmsRecording *rec;
  VmsError err = {0};
  VMS_CHECK_MSG(vms_recording_open_buffer(b.data, b.len, &rec, &err) == VMS_OK, "%s", err.message);
  VMS_CHECK_U64(vms_recording_count(rec), N + 1);
  size_t keys = 0;
  for (size_t k = 0; k < vms_recording_count(rec); k++) {
    const VmsFrameInfo *fi = vms_recording_info(rec, k);
    keys += fi->kind == VMS_FRAME_KEY;
    VMS_CHECK(k - fi->key < key_every + 1);
    VmsSnapshot *back = NULL;
    VMS_CHECK_MSG(vms_recording_frame(rec, k, &back, &err) == VMS_OK, "frame %zu: %s", k,
                  err.message);
    const VmsSnapshot *want = snaps[k < N ? k : N - 1];
    if (back && k < N)
      VMS_CHECK_MSG(same_outputs(want, back), "%s frame %zu", fixture, k);
    if (back && k == N) {
      VMS_CHECK(fi->flags & VMS_FRAME_EXITED);
      VMS_CHECK(back->n_regions == want->n_regions);
    }
    vms_snapshot_unref(back);
  }
  VMS_CHECK(keys >= N / key_every);
  VMS_CHECK(vms_recording_frame(rec, N + 1, &(VmsSnapshot *){NULL}, &err) == VMS_ERR_USAGE);
  vms_recording_close(rec);

  /* The same bytes as a file, and as a stream. */
  FILE *f = tmpfile();
  fwrite(b.data, 1, b.len, f);
  fflush(f);
  VMS_CHECK(vms_recording_open_file(f, &rec, &err) == VMS_OK);
  VmsSnapshot *back = NULL;
  VMS_CHECK(vms_recording_frame(rec, N / 2 + 3, &back, &err) == VMS_OK);
  if (back)
    VMS_CHECK(same_outputs(snaps[N / 2 + 3], back));
  vms_snapshot_unref(back);
  vms_recording_close(rec);
  rewind(f);
  VmsRecordingStream *st;
  VMS_CHECK(vms_recording_stream_new(f, &st, &err) == VMS_OK);
  size_t k = 0;
  for (;;) {
    VmsFrameInfo fi;
    VmsSnapshot *s = NULL;
    VmsErrorCode code = vms_recording_stream_next(st, &s, &fi, &err);
    VMS_CHECK_MSG(code == VMS_OK, "stream frame %zu: %s", k, err.message);
    if (!s || code != VMS_OK)
      break;
    if (k < N && k % 10 == 0)
      VMS_CHECK(same_outputs(snaps[k], s));
    VMS_CHECK_U64(fi.index, k);
    vms_snapshot_unref(s);
    k++;
  }
  VMS_CHECK_U64(k, N + 1);
  VMS_CHECK(!vms_recording_stream_truncated(st));
  vms_recording_stream_free(st);
  fclose(f);
  free(b.data);
  for (int i = 0; i < N; i++)
    vms_snapshot_unref(snaps[i]);
}

/* Offsets where each frame ends, from the index of the whole file. */
static size_t frame_ends(const Bytes *b, size_t *ends, size_t max) {
  VmsRecording *rec;
  VmsError err = {0};
  if (vms_recording_open_buffer(b->data, b->len, &rec, &err) != VMS_OK)
    return 0;
  size_t n = vms_recording_count(rec);
  for (size_t k = 0; k < n && k < max; k++) {
    const VmsFrameInfo *fi = vms_recording_info(rec, k);
    ends[k] = (size_t)(fi->offset + fi->size);
  }
  vms_recording_close(rec);
  return n;
}

/* Cut after every byte: the frames wholly before the cut open, and the
 * recording says it was cut; before the first frame it does not open. */
static void test_truncation(void) {
  VmsSnapshot *snaps[4];
  snaps[0] = vms_test_snapshot("odd-names.maps");
  for (int i = 1; i < 4; i++)
    snaps[i] = mutate(snaps[i - 1], i);
  Bytes b = write_frames(snaps, 4, 2, false, true);
  size_t ends[8];
  size_t n = frame_ends(&b, ends, 8);
  VMS_CHECK_U64(n, 4);
  int wrong = 0;
  for (size_t cut = 0; cut <= b.len; cut++) {
    uint8_t *exact = malloc(cut ? cut : 1);
    memcpy(exact, b.data, cut);
    VmsRecording *rec = NULL;
    VmsError err = {0};
    VmsErrorCode code = vms_recording_open_buffer(exact, cut, &rec, &err);
    size_t whole = 0;
    while (whole < n && ends[whole] <= cut)
      whole++;
    if (whole == 0) {
      if (code != VMS_ERR_PARSE || !err.message[0])
        wrong++;
    } else if (code != VMS_OK || vms_recording_count(rec) != whole ||
               vms_recording_truncated(rec) != (cut != b.len)) {
      wrong++;
    } else {
      VmsSnapshot *s = NULL;
      if (vms_recording_frame(rec, whole - 1, &s, &err) != VMS_OK ||
          !same_outputs(snaps[whole - 1], s))
        wrong++;
      vms_snapshot_unref(s);
    }
    vms_recording_close(rec);
    free(exact);
  }
  VMS_CHECK_MSG(wrong == 0, "%d of %zu cuts opened wrongly", wrong, b.len + 1);
  free(b.data);
  for (int i = 0; i < 4; i++)
    vms_snapshot_unref(snaps[i]);
}

/* Every bit flipped in turn: the file fails to open, or opens as cut short;
 * never as a whole recording. */
static void test_bit_flips(void) {
  VmsSnapshot *snaps[3];
  snaps[0] = vms_test_snapshot("odd-names.maps");
  for (int i = 1; i < 3; i++)
    snaps[i] = mutate(snaps[i - 1], i);
  Bytes b = write_frames(snaps, 3, 64, false, true);
  int whole = 0, refused = 0, cut = 0;
  for (size_t i = 0; i < b.len; i++) {
    for (int bit = 0; bit < 8; bit++) {
      b.data[i] ^= (uint8_t)(1u << bit);
      VmsRecording *rec = NULL;
      VmsError err = {0};
      VmsErrorCode code = vms_recording_open_buffer(b.data, b.len, &rec, &err);
      if (code == VMS_OK && !vms_recording_truncated(rec))
        whole++;
      else if (code == VMS_OK)
        cut++;
      else if ((code == VMS_ERR_PARSE || code == VMS_ERR_UNSUPPORTED) && err.message[0])
        refused++;
      vms_recording_close(rec);
      b.data[i] ^= (uint8_t)(1u << bit);
    }
  }
  VMS_CHECK_MSG(whole == 0, "%d of %zu flipped bits passed as a whole recording", whole, b.len * 8);
  VMS_CHECK_U64(refused + cut, b.len * 8);
  free(b.data);
  for (int i = 0; i < 3; i++)
    vms_snapshot_unref(snaps[i]);
}

static void test_bad_headers(void) {
  VmsRecording *rec;
  VmsError err = {0};
  VMS_CHECK(vms_recording_open_buffer("", 0, &rec, &err) == VMS_ERR_PARSE);
  VMS_CHECK(strstr(err.message, "empty") != NULL);
  static const uint8_t png[16] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
  VMS_CHECK(vms_recording_open_buffer(png, sizeof png, &rec, &err) == VMS_ERR_PARSE);
  VMS_CHECK(strstr(err.message, "PNG") != NULL);
  VMS_CHECK(vms_recording_open_buffer("00400000-00401000 r-xp 0 08:01 1 /bin/x\n", 40, &rec,
                                      &err) == VMS_ERR_PARSE);
  VMS_CHECK(strstr(err.message, "--maps-file") != NULL);
  /* A newer major version, with a valid header checksum. */
  VmsSnapshot *s = vms_test_snapshot("jvm.maps");
  Bytes b = write_frames(&s, 1, 64, false, true);
  b.data[8] = 2;
  uint32_t crc = vms_crc32c(0, b.data, 12);
  for (int i = 0; i < 4; i++)
    b.data[12 + i] = (uint8_t)(crc >> (8 * i));
  VMS_CHECK(vms_recording_open_buffer(b.data, b.len, &rec, &err) == VMS_ERR_UNSUPPORTED);
  VMS_CHECK(strstr(err.message, "newer") != NULL);
  /* A newer minor version opens. */
  b.data[8] = 1;
  b.data[10] = 7;
  crc = vms_crc32c(0, b.data, 12);
  for (int i = 0; i < 4; i++)
    b.data[12 + i] = (uint8_t)(crc >> (8 * i));
  VMS_CHECK(vms_recording_open_buffer(b.data, b.len, &rec, &err) == VMS_OK);
  if (rec)
    VMS_CHECK_U64(vms_recording_minor(rec), 7);
  vms_recording_close(rec);
  free(b.data);
  vms_snapshot_unref(s);
}

/* A frame time that no clock gives (a flipped bit under a good checksum) is
 * damage: the reader refuses the file, as for any damaged frame, and the writer never writes one.
 */
static void test_bad_time(void) {
  VmsSnapshot *s = vms_test_snapshot("jvm.maps");
  VmsSnapshot *t = mutate(s, 1);
  VmsSnapshot *both[2] = {s, t};
  Bytes b = write_frames(both, 2, 64, false, true);
  size_t ends[4];
  VMS_CHECK_U64(frame_ends(&b, ends, 4), 2);
  /* The second frame's header starts where the first frame ends; its time is
   * at offset 20, its checksum at 28 over the header's first 28 bytes and the
   * payload. */
  uint8_t *h = b.data + ends[0];
  uint32_t len = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
  const double when = -3.25762e19;
  uint64_t bits;
  memcpy(&bits, &when, sizeof bits);
  for (int i = 0; i < 8; i++)
    h[20 + i] = (uint8_t)(bits >> (8 * i));
  uint32_t crc = vms_crc32c(vms_crc32c(0, h, 28), h + 32, len);
  for (int i = 0; i < 4; i++)
    h[28 + i] = (uint8_t)(crc >> (8 * i));
  VmsRecording *rec = NULL;
  VmsError err = {0};
  VMS_CHECK(vms_recording_open_buffer(b.data, b.len, &rec, &err) == VMS_ERR_PARSE);
  VMS_CHECK_MSG(strstr(err.message, "frame 1 has an impossible time") != NULL, "%s", err.message);
  free(b.data);

  FILE *f = tmpfile();
  VmsRecordingWriter *w;
  VMS_CHECK(vms_recording_writer_new(f, &w, &err) == VMS_OK);
  t->taken_at = NAN;
  VMS_CHECK(vms_recording_writer_append(w, t, 0, &err) == VMS_ERR_INTERNAL);
  VMS_CHECK(strstr(err.message, "impossible time") != NULL);
  vms_recording_writer_free(w);
  fclose(f);
  vms_snapshot_unref(t);
  vms_snapshot_unref(s);
}

/* A write that fails (a full disk) leaves what opens up to the last frame. */
static void test_write_failure(void) {
  FILE *f = fopen("/dev/full", "wb");
  if (!f)
    return; /* not on this system */
  VmsSnapshot *s = vms_test_snapshot("jvm.maps");
  VmsRecordingWriter *w;
  VmsError err = {0};
  vms_recording_writer_new(f, &w, &err);
  VMS_CHECK(vms_recording_writer_append(w, s, 0, &err) == VMS_ERR_IO);
  VMS_CHECK(strstr(err.message, "writing frame 0 failed") != NULL);
  VMS_CHECK(vms_recording_writer_append(w, s, 0, &err) == VMS_ERR_IO);
  vms_recording_writer_free(w);
  fclose(f);
  vms_snapshot_unref(s);
}

/* A live view's history: every frame held rebuilds to what was appended, the
 * bounds drop the oldest key frame's run, and the saved history reads back
 * as a recording with the same frames, numbered from 0. */
static void test_history(const char *fixture) {
  VmsSnapshot *base = vms_test_snapshot(fixture);
  enum { N = 150 };
  VmsSnapshot *snaps[N];
  for (int i = 0; i < N; i++) {
    snaps[i] = mutate(base, i);
    snaps[i]->taken_at = 1000 + i;
  }
  VmsHistory *h = NULL;
  VmsError err = {0};
  VMS_CHECK(vms_history_new(SIZE_MAX, 100, &h, &err) == VMS_OK);
  VMS_CHECK(vms_history_recording(h) == NULL);
  size_t dropped_total = 0;
  for (int i = 0; i < N; i++) {
    size_t d = 99;
    VMS_CHECK_MSG(vms_history_append(h, snaps[i], 0, &d, &err) == VMS_OK, "%s", err.message);
    dropped_total += d;
    VMS_CHECK(vms_history_count(h) <= 100);
    VMS_CHECK_U64(vms_history_count(h) + dropped_total, (uint64_t)i + 1);
  }
  VMS_CHECK_U64(vms_history_dropped(h), dropped_total);
  VMS_CHECK(dropped_total >= 50);
  VmsRecording *rec = vms_history_recording(h);
  size_t n = vms_recording_count(rec);
  VMS_CHECK_U64(vms_recording_info(rec, 0)->kind, VMS_FRAME_KEY);
  for (size_t k = 0; k < n; k += 7) {
    VmsSnapshot *back = NULL;
    VMS_CHECK_MSG(vms_recording_frame(rec, k, &back, &err) == VMS_OK, "frame %zu: %s", k,
                  err.message);
    if (back)
      VMS_CHECK_MSG(same_outputs(snaps[dropped_total + k], back), "history frame %zu", k);
    VMS_CHECK(vms_recording_info(rec, k)->time == 1000 + (double)(dropped_total + k));
    vms_snapshot_unref(back);
  }
  VMS_CHECK(vms_history_held(h) > vms_history_bytes(h));
  /* A byte budget: at most one run over it, never less than the newest run. */
  VmsHistory *small = NULL;
  VMS_CHECK(vms_history_new(vms_history_bytes(h) / 4, SIZE_MAX, &small, &err) == VMS_OK);
  for (int i = 0; i < N; i++)
    VMS_CHECK(vms_history_append(small, snaps[i], 0, NULL, &err) == VMS_OK);
  VMS_CHECK(vms_history_count(small) < n);
  VMS_CHECK(vms_history_count(small) + vms_history_dropped(small) == N);
  vms_history_free(small);

  /* Saved from a copy, with an exit frame: a recording of n + 1 frames. */
  VMS_CHECK(vms_history_append_exit(h, 2000, NULL, &err) == VMS_OK);
  VMS_CHECK(vms_history_ended(h));
  VMS_CHECK(vms_history_append(h, snaps[0], 0, NULL, &err) != VMS_OK);
  VmsHistory *copy = vms_history_copy(h);
  vms_history_free(h);
  const char *path = "test-history.vmsrec";
  VMS_CHECK_MSG(vms_history_save(copy, path, &err) == VMS_OK, "%s", err.message);
  vms_history_free(copy);
  FILE *f = fopen(path, "rb");
  VmsRecording *back_rec = NULL;
  VMS_CHECK_MSG(vms_recording_open_file(f, &back_rec, &err) == VMS_OK, "%s", err.message);
  if (back_rec) {
    VMS_CHECK_U64(vms_recording_count(back_rec), n + 1);
    VMS_CHECK(!vms_recording_truncated(back_rec));
    VMS_CHECK(vms_recording_info(back_rec, n)->flags & VMS_FRAME_EXITED);
    VmsSnapshot *back = NULL;
    VMS_CHECK(vms_recording_frame(back_rec, n - 1, &back, &err) == VMS_OK);
    if (back)
      VMS_CHECK(same_outputs(snaps[N - 1], back));
    vms_snapshot_unref(back);
    vms_recording_close(back_rec);
  }
  if (f)
    fclose(f);
  remove(path);
  for (int i = 0; i < N; i++)
    vms_snapshot_unref(snaps[i]);
  vms_snapshot_unref(base);
}

int main(int argc, char **argv) {
  if (argc > 1)
    vms_test_data_dir = argv[1];
  test_crc();
  test_round_trip("jvm.maps");
  test_round_trip("python-fragmenting.smaps");
  test_round_trip("odd-names.maps");
  test_sequence("python-fragmenting.smaps", 64);
  test_sequence("jvm.maps", 5);
  test_sequence("odd-names.maps", 1);
  test_truncation();
  test_bit_flips();
  test_bad_headers();
  test_bad_time();
  test_write_failure();
  test_history("python-fragmenting.smaps");
  return vms_test_end();
}
