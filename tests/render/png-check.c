/* SPDX-License-Identifier: GPL-3.0-or-later */
/* png-check.c: decodes a PNG with cairo and checks its size and that it holds enough pixels of
 * given colours.
 *
 * Usage: png-check FILE WIDTH HEIGHT [TYPE[:reserved]=MIN_PIXELS | pages=STATES | pages=none]...
 * where TYPE is a type name (image, heap, private, ...), and STATES the
 * page states the map's rows must show, one letter a pixel in address order
 * (r resident, s swapped, u untouched; see png-pages.h); pages=none: no
 * line of the map shows page states. Exits 0 when every fact holds, 1 with
 * one line per broken fact otherwise. */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "png-pages.h"
#include "vms-render.h"

static uint32_t packed(const double c[3]) {
  return (uint32_t)lround(c[0] * 255) << 16 | (uint32_t)lround(c[1] * 255) << 8 |
         (uint32_t)lround(c[2] * 255);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: png-check FILE WIDTH HEIGHT [TYPE[:reserved]=MIN]...\n");
    return 2;
  }
  cairo_surface_t *s = cairo_image_surface_create_from_png(argv[1]);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    fprintf(stderr, "%s: not a PNG cairo can read: %s\n", argv[1],
            cairo_status_to_string(cairo_surface_status(s)));
    return 1;
  }
  int fails = 0, w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  if (w != atoi(argv[2]) || h != atoi(argv[3])) {
    fprintf(stderr, "%s: %dx%d, want %sx%s\n", argv[1], w, h, argv[2], argv[3]);
    fails++;
  }
  const unsigned char *d = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s);
  for (int i = 4; i < argc; i++) {
    if (strncmp(argv[i], "pages=", 6) == 0) {
      const char *want = argv[i] + 6;
      bool none = strcmp(want, "none") == 0;
      size_t cap = (size_t)w * (size_t)h + 1;
      char *got = malloc(cap);
      int rows = 0;
      if (!got || !png_pages_read(s, got, cap, &rows)) {
        fprintf(stderr, "png-check: cannot read the page states back\n");
        return 2;
      }
      const char *expect = none ? "" : want;
      if (strcmp(got, expect) != 0) {
        size_t k = 0;
        while (got[k] && got[k] == expect[k])
          k++;
        fprintf(stderr,
                "%s: the map shows %zu page-state pixels in %d rows, want %zu; they differ from "
                "pixel %zu on (got '%.16s', want '%.16s')\n",
                argv[1], strlen(got), rows, strlen(expect), k, got + k, expect + k);
        fails++;
      } else {
        printf("page states: %zu pixels in %d rows as expected\n", strlen(got), rows);
      }
      free(got);
      continue;
    }
    char name[64];
    long min = 1;
    const char *eq = strchr(argv[i], '=');
    size_t n = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
    if (n >= sizeof name)
      n = sizeof name - 1;
    memcpy(name, argv[i], n);
    name[n] = '\0';
    if (eq)
      min = atol(eq + 1);
    char *colon = strchr(name, ':');
    bool reserved = colon && strcmp(colon + 1, "reserved") == 0;
    if (colon)
      *colon = '\0';
    int type = -1;
    for (int t = 0; t < VMS_TYPE_COUNT; t++)
      if (strcmp(vms_type_name((VmsRegionType)t), name) == 0)
        type = t;
    if (type < 0) {
      fprintf(stderr, "png-check: unknown type '%s'\n", name);
      return 2;
    }
    double c[3];
    if (reserved)
      vms_palette_reserved_color((VmsRegionType)type, c);
    else
      vms_palette_color((VmsRegionType)type, c);
    uint32_t want = packed(c);
    long count = 0;
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        count += (((const uint32_t *)(d + (size_t)y * (size_t)stride))[x] & 0xFFFFFF) == want;
    if (count < min) {
      fprintf(stderr, "%s: %ld pixels of %s%s (#%06x), want at least %ld\n", argv[1], count, name,
              reserved ? " reserved" : "", want, min);
      fails++;
    } else {
      printf("%s%s: %ld pixels\n", name, reserved ? " reserved" : "", count);
    }
  }
  cairo_surface_destroy(s);
  return fails ? 1 : 0;
}
