/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-main-gui.c: vmscope-gui, the window; vmscope starts it with exec for "vmscope [PID]". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vms-application.h"
#include "vms-error.h"
#include "vms-platform.h"
#include "vms-recording.h"
#include "vms-remote.h"
#ifdef VMS_TEST_HOOK
#include "vms-test-hook.h"
#endif

static gboolean parse_pid(const char *s, int *pid) {
  if (!*s)
    return FALSE;
  for (const char *c = s; *c; c++)
    if (*c < '0' || *c > '9')
      return FALSE;
  errno = 0;
  long v = strtol(s, NULL, 10);
  if (errno || v <= 0 || v > 0x7fffffff)
    return FALSE;
  *pid = (int)v;
  return TRUE;
}

int main(int argc, char **argv) {
  int pid = 0;
  /* vmscope hands over only "vmscope", "vmscope PID", "vmscope FILE"
   * (FILE a recording or saved snapshot), "vmscope -" (a recording stream
   * on standard input) and "vmscope ssh://HOST[/PID]"; the command line, with
   * its messages for everything else, is vmscope's. */
  VmsRemoteTarget target;
  char why[300] = "";
  gboolean remote = argc == 2 && vms_remote_is_url(argv[1]);
  if (remote && !vms_remote_parse(argv[1], &target, why, sizeof why)) {
    fprintf(stderr, "vmscope-gui: %s\n", why);
    return VMS_ERR_USAGE;
  }
  gboolean stream = argc == 2 && (strcmp(argv[1], "-") == 0 || remote);
  gboolean file =
      argc == 2 && !stream && !parse_pid(argv[1], &pid) && vms_recording_file_looks_like(argv[1]);
  if (argc > 2 || (argc == 2 && !file && !stream && !parse_pid(argv[1], &pid))) {
    fprintf(stderr,
            "vmscope-gui: usage: vmscope-gui [PID | FILE | - | ssh://[USER@]HOST[:PORT][/PID]], "
            "the window (vmscope --help for the command line)\n");
    return VMS_ERR_USAGE;
  }
  /* The window is vmscope's whatever the file is called: its class, its
   * settings and its messages. */
  g_set_prgname("vmscope");
  /* A PNG export past a file-size limit fails with an error, as in the CLI,
   * rather than killing the window. */
  vms_platform_init();
  if (!gtk_init_check(NULL, NULL)) {
    fprintf(stderr, "vmscope: cannot open the window: no display (DISPLAY or WAYLAND_DISPLAY). "
                    "For text and image output use --summary, --regions or --png (see vmscope "
                    "--help)\n");
    return VMS_ERR_USAGE;
  }
#ifdef VMS_TEST_HOOK
  vms_test_hook_install();
#endif
  VmsApplication *app = vms_application_new(pid);
  if (file)
    vms_application_set_file(app, argv[1]);
  else if (stream)
    vms_application_set_stream(app, argv[1]);
  /* The PID or file is ours: GApplication would take it for a file to open. */
  char *app_argv[] = {argv[0], NULL};
  int status = g_application_run(G_APPLICATION(app), 1, app_argv);
  g_object_unref(app);
  return status;
}
