/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-main.c: entry point of the vmscope binary where no GTK is built: the CLI alone. */
#include "vms-cli.h"

int main(int argc, char **argv) { return vms_cli_main(argc, argv); }
