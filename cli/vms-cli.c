/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-cli.c: the vmscope command line: list processes, summarise, list regions, watch, export. */
#include "vms-cli.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vms-config.h"
#include "vms-format.h"
#include "vms-sampler.h"
#include "vms-units.h"
#if VMS_HAVE_CAIRO
#include "vms-export.h"
#include "vms-render.h"
#endif

typedef struct {
  bool list, summary, regions, smaps, residency, maps_text, watch, help, version;
  VmsFormat format;
  int pid;
  const char *maps_file;
  uint64_t fit_size, fit_align;
  double watch_interval;
  long count;
  bool has_range;
  uint64_t range_lo, range_hi;
  const char *png;
  int width, height;
  int layout; /* 0 linear, 1 compressed, -1 default */
} Options;

static const char usage_synopsis[] =
    "Usage: vmscope [PID]                       open the window (picker without PID)\n"
    "       vmscope --list [--format F]\n"
    "       vmscope PID --summary [--smaps] [--residency] [--fit SIZE [--align SIZE]]\n"
    "                   [--range START-END]\n"
    "       vmscope PID --regions [--smaps] [--residency] [--range START-END]\n"
    "       vmscope PID --watch SECONDS [--count N]\n"
    "       vmscope PID --png FILE [--size WxH] [--range START-END] [--layout linear|compressed]\n"
    "       vmscope --maps-file FILE --summary|--regions|--png FILE ...\n";

static const char usage_exit[] =
    "Exit status: 0 ok, 1 internal error, 2 usage, 3 no such process, 4 permission denied,\n"
    "5 no address space (kernel thread, zombie), 6 process exited, 7 PID reused,\n"
    "8 I/O error, 9 out of memory, 10 malformed input, 11 unsupported.\n";

static int fail(VmsErrorCode code, const char *fmt, ...) VMS_PRINTF(2, 3);
static int fail(VmsErrorCode code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("vmscope: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return code;
}

/* An error's one line on stderr, remedy included. */
static int fail_err(const VmsError *err, const char *context) {
  char line[sizeof err->message + sizeof err->remedy + 2];
  vms_error_line(err, line, sizeof line);
  if (context) return fail(err->code, "%s: %s", context, line);
  return fail(err->code, "%s", line);
}

static int usage_error(const char *fmt, const char *arg) VMS_PRINTF(1, 0);
static int usage_error(const char *fmt, const char *arg) {
  fputs("vmscope: ", stderr);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  fprintf(stderr, fmt, arg);
#pragma GCC diagnostic pop
  fputs("\nTry 'vmscope --help'.\n", stderr);
  return VMS_ERR_USAGE;
}

static bool parse_pid(const char *s, int *out) {
  if (!*s || strlen(s) > 10) return false;
  for (const char *p = s; *p; p++)
    if (*p < '0' || *p > '9') return false;
  long long v = strtoll(s, NULL, 10);
  if (v <= 0 || v > INT_MAX) return false;
  *out = (int)v;
  return true;
}

static bool parse_range(const char *s, uint64_t *lo, uint64_t *hi) {
  const char *dash = strchr(s, '-');
  if (!dash) return false;
  char a[40];
  size_t n = (size_t)(dash - s);
  if (n == 0 || n >= sizeof a) return false;
  memcpy(a, s, n);
  a[n] = '\0';
  return vms_addr_parse(a, lo) && vms_addr_parse(dash + 1, hi);
}

/* ---- the options, listed once: parsing, --help and vms_cli_wants_cli read this table ---- */

static int opt_flag(Options *o, const char *v, bool *field) {
  (void)o;
  (void)v;
  *field = true;
  return VMS_OK;
}

static int opt_list(Options *o, const char *v) { return opt_flag(o, v, &o->list); }
static int opt_summary(Options *o, const char *v) { return opt_flag(o, v, &o->summary); }
static int opt_regions(Options *o, const char *v) { return opt_flag(o, v, &o->regions); }
static int opt_smaps(Options *o, const char *v) { return opt_flag(o, v, &o->smaps); }
static int opt_residency(Options *o, const char *v) { return opt_flag(o, v, &o->residency); }
static int opt_maps_text(Options *o, const char *v) { return opt_flag(o, v, &o->maps_text); }
static int opt_help(Options *o, const char *v) { return opt_flag(o, v, &o->help); }
static int opt_version(Options *o, const char *v) { return opt_flag(o, v, &o->version); }

static int opt_format(Options *o, const char *v) {
  if (strcmp(v, "table") == 0) o->format = VMS_FORMAT_TABLE;
  else if (strcmp(v, "csv") == 0) o->format = VMS_FORMAT_CSV;
  else if (strcmp(v, "json") == 0) o->format = VMS_FORMAT_JSON;
  else return usage_error("unknown format '%s' (table, csv or json)", v);
  return VMS_OK;
}

static int opt_fit(Options *o, const char *v) {
  if (!vms_size_parse(v, false, &o->fit_size))
    return usage_error("--fit: '%s' is not a size (like 512M, 1.5G or 4096)", v);
  return VMS_OK;
}

static int opt_align(Options *o, const char *v) {
  if (!vms_size_parse(v, false, &o->fit_align) || (o->fit_align & (o->fit_align - 1)))
    return usage_error("--align: '%s' is not a power-of-two size", v);
  return VMS_OK;
}

static int opt_range(Options *o, const char *v) {
  if (!parse_range(v, &o->range_lo, &o->range_hi))
    return usage_error("--range: '%s' is not START-END in hex (like 0x10000-0x7fff0000)", v);
  if (o->range_lo >= o->range_hi) return usage_error("--range: '%s' starts at or after its end", v);
  o->has_range = true;
  return VMS_OK;
}

static int opt_watch(Options *o, const char *v) {
  if (!vms_interval_parse(v, 0.01, 86400, &o->watch_interval))
    return usage_error("--watch: '%s' is not an interval (like 2, 0.5, 500ms or 1min; 0.01 s to 24 h)", v);
  o->watch = true;
  return VMS_OK;
}

static int opt_count(Options *o, const char *v) {
  char *end;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (end == v || *end || n <= 0 || errno == ERANGE)
    return usage_error("--count: '%s' is not a positive count", v);
  o->count = n;
  return VMS_OK;
}

static int opt_png(Options *o, const char *v) {
  if (!*v) return usage_error("--png needs a file name%s", "");
  o->png = v;
  return VMS_OK;
}

static int opt_size(Options *o, const char *v) {
  char *end;
  long w = strtol(v, &end, 10), h = -1;
  if (end != v && (*end == 'x' || *end == 'X')) {
    const char *hs = end + 1;
    h = strtol(hs, &end, 10);
    if (end == hs) h = -1;
  }
  if (*end || w <= 0 || h <= 0 || w > 32767 || h > 32767)
    return usage_error("--size: '%s' is not WIDTHxHEIGHT with each 1 to 32767", v);
  o->width = (int)w;
  o->height = (int)h;
  return VMS_OK;
}

static int opt_layout(Options *o, const char *v) {
  if (strcmp(v, "linear") == 0) o->layout = 0;
  else if (strcmp(v, "compressed") == 0) o->layout = 1;
  else return usage_error("--layout: '%s' is not linear or compressed", v);
  return VMS_OK;
}

static int opt_maps_file(Options *o, const char *v) {
  o->maps_file = v;
  return VMS_OK;
}

typedef struct {
  const char *name, *alias; /* "--format"; alias may be NULL */
  const char *arg;          /* the value's name in --help; NULL: a flag */
  const char *help;
  int (*apply)(Options *o, const char *value);
} CliOption;

static const CliOption cli_options[] = {
    {"--list", NULL, NULL, "every process, and why one cannot be read", opt_list},
    {"--summary", NULL, NULL, "sizes by type (VMMap's table) and the fragmentation figures", opt_summary},
    {"--regions", NULL, NULL, "one row per region, free gaps included", opt_regions},
    {"--format", NULL, "F", "table (default), csv or json", opt_format},
    {"--smaps", NULL, NULL, "also read per-region counters (RSS, PSS, swap...; costs more)", opt_smaps},
    {"--residency", NULL, NULL, "resident, swapped and huge-page bytes per region (pagemap; cheap)",
     opt_residency},
    {"--maps-text", NULL, NULL, "read regions from the maps text, not the PROCMAP_QUERY ioctl",
     opt_maps_text},
    {"--fit", NULL, "SIZE", "can SIZE bytes (512M, 1.5G, 4096...) still be placed, and where", opt_fit},
    {"--align", NULL, "SIZE", "alignment for --fit (default: the page size)", opt_align},
    {"--range", NULL, "START-END", "restrict to addresses [START, END) (hex)", opt_range},
    {"--watch", NULL, "SECONDS", "print a summary line per sample (2, 0.5, 500ms, 1min)", opt_watch},
    {"--count", NULL, "N", "with --watch: stop after N samples", opt_count},
    {"--png", NULL, "FILE", "write the map (.png, .svg or .pdf) with header and legend", opt_png},
    {"--size", NULL, "WxH", "image size in pixels (default 1600x1000)", opt_size},
    {"--layout", NULL, "L", "linear, or compressed (free gaps shrunk; default for 64-bit)", opt_layout},
    {"--maps-file", NULL, "FILE", "read a captured /proc/PID/maps or smaps instead of a process",
     opt_maps_file},
    {"--help", "-h", NULL, "this text", opt_help},
    {"--version", NULL, NULL, "vmscope's version", opt_version},
};
enum { N_CLI_OPTIONS = sizeof cli_options / sizeof cli_options[0] };

/* Does argument a name the option name (as itself or as "name=value")? */
static bool names(const char *a, const char *name) {
  size_t n = strlen(name);
  return strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

static const CliOption *find_option(const char *a) {
  for (size_t k = 0; k < N_CLI_OPTIONS; k++)
    if (names(a, cli_options[k].name) || (cli_options[k].alias && names(a, cli_options[k].alias)))
      return &cli_options[k];
  return NULL;
}

static void print_usage(FILE *f) {
  fputs(usage_synopsis, f);
  fputc('\n', f);
  for (size_t k = 0; k < N_CLI_OPTIONS; k++) {
    const CliOption *c = &cli_options[k];
    char left[40];
    snprintf(left, sizeof left, "%s%s%s%s%s", c->name, c->alias ? ", " : "", c->alias ? c->alias : "",
             c->arg ? " " : "", c->arg ? c->arg : "");
    fprintf(f, "  %-20s %s\n", left, c->help);
  }
  fputc('\n', f);
  fputs(usage_exit, f);
}

bool vms_cli_wants_cli(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (find_option(argv[i])) return true;
  return false;
}

static int parse_args(int argc, char **argv, Options *o) {
  memset(o, 0, sizeof *o);
  o->layout = -1;
  o->width = 1600;
  o->height = 1000;
  o->count = -1;
  bool options_done = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!options_done && strcmp(a, "--") == 0) {
      options_done = true;
      continue;
    }
    const CliOption *c = options_done ? NULL : find_option(a);
    if (c) {
      const char *v = NULL;
      if (c->arg) {
        /* "--opt=value" or the next argument. */
        size_t n = strlen(names(a, c->name) ? c->name : c->alias);
        if (a[n] == '=') v = a + n + 1;
        else if (i + 1 < argc) v = argv[++i];
        else return usage_error("%s needs a value", c->name);
      } else if (strchr(a, '=')) {
        return usage_error("%s takes no value", c->name);
      }
      int rc = c->apply(o, v);
      if (rc != VMS_OK) return rc;
    } else if (!options_done && a[0] == '-') {
      return usage_error("unknown option '%s'", a);
    } else if (o->pid) {
      return usage_error("one process at a time: unexpected '%s'", a);
    } else if (!parse_pid(a, &o->pid)) {
      return usage_error("'%s' is not a process ID", a);
    }
  }
  if (o->help || o->version || o->list) return VMS_OK;
  if (o->count > 0 && !o->watch) return usage_error("--count goes with --watch%s", "");
  if (!o->pid && !o->maps_file) return usage_error("which process? Give a PID (see --list)%s", "");
  if (o->pid && o->maps_file) return usage_error("give a PID or --maps-file, not both%s", "");
  if (o->watch && o->maps_file) return usage_error("--watch needs a live process%s", "");
  if (o->residency && o->maps_file)
    return usage_error("--residency reads a live process's page tables, not a file%s", "");
  if (!o->summary && !o->regions && !o->watch && !o->png) o->summary = true;
  if (o->summary && o->regions && o->format != VMS_FORMAT_TABLE)
    return usage_error("--summary and --regions are one document each in %s: ask for one at a time",
                       o->format == VMS_FORMAT_JSON ? "JSON" : "CSV");
  return VMS_OK;
}

static int read_file(const char *path, char **buf, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return fail(VMS_ERR_IO, "cannot open %s: %s", path, strerror(errno));
  size_t cap = 1 << 20, n = 0;
  char *b = malloc(cap);
  while (b) {
    size_t got = fread(b + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
    if (n == cap) {
      char *nb = realloc(b, cap * 2);
      if (!nb) {
        free(b);
        b = NULL;
        break;
      }
      b = nb;
      cap *= 2;
    }
  }
  bool bad = ferror(f);
  int e = errno;
  fclose(f);
  if (!b) return fail(VMS_ERR_NOMEM, "out of memory reading %s", path);
  if (bad) {
    free(b);
    return fail(VMS_ERR_IO, "cannot read %s: %s", path, strerror(e));
  }
  *buf = b;
  *len = n;
  return VMS_OK;
}

/* smaps text has "Key: value" lines after each mapping; maps has none. */
static bool has_counter_lines(const char *buf, size_t len) {
  for (size_t i = 0; i + 4 < len; i++)
    if (buf[i] == '\n' && buf[i + 1] >= 'A' && buf[i + 1] <= 'Z') return true;
  return false;
}

/* A snapshot of a captured maps/smaps file (smaps when it has counter lines). */
static int snapshot_from_file(const char *path, VmsSnapshot **out) {
  char *buf = NULL;
  size_t len = 0;
  int rc = read_file(path, &buf, &len);
  if (rc) return rc;
  VmsSpace space;
  vms_space_init(&space);
  VmsError err = {0};
  const bool smaps = has_counter_lines(buf, len);
  VmsErrorCode code = smaps ? vms_smaps_parse(buf, len, &space, &err)
                            : vms_maps_parse(buf, len, &space, &err);
  free(buf);
  if (code == VMS_OK && space.n_regions == 0)
    code = vms_error_set(&err, VMS_ERR_PARSE, "no mappings in the file");
  if (code == VMS_OK) {
    const char *base = strrchr(path, '/');
    snprintf(space.name, sizeof space.name, "%s", base ? base + 1 : path);
    code = vms_snapshot_build(&space, out, &err);
  }
  vms_space_clear(&space);
  if (code != VMS_OK) return fail_err(&err, path);
  return VMS_OK;
}

static int snapshot_from_pid(int pid, unsigned what, VmsSnapshot **out) {
  VmsTarget *t;
  VmsError err = {0};
  VmsErrorCode code = vms_target_open(pid, &t, &err);
  if (code != VMS_OK) return fail_err(&err, NULL);
  VmsSpace space;
  vms_space_init(&space);
  double t0 = vms_time_monotonic();
  code = vms_target_read(t, what, &space, &err);
  if (code == VMS_OK) code = vms_snapshot_build(&space, out, &err);
  if (code == VMS_OK) (*out)->read_seconds = vms_time_monotonic() - t0;
  vms_space_clear(&space);
  vms_target_close(t);
  if (code != VMS_OK) return fail_err(&err, NULL);
  return VMS_OK;
}

static unsigned read_flags(const Options *o) {
  return VMS_READ_REGIONS | VMS_READ_THREADS | (o->smaps ? VMS_READ_COUNTERS : 0) |
         (o->residency ? VMS_READ_RESIDENCY : 0) | (o->maps_text ? VMS_READ_MAPS_TEXT : 0);
}

/* ---- --watch ---- */

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t done_cond;
  VmsFormat format;
  long remaining;
  bool done, header;
  int status;
} Watch;

static void watch_sample(VmsSnapshot *snap, const VmsError *err, void *user) {
  Watch *w = user;
  pthread_mutex_lock(&w->lock);
  if (!w->done) {
    if (snap) {
      vms_print_watch_line(stdout, snap, w->format, w->header);
      fflush(stdout);
      w->header = false;
      if (w->remaining > 0 && --w->remaining == 0) w->done = true;
    } else {
      w->status = fail_err(err, NULL);
      w->done = true;
    }
    if (w->done) pthread_cond_signal(&w->done_cond);
  }
  pthread_mutex_unlock(&w->lock);
  vms_snapshot_unref(snap);
}

static int run_watch(const Options *o) {
  Watch w = {.format = o->format, .remaining = o->count, .header = true};
  pthread_mutex_init(&w.lock, NULL);
  pthread_cond_init(&w.done_cond, NULL);
  VmsSamplerOptions so;
  vms_sampler_options_default(&so);
  so.interval = o->watch_interval;
  so.what = read_flags(o);
  VmsSampler *s;
  VmsError err = {0};
  VmsErrorCode code = vms_sampler_start(o->pid, &so, watch_sample, &w, &s, &err);
  if (code != VMS_OK) return fail_err(&err, NULL);
  pthread_mutex_lock(&w.lock);
  while (!w.done) pthread_cond_wait(&w.done_cond, &w.lock);
  pthread_mutex_unlock(&w.lock);
  vms_sampler_stop(s);
  pthread_mutex_destroy(&w.lock);
  pthread_cond_destroy(&w.done_cond);
  return w.status;
}

/* ---- main ---- */

#if VMS_HAVE_CAIRO
/* Case-insensitive: MAP.SVG is an SVG too. */
static bool has_extension(const char *path, const char *ext) {
  size_t n = strlen(path), k = strlen(ext);
  if (n < k) return false;
  for (size_t i = 0; i < k; i++)
    if (tolower((unsigned char)path[n - k + i]) != ext[i]) return false;
  return true;
}
#endif

static int finish_output(int rc) {
  if (fflush(stdout) != 0 || ferror(stdout))
    return fail(VMS_ERR_IO, "writing the output failed: %s", strerror(errno));
  return rc;
}

int vms_cli_main(int argc, char **argv) {
  vms_platform_init();
  Options o;
  int rc = parse_args(argc, argv, &o);
  if (rc) return rc;
  if (o.help) {
    print_usage(stdout);
    return finish_output(VMS_OK);
  }
  if (o.version) {
    printf("vmscope %s\n", VMS_VERSION);
    return finish_output(VMS_OK);
  }
  if (o.list) {
    VmsProcInfo *list;
    size_t n;
    VmsError err = {0};
    VmsErrorCode code = vms_process_list(VMS_LIST_COUNT_MAPS, &list, &n, &err);
    if (code != VMS_OK) return fail_err(&err, NULL);
    vms_print_process_list(stdout, list, n, o.format);
    vms_process_list_free(list, n);
    return finish_output(VMS_OK);
  }
  if (o.watch) return finish_output(run_watch(&o));

  VmsSnapshot *snap = NULL;
  unsigned what = read_flags(&o);
  rc = o.maps_file ? snapshot_from_file(o.maps_file, &snap) : snapshot_from_pid(o.pid, what, &snap);
  if (rc) return rc;

  uint64_t lo = 0, hi = snap->usable_hi;
  if (o.has_range) {
    if (o.range_hi > snap->usable_hi) {
      rc = fail(VMS_ERR_USAGE,
                "--range: 0x%" PRIx64 "-0x%" PRIx64 " reaches past the address space, which "
                "ends at 0x%" PRIx64,
                o.range_lo, o.range_hi, snap->usable_hi);
      vms_snapshot_unref(snap);
      return rc;
    }
    lo = o.range_lo;
    hi = o.range_hi;
  }
  if (o.summary) {
    VmsStats st;
    if (o.has_range) vms_stats_compute(snap, lo, hi, &st);
    else st = snap->stats;
    VmsFitQuery fit = {o.fit_size, o.fit_align};
    vms_print_summary(stdout, snap, &st, o.format, &fit);
  }
  /* Without --range the list is every region, [vsyscall] above user space too,
   * so it matches /proc/PID/maps line for line. */
  if (o.regions) vms_print_regions(stdout, snap, o.format, lo, o.has_range ? hi : UINT64_MAX);
  if (o.png) {
#if VMS_HAVE_CAIRO
    VmsLayoutKind kind = o.layout == 1 ? VMS_LAYOUT_COMPRESSED
                         : o.layout == 0 ? VMS_LAYOUT_LINEAR
                         : snap->bits == 64 ? VMS_LAYOUT_COMPRESSED
                                            : VMS_LAYOUT_LINEAR;
    VmsViewport vp = vms_viewport_fit(snap, kind);
    if (o.has_range) {
      vp.start = lo;
      vp.end = hi;
    }
    VmsExportFormat ef = VMS_EXPORT_PNG;
    if (has_extension(o.png, ".svg")) ef = VMS_EXPORT_SVG;
    else if (has_extension(o.png, ".pdf")) ef = VMS_EXPORT_PDF;
    VmsError err = {0};
    VmsErrorCode code = vms_export(snap, &vp, o.width, o.height, ef, o.png, &err);
    if (code != VMS_OK) rc = fail_err(&err, NULL);
    else if (!o.summary && !o.regions) fprintf(stderr, "vmscope: wrote %s\n", o.png);
#else
    rc = fail(VMS_ERR_UNSUPPORTED, "this vmscope was built without cairo: no --png");
#endif
  }
  vms_snapshot_unref(snap);
  return finish_output(rc);
}
