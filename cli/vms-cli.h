/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-cli.h: the command-line front end: vmscope itself, which starts the window's executable. */
#pragma once

#include <stdbool.h>

#include "vms-error.h"

/* True when argv asks for something the CLI does without a window (--list,
 * --summary, --regions, --png, --watch, --fit, --help, --version, ...). */
bool vms_cli_wants_cli(int argc, char **argv);
/* True for "vmscope" and "vmscope PID", the argument lists the window takes
 * when there is one; everything else, bad arguments and their messages
 * included, is the CLI's. "vmscope FILE" (a recording or saved snapshot) is
 * the CLI's too: the window does not open recordings yet. */
bool vms_cli_wants_window(int argc, char **argv);
/* A failure's one line on stderr, "vmscope: " and the message, as every
 * part of the CLI says it; returns code. */
int vms_cli_fail(int code, const char *fmt, ...) VMS_PRINTF(2, 3);
/* Runs the CLI; returns the process exit status (a VmsErrorCode). */
int vms_cli_main(int argc, char **argv);
