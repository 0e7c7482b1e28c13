/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-remote.h: a process on another machine, read through the user's own ssh.
 *
 * Plain C11; nothing here prints: failures come back as a VmsError, and
 * what ssh and the far side said that a person should still see (ssh's
 * warnings, another version of vmscope there) as notes to show. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vms-error.h"
#include "vms-platform.h"

/* ssh://[USER@]HOST[:PORT][/PID], taken apart. */
typedef struct {
  char user[128];  /* "" for ssh's default */
  char host[256];  /* an IPv6 address without its brackets */
  char label[400]; /* [USER@]HOST[:PORT] as written, for messages */
  int port;        /* 0 for ssh's default */
  int pid;         /* 0 when the URL names none */
} VmsRemoteTarget;

/* True when arg is meant as a remote target (it starts with "ssh://"). */
bool vms_remote_is_url(const char *arg);
/* Parses url; false with what part is wrong, and why, in why. */
bool vms_remote_parse(const char *url, VmsRemoteTarget *t, char *why, size_t len);

typedef struct VmsRemote VmsRemote;

/* Runs `vmscope --version` on the far side and refuses another recording
 * format's major version, then starts `vmscope PID --record - --interval S`
 * there (with --count N when count > 0, --duration D when duration > 0);
 * *frames reads the recording as it arrives. Blocks while ssh connects. On
 * failure err says why in one line: VMS_ERR_REMOTE when ssh or the far
 * shell failed, VMS_ERR_UNSUPPORTED for another major version, the far
 * side's own code when its vmscope failed. */
VmsErrorCode vms_remote_open(const VmsRemoteTarget *t, double interval, long count, double duration,
                             VmsRemote **out, FILE **frames, VmsError *err);
/* The notes so far (lines to show as they are, NULL for none), taken: the caller frees them. */
char *vms_remote_take_notes(VmsRemote *r);
/* Closes the frames, waits for ssh and says how it ended: the far side's
 * failure first, else stream_err's when not NULL (reading the frames
 * failed here), prefixed with the target. Frees r. On success *notes (when
 * notes is not NULL) takes what is left to show, NULL for nothing. */
VmsErrorCode vms_remote_finish(VmsRemote *r, const VmsError *stream_err, char **notes,
                               VmsError *err);
/* `vmscope --list` (with --format F when format is not NULL) on the far
 * side: its whole text in *text (NUL-terminated, *len bytes; the caller
 * frees it), and the notes in *notes when not NULL. */
VmsErrorCode vms_remote_list(const VmsRemoteTarget *t, const char *format, char **text, size_t *len,
                             char **notes, VmsError *err);
/* The same list read back (`--format csv`) as the local process list is
 * (vms_process_list_free frees it): the far side's PIDs, names, users,
 * sizes, and for each process it cannot read its reason in words (access
 * then VMS_ERR_PERMISSION, whatever the far side's cause). */
VmsErrorCode vms_remote_processes(const VmsRemoteTarget *t, VmsProcInfo **out, size_t *n,
                                  VmsError *err);
/* The rows of `vmscope --list --format csv` (text, unquoted in place) as
 * a process list; columns are found by their names in the header, so a
 * later vmscope may add some. VMS_ERR_PARSE without pid, name and readable. */
VmsErrorCode vms_process_list_from_csv(char *text, VmsProcInfo **out, size_t *n, VmsError *err);
