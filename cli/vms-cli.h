/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-cli.h: the command-line front end shared by the CLI-only and the GUI builds of vmscope. */
#pragma once

#include <stdbool.h>

/* True when argv asks for something the CLI does without a window (--list,
 * --summary, --regions, --png, --watch, --fit, --help, --version, ...). */
bool vms_cli_wants_cli(int argc, char **argv);
/* Runs the CLI; returns the process exit status (a VmsErrorCode). */
int vms_cli_main(int argc, char **argv);
