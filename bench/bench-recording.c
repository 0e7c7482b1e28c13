/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-recording: what recording costs against plain refreshes, how big frames are, how fast any
 * frame comes back.
 *
 * usage: bench-recording [MAPPINGS [FRAMES [HISTORY]]]   (default 65000, 10000 and 7200)
 *
 * Forks a target with MAPPINGS one-page mappings (as bench-refresh does) and
 * measures in the same run:
 *   - CPU of 64 refreshes (read + build) against 64 refreshes each appended
 *     to a recording (one key frame among them, as at 1 Hz)
 *   - the bytes of a frame with no change, and of one where 1% of the
 *     regions changed (protections flipped, new names), per changed region
 *   - a FRAMES-frame recording synthesised from the real snapshot (1% of the
 *     regions changed per frame): the time to open it and walk its
 *     timeline, the time to rebuild frames (random ones and the farthest
 *     from their key frame), and the memory the open recording holds
 *     against one snapshot's.
 *   - a live view's history (vms-history.c, the window's default bounds)
 *     taking HISTORY such frames: what it holds after 60, 600, 3,600 and
 *     HISTORY frames (encoded bytes, everything it holds, and the heap it
 *     grew by, measured apart), and the CPU of an append.
 * Thread CPU time unless it says wall; it prints figures and never fails on time. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-target.h"
#include "vms-history.h"
#include "vms-recording.h"

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t heap_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static VmsSnapshot *refresh(VmsTarget *target, VmsSpace *space) {
  VmsError err;
  VmsSnapshot *snap = NULL;
  if (vms_target_read(target, VMS_READ_REGIONS | VMS_READ_THREADS, space, &err) != VMS_OK ||
      vms_snapshot_build(space, &snap, &err) != VMS_OK) {
    fprintf(stderr, "refresh: %s\n", err.message);
    exit(1);
  }
  return snap;
}

/* A copy of snap whose arrays are this benchmark's to change. */
static VmsSnapshot *copy_snapshot(const VmsSnapshot *s) {
  VmsSnapshot *c = vms_snapshot_new();
  VmsRegion *r = malloc(s->n_regions * sizeof *r);
  char *names = malloc(s->names.len ? s->names.len : 1);
  memcpy(r, s->regions, s->n_regions * sizeof *r);
  if (s->names.len)
    memcpy(names, s->names.data, s->names.len);
  else
    names[0] = '\0';
  c->pid = s->pid;
  memcpy(c->name, s->name, sizeof c->name);
  c->bits = s->bits;
  c->start_time = s->start_time;
  c->usable_lo = s->usable_lo;
  c->usable_hi = s->usable_hi;
  c->page_size = s->page_size;
  c->alloc_granularity = s->alloc_granularity;
  c->fields = s->fields;
  c->taken_at = s->taken_at;
  c->read_seconds = s->read_seconds;
  c->regions = r;
  c->n_regions = s->n_regions;
  c->names.data = names;
  c->names.len = c->names.cap = s->names.len ? s->names.len : 1;
  c->n_threads = s->n_threads;
  c->n_stacks_found = s->n_stacks_found;
  c->stats = s->stats;
  return c;
}

/* Frame k of the synthetic recording is the snapshot with the write bit of
 * every committed region i (i % 100 == j % 100) flipped for each j <= k:
 * each frame changes 1% of the regions, and the statistics stay put. */
static void toggle_set(VmsSnapshot *s, long k) {
  VmsRegion *r = (VmsRegion *)s->regions;
  for (size_t i = (size_t)(k % 100); i < s->n_regions; i += 100)
    if (r[i].state == VMS_STATE_COMMITTED && r[i].type != VMS_TYPE_FREE)
      r[i].prot ^= VMS_PROT_WRITE;
}

static size_t changed_in_set(const VmsSnapshot *s, long k) {
  size_t n = 0;
  for (size_t i = (size_t)(k % 100); i < s->n_regions; i += 100)
    n += s->regions[i].state == VMS_STATE_COMMITTED && s->regions[i].type != VMS_TYPE_FREE;
  return n;
}

int main(int argc, char **argv) {
  long mappings = argc > 1 ? atol(argv[1]) : 65000;
  long frames = argc > 2 ? atol(argv[2]) : 10000;
  FILE *mmc = fopen("/proc/sys/vm/max_map_count", "r");
  long max_map = 65530;
  if (mmc) {
    if (fscanf(mmc, "%ld", &max_map) != 1)
      max_map = 65530;
    fclose(mmc);
  }
  if (mappings > max_map - 200)
    mappings = max_map - 200;
  Target t;
  if (!target_start(mappings, &t)) {
    fprintf(stderr, "cannot start a target with %ld mappings\n", mappings);
    return 1;
  }
  VmsTarget *target;
  VmsError err;
  if (vms_target_open(t.pid, &target, &err) != VMS_OK) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  VmsSpace space;
  vms_space_init(&space);

  /* 1. CPU: refreshes alone against refreshes that are also recorded. */
  enum { ROUNDS = 64 };
  double plain = 0, recorded = 0, append_only = 0;
  FILE *sink = tmpfile();
  VmsRecordingWriter *w;
  vms_recording_writer_new(sink, &w, &err);
  vms_snapshot_unref(refresh(target, &space)); /* warm-up */
  size_t nochange = 0;
  for (int i = 0; i < ROUNDS; i++) {
    double t0 = cpu_now();
    VmsSnapshot *a = refresh(target, &space);
    double t1 = cpu_now();
    vms_snapshot_unref(a);
    double t2 = cpu_now();
    VmsSnapshot *b = refresh(target, &space);
    double t3 = cpu_now();
    vms_recording_writer_append(w, b, 0, &err);
    double t4 = cpu_now();
    vms_snapshot_unref(b);
    plain += t1 - t0;
    recorded += t4 - t2;
    append_only += t4 - t3;
    bool key;
    size_t sz = vms_recording_writer_last_size(w, &key);
    if (!key)
      nochange = sz;
  }
  vms_recording_writer_free(w);
  fclose(sink);
  VmsSnapshot *real = refresh(target, &space);
  printf("target: %zu regions (%ld mappings)\n", real->n_regions, mappings);
  printf("refresh: %.2f ms; refresh + append to a recording: %.2f ms (append %.2f ms, one key "
         "frame in %d): ratio %.3fx\n",
         plain / ROUNDS * 1e3, recorded / ROUNDS * 1e3, append_only / ROUNDS * 1e3, ROUNDS,
         recorded / plain);
  printf("frame with no change: %zu bytes\n", nochange);

  /* 2. A frame where 1% of the regions changed. */
  VmsSnapshot *s0 = copy_snapshot(real), *s1 = copy_snapshot(real);
  sink = tmpfile();
  vms_recording_writer_new(sink, &w, &err);
  vms_recording_writer_append(w, s0, 0, &err);
  toggle_set(s1, 1);
  s1->taken_at += 1;
  vms_recording_writer_append(w, s1, 0, &err);
  size_t changed = changed_in_set(s1, 1);
  bool key;
  size_t sz = vms_recording_writer_last_size(w, &key);
  printf(
      "frame with 1%% changed: %zu regions changed, %zu bytes, %.1f bytes per changed region%s\n",
      changed, sz, (double)sz / (double)changed, key ? " (a key frame)" : "");
  vms_recording_writer_free(w);
  fclose(sink);
  vms_snapshot_unref(s0);
  vms_snapshot_unref(s1);

  /* 3. A long recording, synthesised. */
  char path[] = "/tmp/bench-recording-XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fdopen(fd, "wb");
  VmsSnapshot *s[2] = {copy_snapshot(real), copy_snapshot(real)};
  vms_recording_writer_new(f, &w, &err);
  double wt0 = wall_now();
  for (long k = 0; k < frames; k++) {
    VmsSnapshot *cur = s[k % 2];
    /* s[k % 2] holds frame k - 2: two more sets make it frame k. */
    if (k >= 1)
      toggle_set(cur, k - 1);
    if (k >= 1)
      toggle_set(cur, k);
    cur->taken_at = real->taken_at + (double)k;
    if (vms_recording_writer_append(w, cur, 0, &err) != VMS_OK) {
      fprintf(stderr, "writing: %s\n", err.message);
      return 1;
    }
  }
  vms_recording_writer_finish(w, &err);
  vms_recording_writer_free(w);
  fclose(f);
  double write_wall = wall_now() - wt0;
  vms_snapshot_unref(s[0]);
  vms_snapshot_unref(s[1]);

  size_t snap_bytes = heap_in_use();
  VmsSnapshot *probe = copy_snapshot(real);
  snap_bytes = heap_in_use() - snap_bytes;
  vms_snapshot_unref(probe);

  size_t base = heap_in_use();
  double ot0 = wall_now(), oc0 = cpu_now();
  f = fopen(path, "rb");
  VmsRecording *rec;
  if (vms_recording_open_file(f, &rec, &err) != VMS_OK) {
    fprintf(stderr, "open: %s\n", err.message);
    return 1;
  }
  FILE *null = fopen("/dev/null", "w");
  uint64_t sum = 0;
  for (size_t k = 0; k < vms_recording_count(rec); k++) {
    const VmsFrameInfo *fi = vms_recording_info(rec, k);
    fprintf(null, "%u %.3f %" PRIu64 " %" PRIu64 "\n", fi->index, fi->time,
            fi->fig[VMS_FIG_FREE_LARGEST], fi->fig[VMS_FIG_COMMITTED]);
    sum += fi->size;
  }
  fclose(null);
  double open_wall = wall_now() - ot0, open_cpu = cpu_now() - oc0;
  size_t held_open = heap_in_use() - base;
  size_t index_bytes = vms_recording_count(rec) * sizeof(VmsFrameInfo);
  printf("recording of %zu frames: %.1f MiB (%.0f bytes per frame), written in %.1f s wall\n",
         vms_recording_count(rec), (double)sum / 1048576.0, (double)sum / (double)frames,
         write_wall);
  printf("open + timeline: %.3f s wall, %.3f s CPU; held: %.2f MiB = the index (%.2f MiB of "
         "timeline figures) + %.2f MiB; one snapshot: %.2f MiB\n",
         open_wall, open_cpu, held_open / 1048576.0, index_bytes / 1048576.0,
         ((double)held_open - (double)index_bytes) / 1048576.0, snap_bytes / 1048576.0);

  enum { PICKS = 40 };
  double times[PICKS], worst = 0;
  size_t worst_k = 0, peak_extra = 0;
  uint64_t rng = 0x9e3779b97f4a7c15ULL;
  size_t n = vms_recording_count(rec);
  for (int i = 0; i < PICKS; i++) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    size_t k = i == 0 ? n - 1 : (size_t)(rng % n);
    /* Every other pick is the farthest frame from its key frame. */
    if (i % 2) {
      size_t kk = vms_recording_info(rec, k)->key, j = kk;
      while (j + 1 < n && vms_recording_info(rec, j + 1)->key == kk)
        j++;
      k = j;
    }
    double c0 = wall_now();
    VmsSnapshot *snap = NULL;
    if (vms_recording_frame(rec, k, &snap, &err) != VMS_OK) {
      fprintf(stderr, "frame %zu: %s\n", k, err.message);
      return 1;
    }
    times[i] = wall_now() - c0;
    size_t extra = heap_in_use() - base - held_open;
    if (extra > peak_extra)
      peak_extra = extra;
    if (times[i] > worst) {
      worst = times[i];
      worst_k = k;
    }
    vms_snapshot_unref(snap);
  }
  qsort(times, PICKS, sizeof *times, cmp_double);
  printf("rebuild a frame: median %.1f ms, worst %.1f ms (frame %zu, %zu after its key frame) "
         "wall; held with the rebuilt snapshot: index + %.2f MiB (%.2fx one snapshot)\n",
         times[PICKS / 2] * 1e3, worst * 1e3, worst_k,
         worst_k - vms_recording_info(rec, worst_k)->key, peak_extra / 1048576.0,
         (double)peak_extra / (double)snap_bytes);
  vms_recording_close(rec);
  fclose(f);
  unlink(path);

  /* 4. A live view's history of the same frames, under the window's bounds. */
  long hist_frames = argc > 3 ? atol(argv[3]) : 7200;
  VmsSnapshot *hs[2] = {copy_snapshot(real), copy_snapshot(real)};
  size_t heap0 = heap_in_use();
  VmsHistory *hist = NULL;
  if (vms_history_new(VMS_HISTORY_MAX_BYTES, VMS_HISTORY_MAX_FRAMES, &hist, &err) != VMS_OK) {
    fprintf(stderr, "history: %s\n", err.message);
    return 1;
  }
  printf("history bounds: %zu frames, %.0f MiB in all\n", vms_history_max_frames(hist),
         vms_history_max_bytes(hist) / 1048576.0);
  double append_cpu = 0;
  long checkpoints[] = {60, 600, 3600, hist_frames};
  size_t next_cp = 0;
  for (long k = 0; k < hist_frames; k++) {
    VmsSnapshot *cur = hs[k % 2];
    if (k >= 1)
      toggle_set(cur, k - 1);
    if (k >= 1)
      toggle_set(cur, k);
    cur->taken_at = real->taken_at + (double)k;
    double c0 = cpu_now();
    if (vms_history_append(hist, cur, 0, NULL, &err) != VMS_OK) {
      fprintf(stderr, "history append: %s\n", err.message);
      return 1;
    }
    append_cpu += cpu_now() - c0;
    while (next_cp < sizeof checkpoints / sizeof *checkpoints && k + 1 == checkpoints[next_cp]) {
      size_t held = vms_history_held(hist), grew = heap_in_use() - heap0;
      printf("history after %ld frames: %zu held (%" PRIu64 " dropped), %.2f MiB encoded "
             "(%.0f bytes per frame), %.2f MiB held in all, heap grew %.2f MiB (%.2fx one "
             "snapshot)\n",
             k + 1, vms_history_count(hist), vms_history_dropped(hist),
             vms_history_bytes(hist) / 1048576.0,
             (double)vms_history_bytes(hist) / (double)vms_history_count(hist), held / 1048576.0,
             grew / 1048576.0, (double)grew / (double)snap_bytes);
      next_cp++;
    }
  }
  printf("history append: %.2f ms CPU per frame (the encoding, the copy and the trims)\n",
         append_cpu / (double)hist_frames * 1e3);
  vms_history_free(hist);
  vms_snapshot_unref(hs[0]);
  vms_snapshot_unref(hs[1]);
  vms_snapshot_unref(real);
  vms_space_clear(&space);
  vms_target_close(target);
  target_stop(&t);
  return 0;
}
