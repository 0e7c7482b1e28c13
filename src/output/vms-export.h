/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-export.h: the map as a PNG, SVG or PDF file with a header and a legend. */
#pragma once

#include "vms-layout.h"
#include "vms-platform.h"

typedef enum { VMS_EXPORT_PNG = 0, VMS_EXPORT_SVG, VMS_EXPORT_PDF } VmsExportFormat;

/* Writes the map with header and legend to path, atomically (temporary file
 * then rename); on failure nothing is left at path. */
VmsErrorCode vms_export(const VmsSnapshot *snap, const VmsViewport *vp, int width, int height,
                        VmsExportFormat format, const char *path, VmsError *err);
