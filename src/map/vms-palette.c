/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-palette.c: the map's colours and the importance of each type. */
#include "vms-palette.h"

#include <math.h>

/* Okabe & Ito's colour-blind-safe set ("Color Universal Design", 2008): its
 * seven hues for the seven kinds of mapped memory, a dark grey for unusable
 * space (their lighter grey sits too close to reddish purple for a
 * deuteranope), and a near-white for free space, which must recede. Reserved space
 * is the same hue lightened, with a diagonal hatch in the full hue every
 * fourth pixel, so it reads as "this type, not committed" without a
 * colour of its own. tests/render/test-render.c checks the nine stay apart under
 * simulated protanopia, deuteranopia and tritanopia. */
const uint8_t vms_palette_rgb[VMS_TYPE_COUNT][3] = {
    [VMS_TYPE_IMAGE] = {0xCC, 0x79, 0xA7},     /* reddish purple */
    [VMS_TYPE_MAPPED] = {0x00, 0x72, 0xB2},    /* blue */
    [VMS_TYPE_SHAREABLE] = {0x56, 0xB4, 0xE9}, /* sky blue */
    [VMS_TYPE_HEAP] = {0xE6, 0x9F, 0x00},      /* orange */
    [VMS_TYPE_STACK] = {0xD5, 0x5E, 0x00},     /* vermillion */
    [VMS_TYPE_PRIVATE] = {0xF0, 0xE4, 0x42},   /* yellow */
    [VMS_TYPE_SYSTEM] = {0x00, 0x9E, 0x73},    /* bluish green */
    [VMS_TYPE_UNUSABLE] = {0x55, 0x55, 0x55},  /* dark grey */
    [VMS_TYPE_FREE] = {0xF2, 0xF2, 0xF2},      /* near-white */
};
#define TINT 0.55 /* share of white mixed into a reserved region's hue */

void vms_palette_color(VmsRegionType type, double rgb[3]) {
  unsigned t = (unsigned)type < VMS_TYPE_COUNT ? (unsigned)type : VMS_TYPE_FREE;
  for (int i = 0; i < 3; i++)
    rgb[i] = vms_palette_rgb[t][i] / 255.0;
}

uint8_t vms_palette_tint(uint8_t c) {
  return (uint8_t)lround(c + (255 - c) * TINT);
}

void vms_palette_reserved_color(VmsRegionType type, double rgb[3]) {
  unsigned t = (unsigned)type < VMS_TYPE_COUNT ? (unsigned)type : VMS_TYPE_FREE;
  for (int i = 0; i < 3; i++)
    rgb[i] = vms_palette_tint(vms_palette_rgb[t][i]) / 255.0;
}

int vms_type_rank(VmsRegionType type) {
  static const uint8_t rank[VMS_TYPE_COUNT] = {
      [VMS_TYPE_STACK] = 8,   [VMS_TYPE_HEAP] = 7,      [VMS_TYPE_IMAGE] = 6,
      [VMS_TYPE_PRIVATE] = 5, [VMS_TYPE_SHAREABLE] = 4, [VMS_TYPE_MAPPED] = 3,
      [VMS_TYPE_SYSTEM] = 2,  [VMS_TYPE_UNUSABLE] = 1,  [VMS_TYPE_FREE] = 0,
  };
  return (unsigned)type < VMS_TYPE_COUNT ? rank[type] : rank[VMS_TYPE_PRIVATE];
}

/* Three steps of lightness apart from each other and from free space's
 * near-white, so they read without hue (the residency view has no hue of
 * a type to compete with inside a region it covers). */
const uint8_t vms_page_state_rgb[VMS_PAGE_STATE_COUNT][3] = {
    [VMS_PAGE_UNTOUCHED] = {0xBB, 0xBB, 0xBB}, /* light grey */
    [VMS_PAGE_RESIDENT] = {0x1A, 0x1A, 0x1A},  /* near-black */
    [VMS_PAGE_SWAPPED] = {0xB0, 0x1C, 0x4A},   /* crimson */
};

int vms_page_state_rank(VmsPageState state) {
  static const uint8_t rank[VMS_PAGE_STATE_COUNT] = {
      [VMS_PAGE_UNTOUCHED] = 1, [VMS_PAGE_RESIDENT] = 2, [VMS_PAGE_SWAPPED] = 3};
  return (unsigned)state < VMS_PAGE_STATE_COUNT ? rank[state] : 0;
}
