/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-term-linux.c: what a terminal on Linux says of itself. */
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vms-platform.h"

bool vms_terminal_size(FILE *f, int *columns, int *rows) {
  struct winsize ws;
  if (ioctl(fileno(f), TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0)
    return false;
  *columns = ws.ws_col;
  *rows = ws.ws_row;
  return true;
}

bool vms_terminal_is(FILE *f) {
  return isatty(fileno(f)) == 1;
}
