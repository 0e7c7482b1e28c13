/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-palette-print.c: prints the renderer's palette ("image #rrggbb" per line) for the end-to-end
 * test's pixel checks. */
#include <stdio.h>

#include "vms-render.h"

int main(void) {
  for (int t = 0; t < VMS_TYPE_COUNT; t++) {
    double rgb[3];
    vms_palette_color((VmsRegionType)t, rgb);
    printf("%s #%02X%02X%02X\n", vms_type_name((VmsRegionType)t), (unsigned)(rgb[0] * 255 + 0.5),
           (unsigned)(rgb[1] * 255 + 0.5), (unsigned)(rgb[2] * 255 + 0.5));
  }
  return 0;
}
