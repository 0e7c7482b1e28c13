/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-cli.c: the vmscope command line: list processes, summarise, list regions, watch, export,
 * record and replay. */
#include "vms-cli.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "vms-cli-metrics.h"
#include "vms-remote.h"
#include "vms-config.h"
#include "vms-diff.h"
#include "vms-recording.h"
#include "vms-format.h"
#include "vms-sampler.h"
#include "vms-textmap.h"
#include "vms-units.h"
#if VMS_HAVE_CAIRO
#include "vms-export.h"
#include "vms-render.h"
#endif

typedef struct {
  bool list, summary, regions, barriers, smaps, residency, maps_text, watch, help, version;
  VmsFormat format;
  int pid;
  const char *maps_file;
  uint64_t fit_size, fit_align;
  double watch_interval;
  long count;
  bool has_range;
  uint64_t range_lo, range_hi;
  const char *png;
  bool pages; /* --pages: the PNG with the residency view's page states */
  bool map, size_given;
  bool metrics, all;
  const char *match, *metrics_dir;
  int *pids; /* every PID given, for --metrics; pid is the first */
  size_t n_pids;
  int color; /* --color: 0 never, 1 always, -1 auto */
  int width, height;
  int layout;       /* 0 linear, 1 compressed, -1 default */
  const char *file; /* a recording or saved snapshot to read ("-": stdin) */
  const char *save, *record;
  bool has_interval;
  double interval, duration;
  const char *at;
  bool timeline;
  const char *diff_a, *diff_b;
  bool has_remote; /* ssh://[USER@]HOST[:PORT][/PID] */
  VmsRemoteTarget remote;
} Options;

static const char usage_synopsis[] =
    "Usage: vmscope [PID]                       open the window (picker without PID)\n"
    "       vmscope --list [--format F]\n"
    "       vmscope PID --summary [--smaps] [--residency] [--fit SIZE [--align SIZE]]\n"
    "                   [--range START-END]\n"
    "       vmscope PID --regions [--smaps] [--residency] [--range START-END]\n"
    "       vmscope PID --barriers [--fit SIZE] [--range START-END]\n"
    "       vmscope PID --watch SECONDS [--count N]\n"
    "       vmscope PID --png FILE [--size WxH] [--range START-END] [--layout linear|compressed]\n"
    "                   [--pages]\n"
    "       vmscope --metrics PID...|--all|--match REGEX [--metrics-dir DIR [--interval SECONDS]]\n"
    "       vmscope PID --map [--color WHEN] [--size COLSxROWS] [--range START-END]\n"
    "       vmscope --maps-file FILE --summary|--regions|--barriers|--png FILE|--map ...\n"
    "       vmscope PID --save FILE                 one snapshot, to open later as FILE\n"
    "       vmscope PID --record FILE|- [--interval S] [--count N | --duration D]\n"
    "       vmscope FILE|- [--at REF] --summary|--regions|--png FILE ...\n"
    "       vmscope FILE|- --timeline [--fit SIZE]\n"
    "       vmscope FILE --diff A B                 B: a frame of FILE or another file\n"
    "       vmscope ssh://[USER@]HOST[:PORT]/PID [--interval S] [--count N] "
    "[--summary|--timeline...]\n"
    "       vmscope ssh://[USER@]HOST[:PORT] --list  (VMSCOPE_SSH: the ssh command, default ssh)\n";

static const char usage_exit[] =
    "Exit status: 0 ok, 1 internal error, 2 usage, 3 no such process, 4 permission denied,\n"
    "5 no address space (kernel thread, zombie), 6 process exited, 7 PID reused,\n"
    "8 I/O error, 9 out of memory, 10 malformed input (a damaged recording), 11 unsupported\n"
    "(a recording from a newer vmscope, or one of another format on HOST), 12 remote: ssh\n"
    "failed, or vmscope is not installed on HOST or its version cannot be read.\n";

int vms_cli_fail(int code, const char *fmt, ...) {
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
  if (context)
    return vms_cli_fail(err->code, "%s: %s", context, line);
  return vms_cli_fail(err->code, "%s", line);
}

/* A usage error: one line, what is wrong and then where the options are
 * (USAGE_HINT), as every failure is one line. */
#define USAGE_HINT "; see vmscope --help"
static int usage_error(const char *fmt, const char *arg) VMS_PRINTF(1, 0);
static int usage_error(const char *fmt, const char *arg) {
  fputs("vmscope: ", stderr);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  fprintf(stderr, fmt, arg);
#pragma GCC diagnostic pop
  fputs(USAGE_HINT "\n", stderr);
  return VMS_ERR_USAGE;
}

static bool parse_pid(const char *s, int *out) {
  if (!*s || strlen(s) > 10)
    return false;
  for (const char *p = s; *p; p++)
    if (*p < '0' || *p > '9')
      return false;
  long long v = strtoll(s, NULL, 10);
  if (v <= 0 || v > INT_MAX)
    return false;
  *out = (int)v;
  return true;
}

static bool parse_range(const char *s, uint64_t *lo, uint64_t *hi) {
  const char *dash = strchr(s, '-');
  if (!dash)
    return false;
  char a[40];
  size_t n = (size_t)(dash - s);
  if (n == 0 || n >= sizeof a)
    return false;
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

static int opt_list(Options *o, const char *v) {
  return opt_flag(o, v, &o->list);
}
static int opt_summary(Options *o, const char *v) {
  return opt_flag(o, v, &o->summary);
}
static int opt_regions(Options *o, const char *v) {
  return opt_flag(o, v, &o->regions);
}
static int opt_smaps(Options *o, const char *v) {
  return opt_flag(o, v, &o->smaps);
}
static int opt_barriers(Options *o, const char *v) {
  return opt_flag(o, v, &o->barriers);
}
static int opt_residency(Options *o, const char *v) {
  return opt_flag(o, v, &o->residency);
}
static int opt_pages(Options *o, const char *v) {
  return opt_flag(o, v, &o->pages);
}
static int opt_maps_text(Options *o, const char *v) {
  return opt_flag(o, v, &o->maps_text);
}
static int opt_help(Options *o, const char *v) {
  return opt_flag(o, v, &o->help);
}
static int opt_version(Options *o, const char *v) {
  return opt_flag(o, v, &o->version);
}

static int opt_format(Options *o, const char *v) {
  if (strcmp(v, "table") == 0)
    o->format = VMS_FORMAT_TABLE;
  else if (strcmp(v, "csv") == 0)
    o->format = VMS_FORMAT_CSV;
  else if (strcmp(v, "json") == 0)
    o->format = VMS_FORMAT_JSON;
  else
    return usage_error("unknown format '%s' (table, csv or json)", v);
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
  if (o->range_lo >= o->range_hi)
    return usage_error("--range: '%s' starts at or after its end", v);
  o->has_range = true;
  return VMS_OK;
}

static int opt_watch(Options *o, const char *v) {
  if (!vms_interval_parse(v, 0.01, 86400, &o->watch_interval))
    return usage_error(
        "--watch: '%s' is not an interval (like 2, 0.5, 500ms or 1min; 0.01 s to 24 h)", v);
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
  if (!*v)
    return usage_error("--png needs a file name%s", "");
  o->png = v;
  return VMS_OK;
}

static int opt_size(Options *o, const char *v) {
  char *end;
  long w = strtol(v, &end, 10), h = -1;
  if (end != v && (*end == 'x' || *end == 'X')) {
    const char *hs = end + 1;
    h = strtol(hs, &end, 10);
    if (end == hs)
      h = -1;
  }
  if (*end || w <= 0 || h <= 0 || w > 32767 || h > 32767)
    return usage_error("--size: '%s' is not WIDTHxHEIGHT with each 1 to 32767", v);
  o->width = (int)w;
  o->height = (int)h;
  o->size_given = true;
  return VMS_OK;
}

static int opt_layout(Options *o, const char *v) {
  if (strcmp(v, "linear") == 0)
    o->layout = 0;
  else if (strcmp(v, "compressed") == 0)
    o->layout = 1;
  else
    return usage_error("--layout: '%s' is not linear or compressed", v);
  return VMS_OK;
}

static int opt_map(Options *o, const char *v) {
  return opt_flag(o, v, &o->map);
}

static int opt_color(Options *o, const char *v) {
  if (strcmp(v, "never") == 0)
    o->color = 0;
  else if (strcmp(v, "always") == 0)
    o->color = 1;
  else if (strcmp(v, "auto") == 0)
    o->color = -1;
  else
    return usage_error("--color: '%s' is not never, always or auto", v);
  return VMS_OK;
}

static int opt_metrics(Options *o, const char *v) {
  return opt_flag(o, v, &o->metrics);
}

static int opt_all(Options *o, const char *v) {
  return opt_flag(o, v, &o->all);
}

static int opt_match(Options *o, const char *v) {
  if (!*v)
    return usage_error("--match needs a regular expression%s", "");
  o->match = v;
  return VMS_OK;
}

static int opt_metrics_dir(Options *o, const char *v) {
  if (!*v)
    return usage_error("--metrics-dir needs a directory%s", "");
  o->metrics_dir = v;
  o->metrics = true;
  return VMS_OK;
}

static int opt_save(Options *o, const char *v) {
  if (!*v)
    return usage_error("--save needs a file name%s", "");
  o->save = v;
  return VMS_OK;
}

static int opt_record(Options *o, const char *v) {
  if (!*v)
    return usage_error("--record needs a file name (or - for standard output)%s", "");
  o->record = v;
  return VMS_OK;
}

static int opt_interval(Options *o, const char *v) {
  if (!vms_interval_parse(v, 0.01, 86400, &o->interval))
    return usage_error("--interval: '%s' is not an interval (like 1, 0.5, 500ms or 1min; 0.01 s to "
                       "24 h)",
                       v);
  o->has_interval = true;
  return VMS_OK;
}

static int opt_duration(Options *o, const char *v) {
  if (!vms_interval_parse(v, 0.01, 366.0 * 86400, &o->duration))
    return usage_error("--duration: '%s' is not a duration (like 90s, 30min or 12h)", v);
  return VMS_OK;
}

static int opt_at(Options *o, const char *v) {
  if (!*v)
    return usage_error("--at needs a frame: an index, +90s or an ISO 8601 time%s", "");
  o->at = v;
  return VMS_OK;
}

static int opt_timeline(Options *o, const char *v) {
  return opt_flag(o, v, &o->timeline);
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
  int (*apply2)(Options *o, const char *a, const char *b); /* options with two values */
} CliOption;

static int opt_diff(Options *o, const char *a, const char *b) {
  if (!*a || !*b)
    return usage_error("--diff needs two frames (or a frame and a second file)%s", "");
  o->diff_a = a;
  o->diff_b = b;
  return VMS_OK;
}

static const CliOption cli_options[] = {
    {"--list", NULL, NULL, "every process, and why one cannot be read", opt_list},
    {"--summary", NULL, NULL, "sizes by type (VMMap's table) and the fragmentation figures",
     opt_summary},
    {"--regions", NULL, NULL, "one row per region, free gaps included", opt_regions},
    {"--barriers", NULL, NULL,
     "what splits the free space: the regions between free blocks, ranked, by owner, with facts",
     opt_barriers},
    {"--format", NULL, "F", "table (default), csv or json", opt_format},
    {"--smaps", NULL, NULL, "also read per-region counters (RSS, PSS, swap...; costs more)",
     opt_smaps},
    {"--residency", NULL, NULL, "resident, swapped and huge-page bytes per region (pagemap; cheap)",
     opt_residency},
    {"--maps-text", NULL, NULL, "read regions from the maps text, not the PROCMAP_QUERY ioctl",
     opt_maps_text},
    {"--fit", NULL, "SIZE", "can SIZE bytes (512M, 1.5G, 4096...) still be placed, and where",
     opt_fit},
    {"--align", NULL, "SIZE", "alignment for --fit (default: the page size)", opt_align},
    {"--range", NULL, "START-END", "restrict to addresses [START, END) (hex)", opt_range},
    {"--watch", NULL, "SECONDS", "print a summary line per sample (2, 0.5, 500ms, 1min)",
     opt_watch},
    {"--count", NULL, "N", "with --watch, --record or ssh://: stop after N samples", opt_count},
    {"--png", NULL, "FILE", "write the map (.png, .svg or .pdf) with header and legend", opt_png},
    {"--pages", NULL, NULL,
     "with --png: each region's pages as resident, swapped or untouched (pagemap)", opt_pages},
    {"--map", NULL, NULL, "the map as text, sized to the terminal (--size COLSxROWS)", opt_map},
    {"--color", NULL, "WHEN", "colour the --map: never, always or auto (a terminal, no NO_COLOR)",
     opt_color},
    {"--size", NULL, "WxH", "image size in pixels (default 1600x1000); for --map, characters",
     opt_size},
    {"--layout", NULL, "L", "linear, or compressed (free gaps shrunk; default for 64-bit)",
     opt_layout},
    {"--metrics", NULL, NULL, "OpenMetrics text for Prometheus of the PIDs given, --all or --match",
     opt_metrics},
    {"--all", NULL, NULL, "with --metrics: every process", opt_all},
    {"--match", NULL, "REGEX", "with --metrics: processes whose name or command line matches",
     opt_match},
    {"--metrics-dir", NULL, "DIR", "write DIR/vmscope.prom for node_exporter's textfile collector",
     opt_metrics_dir},
    {"--maps-file", NULL, "FILE", "read a captured /proc/PID/maps or smaps instead of a process",
     opt_maps_file},
    {"--save", NULL, "FILE", "write one snapshot to FILE (vmscope FILE reads it back)", opt_save},
    {"--record", NULL, "FILE", "record frames to FILE (- for standard output) until stopped",
     opt_record},
    {"--interval", NULL, "SECONDS",
     "with --record or ssh://: time between frames (default 1 s); with --metrics-dir: between "
     "collections",
     opt_interval},
    {"--duration", NULL, "D", "with --record or ssh://: stop after D (90s, 30min, 12h)",
     opt_duration},
    {"--at", NULL, "REF", "frame of a recording: index, +90s from the start, or ISO 8601 time",
     opt_at},
    {"--timeline", NULL, NULL, "one row per frame of a recording, and a forecast", opt_timeline},
    {"--diff", NULL, "A B", "what changed from frame A to B (B may be another file)", NULL,
     opt_diff},
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
    snprintf(left, sizeof left, "%s%s%s%s%s", c->name, c->alias ? ", " : "",
             c->alias ? c->alias : "", c->arg ? " " : "", c->arg ? c->arg : "");
    fprintf(f, "  %-20s %s\n", left, c->help);
  }
  fputc('\n', f);
  fputs(usage_exit, f);
}

bool vms_cli_wants_cli(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (find_option(argv[i]))
      return true;
  return false;
}

/* ssh://HOST[/PID]: the outputs of `vmscope -`, from frames recorded there. */
static int check_remote_args(Options *o) {
  const char *host = o->remote.host;
  if (o->help || o->version)
    return VMS_OK;
  if (o->list) {
    if (o->remote.pid)
      return usage_error("--list takes ssh://HOST without a process ID%s", "");
    return VMS_OK;
  }
  if (!o->remote.pid)
    return usage_error("which process on %s? Give ssh://HOST/PID (vmscope ssh://HOST --list "
                       "shows them)",
                       host);
  const char *local = o->watch       ? "--watch (frames arrive every --interval)"
                      : o->record    ? "--record (ssh HOST vmscope PID --record - > FILE does it)"
                      : o->smaps     ? "--smaps"
                      : o->maps_file ? "--maps-file"
                      : o->at        ? "--at"
                      : o->diff_a    ? "--diff"
                                     : NULL;
  if (local)
    return usage_error("%s does not go with ssh://", local);
  bool first = o->summary || o->regions || o->barriers || o->png || o->map || o->save;
  if (first && (o->count > 0 || o->duration > 0))
    return usage_error("--summary, --regions, --barriers, --png, --map and --save show the first "
                       "frame: no --count or --duration%s",
                       "");
  if (o->count > 0 && o->duration > 0)
    return usage_error("ssh:// stops at --count or at --duration: give one%s", "");
  if (o->timeline && first)
    return usage_error("--timeline is a document of its own: no --summary, --regions or --png "
                       "with it%s",
                       "");
  if ((int)o->summary + (int)o->regions + (int)o->barriers > 1 && o->format != VMS_FORMAT_TABLE)
    return usage_error("--summary, --regions and --barriers are one document each in %s: ask for "
                       "one at a time (the JSON summary holds the barriers too)",
                       o->format == VMS_FORMAT_JSON ? "JSON" : "CSV");
  return VMS_OK;
}

/* "vmscope", "vmscope PID", "vmscope FILE" (FILE a recording or saved
 * snapshot: it starts with the recording magic), "vmscope -" with a pipe
 * or file on standard input (a terminal sends no recording) and a valid
 * "vmscope ssh://HOST[/PID]" (without a PID: the picker of that machine's
 * processes) are the window's; a bad URL is the CLI's to explain. */
bool vms_cli_wants_window(int argc, char **argv) {
  int pid;
  if (vms_cli_wants_cli(argc, argv))
    return false;
  if (argc == 2 && strcmp(argv[1], "-") == 0)
    return !vms_terminal_is(stdin);
  VmsRemoteTarget t;
  char why[300];
  if (argc == 2 && vms_remote_is_url(argv[1]))
    return vms_remote_parse(argv[1], &t, why, sizeof why);
  return argc == 1 ||
         (argc == 2 && (parse_pid(argv[1], &pid) || vms_recording_file_looks_like(argv[1])));
}

static int parse_args(int argc, char **argv, int *pids, Options *o) {
  memset(o, 0, sizeof *o);
  o->pids = pids; /* room for argc PIDs */
  o->layout = -1;
  o->width = 1600;
  o->height = 1000;
  o->count = -1;
  o->color = -1;
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
      if (c->arg && !c->apply2) {
        /* "--opt=value" or the next argument. */
        size_t n = strlen(names(a, c->name) ? c->name : c->alias);
        if (a[n] == '=')
          v = a + n + 1;
        else if (i + 1 < argc)
          v = argv[++i];
        else
          return usage_error("%s needs a value", c->name);
      } else if (strchr(a, '=')) {
        return usage_error("%s takes no value", c->name);
      }
      int rc;
      if (c->apply2) {
        if (strchr(a, '='))
          return usage_error("%s takes its two values as two arguments", c->name);
        if (i + 2 >= argc)
          return usage_error("%s needs two values", c->name);
        rc = c->apply2(o, argv[i + 1], argv[i + 2]);
        i += 2;
      } else {
        rc = c->apply(o, v);
      }
      if (rc != VMS_OK)
        return rc;
    } else if (!options_done && a[0] == '-' && a[1] != '\0') {
      return usage_error("unknown option '%s'", a);
    } else if (o->file || o->has_remote) {
      return usage_error("one process or file at a time: unexpected '%s'", a);
    } else if (vms_remote_is_url(a)) {
      char why[600];
      if (o->n_pids)
        return usage_error("one process or file at a time: unexpected '%s'", a);
      if (!vms_remote_parse(a, &o->remote, why, sizeof why))
        return usage_error("%s", why);
      o->has_remote = true;
    } else {
      int pid;
      if (parse_pid(a, &pid)) {
        /* Several only for --metrics: said after every option is known. */
        o->pids[o->n_pids++] = pid;
        if (!o->pid)
          o->pid = pid;
      } else {
        /* Not a PID: a recording or a saved snapshot, when there is such a file. */
        struct stat st;
        bool digits = *a && strspn(a, "0123456789") == strlen(a);
        if (o->n_pids || digits || !(strcmp(a, "-") == 0 || stat(a, &st) == 0))
          return usage_error("'%s' is not a process ID, nor a recording or snapshot file", a);
        o->file = a;
      }
    }
  }
  if (o->has_remote && o->metrics)
    return usage_error("--metrics reads processes here: run it on the other machine%s", "");
  if (o->metrics) {
    int ways = (o->n_pids > 0) + o->all + (o->match != NULL);
    if (ways != 1)
      return usage_error("--metrics takes PIDs, --all or --match REGEX: one of them%s", "");
    if (o->has_interval && !o->metrics_dir)
      return usage_error("--interval goes with --metrics-dir (or --record)%s", "");
    if (o->file)
      return usage_error("--metrics reads live processes, not a recording%s", "");
    return VMS_OK;
  }
  if (o->all || o->match)
    return usage_error("--all and --match go with --metrics%s", "");
  if (o->has_remote && o->pages)
    return usage_error("--pages reads the page tables here: not through ssh://%s", "");
  if (o->has_remote)
    return check_remote_args(o);
  if (o->n_pids > 1) {
    char second[16];
    snprintf(second, sizeof second, "%d", o->pids[1]);
    return usage_error("one process or file at a time: unexpected '%s'", second);
  }
  if (o->help || o->version || o->list)
    return VMS_OK;
  if (o->count > 0 && !o->watch && !o->record)
    return usage_error("--count goes with --watch or --record%s", "");
  if ((o->has_interval || o->duration > 0) && !o->record)
    return usage_error("--interval and --duration go with --record (--interval also with "
                       "--metrics-dir)%s",
                       "");
  if (o->record && o->count > 0 && o->duration > 0)
    return usage_error("--record stops at --count or at --duration: give one%s", "");
  if (!o->pid && !o->maps_file && !o->file)
    return usage_error("which process? Give a PID (see --list) or a recording file%s", "");
  if (o->pid && o->maps_file)
    return usage_error("give a PID or --maps-file, not both%s", "");
  if (o->file && o->maps_file)
    return usage_error("give a recording or --maps-file, not both%s", "");
  if (o->watch && o->maps_file)
    return usage_error("--watch needs a live process%s", "");
  if (o->residency && (o->maps_file || o->file))
    return usage_error("--residency reads a live process's page tables, not a file%s", "");
  if (o->pages && !o->png)
    return usage_error("--pages draws page states on the --png map: give --png FILE%s", "");
  if (o->pages && (o->maps_file || o->file))
    return usage_error("--pages reads a live process's page tables, not a file%s", "");
  if (o->file && (o->watch || o->record || o->save || o->smaps))
    return usage_error("%s needs a live process, not a recording", o->watch    ? "--watch"
                                                                   : o->record ? "--record"
                                                                   : o->save   ? "--save"
                                                                               : "--smaps");
  if (o->record && !o->pid)
    return usage_error("--record needs a live process (a PID)%s", "");
  if (o->record && o->save)
    return usage_error("--record or --save: one at a time%s", "");
  if (!o->file && (o->at || o->timeline || o->diff_a))
    return usage_error("%s reads a recording: give its file instead of a process",
                       o->at         ? "--at"
                       : o->timeline ? "--timeline"
                                     : "--diff");
  if (o->diff_a && o->at)
    return usage_error("--diff names both its frames: no --at%s", "");
  if ((o->timeline || o->diff_a) && (o->summary || o->regions || o->png))
    return usage_error("%s is a document of its own: no --summary, --regions or --png with it",
                       o->timeline ? "--timeline" : "--diff");
  if (o->timeline && o->diff_a)
    return usage_error("--timeline or --diff: one at a time%s", "");
  if (o->record || o->save || o->timeline || o->diff_a) {
    if (o->record && o->summary)
      return usage_error("--record prints no summary%s", "");
  } else if (o->file && strcmp(o->file, "-") == 0 && !o->summary && !o->regions && !o->png &&
             !o->barriers && !o->map && !o->at) {
    /* A stream read as it arrives: a summary line per frame, like --watch. */
  } else if (!o->summary && !o->regions && !o->barriers && !o->watch && !o->png && !o->map) {
    o->summary = true;
  }
  if ((int)o->summary + (int)o->regions + (int)o->barriers > 1 && o->format != VMS_FORMAT_TABLE)
    return usage_error("--summary, --regions and --barriers are one document each in %s: ask for "
                       "one at a time (the JSON summary holds the barriers too)",
                       o->format == VMS_FORMAT_JSON ? "JSON" : "CSV");
  return VMS_OK;
}

static int read_file(const char *path, char **buf, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return vms_cli_fail(VMS_ERR_IO, "cannot open %s: %s", path, strerror(errno));
  size_t cap = 1 << 20, n = 0;
  char *b = malloc(cap);
  while (b) {
    size_t got = fread(b + n, 1, cap - n, f);
    n += got;
    if (got == 0)
      break;
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
  if (!b)
    return vms_cli_fail(VMS_ERR_NOMEM, "out of memory reading %s", path);
  if (bad) {
    free(b);
    return vms_cli_fail(VMS_ERR_IO, "cannot read %s: %s", path, strerror(e));
  }
  *buf = b;
  *len = n;
  return VMS_OK;
}

/* smaps text has "Key: value" lines after each mapping; maps has none. */
static bool has_counter_lines(const char *buf, size_t len) {
  for (size_t i = 0; i + 4 < len; i++)
    if (buf[i] == '\n' && buf[i + 1] >= 'A' && buf[i + 1] <= 'Z')
      return true;
  return false;
}

/* A snapshot of a captured maps/smaps file (smaps when it has counter lines). */
static int snapshot_from_file(const char *path, VmsSnapshot **out) {
  char *buf = NULL;
  size_t len = 0;
  int rc = read_file(path, &buf, &len);
  if (rc)
    return rc;
  VmsSpace space;
  vms_space_init(&space);
  VmsError err = {0};
  const bool smaps = has_counter_lines(buf, len);
  VmsErrorCode code =
      smaps ? vms_smaps_parse(buf, len, &space, &err) : vms_maps_parse(buf, len, &space, &err);
  free(buf);
  if (code == VMS_OK && space.n_regions == 0)
    code = vms_error_set(&err, VMS_ERR_PARSE, "no mappings in the file");
  if (code == VMS_OK) {
    const char *base = strrchr(path, '/');
    snprintf(space.name, sizeof space.name, "%s", base ? base + 1 : path);
    code = vms_snapshot_build(&space, out, &err);
  }
  vms_space_clear(&space);
  if (code != VMS_OK)
    return fail_err(&err, path);
  return VMS_OK;
}

/* keep: NULL, or where the target goes, still open, for a read after the
 * snapshot (the page states of the exported range). */
static int snapshot_from_pid(int pid, unsigned what, VmsSnapshot **out, VmsTarget **keep) {
  VmsTarget *t;
  VmsError err = {0};
  VmsErrorCode code = vms_target_open(pid, &t, &err);
  if (code != VMS_OK)
    return fail_err(&err, NULL);
  VmsSpace space;
  vms_space_init(&space);
  double t0 = vms_time_monotonic();
  code = vms_target_read(t, what, &space, &err);
  if (code == VMS_OK)
    code = vms_snapshot_build(&space, out, &err);
  if (code == VMS_OK)
    (*out)->read_seconds = vms_time_monotonic() - t0;
  vms_space_clear(&space);
  if (code == VMS_OK && keep)
    *keep = t;
  else
    vms_target_close(t);
  if (code != VMS_OK)
    return fail_err(&err, NULL);
  return VMS_OK;
}

#if VMS_HAVE_CAIRO
/* The page states of [vp->start, vp->end) for --pages, read after the
 * snapshot. Where they cannot be read the map is still written, its header
 * saying why, and so does one line on stderr; only running out of memory
 * stops the export. */
static int read_export_pages(VmsTarget *t, const VmsViewport *vp, VmsPageMap **pages, char *why,
                             size_t why_len) {
  *pages = NULL;
  why[0] = '\0';
  VmsPageMap *pm = vms_page_map_new();
  if (!pm)
    return vms_cli_fail(VMS_ERR_NOMEM, "out of memory");
  VmsError err = {0};
  VmsErrorCode code = t ? vms_target_read_pages(t, vp->start, vp->end, pm, &err) : VMS_ERR_INTERNAL;
  if (code == VMS_ERR_NOMEM) {
    vms_page_map_free(pm);
    return vms_cli_fail(VMS_ERR_NOMEM, "out of memory reading the page states");
  }
  if (code != VMS_OK) {
    snprintf(why, why_len, "page states not read: %s",
             err.message[0] ? err.message : "the process could not be read again");
    vms_page_map_free(pm);
    return VMS_OK;
  }
  if (!pm->n_runs && pm->note[0])
    snprintf(why, why_len, "%s", pm->note);
  *pages = pm;
  return VMS_OK;
}
#endif

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
      if (w->remaining > 0 && --w->remaining == 0)
        w->done = true;
    } else {
      w->status = fail_err(err, NULL);
      w->done = true;
    }
    if (w->done)
      pthread_cond_signal(&w->done_cond);
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
  if (code != VMS_OK)
    return fail_err(&err, NULL);
  pthread_mutex_lock(&w.lock);
  while (!w.done)
    pthread_cond_wait(&w.done_cond, &w.lock);
  pthread_mutex_unlock(&w.lock);
  vms_sampler_stop(s);
  pthread_mutex_destroy(&w.lock);
  pthread_cond_destroy(&w.done_cond);
  return w.status;
}

/* ---- saved snapshots and recordings ---- */

/* The output file for --save: a temporary name beside the target, renamed
 * over it once every byte is out and synced, as the exports do. */
static int save_snapshot(const char *path, const VmsSnapshot *snap) {
  const bool to_stdout = strcmp(path, "-") == 0;
  struct stat st;
  if (!to_stdout && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
    return vms_cli_fail(VMS_ERR_IO, "cannot write %s: %s", path,
                        S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file");
  char tmp[4096];
  FILE *f = stdout;
  if (to_stdout) {
    vms_file_set_binary(stdout);
  } else {
    static unsigned counter;
    f = NULL;
    for (int attempt = 0; attempt < 100 && !f; attempt++) {
      unsigned tag = (unsigned)time(NULL) * 2654435761u + ++counter * 40503u;
      int n = snprintf(tmp, sizeof tmp, "%s.%08x.tmp", path, tag);
      if (n < 0 || (size_t)n >= sizeof tmp)
        return vms_cli_fail(VMS_ERR_USAGE, "%s: path too long", path);
      f = fopen(tmp, "wbx");
      if (!f && errno != EEXIST)
        return vms_cli_fail(VMS_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    }
    if (!f)
      return vms_cli_fail(VMS_ERR_IO, "cannot write %s: no free temporary name beside it", path);
  }
  VmsRecordingWriter *w;
  VmsError err = {0};
  VmsErrorCode code = vms_recording_writer_new(f, &w, &err);
  if (code == VMS_OK)
    code = vms_recording_writer_append(w, snap, 0, &err);
  if (code == VMS_OK)
    code = vms_recording_writer_finish(w, &err);
  vms_recording_writer_free(w);
  if (to_stdout)
    return code == VMS_OK ? VMS_OK : fail_err(&err, path);
  int e = 0;
  if (code == VMS_OK && !vms_file_sync(f)) {
    e = errno;
    code = vms_error_set(&err, VMS_ERR_IO, "%s", strerror(e));
  }
  if (fclose(f) != 0 && code == VMS_OK)
    code = vms_error_set(&err, VMS_ERR_IO, "%s", strerror(errno));
  if (code == VMS_OK && !vms_file_replace(tmp, path))
    code = vms_error_set(&err, VMS_ERR_IO, "%s", strerror(errno));
  if (code != VMS_OK) {
    remove(tmp);
    return fail_err(&err, path);
  }
  return VMS_OK;
}

/* --record: the sampler's thread writes each frame; the main thread waits
 * for the count, the duration, a signal or the process's exit. */
static volatile sig_atomic_t record_signal;
static void on_record_signal(int sig) {
  record_signal = sig;
}

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  VmsRecordingWriter *w;
  const char *path;
  long remaining;
  double until; /* monotonic end, 0 for none */
  bool done, exited;
  int status;
  double last_time;
} Record;

static void record_sample(VmsSnapshot *snap, const VmsError *err, void *user) {
  Record *r = user;
  pthread_mutex_lock(&r->lock);
  if (!r->done) {
    VmsError werr = {0};
    if (snap && r->until > 0 && vms_time_monotonic() > r->until + 0.05) {
      r->done = true;
    } else if (snap) {
      if (vms_recording_writer_append(r->w, snap, 0, &werr) != VMS_OK) {
        uint32_t n = vms_recording_writer_frames(r->w);
        if (n)
          r->status = vms_cli_fail(werr.code, "%s: %s; it opens up to frame %u", r->path,
                                   werr.message, n - 1);
        else
          r->status = fail_err(&werr, r->path);
        r->done = true;
      } else {
        r->last_time = snap->taken_at;
        if (r->remaining > 0 && --r->remaining == 0)
          r->done = true;
      }
    } else if (vms_recording_writer_frames(r->w) && vms_error_ends_target(err->code)) {
      /* The process ended: the last frame says so, with the map it left. */
      if (vms_recording_writer_append_exit(r->w, vms_time_now(), &werr) != VMS_OK)
        r->status = fail_err(&werr, r->path);
      r->exited = true;
      r->done = true;
    } else {
      r->status = fail_err(err, NULL);
      r->done = true;
    }
    if (r->done)
      pthread_cond_signal(&r->cond);
  }
  pthread_mutex_unlock(&r->lock);
  vms_snapshot_unref(snap);
}

static int run_record(const Options *o) {
  const bool to_stdout = strcmp(o->record, "-") == 0;
  struct stat st;
  if (!to_stdout && stat(o->record, &st) == 0 && S_ISDIR(st.st_mode))
    return vms_cli_fail(VMS_ERR_IO, "cannot write %s: it is a directory", o->record);
  FILE *f = to_stdout ? stdout : fopen(o->record, "wb");
  if (!f)
    return vms_cli_fail(VMS_ERR_IO, "cannot write %s: %s", o->record, strerror(errno));
  if (to_stdout)
    vms_file_set_binary(stdout);
  Record r = {.path = o->record, .remaining = o->count};
  VmsError err = {0};
  vms_recording_writer_new(f, &r.w, &err);
  pthread_mutex_init(&r.lock, NULL);
  pthread_cond_init(&r.cond, NULL);
  VmsSamplerOptions so;
  vms_sampler_options_default(&so);
  so.interval = o->has_interval ? o->interval : 1.0;
  so.max_cpu_share = 0; /* a recording keeps the interval it was asked for */
  so.what = VMS_READ_REGIONS | VMS_READ_THREADS;
  if (o->duration > 0)
    r.until = vms_time_monotonic() + o->duration;
  record_signal = 0;
  signal(SIGINT, on_record_signal);
  signal(SIGTERM, on_record_signal);
  VmsSampler *s = NULL;
  VmsErrorCode code = vms_sampler_start(o->pid, &so, record_sample, &r, &s, &err);
  int status;
  if (code != VMS_OK) {
    status = fail_err(&err, NULL);
  } else {
    pthread_mutex_lock(&r.lock);
    while (!r.done && !record_signal) {
      /* Wake now and then: a signal does not reach a condition wait. */
      /* The wall clock, as pthread_cond_timedwait reads it (C11's
       * timespec_get is not in every C library vmscope builds with). */
      double wake = vms_time_now() + 0.1;
      struct timespec ts = {(time_t)wake, (long)((wake - (double)(time_t)wake) * 1e9)};
      pthread_cond_timedwait(&r.cond, &r.lock, &ts);
      if (r.until > 0 && vms_time_monotonic() > r.until)
        r.done = true;
    }
    r.done = true;
    pthread_mutex_unlock(&r.lock);
    vms_sampler_stop(s);
    status = r.status;
  }
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  uint32_t frames = vms_recording_writer_frames(r.w);
  if (status == VMS_OK && frames && vms_recording_writer_finish(r.w, &err) != VMS_OK)
    status = fail_err(&err, o->record);
  vms_recording_writer_free(r.w);
  if (!to_stdout && fclose(f) != 0 && status == VMS_OK)
    status = vms_cli_fail(VMS_ERR_IO, "cannot write %s: %s", o->record, strerror(errno));
  if (frames && (status == VMS_OK || r.exited))
    fprintf(stderr, "vmscope: recorded %u frame%s to %s (%s)\n", frames, frames == 1 ? "" : "s",
            to_stdout ? "standard output" : o->record,
            r.exited        ? "the process exited"
            : record_signal ? "stopped by a signal"
            : o->count > 0  ? "count reached"
            : o->duration   ? "duration reached"
                            : "stopped");
  return status;
}

/* A recording from a file or standard input, read whole (stdin into memory). */
typedef struct {
  VmsRecording *rec;
  FILE *f;
  char *buf;
} Opened;

static void opened_close(Opened *op) {
  vms_recording_close(op->rec);
  if (op->f)
    fclose(op->f);
  free(op->buf);
  memset(op, 0, sizeof *op);
}

static int open_recording(const char *path, Opened *op) {
  memset(op, 0, sizeof *op);
  VmsError err = {0};
  VmsErrorCode code;
  const char *label = strcmp(path, "-") == 0 ? "standard input" : path;
  if (strcmp(path, "-") == 0) {
    vms_file_set_binary(stdin);
    size_t cap = 1 << 20, n = 0;
    op->buf = malloc(cap);
    while (op->buf) {
      size_t got = fread(op->buf + n, 1, cap - n, stdin);
      n += got;
      if (got == 0)
        break;
      if (n == cap) {
        char *nb = realloc(op->buf, cap * 2);
        if (!nb) {
          free(op->buf);
          op->buf = NULL;
          break;
        }
        op->buf = nb;
        cap *= 2;
      }
    }
    if (!op->buf)
      return vms_cli_fail(VMS_ERR_NOMEM, "out of memory reading standard input");
    if (ferror(stdin)) {
      opened_close(op);
      return vms_cli_fail(VMS_ERR_IO, "cannot read standard input: %s", strerror(errno));
    }
    code = vms_recording_open_buffer(op->buf, n, &op->rec, &err);
  } else {
    op->f = fopen(path, "rb");
    if (!op->f)
      return vms_cli_fail(VMS_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    code = vms_recording_open_file(op->f, &op->rec, &err);
  }
  if (code != VMS_OK) {
    opened_close(op);
    return fail_err(&err, label);
  }
  if (vms_recording_truncated(op->rec))
    fprintf(stderr, "vmscope: %s: truncated after frame %zu; showing up to it\n", label,
            vms_recording_count(op->rec) - 1);
  return VMS_OK;
}

/* REF: an index, "last", +DURATION from the first frame, or an ISO 8601 time:
 * the last frame at or before that moment. */
static int resolve_ref(const VmsRecording *rec, const char *ref, size_t *out) {
  size_t n = vms_recording_count(rec);
  double t0 = vms_recording_info(rec, 0)->time, t1 = vms_recording_info(rec, n - 1)->time;
  if (strcmp(ref, "last") == 0) {
    *out = n - 1;
    return VMS_OK;
  }
  if (*ref && strspn(ref, "0123456789") == strlen(ref)) {
    errno = 0;
    unsigned long long k = strtoull(ref, NULL, 10);
    if (errno || k >= n)
      return vms_cli_fail(
          VMS_ERR_USAGE, "frame %s is past the end: the recording has frames 0 to %zu", ref, n - 1);
    *out = (size_t)k;
    return VMS_OK;
  }
  double when;
  double offset;
  if (ref[0] == '+' && vms_interval_parse(ref + 1, 0, 1e10, &offset)) {
    when = t0 + offset;
  } else if (vms_time_parse(ref, &when)) {
  } else {
    return vms_cli_fail(VMS_ERR_USAGE,
                        "'%s' is not a frame: give an index (0 to %zu), +90s from the first frame, "
                        "or an ISO 8601 time like 2026-11-26T01:20:00Z",
                        ref, n - 1);
  }
  char a[32], b[32];
  vms_time_format(t0, VMS_TIME_ISO8601, a, sizeof a);
  vms_time_format(t1, VMS_TIME_ISO8601, b, sizeof b);
  if (when + 1e-6 < t0)
    return vms_cli_fail(
        VMS_ERR_USAGE, "%s is before the first frame: the recording runs from %s to %s", ref, a, b);
  if (when > t1 + 1e-6)
    return vms_cli_fail(VMS_ERR_USAGE, "%s is past the end: the recording runs from %s to %s", ref,
                        a, b);
  size_t k = 0;
  while (k + 1 < n && vms_recording_info(rec, k + 1)->time <= when + 1e-6)
    k++;
  *out = k;
  return VMS_OK;
}

static int rebuild(VmsRecording *rec, size_t k, const char *label, VmsSnapshot **out) {
  VmsError err = {0};
  if (vms_recording_frame(rec, k, out, &err) != VMS_OK)
    return fail_err(&err, label);
  return VMS_OK;
}

/* ---- --timeline ---- */

static const VmsRegionType timeline_types[] = {VMS_TYPE_IMAGE, VMS_TYPE_MAPPED, VMS_TYPE_SHAREABLE,
                                               VMS_TYPE_HEAP,  VMS_TYPE_STACK,  VMS_TYPE_PRIVATE,
                                               VMS_TYPE_SYSTEM};
enum { N_TIMELINE_TYPES = sizeof timeline_types / sizeof timeline_types[0] };
enum { FORECAST_WINDOW = 60 }; /* frames the trend of the largest free block is fitted on */
#define FORECAST_DEFAULT_SIZE ((uint64_t)64 << 20)

typedef struct {
  VmsFormat format;
  size_t rows;
  double t0;
  double *times;
  uint64_t *largest;
  size_t n, cap;
} Timeline;

static void timeline_row(Timeline *tl, const VmsFrameInfo *fi) {
  FILE *f = stdout;
  const uint64_t *g = fi->fig;
  if (tl->rows == 0)
    tl->t0 = fi->time;
  double off = fi->time - tl->t0;
  char t[32];
  vms_time_format(fi->time, VMS_TIME_ISO8601, t, sizeof t);
  uint64_t reserved = g[VMS_FIG_SIZE] - g[VMS_FIG_COMMITTED];
  if (tl->format == VMS_FORMAT_CSV) {
    if (tl->rows == 0) {
      fputs("index,time,seconds,kind,exited,pid,regions,vma_count,free_total,free_largest,"
            "free_blocks,committed,reserved",
            f);
      for (int k = 0; k < N_TIMELINE_TYPES; k++)
        fprintf(f, ",committed_%s", vms_type_name(timeline_types[k]));
      fputc('\n', f);
    }
    fprintf(f,
            "%u,%s,%.3f,%s,%s,%d,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
            ",%" PRIu64 ",%" PRIu64,
            fi->index, t, off, fi->kind == VMS_FRAME_KEY ? "key" : "delta",
            (fi->flags & VMS_FRAME_EXITED) ? "yes" : "no", fi->pid, g[VMS_FIG_REGIONS],
            g[VMS_FIG_VMA_COUNT], g[VMS_FIG_FREE_TOTAL], g[VMS_FIG_FREE_LARGEST],
            g[VMS_FIG_FREE_BLOCKS], g[VMS_FIG_COMMITTED], reserved);
    for (int k = 0; k < N_TIMELINE_TYPES; k++)
      fprintf(f, ",%" PRIu64, g[VMS_FIG_TYPE_COMMITTED + timeline_types[k]]);
    fputc('\n', f);
  } else if (tl->format == VMS_FORMAT_JSON) {
    fprintf(f,
            "%s\n{\"index\":%u,\"time\":\"%s\",\"seconds\":%.3f,\"kind\":\"%s\",\"exited\":%s,"
            "\"pid\":%d,\"regions\":%" PRIu64 ",\"vma_count\":%" PRIu64 ",\"free_total\":%" PRIu64
            ",\"free_largest\":%" PRIu64 ",\"free_blocks\":%" PRIu64 ",\"committed\":%" PRIu64
            ",\"reserved\":%" PRIu64 ",\"committed_by_type\":{",
            tl->rows ? "," : "{\"frames\":[", fi->index, t, off,
            fi->kind == VMS_FRAME_KEY ? "key" : "delta",
            (fi->flags & VMS_FRAME_EXITED) ? "true" : "false", fi->pid, g[VMS_FIG_REGIONS],
            g[VMS_FIG_VMA_COUNT], g[VMS_FIG_FREE_TOTAL], g[VMS_FIG_FREE_LARGEST],
            g[VMS_FIG_FREE_BLOCKS], g[VMS_FIG_COMMITTED], reserved);
    for (int k = 0; k < N_TIMELINE_TYPES; k++)
      fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", vms_type_name(timeline_types[k]),
              g[VMS_FIG_TYPE_COMMITTED + timeline_types[k]]);
    fputs("}}", f);
  } else {
    if (tl->rows == 0)
      fprintf(f, "%6s %-20s %9s %7s %7s %11s %11s %6s %11s %11s %11s %11s %11s\n", "FRAME", "TIME",
              "SECONDS", "REGIONS", "VMAS", "FREE", "LARGEST", "BLOCKS", "COMMITTED", "RESERVED",
              "HEAP", "PRIVATE", "IMAGE");
    char a[32], b[32], c[32], d[32], e[32], h[32], im[32];
    vms_size_format(g[VMS_FIG_FREE_TOTAL], a, sizeof a);
    vms_size_format(g[VMS_FIG_FREE_LARGEST], b, sizeof b);
    vms_size_format(g[VMS_FIG_COMMITTED], c, sizeof c);
    vms_size_format(reserved, d, sizeof d);
    vms_size_format(g[VMS_FIG_TYPE_COMMITTED + VMS_TYPE_HEAP], e, sizeof e);
    vms_size_format(g[VMS_FIG_TYPE_COMMITTED + VMS_TYPE_PRIVATE], h, sizeof h);
    vms_size_format(g[VMS_FIG_TYPE_COMMITTED + VMS_TYPE_IMAGE], im, sizeof im);
    fprintf(f,
            "%6u %-20s %9.1f %7" PRIu64 " %7" PRIu64 " %11s %11s %6" PRIu64
            " %11s %11s %11s %11s %11s%s\n",
            fi->index, t, off, g[VMS_FIG_REGIONS], g[VMS_FIG_VMA_COUNT], a, b,
            g[VMS_FIG_FREE_BLOCKS], c, d, e, h, im,
            (fi->flags & VMS_FRAME_EXITED) ? "  (process exited)" : "");
  }
  tl->rows++;
  if (tl->n == tl->cap) {
    size_t cap = tl->cap ? tl->cap * 2 : 256;
    double *t2 = realloc(tl->times, cap * sizeof *t2);
    if (t2)
      tl->times = t2;
    uint64_t *l2 = t2 ? realloc(tl->largest, cap * sizeof *l2) : NULL;
    if (l2)
      tl->largest = l2;
    if (!t2 || !l2)
      return; /* the forecast then covers fewer frames */
    tl->cap = cap;
  }
  tl->times[tl->n] = fi->time;
  tl->largest[tl->n] = g[VMS_FIG_FREE_LARGEST];
  tl->n++;
}

/* Least squares of the largest free block against time over the last
 * FORECAST_WINDOW frames: when would `size` stop fitting at that rate? */
static void timeline_end(Timeline *tl, uint64_t fit_size) {
  FILE *f = stdout;
  const bool dflt = fit_size == 0;
  uint64_t size = dflt ? FORECAST_DEFAULT_SIZE : fit_size;
  size_t n = tl->n, first = n > FORECAST_WINDOW ? n - FORECAST_WINDOW : 0, m = n - first;
  double slope = 0, until = 0;
  bool have = false, fits = n && tl->largest[n - 1] >= size, shrinking = false;
  if (m >= 3) {
    double mt = 0, my = 0;
    for (size_t i = first; i < n; i++) {
      mt += tl->times[i] - tl->times[first];
      my += (double)tl->largest[i];
    }
    mt /= (double)m;
    my /= (double)m;
    double sxy = 0, sxx = 0;
    for (size_t i = first; i < n; i++) {
      double dt = tl->times[i] - tl->times[first] - mt;
      sxy += dt * ((double)tl->largest[i] - my);
      sxx += dt * dt;
    }
    if (sxx > 0) {
      have = true;
      slope = sxy / sxx;
      shrinking = slope < 0;
      if (shrinking && fits)
        until = tl->times[first] + mt + ((double)size - my) / slope;
    }
  }
  char sz[32], rate[32], when[32], span[32];
  vms_size_format(size, sz, sizeof sz);
  vms_size_format((uint64_t)fabs(slope * 3600), rate, sizeof rate);
  if (until > 0)
    vms_time_format(until, VMS_TIME_ISO8601, when, sizeof when);
  if (until > 0)
    vms_interval_format(until - tl->times[n - 1] > 0 ? until - tl->times[n - 1] : 0, span,
                        sizeof span);
  if (tl->format == VMS_FORMAT_JSON) {
    if (!tl->rows)
      fputs("{\"frames\":[", f);
    fprintf(f,
            "\n],\"forecast\":{\"estimate\":true,\"size\":%" PRIu64 ",\"size_is_default\":%s,"
            "\"window\":{\"first\":%zu,\"last\":%zu},\"fits_now\":%s,",
            size, dflt ? "true" : "false", first, n ? n - 1 : 0, fits ? "true" : "false");
    if (have)
      fprintf(f, "\"largest_free_change_per_second\":%.3f,", slope);
    else
      fputs("\"largest_free_change_per_second\":null,", f);
    if (until > 0)
      fprintf(f, "\"stops_fitting_at\":\"%s\"}}\n", when);
    else
      fputs("\"stops_fitting_at\":null}}\n", f);
    return;
  }
  if (tl->format != VMS_FORMAT_TABLE)
    return; /* CSV is the rows alone */
  fprintf(f,
          "\nforecast (an estimate: least squares of the largest free block over frames %zu to "
          "%zu)%s:\n  ",
          first, n ? n - 1 : 0,
          dflt ? "; --fit SIZE asks about another size than the default 64 MiB" : "");
  if (!fits)
    fprintf(f, "an allocation of %s already does not fit in the last frame\n", sz);
  else if (!have)
    fprintf(f, "too few frames (%zu) over too little time for a trend\n", m);
  else if (!shrinking)
    fprintf(f,
            "the largest free block is not shrinking (%s%s per hour): %s keeps fitting at this "
            "rate\n",
            slope > 0 ? "+" : "", rate, sz);
  else
    fprintf(f,
            "the largest free block shrinks by %s per hour; at that rate an allocation of %s "
            "stops fitting at about %s, %s after the last frame\n",
            rate, sz, when, span);
}

/* ---- streams: standard input, or a recording made on another machine ---- */

typedef void (*FrameFn)(void *user, VmsSnapshot *snap, const VmsFrameInfo *fi);

/* Hands each frame of `in` to fn as it arrives; the error is filled, not
 * said: a remote failure may explain it better. */
static VmsErrorCode read_stream(FILE *in, FrameFn fn, void *user, size_t *frames, bool *truncated,
                                VmsError *err) {
  VmsRecordingStream *s;
  *frames = 0;
  *truncated = false;
  VmsErrorCode code = vms_recording_stream_new(in, &s, err);
  if (code != VMS_OK)
    return code;
  for (;;) {
    VmsSnapshot *snap = NULL;
    VmsFrameInfo fi;
    code = vms_recording_stream_next(s, &snap, &fi, err);
    if (code != VMS_OK || !snap)
      break;
    fn(user, snap, &fi);
    (*frames)++;
    vms_snapshot_unref(snap);
  }
  *truncated = code == VMS_OK && vms_recording_stream_truncated(s);
  vms_recording_stream_free(s);
  return code;
}

/* Prints what ssh and the far side said that is worth seeing, and frees it. */
static void print_notes(char *notes) {
  if (notes)
    fputs(notes, stderr);
  free(notes);
}

/* The frames of standard input, or of `vmscope PID --record -` run on the
 * far side of ssh (`first`: one frame), each to fn; says how it ended. */
static int stream_frames(const Options *o, bool first, FrameFn fn, void *user) {
  FILE *in = stdin;
  VmsRemote *r = NULL;
  VmsError err = {0};
  if (o->has_remote) {
    double interval = o->has_interval ? o->interval : 1.0;
    if (vms_remote_open(&o->remote, interval, first ? 1 : o->count, o->duration, &r, &in, &err) !=
        VMS_OK)
      return fail_err(&err, NULL);
    print_notes(vms_remote_take_notes(r));
  } else {
    vms_file_set_binary(stdin);
  }
  size_t n;
  bool truncated;
  VmsErrorCode code = read_stream(in, fn, user, &n, &truncated, &err);
  const char *label = r ? o->remote.label : "standard input";
  int rc;
  if (r) {
    char *notes = NULL;
    VmsError fin = {0};
    rc = vms_remote_finish(r, code != VMS_OK ? &err : NULL, &notes, &fin) != VMS_OK
             ? fail_err(&fin, NULL)
             : VMS_OK;
    print_notes(notes);
  } else {
    rc = code != VMS_OK ? fail_err(&err, label) : VMS_OK;
  }
  if (rc == VMS_OK && truncated)
    fprintf(stderr, "vmscope: %s: truncated after frame %zu; showing up to it\n", label, n - 1);
  return rc;
}

/* `vmscope ssh://HOST --list`: the far side's list, printed here once ssh
 * has said it succeeded. */
static int remote_list(const VmsRemoteTarget *t, const char *format) {
  char *text, *notes;
  size_t len;
  VmsError err = {0};
  if (vms_remote_list(t, format, &text, &len, &notes, &err) != VMS_OK)
    return fail_err(&err, NULL);
  int rc = VMS_OK;
  if (len && fwrite(text, 1, len, stdout) != len)
    rc = vms_cli_fail(VMS_ERR_IO, "writing the output failed: %s", strerror(errno));
  else
    print_notes(notes);
  if (rc)
    free(notes);
  free(text);
  return rc;
}

static void timeline_frame(void *user, VmsSnapshot *snap, const VmsFrameInfo *fi) {
  (void)snap;
  timeline_row(user, fi);
  fflush(stdout);
}

static int run_timeline(const Options *o) {
  Timeline tl = {.format = o->format};
  int rc = VMS_OK;
  if (o->has_remote || strcmp(o->file, "-") == 0) {
    /* As the frames arrive, one row each. */
    rc = stream_frames(o, false, timeline_frame, &tl);
  } else {
    Opened op;
    rc = open_recording(o->file, &op);
    if (rc)
      return rc;
    for (size_t k = 0; k < vms_recording_count(op.rec); k++)
      timeline_row(&tl, vms_recording_info(op.rec, k));
    opened_close(&op);
  }
  if (rc == VMS_OK)
    timeline_end(&tl, o->fit_size);
  free(tl.times);
  free(tl.largest);
  return rc;
}

typedef struct {
  VmsFormat format;
  size_t n;
} StreamWatch;

static void watch_frame(void *user, VmsSnapshot *snap, const VmsFrameInfo *fi) {
  (void)fi;
  StreamWatch *w = user;
  vms_print_watch_line(stdout, snap, w->format, w->n++ == 0);
  fflush(stdout);
}

/* `vmscope -` or ssh:// alone: a summary line per frame as it arrives, like --watch. */
static int run_stream_watch(const Options *o) {
  StreamWatch w = {o->format, 0};
  return stream_frames(o, false, watch_frame, &w);
}

static void keep_first(void *user, VmsSnapshot *snap, const VmsFrameInfo *fi) {
  (void)fi;
  VmsSnapshot **first = user;
  if (!*first)
    *first = vms_snapshot_ref(snap);
}

/* The first frame recorded on the far side, for the outputs of one snapshot. */
static int snapshot_from_remote(const Options *o, VmsSnapshot **out) {
  *out = NULL;
  int rc = stream_frames(o, true, keep_first, out);
  if (rc == VMS_OK && !*out)
    rc = vms_cli_fail(VMS_ERR_REMOTE, "%s: the recording ended before its first frame",
                      o->remote.label);
  if (rc) {
    vms_snapshot_unref(*out);
    *out = NULL;
  }
  return rc;
}

/* ---- --diff ---- */

typedef struct {
  const char *name;
  double a, b;
  bool real; /* a fraction, not a count of bytes */
} Figure;

static size_t diff_figures(const VmsSnapshot *x, const VmsSnapshot *y, Figure *out) {
  const VmsStats *a = &x->stats, *b = &y->stats;
  size_t n = 0;
#define FIG(nm, field) out[n++] = (Figure){nm, (double)(a->field), (double)(b->field), false}
  out[n++] = (Figure){"regions", (double)x->n_regions, (double)y->n_regions, false};
  out[n++] = (Figure){"threads", (double)x->n_threads, (double)y->n_threads, false};
  FIG("vma_count", vma_count);
  FIG("free.total", free_total);
  FIG("free.largest", free_largest);
  FIG("free.blocks", free_blocks);
  out[n++] = (Figure){"free.fragmentation", a->fragmentation, b->fragmentation, true};
  FIG("total.size", total.size);
  FIG("total.committed", total.committed);
  out[n++] = (Figure){"total.reserved", (double)(a->total.size - a->total.committed),
                      (double)(b->total.size - b->total.committed), false};
  FIG("total.private", total.private_bytes);
  FIG("total.blocks", total.blocks);
  static char names[VMS_TYPE_COUNT][5][40];
  for (int k = 0; k < VMS_TYPE_COUNT; k++) {
    const VmsTypeStats *p = &a->by_type[k], *q = &b->by_type[k];
    const char *t = vms_type_name((VmsRegionType)k);
    const char *what[5] = {"size", "committed", "private", "blocks", "largest"};
    const uint64_t pv[5] = {p->size, p->committed, p->private_bytes, p->blocks, p->largest};
    const uint64_t qv[5] = {q->size, q->committed, q->private_bytes, q->blocks, q->largest};
    for (int w = 0; w < 5; w++) {
      snprintf(names[k][w], sizeof names[k][w], "%s.%s", t, what[w]);
      out[n++] = (Figure){names[k][w], (double)pv[w], (double)qv[w], false};
    }
  }
#undef FIG
  return n;
}

static const char *change_name(VmsRegionChangeKind k) {
  switch (k) {
  case VMS_REGION_APPEARED: return "appeared";
  case VMS_REGION_VANISHED: return "vanished";
  case VMS_REGION_GREW: return "grew";
  case VMS_REGION_SHRANK: return "shrank";
  default: return "changed";
  }
}

/* The CSV columns after the region rows' own, for the barrier and group rows;
 * the other rows leave them empty. */
#define DIFF_CSV_MORE \
  "old_merged,new_merged,old_gain,new_gain,old_units,new_units,old_barriers,new_barriers"
#define DIFF_CSV_PAD ",,,,,,,,"

/* A figure of one side of a change: empty in CSV when that side is absent. */
static void csv_side(FILE *f, bool have, uint64_t v) {
  fputc(',', f);
  if (have)
    fprintf(f, "%" PRIu64, v);
}

/* "256 KiB", or "256 KiB -> 512 KiB" where the sides differ; "+" before gains. */
static void size_change(const char *plus, bool ha, uint64_t a, bool hb, uint64_t b, char *buf,
                        size_t len) {
  char sa[32], sb[32];
  vms_size_format(a, sa, sizeof sa);
  vms_size_format(b, sb, sizeof sb);
  if (ha && hb && a != b)
    snprintf(buf, len, "%s%s -> %s%s", plus, sa, plus, sb);
  else
    snprintf(buf, len, "%s%s", plus, hb ? sb : sa);
}

static void count_change(bool ha, uint64_t a, bool hb, uint64_t b, char *buf, size_t len) {
  if (ha && hb && a != b)
    snprintf(buf, len, "%" PRIu64 " -> %" PRIu64, a, b);
  else
    snprintf(buf, len, "%" PRIu64, hb ? b : a);
}

static void json_barrier_side(FILE *f, const char *key, const VmsBarrier *b) {
  fprintf(f,
          ",\"%s\":{\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\",\"size\":%" PRIu64
          ",\"group\":\"%s\",\"units\":%u,\"free_below\":%" PRIu64 ",\"free_above\":%" PRIu64
          ",\"merged\":%" PRIu64 ",\"gain\":%" PRIu64 "}",
          key, b->start, b->end, b->end - b->start,
          vms_barrier_group_name((VmsBarrierGroup)b->group), b->n_units, b->free_below,
          b->free_above, b->merged, b->gain);
}

static void json_group_side(FILE *f, const char *key, const VmsBarrierGroupStats *g,
                            uint64_t gain) {
  fprintf(f,
          ",\"%s\":{\"units\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"lowest\":\"0x%" PRIx64
          "\",\"highest\":\"0x%" PRIx64 "\",\"barriers\":%" PRIu64 ",\"largest_without\":%" PRIu64
          ",\"gain\":%" PRIu64 "}",
          key, g->units, g->bytes, g->lowest, g->highest, g->walls, g->largest_without, gain);
}

/* How the top barriers and the groups changed, between the region changes
 * and the figures. */
static void print_barrier_diff(const VmsSnapshot *x, const VmsSnapshot *y, const VmsBarrierDiff *bd,
                               int digits, VmsFormat fmt) {
  FILE *f = stdout;
  char who[600], sz[80], mg[80], gn[80], un[48];
  if (fmt == VMS_FORMAT_JSON)
    fputs("\"barriers\":[", f);
  else if (fmt == VMS_FORMAT_TABLE)
    fprintf(f, "\nTop barriers (ranked by gain): %zu change%s\n", bd->n_barriers,
            bd->n_barriers == 1 ? "" : "s");
  if (fmt == VMS_FORMAT_TABLE && bd->n_barriers)
    fprintf(f, "%-9s %-*s %-*s %21s  %-23s %-25s %s\n", "CHANGE", digits, "START", digits, "END",
            "SIZE", "WITHOUT IT", "GAIN", "OWNER");
  for (size_t i = 0; i < bd->n_barriers; i++) {
    const VmsBarrierChange *c = &bd->barriers[i];
    const VmsBarrier *o = c->old_b, *r = c->new_b, *any = r ? r : o;
    vms_barrier_describe(r ? y : x, any, who, sizeof who);
    const char *kind = vms_barrier_change_name(c->kind);
    if (fmt == VMS_FORMAT_CSV) {
      fprintf(f, "barrier-%s,0x%" PRIx64 ",0x%" PRIx64, kind, any->start, any->end);
      csv_side(f, o, o ? o->end - o->start : 0);
      csv_side(f, r, r ? r->end - r->start : 0);
      fprintf(f, ",%s,%s,,,,,", o ? vms_barrier_group_name((VmsBarrierGroup)o->group) : "",
              r ? vms_barrier_group_name((VmsBarrierGroup)r->group) : "");
      vms_write_csv_field(f, who);
      csv_side(f, o, o ? o->merged : 0);
      csv_side(f, r, r ? r->merged : 0);
      csv_side(f, o, o ? o->gain : 0);
      csv_side(f, r, r ? r->gain : 0);
      csv_side(f, o, o ? o->n_units : 0);
      csv_side(f, r, r ? r->n_units : 0);
      fputs(",,\n", f);
    } else if (fmt == VMS_FORMAT_JSON) {
      fprintf(f, "%s\n{\"change\":\"%s\",\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\"",
              i ? "," : "", kind, any->start, any->end);
      if (o)
        json_barrier_side(f, "old", o);
      if (r)
        json_barrier_side(f, "new", r);
      fputs(",\"owner\":", f);
      vms_write_json_string(f, who);
      fputc('}', f);
    } else {
      size_change("", o, o ? o->end - o->start : 0, r, r ? r->end - r->start : 0, sz, sizeof sz);
      size_change("", o, o ? o->merged : 0, r, r ? r->merged : 0, mg, sizeof mg);
      size_change("+", o, o ? o->gain : 0, r, r ? r->gain : 0, gn, sizeof gn);
      fprintf(f, "%-9s %0*" PRIx64 " %0*" PRIx64 " %21s  %-23s %-25s ", kind, digits, any->start,
              digits, any->end, sz, mg, gn);
      for (const char *p = who; *p; p++)
        fputc((unsigned char)*p < 0x20 ? '?' : *p, f);
      fputc('\n', f);
    }
  }
  if (fmt == VMS_FORMAT_JSON)
    fputs("\n],\"barrier_groups\":[", f);
  else if (fmt == VMS_FORMAT_TABLE)
    fprintf(f, "\nBarrier groups: %zu change%s\n", bd->n_groups, bd->n_groups == 1 ? "" : "s");
  if (fmt == VMS_FORMAT_TABLE && bd->n_groups)
    fprintf(f, "%-9s %-8s %-13s %-23s %-13s %-23s %s\n", "CHANGE", "GROUP", "OWNERS", "BYTES",
            "BARRIERS", "WITHOUT ALL", "GAIN");
  for (size_t i = 0; i < bd->n_groups; i++) {
    const VmsGroupChange *c = &bd->groups[i];
    const VmsBarrierGroupStats *o = c->old_g, *r = c->new_g, *any = r->units ? r : o;
    const char *kind = vms_group_change_name(c->kind), *name = vms_barrier_group_name(c->group);
    if (fmt == VMS_FORMAT_CSV) {
      fprintf(f, "group-%s,0x%" PRIx64 ",0x%" PRIx64 ",%" PRIu64 ",%" PRIu64 ",%s,%s,,,,,", kind,
              any->lowest, any->highest, o->bytes, r->bytes, name, name);
      vms_write_csv_field(f, vms_barrier_group_title(c->group));
      fprintf(f,
              ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
              ",%" PRIu64 "\n",
              o->largest_without, r->largest_without, c->old_gain, c->new_gain, o->units, r->units,
              o->walls, r->walls);
    } else if (fmt == VMS_FORMAT_JSON) {
      fprintf(f, "%s\n{\"change\":\"%s\",\"group\":\"%s\",\"title\":", i ? "," : "", kind, name);
      vms_write_json_string(f, vms_barrier_group_title(c->group));
      json_group_side(f, "old", o, c->old_gain);
      json_group_side(f, "new", r, c->new_gain);
      fputc('}', f);
    } else {
      char bars[48];
      count_change(true, o->units, true, r->units, un, sizeof un);
      size_change("", true, o->bytes, true, r->bytes, sz, sizeof sz);
      count_change(true, o->walls, true, r->walls, bars, sizeof bars);
      size_change("", true, o->largest_without, true, r->largest_without, mg, sizeof mg);
      size_change("+", true, c->old_gain, true, c->new_gain, gn, sizeof gn);
      fprintf(f, "%-9s %-8s %-13s %-23s %-13s %-23s %s\n", kind, name, un, sz, bars, mg, gn);
    }
  }
  if (fmt == VMS_FORMAT_JSON)
    fputs("\n],", f);
}

static void print_diff(const VmsSnapshot *x, const VmsSnapshot *y, const char *la, const char *lb,
                       const VmsRegionChange *ch, size_t n, const VmsBarrierDiff *bd,
                       VmsFormat fmt) {
  FILE *f = stdout;
  const int dx = vms_snapshot_addr_digits(x), dy = vms_snapshot_addr_digits(y);
  const int digits = dx > dy ? dx : dy;
  char desc[4600], ta[32], tb[32];
  vms_time_format(x->taken_at, VMS_TIME_ISO8601, ta, sizeof ta);
  vms_time_format(y->taken_at, VMS_TIME_ISO8601, tb, sizeof tb);
  if (fmt == VMS_FORMAT_CSV)
    fputs("change,start,end,old_size,new_size,old_type,new_type,old_state,new_state,"
          "old_protection,new_protection,details," DIFF_CSV_MORE "\n",
          f);
  else if (fmt == VMS_FORMAT_JSON)
    fprintf(f,
            "{\"a\":{\"frame\":\"%s\",\"time\":\"%s\",\"pid\":%d},\"b\":{\"frame\":\"%s\","
            "\"time\":\"%s\",\"pid\":%d},\"regions\":[",
            la, ta, x->pid, lb, tb, y->pid);
  else
    fprintf(f,
            "from %s (%s, process %d) to %s (%s, process %d): %zu region change%s\n\n"
            "%-9s %-*s %-*s %21s  %-19s %-19s %-11s %s\n",
            la, ta, x->pid, lb, tb, y->pid, n, n == 1 ? "" : "s", "CHANGE", digits, "START", digits,
            "END", "SIZE", "TYPE", "STATE", "PROT", "DETAILS");
  for (size_t i = 0; i < n; i++) {
    const VmsRegionChange *c = &ch[i];
    const VmsRegion *o = c->old_r, *r = c->new_r, *any = r ? r : o;
    vms_region_describe(r ? y : x, any, desc, sizeof desc);
    char op[8] = "", np[8] = "";
    if (o)
      vms_prot_format(o->prot, op);
    if (r)
      vms_prot_format(r->prot, np);
    const char *ot = o ? vms_type_name((VmsRegionType)o->type) : "";
    const char *nt = r ? vms_type_name((VmsRegionType)r->type) : "";
    const char *os = o ? vms_state_name((VmsRegionState)o->state) : "";
    const char *ns = r ? vms_state_name((VmsRegionState)r->state) : "";
    uint64_t osz = o ? o->end - o->start : 0, nsz = r ? r->end - r->start : 0;
    if (fmt == VMS_FORMAT_CSV) {
      fprintf(f, "%s,0x%" PRIx64 ",0x%" PRIx64 ",", change_name(c->kind), any->start, any->end);
      if (o)
        fprintf(f, "%" PRIu64, osz);
      fputc(',', f);
      if (r)
        fprintf(f, "%" PRIu64, nsz);
      fprintf(f, ",%s,%s,%s,%s,%s,%s,", ot, nt, os, ns, op, np);
      vms_write_csv_field(f, desc);
      fputs(DIFF_CSV_PAD "\n", f);
    } else if (fmt == VMS_FORMAT_JSON) {
      fprintf(f, "%s\n{\"change\":\"%s\",\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\",",
              i ? "," : "", change_name(c->kind), any->start, any->end);
      if (o)
        fprintf(f,
                "\"old\":{\"size\":%" PRIu64 ",\"type\":\"%s\",\"state\":\"%s\","
                "\"protection\":\"%s\"},",
                osz, ot, os, op);
      if (r)
        fprintf(f,
                "\"new\":{\"size\":%" PRIu64 ",\"type\":\"%s\",\"state\":\"%s\","
                "\"protection\":\"%s\"},",
                nsz, nt, ns, np);
      fputs("\"details\":", f);
      vms_write_json_string(f, desc);
      fputc('}', f);
    } else {
      char a[32], b[32], sz[48], ty[48], st[48], pr[24];
      vms_size_format(osz, a, sizeof a);
      vms_size_format(nsz, b, sizeof b);
      if (o && r && osz != nsz)
        snprintf(sz, sizeof sz, "%s -> %s", a, b);
      else
        snprintf(sz, sizeof sz, "%s", r ? b : a);
      if (o && r && o->type != r->type)
        snprintf(ty, sizeof ty, "%s -> %s", ot, nt);
      else
        snprintf(ty, sizeof ty, "%s", r ? nt : ot);
      if (o && r && o->state != r->state)
        snprintf(st, sizeof st, "%s -> %s", os, ns);
      else
        snprintf(st, sizeof st, "%s", r ? ns : os);
      if (o && r && o->prot != r->prot)
        snprintf(pr, sizeof pr, "%s->%s", op, np);
      else
        snprintf(pr, sizeof pr, "%s", r ? np : op);
      fprintf(f, "%-9s %0*" PRIx64 " %0*" PRIx64 " %21s  %-19s %-19s %-11s ", change_name(c->kind),
              digits, any->start, digits, any->end, sz, ty, st, pr);
      for (const char *p = desc; *p; p++)
        fputc((unsigned char)*p < 0x20 ? '?' : *p, f);
      fputc('\n', f);
    }
  }
  if (fmt == VMS_FORMAT_JSON)
    fputs("\n],", f);
  print_barrier_diff(x, y, bd, digits, fmt);
  Figure figs[16 + 5 * VMS_TYPE_COUNT];
  size_t nf = diff_figures(x, y, figs);
  if (fmt == VMS_FORMAT_JSON)
    fputs("\"figures\":[", f);
  else if (fmt == VMS_FORMAT_TABLE)
    fprintf(f, "\n%-22s %20s %20s %21s\n", "FIGURE", "A", "B", "CHANGE");
  for (size_t i = 0; i < nf; i++) {
    const Figure *g = &figs[i];
    if (fmt == VMS_FORMAT_CSV) {
      if (g->real)
        fprintf(f, "figure,,,%.6f,%.6f,,,,,,,%s" DIFF_CSV_PAD "\n", g->a, g->b, g->name);
      else
        fprintf(f, "figure,,,%.0f,%.0f,,,,,,,%s" DIFF_CSV_PAD "\n", g->a, g->b, g->name);
    } else if (fmt == VMS_FORMAT_JSON) {
      if (g->real)
        fprintf(f, "%s\n{\"name\":\"%s\",\"a\":%.6f,\"b\":%.6f,\"change\":%.6f}", i ? "," : "",
                g->name, g->a, g->b, g->b - g->a);
      else
        fprintf(f, "%s\n{\"name\":\"%s\",\"a\":%.0f,\"b\":%.0f,\"change\":%.0f}", i ? "," : "",
                g->name, g->a, g->b, g->b - g->a);
    } else if (g->a != g->b || i < 12) {
      /* The whole-space figures always; a type's only where it moved. */
      if (g->real)
        fprintf(f, "%-22s %20.3f %20.3f %+21.3f\n", g->name, g->a, g->b, g->b - g->a);
      else
        fprintf(f, "%-22s %20.0f %20.0f %+21.0f\n", g->name, g->a, g->b, g->b - g->a);
    }
  }
  if (fmt == VMS_FORMAT_JSON)
    fputs("\n]}\n", f);
}

static int run_diff(const Options *o) {
  Opened op, op2 = {0};
  int rc = open_recording(o->file, &op);
  if (rc)
    return rc;
  size_t ka, kb = 0;
  VmsSnapshot *x = NULL, *y = NULL;
  char la[4200], lb[4200];
  struct stat st;
  rc = resolve_ref(op.rec, o->diff_a, &ka);
  bool b_file = false;
  if (rc == VMS_OK) {
    /* B is a frame of this recording unless it names another file. */
    bool looks_ref = strcmp(o->diff_b, "last") == 0 || o->diff_b[0] == '+' ||
                     strspn(o->diff_b, "0123456789") == strlen(o->diff_b) ||
                     (isdigit((unsigned char)o->diff_b[0]) && strchr(o->diff_b, 'T') &&
                      stat(o->diff_b, &st) != 0);
    b_file = !looks_ref;
    if (b_file) {
      rc = open_recording(o->diff_b, &op2);
      if (rc == VMS_OK)
        kb = vms_recording_count(op2.rec) - 1;
    } else {
      rc = resolve_ref(op.rec, o->diff_b, &kb);
    }
  }
  if (rc == VMS_OK)
    rc = rebuild(op.rec, ka, o->file, &x);
  if (rc == VMS_OK)
    rc = rebuild(b_file ? op2.rec : op.rec, kb, b_file ? o->diff_b : o->file, &y);
  if (rc == VMS_OK) {
    snprintf(la, sizeof la, "frame %zu", ka);
    if (b_file)
      snprintf(lb, sizeof lb, "%s frame %zu", o->diff_b, kb);
    else
      snprintf(lb, sizeof lb, "frame %zu", kb);
    VmsRegionChange *ch;
    VmsBarriers ba, bb;
    VmsBarrierDiff bd;
    size_t n = vms_snapshot_compare(x, y, &ch);
    if (n == SIZE_MAX) {
      rc = vms_cli_fail(VMS_ERR_NOMEM, "out of memory comparing the frames");
    } else {
      /* Ranked as --barriers ranks them (--range, --fit). */
      VmsError err = {0};
      if (vms_barriers_diff(x, y, o->has_range, o->range_lo, o->range_hi, o->fit_size, &ba, &bb,
                            &bd, &err) != VMS_OK)
        rc = fail_err(&err, NULL);
      else
        print_diff(x, y, la, lb, ch, n, &bd, o->format);
      vms_barriers_clear(&ba);
      vms_barriers_clear(&bb);
      free(ch);
    }
  }
  vms_snapshot_unref(x);
  vms_snapshot_unref(y);
  opened_close(&op);
  opened_close(&op2);
  return rc;
}

/* ---- main ---- */

#if VMS_HAVE_CAIRO
/* Case-insensitive: MAP.SVG is an SVG too. */
static bool has_extension(const char *path, const char *ext) {
  size_t n = strlen(path), k = strlen(ext);
  if (n < k)
    return false;
  for (size_t i = 0; i < k; i++)
    if (tolower((unsigned char)path[n - k + i]) != ext[i])
      return false;
  return true;
}
#endif

static int finish_output(int rc) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    int e = vms_stream_write_errno(stdout, errno);
    if (e == EPIPE)
      return vms_cli_fail(VMS_ERR_IO,
                          "writing the output failed: the reading end of the pipe was closed");
    return vms_cli_fail(VMS_ERR_IO, "writing the output failed: %s", strerror(e));
  }
  return rc;
}

/* The map as text: the terminal's size (less the header and the legend)
 * unless --size says, 100x40 when writing to no terminal. */
static int print_text_map(const Options *o, const VmsSnapshot *snap, uint64_t lo, uint64_t hi) {
  VmsTextMapOptions t = {.start = o->has_range ? lo : 0, .end = o->has_range ? hi : 0};
  int cols = 100, rows = 44;
  bool tty = vms_terminal_is(stdout);
  if (o->size_given) {
    cols = o->width;
    rows = o->height;
  } else if (tty) {
    vms_terminal_size(stdout, &cols, &rows);
  }
  t.columns = cols;
  t.rows = o->size_given ? rows : (rows > 12 ? rows - 4 : 8);
  t.compressed = o->layout == 1 || (o->layout == -1 && snap->bits == 64);
  const char *no_color = getenv("NO_COLOR");
  const char *term = getenv("TERM");
  t.color = o->color == 1 ||
            (o->color == -1 && tty && !(no_color && *no_color) && !(term && !strcmp(term, "dumb")));
  VmsError err = {0};
  if (!vms_textmap_print(stdout, snap, &t, &err))
    return fail_err(&err, "--map");
  return VMS_OK;
}

static int cli_main(int argc, char **argv, int *pids) {
  Options o;
  int rc = parse_args(argc, argv, pids, &o);
  if (rc)
    return rc;
  if (o.help) {
    print_usage(stdout);
    return finish_output(VMS_OK);
  }
  if (o.version) {
    /* The recording format too: ssh:// reads it on the far side and
     * refuses another major version. */
    printf("vmscope %s (recording format %d.%d)\n", VMS_VERSION, VMS_RECORDING_MAJOR,
           VMS_RECORDING_MINOR);
    return finish_output(VMS_OK);
  }
  if (o.has_remote && o.list) {
    static const char *const formats[] = {"table", "csv", "json"};
    return finish_output(
        remote_list(&o.remote, o.format != VMS_FORMAT_TABLE ? formats[o.format] : NULL));
  }
  if (o.list) {
    VmsProcInfo *list;
    size_t n;
    VmsError err = {0};
    VmsErrorCode code = vms_process_list(VMS_LIST_COUNT_MAPS, &list, &n, &err);
    if (code != VMS_OK)
      return fail_err(&err, NULL);
    vms_print_process_list(stdout, list, n, o.format);
    vms_process_list_free(list, n);
    return finish_output(VMS_OK);
  }
  if (o.metrics) {
    VmsCliMetrics m = {o.pids, o.n_pids, o.all, o.match, o.smaps, o.metrics_dir, o.interval};
    return finish_output(vms_cli_metrics(&m));
  }
  if (o.watch)
    return finish_output(run_watch(&o));

  if (o.record)
    return finish_output(run_record(&o));
  if ((o.file || o.has_remote) && o.timeline)
    return finish_output(run_timeline(&o));
  if (o.file && o.diff_a)
    return finish_output(run_diff(&o));
  if ((o.file || o.has_remote) && !o.summary && !o.regions && !o.png && !o.barriers && !o.map &&
      !o.save)
    return finish_output(run_stream_watch(&o));

  VmsSnapshot *snap = NULL;
  VmsTarget *target = NULL; /* kept open for --pages */
  unsigned what = read_flags(&o);
  if (o.has_remote) {
    rc = snapshot_from_remote(&o, &snap);
  } else if (o.file) {
    Opened op;
    rc = open_recording(o.file, &op);
    if (rc)
      return rc;
    size_t k = vms_recording_count(op.rec) - 1;
    if (o.at)
      rc = resolve_ref(op.rec, o.at, &k);
    if (rc == VMS_OK)
      rc = rebuild(op.rec, k, o.file, &snap);
    opened_close(&op);
  } else {
    rc = o.maps_file ? snapshot_from_file(o.maps_file, &snap)
                     : snapshot_from_pid(o.pid, what, &snap, o.pages ? &target : NULL);
  }
  if (rc)
    return rc;
  if (o.save) {
    rc = save_snapshot(o.save, snap);
    bool more = o.summary || o.regions || o.png || o.barriers || o.map;
    if (rc == VMS_OK && strcmp(o.save, "-") != 0 && !more)
      fprintf(stderr, "vmscope: wrote %s\n", o.save);
    if (rc || !more) {
      vms_target_close(target);
      vms_snapshot_unref(snap);
      return rc ? rc : finish_output(rc);
    }
  }

  uint64_t lo = 0, hi = snap->usable_hi;
  if (o.has_range) {
    if (o.range_hi > snap->usable_hi) {
      rc =
          vms_cli_fail(VMS_ERR_USAGE,
                       "--range: 0x%" PRIx64 "-0x%" PRIx64 " reaches past the address space, which "
                       "ends at 0x%" PRIx64,
                       o.range_lo, o.range_hi, snap->usable_hi);
      vms_target_close(target);
      vms_snapshot_unref(snap);
      return rc;
    }
    lo = o.range_lo;
    hi = o.range_hi;
  }
  VmsBarriers barriers;
  bool have_barriers = false;
  if (o.barriers || (o.summary && o.format == VMS_FORMAT_JSON)) {
    /* Without --range a 64-bit space is ranked in its mapping area: the
     * hole of tens of TiB below it would dwarf every gain. */
    VmsBarrierScope scope;
    if (o.has_range)
      vms_barrier_scope_given(lo, hi, &scope);
    else
      vms_barrier_scope_default(snap, &scope);
    VmsBarrierOptions bo = {.top = 10, .usable_min = o.fit_size};
    VmsError err = {0};
    if (vms_barriers_compute(snap, &scope, &bo, &barriers, &err) != VMS_OK) {
      rc = fail_err(&err, NULL);
      vms_target_close(target);
      vms_snapshot_unref(snap);
      return rc;
    }
    have_barriers = true;
  }
  if (o.summary) {
    VmsStats st;
    if (o.has_range)
      vms_stats_compute(snap, lo, hi, &st);
    else
      st = snap->stats;
    VmsFitQuery fit = {o.fit_size, o.fit_align};
    vms_print_summary(stdout, snap, &st, o.format, &fit, have_barriers ? &barriers : NULL);
  }
  if (o.barriers) {
    if (o.summary)
      fputc('\n', stdout);
    vms_print_barriers(stdout, snap, &barriers, o.format);
  }
  if (have_barriers)
    vms_barriers_clear(&barriers);
  /* Without --range the list is every region, [vsyscall] above user space too,
   * so it matches /proc/PID/maps line for line. */
  if (o.regions)
    vms_print_regions(stdout, snap, o.format, lo, o.has_range ? hi : UINT64_MAX);
  if (o.png) {
#if VMS_HAVE_CAIRO
    VmsLayoutKind kind = o.layout == 1      ? VMS_LAYOUT_COMPRESSED
                         : o.layout == 0    ? VMS_LAYOUT_LINEAR
                         : snap->bits == 64 ? VMS_LAYOUT_COMPRESSED
                                            : VMS_LAYOUT_LINEAR;
    VmsViewport vp = vms_viewport_fit(snap, kind);
    if (o.has_range) {
      vp.start = lo;
      vp.end = hi;
    }
    VmsExportFormat ef = VMS_EXPORT_PNG;
    if (has_extension(o.png, ".svg"))
      ef = VMS_EXPORT_SVG;
    else if (has_extension(o.png, ".pdf"))
      ef = VMS_EXPORT_PDF;
    VmsError err = {0};
    VmsExportOptions eo = {.residency = o.pages};
    VmsPageMap *pages = NULL;
    char why[256] = "";
    if (o.pages) {
      rc = read_export_pages(target, &vp, &pages, why, sizeof why);
      eo.pages = pages;
      eo.pages_missing = why[0] ? why : NULL;
    }
    VmsErrorCode code =
        rc ? VMS_OK : vms_export_with(snap, &vp, o.width, o.height, ef, o.png, &eo, &err);
    char line[320] = "";
    bool shown = o.pages && vms_export_residency_line(snap, &vp, &eo, line, sizeof line);
    vms_page_map_free(pages);
    if (rc) {
      /* out of memory, said */
    } else if (code != VMS_OK) {
      rc = fail_err(&err, NULL);
    } else {
      if (o.pages && !shown)
        fprintf(stderr, "vmscope: %s\n", line); /* the map is written, without page states */
      if (!o.summary && !o.regions)
        fprintf(stderr, "vmscope: wrote %s%s%s\n", o.png, shown ? "; " : "", shown ? line : "");
    }
#else
    rc = vms_cli_fail(VMS_ERR_UNSUPPORTED, "this vmscope was built without cairo: no --png");
#endif
  }
  if (o.map && rc == VMS_OK)
    rc = print_text_map(&o, snap, lo, hi);
  vms_target_close(target);
  vms_snapshot_unref(snap);
  return finish_output(rc);
}

int vms_cli_main(int argc, char **argv) {
  vms_platform_init();
  int *pids = calloc((size_t)argc + 1, sizeof *pids);
  if (!pids)
    return vms_cli_fail(VMS_ERR_NOMEM, "out of memory");
  int rc = cli_main(argc, argv, pids);
  free(pids);
  return rc;
}
