/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-cli-remote.h: a process on another machine, read through the user's own ssh. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vms-error.h"

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
 * *frames reads the recording as it arrives. Prints what fails on stderr
 * and returns the exit status (VMS_OK: *out and *frames are set). */
int vms_remote_open(const VmsRemoteTarget *t, double interval, long count, double duration,
                    VmsRemote **out, FILE **frames);
/* Closes the frames, waits for ssh and says how it ended, on stderr: the
 * far side's failure first (its own exit status when vmscope failed there,
 * VMS_ERR_REMOTE when ssh did), else stream_err's when not NULL (reading
 * the frames failed here). Frees r and returns the exit status. */
int vms_remote_finish(VmsRemote *r, const VmsError *stream_err);
/* `vmscope --list` (with --format F when format is not NULL) on the far
 * side, printed here. Returns the exit status. */
int vms_remote_list(const VmsRemoteTarget *t, const char *format);
