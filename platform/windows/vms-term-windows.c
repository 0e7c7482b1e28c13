/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-term-windows.c: what a console on Windows says of itself. */
#include <windows.h>

#include <io.h>
#include <stdio.h>

#include "vms-platform.h"

static HANDLE console_of(FILE *f) {
  intptr_t h = _get_osfhandle(_fileno(f));
  return h == -1 ? INVALID_HANDLE_VALUE : (HANDLE)h;
}

bool vms_terminal_size(FILE *f, int *columns, int *rows) {
  CONSOLE_SCREEN_BUFFER_INFO info;
  if (!GetConsoleScreenBufferInfo(console_of(f), &info))
    return false;
  *columns = info.srWindow.Right - info.srWindow.Left + 1;
  *rows = info.srWindow.Bottom - info.srWindow.Top + 1;
  return *columns > 0 && *rows > 0;
}

bool vms_terminal_is(FILE *f) {
  DWORD mode;
  /* A console answers; a pipe or a file does not. Escape sequences need
   * the console's virtual terminal processing, which Windows 10 has. */
  HANDLE h = console_of(f);
  if (!GetConsoleMode(h, &mode))
    return false;
  SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
  return true;
}
