/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-target.h: the benchmarks' target, a child process with a known number of mappings. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  pid_t pid;
  int ctl; /* closing it ends the target */
} Target;

/* A child that runs setup(arg) (which builds its mappings and says whether
 * it could), reports that to the parent and waits until ctl closes. The
 * skeleton every benchmark target shares; setup is what differs. */
static bool target_spawn(bool (*setup)(void *arg), void *arg, Target *t) {
  int ready[2], ctl[2];
  if (pipe(ready) != 0 || pipe(ctl) != 0)
    return false;
  pid_t pid = fork();
  if (pid < 0)
    return false;
  if (pid == 0) {
    close(ready[0]);
    close(ctl[1]);
    char ok = setup(arg);
    if (write(ready[1], &ok, 1) != 1)
      _exit(1);
    char c;
    while (read(ctl[0], &c, 1) != 0 && errno == EINTR) {
    }
    _exit(0);
  }
  close(ready[1]);
  close(ctl[0]);
  char ok = 0;
  if (read(ready[0], &ok, 1) != 1)
    ok = 0;
  close(ready[0]);
  t->pid = pid;
  t->ctl = ctl[1];
  if (!ok) {
    close(t->ctl);
    waitpid(pid, NULL, 0);
    return false;
  }
  return true;
}

typedef struct {
  long extra;
  size_t resident;
} AnonSetup;

static bool setup_anon(void *arg) {
  const AnonSetup *a = arg;
  long page = sysconf(_SC_PAGESIZE);
  size_t size = (size_t)a->extra * (size_t)page;
  char *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  bool ok = p != MAP_FAILED;
  for (long i = 1; ok && i < a->extra; i += 2)
    ok = mprotect(p + (size_t)i * (size_t)page, (size_t)page, PROT_READ | PROT_WRITE) == 0;
  if (ok && a->resident) {
    char *r = mmap(NULL, a->resident, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ok = r != MAP_FAILED;
    if (ok)
      memset(r, 1, a->resident);
  }
  return ok;
}

/* A child with `extra` more mappings than it was born with, and `resident`
 * bytes of anonymous memory written (one more mapping), 0 for none. */
static bool target_start_resident(long extra, size_t resident, Target *t) {
  AnonSetup a = {extra, resident};
  return target_spawn(setup_anon, &a, t);
}

static bool target_start(long extra, Target *t) {
  return target_start_resident(extra, 0, t);
}

static void target_stop(Target *t) {
  close(t->ctl);
  waitpid(t->pid, NULL, 0);
}
