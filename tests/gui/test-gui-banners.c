/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-banners.c: the window's permission-denied and PID-reused banners, under Xvfb as root.
 *
 * usage: test-gui-banners permission|reuse
 * Both need root: the first runs the window as user nobody against a
 * root-owned process, the second hands a dead helper's PID to a new process
 * through /proc/sys/kernel/ns_last_pid. Each is a meson test of its own, so
 * one that cannot run here shows as SKIP with its reason. Every wait has a
 * generous deadline and fails the check when it passes; nothing here
 * measures speed. */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vms-gui-test.h"
#include "vms-test.h"
#include "vms-window.h"

#define NOBODY 65534

static gboolean has_banner(gpointer d) {
  return vms_window_get_banner(d, NULL) != NULL;
}
static gboolean has_snapshot(gpointer d) {
  return vms_window_get_n_snapshots(d) >= 1;
}

static const char *subtitle(VmsWindow *win) {
  GtkWidget *bar = gtk_window_get_titlebar(GTK_WINDOW(win));
  return GTK_IS_HEADER_BAR(bar) ? gtk_header_bar_get_subtitle(GTK_HEADER_BAR(bar)) : NULL;
}

static VmsWindow *new_window(void) {
  g_object_set(gtk_settings_get_default(), "gtk-enable-animations", FALSE, NULL);
  VmsWindow *win = vms_window_new(NULL);
  gtk_window_set_default_size(GTK_WINDOW(win), 1000, 700);
  gtk_widget_show(GTK_WIDGET(win));
  spin_until(never, NULL, 0.2);
  return win;
}

/* Xvfb's cookie file is root's alone; a copy owned by nobody lets the
 * dropped process open the display as any user of a desktop would. */
static gboolean give_display_to_nobody(void) {
  const char *auth = g_getenv("XAUTHORITY");
  if (!auth || !*auth)
    return TRUE;
  gchar *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(auth, &data, &len, NULL))
    return TRUE; /* no readable cookie: the display needs none */
  char *copy = NULL;
  int fd = g_file_open_tmp("vmscope-xauth-XXXXXX", &copy, NULL);
  gboolean ok = fd >= 0 && write(fd, data, len) == (ssize_t)len && fchown(fd, NOBODY, NOBODY) == 0;
  if (fd >= 0)
    close(fd);
  if (ok)
    g_setenv("XAUTHORITY", copy, TRUE);
  g_free(copy);
  g_free(data);
  return ok;
}

/* Runs in a child that has not touched GTK: becomes nobody, opens the
 * window and attaches it to its root-owned parent. Returns the exit status. */
static int permission_child(void) {
  pid_t root_owned = getppid();
  if (!give_display_to_nobody()) {
    printf("SKIP permission: cannot hand the X cookie to user nobody\n");
    return 77;
  }
  g_autofree char *cfg = g_dir_make_tmp("vmscope-gui-XXXXXX", NULL);
  if (!cfg || chown(cfg, NOBODY, NOBODY) != 0)
    return 1;
  g_setenv("XDG_CONFIG_HOME", cfg, TRUE);
  g_setenv("XDG_CACHE_HOME", cfg, TRUE);
  g_setenv("HOME", cfg, TRUE);
  if (setgroups(0, NULL) != 0 || setresgid(NOBODY, NOBODY, NOBODY) != 0 ||
      setresuid(NOBODY, NOBODY, NOBODY) != 0) {
    printf("SKIP permission: cannot become user nobody here (%s)\n", g_strerror(errno));
    return 77;
  }
  VMS_CHECK_U64(geteuid(), NOBODY);
  if (!gtk_init_check(NULL, NULL)) {
    printf("SKIP permission: user nobody cannot open the display\n");
    return 77;
  }
  VmsWindow *win = new_window();
  VMS_CHECK_MSG(!vms_window_attach(win, root_owned), "user nobody attached to root's process %d",
                root_owned);
  VMS_CHECK_MSG(spin_until(has_banner, win, 10), "no banner after a denied attach");
  GtkMessageType type = GTK_MESSAGE_OTHER;
  const char *b = vms_window_get_banner(win, &type);
  if (!b)
    b = "";
  printf("permission banner: %s\n", b);
  VMS_CHECK_U64(type, GTK_MESSAGE_ERROR);
  /* What happened, why, and what would help. */
  VMS_CHECK_MSG(strstr(b, "Permission denied") == b, "banner does not start by saying what: %s", b);
  char pidtext[32];
  g_snprintf(pidtext, sizeof pidtext, "process %d", (int)root_owned);
  VMS_CHECK_MSG(strstr(b, pidtext) != NULL, "banner does not name %s: %s", pidtext, b);
  VMS_CHECK_MSG(strstr(b, "belongs to user root") != NULL, "banner does not name the owner: %s", b);
  VMS_CHECK_MSG(strstr(b, "CAP_SYS_PTRACE") != NULL, "banner does not say what would help: %s", b);
  /* Said once: neither the cause nor the advice is repeated. */
  VMS_CHECK_MSG(!strstr(b + 2, "ermission denied"), "\"permission denied\" said twice: %s", b);
  const char *first = strstr(b, "CAP_SYS_PTRACE");
  VMS_CHECK_MSG(first && !strstr(first + 1, "CAP_SYS_PTRACE"), "the advice is given twice: %s", b);
  VMS_CHECK(vms_window_get_snapshot(win) == NULL);
  VMS_CHECK(vms_map_view_get_snapshot(vms_window_get_map(win)) == NULL);
  const char *sub = subtitle(win);
  VMS_CHECK_MSG(sub && strstr(sub, pidtext + 8), "subtitle: %s", sub ? sub : "(none)");
  /* Nothing samples behind the banner. */
  spin_until(never, NULL, 1.5);
  VMS_CHECK_U64(vms_window_get_n_snapshots(win), 0);
  gtk_widget_destroy(GTK_WIDGET(win));
  g_rmdir(cfg);
  const char *auth = g_getenv("XAUTHORITY");
  if (auth && g_str_has_prefix(auth, g_get_tmp_dir()))
    g_unlink(auth);
  return vms_test_end();
}

static void test_permission(void) {
  fflush(NULL);
  pid_t child = fork();
  if (child < 0) {
    VMS_CHECK_MSG(FALSE, "fork failed");
    return;
  }
  if (child == 0) {
    int rc = permission_child();
    fflush(NULL);
    _exit(rc);
  }
  int status = 0;
  VMS_CHECK(waitpid(child, &status, 0) == child);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
    exit(77); /* the child said why */
  VMS_CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                "the window run as nobody failed its checks (status 0x%x)", status);
}

static pid_t fork_sleeper(void) {
  pid_t p = fork();
  if (p == 0) {
    for (;;)
      pause();
  }
  return p;
}

static gboolean has_reused_banner(gpointer d) {
  const char *b = vms_window_get_banner(d, NULL);
  return b && strstr(b, "another process");
}

/* The boot-time clock in the ticks /proc/PID/stat counts start times in. */
static long long boot_ticks(void) {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  long hz = sysconf(_SC_CLK_TCK);
  return (long long)ts.tv_sec * hz + ts.tv_nsec / (1000000000L / hz);
}

static gboolean tick_passed(gpointer d) {
  return boot_ticks() > *(long long *)d;
}

/* Returns NULL when it ran, or why it could not. */
static const char *test_reused(void) {
  static char why[128];
  int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return "PID reuse: /proc/sys/kernel/ns_last_pid is not writable here";
  VmsWindow *win = new_window();
  pid_t pid = fork_sleeper();
  if (pid <= 0) {
    VMS_CHECK_MSG(FALSE, "cannot fork a helper");
    close(fd);
    gtk_widget_destroy(GTK_WIDGET(win));
    return NULL;
  }
  VMS_CHECK(vms_window_attach(win, pid));
  VMS_CHECK_MSG(spin_until(has_snapshot, win, 15), "no snapshot of the helper arrived");
  VmsSnapshot *last = vms_window_get_snapshot(win);
  /* Paused, so the sampler does not see the helper gone before its PID is back. */
  vms_window_set_paused(win, TRUE);
  spin_until(never, NULL, 0.2);
  guint n_before = vms_window_get_n_snapshots(win);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  /* Start times count clock ticks; a real reuse comes ticks later, so the
   * new process must start in a later tick than the old one did. */
  long long ended = boot_ticks();
  VMS_CHECK(spin_until(tick_passed, &ended, 5));
  pid_t again = -1;
  for (int attempt = 0; attempt < 50 && again != pid; attempt++) {
    char b[32];
    int n = g_snprintf(b, sizeof b, "%d", (int)pid - 1);
    if (pwrite(fd, b, (size_t)n, 0) != n)
      break;
    again = fork_sleeper();
    if (again <= 0)
      break;
    if (again != pid) {
      kill(again, SIGKILL);
      waitpid(again, NULL, 0);
    }
  }
  close(fd);
  if (again != pid) {
    g_snprintf(why, sizeof why, "PID reuse: could not get PID %d back from the kernel", (int)pid);
    gtk_widget_destroy(GTK_WIDGET(win));
    return why;
  }
  /* The next sample finds another process behind the PID. */
  vms_window_refresh(win, FALSE);
  VMS_CHECK_MSG(spin_until(has_reused_banner, win, 10), "no reuse banner; banner: %s",
                vms_window_get_banner(win, NULL) ? vms_window_get_banner(win, NULL) : "(none)");
  GtkMessageType type = GTK_MESSAGE_OTHER;
  const char *b = vms_window_get_banner(win, &type);
  if (!b)
    b = "";
  printf("reuse banner: %s\n", b);
  VMS_CHECK_U64(type, GTK_MESSAGE_WARNING);
  char pidtext[32];
  g_snprintf(pidtext, sizeof pidtext, "Process %d", (int)pid);
  VMS_CHECK_MSG(strstr(b, pidtext) == b, "banner does not name the PID first: %s", b);
  VMS_CHECK_MSG(strstr(b, "now belongs to another process"), "banner: %s", b);
  VMS_CHECK_MSG(strstr(b, "detached"), "banner does not say the window detached: %s", b);
  const char *sub = subtitle(win);
  VMS_CHECK_MSG(sub && strstr(sub, "detached"), "subtitle: %s", sub ? sub : "(none)");
  /* The original process's last map stays; the new process is never read,
   * not by the timer after resuming and not by F5. */
  VMS_CHECK(vms_window_get_snapshot(win) == last);
  VMS_CHECK(vms_map_view_get_snapshot(vms_window_get_map(win)) == last);
  vms_window_set_paused(win, FALSE);
  vms_window_set_interval(win, 0.5);
  vms_window_refresh(win, FALSE);
  spin_until(never, NULL, 2);
  VMS_CHECK_U64(vms_window_get_n_snapshots(win), n_before);
  VMS_CHECK(vms_window_get_snapshot(win) == last);
  VMS_CHECK(has_reused_banner(win));
  kill(again, SIGKILL);
  waitpid(again, NULL, 0);
  gtk_widget_destroy(GTK_WIDGET(win));
  return NULL;
}

int main(int argc, char **argv) {
  gboolean permission = argc == 2 && strcmp(argv[1], "permission") == 0;
  if (!permission && !(argc == 2 && strcmp(argv[1], "reuse") == 0)) {
    fprintf(stderr, "usage: test-gui-banners permission|reuse\n");
    return 2;
  }
  if (geteuid() != 0)
    VMS_SKIP(permission ? "needs root: running the window as another user"
                        : "needs root: handing out a chosen PID through ns_last_pid");
  if (!g_getenv("DISPLAY"))
    VMS_SKIP("no display (run under xvfb-run)");
  if (permission) {
    test_permission();
    return vms_test_end();
  }

  g_autofree char *dir = g_dir_make_tmp("vmscope-gui-XXXXXX", NULL);
  g_setenv("XDG_CONFIG_HOME", dir, TRUE);
  if (!gtk_init_check(NULL, NULL))
    VMS_SKIP("no display (run under xvfb-run)");
  const char *skipped = test_reused();
  g_autofree char *cfg = g_build_filename(dir, "vmscope", "vmscope.ini", NULL);
  g_unlink(cfg);
  g_autofree char *cfgdir = g_build_filename(dir, "vmscope", NULL);
  g_rmdir(cfgdir);
  g_rmdir(dir);
  if (skipped)
    VMS_SKIP("%s", skipped);
  return vms_test_end();
}
