/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-spawn-linux.c: running a program with its standard output piped back, by posix_spawnp. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vms-platform.h"

extern char **environ;

struct VmsChild {
  pid_t pid;
};

VmsErrorCode vms_spawn_pipe(char *const argv[], FILE *err_to, VmsChild **child, FILE **out,
                            VmsError *err) {
  *child = NULL;
  *out = NULL;
  VmsChild *c = malloc(sizeof *c);
  if (!c)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory starting %s", argv[0]);
  /* Close-on-exec: the child gets the writing end as its stdout only, and
   * no later child inherits the reading end (its EOF would never come). */
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    int e = errno;
    free(c);
    return vms_error_set(err, VMS_ERR_IO, "cannot make a pipe for %s: %s", argv[0], strerror(e));
  }
  posix_spawn_file_actions_t fa;
  int e = posix_spawn_file_actions_init(&fa);
  if (!e)
    e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if (!e)
    e = posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  if (!e && err_to)
    e = posix_spawn_file_actions_adddup2(&fa, fileno(err_to), 2);
  /* The child starts with default signal handling: a recording's SIGINT
   * handler or an ignored SIGPIPE of ours is not its business. */
  posix_spawnattr_t attr;
  bool have_attr = false;
  if (!e)
    e = posix_spawnattr_init(&attr);
  if (!e) {
    have_attr = true;
    sigset_t def;
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    sigaddset(&def, SIGINT);
    sigaddset(&def, SIGTERM);
    e = posix_spawnattr_setsigdefault(&attr, &def);
    if (!e)
      e = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  }
  if (!e)
    e = posix_spawnp(&c->pid, argv[0], &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (have_attr)
    posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (e) {
    close(fds[0]);
    free(c);
    if (e == ENOENT)
      return vms_error_set(err, VMS_ERR_IO, "'%s' is not installed: no such program on PATH",
                           argv[0]);
    if (e == ENOMEM)
      return vms_error_set(err, VMS_ERR_NOMEM, "out of memory starting %s", argv[0]);
    return vms_error_set(err, VMS_ERR_IO, "cannot run '%s': %s", argv[0], strerror(e));
  }
  FILE *f = fdopen(fds[0], "rb");
  if (!f) {
    close(fds[0]);
    int st;
    kill(c->pid, SIGTERM);
    waitpid(c->pid, &st, 0);
    free(c);
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory reading %s", argv[0]);
  }
  *child = c;
  *out = f;
  return VMS_OK;
}

VmsErrorCode vms_child_wait(VmsChild *c, int *status, VmsError *err) {
  int st;
  pid_t got;
  do
    got = waitpid(c->pid, &st, 0);
  while (got < 0 && errno == EINTR);
  int e = errno;
  free(c);
  if (got < 0)
    return vms_error_set(err, VMS_ERR_INTERNAL, "waiting for a child process: %s", strerror(e));
  *status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
  return VMS_OK;
}
