/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-classify.h: the classifier, which the snapshot builder calls (model/ only). */
#pragma once

#include "vms-snapshot.h"

/* Fills in bitness, page size and the usable range from the regions
 * themselves where the platform did not (a captured maps file). */
void vms_space_guess_facts(VmsSpace *space);

/* Types space's regions in place and returns a new gap-filled array (and
 * counters parallel to it when space has them). */
VmsErrorCode vms_classify(VmsSpace *space, VmsRegion **out, VmsCounters **ctr_out, size_t *n_out,
                          size_t *stacks_found, VmsError *err);
