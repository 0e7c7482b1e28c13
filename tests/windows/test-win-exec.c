/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-win-exec.c: vms_exec runs a program with its arguments intact and exits with its status.
 *
 * Usage: test-win-exec (it runs itself as the program: "exec", then "args") */
#include "vms-test.h"
#include "vms-win-spawn.h"

#include "vms-platform.h"

static const char tricky[] = "a \"b\" c\\"; /* a space, quotes and a trailing backslash */

int main(int argc, char **argv) {
  char self[MAX_PATH];
  DWORD n = GetModuleFileNameA(NULL, self, sizeof self);
  if (n == 0 || n >= sizeof self)
    return 1;
  /* The program vms_exec ran: its arguments arrive as they were given. */
  if (argc >= 2 && strcmp(argv[1], "args") == 0)
    return argc == 4 && strcmp(argv[2], "one two") == 0 && strcmp(argv[3], tricky) == 0 ? 43 : 2;
  /* Becomes "args" by vms_exec: this process ends with that one's status. */
  if (argc >= 2 && strcmp(argv[1], "exec") == 0) {
    char *args[] = {self, "args", "one two", (char *)tricky, NULL};
    VmsError err = {0};
    vms_exec(self, args, &err);
    fprintf(stderr, "vms_exec returned: %s\n", err.message);
    return 1;
  }

  char cmd[2 * MAX_PATH];
  snprintf(cmd, sizeof cmd, "\"%s\" exec", self);
  DWORD code = 0;
  char *out = vms_win_run(cmd, &code);
  VMS_CHECK_MSG(out != NULL, "cannot run %s", cmd);
  VMS_CHECK_MSG(code == 43, "the exec'd program's status is %lu, not 43 (2: its arguments changed)",
                (unsigned long)code);
  free(out);

  /* A program that is not there is "unsupported", and named. */
  char missing[MAX_PATH + 32];
  snprintf(missing, sizeof missing, "%s.missing.exe", self);
  char *args[] = {missing, NULL};
  VmsError err = {0};
  VMS_CHECK_U64(vms_exec(missing, args, &err), VMS_ERR_UNSUPPORTED);
  VMS_CHECK_MSG(strstr(err.message, missing) != NULL, "the message does not name it: %s",
                err.message);

  /* The directory of this executable, where the test itself is. */
  char dir[MAX_PATH], again[MAX_PATH + 32];
  VMS_CHECK(vms_self_dir(dir, sizeof dir));
  const char *base = strrchr(self, '\\') ? strrchr(self, '\\') + 1 : self;
  snprintf(again, sizeof again, "%s/%s", dir, base);
  VMS_CHECK_MSG(GetFileAttributesA(again) != INVALID_FILE_ATTRIBUTES, "%s is not there", again);
  return vms_test_end();
}
