/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-win-errors.c: vmscope.exe on bad input, run as another process: a
 * process whose DACL grants nothing, a process killed while it is read,
 * and files that cannot be written (a missing folder, a read-only file, a
 * folder). Each must give one clear line on stderr, its documented exit
 * code, no output on stdout and no file left behind.
 *
 * Usage: test-win-errors VMSCOPE.exe HELPER.exe HELPER-DLL.dll */
#include "vms-test.h"
#include "vms-win-spawn.h"

#include <aclapi.h>

typedef struct {
  DWORD code;
  char *out;      /* stdout, malloc'd */
  char err[2048]; /* stderr, cut */
} Run;

/* Runs vmscope with args; stdout and stderr in pipes of their own. */
static void run(Run *r, const char *vmscope, const char *args) {
  memset(r, 0, sizeof *r);
  r->code = 0xffffffff;
  r->out = calloc(1, 1);
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
  HANDLE out_r, out_w, err_r, err_w;
  if (!CreatePipe(&out_r, &out_w, &sa, 0) || !CreatePipe(&err_r, &err_w, &sa, 0)) {
    VMS_CHECK_MSG(false, "CreatePipe failed");
    return;
  }
  SetHandleInformation(out_r, HANDLE_FLAG_INHERIT, 0);
  SetHandleInformation(err_r, HANDLE_FLAG_INHERIT, 0);
  HANDLE p = vms_win_start_std(vmscope, args, out_w, err_w);
  CloseHandle(out_w);
  CloseHandle(err_w);
  VMS_CHECK_MSG(p != NULL, "cannot start %s", vmscope);
  if (p) {
    /* stdout to its end, then stderr: one line, far less than a pipe holds. */
    size_t len = 0, cap = 1 << 16;
    r->out = realloc(r->out, cap);
    DWORD got;
    for (;;) {
      if (len + 4097 > cap)
        r->out = realloc(r->out, cap *= 2);
      if (!ReadFile(out_r, r->out + len, 4096, &got, NULL) || got == 0)
        break;
      len += got;
    }
    r->out[len] = '\0';
    len = 0;
    while (len + 1 < sizeof r->err &&
           ReadFile(err_r, r->err + len, (DWORD)(sizeof r->err - 1 - len), &got, NULL) && got)
      len += got;
    r->err[len] = '\0';
    WaitForSingleObject(p, 30000);
    GetExitCodeProcess(p, &r->code);
    CloseHandle(p);
  }
  CloseHandle(out_r);
  CloseHandle(err_r);
}

/* One line: the message ends in one newline and holds no other. */
static bool one_line(const char *s) {
  const char *nl = strchr(s, '\n');
  return nl && nl[1] == '\0' && nl > s;
}

static void check_failure(const Run *r, DWORD want, const char *must_say, const char *what) {
  VMS_CHECK_MSG(r->code == want, "%s: exit %lu, want %lu (stderr: %s)", what,
                (unsigned long)r->code, (unsigned long)want, r->err);
  VMS_CHECK_MSG(r->out[0] == '\0', "%s: printed on stdout: %.200s", what, r->out);
  VMS_CHECK_MSG(one_line(r->err), "%s: stderr is not one line: \"%s\"", what, r->err);
  VMS_CHECK_MSG(strstr(r->err, must_say) != NULL, "%s: stderr \"%s\" does not say \"%s\"", what,
                r->err, must_say);
}

/* The files in dir matching pattern (its leftovers, or the one file kept). */
static int count_files(const char *dir, const char *pattern) {
  char glob[MAX_PATH + 64];
  snprintf(glob, sizeof glob, "%s\\%s", dir, pattern);
  WIN32_FIND_DATAA fd;
  HANDLE f = FindFirstFileA(glob, &fd);
  if (f == INVALID_HANDLE_VALUE)
    return 0;
  int n = 0;
  do
    n += strcmp(fd.cFileName, ".") != 0 && strcmp(fd.cFileName, "..") != 0;
  while (FindNextFileA(f, &fd));
  FindClose(f);
  return n;
}

/* A DACL with no entry grants nothing to anyone but the owner's implicit
 * READ_CONTROL and WRITE_DAC. vmscope must answer as the system answers
 * its own OpenProcess: where that is refused, exit 4 and a line that says
 * permission is denied; where the system grants access anyway (Wine does
 * not check a process's DACL), a map, exit 0. */
static void check_protected(const char *vmscope, const VmsHelper *h) {
  ACL empty;
  VMS_CHECK(InitializeAcl(&empty, sizeof empty, ACL_REVISION));
  DWORD set = SetSecurityInfo(h->process, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL,
                              &empty, NULL);
  VMS_CHECK_MSG(set == ERROR_SUCCESS, "SetSecurityInfo on the helper failed: error %lu",
                (unsigned long)set);
  HANDLE probe = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, h->pid);
  DWORD denied = probe ? 0 : GetLastError();
  if (probe)
    CloseHandle(probe);
  HANDLE limited = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, h->pid);
  if (limited)
    CloseHandle(limited);
  char args[64];
  snprintf(args, sizeof args, "%lu --summary --format json", (unsigned long)h->pid);
  Run r;
  run(&r, vmscope, args);
  if (denied == ERROR_ACCESS_DENIED) {
    check_failure(&r, 4, "ermission denied", "a process whose DACL grants nothing");
    printf("a process whose DACL grants nothing: exit 4, \"%.*s\"\n", (int)strcspn(r.err, "\r\n"),
           r.err);
  } else {
    VMS_CHECK_MSG(probe != NULL, "the test's own OpenProcess failed with error %lu",
                  (unsigned long)denied);
    VMS_CHECK_MSG(r.code == 0 && strstr(r.out, "\"free_largest\"") != NULL,
                  "this system grants access despite the empty DACL, but vmscope gave exit %lu: %s",
                  (unsigned long)r.code, r.err);
    printf("this system grants access to a process despite an empty DACL (%s); vmscope read it "
           "as the system allows\n",
           limited ? "query-limited access too" : "query-limited access refused");
  }
  free(r.out);
}

/* Whether this is Wine (its ntdll exports wine_get_version). */
static bool under_wine(void) {
  HMODULE ntdll = GetModuleHandleA("ntdll.dll");
  return ntdll && GetProcAddress(ntdll, "wine_get_version") != NULL;
}

/* Killed while vmscope reads it, at delays from 0 to about 60 ms: every
 * run is a whole map (exit 0, the CSV whole) or exit 6 with nothing on
 * stdout, never a map cut short. vmscope's output goes to a file, so the
 * test can wait for it with a deadline: Wine 8 answers another process's
 * VirtualQueryEx through a call run in that process, and when the process
 * dies with the call queued the caller waits for ever
 * (NtQueryVirtualMemory in NtWaitForSingleObject; docs/windows.md). Such a
 * run is counted and named, and fails the test on Windows itself. */
static void check_killed(const char *vmscope, const char *helper_exe, const char *dll) {
  int whole = 0, gone = 0, hung = 0;
  char path[MAX_PATH], tmpdir[MAX_PATH];
  GetTempPathA(sizeof tmpdir, tmpdir);
  snprintf(path, sizeof path, "%svmscope-killed-%lu.csv", tmpdir,
           (unsigned long)GetCurrentProcessId());
  for (int i = 0; i < 8; i++) {
    VmsHelper h;
    if (!vms_helper_start(&h, helper_exe, dll)) {
      VMS_CHECK_MSG(false, "cannot start %s", helper_exe);
      return;
    }
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE out = CreateFileA(path, GENERIC_WRITE, FILE_SHARE_READ, &sa, CREATE_ALWAYS,
                             FILE_ATTRIBUTE_TEMPORARY, NULL);
    VMS_CHECK_MSG(out != INVALID_HANDLE_VALUE, "cannot make %s", path);
    char args[64];
    snprintf(args, sizeof args, "%lu --regions --format csv", (unsigned long)h.pid);
    HANDLE p = vms_win_start_std(vmscope, args, out, GetStdHandle(STD_ERROR_HANDLE));
    CloseHandle(out);
    VMS_CHECK_MSG(p != NULL, "cannot start %s", vmscope);
    if (!p) {
      vms_helper_stop(&h);
      return;
    }
    Sleep((DWORD)(i * 8));
    TerminateProcess(h.process, 9);
    DWORD code = 0xffffffff;
    if (WaitForSingleObject(p, 15000) != WAIT_OBJECT_0) {
      TerminateProcess(p, 1);
      WaitForSingleObject(p, 5000);
      VMS_CHECK_MSG(under_wine(), "run %d: vmscope still runs 15 s after its target was killed", i);
      hung++;
      CloseHandle(p);
      vms_helper_stop(&h);
      continue;
    }
    GetExitCodeProcess(p, &code);
    CloseHandle(p);
    FILE *f = fopen(path, "rb");
    size_t len = 0;
    char *buf = calloc(1, 1 << 22);
    if (f) {
      len = fread(buf, 1, (1 << 22) - 1, f);
      fclose(f);
    }
    buf[len] = '\0';
    if (code == 0) {
      /* A whole map: its header first, every row ended. */
      VMS_CHECK_MSG(len > 0 && buf[len - 1] == '\n' && strstr(buf, "start,") == buf,
                    "run %d: exit 0 with a map that is not whole (%zu bytes)", i, len);
      whole++;
    } else {
      VMS_CHECK_MSG(code == 6, "run %d: exit %lu, want 0 or 6", i, (unsigned long)code);
      VMS_CHECK_MSG(len == 0, "run %d: exit %lu with %zu bytes of map", i, (unsigned long)code,
                    len);
      gone++;
    }
    free(buf);
    vms_helper_stop(&h);
  }
  DeleteFileA(path);
  printf("killed while read: %d whole maps, %d runs that said the process exited (6)", whole, gone);
  if (hung)
    printf(", %d left waiting in Wine's NtQueryVirtualMemory (a Wine bug; stopped)", hung);
  printf("\n");
}

/* Files that cannot be written: exit 8, one line naming the path, and
 * nothing left behind; a read-only file keeps its contents. */
static void check_unwritable(const char *vmscope, const VmsHelper *h) {
  char dir[MAX_PATH], tmpdir[MAX_PATH];
  GetTempPathA(sizeof tmpdir, tmpdir);
  snprintf(dir, sizeof dir, "%svmscope-errors-%lu", tmpdir, (unsigned long)GetCurrentProcessId());
  VMS_CHECK_MSG(CreateDirectoryA(dir, NULL), "cannot make %s", dir);
  char args[MAX_PATH * 2];
  Run r;

  snprintf(args, sizeof args, "%lu --save \"%s\\missing\\map.vmsrec\"", (unsigned long)h->pid, dir);
  run(&r, vmscope, args);
  check_failure(&r, 8, "missing", "--save into a missing folder");
  free(r.out);

  snprintf(args, sizeof args, "%lu --png \"%s\\missing\\map.png\"", (unsigned long)h->pid, dir);
  run(&r, vmscope, args);
  if (r.code == 11 && strstr(r.err, "without cairo")) {
    printf("not checked: --png into a missing folder (this vmscope.exe is built without cairo)\n");
  } else {
    check_failure(&r, 8, "missing", "--png into a missing folder");
    printf("--png into a missing folder: exit 8, \"%.*s\"\n", (int)strcspn(r.err, "\r\n"), r.err);
  }
  free(r.out);

  /* A read-only file: Windows refuses to replace it; its bytes stay. */
  char ro[MAX_PATH + 32];
  snprintf(ro, sizeof ro, "%s\\kept.vmsrec", dir);
  HANDLE f = CreateFileA(ro, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
  DWORD wrote = 0;
  VMS_CHECK(f != INVALID_HANDLE_VALUE && WriteFile(f, "keep", 4, &wrote, NULL) && wrote == 4);
  CloseHandle(f);
  VMS_CHECK(SetFileAttributesA(ro, FILE_ATTRIBUTE_READONLY));
  snprintf(args, sizeof args, "%lu --save \"%s\"", (unsigned long)h->pid, ro);
  run(&r, vmscope, args);
  check_failure(&r, 8, "kept.vmsrec", "--save over a read-only file");
  printf("--save over a read-only file: exit 8, \"%.*s\"\n", (int)strcspn(r.err, "\r\n"), r.err);
  free(r.out);
  char back[16] = "";
  f = CreateFileA(ro, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
  DWORD got = 0;
  VMS_CHECK(f != INVALID_HANDLE_VALUE && ReadFile(f, back, sizeof back - 1, &got, NULL));
  CloseHandle(f);
  VMS_CHECK_MSG(got == 4 && memcmp(back, "keep", 4) == 0, "the read-only file changed (%lu bytes)",
                (unsigned long)got);

  /* A folder where the file should go. */
  snprintf(args, sizeof args, "%lu --save \"%s\"", (unsigned long)h->pid, dir);
  run(&r, vmscope, args);
  check_failure(&r, 8, "vmscope-errors", "--save onto a folder");
  free(r.out);

  /* Nothing but the read-only file is left: no temporary file of a failed write. */
  int left = count_files(dir, "*");
  VMS_CHECK_MSG(left == 1, "%d files in %s after the failed writes, want the read-only one", left,
                dir);
  SetFileAttributesA(ro, FILE_ATTRIBUTE_NORMAL);
  DeleteFileA(ro);
  RemoveDirectoryA(dir);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: test-win-errors VMSCOPE.exe HELPER.exe HELPER-DLL.dll\n");
    return 2;
  }
  VmsHelper h;
  if (!vms_helper_start(&h, argv[2], argv[3])) {
    VMS_CHECK_MSG(false, "cannot start %s", argv[2]);
    return vms_test_end();
  }
  check_unwritable(argv[1], &h);
  check_protected(argv[1], &h);
  vms_helper_stop(&h);
  check_killed(argv[1], argv[2], argv[3]);
  return vms_test_end();
}
