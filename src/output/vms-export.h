/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-export.h: the map as a PNG, SVG or PDF file with a header and a legend. */
#pragma once

#include "vms-layout.h"
#include "vms-platform.h"

typedef enum { VMS_EXPORT_PNG = 0, VMS_EXPORT_SVG, VMS_EXPORT_PDF } VmsExportFormat;

/* What an export draws besides the types. */
typedef struct {
  /* The residency view: within each mapped region, its pages' states from
   * pages (as vms_render_map draws them), three more legend entries and a
   * header line saying so. Where pages is NULL, holds no runs or is of
   * another process, the map shows types and that header line says why:
   * pages_missing when given, else pages->note. */
  bool residency;
  const VmsPageMap *pages;
  const char *pages_missing;
} VmsExportOptions;

/* Writes the map with header and legend to path, atomically (temporary file
 * then rename); on failure nothing is left at path. */
VmsErrorCode vms_export(const VmsSnapshot *snap, const VmsViewport *vp, int width, int height,
                        VmsExportFormat format, const char *path, VmsError *err);
/* The same with opts (NULL: as vms_export). */
VmsErrorCode vms_export_with(const VmsSnapshot *snap, const VmsViewport *vp, int width, int height,
                             VmsExportFormat format, const char *path, const VmsExportOptions *opts,
                             VmsError *err);

/* The header line an export with opts->residency carries for the range
 * [vp->start, vp->end): "Residency shown: ..." with the bytes in each state,
 * or "Residency not shown: WHY" (then false). */
bool vms_export_residency_line(const VmsSnapshot *snap, const VmsViewport *vp,
                               const VmsExportOptions *opts, char *buf, size_t len);
