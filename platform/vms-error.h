/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-error.h: the small error value every fallible call in platform/ and src/ returns. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* MinGW's "printf" archetype is msvcrt's, which knows no %zu; vmscope builds
 * with __USE_MINGW_ANSI_STDIO, whose printf is the GNU one. */
#if defined(__MINGW32__)
#define VMS_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#else
#define VMS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#endif

/* Each code is also the CLI's exit status (see README "Exit codes"), so the
 * numbers are part of the interface: append, never renumber. */
typedef enum {
  VMS_OK = 0,
  VMS_ERR_INTERNAL = 1,         /* a bug or an unexpected OS answer */
  VMS_ERR_USAGE = 2,            /* bad option, bad size, bad range */
  VMS_ERR_NO_PROCESS = 3,       /* no such PID */
  VMS_ERR_PERMISSION = 4,       /* not allowed to read it; message says why */
  VMS_ERR_NO_ADDRESS_SPACE = 5, /* kernel thread or zombie */
  VMS_ERR_GONE = 6,             /* the process exited while we read it */
  VMS_ERR_REUSED = 7,           /* the PID now belongs to another process */
  VMS_ERR_IO = 8,               /* reading or writing a file failed */
  VMS_ERR_NOMEM = 9,
  VMS_ERR_PARSE = 10,       /* malformed input text or file */
  VMS_ERR_UNSUPPORTED = 11, /* the platform cannot do this */
  VMS_ERR_REMOTE = 12,      /* another machine: ssh failed, or vmscope is missing there */
} VmsErrorCode;

/* message says what went wrong; remedy, when not empty, what would help
 * ("run vmscope as root or with CAP_SYS_PTRACE"), so that a window can show
 * it apart and a command line can append it. */
typedef struct {
  VmsErrorCode code;
  char message[512];
  char remedy[256];
} VmsError;

/* Sets err (when non-NULL) and returns code, so callers can write
 * `return vms_error_set(err, VMS_ERR_IO, "...")`. Clears the remedy. */
VmsErrorCode vms_error_set(VmsError *err, VmsErrorCode code, const char *fmt, ...) VMS_PRINTF(3, 4);
VmsErrorCode vms_error_setv(VmsError *err, VmsErrorCode code, const char *fmt, va_list ap)
    VMS_PRINTF(3, 0);
/* Sets err's remedy (err's code and message stay). */
void vms_error_set_remedy(VmsError *err, const char *fmt, ...) VMS_PRINTF(2, 3);
/* The message and the remedy as one line, "MESSAGE; REMEDY", into buf. */
const char *vms_error_line(const VmsError *err, char *buf, size_t len);
/* Prefixes an existing message with context ("writing map.png: ..."). */
void vms_error_prefix(VmsError *err, const char *fmt, ...) VMS_PRINTF(2, 3);
void vms_error_clear(VmsError *err);
const char *vms_error_code_name(VmsErrorCode code);
/* True for the errors after which reading the same target again cannot
 * succeed: it is gone, reused, forbidden, has no address space or never
 * existed. A sampler stops on them; a window says the process has ended. */
bool vms_error_ends_target(VmsErrorCode code);
