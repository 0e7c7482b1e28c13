/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-target.c: the Linux platform against real processes: threads, exits, PID reuse, permissions.
 *
 * usage: test-target [reuse|permission]
 * Without an argument: threads, exits, zombies and the process list. The
 * parts that need root run on their own, so meson shows SKIP with the
 * reason where they cannot run instead of a pass. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vms-snapshot.h"
#include "vms-test-wait.h"
#include "vms-test.h"

#define N_THREADS 5

static int hold_pipe[2];

static void *blocked_thread(void *arg) {
  char c;
  /* Blocked in read(): the kernel shows this thread's stack pointer. */
  while (read(hold_pipe[0], &c, 1) < 0 && errno == EINTR) {
  }
  return arg;
}

/* A child with N_THREADS threads, all blocked; it writes its thread stack
 * ranges (from pthread_getattr_np) to fd, then waits to be killed. */
static pid_t spawn_threaded(int fd) {
  pid_t pid = fork();
  if (pid != 0)
    return pid;
  if (pipe(hold_pipe) != 0)
    _exit(1);
  pthread_t t[N_THREADS];
  for (int i = 0; i < N_THREADS; i++) {
    if (pthread_create(&t[i], NULL, blocked_thread, NULL) != 0)
      _exit(1);
    pthread_attr_t attr;
    void *addr;
    size_t size;
    pthread_getattr_np(t[i], &attr);
    pthread_attr_getstack(&attr, &addr, &size);
    uint64_t range[2] = {(uint64_t)(uintptr_t)addr, (uint64_t)(uintptr_t)addr + size};
    if (write(fd, range, sizeof range) != sizeof range)
      _exit(1);
    pthread_attr_destroy(&attr);
  }
  close(fd);
  for (;;)
    pause();
}

/* Every one of the process's n threads is blocked in a system call: its
 * /proc/PID/task/TID/syscall names the call ("running" or -1 otherwise). */
typedef struct {
  pid_t pid;
  int n;
} Tasks;

static bool all_blocked(void *d) {
  const Tasks *t = d;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task", (int)t->pid);
  DIR *dir = opendir(path);
  if (!dir)
    return false;
  int n = 0;
  bool blocked = true;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9')
      continue;
    n++;
    char f[128], line[64] = "";
    snprintf(f, sizeof f, "%s/%s/syscall", path, e->d_name);
    int fd = open(f, O_RDONLY);
    ssize_t got = fd >= 0 ? read(fd, line, sizeof line - 1) : -1;
    if (fd >= 0)
      close(fd);
    if (got <= 0 || line[0] < '0' || line[0] > '9')
      blocked = false;
  }
  closedir(dir);
  return blocked && n == t->n;
}

static VmsSnapshot *snapshot_of(pid_t pid, VmsErrorCode *code_out) {
  VmsTarget *t;
  VmsError err = {0};
  VmsErrorCode code = vms_target_open(pid, &t, &err);
  VmsSnapshot *snap = NULL;
  if (code == VMS_OK) {
    VmsSpace sp;
    vms_space_init(&sp);
    code = vms_target_read(t, VMS_READ_REGIONS | VMS_READ_THREADS, &sp, &err);
    if (code == VMS_OK)
      code = vms_snapshot_build(&sp, &snap, &err);
    vms_space_clear(&sp);
    vms_target_close(t);
  }
  if (code_out)
    *code_out = code;
  return snap;
}

static void test_threads(void) {
  int p[2];
  VMS_CHECK(pipe(p) == 0);
  pid_t pid = spawn_threaded(p[1]);
  close(p[1]);
  uint64_t ranges[N_THREADS][2];
  size_t got = 0;
  while (got < sizeof ranges) {
    ssize_t n = read(p[0], (char *)ranges + got, sizeof ranges - got);
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  close(p[0]);
  VMS_CHECK_U64(got, sizeof ranges);
  Tasks tasks = {pid, N_THREADS + 1};
  VMS_CHECK_MSG(vms_test_wait(all_blocked, &tasks, 10), "the child's threads never all blocked");
  VmsErrorCode code;
  VmsSnapshot *s = snapshot_of(pid, &code);
  VMS_CHECK_U64(code, VMS_OK);
  if (s) {
    VMS_CHECK_U64(s->n_threads, N_THREADS + 1);
    VMS_CHECK_U64(s->n_stacks_found, N_THREADS + 1);
    for (int i = 0; i < N_THREADS; i++) {
      /* The stack's top page is where the thread runs: a Stack region, found exactly. */
      size_t k = vms_snapshot_find(s, ranges[i][1] - 1);
      VMS_CHECK(k != SIZE_MAX);
      if (k == SIZE_MAX)
        continue;
      const VmsRegion *r = &s->regions[k];
      VMS_CHECK_U64(r->type, VMS_TYPE_STACK);
      VMS_CHECK(!(r->detail & VMS_DETAIL_INFERRED));
      VMS_CHECK(r->detail & VMS_DETAIL_THREAD_STACK);
      /* glibc puts its guard at the low end of the range it reports. */
      size_t g = vms_snapshot_find(s, ranges[i][0]);
      VMS_CHECK(g != SIZE_MAX && s->regions[g].type == VMS_TYPE_STACK);
    }
    VMS_CHECK_U64(s->bits, sizeof(void *) * 8);
    vms_snapshot_unref(s);
  }
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

/* Opens a target on a new child, then kills and reaps the child: the
 * target now names a process that is gone. Returns the child's PID. */
static pid_t open_then_end(VmsTarget **t) {
  pid_t pid = fork();
  if (pid == 0) {
    for (;;)
      pause();
  }
  VmsError err = {0};
  VMS_CHECK_U64(vms_target_open(pid, t, &err), VMS_OK);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  return pid;
}

/* Exited: a read through an open target fails as "exited", never succeeds. */
static void test_gone(void) {
  VmsTarget *t;
  VmsError err = {0};
  pid_t pid = open_then_end(&t);
  VmsSpace sp;
  vms_space_init(&sp);
  VmsErrorCode code = vms_target_read(t, VMS_READ_REGIONS, &sp, &err);
  VMS_CHECK_MSG(code == VMS_ERR_GONE, "got %d: %s", code, err.message);
  VMS_CHECK(strstr(err.message, "has exited") != NULL);
  vms_space_clear(&sp);
  vms_target_close(t);

  /* A zombie (exited, not reaped) has no address space. */
  pid = fork();
  if (pid == 0)
    _exit(0);
  siginfo_t info;
  VMS_CHECK(waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) == 0); /* exited, left unreaped */
  VMS_CHECK_U64(vms_target_open(pid, &t, &err), VMS_ERR_NO_ADDRESS_SPACE);
  VMS_CHECK(strstr(err.message, "zombie") != NULL);
  waitpid(pid, NULL, 0);
  VMS_CHECK_U64(vms_target_open(pid, &t, &err), VMS_ERR_NO_PROCESS);
}

/* PID reuse: the target's PID handed to a new process must read as
 * "reused", never as the new process. Needs root to steer the next PID
 * through /proc/sys/kernel/ns_last_pid. */
/* The boot-time clock in the ticks /proc/PID/stat counts start times in. */
static long long boot_ticks(void) {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  long hz = sysconf(_SC_CLK_TCK);
  return (long long)ts.tv_sec * hz + ts.tv_nsec / (1000000000L / hz);
}

static bool tick_passed(void *d) {
  return boot_ticks() > *(long long *)d;
}

static void test_reuse(void) {
  int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
  if (fd < 0)
    VMS_SKIP("PID reuse: /proc/sys/kernel/ns_last_pid is not writable here (needs root)");
  VmsTarget *t;
  VmsError err = {0};
  pid_t pid = open_then_end(&t);
  /* Start times count clock ticks; a real reuse comes ticks later, so the
   * new process must start in a later tick than the old one did. */
  long long ended = boot_ticks();
  VMS_CHECK(vms_test_wait(tick_passed, &ended, 5));
  pid_t again = -1;
  int write_errno = 0;
  for (int attempt = 0; attempt < 20 && again != pid; attempt++) {
    char b[32];
    int n = snprintf(b, sizeof b, "%d", pid - 1);
    if (pwrite(fd, b, (size_t)n, 0) != n) {
      write_errno = errno;
      break;
    }
    again = fork();
    if (again == 0) {
      for (;;)
        pause();
    }
    if (again != pid) {
      kill(again, SIGKILL);
      waitpid(again, NULL, 0);
    }
  }
  close(fd);
  if (again != pid) {
    vms_target_close(t);
    if (write_errno)
      VMS_SKIP("PID reuse: cannot write /proc/sys/kernel/ns_last_pid: %s", strerror(write_errno));
    VMS_SKIP("PID reuse: could not get PID %d back from the kernel", pid);
  }
  VmsSpace sp;
  vms_space_init(&sp);
  VmsErrorCode code = vms_target_read(t, VMS_READ_REGIONS, &sp, &err);
  VMS_CHECK_MSG(code == VMS_ERR_REUSED, "got %d: %s", code, err.message);
  VMS_CHECK(strstr(err.message, "another process") != NULL);
  VMS_CHECK_U64(sp.n_regions, 0);
  vms_space_clear(&sp);
  vms_target_close(t);
  kill(again, SIGKILL);
  waitpid(again, NULL, 0);
}

/* Permission: a process that drops to another user cannot read ours, and
 * is told why. */
static void test_permission(void) {
  if (geteuid() != 0)
    VMS_SKIP("permission: needs root to run a reader as another user");
  pid_t target = getpid();
  int p[2];
  VMS_CHECK(pipe(p) == 0);
  pid_t reader = fork();
  if (reader == 0) {
    close(p[0]);
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
      _exit(99);
    VmsTarget *t;
    VmsError err = {0};
    VmsErrorCode code = vms_target_open(target, &t, &err);
    if (write(p[1], &code, sizeof code) != sizeof code)
      _exit(98);
    if (write(p[1], err.message, sizeof err.message) != sizeof err.message)
      _exit(98);
    if (write(p[1], err.remedy, sizeof err.remedy) != sizeof err.remedy)
      _exit(98);
    _exit(0);
  }
  close(p[1]);
  VmsErrorCode code = VMS_OK;
  char msg[512] = "", remedy[256] = "";
  VMS_CHECK(read(p[0], &code, sizeof code) == sizeof code);
  VMS_CHECK(read(p[0], msg, sizeof msg) == sizeof msg);
  VMS_CHECK(read(p[0], remedy, sizeof remedy) == sizeof remedy);
  close(p[0]);
  int st;
  waitpid(reader, &st, 0);
  VMS_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  VMS_CHECK_MSG(code == VMS_ERR_PERMISSION, "got %d: %s", code, msg);
  /* Why in the message, what would help in the remedy, each once. */
  VMS_CHECK_MSG(strstr(msg, "belongs to user root") && !strstr(msg, "CAP_SYS_PTRACE"), "%s", msg);
  VMS_CHECK_MSG(strstr(remedy, "CAP_SYS_PTRACE") && !strstr(remedy, "belongs"), "%s", remedy);
}

static void test_process_list(void) {
  VmsProcInfo *list;
  size_t n;
  VmsError err = {0};
  VMS_CHECK_U64(vms_process_list(VMS_LIST_COUNT_MAPS, &list, &n, &err), VMS_OK);
  bool self = false;
  for (size_t i = 0; i < n; i++) {
    if (list[i].pid == getpid()) {
      self = true;
      VMS_CHECK_U64(list[i].access, VMS_OK);
      VMS_CHECK(list[i].n_maps > 5);
      VMS_CHECK(list[i].rss > 0);
      VMS_CHECK_U64(list[i].ppid, getppid());
      VMS_CHECK(strstr(list[i].cmdline, "test-target") != NULL);
    }
    if (list[i].pid == 2 && strcmp(list[i].name, "kthreadd") == 0) {
      VMS_CHECK_U64(list[i].access, VMS_ERR_NO_ADDRESS_SPACE);
      VMS_CHECK(strstr(list[i].reason, "kernel thread") != NULL);
    }
  }
  VMS_CHECK(self);
  vms_process_list_free(list, n);
}

/* A process that maps and unmaps without pause while it is read: the
 * kernel prints maps a page of text at a time, letting go of the address
 * space between pages, so one read may see a mapping that starts below the
 * end of the line before it. Such a read is torn, not malformed: a live
 * read must never fail for it. */
static void test_churn(void) {
  enum { SLOTS = 400, READS = 3000 };
  pid_t pid = fork();
  if (pid == 0) {
    static char *slot[SLOTS];
    static size_t len[SLOTS];
    long page = sysconf(_SC_PAGESIZE);
    for (unsigned seed = 1, k = 0;; k = (k + 1) % SLOTS) {
      seed = seed * 1103515245u + 12345u;
      if (slot[k])
        munmap(slot[k], len[k]);
      len[k] = (size_t)(1 + (seed >> 8) % 8) * (size_t)page;
      slot[k] = mmap(NULL, len[k], (seed >> 16) % 2 ? PROT_READ : PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (slot[k] == MAP_FAILED)
        slot[k] = NULL;
    }
  }
  usleep(50000); /* let it map its slots */
  VmsTarget *t;
  VmsError err = {0};
  VMS_CHECK_U64(vms_target_open(pid, &t, &err), VMS_OK);
  VmsSpace sp;
  vms_space_init(&sp);
  int failed = 0;
  for (int i = 0; i < READS && t; i++) {
    VmsErrorCode code = vms_target_read(t, VMS_READ_REGIONS, &sp, &err);
    if (code != VMS_OK && failed++ == 0)
      fprintf(stderr, "read %d of a churning process: %s\n", i, err.message);
  }
  VMS_CHECK_MSG(failed == 0, "%d of %d reads failed", failed, READS);
  vms_space_clear(&sp);
  if (t)
    vms_target_close(t);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "reuse") == 0) {
    test_reuse();
  } else if (argc > 1 && strcmp(argv[1], "permission") == 0) {
    test_permission();
  } else if (argc > 1) {
    fprintf(stderr, "usage: test-target [reuse|permission]\n");
    return 2;
  } else {
    test_threads();
    test_churn();
    test_gone();
    test_process_list();
  }
  return vms_test_end();
}
