/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-live.h: what the live tests share: helper processes, running the vmscope CLI, reading its CSV
 * and JSON.
 *
 * The live tests check vmscope against processes whose layout they know. The
 * readers here are deliberately independent of vmscope's own code (nothing
 * from src/ or platform/ is linked), so a bug there cannot hide itself. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- helper processes (tests/helpers/vms-helper.c) ---- */

typedef struct {
  pid_t pid;    /* the process started (setpriv's exec keeps the pid) */
  int in_fd;    /* its stdin: closing it ends the helper */
  char **lines; /* what it printed before "ready", one fact per line */
  size_t n_lines;
  bool reaped;
  bool bg; /* a background thread waits for it */
  int status;
} VmsHelper;

/* Starts argv (argv[0] a path) and reads its facts up to "ready". Returns
 * false with a message on stderr when it could not start or died first. */
bool vms_helper_start(VmsHelper *h, const char *const argv[]);
/* The same for programs that are not vms-helper: reads up to and including
 * the first line that starts with marker. */
bool vms_helper_start_until(VmsHelper *h, const char *const argv[], const char *marker);
/* The nth (0-based) fact line starting with "key ", without the key, or NULL. */
const char *vms_helper_fact(const VmsHelper *h, const char *key, size_t nth);
size_t vms_helper_count(const VmsHelper *h, const char *key);
/* Closes its stdin and waits for it. */
void vms_helper_stop(VmsHelper *h);
/* Sends SIGTERM first, for programs that do not end when stdin closes. */
void vms_helper_terminate(VmsHelper *h);
/* Reaps it from a thread as soon as it exits, so it never lingers as a zombie. */
void vms_helper_reap_in_background(VmsHelper *h);

/* ---- running a command ---- */

typedef struct {
  int status;      /* exit status, or 128 + signal */
  char *out, *err; /* NUL-terminated */
  size_t out_len, err_len;
} VmsRun;

bool vms_run(const char *const argv[], VmsRun *r);
void vms_run_free(VmsRun *r);

/* ---- CSV (RFC 4180: quoted fields may hold commas, quotes and newlines) ---- */

typedef struct {
  char ***rows;
  size_t *n_fields;
  size_t n_rows;
} VmsCsv;

bool vms_csv_parse(const char *buf, size_t len, VmsCsv *csv);
int vms_csv_column(const VmsCsv *csv, const char *name);
void vms_csv_free(VmsCsv *csv);

/* The region rows of `vmscope PID --regions --format csv`. */
typedef struct {
  uint64_t start, end, size;
  char type[16], state[16], prot[8];
  char *details;
  /* Counters from --smaps, in bytes; VMS_LIVE_NOT_READ when the cell is empty. */
  uint64_t rss, private_dirty;
} VmsLiveRegion;

#define VMS_LIVE_NOT_READ UINT64_MAX

typedef struct {
  VmsLiveRegion *r;
  size_t n;
} VmsLiveRegions;

/* Parses and checks the shape (columns present, addresses hex, size ==
 * end - start). Returns false with a message on stderr otherwise. */
bool vms_live_regions_parse(const char *buf, size_t len, VmsLiveRegions *out);
void vms_live_regions_free(VmsLiveRegions *rs);
/* The region containing addr, or NULL. */
const VmsLiveRegion *vms_live_region_at(const VmsLiveRegions *rs, uint64_t addr);
bool vms_live_region_is_free(const VmsLiveRegion *r);

/* ---- JSON (enough for vmscope's summary) ---- */

typedef struct VmsJson VmsJson;
VmsJson *vms_json_parse(const char *buf, size_t len);
void vms_json_free(VmsJson *j);
/* Looks up a dotted path; array elements by index ("by_type.0.type"). */
const VmsJson *vms_json_get(const VmsJson *j, const char *path);
/* A number, or a string holding decimal or 0x-hex digits, as an exact u64. */
bool vms_json_u64(const VmsJson *j, const char *path, uint64_t *out);
const char *vms_json_str(const VmsJson *j, const char *path);
bool vms_json_bool(const VmsJson *j, const char *path, bool *out);
size_t vms_json_len(const VmsJson *j, const char *path);

/* ---- /proc read independently ---- */

typedef struct {
  uint64_t start, end, offset, inode;
  char perms[5];
  char *name; /* as the kernel printed it (escapes kept) */
} VmsMapsLine;

typedef struct {
  VmsMapsLine *v;
  size_t n;
  char *text; /* the whole file */
  size_t len;
} VmsMaps;

bool vms_maps_read(pid_t pid, VmsMaps *out);
void vms_maps_free(VmsMaps *m);

/* Reads a whole file (procfs included) into a NUL-terminated buffer. */
char *vms_live_slurp(const char *path, size_t *len);
uint64_t vms_live_parse_hex(const char *s);
/* Decodes a helper's hex-encoded path into buf. */
void vms_live_unhex(const char *hex, char *buf, size_t len);
