/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-error.c: building and prefixing VmsError messages. */
#include "vms-error.h"

#include <stdio.h>
#include <string.h>

VmsErrorCode vms_error_setv(VmsError *err, VmsErrorCode code, const char *fmt, va_list ap) {
  if (err) {
    err->code = code;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    err->remedy[0] = '\0';
  }
  return code;
}

VmsErrorCode vms_error_set(VmsError *err, VmsErrorCode code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vms_error_setv(err, code, fmt, ap);
  va_end(ap);
  return code;
}

void vms_error_set_remedy(VmsError *err, const char *fmt, ...) {
  if (!err)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->remedy, sizeof err->remedy, fmt, ap);
  va_end(ap);
}

const char *vms_error_line(const VmsError *err, char *buf, size_t len) {
  if (err->remedy[0])
    snprintf(buf, len, "%s; %s", err->message, err->remedy);
  else
    snprintf(buf, len, "%s", err->message);
  return buf;
}

void vms_error_prefix(VmsError *err, const char *fmt, ...) {
  if (!err)
    return;
  char head[256], old[sizeof err->message];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(head, sizeof head, fmt, ap);
  va_end(ap);
  memcpy(old, err->message, sizeof old);
  snprintf(err->message, sizeof err->message, "%s: %s", head, old);
}

void vms_error_clear(VmsError *err) {
  if (err) {
    err->code = VMS_OK;
    err->message[0] = '\0';
    err->remedy[0] = '\0';
  }
}

const char *vms_error_code_name(VmsErrorCode code) {
  switch (code) {
  case VMS_OK: return "ok";
  case VMS_ERR_INTERNAL: return "internal error";
  case VMS_ERR_USAGE: return "usage";
  case VMS_ERR_NO_PROCESS: return "no such process";
  case VMS_ERR_PERMISSION: return "permission denied";
  case VMS_ERR_NO_ADDRESS_SPACE: return "no address space";
  case VMS_ERR_GONE: return "process exited";
  case VMS_ERR_REUSED: return "PID reused";
  case VMS_ERR_IO: return "I/O error";
  case VMS_ERR_NOMEM: return "out of memory";
  case VMS_ERR_PARSE: return "malformed input";
  case VMS_ERR_UNSUPPORTED: return "unsupported";
  case VMS_ERR_REMOTE: return "remote failure";
  }
  return "unknown error";
}

bool vms_error_ends_target(VmsErrorCode code) {
  return code == VMS_ERR_GONE || code == VMS_ERR_REUSED || code == VMS_ERR_PERMISSION ||
         code == VMS_ERR_NO_ADDRESS_SPACE || code == VMS_ERR_NO_PROCESS;
}
