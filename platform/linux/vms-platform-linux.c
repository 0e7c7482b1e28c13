/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-platform-linux.c: processes and address spaces from procfs.
 *
 * A target holds an O_DIRECTORY descriptor on /proc/PID: every later read
 * goes through it, and the kernel ties that descriptor to the process it was
 * opened on, so when the process exits and its PID is handed to another one,
 * reads fail instead of silently describing the newcomer. The start time from
 * stat is checked as well, to tell "exited" from "PID reused" in the message. */
#include "vms-platform.h"
#include "vms-container.h"
#include "vms-linux-private.h"
#include "vms-procmaps-private.h"

#include <dirent.h>
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

struct VmsTarget {
  int pid;
  int dirfd;
  uint64_t start_time;
  int bits;
  char name[256];
  uint64_t mmap_min_addr, max_map_count, page_size;
  uint64_t user_top64; /* top of a 64-bit process's user space on this machine */
  char *buf;           /* reused across reads: one buffer for maps/smaps text */
  size_t cap;
  bool query_ok; /* PROCMAP_QUERY has not failed as unsupported or refused */
  bool scan_ok;  /* PAGEMAP_SCAN likewise */
  bool force_text, force_query,
      force_entries; /* VMSCOPE_MAPS=text|ioctl, VMSCOPE_PAGEMAP=entries */
  /* Thread CPU seconds per region of each way of reading the regions
   * (0 = not measured yet), and reads so far: the cheaper one is used, the
   * other measured again now and then. */
  double cost_query, cost_text;
  unsigned long reads;
  uint64_t *covered; /* per region, for the page scan */
  size_t cap_covered;
  VmsQueryCache query;
  VmsSpace check;      /* the second look at the regions after a page scan */
  VmsSpace check2;     /* and the look after a page-state read by entries */
  VmsPageRegion *runs; /* PAGEMAP_SCAN's answer buffer */
  uint64_t *entries;   /* pagemap entries buffer */
  bool has_gate;       /* the kernel's gate area ([vsyscall]) as this process sees it */
  VmsRegion gate;
};

#define SCAN_RUNS          4096          /* runs per PAGEMAP_SCAN call: 96 KiB */
#define ENTRY_BUF          8192          /* pagemap entries per read: 64 KiB */
#define ENTRIES_MAX_REGION (16ULL << 30) /* larger regions are not read entry by entry */
/* Reads of maps text that a process changing its mappings tore, before
 * giving up (vms_target_read). */
#define TORN_READ_ATTEMPTS 8

/* ---- small file helpers ---- */

/* Reads the whole of an open fd into *buf (grown as needed). Large reads: the
 * kernel fills as much as fits per call, so 65k mappings take a few calls. */
static ssize_t read_all_fd(int fd, char **buf, size_t *cap) {
  size_t len = 0;
  if (!*buf) {
    *cap = 256 * 1024;
    *buf = malloc(*cap);
    if (!*buf) {
      errno = ENOMEM;
      return -1;
    }
  }
  for (;;) {
    if (*cap - len < 64 * 1024) {
      size_t ncap = *cap * 2;
      char *p = realloc(*buf, ncap);
      if (!p) {
        errno = ENOMEM;
        return -1;
      }
      *buf = p;
      *cap = ncap;
    }
    ssize_t n = read(fd, *buf + len, *cap - len - 1);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (n == 0)
      break;
    len += (size_t)n;
  }
  (*buf)[len] = '\0';
  return (ssize_t)len;
}

/* Reads a small file relative to dirfd (or absolute) into a fixed buffer. */
static ssize_t read_small_at(int dirfd, const char *path, char *out, size_t size) {
  int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  size_t len = 0;
  while (len + 1 < size) {
    ssize_t n = read(fd, out + len, size - 1 - len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      int e = errno;
      close(fd);
      errno = e;
      return -1;
    }
    if (n == 0)
      break;
    len += (size_t)n;
  }
  close(fd);
  out[len] = '\0';
  return (ssize_t)len;
}

static uint64_t read_sysctl_u64(const char *path, uint64_t fallback) {
  char b[64];
  if (read_small_at(AT_FDCWD, path, b, sizeof b) <= 0)
    return fallback;
  char *e;
  unsigned long long v = strtoull(b, &e, 10);
  return e == b ? fallback : (uint64_t)v;
}

/* ---- /proc/PID/stat ---- */

typedef struct {
  char comm[64];
  char state;
  int ppid;
  unsigned long flags;
  uint64_t start_time, vsize, rss_pages, start_stack, start_brk;
} ProcStat;

#define PF_KTHREAD 0x00200000UL
#define PF_EXITING 0x00000004UL /* set first thing in do_exit, before the mm goes */

/* The comm field may hold spaces and ')' itself: it runs from the first '('
 * to the last ')'. */
static bool parse_stat(const char *b, ProcStat *st) {
  memset(st, 0, sizeof *st);
  const char *open = strchr(b, '(');
  const char *close = strrchr(b, ')');
  if (!open || !close || close < open)
    return false;
  size_t n = (size_t)(close - open - 1);
  if (n >= sizeof st->comm)
    n = sizeof st->comm - 1;
  memcpy(st->comm, open + 1, n);
  st->comm[n] = '\0';
  const char *p = close + 1;
  /* Fields after comm, numbered from 3 (state) as in proc(5). */
  unsigned long long v[52] = {0};
  int field = 3;
  while (*p && field < 52) {
    while (*p == ' ')
      p++;
    if (!*p)
      break;
    if (field == 3) {
      st->state = *p;
      while (*p && *p != ' ')
        p++;
    } else {
      char *e;
      v[field] = strtoull(p, &e, 10);
      if (e == p) { /* a negative or odd field: skip it */
        while (*p && *p != ' ')
          p++;
      } else {
        p = e;
      }
    }
    field++;
  }
  if (field < 29)
    return false;
  st->ppid = (int)v[4];
  st->flags = (unsigned long)v[9];
  st->start_time = v[22];
  st->vsize = v[23];
  st->rss_pages = v[24];
  st->start_stack = v[28];
  st->start_brk = v[47];
  return true;
}

static bool read_stat_at(int dirfd, ProcStat *st) {
  char b[1024];
  if (read_small_at(dirfd, "stat", b, sizeof b) <= 0)
    return false;
  return parse_stat(b, st);
}

/* ---- facts about this machine ---- */

/* Top of a 64-bit process's user space: x86-64 with 4-level paging gives
 * 2^47 minus one page, arm64 2^48; with 5-level paging a process sees more
 * only when it asks (mmap hints above 2^47), handled in read_space. */
static uint64_t machine_user_top64(void) {
  struct utsname u;
  if (uname(&u) == 0 && (strcmp(u.machine, "aarch64") == 0 || strncmp(u.machine, "riscv", 5) == 0))
    return 1ULL << 48;
  return (1ULL << 47) - 4096;
}

/* x86_64, aarch64, ppc64(le), riscv64, loongarch64, mips64, sparc64, and s390x. */
static bool machine_is_64(void) {
  struct utsname u;
  return uname(&u) == 0 && (strstr(u.machine, "64") != NULL || strcmp(u.machine, "s390x") == 0);
}

/* The bitness of the process's executable, from its ELF header; 0 if unknown. */
static int exe_bits_at(int dirfd) {
  unsigned char h[5];
  int fd = openat(dirfd, "exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n = read(fd, h, sizeof h);
  close(fd);
  if (n != 5 || memcmp(h, "\177ELF", 4) != 0)
    return 0;
  return h[4] == 1 ? 32 : h[4] == 2 ? 64 : 0;
}

/* ---- users and the reason a process cannot be read ---- */

static void user_name(uint32_t uid, char *out, size_t size) {
  /* A tiny cache: a process list asks for the same few users a thousand
   * times. The picker's worker and a sampler may ask at once: one lock. */
  static struct {
    uint32_t uid;
    char name[64];
  } cache[32];
  static int n_cache;
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&lock);
  for (int i = 0; i < n_cache; i++)
    if (cache[i].uid == uid) {
      snprintf(out, size, "%s", cache[i].name);
      pthread_mutex_unlock(&lock);
      return;
    }
  char b[4096];
  struct passwd pw, *res = NULL;
  if (getpwuid_r(uid, &pw, b, sizeof b, &res) == 0 && res)
    snprintf(out, size, "%s", res->pw_name);
  else
    snprintf(out, size, "%u", uid);
  if (n_cache < 32) {
    cache[n_cache].uid = uid;
    snprintf(cache[n_cache].name, sizeof cache[n_cache].name, "%s", out);
    n_cache++;
  }
  pthread_mutex_unlock(&lock);
}

/* The real UID from /proc/PID/status text. */
static uint32_t status_uid_of(const char *status, bool *ok) {
  const char *u = strstr(status, "\nUid:");
  *ok = u != NULL;
  return u ? (uint32_t)strtoul(u + 5, NULL, 10) : 0;
}

static uint32_t status_uid_at(int dirfd, bool *ok) {
  char b[4096];
  *ok = false;
  if (read_small_at(dirfd, "status", b, sizeof b) <= 0)
    return 0;
  return status_uid_of(b, ok);
}

/* Why pid's maps cannot be opened, and what would help. */
static void explain_denied(int pid, int dirfd, char *why, size_t why_size, char *help,
                           size_t help_size) {
  if (geteuid() == 0) {
    snprintf(why, why_size,
             "process %d cannot be read even by root here: vmscope lacks CAP_SYS_PTRACE over it "
             "(a container, user namespace or security module denies it)",
             pid);
    snprintf(help, help_size, "run vmscope in the process's own container or namespace");
    return;
  }
  bool ok;
  uint32_t uid = status_uid_at(dirfd, &ok);
  char who[64];
  if (ok && uid != (uint32_t)geteuid()) {
    user_name(uid, who, sizeof who);
    snprintf(why, why_size, "process %d belongs to user %s", pid, who);
    snprintf(help, help_size, "run vmscope as that user or as root, or grant it CAP_SYS_PTRACE");
    return;
  }
  long scope = (long)read_sysctl_u64("/proc/sys/kernel/yama/ptrace_scope", 0);
  if (scope > 0) {
    snprintf(why, why_size,
             "process %d is yours, but the ptrace policy (kernel.yama.ptrace_scope = %ld) forbids "
             "reading it",
             pid, scope);
    snprintf(help, help_size, "run vmscope as root or with CAP_SYS_PTRACE, or lower the setting");
  } else {
    snprintf(why, why_size, "process %d is not dumpable (setuid, or it changed credentials)", pid);
    snprintf(help, help_size, "run vmscope as root or with CAP_SYS_PTRACE");
  }
}

static VmsErrorCode denied(int pid, int dirfd, VmsError *err) {
  char why[300], help[200];
  explain_denied(pid, dirfd, why, sizeof why, help, sizeof help);
  vms_error_set(err, VMS_ERR_PERMISSION, "permission denied: %s", why);
  vms_error_set_remedy(err, "%s", help);
  return VMS_ERR_PERMISSION;
}

/* ---- process list ---- */

static long count_lines_fd(int fd, char *b, size_t size) {
  long lines = 0;
  for (;;) {
    ssize_t n = read(fd, b, size);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (n == 0)
      return lines;
    for (const char *p = b; (p = memchr(p, '\n', (size_t)(b + n - p))) != NULL; p++)
      lines++;
  }
}

static void fill_proc(int pid, int dirfd, unsigned flags, VmsProcInfo *pi, char *scratch,
                      size_t scratch_size) {
  ProcStat st = {0}; /* a process that exits before its stat is read stays zeroed */
  pi->pid = pid;
  pi->state = '?';
  pi->n_maps = -1;
  if (read_stat_at(dirfd, &st)) {
    snprintf(pi->name, sizeof pi->name, "%s", st.comm);
    pi->state = st.state;
    pi->ppid = st.ppid;
    pi->start_time = st.start_time;
    pi->vsize = st.vsize;
    pi->rss = st.rss_pages * (uint64_t)sysconf(_SC_PAGESIZE);
  }
  /* One read of status for the owner and the namespace PID. */
  bool ok = false;
  if (read_small_at(dirfd, "status", scratch, scratch_size) > 0) {
    pi->uid = status_uid_of(scratch, &ok);
    pi->ns_pid = vms_status_ns_pid(scratch);
  }
  user_name(pi->uid, pi->user, sizeof pi->user);
  if (read_small_at(dirfd, "cgroup", scratch, scratch_size) > 0)
    vms_cgroup_container(scratch, pi->container, sizeof pi->container);

  ssize_t n = read_small_at(dirfd, "cmdline", scratch, scratch_size);
  if (n > 0) {
    for (ssize_t i = 0; i < n; i++)
      if (scratch[i] == '\0' || scratch[i] == '\n')
        scratch[i] = ' ';
    while (n > 0 && scratch[n - 1] == ' ')
      n--;
    scratch[n] = '\0';
  } else {
    scratch[0] = '\0';
  }
  pi->cmdline = strdup(scratch);

  if ((st.flags & PF_KTHREAD) != 0) {
    pi->access = VMS_ERR_NO_ADDRESS_SPACE;
    snprintf(pi->reason, sizeof pi->reason, "kernel thread: no user address space");
    return;
  }
  if (pi->state == 'Z' || pi->state == 'X') {
    pi->access = VMS_ERR_NO_ADDRESS_SPACE;
    snprintf(pi->reason, sizeof pi->reason, "zombie: it has exited and has no address space");
    return;
  }
  /* Opening maps runs the kernel's ptrace-read check, so open is the test. */
  int fd = openat(dirfd, "maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == EACCES || errno == EPERM) {
      pi->access = VMS_ERR_PERMISSION;
      char why[300], help[200];
      explain_denied(pid, dirfd, why, sizeof why, help, sizeof help);
      snprintf(pi->reason, sizeof pi->reason, "%s; %s", why, help);
    } else {
      pi->access = VMS_ERR_GONE;
      snprintf(pi->reason, sizeof pi->reason, "exited while being listed");
    }
    return;
  }
  pi->access = VMS_OK;
  if (flags & VMS_LIST_COUNT_MAPS)
    pi->n_maps = count_lines_fd(fd, scratch, scratch_size);
  close(fd);
  pi->bits = exe_bits_at(dirfd);
}

VmsErrorCode vms_process_info(int pid, unsigned flags, VmsProcInfo *out, VmsError *err) {
  memset(out, 0, sizeof *out);
  char path[32];
  snprintf(path, sizeof path, "/proc/%d", pid);
  int pfd = pid > 0 ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (pfd < 0)
    return vms_error_set(err, VMS_ERR_NO_PROCESS, "no process with PID %d", pid);
  char *scratch = malloc(64 * 1024);
  if (!scratch) {
    close(pfd);
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory reading process %d", pid);
  }
  fill_proc(pid, pfd, flags, out, scratch, 64 * 1024);
  close(pfd);
  free(scratch);
  if (!out->cmdline)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory reading process %d", pid);
  return VMS_OK;
}

VmsErrorCode vms_process_list(unsigned flags, VmsProcInfo **out, size_t *n_out, VmsError *err) {
  *out = NULL;
  *n_out = 0;
  DIR *d = opendir("/proc");
  if (!d)
    return vms_error_set(err, VMS_ERR_IO, "cannot list /proc: %s", strerror(errno));
  size_t n = 0, cap = 256;
  VmsProcInfo *list = calloc(cap, sizeof *list);
  char *scratch = malloc(64 * 1024);
  if (!list || !scratch) {
    free(list);
    free(scratch);
    closedir(d);
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory listing processes");
  }
  const int proc_fd = dirfd(d);
  VmsErrorCode code = VMS_OK;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    char *e;
    long pid = strtol(de->d_name, &e, 10);
    if (*e || pid <= 0)
      continue;
    int pfd = openat(proc_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (pfd < 0)
      continue; /* exited since readdir: not an error */
    if (n == cap) {
      VmsProcInfo *p = realloc(list, cap * 2 * sizeof *list);
      if (!p) {
        close(pfd);
        code = VMS_ERR_NOMEM;
        break;
      }
      list = p;
      memset(list + cap, 0, cap * sizeof *list);
      cap *= 2;
    }
    fill_proc((int)pid, pfd, flags, &list[n], scratch, 64 * 1024);
    close(pfd);
    /* fill_proc always sets a command line (maybe empty): NULL is strdup failing. */
    if (!list[n].cmdline) {
      code = VMS_ERR_NOMEM;
      break;
    }
    n++;
  }
  closedir(d);
  free(scratch);
  /* A list cut short would pass for every process there is. */
  if (code != VMS_OK) {
    vms_process_list_free(list, n);
    return vms_error_set(err, code, "out of memory listing processes");
  }
  *out = list;
  *n_out = n;
  return VMS_OK;
}

void vms_process_list_free(VmsProcInfo *list, size_t n) {
  if (!list)
    return;
  for (size_t i = 0; i < n; i++)
    free(list[i].cmdline);
  free(list);
}

/* ---- targets ---- */

/* After a failed read through the target's descriptor: did the process exit,
 * or does its PID now belong to another process? */
static VmsErrorCode gone_or_reused(VmsTarget *t, VmsError *err) {
  char path[64], b[1024];
  ProcStat st;
  snprintf(path, sizeof path, "/proc/%d/stat", t->pid);
  if (read_small_at(AT_FDCWD, path, b, sizeof b) > 0 && parse_stat(b, &st) &&
      st.start_time != t->start_time && st.state != 'Z' && st.state != 'X')
    return vms_error_set(err, VMS_ERR_REUSED,
                         "process %d (%s) exited and its PID now belongs to another process (%s)",
                         t->pid, t->name, st.comm);
  return vms_error_set(err, VMS_ERR_GONE, "process %d (%s) has exited", t->pid, t->name);
}

/* The gate area (x86-64's [vsyscall]) is no VMA of the process: the maps
 * text adds it after the last VMA of a 64-bit task, and PROCMAP_QUERY, which
 * looks VMAs up, never returns it. The walk adds it as this (64-bit)
 * process sees it in its own maps; without one there is none to add. False
 * only when memory ran out: a gate left unknown would be a region missing. */
static bool find_gate(VmsTarget *t) {
  if (sizeof(void *) != 8)
    return true;
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return true;
  char *buf = NULL;
  size_t cap = 0;
  ssize_t len = read_all_fd(fd, &buf, &cap);
  int read_errno = errno;
  close(fd);
  if (len < 0 && read_errno == ENOMEM)
    return false;
  VmsSpace own;
  vms_space_init(&own);
  VmsErrorCode code = len > 0 ? vms_maps_parse(buf, (size_t)len, &own, NULL) : VMS_OK;
  if (code == VMS_ERR_NOMEM) {
    vms_space_clear(&own);
    free(buf);
    return false;
  }
  if (len > 0 && code == VMS_OK && own.n_regions) {
    const VmsRegion *last = &own.regions[own.n_regions - 1];
    if (last->start >= t->user_top64 && last->name &&
        strcmp(vms_name_pool_get(&own.names, last->name), "[vsyscall]") == 0) {
      t->gate = *last;
      t->has_gate = true;
    }
  }
  vms_space_clear(&own);
  free(buf);
  return true;
}

VmsErrorCode vms_target_open(int pid, VmsTarget **out, VmsError *err) {
  *out = NULL;
  if (pid <= 0)
    return vms_error_set(err, VMS_ERR_USAGE, "%d is not a process ID", pid);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d", pid);
  int dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0) {
    if (errno == ENOENT || errno == ESRCH)
      return vms_error_set(err, VMS_ERR_NO_PROCESS, "no process with PID %d", pid);
    return vms_error_set(err, VMS_ERR_IO, "cannot open %s: %s", path, strerror(errno));
  }
  ProcStat st;
  if (!read_stat_at(dirfd, &st)) {
    close(dirfd);
    return vms_error_set(err, VMS_ERR_NO_PROCESS, "no process with PID %d", pid);
  }
  if (st.flags & PF_KTHREAD) {
    close(dirfd);
    return vms_error_set(err, VMS_ERR_NO_ADDRESS_SPACE,
                         "process %d (%s) is a kernel thread: it has no user address space", pid,
                         st.comm);
  }
  if (st.state == 'Z' || st.state == 'X') {
    close(dirfd);
    return vms_error_set(err, VMS_ERR_NO_ADDRESS_SPACE,
                         "process %d (%s) is a zombie: it has exited and has no address space", pid,
                         st.comm);
  }
  int fd = openat(dirfd, "maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    VmsErrorCode code;
    if (errno == EACCES || errno == EPERM) {
      code = denied(pid, dirfd, err);
    } else {
      code = vms_error_set(err, VMS_ERR_GONE, "process %d (%s) has exited", pid, st.comm);
    }
    close(dirfd);
    return code;
  }
  close(fd);

  VmsTarget *t = calloc(1, sizeof *t);
  if (!t) {
    close(dirfd);
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  }
  t->pid = pid;
  t->dirfd = dirfd;
  t->start_time = st.start_time;
  snprintf(t->name, sizeof t->name, "%s", st.comm);
  t->bits = exe_bits_at(dirfd);
  t->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
  t->mmap_min_addr = read_sysctl_u64("/proc/sys/vm/mmap_min_addr", 65536);
  t->max_map_count = read_sysctl_u64("/proc/sys/vm/max_map_count", 0);
  t->user_top64 = machine_user_top64();
  const char *maps_env = getenv("VMSCOPE_MAPS"), *pagemap_env = getenv("VMSCOPE_PAGEMAP");
  t->force_text = maps_env && strcmp(maps_env, "text") == 0;
  t->force_query = maps_env && strcmp(maps_env, "ioctl") == 0;
  t->force_entries = pagemap_env && strcmp(pagemap_env, "entries") == 0;
  t->query_ok = true;
  t->scan_ok = true;
  vms_query_cache_init(&t->query);
  vms_space_init(&t->check);
  if (!find_gate(t)) {
    vms_target_close(t);
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  }
  *out = t;
  return VMS_OK;
}

int vms_target_pid(const VmsTarget *t) {
  return t->pid;
}

void vms_target_close(VmsTarget *t) {
  if (!t)
    return;
  close(t->dirfd);
  free(t->buf);
  vms_query_cache_clear(&t->query);
  vms_space_clear(&t->check);
  vms_space_clear(&t->check2);
  free(t->runs);
  free(t->entries);
  free(t->covered);
  free(t);
}

/* The stack pointer of a thread blocked in (or between) system calls, from
 * task/TID/syscall: "NR a1..a6 SP PC", "-1 SP PC", or "running" (unknown). */
static bool thread_sp(int taskfd, const char *tid, uint64_t *sp) {
  char path[64], b[512];
  snprintf(path, sizeof path, "%s/syscall", tid);
  ssize_t n = read_small_at(taskfd, path, b, sizeof b);
  if (n <= 0 || strncmp(b, "running", 7) == 0)
    return false;
  while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == ' '))
    b[--n] = '\0';
  char *last = strrchr(b, ' ');
  if (!last)
    return false;
  *last = '\0';
  char *spf = strrchr(b, ' ');
  if (!spf)
    return false;
  char *e;
  unsigned long long v = strtoull(spf + 1, &e, 16);
  if (e == spf + 1 || v == 0)
    return false;
  *sp = (uint64_t)v;
  return true;
}

static VmsErrorCode read_threads(VmsTarget *t, VmsSpace *space, VmsError *err) {
  int taskfd = openat(t->dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (taskfd < 0)
    return VMS_OK; /* checked by the caller's liveness test */
  int dfd = dup(taskfd);
  DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
  if (!d) {
    if (dfd >= 0)
      close(dfd);
    close(taskfd);
    return VMS_OK;
  }
  struct dirent *de;
  VmsErrorCode code = VMS_OK;
  while ((de = readdir(d)) != NULL) {
    char *e;
    long tid = strtol(de->d_name, &e, 10);
    if (*e || tid <= 0)
      continue;
    VmsThread th = {.tid = (int)tid};
    th.sp_known = thread_sp(taskfd, de->d_name, &th.sp);
    if ((code = vms_space_add_thread(space, &th)) != VMS_OK) {
      vms_error_set(err, code, "out of memory");
      break;
    }
  }
  closedir(d);
  close(taskfd);
  if (code == VMS_OK)
    space->fields |= VMS_FIELD_THREADS;
  return code;
}

/* The soft RLIMIT_STACK of the process, which glibc takes as the default
 * size of new threads' stacks: false when /proc/PID/limits is unreadable. */
static bool read_stack_limit(int dirfd, uint64_t *out) {
  char b[4096];
  if (read_small_at(dirfd, "limits", b, sizeof b) <= 0)
    return false;
  const char *p = strstr(b, "\nMax stack size");
  if (!p)
    return false;
  p += strlen("\nMax stack size");
  while (*p == ' ')
    p++;
  if (strncmp(p, "unlimited", 9) == 0) {
    *out = UINT64_MAX;
    return true;
  }
  char *e;
  errno = 0;
  unsigned long long v = strtoull(p, &e, 10);
  if (e == p || errno)
    return false;
  *out = v;
  return true;
}

static void append_note(VmsSpace *space, const char *fmt, ...) VMS_PRINTF(2, 3);
static void append_note(VmsSpace *space, const char *fmt, ...) {
  size_t len = strlen(space->note);
  if (len + 3 >= sizeof space->note)
    return;
  if (len) {
    memcpy(space->note + len, "; ", 3);
    len += 2;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(space->note + len, sizeof space->note - len, fmt, ap);
  va_end(ap);
}

/* The regions from the maps (or, with counters, smaps) text. The kernel
 * prints it a page of text at a time and lets go of the address space
 * between pages, so a process that maps and unmaps meanwhile can tear a
 * read: a line may start below the end of the one before it. A live
 * kernel's text is otherwise well-formed, so a parse failure is such a
 * tear: the text is read again, a few times. */
static VmsErrorCode read_text(VmsTarget *t, bool counters, VmsSpace *space, VmsError *err) {
  VmsErrorCode code;
  for (int attempt = 1;; attempt++) {
    int fd = openat(t->dirfd, counters ? "smaps" : "maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == EACCES || errno == EPERM)
        return denied(t->pid, t->dirfd, err);
      return gone_or_reused(t, err);
    }
    ssize_t len = read_all_fd(fd, &t->buf, &t->cap);
    int read_errno = errno;
    close(fd);
    if (len < 0) {
      if (read_errno == ENOMEM)
        return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
      if (read_errno == ESRCH)
        return gone_or_reused(t, err);
      return vms_error_set(err, VMS_ERR_IO, "reading the maps of process %d: %s", t->pid,
                           strerror(read_errno));
    }
    code = counters ? vms_smaps_parse(t->buf, (size_t)len, space, err)
                    : vms_maps_parse(t->buf, (size_t)len, space, err);
    if (code != VMS_ERR_PARSE || attempt == TORN_READ_ATTEMPTS)
      break;
    vms_space_reset(space);
  }
  if (code != VMS_OK)
    vms_error_prefix(err, "/proc/%d/%s", t->pid, counters ? "smaps" : "maps");
  return code;
}

/* The regions through PROCMAP_QUERY; *done stays false where the text must
 * be read instead: a kernel without the ioctl (ENOTTY, before 6.11) or one
 * that refuses it is not asked again; any other failure falls back once. */
static VmsErrorCode read_query(VmsTarget *t, VmsSpace *space, bool *done, VmsError *err) {
  *done = false;
  int fd = openat(t->dirfd, "maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == EACCES || errno == EPERM)
      return denied(t->pid, t->dirfd, err);
    return gone_or_reused(t, err);
  }
  int e = vms_query_walk(fd, &t->query, space);
  close(fd);
  if (e == 0) {
    *done = true;
    return VMS_OK;
  }
  if (e == ENOMEM)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  if (e == ENOTTY || e == EINVAL || e == EOPNOTSUPP || e == EACCES || e == EPERM)
    t->query_ok = false;
  vms_space_reset(space);
  return VMS_OK;
}

static void clear_residency(VmsSpace *space, uint32_t bits) {
  for (size_t i = 0; i < space->n_regions; i++)
    space->counters[i].mask &= ~bits;
}

/* Regions that changed between the walk and the page scan lose the bits the
 * scan set: the pages counted there may be another mapping's. The regions
 * are looked at again the way they were read the first time. */
static void check_unchanged(VmsTarget *t, bool queried, VmsSpace *space, uint32_t bits) {
  VmsSpace *check = &t->check;
  vms_space_reset(check);
  int fd = openat(t->dirfd, "maps", O_RDONLY | O_CLOEXEC);
  bool ok = fd >= 0;
  if (ok && queried) {
    ok = vms_query_walk_bare(fd, check) == 0;
  } else if (ok) {
    ssize_t len = read_all_fd(fd, &t->buf, &t->cap);
    ok = len >= 0 && vms_maps_parse(t->buf, (size_t)len, check, NULL) == VMS_OK;
  }
  if (fd >= 0)
    close(fd);
  if (!ok) {
    clear_residency(space, bits);
    append_note(space, "resident pages not read: the regions could not be read a second time");
    return;
  }
  size_t changed = 0, j = 0;
  for (size_t i = 0; i < space->n_regions; i++) {
    const VmsRegion *r = &space->regions[i];
    while (j < check->n_regions && check->regions[j].start < r->start)
      j++;
    const VmsRegion *c = j < check->n_regions ? &check->regions[j] : NULL;
    if (c && c->start == r->start && c->end == r->end && c->prot == r->prot &&
        c->offset == r->offset && c->inode == r->inode && c->dev == r->dev)
      continue;
    if (space->counters[i].mask & bits) {
      space->counters[i].mask &= ~bits;
      changed++;
    }
  }
  if (changed)
    append_note(space,
                "%zu region%s changed while the pages were read: resident pages not read "
                "there",
                changed, changed == 1 ? "" : "s");
}

/* Resident, swapped and huge-page bytes per region from the page tables.
 * A failure here leaves the regions whole and the counters marked not read,
 * with the reason in the note: only running out of memory fails the read. */
static VmsErrorCode read_residency(VmsTarget *t, unsigned what, bool queried, VmsSpace *space,
                                   VmsError *err) {
  const bool only_huge = (space->fields & VMS_FIELD_COUNTERS) != 0; /* smaps has the rest */
  if (!only_huge) {
    if (vms_space_reserve_counters(space, space->n_regions) != VMS_OK)
      return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
    memset(space->counters, 0, space->n_regions * sizeof *space->counters);
  }
  space->fields |= VMS_FIELD_COUNTERS | VMS_FIELD_RESIDENCY;
  int fd = openat(t->dirfd, "pagemap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == EACCES || errno == EPERM) {
      char why[300], help[200];
      explain_denied(t->pid, t->dirfd, why, sizeof why, help, sizeof help);
      append_note(space, "resident pages not read: %s (%s)", why, help);
    } else {
      append_note(space, "resident pages not read: /proc/%d/pagemap: %s", t->pid, strerror(errno));
    }
    return VMS_OK;
  }
  /* The user range only: the gate area lies above what pagemap covers. */
  uint64_t hi = 0;
  for (size_t i = 0; i < space->n_regions; i++)
    if (space->regions[i].start < (1ULL << 63))
      hi = space->regions[i].end;
  int e = 0;
  uint32_t bits = 0;
  bool scanned = false;
  size_t uncovered = 0;
  if (t->scan_ok && !t->force_entries && !(what & VMS_READ_PAGEMAP_ENTRIES)) {
    if (!t->runs && !(t->runs = malloc(SCAN_RUNS * sizeof *t->runs)))
      e = ENOMEM;
    if (!e && space->n_regions > t->cap_covered) {
      size_t ncap = space->n_regions + space->n_regions / 4 + 16;
      uint64_t *c = realloc(t->covered, ncap * sizeof *c);
      if (c) {
        t->covered = c;
        t->cap_covered = ncap;
      } else {
        e = ENOMEM;
      }
    }
    if (!e)
      e = vms_pagemap_scan(fd, space, hi, only_huge, t->runs, SCAN_RUNS, t->covered, &bits,
                           &uncovered);
    scanned = e == 0;
    if (e == ENOTTY || e == EINVAL || e == EOPNOTSUPP || e == EACCES || e == EPERM)
      t->scan_ok = false; /* before Linux 6.7, or refused: entries from now on */
  }
  if (!scanned && e != ENOMEM) {
    if (!t->entries && !(t->entries = malloc(ENTRY_BUF * sizeof *t->entries)))
      e = ENOMEM;
    else
      e = vms_pagemap_entries(fd, space, hi, only_huge, t->page_size, ENTRIES_MAX_REGION,
                              t->entries, ENTRY_BUF, &bits);
  }
  close(fd);
  if (e == ENOMEM)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  if (e) {
    clear_residency(space, VMS_CTR_RSS | VMS_CTR_SWAP | VMS_CTR_HUGE);
    append_note(space, "resident pages not read: /proc/%d/pagemap: %s", t->pid, strerror(e));
    return VMS_OK;
  }
  if (!scanned) {
    check_unchanged(t, queried, space, bits);
    return VMS_OK;
  }
  /* The scan itself saw which regions are still mapped as the walk found
   * them; the others (changed since, or device memory it skips) are unread. */
  space->fields |= VMS_FIELD_PAGEMAP_SCAN;
  if (uncovered)
    append_note(space,
                "%zu region%s changed while the pages were read (or are device memory): "
                "resident pages not read there",
                uncovered, uncovered == 1 ? "" : "s");
  return VMS_OK;
}

/* The regions alone, the way the target reads them (for a check). */
static bool read_bare(VmsTarget *t, VmsSpace *out) {
  vms_space_reset(out);
  int fd = openat(t->dirfd, "maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  bool ok;
  if (t->query_ok && !t->force_text) {
    ok = vms_query_walk_bare(fd, out) == 0;
  } else {
    ssize_t len = read_all_fd(fd, &t->buf, &t->cap);
    ok = len >= 0 && vms_maps_parse(t->buf, (size_t)len, out, NULL) == VMS_OK;
  }
  close(fd);
  return ok;
}

static bool same_vma(const VmsRegion *a, const VmsRegion *b) {
  return a->start == b->start && a->end == b->end && a->prot == b->prot && a->offset == b->offset &&
         a->inode == b->inode && a->dev == b->dev;
}

/* Keeps the parts of the runs that lie in a region found the same in both
 * walks: entries read elsewhere may be another mapping's pages. */
static VmsErrorCode keep_unchanged(const VmsSpace *before, const VmsSpace *after, VmsPageMap *map,
                                   size_t *dropped) {
  VmsPageMap kept;
  vms_page_map_init(&kept);
  *dropped = 0;
  for (size_t i = 0; i < before->n_regions; i++) {
    const VmsRegion *g = &before->regions[i];
    size_t j = vms_space_find(after, g->start);
    bool same = j != SIZE_MAX && same_vma(g, &after->regions[j]);
    size_t k = vms_page_map_lower_bound(map, g->start);
    if (!same && k < map->n_runs && map->runs[k].start < g->end)
      (*dropped)++;
    for (; same && k < map->n_runs && map->runs[k].start < g->end; k++) {
      const VmsPageRun *r = &map->runs[k];
      uint64_t a = r->start > g->start ? r->start : g->start, b = r->end < g->end ? r->end : g->end;
      if (vms_page_map_add(&kept, a, b, (VmsPageState)r->state) != VMS_OK) {
        vms_page_map_clear(&kept);
        return VMS_ERR_NOMEM;
      }
    }
  }
  free(map->runs);
  map->runs = kept.runs;
  map->n_runs = kept.n_runs;
  map->cap_runs = kept.cap_runs;
  return VMS_OK;
}

VmsErrorCode vms_target_read_pages(VmsTarget *t, uint64_t start, uint64_t end, VmsPageMap *map,
                                   VmsError *err) {
  const double t0 = vms_time_monotonic();
  const uint64_t page = t->page_size;
  /* pagemap covers user space only: the gate area above it has no entries. */
  const uint64_t top = t->bits == 32 ? 0xffffe000ULL : t->user_top64;
  start -= start % page;
  end = end > top ? top : end;
  end = end % page ? end - end % page + page : end;
  map->n_runs = 0;
  map->note[0] = '\0';
  map->pid = t->pid;
  map->start_time = t->start_time;
  map->start = start;
  map->end = end > start ? end : start;
  map->read_end = start;
  ProcStat st;
  if (!read_stat_at(t->dirfd, &st) || st.start_time != t->start_time)
    return gone_or_reused(t, err);
  if (start >= end) {
    map->read_end = map->end;
    return VMS_OK;
  }
  int fd = openat(t->dirfd, "pagemap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(map->note, sizeof map->note, "page states not read: /proc/%d/pagemap: %s", t->pid,
             strerror(errno));
    map->seconds = vms_time_monotonic() - t0;
    return VMS_OK;
  }
  int e = 0;
  bool scanned = false;
  if (t->scan_ok && !t->force_entries) {
    if (!t->runs && !(t->runs = malloc(SCAN_RUNS * sizeof *t->runs)))
      e = ENOMEM;
    if (!e)
      e = vms_pagemap_scan_pages(fd, start, end, t->runs, SCAN_RUNS, map);
    scanned = e == 0;
    if (e == ENOTTY || e == EINVAL || e == EOPNOTSUPP || e == EACCES || e == EPERM) {
      t->scan_ok = false;
      map->n_runs = 0;
      map->read_end = start;
    }
  }
  size_t dropped = 0;
  if (!scanned && e != ENOMEM) {
    e = 0;
    if (!t->entries && !(t->entries = malloc(ENTRY_BUF * sizeof *t->entries)))
      e = ENOMEM;
    else if (!read_bare(t, &t->check))
      e = EIO;
    else
      e = vms_pagemap_entries_pages(fd, &t->check, start, end, page, ENTRIES_MAX_REGION, t->entries,
                                    ENTRY_BUF, map);
    if (!e && !read_bare(t, &t->check2))
      e = EIO;
    if (!e && keep_unchanged(&t->check, &t->check2, map, &dropped) != VMS_OK)
      e = ENOMEM;
  }
  close(fd);
  map->seconds = vms_time_monotonic() - t0;
  if (e == ENOMEM)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  if (e) {
    map->n_runs = 0;
    map->read_end = start;
    snprintf(map->note, sizeof map->note, "page states not read: /proc/%d/pagemap: %s", t->pid,
             strerror(e));
  } else if (dropped) {
    snprintf(map->note, sizeof map->note,
             "%zu region%s changed while the pages were read: page states not read there", dropped,
             dropped == 1 ? "" : "s");
  } else if (map->read_end < map->end) {
    snprintf(map->note, sizeof map->note,
             "page states read up to 0x%" PRIx64 " (more than %u runs)", map->read_end,
             VMS_PAGE_MAP_MAX_RUNS);
  }
  ProcStat after;
  if (!read_stat_at(t->dirfd, &after) || after.start_time != t->start_time)
    return gone_or_reused(t, err);
  if (after.state == 'Z' || after.state == 'X' || (after.flags & PF_EXITING))
    return vms_error_set(err, VMS_ERR_GONE, "process %d (%s) has exited", t->pid, t->name);
  return VMS_OK;
}

static double thread_cpu(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Which way to read the regions. Neither is always cheaper: a query is a
 * system call per VMA, which costs more than a line of text where the names
 * are cheap (anonymous memory), and far less where they are paths (the text
 * runs d_path for every line, the walk once per file). So where nothing
 * forces one, each is measured on this target and the cheaper one used,
 * the other measured again every 16th read as the target changes. */
static bool choose_query(VmsTarget *t, unsigned what) {
  if (what & VMS_READ_MAPS_TEXT || t->force_text)
    return false;
  if (what & VMS_READ_MAPS_QUERY || t->force_query)
    return true;
  if (t->cost_query <= 0)
    return true;
  if (t->cost_text <= 0)
    return false;
  const bool cheaper = t->cost_query <= t->cost_text;
  return t->reads % 16 == 15 ? !cheaper : cheaper;
}

/* The gate area after the last VMA, as the maps text shows it. */
static VmsErrorCode add_gate(VmsTarget *t, VmsSpace *space, VmsError *err) {
  if (space->n_regions && space->regions[space->n_regions - 1].end > t->gate.start)
    return VMS_OK;
  const bool ctr = (space->fields & VMS_FIELD_COUNTERS) != 0;
  if (ctr && vms_space_reserve_counters(space, space->n_regions + 1) != VMS_OK)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  VmsRegion *g = vms_space_add_region(space);
  if (!g)
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  *g = t->gate;
  g->name = 0;
  g->os = 0;
  if (vms_maps_store_name(space, g, "[vsyscall]", 10, false))
    return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
  if (ctr)
    memset(&space->counters[space->n_regions - 1], 0, sizeof *space->counters); /* not read */
  return VMS_OK;
}

VmsErrorCode vms_target_read(VmsTarget *t, unsigned what, VmsSpace *space, VmsError *err) {
  vms_space_reset(space);
  ProcStat st;
  if (!read_stat_at(t->dirfd, &st) || st.start_time != t->start_time)
    return gone_or_reused(t, err);
  if (st.state == 'Z' || st.state == 'X')
    return vms_error_set(err, VMS_ERR_GONE, "process %d (%s) has exited", t->pid, t->name);

  const bool counters = (what & VMS_READ_COUNTERS) != 0;
  bool queried = false;
  VmsErrorCode code;
  const bool query = !counters && t->query_ok && choose_query(t, what);
  const double c0 = thread_cpu();
  if (query && (code = read_query(t, space, &queried, err)) != VMS_OK)
    return code;
  if (!queried && (code = read_text(t, counters, space, err)) != VMS_OK)
    return code;
  if (!counters) {
    const double per_region = (thread_cpu() - c0) / (double)(space->n_regions + 1);
    double *cost = queried ? &t->cost_query : &t->cost_text;
    *cost = *cost > 0 ? (*cost + per_region) / 2 : per_region;
  }
  t->reads++;
  if (counters) {
    VmsCounters sum = {0};
    for (size_t i = 0; i < space->n_regions; i++) {
      const VmsCounters *c = &space->counters[i];
      sum.rss += c->rss;
      sum.pss += c->pss;
      sum.shared_clean += c->shared_clean;
      sum.shared_dirty += c->shared_dirty;
      sum.private_clean += c->private_clean;
      sum.private_dirty += c->private_dirty;
      sum.swap += c->swap;
      sum.locked += c->locked;
      sum.mask |= c->mask;
    }
    space->rollup = sum;
    space->fields |= VMS_FIELD_ROLLUP;
  } else if (what & VMS_READ_ROLLUP) {
    /* To EOF through the same helper as maps (a signal mid-read retries);
     * the maps text is parsed already, so its buffer is free to reuse. A
     * kernel without smaps_rollup (before 4.14), or a read that fails, leaves
     * the rollup not read; running out of memory is an error like anywhere. */
    int rfd = openat(t->dirfd, "smaps_rollup", O_RDONLY | O_CLOEXEC);
    if (rfd >= 0) {
      ssize_t rn = read_all_fd(rfd, &t->buf, &t->cap);
      int rollup_errno = errno;
      close(rfd);
      if (rn < 0 && rollup_errno == ENOMEM)
        return vms_error_set(err, VMS_ERR_NOMEM, "out of memory");
      if (rn > 0 && vms_smaps_rollup_parse(t->buf, (size_t)rn, space, NULL) != VMS_OK)
        space->fields &= ~(uint32_t)VMS_FIELD_ROLLUP;
    }
  }
  if (what & VMS_READ_RESIDENCY) {
    const double r0 = vms_time_monotonic();
    if ((code = read_residency(t, what, queried, space, err)) != VMS_OK)
      return code;
    space->residency_seconds = vms_time_monotonic() - r0;
  }
  if (what & VMS_READ_THREADS) {
    if ((code = read_threads(t, space, err)) != VMS_OK)
      return code;
  }

  /* A process that exits mid-read leaves a short maps text that looks
   * whole, so liveness is checked after the read, through the same handle.
   * The state turns 'Z' only at the end of do_exit, after the mm is torn
   * down; PF_EXITING is set before, so it catches a read cut short. */
  ProcStat after;
  if (!read_stat_at(t->dirfd, &after) || after.start_time != t->start_time)
    return gone_or_reused(t, err);
  if (after.state == 'Z' || after.state == 'X' || (after.flags & PF_EXITING) ||
      space->n_regions == 0)
    return vms_error_set(err, VMS_ERR_GONE, "process %d (%s) has exited", t->pid, t->name);

  space->pid = t->pid;
  snprintf(space->name, sizeof space->name, "%s", after.comm);
  space->start_time = t->start_time;
  space->page_size = t->page_size;
  space->alloc_granularity = t->page_size;
  space->mmap_min_addr = t->mmap_min_addr;
  space->max_map_count = t->max_map_count;
  if (t->max_map_count)
    space->fields |= VMS_FIELD_MAX_MAP_COUNT;
  space->main_stack.start = after.start_stack;
  space->brk.start = after.start_brk;
  space->fields |= VMS_FIELD_MAIN_STACK;
  if (read_stack_limit(t->dirfd, &space->stack_setting))
    space->fields |= VMS_FIELD_STACK_SETTING;

  /* Bitness: the executable's ELF class; failing that, where it maps. */
  uint64_t top_mapped = 0;
  for (size_t i = 0; i < space->n_regions; i++) {
    const VmsRegion *r = &space->regions[i];
    if (r->start < (1ULL << 63))
      top_mapped = r->end; /* skip [vsyscall] in the kernel half */
  }
  int bits = t->bits ? t->bits : (top_mapped > (1ULL << 32) || !machine_is_64() ? 64 : 32);
  if (!machine_is_64())
    bits = 32;
  space->bits = bits;
  space->usable_lo = 0;
  if (bits == 32) {
    /* A 32-bit task on a 64-bit x86 kernel gets 4 GiB less one guard page
     * (IA32_PAGE_OFFSET); on a 32-bit kernel the usual split leaves 3 GiB. */
    space->usable_hi = machine_is_64() ? 0xffffe000ULL : 0xc0000000ULL;
  } else {
    space->usable_hi = t->user_top64;
    /* With 5-level paging a process that asked for high addresses has them. */
    if (top_mapped > space->usable_hi)
      space->usable_hi = (1ULL << 56) - t->page_size;
  }
  if (queried && bits == 64 && t->has_gate && (code = add_gate(t, space, err)) != VMS_OK)
    return code;
  return VMS_OK;
}

void vms_platform_init(void) {
  signal(SIGXFSZ, SIG_IGN);
}

bool vms_file_sync(FILE *f) {
  return fflush(f) == 0 && fsync(fileno(f)) == 0;
}

int vms_stream_write_errno(FILE *f, int e) {
  return e;
}

bool vms_file_replace(const char *from, const char *to) {
  return rename(from, to) == 0;
}

bool vms_file_seek(FILE *f, uint64_t offset) {
  if (offset > (uint64_t)INT64_MAX) {
    errno = EINVAL;
    return false;
  }
  return fseeko(f, (off_t)offset, SEEK_SET) == 0;
}

void vms_file_set_binary(FILE *f) {
  (void)f;
}

double vms_time_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double vms_time_monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
