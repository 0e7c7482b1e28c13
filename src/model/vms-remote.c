/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-remote.c: ssh://[USER@]HOST[:PORT]/PID: the user's ssh runs vmscope there and we read it.
 *
 * No network code of our own: the user's ssh (VMSCOPE_SSH, default "ssh")
 * runs as a child with its standard output piped back, so its keys, agent,
 * config and known hosts all apply. The far side's vmscope is asked for its
 * version first: a recording format of another major version is refused
 * before a single frame is read. What ssh and the far side print on stderr
 * is kept in a temporary file: its last line explains a failure, and the
 * rest is handed to the caller as notes (nothing here prints). */
#include "vms-remote.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vms-config.h"
#include "vms-platform.h"
#include "vms-recording.h"

enum { MAX_SSH_WORDS = 48, MAX_WORDS = MAX_SSH_WORDS + 24 };

/* What ssh and the far side said that is worth passing on although
 * nothing failed: lines to print as they are. */
typedef struct {
  char *text;
  size_t len;
} Notes;

static bool notes_add(Notes *n, const char *line) {
  size_t l = strlen(line);
  char *t = realloc(n->text, n->len + l + 1);
  if (!t)
    return false;
  memcpy(t + n->len, line, l + 1);
  n->text = t;
  n->len += l;
  return true;
}

struct VmsRemote {
  VmsRemoteTarget t;
  VmsChild *child;
  FILE *frames, *errs;
  Notes notes;
};

bool vms_remote_is_url(const char *arg) {
  return strncmp(arg, "ssh://", 6) == 0;
}

static bool why_set(char *why, size_t len, const char *fmt, ...) VMS_PRINTF(3, 4);
static bool why_set(char *why, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, len, fmt, ap);
  va_end(ap);
  return false;
}

/* A user or host name goes to ssh's argument list as it is: letters,
 * digits and . _ - only (and no leading '-', which ssh would take for an
 * option), so nothing in it can be read as anything else. */
static bool plain_name(const char *s, size_t n, bool host) {
  if (n == 0 || s[0] == '-')
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!isalnum(c) && c != '.' && c != '_' && c != '-' && !(host && c == '%'))
      return false;
  }
  return true;
}

bool vms_remote_parse(const char *url, VmsRemoteTarget *t, char *why, size_t len) {
  memset(t, 0, sizeof *t);
  if (!vms_remote_is_url(url))
    return why_set(why, len, "'%s' is not an ssh:// URL", url);
  const char *p = url + 6, *slash = strchr(p, '/');
  const char *end = slash ? slash : p + strlen(p);
  if (end == p)
    return why_set(why, len, "'%s': no host after ssh:// (ssh://[USER@]HOST[:PORT]/PID)", url);
  if ((size_t)(end - p) >= sizeof t->label)
    return why_set(why, len, "'%s': the host part is too long", url);
  memcpy(t->label, p, (size_t)(end - p));
  const char *at = memchr(p, '@', (size_t)(end - p));
  if (at) {
    size_t n = (size_t)(at - p);
    if (n == 0)
      return why_set(why, len, "'%s': the user before '@' is empty", url);
    if (n >= sizeof t->user || !plain_name(p, n, false))
      return why_set(why, len,
                     "'%s': the user '%.*s' is not a plain user name (letters, digits, "
                     ". _ -)",
                     url, (int)n, p);
    memcpy(t->user, p, n);
    p = at + 1;
  }
  const char *host = p, *host_end, *colon;
  if (*p == '[') {
    /* An IPv6 address: ssh://[::1]:2222/PID */
    const char *close = memchr(p, ']', (size_t)(end - p));
    if (!close)
      return why_set(why, len, "'%s': the IPv6 address has no closing ']'", url);
    host = p + 1;
    host_end = close;
    for (const char *q = host; q < host_end; q++)
      if (!isxdigit((unsigned char)*q) && *q != ':' && *q != '.' && *q != '%')
        return why_set(why, len, "'%s': '%.*s' is not an IPv6 address", url, (int)(host_end - host),
                       host);
    if (host_end == host)
      return why_set(why, len, "'%s': the IPv6 address between [ ] is empty", url);
    colon = close + 1 < end ? close + 1 : NULL;
    if (colon && *colon != ':')
      return why_set(why, len, "'%s': after the IPv6 address comes ':PORT' or '/PID', not '%c'",
                     url, *colon);
  } else {
    colon = memchr(p, ':', (size_t)(end - p));
    host_end = colon ? colon : end;
    if (host_end == host)
      return why_set(why, len, "'%s': the host is empty", url);
    if (!plain_name(host, (size_t)(host_end - host), true))
      return why_set(why, len,
                     "'%s': the host '%.*s' is not a host name or address (letters, "
                     "digits, . _ -; IPv6 in [ ])",
                     url, (int)(host_end - host), host);
  }
  if ((size_t)(host_end - host) >= sizeof t->host)
    return why_set(why, len, "'%s': the host is too long", url);
  memcpy(t->host, host, (size_t)(host_end - host));
  if (colon) {
    const char *ps = colon + 1;
    size_t n = (size_t)(end - ps);
    long port = 0;
    bool digits = n > 0 && n <= 5;
    for (size_t i = 0; digits && i < n; i++) {
      digits = isdigit((unsigned char)ps[i]) != 0;
      port = port * 10 + (ps[i] - '0');
    }
    if (!digits || port < 1 || port > 65535)
      return why_set(why, len, "'%s': the port '%.*s' is not a number from 1 to 65535", url, (int)n,
                     ps);
    t->port = (int)port;
  }
  if (slash && slash[1]) {
    const char *ids = slash + 1;
    size_t n = strlen(ids);
    bool digits = n <= 10;
    long long v = 0;
    for (size_t i = 0; digits && i < n; i++) {
      digits = isdigit((unsigned char)ids[i]) != 0;
      v = v * 10 + (ids[i] - '0');
    }
    if (!digits || v <= 0 || v > 0x7fffffff)
      return why_set(why, len, "'%s': '%s' after the host is not a process ID", url, ids);
    t->pid = (int)v;
  }
  return true;
}

/* ---- running ssh ---- */

typedef struct {
  char *w[MAX_WORDS + 1];
  size_t n;
  char ssh[1024]; /* VMSCOPE_SSH, cut into words in place */
  char port[8], dest[400];
  char args[8][40]; /* numbers of the remote command */
} Command;

/* The ssh command: VMSCOPE_SSH's words (split at blanks; "ssh" when unset
 * or empty), -p PORT, then "--" so that nothing after it is an option of
 * ssh's, the destination, and the words of the remote command. */
static VmsErrorCode command_start(const VmsRemoteTarget *t, Command *c, VmsError *err) {
  memset(c, 0, sizeof *c);
  const char *env = getenv("VMSCOPE_SSH");
  if (!env || strspn(env, " \t") == strlen(env))
    env = "ssh";
  if (strlen(env) >= sizeof c->ssh)
    return vms_error_set(err, VMS_ERR_USAGE, "VMSCOPE_SSH is too long (%zu bytes; at most %zu)",
                         strlen(env), sizeof c->ssh - 1);
  strcpy(c->ssh, env);
  for (char *s = strtok(c->ssh, " \t"); s; s = strtok(NULL, " \t")) {
    if (c->n == MAX_SSH_WORDS)
      return vms_error_set(err, VMS_ERR_USAGE, "VMSCOPE_SSH has more than %d words", MAX_SSH_WORDS);
    c->w[c->n++] = s;
  }
  if (t->port) {
    snprintf(c->port, sizeof c->port, "%d", t->port);
    c->w[c->n++] = "-p";
    c->w[c->n++] = c->port;
  }
  c->w[c->n++] = "--";
  snprintf(c->dest, sizeof c->dest, "%s%s%s", t->user, t->user[0] ? "@" : "", t->host);
  c->w[c->n++] = c->dest;
  return VMS_OK;
}

static void command_add(Command *c, const char *word) {
  if (c->n < MAX_WORDS)
    c->w[c->n++] = (char *)word;
}

/* A number of the remote command: digits and a point only, nothing the
 * far side's shell could read as anything else. */
static void command_add_number(Command *c, double v, bool integer) {
  size_t k = 0;
  while (k < 8 && c->args[k][0])
    k++;
  if (k == 8)
    return;
  if (integer)
    snprintf(c->args[k], sizeof c->args[k], "%.0f", v);
  else
    snprintf(c->args[k], sizeof c->args[k], "%.9g", v);
  command_add(c, c->args[k]);
}

/* The last line that says something in the captured stderr, without a
 * leading "vmscope: " (the far side's vmscope says that of itself). */
static void last_line(FILE *errs, char *out, size_t len) {
  out[0] = '\0';
  if (!errs || fflush(errs) != 0 || fseek(errs, 0, SEEK_SET) != 0)
    return;
  char line[1024];
  while (fgets(line, sizeof line, errs)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0])
      continue;
    const char *s = strncmp(line, "vmscope: ", 9) == 0 ? line + 9 : line;
    snprintf(out, len, "%s", s);
  }
}

/* Keeps what ssh and the far side said as notes, but for the far side's
 * own "recorded N frames" (the frames themselves are the news). */
static VmsErrorCode relay_errors(FILE *errs, Notes *notes, VmsError *err) {
  if (!errs || fflush(errs) != 0 || fseek(errs, 0, SEEK_SET) != 0)
    return VMS_OK;
  char line[1024];
  while (fgets(line, sizeof line, errs))
    if (strncmp(line, "vmscope: recorded ", 18) != 0 && !notes_add(notes, line))
      return vms_error_set(err, VMS_ERR_NOMEM, "out of memory keeping what ssh said");
  return VMS_OK;
}

/* ssh's exit status, said: 255 is ssh's own failure, 127 and 126 the far
 * shell's "no such command" and "cannot run it"; any other failure is the
 * far side's vmscope's, whose statuses are ours, unless what says it was
 * not vmscope that ran. */
static VmsErrorCode explain(const VmsRemoteTarget *t, int status, FILE *errs, const char *what,
                            VmsError *err) {
  char line[600];
  last_line(errs, line, sizeof line);
  if (status == 255)
    return vms_error_set(err, VMS_ERR_REMOTE, "ssh to %s failed: %s", t->label,
                         line[0] ? line : "it exited with status 255 and said nothing");
  if (status == 127)
    return vms_error_set(err, VMS_ERR_REMOTE,
                         "vmscope is not installed on %s%s%s%s; install it there, on the "
                         "PATH of ssh's non-interactive sessions",
                         t->host, line[0] ? " (" : "", line, line[0] ? ")" : "");
  if (status == 126)
    return vms_error_set(err, VMS_ERR_REMOTE, "vmscope on %s cannot be run: %s", t->host,
                         line[0] ? line : "permission denied");
  if (status > 128 && status < 255)
    return vms_error_set(err, VMS_ERR_REMOTE, "ssh to %s was ended by signal %d", t->label,
                         status - 128);
  if (what)
    return vms_error_set(err, VMS_ERR_REMOTE, "%s on %s failed (exit status %d)%s%s", what, t->host,
                         status, line[0] ? ": " : "", line);
  if (status > VMS_ERR_REMOTE)
    return vms_error_set(err, VMS_ERR_REMOTE, "%s: vmscope exited with status %d%s%s", t->host,
                         status, line[0] ? ": " : "", line);
  return vms_error_set(err, (VmsErrorCode)status, "%s: %s", t->host,
                       line[0] ? line : "vmscope failed and said nothing");
}

static VmsErrorCode spawn(const VmsRemoteTarget *t, Command *c, FILE *errs, VmsChild **child,
                          FILE **out, VmsError *err) {
  c->w[c->n] = NULL;
  VmsError e = {0};
  if (vms_spawn_pipe(c->w, errs, child, out, &e) != VMS_OK) {
    if (e.code == VMS_ERR_IO)
      return vms_error_set(err, VMS_ERR_REMOTE,
                           "cannot reach %s: %s; install OpenSSH's client (Debian: "
                           "openssh-client) or set VMSCOPE_SSH to the ssh command to use",
                           t->label, e.message);
    return vms_error_set(err, e.code, "cannot reach %s: %s", t->label, e.message);
  }
  return VMS_OK;
}

/* `vmscope --version` there: "vmscope VERSION (recording format MAJOR.MINOR)". */
static VmsErrorCode check_version(const VmsRemoteTarget *t, Notes *notes, VmsError *err) {
  Command c;
  VmsErrorCode code = command_start(t, &c, err);
  if (code != VMS_OK)
    return code;
  command_add(&c, "vmscope");
  command_add(&c, "--version");
  FILE *errs = tmpfile(), *out;
  VmsChild *child;
  code = spawn(t, &c, errs, &child, &out, err);
  if (code != VMS_OK) {
    if (errs)
      fclose(errs);
    return code;
  }
  char text[512] = "";
  size_t n = fread(text, 1, sizeof text - 1, out);
  text[n] = '\0';
  char sink[4096];
  while (fread(sink, 1, sizeof sink, out) > 0) {
  }
  fclose(out);
  int status;
  code = vms_child_wait(child, &status, err);
  if (code == VMS_OK && status != 0)
    code = explain(t, status, errs, "vmscope --version", err);
  if (code != VMS_OK) {
    if (errs)
      fclose(errs);
    return code;
  }
  text[strcspn(text, "\r\n")] = '\0';
  char version[64];
  unsigned major = 0, minor = 0;
  int used = 0;
  bool read = sscanf(text, "vmscope %63s (recording format %u.%u)%n", version, &major, &minor,
                     &used) == 3 &&
              used > 0 && text[used] == '\0';
  if (!read)
    code = vms_error_set(err, VMS_ERR_REMOTE,
                         "cannot read the version of vmscope on %s: 'vmscope --version' "
                         "said '%.200s', not 'vmscope VERSION (recording format MAJOR.MINOR)'; "
                         "install vmscope %s there",
                         t->host, text, VMS_VERSION);
  else if (major != VMS_RECORDING_MAJOR)
    code = vms_error_set(err, VMS_ERR_UNSUPPORTED,
                         "%s runs vmscope %s, which writes recording format %u.%u; "
                         "this vmscope %s reads format %d only: install the same major version "
                         "on both machines",
                         t->host, version, major, minor, VMS_VERSION, VMS_RECORDING_MAJOR);
  else
    code = relay_errors(errs, notes, err); /* ssh's own warnings, as it would have shown them */
  if (errs)
    fclose(errs);
  if (code == VMS_OK && strcmp(version, VMS_VERSION) != 0) {
    char line[400];
    snprintf(line, sizeof line,
             "vmscope: note: %s runs vmscope %s, this is %s; both use recording format %u\n",
             t->host, version, VMS_VERSION, major);
    if (!notes_add(notes, line))
      code = vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  }
  return code;
}

VmsErrorCode vms_remote_open(const VmsRemoteTarget *t, double interval, long count, double duration,
                             VmsRemote **out, FILE **frames, VmsError *err) {
  *out = NULL;
  *frames = NULL;
  VmsRemote *r = calloc(1, sizeof *r);
  if (!r)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  r->t = *t;
  VmsErrorCode code = check_version(t, &r->notes, err);
  Command c;
  if (code == VMS_OK)
    code = command_start(t, &c, err);
  if (code != VMS_OK) {
    free(r->notes.text);
    free(r);
    return code;
  }
  command_add(&c, "vmscope");
  command_add_number(&c, t->pid, true);
  command_add(&c, "--record");
  command_add(&c, "-");
  command_add(&c, "--interval");
  command_add_number(&c, interval, false);
  if (count > 0) {
    command_add(&c, "--count");
    command_add_number(&c, (double)count, true);
  }
  if (duration > 0) {
    command_add(&c, "--duration");
    command_add_number(&c, duration, false);
  }
  r->errs = tmpfile();
  code = spawn(t, &c, r->errs, &r->child, &r->frames, err);
  if (code != VMS_OK) {
    if (r->errs)
      fclose(r->errs);
    free(r->notes.text);
    free(r);
    return code;
  }
  vms_file_set_binary(r->frames);
  *out = r;
  *frames = r->frames;
  return VMS_OK;
}

char *vms_remote_take_notes(VmsRemote *r) {
  char *text = r->notes.text;
  r->notes.text = NULL;
  r->notes.len = 0;
  return text;
}

VmsErrorCode vms_remote_finish(VmsRemote *r, const VmsError *stream_err, char **notes,
                               VmsError *err) {
  if (notes)
    *notes = NULL;
  fclose(r->frames);
  int status;
  VmsErrorCode code = vms_child_wait(r->child, &status, err);
  if (code == VMS_OK && (status == 0 || (stream_err && status > 128 && status < 255))) {
    /* A pipe closed here after a failure of ours ends ssh by a signal:
     * then the failure to say is ours. */
    if (stream_err) {
      char line[sizeof stream_err->message + sizeof stream_err->remedy + 2];
      vms_error_line(stream_err, line, sizeof line);
      code = vms_error_set(err, stream_err->code, "%s: %s", r->t.label, line);
    } else {
      code = relay_errors(r->errs, &r->notes, err);
    }
  } else if (code == VMS_OK) {
    code = explain(&r->t, status, r->errs, NULL, err);
  }
  if (r->errs)
    fclose(r->errs);
  if (notes && code == VMS_OK)
    *notes = vms_remote_take_notes(r);
  free(r->notes.text);
  free(r);
  return code;
}

VmsErrorCode vms_remote_list(const VmsRemoteTarget *t, const char *format, char **text, size_t *len,
                             char **notes_out, VmsError *err) {
  *text = NULL;
  *len = 0;
  if (notes_out)
    *notes_out = NULL;
  Notes notes = {0};
  VmsErrorCode code = check_version(t, &notes, err);
  Command c;
  if (code == VMS_OK)
    code = command_start(t, &c, err);
  if (code != VMS_OK) {
    free(notes.text);
    return code;
  }
  command_add(&c, "vmscope");
  command_add(&c, "--list");
  if (format) {
    command_add(&c, "--format");
    command_add(&c, format);
  }
  FILE *errs = tmpfile(), *out;
  VmsChild *child;
  code = spawn(t, &c, errs, &child, &out, err);
  if (code != VMS_OK) {
    if (errs)
      fclose(errs);
    free(notes.text);
    return code;
  }
  /* The list is text: kept whole until ssh has said it succeeded, so that a
   * failure shows none of it. */
  char *buf = NULL;
  size_t n = 0, cap = 0;
  bool nomem = false;
  char chunk[8192];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, out)) > 0) {
    if (nomem)
      continue;
    if (n + got + 1 > cap) {
      size_t ncap = cap ? cap * 2 : 65536;
      while (ncap < n + got + 1)
        ncap *= 2;
      char *nb = realloc(buf, ncap);
      if (!nb) {
        nomem = true;
        continue;
      }
      buf = nb;
      cap = ncap;
    }
    memcpy(buf + n, chunk, got);
    n += got;
  }
  fclose(out);
  int status;
  code = vms_child_wait(child, &status, err);
  if (code == VMS_OK && status != 0)
    code = explain(t, status, errs, NULL, err);
  else if (code == VMS_OK && nomem)
    code = vms_error_set(err, VMS_ERR_NOMEM, "out of memory reading the list of %s", t->host);
  else if (code == VMS_OK)
    code = relay_errors(errs, &notes, err);
  if (errs)
    fclose(errs);
  if (code != VMS_OK) {
    free(buf);
    free(notes.text);
    return code;
  }
  if (!buf && !(buf = malloc(1))) {
    free(notes.text);
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory reading the list of %s", t->host);
  }
  buf[n] = '\0';
  *text = buf;
  *len = n;
  if (notes_out)
    *notes_out = notes.text;
  else
    free(notes.text);
  return VMS_OK;
}

/* ---- the far side's process list, read back ---- */

/* One CSV record (RFC 4180, as vmscope --list --format csv writes it) at
 * *p, unquoted in place: fields[0..*n) point into the text. False at the
 * end of the text or on a quote left open. */
static bool csv_record(char **p, char **fields, size_t max, size_t *n) {
  char *r = *p, *w = *p;
  *n = 0;
  if (!*r)
    return false;
  for (;;) {
    char *start = w;
    if (*r == '"') {
      r++;
      for (;;) {
        if (!*r)
          return false;
        if (*r == '"' && r[1] == '"') {
          *w++ = '"';
          r += 2;
        } else if (*r == '"') {
          r++;
          break;
        } else {
          *w++ = *r++;
        }
      }
    }
    while (*r && *r != ',' && *r != '\n' && *r != '\r')
      *w++ = *r++;
    char end = *r;
    if (end)
      r++;
    if (end == '\r' && *r == '\n')
      r++;
    *w++ = '\0';
    if (*n < max)
      fields[(*n)++] = start;
    if (end != ',') {
      *p = r;
      return true;
    }
  }
}

static long long csv_number(const char *s) {
  char *end;
  long long v = strtoll(s, &end, 10);
  return *s && !*end ? v : 0;
}

VmsErrorCode vms_remote_processes(const VmsRemoteTarget *t, VmsProcInfo **out, size_t *n_out,
                                  VmsError *err) {
  *out = NULL;
  *n_out = 0;
  char *text, *notes;
  size_t len;
  VmsErrorCode code = vms_remote_list(t, "csv", &text, &len, &notes, err);
  if (code != VMS_OK)
    return code;
  free(notes); /* ssh's warnings: a list has nowhere to show them */
  code = vms_process_list_from_csv(text, out, n_out, err);
  free(text);
  if (code != VMS_OK)
    vms_error_prefix(err, "%s", t->host);
  return code;
}

VmsErrorCode vms_process_list_from_csv(char *text, VmsProcInfo **out, size_t *n_out,
                                       VmsError *err) {
  *out = NULL;
  *n_out = 0;
  VmsErrorCode code = VMS_OK;
  enum {
    PID,
    PPID,
    USER,
    STATE,
    BITS,
    RSS,
    VSIZE,
    MAPS,
    NAME,
    READABLE,
    REASON,
    CMDLINE,
    NS_PID,
    CONTAINER,
    N_NAMED
  };
  static const char *const names[N_NAMED] = {"pid",    "ppid",    "user",   "state",    "bits",
                                             "rss",    "vsize",   "maps",   "name",     "readable",
                                             "reason", "cmdline", "ns_pid", "container"};
  /* Columns by name: a later vmscope there may add some. */
  int col[N_NAMED];
  for (int k = 0; k < N_NAMED; k++)
    col[k] = -1;
  char *p = text, *f[64];
  size_t nf;
  if (csv_record(&p, f, 64, &nf))
    for (size_t i = 0; i < nf; i++)
      for (int k = 0; k < N_NAMED; k++)
        if (strcmp(f[i], names[k]) == 0)
          col[k] = (int)i;
  if (col[PID] < 0 || col[NAME] < 0 || col[READABLE] < 0)
    return vms_error_set(err, VMS_ERR_PARSE,
                         "'vmscope --list --format csv' there printed no pid, name and readable "
                         "columns");
  VmsProcInfo *list = NULL;
  size_t n = 0, cap = 0;
  while (code == VMS_OK && csv_record(&p, f, 64, &nf)) {
    if (nf == 1 && !f[0][0])
      continue; /* an empty line */
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 256;
      VmsProcInfo *nl = realloc(list, ncap * sizeof *nl);
      if (!nl) {
        code = vms_error_set(err, VMS_ERR_NOMEM, "out of memory reading the process list");
        break;
      }
      list = nl;
      cap = ncap;
    }
#define FIELD(k) (col[k] >= 0 && (size_t)col[k] < nf ? f[col[k]] : "")
    VmsProcInfo *pi = &list[n];
    memset(pi, 0, sizeof *pi);
    pi->pid = (int)csv_number(FIELD(PID));
    if (pi->pid <= 0)
      continue;
    pi->ppid = (int)csv_number(FIELD(PPID));
    snprintf(pi->user, sizeof pi->user, "%s", FIELD(USER));
    pi->state = FIELD(STATE)[0] ? FIELD(STATE)[0] : '?';
    pi->bits = (int)csv_number(FIELD(BITS));
    pi->rss = (uint64_t)csv_number(FIELD(RSS));
    pi->vsize = (uint64_t)csv_number(FIELD(VSIZE));
    pi->n_maps = col[MAPS] >= 0 ? (long)csv_number(FIELD(MAPS)) : -1;
    snprintf(pi->name, sizeof pi->name, "%s", FIELD(NAME));
    /* The far side said why in words; the code here only says "cannot". */
    pi->access = strcmp(FIELD(READABLE), "yes") == 0 ? VMS_OK : VMS_ERR_PERMISSION;
    snprintf(pi->reason, sizeof pi->reason, "%s", FIELD(REASON));
    pi->ns_pid = (int)csv_number(FIELD(NS_PID));
    snprintf(pi->container, sizeof pi->container, "%s", FIELD(CONTAINER));
    pi->cmdline = strdup(FIELD(CMDLINE));
#undef FIELD
    if (!pi->cmdline) {
      code = vms_error_set(err, VMS_ERR_NOMEM, "out of memory reading the process list");
      break;
    }
    n++;
  }
  if (code != VMS_OK) {
    vms_process_list_free(list, n);
    return code;
  }
  *out = list;
  *n_out = n;
  return VMS_OK;
}
