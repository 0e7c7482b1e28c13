/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-palette-print.c: prints the renderer's palette ("image #rrggbb" per line, then the
 * residency view's "page-resident #rrggbb" and kin) for the end-to-end test's pixel checks. */
#include <stdio.h>

#include "vms-render.h"

int main(void) {
  for (int t = 0; t < VMS_TYPE_COUNT; t++) {
    double rgb[3];
    vms_palette_color((VmsRegionType)t, rgb);
    printf("%s #%02X%02X%02X\n", vms_type_name((VmsRegionType)t), (unsigned)(rgb[0] * 255 + 0.5),
           (unsigned)(rgb[1] * 255 + 0.5), (unsigned)(rgb[2] * 255 + 0.5));
  }
  static const char *const states[VMS_PAGE_STATE_COUNT] = {[VMS_PAGE_UNTOUCHED] = "page-untouched",
                                                           [VMS_PAGE_RESIDENT] = "page-resident",
                                                           [VMS_PAGE_SWAPPED] = "page-swapped"};
  for (int st = 0; st < VMS_PAGE_STATE_COUNT; st++)
    printf("%s #%02X%02X%02X\n", states[st], vms_page_state_rgb[st][0], vms_page_state_rgb[st][1],
           vms_page_state_rgb[st][2]);
  return 0;
}
