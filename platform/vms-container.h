/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-container.h: which container a process is in, from the text Linux shows (OS-independent).
 *
 * Pure functions over /proc/PID/status and /proc/PID/cgroup text, so that
 * fixtures test them on every OS. */
#pragma once

#include <stddef.h>

/* The PID a process has in its own (innermost) PID namespace, from the
 * NSpid line of /proc/PID/status; 0 when it shares vmscope's namespace or
 * the line is missing. */
int vms_status_ns_pid(const char *status);

/* The container of a process from /proc/PID/cgroup text: the runtime's
 * container ID (64 hex digits) where the cgroup path carries one (Docker,
 * containerd, CRI-O, Podman), otherwise the cgroup path itself; "" for the
 * root cgroup or unreadable text. The unified (cgroup v2, "0::") line is
 * preferred, then the first line. */
void vms_cgroup_container(const char *cgroup, char *out, size_t size);
