/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-history.c: a live view's bounded history of frames, kept in the recording encoding.
 *
 * The frames sit in one buffer exactly as a recording file holds them after
 * its header, numbered as the encoder numbered them; the index (a
 * VmsRecording over the buffer) is kept frame by frame, never rescanned.
 * Dropping the oldest run moves the buffer down and counts its frames into
 * the recording's base, so no frame is rewritten while held; a save
 * numbers them from 0 again, with their checksums, as it writes. */
#include "vms-history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vms-recording-private.h"

struct VmsHistory {
  VmsRecordingWriter *w; /* NULL in a copy */
  VmsRecording rec;      /* data is bytes */
  uint8_t *bytes;
  size_t len, cap;
  size_t max_bytes, max_frames;
  uint64_t dropped;
  bool ended;
};

VmsErrorCode vms_history_new(size_t max_bytes, size_t max_frames, VmsHistory **out, VmsError *err) {
  *out = calloc(1, sizeof **out);
  if (!*out)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  VmsErrorCode code = vms_recording_writer_new(NULL, &(*out)->w, err);
  if (code != VMS_OK) {
    free(*out);
    *out = NULL;
    return code;
  }
  (*out)->max_bytes = max_bytes;
  (*out)->max_frames = max_frames ? max_frames : 1;
  return VMS_OK;
}

void vms_history_free(VmsHistory *h) {
  if (!h)
    return;
  vms_recording_writer_free(h->w);
  free(h->rec.frames);
  free(h->bytes);
  free(h);
}

/* What h holds besides its frames' bytes: the index and the encoder. */
static size_t overhead(const VmsHistory *h) {
  return sizeof *h + h->rec.cap * sizeof *h->rec.frames +
         (h->w ? vms_recording_writer_held(h->w) : 0);
}

/* The room left for the frames' bytes under the byte bound. */
static size_t room(const VmsHistory *h) {
  size_t o = overhead(h);
  return h->max_bytes > o ? h->max_bytes - o : 0;
}

/* Drops the oldest run of frames up to the next key frame while a bound is
 * passed (the bytes bound counts everything held); the newest run always
 * stays. */
static size_t trim(VmsHistory *h) {
  size_t total = 0;
  VmsRecording *r = &h->rec;
  while (r->n > 1 && (h->len > room(h) || r->n > h->max_frames)) {
    size_t k = 1;
    while (k < r->n && r->frames[k].kind != VMS_FRAME_KEY)
      k++;
    if (k == r->n)
      break;
    uint64_t off = r->frames[k].offset;
    memmove(h->bytes, h->bytes + off, h->len - (size_t)off);
    h->len -= (size_t)off;
    memmove(r->frames, r->frames + k, (r->n - k) * sizeof *r->frames);
    r->n -= k;
    for (size_t i = 0; i < r->n; i++) {
      r->frames[i].offset -= off;
      r->frames[i].index -= (uint32_t)k;
      r->frames[i].key -= (uint32_t)k;
    }
    r->base += (uint32_t)k;
    h->dropped += k;
    total += k;
  }
  r->len = h->len;
  /* A buffer grown past the room while a frame was taken gives it back. */
  size_t want = room(h);
  if (h->cap > want && h->len <= want && want) {
    uint8_t *b = realloc(h->bytes, want);
    if (b) {
      h->bytes = b;
      h->cap = want;
      r->data = b;
    }
  }
  return total;
}

/* Takes the writer's last frame into the buffer and the index. */
static VmsErrorCode take_frame(VmsHistory *h, int pid, const uint64_t fig[VMS_FIG_COUNT],
                               double time, size_t *dropped, VmsError *err) {
  size_t n;
  const uint8_t *p = vms_recording_writer_last_frame(h->w, &n);
  VmsRecording *r = &h->rec;
  if (h->len + n > h->cap) {
    /* An eighth to spare, but never past the room while the frames fit it. */
    size_t need = h->len + n, want = need + need / 8, limit = room(h);
    if (want > limit)
      want = need > limit ? need : limit;
    uint8_t *b = realloc(h->bytes, want);
    if (!b)
      return vms_error_set(err, VMS_ERR_NOMEM, "out of memory keeping the history");
    h->bytes = b;
    h->cap = want;
  }
  if (r->n == r->cap) {
    size_t want = r->cap ? r->cap * 2 : 64;
    VmsFrameInfo *f = realloc(r->frames, want * sizeof *f);
    if (!f)
      return vms_error_set(err, VMS_ERR_NOMEM, "out of memory keeping the history");
    r->frames = f;
    r->cap = want;
  }
  VmsFrameInfo *fi = &r->frames[r->n];
  memset(fi, 0, sizeof *fi);
  uint32_t key_abs =
      (uint32_t)p[12] | (uint32_t)p[13] << 8 | (uint32_t)p[14] << 16 | (uint32_t)p[15] << 24;
  fi->index = (uint32_t)r->n;
  fi->key = key_abs - r->base;
  fi->kind = p[16];
  fi->flags = p[17];
  fi->time = time;
  fi->offset = h->len;
  fi->size = n;
  fi->pid = pid;
  memcpy(fi->fig, fig, sizeof fi->fig);
  memcpy(h->bytes + h->len, p, n);
  h->len += n;
  r->n++;
  r->data = h->bytes;
  size_t d = trim(h);
  if (dropped)
    *dropped = d;
  return VMS_OK;
}

VmsErrorCode vms_history_append(VmsHistory *h, const VmsSnapshot *snap, unsigned flags,
                                size_t *dropped, VmsError *err) {
  if (dropped)
    *dropped = 0;
  if (!h->w || h->ended)
    return vms_error_set(err, VMS_ERR_USAGE, "this history takes no more frames");
  VmsErrorCode code = vms_recording_writer_append(h->w, snap, flags, err);
  if (code != VMS_OK)
    return code;
  uint64_t fig[VMS_FIG_COUNT];
  vms_recording_figures(snap, fig);
  h->ended = (flags & VMS_FRAME_EXITED) != 0;
  return take_frame(h, snap->pid, fig, snap->taken_at, dropped, err);
}

VmsErrorCode vms_history_append_exit(VmsHistory *h, double when, size_t *dropped, VmsError *err) {
  if (dropped)
    *dropped = 0;
  if (!h->w || h->ended || !h->rec.n)
    return vms_error_set(err, VMS_ERR_USAGE, "no frame to end the history after");
  VmsErrorCode code = vms_recording_writer_append_exit(h->w, when, err);
  if (code != VMS_OK)
    return code;
  const VmsFrameInfo *last = &h->rec.frames[h->rec.n - 1];
  uint64_t fig[VMS_FIG_COUNT];
  memcpy(fig, last->fig, sizeof fig);
  h->ended = true;
  return take_frame(h, last->pid, fig, when, dropped, err);
}

VmsRecording *vms_history_recording(VmsHistory *h) {
  return h && h->rec.n ? &h->rec : NULL;
}

size_t vms_history_count(const VmsHistory *h) {
  return h->rec.n;
}

size_t vms_history_bytes(const VmsHistory *h) {
  return h->len;
}

size_t vms_history_held(const VmsHistory *h) {
  return sizeof *h + h->cap + h->rec.cap * sizeof *h->rec.frames +
         (h->w ? vms_recording_writer_held(h->w) : 0);
}

uint64_t vms_history_dropped(const VmsHistory *h) {
  return h->dropped;
}

size_t vms_history_max_bytes(const VmsHistory *h) {
  return h->max_bytes;
}

size_t vms_history_max_frames(const VmsHistory *h) {
  return h->max_frames;
}

bool vms_history_ended(const VmsHistory *h) {
  return h->ended;
}

VmsHistory *vms_history_copy(const VmsHistory *h) {
  VmsHistory *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  c->rec = h->rec;
  c->rec.frames = malloc((h->rec.n ? h->rec.n : 1) * sizeof *c->rec.frames);
  c->bytes = malloc(h->len ? h->len : 1);
  if (!c->rec.frames || !c->bytes) {
    free(c->rec.frames);
    free(c->bytes);
    free(c);
    return NULL;
  }
  memcpy(c->rec.frames, h->rec.frames, h->rec.n * sizeof *c->rec.frames);
  memcpy(c->bytes, h->bytes, h->len);
  c->rec.cap = h->rec.n;
  c->rec.data = c->bytes;
  c->len = c->cap = h->len;
  c->max_bytes = h->max_bytes;
  c->max_frames = h->max_frames;
  c->dropped = h->dropped;
  c->ended = true;
  return c;
}

static VmsErrorCode write_frames(FILE *f, void *ctx, VmsError *err) {
  const VmsHistory *h = ctx;
  uint8_t head[VMS_REC_FILE_HEADER_SIZE];
  vms_recording_put_file_header(head);
  bool ok = fwrite(head, 1, sizeof head, f) == sizeof head;
  uint8_t *frame = NULL;
  size_t cap = 0;
  for (size_t k = 0; ok && k < h->rec.n; k++) {
    const VmsFrameInfo *fi = &h->rec.frames[k];
    if (fi->size > cap) {
      uint8_t *b = realloc(frame, (size_t)fi->size);
      if (!b) {
        free(frame);
        return vms_error_set(err, VMS_ERR_NOMEM, "out of memory saving the history");
      }
      frame = b;
      cap = (size_t)fi->size;
    }
    memcpy(frame, h->bytes + fi->offset, (size_t)fi->size);
    vms_recording_renumber(frame, fi->index, fi->key);
    ok = fwrite(frame, 1, (size_t)fi->size, f) == fi->size;
  }
  free(frame);
  uint8_t end[VMS_REC_FRAME_HEADER_SIZE];
  vms_recording_put_end_mark(end, (uint32_t)h->rec.n);
  if (ok)
    ok = fwrite(end, 1, sizeof end, f) == sizeof end && fflush(f) == 0;
  if (!ok)
    return vms_error_set(err, VMS_ERR_IO, "writing the history failed: %s", strerror(errno));
  return VMS_OK;
}

VmsErrorCode vms_history_save(const VmsHistory *h, const char *path, VmsError *err) {
  if (!h->rec.n)
    return vms_error_set(err, VMS_ERR_USAGE, "the history holds no frame yet");
  return vms_recording_write_atomic(path, write_frames, (void *)h, err);
}
