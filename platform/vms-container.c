/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-container.c: the namespace PID and the container of a process, from /proc text. */
#include "vms-container.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vms_status_ns_pid(const char *status) {
  const char *p = status ? strstr(status, "NSpid:") : NULL;
  if (!p || (p != status && p[-1] != '\n'))
    return 0;
  p += 6;
  /* "NSpid:\t4242\t7": the outermost first, the process's own namespace last. */
  long last = 0;
  int fields = 0;
  while (*p && *p != '\n') {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p) {
      p++;
      continue;
    }
    last = v;
    fields++;
    p = end;
  }
  return fields > 1 && last > 0 && last <= 0x7fffffff ? (int)last : 0;
}

static int is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* The last run of exactly 64 hex digits in path[0, len): the runtime's
 * container ID; NULL when there is none. */
static const char *container_id(const char *path, size_t len) {
  const char *id = NULL;
  for (size_t i = 0; i < len;) {
    size_t j = i;
    while (j < len && is_hex(path[j]))
      j++;
    if (j - i == 64)
      id = path + i;
    i = j > i ? j : i + 1;
  }
  return id;
}

void vms_cgroup_container(const char *cgroup, char *out, size_t size) {
  if (!size)
    return;
  out[0] = '\0';
  if (!cgroup)
    return;
  /* Each line is "HIERARCHY:CONTROLLERS:PATH". On a hybrid host the
   * unified line ("0::") may be the root while a v1 controller's path names
   * the container, so every line is looked at: an ID anywhere wins; else the
   * unified path, else the first other path that is not the root. */
  const char *fallback = NULL, *unified = NULL;
  size_t fallback_len = 0, unified_len = 0;
  for (const char *line = cgroup; *line;) {
    size_t line_len = strcspn(line, "\n");
    const char *c1 = memchr(line, ':', line_len);
    const char *c2 = c1 ? memchr(c1 + 1, ':', line_len - (size_t)(c1 + 1 - line)) : NULL;
    if (c2) {
      const char *path = c2 + 1;
      size_t len = line_len - (size_t)(path - line);
      const char *id = container_id(path, len);
      if (id) {
        snprintf(out, size, "%.64s", id);
        return;
      }
      bool is_unified = c1 == line + 1 && line[0] == '0' && c2 == c1 + 1;
      if (len > 1 && is_unified && !unified) {
        unified = path;
        unified_len = len;
      } else if (len > 1 && !fallback) {
        fallback = path;
        fallback_len = len;
      }
    }
    line += line_len;
    if (*line == '\n')
      line++;
  }
  if (unified)
    snprintf(out, size, "%.*s", (int)unified_len, unified);
  else if (fallback)
    snprintf(out, size, "%.*s", (int)fallback_len, fallback);
}
