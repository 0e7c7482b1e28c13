/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-live.c: helper processes, command runs, and the CSV/JSON/maps readers the live tests share.
 */
#include "vms-live.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) {
    fprintf(stderr, "out of memory\n");
    abort();
  }
  return q;
}

static char *xstrndup(const char *s, size_t n) {
  char *d = xrealloc(NULL, n + 1);
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

static int status_of(int st) {
  if (WIFEXITED(st))
    return WEXITSTATUS(st);
  if (WIFSIGNALED(st))
    return 128 + WTERMSIG(st);
  return -1;
}

/* ---- helpers ---- */

bool vms_helper_start(VmsHelper *h, const char *const argv[]) {
  return vms_helper_start_until(h, argv, "ready");
}

bool vms_helper_start_until(VmsHelper *h, const char *const argv[], const char *marker) {
  memset(h, 0, sizeof *h);
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
    perror("pipe");
    return false;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return false;
  }
  if (pid == 0) {
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    execv(argv[0], (char *const *)argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  h->pid = pid;
  h->in_fd = in[1];
  FILE *f = fdopen(out[0], "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  bool ready = false;
  while ((n = getline(&line, &cap, f)) > 0) {
    if (line[n - 1] == '\n')
      line[--n] = '\0';
    bool last = strncmp(line, marker, strlen(marker)) == 0;
    if (!last || strcmp(marker, "ready") != 0) {
      h->lines = xrealloc(h->lines, (h->n_lines + 1) * sizeof *h->lines);
      h->lines[h->n_lines++] = xstrndup(line, (size_t)n);
    }
    if (last) {
      ready = true;
      break;
    }
  }
  free(line);
  fclose(f);
  if (!ready) {
    fprintf(stderr, "%s ended before it printed '%s'\n", argv[0], marker);
    vms_helper_stop(h);
    return false;
  }
  return true;
}

const char *vms_helper_fact(const VmsHelper *h, const char *key, size_t nth) {
  size_t kl = strlen(key);
  for (size_t i = 0; i < h->n_lines; i++)
    if (strncmp(h->lines[i], key, kl) == 0 && h->lines[i][kl] == ' ' && nth-- == 0)
      return h->lines[i] + kl + 1;
  return NULL;
}

size_t vms_helper_count(const VmsHelper *h, const char *key) {
  size_t n = 0;
  while (vms_helper_fact(h, key, n))
    n++;
  return n;
}

static void *reaper(void *arg) {
  VmsHelper *h = arg;
  int st = 0;
  pid_t r;
  while ((r = waitpid(h->pid, &st, 0)) < 0 && errno == EINTR) {
  }
  h->status = r == h->pid ? status_of(st) : -1;
  __atomic_store_n(&h->reaped, true, __ATOMIC_RELEASE);
  return NULL;
}

void vms_helper_reap_in_background(VmsHelper *h) {
  pthread_t t;
  if (pthread_create(&t, NULL, reaper, h) == 0) {
    h->bg = true;
    pthread_detach(t);
  }
}

void vms_helper_terminate(VmsHelper *h) {
  if (h->pid > 0 && !__atomic_load_n(&h->reaped, __ATOMIC_ACQUIRE))
    kill(h->pid, SIGTERM);
  vms_helper_stop(h);
}

void vms_helper_stop(VmsHelper *h) {
  if (h->in_fd > 0) {
    close(h->in_fd);
    h->in_fd = -1;
  }
  if (h->bg) {
    /* The background reaper owns the wait. */
    while (!__atomic_load_n(&h->reaped, __ATOMIC_ACQUIRE))
      usleep(1000);
  } else if (h->pid > 0 && !h->reaped) {
    int st = 0;
    pid_t r;
    while ((r = waitpid(h->pid, &st, 0)) < 0 && errno == EINTR) {
    }
    h->status = r == h->pid ? status_of(st) : -1;
    h->reaped = true;
  }
  for (size_t i = 0; i < h->n_lines; i++)
    free(h->lines[i]);
  free(h->lines);
  h->lines = NULL;
  h->n_lines = 0;
}

/* ---- running a command ---- */

bool vms_run(const char *const argv[], VmsRun *r) {
  memset(r, 0, sizeof *r);
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    perror("pipe");
    return false;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return false;
  }
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0)
      dup2(devnull, STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    execv(argv[0], (char *const *)argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  char **bufs[2] = {&r->out, &r->err};
  size_t *lens[2] = {&r->out_len, &r->err_len};
  size_t caps[2] = {0, 0};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || !fds[i].revents)
        continue;
      if (caps[i] - *lens[i] < 65536) {
        caps[i] = caps[i] * 2 + 65536;
        *bufs[i] = xrealloc(*bufs[i], caps[i] + 1);
      }
      ssize_t n = read(fds[i].fd, *bufs[i] + *lens[i], caps[i] - *lens[i]);
      if (n > 0) {
        *lens[i] += (size_t)n;
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        open_fds--;
      }
    }
  }
  for (int i = 0; i < 2; i++) {
    if (!*bufs[i])
      *bufs[i] = xrealloc(NULL, 1);
    (*bufs[i])[*lens[i]] = '\0';
  }
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  r->status = status_of(st);
  return true;
}

void vms_run_free(VmsRun *r) {
  free(r->out);
  free(r->err);
  memset(r, 0, sizeof *r);
}

/* ---- CSV ---- */

bool vms_csv_parse(const char *buf, size_t len, VmsCsv *csv) {
  memset(csv, 0, sizeof *csv);
  size_t i = 0;
  while (i < len) {
    char **fields = NULL;
    size_t nf = 0;
    for (;;) {
      char *field = NULL;
      size_t fl = 0, fc = 0;
      if (i < len && buf[i] == '"') {
        i++;
        for (;;) {
          if (i >= len) {
            fprintf(stderr, "CSV: a quoted field is not closed\n");
            return false;
          }
          if (buf[i] == '"') {
            if (i + 1 < len && buf[i + 1] == '"') {
              i += 2;
              if (fl + 1 >= fc)
                field = xrealloc(field, fc = fc * 2 + 16);
              field[fl++] = '"';
              continue;
            }
            i++;
            break;
          }
          if (fl + 1 >= fc)
            field = xrealloc(field, fc = fc * 2 + 16);
          field[fl++] = buf[i++];
        }
        if (i < len && buf[i] != ',' && buf[i] != '\n' && buf[i] != '\r') {
          fprintf(stderr, "CSV: text after a closing quote\n");
          return false;
        }
      } else {
        size_t s = i;
        while (i < len && buf[i] != ',' && buf[i] != '\n' && buf[i] != '\r') {
          if (buf[i] == '"') {
            fprintf(stderr, "CSV: a quote inside an unquoted field\n");
            return false;
          }
          i++;
        }
        field = xrealloc(NULL, i - s + 1);
        memcpy(field, buf + s, i - s);
        fl = i - s;
      }
      if (!field)
        field = xrealloc(NULL, 1);
      field[fl] = '\0';
      fields = xrealloc(fields, (nf + 1) * sizeof *fields);
      fields[nf++] = field;
      if (i < len && buf[i] == ',') {
        i++;
        continue;
      }
      if (i < len && buf[i] == '\r')
        i++;
      if (i < len && buf[i] == '\n')
        i++;
      break;
    }
    csv->rows = xrealloc(csv->rows, (csv->n_rows + 1) * sizeof *csv->rows);
    csv->n_fields = xrealloc(csv->n_fields, (csv->n_rows + 1) * sizeof *csv->n_fields);
    csv->rows[csv->n_rows] = fields;
    csv->n_fields[csv->n_rows++] = nf;
  }
  return true;
}

int vms_csv_column(const VmsCsv *csv, const char *name) {
  if (csv->n_rows == 0)
    return -1;
  for (size_t i = 0; i < csv->n_fields[0]; i++)
    if (strcmp(csv->rows[0][i], name) == 0)
      return (int)i;
  return -1;
}

void vms_csv_free(VmsCsv *csv) {
  for (size_t r = 0; r < csv->n_rows; r++) {
    for (size_t f = 0; f < csv->n_fields[r]; f++)
      free(csv->rows[r][f]);
    free(csv->rows[r]);
  }
  free(csv->rows);
  free(csv->n_fields);
  memset(csv, 0, sizeof *csv);
}

uint64_t vms_live_parse_hex(const char *s) {
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    s += 2;
  return strtoull(s, NULL, 16);
}

static bool hex_ok(const char *s) {
  if (s[0] != '0' || s[1] != 'x' || !s[2])
    return false;
  for (s += 2; *s; s++)
    if (!isxdigit((unsigned char)*s))
      return false;
  return true;
}

static bool dec_ok(const char *s) {
  if (!*s)
    return false;
  for (; *s; s++)
    if (!isdigit((unsigned char)*s))
      return false;
  return true;
}

static void copy_field(char *dst, size_t n, const char *src) {
  snprintf(dst, n, "%s", src);
}

bool vms_live_regions_parse(const char *buf, size_t len, VmsLiveRegions *out) {
  memset(out, 0, sizeof *out);
  VmsCsv csv;
  if (!vms_csv_parse(buf, len, &csv))
    return false;
  static const char *const cols[] = {"start", "end",        "size",   "type",
                                     "state", "protection", "details"};
  int ix[7];
  bool ok = csv.n_rows > 0;
  for (int c = 0; c < 7 && ok; c++) {
    ix[c] = vms_csv_column(&csv, cols[c]);
    if (ix[c] < 0) {
      fprintf(stderr, "CSV: no column '%s'\n", cols[c]);
      ok = false;
    } else if (ix[c] != c) {
      fprintf(stderr, "CSV: column '%s' is number %d, not %d\n", cols[c], ix[c] + 1, c + 1);
      ok = false;
    }
  }
  int rss_col = ok ? vms_csv_column(&csv, "rss") : -1;
  int pd_col = ok ? vms_csv_column(&csv, "private_dirty") : -1;
  for (size_t r = 1; ok && r < csv.n_rows; r++) {
    if (csv.n_fields[r] != csv.n_fields[0]) {
      fprintf(stderr, "CSV: row %zu has %zu fields, the header %zu\n", r + 1, csv.n_fields[r],
              csv.n_fields[0]);
      ok = false;
      break;
    }
    char **f = csv.rows[r];
    if (!hex_ok(f[0]) || !hex_ok(f[1])) {
      fprintf(stderr, "CSV: row %zu: start/end not 0x-hex: %s %s\n", r + 1, f[0], f[1]);
      ok = false;
      break;
    }
    VmsLiveRegion g = {0};
    g.start = vms_live_parse_hex(f[0]);
    g.end = vms_live_parse_hex(f[1]);
    if (dec_ok(f[2]))
      g.size = strtoull(f[2], NULL, 10);
    else if (hex_ok(f[2]))
      g.size = vms_live_parse_hex(f[2]);
    else {
      fprintf(stderr, "CSV: row %zu: size '%s' is not a number\n", r + 1, f[2]);
      ok = false;
      break;
    }
    if (g.end <= g.start || g.size != g.end - g.start) {
      fprintf(stderr, "CSV: row %zu: size %" PRIu64 " is not end - start\n", r + 1, g.size);
      ok = false;
      break;
    }
    copy_field(g.type, sizeof g.type, f[3]);
    copy_field(g.state, sizeof g.state, f[4]);
    copy_field(g.prot, sizeof g.prot, f[5]);
    g.details = xstrndup(f[6], strlen(f[6]));
    g.rss = g.private_dirty = VMS_LIVE_NOT_READ;
    if (rss_col >= 0 && dec_ok(f[rss_col]))
      g.rss = strtoull(f[rss_col], NULL, 10);
    if (pd_col >= 0 && dec_ok(f[pd_col]))
      g.private_dirty = strtoull(f[pd_col], NULL, 10);
    out->r = xrealloc(out->r, (out->n + 1) * sizeof *out->r);
    out->r[out->n++] = g;
  }
  vms_csv_free(&csv);
  if (!ok)
    vms_live_regions_free(out);
  return ok;
}

void vms_live_regions_free(VmsLiveRegions *rs) {
  for (size_t i = 0; i < rs->n; i++)
    free(rs->r[i].details);
  free(rs->r);
  memset(rs, 0, sizeof *rs);
}

const VmsLiveRegion *vms_live_region_at(const VmsLiveRegions *rs, uint64_t addr) {
  for (size_t i = 0; i < rs->n; i++)
    if (rs->r[i].start <= addr && addr < rs->r[i].end)
      return &rs->r[i];
  return NULL;
}

bool vms_live_region_is_free(const VmsLiveRegion *r) {
  return strcmp(r->state, "free") == 0;
}

/* ---- JSON ---- */

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct VmsJson {
  int kind;
  char *text;  /* number text or string value */
  char **keys; /* objects */
  VmsJson **items;
  size_t n;
};

typedef struct {
  const char *s;
  size_t i, len;
} JParser;

static void j_ws(JParser *p) {
  while (p->i < p->len &&
         (p->s[p->i] == ' ' || p->s[p->i] == '\n' || p->s[p->i] == '\t' || p->s[p->i] == '\r'))
    p->i++;
}

static char *j_string(JParser *p) {
  if (p->i >= p->len || p->s[p->i] != '"')
    return NULL;
  p->i++;
  char *out = NULL;
  size_t n = 0, cap = 0;
  while (p->i < p->len && p->s[p->i] != '"') {
    char c = p->s[p->i++];
    if ((unsigned char)c < 0x20) {
      free(out);
      return NULL; /* raw control characters are not JSON */
    }
    if (c == '\\') {
      if (p->i >= p->len) {
        free(out);
        return NULL;
      }
      char e = p->s[p->i++];
      switch (e) {
      case 'n': c = '\n'; break;
      case 't': c = '\t'; break;
      case 'r': c = '\r'; break;
      case 'b': c = '\b'; break;
      case 'f': c = '\f'; break;
      case '/':
      case '\\':
      case '"': c = e; break;
      case 'u': {
        if (p->i + 4 > p->len) {
          free(out);
          return NULL;
        }
        char hex[5];
        memcpy(hex, p->s + p->i, 4);
        hex[4] = '\0';
        p->i += 4;
        unsigned long cp = strtoul(hex, NULL, 16);
        /* Only what a path can need here: ASCII and raw bytes as U+00xx. */
        c = (char)(cp & 0xff);
        break;
      }
      default: free(out); return NULL;
      }
    }
    if (n + 1 >= cap)
      out = xrealloc(out, cap = cap * 2 + 32);
    out[n++] = c;
  }
  if (p->i >= p->len) {
    free(out);
    return NULL;
  }
  p->i++;
  if (!out)
    out = xrealloc(NULL, 1);
  out[n] = '\0';
  return out;
}

static VmsJson *j_value(JParser *p, int depth);

static VmsJson *j_new(int kind) {
  VmsJson *j = xrealloc(NULL, sizeof *j);
  memset(j, 0, sizeof *j);
  j->kind = kind;
  return j;
}

static VmsJson *j_value(JParser *p, int depth) {
  if (depth > 64)
    return NULL;
  j_ws(p);
  if (p->i >= p->len)
    return NULL;
  char c = p->s[p->i];
  if (c == '{' || c == '[') {
    bool obj = c == '{';
    VmsJson *j = j_new(obj ? J_OBJ : J_ARR);
    p->i++;
    j_ws(p);
    if (p->i < p->len && p->s[p->i] == (obj ? '}' : ']')) {
      p->i++;
      return j;
    }
    for (;;) {
      char *key = NULL;
      if (obj) {
        j_ws(p);
        key = j_string(p);
        j_ws(p);
        if (!key || p->i >= p->len || p->s[p->i] != ':') {
          free(key);
          vms_json_free(j);
          return NULL;
        }
        p->i++;
      }
      VmsJson *v = j_value(p, depth + 1);
      if (!v) {
        free(key);
        vms_json_free(j);
        return NULL;
      }
      j->items = xrealloc(j->items, (j->n + 1) * sizeof *j->items);
      j->keys = xrealloc(j->keys, (j->n + 1) * sizeof *j->keys);
      j->items[j->n] = v;
      j->keys[j->n++] = key;
      j_ws(p);
      if (p->i < p->len && p->s[p->i] == ',') {
        p->i++;
        continue;
      }
      if (p->i < p->len && p->s[p->i] == (obj ? '}' : ']')) {
        p->i++;
        return j;
      }
      vms_json_free(j);
      return NULL;
    }
  }
  if (c == '"') {
    char *s = j_string(p);
    if (!s)
      return NULL;
    VmsJson *j = j_new(J_STR);
    j->text = s;
    return j;
  }
  static const struct {
    const char *word;
    int kind;
  } words[] = {{"true", J_BOOL}, {"false", J_BOOL}, {"null", J_NULL}};
  for (size_t w = 0; w < 3; w++) {
    size_t wl = strlen(words[w].word);
    if (p->len - p->i >= wl && memcmp(p->s + p->i, words[w].word, wl) == 0) {
      p->i += wl;
      VmsJson *j = j_new(words[w].kind);
      j->text = xstrndup(words[w].word, wl);
      return j;
    }
  }
  size_t s = p->i;
  while (p->i < p->len && strchr("+-0123456789.eE", p->s[p->i]))
    p->i++;
  if (p->i == s)
    return NULL;
  VmsJson *j = j_new(J_NUM);
  j->text = xstrndup(p->s + s, p->i - s);
  return j;
}

VmsJson *vms_json_parse(const char *buf, size_t len) {
  JParser p = {buf, 0, len};
  VmsJson *j = j_value(&p, 0);
  j_ws(&p);
  if (j && p.i != p.len) {
    fprintf(stderr, "JSON: text after the value at byte %zu\n", p.i);
    vms_json_free(j);
    return NULL;
  }
  if (!j)
    fprintf(stderr, "JSON: malformed near byte %zu\n", p.i);
  return j;
}

void vms_json_free(VmsJson *j) {
  if (!j)
    return;
  for (size_t i = 0; i < j->n; i++) {
    vms_json_free(j->items[i]);
    free(j->keys[i]);
  }
  free(j->items);
  free(j->keys);
  free(j->text);
  free(j);
}

const VmsJson *vms_json_get(const VmsJson *j, const char *path) {
  while (j && *path) {
    const char *dot = strchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    const VmsJson *next = NULL;
    if (j->kind == J_OBJ) {
      for (size_t i = 0; i < j->n; i++)
        if (strlen(j->keys[i]) == n && memcmp(j->keys[i], path, n) == 0)
          next = j->items[i];
    } else if (j->kind == J_ARR) {
      char idx[32];
      if (n == 0 || n >= sizeof idx)
        return NULL;
      memcpy(idx, path, n);
      idx[n] = '\0';
      if (!dec_ok(idx))
        return NULL;
      size_t k = (size_t)strtoull(idx, NULL, 10);
      if (k < j->n)
        next = j->items[k];
    }
    j = next;
    path = dot ? dot + 1 : path + n;
  }
  return j;
}

bool vms_json_u64(const VmsJson *j, const char *path, uint64_t *out) {
  const VmsJson *v = vms_json_get(j, path);
  if (!v || !(v->kind == J_NUM || v->kind == J_STR))
    return false;
  if (dec_ok(v->text)) {
    *out = strtoull(v->text, NULL, 10);
    return true;
  }
  if (hex_ok(v->text)) {
    *out = vms_live_parse_hex(v->text);
    return true;
  }
  return false;
}

const char *vms_json_str(const VmsJson *j, const char *path) {
  const VmsJson *v = vms_json_get(j, path);
  return v && v->kind == J_STR ? v->text : NULL;
}

bool vms_json_bool(const VmsJson *j, const char *path, bool *out) {
  const VmsJson *v = vms_json_get(j, path);
  if (!v || v->kind != J_BOOL)
    return false;
  *out = strcmp(v->text, "true") == 0;
  return true;
}

size_t vms_json_len(const VmsJson *j, const char *path) {
  const VmsJson *v = vms_json_get(j, path);
  return v && (v->kind == J_ARR || v->kind == J_OBJ) ? v->n : 0;
}

/* ---- /proc ---- */

char *vms_live_slurp(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  size_t n = 0, cap = 65536;
  char *buf = xrealloc(NULL, cap + 1);
  for (;;) {
    if (cap - n < 4096)
      buf = xrealloc(buf, (cap *= 2) + 1);
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      free(buf);
      close(fd);
      return NULL;
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  close(fd);
  buf[n] = '\0';
  if (len)
    *len = n;
  return buf;
}

bool vms_maps_read(pid_t pid, VmsMaps *out) {
  memset(out, 0, sizeof *out);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
  out->text = vms_live_slurp(path, &out->len);
  if (!out->text)
    return false;
  /* The kernel escapes newlines in names (as \012), so a line is a mapping. */
  char *p = out->text, *end = out->text + out->len;
  while (p < end) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
    char *line = xstrndup(p, ll);
    VmsMapsLine m = {0};
    unsigned maj, min;
    int name_at = 0;
    if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 " %n", &m.start,
               &m.end, m.perms, &m.offset, &maj, &min, &m.inode, &name_at) >= 7) {
      m.name = xstrndup(line + name_at, strlen(line + name_at));
      out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
      out->v[out->n++] = m;
    }
    free(line);
    p += ll + 1;
  }
  return true;
}

void vms_maps_free(VmsMaps *m) {
  for (size_t i = 0; i < m->n; i++)
    free(m->v[i].name);
  free(m->v);
  free(m->text);
  memset(m, 0, sizeof *m);
}

void vms_live_unhex(const char *hex, char *buf, size_t len) {
  size_t n = 0;
  while (hex[0] && hex[1] && n + 1 < len) {
    char two[3] = {hex[0], hex[1], 0};
    buf[n++] = (char)strtoul(two, NULL, 16);
    hex += 2;
  }
  buf[n] = '\0';
}
