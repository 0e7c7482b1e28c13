/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-main.c: entry point of vmscope, the CLI; "vmscope [PID]" with a display starts the window. */
#include <stdio.h>
#include <string.h>

#include "vms-cli.h"
#include "vms-config.h"
#include "vms-error.h"
#include "vms-platform.h"

/* The window is an executable of its own, so that vmscope links no GTK and
 * a CLI run loads none of it. It is looked for next to vmscope first (the
 * build tree, or an installation that keeps them together), then where
 * meson installs it. Returns only when neither could be run. */
static int start_window(char **argv) {
  char dir[4096], path[4096 + sizeof VMS_GUI_NAME + 1];
  VmsError err = {0};
  bool beside = vms_self_dir(dir, sizeof dir);
  if (beside) {
    snprintf(path, sizeof path, "%s/%s", dir, VMS_GUI_NAME);
    beside = strcmp(path, VMS_GUI_PATH) != 0;
  }
  if (beside && vms_exec(path, argv, &err) != VMS_ERR_UNSUPPORTED) {
    fprintf(stderr, "vmscope: cannot open the window: %s\n", err.message);
    return err.code;
  }
  vms_exec(VMS_GUI_PATH, argv, &err);
  fprintf(stderr, "vmscope: cannot open the window: %s%s%s%s; without it, vmscope PID --summary\n",
          err.message, beside ? " (nor is there one in " : "", beside ? dir : "",
          beside ? ")" : "");
  return err.code;
}

int main(int argc, char **argv) {
  if (VMS_HAVE_GUI && vms_cli_wants_window(argc, argv)) {
    if (vms_display_available())
      return start_window(argv);
    /* Without a display "vmscope PID" is the summary, as in a build
     * without the window; the picker has nothing to fall back on. */
    if (argc == 1) {
      fprintf(stderr, "vmscope: cannot open the window: no display (DISPLAY or WAYLAND_DISPLAY). "
                      "For text and image output use --summary, --regions or --png (see vmscope "
                      "--help)\n");
      return VMS_ERR_USAGE;
    }
  }
  return vms_cli_main(argc, argv);
}
