/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-textmap.h: the map as text, for a terminal on a machine with no display.
 *
 * The viewed range is cut into rows of equal cells, each cell an equal share
 * of the bytes (the linear layout), or with every free gap of at least
 * VMS_TEXTMAP_GAP bytes shrunk to a few '/' cells (the compressed layout,
 * for 64-bit spaces). A cell shows the most important type it covers
 * (vms_type_rank) as a letter, upper case committed, lower case reserved,
 * and in colour when asked. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vms-snapshot.h"

#define VMS_TEXTMAP_GAP (64ull << 20)

typedef struct {
  uint64_t start, end; /* viewed range; 0, 0 for the whole usable range */
  int columns;         /* characters per line, label included (at least 40) */
  int rows;            /* map rows (at least 1) */
  bool compressed;     /* shrink free gaps of VMS_TEXTMAP_GAP or more */
  bool color;          /* ANSI 24-bit colour */
} VmsTextMapOptions;

/* The letter a region of type (and state) is shown with: 'I' image, 'M'
 * mapped, 'S' shareable, 'H' heap, 'T' stack (thread), 'P' private, 'Y'
 * system, ':' unusable, '.' free; reserved in lower case. */
char vms_textmap_letter(VmsRegionType type, VmsRegionState state);

/* Writes the header, the rows ("ADDRESS CELLS") and the legend to f.
 * False when the options are nonsense (a range outside the space, too
 * narrow) or memory runs out; err says which. */
bool vms_textmap_print(FILE *f, const VmsSnapshot *snap, const VmsTextMapOptions *opts,
                       VmsError *err);
