/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-palette.h: the map's colours and the importance of each type, for every medium.
 *
 * The cairo renderer, the exports, the window's legend and the terminal map
 * all draw with these, so a type looks the same everywhere. No cairo here. */
#pragma once

#include <stdint.h>

#include "vms-platform.h"

/* sRGB, 0..255, one colour per type. */
extern const uint8_t vms_palette_rgb[VMS_TYPE_COUNT][3];

/* The palette, one colour per type (sRGB 0..1); reserved space is drawn
 * lighter/hatched in the same hue. */
void vms_palette_color(VmsRegionType type, double rgb[3]);
/* The lightened colour reserved space of type is drawn in (under a hatch of
 * vms_palette_color every fourth diagonal pixel). */
void vms_palette_reserved_color(VmsRegionType type, double rgb[3]);
/* One channel of a hue lightened as reserved space is. */
uint8_t vms_palette_tint(uint8_t channel);

/* sRGB, 0..255: the residency view's colours for a page's state
 * (VmsPageState): untouched light grey, resident near-black, swapped crimson. */
extern const uint8_t vms_page_state_rgb[VMS_PAGE_STATE_COUNT][3];
/* Importance of a state when one pixel covers several pages: swapped >
 * resident > untouched. Higher is more important. */
int vms_page_state_rank(VmsPageState state);

/* Importance of a type when one pixel or cell covers several: what a reader
 * must not miss comes first (stack > heap > image > private > shareable >
 * mapped > system > unusable > free). Higher is more important. */
int vms_type_rank(VmsRegionType type);
