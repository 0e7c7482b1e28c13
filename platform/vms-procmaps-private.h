/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-procmaps-private.h: what the maps parser shares with the Linux ioctl walk. */
#pragma once

#include "vms-platform.h"

/* Names region r with s[0..n) as the kernel gave it, setting the VMS_OS_*
 * bits the name implies (pseudo, anonymous name, file, deleted). `escaped`:
 * s comes from the maps text, where a newline is "\012". NULL on success,
 * else what is wrong. */
const char *vms_maps_store_name(VmsSpace *space, VmsRegion *r, const char *s, size_t n,
                                bool escaped);
